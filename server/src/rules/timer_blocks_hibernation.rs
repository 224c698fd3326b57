//! `timer-blocks-hibernation`: `setInterval`, and `setTimeout` that fires
//! long after the request or re-arms itself, in a Durable Object class.

use super::lifecycle_support::{class_calls, class_name, slice};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::index::{ArgValue, CallSite, CallUsage};
use crate::model::Workspace;
use crate::text::TextRange;

/// An object with nothing pending hibernates after about this long idle
/// (do-facts §2, "Idle time before hibernation"); a timer due later than
/// that is what keeps it awake.
const IDLE_BEFORE_HIBERNATION_MS: f64 = 10_000.0;

pub static RULE: Rule = Rule {
    id: "timer-blocks-hibernation",
    severity: Severity::Warning,
    summary: "`setInterval`, or a long or self-rescheduling `setTimeout`, keeps a Durable Object awake and billed; use `storage.setAlarm`.",
    docs: r#"
## What it finds
In a Durable Object class:
- any `setInterval(...)`;
- a `setTimeout(...)` whose callback schedules another `setTimeout` (a
  timer loop), or whose delay is a literal of 10 seconds or more.

An awaited sleep inside a running request (`await new Promise((r) =>
setTimeout(r, 500))`) is not reported: the request is live anyway. Short
one-off timers (debounces) are not reported either.

## Why it matters
An object can only hibernate (or be evicted) when nothing is pending, and a
scheduled timer counts as pending. A timer loop keeps the object in memory
for as long as it runs, and you pay duration charges for all of it;
hibernatable WebSockets stop saving anything. Timers are also lost when the
object is evicted or the code is redeployed, so the work they were meant
to do silently stops.

## Example
```ts
export class Presence extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    setInterval(() => this.sweep(), 30_000);
  }
}
```

## How to fix
Schedule the work with `this.ctx.storage.setAlarm(Date.now() + ms)` and do
it in the `alarm()` handler, setting the next alarm from there. Alarms
survive hibernation, eviction and deploys, and the object sleeps in between.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn is_timer(call: &CallSite, name: &str) -> bool {
    let segments: Vec<&str> = call.callee.iter().map(String::as_str).collect();
    !call.is_new
        && (segments == [name] || segments == ["globalThis", name] || segments == ["self", name])
}

fn check(ws: &Workspace, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let calls = class_calls(ws, &context);
        let name = class_name(&context);
        let text = ws.files.text(context.file);
        let class_text = slice(text, context.class.range);
        for call in &calls {
            if call.scope.in_awaited_promise {
                continue;
            }
            if is_timer(call, "setInterval") {
                out.report(
                    context.file,
                    call.name_range,
                    format!(
                        "`setInterval` keeps `{name}` awake and billed while it runs, and stops when the object is evicted; schedule the work with `ctx.storage.setAlarm()` and an `alarm()` handler"
                    ),
                );
                continue;
            }
            if !is_timer(call, "setTimeout")
                || in_promise_executor(text, call.scope.function)
                || is_cancelled_guard(class_text, call)
            {
                continue;
            }
            let callback = match call.args.first().map(|a| &a.value) {
                Some(ArgValue::Function { body, .. }) => Some(*body),
                _ => None,
            };
            let rearms = callback.is_some_and(|body| {
                calls.iter().any(|inner| {
                    inner.range != call.range
                        && body.contains_range(inner.range)
                        && is_timer(inner, "setTimeout")
                })
            });
            // The re-arming inner timer is part of the same loop.
            let inside_loop_of_other = calls.iter().any(|outer| {
                outer.range != call.range
                    && outer.range.contains_range(call.range)
                    && is_timer(outer, "setTimeout")
                    && !outer.scope.in_awaited_promise
                    && matches!(outer.args.first().map(|a| &a.value), Some(ArgValue::Function { body, .. }) if body.contains_range(call.range))
            });
            if inside_loop_of_other {
                continue;
            }
            let delay = match call.args.get(1).map(|a| &a.value) {
                Some(ArgValue::Number(ms)) => Some(*ms),
                _ => None,
            };
            let long = delay.is_some_and(|ms| ms >= IDLE_BEFORE_HIBERNATION_MS);
            if rearms {
                out.report(
                    context.file,
                    call.name_range,
                    format!(
                        "this `setTimeout` re-arms itself, so `{name}` always has a timer pending and never hibernates; schedule the work with `ctx.storage.setAlarm()` and an `alarm()` handler"
                    ),
                );
            } else if long {
                out.report(
                    context.file,
                    call.name_range,
                    format!(
                        "a {} s `setTimeout` keeps `{name}` awake and billed until it fires, and is lost if the object is evicted first; use `ctx.storage.setAlarm()` for delayed work",
                        delay.unwrap_or_default() / 1000.0
                    ),
                );
            }
        }
    }
}

/// `new Promise((resolve, reject) => { ... })`: a timer set up while a
/// caller waits on the promise is a timeout or a sleep of a live request.
fn in_promise_executor(text: &str, function: TextRange) -> bool {
    let before = text.get(..function.start as usize).unwrap_or("").trim_end();
    let Some(before) = before.strip_suffix('(') else {
        return false;
    };
    let before = before.trim_end();
    let before = match before.strip_suffix('>') {
        // `new Promise<Result>(`
        Some(generic) => generic.rfind('<').map_or(generic, |at| &generic[..at]),
        None => before,
    };
    before.trim_end().ends_with("new Promise")
}

/// `t = setTimeout(...)` with a `clearTimeout(t)` in the class: a timeout
/// guard that the normal path cancels.
fn is_cancelled_guard(class_text: &str, call: &CallSite) -> bool {
    let CallUsage::AssignedTo(names) = &call.usage else {
        return false;
    };
    names.iter().any(|name| {
        class_text.contains(&format!("clearTimeout({name})"))
            || class_text.contains(&format!("clearTimeout({name}!)"))
    })
}
