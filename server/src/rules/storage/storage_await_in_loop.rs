//! `storage-await-in-loop`: awaited single-key storage calls in a `for...of`
//! loop over the keys, where one batch call would do.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::index::CallUsage;
use crate::semantic::{Evaluator, ScopeKind, Value};

pub static RULE: Rule = Rule {
    id: "storage-await-in-loop",
    severity: Severity::Hint,
    summary: "Awaited single-key `storage.get`/`put`/`delete` inside a `for...of` loop over the keys; one batch call would do.",
    docs: r#"
## What it finds
`await storage.get(key)`, `await storage.put(key, value)` or
`await storage.delete(key)` inside a `for...of` / `for...in` loop, when the
key comes from the loop variable: the loop reads or writes a list of keys
known before it starts, one round trip at a time.

## Why it matters
Each awaited call waits for the previous one. The batch forms
(`get([...keys])`, `put({ ...entries })`, `delete([...keys])`, up to 128
keys per call) do the same work in one operation, and a batch `put` is
written atomically, so a failure cannot leave half of the entries stored.

## Example
```ts
for (const id of ids) {
  const item = await this.ctx.storage.get(`item:${id}`);
  if (item) items.push(item);
}
```

## How to fix
```ts
const found = await this.ctx.storage.get(ids.map((id) => `item:${id}`));
const items = [...found.values()];
```
Split lists longer than 128 keys into chunks. Loops whose next key depends
on the previous result (a linked list, a cursor) cannot be batched and are
not reported.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let eval = Evaluator::new(ws);
    for (file, summary) in ws.source_summaries() {
        let sem = &summary.semantic;
        for call in &sem.calls {
            let method = &*call.name;
            if !matches!(method, "get" | "put" | "delete") || call.is_new {
                continue;
            }
            // `put({ ...entries })` is already a batch.
            if method == "put" && call.args.len() < 2 {
                continue;
            }
            // Awaited right there, as the index saw the call.
            let awaited = summary
                .calls
                .iter()
                .find(|c| c.range == call.range)
                .is_some_and(|c| c.usage == CallUsage::Awaited);
            if !awaited {
                continue;
            }
            // The innermost loop around the call is a `for...of`/`in`, and
            // the key is built from a variable that loop declares.
            let Some(loop_scope) = sem.loop_at(call.range.start) else {
                continue;
            };
            if !matches!(
                sem.scopes[loop_scope as usize].kind,
                ScopeKind::Loop {
                    over_elements: true
                }
            ) {
                continue;
            }
            let Some(&key) = call.args.first() else {
                continue;
            };
            let from_loop = sem
                .roots(key)
                .iter()
                .any(|&d| sem.decl(d).is_some_and(|d| d.scope == loop_scope));
            if !from_loop {
                continue;
            }
            // A Durable Object's storage, not a KV namespace or a Map.
            if eval.receiver(file, call) != Value::Storage {
                continue;
            }
            let batch = match method {
                "get" => "`get([...keys])`",
                "put" => "`put({ [key]: value, ... })`",
                _ => "`delete([...keys])`",
            };
            out.report(
                file,
                call.name_range,
                format!("`storage.{method}` is awaited once per loop iteration; {batch} handles up to 128 keys in one call"),
            );
        }
    }
}
