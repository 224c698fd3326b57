//! `file-not-read`: a config or module dols found but did not read.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::discovery::FileRole;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "file-not-read",
    severity: Severity::Warning,
    summary: "A wrangler config or a module was found but not read (binary, not UTF-8, too large, minified, or not a regular file), so it was not checked.",
    docs: r#"
## What it finds
Every file with a role for dols (a wrangler config, a TS/JS module,
`tsconfig.json`, `package.json`, `.dev.vars`) that it found and then did not
read. The finding gives the reason:
- the file holds NUL bytes (binary) or is not valid UTF-8;
- it is larger than the cap (2 MiB for a module, 8 MiB for a config);
- a module has a line over 20,000 bytes (minified, generated code);
- it is not a regular file (a FIFO, a device, a socket), which dols never
  reads because a read could block or never end;
- the system refused to read it (permissions).

A config that was not read is an error: the Worker it describes is not
checked at all. A module that a Worker imports is a warning: what it
exports is unknown, so findings about it are missing. Any other file (a
minified library among the static assets) is a hint: said, without
failing a check.

## Why it matters
A check that skips a file without saying so reports "0 errors" for code it
never saw. If the skipped module holds a Durable Object class, every
finding about that class is missing from the report.

## Example
A `src/room.ts` saved as UTF-16 by an editor, or a vendored `src/vendor.js`
of 3 MiB on one line.

## How to fix
Save the file as UTF-8, or make it a regular file. For generated code,
exclude it from the check in `dols.toml` (`exclude = ["src/vendor.js"]`),
which also silences this finding.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, reason) in ws.unread_files() {
        let is_config = matches!(FileRole::of(ws.files.path(file)), Some(FileRole::Config(_)));
        let imported = ws.workers_reaching(file).next().is_some();
        let (what, severity) = if is_config {
            (
                "this wrangler config was not read, so its Worker is not checked",
                Severity::Error,
            )
        } else if imported {
            (
                "this module was not read, so what it exports and does is not checked",
                Severity::Warning,
            )
        } else {
            ("this file was not read", Severity::Hint)
        };
        out.report(file, TextRange::new(0, 0), format!("{what}: {reason}"))
            .set_severity(severity);
    }
}
