//! `random-object-name`: `idFromName`/`getByName` given a random or
//! time-based name, making a new object per call.

use super::storage_support::{all_calls, is_deployed_code, mask_code, preceded_by, word_uses};
use super::unique_id_not_persisted::{
    bound_class_may_report_id, id_only_reaches_get, stub_is_lost,
};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::index::{Arg, ArgValue, CallSite};
use crate::model::Workspace;
use crate::semantic::Evaluator;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "random-object-name",
    severity: Severity::Warning,
    summary: "`idFromName`/`getByName` given `crypto.randomUUID()`, `Math.random()`, `Date.now()` or similar: a new object on every call.",
    docs: r#"
## What it finds
`namespace.getByName(name)` or `namespace.idFromName(name)` in deployed code
whose name is a fresh random or clock value — `crypto.randomUUID()`,
`Math.random()`, `Date.now()`, `nanoid()`, `uuid()`..., directly, inside a
template literal, or through a local variable used nowhere else — when the
name is not kept anywhere (the stub only receives method calls, and the
bound class does not read its own `ctx.id`).

## Why it matters
A name maps to exactly one object. A name that changes on every call
creates a new object every time: state written there is never seen again,
requests that were meant to meet in one object (a room, a counter, a rate
limiter) never do, and each orphan may keep storage or alarms alive.

## Example
```ts
const stub = env.COUNTER.getByName(crypto.randomUUID());
await stub.increment();
```

## How to fix
Use a stable name derived from what the object represents (a user id, a
room name, a date bucket), or, if a new object per call is intended, keep
the name or id and hand it to whoever needs to reach the object again.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

/// Expressions that give a different value on every call (whitespace removed).
const RANDOM_EXPRESSIONS: &[&str] = &[
    "crypto.randomUUID()",
    "self.crypto.randomUUID()",
    "globalThis.crypto.randomUUID()",
    "Math.random()",
    "Math.random().toString()",
    "Math.random().toString(36)",
    "String(Math.random())",
    "Date.now()",
    "Date.now().toString()",
    "String(Date.now())",
    "newDate().getTime()",
    "newDate().toISOString()",
    "performance.now()",
    "nanoid()",
    "uuid()",
    "uuidv4()",
    "v4()",
    "ulid()",
    "createId()",
];

fn is_random(expr: &str) -> bool {
    let squeezed: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
    RANDOM_EXPRESSIONS.contains(&squeezed.as_str())
}

fn check(ws: &Workspace, out: &mut Reporter) {
    let mut masked: Option<(FileId, Vec<u8>)> = None;
    for (file, call) in all_calls(ws) {
        let method = call.callee.last().map(String::as_str).unwrap_or_default();
        if call.callee.len() < 2 || call.is_new || !matches!(method, "getByName" | "idFromName") {
            continue;
        }
        let Some(arg) = call.args.first() else {
            continue;
        };
        if !matches!(
            arg.value,
            ArgValue::Call(_) | ArgValue::Template { .. } | ArgValue::Identifier(_)
        ) {
            continue;
        }
        if !is_deployed_code(ws, file) {
            continue;
        }
        if masked.as_ref().is_none_or(|(f, _)| *f != file) {
            masked = Some((file, mask_code(ws.files.text(file))));
        }
        let code = &masked.as_ref().expect("just set").1;
        let text = ws.files.text(file);
        let Some(source) = random_source(text, code, call, arg) else {
            continue;
        };
        let sem = &ws.summary(file).expect("has calls").semantic;
        let Some(sem_call) = sem.call_at(call.range) else {
            continue;
        };
        let lost = if method == "getByName" {
            stub_is_lost(sem, sem_call)
        } else {
            id_only_reaches_get(sem, sem_call).is_some_and(|get| stub_is_lost(sem, get))
        };
        let binding = Evaluator::new(ws)
            .receiver(file, &sem.calls[sem_call as usize])
            .binding()
            .map(String::from);
        let Some(binding) = binding else { continue };
        if !lost || bound_class_may_report_id(ws, file, &binding) != Some(false) {
            continue;
        }
        out.report(
            file,
            arg.range,
            format!("`{source}` makes a different name on every call, so each call reaches a new object that nobody can find again; use a stable name for the object"),
        );
    }
}

/// The random expression the name comes from, if any.
fn random_source(text: &str, code: &[u8], call: &CallSite, arg: &Arg) -> Option<String> {
    let slice = |r: TextRange| text.get(r.start as usize..r.end as usize);
    match &arg.value {
        ArgValue::Call(_) => {
            let source = slice(arg.range)?;
            is_random(source).then(|| source.to_string())
        }
        ArgValue::Template { raw, len, .. } if raw.len() == *len => raw
            .split("${")
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(expr, _)| expr.trim()))
            .find(|expr| is_random(expr))
            .map(String::from),
        ArgValue::Identifier(name) => {
            // `const name = crypto.randomUUID();` with no other use.
            let function = call.scope.function;
            let uses = word_uses(code, function, name);
            let [decl, used] = uses.as_slice() else {
                return None;
            };
            if *used != arg.range.start as usize
                || !(preceded_by(code, *decl, "const") || preceded_by(code, *decl, "let"))
            {
                return None;
            }
            let rest = text.get(decl + name.len()..)?;
            let rest = rest.trim_start().strip_prefix('=')?;
            let end = rest.find([';', '\n'])?;
            let expr = rest[..end].trim();
            is_random(expr).then(|| expr.to_string())
        }
        _ => None,
    }
}
