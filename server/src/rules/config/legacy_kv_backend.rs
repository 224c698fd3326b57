//! `legacy-kv-backend`: a class created on the legacy key-value backend.

use super::support::env_replays;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::Migration;
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::{config_edit, Fix, Safety, SourceChange};
use crate::model::Workspace;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "legacy-kv-backend",
    severity: Severity::Warning,
    summary: "A Durable Object class is created with `new_classes` (legacy KV backend) instead of `new_sqlite_classes`.",
    docs: r#"
## What it finds
A class created by `new_classes`, or an `exports` entry with
`storage = "legacy-kv"`. When the class is created by an older migration
that has probably been deployed already, the finding is lowered to info:
it can no longer be changed in place.

## Why it matters
`new_classes` selects the legacy key-value backend, which has no SQL API, no
synchronous KV, no point-in-time recovery and stricter limits (2 KiB keys,
128 KiB values). The free plan refuses new KV-backed namespaces, and since
July 2026 so does every account that does not already have one. Most
examples online still show `new_classes`, so it is an easy copy-paste.

## Example
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]
```

## How to fix
If this migration has not been deployed yet, switch the key:
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
```
A deployed KV-backed class cannot be converted; see `kv-to-sqlite-conversion`.

The quick fix (unsafe, because it is wrong for a migration that is already
deployed) renames the key of the latest migration to `new_sqlite_classes`,
or sets `storage = "sqlite"` on an `exports` entry. `dols check --fix
--unsafe-fixes` applies it.
"#,
    prevents: &[
        "In order to use Durable Objects with a free plan, you must create a namespace using a new_sqlite_classes migration [code: 10097]",
        "Creating new key-value backed Durable Object namespaces is no longer supported on this account",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for history in env_replays(worker) {
            if !history.owns_history {
                continue;
            }
            let last = history.env.migrations.len().saturating_sub(1);
            for (index, migration) in history.env.migrations.iter().enumerate() {
                for class in &migration.new_classes {
                    // Classes deleted later no longer matter.
                    if history.replay.deleted.contains_key(&class.value)
                        && !history.replay.live.contains_key(&class.value)
                    {
                        continue;
                    }
                    if index == last {
                        let fix = switch_to_sqlite(ws, worker.config, migration, class.range);
                        let diagnostic = out.report(
                            worker.config,
                            class.range,
                            format!(
                                "`{}` is created on the legacy KV storage backend; use `new_sqlite_classes` for SQL, PITR and current limits (new KV-backed namespaces are refused on the free plan and on accounts without one)",
                                class.value
                            ),
                        );
                        if let Some(fix) = fix {
                            diagnostic.add_fix(fix);
                        }
                    } else {
                        out.report(
                            worker.config,
                            class.range,
                            format!(
                                "`{}` runs on the legacy KV storage backend; this migration is probably deployed, and a deployed class cannot be converted to SQLite",
                                class.value
                            ),
                        )
                        .set_severity(Severity::Info);
                    }
                }
            }
            for entry in history
                .env
                .exports
                .iter()
                .filter(|e| e.is_durable_object() && e.is_live() && !e.is_sqlite())
            {
                let range = entry
                    .storage
                    .as_ref()
                    .map_or(entry.class.range, |s| s.range);
                let diagnostic = out.report(
                    worker.config,
                    range,
                    format!(
                        "`{}` uses the legacy KV storage backend; new KV-backed namespaces are refused on the free plan and on accounts without one; use `storage = \"sqlite\"` for new classes",
                        entry.class.value
                    ),
                );
                if let Some(storage) = &entry.storage {
                    let text = ws.files.text(worker.config);
                    diagnostic.add_fix(Fix::new(
                        format!(
                            "Store `{}` in SQLite (`storage = \"sqlite\"`)",
                            entry.class.value
                        ),
                        Safety::Unsafe,
                        SourceChange::single(
                            worker.config,
                            config_edit::replace_string_content(text, storage.range, "sqlite"),
                        ),
                    ));
                }
            }
        }
    }
}

/// Renames the latest migration's `new_classes` key to `new_sqlite_classes`.
/// Unsafe: if that migration was already deployed, the next deploy is
/// refused (a deployed class cannot change backend). Not offered when the
/// migration already has a `new_sqlite_classes` list to merge into.
pub(crate) fn switch_to_sqlite(
    ws: &Workspace,
    config: FileId,
    migration: &Migration,
    class: TextRange,
) -> Option<Fix> {
    if !migration.new_sqlite_classes.is_empty() {
        return None;
    }
    let text = ws.files.text(config);
    let format = ws.configs.iter().find(|c| c.file == config)?.format;
    let (_, key) = config_edit::key_around(text, format, class.start as usize, &["new_classes"])?;
    Some(Fix::new(
        "Create the classes of this migration on SQLite (`new_sqlite_classes`)",
        Safety::Unsafe,
        SourceChange::single(
            config,
            crate::fix::TextEdit::replace(key, "new_sqlite_classes"),
        ),
    ))
}
