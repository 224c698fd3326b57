//! `sql-on-kv-backend`: SQLite-only storage APIs used by a KV-backed class.

use super::config::legacy_kv_backend::switch_to_sqlite;
use super::support::{bound_class, env_replays};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::model::Backend;

pub static RULE: Rule = Rule {
    id: "sql-on-kv-backend",
    severity: Severity::Error,
    summary: "`storage.sql`, `storage.kv` or `transactionSync` used in a class on the KV backend.",
    docs: r#"
## What it finds
Uses of `ctx.storage.sql`, `ctx.storage.kv`, `ctx.storage.transactionSync`
and the point-in-time-recovery methods inside a Durable Object class that
the migrations create with `new_classes` (or `exports` with
`storage = "legacy-kv"`).

## Why it matters
These APIs exist only on the SQLite backend. On a KV-backed object they
throw at runtime ("This Durable Object is not backed by SQLite storage, so
the SQL API is not available"). Local dev may hide it or show a different
message.

## Example
```toml
[[migrations]]
tag = "v1"
new_classes = ["Notes"]
```
```ts
export class Notes extends DurableObject {
  list() { return this.ctx.storage.sql.exec("SELECT * FROM notes").toArray(); }
}
```

## How to fix
If the migration is not deployed yet, create the class with
`new_sqlite_classes`. Otherwise keep to the async KV API (`get`, `put`,
`list`, `delete`) in this class, or move the data to a new SQLite-backed
class.
"#,
    prevents: &[
        "SQL is not enabled for this Durable Object class. To enable it, change new_classes to new_sqlite_classes",
        "This Durable Object is not backed by SQLite storage, so the SQL API is not available",
        "The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects",
        "Durable Object is not backed by SQL",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for history in env_replays(worker) {
            if !history.owns_history {
                continue;
            }
            for (class_name, live) in &history.replay.live {
                if live.backend != Backend::Kv {
                    continue;
                }
                let Some((file, class)) = bound_class(ws, worker, history.env_index, class_name)
                else {
                    continue;
                };
                let Some(declared) = class.name.as_ref().map(|n| n.value.as_str()) else {
                    continue;
                };
                let Some(summary) = ws.summary(file) else {
                    continue;
                };
                // One finding per class: the first use, with the others
                // as related places, and the fix where the user looks.
                let uses: Vec<_> = summary
                    .storage_uses
                    .iter()
                    .filter(|u| u.enclosing_class.as_deref() == Some(declared))
                    .collect();
                let Some(first) = uses.first() else { continue };
                let more = match uses.len() {
                    1 => String::new(),
                    2 => " (and 1 more use in this class)".to_string(),
                    n => format!(" (and {} more uses in this class)", n - 1),
                };
                let diagnostic = out
                    .report(
                        file,
                        first.member.range,
                        format!(
                            "`storage.{}` needs the SQLite backend, but `{class_name}` is created on the KV backend; this call throws at runtime{more}",
                            first.member.value
                        ),
                    )
                    .with_related_mut(worker.config, live.created_at, "created on the KV backend here");
                for other in &uses[1..] {
                    diagnostic.with_related_mut(
                        file,
                        other.member.range,
                        format!("`storage.{}` also needs SQLite", other.member.value),
                    );
                }
                // Still the newest migration: probably not deployed, so the
                // class can be created on SQLite instead.
                let migrations = &history.env.migrations;
                let creating = migrations
                    .iter()
                    .position(|m| m.new_classes.iter().any(|c| c.range == live.created_at));
                if creating.is_some_and(|i| i + 1 == migrations.len()) {
                    let migration = &migrations[creating.expect("checked")];
                    if let Some(fix) =
                        switch_to_sqlite(ws, worker.config, migration, live.created_at)
                    {
                        diagnostic.add_fix(fix);
                    }
                }
            }
        }
    }
}
