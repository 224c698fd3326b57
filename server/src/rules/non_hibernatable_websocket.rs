//! `non-hibernatable-websocket`: a Durable Object accepts its end of a
//! `WebSocketPair` with the standard API instead of `ctx.acceptWebSocket`.

use super::lifecycle_support::{class_calls, class_name, last, slice, WEBSOCKET_HANDLERS};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::index::{ArgValue, CallSite, WebSocketPairBinding};
use crate::model::Workspace;

pub static RULE: Rule = Rule {
    id: "non-hibernatable-websocket",
    severity: Severity::Warning,
    summary: "A Durable Object accepts a `WebSocketPair` end with `accept()`/`addEventListener`, so it can never hibernate.",
    docs: r#"
## What it finds
Inside a Durable Object class, `server.accept()` — or, without it,
`server.addEventListener("message", ...)` — on an end of a
`new WebSocketPair()` created in the same function.

Not reported: sockets the object opened itself (`resp.webSocket.accept()`
on an outgoing connection, see `outgoing-websocket`), WebSocketPairs in
plain Worker code outside Durable Object classes, and sockets also passed
to `acceptWebSocket` (that is `websocket-double-accept`).

## Why it matters
A socket accepted the standard way keeps the object in memory for as long
as the connection stays open, even when no message arrives for hours, and
the object is billed for all of that time. With the Hibernation API the
runtime keeps the connection while the object sleeps and wakes it only for
a message.

## Example
```ts
async fetch(request: Request) {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.addEventListener("message", (event) => this.onMessage(event.data));
  return new Response(null, { status: 101, webSocket: client });
}
```

## How to fix
Call `this.ctx.acceptWebSocket(server)` instead of `server.accept()`, and
move the listeners into the class's `webSocketMessage(ws, message)`,
`webSocketClose(ws, code, reason, wasClean)` and `webSocketError(ws, error)`
methods. Keep per-connection data with `ws.serializeAttachment(...)`.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

/// The pair end (as written in the callee) that `call` is made on, if any.
fn on_pair_end(call: &CallSite, pair: &WebSocketPairBinding) -> Option<String> {
    if !pair.scope.function.contains_range(call.range) || call.range.start < pair.range.start {
        return None;
    }
    let segments = &call.callee;
    if pair.destructured && segments.len() == 2 && pair.names.contains(&segments[0]) {
        return Some(segments[0].clone());
    }
    if !pair.destructured
        && segments.len() == 3
        && segments[0] == pair.names[0]
        && segments[1] == "[]"
    {
        return Some(format!("{}[...]", segments[0]));
    }
    None
}

fn check(ws: &Workspace, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let name = class_name(&context);
        let Some(summary) = ws.summary(context.file) else {
            continue;
        };
        let calls = class_calls(ws, &context);
        // Hibernation handlers with no `acceptWebSocket`: that is
        // `websocket-handler-unused`, which names the dead handlers.
        let handlers = context
            .class
            .methods
            .iter()
            .any(|m| !m.is_static && WEBSOCKET_HANDLERS.contains(&m.name.value.as_str()));
        if handlers && !calls.iter().any(|c| last(c) == "acceptWebSocket") {
            continue;
        }
        let text = ws.files.text(context.file);
        for pair in &summary.websocket_pairs {
            if pair.scope.class.as_deref() != Some(name)
                || !context.class.range.contains_range(pair.range)
            {
                continue;
            }
            // Sockets also given to acceptWebSocket belong to websocket-double-accept.
            let hibernated: Vec<&str> = calls
                .iter()
                .filter(|c| {
                    last(c) == "acceptWebSocket" && pair.scope.function.contains_range(c.range)
                })
                .filter_map(|c| match c.args.first().map(|a| &a.value) {
                    Some(ArgValue::Identifier(id)) => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            let standard = |method: &str| {
                calls.iter().find_map(|c| {
                    if last(c) != method {
                        return None;
                    }
                    if method == "addEventListener"
                        && !matches!(c.args.first().map(|a| &a.value), Some(ArgValue::String { value, .. }) if value == "message")
                    {
                        return None;
                    }
                    let end = on_pair_end(c, pair)?;
                    (!hibernated.contains(&end.as_str())).then_some((*c, end))
                })
            };
            let Some((call, end)) = standard("accept").or_else(|| standard("addEventListener"))
            else {
                continue;
            };
            let end = if end.ends_with("[...]") {
                slice(
                    text,
                    crate::text::TextRange::new(
                        call.range.start as usize,
                        call.name_range.start as usize,
                    ),
                )
                .trim_end_matches(['.', '?'])
                .to_string()
            } else {
                end
            };
            let what = if last(call) == "accept" {
                "accept()"
            } else {
                "addEventListener(\"message\")"
            };
            out.report(
                context.file,
                call.name_range,
                format!(
                    "`{end}.{what}` uses the standard WebSocket API, so `{name}` stays in memory (and billed) for as long as the socket is open; use `this.ctx.acceptWebSocket({end})` and `webSocketMessage`/`webSocketClose` handlers so it can hibernate"
                ),
            );
        }
    }
}
