//! `websocket-handler-unused`: hibernation handlers without
//! `acceptWebSocket`, or `acceptWebSocket` without a `webSocketMessage`.

use super::lifecycle_support::{
    base_or_library_may_accept, class_calls, class_name, last, WEBSOCKET_HANDLERS,
};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::model::Workspace;
use crate::semantic::{Evaluator, Expr, Value};

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

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        if base_or_library_may_accept(ws, &context) {
            continue;
        }
        let name = class_name(&context);
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
            if handlers.is_empty() {
                continue;
            }
            // `acceptWebSocket` reached another way (`const a =
            // this.ctx.acceptWebSocket`), or `ctx` handed to a helper.
            let facts = ClassFacts::of(ws, &context);
            if facts.mentions_accept || facts.hands_state_on || helper_accepts(ws, &context) {
                continue;
            }
            // A handler the class calls itself (`this.webSocketMessage(..)`
            // from a listener) is not dead.
            let dead: Vec<_> = handlers
                .iter()
                .filter(|m| !facts.self_called.contains(&m.name.value))
                .collect();
            let Some(first) = dead.first() else {
                continue;
            };
            let names: Vec<String> = dead.iter().map(|m| format!("`{}`", m.name.value)).collect();
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

/// What the class's own code does with its state and handlers, from the
/// semantic model.
struct ClassFacts {
    /// Some expression of the class reads `acceptWebSocket` (called or not:
    /// `const accept = this.ctx.acceptWebSocket.bind(this.ctx)`).
    mentions_accept: bool,
    /// The class passes its state (`ctx`/`state`) to a function or a
    /// constructor: that code may attach sockets for it.
    hands_state_on: bool,
    /// Handler names the class calls on itself (`this.webSocketMessage()`).
    self_called: Vec<String>,
}

impl ClassFacts {
    fn of(ws: &Workspace, context: &super::support::ClassContext) -> ClassFacts {
        let mut facts = ClassFacts {
            mentions_accept: false,
            hands_state_on: false,
            self_called: Vec::new(),
        };
        let Some(summary) = ws.summary(context.file) else {
            return facts;
        };
        let sem = &summary.semantic;
        let Some(class) = sem
            .classes
            .iter()
            .position(|c| c.range == context.class.range)
        else {
            // Unsure: say the class may accept.
            facts.mentions_accept = true;
            return facts;
        };
        let class = class as u32;
        let eval = Evaluator::new(ws);
        facts.mentions_accept = sem.exprs.iter().any(|e| {
            matches!(e, Expr::Member(object, key) if &**key == "acceptWebSocket" && sem.root_class(*object) == Some(class))
        });
        for call in &sem.calls {
            if sem.class_at(call.range.start) != Some(class) {
                continue;
            }
            if call
                .args
                .iter()
                .any(|&arg| eval.value(context.file, arg) == Value::State)
            {
                facts.hands_state_on = true;
            }
            if matches!(eval.receiver(context.file, call), Value::Instance(_, c) if c == class) {
                facts.self_called.push(call.name.to_string());
            }
        }
        facts
    }
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
