//! `unknown-config-key`: a key wrangler's schema does not know at that
//! place, usually a typo.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::schema_check::SchemaFindingKind;
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::{config_edit, Fix, Safety, SourceChange};
use crate::rules::support::schema_findings;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "unknown-config-key",
    severity: Severity::Warning,
    summary: "A wrangler config key that wrangler does not know (often a typo).",
    docs: r#"
## What it finds
Keys that wrangler's configuration schema does not define where they are
written: at the top level, inside `[env.NAME]`, and inside every nested
table or object (a Durable Object binding, a migration, a route, ...). The
schema is the one of the project's own wrangler
(`node_modules/wrangler/config-schema.json`) when it is installed, else the
copy bundled with dols. When a known key is close, the message names it and
a quick fix renames the key.

Keys only the top level may hold, written inside an environment, are
reported by `top-level-only-key` instead.

## Why it matters
wrangler only warns about unexpected fields, and only for the environment a
command runs with, then ignores them. A misspelt `compatibility_date`,
`class_name` or `new_sqlite_classes` silently takes no effect: the Worker
runs with another date, the binding has no class, the class is created on
the wrong backend.

## Example
```toml
name = "chat"
compatability_date = "2025-04-01"   # never read: wrangler uses no date
```

## How to fix
Correct the key's spelling (the quick fix renames it to the suggested key),
or delete it.
"#,
    prevents: &["Unexpected fields found in top-level field"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, finding) in schema_findings(ws, SchemaFindingKind::UnknownKey) {
        let fix = finding
            .suggestion
            .as_deref()
            .and_then(|known| rename(ws, file, finding.range, known));
        let diagnostic = out.report(file, finding.range, finding.message.clone());
        if let Some(fix) = fix {
            diagnostic.add_fix(fix);
        }
    }
}

/// Renames the key to `known`, if the result reads as intended (see
/// `config_edit::rename_key`). Unsafe: the key starts taking effect.
fn rename(ws: &RuleCtx, file: FileId, key: TextRange, known: &str) -> Option<Fix> {
    let format = ws.configs.iter().find(|c| c.file == file)?.format;
    let edit = config_edit::rename_key(ws.files.text(file), format, key, known)?;
    Some(Fix::new(
        format!("Rename to `{known}`"),
        Safety::Unsafe,
        SourceChange::single(file, edit),
    ))
}
