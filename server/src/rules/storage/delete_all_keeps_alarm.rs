//! `delete-all-keeps-alarm`: `deleteAll()` that leaves a scheduled alarm
//! behind (compatibility dates before `delete_all_deletes_alarm`).

use super::storage_support::is_storage_call;
use super::support::{calls_in_class, durable_object_classes};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

/// From this compatibility date `deleteAll()` also deletes the alarm.
const DELETES_ALARM_FROM: &str = "2026-02-24";

pub static RULE: Rule = Rule {
    id: "delete-all-keeps-alarm",
    severity: Severity::Warning,
    summary: "`deleteAll()` in a class that uses alarms, without `deleteAlarm()`, where `deleteAll()` keeps the alarm.",
    docs: r#"
## What it finds
`storage.deleteAll()` in a Durable Object class that schedules alarms
(calls `setAlarm` or defines `alarm()`), when the class never calls
`deleteAlarm()` and the Worker's `compatibility_date` is before
2026-02-24 without the `delete_all_deletes_alarm` flag (or it sets
`delete_all_preserves_alarm`). Calls inside `alarm()` itself, and calls
followed by a new `setAlarm` in the same function, are left alone.

## Why it matters
Under those dates `deleteAll()` wipes the data but keeps the scheduled
alarm. The alarm still fires later, wakes the object and runs `alarm()`
against empty storage: the object you meant to reset or retire keeps
running (and billing), and the handler may recreate state.

## Example
```ts
async reset() {
  await this.ctx.storage.deleteAll(); // the alarm set in start() survives
}
```

## How to fix
Call `await this.ctx.storage.deleteAlarm()` before `deleteAll()`, or move
the Worker to `compatibility_date = "2026-02-24"` or later (or add the
`delete_all_deletes_alarm` compatibility flag).
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for class in durable_object_classes(ws) {
        let Some(name) = class.class.name.as_ref().map(|n| n.value.as_str()) else {
            continue;
        };
        let preserves = class.workers.iter().any(|w| {
            w.envs[0]
                .compatibility_flags
                .iter()
                .any(|f| f.value == "delete_all_preserves_alarm")
        });
        let old_date = class
            .compatibility_date()
            .is_some_and(|d| d < DELETES_ALARM_FROM)
            && !class.all_have_flag("delete_all_deletes_alarm");
        if !(preserves || old_date) {
            continue;
        }
        let calls: Vec<_> = calls_in_class(ws, class.file, name).collect();
        let sets_alarm = calls.iter().any(|c| is_storage_call(c, "setAlarm"));
        if !(sets_alarm || class.has_method("alarm")) {
            continue;
        }
        if calls.iter().any(|c| is_storage_call(c, "deleteAlarm")) {
            continue;
        }
        for call in calls.iter().filter(|c| is_storage_call(c, "deleteAll")) {
            if call.scope.method.as_deref() == Some("alarm") {
                continue; // the alarm that is running is already spent
            }
            let rescheduled = calls.iter().any(|c| {
                is_storage_call(c, "setAlarm")
                    && c.scope.function == call.scope.function
                    && c.range.start > call.range.end
            });
            if rescheduled {
                continue;
            }
            let why = if preserves {
                "the `delete_all_preserves_alarm` flag is set".to_string()
            } else {
                format!(
                    "the compatibility date {} is before {DELETES_ALARM_FROM}",
                    class.compatibility_date().unwrap_or_default()
                )
            };
            out.report(
                class.file,
                call.name_range,
                format!("`deleteAll()` does not delete the alarm here ({why}), and `{name}` never calls `deleteAlarm()`: the alarm still fires on the emptied object"),
            );
        }
    }
}
