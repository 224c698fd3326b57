//! `floating-promise-in-handler`: network I/O started in a Durable Object
//! method and then forgotten.

use super::lifecycle_support::{capitalize, NetworkIo};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "floating-promise-in-handler",
    severity: Severity::Warning,
    summary: "A `fetch` or stub call in a Durable Object method is neither awaited, returned, stored nor passed to `ctx.waitUntil`.",
    docs: r#"
## What it finds
A statement that is only a `fetch(...)`, a `fetch` on a service binding,
or a call on another Durable Object's stub, inside a method of a Durable
Object class (`fetch`, `alarm`, the WebSocket handlers, RPC methods): its
promise is not awaited, returned, assigned, or handed to
`ctx.waitUntil(...)`. The constructor is left to `constructor-heavy-work`.

## Why it matters
Nothing observes the promise: if the request fails, the error is dropped
(or shows up as an unhandled rejection with no context), and the handler
reports success. The pending I/O also keeps the object from hibernating
until it settles, and work still running when the object is evicted is
cut off.

## Example
```ts
async webSocketMessage(ws: WebSocket, message: string) {
  fetch("https://audit.example.com/log", { method: "POST", body: message });
  ws.send("ok");
}
```

## How to fix
`await` the call when the handler depends on it, or pass it to
`this.ctx.waitUntil(promise)` for background work, with a `.catch(...)`
that logs failures.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let Some(io) = NetworkIo::new(ws, &context) else {
            continue;
        };
        for call in io.calls_in(context.class.range) {
            if !call.floating {
                continue;
            }
            let Some(method) = io.method_around(call) else {
                continue;
            };
            if method == "constructor" {
                continue;
            }
            let Some(what) = io.of(call) else {
                continue;
            };
            out.report(
                context.file,
                call.name_range,
                format!(
                    "{} whose promise is dropped in `{method}`: its errors vanish and the object cannot hibernate until it settles; `await` it or pass it to `this.ctx.waitUntil(...)`",
                    capitalize(what)
                ),
            );
        }
    }
}
