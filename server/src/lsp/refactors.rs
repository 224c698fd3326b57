//! Protocol glue for the refactors (rename, `dols.newDurableObject`,
//! "Bind this class"): argument parsing, errors and code actions. The
//! handlers in `backend.rs` call these; the engine is in `features/`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode};
use tower_lsp_server::ls_types::*;

use super::edits::{workspace_edit, EditSupport};
use super::position::Encoding;
use crate::files::FileId;
use crate::model::Workspace;

/// The command that creates a Durable Object class.
pub const NEW_DURABLE_OBJECT: &str = "dols.newDurableObject";

/// LSP's `RequestFailed`: the request was valid, the server refuses it.
pub fn refused(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

pub fn invalid_params(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: message.into().into(),
        data: None,
    }
}

/// Arguments of `dols.newDurableObject`.
#[derive(Debug, PartialEq, Eq)]
pub struct NewObjectArgs {
    /// The Worker: its wrangler config or the folder holding it (a path,
    /// absolute or relative to the first workspace folder, or a `file://`
    /// URI).
    pub worker: String,
    pub class_name: String,
    /// Defaults to the class name in SCREAMING_SNAKE_CASE.
    pub binding: String,
}

impl NewObjectArgs {
    /// Accepts `[{"worker", "className", "binding"?}]` or the positional
    /// `["<worker>", "<className>", "<binding>"?]`.
    pub fn parse(arguments: &[Value]) -> Result<NewObjectArgs, String> {
        let usage = "dols.newDurableObject takes [{\"worker\": \"<wrangler config or folder>\", \"className\": \"Room\", \"binding\": \"ROOM\"}] or [\"<worker>\", \"Room\", \"ROOM\"]";
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let (worker, class_name, binding) = match arguments {
            [Value::Object(object)] => (
                text(object.get("worker")),
                text(object.get("className")),
                text(object.get("binding")),
            ),
            [worker, class_name, rest @ ..] if rest.len() <= 1 => (
                text(Some(worker)),
                text(Some(class_name)),
                text(rest.first()),
            ),
            _ => return Err(usage.to_string()),
        };
        let (Some(worker), Some(class_name)) = (worker, class_name) else {
            return Err(usage.to_string());
        };
        let binding =
            binding.unwrap_or_else(|| crate::features::new_object::screaming_snake(&class_name));
        Ok(NewObjectArgs {
            worker,
            class_name,
            binding,
        })
    }

    /// The Worker argument as a path.
    pub fn worker_path(&self, roots: &[PathBuf]) -> PathBuf {
        let raw = self.worker.as_str();
        if raw.starts_with("file:") {
            if let Some(path) = raw
                .parse::<Uri>()
                .ok()
                .and_then(|u| u.to_file_path().map(|p| p.into_owned()))
            {
                return crate::model::resolve::normalize(&path);
            }
        }
        let path = Path::new(raw);
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            roots
                .first()
                .map_or(path.to_path_buf(), |root| root.join(path))
        };
        crate::model::resolve::normalize(&path)
    }
}

/// "Bind this class" for the class named at `offset`, as a code action of
/// kind `refactor`, when the engine offers it and the client can take its
/// edit.
pub fn bind_class_action(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    encoding: Encoding,
    support: EditSupport,
    version_of: &dyn Fn(&Path) -> Option<i32>,
) -> Option<CodeActionOrCommand> {
    let (title, change) = crate::features::new_object::bind_class(ws, file, offset)?;
    let edit = workspace_edit(ws, &change, encoding, support, version_of)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::REFACTOR),
        edit: Some(edit),
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_by_name_or_position() {
        let named = NewObjectArgs::parse(&[json!({"worker": "api", "className": "ChatRoom"})]);
        assert_eq!(
            named.unwrap(),
            NewObjectArgs {
                worker: "api".into(),
                class_name: "ChatRoom".into(),
                binding: "CHAT_ROOM".into(),
            }
        );
        let positional = NewObjectArgs::parse(&[json!("/w/api"), json!("Room"), json!("ROOMS")]);
        assert_eq!(positional.unwrap().binding, "ROOMS");
        assert!(NewObjectArgs::parse(&[]).is_err());
        assert!(NewObjectArgs::parse(&[json!({"className": "Room"})]).is_err());
        let args = NewObjectArgs::parse(&[json!("api/wrangler.toml"), json!("Room")]).unwrap();
        assert_eq!(
            args.worker_path(&[PathBuf::from("/w")]),
            PathBuf::from("/w/api/wrangler.toml")
        );
    }
}
