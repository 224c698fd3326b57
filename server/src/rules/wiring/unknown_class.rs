//! `unknown-class`: a binding's `class_name` names no class of the Worker.

use super::support::nearest;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::source_edit::replace_quoted;
use crate::fix::{Fix, Safety, SourceChange};
use crate::model::{Worker, Workspace};

pub static RULE: Rule = Rule {
    id: "unknown-class",
    severity: Severity::Error,
    summary: "`class_name` names no class or export of the Worker it points at.",
    docs: r#"
## What it finds
A Durable Object binding whose `class_name` matches no class declared in the
Worker's sources and no name its `main` module exports. With `script_name`,
the named Worker is searched instead when it is part of the workspace. A
close match is suggested.

## Why it matters
Usually a typo or a class renamed in code but not in the config. wrangler
fails the deploy; without bundling, every request through the binding fails
at runtime.

## Example
```toml
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Countr"   # the class is `Counter`
```

## How to fix
Use the exact class name. To rename a class that is already deployed, keep
the binding in step with a `renamed_classes` migration.

When dols has a close match, the quick fix writes it into the binding's
`class_name`, keeping the quotes and the rest of the file as they are. It
is marked unsafe because it is a guess: check that the suggested class is
the one meant, and that the migrations still describe the classes you
deploy.
"#,
    prevents: &["which are not exported in your entrypoint file"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let mut known: std::collections::HashMap<(crate::files::FileId, usize), Option<Vec<String>>> =
        std::collections::HashMap::new();
    for worker in ws.checked_workers() {
        for (env_index, env) in worker.envs.iter().enumerate() {
            for binding in &env.do_bindings {
                let Some(class_name) = &binding.class_name else {
                    continue;
                };
                let target = match &binding.script_name {
                    None => worker,
                    Some(script) => match ws.worker_by_script_name(worker, &script.value) {
                        Some(other) => other,
                        None => continue, // deployed elsewhere; nothing to compare with
                    },
                };
                let target_env = if std::ptr::eq(target, worker) {
                    env_index
                } else {
                    0
                };
                // Several bindings share a Worker: collect its names once.
                let key = (target.config, target_env);
                let candidates = known
                    .entry(key)
                    .or_insert_with(|| known_names(ws, target, target_env));
                let Some(candidates) = candidates.as_ref() else {
                    continue;
                };
                if candidates.iter().any(|c| c == &class_name.value) {
                    continue;
                }
                let where_ = match &binding.script_name {
                    Some(script) => format!("Worker `{}`", script.value),
                    None => "this Worker".to_string(),
                };
                let mut message = format!(
                    "no class or export named `{}` in {where_}",
                    class_name.value
                );
                let suggestion = nearest(&class_name.value, candidates.iter().map(String::as_str));
                if let Some(suggestion) = suggestion {
                    message.push_str(&format!("; did you mean `{suggestion}`?"));
                }
                let diagnostic = out.report(worker.config, class_name.range, message);
                let edit = suggestion.and_then(|suggestion| {
                    replace_quoted(
                        ws.files.text(worker.config),
                        class_name.range,
                        &class_name.value,
                        suggestion,
                    )
                    .map(|edit| (suggestion, edit))
                });
                if let Some((suggestion, edit)) = edit {
                    diagnostic.add_fix(Fix::new(
                        format!("Change `class_name` to `{suggestion}`"),
                        Safety::Unsafe,
                        SourceChange::single(worker.config, edit),
                    ));
                }
            }
        }
    }
}

/// Class names and `main` exports of a Worker, or `None` when dols cannot
/// see them all (no `main`, or an `export *` it cannot follow).
fn known_names(ws: &Workspace, worker: &Worker, env_index: usize) -> Option<Vec<String>> {
    let main = worker.main_of(env_index)?;
    let exports = ws.checked_exports(main)?;
    if !exports.complete {
        return None;
    }
    let mut names: Vec<String> = exports
        .names
        .keys()
        .filter(|n| *n != "default")
        .cloned()
        .collect();
    names.extend(
        ws.classes_of(worker)
            .filter_map(|(_, c)| c.name.as_ref().map(|n| n.value.clone())),
    );
    for &file in &worker.sources {
        for export in ws
            .summary(file)
            .map(|s| s.exports.as_slice())
            .unwrap_or_default()
        {
            if let crate::index::Export::Local { exported, .. } = export {
                names.push(exported.value.clone());
            }
        }
    }
    names.sort();
    names.dedup();
    Some(names)
}
