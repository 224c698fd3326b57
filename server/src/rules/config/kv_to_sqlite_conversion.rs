//! `kv-to-sqlite-conversion`: a KV-backed class created again as SQLite.

use super::support::env_replays;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::model::migrations::ReplayErrorKind;

pub static RULE: Rule = Rule {
    id: "kv-to-sqlite-conversion",
    severity: Severity::Error,
    summary:
        "A class created with `new_classes` (KV backend) is listed again in `new_sqlite_classes`.",
    docs: r#"
## What it finds
A class that an earlier migration created with `new_classes` (the legacy
key-value storage backend) and a later migration lists in
`new_sqlite_classes`, as if that switched its backend.

## Why it matters
A deployed KV-backed class cannot be converted to SQLite: the migration
fails with "Cannot apply new_sqlite_classes migration to existing class".
Cloudflare has announced a conversion path but none exists today.

## Example
```toml
[[migrations]]
tag = "v1"
new_classes = ["Counter"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Counter"]   # fails
```

## How to fix
If the KV migration was never deployed, change it to `new_sqlite_classes`
and drop the second entry. Otherwise create a new SQLite-backed class
(`new_sqlite_classes = ["CounterV2"]`), copy the data over in code, and
delete the old class once it is empty.
"#,
    prevents: &["Cannot apply new_sqlite_classes migration to existing class"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for history in env_replays(worker) {
            if !history.owns_history {
                continue;
            }
            for error in history
                .replay
                .errors
                .iter()
                .filter(|e| e.kind == ReplayErrorKind::KvToSqlite)
            {
                let diagnostic = out.report(
                    worker.config,
                    error.range,
                    format!(
                        "`{}` was created on the KV backend by an earlier migration; a deployed class cannot be converted to SQLite, so this migration fails",
                        error.class
                    ),
                );
                if let Some(earlier) = error.earlier {
                    diagnostic.with_related_mut(
                        worker.config,
                        earlier,
                        "created with `new_classes` here",
                    );
                }
            }
        }
    }
}
