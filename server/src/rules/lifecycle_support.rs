//! Helpers shared by the lifecycle and hibernation rules: which recorded
//! calls are network I/O, which variables hold stubs, and the class facts
//! these rules keep asking for.

use super::support::ClassContext;
use crate::index::{CallSite, ClassInfo};
use crate::model::{DoKind, Workspace};
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
    call.callee.last().map_or("", String::as_str)
}

/// `env.X`, `this.env.X`, `c.env.X`: the chain goes through an `env` object.
fn through_env(segments: &[String]) -> bool {
    segments.iter().any(|s| s == "env")
}

/// `env.ROOM.get(id)` / `this.env.ROOM.getByName(name)`: a call that returns
/// a Durable Object stub.
pub fn is_stub_getter(call: &CallSite) -> bool {
    let n = call.callee.len();
    n >= 3
        && matches!(last(call), "get" | "getByName")
        && through_env(&call.callee[..n - 1])
        && !call.callee.iter().any(|s| s.ends_with("()"))
}

/// Variables assigned a stub (`const stub = env.ROOM.getByName(x)`), with
/// the function they were assigned in.
pub fn stub_vars(calls: &[&CallSite]) -> Vec<(String, TextRange)> {
    let mut vars = Vec::new();
    for call in calls {
        if !is_stub_getter(call) {
            continue;
        }
        if let crate::index::CallUsage::AssignedTo(names) = &call.usage {
            for name in names {
                if !name.contains('.') {
                    vars.push((name.clone(), call.scope.function));
                }
            }
        }
    }
    vars
}

/// What kind of network I/O a call is, if it is one: a global `fetch`, a
/// `fetch` on an env binding (service, assets), or any call on a Durable
/// Object stub (`fetch`, RPC). `app.fetch(req)` (a router in the same
/// isolate) and `this.fetch(...)` are not network I/O.
pub fn network_io(call: &CallSite, stubs: &[(String, TextRange)]) -> Option<&'static str> {
    if call.is_new {
        return None;
    }
    let segments = &call.callee;
    let n = segments.len();
    let name = last(call);
    if n >= 2 {
        // `env.ROOM.get(id).fetch` / `.getByName(x).join`
        let via_getter = segments[..n - 1].iter().enumerate().any(|(i, s)| {
            matches!(s.as_str(), "get()" | "getByName()")
                && i >= 1
                && through_env(&segments[..i])
                && !segments[..i].iter().any(|s| s.ends_with("()"))
        });
        let via_var = n == 2
            && stubs
                .iter()
                .any(|(var, function)| *var == segments[0] && function.contains_range(call.range));
        if via_getter || via_var {
            return Some(if name == "fetch" {
                "a `fetch` to another Durable Object"
            } else {
                "an RPC call to another Durable Object"
            });
        }
    }
    if name == "fetch" {
        let global = matches!(
            segments
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            ["fetch"] | ["globalThis", "fetch"] | ["self", "fetch"]
        );
        if global {
            return Some("a `fetch`");
        }
        let on_binding = n >= 3
            && through_env(&segments[..n - 1])
            && !segments.iter().any(|s| s.ends_with("()") || s == "[]");
        if on_binding {
            return Some("a `fetch` on a service binding");
        }
    }
    None
}

/// True when `call` runs while the constructor runs — directly in its body or in an immediately invoked
/// function inside it.
pub fn runs_during_constructor(text: &str, class: &ClassInfo, call: &CallSite) -> bool {
    let Some(constructor) = &class.constructor else {
        return false;
    };
    if call.scope.method.as_deref() != Some("constructor")
        || !constructor.range.contains_range(call.range)
    {
        return false;
    }
    if call.scope.function == constructor.range {
        return true;
    }
    is_immediately_invoked(text, call.scope.function)
}

/// `(async () => { ... })()`: the function at `range` is called right away.
pub fn is_immediately_invoked(text: &str, range: TextRange) -> bool {
    let after = text.get(range.end as usize..).unwrap_or("");
    after
        .trim_start()
        .strip_prefix(')')
        .is_some_and(|rest| rest.trim_start().starts_with('('))
}

/// The function bodies passed to `blockConcurrencyWhile` in these calls.
pub fn block_concurrency_bodies(calls: &[&CallSite]) -> Vec<(TextRange, TextRange)> {
    calls
        .iter()
        .filter(|c| last(c) == "blockConcurrencyWhile")
        .filter_map(|c| match c.args.first().map(|a| &a.value) {
            Some(crate::index::ArgValue::Function { body, .. }) => Some((c.name_range, *body)),
            _ => None,
        })
        .collect()
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

/// The text of `range` in `file`.
pub fn slice(text: &str, range: TextRange) -> &str {
    text.get(range.as_std()).unwrap_or("")
}

pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
