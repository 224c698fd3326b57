//! `relative-stub-fetch-url`: `stub.fetch("/path")` with a relative URL.

use super::stubs::{all_envs, stub_calls};
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::index::ArgValue;

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

The quick fix puts `https://do` in front of the literal's path
(`"/increment"` becomes `"https://do/increment"`, a template literal gets
it right after the backtick). It is safe: the call threw before, and the
object sees the same path and query; only `request.url`'s host is the
placeholder `do`.
"#,
    prevents: &["Fetch API cannot load"],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
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
        let message = if shown.starts_with("//") {
            // Protocol-relative: it names a host already, only the scheme is missing.
            format!(
                "`stub.fetch()` needs an absolute URL, but `{shown}` has no scheme, so the call throws a TypeError; write `https:{shown}` (the host is ignored)"
            )
        } else {
            let slash = if shown.starts_with('/') { "" } else { "/" };
            format!(
                "`stub.fetch()` needs an absolute URL, but `{shown}` is relative, so the call throws a TypeError; prefix any origin, e.g. `https://do{slash}{shown}` (the host is ignored)"
            )
        };
        let diagnostic = out.report(call.file, arg.range, message);
        if let Some(edit) = absolute_url_edit(ws.files.text(call.file), arg.range) {
            diagnostic.add_fix(Fix::new(
                "Make the URL absolute with the placeholder origin `https://do`",
                Safety::Safe,
                SourceChange::single(call.file, edit),
            ));
        }
    }
}

/// Inserts `https://do` (plus a `/` before a bare path such as `status`)
/// right after the opening quote or backtick of the literal at `range`.
/// `None` for a protocol-relative `//host/...` (its host would become part
/// of the path) and for anything that is not a plain literal.
fn absolute_url_edit(text: &str, range: crate::text::TextRange) -> Option<TextEdit> {
    let literal = text.get(range.as_std())?;
    let quote = literal.chars().next()?;
    if !matches!(quote, '"' | '\'' | '`') || literal.len() < 2 || !literal.ends_with(quote) {
        return None;
    }
    let content = &literal[1..];
    if content.starts_with("//") || content.starts_with('\\') {
        return None;
    }
    let origin = if content.starts_with('/') {
        "https://do"
    } else {
        "https://do/"
    };
    Some(TextEdit::insert(range.start as usize + 1, origin))
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
