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
//!
//! The in-process start, `finish` and the `snapshot!` macro are in
//! `support/lsp_client.rs`, shared with the other protocol tests; the
//! JSON-RPC client and its guard are `dols-lsp-client` (`tests/lsp-client/`).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{files, snapshot, uri, Lsp};
use serde_json::{json, Value};

/// The config of the Workers below: `COUNTER` bound to `Counter`, created
/// by a migration.
const COUNTER_CONFIG: &str = r#"name = "app"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"#;

/// A Worker whose Durable Object class is declared in `src/counter.ts`
/// without `export`, and not exported from `main` either: the quick fix
/// edits two files.
const WORKSPACE: &[(&str, &str)] = &[
    ("wrangler.toml", COUNTER_CONFIG),
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

/// Helpers only these tests use, on the shared client.
impl Lsp {
    /// Writes the workspace, starts the server and initializes it with
    /// `capabilities`.
    async fn start_workspace(capabilities: Value) -> Lsp {
        Lsp::start_with(files(WORKSPACE), capabilities, None).await
    }

    async fn open_all(&mut self) {
        for (relative, version) in OPENED {
            self.open(relative, *version).await;
        }
    }

    /// The first published diagnostic of `relative` with code `code`.
    async fn diagnostic(&mut self, relative: &str, code: &str) -> Value {
        let path = self.path(relative);
        let has_code = |d: &Value| d["code"] == code;
        let (params, _) = self
            .diagnostics(&path, 0, |diagnostics| diagnostics.iter().any(has_code))
            .await;
        let diagnostics = params["diagnostics"].as_array().unwrap();
        diagnostics.iter().find(|d| has_code(d)).unwrap().clone()
    }

    /// The quick fixes offered for `diagnostic` of `relative`, with the
    /// temporary root written `$ROOT`.
    async fn quick_fixes(&mut self, relative: &str, diagnostic: Value) -> Value {
        let uri = uri(&self.path(relative));
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
        self.stable(&result)
    }
}

async fn class_not_exported_fixes(capabilities: Value) -> Value {
    let mut client = Lsp::start_workspace(capabilities).await;
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

/// A Worker whose `fetch` handler calls a stub with two relative URLs:
/// `relative-stub-fetch-url` has a safe fix for each.
const RELATIVE_URLS: &[(&str, &str)] = &[
    ("wrangler.toml", COUNTER_CONFIG),
    (
        "src/index.ts",
        r#"import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async fetch(request: Request): Promise<Response> {
    return new Response("ok");
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const stub = env.COUNTER.getByName("global");
    await stub.fetch("/reset");
    return stub.fetch("/increment");
  },
} satisfies ExportedHandler<Env>;
"#,
    ),
];

/// Fix-on-save: `source.fixAll.dols` (asked for as `source.fixAll`, as
/// editors do on save) applies every safe fix of the file in one edit; the
/// light bulb also offers to suppress the finding on its line and to open
/// the rule's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_suppress_and_rule_docs() {
    let mut client = Lsp::start_with(
        files(RELATIVE_URLS),
        json!({"general": {"positionEncodings": ["utf-16"]}}),
        None,
    )
    .await;
    client.open("src/index.ts", 3).await;
    let diagnostic = client
        .diagnostic("src/index.ts", "relative-stub-fetch-url")
        .await;
    let uri_text = uri(&client.path("src/index.ts"));
    let fix_all = client
        .result(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri_text},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": [], "only": ["source.fixAll"]},
            }),
        )
        .await;
    let fix_all = client.stable(&fix_all);
    assert_eq!(fix_all.as_array().map(Vec::len), Some(1), "{fix_all:#}");
    assert_eq!(fix_all[0]["kind"], "source.fixAll.dols");
    let edits = fix_all[0]["edit"]["changes"]["file://$ROOT/src/index.ts"]
        .as_array()
        .expect("edits of index.ts");
    assert_eq!(edits.len(), 2, "{fix_all:#}");
    // Not offered for a plain light bulb.
    let quick = client.quick_fixes("src/index.ts", diagnostic).await;
    let titles: Vec<&str> = quick
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        !titles.iter().any(|t| t.starts_with("Fix all")),
        "{titles:?}"
    );
    snapshot!("fix_all_source_action", fix_all);
    snapshot!("quick_fixes_with_suppress_and_docs", quick);
    client.finish().await;
}
