//! `rpc-on-legacy-class`: RPC through a stub that cannot do RPC.

use super::stubs::{class_names, rpc_verdict, stub_calls, RpcVerdict};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "rpc-on-legacy-class",
    severity: Severity::Error,
    summary: "An RPC method called on a stub whose class does not extend `DurableObject`, or from a Worker whose compatibility date predates RPC.",
    docs: r#"
## What it finds
Method calls other than `fetch` and `connect` on a Durable Object stub when
- the bound class has the old shape (a plain class with
  `constructor(state, env)` and `fetch`, not extending `DurableObject`
  from `cloudflare:workers`, directly or through workspace base classes), or
- every environment of the calling Worker has a `compatibility_date`
  before 2024-04-03 without the `rpc` flag (or sets `no_rpc`).

When this rule applies, `rpc-unknown-method` does not report the same call.

## Why it matters
Only classes declared with `extends DurableObject` receive RPC calls; the
runtime rejects the call with "does not support RPC". With an older
compatibility date the stub has no RPC methods at all, so the call fails
with "... is not a function".

## Example
```ts
export class Counter {
  constructor(state: DurableObjectState, env: Env) {}
  async fetch(req: Request) { return new Response("ok"); }
  async increment() { /* ... */ }
}

await env.COUNTER.getByName("a").increment(); // the class cannot receive RPC
```

## How to fix
Declare the class with `import { DurableObject } from "cloudflare:workers"`
and `class Counter extends DurableObject`, calling `super(ctx, env)` in the
constructor; or keep talking to it through `stub.fetch()`. For the
compatibility date, move it to 2024-04-03 or later, or add the `rpc`
compatibility flag.
"#,
    prevents: &[
        "The receiving Durable Object does not support RPC, because its class was not declared with extends DurableObject",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for call in stub_calls(ws) {
        match rpc_verdict(ws, &call) {
            RpcVerdict::LegacyClass(classes) => {
                let diagnostic = out.report(
                    call.file,
                    call.call.name_range,
                    format!(
                        "{} does not extend `DurableObject`, so it cannot receive RPC calls such as `{}()`; extend `DurableObject` from `cloudflare:workers` or use `fetch()`",
                        class_names(&classes),
                        call.method
                    ),
                );
                for (file, class) in &classes {
                    let range = class.name.as_ref().map_or(class.range, |n| n.range);
                    diagnostic.with_related_mut(
                        *file,
                        range,
                        "declared without `extends DurableObject`",
                    );
                }
            }
            RpcVerdict::RpcDisabled => {
                let diagnostic = out.report(
                    call.file,
                    call.call.name_range,
                    format!(
                        "RPC is not enabled for this Worker (compatibility date before 2024-04-03 without the `rpc` flag, or `no_rpc`), so the stub has no method `{}`",
                        call.method
                    ),
                );
                if let Some(env) = call.caller_envs.first() {
                    if let Some(date) = &env.compatibility_date {
                        diagnostic.with_related_mut(
                            env.file,
                            date.range,
                            "compatibility date set here",
                        );
                    }
                }
            }
            _ => {}
        }
    }
}
