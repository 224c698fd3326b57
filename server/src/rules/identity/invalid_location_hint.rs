//! `invalid-location-hint`: a `locationHint` or `jurisdiction` literal that
//! the runtime does not know.

use super::storage_support::all_calls;
use super::support::{nearest, workers_reaching};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::source_edit::replace_quoted;
use crate::fix::{Fix, Safety, SourceChange};
use crate::index::{Arg, ArgValue};
use crate::knowledge::{PlacementValue, JURISDICTIONS, LOCATION_HINTS};

pub static RULE: Rule = Rule {
    id: "invalid-location-hint",
    severity: Severity::Error,
    summary: "A `locationHint` or `jurisdiction` literal that is not a valid value.",
    docs: r#"
## What it finds
String literals given as `{ locationHint: "..." }` to a namespace's `get()`
or `getByName()`, as `{ jurisdiction: "..." }` to `newUniqueId()`, or to
`namespace.jurisdiction("...")`, that are not one of the values the runtime
accepts. The nearest valid value is suggested. (A `jurisdiction` key of an
R2 bucket in the wrangler config is something else and is not looked at.)

## Why it matters
An unknown value is rejected when the call runs, so every request on that
path fails. A location hint is only a best-effort preference and only
counts when the object is first created, while a jurisdiction is a hard
guarantee about where the object runs and keeps its data: mixing the two
vocabularies up (`"eu"` as a hint, `"weur"` as a jurisdiction) is a common
slip.

## Example
```ts
const stub = env.ROOMS.getByName(room, { locationHint: "europe" });
const eu = env.ROOMS.jurisdiction("EU");
```

## How to fix
Use one of the location hints `wnam`, `enam`, `sam`, `weur`, `eeur`,
`apac`, `apac-ne`, `apac-se`, `oc`, `afr`, `me`, or one of the
jurisdictions `eu`, `us`, `fedramp`, `fedramp-high`.

When one valid value is clearly the nearest (`"EU"` for `"eu"`, `"weu"`
for `"weur"`), the quick fix writes it in place of the literal's text. It
is marked unsafe: it guesses the value you meant, and a jurisdiction
decides where the object's data lives. A hint given as a jurisdiction (or
the reverse) gets no quick fix, because moving the value to the other
option is a decision about guarantees, not a spelling.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn values(list: &[PlacementValue]) -> impl Iterator<Item = &'static str> + '_ {
    list.iter().map(|v| v.value)
}

fn string_arg(arg: &Arg) -> Option<&str> {
    match &arg.value {
        ArgValue::String { value, len } if *len == value.len() => Some(value),
        ArgValue::Template {
            raw,
            interpolations: 0,
            len,
        } if *len == raw.len() && !raw.contains('\\') => Some(raw),
        _ => None,
    }
}

fn object_key<'a>(arg: Option<&'a Arg>, key: &str) -> Option<&'a Arg> {
    match &arg?.value {
        ArgValue::Object(props) => props.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let hints: Vec<&str> = values(LOCATION_HINTS).collect();
    let jurisdictions: Vec<&str> = values(JURISDICTIONS).collect();
    for (file, call) in all_calls(ws) {
        let n = call.callee.len();
        if n < 2 || call.is_new {
            continue;
        }
        let method = &*call.callee[n - 1];
        let (value_arg, is_hint) = match method {
            "get" | "getByName" => match object_key(call.args.get(1), "locationHint") {
                Some(arg) => (arg, true),
                None => continue,
            },
            "newUniqueId" => match object_key(call.args.first(), "jurisdiction") {
                Some(arg) => (arg, false),
                None => continue,
            },
            "jurisdiction" => {
                // Only on a Durable Object namespace binding (`env.ROOMS.jurisdiction`).
                let receiver = &*call.callee[n - 2];
                let is_do_binding = workers_reaching(ws, file)
                    .flat_map(|w| w.envs.iter())
                    .flat_map(|e| &e.do_bindings)
                    .any(|b| b.name.as_ref().is_some_and(|name| name.value == receiver));
                match call.args.first() {
                    Some(arg) if is_do_binding => (arg, false),
                    _ => continue,
                }
            }
            _ => continue,
        };
        let Some(value) = string_arg(value_arg) else {
            continue;
        };
        let (valid, other, what, other_what) = if is_hint {
            (&hints, &jurisdictions, "location hint", "jurisdiction")
        } else {
            (&jurisdictions, &hints, "jurisdiction", "location hint")
        };
        if valid.contains(&value) {
            continue;
        }
        let mut message = format!("`{value}` is not a valid {what}");
        let mut fix = None;
        if other.contains(&value) {
            message.push_str(&format!(
                "; it is a {other_what}. {}",
                if is_hint {
                    format!("To keep the object's data inside a region, use `namespace.jurisdiction(\"{value}\")`; for a best-effort placement, use a hint such as `weur`")
                } else {
                    format!("Pass it as `{{ locationHint: \"{value}\" }}` to `get()`/`getByName()` for a best-effort placement")
                }
            ));
        } else if let Some(near) = nearest(value, valid.iter().copied()) {
            message.push_str(&format!("; did you mean `{near}`?"));
            fix = clearly_nearest(value, near, valid)
                .then(|| replace_quoted(ws.files.text(file), value_arg.range, value, near))
                .flatten()
                .map(|edit| {
                    Fix::new(
                        format!("Use the {what} `{near}`"),
                        Safety::Unsafe,
                        SourceChange::single(file, edit),
                    )
                });
        } else {
            message.push_str(&format!("; valid values: {}", valid.join(", ")));
        }
        if is_hint && !other.contains(&value) {
            message.push_str(
                " (a hint is best effort and only counts when the object is first created)",
            );
        }
        let diagnostic = out.report(file, value_arg.range, message);
        if let Some(fix) = fix {
            diagnostic.add_fix(fix);
        }
    }
}

/// `near` is the only plausible reading of `value`: no other valid value
/// is about as close (`"nam"` could be `wnam` or `enam`).
fn clearly_nearest(value: &str, near: &str, valid: &[&str]) -> bool {
    let score = |candidate: &str| {
        if candidate.eq_ignore_ascii_case(value) {
            1.0
        } else if value.len() >= 3 && candidate.ends_with(value) {
            0.9
        } else {
            strsim::jaro_winkler(value, candidate)
        }
    };
    let best = score(near);
    match nearest(value, valid.iter().copied().filter(|v| *v != near)) {
        Some(runner_up) => best - score(runner_up) >= 0.03,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_needs_one_clear_nearest_value() {
        let hints: Vec<&str> = values(LOCATION_HINTS).collect();
        let jurisdictions: Vec<&str> = values(JURISDICTIONS).collect();
        assert!(clearly_nearest("EU", "eu", &jurisdictions));
        assert!(clearly_nearest("weu", "weur", &hints));
        assert!(clearly_nearest("apac-n", "apac-ne", &hints));
        for (value, meant) in [("nam", "wnam or enam"), ("eur", "weur or eeur")] {
            let near = nearest(value, hints.iter().copied()).unwrap();
            assert!(!clearly_nearest(value, near, &hints), "{value}: {meant}");
        }
    }
}
