//! `unknown-binding`: code reads `env.X` for a binding the Worker does not
//! declare.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::support::{likely_typo_of, nearest};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::config::BindingKind;
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::source_edit::rename_at;
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::index::{EnvAccess, EnvVia};
use crate::model::Workspace;
use crate::semantic::Evaluator;

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

When a declared name is close, the quick fix replaces the name in the code
with it (in a destructuring `const { COUNTR } = env` it reads the declared
binding into the same local name: `const { COUNTER: COUNTR } = env`). It is
marked unsafe because the closest name is a guess.
"#,
    prevents: &[
        "Cannot read properties of undefined (reading 'idFromName')",
        "Cannot read properties of undefined (reading 'getByName')",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    // Kept by the model across keystrokes, not collected here per run.
    let typed_names = &ws.env_type_names;
    let mut names_by_callers: HashMap<Vec<usize>, DeclaredNames> = HashMap::new();
    let eval = Evaluator::new(ws);
    for (file, summary) in ws.source_summaries() {
        if summary.env_accesses.is_empty() {
            continue;
        }
        // Every name declared by any Worker that includes this file, in any
        // env; the same for every file these Workers reach, so built once.
        let callers: Vec<usize> = ws
            .reaching_indexes(file)
            .iter()
            .map(|&i| i as usize)
            .collect();
        if callers.is_empty() {
            continue;
        }
        let checked_against = workers_named(ws, &callers);
        let (declared, do_names) = names_by_callers
            .entry(callers)
            .or_insert_with_key(|callers| declared_names(ws, callers));
        for access in &summary.env_accesses {
            let name = access.name.value.as_str();
            // `c.env` of a framework app served with another object (a Hono
            // app inside a Durable Object, called as `app.fetch(req, {..})`)
            // is not the Worker's env. Asked only of reads about to be
            // reported: most reads are fine, and the question has a cost.
            let not_the_worker_env = || {
                summary
                    .semantic
                    .env_read(access.name.range.start)
                    .is_some_and(|object| !eval.value(file, object).may_be_worker_env())
            };
            let used_as_namespace = access
                .member
                .as_ref()
                .is_some_and(|m| NAMESPACE_ONLY_METHODS.contains(&m.value.as_str()));
            if used_as_namespace && !do_names.contains(name) {
                if not_the_worker_env() {
                    continue;
                }
                let mut suggestion = None;
                let method = &access.member.as_ref().expect("checked above").value;
                let message = match declared.get(name) {
                    Some(kind) => format!(
                        "`{name}` is a {} binding, not a Durable Object namespace; `{method}` does not exist on it",
                        kind.describe()
                    ),
                    None => {
                        let mut message = format!("no Durable Object binding named `{name}` is declared for {checked_against}");
                        suggestion = nearest(name, do_names.iter().copied());
                        if let Some(suggestion) = suggestion {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        message
                    }
                };
                let diagnostic = out.report(file, access.name.range, message);
                if let Some(fix) = suggestion.and_then(|s| rename_fix(ws, file, access, s)) {
                    diagnostic.add_fix(fix);
                }
                continue;
            }
            if declared.contains_key(name) || typed_names.contains(name) {
                continue;
            }
            // Only a likely typo is worth saying: the name may be a secret we cannot see.
            if let Some(suggestion) = likely_typo_of(name, declared.keys().copied()) {
                if not_the_worker_env() {
                    continue;
                }
                let diagnostic = out.report(
                    file,
                    access.name.range,
                    format!("no binding, var or secret named `{name}` is declared for {checked_against}; did you mean `{suggestion}`?"),
                );
                if let Some(fix) = rename_fix(ws, file, access, suggestion) {
                    diagnostic.add_fix(fix);
                }
            }
        }
    }
}

/// Binding names declared by some env of some of the Workers, with the kind
/// first declared; and the Durable Object namespaces among them.
type DeclaredNames<'a> = (BTreeMap<&'a str, &'a BindingKind>, HashSet<&'a str>);

fn declared_names<'a>(ws: &'a Workspace, workers: &[usize]) -> DeclaredNames<'a> {
    let mut declared: BTreeMap<&str, &BindingKind> = BTreeMap::new();
    let mut do_names: HashSet<&str> = HashSet::new();
    for &worker in workers {
        for env in &ws.workers[worker].envs {
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
    (declared, do_names)
}

/// Reads `suggestion` instead of the unknown name. In a shorthand
/// destructuring (`const { COUNTR } = env`) the local variable keeps its
/// name, so the rest of the code is untouched: `{ COUNTER: COUNTR }`.
fn rename_fix(ws: &Workspace, file: FileId, access: &EnvAccess, suggestion: &str) -> Option<Fix> {
    let text = ws.files.text(file);
    let name = &access.name;
    let edit = match access.via {
        EnvVia::Destructure => match pattern_entry(text, name.range.end as usize)? {
            PatternEntry::Shorthand => {
                let written = text.get(name.range.as_std())? == name.value;
                if !written || !super::support::is_js_identifier(suggestion) {
                    return None;
                }
                TextEdit::insert(name.range.start as usize, format!("{suggestion}: "))
            }
            PatternEntry::Pair => rename_at(text, name.range, &name.value, suggestion)?,
        },
        _ => rename_at(text, name.range, &name.value, suggestion)?,
    };
    Some(Fix::new(
        format!("Use `{suggestion}` instead of `{}`", name.value),
        Safety::Unsafe,
        SourceChange::single(file, edit),
    ))
}

enum PatternEntry {
    /// `{ X }`, `{ X = 1 }`: the key is also the local name.
    Shorthand,
    /// `{ X: local }`, `{ "X": local }`
    Pair,
}

/// What kind of object-pattern entry the key ending at `end` starts;
/// `None` when something unexpected (a comment) follows it.
fn pattern_entry(text: &str, end: usize) -> Option<PatternEntry> {
    let after_key = text[end..]
        .strip_prefix(['"', '\''])
        .unwrap_or(&text[end..]);
    let rest = after_key.trim_start();
    if rest.starts_with(':') {
        Some(PatternEntry::Pair)
    } else if after_key.len() == text[end..].len()
        && (rest.starts_with([',', '}']) || (rest.starts_with('=') && !rest.starts_with("==")))
    {
        Some(PatternEntry::Shorthand)
    } else {
        None
    }
}

/// "this Worker", or, for code several Workers share, which ones the
/// finding was checked against.
fn workers_named(ws: &Workspace, callers: &[usize]) -> String {
    if callers.len() < 2 {
        return "this Worker".to_string();
    }
    let names: Vec<String> = callers
        .iter()
        .filter_map(|&i| ws.workers.get(i))
        .map(|w| match w.name() {
            Some(name) => format!("`{name}`"),
            None => format!("`{}`", ws.files.path(w.config).display()),
        })
        .collect();
    format!(
        "any of the Workers sharing this file ({})",
        names.join(", ")
    )
}
