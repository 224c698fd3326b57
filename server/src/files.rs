//! The file store the engine reads from. Discovery (CLI) or the open-document
//! table (LSP) fills it; after that the engine does no IO.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::shared_vec::SharedVec;
use crate::text::LineIndex;

/// Index of a file in [`Files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Shared so that an unchanged file keeps its index across rebuilds.
    pub line_index: Arc<LineIndex>,
}

/// All files of one analysis, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct Files {
    /// Shared with the next build while the text stays the same: a build
    /// after a keystroke copies the chunk of the file it changed, not the
    /// paths or the texts.
    files: SharedVec<Arc<SourceFile>>,
    /// Shared between builds with the same paths (most rebuilds).
    by_path: Arc<std::collections::HashMap<PathBuf, FileId>>,
}

impl Files {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file, or replaces the text of a file already known by path.
    pub fn insert(&mut self, path: PathBuf, text: impl Into<Arc<str>>) -> FileId {
        let text = text.into();
        let line_index = Arc::new(LineIndex::new(&text));
        self.insert_indexed(path, text, line_index)
    }

    /// Adds a file whose line index is already known (an unchanged file
    /// carried over from a previous build).
    pub fn insert_indexed(
        &mut self,
        path: PathBuf,
        text: Arc<str>,
        line_index: Arc<LineIndex>,
    ) -> FileId {
        if let Some(&id) = self.by_path.get(&path) {
            self.files.set(
                id.0 as usize,
                Arc::new(SourceFile {
                    path,
                    text,
                    line_index,
                }),
            );
            return id;
        }
        let id = FileId(self.files.len() as u32);
        Arc::make_mut(&mut self.by_path).insert(path.clone(), id);
        self.files.push(Arc::new(SourceFile {
            path,
            text,
            line_index,
        }));
        id
    }

    /// The same paths (and ids) as `self` with new texts, one per file in
    /// order; `line_index` gives each file's index from its old and new
    /// text.
    pub fn with_texts(
        &self,
        texts: impl IntoIterator<Item = Arc<str>>,
        mut line_index: impl FnMut(&SourceFile, &Arc<str>) -> Arc<LineIndex>,
    ) -> Files {
        let files: SharedVec<Arc<SourceFile>> = self
            .files
            .iter()
            .zip(texts)
            .map(|(old, text)| {
                if Arc::ptr_eq(&old.text, &text) {
                    return old.clone();
                }
                Arc::new(SourceFile {
                    path: old.path.clone(),
                    line_index: line_index(old, &text),
                    text,
                })
            })
            .collect();
        debug_assert_eq!(files.len(), self.files.len(), "one text per file");
        Files {
            files,
            by_path: self.by_path.clone(),
        }
    }

    /// [`Files::with_texts`] when only the files at `changed` (indices)
    /// may have new texts: the others are shared with `self` without
    /// being visited.
    pub fn with_changed_texts(
        &self,
        changed: impl IntoIterator<Item = (usize, Arc<str>)>,
        mut line_index: impl FnMut(&SourceFile, &Arc<str>) -> Arc<LineIndex>,
    ) -> Files {
        let mut files = self.files.clone();
        for (index, text) in changed {
            let Some(old) = self.files.get(index) else {
                continue;
            };
            if Arc::ptr_eq(&old.text, &text) {
                continue;
            }
            files.set(
                index,
                Arc::new(SourceFile {
                    path: old.path.clone(),
                    line_index: line_index(old, &text),
                    text,
                }),
            );
        }
        Files {
            files,
            by_path: self.by_path.clone(),
        }
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }

    /// The path table, shared by builds with the same paths: two builds
    /// share it exactly when their files have the same ids.
    pub(crate) fn path_table(&self) -> &Arc<std::collections::HashMap<PathBuf, FileId>> {
        &self.by_path
    }

    pub fn lookup(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), &**f))
    }
}
