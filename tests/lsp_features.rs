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
//!
//! The fixture writer, the in-process start, `finish` and the `snapshot!`
//! macro are in `support/lsp_client.rs`, shared with the other protocol
//! tests; the JSON-RPC client and its guard are `dols-lsp-client`
//! (`tests/lsp-client/`).

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::path::Path;

use lsp_client::{fixture, snapshot, uri, Lsp};
use serde_json::{json, Value};

// ------------------------------------------------------------ helpers

/// Helpers only these tests use, on the shared client.
impl Lsp {
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

/// `wrangler types` output is often gitignored, and TypeScript reads it
/// all the same: the bindings its `Env` declares are left to TypeScript
/// (no second item in the editor's merged list), only the binding the
/// stale type lacks is offered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn env_completion_reads_gitignored_generated_types() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /.gitignore
worker-configuration.d.ts
//- /wrangler.toml
name = "w"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "ADDED_LATER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
//- /worker-configuration.d.ts
interface Env {
  COUNTER: DurableObjectNamespace<import("./src/index").Counter>;
}
//- /src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {}

export default {
  async fetch(request: Request, env: Env) {
    return env.$0
  },
};
"#,
    ))
    .await;
    let labels: Vec<Value> = lsp
        .completion()
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["label"].clone())
        .collect();
    assert_eq!(labels, [json!("ADDED_LATER")]);
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

// ------------------------------------------------ wrangler's schema

/// `TextDocumentPositionParams` at `after` characters into the first
/// occurrence of `needle` in `relative` (ASCII fixtures).
fn position_in(lsp: &Lsp, relative: &str, needle: &str, after: usize) -> Value {
    let path = lsp.path(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {relative}"))
        + after;
    let line = text[..offset].matches('\n').count();
    let character = offset - text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({"textDocument": {"uri": uri(&path)}, "position": {"line": line, "character": character}})
}

/// The same config in each format: hover on a key, hover on a value with
/// fixed choices, key completion inside a nested table, and value
/// completion, all answered from wrangler's schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_keys_and_values_hover_and_complete_in_every_format() {
    let configs = [
        (
            "toml/wrangler.toml",
            "name = \"app\"\ncompatibility_date = \"2025-06-01\"\nworkers_dev = true\n\n[placement]\nmode = \"smart\"\n\n[observability]\n\n",
        ),
        (
            "json/wrangler.json",
            "{\n  \"name\": \"app\",\n  \"compatibility_date\": \"2025-06-01\",\n  \"workers_dev\": true,\n  \"placement\": { \"mode\": \"smart\" },\n  \"observability\": {  }\n}\n",
        ),
        (
            "jsonc/wrangler.jsonc",
            "{\n  // comments and trailing commas\n  \"name\": \"app\",\n  \"compatibility_date\": \"2025-06-01\",\n  \"workers_dev\": true,\n  \"placement\": { \"mode\": \"smart\", },\n  \"observability\": {  },\n}\n",
        ),
    ];
    let files: Vec<(&str, &str)> = configs.to_vec();
    let mut lsp = Lsp::start(lsp_client::files(&files)).await;
    let mut answers = serde_json::Map::new();
    for (relative, text) in configs {
        lsp.open(relative, 1).await;
        let hover_key = lsp
            .result(
                "textDocument/hover",
                position_in(&lsp, relative, "compatibility_date", 3),
            )
            .await;
        let hover_value = lsp
            .result(
                "textDocument/hover",
                position_in(&lsp, relative, "smart", 2),
            )
            .await;
        // Inside the empty observability table / object.
        let nested_at = if text.starts_with('{') {
            position_in(&lsp, relative, "\"observability\": { ", 19)
        } else {
            position_in(&lsp, relative, "[observability]\n", 16)
        };
        let nested_keys = lsp.completion_at(nested_at).await;
        let values_at = if text.starts_with('{') {
            position_in(&lsp, relative, "\"workers_dev\": ", 15)
        } else {
            position_in(&lsp, relative, "workers_dev = ", 14)
        };
        let values = lsp.completion_at(values_at).await;
        let hover_text = |hover: &Value| hover["contents"]["value"].clone();
        answers.insert(
            relative.to_string(),
            json!({
                "hover on compatibility_date": hover_text(&hover_key),
                "hover on \"smart\"": hover_text(&hover_value),
                "keys in observability": nested_keys,
                "values of workers_dev": values,
            }),
        );
    }
    // Every format gives the same answers.
    let toml = &answers["toml/wrangler.toml"];
    assert_eq!(toml, &answers["json/wrangler.json"]);
    assert_eq!(toml, &answers["jsonc/wrangler.jsonc"]);
    snapshot!("config_schema_hover_and_completion", lsp.stable(toml));
    lsp.finish().await;
}

/// A project's own `node_modules/wrangler` schema (another version) is
/// used instead of the bundled one: its keys complete and hover with its
/// version, and validation follows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projects_own_wrangler_schema_takes_precedence() {
    let schema = r##"{"$schema": "http://json-schema.org/draft-07/schema#",
  "definitions": {"RawConfig": {"type": "object", "additionalProperties": false, "properties": {
    "name": {"type": "string"},
    "main": {"type": "string"},
    "compatibility_date": {"type": "string"},
    "legacy_thing": {"type": "number", "description": "A key only this old wrangler knows."}}}},
  "allOf": [{"$ref": "#/definitions/RawConfig"}]}"##;
    let mut lsp = Lsp::start(lsp_client::files(&[
        ("node_modules/wrangler/package.json", r#"{"name": "wrangler", "version": "3.99.0"}"#),
        ("node_modules/wrangler/config-schema.json", schema),
        (
            "wrangler.toml",
            "name = \"app\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-06-01\"\nlegacy_thing = 1\nobservability = { enabled = true }\n",
        ),
        ("src/index.ts", "export default {};\n"),
    ]))
    .await;
    let config = lsp.path("wrangler.toml");
    let (diagnostics, _) = lsp.diagnostics(&config, 0, |d| !d.is_empty()).await;
    let unknown: Vec<&str> = diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unknown-config-key")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(unknown.len(), 1, "{diagnostics:#?}");
    assert!(unknown[0].starts_with("`observability`"), "{unknown:?}");
    lsp.open("wrangler.toml", 1).await;
    let hover = lsp
        .result(
            "textDocument/hover",
            position_in(&lsp, "wrangler.toml", "legacy_thing", 2),
        )
        .await;
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        text.contains("A key only this old wrangler knows."),
        "{text}"
    );
    assert!(
        text.contains("wrangler 3.99.0 (this project's `node_modules`)"),
        "{text}"
    );
    lsp.finish().await;
}

// ------------------------------------------- folders and configuration

/// Two Workers side by side, each with a relative `stub.fetch` URL.
fn two_folders() -> lsp_client::Fixture {
    let worker = |name: &str| {
        [
            (
                format!("{name}/wrangler.toml"),
                format!("name = \"{name}\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-06-01\"\n\n[[durable_objects.bindings]]\nname = \"C\"\nclass_name = \"C\"\n\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"C\"]\n"),
            ),
            (
                format!("{name}/src/index.ts"),
                "import { DurableObject } from \"cloudflare:workers\";\nexport class C extends DurableObject {\n  async fetch() { return new Response(\"ok\"); }\n}\nexport default {\n  async fetch(request: Request, env: Env) {\n    return env.C.getByName(\"a\").fetch(\"/path\");\n  },\n};\n".to_string(),
            ),
        ]
    };
    let files: Vec<(String, String)> = worker("a").into_iter().chain(worker("b")).collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    lsp_client::files(&borrowed)
}

/// A folder added with `workspace/didChangeWorkspaceFolders` is indexed
/// and gets diagnostics; a removed one has its diagnostics cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_added_later_gets_diagnostics() {
    let capabilities = json!({"general": {"positionEncodings": ["utf-16"]},
                              "workspace": {"workspaceFolders": true}});
    let mut lsp = Lsp::start_full(two_folders(), capabilities, None, None, "a").await;
    let (a_index, b_index) = (lsp.path("a/src/index.ts"), lsp.path("b/src/index.ts"));
    let relative = |d: &[Value]| d.iter().any(|d| d["code"] == "relative-stub-fetch-url");
    let (_, seen) = lsp.diagnostics(&a_index, 0, relative).await;
    assert!(
        !lsp.notifications
            .iter()
            .any(|n| n["params"]["uri"] == uri(&b_index)),
        "b is not open yet"
    );
    let (a, b) = (uri(&lsp.path("a")), uri(&lsp.path("b")));
    lsp.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [{"uri": b, "name": "b"}], "removed": [{"uri": a, "name": "a"}]}}),
    )
    .await;
    let (_, _) = lsp.diagnostics(&b_index, seen, relative).await;
    let (_, _) = lsp.diagnostics(&a_index, seen, |d| d.is_empty()).await;
    lsp.finish().await;
}

/// Settings are asked for with `workspace/configuration` when the client
/// offers it: the answer changes a rule's severity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_come_from_workspace_configuration() {
    let capabilities = json!({"general": {"positionEncodings": ["utf-16"]},
                              "workspace": {"configuration": true}});
    let answer = json!({"rules": {"relative-stub-fetch-url": "hint"}});
    let mut lsp = Lsp::start_full(two_folders(), capabilities, None, Some(answer), "").await;
    let index = lsp.path("a/src/index.ts");
    let (published, _) = lsp
        .diagnostics(&index, 0, |d| {
            d.iter().any(|d| d["code"] == "relative-stub-fetch-url")
        })
        .await;
    let finding = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "relative-stub-fetch-url")
        .unwrap();
    // 4 is Hint: the configured level, not the rule's default (Error).
    assert_eq!(finding["severity"], 4, "{finding:#}");
    lsp.finish().await;
}

// ---------------------------------------------- folding and selection

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folding_and_selection_ranges_of_a_config() {
    let mut lsp = worker_with("").await;
    lsp.open("wrangler.toml", 1).await;
    let uri_text = uri(&lsp.path("wrangler.toml"));
    let folds = lsp
        .result(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri_text}}),
        )
        .await;
    let at = position_in(&lsp, "wrangler.toml", "\"Counter\"", 3);
    let selection = lsp
        .result(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": uri_text}, "positions": [at["position"]]}),
        )
        .await;
    let mut grown = Vec::new();
    let mut current = &selection[0];
    while current.is_object() {
        grown.push(lsp.covered(&json!({"uri": uri_text, "range": current["range"]})));
        current = &current["parent"];
    }
    snapshot!(
        "folding_and_selection_toml",
        json!({"folds": folds, "selection (first line of each)": grown})
    );
    lsp.finish().await;
}

// ------------------------------- every new request: demo and monorepo

/// The answers of the wiring and structure requests for `files`, made
/// readable: each range shown as the text it covers.
async fn editor_answers(lsp: &mut Lsp, files: &[&str]) -> Value {
    let mut shown = serde_json::Map::new();
    for &file in files {
        lsp.open(file, 1).await;
        let uri_text = uri(&lsp.path(file));
        let document = json!({"textDocument": {"uri": uri_text}});
        let whole = json!({"textDocument": {"uri": uri_text},
                           "range": {"start": {"line": 0, "character": 0}, "end": {"line": 10000, "character": 0}}});
        let hints = lsp.result("textDocument/inlayHint", whole).await;
        let lenses = lsp.result("textDocument/codeLens", document.clone()).await;
        let links = lsp
            .result("textDocument/documentLink", document.clone())
            .await;
        let symbols = lsp
            .result("textDocument/documentSymbol", document.clone())
            .await;
        let folds = lsp
            .result("textDocument/foldingRange", document.clone())
            .await;
        let pulled = lsp.result("textDocument/diagnostic", document).await;
        let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
        let pulled: Vec<Value> = list(&pulled["items"])
            .iter()
            .map(|d| {
                json!(format!(
                    "{}:{} {}",
                    d["range"]["start"]["line"],
                    d["range"]["start"]["character"],
                    d["code"].as_str().unwrap_or_default()
                ))
            })
            .collect();
        let hints: Vec<Value> = list(&hints)
            .iter()
            .map(|h| {
                json!(format!(
                    "{} {}",
                    line_up_to(lsp, &uri_text, &h["position"]),
                    h["label"].as_str().unwrap_or_default()
                ))
            })
            .collect();
        let lenses: Vec<Value> = list(&lenses)
            .iter()
            .map(|l| l["command"]["title"].clone())
            .collect();
        let links: Vec<Value> = list(&links)
            .iter()
            .map(|l| {
                let from = lsp.covered(&json!({"uri": uri_text, "range": l["range"]}));
                json!(format!(
                    "{from} -> {}",
                    lsp.stable(&l["target"]).as_str().unwrap_or_default()
                ))
            })
            .collect();
        fn names(symbols: &[Value], out: &mut Vec<String>, depth: usize) {
            for symbol in symbols {
                let detail = symbol["detail"]
                    .as_str()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                out.push(format!(
                    "{}{}{detail}",
                    "  ".repeat(depth),
                    symbol["name"].as_str().unwrap_or_default()
                ));
                names(
                    symbol["children"].as_array().map_or(&[][..], |c| &c[..]),
                    out,
                    depth + 1,
                );
            }
        }
        let mut outline = Vec::new();
        names(&list(&symbols), &mut outline, 0);
        let folds: Vec<Value> = list(&folds)
            .iter()
            .map(|f| json!(format!("{}-{}", f["startLine"], f["endLine"])))
            .collect();
        shown.insert(
            file.to_string(),
            json!({"inlay hints": hints, "code lenses": lenses, "document links": links,
                   "outline": outline, "folds": folds, "pulled diagnostics": pulled}),
        );
    }
    // Every file with findings, as one workspace pull reports it.
    let workspace = lsp
        .result("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    let reported: Vec<Value> = workspace["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|report| {
            let codes: Vec<&str> = report["items"]
                .as_array()
                .map(|items| items.iter().filter_map(|d| d["code"].as_str()).collect())
                .unwrap_or_default();
            let path = lsp.stable(&report["uri"]);
            json!(format!(
                "{} {}",
                path.as_str().unwrap_or_default(),
                codes.join(", ")
            ))
        })
        .collect();
    shown.insert("workspace pull".to_string(), Value::Array(reported));
    Value::Object(shown)
}

/// The demo project, as a user opens it: every new request on its config
/// and sources.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_new_request_on_the_demo() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/demo");
    let names = [
        "wrangler.jsonc",
        "src/index.ts",
        "src/counter.ts",
        "src/chat-room.ts",
    ];
    let texts: Vec<(String, String)> = names
        .iter()
        .map(|n| {
            (
                n.to_string(),
                std::fs::read_to_string(demo.join(n)).unwrap(),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str)> = texts
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut lsp = Lsp::start(lsp_client::files(&borrowed)).await;
    let answers = editor_answers(&mut lsp, &names).await;
    snapshot!("editor_requests_demo", answers);
    lsp.finish().await;
}

/// A monorepo whose Durable Object class lives in a workspace package
/// (`export { Room } from "@acme/rooms"`): the wiring reaches into it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_new_request_on_a_monorepo_with_a_workspace_package() {
    let mut lsp = Lsp::start(fixture(
        r#"
//- /package.json
{ "name": "acme", "private": true, "workspaces": ["apps/*", "packages/*"] }
//- /packages/rooms/package.json
{ "name": "@acme/rooms", "exports": { ".": "./src/index.ts" } }
//- /packages/rooms/src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject {
  async post(text: string) {
    this.ctx.storage.sql.exec("INSERT INTO messages (text) VALUES (?)", text);
  }
}
//- /apps/chat/wrangler.toml
name = "chat"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
//- /apps/chat/src/index.ts
export { Room } from "@acme/rooms";

export default {
  async fetch(request: Request, env: Env) {
    await env.ROOMS.getByName("lobby").post("hi");
    return new Response("ok");
  },
};
"#,
    ))
    .await;
    let answers = editor_answers(
        &mut lsp,
        &[
            "apps/chat/wrangler.toml",
            "apps/chat/src/index.ts",
            "packages/rooms/src/index.ts",
        ],
    )
    .await;
    snapshot!("editor_requests_monorepo", answers);
    lsp.finish().await;
}

// ------------------------------------------------------ signature help

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signature_help_in_durable_object_api_and_rpc_calls() {
    let mut shown = serde_json::Map::new();
    for (name, body) in [
        ("getByName", "env.COUNTER.getByName($0"),
        (
            "stub rpc",
            "await env.COUNTER.getByName(\"a\").increment($0",
        ),
        (
            "second argument",
            "const id = env.COUNTER.idFromName(\"a\"); env.COUNTER.get(id, $0",
        ),
    ] {
        let mut lsp = worker_with(body).await;
        let params = lsp.cursor().await;
        let help = lsp.result("textDocument/signatureHelp", params).await;
        shown.insert(
            name.to_string(),
            json!({
                "label": help["signatures"][0]["label"],
                "activeParameter": help["activeParameter"],
                "parameters": help["signatures"][0]["parameters"],
            }),
        );
        lsp.finish().await;
    }
    let mut lsp = Lsp::start(fixture(
        &[
            WRANGLER_TOML,
            &COUNTER_TS.replace(
                "await this.ctx.storage.put(\"value\", value);",
                "await this.ctx.storage.setAlarm(Date.now() + 1000, $0",
            ),
            &index_ts(""),
        ]
        .concat(),
    ))
    .await;
    let params = lsp.cursor().await;
    let help = lsp.result("textDocument/signatureHelp", params).await;
    shown.insert(
        "setAlarm".to_string(),
        json!({
            "label": help["signatures"][0]["label"],
            "activeParameter": help["activeParameter"],
            "documentation": help["signatures"][0]["documentation"]["value"],
        }),
    );
    lsp.finish().await;
    snapshot!("signature_help", Value::Object(shown));
}

// ------------------------------------------------------------ wiring

/// Two Workers: `chat` runs `Room` (SQLite, also bound in env.staging), and
/// `api` reaches it through `script_name`.
const TWO_WORKERS: &str = r#"
//- /chat/wrangler.toml
name = "chat"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[env.staging]
[[env.staging.durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"
//- /chat/src/index.ts
import { DurableObject } from "cloudflare:workers";

export class Room extends DurableObject<Env> {
  async send(text: string) {
    return text;
  }
}

export default {
  async fetch(request: Request, env: Env) {
    await env.ROOMS.getByName("lobby").send("hi");
    return new Response("ok");
  },
};
//- /api/wrangler.toml
name = "api"
main = "src/index.ts"
compatibility_date = "2025-06-01"

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"
script_name = "chat"
//- /api/src/index.ts
export default {
  async fetch(request: Request, env: Env) {
    const { ROOMS } = env;
    await env.ROOMS.getByName("a").send("from api");
    return new Response("ok");
  },
};
"#;

/// The text at a zero-width LSP position's line, cut at the position.
fn line_up_to(lsp: &Lsp, uri_text: &str, position: &Value) -> String {
    let path = uri_text.strip_prefix("file://").unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let source_line: Vec<u16> = text
        .lines()
        .nth(line)
        .unwrap_or("")
        .encode_utf16()
        .collect();
    let relative = std::path::Path::new(path)
        .strip_prefix(&lsp.fixture.root)
        .unwrap()
        .display()
        .to_string();
    format!(
        "{relative}:{}: {}",
        line + 1,
        String::from_utf16_lossy(&source_line[..character.min(source_line.len())])
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inlay_hints_show_the_class_backend_and_host_of_bindings() {
    let mut lsp = Lsp::start(fixture(TWO_WORKERS)).await;
    let mut shown = Vec::new();
    for file in [
        "api/src/index.ts",
        "chat/src/index.ts",
        "chat/wrangler.toml",
        "api/wrangler.toml",
    ] {
        lsp.open(file, 1).await;
        let uri_text = uri(&lsp.path(file));
        let hints = lsp
            .result(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": uri_text},
                       "range": {"start": {"line": 0, "character": 0}, "end": {"line": 100, "character": 0}}}),
            )
            .await;
        for hint in hints.as_array().unwrap() {
            shown.push(json!({
                "at": line_up_to(&lsp, &uri_text, &hint["position"]),
                "label": hint["label"],
                "tooltip": lsp.stable(&hint["tooltip"]["value"]),
            }));
        }
    }
    snapshot!("inlay_hints_two_workers", Value::Array(shown));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lenses_above_a_durable_object_class() {
    let mut lsp = Lsp::start(fixture(TWO_WORKERS)).await;
    lsp.open("chat/src/index.ts", 1).await;
    let uri_text = uri(&lsp.path("chat/src/index.ts"));
    let lenses = lsp
        .result(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri_text}}),
        )
        .await;
    let shown: Vec<Value> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|lens| {
            let command = &lens["command"];
            let places: Vec<Value> = command["arguments"]
                .get(2)
                .and_then(Value::as_array)
                .map(|locations| {
                    locations
                        .iter()
                        .map(|l| Value::String(lsp.covered(l)))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "title": command["title"],
                "command": command["command"],
                "places": places,
            })
        })
        .collect();
    snapshot!("code_lenses_room", Value::Array(shown));
    lsp.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_links_lead_from_config_values_to_what_they_name() {
    let mut lsp = Lsp::start(fixture(TWO_WORKERS)).await;
    let mut shown = Vec::new();
    for file in ["chat/wrangler.toml", "api/wrangler.toml"] {
        let uri_text = uri(&lsp.path(file));
        let links = lsp
            .result(
                "textDocument/documentLink",
                json!({"textDocument": {"uri": uri_text}}),
            )
            .await;
        for link in links.as_array().unwrap() {
            let from = lsp.covered(&json!({"uri": uri_text, "range": link["range"]}));
            shown.push(json!({
                "from": from,
                "target": lsp.stable(&link["target"]),
                "tooltip": link["tooltip"],
            }));
        }
    }
    snapshot!("document_links_two_workers", Value::Array(shown));
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
    lsp.open("wrangler.toml", 1).await;
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

/// A Worker binding `COUNTER` to a created `Counter` class that its `main`
/// (`src/index.ts`, given) does not export yet.
fn counter_app(index_ts: &str) -> String {
    const CONFIG_AND_CLASS: &str = r#"
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
"#;
    format!("{CONFIG_AND_CLASS}//- /src/index.ts\n{index_ts}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_published_and_cleared_after_a_fix() {
    let mut lsp = Lsp::start(fixture(&counter_app(
        r#"export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return env.COUNTER.getByName("x").fetch(request);
  },
};
"#,
    )))
    .await;
    let config = lsp.path("wrangler.toml");
    let (broken, seen) = lsp.diagnostics(&config, 0, |d| !d.is_empty()).await;
    snapshot!("diagnostics_class_not_exported", lsp.stable(&broken));

    // Export the class in the editor buffer, without saving.
    lsp.open("src/index.ts", 1).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_changed_or_reopened_files_are_published_again() {
    let mut lsp = Lsp::start(fixture(&counter_app(
        r#"export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return env.MISSING_A.getByName("x").fetch(request);
  },
};
"#,
    )))
    .await;
    let config = lsp.path("wrangler.toml");
    let index = lsp.path("src/index.ts");
    let publishes_of = |lsp: &Lsp, path: &Path| {
        let uri = uri(path);
        lsp.notifications
            .iter()
            .filter(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            })
            .count()
    };
    let names = |d: &[Value], name: &str| {
        d.iter()
            .any(|d| d["message"].as_str().unwrap().contains(name))
    };
    // One publish round sends the files in no particular order.
    let (_, config_seen) = lsp.diagnostics(&config, 0, |d| !d.is_empty()).await;
    let (_, index_seen) = lsp.diagnostics(&index, 0, |d| names(d, "MISSING_A")).await;
    let seen = config_seen.max(index_seen);

    // Opening a file sends its diagnostics again (some clients drop those
    // of files they had not opened); the config is not sent again.
    lsp.open("src/index.ts", 1).await;
    let (_, seen) = lsp
        .diagnostics(&index, seen, |d| names(d, "MISSING_A"))
        .await;
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&index), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 2, "character": 23}, "end": {"line": 2, "character": 24}},
                                   "text": "B"}]}),
    )
    .await;
    let (_, seen) = lsp
        .diagnostics(&index, seen, |d| names(d, "MISSING_B"))
        .await;
    assert_eq!(
        publishes_of(&lsp, &config),
        1,
        "the config's findings did not change"
    );
    assert_eq!(publishes_of(&lsp, &index), 3);

    lsp.open("wrangler.toml", 1).await;
    lsp.diagnostics(&config, seen, |d| !d.is_empty()).await;
    assert_eq!(publishes_of(&lsp, &config), 2);
    lsp.finish().await;
}

/// A deprecated config key is struck through (tag 2) and a suppression that
/// silences nothing is faded (tag 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deprecated_and_unnecessary_findings_carry_tags() {
    let mut lsp = Lsp::start(fixture(
        &counter_app("// dols-ignore-next-line rpc-unknown-method\nexport default {};\n").replace(
            "compatibility_date = \"2025-06-01\"",
            "compatibility_date = \"2025-06-01\"\nnode_compat = true",
        ),
    ))
    .await;
    let tag_of = |params: &Value, code: &str| {
        params["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .map(|d| d["tags"].clone())
    };
    let config = lsp.path("wrangler.toml");
    let (published, _) = lsp
        .diagnostics(&config, 0, |d| {
            d.iter().any(|d| d["code"] == "deprecated-config-key")
        })
        .await;
    assert_eq!(
        tag_of(&published, "deprecated-config-key"),
        Some(json!([2]))
    );
    let index = lsp.path("src/index.ts");
    let (published, _) = lsp
        .diagnostics(&index, 0, |d| {
            d.iter().any(|d| d["code"] == "unused-suppression")
        })
        .await;
    assert_eq!(tag_of(&published, "unused-suppression"), Some(json!([1])));
    lsp.finish().await;
}
