//! `block-concurrency-fetch`: network I/O inside `blockConcurrencyWhile`.

use super::lifecycle_support::{capitalize, NetworkIo};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "block-concurrency-fetch",
    severity: Severity::Warning,
    summary: "`blockConcurrencyWhile` wraps network I/O (`fetch`, stub calls): every other event waits, and a slow reply resets the object.",
    docs: r#"
## What it finds
A `fetch(...)`, a `fetch` on a service binding, or a call on another
Durable Object's stub written inside the callback passed to
`ctx.blockConcurrencyWhile(...)` in a Durable Object class.

## Why it matters
`blockConcurrencyWhile` holds back every other request, message and alarm
of the object until the callback settles, and it gives up after 30 seconds
by resetting the object. Local storage reads finish in microseconds;
network calls take as long as the other side needs, so a slow or hanging
server stalls the object for everyone and can reset it in a loop.

## Example
```ts
constructor(ctx: DurableObjectState, env: Env) {
  super(ctx, env);
  ctx.blockConcurrencyWhile(async () => {
    this.rates = await (await fetch("https://rates.example.com")).json();
  });
}
```

## How to fix
Keep only local storage work in `blockConcurrencyWhile` (schema setup,
loading state). Fetch remote data outside it: lazily on first use, cached in
storage, or refreshed from an alarm, with a timeout.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let Some(io) = NetworkIo::new(ws, &context) else {
            continue;
        };
        for (block, body) in io.block_concurrency_bodies() {
            // One finding per callback: the first I/O call in it.
            let Some((call, what)) = io
                .calls_in(body)
                .find_map(|c| io.of(c).map(|what| (c, what)))
            else {
                continue;
            };
            out.report(
                context.file,
                call.name_range,
                format!(
                    "{} inside `blockConcurrencyWhile`: every other event of the object waits for the network, and after 30 s the object is reset",
                    capitalize(what)
                ),
            )
            .with_related_mut(context.file, block, "concurrency is blocked here");
        }
    }
}
