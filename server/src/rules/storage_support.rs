//! Helpers shared by the identity, storage, alarm and limit rules: which
//! calls go to a Durable Object's storage, which files are deployed code,
//! how a class chain defines a handler.

use crate::files::FileId;
use crate::index::{CallSite, ClassInfo, ImportKind};
use crate::model::{DoKind, ExportOrigin, Workspace};
use crate::rules::RuleCtx;

use super::support::workers_reaching;

/// `method` called directly on a storage object: `this.ctx.storage.put`,
/// `state.storage.put`, `storage.put` (a helper's parameter or a local
/// alias), `this.storage.put`. Not `storage.kv.put` (synchronous KV) and
/// not any other receiver (KV namespaces, R2 buckets, caches).
pub fn storage_method(call: &CallSite) -> Option<&str> {
    let n = call.callee.len();
    if n < 2 || call.is_new || &*call.callee[0] == "…" || &*call.callee[n - 2] != "storage" {
        return None;
    }
    Some(&*call.callee[n - 1])
}

/// The method of a call made on a Durable Object's storage, as the
/// semantic model sees the receiver (`this.ctx.storage`, `state.storage`,
/// a field or variable holding it, a `DurableObjectStorage` parameter); not
/// a KV namespace, an R2 bucket or a `Map` that happens to be called
/// `storage`.
pub fn do_storage_method<'a>(
    eval: &crate::semantic::Evaluator,
    file: FileId,
    call: &'a CallSite,
) -> Option<&'a str> {
    let method = storage_method(call)?;
    let sem = eval.semantics(file)?;
    let kept = sem.call_at(call.range)?;
    let is_storage =
        eval.receiver(file, &sem.calls[kept as usize]) == crate::semantic::Value::Storage;
    is_storage.then_some(method)
}

pub fn is_storage_call(call: &CallSite, method: &str) -> bool {
    storage_method(call) == Some(method)
}

/// True when some deployed Worker's `main` reaches `file` (not tests,
/// scripts or test harness configs).
pub fn is_deployed_code(ws: &Workspace, file: FileId) -> bool {
    workers_reaching(ws, file).any(|w| !w.is_test_harness)
}

/// Every (file, call) recorded in the files the run checks.
pub fn all_calls<'a>(ws: &'a RuleCtx) -> impl Iterator<Item = (FileId, &'a CallSite)> + 'a {
    ws.source_summaries()
        .flat_map(|(file, summary)| summary.calls.iter().map(move |call| (file, call)))
}

/// Whether the class or one of its bases defines instance method `method`:
/// `Some(true)` / `Some(false)` when the whole chain is known (down to
/// `DurableObject` or a legacy class with no base), `None` when a library
/// base, a mixin or an unresolved base might define it.
pub fn chain_defines(
    ws: &Workspace,
    file: FileId,
    class: &ClassInfo,
    method: &str,
) -> Option<bool> {
    chain_defines_at(ws, file, class, method, 0)
}

fn chain_defines_at(
    ws: &Workspace,
    file: FileId,
    class: &ClassInfo,
    method: &str,
    depth: u32,
) -> Option<bool> {
    if class
        .methods
        .iter()
        .any(|m| m.name.value == method && !m.is_static)
    {
        return Some(true);
    }
    let Some(heritage) = &class.heritage else {
        return Some(false);
    };
    if !heritage.call_args.is_empty() || depth >= 8 {
        return None; // a mixin may add the method
    }
    match crate::model::durable_object_kind(ws, file, class)? {
        DoKind::Native | DoKind::Legacy => Some(false),
        DoKind::Library { .. } => None,
        DoKind::Derived { .. } => {
            let root = heritage.root.as_deref()?;
            let (base_file, base) = resolve_class(ws, file, root)?;
            chain_defines_at(ws, base_file, base, method, depth + 1)
        }
    }
}

/// The class a local name refers to in `file`: declared there, or imported
/// from another file of the workspace.
pub(crate) fn resolve_class<'a>(
    ws: &'a Workspace,
    file: FileId,
    local: &str,
) -> Option<(FileId, &'a ClassInfo)> {
    let summary = ws.summary(file)?;
    if let Some(class) = summary
        .classes
        .iter()
        .find(|c| c.name.as_ref().is_some_and(|n| n.value == local))
    {
        return Some((file, class));
    }
    let (specifier, imported) = summary
        .imports
        .iter()
        .find_map(|import| match &import.kind {
            ImportKind::Named { imported, local: l } if l == local => {
                Some((import.specifier.value.as_str(), imported.as_str()))
            }
            ImportKind::Default { local: l } if l == local => {
                Some((import.specifier.value.as_str(), "default"))
            }
            _ => None,
        })?;
    let target = ws.resolve_import(file, specifier)?;
    let ExportOrigin::Class { file, name } = ws.exports_of(target).get(imported)?.origin.clone()
    else {
        return None;
    };
    ws.summary(file)?
        .classes
        .iter()
        .find(|c| c.name.as_ref().is_some_and(|n| n.value == name))
        .map(|c| (file, c))
}
