//! Fixes: the edits a diagnostic offers, as plain data (byte ranges into the
//! workspace's file texts), shared by `dols check --fix` and LSP code
//! actions. Fixes are built by the rule that reports the diagnostic; this
//! module applies them, turns re-rendered texts into minimal edits, and runs
//! the fix-all loop over an in-memory workspace.

pub mod apply;
pub mod config_edit;
pub mod diff;
pub mod source_edit;
pub mod source_rewrite;
pub mod suppress;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::files::FileId;
use crate::text::TextRange;

pub use apply::{apply_edits, fix_all, FixFilter, FixOutcome, FixedFile};
pub use diff::{minimal_edits, unified};

/// Whether `dols check --fix` may apply a fix without asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Safety {
    /// Keeps the program's meaning apart from removing the problem.
    Safe,
    /// Correct in the common case, but changes behaviour or guesses (a
    /// suggested name, a new migration): offered in the editor, applied by
    /// the CLI only with `--unsafe-fixes`.
    Unsafe,
}

/// One replacement of `range` (bytes of the file's current text).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

impl TextEdit {
    pub fn replace(range: TextRange, new_text: impl Into<String>) -> Self {
        TextEdit {
            range,
            new_text: new_text.into(),
        }
    }

    pub fn insert(offset: usize, new_text: impl Into<String>) -> Self {
        Self::replace(TextRange::empty(offset), new_text)
    }
}

/// Edits across files, plus files to create. Every edit refers to the text
/// the workspace holds for its file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceChange {
    pub edits: BTreeMap<FileId, Vec<TextEdit>>,
    /// New files (absolute path, full text); never overwrites a file.
    pub created: Vec<(PathBuf, String)>,
}

impl SourceChange {
    pub fn single(file: FileId, edit: TextEdit) -> Self {
        let mut change = SourceChange::default();
        change.push(file, edit);
        change
    }

    pub fn push(&mut self, file: FileId, edit: TextEdit) {
        self.edits.entry(file).or_default().push(edit);
    }

    pub fn extend(&mut self, file: FileId, edits: impl IntoIterator<Item = TextEdit>) {
        self.edits.entry(file).or_default().extend(edits);
    }

    /// Adds another change; the result may hold overlapping edits, which
    /// [`apply_edits`] rejects.
    pub fn merge(&mut self, other: SourceChange) {
        for (file, edits) in other.edits {
            self.extend(file, edits);
        }
        self.created.extend(other.created);
    }

    pub fn is_empty(&self) -> bool {
        self.created.is_empty() && self.edits.values().all(|e| e.is_empty())
    }
}

/// A fix attached to a diagnostic: a title for the editor's light bulb and
/// the change it makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub safety: Safety,
    pub change: SourceChange,
}

impl Fix {
    pub fn new(title: impl Into<String>, safety: Safety, change: SourceChange) -> Self {
        Fix {
            title: title.into(),
            safety,
            change,
        }
    }
}
