//! `alarm-retry-unsafe`: an `alarm()` that reschedules itself only after
//! work that can throw, and (info) one that repeats non-idempotent requests
//! on retries without looking at `retryCount`.

use super::storage_support::{block_keyword, is_storage_call, mask_code, next_code_byte};
use super::support::{calls_in_class, durable_object_classes};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::index::{ArgValue, CallSite};
use crate::model::Workspace;
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
  `DELETE` requests with `fetch` and never looks at `retryCount` /
  `isRetry` of its `AlarmInvocationInfo` (nor mentions idempotency).

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

fn check(ws: &Workspace, out: &mut Reporter) {
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
        let text = ws.files.text(class.file);
        let code = mask_code(text);
        reschedule_after_work(class.file, alarm.body, &calls, &code, out);
        repeated_requests(class.file, alarm, &calls, text, out);
    }
}

fn reschedule_after_work(
    file: crate::files::FileId,
    body: TextRange,
    calls: &[&CallSite],
    code: &[u8],
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
    let Some(set) = sets.iter().find(|c| c.scope.function.contains_range(body)) else {
        return;
    };
    let end = set.range.start as usize;
    // Walk the handler body up to the setAlarm, tracking blocks.
    let mut stack: Vec<(String, usize)> = Vec::new(); // (keyword, awaits before it)
    let mut risky: Vec<usize> = Vec::new();
    let mut i = body.start as usize + 1;
    while i < end {
        match code[i] {
            b'{' => stack.push((block_keyword(code, i), risky.len())),
            b'}' => {
                if let Some((keyword, before)) = stack.pop() {
                    let next_is_catch = next_code_byte(code, i + 1)
                        .is_some_and(|(p, _)| code[p..].starts_with(b"catch"));
                    if keyword == "try" && next_is_catch {
                        risky.truncate(before); // caught: those awaits cannot skip the setAlarm
                    }
                }
            }
            b'a' if code[i..].starts_with(b"await")
                && !code[i - 1].is_ascii_alphanumeric()
                && code.get(i + 5).is_some_and(|b| !b.is_ascii_alphanumeric()) =>
            {
                let expr_end = code[i..]
                    .iter()
                    .position(|b| *b == b'(' || *b == b';')
                    .map_or(code.len(), |p| i + p);
                let expr = &code[i..expr_end];
                let is_storage = expr.windows(8).any(|w| w == b"storage.");
                if !is_storage {
                    risky.push(i);
                }
                i += 5;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if !stack.is_empty() {
        return; // a conditional or guarded reschedule: not the plain chain this rule is about
    }
    let Some(first) = risky.first() else { return };
    out.report(
        file,
        set.name_range,
        "`alarm()` reschedules itself only after awaited work: if that work throws, the retries end and the next alarm is never set; call `setAlarm` first or in a `finally` block",
    )
    .with_related_mut(file, TextRange::new(*first, first + 5), "this awaited work may throw before the next alarm is set");
}

const UNSAFE_METHODS: &[&str] = &["POST", "PUT", "PATCH", "DELETE"];

fn repeated_requests(
    file: crate::files::FileId,
    alarm: &crate::index::Method,
    calls: &[&CallSite],
    text: &str,
    out: &mut Reporter,
) {
    let body = text
        .get(alarm.body.start as usize..alarm.body.end as usize)
        .unwrap_or_default();
    if body.contains("retryCount")
        || body.contains("isRetry")
        || body.to_lowercase().contains("idempoten")
    {
        return;
    }
    let unsafe_fetch = calls.iter().find(|c| {
        c.callee == ["fetch"]
            && c.args.get(1).is_some_and(|init| match &init.value {
                ArgValue::Object(props) => props.iter().any(|(key, value)| {
                    key == "method"
                        && matches!(&value.value, ArgValue::String { value, .. } if UNSAFE_METHODS.contains(&value.to_uppercase().as_str()))
                }),
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
