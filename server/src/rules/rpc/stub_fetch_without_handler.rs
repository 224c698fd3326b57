//! `stub-fetch-without-handler`: `stub.fetch()` on a class with no `fetch`.

use super::stubs::{class_names, lineage, stub_calls, Member};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "stub-fetch-without-handler",
    severity: Severity::Error,
    summary: "`stub.fetch()` on a Durable Object class that defines no `fetch` handler.",
    docs: r#"
## What it finds
`fetch(...)` called on a Durable Object stub whose bound class (with its
base classes in the workspace, down to `DurableObject`) defines no `fetch`
method. dols stays silent when a base class comes from a library
(`Agent`, partyserver's `Server`, ...) or a mixin, since those may provide
`fetch`.

## Why it matters
The `DurableObject` base class has no `fetch` of its own. A request sent
to such an object fails at runtime with "Handler does not export a fetch()
function." Classes written for RPC often lose their `fetch` while the
callers still use it.

## Example
```ts
export class Room extends DurableObject {
  async post(message: string) { /* ... */ }
}

return env.ROOM.getByName("lobby").fetch(request); // Room has no fetch()
```

## How to fix
Call an RPC method instead (`await stub.post(...)`), or add an
`async fetch(request: Request)` method to the class.
"#,
    prevents: &["Handler does not export a fetch() function."],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for call in stub_calls(ws) {
        if call.method != "fetch" {
            continue;
        }
        let Some(classes) = &call.classes else {
            continue;
        };
        if classes.is_empty() {
            continue;
        }
        let lacking = classes.iter().all(|(file, class)| {
            lineage(ws, *file, class).is_some_and(|l| l.member("fetch") == Member::Missing)
        });
        if !lacking {
            continue;
        }
        let diagnostic = out.report(
            call.file,
            call.call.name_range,
            format!(
                "{} defines no `fetch()` handler, so this request fails at runtime; call one of its RPC methods or add `fetch`",
                class_names(classes)
            ),
        );
        for (file, class) in classes {
            let range = class.name.as_ref().map_or(class.range, |n| n.range);
            diagnostic.with_related_mut(*file, range, "class declared here");
        }
    }
}
