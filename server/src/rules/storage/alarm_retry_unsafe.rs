//! `alarm-retry-unsafe`: an `alarm()` that reschedules itself only after
//! work that can throw, and (info) one that repeats non-idempotent requests
//! on retries without looking at `retryCount`.

use super::storage_support::is_storage_call;
use super::support::{calls_in_class, durable_object_classes};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::index::{ArgValue, CallSite};
use crate::model::Workspace;
use crate::semantic::{DeclKind, Evaluator, Expr, ExprId, FuncId, ScopeKind, Value};
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "alarm-retry-unsafe",
    severity: Severity::Warning,
    summary: "An `alarm()` handler that reschedules itself only after awaited work that can throw, or that repeats non-idempotent requests on retry.",
    docs: r#"
## What it finds
- An `alarm()` handler that calls `storage.setAlarm(...)` to schedule its
  next run unconditionally (at the top level of the handler, not in a
  `finally`, `catch` or `if` block, and with no earlier `setAlarm`) but
  only after awaited work that is not wrapped in a `try`/`catch`. Awaits
  of storage calls are not counted as risky work.
- At info level: an `alarm()` handler that sends `POST`, `PUT`, `PATCH` or
  `DELETE` requests with the global `fetch`, never reads its
  `AlarmInvocationInfo` parameter (`retryCount`, `isRetry`), and sends no
  `Idempotency-Key` header (nor declares an idempotency key).

## Why it matters
When `alarm()` throws, the runtime retries it a few times with backoff and
then gives up. If the next `setAlarm` sits after the failing work, no retry
ever reaches it: the recurring chain (a poll, a cleanup, a digest) stops
silently and nothing schedules it again. Alarms are delivered at least once,
so a retried handler also repeats every request it already made.

## Example
```ts
async alarm() {
  await this.syncUpstream();                              // throws on an outage
  await this.ctx.storage.setAlarm(Date.now() + 60_000);   // never reached
}
```

## How to fix
Schedule the next run first, or in a `finally` block:
```ts
async alarm() {
  await this.ctx.storage.setAlarm(Date.now() + 60_000);
  await this.syncUpstream();
}
```
For side effects that must not repeat, check `alarmInfo.retryCount` (or
send an idempotency key) before making the request again.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for class in durable_object_classes(ws) {
        let Some(name) = class.class.name.as_ref().map(|n| n.value.as_str()) else {
            continue;
        };
        let Some(alarm) = class
            .class
            .methods
            .iter()
            .find(|m| m.name.value == "alarm" && !m.is_static)
        else {
            continue;
        };
        let calls: Vec<&CallSite> = calls_in_class(ws, class.file, name)
            .filter(|c| alarm.range.contains_range(c.range))
            .collect();
        reschedule_after_work(ws, class.file, alarm, &calls, out);
        repeated_requests(ws, class.file, alarm, &calls, out);
    }
}

fn reschedule_after_work(
    ws: &Workspace,
    file: crate::files::FileId,
    alarm: &crate::index::Method,
    calls: &[&CallSite],
    out: &mut Reporter,
) {
    let sets: Vec<&&CallSite> = calls
        .iter()
        .filter(|c| is_storage_call(c, "setAlarm"))
        .collect();
    if sets.is_empty()
        || sets
            .iter()
            .any(|c| !c.scope.after_await || c.scope.in_finally)
    {
        return; // scheduled before the work, or whatever happens
    }
    // Only a setAlarm written directly in the handler (not in a callback).
    let Some(set) = sets
        .iter()
        .find(|c| c.scope.function.contains_range(alarm.body))
    else {
        return;
    };
    let Some(sem) = ws.summary(file).map(|s| &s.semantic) else {
        return;
    };
    let Some(handler) = sem.funcs.iter().position(|f| f.range == alarm.range) else {
        return;
    };
    let handler = handler as FuncId;
    // A setAlarm inside a block (a condition, a guard) is not the plain
    // reschedule-at-the-end this rule is about.
    let at_top = sem
        .scope_at(set.range.start)
        .is_some_and(|s| sem.scopes[s as usize].kind == ScopeKind::Function(handler));
    if !at_top {
        return;
    }
    // Awaited work of the handler itself before the setAlarm that a throw
    // would skip it past: not caught, and not storage (which does not fail
    // for reasons a retry would fix).
    let eval = Evaluator::new(ws);
    let on_storage = |expr: ExprId| {
        let object = match sem.expr(expr) {
            Expr::Call { callee, .. } => match sem.expr(*callee) {
                Expr::Member(object, _) => *object,
                _ => return false,
            },
            Expr::Member(object, _) => *object,
            _ => return false,
        };
        matches!(eval.value(file, object), Value::Storage | Value::Sql)
    };
    let Some(risky) = sem.awaits.iter().find(|a| {
        a.func == Some(handler)
            && a.range.end <= set.range.start
            && !a.caught
            && !on_storage(a.value)
    }) else {
        return;
    };
    let first = risky.range.start as usize;
    out.report(
        file,
        set.name_range,
        "`alarm()` reschedules itself only after awaited work: if that work throws, the retries end and the next alarm is never set; call `setAlarm` first or in a `finally` block",
    )
    .with_related_mut(file, TextRange::new(first, first + 5), "this awaited work may throw before the next alarm is set");
}

const UNSAFE_METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

fn repeated_requests(
    ws: &Workspace,
    file: crate::files::FileId,
    alarm: &crate::index::Method,
    calls: &[&CallSite],
    out: &mut Reporter,
) {
    let Some(sem) = ws.summary(file).map(|s| &s.semantic) else {
        return;
    };
    let Some(handler) = sem.funcs.iter().position(|f| f.range == alarm.range) else {
        return;
    };
    if looks_at_retries(sem, handler as FuncId) {
        return;
    }
    let unsafe_fetch = calls.iter().find(|c| {
        is_global_fetch(sem, c)
            && c.args.get(1).is_some_and(|init| match &init.value {
                ArgValue::Object(props) => {
                    props.iter().any(|(key, value)| {
                        key == "method"
                            && matches!(&value.value, ArgValue::String { value, .. } if UNSAFE_METHODS.contains(&value.to_uppercase().as_str()))
                    }) && !sends_idempotency_key(props)
                }
                _ => false,
            })
    });
    let Some(request) = unsafe_fetch else { return };
    out.report(
        file,
        alarm.name.range,
        "alarms are delivered at least once and retried after a failure, so this handler may send the same request again; check `alarmInfo.retryCount` (or send an idempotency key)",
    )
    .set_severity(Severity::Info)
    .with_related_mut(file, request.range, "a request that is not idempotent");
}

/// The handler reads its `AlarmInvocationInfo` (`alarmInfo.retryCount`,
/// a destructured `{ isRetry }`, the object passed on), or declares
/// something about idempotency (`const idempotencyKey = ...`): it may
/// already handle retries, so the rule stays silent.
fn looks_at_retries(sem: &crate::semantic::FileSemantics, handler: FuncId) -> bool {
    sem.decls.iter().enumerate().any(|(id, decl)| {
        let info = matches!(decl.kind, DeclKind::Param { func, index: 0 } if func == handler)
            && !sem.uses_of(id as crate::semantic::DeclId).is_empty();
        let inside = sem
            .func(handler)
            .is_some_and(|f| f.range.contains_range(decl.range));
        info || (inside && decl.name.to_ascii_lowercase().contains("idempoten"))
    })
}

/// `fetch(url, init)` of the global `fetch`, not a local function or a
/// method of the same name.
fn is_global_fetch(sem: &crate::semantic::FileSemantics, call: &CallSite) -> bool {
    sem.call_at(call.range)
        .and_then(|id| sem.call(id))
        .is_some_and(|c| {
            c.receiver.is_none() && matches!(sem.expr(c.callee), Expr::Global(g) if &**g == "fetch")
        })
}

/// `headers: { "Idempotency-Key": key }` in a request's init.
fn sends_idempotency_key(props: &[(String, crate::index::Arg)]) -> bool {
    props.iter().any(|(key, value)| {
        key == "headers"
            && matches!(&value.value, ArgValue::Object(headers) if headers
                .iter()
                .any(|(name, _)| name.to_ascii_lowercase().contains("idempoten")))
    })
}
