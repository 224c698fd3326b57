//! `invalid-config-value`: a config value wrangler's schema refuses.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::schema_check::SchemaFindingKind;
use crate::diagnostic::Severity;
use crate::rules::support::schema_findings;

pub static RULE: Rule = Rule {
    id: "invalid-config-value",
    severity: Severity::Error,
    summary: "A wrangler config value of the wrong type, outside the allowed values, or missing a required key.",
    docs: r#"
## What it finds
Values wrangler's configuration schema does not accept, in every
environment: a value of the wrong type (`workers_dev = "yes"`,
`keep_vars = 3`), a string outside the allowed set (`placement.mode =
"always"`), an object missing a key it requires, a string that does not
match the pattern the schema gives, and values no alternative of a
`routes`-like key accepts. Values `config-syntax` already reports (the
Durable Object keys dols reads itself) are not reported twice.

## Why it matters
wrangler refuses to start with most of these, but only checks the
environment of the command being run; a mistake in `[env.production]`
waits for the production deploy. Others are accepted and then behave
unexpectedly.

## Example
```toml
workers_dev = "yes"   # a string; wrangler expects true or false
```

## How to fix
Write the value with the type the message names; hover the key for the
schema's description.
"#,
    prevents: &["Expected \"workers_dev\" to be of type boolean"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, finding) in schema_findings(ws, SchemaFindingKind::InvalidValue) {
        out.report(file, finding.range, finding.message.clone());
    }
}
