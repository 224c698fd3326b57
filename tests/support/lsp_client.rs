//! The in-process side of the protocol tests (`lsp_features.rs`,
//! `lsp_code_actions.rs`, `lsp_refactors.rs`, `lsp_topology.rs`): dols's
//! language server runs on the test's tokio runtime, at the other end of
//! an in-memory pipe from the shared JSON-RPC client (`dols-lsp-client`,
//! `tests/lsp-client/`), which frames, numbers, matches, logs, answers and
//! guards. What is left here is what knows dols or the tests:
//!
//! - Fixtures: one string with `//- /path` file headers and a `$0` cursor
//!   marker ([`fixture`]), or a list of files ([`files`]), written to a
//!   temporary directory whose path reads `$ROOT` in snapshots
//!   ([`Lsp::stable`]).
//! - [`Lsp`]: start dols in process and initialize it, open documents,
//!   wait for diagnostics, answer `workspace/applyEdit` and
//!   `workspace/configuration` when a test asks; everything else is the
//!   client's ([`Client`], reached through `Deref`: `request`, `result`,
//!   `notify`, `notifications`, ...).
//! - The guard in [`Lsp::finish`]: after `shutdown` and `exit` the server
//!   stops on its own, every request had exactly one response, none is left
//!   unread, every request from the server was answered, and the server
//!   sent nothing the client did not ask for.
//! - [`snapshot!`]: compares a JSON value with
//!   `tests/snapshots/<test binary>__<name>.snap`.
//!
//! Included by each test file with
//! `#[path = "support/lsp_client.rs"] mod lsp_client;`.

// Each test binary compiles its own copy of this module and uses only part
// of it (the code-action tests never use the cursor, the feature tests
// never answer `applyEdit`, ...); the rest would warn as dead code there.
#![allow(dead_code)]

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use dols_lsp_client::uri;
use dols_lsp_client::{Answer, Client};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

/// Compares `value` with `tests/snapshots/<binary>__<name>.snap`.
///
/// insta names the file after `module_path!()` and resolves
/// `snapshot_path` against `file!()`, both taken where this macro is
/// invoked: the crate root of the test binary (`lsp_features`,
/// `lsp_code_actions`, `lsp_refactors`), so the names stay as they were
/// when each file had its own copy. Invoke it from the test file, not from
/// a submodule.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let value: ::serde_json::Value = $value;
        insta::with_settings!({snapshot_path => "../tests/snapshots", omit_expression => true}, {
            insta::assert_json_snapshot!($name, value);
        })
    }};
}
pub(crate) use snapshot;

// ------------------------------------------------------------ fixtures

/// A workspace written to a temporary directory, and the cursor position
/// (UTF-16, like the client) where the `$0` marker was.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub cursor: Option<(PathBuf, u32, u32)>,
}

/// The files of `spec`, each after a `//- /path` header line.
pub fn fixture(spec: &str) -> Fixture {
    let mut parsed: Vec<(String, String)> = Vec::new();
    for line in spec.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            parsed.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = parsed.last_mut() {
            text.push_str(line);
            text.push('\n');
        } else {
            assert!(line.trim().is_empty(), "text before the first `//- /path`");
        }
    }
    let borrowed: Vec<(&str, &str)> = parsed
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    files(&borrowed)
}

/// `(path, text)` pairs written as they are, but for an optional `$0`.
pub fn files(files: &[(&str, &str)]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut cursor = None;
    for (path, text) in files {
        let path = root.join(path.trim_start_matches('/'));
        let mut text = text.to_string();
        if let Some(at) = text.find("$0") {
            assert!(cursor.is_none(), "more than one $0 marker");
            let before = &text[..at];
            let line = before.matches('\n').count() as u32;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let character = before[line_start..].encode_utf16().count() as u32;
            cursor = Some((path.clone(), line, character));
            text = text.replacen("$0", "", 1);
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    Fixture {
        _dir: dir,
        root,
        cursor,
    }
}

// ------------------------------------------------------------ the client

/// What the server may send unasked during a session (the guard's list).
const EXPECTED_NOTIFICATIONS: &[&str] = &[
    "textDocument/publishDiagnostics",
    "$/progress",
    "window/logMessage",
];

pub struct Lsp {
    pub fixture: Fixture,
    /// The server's answer to `initialize`.
    pub initialized: Value,
    client: Client,
    server: JoinHandle<()>,
}

impl Deref for Lsp {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Lsp {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

impl Lsp {
    /// Starts the server on `fixture`'s workspace and initializes it with
    /// a client that advertises nothing optional (no progress, no dynamic
    /// watcher registration, UTF-16 positions).
    pub async fn start(fixture: Fixture) -> Lsp {
        let capabilities = json!({"general": {"positionEncodings": ["utf-16"]}});
        Lsp::start_with(fixture, capabilities, None).await
    }

    /// Starts the server on `fixture`'s workspace and initializes it with
    /// `capabilities` (which must ask for UTF-16 positions). `apply_answer`:
    /// `Some`, every `workspace/applyEdit` request is answered with it
    /// (see [`Lsp::answer_apply_edit`], [`Lsp::apply_edits`]); `None`, the
    /// client answers none and one fails the guard.
    pub async fn start_with(
        fixture: Fixture,
        capabilities: Value,
        apply_answer: Option<Value>,
    ) -> Lsp {
        Lsp::start_full(fixture, capabilities, apply_answer, None, "").await
    }

    /// [`Lsp::start_with`], plus the answer to `workspace/configuration`
    /// (one value per item asked; `None`: no answer, and the client must
    /// not have said it would in its capabilities), and the folder
    /// (relative to the fixture, `""` for its root) opened as the only
    /// workspace folder.
    pub async fn start_full(
        fixture: Fixture,
        capabilities: Value,
        apply_answer: Option<Value>,
        configuration: Option<Value>,
        folder: &str,
    ) -> Lsp {
        let (mut client, server_io) = Client::pipe();
        let (server_read, server_write) = tokio::io::split(server_io);
        let (service, socket) = dols::lsp::new_service();
        let server = tokio::spawn(async move {
            tower_lsp_server::Server::new(server_read, server_write, socket)
                .serve(service)
                .await;
        });
        if let Some(answer) = apply_answer {
            client.answer("workspace/applyEdit", Answer::Result(answer));
        }
        if let Some(answer) = configuration {
            client.answer("workspace/configuration", Answer::PerItem(answer));
        }
        let mut lsp = Lsp {
            fixture,
            initialized: Value::Null,
            client,
            server,
        };
        let root = match folder {
            "" => uri(&lsp.fixture.root),
            folder => uri(&lsp.fixture.root.join(folder)),
        };
        let result = lsp
            .result(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root,
                    "workspaceFolders": [{"uri": root, "name": "fixture"}],
                    "capabilities": capabilities,
                }),
            )
            .await;
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        lsp.initialized = result;
        lsp.notify("initialized", json!({})).await;
        lsp
    }

    // The client's calls the tests make most, as methods of `Lsp` itself:
    // a call through `DerefMut` borrows `lsp` before its arguments are
    // evaluated, so `lsp.result(m, position_in(&lsp, ...))` would not
    // compile.

    /// [`Client::request`]: the response (`result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.client.request(method, params).await
    }

    /// [`Client::result`]: the `result` of a request that must succeed.
    pub async fn result(&mut self, method: &str, params: Value) -> Value {
        self.client.result(method, params).await
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.client.notify(method, params).await;
    }

    /// Answers `workspace/applyEdit` requests with `answer` from now on.
    pub fn answer_apply_edit(&mut self, answer: Value) {
        self.client
            .answer("workspace/applyEdit", Answer::Result(answer));
    }

    /// The params of every `workspace/applyEdit` request the server sent.
    pub fn apply_edits(&self) -> Vec<Value> {
        self.client.server_requests("workspace/applyEdit")
    }

    /// Waits for a `publishDiagnostics` of `path`, sent after the first
    /// `after` messages of the log, that satisfies `pred`; returns its
    /// params and the count to wait after next time.
    pub async fn diagnostics(
        &mut self,
        path: &Path,
        after: usize,
        pred: impl Fn(&[Value]) -> bool,
    ) -> (Value, usize) {
        let uri = uri(path);
        let (message, next) = self
            .client
            .wait_after(after, |n| {
                n["method"] == "textDocument/publishDiagnostics"
                    && n["params"]["uri"] == uri
                    && pred(n["params"]["diagnostics"].as_array().unwrap())
            })
            .await;
        (message["params"].clone(), next)
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.fixture.root.join(relative)
    }

    /// `didOpen` of `relative` with its text on disk, at `version`.
    pub async fn open(&mut self, relative: &str, version: i32) {
        let path = self.path(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        let language = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => "toml",
            Some("json") => "json",
            Some("jsonc") => "jsonc",
            Some("js") => "javascript",
            _ => "typescript",
        };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(&path), "languageId": language, "version": version, "text": text}}),
        )
        .await;
    }

    /// `TextDocumentPositionParams` for the `$0` cursor (its file is not
    /// opened).
    pub fn cursor_position(&self) -> Value {
        let (path, line, character) = self.fixture.cursor.clone().expect("a $0 marker");
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": line, "character": character}})
    }

    /// Opens the file with the `$0` marker (version 1) and returns
    /// `TextDocumentPositionParams` for the cursor.
    pub async fn cursor(&mut self) -> Value {
        let (path, _, _) = self.fixture.cursor.clone().expect("a $0 marker");
        let relative = path.strip_prefix(&self.fixture.root).unwrap().to_path_buf();
        self.open(relative.to_str().unwrap(), 1).await;
        self.cursor_position()
    }

    /// Replaces the temporary root with `$ROOT` everywhere in `value`.
    pub fn stable(&self, value: &Value) -> Value {
        let root = self.fixture.root.display().to_string();
        serde_json::from_str(&value.to_string().replace(&root, "$ROOT")).unwrap()
    }

    /// `shutdown`, `exit`, then the guard.
    pub async fn finish(self) {
        self.finish_reading(&[]).await;
    }

    /// [`Lsp::finish`] for a session with requests still open (`open`,
    /// from `send_request`): the server must answer them once `shutdown`
    /// is sent; their responses are returned, in order.
    pub async fn finish_reading(mut self, open: &[i64]) -> Vec<Value> {
        let shutdown = self.client.send_request("shutdown", Value::Null).await;
        let mut answers = Vec::with_capacity(open.len());
        for &id in open {
            answers.push(self.client.response(id).await);
        }
        let response = self.client.response(shutdown).await;
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null).await;
        // The server stops by itself after `exit`, with our end still open.
        tokio::time::timeout(Duration::from_secs(10), &mut self.server)
            .await
            .expect("the server stops after `exit`")
            .expect("the server task did not panic");
        // Its end of the pipe is closed now: read what is left.
        self.client.drain().await;
        self.client.assert_clean(EXPECTED_NOTIFICATIONS);
        answers
    }
}
