//! `env-type-mismatch`: the Worker's `Env` type and its config disagree about
//! Durable Object bindings.

use std::collections::{BTreeMap, BTreeSet};

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::model::Workspace;
use crate::text::TextRange;

/// The file `wrangler types` writes.
const GENERATED_TYPES: &str = "worker-configuration.d.ts";

pub static RULE: Rule = Rule {
    id: "env-type-mismatch",
    severity: Severity::Warning,
    summary: "The `Env` type and the wrangler config disagree about a Durable Object binding.",
    docs: r#"
## What it finds
A Durable Object binding typed one way in the Worker's `Env` type (a
hand-written `interface Env`, Hono's `Bindings`, or the
`worker-configuration.d.ts` that `wrangler types` generates) and configured
another way:

- a member typed `DurableObjectNamespace<A>` whose binding points at class
  `B` in every environment of the config, where `B` is not a subclass of `A`;
- in a generated `worker-configuration.d.ts`, a Durable Object namespace no
  environment binds any more, or a configured Durable Object binding the
  file lacks: the file is stale.

Hand-written types often serve several configs (test harnesses, alternative
`wrangler.*.jsonc` files) or list a subset of the bindings on purpose, so
only a class that contradicts the config is reported for them.

## Why it matters
TypeScript trusts the `Env` type. When it is wrong, stubs offer the methods of
the wrong class, typos in binding names type-check, and the mistake only
shows at runtime (`env.X` is `undefined`, or an RPC method does not exist).

## Example
```ts
interface Env {
  COUNTER: DurableObjectNamespace<ChatRoom>; // the config binds COUNTER to Counter
}
```

## How to fix
Correct the type argument or the binding. When the project uses
`worker-configuration.d.ts`, run `wrangler types` after every config change
(`wrangler types --check` in CI catches a stale file).
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

/// One Env member typed as a Durable Object namespace.
struct TypedMember {
    file: FileId,
    name: String,
    /// The class in the type argument, when there is one.
    class: Option<String>,
    type_range: TextRange,
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        // Types written for this Worker: files in its folder, not another Worker's.
        let owned: Vec<FileId> = worker
            .sources
            .iter()
            .copied()
            .filter(|&f| ws.files.path(f).starts_with(&worker.dir))
            .collect();
        if owned.is_empty() {
            continue;
        }
        // Binding name → classes it is bound to, over every environment.
        let mut bound: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut binding_sites = Vec::new();
        for env in &worker.envs {
            for binding in &env.do_bindings {
                let (Some(name), Some(class)) = (&binding.name, &binding.class_name) else {
                    continue;
                };
                bound.entry(&name.value).or_default().insert(&class.value);
                binding_sites.push((name, class));
            }
        }
        let all_names: BTreeSet<&str> = worker
            .envs
            .iter()
            .flat_map(|e| e.bindings.iter().map(|b| b.name.value.as_str()))
            .collect();

        let mut generated_members: Option<(FileId, BTreeSet<&str>)> = None;
        let mut typed = Vec::new();
        for &file in &owned {
            let Some(summary) = ws.summary(file) else {
                continue;
            };
            let is_generated = ws
                .files
                .path(file)
                .file_name()
                .is_some_and(|n| n == GENERATED_TYPES);
            if is_generated && !summary.env_type_members.is_empty() {
                let members = summary
                    .env_type_members
                    .iter()
                    .map(|m| m.value.as_str())
                    .collect();
                generated_members = Some((file, members));
            }
            for (name, ty) in &summary.env_member_types {
                if let Some(class) = namespace_type(&ty.value) {
                    typed.push(TypedMember {
                        file,
                        name: name.clone(),
                        class,
                        type_range: ty.range,
                    });
                }
            }
        }
        let regenerate = if generated_members.is_some() {
            "; run `wrangler types` to regenerate the types"
        } else {
            ""
        };

        for member in &typed {
            match bound.get(member.name.as_str()) {
                Some(classes) => {
                    let Some(class) = &member.class else { continue };
                    // A configured class that exists nowhere is a typo in
                    // the config: `unknown-class` says so, once.
                    if classes
                        .iter()
                        .all(|c| ws.classes_named(worker, c).next().is_none())
                    {
                        continue;
                    }
                    // `DurableObjectNamespace<Base>` for a subclass is sound.
                    if classes
                        .iter()
                        .any(|c| *c == class || extends(ws, worker, c, class))
                    {
                        continue;
                    }
                    let configured = classes
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    out.report(
                        member.file,
                        member.type_range,
                        format!(
                            "`{}` is typed as a namespace of `{class}`, but the config binds it to {configured}{regenerate}",
                            member.name
                        ),
                    );
                }
                None if !all_names.contains(member.name.as_str())
                    && generated_members
                        .as_ref()
                        .is_some_and(|(f, _)| *f == member.file) =>
                {
                    out.report(
                        member.file,
                        member.type_range,
                        format!(
                            "`{}` is typed as a Durable Object namespace, but no environment of the config declares it any more; the generated types are stale, run `wrangler types`",
                            member.name
                        ),
                    );
                }
                // Declared as another kind of binding: TypeScript and the
                // config disagree, but `unknown-binding` explains calls on it.
                None => {}
            }
        }

        // A generated file that lacks a configured binding is stale.
        if let Some((types_file, members)) = &generated_members {
            let mut reported = BTreeSet::new();
            for (name, _) in &binding_sites {
                if members.contains(name.value.as_str()) || !reported.insert(name.value.as_str()) {
                    continue;
                }
                out.report(
                    worker.config,
                    name.range,
                    format!(
                        "Durable Object binding `{}` is missing from `{GENERATED_TYPES}`; the generated types are stale, run `wrangler types`",
                        name.value
                    ),
                )
                .with_related_mut(*types_file, TextRange::empty(0), "the generated Env type");
            }
        }
    }
}

/// True when class `class` of the Worker extends `base`, directly or
/// through classes of the workspace.
fn extends(ws: &Workspace, worker: &crate::model::Worker, class: &str, base: &str) -> bool {
    let mut current = class.to_string();
    for _ in 0..8 {
        let parent = ws.classes_named(worker, &current).find_map(|(_, c)| {
            c.heritage
                .as_ref()
                .and_then(|h| h.member.clone().or_else(|| h.root.clone()))
        });
        match parent {
            Some(parent) if parent == base => return true,
            Some(parent) => current = parent,
            None => return false,
        }
    }
    false
}

/// `DurableObjectNamespace<X>` → `Some(Some("X"))`; without a type argument
/// → `Some(None)`; any other type → `None`. `X` may be written
/// `import("./index").Counter`.
fn namespace_type(ty: &str) -> Option<Option<String>> {
    let ty = ty.trim();
    let rest = ty.strip_prefix("DurableObjectNamespace")?;
    let rest = rest.trim_start();
    let Some(inner) = rest.strip_prefix('<').and_then(|r| r.strip_suffix('>')) else {
        // `DurableObjectNamespace` or `DurableObjectNamespace /* Counter */`.
        return (rest.is_empty() || rest.starts_with("/*")).then_some(None);
    };
    let last = inner.rsplit('.').next().unwrap_or(inner).trim();
    let is_identifier = !last.is_empty()
        && last
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    Some(is_identifier.then(|| last.to_string()))
}

#[cfg(test)]
mod tests {
    use super::namespace_type;

    #[test]
    fn reads_the_class_of_a_namespace_type() {
        assert_eq!(
            namespace_type("DurableObjectNamespace<Counter>"),
            Some(Some("Counter".into()))
        );
        assert_eq!(
            namespace_type("DurableObjectNamespace<import(\"./src/index\").Counter>"),
            Some(Some("Counter".into()))
        );
        assert_eq!(
            namespace_type("DurableObjectNamespace /* Counter */"),
            Some(None)
        );
        assert_eq!(namespace_type("DurableObjectNamespace"), Some(None));
        assert_eq!(
            namespace_type("DurableObjectNamespace<Counter | Room>"),
            Some(None)
        );
        assert_eq!(namespace_type("KVNamespace"), None);
    }
}
