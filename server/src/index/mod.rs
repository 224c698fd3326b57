//! Per-file summaries of TS/JS sources, extracted once with tree-sitter.
//!
//! A [`FileSummary`] is small and owned: it holds what the project model and
//! the rules need (classes, imports, exports, env accesses, DO API uses) and
//! never the syntax tree, so closed files cost little memory.

pub mod extract;
pub mod language;
pub mod queries;

use crate::text::{Spanned, TextRange};

pub use extract::summarize;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub classes: Vec<ClassInfo>,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub env_accesses: Vec<EnvAccess>,
    /// Members of types that describe the Worker's env: `interface Env {...}`,
    /// `type Bindings = {...}`, `interface CloudflareBindings`, and
    /// `Cloudflare.Env` in `worker-configuration.d.ts`.
    pub env_type_members: Vec<Spanned<String>>,
    /// Uses of storage APIs that need the SQLite backend
    /// (`storage.sql`, `storage.kv`, `storage.transactionSync`, PITR).
    pub storage_uses: Vec<StorageUse>,
    /// Number of tree-sitter ERROR/MISSING nodes: the file has syntax errors
    /// but was still summarised.
    pub syntax_error_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassInfo {
    /// `None` for an anonymous class expression.
    pub name: Option<Spanned<String>>,
    /// The whole class declaration.
    pub range: TextRange,
    pub heritage: Option<Heritage>,
    pub methods: Vec<Method>,
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
    pub enclosing_class: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageUse {
    /// The storage member used: `sql`, `kv`, `transactionSync`,
    /// `getCurrentBookmark`, `getBookmarkForTime`, `onNextSessionRestoreBookmark`.
    pub member: Spanned<String>,
    /// The receiver expression as written (`this.ctx.storage`).
    pub receiver: String,
    pub enclosing_class: Option<String>,
}
