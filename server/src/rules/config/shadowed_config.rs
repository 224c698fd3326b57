//! `shadowed-config`: a config file wrangler ignores because another config
//! in the same folder takes precedence.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "shadowed-config",
    severity: Severity::Info,
    summary: "Several wrangler configs in one folder; wrangler reads only one of them.",
    docs: r#"
## What it finds
A folder holding more than one of `wrangler.json`, `wrangler.jsonc` and
`wrangler.toml`. wrangler looks for them in that order and uses the first it
finds; the others are never read. The note sits on each ignored file.

## Why it matters
Edits to the ignored file have no effect, which is confusing when the two
files drift apart (typically after a migration from TOML to JSONC). dols
analyses the file wrangler would use.

## Example
```
my-worker/
  wrangler.jsonc   <- used
  wrangler.toml    <- ignored
```

## How to fix
Delete the file wrangler ignores, or merge what is still needed into the one
it reads.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (shadowed, winner) in ws.shadowed_configs() {
        let winner_name = ws
            .files
            .path(winner)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let end = ws.files.text(shadowed).lines().next().map_or(0, str::len);
        out.report(
            shadowed,
            TextRange::new(0, end),
            format!("wrangler ignores this file: `{winner_name}` in the same folder takes precedence (json, then jsonc, then toml)"),
        )
        .with_related_mut(winner, TextRange::empty(0), "the config wrangler reads");
    }
}
