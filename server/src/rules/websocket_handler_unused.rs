//! `websocket-handler-unused`: hibernation handlers without
//! `acceptWebSocket`, or `acceptWebSocket` without a `webSocketMessage`.

use super::lifecycle_support::{
    base_or_library_may_accept, class_calls, class_name, last, slice, WEBSOCKET_HANDLERS,
};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::model::Workspace;

pub static RULE: Rule = Rule {
    id: "websocket-handler-unused",
    severity: Severity::Warning,
    summary: "`webSocketMessage`/`webSocketClose`/`webSocketError` defined but no socket is attached with `acceptWebSocket`, or the reverse.",
    docs: r#"
## What it finds
- A Durable Object class that defines `webSocketMessage`, `webSocketClose`
  or `webSocketError` but never calls `ctx.acceptWebSocket(...)`.
- A class that calls `ctx.acceptWebSocket(...)` and defines
  `webSocketClose`/`webSocketError` (or a method whose name is a near miss
  such as `websocketMessage`) but no `webSocketMessage` method. A class
  with no handler at all may only push to its sockets, and is not
  reported.

Classes built on a library base (`Agent`, partyserver's `Server`, ...), on
a workspace base class, or extended by other classes are skipped: the
accepting code or the handler may live in the other class. So are classes
that hand their `ctx` to a helper function.

## Why it matters
The runtime calls these handlers only for sockets attached with
`acceptWebSocket`. Sockets accepted with `ws.accept()` deliver their events
through `addEventListener` instead, so the handlers are dead code and the
messages they were meant to process go nowhere. The other way round, a
message arriving on a hibernatable socket with no `webSocketMessage` method
is never processed.

## Example
```ts
async fetch(request: Request) {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept(); // webSocketMessage below never fires
  return new Response(null, { status: 101, webSocket: client });
}
async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer) { /* ... */ }
```

## How to fix
Attach server sockets with `this.ctx.acceptWebSocket(server)` (and drop
`server.accept()`), or add a `webSocketMessage(ws, message)` method next
to the `acceptWebSocket` call.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &Workspace, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        if base_or_library_may_accept(ws, &context) {
            continue;
        }
        let name = class_name(&context);
        let text = ws.files.text(context.file);
        let body = slice(text, context.class.range);
        let calls = class_calls(ws, &context);
        let accepts: Vec<_> = calls
            .iter()
            .filter(|c| last(c) == "acceptWebSocket")
            .collect();
        let handlers: Vec<_> = context
            .class
            .methods
            .iter()
            .filter(|m| !m.is_static && WEBSOCKET_HANDLERS.contains(&m.name.value.as_str()))
            .collect();
        if accepts.is_empty() {
            let Some(first) = handlers.first() else {
                continue;
            };
            // `acceptWebSocket` reached another way (`const a =
            // this.ctx.acceptWebSocket`), or `ctx` handed to a helper.
            if body.contains("acceptWebSocket")
                || hands_ctx_to_helper(body)
                || helper_accepts(ws, &context)
            {
                continue;
            }
            let names: Vec<String> = handlers
                .iter()
                .map(|m| format!("`{}`", m.name.value))
                .collect();
            out.report(
                context.file,
                first.name.range,
                format!(
                    "{} {} never called: `{name}` attaches no socket with `this.ctx.acceptWebSocket(...)`, and the runtime calls these handlers only for sockets attached that way",
                    names.join(", "),
                    if names.len() == 1 { "is" } else { "are" }
                ),
            );
        } else if !context.has_method("webSocketMessage") {
            // A class that pushes to its sockets and never reads from them
            // needs no message handler. Only report when the class clearly
            // uses the handler model (it defines the other handlers) or has
            // a method that looks like a misspelt `webSocketMessage`.
            let misspelt = context.class.methods.iter().find(|m| {
                !m.is_static
                    && m.name.value != "webSocketMessage"
                    && strsim::osa_distance(&m.name.value.to_lowercase(), "websocketmessage") <= 2
            });
            if handlers.is_empty() && misspelt.is_none() {
                continue;
            }
            let first = accepts[0];
            let diagnostic = out.report(
                context.file,
                first.name_range,
                format!(
                    "`{name}` attaches sockets with `acceptWebSocket` but defines no `webSocketMessage(ws, message)` method, so messages from these clients reach no handler"
                ),
            );
            if let Some(method) = misspelt {
                diagnostic.with_related_mut(
                    context.file,
                    method.name.range,
                    format!(
                        "`{}` is not called by the runtime; did you mean `webSocketMessage`?",
                        method.name.value
                    ),
                );
            }
        }
    }
}

/// `helper(this.ctx, ...)`, `helper(ctx)`, `new Sessions(this.state)`: the
/// class passes its state object to other code (`super(ctx, env)` aside).
fn hands_ctx_to_helper(body: &str) -> bool {
    let mut text = body.to_string();
    while let Some(at) = text.find("super(") {
        let end = text[at..].find(')').map_or(text.len(), |e| at + e + 1);
        text.replace_range(at..end, "");
    }
    [
        "(this.ctx",
        "(this.state",
        "(ctx",
        "(state",
        ", this.ctx",
        ", this.state",
        ", ctx",
        ", state",
    ]
    .iter()
    .any(|needle| {
        text.match_indices(needle).any(|(at, _)| {
            let rest = text[at + needle.len()..].trim_start();
            rest.starts_with([',', ')'])
        })
    })
}

/// A function outside any class, in code of the same Workers, calls
/// `acceptWebSocket`: it may do it for this class.
fn helper_accepts(ws: &Workspace, context: &super::support::ClassContext) -> bool {
    let files: Vec<FileId> = if context.workers.is_empty() {
        vec![context.file]
    } else {
        context
            .workers
            .iter()
            .flat_map(|w| w.reachable.iter().copied())
            .collect()
    };
    files.iter().any(|&file| {
        ws.summary(file).is_some_and(|s| {
            s.calls
                .iter()
                .any(|c| last(c) == "acceptWebSocket" && c.scope.class.is_none())
        })
    })
}
