//! `relative-stub-fetch-url`: `stub.fetch("/path")` with a relative URL.

use super::stubs::{all_envs, stub_calls};
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::index::ArgValue;
use crate::model::Workspace;

pub static RULE: Rule = Rule {
    id: "relative-stub-fetch-url",
    severity: Severity::Error,
    summary: "`stub.fetch()` given a relative URL literal such as `\"/path\"`.",
    docs: r#"
## What it finds
`fetch(...)` on a Durable Object stub whose first argument is a string or
template literal that is not an absolute URL: `"/increment"`,
`` `/rooms/${id}` ``, `"status"`. Only literals are checked; a URL built at
runtime (`new URL(path, "https://do")`, `request.url`, a `Request`) is
left alone.

## Why it matters
A stub is not a browser page: there is no base URL to resolve against.
Since the 2021-11-10 compatibility date (`durable_object_fetch_requires_full_url`),
a relative URL makes `stub.fetch()` throw a `TypeError` before the request
reaches the object.

## Example
```ts
const stub = env.COUNTER.getByName("global");
const res = await stub.fetch("/increment"); // throws: not an absolute URL
```

## How to fix
Give any absolute URL; the host is ignored, only the path and query reach
the object: `stub.fetch("https://counter/increment")`, or
`stub.fetch(new URL("/increment", request.url))`. Better still, call an RPC
method on the stub.
"#,
    prevents: &["Fetch API cannot load"],
    check: Check::Workspace(check),
};

fn check(ws: &Workspace, out: &mut Reporter) {
    for call in stub_calls(ws) {
        if call.method != "fetch" {
            continue;
        }
        let Some(arg) = call.call.args.first() else {
            continue;
        };
        let Some(shown) = relative_literal(&arg.value) else {
            continue;
        };
        let enforced = all_envs(&call.caller_envs, |date, flags| {
            let has = |f: &str| flags.iter().any(|x| x == f);
            !has("durable_object_fetch_allows_relative_url")
                && (date >= "2021-11-10" || has("durable_object_fetch_requires_full_url"))
        });
        if !enforced {
            continue;
        }
        let slash = if shown.starts_with('/') { "" } else { "/" };
        out.report(
            call.file,
            arg.range,
            format!(
                "`stub.fetch()` needs an absolute URL, but `{shown}` is relative, so the call throws a TypeError; prefix any origin, e.g. `https://do{slash}{shown}` (the host is ignored)"
            ),
        );
    }
}

/// The literal's text when it certainly is not an absolute URL.
fn relative_literal(value: &ArgValue) -> Option<String> {
    let (text, complete) = match value {
        ArgValue::String { value, len } => (value.as_str(), value.len() == *len),
        ArgValue::Template { raw, .. } => {
            let prefix = raw.split("${").next().unwrap_or("");
            // `${base}/x`: decided at runtime.
            if prefix.is_empty() {
                return None;
            }
            (prefix, !raw.contains("${"))
        }
        _ => return None,
    };
    if text.is_empty() {
        return None;
    }
    // A scheme is letters, digits, `+`, `-`, `.` up to `:`, starting with a letter.
    let scheme_end =
        text.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')));
    let relative = match scheme_end {
        // Only scheme characters so far: `http` could continue as `http://...`.
        None => complete,
        Some(0) => true,
        Some(i) => !text[i..].starts_with(':') || !text.as_bytes()[0].is_ascii_alphabetic(),
    };
    if !relative {
        return None;
    }
    let shown = match value {
        ArgValue::Template { raw, .. } => raw.clone(),
        _ => text.to_string(),
    };
    Some(shown.chars().take(60).collect())
}
