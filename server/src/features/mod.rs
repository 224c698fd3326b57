//! Editor features as pure functions of (workspace, file, byte offset):
//! completion, hover, go to definition, references; and of the workspace
//! alone: the Durable Objects topology. They return plain data
//! with byte ranges; the LSP layer translates to protocol types.

pub mod completion;
mod config_keys;
pub mod config_ranges;
mod config_snippets;
mod context;
pub mod definition;
pub mod hover;
pub mod new_object;
pub mod rename;
pub mod signature;
pub mod symbols;
#[cfg(test)]
mod tests;
pub mod topology;
pub mod wiring;

use std::path::Path;
use std::sync::Arc;

use crate::files::FileId;
use crate::knowledge::wrangler_schema::WranglerSchema;
use crate::model::Workspace;
use crate::text::TextRange;

/// The wrangler schema for the config `file`: the one its last parse used
/// (the project's own wrangler's when installed), else looked up for its
/// folder.
pub(crate) fn config_schema(ws: &Workspace, file: FileId) -> Arc<WranglerSchema> {
    match ws.configs.iter().find(|c| c.file == file) {
        Some(config) => Arc::clone(&config.schema),
        None => {
            WranglerSchema::for_config_dir(ws.files.path(file).parent().unwrap_or(Path::new("")))
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Method,
    Property,
    /// An `env` binding.
    Binding,
    /// A Durable Object class name.
    Class,
    /// A handler method skeleton for a class body.
    Snippet,
    /// A literal value (location hint, jurisdiction, tag).
    Value,
    /// A config key.
    Key,
    File,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionEntry {
    pub label: String,
    pub kind: CompletionKind,
    /// One line shown next to the label (signature, binding kind).
    pub detail: String,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// Text to insert; LSP snippet syntax when `is_snippet`.
    pub insert_text: String,
    pub is_snippet: bool,
    /// Range of the text the completion replaces (the partial word).
    pub replace: TextRange,
    /// Sort key so the most relevant entries come first.
    pub sort_text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HoverResult {
    /// Markdown.
    pub markdown: String,
    pub range: TextRange,
}

/// A place in the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub file: FileId,
    pub range: TextRange,
}
