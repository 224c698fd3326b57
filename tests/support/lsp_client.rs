//! The in-process JSON-RPC test client shared by `lsp_features.rs`,
//! `lsp_code_actions.rs` and `lsp_refactors.rs`: the language server runs
//! on the test's tokio runtime over in-memory pipes and this client talks to
//! it.
//!
//! - Fixtures: one string with `//- /path` file headers and a `$0` cursor
//!   marker ([`fixture`]), or a list of files ([`files`]), written to a
//!   temporary directory whose path reads `$ROOT` in snapshots
//!   ([`Lsp::stable`]).
//! - [`Lsp`]: start and initialize the server, requests, notifications,
//!   opening documents, waiting for diagnostics, and optionally answering
//!   the server's `workspace/applyEdit` requests.
//! - The guard in [`Lsp::finish`]: after `shutdown` and `exit` the server
//!   stops on its own, every request had exactly one response, none is left
//!   unread, and the server sent nothing the client did not ask for.
//! - [`snapshot!`]: compares a JSON value with
//!   `tests/snapshots/<test binary>__<name>.snap`.
//!
//! Included by each test file with
//! `#[path = "support/lsp_client.rs"] mod lsp_client;`.

// Each test binary compiles its own copy of this module and uses only part
// of it (the code-action tests never use the cursor, the feature tests
// never answer `applyEdit`, ...); the rest would warn as dead code there.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long to wait for any one message from the server.
pub const TIMEOUT: Duration = Duration::from_secs(30);

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

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

// ------------------------------------------------------------ the client

pub struct Lsp {
    pub fixture: Fixture,
    writer: WriteHalf<DuplexStream>,
    incoming: mpsc::UnboundedReceiver<Value>,
    server: JoinHandle<()>,
    next_id: i64,
    /// Ids of requests sent, with the number of responses each got.
    answers: BTreeMap<i64, usize>,
    /// Responses received and not yet read by the test.
    unread: BTreeMap<i64, Value>,
    /// Everything else the server sent, in order.
    pub notifications: Vec<Value>,
    /// `workspace/applyEdit` requests the server sent, in order.
    pub apply_edits: Vec<Value>,
    /// What the client answers to `workspace/applyEdit`. `None`: the client
    /// answers no server-to-client request; any the server sends stays in
    /// `notifications` and fails the guard. `Some`: `applyEdit` requests are
    /// recorded in `apply_edits` and answered with this, and any other
    /// request fails at once.
    pub apply_answer: Option<Value>,
    /// What the client answers to `workspace/configuration` (one value per
    /// item asked); `None`: it does not answer (and must not have said it
    /// would in its capabilities).
    pub configuration: Option<Value>,
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
    /// `capabilities` (which must ask for UTF-16 positions);
    /// `apply_answer` as in the field of that name.
    pub async fn start_with(
        fixture: Fixture,
        capabilities: Value,
        apply_answer: Option<Value>,
    ) -> Lsp {
        Lsp::start_full(fixture, capabilities, apply_answer, None, "").await
    }

    /// [`Lsp::start_with`], plus the answer to `workspace/configuration`
    /// and the folder (relative to the fixture, `""` for its root) opened
    /// as the only workspace folder.
    pub async fn start_full(
        fixture: Fixture,
        capabilities: Value,
        apply_answer: Option<Value>,
        configuration: Option<Value>,
        folder: &str,
    ) -> Lsp {
        let (client_io, server_io) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_io);
        let (client_read, writer) = tokio::io::split(client_io);
        let (service, socket) = dols::lsp::new_service();
        let server = tokio::spawn(async move {
            tower_lsp_server::Server::new(server_read, server_write, socket)
                .serve(service)
                .await;
        });
        let (tx, incoming) = mpsc::unbounded_channel();
        tokio::spawn(read_frames(client_read, tx));
        let mut lsp = Lsp {
            fixture,
            writer,
            incoming,
            server,
            next_id: 1,
            answers: BTreeMap::new(),
            unread: BTreeMap::new(),
            notifications: Vec::new(),
            apply_edits: Vec::new(),
            apply_answer,
            configuration,
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
        lsp.notify("initialized", json!({})).await;
        lsp
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request and returns its response (`result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.answers.insert(id, 0);
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            if let Some(response) = self.unread.remove(&id) {
                return response;
            }
            let message = self
                .next_message()
                .await
                .unwrap_or_else(|| panic!("no response to {method}"));
            self.take(message).await;
        }
    }

    /// The `result` of a request that must succeed.
    pub async fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    async fn next_message(&mut self) -> Option<Value> {
        tokio::time::timeout(TIMEOUT, self.incoming.recv())
            .await
            .expect("a message from the server in time")
    }

    /// Files a message from the server: a response to us, an `applyEdit`
    /// request to answer (when the client does), or anything else.
    async fn take(&mut self, message: Value) {
        if message.get("method").is_none() {
            let id = message["id"].as_i64().expect("a response with our id");
            let count = self
                .answers
                .get_mut(&id)
                .unwrap_or_else(|| panic!("a response to a request never sent: {message}"));
            *count += 1;
            assert_eq!(*count, 1, "a second response to request {id}: {message}");
            self.unread.insert(id, message);
            return;
        }
        if let (Some(id), Some(answer), "workspace/configuration") = (
            message.get("id"),
            &self.configuration,
            message["method"].as_str().unwrap_or_default(),
        ) {
            let items = message["params"]["items"].as_array().map_or(0, Vec::len);
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": vec![answer.clone(); items]});
            self.send(reply).await;
            return;
        }
        if let (Some(id), Some(answer)) = (message.get("id"), &self.apply_answer) {
            assert_eq!(
                message["method"], "workspace/applyEdit",
                "unexpected request: {message}"
            );
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": answer});
            self.apply_edits.push(message["params"].clone());
            self.send(reply).await;
        } else {
            // Server-to-client requests the client does not answer stay in
            // the log and fail the guard; the client advertised nothing
            // that needs them.
            self.notifications.push(message);
        }
    }

    /// Waits for a `publishDiagnostics` of `path`, sent after the first
    /// `after` notifications, that satisfies `pred`; returns its params and
    /// the notification count to wait after next time.
    pub async fn diagnostics(
        &mut self,
        path: &Path,
        after: usize,
        pred: impl Fn(&[Value]) -> bool,
    ) -> (Value, usize) {
        let uri = uri(path);
        loop {
            let found = self
                .notifications
                .iter()
                .enumerate()
                .skip(after)
                .find(|(_, n)| {
                    n["method"] == "textDocument/publishDiagnostics"
                        && n["params"]["uri"] == uri
                        && pred(n["params"]["diagnostics"].as_array().unwrap())
                });
            if let Some((at, n)) = found {
                return (n["params"].clone(), at + 1);
            }
            let message = self
                .next_message()
                .await
                .expect("diagnostics before the server stopped");
            self.take(message).await;
        }
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
    pub async fn finish(mut self) {
        let response = self.result("shutdown", Value::Null).await;
        assert_eq!(response, Value::Null);
        self.notify("exit", Value::Null).await;
        // The server stops by itself after `exit`, with our end still open.
        tokio::time::timeout(Duration::from_secs(10), &mut self.server)
            .await
            .expect("the server stops after `exit`")
            .expect("the server task did not panic");
        // Its end of the pipe is closed now: drain what is left.
        while let Some(message) = self.next_message().await {
            self.take(message).await;
        }
        assert!(
            self.unread.is_empty(),
            "responses never read by the test: {:?}",
            self.unread
        );
        let unanswered: Vec<i64> = self
            .answers
            .iter()
            .filter(|(_, count)| **count != 1)
            .map(|(id, _)| *id)
            .collect();
        assert!(
            unanswered.is_empty(),
            "requests without a response: {unanswered:?}"
        );
        for message in &self.notifications {
            assert!(
                message.get("id").is_none(),
                "a request the client did not advertise support for: {message}"
            );
            match message["method"].as_str().unwrap_or_default() {
                "textDocument/publishDiagnostics" | "$/progress" => {}
                "window/logMessage" => assert_ne!(
                    message["params"]["type"], 1,
                    "an error was logged: {message}"
                ),
                _ => panic!("an unexpected message from the server: {message}"),
            }
        }
    }
}

/// Reads Content-Length framed messages until the server closes its end.
async fn read_frames(read: tokio::io::ReadHalf<DuplexStream>, tx: mpsc::UnboundedSender<Value>) {
    let mut reader = BufReader::new(read);
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = Some(value.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        reader.read_exact(&mut body).await.unwrap();
        if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
            return;
        }
    }
}
