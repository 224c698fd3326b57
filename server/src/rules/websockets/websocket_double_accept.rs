//! `websocket-double-accept`: the same socket passed to `accept()` and to
//! `ctx.acceptWebSocket()` on one path.

use super::lifecycle_support::{last, slice};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::index::{ArgValue, CallSite};
use crate::model::Workspace;

pub static RULE: Rule = Rule {
    id: "websocket-double-accept",
    severity: Severity::Error,
    summary: "The same WebSocket is passed to both `accept()` and `ctx.acceptWebSocket()`; the second call throws.",
    docs: r#"
## What it finds
A WebSocket on which a function calls `ws.accept()` and that it also passes
to `ctx.acceptWebSocket(ws)`, one after the other on the same path (not in
separate `if`/`else` branches or after a `return`).

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

fn check(ws: &Workspace, out: &mut Reporter) {
    for (index, summary) in ws.summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        let file = FileId(index as u32);
        let text = ws.files.text(file);
        for hibernate in summary
            .calls
            .iter()
            .filter(|c| last(c) == "acceptWebSocket")
        {
            let Some(ArgValue::Identifier(socket)) = hibernate.args.first().map(|a| &a.value)
            else {
                continue;
            };
            let Some(plain) = summary.calls.iter().find(|c| {
                last(c) == "accept"
                    && c.args.is_empty()
                    && c.callee.len() == 2
                    && c.callee[0] == *socket
                    && c.scope.function == hibernate.scope.function
                    && same_path(text, c, hibernate)
            }) else {
                continue;
            };
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

/// Both calls run one after the other: between them the text leaves no
/// block that the first call is in, and holds no `else`, `case`, `return`,
/// `throw`, `break` or `continue`.
fn same_path(text: &str, a: &CallSite, b: &CallSite) -> bool {
    let (first, second) = if a.range.start < b.range.start {
        (a, b)
    } else {
        (b, a)
    };
    if first.range.end > second.range.start {
        return false;
    }
    let between = slice(
        text,
        crate::text::TextRange::new(first.range.end as usize, second.range.start as usize),
    );
    let mut depth = 0i32;
    for c in between.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    let words = between
        .split(|c: char| !c.is_alphanumeric() && c != '_' && c != '$')
        .collect::<Vec<_>>();
    depth == 0
        && !words.iter().any(|w| {
            matches!(
                *w,
                "else" | "case" | "default" | "return" | "throw" | "break" | "continue"
            )
        })
}
