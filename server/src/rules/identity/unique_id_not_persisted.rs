//! `unique-id-not-persisted`: `newUniqueId()` whose id is used once to reach
//! an object and then lost.

use super::storage_support::is_deployed_code;
use super::support::{bound_class, workers_reaching};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::model::Workspace;
use crate::semantic::{
    CallId, ClassId, DeclId, DeclKind, Evaluator, Expr, ExprId, FileSemantics, SemCall, UseRole,
    Value,
};
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "unique-id-not-persisted",
    severity: Severity::Warning,
    summary: "`newUniqueId()` used to reach an object while the id is never stored, returned or sent: nobody can reach that object again.",
    docs: r#"
## What it finds
`namespace.newUniqueId()` in deployed code where the id only goes to
`namespace.get(id)` and the stub only receives method calls in that
function: the id is not kept in a variable that is used again, not turned
into a string, not returned, stored or passed anywhere, and the bound class
does not read its own `ctx.id` (which could report it back).

## Why it matters
A unique id is random: the only way to reach the same object later is to
keep the id (usually `id.toString()`, turned back with `idFromString`).
When the id is dropped, every request creates a brand-new object that
nobody can address again, and whatever it stored is orphaned (and still
billed, if it set storage or alarms).

## Example
```ts
const id = env.DOCS.newUniqueId();
return env.DOCS.get(id).fetch(request); // a new document on every request
```

## How to fix
Return or store the id (`id.toString()`) so the client can come back, or
address the object by a stable name with `env.DOCS.getByName(name)`.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let eval = Evaluator::new(ws);
    for (file, summary) in ws.source_summaries() {
        let sem = &summary.semantic;
        if !sem.calls.iter().any(|c| &*c.name == "newUniqueId") || !is_deployed_code(ws, file) {
            continue;
        }
        for (id_call, call) in sem.calls.iter().enumerate() {
            if &*call.name != "newUniqueId" {
                continue;
            }
            let Some(binding) = eval.receiver(file, call).binding().map(String::from) else {
                continue;
            };
            let Some(get) = id_only_reaches_get(sem, id_call as CallId) else {
                continue;
            };
            if !stub_is_lost(sem, get) {
                continue;
            }
            if bound_class_may_report_id(ws, file, &binding) != Some(false) {
                continue;
            }
            out.report(
                file,
                call.name_range,
                "this unique id is used once to reach an object and then dropped: every run creates a new object that nobody can reach again; keep `id.toString()` (return or store it), or use `getByName()` with a stable name",
            );
        }
    }
}

/// The declaration a call's value is given to, when it is the one value of
/// a `const`/`let` (`const id = env.X.newUniqueId()`).
fn assigned_to(sem: &FileSemantics, call: &SemCall) -> Option<DeclId> {
    let is_this_call =
        |e: ExprId| matches!(sem.expr(e), Expr::Call { callee, .. } if *callee == call.callee);
    sem.decls
        .iter()
        .position(|d| {
            matches!(d.kind, DeclKind::Const | DeclKind::Let)
                && d.values.len() == 1
                && is_this_call(d.values[0])
        })
        .map(|d| d as DeclId)
}

/// The `namespace.get(id)` call that is the only use of the id made by
/// `id_call`: passed inline, or kept in a variable read once, as that
/// argument.
pub(super) fn id_only_reaches_get(sem: &FileSemantics, id_call: CallId) -> Option<CallId> {
    let call = sem.call(id_call)?;
    let is_get = |c: CallId| sem.call(c).is_some_and(|c| &*c.name == "get" && !c.is_new);
    // Inline: `env.X.get(env.X.newUniqueId())`.
    if let Some(get) = sem
        .calls
        .iter()
        .position(|c| &*c.name == "get" && c.arg_ranges.first() == Some(&call.range))
    {
        return Some(get as CallId);
    }
    let decl = assigned_to(sem, call)?;
    match sem.uses_of(decl) {
        [only] => match only.role {
            UseRole::Argument(get, 0) if is_get(get) => Some(get),
            _ => None,
        },
        _ => None,
    }
}

/// The stub made by `get` only receives method calls: it is not returned,
/// stored elsewhere, passed on, nor asked for its `id`/`name`.
pub(super) fn stub_is_lost(sem: &FileSemantics, get: CallId) -> bool {
    let Some(call) = sem.call(get) else {
        return false;
    };
    // `env.X.get(id).m()`
    if sem
        .calls
        .iter()
        .any(|c| c.receiver_range == Some(call.range))
    {
        return true;
    }
    let Some(decl) = assigned_to(sem, call) else {
        return false;
    };
    let uses = sem.uses_of(decl);
    !uses.is_empty() && uses.iter().all(|u| matches!(u.role, UseRole::Receiver(_)))
}

/// Whether the class bound to `binding` (for the Workers reaching `file`)
/// reads its own id (`ctx.id`, `state.id`), so it could report the id
/// itself. `None` when the class is not found.
pub(super) fn bound_class_may_report_id(
    ws: &Workspace,
    file: FileId,
    binding: &str,
) -> Option<bool> {
    for worker in workers_reaching(ws, file) {
        for (env_index, env) in worker.envs.iter().enumerate() {
            for b in &env.do_bindings {
                if b.script_name.is_some() || b.name.as_ref().is_none_or(|n| n.value != binding) {
                    continue;
                }
                let class_name = b.class_name.as_ref()?;
                let (class_file, class) = bound_class(ws, worker, env_index, &class_name.value)?;
                return Some(class_reads_own_id(ws, class_file, class.range));
            }
        }
    }
    None
}

/// Some expression in the class (range) reads `.id` of the object's state.
fn class_reads_own_id(ws: &Workspace, file: FileId, class_range: TextRange) -> bool {
    let Some(summary) = ws.summary(file) else {
        return false;
    };
    let sem = &summary.semantic;
    let eval = Evaluator::new(ws);
    let Some(class) = sem.classes.iter().position(|c| c.range == class_range) else {
        return true; // unsure: the class may report it
    };
    sem.exprs.iter().any(|expr| {
        let Expr::Member(object, key) = expr else {
            return false;
        };
        &**key == "id"
            && sem.root_class(*object) == Some(class as ClassId)
            && eval.value(file, *object) == Value::State
    })
}
