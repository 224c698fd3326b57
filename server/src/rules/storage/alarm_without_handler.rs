//! `alarm-without-handler`: `setAlarm` in a class with no `alarm()` method.

use super::storage_support::{chain_defines, is_storage_call};
use super::support::{calls_in_class, durable_object_classes};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::source_edit::{self, line_ending};
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::index::ClassInfo;
use crate::model::Workspace;
use crate::semantic::Expr;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "alarm-without-handler",
    severity: Severity::Error,
    summary: "`storage.setAlarm()` called in a Durable Object class that has no `alarm()` handler.",
    docs: r#"
## What it finds
`storage.setAlarm(...)` called outside the constructor of a Durable Object
class when neither the class nor any of its base classes in the workspace
defines an `alarm()` method. Classes built on a library base (such as
`Agent` or partyserver's `Server`) or through a mixin are not reported,
because the base may define the handler.

## Why it matters
The runtime refuses to schedule an alarm for a class that cannot receive
it: the `setAlarm` call throws, so the request (or RPC call) fails every
time it reaches this line.

## Example
```ts
export class Reminder extends DurableObject {
  async schedule(at: number) {
    await this.ctx.storage.setAlarm(at); // throws: there is no alarm()
  }
}
```

## How to fix
Add the handler to the class:
```ts
async alarm(info?: AlarmInvocationInfo) {
  // the work that should happen at the scheduled time
}
```
The quick fix adds such an empty handler after the class's last method,
indented like its other members (without the type annotation in a
JavaScript file). It is marked unsafe: `setAlarm()` stops throwing, and the
alarms it schedules then fire into a handler that does nothing until you
write the scheduled work into it.
"#,
    prevents: &[
        "Your Durable Object class must have an alarm() handler in order to call setAlarm()",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for class in durable_object_classes(ws) {
        let Some(name) = class.class.name.as_ref() else {
            continue;
        };
        let calls: Vec<_> = calls_in_class(ws, class.file, &name.value)
            .filter(|c| is_storage_call(c, "setAlarm"))
            .filter(|c| c.scope.method.as_deref() != Some("constructor"))
            .collect();
        let Some(first) = calls.first() else { continue };
        if chain_defines(ws, class.file, class.class, "alarm") != Some(false) {
            continue;
        }
        if may_install_handlers(ws, class.file, class.class.range) {
            continue;
        }
        let more = match calls.len() {
            1 => String::new(),
            n => format!(" ({n} `setAlarm` calls in this class)"),
        };
        let diagnostic = out.report(
            class.file,
            first.name_range,
            format!(
                "`{}` has no `alarm()` handler, so `setAlarm()` throws at runtime{more}",
                name.value
            ),
        );
        diagnostic.with_related_mut(
            class.file,
            name.range,
            "class declared here without `alarm()`",
        );
        for other in &calls[1..] {
            diagnostic.with_related_mut(class.file, other.name_range, "also calls `setAlarm()`");
        }
        if let Some(fix) = handler_fix(ws, class.file, class.class) {
            diagnostic.add_fix(fix);
        }
    }
}

/// An empty `alarm()` method after the class's last method. Unsafe: the
/// `setAlarm()` call that threw now succeeds, and until the body is
/// written the alarm it schedules fires into a handler that does nothing,
/// so a loud failure turns into silently skipped work.
fn handler_fix(ws: &Workspace, file: crate::files::FileId, class: &ClassInfo) -> Option<Fix> {
    let source = ws.files.get(file);
    let parsed = source_edit::parse(&source.path, &source.text)?;
    let at = parsed.member_insertion(class.range)?;
    let eol = line_ending(&source.text);
    let parameter = if source_edit::is_javascript(&source.path) {
        "alarmInfo"
    } else {
        "alarmInfo?: AlarmInvocationInfo"
    };
    let (indent, inner) = (&at.indent, &at.inner_indent);
    let method = format!(
        "{eol}{eol}{indent}async alarm({parameter}) {{{eol}\
         {inner}// Runs when the time given to setAlarm() comes: do the scheduled work here.{eol}\
         {indent}}}"
    );
    Some(Fix::new(
        "Add an empty `alarm()` handler to the class",
        Safety::Unsafe,
        SourceChange::single(file, TextEdit::insert(at.offset, method)),
    ))
}

/// The class hands `this` to other code (`Lifecycle.install(this)`,
/// `new Scheduler(this)`) or the file patches a prototype
/// (`X.prototype.alarm = ...`, `Object.defineProperty(...)`): handlers may
/// be added at runtime, so a missing `alarm()` method proves nothing.
fn may_install_handlers(ws: &Workspace, file: FileId, class: TextRange) -> bool {
    let Some(summary) = ws.summary(file) else {
        return true;
    };
    let sem = &summary.semantic;
    let Some(class) = sem.classes.iter().position(|c| c.range == class) else {
        return true; // unsure
    };
    let passes_this = sem.calls.iter().any(|call| {
        call.args
            .iter()
            .any(|&arg| matches!(sem.expr(arg), Expr::This(c) if *c as usize == class))
    });
    let patches = sem.calls.iter().any(|call| &*call.name == "defineProperty")
        || sem.exprs.iter().any(|e| {
            matches!(e, Expr::Member(object, key) if &**key == "alarm"
                && matches!(sem.expr(*object), Expr::Member(_, p) if &**p == "prototype"))
        });
    passes_this || patches
}
