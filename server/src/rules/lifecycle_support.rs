//! Helpers shared by the lifecycle and hibernation rules: which recorded
//! calls are network I/O (asked of the semantic model), and the class
//! facts these rules keep asking for.

use super::support::ClassContext;
use crate::files::FileId;
use crate::index::CallSite;
use crate::model::{DoKind, Worker, Workspace};
use crate::semantic::{
    ClassSem, Evaluator, Expr, FileSemantics, FuncId, FuncOwner, SemCall, Value,
};
use crate::text::TextRange;

/// Handler methods the runtime invokes on a Durable Object.
pub const WEBSOCKET_HANDLERS: [&str; 3] = ["webSocketMessage", "webSocketClose", "webSocketError"];

pub fn class_name<'a>(context: &ClassContext<'a>) -> &'a str {
    context.class.name.as_ref().map_or("", |n| n.value.as_str())
}

/// The recorded calls inside the class of `context`.
pub fn class_calls<'a>(ws: &'a Workspace, context: &ClassContext<'a>) -> Vec<&'a CallSite> {
    let name = class_name(context);
    ws.summary(context.file)
        .into_iter()
        .flat_map(|s| s.calls.iter())
        .filter(|c| {
            c.scope.class.as_deref() == Some(name) && context.class.range.contains_range(c.range)
        })
        .collect()
}

pub fn last(call: &CallSite) -> &str {
    call.callee.last().map_or("", |s| &**s)
}

/// Tells which calls of a Durable Object class are network I/O, by what
/// the model says their receiver is: a stub of a Durable Object binding
/// (`fetch` or RPC), a binding's `fetch` (a service binding, assets), or
/// the global `fetch`. `app.fetch(req)` (a router in the same isolate),
/// `this.fetch(...)` and a local function named `fetch` are not.
pub struct NetworkIo<'w> {
    ws: &'w Workspace,
    file: FileId,
    sem: &'w FileSemantics,
    class_range: TextRange,
    /// The class as the model has it (`None` for a class the model did not
    /// reach, such as one nested deeper than the walk follows).
    class: Option<&'w ClassSem>,
    eval: Evaluator<'w>,
    workers: Vec<&'w Worker>,
}

impl<'w> NetworkIo<'w> {
    pub fn new(ws: &'w Workspace, context: &ClassContext<'w>) -> Option<Self> {
        let sem = &ws.summary(context.file)?.semantic;
        Some(NetworkIo {
            ws,
            file: context.file,
            sem,
            class_range: context.class.range,
            class: sem.classes.iter().find(|c| c.range == context.class.range),
            eval: Evaluator::new(ws),
            workers: context.workers.clone(),
        })
    }

    /// The model's calls inside `range`, in document order.
    pub fn calls_in(&self, range: TextRange) -> impl Iterator<Item = &'w SemCall> + use<'w> {
        let calls = &self.sem.calls;
        let first = calls.partition_point(|c| c.range.start < range.start);
        calls[first..]
            .iter()
            .take_while(move |c| c.range.start < range.end)
            .filter(move |c| range.contains_range(c.range))
    }

    /// What kind of network I/O `call` is, if it is one.
    pub fn of(&self, call: &SemCall) -> Option<&'static str> {
        if call.is_new {
            return None;
        }
        let fetch = &*call.name == "fetch";
        if call.receiver.is_none() {
            let global = matches!(self.sem.expr(call.callee), Expr::Global(g) if &**g == "fetch");
            return (fetch && global).then_some("a `fetch`");
        }
        match self.eval.receiver(self.file, call) {
            Value::Stub { binding, class } if self.is_object_stub(binding.as_deref(), &class) => {
                Some(if fetch {
                    "a `fetch` to another Durable Object"
                } else {
                    "an RPC call to another Durable Object"
                })
            }
            Value::Global(g) if fetch && matches!(&*g, "globalThis" | "self") => Some("a `fetch`"),
            Value::Binding(_) if fetch => Some("a `fetch` on a service binding"),
            _ => None,
        }
    }

    /// A stub from `env.X.get(...)` is one only when `X` is a Durable
    /// Object binding (`env.KV.get(key)` reads a KV value).
    fn is_object_stub(&self, binding: Option<&str>, class: &Option<crate::semantic::Name>) -> bool {
        let Some(binding) = binding else {
            return class.is_some();
        };
        let declares = |worker: &Worker| {
            worker.envs.iter().any(|env| {
                env.do_bindings
                    .iter()
                    .any(|b| b.name.as_ref().is_some_and(|n| n.value == binding))
            })
        };
        if self.workers.is_empty() {
            self.ws.workers.iter().any(declares)
        } else {
            self.workers.iter().any(|w| declares(w))
        }
    }

    /// The functions passed to `ctx.blockConcurrencyWhile` in the class,
    /// with the method name's range.
    pub fn block_concurrency_bodies(&self) -> Vec<(TextRange, TextRange)> {
        self.calls_in(self.class_range)
            .filter(|c| &*c.name == "blockConcurrencyWhile")
            .filter(|c| may_be_state(&self.eval.receiver(self.file, c)))
            .filter_map(|c| match self.sem.expr(*c.args.first()?) {
                Expr::Func(func) => Some((c.name_range, self.sem.func(*func)?.range)),
                _ => None,
            })
            .collect()
    }

    /// The class's constructor, as the model has it.
    pub fn constructor(&self) -> Option<FuncId> {
        self.class?.constructor
    }

    /// True when `call` runs while the constructor `constructor` runs:
    /// directly in its body or in a function invoked right where it is
    /// written inside it (`(async () => { ... })()`).
    pub fn runs_during(&self, constructor: FuncId, call: &SemCall) -> bool {
        let mut func = call.func;
        for _ in 0..32 {
            match func {
                Some(f) if f == constructor => return true,
                Some(f) => match self.sem.func(f) {
                    Some(inner) if inner.owner == FuncOwner::Invoked => {
                        func = self.enclosing_func(inner.range);
                    }
                    _ => return false,
                },
                None => return false,
            }
        }
        false
    }

    /// The name of the class method whose body holds `call` (also inside
    /// callbacks nested in it).
    pub fn method_around(&self, call: &SemCall) -> Option<&'w str> {
        let class = self.class?;
        let holds = |f: FuncId| {
            self.sem
                .func(f)
                .is_some_and(|f| f.range.contains_range(call.range))
        };
        if class.constructor.is_some_and(holds) {
            return Some("constructor");
        }
        class
            .methods
            .iter()
            .find(|(_, f)| holds(*f))
            .map(|(name, _)| &**name)
    }

    /// The innermost function strictly around `range`.
    fn enclosing_func(&self, range: TextRange) -> Option<FuncId> {
        self.sem
            .funcs
            .iter()
            .enumerate()
            .filter(|(_, f)| f.range != range && f.range.contains_range(range))
            .min_by_key(|(_, f)| f.range.end - f.range.start)
            .map(|(i, _)| i as FuncId)
    }
}

/// `ctx` / `state` of an object, or a receiver the model cannot follow (a
/// legacy class may keep its state under any name): the object's methods
/// (`acceptWebSocket`, `blockConcurrencyWhile`) are then told by their
/// names, as they are unique to it. A value known to be something else is
/// not its state.
pub fn may_be_state(value: &Value) -> bool {
    *value == Value::State || value.is_unknown()
}

/// True when the class, one of its workspace base classes, or a library
/// base accepts sockets, or the class is extended by other classes that
/// may do it: a place where "never accepts" cannot be told.
pub fn base_or_library_may_accept(ws: &Workspace, context: &ClassContext) -> bool {
    let inherits = matches!(
        context.kind,
        Some(DoKind::Library { .. } | DoKind::Derived { .. })
    );
    let mixin = context
        .class
        .heritage
        .as_ref()
        .is_some_and(|h| !h.call_args.is_empty());
    inherits || mixin || is_extended(ws, context)
}

/// Some other class in the Worker's sources (or the same file) extends this
/// one.
pub fn is_extended(ws: &Workspace, context: &ClassContext) -> bool {
    let name = class_name(context);
    let files: Vec<crate::files::FileId> = if context.workers.is_empty() {
        vec![context.file]
    } else {
        context
            .workers
            .iter()
            .flat_map(|w| w.sources.iter().copied())
            .collect()
    };
    files.iter().any(|&file| {
        ws.summary(file).is_some_and(|s| {
            s.classes.iter().any(|c| {
                c.heritage.as_ref().is_some_and(|h| {
                    h.root.as_deref() == Some(name) || h.call_args.iter().any(|a| a == name)
                })
            })
        })
    })
}

pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
