//! `rpc-unknown-method`: a stub call to a method the bound class lacks.

use super::stubs::{class_names, rpc_verdict, stub_calls, RpcVerdict};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::source_edit::rename_at;
use crate::fix::{Fix, Safety, SourceChange};

pub static RULE: Rule = Rule {
    id: "rpc-unknown-method",
    severity: Severity::Error,
    summary: "A method called on a Durable Object stub that the bound class does not define, or a handler name called over RPC.",
    docs: r#"
## What it finds
Calls on a Durable Object stub (`env.ROOM.getByName(name).join()`, or a
variable holding such a stub) whose method is not a public instance method
of the class the binding points at. dols follows `class_name` to the class
the Worker exports, across Workers for bindings with `script_name`, and
includes methods inherited from base classes in the workspace. It also
finds calls to the handler names `alarm`, `webSocketMessage`,
`webSocketClose` and `webSocketError`, which a stub never forwards.

## Why it matters
A stub accepts any method name at compile time when it is loosely typed,
so a typo or a renamed method only shows up when the call runs: the
promise rejects with "The RPC receiver does not implement the method".
Handler names are refused by the runtime even when the class defines
them.

## Example
```ts
export class ChatRoom extends DurableObject {
  async join(user: string) { /* ... */ }
}

export default {
  async fetch(req: Request, env: Env) {
    await env.CHAT_ROOM.getByName("lobby").joinRoom("ada"); // no such method
    await env.CHAT_ROOM.getByName("lobby").alarm();         // handler, not RPC
  },
};
```

## How to fix
Call a method the class defines (dols suggests the closest name), or add
the method to the class. When there is a close name, the quick fix puts it
in place of the called one; it is marked unsafe because the closest name
is a guess, and its parameters may differ. To trigger an alarm or WebSocket handling from
outside, add a public method that does the work, or schedule the alarm
with `ctx.storage.setAlarm`. dols stays silent when the class extends a
library base such as `Agent` or partyserver's `Server`, or a mixin,
because their methods are not visible to it.
"#,
    prevents: &[
        "The RPC receiver does not implement the method",
        "is a reserved method and cannot be called over RPC",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for call in stub_calls(ws) {
        match rpc_verdict(ws, &call) {
            RpcVerdict::Reserved => {
                out.report(
                    call.file,
                    call.call.name_range,
                    format!(
                        "`{}` is a handler the runtime calls itself; a stub refuses to call it over RPC, so this call always rejects",
                        call.method
                    ),
                );
            }
            RpcVerdict::Missing {
                classes,
                static_only,
                suggestion,
            } => {
                let names = class_names(&classes);
                let mut message = if static_only {
                    format!(
                        "`{}` is a static method of {names}; a stub only calls instance methods, so this call rejects at runtime",
                        call.method
                    )
                } else {
                    let bound = match &call.binding {
                        Some(binding) => format!(" (bound to `{binding}`)"),
                        None => String::new(),
                    };
                    format!(
                        "{names}{bound} has no public method `{}`; this call rejects at runtime",
                        call.method
                    )
                };
                if let Some(suggestion) = &suggestion {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
                // Code shared by several Workers: say which ones it was
                // checked for.
                let mut workers: Vec<String> = Vec::new();
                for env in &call.caller_envs {
                    let name = match &env.name {
                        Some(name) => format!("`{}`", name.value),
                        None => format!("`{}`", ws.files.path(env.file).display()),
                    };
                    if !workers.contains(&name) {
                        workers.push(name);
                    }
                }
                if workers.len() > 1 {
                    message.push_str(&format!(
                        " (checked for the Workers {})",
                        workers.join(", ")
                    ));
                }
                let diagnostic = out.report(call.file, call.call.name_range, message);
                let edit = suggestion.as_deref().and_then(|suggestion| {
                    rename_at(
                        ws.files.text(call.file),
                        call.call.name_range,
                        call.method,
                        suggestion,
                    )
                });
                if let (Some(edit), Some(suggestion)) = (edit, &suggestion) {
                    diagnostic.add_fix(Fix::new(
                        format!("Call `{suggestion}` instead of `{}`", call.method),
                        Safety::Unsafe,
                        SourceChange::single(call.file, edit),
                    ));
                }
                for (file, class) in &classes {
                    let range = class.name.as_ref().map_or(class.range, |n| n.range);
                    diagnostic.with_related_mut(*file, range, "class declared here");
                }
            }
            _ => {}
        }
    }
}
