//! `textDocument/codeAction` over the protocol: the language server runs
//! in process over an in-memory pipe, a small JSON-RPC client opens the
//! documents, waits for the diagnostics and asks for the quick fixes of one
//! of them. The exact response is compared with a JSON snapshot in
//! `tests/snapshots/` (`lsp_code_actions__<name>.snap`; the temporary
//! workspace path is written `$ROOT`).
//!
//! Each test is self-contained (its own workspace, client and guard) and
//! ends with the same guard as `lsp_features.rs`: after `shutdown` and
//! `exit` the server stops on its own, every request had exactly one
//! response, none is left unread, and the server sent nothing the client
//! did not ask for.
//!
//! To update snapshots after an intended change:
//! `INSTA_UPDATE=always cargo test --test lsp_code_actions`, then review.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long to wait for any one message from the server.
const TIMEOUT: Duration = Duration::from_secs(30);

macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let value: Value = $value;
        insta::with_settings!({snapshot_path => "../tests/snapshots", omit_expression => true}, {
            insta::assert_json_snapshot!($name, value);
        })
    }};
}

/// A Worker whose Durable Object class is declared in `src/counter.ts`
/// without `export`, and not exported from `main` either: the quick fix
/// edits two files.
const WORKSPACE: &[(&str, &str)] = &[
    (
        "wrangler.toml",
        r#"name = "app"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"#,
    ),
    (
        "src/counter.ts",
        r#"import { DurableObject } from "cloudflare:workers";

class Counter extends DurableObject<Env> {
  async increment(): Promise<number> {
    const value = ((await this.ctx.storage.get<number>("value")) ?? 0) + 1;
    await this.ctx.storage.put("value", value);
    return value;
  }
}
"#,
    ),
    (
        "src/index.ts",
        r#"import { route } from "./route";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const value = await env.COUNTER.getByName(route(request)).increment();
    return Response.json({ value });
  },
} satisfies ExportedHandler<Env>;
"#,
    ),
    (
        "src/route.ts",
        r#"export function route(request: Request): string {
  return new URL(request.url).pathname.slice(1) || "global";
}
"#,
    ),
];

/// The versions the documents are opened with: distinct, so the snapshot
/// shows each edit carrying the version of its own document.
const OPENED: &[(&str, i32)] = &[
    ("wrangler.toml", 1),
    ("src/index.ts", 4),
    ("src/counter.ts", 9),
];

struct Client {
    _dir: tempfile::TempDir,
    root: PathBuf,
    writer: WriteHalf<DuplexStream>,
    incoming: mpsc::UnboundedReceiver<Value>,
    server: JoinHandle<()>,
    next_id: i64,
    /// Ids of requests sent, with the number of responses each got.
    answers: BTreeMap<i64, usize>,
    /// Responses received and not yet read by the test.
    unread: BTreeMap<i64, Value>,
    /// Everything else the server sent, in order.
    notifications: Vec<Value>,
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    /// Writes the workspace, starts the server and initializes it with
    /// `capabilities`.
    async fn start(capabilities: Value) -> Client {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for (path, text) in WORKSPACE {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
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
        let mut client = Client {
            _dir: dir,
            root,
            writer,
            incoming,
            server,
            next_id: 1,
            answers: BTreeMap::new(),
            unread: BTreeMap::new(),
            notifications: Vec::new(),
        };
        let root = uri(&client.root);
        let result = client
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
        client.notify("initialized", json!({})).await;
        client
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
            let message = self
                .next_message()
                .await
                .unwrap_or_else(|| panic!("no response to {method}"));
            self.take(message);
        }
    }

    async fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    async fn next_message(&mut self) -> Option<Value> {
        tokio::time::timeout(TIMEOUT, self.incoming.recv())
            .await
            .expect("a message from the server in time")
    }

    fn take(&mut self, message: Value) {
        if message.get("method").is_none() {
            let id = message["id"].as_i64().expect("a response with our id");
            let count = self
                .answers
                .get_mut(&id)
                .unwrap_or_else(|| panic!("a response to a request never sent: {message}"));
            *count += 1;
            assert_eq!(*count, 1, "a second response to request {id}: {message}");
            self.unread.insert(id, message);
        } else {
            self.notifications.push(message);
        }
    }

    async fn open_all(&mut self) {
        for (relative, version) in OPENED {
            let path = self.root.join(relative);
            let text = std::fs::read_to_string(&path).unwrap();
            let language = if relative.ends_with(".toml") {
                "toml"
            } else {
                "typescript"
            };
            self.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri(&path), "languageId": language, "version": version, "text": text}}),
            )
            .await;
        }
    }

    /// The first published diagnostic of `relative` with code `code`.
    async fn diagnostic(&mut self, relative: &str, code: &str) -> Value {
        let uri = uri(&self.root.join(relative));
        loop {
            let found = self.notifications.iter().find_map(|n| {
                if n["method"] != "textDocument/publishDiagnostics" || n["params"]["uri"] != uri {
                    return None;
                }
                n["params"]["diagnostics"]
                    .as_array()?
                    .iter()
                    .find(|d| d["code"] == code)
                    .cloned()
            });
            if let Some(diagnostic) = found {
                return diagnostic;
            }
            let message = self
                .next_message()
                .await
                .expect("diagnostics before the server stopped");
            self.take(message);
        }
    }

    /// The quick fixes offered for `diagnostic` of `relative`, with the
    /// temporary root written `$ROOT`.
    async fn quick_fixes(&mut self, relative: &str, diagnostic: Value) -> Value {
        let uri = uri(&self.root.join(relative));
        let result = self
            .result(
                "textDocument/codeAction",
                json!({
                    "textDocument": {"uri": uri},
                    "range": diagnostic["range"],
                    "context": {"diagnostics": [diagnostic], "only": ["quickfix"]},
                }),
            )
            .await;
        let root = self.root.display().to_string();
        serde_json::from_str(&result.to_string().replace(&root, "$ROOT")).unwrap()
    }

    /// `shutdown`, `exit`, then the guard.
    async fn finish(mut self) {
        let response = self.result("shutdown", Value::Null).await;
        assert_eq!(response, Value::Null);
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(Duration::from_secs(10), &mut self.server)
            .await
            .expect("the server stops after `exit`")
            .expect("the server task did not panic");
        while let Some(message) = self.next_message().await {
            self.take(message);
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

async fn class_not_exported_fixes(capabilities: Value) -> Value {
    let mut client = Client::start(capabilities).await;
    client.open_all().await;
    let diagnostic = client
        .diagnostic("wrangler.toml", "class-not-exported")
        .await;
    let actions = client.quick_fixes("wrangler.toml", diagnostic).await;
    client.finish().await;
    actions
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_not_exported_with_document_changes() {
    let actions = class_not_exported_fixes(json!({
        "general": {"positionEncodings": ["utf-16"]},
        "workspace": {"workspaceEdit": {"documentChanges": true}},
    }))
    .await;
    // Versioned edits: each names the version its document was opened with.
    let changes = &actions[0]["edit"]["documentChanges"];
    let versions: Vec<(String, i64)> = changes
        .as_array()
        .expect("documentChanges")
        .iter()
        .map(|c| {
            let document = &c["textDocument"];
            let path = document["uri"]
                .as_str()
                .unwrap()
                .replace("file://$ROOT/", "");
            (path, document["version"].as_i64().expect("a version"))
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("src/counter.ts".to_string(), 9),
            ("src/index.ts".to_string(), 4)
        ]
    );
    snapshot!("class_not_exported_document_changes", actions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_not_exported_with_plain_changes() {
    let actions = class_not_exported_fixes(json!({
        "general": {"positionEncodings": ["utf-16"]},
    }))
    .await;
    assert!(actions[0]["edit"].get("documentChanges").is_none());
    snapshot!("class_not_exported_changes", actions);
}
