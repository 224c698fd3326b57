//! `hibernation-state-loss`: per-connection state kept only in instance
//! fields of a class whose sockets hibernate.

use super::lifecycle_support::{class_calls, class_name, last, WEBSOCKET_HANDLERS};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::index::{Arg, ArgValue};
use crate::names::Name;

pub static RULE: Rule = Rule {
    id: "hibernation-state-loss",
    severity: Severity::Warning,
    summary: "Per-connection state of hibernatable WebSockets is kept in an instance field that hibernation wipes.",
    docs: r#"
## What it finds
A Durable Object class that attaches sockets with `ctx.acceptWebSocket` and
records each socket in a `Map`, `Set`, array or object field
(`this.sessions.set(ws, ...)`, `this.clients.push({ ws, name })`) from
`fetch` or a handler, while it neither stores that data on the socket
with `ws.serializeAttachment(...)` nor rebuilds the field from
`this.ctx.getWebSockets()` in the constructor.

Fields written with something other than a socket (caches, counters) are
not reported.

## Why it matters
Hibernation is the point of `acceptWebSocket`: after about ten idle
seconds the runtime drops the object from memory and keeps only the
connections. When the next message wakes it, the constructor runs again
and every instance field starts empty. `this.sessions.get(ws)` then
returns `undefined` for every client that connected before, and
broadcasts over the field reach nobody. Tests rarely catch it, because
the object stays awake while a test talks to it.

## Example
```ts
sessions = new Map<WebSocket, { name: string }>();
async fetch(request: Request) {
  const [client, server] = Object.values(new WebSocketPair());
  this.ctx.acceptWebSocket(server);
  this.sessions.set(server, { name: "guest" });
  return new Response(null, { status: 101, webSocket: client });
}
```

## How to fix
Store per-connection data on the socket:
`server.serializeAttachment({ name })` and
`ws.deserializeAttachment()` in the handlers. Iterate over
`this.ctx.getWebSockets()` instead of a field for broadcasts, or rebuild
the field from it in the constructor:
`for (const ws of ctx.getWebSockets()) this.sessions.set(ws, ws.deserializeAttachment())`.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

const WRITES: [&str; 5] = ["set", "add", "push", "unshift", "splice"];

fn mentions(arg: &Arg, sockets: &[Name]) -> bool {
    match &arg.value {
        ArgValue::Identifier(id) => sockets.contains(id),
        ArgValue::Object(props) => props
            .iter()
            .any(|(_, v)| matches!(&v.value, ArgValue::Identifier(id) if sockets.contains(id))),
        _ => false,
    }
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let calls = class_calls(ws, &context);
        let accepts: Vec<_> = calls
            .iter()
            .filter(|c| last(c) == "acceptWebSocket")
            .collect();
        if accepts.is_empty() {
            continue;
        }
        // State kept on the socket itself survives hibernation.
        let attaches = ws.summary(context.file).is_some_and(|s| {
            s.semantic.calls.iter().any(|c| {
                &*c.name == "serializeAttachment" && context.class.range.contains_range(c.range)
            })
        });
        if attaches {
            continue;
        }
        let rebuilt = calls.iter().any(|c| {
            last(c) == "getWebSockets" && c.scope.method.as_deref() == Some("constructor")
        });
        if rebuilt {
            continue;
        }
        // Names that hold a socket: arguments of acceptWebSocket, the first
        // parameter of the hibernation handlers, WebSocketPair ends.
        let mut sockets: Vec<Name> = accepts
            .iter()
            .filter_map(|c| match c.args.first().map(|a| &a.value) {
                Some(ArgValue::Identifier(id)) => Some(id.clone()),
                _ => None,
            })
            .collect();
        for method in &context.class.methods {
            if WEBSOCKET_HANDLERS.contains(&method.name.value.as_str()) {
                sockets.extend(method.params.first().map(|p| crate::names::name(p)));
            }
        }
        if let Some(summary) = ws.summary(context.file) {
            for pair in &summary.websocket_pairs {
                if pair.destructured && context.class.range.contains_range(pair.range) {
                    sockets.extend(pair.names.iter().cloned());
                }
            }
        }
        sockets.retain(|s| !s.is_empty() && &**s != "this");
        let name = class_name(&context);
        for field in &context.class.fields {
            if field.is_static || field.collection.is_none() {
                continue;
            }
            let write = calls.iter().find(|c| {
                c.callee.len() == 3
                    && &*c.callee[0] == "this"
                    && *c.callee[1] == *field.name.value
                    && WRITES.contains(&&*c.callee[2])
                    && c.scope
                        .method
                        .as_deref()
                        .is_some_and(|m| m != "constructor")
                    && c.args.first().is_some_and(|a| mentions(a, &sockets))
            });
            let Some(write) = write else { continue };
            out.report(
                context.file,
                field.name.range,
                format!(
                    "`{}` holds per-connection state of hibernatable sockets, but instance fields are emptied when `{name}` hibernates; store it with `ws.serializeAttachment()` or rebuild it from `this.ctx.getWebSockets()` in the constructor",
                    field.name.value
                ),
            )
            .with_related_mut(context.file, write.name_range, "a socket is recorded here");
        }
    }
}
