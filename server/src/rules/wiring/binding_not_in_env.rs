//! `binding-not-in-env`: an `[env.NAME]` section that lacks the top level's
//! Durable Object bindings, which are not inherited.

use std::collections::HashSet;

use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::DoBinding;
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::config_edit::{self, NewBinding, Section};
use crate::fix::{Fix, Safety, SourceChange};
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
The quick fix copies the missing bindings into the environment, in the
style the file already uses (a `[[env.NAME.durable_objects.bindings]]`
table, or an entry in the env's `durable_objects.bindings` list).
"#,
    prevents: &[
        "durable_objects exists at the top level, but not on env. This is not what you probably want, since durable_objects is not inherited by environments",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
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
            let copied: Vec<&DoBinding> = top
                .do_bindings
                .iter()
                .filter(|b| {
                    b.name
                        .as_ref()
                        .is_some_and(|n| missing.contains(&n.value.as_str()))
                })
                .collect();
            let fix = copy_bindings_fix(ws, worker.config, &env_name.value, &copied);
            let diagnostic = out.report(
                worker.config,
                env_name.range,
                format!(
                    "environment `{}` lacks the Durable Object {noun} {list} of the top level; {pronoun} not inherited, so `env.{}` is undefined when deployed with `--env {}`",
                    env_name.value, missing[0], env_name.value
                ),
            );
            if let Some(fix) = fix {
                diagnostic.add_fix(fix);
            }
        }
    }
}

/// Copies `bindings` (as written at the top level) into `env.<name>`.
/// Bindings with an `environment` key are left to the user: which
/// environment of the other Worker this env should use is theirs to say.
fn copy_bindings_fix(
    ws: &Workspace,
    config: FileId,
    env: &str,
    bindings: &[&DoBinding],
) -> Option<Fix> {
    let copies = bindings
        .iter()
        .map(|b| {
            if b.environment.is_some() {
                return None;
            }
            Some(NewBinding {
                name: b.name.as_ref()?.value.clone(),
                class_name: b.class_name.as_ref()?.value.clone(),
                script_name: b.script_name.as_ref().map(|s| s.value.clone()),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let format = ws.configs.iter().find(|c| c.file == config)?.format;
    let edits =
        config_edit::add_do_bindings(ws.files.text(config), format, Section::Env(env), &copies)?;
    let mut change = SourceChange::default();
    change.extend(config, edits);
    let noun = if copies.len() == 1 {
        "binding"
    } else {
        "bindings"
    };
    Some(Fix::new(
        format!("Copy the Durable Object {noun} into environment `{env}`"),
        Safety::Safe,
        change,
    ))
}
