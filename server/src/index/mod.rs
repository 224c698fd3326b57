//! Per-file summaries of TS/JS sources, extracted once with tree-sitter.
//!
//! A [`FileSummary`] is small and owned: it holds what the project model and
//! the rules need (classes, imports, exports, env accesses, DO API uses) and
//! never the syntax tree, so closed files cost little memory.

pub mod extract;
pub mod language;
pub mod queries;
pub mod syntax;

use crate::names::Name;
use crate::text::{Spanned, TextRange};

pub use extract::{summarize, summarize_with};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileSummary {
    pub classes: Vec<ClassInfo>,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub env_accesses: Vec<EnvAccess>,
    /// Members of types that describe the Worker's env: `interface Env {...}`,
    /// `type Bindings = {...}`, `interface CloudflareBindings`, and
    /// `Cloudflare.Env` in `worker-configuration.d.ts`.
    pub env_type_members: Vec<Spanned<String>>,
    /// The declared type of each Env member that has one, as written
    /// (`DurableObjectNamespace<import("./index").Counter>`), keyed by the
    /// member name. Parallel information to `env_type_members`.
    pub env_member_types: Vec<(String, Spanned<String>)>,
    /// Uses of storage APIs that need the SQLite backend
    /// (`storage.sql`, `storage.kv`, `storage.transactionSync`, PITR).
    pub storage_uses: Vec<StorageUse>,
    /// Number of tree-sitter ERROR/MISSING nodes: the file has syntax errors
    /// but was still summarised.
    pub syntax_error_count: u32,
    /// Calls the Durable Object rules look at (see [`CallSite`]).
    pub calls: Vec<CallSite>,
    /// Variables bound to the two ends of a `new WebSocketPair()`.
    pub websocket_pairs: Vec<WebSocketPairBinding>,
    /// `// dols-ignore...` comments (see [`Suppression`]).
    pub suppressions: Vec<Suppression>,
    /// Scopes, declarations, resolved references and symbolic values (see
    /// [`crate::semantic`]). Shared: rebuilds that keep a summary keep it.
    pub semantic: std::sync::Arc<crate::semantic::FileSemantics>,
}

/// A call expression (or `new`) kept for the rules. Only calls that matter
/// to Durable Object rules are recorded, to keep summaries small:
/// - the last callee segment is one of [`INTERESTING_CALLS`];
/// - the callee chain goes through a stub (`getByName()`, `get()`), e.g.
///   `env.ROOM.getByName(x).join(...)`;
/// - the callee is rooted at a variable that a recorded call was assigned
///   to in the same file (`const stub = env.ROOM.getByName(x); stub.join()`);
/// - the callee is `this.<field>.<method>` (state mutations such as
///   `this.sessions.set(...)`);
/// - `new WebSocket(...)`, `new WebSocketPair()`, `super(...)`.
///
/// "Assigned in the same file" is in source order: a variable counts from
/// the recorded call that sets it onwards (`const`, `let`, `x =`, and the
/// names of a destructuring pattern; not `this.x`). Calls are listed in
/// source order of their start (an outer chain call before its inner call).
#[derive(Clone, Debug, PartialEq)]
pub struct CallSite {
    /// The callee as dotted segments. A call inside the chain is written
    /// with `()`: `env.ROOM.getByName(x).join` → `["env", "ROOM",
    /// "getByName()", "join"]`; `this.ctx.storage.setAlarm` → `["this",
    /// "ctx", "storage", "setAlarm"]`; `setTimeout` → `["setTimeout"]`;
    /// `new WebSocketPair()` → `["WebSocketPair"]` with `is_new`; `super(...)`
    /// → `["super"]`. Optional chaining (`?.`) is read as `.`; computed
    /// members (`a[0]`) appear as `[]`; a constructor call inside the chain
    /// is `new Date()` (`new Date().toString` → `["new Date()",
    /// "toString"]`); any other root expression (literal, `await x`, ...)
    /// is `…`. Chains longer than 32 segments are cut: the first segment is
    /// then `…`, followed by the last 32.
    pub callee: Vec<Name>,
    /// Range of the last callee segment (the method name).
    pub name_range: TextRange,
    /// The whole call expression.
    pub range: TextRange,
    pub is_new: bool,
    pub args: Vec<Arg>,
    pub usage: CallUsage,
    pub scope: Scope,
}

/// Method and function names whose calls are always recorded.
pub const INTERESTING_CALLS: &[&str] = &[
    // timers
    "setTimeout",
    "setInterval",
    // WebSockets
    "accept",
    "acceptWebSocket",
    "addEventListener",
    "serializeAttachment",
    "deserializeAttachment",
    "getWebSockets",
    "setWebSocketAutoResponse",
    "WebSocketRequestResponsePair",
    "WebSocketPair",
    "WebSocket",
    // namespace and ids
    "newUniqueId",
    "idFromName",
    "idFromString",
    "getByName",
    "get",
    "jurisdiction",
    "toString",
    // storage and alarms
    "setAlarm",
    "getAlarm",
    "deleteAlarm",
    "deleteAll",
    "put",
    "delete",
    "list",
    "exec",
    "transaction",
    "transactionSync",
    "blockConcurrencyWhile",
    "waitUntil",
    // I/O
    "fetch",
    "connect",
    // lifecycle
    "super",
];

#[derive(Clone, Debug, PartialEq)]
pub enum CallUsage {
    /// `await call(...)`.
    Awaited,
    /// `return call(...)` (or an arrow function's expression body).
    Returned,
    /// `const x = call(...)`, `x = call(...)`, `this.x = call(...)` (name
    /// `this.x`, any member target as written), a class field initializer
    /// `x = call(...)` (name `this.x`); a destructuring pattern gives its
    /// bound names in order (`{ a, b: c, ...r }` → `a, c, r`).
    AssignedTo(Vec<Name>),
    /// Passed as an argument to another call (`ctx.waitUntil(call())`).
    Argument,
    /// A statement of its own, neither awaited, returned nor stored: a
    /// floating promise if the call is async.
    Floating,
    /// Anything else (part of a larger expression, `.then(...)` chain,
    /// `void call()`...). Parentheses, `as`, `satisfies` and `!` around the
    /// call are looked through for every variant.
    Other,
}

/// Where a call sits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// Innermost enclosing class.
    pub class: Option<Name>,
    /// The class method (or `constructor`) containing the call, if any —
    /// also when the call is inside a nested arrow function of that method.
    pub method: Option<Name>,
    /// Range of the innermost enclosing function (method, function, arrow);
    /// the whole file for top-level code.
    pub function: TextRange,
    /// Inside a `for`/`while`/`do` loop of the same function (the body, and
    /// the parts evaluated on each iteration: a `for`'s condition and
    /// increment, a `while`/`do` condition — not a `for` initializer nor the
    /// iterated expression of `for...of/in`), or directly in a
    /// `.forEach/.map/.flatMap` callback.
    pub in_loop: bool,
    /// Inside a `finally` block of the same function.
    pub in_finally: bool,
    /// Inside a `try` block of the same function (not its `catch`).
    pub in_try: bool,
    /// An `await` expression of the same function (not of a nested one) has
    /// completed before this call is made: it ends before the call in
    /// source order, or it is inside the call's own arguments/callee
    /// (`f(await x)`). In `await a(b())`, neither `a` nor `b` is after it.
    pub after_await: bool,
    /// Inside the executor of a `new Promise(...)` that is awaited or
    /// returned (e.g. `await new Promise(r => setTimeout(r, 100))`),
    /// including functions nested in that executor.
    pub in_awaited_promise: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub range: TextRange,
    pub value: ArgValue,
}

/// At most this many chars of a string or template literal are kept in an
/// [`ArgValue`]; `len` keeps the full size for limit checks.
pub const MAX_ARG_STRING_CHARS: usize = 256;

#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue {
    /// A string literal, unescaped. `value` holds at most
    /// [`MAX_ARG_STRING_CHARS`] chars; `len` is the byte length (UTF-8) of
    /// the whole unescaped value.
    String { value: String, len: usize },
    /// A template literal: its raw text between the backticks (at most
    /// [`MAX_ARG_STRING_CHARS`] chars, `${...}` included as written), the
    /// byte length of the whole raw text, and the number of `${}`
    /// interpolations.
    Template {
        raw: String,
        len: usize,
        interpolations: u32,
    },
    /// A numeric literal (hex/octal/binary/`_` separators read), also with
    /// a leading `-`/`+`. BigInts are `Other`.
    Number(f64),
    /// An identifier, or `this`.
    Identifier(Name),
    /// A member expression such as `this.ctx.id` as dotted segments.
    Member(Vec<Name>),
    /// A call, by its callee segments (`crypto.randomUUID()` → `["crypto",
    /// "randomUUID"]`). Its own arguments are not kept.
    Call(Vec<Name>),
    /// An object literal: key and value of each plain property (`key:
    /// value`, string/number keys unquoted, shorthand `{ a }` as
    /// `Identifier("a")`); spreads, methods and computed keys are skipped.
    /// At most 256 properties.
    Object(Vec<(String, Arg)>),
    /// An array literal with its elements (at most 256 kept: enough to tell
    /// a batch of more than 128 keys).
    Array(Vec<Arg>),
    /// A function or arrow function passed as a value; `body` is its block
    /// or expression body.
    Function { is_async: bool, body: TextRange },
    /// `...values`: any number of values.
    Spread,
    /// Anything else, and objects/arrays nested deeper than 6 levels.
    Other,
}

/// `const [client, server] = Object.values(new WebSocketPair())`,
/// `const { 0: client, 1: server } = new WebSocketPair()` or
/// `const pair = new WebSocketPair()` (also as assignments `x = ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSocketPairBinding {
    /// Destructured names in order (`{ 1: s, 0: c }` → `c, s`), or the one
    /// variable holding the pair.
    pub names: Vec<Name>,
    pub destructured: bool,
    /// The variable declarator (or assignment expression).
    pub range: TextRange,
    /// The scope of the `new WebSocketPair()` call.
    pub scope: Scope,
}

/// A suppression comment: `// dols-ignore-next-line <rule>[, <rule>]: reason`
/// or `// dols-ignore-file <rule>`, also as `/* ... */` (leading `*`s
/// ignored). The directive must start the comment text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Rule ids (kebab-case: lowercase ASCII letters and digits joined by
    /// `-`) separated by commas or spaces, read up to a `:` (the reason
    /// follows) or the first word that is not an id. Empty when none is
    /// named.
    pub rules: Vec<String>,
    pub whole_file: bool,
    /// The comment itself (for "unused suppression" hints).
    pub range: TextRange,
}

/// A class field (not an arrow/function-valued one: those are
/// [`Method`]s with `is_field`), or a `this.x = ...` assignment anywhere in
/// the constructor (also in nested arrows; not in nested `function`s). A
/// declared field assigned in the constructor is listed once, taking the
/// constructor's collection if the declaration has none. Sorted by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// As written (`#secret` keeps its `#`), spanned on the name.
    pub name: Spanned<String>,
    pub is_static: bool,
    /// What the initializer builds: `Map` / `Set` / `Array` / `Object` for
    /// `new Map()` (type arguments allowed), `new Set()`, `new Array()` or
    /// `[]`, `new Object()` or `{}` (through `as`/parentheses); `None` for
    /// anything else / no initializer.
    pub collection: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassInfo {
    /// `None` for an anonymous class expression.
    pub name: Option<Spanned<String>>,
    /// The whole class declaration.
    pub range: TextRange,
    pub heritage: Option<Heritage>,
    pub methods: Vec<Method>,
    /// Instance and static fields (`sessions = new Map()`), plus
    /// `this.x = new Map()` assignments in the constructor.
    pub fields: Vec<Field>,
    pub constructor: Option<Constructor>,
    /// `export class X` / `export default class X`.
    pub exported_inline: bool,
    pub default_export: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heritage {
    /// The `extends` expression as written, e.g. `DurableObject<Env>`,
    /// `Agent<Env, State>`, `withMixin(DurableObject)`.
    pub text: String,
    /// The identifier the expression is rooted at, with type arguments
    /// removed: `DurableObject` for `DurableObject<Env>`, `cf` for
    /// `cf.DurableObject` (see `member`).
    pub root: Option<String>,
    /// For `ns.DurableObject`, the member name (`DurableObject`).
    pub member: Option<String>,
    /// Identifiers passed as arguments when the heritage is a call
    /// (`mixin(DurableObject)` → `["DurableObject"]`).
    pub call_args: Vec<String>,
    pub range: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Protected,
    Private,
    /// `#name`
    EcmaPrivate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Method {
    pub name: Spanned<String>,
    /// The method body (for rules that look at what a handler does).
    pub body: TextRange,
    pub visibility: Visibility,
    pub is_static: bool,
    pub is_async: bool,
    /// Property with an arrow/function value (`foo = async () => {}`) rather
    /// than a method definition; still callable over RPC.
    pub is_field: bool,
    pub params: Vec<String>,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constructor {
    /// Parameter names as written (`ctx`, `env`, `state`); destructured or
    /// other patterns are recorded as their source text.
    pub params: Vec<String>,
    pub range: TextRange,
    /// The `constructor` keyword (the method's name).
    pub name_range: TextRange,
    /// The first `super(...)` call in source order, if any (not counting
    /// nested non-arrow functions and classes).
    pub super_call: Option<TextRange>,
    /// The first `this` evaluated before that `super(...)` call returns:
    /// before it in source order or inside its arguments (`super(this.x)`);
    /// anywhere when there is no super call. `this` in nested non-arrow
    /// functions and classes does not count; in arrows it does.
    pub this_before_super: Option<TextRange>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub specifier: Spanned<String>,
    pub kind: ImportKind,
    /// `import type` (or `import { type X }` for a named item).
    pub type_only: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportKind {
    /// `import { imported as local }`
    Named { imported: String, local: String },
    /// `import local from`
    Default { local: String },
    /// `import * as local from`
    Namespace { local: String },
    /// `import "x"`
    SideEffect,
    /// `const x = require("...")` / dynamic `import("...")`
    Dynamic,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Export {
    /// A local binding exported under a name: `export class X`, `export const
    /// X = ...`, `export function X`, `export { local as exported }`,
    /// `export default X` (exported = "default").
    Local {
        exported: Spanned<String>,
        local: String,
    },
    /// `export { imported as exported } from "specifier"`;
    /// `export { default as X } from` has imported = "default".
    ReExport {
        exported: Spanned<String>,
        imported: String,
        specifier: Spanned<String>,
    },
    /// `export * from "specifier"`
    Star { specifier: Spanned<String> },
    /// `export * as exported from "specifier"`
    StarAs {
        exported: Spanned<String>,
        specifier: Spanned<String>,
    },
    /// `export default <expression>` that is not a plain identifier or a
    /// named class/function.
    DefaultExpression { range: TextRange },
}

/// How the env object was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvVia {
    /// `env.X` where `env` is a handler parameter or module-level
    /// `import { env } from "cloudflare:workers"`.
    Param,
    /// `this.env.X` inside a class.
    ThisEnv,
    /// Hono: `c.env.X`.
    ContextEnv,
    /// `const { X } = env` (or `this.env`, `c.env`).
    Destructure,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvAccess {
    /// The binding name (`X` in `env.X`), spanned on the name.
    pub name: Spanned<String>,
    pub via: EnvVia,
    /// The member called directly on the binding: `env.X.idFromName(...)` →
    /// `idFromName`. `None` when the binding is not called on.
    pub member: Option<Spanned<String>>,
    /// Name of the class whose body contains the access.
    pub enclosing_class: Option<Name>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageUse {
    /// The storage member used: `sql`, `kv`, `transactionSync`,
    /// `getCurrentBookmark`, `getBookmarkForTime`, `onNextSessionRestoreBookmark`.
    pub member: Spanned<String>,
    /// The receiver expression as written (`this.ctx.storage`).
    pub receiver: String,
    pub enclosing_class: Option<Name>,
}
