//! `api-limit`: literal values that exceed documented Durable Object limits.

use super::storage_support::{all_calls, do_storage_method, is_deployed_code};
use super::support::class_context;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::index::{Arg, ArgValue, CallSite, MAX_ARG_STRING_CHARS};
use crate::model::{Backend, Workspace};

const MAX_KEY_BYTES: usize = 2048;
const MAX_VALUE_BYTES: usize = 131_072;
const MAX_BATCH_KEYS: usize = 128;
const MAX_SQL_BYTES: usize = 100_000;
const MAX_SQL_PARAMS: usize = 100;
const MAX_TAGS: usize = 10;
const MAX_TAG_CHARS: usize = 256;
const MAX_AUTO_RESPONSE_BYTES: usize = 2048;
const MAX_ATTACHMENT_BYTES: usize = 16_384;

pub static RULE: Rule = Rule {
    id: "api-limit",
    severity: Severity::Error,
    summary: "A literal argument that exceeds a documented Durable Object limit (key/value size, batch size, SQL size, WebSocket tags, alarm time).",
    docs: r#"
## What it finds
Literal arguments that break a documented limit of the Durable Object API:
- a storage key over 2 KiB, or a value over 128 KiB, on the KV backend;
- a batch `get`/`delete` with more than 128 keys, or a batch `put` with
  more than 128 entries (an error on the KV backend, a warning elsewhere:
  the docs state the limit for both backends);
- an SQL statement over 100 KB, or more than 100 bound parameters, in
  `sql.exec`;
- more than 10 tags, or a tag over 256 characters, in `acceptWebSocket`;
- a `setWebSocketAutoResponse` request or response over 2,048 bytes;
- a `serializeAttachment` string over 16 KiB;
- a `setAlarm` time of zero or less.

Only values dols can read from the code (literals, array and object
literals) are checked; computed values are left alone.

## Why it matters
The runtime rejects each of these with an exception, so the call fails
every time it runs. Local development stores everything in SQLite and does
not reproduce the KV-backend limits, so the failure shows up only in
production.

## Example
```ts
this.ctx.acceptWebSocket(server, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]);
await this.ctx.storage.setAlarm(0);
```

## How to fix
Split large batches into chunks of at most 128 keys, keep keys short (hash
long ones), store large values in R2 or across several keys, keep at most 10
short tags per socket, and schedule alarms with a real time such as
`Date.now() + 60_000`.
"#,
    prevents: &[
        "setAlarm() cannot be called with an alarm time <= 0",
        "a Hibernatable WebSocket cannot have more than 10 tags",
        "Keys cannot be larger than 2048 bytes",
        "Values cannot be larger than 131072 bytes",
        "Maximum number of key value pairs is 128",
        "Request/Response cannot be larger than 2048 bytes",
        "A WebSocket 'attachment' cannot be larger than 16384 bytes",
    ],
    check: Check::Workspace(check),
};

/// Byte length of a string or template literal argument without `${}`.
fn literal_len(arg: &Arg) -> Option<usize> {
    match &arg.value {
        ArgValue::String { len, .. } => Some(*len),
        ArgValue::Template {
            len,
            interpolations: 0,
            ..
        } => Some(*len),
        _ => None,
    }
}

fn backend_of(ws: &Workspace, file: FileId, call: &CallSite) -> Option<Backend> {
    let class = call.scope.class.as_deref()?;
    class_context(ws, file, class)?.backend
}

fn check(ws: &RuleCtx, out: &mut Reporter) {
    let eval = crate::semantic::Evaluator::new(ws);
    for (file, call) in all_calls(ws) {
        if !is_deployed_code(ws, file) {
            continue; // tests may exceed a limit on purpose to see the error
        }
        let method = call.callee.last().map(|s| &**s).unwrap_or_default();
        if let Some(storage_method) = do_storage_method(&eval, file, call) {
            check_storage(ws, file, call, storage_method, out);
            continue;
        }
        match method {
            "exec" if call.callee.len() >= 2 && &*call.callee[call.callee.len() - 2] == "sql" => {
                check_sql(file, call, out)
            }
            "acceptWebSocket" => check_tags(file, call, out),
            "setWebSocketAutoResponse" => check_auto_response(ws, file, call, out),
            "serializeAttachment" => {
                if let Some(arg) = call.args.first() {
                    if let Some(len) = literal_len(arg).filter(|l| *l > MAX_ATTACHMENT_BYTES) {
                        out.report(file, arg.range, format!("this attachment is {len} bytes; `serializeAttachment` accepts at most {MAX_ATTACHMENT_BYTES} bytes and throws otherwise"));
                    }
                }
            }
            _ => {}
        }
    }
}

fn check_storage(ws: &Workspace, file: FileId, call: &CallSite, method: &str, out: &mut Reporter) {
    if !matches!(method, "get" | "put" | "delete" | "setAlarm") {
        return;
    }
    let Some(first) = call.args.first() else {
        return;
    };
    if method == "setAlarm" {
        if let ArgValue::Number(n) = first.value {
            if n <= 0.0 {
                out.report(file, first.range, format!("`setAlarm({n})` throws: the alarm time must be a positive timestamp in milliseconds, such as `Date.now() + 60_000`"));
            }
        }
        return;
    }
    // The backend needs the class's migrations replayed: asked only when
    // a literal is over a limit, not for every storage call.
    let kv = || backend_of(ws, file, call) == Some(Backend::Kv);
    // Batch forms: an array of keys, or an object of entries for `put`.
    let batch = match (&first.value, method) {
        (ArgValue::Array(keys), "get" | "delete") => Some((keys.len(), "keys")),
        (ArgValue::Object(entries), "put") => Some((entries.len(), "entries")),
        _ => None,
    };
    if let Some((count, what)) = batch {
        if count > MAX_BATCH_KEYS {
            let shown = if count >= 256 {
                "256 or more".to_string()
            } else {
                count.to_string()
            };
            let d = out.report(
                file,
                first.range,
                format!("this batch `{method}` has {shown} {what}; one call takes at most {MAX_BATCH_KEYS} (split it into chunks of {MAX_BATCH_KEYS})"),
            );
            if !kv() {
                d.set_severity(Severity::Warning);
            }
        }
        return;
    }
    // The key and value sizes below are KV-backend limits.
    let long_key = literal_len(first).filter(|l| *l > MAX_KEY_BYTES);
    let long_value = match method {
        "put" => call
            .args
            .get(1)
            .and_then(|value| Some((value, literal_len(value).filter(|l| *l > MAX_VALUE_BYTES)?))),
        _ => None,
    };
    if (long_key.is_none() && long_value.is_none()) || !kv() {
        return;
    }
    if let Some(len) = long_key {
        out.report(file, first.range, format!("this key is {len} bytes; on the KV backend keys are limited to {MAX_KEY_BYTES} bytes and the `{method}` throws"));
    }
    if let Some((value, len)) = long_value {
        out.report(file, value.range, format!("this value is {len} bytes; on the KV backend a stored value is limited to 128 KiB ({MAX_VALUE_BYTES} bytes) and the `put` throws"));
    }
}

fn check_sql(file: FileId, call: &CallSite, out: &mut Reporter) {
    let Some(query) = call.args.first() else {
        return;
    };
    if let Some(len) = literal_len(query).filter(|l| *l > MAX_SQL_BYTES) {
        out.report(file, query.range, format!("this SQL statement is {len} bytes; a statement is limited to 100 KB ({MAX_SQL_BYTES} bytes)"));
        return;
    }
    let spread = call.args[1..]
        .iter()
        .any(|a| matches!(a.value, ArgValue::Spread));
    let bound = call.args.len() - 1;
    if !spread && bound > MAX_SQL_PARAMS {
        let range = crate::text::TextRange::new(
            call.args[1].range.start as usize,
            call.args[bound].range.end as usize,
        );
        out.report(file, range, format!("{bound} values are bound to this statement; SQLite in Durable Objects accepts at most {MAX_SQL_PARAMS} bound parameters per query"));
    }
}

fn check_tags(file: FileId, call: &CallSite, out: &mut Reporter) {
    let Some(tags) = call.args.get(1) else { return };
    let ArgValue::Array(items) = &tags.value else {
        return;
    };
    if items.len() > MAX_TAGS {
        out.report(file, tags.range, format!("{} tags are given; a hibernatable WebSocket can have at most {MAX_TAGS}, so `acceptWebSocket` throws", items.len()));
        return;
    }
    for item in items {
        let chars = match &item.value {
            ArgValue::String { value, len } => {
                if *len > value.len() {
                    MAX_ARG_STRING_CHARS + 1 // cut: longer than the kept prefix
                } else {
                    value.chars().count()
                }
            }
            _ => continue,
        };
        if chars > MAX_TAG_CHARS {
            out.report(file, item.range, format!("this tag is longer than {MAX_TAG_CHARS} characters, the limit for a WebSocket tag; `acceptWebSocket` throws"));
        }
    }
}

/// `setWebSocketAutoResponse(new WebSocketRequestResponsePair("req", "res"))`
/// with string literals (or templates without substitutions): their byte
/// lengths, from the index's record of the `new` call.
fn check_auto_response(ws: &Workspace, file: FileId, call: &CallSite, out: &mut Reporter) {
    let Some(arg) = call.args.first() else { return };
    let Some(summary) = ws.summary(file) else {
        return;
    };
    let first = summary
        .calls
        .partition_point(|c| c.range.start < arg.range.start);
    let Some(pair) = summary.calls[first..]
        .iter()
        .take_while(|c| c.range.start < arg.range.end)
        .find(|c| {
            c.is_new
                && arg.range.contains_range(c.range)
                && c.callee
                    .last()
                    .is_some_and(|n| &**n == "WebSocketRequestResponsePair")
        })
    else {
        return;
    };
    for (a, what) in pair.args.iter().zip(["request", "response"]) {
        let len = match &a.value {
            ArgValue::String { len, .. } => *len,
            ArgValue::Template {
                len,
                interpolations: 0,
                ..
            } => *len,
            _ => continue,
        };
        if len > MAX_AUTO_RESPONSE_BYTES {
            out.report(file, arg.range, format!("the auto-response {what} is {len} bytes; each side of the pair is limited to {MAX_AUTO_RESPONSE_BYTES} bytes"));
            return;
        }
    }
}
