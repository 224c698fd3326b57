//! `storage-await-in-loop`: awaited single-key storage calls in a `for...of`
//! loop over the keys, where one batch call would do.

use super::storage_support::{
    all_calls, do_storage_method, mask_code, matching_brace, next_code_byte,
};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::index::{ArgValue, CallSite, CallUsage};
use crate::model::Workspace;

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

fn check(ws: &Workspace, out: &mut Reporter) {
    let mut masked: Option<(crate::files::FileId, Vec<u8>)> = None;
    for (file, call) in all_calls(ws) {
        let Some(method) = do_storage_method(ws.files.text(file), call) else {
            continue;
        };
        if !matches!(method, "get" | "put" | "delete")
            || call.usage != CallUsage::Awaited
            || !call.scope.in_loop
        {
            continue;
        }
        let Some(key) = key_root(call) else { continue };
        if masked.as_ref().is_none_or(|(f, _)| *f != file) {
            masked = Some((file, mask_code(ws.files.text(file))));
        }
        let code = &masked.as_ref().expect("just set").1;
        let Some(loop_vars) = enclosing_for_of(code, call) else {
            continue;
        };
        if !key.iter().any(|k| loop_vars.contains(k)) {
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

/// Identifiers the key argument is built from: `k`, `item.id`, `` `p:${id}` ``.
fn key_root(call: &CallSite) -> Option<Vec<String>> {
    let method = call.callee.last()?;
    let first = call.args.first()?;
    if method == "put" && call.args.len() < 2 {
        return None; // `put({ ...entries })` is already a batch
    }
    match &first.value {
        ArgValue::Identifier(name) => Some(vec![name.clone()]),
        ArgValue::Member(segments) => segments.first().map(|s| vec![s.clone()]),
        ArgValue::Template {
            raw,
            interpolations,
            ..
        } if *interpolations > 0 => Some(
            raw.split("${")
                .skip(1)
                .map(|part| {
                    part.trim_start()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                        .collect::<String>()
                })
                .filter(|s| !s.is_empty())
                .collect(),
        ),
        _ => None,
    }
}

/// The variables bound by the innermost `for (const x of ...)` /
/// `for (const k in ...)` whose braced body holds the call, within the
/// call's function. `None` when the innermost loop is another kind.
fn enclosing_for_of(code: &[u8], call: &CallSite) -> Option<Vec<String>> {
    let start = call.scope.function.start as usize;
    let at = call.range.start as usize;
    let mut i = at;
    while i > start {
        i -= 1;
        let word = |w: &str| {
            code[i..].starts_with(w.as_bytes())
                && (i == 0
                    || !(code[i - 1].is_ascii_alphanumeric()
                        || code[i - 1] == b'_'
                        || code[i - 1] == b'.'))
                && code
                    .get(i + w.len())
                    .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        };
        if word("while") || word("do") {
            // A `while`/`do` loop nearer than any `for`: not a loop over keys.
            if let Some(body) = loop_body(code, i) {
                if body.0 < at && at < body.1 {
                    return None;
                }
            }
            continue;
        }
        if !word("for") {
            continue;
        }
        let Some(head) = for_head(code, i) else {
            continue;
        };
        let Some(body) = loop_body(code, i) else {
            continue;
        };
        if !(body.0 < at && at < body.1) {
            continue;
        }
        return for_of_vars(&head);
    }
    None
}

/// The text inside `(`...`)` of a `for` at `at`.
fn for_head(code: &[u8], at: usize) -> Option<String> {
    let mut j = at + 3;
    let (p, b) = next_code_byte(code, j)?;
    j = p;
    if b == b'a' && code[j..].starts_with(b"await") {
        j += 5;
    }
    let (open, b) = next_code_byte(code, j)?;
    if b != b'(' {
        return None;
    }
    let close = matching_paren(code, open)?;
    Some(String::from_utf8_lossy(&code[open + 1..close]).into_owned())
}

fn matching_paren(code: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in code.iter().enumerate().skip(open) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The braced body `{...}` of the loop whose keyword starts at `at`.
fn loop_body(code: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut j = at;
    while j < code.len() && code[j].is_ascii_alphabetic() {
        j += 1;
    }
    let (p, b) = next_code_byte(code, j)?;
    let open = if b == b'{' {
        p // `do {`
    } else {
        let mut k = p;
        if code[k..].starts_with(b"await") {
            k = next_code_byte(code, k + 5)?.0;
        }
        if code.get(k) != Some(&b'(') {
            return None;
        }
        let close = matching_paren(code, k)?;
        let (q, b) = next_code_byte(code, close + 1)?;
        if b != b'{' {
            return None;
        }
        q
    };
    Some((open, matching_brace(code, open)?))
}

/// `const [k, v] of entries` → `k`, `v`; `None` for a counting `for(;;)`.
fn for_of_vars(head: &str) -> Option<Vec<String>> {
    let head = head.trim();
    let rest = ["const ", "let ", "var "]
        .iter()
        .find_map(|d| head.strip_prefix(d))?;
    let split = [" of ", " in "]
        .iter()
        .filter_map(|sep| rest.find(sep))
        .min()?;
    let pattern = &rest[..split];
    Some(
        pattern
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    )
}
