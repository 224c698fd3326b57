//! `migration-conflict`: a migration step that cannot apply, found by
//! replaying the history like the runtime does.

use super::support::{env_replays, local_do_bindings, nearest};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::model::migrations::ReplayErrorKind;

pub static RULE: Rule = Rule {
    id: "migration-conflict",
    severity: Severity::Error,
    summary: "A migration step cannot apply: it creates, renames, deletes or transfers a class in the wrong state.",
    docs: r#"
## What it finds
dols replays the `migrations` list in order, for the top level and for every
environment with its own list, and reports the first step each class cannot
take:

- creating a class that already exists;
- renaming or deleting a class that does not exist;
- renaming or transferring onto a class that already exists;
- a binding to a class that a migration deleted.

Creating a KV-backed class again as SQLite has its own rule,
`kv-to-sqlite-conversion`.

## Why it matters
The deploy fails ("Cannot apply deleted_classes migration to non-existent
class X"), or, for a deleted class that is still bound, every request
through the binding fails. Deleting a class also destroys all its data.

## Example
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Countr", to = "Tally" }]   # no class Countr
```

## How to fix
Fix the class name in the failing step. If the step was already deployed,
leave it and add a new migration instead; deployed migrations must not
change.
"#,
    prevents: &[
        "Cannot apply deleted_classes migration to non-existent class",
        "Cannot apply renamed_classes migration to non-existent class",
        "Cannot apply new_classes migration to existing class",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        let histories = env_replays(worker);
        for history in &histories {
            if !history.owns_history {
                continue;
            }
            // Every class the history ever creates: candidates for a typo.
            let created: Vec<&str> = history
                .env
                .migrations
                .iter()
                .flat_map(|m| {
                    m.new_classes
                        .iter()
                        .chain(&m.new_sqlite_classes)
                        .chain(m.renamed_classes.iter().filter_map(|r| r.to.as_ref()))
                        .chain(m.transferred_classes.iter().filter_map(|t| t.to.as_ref()))
                })
                .map(|c| c.value.as_str())
                .collect();
            let did_you_mean = |class: &str| {
                nearest(class, created.iter().copied())
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"))
            };
            for error in &history.replay.errors {
                let class = &error.class;
                let (message, earlier_note) = match error.kind {
                    ReplayErrorKind::KvToSqlite => continue,
                    ReplayErrorKind::CreateExisting => (
                        format!("class `{class}` already exists when this migration runs; creating it again fails the deploy"),
                        "created here",
                    ),
                    ReplayErrorKind::RenameMissing => (
                        format!("cannot rename `{class}`: no class of that name exists when this migration runs{}", did_you_mean(class)),
                        "",
                    ),
                    ReplayErrorKind::RenameOntoExisting => (
                        format!("cannot rename onto `{class}`: a class of that name already exists"),
                        "created here",
                    ),
                    ReplayErrorKind::DeleteMissing => (
                        format!("cannot delete `{class}`: no class of that name exists when this migration runs{}", did_you_mean(class)),
                        "",
                    ),
                    ReplayErrorKind::TransferOntoExisting => (
                        format!("cannot transfer into `{class}`: a class of that name already exists in this Worker"),
                        "created here",
                    ),
                };
                let diagnostic = out.report(worker.config, error.range, message);
                if let Some(earlier) = error.earlier {
                    diagnostic.with_related_mut(worker.config, earlier, earlier_note);
                }
            }
        }
        for binding in local_do_bindings(worker) {
            let replay = &histories[binding.env_index].replay;
            let class_name = &binding.class_name.value;
            if replay.live.contains_key(class_name) {
                continue;
            }
            if let Some(&deleted_at) = replay.deleted.get(class_name) {
                out.report(
                    worker.config,
                    binding.class_name.range,
                    format!("class `{class_name}` is deleted by a migration but still bound here; remove the binding (and the class) or stop deleting it"),
                )
                .with_related_mut(worker.config, deleted_at, "deleted here");
            }
        }
    }
}
