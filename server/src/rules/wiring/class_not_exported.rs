//! `class-not-exported`: a bound Durable Object class that the Worker's main
//! module does not export.

use std::collections::HashSet;

use super::support::{env_replays, find_declaration, local_do_bindings};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::source_edit::{self, line_ending, relative_specifier};
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::model::{ExportOrigin, Worker, Workspace};

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
The quick fix does this when the class is a plain class declaration that
dols can see: it adds `export` to a class declared in `main`, or adds an
`export { Counter } from "./counter"` line to `main` (after its imports, in
the quotes and import extension style the file already uses) and, when the
class's own file does not export it yet, `export` to the class there. It
stays away from classes built by factories and from a class that `main`
already exports under another name, where the right name is the author's
call.
"#,
    prevents: &[
        "Your Worker depends on the following Durable Objects, which are not exported in your entrypoint file",
        "A DurableObjectNamespace in the config referenced the class, but no such Durable Object class is exported from the worker",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
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
            // Exports of a file whose module items do not parse are not
            // reliable; the last clean ones stand in while it is edited.
            let Some(exports) = ws.checked_exports(main) else {
                continue;
            };
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
            let diagnostic = out
                .report(worker.config, binding.class_name.range, message)
                .with_related_mut(
                    decl_file,
                    decl_range,
                    format!("`{class_name}` is declared here"),
                );
            // Exported under another name on purpose: which name is meant
            // (the config's or the export's) is not ours to guess.
            if alias.is_none() {
                if let Some(fix) = export_fix(ws, worker, main, class_name) {
                    diagnostic.add_fix(fix);
                }
            }
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
            let Some(exports) = ws.checked_exports(main) else {
                continue;
            };
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
                let diagnostic = out
                    .report(
                        worker.config,
                        live.created_at,
                        format!(
                            "class `{class_name}` is created by a migration but not exported from `{main_path}`; the deploy fails until the Worker exports it or a `deleted_classes` migration retires it"
                        ),
                    )
                    .set_severity(Severity::Warning);
                // Exporting keeps the class and its data; retiring it with a
                // migration deletes them, so only the export is offered.
                if let Some(fix) = export_fix(ws, worker, main, class_name) {
                    diagnostic.add_fix(fix);
                }
            }
        }
    }
}

/// The edits that make `main` export the class `class_name` under that
/// name, when the Worker declares exactly one class by that name at the top
/// level of a file that parses cleanly. `None` in every other case
/// (factories, class expressions, two classes of that name, an export of
/// that name that is type-only, a file outside the Worker's folder).
fn export_fix(ws: &Workspace, worker: &Worker, main: FileId, class_name: &str) -> Option<Fix> {
    let mut classes = ws.classes_named(worker, class_name);
    let (decl_file, _) = classes.next()?;
    if classes.next().is_some() {
        return None;
    }
    if ws.summary(decl_file)?.syntax_error_count > 0 {
        return None;
    }
    let main_source = ws.files.get(main);
    let main_parsed = source_edit::parse(&main_source.path, &main_source.text)?;
    // `export type { Counter }` or another export of that name: a second
    // one would clash.
    if main_parsed.mentions_export(class_name) {
        return None;
    }
    let main_path = ws.display_path(main, &worker.dir);
    if decl_file == main {
        let class = main_parsed.top_level_class(class_name)?;
        if class.default_export {
            // `export default class Counter`: name it too.
            let statement = format!(
                "export {{ {class_name} }}{}",
                if main_parsed.uses_semicolons() {
                    ";"
                } else {
                    ""
                }
            );
            let edit = append_statement(&main_source.text, &statement);
            return Some(Fix::new(
                format!("Also export class `{class_name}` by name from `{main_path}`"),
                Safety::Safe,
                SourceChange::single(main, edit),
            ));
        }
        if class.exported {
            return None;
        }
        return Some(Fix::new(
            format!("Export class `{class_name}` from `{main_path}`"),
            Safety::Safe,
            SourceChange::single(main, TextEdit::insert(class.keyword_start, "export ")),
        ));
    }

    let decl_source = ws.files.get(decl_file);
    if !decl_source.path.starts_with(&worker.dir) {
        return None;
    }
    let decl_parsed = source_edit::parse(&decl_source.path, &decl_source.text)?;
    let class = decl_parsed.top_level_class(class_name)?;
    let (imported, export_in_place) = match ws.exports_of(decl_file).get(class_name) {
        Some(entry) => match &entry.origin {
            ExportOrigin::Class { file, name } if *file == decl_file && name == class_name => {
                (class_name, false)
            }
            _ => return None,
        },
        None if class.default_export => ("default", false),
        None if !class.exported && !decl_parsed.mentions_export(class_name) => (class_name, true),
        None => return None,
    };
    let style = main_parsed.extension_style(source_edit::is_javascript(&main_source.path));
    let exists = |path: &std::path::Path| ws.files.lookup(path).is_some();
    let specifier = relative_specifier(&main_source.path, &decl_source.path, style, &exists)?;
    let quote = main_parsed.quote();
    if specifier.contains(quote) || specifier.contains('\\') {
        return None;
    }
    let names = if imported == class_name {
        class_name.to_string()
    } else {
        format!("{imported} as {class_name}")
    };
    let statement = format!(
        "export {{ {names} }} from {quote}{specifier}{quote}{}",
        if main_parsed.uses_semicolons() {
            ";"
        } else {
            ""
        }
    );
    let eol = line_ending(&main_source.text);
    let edit = match main_parsed.statement_insertion_point() {
        (offset, false) => TextEdit::insert(offset, format!("{eol}{statement}")),
        (_, true) => append_statement(&main_source.text, &statement),
    };
    let mut change = SourceChange::single(main, edit);
    let decl_path = ws.display_path(decl_file, &worker.dir);
    let title = if export_in_place {
        change.push(decl_file, TextEdit::insert(class.keyword_start, "export "));
        format!(
            "Export class `{class_name}` from `{decl_path}` and re-export it from `{main_path}`"
        )
    } else {
        format!("Re-export class `{class_name}` from `{main_path}`")
    };
    Some(Fix::new(title, Safety::Safe, change))
}

/// Adds `statement` as the last paragraph of a file, in its line endings.
fn append_statement(text: &str, statement: &str) -> TextEdit {
    let eol = line_ending(text);
    let new_text = if text.trim().is_empty() {
        format!("{statement}{eol}")
    } else if text.ends_with('\n') {
        format!("{eol}{statement}{eol}")
    } else {
        format!("{eol}{eol}{statement}")
    };
    TextEdit::insert(text.len(), new_text)
}
