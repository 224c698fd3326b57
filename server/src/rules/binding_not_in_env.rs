//! `binding-not-in-env`: an `[env.NAME]` section that lacks the top level's
//! Durable Object bindings, which are not inherited.

use std::collections::HashSet;

use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::model::Workspace;

pub static RULE: Rule = Rule {
    id: "binding-not-in-env",
    severity: Severity::Warning,
    summary: "An environment lacks Durable Object bindings that the top level declares (they are not inherited).",
    docs: r#"
## What it finds
An `[env.NAME]` section (or `env.NAME` object) that does not redeclare a
Durable Object binding of the top level while the Worker's code uses that
binding. wrangler does not copy `durable_objects` into environments.

## Why it matters
`wrangler deploy --env NAME` deploys the Worker without the binding, so
`env.COUNTER` is `undefined` in that environment and the first call on it
throws. wrangler only warns about the environment being deployed, and only
when it is deployed.

## Example
```toml
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[env.staging]
vars = { STAGE = "staging" }   # COUNTER is missing here
```

## How to fix
Repeat the binding in the environment:
```toml
[[env.staging.durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
```
"#,
    prevents: &[
        "durable_objects exists at the top level, but not on env. This is not what you probably want, since durable_objects is not inherited by environments",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &Workspace, out: &mut Reporter) {
    for worker in &ws.workers {
        let top = &worker.envs[0];
        if top.do_bindings.is_empty() {
            continue;
        }
        // Only bindings the code reads matter; when no code is visible, all do.
        let used: HashSet<&str> = worker
            .sources
            .iter()
            .filter_map(|&f| ws.summary(f))
            .flat_map(|s| s.env_accesses.iter().map(|a| a.name.value.as_str()))
            .collect();
        let code_visible = worker.main_of(0).is_some();
        for env in &worker.envs[1..] {
            let Some(env_name) = &env.env else { continue };
            let present: HashSet<&str> = env
                .do_bindings
                .iter()
                .filter_map(|b| b.name.as_ref().map(|n| n.value.as_str()))
                .collect();
            let missing: Vec<&str> = top
                .do_bindings
                .iter()
                .filter_map(|b| b.name.as_ref().map(|n| n.value.as_str()))
                .filter(|name| !present.contains(name) && (!code_visible || used.contains(name)))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = missing
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let (noun, pronoun) = if missing.len() == 1 {
                ("binding", "it is")
            } else {
                ("bindings", "they are")
            };
            out.report(
                worker.config,
                env_name.range,
                format!(
                    "environment `{}` lacks the Durable Object {noun} {list} of the top level; {pronoun} not inherited, so `env.{}` is undefined when deployed with `--env {}`",
                    env_name.value, missing[0], env_name.value
                ),
            );
        }
    }
}
