//! The analysis host: the mutable state behind the language server. It owns
//! the texts (disk files from discovery, overlaid by open editor buffers)
//! and produces immutable [`Analysis`] snapshots that features read.
//!
//! Rebuilding reuses the summary of every source file whose text did not
//! change, so a keystroke re-parses one file, not the workspace.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::discovery::{self, FileRole};
use crate::model::{InputFile, Workspace};
use crate::rules;
use crate::settings::Settings;

/// One consistent view of the workspace and its diagnostics.
pub struct Analysis {
    pub workspace: Workspace,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Default)]
pub struct AnalysisHost {
    roots: Vec<PathBuf>,
    disk: BTreeMap<PathBuf, (FileRole, String)>,
    overlays: HashMap<PathBuf, String>,
    settings: Settings,
    previous: Option<Arc<Analysis>>,
}

impl AnalysisHost {
    pub fn new(roots: Vec<PathBuf>, settings: Settings) -> Self {
        let mut host = AnalysisHost {
            roots,
            settings,
            ..Default::default()
        };
        host.reload_all();
        host
    }

    /// Re-runs discovery and reads every file again.
    pub fn reload_all(&mut self) {
        let (inputs, skipped) = discovery::load(&self.roots, &self.settings.exclude);
        for file in skipped {
            eprintln!("dols: skipped {}: {}", file.path.display(), file.reason);
        }
        self.disk = inputs
            .into_iter()
            .map(|input| (input.path, (input.role, input.text)))
            .collect();
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// New settings; files are re-read only when the exclude list changed.
    pub fn set_settings(&mut self, settings: Settings) {
        let rescan = settings.exclude != self.settings.exclude;
        self.settings = settings;
        if rescan {
            self.reload_all();
        }
    }

    /// A file changed, appeared or disappeared on disk.
    pub fn file_changed_on_disk(&mut self, path: &Path) {
        let Some(role) = FileRole::of(path) else {
            return;
        };
        if path.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|name| discovery::SKIPPED_DIRS.contains(&name))
        }) {
            return;
        }
        match discovery::read_text(path, role) {
            Ok(text) => {
                self.disk.insert(path.to_path_buf(), (role, text));
            }
            Err(_) => {
                self.disk.remove(path);
            }
        }
    }

    /// An editor opened or changed a buffer; its text wins over the disk.
    pub fn set_overlay(&mut self, path: PathBuf, text: String) {
        self.overlays.insert(path, text);
    }

    pub fn remove_overlay(&mut self, path: &Path) {
        self.overlays.remove(path);
    }

    pub fn overlay(&self, path: &Path) -> Option<&str> {
        self.overlays.get(path).map(String::as_str)
    }

    /// Builds a fresh snapshot from the current texts.
    pub fn analyze(&mut self) -> Arc<Analysis> {
        let mut inputs: Vec<InputFile> = Vec::with_capacity(self.disk.len() + self.overlays.len());
        for (path, (role, text)) in &self.disk {
            let text = self.overlays.get(path).unwrap_or(text);
            inputs.push(InputFile {
                path: path.clone(),
                role: *role,
                text: text.clone(),
            });
        }
        // Open buffers that are not on disk yet (new, unsaved files).
        for (path, text) in &self.overlays {
            if self.disk.contains_key(path) {
                continue;
            }
            if let Some(role) = FileRole::of(path) {
                inputs.push(InputFile {
                    path: path.clone(),
                    role,
                    text: text.clone(),
                });
            }
        }
        let previous = self.previous.as_ref().map(|a| &a.workspace);
        let workspace = Workspace::build_reusing(inputs, previous);
        let diagnostics = rules::run(&workspace, &self.settings.rules);
        let analysis = Arc::new(Analysis {
            workspace,
            diagnostics,
        });
        self.previous = Some(analysis.clone());
        analysis
    }
}
