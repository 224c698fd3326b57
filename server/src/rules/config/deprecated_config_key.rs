//! `deprecated-config-key`: a config key wrangler's schema marks deprecated.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::schema_check::SchemaFindingKind;
use crate::diagnostic::Severity;
use crate::rules::support::schema_findings;

pub static RULE: Rule = Rule {
    id: "deprecated-config-key",
    severity: Severity::Warning,
    summary: "A wrangler config key that wrangler's schema marks deprecated.",
    docs: r#"
## What it finds
Keys that wrangler's configuration schema marks as deprecated, with the
schema's own advice when it gives one (for example `site.entry-point`, a
holdover from wrangler 1, or `pipelines[].pipeline`, replaced by
`stream`), and the legacy keys wrangler still reads although its schema
no longer lists them: `node_compat` (refused by wrangler 4), and
`instances`, `durable_objects`, `wrangler_ssh` and `configuration` inside
a `containers` entry.

## Why it matters
Deprecated keys keep working for a while, then are removed in a later
wrangler; the replacement usually behaves better already.

## Example
```toml
[site]
bucket = "./public"
entry-point = "workers-site"   # deprecated: use the top-level `main`
```

## How to fix
Follow the advice in the message; hover the key for the schema's full
description.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, finding) in schema_findings(ws, SchemaFindingKind::DeprecatedKey) {
        out.report(file, finding.range, finding.message.clone());
    }
}
