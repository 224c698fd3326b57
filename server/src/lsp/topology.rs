//! `dols/topology`: the engine's [`Topology`] as JSON with URIs and
//! protocol ranges (in the negotiated position encoding).
//!
//! ```json
//! {"workers": [{
//!   "name": "chat-demo", "config": "file:///w/wrangler.jsonc", "main": "file:///w/src/index.ts",
//!   "envs": ["production"], "testHarness": false,
//!   "bindings": [{"name": "CHAT_ROOM", "className": "ChatRoom", "scriptName": null, "env": null,
//!                 "location": {"uri": "...", "range": {...}}, "host": "file:///w/wrangler.jsonc",
//!                 "classLocation": {"uri": "...", "range": {...}}, "backend": "sqlite"}],
//!   "classes": [{"name": "ChatRoom", "location": {...}, "kind": "native", "base": null,
//!                "exported": false, "backend": "sqlite"}],
//!   "migrations": [{"tag": "v1", "env": null, "location": {...}, "declarative": false,
//!                   "steps": [{"op": "new_sqlite_classes", "class": "ChatRoom", "from": null,
//!                              "fromScript": null, "backend": "sqlite", "state": null, "fails": false}]}]
//! }]}
//! ```

use serde_json::{json, Value};
use tower_lsp_server::ls_types::Uri;

use super::edits::to_lsp_range;
use super::position::Encoding;
use crate::features::topology::{Step, Topology};
use crate::features::Target;
use crate::files::FileId;
use crate::model::{Backend, DoKind, Workspace};

pub fn to_json(ws: &Workspace, topology: &Topology, encoding: Encoding) -> Value {
    let uri = |file: FileId| -> Value {
        Uri::from_file_path(ws.files.path(file))
            .map_or(Value::Null, |u| Value::String(u.as_str().to_string()))
    };
    let location = |target: &Target| -> Value {
        let source = ws.files.get(target.file);
        let range = to_lsp_range(&source.text, &source.line_index, target.range, encoding);
        json!({"uri": uri(target.file), "range": range})
    };
    let workers: Vec<Value> = topology
        .workers
        .iter()
        .map(|worker| {
            let bindings: Vec<Value> = worker
                .bindings
                .iter()
                .map(|b| {
                    json!({
                        "name": b.name,
                        "className": b.class_name,
                        "scriptName": b.script_name,
                        "env": b.env,
                        "location": location(&b.location),
                        "host": b.host.map_or(Value::Null, uri),
                        "classLocation": b.class_location.as_ref().map_or(Value::Null, location),
                        "backend": backend(b.backend),
                    })
                })
                .collect();
            let classes: Vec<Value> = worker
                .classes
                .iter()
                .map(|c| {
                    let (kind, base) = match &c.kind {
                        DoKind::Native => ("native", None),
                        DoKind::Derived { base } => ("derived", Some(base.clone())),
                        DoKind::Library { package, base } => {
                            ("library", Some(format!("{base} ({package})")))
                        }
                        DoKind::Legacy => ("legacy", None),
                    };
                    json!({
                        "name": c.name,
                        "location": location(&c.location),
                        "kind": kind,
                        "base": base,
                        "exported": c.exported,
                        "backend": backend(c.backend),
                    })
                })
                .collect();
            let migrations: Vec<Value> = worker
                .migrations
                .iter()
                .map(|m| {
                    json!({
                        "tag": m.tag,
                        "env": m.env,
                        "location": location(&m.location),
                        "declarative": m.declarative,
                        "steps": m.steps.iter().map(step).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "name": worker.name,
                "config": uri(worker.config),
                "main": worker.main.map_or(Value::Null, uri),
                "envs": worker.envs,
                "testHarness": worker.test_harness,
                "bindings": bindings,
                "classes": classes,
                "migrations": migrations,
            })
        })
        .collect();
    json!({ "workers": workers })
}

fn step(step: &Step) -> Value {
    json!({
        "op": step.op,
        "class": step.class,
        "from": step.from,
        "fromScript": step.from_script,
        "backend": backend(step.backend),
        "state": step.state,
        "fails": step.fails,
    })
}

fn backend(backend: Option<Backend>) -> Value {
    match backend {
        Some(Backend::Sqlite) => json!("sqlite"),
        Some(Backend::Kv) => json!("kv"),
        Some(Backend::Unknown) | None => Value::Null,
    }
}
