//! `dols-helix-session`: speaks to a language server the way Helix 25.07
//! does, through the shared client, and checks what dols answers.
//!
//! usage: dols-helix-session --root DIR [--language-id PATH=ID]... -- COMMAND [ARG]...
//!
//! `tests/editors/helix/check_helix.py` runs it once it has checked the
//! snippet, found the command on `PATH` and applied Helix's root search
//! (Helix is in no registry this project can use, so the check stands in
//! for it). It starts `COMMAND ARG...` in its own folder and environment,
//! with `DIR` (the Worker folder Helix roots dols at) as the workspace, and
//! opens files with the language ids Helix gives them (`PATH` relative to
//! `DIR`). The session, in Helix's order:
//!
//! - `initialize` with Helix's capabilities (UTF-8 offered first): dols
//!   answers and picks UTF-8;
//! - `wrangler.jsonc` opened gets `class-not-exported`;
//! - `src/index.ts` opened with non-ASCII text before the unknown binding
//!   `CHAT_ROOMS` gets `unknown-binding` at the UTF-8 column, and its quick
//!   fix is one versioned edit there;
//! - hover on `env.COUNTER` after non-ASCII text names `COUNTER`;
//! - inlay hints for the lines in view: `→ Counter · KV` after `env.COUNTER`;
//! - what `code-actions-on-save = ["source.fixAll.dols"]` sends on `:write`
//!   (the whole document, only that kind) gets one versioned edit;
//! - `package.json` and `tsconfig.json` opened: dols still answers;
//! - dols sends only requests Helix handles, and exits 0 after `shutdown`
//!   and `exit`.
//!
//! Each check prints an `ok` or `FAIL` line on stderr; the exit status is 0
//! when all pass, 1 when one fails, 2 for bad usage.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use dols_lsp_client::{path_of, uri, Answer, Process};
use serde_json::{json, Value};

/// The requests Helix answers (helix-term's `handle_method_call`, 25.07)
/// as it answers them for dols; anything else gets method-not-found.
const HELIX_ANSWERS: &[&str] = &[
    "workspace/configuration",
    "client/registerCapability",
    "client/unregisterCapability",
    "window/workDoneProgress/create",
    "workspace/applyEdit",
];

/// Helix's initialize capabilities (helix-lsp/src/client.rs, 25.07), the
/// parts that change what a server may send.
fn helix_capabilities() -> Value {
    json!({
        "workspace": {
            "configuration": true,
            "didChangeConfiguration": {"dynamicRegistration": false},
            "workspaceFolders": true,
            "applyEdit": true,
            "executeCommand": {"dynamicRegistration": false},
            "workspaceEdit": {
                "documentChanges": true,
                "resourceOperations": ["create", "rename", "delete"],
                "failureHandling": "abort",
                "normalizesLineEndings": false,
            },
            "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": true},
            "diagnostic": {"refreshSupport": true},
        },
        "textDocument": {
            "completion": {
                "completionItem": {
                    "snippetSupport": true,
                    "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                    "insertReplaceSupport": true,
                    "deprecatedSupport": true,
                    "tagSupport": {"valueSet": [1]},
                },
                "completionItemKind": {},
            },
            "hover": {"contentFormat": ["markdown"]},
            "rename": {"dynamicRegistration": false, "prepareSupport": true, "honorsChangeAnnotations": false},
            "codeAction": {
                "codeActionLiteralSupport": {
                    "codeActionKind": {
                        "valueSet": [
                            "",
                            "quickfix",
                            "refactor",
                            "refactor.extract",
                            "refactor.inline",
                            "refactor.rewrite",
                            "source",
                            "source.organizeImports",
                            "source.fixAll",
                        ]
                    }
                },
                "isPreferredSupport": true,
                "disabledSupport": true,
                "dataSupport": true,
                "resolveSupport": {"properties": ["edit", "command"]},
            },
            "diagnostic": {"dynamicRegistration": false, "relatedDocumentSupport": true},
            "inlayHint": {"dynamicRegistration": false},
            "publishDiagnostics": {"versionSupport": true, "tagSupport": {"valueSet": [1, 2]}},
        },
        "window": {
            "showMessage": {"messageActionItem": {"additionalPropertiesSupport": true}},
            "workDoneProgress": true,
            "showDocument": {"support": true},
        },
        "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
    })
}

/// The `ok`/`FAIL` log and the failures so far.
struct Checks {
    started: Instant,
    failures: Vec<String>,
}

impl Checks {
    fn log(&self, message: &str) {
        eprintln!(
            "[helix-session {:5} ms] {message}",
            self.started.elapsed().as_millis()
        );
    }

    fn check(&mut self, ok: bool, what: &str, detail: impl FnOnce() -> String) -> bool {
        if ok {
            self.log(&format!("ok   {what}"));
        } else {
            self.log(&format!("FAIL {what}: {}", detail()));
            self.failures.push(what.to_string());
        }
        ok
    }
}

struct Options {
    root: PathBuf,
    language_ids: BTreeMap<String, String>,
    command: Vec<String>,
}

fn options() -> Option<Options> {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut language_ids = BTreeMap::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => root = Some(PathBuf::from(args.next()?)),
            "--language-id" => {
                let (path, id) = args
                    .next()?
                    .split_once('=')
                    .map(|(p, i)| (p.into(), i.into()))?;
                language_ids.insert(path, id);
            }
            "--" => break,
            _ => return None,
        }
    }
    let command: Vec<String> = args.collect();
    (!command.is_empty()).then_some(Options {
        root: root?,
        language_ids,
        command,
    })
}

fn main() -> ExitCode {
    let Some(options) = options() else {
        eprintln!(
            "usage: dols-helix-session --root DIR [--language-id PATH=ID]... -- COMMAND [ARG]..."
        );
        return ExitCode::from(2);
    };
    let mut checks = Checks {
        started: Instant::now(),
        failures: Vec::new(),
    };
    let mut command = Command::new(&options.command[0]);
    command.args(&options.command[1..]).stderr(Stdio::piped());
    match Process::spawn(command) {
        Ok(mut server) => {
            server.timeout = Duration::from_secs(20);
            for method in HELIX_ANSWERS {
                let answer = match *method {
                    "workspace/configuration" => Answer::PerItem(Value::Null),
                    "workspace/applyEdit" => Answer::Result(json!({"applied": false})),
                    _ => Answer::Result(Value::Null),
                };
                server.answer(method, answer);
            }
            server.answer_others(Answer::Error {
                code: -32601,
                message: "unknown".into(),
            });
            // A protocol error or a failed request ends the session as a
            // failed check, as an exception did in the Python client.
            let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                Session {
                    server: &mut server,
                    checks: &mut checks,
                    options: &options,
                    cursor: 0,
                }
                .run()
            }));
            if let Err(panic) = run {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let stderr = server.stderr();
                let mut from = stderr.len().saturating_sub(2000);
                while !stderr.is_char_boundary(from) {
                    from += 1;
                }
                let tail = &stderr[from..];
                checks.check(false, "live session", || {
                    format!("{message}; stderr: {tail}")
                });
            }
        }
        Err(e) => {
            checks.check(false, "live session", || {
                format!("cannot start {:?}: {e}", options.command)
            });
        }
    }
    if checks.failures.is_empty() {
        checks.log("all session checks passed");
        ExitCode::SUCCESS
    } else {
        checks.log(&format!(
            "{} session check(s) failed: {}",
            checks.failures.len(),
            checks.failures.join("; ")
        ));
        ExitCode::from(1)
    }
}

struct Session<'a> {
    server: &'a mut Process,
    checks: &'a mut Checks,
    options: &'a Options,
    /// Messages of the log already looked at by `wait_diagnostics` (Helix
    /// handles each notification once).
    cursor: usize,
}

/// Where the first `needle` starts in `line`, in UTF-8 bytes (Helix's
/// columns).
fn column(line: &str, needle: &str) -> usize {
    line.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {line:?}"))
}

/// The first line holding `needle`.
fn row(lines: &[String], needle: &str) -> usize {
    lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line holds {needle:?}"))
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn start_of(d: &Value) -> (i64, i64) {
    let start = &d["range"]["start"];
    (
        start["line"].as_i64().unwrap_or(-1),
        start["character"].as_i64().unwrap_or(-1),
    )
}

/// Every `(textDocument, edit)` of the `documentChanges` of `actions`.
fn document_edits<'v>(actions: impl IntoIterator<Item = &'v Value>) -> Vec<(Value, Value)> {
    let mut edits = Vec::new();
    for action in actions {
        for change in action["edit"]["documentChanges"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for edit in change["edits"].as_array().into_iter().flatten() {
                edits.push((change["textDocument"].clone(), edit.clone()));
            }
        }
    }
    edits
}

/// The first `at` characters of `text`.
fn cut(text: String, at: usize) -> String {
    match text.char_indices().nth(at) {
        Some((byte, _)) => text[..byte].to_string(),
        None => text,
    }
}

impl Session<'_> {
    /// The `result` of a request that must succeed (`null` for none).
    fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.server.request(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response["result"].clone()
    }

    fn open(&mut self, relative: &str, text: Option<&str>) {
        let path = self.options.root.join(relative);
        let text = match text {
            Some(text) => text.to_string(),
            None => std::fs::read_to_string(&path).expect("the file to open"),
        };
        let language_id = self
            .options
            .language_ids
            .get(relative)
            .unwrap_or_else(|| panic!("no --language-id for {relative}"));
        self.server.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(&path), "languageId": language_id, "version": 0, "text": text}}),
        );
    }

    /// The first `publishDiagnostics` of `path` not yet looked at whose
    /// list satisfies `pred`; else `Err` with the last list seen for
    /// `path` while waiting.
    fn wait_diagnostics(
        &mut self,
        path: &Path,
        pred: impl Fn(&[Value]) -> bool,
    ) -> Result<Vec<Value>, Vec<Value>> {
        let of_path = |n: &Value| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"].as_str().and_then(path_of).as_deref() == Some(path)
        };
        let list = |n: &Value| {
            n["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        let from = self.cursor;
        match self
            .server
            .try_wait_after(from, |n| of_path(n) && pred(&list(n)))
        {
            Ok((found, next)) => {
                self.cursor = next;
                Ok(list(&found))
            }
            Err(_) => {
                self.cursor = self.server.notifications.len();
                let last = self.server.notifications[from.min(self.cursor)..]
                    .iter()
                    .rev()
                    .find(|n| of_path(n))
                    .map(list);
                Err(last.unwrap_or_default())
            }
        }
    }

    fn run(mut self) {
        let root = self.options.root.clone();
        let result = self.call(
            "initialize",
            json!({
                "processId": std::process::id(),
                "clientInfo": {"name": "helix", "version": "25.07.1"},
                "rootPath": root.display().to_string(),
                "rootUri": uri(&root),
                "workspaceFolders": [{"uri": uri(&root), "name": root.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()}],
                "capabilities": helix_capabilities(),
            }),
        );
        let info = result["serverInfo"].clone();
        self.checks.check(
            info["name"] == "dols",
            "initialize answered by dols",
            || info.to_string(),
        );
        let encoding = result["capabilities"]["positionEncoding"].clone();
        self.checks.check(
            encoding == "utf-8",
            "position encoding: utf-8, Helix's first choice",
            || encoding.to_string(),
        );
        self.server.notify("initialized", json!({}));

        // Diagnostics on the config, opened as Helix opens it.
        let config = root.join("wrangler.jsonc");
        self.open("wrangler.jsonc", None);
        let found = self.wait_diagnostics(&config, |ds| {
            codes(ds).iter().any(|c| c == "class-not-exported")
        });
        self.checks.check(
            found.is_ok(),
            "wrangler.jsonc (jsonc) gets class-not-exported",
            || format!("last: {:?}", codes(found.as_ref().unwrap_err())),
        );

        // A source with non-ASCII text before the unknown binding: the
        // column must count UTF-8 bytes.
        let index = root.join("src/index.ts");
        let mut lines: Vec<String> = std::fs::read_to_string(&index)
            .expect("src/index.ts")
            .split('\n')
            .map(str::to_string)
            .collect();
        let unknown_row = row(&lines, "return env.CHAT_ROOMS");
        lines[unknown_row] = lines[unknown_row].replace(
            "return env.CHAT_ROOMS",
            "/* ☕ café */ return env.CHAT_ROOMS",
        );
        let hover_row = row(&lines, "await env.COUNTER");
        lines[hover_row] =
            lines[hover_row].replace("await env.COUNTER", "/* ☕ */ await env.COUNTER");
        self.open("src/index.ts", Some(&lines.join("\n")));
        let want = column(&lines[unknown_row], "CHAT_ROOMS") as i64;
        let unknown_binding =
            |ds: &[Value]| ds.iter().find(|d| d["code"] == "unknown-binding").cloned();
        // The first set may still be the one for the text on disk.
        let at = (unknown_row as i64, want);
        let found = self.wait_diagnostics(&index, |ds| {
            unknown_binding(ds).is_some_and(|d| start_of(&d) == at)
        });
        let unknown = found.as_deref().ok().and_then(unknown_binding);
        self.checks.check(
            unknown.is_some(),
            &format!("unknown-binding at line {unknown_row}, UTF-8 column {want}"),
            || {
                let last = found.as_ref().unwrap_err();
                let set: Vec<(String, (i64, i64))> = last
                    .iter()
                    .map(|d| {
                        (
                            d["code"].as_str().unwrap_or_default().to_string(),
                            start_of(d),
                        )
                    })
                    .collect();
                format!("last set: {set:?}")
            },
        );

        if let Some(unknown) = unknown {
            let actions = self.call(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": uri(&index)},
                    "range": unknown["range"],
                    "context": {"diagnostics": [unknown]},
                }),
            );
            let actions = actions.as_array().cloned().unwrap_or_default();
            let title = "Use `CHAT_ROOM` instead of `CHAT_ROOMS`";
            let fix = actions.iter().find(|a| a["title"] == title);
            self.checks.check(
                fix.is_some(),
                &format!("code action offers: {title}"),
                || {
                    let titles: Vec<&Value> = actions.iter().map(|a| &a["title"]).collect();
                    format!("{titles:?}")
                },
            );
            // Helix asked for documentChanges: one versioned edit of the
            // open file.
            let edits = document_edits(fix);
            self.checks.check(
                edits.len() == 1
                    && edits[0].0["version"] == 0
                    && edits[0].1["newText"] == "CHAT_ROOM"
                    && edits[0].1["range"]["start"]["character"] == want,
                "the fix is one versioned edit at the UTF-8 column",
                || format!("{edits:?}"),
            );
        }

        let character = column(&lines[hover_row], "COUNTER") + 1;
        let hover = self.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&index)},
                   "position": {"line": hover_row, "character": character}}),
        );
        let contents = &hover["contents"];
        self.checks.check(
            contents["kind"] == "markdown"
                && contents["value"]
                    .as_str()
                    .is_some_and(|v| v.contains("COUNTER")),
            "hover on env.COUNTER after non-ASCII text (UTF-8 column) names COUNTER",
            || cut(hover.to_string(), 200),
        );

        // Inlay hints, as Helix asks for the lines in view (with
        // `display-inlay-hints = true`): after env.COUNTER, at the UTF-8
        // column behind the non-ASCII comment.
        let hints = self.call(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri(&index)},
                   "range": {"start": {"line": 0, "character": 0},
                             "end": {"line": lines.len(), "character": 0}}}),
        );
        let hints = hints.as_array().cloned().unwrap_or_default();
        let after = column(&lines[hover_row], "env.COUNTER") + "env.COUNTER".len();
        let label = "→ Counter · KV";
        self.checks.check(
            hints.iter().any(|h| {
                h["label"] == label
                    && h["position"] == json!({"line": hover_row, "character": after})
            }),
            &format!("inlay hint `{label}` at line {hover_row}, UTF-8 column {after}"),
            || {
                let seen: Vec<(&Value, &Value)> = hints
                    .iter()
                    .map(|h| (&h["label"], &h["position"]))
                    .collect();
                format!("{seen:?}")
            },
        );

        // What Helix sends on :write with `code-actions-on-save =
        // ["source.fixAll.dols"]`: the whole document, only that kind,
        // triggerKind Invoked; dols answers with one versioned edit.
        let fetch_row = row(&lines, "const url = new URL") + 1;
        lines.insert(
            fetch_row,
            "      await env.CHAT_ROOM.getByName(\"lobby\").fetch(\"/history\");".to_string(),
        );
        self.server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&index), "version": 1},
                   "contentChanges": [{"text": lines.join("\n")}]}),
        );
        let _ = self.wait_diagnostics(&index, |ds| {
            codes(ds).iter().any(|c| c == "relative-stub-fetch-url")
        });
        let last_line = lines.len() - 1;
        let on_save = self.call(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri(&index)},
                "range": {"start": {"line": 0, "character": 0},
                          "end": {"line": last_line, "character": lines[last_line].len()}},
                "context": {"diagnostics": [], "only": ["source.fixAll.dols"], "triggerKind": 1},
            }),
        );
        let actions = on_save.as_array().cloned().unwrap_or_default();
        let kinds: Vec<&Value> = actions.iter().map(|a| &a["kind"]).collect();
        let edits = document_edits(&actions);
        let fetch_column = column(&lines[fetch_row], "\"/history\"") + 1;
        self.checks.check(
            kinds == [&json!("source.fixAll.dols")]
                && edits.len() == 1
                && edits[0].0["version"] == 1
                && edits[0].1["newText"] == "https://do"
                && edits[0].1["range"]["start"]
                    == json!({"line": fetch_row, "character": fetch_column}),
            "code-actions-on-save request: source.fixAll.dols, one versioned edit prefixing https://do",
            || cut(on_save.to_string(), 400),
        );

        // Other JSON Helix sends to dols in a Worker (package.json is
        // `json`, tsconfig.json `jsonc`): no diagnostics, no crash.
        for relative in ["package.json", "tsconfig.json"] {
            self.open(relative, None);
        }
        self.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&root.join("package.json"))},
                   "position": {"line": 0, "character": 0}}),
        );
        let running = self.server.wait_exit(Duration::ZERO).is_none();
        self.checks.check(
            running,
            "package.json and tsconfig.json opened; dols still answers",
            || "the server exited".to_string(),
        );

        self.call("shutdown", Value::Null);
        self.server.notify("exit", Value::Null);
        let status = self.server.wait_exit(Duration::from_secs(10));
        self.checks.check(
            status.is_some_and(|s| s.success()),
            "dols exits 0 after shutdown/exit",
            || format!("exit {status:?}"),
        );
        let others: Vec<&Value> = self
            .server
            .notifications
            .iter()
            .filter(|m| {
                m.get("id").is_some()
                    && !HELIX_ANSWERS.contains(&m["method"].as_str().unwrap_or_default())
            })
            .map(|m| &m["method"])
            .collect();
        self.checks.check(
            others.is_empty(),
            "server sent only requests Helix handles",
            || format!("got {others:?}"),
        );
    }
}
