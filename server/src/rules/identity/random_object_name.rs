//! `random-object-name`: `idFromName`/`getByName` given a random or
//! time-based name, making a new object per call.

use super::storage_support::is_deployed_code;
use super::unique_id_not_persisted::{
    bound_class_may_report_id, id_only_reaches_get, stub_is_lost,
};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::semantic::{CallId, DeclKind, Evaluator, Expr, ExprId, FileSemantics};

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
    RANDOM_EXPRESSIONS.contains(&expr)
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let eval = Evaluator::new(ws);
    for (file, summary) in ws.source_summaries() {
        let sem = &summary.semantic;
        for (call_id, call) in sem.calls.iter().enumerate() {
            let method = &*call.name;
            if call.is_new || !matches!(method, "getByName" | "idFromName") {
                continue;
            }
            let (Some(&arg), Some(&arg_range)) = (call.args.first(), call.arg_ranges.first())
            else {
                continue;
            };
            let Some(source) = random_source(sem, arg) else {
                continue;
            };
            if !is_deployed_code(ws, file) {
                continue;
            }
            let call_id = call_id as CallId;
            let lost = if method == "getByName" {
                stub_is_lost(sem, call_id)
            } else {
                id_only_reaches_get(sem, call_id).is_some_and(|get| stub_is_lost(sem, get))
            };
            if !lost {
                continue;
            }
            let Some(binding) = eval.receiver(file, call).binding().map(String::from) else {
                continue;
            };
            if bound_class_may_report_id(ws, file, &binding) != Some(false) {
                continue;
            }
            out.report(
                file,
                arg_range,
                format!("`{source}` makes a different name on every call, so each call reaches a new object that nobody can find again; use a stable name for the object"),
            );
        }
    }
}

/// The random expression a name comes from, if any: the argument itself,
/// a substitution of a template literal, or a `const`/`let` read only
/// there.
fn random_source(sem: &FileSemantics, arg: ExprId) -> Option<String> {
    let random = |expr: ExprId| render(sem, expr, 0).filter(|text| is_random(text));
    match sem.expr(arg) {
        Expr::Call { .. } | Expr::New(_) => random(arg),
        Expr::Template(items) => items.iter().find_map(|&item| random(item)),
        Expr::Ref(decl) => {
            let d = sem.decl(*decl)?;
            let local = matches!(d.kind, DeclKind::Const | DeclKind::Let);
            let [value] = d.values.as_slice() else {
                return None;
            };
            (local && sem.uses_of(*decl).len() == 1).then(|| random(*value))?
        }
        _ => None,
    }
}

/// An expression written back in the compact form of
/// [`RANDOM_EXPRESSIONS`] (no whitespace, `new` glued to its class), for
/// the shapes those use: names, members, calls and `new` with literal or
/// such arguments.
fn render(sem: &FileSemantics, expr: ExprId, depth: u32) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let list = |args: &[ExprId]| -> Option<String> {
        let parts: Option<Vec<String>> = args.iter().map(|&a| render(sem, a, depth + 1)).collect();
        Some(parts?.join(","))
    };
    Some(match sem.expr(expr) {
        Expr::Global(name) | Expr::Number(name) => name.to_string(),
        // An imported function (`nanoid`, `uuid`): its local name.
        Expr::Ref(decl) => match sem.decl(*decl) {
            Some(d) if matches!(d.kind, DeclKind::Import { .. }) => d.name.to_string(),
            _ => return None,
        },
        Expr::Member(object, key) => format!("{}.{key}", render(sem, *object, depth + 1)?),
        Expr::Call { callee, args } => {
            format!("{}({})", render(sem, *callee, depth + 1)?, list(args)?)
        }
        Expr::New(new) => format!(
            "new{}({})",
            render(sem, new.callee, depth + 1)?,
            list(&new.args)?
        ),
        _ => return None,
    })
}
