//! `websocket-double-accept`: the same socket passed to `accept()` and to
//! `ctx.acceptWebSocket()` on one path.

use super::lifecycle_support::may_be_state;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::semantic::{Evaluator, Expr, FileSemantics, ScopeKind, SemCall};

pub static RULE: Rule = Rule {
    id: "websocket-double-accept",
    severity: Severity::Error,
    summary: "The same WebSocket is passed to both `accept()` and `ctx.acceptWebSocket()`; the second call throws.",
    docs: r#"
## What it finds
A WebSocket on which a function calls `ws.accept()` and that it also passes
to `ctx.acceptWebSocket(ws)`, one after the other on the same path: the
later call sits in the block of the earlier one or in a block nested in it
(not in another `if`/`else` branch, another `case`, or after the block an
early `return` leaves).

## Why it matters
A socket is accepted either the standard way (`accept()`, events through
`addEventListener`) or the hibernatable way (`acceptWebSocket`, events
through the `webSocketMessage`/`webSocketClose` handlers), never both. The
second call throws, the upgrade request fails, and the client never
connects.

## Example
```ts
const [client, server] = Object.values(new WebSocketPair());
server.accept();
this.ctx.acceptWebSocket(server);
```

## How to fix
Keep only `this.ctx.acceptWebSocket(server)` and handle messages in
`webSocketMessage`/`webSocketClose`, so the object can hibernate between
messages. Remove the `addEventListener` calls that came with `accept()`.
"#,
    prevents: &[
        "Cannot call acceptWebSocket() if the WebSocket was already accepted via accept()",
        "Can't accept() WebSocket after enabling hibernation.",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let eval = Evaluator::new(ws);
    for (file, summary) in ws.source_summaries() {
        let sem = &summary.semantic;
        for hibernate in sem.calls.iter().filter(|c| &*c.name == "acceptWebSocket") {
            // The same declaration, not just the same name.
            let Some(&Expr::Ref(socket)) = hibernate.args.first().map(|&a| sem.expr(a)) else {
                continue;
            };
            let Some(plain) = sem.calls.iter().find(|c| {
                &*c.name == "accept"
                    && c.args.is_empty()
                    && c.receiver
                        .is_some_and(|r| *sem.expr(r) == Expr::Ref(socket))
                    && c.func == hibernate.func
                    && same_path(sem, c, hibernate)
            }) else {
                continue;
            };
            if !may_be_state(&eval.receiver(file, hibernate)) {
                continue;
            }
            let socket = sem.decl(socket).map_or("the socket", |d| &*d.name);
            let (message, related) = if plain.range.start < hibernate.range.start {
                (
                    format!("`{socket}` was already accepted with `{socket}.accept()`, so `acceptWebSocket({socket})` throws; keep only `acceptWebSocket` so the object can hibernate"),
                    "accepted the standard way here",
                )
            } else {
                (
                    format!("`{socket}` is already attached with `acceptWebSocket({socket})`, so this `accept()` throws; remove it and handle events in `webSocketMessage`/`webSocketClose`"),
                    "accepted for hibernation here",
                )
            };
            let (at, other) = if plain.range.start < hibernate.range.start {
                (hibernate, plain)
            } else {
                (plain, hibernate)
            };
            out.report(file, at.name_range, message).with_related_mut(
                file,
                other.name_range,
                related,
            );
        }
    }
}

/// The later call runs whenever the earlier one did: it sits in the same
/// block as the earlier call or in one nested inside it (not in another
/// branch of an `if`, nor after the `if` whose branch the earlier call is
/// in), and the earlier call is not a `case` of a `switch` the later one
/// may not share.
fn same_path(sem: &FileSemantics, a: &SemCall, b: &SemCall) -> bool {
    let (first, second) = if a.range.start < b.range.start {
        (a, b)
    } else {
        (b, a)
    };
    if first.range.end > second.range.start {
        return false;
    }
    let (Some(outer), Some(mut inner)) = (
        sem.scope_at(first.range.start),
        sem.scope_at(second.range.start),
    ) else {
        return false;
    };
    if sem.scopes[outer as usize].kind == ScopeKind::Switch {
        return false;
    }
    loop {
        if inner == outer {
            return true;
        }
        match sem.scopes[inner as usize].parent {
            Some(parent) => inner = parent,
            None => return false,
        }
    }
}
