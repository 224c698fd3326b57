//! `timer-blocks-hibernation`: `setInterval`, and `setTimeout` that fires
//! long after the request or re-arms itself, in a Durable Object class.

use tree_sitter::Node;

use super::lifecycle_support::{class_calls, class_name, is_extended, last};
use super::support::{durable_object_classes, ClassContext};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::source_edit::{self, ParsedSource};
use crate::fix::source_rewrite::{
    append_members, callback_body, class_uses_override, declared_names, durable_object_state,
    has_multiline_literal, identifier_uses, line_indent, method_text, node_at, node_text, reindent,
    CallbackBody,
};
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::index::{ArgValue, CallSite, CallUsage};
use crate::model::Workspace;
use crate::semantic::{Expr, ExprId, FileSemantics, FuncOwner};
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

For a `setInterval` the quick fix (unsafe) does this: where the interval
started it schedules the first alarm if none is pending (in a constructor,
inside `blockConcurrencyWhile`, so a wake-up does not push the next run
back), and it adds an `alarm()` that runs the callback's work and sets the
next alarm in a `finally`. The chain then keeps going across evictions and
deploys until you call `deleteAlarm()`, and instance fields the work reads
may have been reset in between. It is offered only for the class's one
interval, with a literal or module-level constant period, a callback that
takes no arguments and uses nothing local to the function that starts it
(`() => { ... }`, `() => this.tick()`, `this.tick.bind(this)`), started in
the constructor or an async method of a plain `DurableObject` subclass with
no `alarm()` and no other alarm use, and not kept for `clearInterval`.
There is no quick fix for `setTimeout`: a single alarm would replace, not
add to, timeouts that overlap.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn is_timer(call: &CallSite, name: &str) -> bool {
    let segments: Vec<&str> = call.callee.iter().map(|s| &**s).collect();
    !call.is_new
        && (segments == [name] || segments == ["globalThis", name] || segments == ["self", name])
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        let calls = class_calls(ws, &context);
        let name = class_name(&context);
        let Some(sem) = ws.summary(context.file).map(|s| &*s.semantic) else {
            continue;
        };
        for call in &calls {
            if call.scope.in_awaited_promise {
                continue;
            }
            if is_timer(call, "setInterval") {
                let diagnostic = out.report(
                    context.file,
                    call.name_range,
                    format!(
                        "`setInterval` keeps `{name}` awake and billed while it runs, and stops when the object is evicted; schedule the work with `ctx.storage.setAlarm()` and an `alarm()` handler"
                    ),
                );
                if let Some(fix) = alarm_fix(ws, &context, &calls, call) {
                    diagnostic.add_fix(fix);
                }
                continue;
            }
            if !is_timer(call, "setTimeout")
                || in_promise_executor(sem, call.scope.function)
                || is_cancelled_guard(sem, call)
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
fn in_promise_executor(sem: &FileSemantics, function: TextRange) -> bool {
    sem.funcs.iter().any(|f| {
        f.range == function
            && matches!(f.owner, FuncOwner::Callback { call, arg: 0 }
                if sem.call(call).is_some_and(|c| c.is_new && &*c.name == "Promise"))
    })
}

/// `t = setTimeout(...)` (a variable or a field) with a `clearTimeout(t)`
/// of the same variable or field somewhere in the file: a timeout guard
/// that the normal path cancels.
fn is_cancelled_guard(sem: &FileSemantics, call: &CallSite) -> bool {
    let CallUsage::AssignedTo(names) = &call.usage else {
        return false;
    };
    let class = sem.class_at(call.range.start);
    let holds_timer = |arg: ExprId| match sem.expr(arg) {
        Expr::Ref(decl) => sem.decl(*decl).is_some_and(|d| {
            names.iter().any(|n| **n == *d.name)
                && sem.lookup(&d.name, call.range.start) == Some(*decl)
        }),
        Expr::Member(object, key) => {
            matches!(sem.expr(*object), Expr::This(c) if Some(*c) == class)
                && names
                    .iter()
                    .any(|n| n.strip_prefix("this.") == Some(&**key))
        }
        _ => false,
    };
    sem.calls.iter().any(|c| {
        matches!(&*c.name, "clearTimeout" | "clearInterval")
            && c.args.first().is_some_and(|&arg| holds_timer(arg))
    })
}

/// The quick fix for a `setInterval` loop: the first run is scheduled with
/// `storage.setAlarm` where the interval was started (only when no alarm
/// is pending yet, since a constructor runs again on every wake-up and must
/// not push the next run back), and a new `alarm()` does the callback's
/// work and schedules the next run in a `finally`. Offered only for the one
/// interval of a plain Durable Object class that has no `alarm()` and uses
/// no alarm otherwise (a second alarm user would fight over the single
/// alarm), started as a statement of its own (its id is not kept for
/// `clearInterval`) directly in the constructor or an async method, with a
/// literal or module-level constant period and a callback that takes no
/// arguments and reads nothing local to that function: `() => { ... }`,
/// `() => this.tick()` or `this.tick.bind(this)`.
fn alarm_fix(
    ws: &Workspace,
    context: &ClassContext,
    calls: &[&CallSite],
    call: &CallSite,
) -> Option<Fix> {
    let class = context.class;
    let has_alarm = class.methods.iter().any(|m| m.name.value == "alarm")
        || class.fields.iter().any(|f| f.name.value == "alarm");
    let alarm_calls = calls
        .iter()
        .any(|c| matches!(last(c), "setAlarm" | "getAlarm" | "deleteAlarm"));
    let intervals = calls.iter().filter(|c| is_timer(c, "setInterval")).count();
    if has_alarm
        || alarm_calls
        || intervals != 1
        || call.usage != CallUsage::Floating
        || is_extended(ws, context)
    {
        return None;
    }
    let in_constructor = class
        .constructor
        .as_ref()
        .is_some_and(|c| c.range == call.scope.function);
    let function_range = if in_constructor {
        call.scope.function
    } else {
        let method = class.methods.iter().find(|m| {
            m.range == call.scope.function && !m.is_static && !m.is_field && m.is_async
        })?;
        method.range
    };
    let path = ws.files.path(context.file);
    let text = ws.files.text(context.file);
    let source = source_edit::parse(path, text)?;
    let (state, ready) = durable_object_state(&source, class, context.kind.as_ref())?;
    if in_constructor && (call.range.start as usize) < ready {
        return None;
    }
    let function = node_at(&source, function_range, &["method_definition"])?;
    let call_node = node_at(&source, call.range, &["call_expression"])?;
    let statement = call_node.parent()?;
    if statement.kind() != "expression_statement" {
        return None;
    }
    let arguments = call_node.child_by_field_name("arguments")?;
    let args: Vec<Node> = arguments
        .named_children(&mut arguments.walk())
        .filter(|n| n.kind() != "comment")
        .collect();
    let [callback, period] = args.as_slice() else {
        return None;
    };
    let period = period_text(&source, *period, function)?;

    let at = source.member_insertion(class.range)?;
    let unit = at.inner_indent.strip_prefix(at.indent.as_str())?;
    let newline = source_edit::line_ending(text);
    let semicolon = if node_text(&source, statement).ends_with(';') {
        ";"
    } else {
        ""
    };
    let work_indent = format!("{}{unit}", at.inner_indent);
    let work = interval_work(&source, class, *callback, function, &work_indent, semicolon)?;

    let set_alarm = format!("await {state}.storage.setAlarm(Date.now() + {period}){semicolon}");
    let indent = line_indent(text, statement.start_byte());
    let schedule_if_idle = |base: &str| {
        format!(
            "if ((await {state}.storage.getAlarm()) === null) {{{newline}{base}{unit}{set_alarm}{newline}{base}}}"
        )
    };
    let start = if in_constructor {
        let inner = format!("{indent}{unit}");
        format!(
            "void {state}.blockConcurrencyWhile(async () => {{{newline}{inner}{}{newline}{indent}}}){semicolon}",
            schedule_if_idle(&inner)
        )
    } else {
        schedule_if_idle(indent)
    };
    let prefix = if class_uses_override(&source, class.range) {
        "override async"
    } else {
        "async"
    };
    let inner = &at.inner_indent;
    let body = format!(
        "{inner}try {{{newline}{work}{newline}{inner}}} finally {{{newline}{inner}{unit}{set_alarm}{newline}{inner}}}"
    );
    let alarm = method_text(
        &format!("{prefix} alarm()"),
        Some(&body),
        &at.indent,
        newline,
    );

    let mut change = SourceChange::default();
    change.push(
        context.file,
        TextEdit::replace(
            TextRange::new(statement.start_byte(), statement.end_byte()),
            start,
        ),
    );
    change.push(
        context.file,
        append_members(&source, class.range, &[alarm], newline)?,
    );
    Some(Fix::new(
        "Run the interval's work in an `alarm()` that schedules its next run".to_string(),
        Safety::Unsafe,
        change,
    ))
}

/// The interval as written: a number literal, or a module-level
/// `const NAME = <number>` that nothing in `function` shadows.
fn period_text(source: &ParsedSource, period: Node, function: Node) -> Option<String> {
    let text = node_text(source, period);
    match period.kind() {
        "number" => Some(text.to_string()),
        "identifier" if !declared_names(source, function, None).contains(text) => {
            let root = source.tree.root_node();
            let mut cursor = root.walk();
            let constant = root.named_children(&mut cursor).any(|statement| {
                let declaration = match statement.kind() {
                    "export_statement" => statement.child_by_field_name("declaration"),
                    _ => Some(statement),
                };
                declaration.is_some_and(|d| {
                    d.kind() == "lexical_declaration"
                        && d.child_by_field_name("kind")
                            .is_some_and(|k| k.kind() == "const")
                        && d.named_children(&mut d.walk()).any(|declarator| {
                            declarator.kind() == "variable_declarator"
                                && declarator
                                    .child_by_field_name("name")
                                    .is_some_and(|n| node_text(source, n) == text)
                                && declarator
                                    .child_by_field_name("value")
                                    .is_some_and(|v| v.kind() == "number")
                        })
                })
            });
            constant.then(|| text.to_string())
        }
        _ => None,
    }
}

/// What one tick of the interval does, as statements indented with
/// `indent`: the body of `() => { ... }` / `() => expr`, or `this.m()` for
/// `this.m.bind(this)`. A call of an async method of the class is awaited,
/// so errors reach the alarm and the next run is scheduled after it.
fn interval_work(
    source: &ParsedSource,
    class: &crate::index::ClassInfo,
    callback: Node,
    function: Node,
    indent: &str,
    semicolon: &str,
) -> Option<String> {
    let await_if_async = |expression: &str| {
        let method = expression
            .strip_prefix("this.")
            .and_then(|rest| rest.strip_suffix("()"))
            .filter(|name| {
                name.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            });
        let is_async = method.is_some_and(|name| {
            class
                .methods
                .iter()
                .any(|m| m.name.value == name && !m.is_static && m.is_async)
        });
        if is_async {
            format!("await {expression}")
        } else {
            expression.to_string()
        }
    };
    match callback.kind() {
        "arrow_function" => {
            let params = callback.child_by_field_name("parameters")?;
            if params.named_child_count() != 0 || has_multiline_literal(source, callback) {
                return None;
            }
            let outer = declared_names(source, function, Some(callback));
            let body = callback.child_by_field_name("body")?;
            let borrows = identifier_uses(body).into_iter().any(|node| {
                let name = node_text(source, node);
                name == "arguments" || outer.contains(name)
            });
            if borrows {
                return None;
            }
            match callback_body(source, callback, &[])? {
                CallbackBody::Block(code) if code.trim().is_empty() => None,
                CallbackBody::Block(code) => Some(reindent(
                    &code,
                    indent,
                    source_edit::line_ending(source.text),
                )),
                CallbackBody::Expression(expression) => Some(format!(
                    "{indent}{}{semicolon}",
                    await_if_async(&expression)
                )),
            }
        }
        // `this.tick.bind(this)`
        "call_expression" => {
            let bind = callback.child_by_field_name("function")?;
            let arguments = callback.child_by_field_name("arguments")?;
            let bound = bind.child_by_field_name("object")?;
            let this_arg = arguments.named_child(0)?;
            let receiver = bound.child_by_field_name("object")?;
            let method = bound.child_by_field_name("property")?;
            let plain = bind.kind() == "member_expression"
                && bind
                    .child_by_field_name("property")
                    .is_some_and(|p| node_text(source, p) == "bind")
                && bound.kind() == "member_expression"
                && receiver.kind() == "this"
                && method.kind() == "property_identifier"
                && arguments.named_child_count() == 1
                && this_arg.kind() == "this";
            let name = node_text(source, method);
            let known = class
                .methods
                .iter()
                .any(|m| m.name.value == name && !m.is_static && !m.is_field);
            (plain && known).then(|| {
                format!(
                    "{indent}{}{semicolon}",
                    await_if_async(&format!("this.{name}()"))
                )
            })
        }
        _ => None,
    }
}
