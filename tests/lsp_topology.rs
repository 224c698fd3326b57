//! The custom request `dols/topology` over the protocol: two Workers (one
//! binds a class of the other through `script_name`, one keeps its history
//! in a declarative `exports` map), environments, a failing migration step,
//! and positions in UTF-16. The whole answer is pinned by a JSON snapshot
//! (`tests/snapshots/lsp_topology__*.snap`; update with
//! `INSTA_UPDATE=always cargo test --test lsp_topology`, then review).
//!
//! The client and its guard (every request answered once, a clean
//! shutdown, nothing sent that the client did not ask for) are
//! `dols-lsp-client` (`tests/lsp-client/`), started in process by
//! `support/lsp_client.rs`.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{fixture, snapshot, Lsp};
use serde_json::{json, Value};

const WORKSPACE: &str = r#"
//- /api/wrangler.jsonc
{
  "name": "api",
  "main": "src/index.ts",
  "compatibility_date": "2025-06-01",
  "durable_objects": {
    "bindings": [
      { "name": "ROOM", "class_name": "ChatRoom" },
      { "name": "AUDIT", "class_name": "AuditLog", "script_name": "audit" },
      { "name": "ELSEWHERE", "class_name": "Thing", "script_name": "not-here" },
    ],
  },
  "migrations": [
    { "tag": "v1", "new_sqlite_classes": ["ChatRoom"] },
    { "tag": "v2", "new_classes": ["Counter"], "deleted_classes": ["Ghost"] },
    { "tag": "v3", "renamed_classes": [{ "from": "Counter", "to": "Tally" }] },
  ],
  "env": {
    "staging": {
      "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "ChatRoom" }] },
    },
  },
}
//- /api/src/index.ts
export { ChatRoom } from "./room";
export default { async fetch() { return new Response("ok"); } };
//- /api/src/room.ts
import { DurableObject } from "cloudflare:workers";
/** Emoji before the name: UTF-16 columns differ from bytes. 🎉 */ export class ChatRoom extends DurableObject {}
export class Tally extends DurableObject {}
//- /audit/wrangler.toml
name = "audit"
main = "src/index.ts"

[exports.AuditLog]
type = "durable-object"
storage = "sqlite"

[exports.OldLog]
type = "durable-object"
state = "deleted"
//- /audit/src/index.ts
import { DurableObject } from "cloudflare:workers";
export class AuditLog extends DurableObject {}
class Base extends DurableObject {}
export class Special extends Base {}
export default {};
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_of_two_workers() {
    let mut lsp = Lsp::start(fixture(WORKSPACE)).await;
    let topology = lsp.result("dols/topology", json!({})).await;
    snapshot!("two_workers", lsp.stable(&topology));
    // A client may send `null` params too.
    let again = lsp.result("dols/topology", Value::Null).await;
    assert_eq!(again, topology);
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_follows_an_unsaved_edit() {
    let mut lsp = Lsp::start(fixture(WORKSPACE)).await;
    lsp.open("audit/wrangler.toml", 1).await;
    let path = lsp.path("audit/wrangler.toml");
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": lsp_client::uri(&path), "version": 2},
            "contentChanges": [{"text": "name = \"audit2\"\nmain = \"src/index.ts\"\n"}],
        }),
    )
    .await;
    let topology = lsp.result("dols/topology", json!({})).await;
    let names: Vec<&str> = topology["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["api", "audit2"]);
    let audit = &topology["workers"][1];
    assert_eq!(audit["migrations"], json!([]));
    // The api Worker's `script_name = "audit"` no longer finds its host.
    let bound = &topology["workers"][0]["bindings"][1];
    assert_eq!(bound["name"], "AUDIT");
    assert_eq!(bound["host"], Value::Null);
    assert_eq!(bound["classLocation"], Value::Null);
    lsp.finish().await;
}
