//! `unused-suppression`: a `dols-ignore` comment that silences nothing.

use super::suppression::Comment;
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Hint,
    summary: "A `dols-ignore` comment that no longer silences anything.",
    docs: r#"
## What it finds
A `dols-ignore-next-line`, `dols-ignore-file` or `dols-ignore` comment
(in a source or a wrangler config) whose rules report nothing on the line
or file it covers.

## Why it matters
Stale suppressions hide the next real problem on that line and make readers
wonder what was wrong. Removing them keeps the remaining ones meaningful.

## Example
```ts
// dols-ignore-next-line sql-on-kv-backend: the class moved to SQLite long ago
const rows = this.ctx.storage.sql.exec("SELECT 1");
```

## How to fix
Delete the comment, or correct the rule id if it has a typo (`dols rules`
lists the ids).
"#,
    prevents: &[],
    check: Check::UnusedSuppressions(check),
};

fn check(unused: &[Comment], out: &mut Reporter) {
    for comment in unused {
        let list = comment
            .rules
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = if comment.rules.is_empty() {
            "this suppression names no rule, so it silences nothing".to_string()
        } else if let Some(unknown) = comment.rules.iter().find(|r| super::by_id(r).is_none()) {
            format!("`{unknown}` is not a dols rule; this suppression silences nothing")
        } else {
            format!("nothing to suppress here: {list} reports no problem at this place")
        };
        out.report(comment.file, comment.range, message);
    }
}
