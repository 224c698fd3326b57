//! `outgoing-websocket`: a Durable Object opens a WebSocket to somewhere
//! else.

use super::lifecycle_support::{class_calls, class_name, last};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::index::{ArgValue, CallSite};

pub static RULE: Rule = Rule {
    id: "outgoing-websocket",
    severity: Severity::Info,
    summary: "A Durable Object opens an outgoing WebSocket (`new WebSocket(url)` or `fetch` with `Upgrade: websocket`); it cannot hibernate while connected.",
    docs: r#"
## What it finds
Inside a Durable Object class, `new WebSocket(url)`, or a `fetch(...)`
call whose own options set the header `Upgrade: websocket`.

## Why it matters
Only sockets that clients open to the object, attached with
`ctx.acceptWebSocket`, can hibernate. A socket the object opens itself
keeps it in memory, and billed, for as long as the connection stays up.
This is often what you want (a bridge to an upstream feed), so this is a
note rather than a warning.

## Example
```ts
async connectUpstream() {
  this.upstream = new WebSocket("wss://feed.example.com/stream");
}
```

## How to fix
Nothing to fix when the connection is needed. Otherwise poll from an
`alarm()` handler, or have the upstream push to the object over HTTP, so it
can sleep between updates. Close the socket when the last client leaves.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

/// `{ headers: { Upgrade: "websocket" } }` in a call's arguments.
fn upgrade_header(call: &CallSite) -> bool {
    call.args.iter().any(|arg| match &arg.value {
        ArgValue::Object(props) => props.iter().any(|(key, value)| {
            key == "headers"
                && matches!(&value.value, ArgValue::Object(headers) if headers.iter().any(|(k, v)| {
                    k.eq_ignore_ascii_case("upgrade")
                        && matches!(&v.value, ArgValue::String { value, .. } if value.eq_ignore_ascii_case("websocket"))
                }))
        }),
        _ => false,
    })
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let name = class_name(&context);
        for call in class_calls(ws, &context) {
            let constructed = call.is_new
                && call.callee.len() == 1
                && last(call) == "WebSocket"
                && !call.args.is_empty();
            let upgraded = !call.is_new && last(call) == "fetch" && upgrade_header(call);
            if !constructed && !upgraded {
                continue;
            }
            let how = if constructed {
                "`new WebSocket(...)` opens an outgoing socket".to_string()
            } else {
                "this `fetch` upgrades to an outgoing WebSocket".to_string()
            };
            out.report(
                context.file,
                call.name_range,
                format!(
                    "{how}; `{name}` cannot hibernate while it is connected, and is billed for that time"
                ),
            );
        }
    }
}
