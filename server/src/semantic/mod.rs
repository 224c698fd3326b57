//! The semantic model of one source file: scopes, declarations, resolved
//! references, and symbolic values, plus (in [`eval`]) the evaluation of
//! those values against the whole workspace.
//!
//! Rules, completion and hover ask this layer *what a value is* ("is the
//! receiver of this call a stub, and of which binding?") instead of matching
//! callee text. The layer has two halves:
//!
//! - [`build`] runs once per file, on its syntax tree, beside the index
//!   walk. It records every scope (module, class, function, block), every
//!   declaration (`const`/`let`/`var`, parameters, imports, functions,
//!   classes, catch parameters) and resolves each identifier reference to
//!   its declaration through the scope chain (shadowing and hoisting
//!   respected). For the expressions that matter (initialisers,
//!   assignments, returns, call receivers and arguments, class fields) it
//!   stores a small symbolic [`Expr`]: a reference, a member, a call, a
//!   `new`, a function... Grammar quirks are normalised here (see
//!   `build::normalized_call`), so no consumer sees them.
//! - [`eval`] turns an [`Expr`] into a [`Value`] from a small lattice (the
//!   Worker env, a Durable Object binding, an id, a stub, a WebSocket pair
//!   and its ends, `ctx`/storage/SQL, a Hono app and its context, ...).
//!   Values flow through declarations (joined over reassignments),
//!   destructuring, `this.x` fields (joined per class), parameters (from
//!   their type annotation, the handler they belong to, or the agreeing
//!   arguments of every local call site) and function returns, across
//!   imports.
//!
//! A semantic model holds no syntax tree and no source text beyond names,
//! so it lives in the [`crate::index::FileSummary`] like the other facts.

mod assemble;
mod build;
pub mod eval;
#[cfg(test)]
mod tests;

pub use assemble::assemble;
pub use build::{build, build_piece, top_level_nodes};
pub use eval::{EnvKind, Evaluator, IdKind, Value};

use crate::text::TextRange;

/// Index into [`FileSemantics::exprs`]. Expression 0 is always
/// [`Expr::Unknown`].
pub type ExprId = u32;
/// Index into [`FileSemantics::decls`].
pub type DeclId = u32;
/// Index into [`FileSemantics::funcs`].
pub type FuncId = u32;
/// Index into [`FileSemantics::scopes`].
pub type ScopeId = u32;
/// Index into [`FileSemantics::classes`].
pub type ClassId = u32;
/// Index into [`FileSemantics::calls`].
pub type CallId = u32;

pub use crate::names::Name;

/// The unknown expression, shared by every shape the model does not follow.
pub const UNKNOWN: ExprId = 0;

/// The declaration of a read that a piece could not resolve on its own.
pub const UNRESOLVED: DeclId = DeclId::MAX;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileSemantics {
    pub scopes: Vec<ScopeData>,
    pub decls: Vec<Decl>,
    pub exprs: Vec<Expr>,
    pub funcs: Vec<Func>,
    pub classes: Vec<ClassSem>,
    /// Calls whose receiver or callee is something the model can follow
    /// (not a literal nor an unresolved global other than the few it
    /// knows), in order of their start.
    pub calls: Vec<SemCall>,
    /// Every resolved read of a declaration, sorted by declaration, then
    /// position.
    pub uses: Vec<Use>,
    /// Expressions that evaluate to an env-like object, keyed by the start
    /// of the binding name read from them: `env.X`, `this.env.X`,
    /// `c.env.X`, `const { X } = env` (sorted by the key).
    pub env_reads: Vec<(u32, ExprId)>,
    /// Every `await`, in document order.
    pub awaits: Vec<AwaitSite>,
    /// The syntax tree had more nesting than the walk follows; the deepest
    /// parts were not modelled (their values are unknown).
    pub truncated: bool,
    /// A syntax error touches the module's own items: a top-level ERROR
    /// node, or an error in an import, export or class declaration outside
    /// the bodies of its functions. Errors inside a function body (the
    /// user typing `env.` in a handler) leave the file's imports, exports
    /// and classes as reliable as in a clean parse.
    pub module_items_broken: bool,
    /// Only in a piece (see [`build_piece`]): reads of names the piece
    /// does not declare, and `name = value` assignments to them (the
    /// name's range, the value). Empty in a whole file's model.
    pub free_reads: Vec<Use>,
    pub free_assigns: Vec<(TextRange, ExprId)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScopeData {
    pub kind: ScopeKind,
    pub range: TextRange,
    pub parent: Option<ScopeId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Class(ClassId),
    Function(FuncId),
    Block,
    /// The body of a `switch`: one block whose `case` clauses are
    /// alternatives, not a sequence.
    Switch,
    /// A loop statement: `for...of`/`for...in` (`over_elements`), or
    /// `for(;;)`, `while`, `do`.
    Loop {
        over_elements: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    pub name: Name,
    /// The declared name.
    pub range: TextRange,
    pub scope: ScopeId,
    pub kind: DeclKind,
    /// Every value the declaration is given: its initialiser and each
    /// later `name = value` (and the default of a parameter).
    pub values: Vec<ExprId>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeclKind {
    Const,
    Let,
    Var,
    /// A parameter (or a name destructured from one).
    Param {
        func: FuncId,
        index: u32,
    },
    /// `import { imported as name } from "specifier"`; `imported` is
    /// `default` for a default import and `*` for a namespace import.
    Import {
        specifier: Name,
        imported: Name,
    },
    Function(FuncId),
    Class(ClassId),
    Catch,
}

/// A type annotation, as far as the model reads one.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Ty {
    #[default]
    None,
    /// `Name` or `Name<args>` (`Cloudflare.Env` keeps its dots).
    Named {
        name: String,
        args: Vec<Ty>,
    },
    /// `{ key: Type; ... }`
    Object(Vec<(String, Ty)>),
    Other,
}

impl Ty {
    pub fn name(&self) -> Option<&str> {
        match self {
            Ty::Named { name, .. } => Some(name),
            _ => None,
        }
    }

    pub fn member(&self, key: &str) -> Option<&Ty> {
        match self {
            Ty::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, t)| t),
            _ => None,
        }
    }
}

/// A symbolic expression: what the model needs to know of an expression
/// to evaluate it later.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Unknown,
    /// An identifier resolved to a declaration of this file.
    Ref(DeclId),
    /// An identifier with no declaration in the file (`WebSocketPair`,
    /// `Object`, `fetch`).
    Global(Name),
    /// `this` in a class body or method (not inside a nested `function`).
    This(ClassId),
    /// `object.name`, `object?.name`, `object["name"]`, `object[0]` (as
    /// `"0"`), and a destructured part (`const { a } = x` gives `a` the
    /// value `Member(x, "a")`, `const [a] = x` gives `Member(x, "0")`).
    Member(ExprId, Name),
    Call {
        callee: ExprId,
        args: Box<[ExprId]>,
    },
    /// Boxed: rare, and the largest variant (keeps `Expr` at 24 bytes).
    New(Box<NewExpr>),
    /// The `index`th parameter of a function.
    Param(FuncId, u32),
    Func(FuncId),
    Class(ClassId),
    /// A string literal (at most 256 bytes kept).
    Str(Name),
    /// A number literal, as written.
    Number(Name),
    Object(Box<[(Name, ExprId)]>),
    Array(Box<[ExprId]>),
    /// A template literal with substitutions: the substituted expressions.
    Template(Box<[ExprId]>),
    /// One of several values (`a ?? b`, `c ? a : b`, `a || b`).
    Join(Box<[ExprId]>),
}

/// `new callee<ty_args>(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewExpr {
    pub callee: ExprId,
    pub ty_args: Vec<Ty>,
    pub args: Box<[ExprId]>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    /// The whole function (method, arrow, function expression).
    pub range: TextRange,
    pub params: u32,
    /// The annotation of each parameter ([`Ty::None`] when it has none).
    pub param_types: Vec<Ty>,
    /// What `return` statements (or an arrow's expression body) give.
    pub returns: Vec<ExprId>,
    pub is_async: bool,
    pub owner: FuncOwner,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FuncOwner {
    /// A function declaration, or a function expression / arrow stored in a
    /// variable.
    Free,
    /// A method (or arrow-valued field) of a class.
    Method {
        class: ClassId,
        name: Name,
        is_static: bool,
    },
    /// A method (or function-valued property) of an object literal.
    ObjectMethod { name: Name },
    /// Passed directly as argument `arg` of a call.
    Callback { call: CallId, arg: u32 },
    /// Called where it is written: `(async () => { ... })()`.
    Invoked,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ClassSem {
    pub name: Option<Name>,
    pub range: TextRange,
    /// The `extends` expression.
    pub heritage: Option<ExprId>,
    /// Values given to each field: its initialiser and every `this.x = v`
    /// in the class's methods (arrow functions included).
    pub fields: Vec<(Name, Vec<ExprId>)>,
    pub methods: Vec<(Name, FuncId)>,
    pub constructor: Option<FuncId>,
}

impl ClassSem {
    pub fn field(&self, name: &str) -> Option<&[ExprId]> {
        self.fields
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| v.as_slice())
    }

    pub fn method(&self, name: &str) -> Option<FuncId> {
        self.methods
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, f)| *f)
    }
}

/// A call the model keeps (see [`FileSemantics::calls`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SemCall {
    /// The whole call (for an `await x.m<T>()` that the grammar misreads,
    /// the call without the `await`).
    pub range: TextRange,
    /// The method or function name.
    pub name_range: TextRange,
    pub name: Name,
    pub callee: ExprId,
    /// The object of a method call (`x` in `x.m()`).
    pub receiver: Option<ExprId>,
    /// Range of the receiver expression.
    pub receiver_range: Option<TextRange>,
    pub args: Vec<ExprId>,
    pub arg_ranges: Vec<TextRange>,
    /// The call itself, as an expression (what it returns).
    pub value: ExprId,
    pub is_new: bool,
    /// The innermost function around the call, if any.
    pub func: Option<FuncId>,
    /// The call is a statement of its own (`x.m();`): what it returns,
    /// a promise included, is dropped.
    pub floating: bool,
}

/// An `await` expression.
#[derive(Clone, Debug, PartialEq)]
pub struct AwaitSite {
    pub range: TextRange,
    /// What is awaited.
    pub value: ExprId,
    /// The innermost function around it.
    pub func: Option<FuncId>,
    /// Inside the `try` block of a `try`/`catch` of the same function: a
    /// rejection is caught there.
    pub caught: bool,
}

/// A read of a declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    pub decl: DeclId,
    pub range: TextRange,
    pub role: UseRole,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UseRole {
    /// The object of a kept method call (`x` in `x.m()`).
    Receiver(CallId),
    /// Argument `index` of a kept call.
    Argument(CallId, u32),
    /// `x.name` read without calling it (`x.id`, `x.name`).
    Member,
    /// Anything else: returned, stored, compared, passed to a call the model
    /// does not keep, spread, ...
    Other,
}

impl FileSemantics {
    pub fn expr(&self, id: ExprId) -> &Expr {
        self.exprs.get(id as usize).unwrap_or(&Expr::Unknown)
    }

    pub fn decl(&self, id: DeclId) -> Option<&Decl> {
        self.decls.get(id as usize)
    }

    pub fn func(&self, id: FuncId) -> Option<&Func> {
        self.funcs.get(id as usize)
    }

    pub fn call(&self, id: CallId) -> Option<&SemCall> {
        self.calls.get(id as usize)
    }

    /// The kept call whose whole range is `range`.
    pub fn call_at(&self, range: TextRange) -> Option<CallId> {
        let start = self.calls.partition_point(|c| c.range.start < range.start);
        self.calls[start..]
            .iter()
            .take_while(|c| c.range.start == range.start)
            .position(|c| c.range == range)
            .map(|i| (start + i) as CallId)
    }

    /// Every read of `decl`.
    pub fn uses_of(&self, decl: DeclId) -> &[Use] {
        let start = self.uses.partition_point(|u| u.decl < decl);
        let end = self.uses.partition_point(|u| u.decl <= decl);
        &self.uses[start..end]
    }

    /// The env-like object a binding name at `name_start` is read from.
    pub fn env_read(&self, name_start: u32) -> Option<ExprId> {
        let i = self
            .env_reads
            .binary_search_by_key(&name_start, |(k, _)| *k)
            .ok()?;
        Some(self.env_reads[i].1)
    }

    /// The declaration visible under `name` at `offset` (innermost scope
    /// containing the offset, then outwards).
    pub fn lookup(&self, name: &str, offset: u32) -> Option<DeclId> {
        let mut scope = self.scope_at(offset)?;
        loop {
            if let Some(i) = self
                .decls
                .iter()
                .position(|d| d.scope == scope && &*d.name == name)
            {
                return Some(i as DeclId);
            }
            scope = self.scopes[scope as usize].parent?;
        }
    }

    /// The innermost scope containing `offset`.
    pub fn scope_at(&self, offset: u32) -> Option<ScopeId> {
        // Scopes are created in document order and nest, so the last one
        // that contains the offset is the innermost.
        self.scopes
            .iter()
            .rposition(|s| s.range.start <= offset && offset <= s.range.end)
            .map(|i| i as ScopeId)
    }

    /// The declaration `offset` is on: a declared name or a resolved read.
    pub fn decl_at(&self, offset: u32) -> Option<DeclId> {
        let on = |r: TextRange| r.start <= offset && offset <= r.end;
        self.decls
            .iter()
            .position(|d| on(d.range))
            .map(|i| i as DeclId)
            .or_else(|| self.uses.iter().find(|u| on(u.range)).map(|u| u.decl))
    }

    /// The class an expression starts from: `this` of that class, or a
    /// declaration made inside it (`Member` chains are followed to their
    /// root).
    pub fn root_class(&self, mut expr: ExprId) -> Option<ClassId> {
        for _ in 0..32 {
            match self.expr(expr) {
                Expr::Member(object, _) => expr = *object,
                Expr::Call { callee, .. } => expr = *callee,
                Expr::This(class) => return Some(*class),
                Expr::Ref(decl) => return self.class_at(self.decl(*decl)?.range.start),
                _ => return None,
            }
        }
        None
    }

    /// The innermost loop around `offset` inside its function (`None` when
    /// a function boundary comes first).
    pub fn loop_at(&self, offset: u32) -> Option<ScopeId> {
        let mut scope = self.scope_at(offset)?;
        loop {
            match self.scopes[scope as usize].kind {
                ScopeKind::Loop { .. } => return Some(scope),
                ScopeKind::Function(_) | ScopeKind::Class(_) | ScopeKind::Module => return None,
                ScopeKind::Block | ScopeKind::Switch => {
                    scope = self.scopes[scope as usize].parent?
                }
            }
        }
    }

    /// The declarations an expression is built from: `k`, `item.id`,
    /// `` `p:${id}` ``, `a ?? b` (a few levels deep).
    pub fn roots(&self, expr: ExprId) -> Vec<DeclId> {
        let mut out = Vec::new();
        let mut stack = vec![(expr, 0u32)];
        while let Some((expr, depth)) = stack.pop() {
            if depth > 8 || out.len() > 16 {
                break;
            }
            match self.expr(expr) {
                Expr::Ref(decl) => out.push(*decl),
                Expr::Member(object, _) => stack.push((*object, depth + 1)),
                Expr::Template(items) | Expr::Join(items) => {
                    stack.extend(items.iter().map(|&e| (e, depth + 1)));
                }
                _ => {}
            }
        }
        out
    }

    /// Whether the expression could evaluate to a Durable Object stub, by
    /// its shape alone: a namespace's `get`/`getByName`/`getExisting`, a
    /// call of a function or method, a parameter, an import, a field, a
    /// declaration holding one of those. A cheap filter before
    /// evaluation: `false` means it cannot be one.
    pub fn could_be_stub(&self, expr: ExprId) -> bool {
        self.could_be_stub_at(expr, 0)
    }

    fn could_be_stub_at(&self, expr: ExprId, depth: u32) -> bool {
        if depth > 8 {
            return true;
        }
        match self.expr(expr) {
            Expr::Call { callee, .. } => match self.expr(*callee) {
                Expr::Member(object, name) => {
                    matches!(&**name, "get" | "getByName" | "getExisting")
                        || self.is_code_root(*object, depth + 1)
                }
                _ => true,
            },
            Expr::Ref(decl) => match self.decl(*decl) {
                Some(d) => match d.kind {
                    DeclKind::Const | DeclKind::Let | DeclKind::Var => d
                        .values
                        .iter()
                        .any(|&v| self.could_be_stub_at(v, depth + 1)),
                    DeclKind::Param { .. } | DeclKind::Import { .. } | DeclKind::Catch => true,
                    DeclKind::Function(_) | DeclKind::Class(_) => false,
                },
                None => true,
            },
            Expr::Member(object, _) => self.is_code_root(*object, depth + 1),
            Expr::Param(..) => true,
            Expr::Join(items) => items.iter().any(|&e| self.could_be_stub_at(e, depth + 1)),
            _ => false,
        }
    }

    /// `this`, a module namespace, an object literal or a parameter: things
    /// whose members (fields, exports, properties) may hold a stub or a
    /// function returning one.
    fn is_code_root(&self, expr: ExprId, depth: u32) -> bool {
        match self.expr(expr) {
            Expr::This(_) | Expr::Param(..) | Expr::Object(_) => true,
            Expr::Ref(decl) => match self.decl(*decl).map(|d| &d.kind) {
                Some(DeclKind::Import { .. } | DeclKind::Param { .. }) => true,
                Some(DeclKind::Const | DeclKind::Let | DeclKind::Var) => self
                    .decl(*decl)
                    .is_some_and(|d| d.values.iter().any(|&v| self.is_code_root(v, depth + 1))),
                _ => false,
            },
            Expr::Member(object, _) if depth < 8 => self.is_code_root(*object, depth + 1),
            _ => false,
        }
    }

    /// The class whose body contains `offset`, innermost first.
    pub fn class_at(&self, offset: u32) -> Option<ClassId> {
        self.classes
            .iter()
            .rposition(|c| c.range.start <= offset && offset < c.range.end)
            .map(|i| i as ClassId)
    }
}
