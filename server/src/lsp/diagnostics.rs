//! What the client holds of each file's diagnostics, and how it gets them:
//! pushed (`textDocument/publishDiagnostics`) or pulled
//! (`textDocument/diagnostic`, `workspace/diagnostic`).
//!
//! A client that declares pull support may still pull only some files (an
//! editor pulls the documents it shows; a workspace pull is optional), so
//! the mode is learnt from what it asks, per file:
//!
//! - Until a file is pulled, its findings are pushed, as to any client.
//! - A document the client pulls is never pushed while it is open (its
//!   pushed findings are cleared once): editors keep pushed and pulled
//!   findings in separate collections and would show both. When it is
//!   closed, pushing resumes (editors drop a closed document's pulled
//!   findings).
//! - Once the client pulls the workspace, nothing is pushed any more.
//!
//! Result ids are a hash of the diagnostics as sent, so an unchanged file
//! is answered "unchanged" however many snapshots went by.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::Diagnostic;

use super::edits::to_lsp_diagnostic;
use super::position::Encoding;
use crate::host::Analysis;

/// The result id of a file without findings.
pub const NO_FINDINGS: &str = "none";

/// One file's findings, converted for the client once per change.
struct FileReport {
    /// The engine's findings it was made from: the same shared list is not
    /// converted again.
    findings: Arc<[crate::diagnostic::Diagnostic]>,
    items: Vec<Diagnostic>,
    result_id: String,
    /// The client's pushed collection may hold findings for this file.
    held: bool,
    /// What it holds are these items.
    held_current: bool,
}

#[derive(Default)]
pub struct ClientDiagnostics {
    /// Files with findings in the newest snapshot synced.
    files: HashMap<PathBuf, FileReport>,
    /// Open documents the client pulls itself.
    pulled_documents: HashSet<PathBuf>,
    /// The client has pulled the workspace: nothing is pushed.
    workspace_pulled: bool,
    /// The result id of the last report the client pulled, per file.
    pulled_ids: HashMap<PathBuf, String>,
}

/// What a sync of the diagnostics with a new snapshot asks of the server.
#[derive(Default)]
pub struct SyncOutcome {
    /// `publishDiagnostics` to send (an empty list clears the file).
    pub push: Vec<(PathBuf, Vec<Diagnostic>)>,
    /// Findings the client pulls changed: ask it to pull again.
    pub pulled_changed: bool,
}

/// A pulled file's report: its items, or "unchanged" when the client's
/// result id is current.
pub enum PullReport {
    Full {
        result_id: String,
        items: Vec<Diagnostic>,
    },
    Unchanged {
        result_id: String,
    },
}

impl ClientDiagnostics {
    /// Brings the reports up to `analysis` and says what to push. Files
    /// whose findings are the same shared list as before are not converted
    /// again, and an unchanged file is not sent again.
    pub fn sync(&mut self, analysis: &Arc<Analysis>, encoding: Encoding) -> SyncOutcome {
        let ws = &analysis.workspace;
        let findings_now = analysis.file_diagnostics();
        let mut outcome = SyncOutcome::default();
        let mut now: HashMap<PathBuf, FileReport> = HashMap::with_capacity(findings_now.len());
        for (&file, findings) in findings_now {
            let path = ws.files.path(file).to_path_buf();
            let before = self.files.remove(&path);
            let mut report = match before {
                Some(before) if Arc::ptr_eq(&before.findings, findings) => before,
                before => FileReport::new(analysis, findings, encoding, before.as_ref()),
            };
            if !report.held_current && !self.is_pulled(&path) {
                outcome.push.push((path.clone(), report.items.clone()));
                report.held = true;
                report.held_current = true;
            }
            now.insert(path, report);
        }
        // What is left had findings and has none now.
        for (path, report) in std::mem::take(&mut self.files) {
            if report.held {
                outcome.push.push((path, Vec::new()));
            }
        }
        // The client holds a report that is no longer current, or it pulls
        // the workspace and has never had this file's findings.
        let current = |path: &PathBuf| now.get(path).map_or(NO_FINDINGS, |r| &r.result_id);
        outcome.pulled_changed = self.pulled_ids.iter().any(|(path, id)| current(path) != id)
            || (self.workspace_pulled
                && now.keys().any(|path| !self.pulled_ids.contains_key(path)));
        self.files = now;
        outcome
    }

    /// Forgets what was pushed for `path` (the client dropped it, as eglot
    /// does for files it has not opened): the next sync sends it again.
    pub fn resend(&mut self, path: &Path) {
        if let Some(report) = self.files.get_mut(path) {
            report.held_current = false;
        }
    }

    /// The client pulled `path` itself: it is not pushed while open. The
    /// items to clear from its pushed collection, if any.
    pub fn document_pulled(&mut self, path: &Path) -> Option<PathBuf> {
        self.pulled_documents.insert(path.to_path_buf());
        self.take_pushed(path)
    }

    /// `path` was closed: unless the workspace is pulled, its findings are
    /// pushed again from the next sync.
    pub fn document_closed(&mut self, path: &Path) {
        self.pulled_documents.remove(path);
        if !self.workspace_pulled {
            self.pulled_ids.remove(path);
        }
    }

    /// The client pulled the workspace: from now on nothing is pushed. The
    /// files whose pushed findings must be cleared.
    pub fn workspace_pulled(&mut self) -> Vec<PathBuf> {
        if std::mem::replace(&mut self.workspace_pulled, true) {
            return Vec::new();
        }
        let pushed: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|(_, report)| report.held)
            .map(|(path, _)| path.clone())
            .collect();
        for path in &pushed {
            self.take_pushed(path);
        }
        pushed
    }

    /// The report of `path` in `analysis`, against the result id the
    /// client holds.
    pub fn pull(
        &mut self,
        analysis: &Arc<Analysis>,
        path: &Path,
        previous_result_id: Option<&str>,
        encoding: Encoding,
    ) -> PullReport {
        let findings = analysis
            .workspace
            .files
            .lookup(path)
            .and_then(|file| analysis.file_diagnostics().get(&file));
        let (result_id, items) = match findings {
            None => {
                // Gone from the snapshot; kept only while the pushed
                // collection may still hold it (the next sync clears it).
                if self.files.get(path).is_some_and(|r| !r.held) {
                    self.files.remove(path);
                }
                (NO_FINDINGS, &[][..])
            }
            Some(findings) => {
                let current = self
                    .files
                    .get(path)
                    .is_some_and(|report| Arc::ptr_eq(&report.findings, findings));
                if !current {
                    let report =
                        FileReport::new(analysis, findings, encoding, self.files.get(path));
                    self.files.insert(path.to_path_buf(), report);
                }
                match self.files.get(path) {
                    Some(report) => (report.result_id.as_str(), &report.items[..]),
                    None => (NO_FINDINGS, &[][..]),
                }
            }
        };
        self.pulled_ids
            .insert(path.to_path_buf(), result_id.to_string());
        if previous_result_id == Some(result_id) {
            return PullReport::Unchanged {
                result_id: result_id.to_string(),
            };
        }
        PullReport::Full {
            result_id: result_id.to_string(),
            items: items.to_vec(),
        }
    }

    /// Every file of `analysis` with findings, plus the files the client
    /// holds findings for that have none now, each against the result id
    /// the client holds. Files without findings that the client already
    /// knows as clean are left out.
    pub fn pull_workspace(
        &mut self,
        analysis: &Arc<Analysis>,
        previous: &HashMap<PathBuf, String>,
        encoding: Encoding,
    ) -> Vec<(PathBuf, PullReport)> {
        let ws = &analysis.workspace;
        let mut paths: Vec<PathBuf> = analysis
            .file_diagnostics()
            .keys()
            .map(|&file| ws.files.path(file).to_path_buf())
            .collect();
        paths.extend(
            previous
                .iter()
                .filter(|(_, id)| *id != NO_FINDINGS)
                .map(|(path, _)| path.clone()),
        );
        paths.sort();
        paths.dedup();
        paths
            .into_iter()
            .map(|path| {
                let report = self.pull(
                    analysis,
                    &path,
                    previous.get(&path).map(String::as_str),
                    encoding,
                );
                (path, report)
            })
            .collect()
    }

    fn is_pulled(&self, path: &Path) -> bool {
        self.workspace_pulled || self.pulled_documents.contains(path)
    }

    /// Marks `path` as no longer in the pushed collection; `Some` when it
    /// was (the caller clears it there).
    fn take_pushed(&mut self, path: &Path) -> Option<PathBuf> {
        let report = self.files.get_mut(path)?;
        report.held_current = false;
        std::mem::take(&mut report.held).then(|| path.to_path_buf())
    }
}

impl FileReport {
    /// The report of `findings`, replacing `before` (what the pushed
    /// collection holds carries over).
    fn new(
        analysis: &Analysis,
        findings: &Arc<[crate::diagnostic::Diagnostic]>,
        encoding: Encoding,
        before: Option<&FileReport>,
    ) -> FileReport {
        let items: Vec<Diagnostic> = findings
            .iter()
            .map(|d| to_lsp_diagnostic(&analysis.workspace, d, encoding))
            .collect();
        let result_id = result_id_of(&items);
        FileReport {
            findings: findings.clone(),
            held: before.is_some_and(|b| b.held),
            held_current: before.is_some_and(|b| b.held_current && b.result_id == result_id),
            result_id,
            items,
        }
    }
}

/// A hash of the items as the client receives them.
fn result_id_of(items: &[Diagnostic]) -> String {
    if items.is_empty() {
        return NO_FINDINGS.to_string();
    }
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(items)
        .unwrap_or_default()
        .hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
