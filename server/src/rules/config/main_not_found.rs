//! `main-not-found`: the Worker's `main` is not in the checked tree.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::discovery::SKIPPED_DIRS;
use crate::model::MainFile;

pub static RULE: Rule = Rule {
    id: "main-not-found",
    severity: Severity::Info,
    summary: "`main` points at a file that is not in the checked tree; export checks are skipped.",
    docs: r#"
## What it finds
A Worker whose `main` names a file dols cannot find among the sources it
checks. Most often `main` points at build output (`dist/index.js`) that is
generated before deploy, or at a folder that is ignored.

## Why it matters
Without the entry module dols cannot tell which classes the Worker exports,
so it skips `class-not-exported` and `unknown-class` for that Worker rather
than guess. Everything else is still checked.

## Example
```toml
main = "dist/index.js"   # produced by a build step
```

## How to fix
Nothing, if the file is build output. To get the export checks, point `main`
at the source entry (wrangler bundles TypeScript itself) or check the folder
that contains it.
"#,
    prevents: &["The entry-point file at was not found"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        for main in &worker.mains {
            if let MainFile::Missing { path, range } = main {
                // A Python Worker's entry is not ours to check.
                if crate::index::language::SourceLanguage::from_path(path).is_none()
                    && path.extension().is_some()
                {
                    continue;
                }
                let relative = path.strip_prefix(&worker.dir).unwrap_or(path);
                let shown = relative.to_string_lossy().replace('\\', "/");
                // Under `dist/`, `build/`, ... the file is generated before deploy;
                // elsewhere it is more likely renamed, mistyped or ignored.
                let in_build_dir = relative.components().any(|c| {
                    c.as_os_str()
                        .to_str()
                        .is_some_and(|name| SKIPPED_DIRS.contains(&name))
                });
                let message = if in_build_dir {
                    format!("`main` points at `{shown}`, build output that is not among the checked sources; checks of this Worker's exports are skipped")
                } else {
                    format!("`main` points at `{shown}`, which is not among the checked sources (renamed, mistyped or ignored?); wrangler fails if it is missing at deploy time; checks of this Worker's exports are skipped")
                };
                out.report(worker.config, *range, message);
            }
        }
    }
}
