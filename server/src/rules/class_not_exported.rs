//! `class-not-exported`: a bound Durable Object class that the Worker's main
//! module does not export.

use std::collections::HashSet;

use super::support::{env_replays, find_declaration, local_do_bindings};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::model::{ExportOrigin, Workspace};

pub static RULE: Rule = Rule {
    id: "class-not-exported",
    severity: Severity::Error,
    summary:
        "A Durable Object class is bound (or created by a migration) but not exported from `main`.",
    docs: r#"
## What it finds
A Durable Object binding without `script_name` whose `class_name` is not
among the exports of the Worker's `main` module. dols follows re-exports
(`export { Counter } from "./counter"`), aliases (`export { Impl as
Counter }`) and `export *` chains. A class that a live migration creates but
that is bound nowhere and not exported is reported as a warning on the
migration entry.

## Why it matters
The runtime looks the class up by name among the entry module's exports.
wrangler refuses to deploy ("Your Worker depends on the following Durable
Objects, which are not exported in your entrypoint file"), and setups that
skip bundling only find out at runtime, when every request to the namespace
fails.

## Example
```ts
// src/index.ts (main)
import { Counter } from "./counter"; // imported, but not exported
export default { fetch() { /* ... */ } };
```

## How to fix
Export the class from `main` under the name the binding uses:
```ts
export { Counter } from "./counter";
```
"#,
    prevents: &[
        "Your Worker depends on the following Durable Objects, which are not exported in your entrypoint file",
        "A DurableObjectNamespace in the config referenced the class, but no such Durable Object class is exported from the worker",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &Workspace, out: &mut Reporter) {
    for worker in &ws.workers {
        let mut bound: HashSet<&str> = HashSet::new();
        // One finding per class and entry module: environments that bind the
        // same class from the same `main` share the fix.
        let mut reported: HashSet<(crate::files::FileId, &str)> = HashSet::new();
        for binding in local_do_bindings(worker) {
            bound.insert(binding.class_name.value.as_str());
            let Some(main) = worker.main_of(binding.env_index) else {
                continue;
            };
            if reported.contains(&(main, binding.class_name.value.as_str())) {
                continue;
            }
            let Some(summary) = ws.summary(main) else {
                continue;
            };
            if summary.syntax_error_count > 0 {
                continue; // exports of a file being edited are not reliable
            }
            let exports = ws.exports_of(main);
            let class_name = &binding.class_name.value;
            if exports.get(class_name).is_some() || !exports.complete {
                continue;
            }
            // A name that exists nowhere is `unknown-class`'s finding.
            let Some((decl_file, decl_range)) = find_declaration(ws, worker, class_name) else {
                continue;
            };
            let main_path = ws.display_path(main, &worker.dir);
            let alias = exports
                .names
                .iter()
                .find_map(|(exported, entry)| match &entry.origin {
                    ExportOrigin::Class { name, .. } if name == class_name => {
                        Some(exported.as_str())
                    }
                    _ => None,
                });
            let message = match alias {
                Some(alias) => format!(
                    "`{main_path}` exports class `{class_name}` as `{alias}`, but the binding asks for `{class_name}`; the runtime looks classes up by their exported name"
                ),
                None => format!(
                    "Durable Object class `{class_name}` is not exported from the Worker's main module `{main_path}`; the deploy fails until it is"
                ),
            };
            out.report(worker.config, binding.class_name.range, message)
                .with_related_mut(
                    decl_file,
                    decl_range,
                    format!("`{class_name}` is declared here"),
                );
            reported.insert((main, class_name.as_str()));
        }

        // Classes that a live migration creates, bound nowhere, not exported.
        for history in env_replays(worker) {
            // A history that does not replay cleanly (a rename with a typo, say)
            // leaves classes live that the author meant to rename or delete;
            // `migration-conflict` reports the cause.
            if !history.owns_history || !history.replay.errors.is_empty() {
                continue;
            }
            let Some(main) = worker.main_of(history.env_index) else {
                continue;
            };
            if ws.summary(main).is_none_or(|s| s.syntax_error_count > 0) {
                continue;
            }
            let exports = ws.exports_of(main);
            if !exports.complete {
                continue;
            }
            for (class_name, live) in &history.replay.live {
                if bound.contains(class_name.as_str()) || exports.get(class_name).is_some() {
                    continue;
                }
                // Bound from another Worker through `script_name`: still ours to export,
                // but that is reported by the binding's own checks over there.
                let main_path = ws.display_path(main, &worker.dir);
                out.report(
                    worker.config,
                    live.created_at,
                    format!(
                        "class `{class_name}` is created by a migration but not exported from `{main_path}`; the deploy fails until the Worker exports it or a `deleted_classes` migration retires it"
                    ),
                )
                .set_severity(Severity::Warning);
            }
        }
    }
}
