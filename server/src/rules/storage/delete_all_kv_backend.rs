//! `delete-all-kv-backend`: `deleteAll()` in a class on the KV backend.

use super::storage_support::is_storage_call;
use super::support::{calls_in_class, durable_object_classes, env_replays};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::model::Backend;

pub static RULE: Rule = Rule {
    id: "delete-all-kv-backend",
    severity: Severity::Warning,
    summary: "`storage.deleteAll()` in a class on the KV backend, where it can fail part-way.",
    docs: r#"
## What it finds
Calls of `storage.deleteAll()` inside a Durable Object class whose
migrations create it on the KV backend (`new_classes`, or `exports` with
`storage = "legacy-kv"`).

## Why it matters
On the SQLite backend `deleteAll()` is atomic. On the KV backend it deletes
in batches and can fail part-way, leaving some keys behind; code that
assumes the object is empty afterwards (to reset it, or to stop paying for
its storage) then works on half-deleted data.

## Example
```ts
// wrangler.toml: new_classes = ["Session"]
export class Session extends DurableObject {
  async logout() {
    await this.ctx.storage.deleteAll();
  }
}
```

## How to fix
Be ready for a partial delete: retry `deleteAll()` until `list()` comes
back empty, or delete known keys in batches of at most 128 with
`delete([...])` and check the result. New classes should be created with
`new_sqlite_classes`, where `deleteAll()` is atomic.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for class in durable_object_classes(ws) {
        if class.backend != Some(Backend::Kv) {
            continue;
        }
        let Some(name) = class.class.name.as_ref().map(|n| n.value.as_str()) else {
            continue;
        };
        let created = class.workers.iter().find_map(|w| {
            env_replays(w).into_iter().find_map(|h| {
                h.replay
                    .live
                    .get(name)
                    .map(|live| (w.config, live.created_at))
            })
        });
        for call in calls_in_class(ws, class.file, name).filter(|c| is_storage_call(c, "deleteAll"))
        {
            let diagnostic = out.report(
                class.file,
                call.name_range,
                format!("`{name}` is on the KV backend, where `deleteAll()` is not atomic: it can fail part-way and leave keys behind"),
            );
            if let Some((config, range)) = created {
                diagnostic.with_related_mut(config, range, "created on the KV backend here");
            }
        }
    }
}
