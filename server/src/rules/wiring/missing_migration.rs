//! `missing-migration`: a bound class that no migration creates.

use std::collections::HashSet;

use super::support::{env_replays, find_declaration, local_do_bindings, EnvReplay};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::config_edit::{self, NewMigration, Section};
use crate::fix::{Fix, Safety, SourceChange};
use crate::model::Workspace;

pub static RULE: Rule = Rule {
    id: "missing-migration",
    severity: Severity::Error,
    summary: "A locally bound Durable Object class is created by no migration and has no live `exports` entry.",
    docs: r#"
## What it finds
A Durable Object binding without `script_name` whose class no migration
creates: it is in no `new_sqlite_classes`/`new_classes` list, is not the
target of a rename or transfer, and has no live entry in the declarative
`exports` map. Environments that inherit the top-level migrations are
checked against them, and reported once with the top level. A class that a
failing rename or transfer was meant to produce, a `class_name` that names
nothing in the code, and any class of a config with syntax errors are left
to `migration-conflict`, `unknown-class` and `config-syntax`.
Configs in test folders (`tests/`, `e2e/`, ...) are harnesses for
vitest-pool-workers that are never deployed, and are skipped.

## Why it matters
wrangler only warns, but the deploy is refused ("Cannot create binding for
class ... not currently configured to implement Durable Objects", code
10061). In local dev the class silently runs on the legacy KV backend, so
SQL calls fail there too.

## Example
```toml
[[durable_objects.bindings]]
name = "ROOM"
class_name = "ChatRoom"
# no [[migrations]] creates ChatRoom
```

## How to fix
Append a migration that creates the class on the SQLite backend:
```toml
[[migrations]]
tag = "v2"
new_sqlite_classes = ["ChatRoom"]
```
The quick fix appends exactly that to the migration list the binding's
environment uses (the top level unless the env has its own list), with the
next tag in the scheme the file already follows (`v3` after `v2`, today's
date after dates); for a Worker that uses the declarative `exports` map it
adds `ChatRoom = { type = "durable-object", storage = "sqlite" }` instead.
It is marked unsafe because it decides the storage backend.
"#,
    prevents: &[
        "Cannot create binding for class that is not currently configured to implement Durable Objects [code: 10061]",
        "you have configured durable_objects exported by this Worker, but no live exports entry for them",
        "but no migrations for them",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    // Test harness configs (vitest-pool-workers) are never deployed and often
    // bind facet classes on purpose without a migration.
    for worker in ws.checked_workers().filter(|w| !w.is_test_harness) {
        // A config that could not be read completely may have lost migrations;
        // `config-syntax` reports the cause.
        if !ws.configs[worker.config_index].problems.is_empty() {
            continue;
        }
        let histories = env_replays(worker);
        // Envs that inherit the top-level history share its finding.
        let mut reported: HashSet<(usize, &str)> = HashSet::new();
        for binding in local_do_bindings(worker) {
            let history = &histories[binding.env_index];
            let class_name = &binding.class_name.value;
            if history.replay.live.contains_key(class_name)
                || history.replay.deleted.contains_key(class_name)
            {
                continue; // a deleted class still bound is `migration-conflict`'s finding
            }
            // The target of a rename or transfer that failed to apply:
            // `migration-conflict` reports the failing step, and adding
            // `new_sqlite_classes` here would lose the old class's data.
            let is_move_target = history.env.migrations.iter().any(|m| {
                m.renamed_classes
                    .iter()
                    .filter_map(|r| r.to.as_ref())
                    .any(|to| &to.value == class_name)
                    || m.transferred_classes
                        .iter()
                        .filter_map(|t| t.to.as_ref())
                        .any(|to| &to.value == class_name)
            });
            if is_move_target {
                continue;
            }
            // A `class_name` that names nothing in the code is a typo that
            // `unknown-class` reports; creating that class would be wrong advice.
            if worker.main_of(binding.env_index).is_some()
                && find_declaration(ws, worker, class_name).is_none()
            {
                continue;
            }
            let history_owner = if history.owns_history {
                binding.env_index
            } else {
                0
            };
            if !reported.insert((history_owner, class_name.as_str())) {
                continue;
            }
            let how = if history.declarative {
                format!("add a live `exports` entry for `{class_name}`")
            } else {
                format!("add a migration with `new_sqlite_classes = [\"{class_name}\"]`")
            };
            let diagnostic = out.report(
                worker.config,
                binding.class_name.range,
                format!("no migration creates Durable Object class `{class_name}`; the deploy is refused until one does ({how})"),
            );
            if let Some(fix) = create_class_fix(ws, worker, history, class_name) {
                diagnostic.add_fix(fix);
            }
        }
    }
}

/// Appends a migration creating `class` on SQLite to the list the env's
/// history comes from (or adds a live `exports` entry for declarative
/// Workers), in the file that holds that list.
fn create_class_fix(
    ws: &Workspace,
    worker: &crate::model::Worker,
    history: &EnvReplay,
    class: &str,
) -> Option<Fix> {
    let config = ws.configs.iter().find(|c| c.file == worker.config)?;
    let text = ws.files.text(worker.config);
    let section = match (&history.env.env, history.owns_history) {
        (Some(env), true) => Section::Env(&env.value),
        _ => Section::Top,
    };
    if history.declarative {
        let edits = config_edit::add_sqlite_export(text, config.format, section, class)?;
        let mut change = SourceChange::default();
        change.extend(worker.config, edits);
        return Some(Fix::new(
            format!("Add a live `exports` entry for `{class}` on SQLite"),
            Safety::Unsafe,
            change,
        ));
    }
    let tags = history
        .env
        .migrations
        .iter()
        .filter_map(|m| m.tag.as_ref().map(|t| t.value.as_str()));
    let migration = NewMigration {
        tag: config_edit::next_tag(tags),
        new_sqlite_classes: vec![class.to_string()],
        ..Default::default()
    };
    let edits = config_edit::append_migration(text, config.format, section, &migration)?;
    let mut change = SourceChange::default();
    change.extend(worker.config, edits);
    Some(Fix::new(
        format!(
            "Add migration `{}` creating `{class}` on SQLite",
            migration.tag
        ),
        Safety::Unsafe,
        change,
    ))
}
