//! `internal-error`: dols itself failed on a file or a rule.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "internal-error",
    severity: Severity::Error,
    summary: "dols hit a bug while analysing a file or running a rule.",
    docs: r#"
## What it finds
A failure inside dols: indexing a file or running a rule panicked. The file
or rule is skipped and everything else is still checked.

## Why it matters
It is a bug in dols, not in your project. Results for the affected file may
be incomplete.

## Example
```
src/huge.ts:1:1 error[internal-error] dols failed while indexing this file ...
```

## How to fix
Please report it with the message and, if you can, the file that triggers it.
Disable the rule in `dols.toml` to silence it meanwhile.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, message) in ws.index_failures() {
        out.report(
            *file,
            TextRange::empty(0),
            format!("dols failed while indexing this file and skipped it: {message}. Please report this."),
        );
    }
}
