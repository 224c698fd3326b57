//! `top-level-only-key`: a key only the top level may hold, written inside
//! an environment.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::schema_check::SchemaFindingKind;
use crate::diagnostic::Severity;
use crate::rules::support::schema_findings;

pub static RULE: Rule = Rule {
    id: "top-level-only-key",
    severity: Severity::Warning,
    summary: "A key that wrangler reads only at the top level is written inside `[env.NAME]`.",
    docs: r#"
## What it finds
Keys wrangler's schema allows at the top level of a config but not inside
an environment, written in `[env.NAME]` (`env.NAME` in JSON): for example
`keep_vars`, `send_metrics`, `dev`, `site`, `alias`, `wasm_modules`,
`text_blobs` and `data_blobs`. The list comes from the schema, so it
follows the wrangler version.

## Why it matters
wrangler ignores these keys inside an environment (it only warns about an
unexpected field when that environment is used), so the setting silently
applies to no environment, or the top-level value applies instead.

## Example
```toml
[env.staging]
keep_vars = true   # ignored here: keep_vars is read at the top level only
```

## How to fix
Move the key to the top level of the config, where it applies to every
environment, or delete it.
"#,
    prevents: &["Unexpected fields found in env"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, finding) in schema_findings(ws, SchemaFindingKind::TopLevelOnlyKey) {
        out.report(file, finding.range, finding.message.clone());
    }
}
