//! `constructor-heavy-work`: network I/O started from a Durable Object
//! constructor.

use super::lifecycle_support::{class_name, NetworkIo};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "constructor-heavy-work",
    severity: Severity::Warning,
    summary: "A Durable Object constructor starts network I/O (`fetch`, stub calls); it runs again on every wake-up.",
    docs: r#"
## What it finds
`fetch(...)`, a `fetch` on a service binding, or a call on another Durable
Object's stub made while a Durable Object constructor runs: directly in the
constructor body or in an async function the constructor invokes on the
spot (`(async () => { ... })()`). I/O inside a `blockConcurrencyWhile`
callback is left to `block-concurrency-fetch`.

## Why it matters
The constructor runs whenever the object is loaded: on its first request,
after every eviction and after every wake from hibernation, so a WebSocket
message that wakes the object pays for the request again. Nothing waits for
I/O started there: the first event can run before it finishes, and its
errors go unhandled.

## Example
```ts
export class Feed extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = fetch("https://config.example.com/feed.json").then((r) => r.json());
  }
}
```

## How to fix
Load remote data lazily on first use and cache it in storage (read it back
with `ctx.storage.get` or SQL, which is local and fast), or refresh it from
an alarm. Keep the constructor to `super(ctx, env)`, field setup and local
storage reads (inside `blockConcurrencyWhile` when handlers depend on them).
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let Some(io) = NetworkIo::new(ws, &context) else {
            continue;
        };
        let Some(constructor) = io.constructor() else {
            continue;
        };
        // Reported by `block-concurrency-fetch`.
        let guarded = io.block_concurrency_bodies();
        for call in io.calls_in(context.class.range) {
            if !io.runs_during(constructor, call)
                || guarded
                    .iter()
                    .any(|(_, body)| body.contains_range(call.range))
            {
                continue;
            }
            let Some(what) = io.of(call) else {
                continue;
            };
            out.report(
                context.file,
                call.name_range,
                format!(
                    "the constructor of `{}` makes {what}; the constructor runs again every time the object is loaded or wakes from hibernation, so load this lazily or from an alarm",
                    class_name(&context)
                ),
            );
        }
    }
}
