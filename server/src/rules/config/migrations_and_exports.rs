//! `migrations-and-exports`: both `migrations` and a Durable Object
//! `exports` map apply to one Worker.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "migrations-and-exports",
    severity: Severity::Error,
    summary: "`migrations` and Durable Object entries in `exports` are both set; they are mutually exclusive.",
    docs: r#"
## What it finds
A Worker (or one of its environments, after inheritance) that has both a
`migrations` list and Durable Object entries in the declarative `exports`
map. Workflow entries in `exports` may coexist with migrations and are not
counted.

## Why it matters
The two describe the same thing in different ways, and wrangler refuses the
config ("migrations and exports are mutually exclusive").

## Example
```jsonc
{
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Counter"] }],
  "exports": { "Counter": { "type": "durable-object", "storage": "sqlite" } }
}
```

## How to fix
Keep one. Moving to `exports` means listing every class the migrations
created (with its storage), and deleted or renamed classes as tombstones;
then remove `migrations`.
"#,
    prevents: &[
        "migrations and exports are mutually exclusive",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for env in &worker.envs {
            let has_do_exports = env.exports.iter().any(|e| e.is_durable_object());
            if env.migrations.is_empty() || !has_do_exports {
                continue;
            }
            let Some(exports_key) = env.exports_key else {
                continue;
            };
            let diagnostic = out.report(
                worker.config,
                exports_key,
                "`exports` declares Durable Object classes while `migrations` is also set; wrangler accepts only one of the two",
            );
            if let Some(migrations_key) = env.migrations_key {
                diagnostic.with_related_mut(
                    worker.config,
                    migrations_key,
                    "`migrations` is set here",
                );
            }
        }
    }
}
