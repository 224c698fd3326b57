//! `config-syntax`: a wrangler config that cannot be read, or a value of the
//! wrong shape.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "config-syntax",
    severity: Severity::Error,
    summary: "A wrangler config has a syntax error or a value of the wrong type.",
    docs: r#"
## What it finds
Syntax errors in `wrangler.toml`, `wrangler.json` and `wrangler.jsonc`, and
values whose type wrangler rejects, such as a `class_name` that is not a
string or a `migrations` key that is not a list. Every error the parser can
recover from is reported, each at its own position.

## Why it matters
wrangler refuses to run any command with a config it cannot read. dols keeps
checking the rest of the workspace, but the Worker described by a broken
config is only partly analysed until the file is fixed. A JSON config whose
only faults are the kind typing leaves behind (a missing comma, an unquoted
or single-quoted key or string) is still read with its plain meaning, so
its bindings, and the findings, completions and hovers built on them, stay
while the error is reported.

## Example
```toml
[[durable_objects.bindings]]
name = "COUNTER"
class_name = Counter   # a bare word is not a TOML value
```

## How to fix
Correct the syntax at the reported position. In TOML, strings need quotes;
in JSON, keys need double quotes (comments and trailing commas are accepted
because wrangler reads `.json` as JSONC).
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for config in ws.checked_configs() {
        for problem in &config.problems {
            out.report(config.file, problem.range, problem.message.clone());
        }
    }
}
