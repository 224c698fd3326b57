//! Drives the real `dols lsp` binary over stdio with JSON-RPC, as an editor
//! would: initialize → didOpen → diagnostics → completion → hover → a panic
//! inside a handler → shutdown → exit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dols_lsp_client::{copy_dir, uri, Answer, Process};
use serde_json::{json, Value};

/// What the server may send unasked in these sessions (the guard's list).
const EXPECTED_NOTIFICATIONS: &[&str] = &[
    "textDocument/publishDiagnostics",
    "$/progress",
    "window/logMessage",
    "window/showMessage",
];

/// Spawns `dols lsp --stdio` with `envs` behind the shared client
/// (`tests/lsp-client/`), which accepts every request from the server
/// (progress tokens, watcher registration) with `null` and logs it.
fn start(envs: &[(&str, &str)]) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dols"));
    command
        .args(["lsp", "--stdio"])
        .stderr(std::process::Stdio::null());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut client = Process::spawn(command).expect("spawn dols lsp");
    client.answer_others(Answer::Result(Value::Null));
    client.timeout = Duration::from_secs(20);
    client
}

/// Waits for diagnostics of `uri` satisfying `pred` (the newest seen, or
/// the next to come).
fn wait_diagnostics(client: &mut Process, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
    client.wait_for(|n| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["uri"] == uri
            && pred(&n["params"])
    })["params"]
        .clone()
}

fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/demo"),
        &root,
    );
    (dir, root)
}

fn initialize(client: &mut Process, root: &Path) {
    let response = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root), "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}),
    );
    assert_eq!(
        response["result"]["capabilities"]["positionEncoding"], "utf-16",
        "{response}"
    );
    client.notify("initialized", json!({}));
}

/// `shutdown`, `exit`, exit status 0, and the client's guard: every
/// request answered once and read, every request from the server answered,
/// nothing unexpected sent, no error logged.
fn shutdown(client: Process) {
    client.finish(EXPECTED_NOTIFICATIONS);
}

/// Each malformed frame gets a JSON-RPC error reply and the server reads
/// on: it still initializes, answers, and exits 0 after shutdown/exit.
#[test]
fn malformed_messages_get_an_error_and_the_server_reads_on() {
    let (_dir, root) = demo_copy();
    let mut client = start(&[]);
    let invalid = r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#;
    let cases: Vec<(String, Value)> = vec![
        ("Content-Length: 2\r\n\r\n{}".into(), Value::Null),
        ("Content-Length: 5\r\n\r\nhello".into(), Value::Null),
        ("Content-Length: abc\r\n\r\n".into(), Value::Null),
        ("garbage without a colon\r\n".into(), Value::Null),
        (
            format!("Content-Length: {}\r\n\r\n{invalid}", invalid.len()),
            json!(7),
        ),
    ];
    for (bytes, id) in cases {
        client.send_raw(bytes.as_bytes());
        let reply = client.next_message();
        assert_eq!(reply["id"], id, "{bytes:?}: {reply}");
        assert!(reply["error"]["code"].is_i64(), "{bytes:?}: {reply}");
    }
    // Lenient framing of a valid message: lowercase header, LF-only lines,
    // an unknown header.
    let body = json!({"jsonrpc": "2.0", "id": 100, "method": "initialize",
        "params": {"processId": null, "rootUri": uri(&root), "capabilities": {}}})
    .to_string();
    client.send_raw(format!("x-custom: 1\ncontent-length: {}\n\n{body}", body.len()).as_bytes());
    let reply = client.next_message();
    assert_eq!(reply["id"], 100, "{reply}");
    assert!(reply["result"]["capabilities"].is_object(), "{reply}");
    client.notify("initialized", json!({}));
    // A `$/` request is answered (method not found), not left hanging.
    let reply = client.request("$/dols.unknown", json!({}));
    assert_eq!(reply["error"]["code"], -32601, "{reply}");
    shutdown(client);
}

/// `exit` without `shutdown` exits with status 1, as the protocol says.
#[test]
fn exit_without_shutdown_exits_1() {
    let mut client = start(&[]);
    client.notify("exit", Value::Null);
    let status = client
        .wait_exit(Duration::from_secs(10))
        .expect("server did not exit");
    assert_eq!(status.code(), Some(1), "{status}");
}

#[test]
fn diagnostics_follow_edits_and_the_server_survives_a_panic() {
    let (_dir, root) = demo_copy();
    let mut client = start(&[("DOLS_TEST_PANIC_IN_HOVER", "1")]);
    initialize(&mut client, &root);

    let config = root.join("wrangler.jsonc");
    let config_uri = uri(&config);
    let text = std::fs::read_to_string(&config).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": config_uri, "languageId": "jsonc", "version": 1, "text": text}}),
    );
    let published = wait_diagnostics(&mut client, &config_uri, |p| {
        p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "class-not-exported")
    });
    let diagnostic = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "class-not-exported")
        .unwrap();
    assert_eq!(diagnostic["source"], "dols");
    assert!(diagnostic["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("class-not-exported.md"));

    // Export the class from main in the editor buffer: the error goes away
    // without saving.
    let main = root.join("src/index.ts");
    let main_uri = uri(&main);
    let main_text = std::fs::read_to_string(&main).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": main_uri, "languageId": "typescript", "version": 1, "text": main_text}}),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": main_uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                                   "text": "export { ChatRoom } from \"./chat-room\";\n"}]}),
    );
    wait_diagnostics(&mut client, &config_uri, |p| {
        !p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "class-not-exported")
    });

    // Completion after `env.` (line 15 of the edited buffer) lists the
    // Worker's bindings.
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": main_uri}, "position": {"line": 14, "character": 16}}),
    );
    let labels: Vec<&str> = completion["result"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        labels.contains(&"COUNTER") && labels.contains(&"CHAT_ROOM"),
        "{completion}"
    );

    // A panic inside a handler is an error response, not a dead server.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": main_uri}, "position": {"line": 0, "character": 10}}),
    );
    assert_eq!(hover["error"]["code"], -32603, "{hover}");
    // Positions far out of range are clamped, not fatal.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": main_uri}, "position": {"line": 9999, "character": 9999}}),
    );
    assert!(definition.get("error").is_none(), "{definition}");
    shutdown(client);
}

#[test]
fn settings_progress_and_file_watching() {
    let (_dir, root) = demo_copy();
    let mut client = start(&[]);
    let response = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&root),
            "initializationOptions": {"rules": {"class-not-exported": "off"}},
            "capabilities": {
                "window": {"workDoneProgress": true},
                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}
            }
        }),
    );
    // No encoding offered: UTF-16, the protocol default.
    assert_eq!(
        response["result"]["capabilities"]["positionEncoding"],
        "utf-16"
    );
    client.notify("initialized", json!({}));

    let config_uri = uri(&root.join("wrangler.jsonc"));
    // Closed files get diagnostics too, from the initial index.
    let first = wait_diagnostics(&mut client, &config_uri, |p| {
        !p["diagnostics"].as_array().unwrap().is_empty()
    });
    let codes: Vec<&str> = first["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(
        !codes.contains(&"class-not-exported"),
        "turned off by initializationOptions: {codes:?}"
    );
    assert!(codes.contains(&"legacy-kv-backend"), "{codes:?}");

    // The server asked to watch files and reported indexing progress.
    let sent: Vec<&str> = client
        .notifications
        .iter()
        .filter_map(|n| n["method"].as_str())
        .collect();
    assert!(sent.contains(&"$/progress"), "{sent:?}");
    assert!(sent.contains(&"window/workDoneProgress/create"), "{sent:?}");
    assert!(sent.contains(&"client/registerCapability"), "{sent:?}");

    // Turning the rule back on republishes with it.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"dols": {"rules": {"class-not-exported": "error"}}}}),
    );
    wait_diagnostics(&mut client, &config_uri, |p| {
        p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "class-not-exported")
    });

    // A file changed on disk (reported by the client's watcher) updates the model.
    let main = root.join("src/index.ts");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        format!("export {{ ChatRoom }} from \"./chat-room\";\n{text}"),
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&main), "type": 2}]}),
    );
    wait_diagnostics(&mut client, &config_uri, |p| {
        !p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "class-not-exported")
    });
    shutdown(client);
}

/// A workspace folder that is the home folder is not indexed: the server
/// says so with a warning and keeps serving (the shutdown below answers).
#[test]
fn a_home_folder_workspace_is_refused_with_a_message() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("wrangler.toml"), "name = \"x\"\n").unwrap();
    let home_path = home.path().display().to_string();
    let mut client = start(&[("HOME", &home_path)]);
    initialize(&mut client, home.path());
    let warning = client.wait_for(|n| {
        n["method"] == "window/showMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("not indexing"))
    });
    let message = warning["params"]["message"].as_str().unwrap();
    assert!(message.contains("home folder"), "{message}");
    assert_eq!(warning["params"]["type"], 2, "a warning: {warning}");
    shutdown(client);
}

/// Cancelling the indexing progress stops the walk at the next file: the
/// progress ends saying so, a warning names what was left out, and the
/// server keeps serving.
#[test]
fn indexing_can_be_cancelled() {
    let (_dir, root) = demo_copy();
    // Every file the walk meets takes 300 ms: indexing the demo would take
    // seconds, so the cancel below arrives while it runs.
    let mut client = start(&[("DOLS_TEST_SLOW_INDEX_MS", "300")]);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&root),
               "capabilities": {"window": {"workDoneProgress": true}}}),
    );
    client.notify("initialized", json!({}));
    let begin =
        client.wait_for(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "begin");
    assert_eq!(begin["params"]["value"]["cancellable"], true, "{begin}");
    let started = Instant::now();
    client.notify(
        "window/workDoneProgress/cancel",
        json!({"token": begin["params"]["token"]}),
    );
    let end =
        client.wait_for(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "indexing went on for {:?} after the cancel",
        started.elapsed()
    );
    let message = end["params"]["value"]["message"].as_str().unwrap_or("");
    assert!(message.starts_with("cancelled"), "{end}");
    let warning = client.wait_for(|n| {
        n["method"] == "window/showMessage"
            && n["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("indexing was cancelled"))
    });
    assert_eq!(warning["params"]["type"], 2, "a warning: {warning}");
    shutdown(client);
}

/// Before the workspace is indexed, completion answers from the file's own
/// Worker folder, indexed alone: with a disk slow enough that the whole
/// index takes seconds, the bindings after `env.` come back at once.
#[test]
fn completion_answers_before_the_workspace_is_indexed() {
    let (dir, root) = demo_copy();
    // Every entry of the workspace's walk takes 300 ms (the early index of
    // the Worker folder does not go through that walk).
    let mut client = start(&[("DOLS_TEST_SLOW_INDEX_MS", "300")]);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir.path()),
               "capabilities": {"window": {"workDoneProgress": true}}}),
    );
    client.notify("initialized", json!({}));
    let main = root.join("src/index.ts");
    let text = std::fs::read_to_string(&main).unwrap();
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("env.COUNTER").map(|c| (i, c + "env.".len())))
        .expect("the demo uses env.COUNTER");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&main), "languageId": "typescript", "version": 1, "text": text}}),
    );
    let started = Instant::now();
    let response = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&main)}, "position": {"line": line, "character": column}}),
    );
    let elapsed = started.elapsed();
    let labels: Vec<&str> = response["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["label"].as_str())
        .collect();
    assert!(labels.contains(&"COUNTER"), "{response}");
    let indexed = client
        .notifications
        .iter()
        .any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end");
    assert!(
        !indexed,
        "the workspace finished indexing first ({elapsed:?}): the test proves nothing"
    );
    shutdown(client);
}
