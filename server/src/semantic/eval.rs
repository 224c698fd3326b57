//! Evaluates symbolic [`Expr`]s to abstract [`Value`]s against the whole
//! workspace: imports are followed to the exporting file, functions to
//! what they return, parameters to their annotation, the handler they
//! belong to, or the agreeing arguments of their local call sites.
//!
//! The lattice is flat: two different values join to [`Value::Unknown`],
//! and [`Value::Nothing`] (`null`, `undefined`, a cycle) is left out of
//! joins. Evaluation is bounded (depth and a visiting set), so cycles and
//! long chains end in `Unknown` rather than a hang; rules stay silent on
//! `Unknown`.
use std::cell::RefCell;

use super::{
    ClassId, DeclId, DeclKind, Expr, ExprId, FileSemantics, FuncId, FuncOwner, Name, SemCall, Ty,
    UseRole,
};
use crate::files::FileId;
use crate::model::{ExportOrigin, Workspace};

/// Steps one evaluation may nest.
const MAX_DEPTH: u32 = 48;

/// Handler methods of a Worker's default export whose second parameter is
/// the env.
const ENV_HANDLERS: &[&str] = &[
    "fetch",
    "scheduled",
    "queue",
    "email",
    "tail",
    "trace",
    "test",
];

/// Names under which projects type the Worker env.
const ENV_TYPE_NAMES: &[&str] = &["Env", "Cloudflare.Env", "CloudflareBindings", "Bindings"];

/// Methods of a Hono app that register a handler taking the context.
const HONO_ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "all", "use", "on", "options", "head",
];

/// Binding types of the Workers runtime: an object type with one of them as
/// a member describes a Worker env.
const BINDING_TYPES: &[&str] = &[
    "DurableObjectNamespace",
    "KVNamespace",
    "D1Database",
    "R2Bucket",
    "Fetcher",
    "Queue",
    "AnalyticsEngineDataset",
    "Ai",
    "VectorizeIndex",
    "Hyperdrive",
    "Workflow",
    "SendEmail",
    "RateLimit",
];

/// Whose env an env-like object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvKind {
    /// The Worker's own env: its bindings are the config's.
    Worker,
    /// An object that is not the Worker's env (a Hono app built with its
    /// own bindings and called with another object).
    Other,
    /// Env-like, but the model cannot tell whose.
    Unsure,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// `newUniqueId()`
    Unique,
    /// `idFromName()`
    FromName,
    /// `idFromString()`
    FromString,
    /// `ctx.id`: the object's own id.
    Own,
    /// A `DurableObjectId` from an annotation.
    Any,
}

/// What an expression is, as far as Durable Object rules care.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Unknown,
    /// No value: `null`, `undefined`, a cycle. Left out of joins.
    Nothing,
    Env(EnvKind),
    /// `env.NAME`: a binding of the env (which kind depends on the Worker).
    Binding(Name),
    /// A `DurableObjectNamespace<Class>` known from a type only.
    Namespace {
        class: Option<Name>,
    },
    Id {
        kind: IdKind,
        binding: Option<Name>,
    },
    /// A stub: from `binding` (`env.X.get(..)`), or of `class` (a
    /// `DurableObjectStub<Class>` annotation).
    Stub {
        binding: Option<Name>,
        class: Option<Name>,
    },
    /// `new WebSocketPair()`
    Pair,
    /// `Object.values(pair)` / `Object.entries(pair)`
    PairValues,
    /// One end of a pair: `pair[1]`, `const [client, server] = ...`.
    PairEnd {
        server: bool,
    },
    /// `ctx` / `state` of a Durable Object.
    State,
    Storage,
    Sql,
    /// A Hono app: where it was declared, and what its `Bindings` type says.
    HonoApp {
        file: FileId,
        decl: Option<DeclId>,
        bindings: EnvKind,
    },
    /// A Hono context: `c.env` is that app's env.
    HonoContext(EnvKind),
    Func(FileId, FuncId),
    Class(FileId, ClassId),
    /// `this` in a class, or `new LocalClass()`.
    Instance(FileId, ClassId),
    /// `import * as ns`
    Module(FileId),
    /// An import from a package or a runtime module (`cloudflare:workers`).
    External {
        specifier: Name,
        name: Name,
    },
    /// A global the file does not declare.
    Global(Name),
    /// An object literal.
    Object(FileId, ExprId),
}

impl Value {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown | Value::Nothing)
    }

    /// The binding name of a stub / namespace / id value.
    pub fn binding(&self) -> Option<&str> {
        match self {
            Value::Binding(b) => Some(b),
            Value::Stub { binding, .. } | Value::Id { binding, .. } => binding.as_deref(),
            _ => None,
        }
    }

    /// Whether the value may be the Worker env (known or unsure).
    pub fn may_be_worker_env(&self) -> bool {
        !matches!(self, Value::Env(EnvKind::Other))
    }
}

/// Evaluates expressions of a workspace. Cheap to create; holds the
/// visiting set that cuts cycles.
pub struct Evaluator<'w> {
    ws: &'w Workspace,
    visiting: RefCell<Vec<(FileId, u8, u32, u32)>>,
    /// How many times a cycle was cut so far: a result computed while
    /// this did not move is exact and may be cached.
    cuts: std::cell::Cell<u64>,
    /// Exact results of `guard`ed evaluations (declarations, fields,
    /// parameters, returns), so a declaration read by many calls is
    /// evaluated once per evaluator.
    cache: RefCell<super::build::FastMap<(FileId, u8, u32, u32), Value>>,
}

/// What is being evaluated, for the visiting set.
const VISIT_DECL: u8 = 0;
const VISIT_PARAM: u8 = 1;
const VISIT_RETURN: u8 = 2;
const VISIT_FIELD: u8 = 3;

impl<'w> Evaluator<'w> {
    pub fn new(ws: &'w Workspace) -> Self {
        Evaluator {
            ws,
            visiting: RefCell::new(Vec::new()),
            cuts: std::cell::Cell::new(0),
            cache: RefCell::default(),
        }
    }

    pub fn semantics(&self, file: FileId) -> Option<&'w FileSemantics> {
        Some(&self.ws.summary(file)?.semantic)
    }

    /// The value of expression `expr` of `file`.
    pub fn value(&self, file: FileId, expr: ExprId) -> Value {
        self.eval(file, expr, 0)
    }

    /// The value of a declaration (all its assignments joined).
    pub fn decl_value(&self, file: FileId, decl: DeclId) -> Value {
        self.decl(file, decl, 0)
    }

    /// The object a kept call is made on.
    pub fn receiver(&self, file: FileId, call: &SemCall) -> Value {
        match call.receiver {
            Some(receiver) => self.eval(file, receiver, 0),
            None => Value::Unknown,
        }
    }

    /// What `this.key` is for an instance of `class` (declared in `file`).
    pub fn field_value(&self, file: FileId, class: ClassId, key: &str) -> Value {
        self.field(file, class, key, 0)
    }

    fn guard(&self, key: (FileId, u8, u32, u32), f: impl FnOnce() -> Value, cycle: Value) -> Value {
        if let Some(value) = self.cache.borrow().get(&key) {
            return value.clone();
        }
        if self.visiting.borrow().contains(&key) {
            self.cuts.set(self.cuts.get() + 1);
            return cycle;
        }
        let cuts = self.cuts.get();
        self.visiting.borrow_mut().push(key);
        let out = f();
        self.visiting.borrow_mut().pop();
        if self.cuts.get() == cuts {
            self.cache.borrow_mut().insert(key, out.clone());
        }
        out
    }

    fn eval(&self, file: FileId, expr: ExprId, depth: u32) -> Value {
        if depth > MAX_DEPTH {
            // Cut short: what is computed around this is not exact.
            self.cuts.set(self.cuts.get() + 1);
            return Value::Unknown;
        }
        let Some(sem) = self.semantics(file) else {
            return Value::Unknown;
        };
        let depth = depth + 1;
        match sem.expr(expr) {
            Expr::Unknown | Expr::Str(_) | Expr::Number(_) => Value::Unknown,
            Expr::Ref(decl) => self.decl(file, *decl, depth),
            Expr::Global(name) => match &**name {
                "env" => Value::Env(EnvKind::Unsure),
                _ => Value::Global(name.clone()),
            },
            Expr::This(class) => Value::Instance(file, *class),
            Expr::Member(object, key) => {
                // `[pair[0], pair[1]]` destructured: the element itself.
                if let Expr::Array(items) = sem.expr(*object) {
                    return match key.parse::<usize>().ok().and_then(|i| items.get(i)) {
                        Some(&item) => self.eval(file, item, depth),
                        None => Value::Unknown,
                    };
                }
                let object = self.eval(file, *object, depth);
                self.member(&object, key, depth)
            }
            Expr::Call { callee, args } => self.call(file, *callee, args, depth),
            Expr::New(new) => match self.eval(file, new.callee, depth) {
                Value::Global(name) if &*name == "WebSocketPair" => Value::Pair,
                Value::External { specifier, name }
                    if &*specifier == "hono" && &*name == "Hono" =>
                {
                    Value::HonoApp {
                        file,
                        decl: None,
                        bindings: hono_bindings(new.ty_args.first()),
                    }
                }
                Value::Class(f, c) => Value::Instance(f, c),
                _ => Value::Unknown,
            },
            Expr::Param(func, index) => self.param(file, *func, *index, depth),
            Expr::Func(func) => Value::Func(file, *func),
            Expr::Class(class) => Value::Class(file, *class),
            Expr::Object(_) => Value::Object(file, expr),
            Expr::Array(_) | Expr::Template(_) => Value::Unknown,
            Expr::Join(items) => {
                let items = items.clone();
                self.join(items.iter().map(|&e| self.eval(file, e, depth)))
            }
        }
    }

    fn join(&self, values: impl Iterator<Item = Value>) -> Value {
        let mut out = Value::Nothing;
        for value in values {
            out = match (out, value) {
                (Value::Nothing, v) | (v, Value::Nothing) => v,
                (a, b) if a == b => a,
                // A stub known by binding and by class is still that stub.
                (
                    Value::Stub {
                        binding: b1,
                        class: c1,
                    },
                    Value::Stub {
                        binding: b2,
                        class: c2,
                    },
                ) if b1 == b2 || b1.is_none() || b2.is_none() => Value::Stub {
                    binding: b1.or(b2),
                    class: c1.or(c2),
                },
                _ => return Value::Unknown,
            };
        }
        out
    }

    fn decl(&self, file: FileId, decl: DeclId, depth: u32) -> Value {
        let Some(sem) = self.semantics(file) else {
            return Value::Unknown;
        };
        let Some(d) = sem.decl(decl) else {
            return Value::Unknown;
        };
        if let DeclKind::Import {
            specifier,
            imported,
        } = &d.kind
        {
            return self.import(file, specifier, imported, depth);
        }
        if d.values.is_empty() {
            return Value::Unknown;
        }
        self.guard(
            (file, VISIT_DECL, decl, 0),
            || {
                let value = self.join(d.values.iter().map(|&v| self.eval(file, v, depth)));
                match value {
                    Value::HonoApp {
                        file: f,
                        decl: None,
                        bindings,
                    } if f == file => Value::HonoApp {
                        file,
                        decl: Some(decl),
                        bindings,
                    },
                    other => other,
                }
            },
            Value::Nothing,
        )
    }

    fn import(&self, file: FileId, specifier: &Name, imported: &Name, depth: u32) -> Value {
        if &**specifier == "cloudflare:workers" && &**imported == "env" {
            return Value::Env(EnvKind::Worker);
        }
        let Some(target) = self.ws.resolve_import(file, specifier) else {
            return Value::External {
                specifier: specifier.clone(),
                name: imported.clone(),
            };
        };
        if &**imported == "*" {
            return Value::Module(target);
        }
        self.export(target, imported, depth)
    }

    /// What module `file` exports under `name`.
    fn export(&self, file: FileId, name: &str, depth: u32) -> Value {
        let exports = self.ws.exports_of(file);
        let Some(entry) = exports.names.get(name) else {
            return Value::Unknown;
        };
        match &entry.origin {
            ExportOrigin::Class { file, name } => {
                let Some(sem) = self.semantics(*file) else {
                    return Value::Unknown;
                };
                match sem
                    .classes
                    .iter()
                    .position(|c| c.name.as_deref() == Some(name.as_str()))
                {
                    Some(class) => Value::Class(*file, class as ClassId),
                    None => Value::Unknown,
                }
            }
            ExportOrigin::Value { file, name } => {
                let Some(sem) = self.semantics(*file) else {
                    return Value::Unknown;
                };
                // A module-level declaration of that name.
                match sem
                    .decls
                    .iter()
                    .position(|d| d.scope == 0 && *d.name == **name)
                {
                    Some(decl) => self.decl(*file, decl as DeclId, depth),
                    None => Value::Unknown,
                }
            }
            ExportOrigin::External { specifier } => Value::External {
                specifier: specifier.as_str().into(),
                name: name.into(),
            },
        }
    }

    fn member(&self, object: &Value, key: &Name, depth: u32) -> Value {
        match (object, &**key) {
            (Value::Env(EnvKind::Other), _) => Value::Unknown,
            (Value::Env(_), _) => Value::Binding(key.clone()),
            (Value::Instance(file, class), _) => self.field(*file, *class, key, depth),
            (Value::State, "storage") => Value::Storage,
            (Value::State, "id") => Value::Id {
                kind: IdKind::Own,
                binding: None,
            },
            (Value::Storage, "sql") => Value::Sql,
            (Value::Pair | Value::PairValues, "0") => Value::PairEnd { server: false },
            (Value::Pair | Value::PairValues, "1") => Value::PairEnd { server: true },
            (Value::HonoContext(kind), "env") => Value::Env(*kind),
            (Value::Module(file), _) => self.export(*file, key, depth),
            (Value::Object(file, expr), _) => {
                let Some(sem) = self.semantics(*file) else {
                    return Value::Unknown;
                };
                match sem.expr(*expr) {
                    Expr::Object(members) => match members.iter().find(|(k, _)| k == key) {
                        Some((_, value)) => self.eval(*file, *value, depth),
                        None => Value::Unknown,
                    },
                    _ => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    /// `this.key` of an instance of `class`.
    fn field(&self, file: FileId, class: ClassId, key: &str, depth: u32) -> Value {
        let Some(sem) = self.semantics(file) else {
            return Value::Unknown;
        };
        let Some(c) = sem.classes.get(class as usize) else {
            return Value::Unknown;
        };
        if let Some(values) = c.field(key) {
            let values = values.to_vec();
            return self.guard(
                (file, VISIT_FIELD, class, hash_key(key)),
                || self.join(values.iter().map(|&v| self.eval(file, v, depth))),
                Value::Nothing,
            );
        }
        if let Some(func) = c.method(key) {
            return Value::Func(file, func);
        }
        // Fields the base class sets: `this.env` and `this.ctx` of a
        // `DurableObject` / `WorkerEntrypoint` (or an unknown base that
        // takes `(ctx, env)`), or of a workspace base class.
        let Some(heritage) = c.heritage else {
            return Value::Unknown;
        };
        match self.eval(file, heritage, depth) {
            Value::Class(base_file, base) if (base_file, base) != (file, class) => {
                self.field(base_file, base, key, depth + 1)
            }
            _ => match key {
                "env" => Value::Env(EnvKind::Worker),
                "ctx" | "state" => Value::State,
                _ => Value::Unknown,
            },
        }
    }

    fn call(&self, file: FileId, callee: ExprId, args: &[ExprId], depth: u32) -> Value {
        let Some(sem) = self.semantics(file) else {
            return Value::Unknown;
        };
        if let Expr::Member(object, method) = sem.expr(callee) {
            let object = self.eval(file, *object, depth);
            match (&object, &**method) {
                (Value::Binding(b), m) => {
                    return namespace_call(m, Some(b.clone()), None).unwrap_or(Value::Unknown)
                }
                (Value::Namespace { class }, m) => {
                    return namespace_call(m, None, class.clone()).unwrap_or(Value::Unknown)
                }
                (Value::Global(g), "values" | "entries") if &**g == "Object" => {
                    return match args.first().map(|&a| self.eval(file, a, depth)) {
                        Some(Value::Pair) => Value::PairValues,
                        _ => Value::Unknown,
                    };
                }
                (Value::Instance(..) | Value::Module(_) | Value::Object(..), _) => {
                    let function = self.member(&object, method, depth);
                    return self.returns_of(&function, depth);
                }
                _ => return Value::Unknown,
            }
        }
        let function = self.eval(file, callee, depth);
        self.returns_of(&function, depth)
    }

    fn returns_of(&self, function: &Value, depth: u32) -> Value {
        let Value::Func(file, func) = *function else {
            return Value::Unknown;
        };
        let Some(f) = self.semantics(file).and_then(|s| s.func(func)) else {
            return Value::Unknown;
        };
        if f.returns.is_empty() {
            return Value::Unknown;
        }
        self.guard(
            (file, VISIT_RETURN, func, 0),
            || self.join(f.returns.iter().map(|&r| self.eval(file, r, depth))),
            Value::Nothing,
        )
    }

    fn param(&self, file: FileId, func: FuncId, index: u32, depth: u32) -> Value {
        let Some(sem) = self.semantics(file) else {
            return Value::Unknown;
        };
        let Some(f) = sem.func(func) else {
            return Value::Unknown;
        };
        if let Some(ty) = f.param_types.get(index as usize) {
            let value = type_value(ty);
            if !value.is_unknown() {
                return value;
            }
        }
        match &f.owner {
            FuncOwner::ObjectMethod { name } if index == 1 && ENV_HANDLERS.contains(&&**name) => {
                return Value::Env(EnvKind::Worker);
            }
            FuncOwner::Method { class, name, .. } if &**name == "constructor" => {
                let has_base = sem
                    .classes
                    .get(*class as usize)
                    .is_some_and(|c| c.heritage.is_some());
                let param_name = sem
                    .decls
                    .iter()
                    .find(|d| d.kind == DeclKind::Param { func, index })
                    .map(|d| &*d.name);
                match (index, param_name) {
                    (0, Some("state" | "ctx")) => return Value::State,
                    (0, _) if has_base => return Value::State,
                    (1, Some("env")) => return Value::Env(EnvKind::Worker),
                    (1, _) if has_base => return Value::Env(EnvKind::Worker),
                    _ => {}
                }
            }
            FuncOwner::Callback { call, arg } => {
                if let Some(call) = sem.call(*call) {
                    let receiver = self.receiver(file, call);
                    if let Value::HonoApp {
                        file: app_file,
                        decl,
                        bindings,
                    } = receiver
                    {
                        if index == 0 && *arg > 0 && HONO_ROUTE_METHODS.contains(&&*call.name) {
                            return Value::HonoContext(
                                self.app_env(app_file, decl, bindings, depth),
                            );
                        }
                        if index == 0 && &*call.name == "use" {
                            return Value::HonoContext(
                                self.app_env(app_file, decl, bindings, depth),
                            );
                        }
                    }
                }
                return Value::Unknown;
            }
            _ => {}
        }
        // The arguments at every local call site, when they agree.
        self.guard(
            (file, VISIT_PARAM, func, index),
            || self.call_site_args(file, sem, func, index, depth),
            Value::Nothing,
        )
    }

    fn call_site_args(
        &self,
        file: FileId,
        sem: &FileSemantics,
        func: FuncId,
        index: u32,
        depth: u32,
    ) -> Value {
        let Some(f) = sem.func(func) else {
            return Value::Unknown;
        };
        let mut args = Vec::new();
        for call in &sem.calls {
            let calls_it = match (sem.expr(call.callee), &f.owner) {
                (Expr::Ref(decl), FuncOwner::Free) => sem.decl(*decl).is_some_and(|d| {
                    d.values
                        .iter()
                        .any(|&v| matches!(sem.expr(v), Expr::Func(g) if *g == func))
                }),
                (
                    Expr::Member(object, name),
                    FuncOwner::Method {
                        class,
                        name: method,
                        ..
                    },
                ) => name == method && matches!(sem.expr(*object), Expr::This(c) if c == class),
                _ => false,
            };
            if !calls_it {
                continue;
            }
            match call.args.get(index as usize) {
                Some(&arg) => args.push(arg),
                None => return Value::Unknown,
            }
            if args.len() > 32 {
                return Value::Unknown;
            }
        }
        if args.is_empty() {
            return Value::Unknown;
        }
        self.join(args.iter().map(|&a| self.eval(file, a, depth)))
    }

    /// Whose env a Hono app's handlers see: the Worker's when the app serves
    /// the Worker (`app.fetch(req, env)` with the Worker env, or the app is
    /// exported), another object's when the app is called with one.
    fn app_env(
        &self,
        file: FileId,
        decl: Option<DeclId>,
        bindings: EnvKind,
        depth: u32,
    ) -> EnvKind {
        let Some(decl) = decl else { return bindings };
        let Some(sem) = self.semantics(file) else {
            return bindings;
        };
        let mut served = None;
        for u in sem.uses_of(decl) {
            let UseRole::Receiver(call) = u.role else {
                continue;
            };
            let Some(call) = sem.call(call) else { continue };
            if &*call.name != "fetch" {
                continue;
            }
            let env = call
                .args
                .get(1)
                .map(|&a| self.eval(file, a, depth))
                .unwrap_or(Value::Unknown);
            served = Some(match (served, env) {
                (Some(EnvKind::Worker), _) | (_, Value::Env(EnvKind::Worker)) => EnvKind::Worker,
                (_, Value::Object(..)) => EnvKind::Other,
                (prev, _) => prev.unwrap_or(EnvKind::Unsure),
            });
        }
        match served {
            Some(EnvKind::Unsure) | None => bindings,
            Some(kind) => kind,
        }
    }
}

/// FNV-1a of a field name, for the cache key of `this.name`.
fn hash_key(key: &str) -> u32 {
    key.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A call on a namespace (a binding or an annotated namespace).
fn namespace_call(method: &str, binding: Option<Name>, class: Option<Name>) -> Option<Value> {
    let id = |kind| Value::Id {
        kind,
        binding: binding.clone(),
    };
    Some(match method {
        "get" | "getByName" | "getExisting" => Value::Stub {
            binding: binding.clone(),
            class,
        },
        "idFromName" => id(IdKind::FromName),
        "newUniqueId" => id(IdKind::Unique),
        "idFromString" => id(IdKind::FromString),
        "jurisdiction" => match binding {
            Some(b) => Value::Binding(b),
            None => Value::Namespace { class },
        },
        _ => return None,
    })
}

/// What a parameter annotated with `ty` is.
pub fn type_value(ty: &Ty) -> Value {
    let Ty::Named { name, args } = ty else {
        return Value::Unknown;
    };
    let class_arg = || args.first().and_then(Ty::name).map(Name::from);
    match name.as_str() {
        n if ENV_TYPE_NAMES.contains(&n) => Value::Env(EnvKind::Worker),
        "DurableObjectNamespace" => Value::Namespace { class: class_arg() },
        "DurableObjectStub" => Value::Stub {
            binding: None,
            class: class_arg(),
        },
        "DurableObjectState" => Value::State,
        "DurableObjectStorage" => Value::Storage,
        "SqlStorage" => Value::Sql,
        "DurableObjectId" => Value::Id {
            kind: IdKind::Any,
            binding: None,
        },
        // Hono's `Context<{ Bindings: Env }>`.
        "Context" => Value::HonoContext(hono_bindings(args.first())),
        _ => Value::Unknown,
    }
}

/// What a Hono app's `{ Bindings: X }` type argument says about its env.
fn hono_bindings(env: Option<&Ty>) -> EnvKind {
    let Some(bindings) = env.and_then(|t| t.member("Bindings")) else {
        return EnvKind::Unsure;
    };
    match bindings {
        Ty::Named { name, .. } if ENV_TYPE_NAMES.contains(&name.as_str()) => EnvKind::Worker,
        Ty::Object(members)
            if members
                .iter()
                .any(|(_, t)| t.name().is_some_and(|n| BINDING_TYPES.contains(&n))) =>
        {
            EnvKind::Worker
        }
        _ => EnvKind::Unsure,
    }
}
