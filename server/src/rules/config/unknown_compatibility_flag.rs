//! `unknown-compatibility-flag`: a compatibility flag the Workers runtime
//! does not define.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::knowledge::{compat_flag, compat_flag_names, compat_flags_as_of};
use crate::rules::support::likely_typo_of;

pub static RULE: Rule = Rule {
    id: "unknown-compatibility-flag",
    severity: Severity::Warning,
    summary: "A `compatibility_flags` entry the Workers runtime does not define.",
    docs: r#"
## What it finds
Entries of `compatibility_flags`, at the top level or in any
`[env.NAME]`, that are not among the flags the Workers runtime defines.
The list is workerd's own (`compatibility-date.capnp`), as of the date the
message gives, plus flags announced since that dols knows; the nearest
real flag is suggested when one is close.

## Why it matters
The runtime refuses unknown flags: the deploy fails, and `wrangler dev`
does not start. A misspelt flag found only at deploy time (often in a
rarely deployed environment) blocks a release.

## Example
```toml
compatibility_flags = ["nodejs_compatt"]   # did you mean nodejs_compat?
```

## How to fix
Correct the name (hover it in the editor, or look it up in Cloudflare's
compatibility flags documentation), or remove it. A flag newer than dols's
list is reported too: update dols, or suppress the finding on that line.
"#,
    prevents: &["No such compatibility flag"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for config in ws.checked_configs() {
        let sections = std::iter::once(&config.top).chain(config.envs.iter().map(|e| &e.section));
        for flag in sections.flat_map(|s| s.compatibility_flags.iter().flatten()) {
            if compat_flag(&flag.value).is_some() {
                continue;
            }
            let known = compat_flag_names();
            let message = match likely_typo_of(&flag.value, known.iter().copied()) {
                Some(near) => format!(
                    "`{}` is not a compatibility flag of the Workers runtime; did you mean `{near}`?",
                    flag.value
                ),
                None => format!(
                    "`{}` is not a compatibility flag of the Workers runtime (as of {}); the deploy would be refused",
                    flag.value,
                    compat_flags_as_of()
                ),
            };
            out.report(config.file, flag.range, message);
        }
    }
}
