//! `unique-id-not-persisted`: `newUniqueId()` whose id is used once to reach
//! an object and then lost.

use super::storage_support::{
    all_calls, is_deployed_code, mask_code, method_called_after, preceded_by, word_uses,
};
use super::support::{bound_class, workers_reaching};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::index::{CallSite, CallUsage};
use crate::model::Workspace;
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

fn check(ws: &Workspace, out: &mut Reporter) {
    let mut masked: Option<(FileId, Vec<u8>)> = None;
    for (file, call) in all_calls(ws) {
        if call.callee.len() < 2 || call.callee.last().map(String::as_str) != Some("newUniqueId") {
            continue;
        }
        if !is_deployed_code(ws, file) {
            continue;
        }
        if masked.as_ref().is_none_or(|(f, _)| *f != file) {
            masked = Some((file, mask_code(ws.files.text(file))));
        }
        let code = &masked.as_ref().expect("just set").1;
        let calls = &ws.summary(file).expect("has calls").calls;
        let Some(get) = id_only_reaches_get(code, call, calls) else {
            continue;
        };
        if !stub_is_lost(code, get) {
            continue;
        }
        if bound_class_may_report_id(ws, file, call) != Some(false) {
            continue;
        }
        out.report(
            file,
            call.name_range,
            "this unique id is used once to reach an object and then dropped: every run creates a new object that nobody can reach again; keep `id.toString()` (return or store it), or use `getByName()` with a stable name",
        );
    }
}

/// The `namespace.get(id)` call that is the only use of the id made by
/// `id_call` (assigned to a variable used once, or passed inline).
pub(super) fn id_only_reaches_get<'a>(
    code: &[u8],
    id_call: &CallSite,
    calls: &'a [CallSite],
) -> Option<&'a CallSite> {
    let is_get = |c: &&CallSite| {
        c.callee.len() >= 2 && c.callee.last().map(String::as_str) == Some("get") && !c.is_new
    };
    match &id_call.usage {
        CallUsage::AssignedTo(names) if names.len() == 1 => {
            let name = &names[0];
            let after = TextRange::new(
                id_call.range.end as usize,
                id_call.scope.function.end as usize,
            );
            let uses = word_uses(code, after, name);
            let [only] = uses.as_slice() else { return None };
            if !preceded_by(code, *only, ".get(") {
                return None;
            }
            calls.iter().filter(is_get).find(|c| {
                c.args
                    .first()
                    .is_some_and(|a| a.range.start as usize == *only)
            })
        }
        CallUsage::Argument => calls
            .iter()
            .filter(is_get)
            .find(|c| c.args.first().is_some_and(|a| a.range == id_call.range)),
        _ => None,
    }
}

/// The stub made by `stub_call` only receives method calls: it is not
/// returned, stored elsewhere, passed on, nor asked for its `id`/`name`.
pub(super) fn stub_is_lost(code: &[u8], stub_call: &CallSite) -> bool {
    match &stub_call.usage {
        CallUsage::AssignedTo(names) if names.len() == 1 => {
            let name = &names[0];
            let after = TextRange::new(
                stub_call.range.end as usize,
                stub_call.scope.function.end as usize,
            );
            let uses = word_uses(code, after, name);
            !uses.is_empty()
                && uses
                    .iter()
                    .all(|&u| method_called_after(code, u + name.len()).is_some())
        }
        CallUsage::Other => method_called_after(code, stub_call.range.end as usize).is_some(),
        _ => false,
    }
}

/// Whether the class bound to the namespace the call is made on reads its
/// own id (`ctx.id`, `state.id`), so it could report the id itself.
/// `None` when the class is not found.
pub(super) fn bound_class_may_report_id(
    ws: &Workspace,
    file: FileId,
    call: &CallSite,
) -> Option<bool> {
    let binding = call.callee.get(call.callee.len().checked_sub(2)?)?;
    for worker in workers_reaching(ws, file) {
        for (env_index, env) in worker.envs.iter().enumerate() {
            for b in &env.do_bindings {
                if b.script_name.is_some() || b.name.as_ref().is_none_or(|n| &n.value != binding) {
                    continue;
                }
                let class_name = b.class_name.as_ref()?;
                let (class_file, class) = bound_class(ws, worker, env_index, &class_name.value)?;
                let text = ws.files.text(class_file);
                let body = text.get(class.range.start as usize..class.range.end as usize)?;
                return Some(
                    body.contains("ctx.id")
                        || body.contains("state.id")
                        || body.contains(".id.name"),
                );
            }
        }
    }
    None
}
