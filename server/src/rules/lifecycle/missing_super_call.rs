//! `missing-super-call`: a Durable Object constructor that touches `this`
//! before calling `super(...)`, never calls it, or calls `super()` without
//! the state and env.

use super::lifecycle_support::{class_calls, class_name, last};
use super::support::durable_object_classes;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::model::DoKind;

pub static RULE: Rule = Rule {
    id: "missing-super-call",
    severity: Severity::Error,
    summary: "A Durable Object constructor uses `this` before `super(ctx, env)`, or never calls it.",
    docs: r#"
## What it finds
Constructors of classes that extend `DurableObject` (directly, through a
workspace base class or a library base such as `Agent`) that
- use `this` before the `super(...)` call has run (also inside the
  arguments of `super` itself), or
- have no `super(...)` call at all, or
- extend `DurableObject` directly and call `super()` with no arguments,
  which leaves `this.ctx` and `this.env` undefined.

## Why it matters
A derived class must call its base constructor before it can use `this`.
Otherwise the constructor throws a `ReferenceError` when the object starts,
so every request to the object fails. TypeScript reports it too, but plain
JavaScript and `// @ts-ignore`d code only find out at runtime. `super()`
without arguments does not throw, but `this.ctx.storage` then fails on the
first use.

## Example
```ts
export class Counter extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    this.count = 0; // `this` before super
    super(ctx, env);
  }
}
```

## How to fix
Make `super(ctx, env)` the first statement of the constructor and pass the
constructor's own parameters through.
"#,
    prevents: &[
        "Must call super constructor in derived class before accessing 'this' or returning from derived constructor",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for context in durable_object_classes(ws) {
        if context.class.heritage.is_none() || context.kind.is_none() {
            continue;
        }
        let Some(constructor) = &context.class.constructor else {
            continue;
        };
        let name = class_name(&context);
        let keyword = constructor.name_range;
        match (constructor.super_call, constructor.this_before_super) {
            (_, Some(this)) => {
                let diagnostic = out.report(
                    context.file,
                    this,
                    match constructor.super_call {
                        Some(_) => format!(
                            "`this` is used before `super(...)` in the constructor of `{name}`; the constructor throws a ReferenceError and the object never starts"
                        ),
                        None => format!(
                            "the constructor of `{name}` uses `this` but never calls `super(ctx, env)`; it throws a ReferenceError and the object never starts"
                        ),
                    },
                );
                if let Some(call) = constructor.super_call {
                    diagnostic.with_related_mut(
                        context.file,
                        call,
                        "`super(...)` is called only here",
                    );
                }
            }
            (None, None) => {
                out.report(
                    context.file,
                    keyword,
                    format!(
                        "the constructor of `{name}` never calls `super(ctx, env)`; a derived class that does not call its base constructor throws when the object starts"
                    ),
                );
            }
            (Some(call), None) => {
                if context.kind != Some(DoKind::Native) || constructor.params.len() < 2 {
                    continue;
                }
                let empty = class_calls(ws, &context).into_iter().any(|c| {
                    last(c) == "super"
                        && c.callee.len() == 1
                        && c.range == call
                        && c.args.is_empty()
                });
                if empty {
                    out.report(
                        context.file,
                        call,
                        format!(
                            "`super()` is called without `ctx` and `env`, so `this.ctx` and `this.env` stay undefined in `{name}`; pass them on: `super({}, {})`",
                            constructor.params[0], constructor.params[1]
                        ),
                    );
                }
            }
        }
    }
}
