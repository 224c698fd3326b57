//! In-process protocol tests: the language server runs on a tokio runtime
//! over in-memory pipes, a small JSON-RPC client talks to it, and every
//! feature's exact result is compared with a JSON snapshot in
//! `tests/snapshots/`.
//!
//! Fixture workspaces are one string with `//- /path` file headers and a
//! `$0` cursor marker; they are written to a temporary directory, whose path
//! is replaced by `$ROOT` in snapshots.
//!
//! Each test ends with a guard: after `shutdown` and `exit` the server must
//! stop on its own, every request must have had exactly one response, no
//! response may be left unread, and the server must not have sent requests
//! or messages the client did not ask for.
//!
//! To update snapshots after an intended change:
//! `INSTA_UPDATE=always cargo test --test lsp_features`, then review the diff.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long to wait for any one message from the server.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Compares `value` with `tests/snapshots/lsp_features__<name>.snap`.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {{
        let value: Value = $value;
        insta::with_settings!({snapshot_path => "../tests/snapshots", omit_expression => true}, {
            insta::assert_json_snapshot!($name, value);
        })
    }};
}

// ------------------------------------------------------------ fixtures

/// A workspace written to a temporary directory, and the cursor position
/// (UTF-16, like the client) where the `$0` marker was.
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
        } else {
            assert!(line.trim().is_empty(), "text before the first `//- /path`");
        }
    }
    let mut cursor = None;
    for (path, mut text) in files {
        let path = root.join(path.trim_start_matches('/'));
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

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

// ------------------------------------------------------------ the client

struct Lsp {
    fixture: Fixture,
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

impl Lsp {
    /// Starts the server on `fixture`'s workspace and initializes it with
    /// a client that advertises nothing optional (no progress, no dynamic
    /// watcher registration, UTF-16 positions).
    async fn start(fixture: Fixture) -> Lsp {
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
        };
        let root = uri(&lsp.fixture.root);
        let result = lsp
            .result(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root,
                    "workspaceFolders": [{"uri": root, "name": "fixture"}],
                    "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
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

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request and returns its response (`result` or `error`).
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

    /// The `result` of a request that must succeed.
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

    /// Files a message from the server: a response, or anything else.
    fn take(&mut self, message: Value) {
        let is_response = message.get("method").is_none();
        if is_response {
            let id = message["id"].as_i64().expect("a response with our id");
            let count = self
                .answers
                .get_mut(&id)
                .unwrap_or_else(|| panic!("a response to a request never sent: {message}"));
            *count += 1;
            assert_eq!(*count, 1, "a second response to request {id}: {message}");
            self.unread.insert(id, message);
        } else {
            // Server-to-client requests stay in the log and fail the
            // guard; the client advertised nothing that needs them.
            self.notifications.push(message);
        }
    }

    /// Waits for a `publishDiagnostics` of `path`, sent after the first
    /// `after` notifications, that satisfies `pred`; returns its params and
    /// the notification count to wait after next time.
    async fn diagnostics(
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
            self.take(message);
        }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.fixture.root.join(relative)
    }

    async fn open(&mut self, relative: &str) {
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
            json!({"textDocument": {"uri": uri(&path), "languageId": language, "version": 1, "text": text}}),
        )
        .await;
    }

    /// Opens the file with the `$0` marker and returns
    /// `TextDocumentPositionParams` for the cursor.
    async fn cursor(&mut self) -> Value {
        let (path, line, character) = self.fixture.cursor.clone().expect("a $0 marker");
        let relative = path.strip_prefix(&self.fixture.root).unwrap().to_path_buf();
        self.open(relative.to_str().unwrap()).await;
        json!({"textDocument": {"uri": uri(&path)}, "position": {"line": line, "character": character}})
    }

    /// Replaces the temporary root with `$ROOT` everywhere in `value`.
    fn stable(&self, value: &Value) -> Value {
        let root = self.fixture.root.display().to_string();
        serde_json::from_str(&value.to_string().replace(&root, "$ROOT")).unwrap()
    }

    /// Completion at the cursor, as `{label, kind, detail}` sorted by
    /// `sortText` then label.
    async fn completion(&mut self) -> Value {
        let params = self.cursor().await;
        self.completion_at(params).await
    }

    async fn completion_at(&mut self, mut params: Value) -> Value {
        params["context"] = json!({"triggerKind": 1});
        let result = self.result("textDocument/completion", params).await;
        let items = result.as_array().cloned().unwrap_or_default();
        let mut rows: Vec<(String, String, Value)> = items
            .iter()
            .map(|item| {
                let label = item["label"].as_str().unwrap().to_string();
                let sort = item["sortText"].as_str().unwrap_or(&label).to_string();
                let row = json!({
                    "label": label,
                    "kind": completion_kind(&item["kind"]),
                    "detail": item["detail"],
                });
                (sort, label, row)
            })
            .collect();
        rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        Value::Array(rows.into_iter().map(|(_, _, row)| row).collect())
    }

    /// A list of locations, with the text each range covers, made stable.
    fn locations(&self, result: &Value) -> Value {
        let covered: Vec<Value> = result
            .as_array()
            .map(|locations| {
                locations
                    .iter()
                    .map(|l| Value::String(self.covered(l)))
                    .collect()
            })
            .unwrap_or_default();
        self.stable(&json!({"result": result, "covered": covered}))
    }

    /// `path:line: text` for a `Location` (single-line ranges).
    fn covered(&self, location: &Value) -> String {
        let path = location["uri"]
            .as_str()
            .unwrap()
            .strip_prefix("file://")
            .unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let range = &location["range"];
        let line = range["start"]["line"].as_u64().unwrap() as usize;
        let start = range["start"]["character"].as_u64().unwrap() as usize;
        let end = range["end"]["character"].as_u64().unwrap() as usize;
        let same_line = range["end"]["line"] == range["start"]["line"];
        let source_line: Vec<u16> = text
            .lines()
            .nth(line)
            .unwrap_or("")
            .encode_utf16()
            .collect();
        let end = if same_line { end } else { source_line.len() };
        let covered = String::from_utf16_lossy(&source_line[start.min(end)..end]);
        let relative = Path::new(path)
            .strip_prefix(&self.fixture.root)
            .unwrap()
            .display()
            .to_string();
        format!("{relative}:{}: {covered}", line + 1)
    }

    /// `shutdown`, `exit`, then the guard.
    async fn finish(mut self) {
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

fn completion_kind(kind: &Value) -> Value {
    let name = match kind.as_u64() {
        Some(2) => "Method",
        Some(5) => "Field",
        Some(6) => "Variable",
        Some(7) => "Class",
        Some(10) => "Property",
        Some(12) => "Value",
        Some(15) => "Snippet",
        Some(17) => "File",
        _ => return kind.clone(),
    };
    json!(name)
}

// ------------------------------------------------------------ workspaces

const WRANGLER_TOML: &str = r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"#;

const COUNTER_TS: &str = r#"
//- /src/counter.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async increment(by: number): Promise<number> {
    const value = ((await this.ctx.storage.get<number>("value")) ?? 0) + by;
    await this.ctx.storage.put("value", value);
    return value;
  }

  async fetch(request: Request): Promise<Response> {
    return new Response(String(await this.increment(1)));
  }
}
"#;

/// The Worker's entry point with `body` inside its `fetch` handler.
fn index_ts(body: &str) -> String {
    format!(
        r#"
//- /src/index.ts
export {{ Counter }} from "./counter";

export default {{
  async fetch(request: Request, env: Env): Promise<Response> {{
    {body}
    return new Response("ok");
  }},
}} satisfies ExportedHandler<Env>;
"#
    )
}

/// The Counter Worker with `body` in the Worker's `fetch`.
async fn worker_with(body: &str) -> Lsp {
    Lsp::start(fixture(
        &[WRANGLER_TOML, COUNTER_TS, &index_ts(body)].concat(),
    ))
    .await
}

// ------------------------------------------------------------ completion

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_after_env_dot() {
    let mut lsp = worker_with("env.$0").await;
    snapshot!("completion_env", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_a_namespace() {
    let mut lsp = worker_with("env.COUNTER.$0").await;
    snapshot!("completion_namespace", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_a_stub() {
    let mut lsp = worker_with("await env.COUNTER.getByName(\"x\").$0").await;
    snapshot!("completion_stub", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_storage() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async increment() {
    this.ctx.storage.$0
  }
}

export default {};
"#,
    ))
    .await;
    snapshot!("completion_storage", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_storage_of_a_kv_backed_class() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_classes = ["Counter"]
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async increment() {
    const storage = this.ctx.storage;
    storage.$0
  }
}

export default {};
"#,
    ))
    .await;
    snapshot!("completion_storage_kv_backed", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_on_sql() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async increment() {
    this.ctx.storage.sql.$0
  }
}

export default {};
"#,
    ))
    .await;
    snapshot!("completion_sql", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_handler_snippets_in_a_class_body() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    return new Response("ok");
  }

  $0
}

export default {};
"#,
    ))
    .await;
    let params = lsp.cursor().await;
    snapshot!(
        "completion_handler_snippets",
        lsp.completion_at(params.clone()).await
    );
    // The snippet text of one handler, as inserted.
    let result = lsp.result("textDocument/completion", params).await;
    let alarm = result
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["label"] == "alarm")
        .expect("an alarm snippet");
    snapshot!(
        "completion_handler_snippet_alarm",
        lsp.stable(&json!({
            "insertTextFormat": alarm["insertTextFormat"],
            "textEdit": alarm["textEdit"],
        }))
    );
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_location_hints() {
    let mut lsp =
        worker_with("const stub = env.COUNTER.getByName(\"x\", { locationHint: \"$0\" });").await;
    snapshot!("completion_location_hint", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_class_name_in_config() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "$0"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {}
export class Room extends DurableObject<Env> {}
class Helper {}

export default {};
"#,
    ))
    .await;
    snapshot!("completion_config_class_name", lsp.completion().await);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_keys_in_a_binding_table() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
$0

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {}

export default {};
"#,
    ))
    .await;
    snapshot!("completion_config_binding_keys", lsp.completion().await);
    lsp.finish().await;
}

// ------------------------------------------------------------ hover

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_an_env_binding() {
    let mut lsp = worker_with("await env.COUN$0TER.getByName(\"x\").increment(1);").await;
    let params = lsp.cursor().await;
    let hover = lsp.result("textDocument/hover", params).await;
    snapshot!("hover_env_binding", lsp.stable(&hover));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_storage_put() {
    let mut lsp = Lsp::start(fixture(
        &[
            WRANGLER_TOML,
            &COUNTER_TS.replace("this.ctx.storage.put(", "this.ctx.storage.p$0ut("),
            &index_ts(""),
        ]
        .concat(),
    ))
    .await;
    let params = lsp.cursor().await;
    let hover = lsp.result("textDocument/hover", params).await;
    snapshot!("hover_storage_put", lsp.stable(&hover));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_class_name_in_config() {
    let mut lsp = Lsp::start(fixture(
        &[
            &WRANGLER_TOML.replace("class_name = \"Counter\"", "class_name = \"Cou$0nter\""),
            COUNTER_TS,
            &index_ts(""),
        ]
        .concat(),
    ))
    .await;
    let params = lsp.cursor().await;
    let hover = lsp.result("textDocument/hover", params).await;
    snapshot!("hover_config_class_name", lsp.stable(&hover));
    lsp.finish().await;
}

// ------------------------------------------------------------ navigation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_of_an_env_binding() {
    let mut lsp = worker_with("await env.COUN$0TER.getByName(\"x\").increment(1);").await;
    let params = lsp.cursor().await;
    let result = lsp.result("textDocument/definition", params).await;
    snapshot!("definition_env_binding", lsp.locations(&result));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_of_a_class_name_in_config() {
    let mut lsp = Lsp::start(fixture(
        &[
            &WRANGLER_TOML.replace("class_name = \"Counter\"", "class_name = \"Cou$0nter\""),
            COUNTER_TS,
            &index_ts(""),
        ]
        .concat(),
    ))
    .await;
    let params = lsp.cursor().await;
    let result = lsp.result("textDocument/definition", params).await;
    snapshot!("definition_config_class_name", lsp.locations(&result));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_of_a_stub_method() {
    let mut lsp =
        worker_with("const stub = env.COUNTER.getByName(\"x\");\n    await stub.incre$0ment(1);")
            .await;
    let params = lsp.cursor().await;
    let result = lsp.result("textDocument/definition", params).await;
    snapshot!("definition_stub_method", lsp.locations(&result));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_of_a_class() {
    let mut lsp = Lsp::start(fixture(
        &[
            WRANGLER_TOML,
            &COUNTER_TS.replace("class Counter", "class Cou$0nter"),
            &index_ts("await env.COUNTER.getByName(\"x\").increment(1);"),
        ]
        .concat(),
    ))
    .await;
    let mut params = lsp.cursor().await;
    params["context"] = json!({"includeDeclaration": true});
    let result = lsp.result("textDocument/references", params).await;
    snapshot!("references_class", lsp.locations(&result));
    lsp.finish().await;
}

// ------------------------------------------------------------ symbols

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_symbols_of_a_wrangler_toml() {
    let mut lsp = Lsp::start(fixture(
        &[
            r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[env.staging]
name = "app-staging"

[[env.staging.durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
"#,
            COUNTER_TS,
            &index_ts(""),
        ]
        .concat(),
    ))
    .await;
    lsp.open("wrangler.toml").await;
    let uri = uri(&lsp.path("wrangler.toml"));
    let symbols = lsp
        .result(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    assert_nested(&symbols, None);
    snapshot!("document_symbols_wrangler_toml", lsp.stable(&symbols));
    lsp.finish().await;
}

/// Every symbol's selection lies in its range, and every child's range in
/// its parent's (editors rely on both for outlines and breadcrumbs).
fn assert_nested(symbols: &Value, parent: Option<&Value>) {
    let key = |p: &Value| {
        (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        )
    };
    let inside = |inner: &Value, outer: &Value| {
        key(&outer["start"]) <= key(&inner["start"]) && key(&inner["end"]) <= key(&outer["end"])
    };
    for symbol in symbols.as_array().unwrap() {
        let range = &symbol["range"];
        assert!(inside(&symbol["selectionRange"], range), "{symbol}");
        if let Some(parent) = parent {
            assert!(
                inside(range, parent),
                "{} outside its parent",
                symbol["name"]
            );
        }
        if let Some(children) = symbol.get("children") {
            assert_nested(children, Some(range));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_symbols_with_a_query() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /chat/wrangler.toml
name = "chat"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "CHAT_ROOM"
class_name = "ChatRoom"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["ChatRoom", "Counter"]
//- /chat/src/index.ts
import { DurableObject } from "cloudflare:workers";

export class ChatRoom extends DurableObject<Env> {}
export class Counter extends DurableObject<Env> {}

export default {};
//- /lobby/wrangler.toml
name = "lobby"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "ChatRoom"
script_name = "chat"
//- /lobby/src/index.ts
export default {};
"#,
    ))
    .await;
    let rooms = lsp
        .result("workspace/symbol", json!({"query": "room"}))
        .await;
    let covered: Vec<String> = rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|s| lsp.covered(&s["location"]))
        .collect();
    snapshot!(
        "workspace_symbols_room",
        lsp.stable(&json!({"result": rooms, "covered": covered}))
    );
    lsp.finish().await;
}

// ------------------------------------------------------------ diagnostics

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_published_and_cleared_after_a_fix() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /wrangler.toml
name = "app"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
//- /src/counter.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {}
//- /src/index.ts
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return env.COUNTER.getByName("x").fetch(request);
  },
};
"#,
    ))
    .await;
    let config = lsp.path("wrangler.toml");
    let (broken, seen) = lsp.diagnostics(&config, 0, |d| !d.is_empty()).await;
    snapshot!("diagnostics_class_not_exported", lsp.stable(&broken));

    // Export the class in the editor buffer, without saving.
    lsp.open("src/index.ts").await;
    let index = uri(&lsp.path("src/index.ts"));
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": index, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                                   "text": "export { Counter } from \"./counter\";\n"}]}),
    )
    .await;
    let (fixed, _) = lsp.diagnostics(&config, seen, |d| d.is_empty()).await;
    snapshot!("diagnostics_cleared_after_fix", lsp.stable(&fixed));
    lsp.finish().await;
}
