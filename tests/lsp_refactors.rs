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
//!
//! The fixture writer, the in-process start, `finish` and the `snapshot!`
//! macro are in `support/lsp_client.rs`, shared with the other protocol
//! tests; the JSON-RPC client and its guard are `dols-lsp-client`
//! (`tests/lsp-client/`).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{fixture, snapshot, uri, Fixture, Lsp};
use serde_json::{json, Value};

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

/// Starts the server with `capabilities`; the client answers every
/// `workspace/applyEdit` with `applied: true` (until a test gives
/// `answer_apply_edit` something else) and no other request (one fails
/// the guard).
async fn start(fixture: Fixture, capabilities: Value) -> Lsp {
    Lsp::start_with(fixture, capabilities, Some(json!({"applied": true}))).await
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
    let mut lsp = start(
        workspace_with_cursor("src/counter.ts", "class Counter", "class Cou$0nter"),
        capabilities(true),
    )
    .await;
    let on_class = lsp
        .result("textDocument/prepareRename", lsp.cursor_position())
        .await;
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
    let mut lsp = start(
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
    let mut params = lsp.cursor_position();
    params["newName"] = json!("VisitCounter");
    let edit = lsp.result("textDocument/rename", params).await;
    snapshot!("rename_class", lsp.stable(&edit));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_a_binding_and_refusals() {
    let mut lsp = start(
        workspace_with_cursor("src/index.ts", "env.COUNTER", "env.COUN$0TER"),
        capabilities(true),
    )
    .await;
    let mut params = lsp.cursor_position();
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
    let mut lsp = start(fixture(WORKSPACE), capabilities(true)).await;
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
    assert_eq!(lsp.apply_edits().len(), 1, "one applyEdit request");
    let applied = lsp.apply_edits()[0].clone();
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
    assert_eq!(lsp.apply_edits().len(), 1);
    snapshot!(
        "new_durable_object_refusals",
        json!({"class taken": taken["error"], "bad arguments": bad["error"]})
    );
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_durable_object_reports_a_rejected_edit() {
    let mut lsp = start(fixture(WORKSPACE), capabilities(true)).await;
    lsp.answer_apply_edit(json!({"applied": false, "failureReason": "read-only file"}));
    let result = lsp
        .request(
            "workspace/executeCommand",
            json!({"command": "dols.newDurableObject", "arguments": ["wrangler.toml", "Room"]}),
        )
        .await;
    assert_eq!(lsp.apply_edits().len(), 1);
    let message = result["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("read-only file"), "{result}");
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_durable_object_needs_apply_edit() {
    let mut lsp = start(fixture(WORKSPACE), capabilities(false)).await;
    let response = lsp
        .request(
            "workspace/executeCommand",
            json!({"command": "dols.newDurableObject", "arguments": ["wrangler.toml", "Room"]}),
        )
        .await;
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("workspace/applyEdit"), "{response}");
    assert!(lsp.apply_edits().is_empty());
    lsp.finish().await;
}

// ------------------------------------------------------------ bind this class

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind_this_class_code_action() {
    let mut lsp = start(
        workspace_with_cursor("src/lobby.ts", "class Lobby", "class Lob$0by"),
        capabilities(true),
    )
    .await;
    let position = lsp.cursor_position();
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
