//! `invalid-id-string`: `idFromString` given a literal that is not an id.

use super::storage_support::{all_calls, is_deployed_code};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::index::ArgValue;

pub static RULE: Rule = Rule {
    id: "invalid-id-string",
    severity: Severity::Error,
    summary: "`idFromString` given a string literal that is not 64 hex digits.",
    docs: r#"
## What it finds
Calls of `namespace.idFromString(...)` whose argument is a string literal
(or a template literal with no `${}`) that is not exactly 64 hexadecimal
digits, in code a Worker deploys. Tests that check the error on purpose
are not looked at.

## Why it matters
`idFromString` only parses the string form of an id made by `newUniqueId()`
or `idFromName()` (`id.toString()`: 64 hex digits). Anything else throws at
runtime, so the request fails every time this line runs. A human-readable
name passed here is the usual mistake.

## Example
```ts
const id = env.ROOMS.idFromString("lobby");
const stub = env.ROOMS.get(id);
```

## How to fix
To address an object by a name, use `env.ROOMS.getByName("lobby")` (or
`idFromName`). Use `idFromString` only with the value of an earlier
`id.toString()`.
"#,
    prevents: &["Invalid Durable Object ID: must be 64 hex digits"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, call) in all_calls(ws) {
        if call.callee.last().map(|s| &**s) != Some("idFromString") || call.callee.len() < 2 {
            continue;
        }
        let Some(arg) = call.args.first() else {
            continue;
        };
        let (value, len) = match &arg.value {
            ArgValue::String { value, len } => (value, *len),
            ArgValue::Template {
                raw,
                len,
                interpolations: 0,
            } if !raw.contains('\\') => (raw, *len),
            _ => continue,
        };
        if len == 64 && value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        if !is_deployed_code(ws, file) {
            continue;
        }
        let all_hex = len == value.len() && value.bytes().all(|b| b.is_ascii_hexdigit());
        let detail = if all_hex {
            format!("it has {len} hex digits")
        } else {
            "it is not a hex string (to address an object by a name, use `getByName()` or `idFromName()`)".to_string()
        };
        out.report(
            file,
            arg.range,
            format!("`idFromString` needs the 64-hex-digit form of an id, so this literal throws at runtime: {detail}"),
        );
    }
}
