//! `duplicate-migration-tag`: two migrations with the same tag.

use std::collections::HashMap;

use super::support::env_replays;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "duplicate-migration-tag",
    severity: Severity::Error,
    summary: "Two migrations in one list share a tag.",
    docs: r#"
## What it finds
Two entries of one `migrations` list with the same `tag`.

## Why it matters
Tags are how Cloudflare records which migrations a Worker has already
applied: it applies every migration after the last deployed tag. A repeated
tag makes that position ambiguous, so a migration can be skipped or the
deploy refused. wrangler does not check for this.

## Example
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v1"          # should be v2
new_sqlite_classes = ["ChatRoom"]
```

## How to fix
Give the later migration a new, unique tag. Never change a tag that has
already been deployed.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for history in env_replays(worker) {
            if !history.owns_history {
                continue;
            }
            let mut seen = HashMap::new();
            for migration in &history.env.migrations {
                let Some(tag) = &migration.tag else { continue };
                match seen.get(tag.value.as_str()) {
                    None => {
                        seen.insert(tag.value.as_str(), tag.range);
                    }
                    Some(&earlier) => {
                        out.report(
                            worker.config,
                            tag.range,
                            format!("migration tag `{}` is used twice", tag.value),
                        )
                        .with_related_mut(
                            worker.config,
                            earlier,
                            "first used here",
                        );
                    }
                }
            }
        }
    }
}
