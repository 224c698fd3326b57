//! `unknown-binding`: code reads `env.X` for a binding the Worker does not
//! declare.

use std::collections::{BTreeMap, HashSet};

use super::support::{likely_typo_of, nearest, workers_reaching};
use super::{Check, Reporter, Rule};
use crate::config::BindingKind;
use crate::diagnostic::Severity;
use crate::model::Workspace;

/// Calls that only a Durable Object namespace has (`get` is shared with KV,
/// R2 and others, so it proves nothing).
const NAMESPACE_ONLY_METHODS: &[&str] = &["idFromName", "idFromString", "newUniqueId", "getByName"];

pub static RULE: Rule = Rule {
    id: "unknown-binding",
    severity: Severity::Error,
    summary: "Code uses an `env` binding that the Worker's config does not declare.",
    docs: r#"
## What it finds
Two cases, both on `env.X`, `this.env.X`, `c.env.X` and destructured env:

- `X` is used as a Durable Object namespace (`idFromName`, `getByName`,
  `newUniqueId`, `idFromString`) but no environment of the Worker declares a
  Durable Object binding named `X`;
- `X` is declared nowhere (no binding of any kind, no var, no secret in
  `.dev.vars`/`.env`, no member of an `Env` type) while a declared name is
  only a few characters away: almost certainly a typo.

Names that could be secrets set outside the repository are never reported
unless they look like a typo of a declared name.

## Why it matters
A missing binding is `undefined` at runtime, so the first call on it throws
`Cannot read properties of undefined`, usually only in production.

## Example
```ts
const stub = env.COUNTR.getByName("global"); // the binding is COUNTER
```

## How to fix
Use the declared name, or declare the binding in the config (in every
`[env.*]` section you deploy).
"#,
    prevents: &[
        "Cannot read properties of undefined (reading 'idFromName')",
        "Cannot read properties of undefined (reading 'getByName')",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &Workspace, out: &mut Reporter) {
    let typed_names: HashSet<&str> = ws
        .summaries
        .iter()
        .flatten()
        .flat_map(|s| s.env_type_members.iter().map(|m| m.value.as_str()))
        .collect();
    for (index, summary) in ws.summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        if summary.env_accesses.is_empty() {
            continue;
        }
        let file = crate::files::FileId(index as u32);
        // Every name declared by any Worker that includes this file, in any env.
        let mut declared: BTreeMap<&str, &BindingKind> = BTreeMap::new();
        let mut do_names: HashSet<&str> = HashSet::new();
        let mut in_any_worker = false;
        for worker in workers_reaching(ws, file) {
            in_any_worker = true;
            for env in &worker.envs {
                for binding in &env.bindings {
                    declared
                        .entry(binding.name.value.as_str())
                        .or_insert(&binding.kind);
                    if binding.kind == BindingKind::DurableObject {
                        do_names.insert(binding.name.value.as_str());
                    }
                }
            }
        }
        if !in_any_worker {
            continue;
        }
        for access in &summary.env_accesses {
            let name = access.name.value.as_str();
            let used_as_namespace = access
                .member
                .as_ref()
                .is_some_and(|m| NAMESPACE_ONLY_METHODS.contains(&m.value.as_str()));
            if used_as_namespace && !do_names.contains(name) {
                let method = &access.member.as_ref().expect("checked above").value;
                let message = match declared.get(name) {
                    Some(kind) => format!(
                        "`{name}` is a {} binding, not a Durable Object namespace; `{method}` does not exist on it",
                        kind.describe()
                    ),
                    None => {
                        let mut message = format!("no Durable Object binding named `{name}` is declared for this Worker");
                        if let Some(suggestion) = nearest(name, do_names.iter().copied()) {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        message
                    }
                };
                out.report(file, access.name.range, message);
                continue;
            }
            if declared.contains_key(name) || typed_names.contains(name) {
                continue;
            }
            // Only a likely typo is worth saying: the name may be a secret we cannot see.
            if let Some(suggestion) = likely_typo_of(name, declared.keys().copied()) {
                out.report(
                    file,
                    access.name.range,
                    format!("no binding, var or secret named `{name}` is declared; did you mean `{suggestion}`?"),
                );
            }
        }
    }
}
