//! Protocol tests of the refactors: `textDocument/prepareRename`,
//! `textDocument/rename`, `workspace/executeCommand` with
//! `dols.newDurableObject` (answered by a `workspace/applyEdit` request to
//! the client) and the "Bind this class" code action. The server runs in
//! process over in-memory pipes, as in `lsp_features.rs`; results are
//! compared with JSON snapshots in `tests/snapshots/` (the temporary root
//! reads `$ROOT`).
//!
//! The client here advertises `workspace.applyEdit` and versioned
//! `documentChanges` with file creation, answers every `applyEdit` with
//! `applied: true` (or what a test asks for), and records it. The guard at
//! the end: every request got exactly one response, nothing was left
//! unread, and the only server-to-client request was `applyEdit`.
//!
//! Update snapshots: `INSTA_UPDATE=always cargo test --test lsp_refactors`,
//! then review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

const TIMEOUT: Duration = Duration::from_secs(30);

macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let value: Value = $value;
        insta::with_settings!({snapshot_path => "../tests/snapshots", omit_expression => true}, {
            insta::assert_json_snapshot!($name, value);
        })
    }};
}

/// Files written to a temporary directory from one string with `//- /path`
/// headers, and the `$0` cursor (UTF-16 line and character).
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    cursor: Option<(PathBuf, u32, u32)>,
}

fn fixture(spec: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut files: Vec<(String, String)> = Vec::new();
    for line in spec.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            files.push((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let mut cursor = None;
    for (path, mut text) in files {
        let path = root.join(path.trim_start_matches('/'));
        if let Some(at) = text.find("$0") {
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

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

struct Lsp {
    fixture: Fixture,
    writer: WriteHalf<DuplexStream>,
    incoming: mpsc::UnboundedReceiver<Value>,
    server: JoinHandle<()>,
    next_id: i64,
    answers: BTreeMap<i64, usize>,
    unread: BTreeMap<i64, Value>,
    notifications: Vec<Value>,
    /// `workspace/applyEdit` requests the server sent, in order.
    apply_edits: Vec<Value>,
    /// What the client answers to `applyEdit`.
    apply_answer: Value,
}

/// A client that can apply workspace edits (with versions and file
/// creation), and one that cannot.
fn capabilities(apply_edit: bool) -> Value {
    let mut capabilities = json!({"general": {"positionEncodings": ["utf-16"]}});
    if apply_edit {
        capabilities["workspace"] = json!({
            "applyEdit": true,
            "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]},
        });
    }
    capabilities
}

impl Lsp {
    async fn start(fixture: Fixture, capabilities: Value) -> Lsp {
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
            apply_answer: json!({"applied": true}),
        };
        let root = uri(&lsp.fixture.root);
        lsp.result(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "workspaceFolders": [{"uri": root, "name": "fixture"}],
                "capabilities": capabilities,
            }),
        )
        .await;
        lsp.notify("initialized", json!({})).await;
        lsp
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.answers.insert(id, 0);
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            if let Some(response) = self.unread.remove(&id) {
                return response;
            }
            let message = tokio::time::timeout(TIMEOUT, self.incoming.recv())
                .await
                .expect("a message from the server in time")
                .unwrap_or_else(|| panic!("no response to {method}"));
            self.take(message).await;
        }
    }

    async fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// Files a message: a response to us, a request to answer, or a
    /// notification.
    async fn take(&mut self, message: Value) {
        match (message.get("id"), message.get("method")) {
            (Some(id), None) => {
                let id = id.as_i64().expect("a response with our id");
                let count = self
                    .answers
                    .get_mut(&id)
                    .expect("a response to a request we sent");
                *count += 1;
                assert_eq!(*count, 1, "a second response to request {id}");
                self.unread.insert(id, message);
            }
            (Some(id), Some(method)) => {
                assert_eq!(
                    method, "workspace/applyEdit",
                    "unexpected request: {message}"
                );
                self.apply_edits.push(message["params"].clone());
                let answer = json!({"jsonrpc": "2.0", "id": id, "result": self.apply_answer});
                self.send(answer).await;
            }
            _ => self.notifications.push(message),
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.fixture.root.join(relative)
    }

    async fn open(&mut self, relative: &str, version: i32) {
        let path = self.path(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(&path), "languageId": "typescript", "version": version, "text": text}}),
        )
        .await;
    }

    /// Position params for the `$0` cursor (its file is not opened).
    fn cursor(&self) -> Value {
        let (path, line, character) = self.fixture.cursor.clone().expect("a $0 marker");
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": line, "character": character}})
    }

    fn stable(&self, value: &Value) -> Value {
        let root = self.fixture.root.display().to_string();
        serde_json::from_str(&value.to_string().replace(&root, "$ROOT")).unwrap()
    }

    async fn finish(mut self) {
        let response = self.result("shutdown", Value::Null).await;
        assert_eq!(response, Value::Null);
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(Duration::from_secs(10), &mut self.server)
            .await
            .expect("the server stops after `exit`")
            .expect("the server task did not panic");
        while let Ok(Some(message)) = tokio::time::timeout(TIMEOUT, self.incoming.recv()).await {
            self.take(message).await;
        }
        assert!(
            self.unread.is_empty(),
            "responses never read: {:?}",
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
            match message["method"].as_str().unwrap_or_default() {
                "textDocument/publishDiagnostics" | "$/progress" => {}
                "window/logMessage" => assert_ne!(message["params"]["type"], 1, "{message}"),
                _ => panic!("an unexpected message from the server: {message}"),
            }
        }
    }
}

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

// ------------------------------------------------------------ the workspace

const WORKSPACE: &str = r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter" # visits

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

//- /src/index.ts
export { Counter } from "./counter";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const count = await env.COUNTER.getByName("all").hit();
    return new Response(String(count));
  },
} satisfies ExportedHandler<Env>;

//- /src/counter.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  hit(): number {
    const count = (this.ctx.storage.kv.get<number>("count") ?? 0) + 1;
    this.ctx.storage.kv.put("count", count);
    return count;
  }
}

//- /src/lobby.ts
import { DurableObject } from "cloudflare:workers";

export class Lobby extends DurableObject<Env> {
  async fetch(): Promise<Response> {
    return new Response("lobby");
  }
}
"#;

fn workspace_with_cursor(file: &str, from: &str, to: &str) -> Fixture {
    let header = format!("//- /{file}\n");
    let at = WORKSPACE.find(&header).expect("the file") + header.len();
    let (head, tail) = WORKSPACE.split_at(at);
    let end = tail.find("\n//- ").unwrap_or(tail.len());
    let body = tail[..end].replacen(from, to, 1);
    fixture(&format!("{head}{body}{}", &tail[end..]))
}

// ------------------------------------------------------------ rename

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepare_rename_on_a_class_and_elsewhere() {
    let mut lsp = Lsp::start(
        workspace_with_cursor("src/counter.ts", "class Counter", "class Cou$0nter"),
        capabilities(true),
    )
    .await;
    let on_class = lsp.result("textDocument/prepareRename", lsp.cursor()).await;
    let elsewhere = lsp
        .result(
            "textDocument/prepareRename",
            json!({"textDocument": {"uri": uri(&lsp.path("src/counter.ts"))}, "position": {"line": 4, "character": 11}}),
        )
        .await;
    let history = lsp
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": {"uri": uri(&lsp.path("wrangler.toml"))}, "position": {"line": 10, "character": 25}}),
        )
        .await;
    snapshot!(
        "prepare_rename",
        json!({"class": on_class, "local variable": elsewhere, "migration entry": history["error"]})
    );
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_a_class_with_an_open_edited_document() {
    let mut lsp = Lsp::start(
        workspace_with_cursor("src/counter.ts", "class Counter", "class Cou$0nter"),
        capabilities(true),
    )
    .await;
    // index.ts is open and edited (version 2); the other files are not open.
    lsp.open("src/index.ts", 1).await;
    let index = uri(&lsp.path("src/index.ts"));
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": index, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "// entry\n"}],
        }),
    )
    .await;
    let mut params = lsp.cursor();
    params["newName"] = json!("VisitCounter");
    let edit = lsp.result("textDocument/rename", params).await;
    snapshot!("rename_class", lsp.stable(&edit));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_a_binding_and_refusals() {
    let mut lsp = Lsp::start(
        workspace_with_cursor("src/index.ts", "env.COUNTER", "env.COUN$0TER"),
        capabilities(true),
    )
    .await;
    let mut params = lsp.cursor();
    params["newName"] = json!("VISITS");
    let edit = lsp.result("textDocument/rename", params.clone()).await;
    params["newName"] = json!("not valid");
    let invalid = lsp.request("textDocument/rename", params.clone()).await;
    params["newName"] = json!("class");
    let reserved = lsp.request("textDocument/rename", params).await;
    snapshot!(
        "rename_binding",
        json!({
            "edit": lsp.stable(&edit),
            "invalid name": invalid["error"],
            "reserved word": reserved["error"],
        })
    );
    lsp.finish().await;
}

// ------------------------------------------------------------ new object

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_durable_object_round_trip() {
    let mut lsp = Lsp::start(fixture(WORKSPACE), capabilities(true)).await;
    lsp.open("src/index.ts", 4).await;
    let result = lsp
        .request(
            "workspace/executeCommand",
            json!({
                "command": "dols.newDurableObject",
                "arguments": [{"worker": "wrangler.toml", "className": "ChatRoom", "binding": "CHAT_ROOM"}],
            }),
        )
        .await;
    assert_eq!(result["result"], Value::Null, "{result}");
    assert_eq!(lsp.apply_edits.len(), 1, "one applyEdit request");
    let applied = lsp.apply_edits[0].clone();
    snapshot!("new_durable_object_apply_edit", lsp.stable(&applied));

    // Refusals answer with an error and send nothing to apply.
    let taken = lsp
        .request(
            "workspace/executeCommand",
            json!({"command": "dols.newDurableObject", "arguments": [".", "Counter", "OTHER"]}),
        )
        .await;
    let bad = lsp
        .request(
            "workspace/executeCommand",
            json!({"command": "dols.newDurableObject", "arguments": [{"className": "X"}]}),
        )
        .await;
    assert_eq!(lsp.apply_edits.len(), 1);
    snapshot!(
        "new_durable_object_refusals",
        json!({"class taken": taken["error"], "bad arguments": bad["error"]})
    );
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_durable_object_reports_a_rejected_edit() {
    let mut lsp = Lsp::start(fixture(WORKSPACE), capabilities(true)).await;
    lsp.apply_answer = json!({"applied": false, "failureReason": "read-only file"});
    let result = lsp
        .request(
            "workspace/executeCommand",
            json!({"command": "dols.newDurableObject", "arguments": ["wrangler.toml", "Room"]}),
        )
        .await;
    assert_eq!(lsp.apply_edits.len(), 1);
    let message = result["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("read-only file"), "{result}");
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_durable_object_needs_apply_edit() {
    let mut lsp = Lsp::start(fixture(WORKSPACE), capabilities(false)).await;
    let response = lsp
        .request(
            "workspace/executeCommand",
            json!({"command": "dols.newDurableObject", "arguments": ["wrangler.toml", "Room"]}),
        )
        .await;
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("workspace/applyEdit"), "{response}");
    assert!(lsp.apply_edits.is_empty());
    lsp.finish().await;
}

// ------------------------------------------------------------ bind this class

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind_this_class_code_action() {
    let mut lsp = Lsp::start(
        workspace_with_cursor("src/lobby.ts", "class Lobby", "class Lob$0by"),
        capabilities(true),
    )
    .await;
    let position = lsp.cursor();
    let range = json!({"start": position["position"], "end": position["position"]});
    let actions = lsp
        .result(
            "textDocument/codeAction",
            json!({"textDocument": position["textDocument"], "range": range, "context": {"diagnostics": [], "only": ["refactor"]}}),
        )
        .await;
    let quickfix_only = lsp
        .result(
            "textDocument/codeAction",
            json!({"textDocument": position["textDocument"], "range": range, "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
        .await;
    assert_eq!(
        quickfix_only,
        Value::Null,
        "no refactor when only quick fixes are asked for"
    );
    snapshot!("bind_this_class", lsp.stable(&actions));
    lsp.finish().await;
}
