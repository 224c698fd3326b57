//! Pull diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`):
//! result ids, unchanged reports, findings that change through another
//! file, and the hand-over between pushed and pulled findings, which must
//! never leave the client holding both.
//!
//! In-process like `lsp_features.rs`, with the same client and guard.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::time::Duration;

use dols_lsp_client::Answer;
use lsp_client::{files, snapshot, uri, Lsp};
use serde_json::{json, Value};

/// One Worker: its config has an unknown key, its source a relative URL in
/// a stub fetch.
fn worker() -> lsp_client::Fixture {
    files(&[
        (
            "wrangler.toml",
            "name = \"a\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-06-01\"\ncolour = \"blue\"\n\n[[durable_objects.bindings]]\nname = \"C\"\nclass_name = \"C\"\n\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"C\"]\n",
        ),
        (
            "src/index.ts",
            "import { DurableObject } from \"cloudflare:workers\";\nexport class C extends DurableObject {\n  async fetch() { return new Response(\"ok\"); }\n}\nexport default {\n  async fetch(request: Request, env: Env) {\n    return env.C.getByName(\"a\").fetch(\"/path\");\n  },\n};\n",
        ),
    ])
}

/// A client that pulls, and takes no other server-to-client request.
fn pulling() -> Value {
    json!({"general": {"positionEncodings": ["utf-16"]},
           "textDocument": {"diagnostic": {"dynamicRegistration": false}}})
}

fn codes(items: &Value) -> Vec<String> {
    let mut codes: Vec<String> = items
        .as_array()
        .expect("a list of diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    codes.sort();
    codes
}

async fn pull_document(lsp: &mut Lsp, relative: &str, previous: Option<&str>) -> Value {
    let uri = uri(&lsp.path(relative));
    lsp.result(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": previous}),
    )
    .await
}

/// One change of the open `relative` (which is then at version 2):
/// `text` over `from..to` of `line`.
async fn change(lsp: &mut Lsp, relative: &str, (line, from, to): (u32, u32, u32), text: &str) {
    let uri = uri(&lsp.path(relative));
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": line, "character": from}, "end": {"line": line, "character": to}},
                                   "text": text}]}),
    )
    .await;
}

/// Renames the binding in the open config: `env.C` in the source no
/// longer names one.
async fn rename_the_binding(lsp: &mut Lsp) {
    change(lsp, "wrangler.toml", (6, 8, 9), "D").await;
}

/// Makes the stub fetch URL of the open source absolute: its finding goes.
async fn make_the_url_absolute(lsp: &mut Lsp) {
    change(lsp, "src/index.ts", (6, 38, 45), "\"https://c/path\"").await;
}

/// Lets the server finish what an edit started, reading what it sends.
async fn settle(lsp: &mut Lsp) {
    lsp.read_for(Duration::from_millis(300)).await;
}

/// The diagnostics each file's last `publishDiagnostics` left the client
/// with, for files that still have some.
fn pushed_and_kept(lsp: &Lsp) -> Vec<(String, Value)> {
    let mut last: std::collections::BTreeMap<String, Value> = Default::default();
    for n in &lsp.notifications {
        if n["method"] == "textDocument/publishDiagnostics" {
            let params = &n["params"];
            last.insert(
                params["uri"].as_str().unwrap().to_string(),
                params["diagnostics"].clone(),
            );
        }
    }
    last.into_iter()
        .filter(|(_, d)| d.as_array().is_some_and(|d| !d.is_empty()))
        .collect()
}

/// Pull is offered only to a client that declares it; the others keep
/// getting pushes (as every other protocol test shows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_is_offered_only_to_clients_that_pull() {
    let lsp = Lsp::start_with(worker(), pulling(), None).await;
    assert_eq!(
        lsp.initialized["capabilities"]["diagnosticProvider"],
        json!({"identifier": "dols", "interFileDependencies": true, "workspaceDiagnostics": true})
    );
    lsp.finish().await;
    let pushed_only = json!({"general": {"positionEncodings": ["utf-16"]}});
    let mut lsp = Lsp::start_with(worker(), pushed_only, None).await;
    assert_eq!(
        lsp.initialized["capabilities"].get("diagnosticProvider"),
        None
    );
    let index = lsp.path("src/index.ts");
    lsp.diagnostics(&index, 0, |d| !d.is_empty()).await;
    lsp.finish().await;
}

/// Document pulls carry result ids: asking again with the id gets
/// "unchanged", an edit gets the new findings under a new id, and a clean
/// file is reported empty. Once the client has pulled the workspace,
/// nothing is pushed and what was pushed before is cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_and_the_workspace_are_pulled_with_result_ids() {
    let mut lsp = Lsp::start_with(worker(), pulling(), None).await;
    let workspace = lsp
        .result(
            "workspace/diagnostic",
            json!({"identifier": "dols", "previousResultIds": []}),
        )
        .await;
    let mut shown = lsp.stable(&workspace);
    for item in shown["items"].as_array_mut().unwrap() {
        item["resultId"] = json!("<hash>");
    }
    snapshot!("workspace_pull", shown);
    let items = workspace["items"].as_array().unwrap().clone();
    let report_of = |relative: &str| {
        let uri = uri(&lsp.path(relative));
        items
            .iter()
            .find(|item| item["uri"] == uri)
            .cloned()
            .unwrap_or_else(|| panic!("{relative} in {items:#?}"))
    };
    let config = report_of("wrangler.toml");
    assert_eq!(config["kind"], "full");
    assert_eq!(codes(&config["items"]), ["unknown-config-key"]);
    let index_report = report_of("src/index.ts");
    assert_eq!(codes(&index_report["items"]), ["relative-stub-fetch-url"]);
    assert_eq!(items.len(), 2, "only files with findings: {items:#?}");

    // The same again with the ids the client holds: all unchanged.
    let previous: Vec<Value> = items
        .iter()
        .map(|item| json!({"uri": item["uri"], "value": item["resultId"]}))
        .collect();
    let again = lsp
        .result(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await;
    let kinds: Vec<&Value> = again["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["kind"])
        .collect();
    assert_eq!(
        kinds,
        [&json!("unchanged"), &json!("unchanged")],
        "{again:#}"
    );

    // The document itself, opened and pulled.
    lsp.open("src/index.ts", 1).await;
    let first = pull_document(&mut lsp, "src/index.ts", None).await;
    assert_eq!(first["kind"], "full");
    assert_eq!(codes(&first["items"]), ["relative-stub-fetch-url"]);
    assert_eq!(first["resultId"], index_report["resultId"]);
    let id = first["resultId"].as_str().unwrap().to_string();
    let unchanged = pull_document(&mut lsp, "src/index.ts", Some(&id)).await;
    assert_eq!(unchanged, json!({"kind": "unchanged", "resultId": id}));

    // An edit fixes the finding: the next pull reports the file clean.
    let index_uri = uri(&lsp.path("src/index.ts"));
    make_the_url_absolute(&mut lsp).await;
    let fixed = pull_document(&mut lsp, "src/index.ts", Some(&id)).await;
    assert_eq!(
        fixed,
        json!({"kind": "full", "resultId": "none", "items": []})
    );

    // The workspace pull says so too, for the id the client held.
    let after_edit = lsp
        .result(
            "workspace/diagnostic",
            json!({"previousResultIds": previous}),
        )
        .await;
    let index_now = after_edit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["uri"] == index_uri)
        .cloned()
        .expect("the file that became clean is reported");
    assert_eq!(index_now["kind"], "full");
    assert_eq!(index_now["items"], json!([]));
    assert_eq!(index_now["version"], 2, "the open document's version");

    // An unsaved buffer has nothing to check.
    let untitled = lsp
        .result(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": "untitled:Untitled-1"}}),
        )
        .await;
    assert_eq!(
        untitled,
        json!({"kind": "full", "resultId": "none", "items": []})
    );

    // Whatever was pushed before the first pull has been cleared, and
    // nothing was pushed since.
    settle(&mut lsp).await;
    assert_eq!(pushed_and_kept(&lsp), []);
    lsp.finish().await;
}

/// A client that pulls only the documents it shows (no workspace pull)
/// gets the other files' findings pushed; a document it pulls is not
/// pushed while open, and is pushed again once closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_not_pulled_are_still_pushed() {
    let mut lsp = Lsp::start_with(worker(), pulling(), None).await;
    let (index, config) = (lsp.path("src/index.ts"), lsp.path("wrangler.toml"));
    let not_empty = |d: &[Value]| !d.is_empty();
    let (_, _) = lsp.diagnostics(&config, 0, not_empty).await;
    lsp.open("src/index.ts", 1).await;
    let pulled = pull_document(&mut lsp, "src/index.ts", None).await;
    assert_eq!(codes(&pulled["items"]), ["relative-stub-fetch-url"]);
    settle(&mut lsp).await;
    let kept: Vec<String> = pushed_and_kept(&lsp)
        .into_iter()
        .map(|(uri, _)| uri)
        .collect();
    assert_eq!(
        kept,
        [uri(&config)],
        "the pulled document's pushes are cleared"
    );

    let seen = lsp.notifications.len();
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&index)}}),
    )
    .await;
    let (pushed, _) = lsp.diagnostics(&index, seen, not_empty).await;
    assert_eq!(codes(&pushed["diagnostics"]), ["relative-stub-fetch-url"]);
    lsp.finish().await;
}

/// A config edit changes a source file's findings: the source file's next
/// pull reports them under a new id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_edit_changes_a_pulled_source_file() {
    let mut lsp = Lsp::start_with(worker(), pulling(), None).await;
    lsp.open("src/index.ts", 1).await;
    lsp.open("wrangler.toml", 1).await;
    let before = pull_document(&mut lsp, "src/index.ts", None).await;
    let id = before["resultId"].as_str().unwrap().to_string();
    assert!(!codes(&before["items"]).contains(&"unknown-binding".to_string()));
    rename_the_binding(&mut lsp).await;
    let after = pull_document(&mut lsp, "src/index.ts", Some(&id)).await;
    assert_eq!(after["kind"], "full", "{after:#}");
    assert_ne!(after["resultId"], json!(id));
    assert!(
        codes(&after["items"]).contains(&"unknown-binding".to_string()),
        "{after:#}"
    );
    lsp.finish().await;
}

/// When the findings of a pulled document change through another file,
/// a client that takes `workspace/diagnostic/refresh` is asked to pull
/// again (and a client that does not is never sent one: the guard of the
/// other tests fails on any request it did not declare).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_pulled_findings_ask_for_a_refresh() {
    let mut capabilities = pulling();
    capabilities["workspace"] = json!({"diagnostics": {"refreshSupport": true}});
    let mut lsp = Lsp::start_with(worker(), capabilities, None).await;
    lsp.answer("workspace/diagnostic/refresh", Answer::Result(Value::Null));
    lsp.open("src/index.ts", 1).await;
    lsp.open("wrangler.toml", 1).await;
    pull_document(&mut lsp, "src/index.ts", None).await;
    settle(&mut lsp).await;
    assert_eq!(lsp.server_requests("workspace/diagnostic/refresh").len(), 0);
    rename_the_binding(&mut lsp).await;
    lsp.wait_for(|m| m["method"] == "workspace/diagnostic/refresh")
        .await;
    lsp.finish().await;
}

/// A client that takes partial results gets the workspace pull streamed:
/// the reports at once as `$/progress`, then each change of findings as
/// it happens, on the same open request, which ends at shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_workspace_pull_sends_changes_as_they_happen() {
    let mut lsp = Lsp::start_with(worker(), pulling(), None).await;
    let index_uri = uri(&lsp.path("src/index.ts"));
    let request = lsp
        .send_request(
            "workspace/diagnostic",
            json!({"previousResultIds": [], "partialResultToken": "ws"}),
        )
        .await;
    let partial = |m: &Value| m["method"] == "$/progress" && m["params"]["token"] == "ws";
    let (first, seen) = lsp.wait_after(0, partial).await;
    let reported: Vec<&Value> = first["params"]["value"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["uri"])
        .collect();
    assert_eq!(reported.len(), 2, "{first:#}");
    assert!(reported.contains(&&json!(index_uri)));

    // Fixing the finding in src/index.ts streams its clean report, and
    // only that one.
    lsp.open("src/index.ts", 1).await;
    make_the_url_absolute(&mut lsp).await;
    let (clean, _) = lsp
        .wait_after(seen, |m| {
            partial(m) && m["params"]["value"]["items"][0]["uri"] == index_uri
        })
        .await;
    assert_eq!(
        clean["params"]["value"]["items"],
        json!([{"kind": "full", "uri": index_uri, "version": 2, "resultId": "none", "items": []}])
    );
    // The request is still open; shutdown ends it, empty.
    let answers = lsp.finish_reading(&[request]).await;
    assert_eq!(answers[0]["result"], json!({"items": []}));
}
