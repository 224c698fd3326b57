//! What one rule run looks at. A rule's outer loop (over Workers, over
//! source files, over configs) goes through [`RuleCtx`], which yields only
//! what is in the run's [`Scope`]; everything a rule looks up inside that
//! loop (another file's classes, a Worker's bindings) reads the whole
//! workspace through `Deref`. An edit then re-runs the rules for the
//! Workers and files it can affect (see `results.rs`), and the findings of
//! the rest are kept.

use std::sync::Arc;

use crate::config::ConfigFile;
use crate::files::FileId;
use crate::index::FileSummary;
use crate::model::{Memos, Worker, Workspace};

/// The roots of one rule run: the Workers and the files whose own checks
/// it makes.
#[derive(Clone, Debug)]
pub struct Scope {
    pub workers: WorkerSet,
    pub files: FileSet,
}

#[derive(Clone, Debug)]
pub enum WorkerSet {
    All,
    /// Indexes into `Workspace::workers`.
    List(Vec<usize>),
}

#[derive(Clone, Debug)]
pub enum FileSet {
    All,
    /// Sorted, without repeats.
    List(Vec<FileId>),
}

/// A workspace as one rule run sees it: the whole model for look-ups, the
/// scope for the outer loops, and memos of values computed over the scope.
pub struct RuleCtx<'w> {
    ws: &'w Workspace,
    scope: Scope,
    /// Values computed over part of the files; a run over every file
    /// shares the snapshot's memos (features read the same ones). The
    /// memoised helpers loop over files only, never over Workers.
    memos: Memos,
}

impl std::ops::Deref for RuleCtx<'_> {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        self.ws
    }
}

impl<'w> RuleCtx<'w> {
    pub fn new(ws: &'w Workspace, scope: Scope) -> Self {
        RuleCtx {
            ws,
            scope,
            memos: Memos::default(),
        }
    }

    /// The whole workspace (a full run, or a feature that needs a rule
    /// helper's answer for every file).
    pub fn everything(ws: &'w Workspace) -> Self {
        Self::new(
            ws,
            Scope {
                workers: WorkerSet::All,
                files: FileSet::All,
            },
        )
    }

    pub fn workspace(&self) -> &'w Workspace {
        self.ws
    }

    /// A value of type `T` computed once per run (once per snapshot for a
    /// run over everything). See [`Workspace::memo`].
    pub fn memo<T: Send + Sync + 'static>(&self, compute: impl FnOnce() -> T) -> Arc<T> {
        match self.scope.files {
            FileSet::All => self.ws.memo(compute),
            FileSet::List(_) => self.memos.get(compute),
        }
    }

    /// The Workers whose own checks this run makes.
    pub fn checked_workers(&self) -> Box<dyn Iterator<Item = &'w Worker> + '_> {
        let ws = self.ws;
        match &self.scope.workers {
            WorkerSet::All => Box::new(ws.workers.iter()),
            WorkerSet::List(workers) => {
                Box::new(workers.iter().filter_map(move |&i| ws.workers.get(i)))
            }
        }
    }

    /// The source files whose own checks this run makes, with their
    /// summaries.
    pub fn source_summaries(&self) -> Box<dyn Iterator<Item = (FileId, &'w FileSummary)> + '_> {
        let ws = self.ws;
        match &self.scope.files {
            FileSet::All => Box::new(ws.source_summaries()),
            FileSet::List(files) => Box::new(
                files
                    .iter()
                    .filter_map(move |&file| Some((file, ws.summary(file)?))),
            ),
        }
    }

    /// Whether the run checks `file` itself.
    pub fn checks_file(&self, file: FileId) -> bool {
        match &self.scope.files {
            FileSet::All => true,
            FileSet::List(files) => files.binary_search(&file).is_ok(),
        }
    }

    /// The configs this run checks.
    pub fn checked_configs(&self) -> impl Iterator<Item = &'w ConfigFile> + '_ {
        self.ws
            .configs
            .iter()
            .filter(|config| self.checks_file(config.file))
    }

    /// The unread files this run reports.
    pub fn unread_files(
        &self,
    ) -> Box<dyn Iterator<Item = (FileId, crate::discovery::UnreadReason)> + '_> {
        let ws = self.ws;
        match &self.scope.files {
            FileSet::All => Box::new(ws.unread_files()),
            FileSet::List(files) => {
                Box::new(files.iter().filter_map(move |&file| match ws.role(file)? {
                    crate::discovery::FileRole::Unread(reason) => Some((file, reason)),
                    _ => None,
                }))
            }
        }
    }

    /// Shadowed configs (shadowed, winner) whose shadowed file this run
    /// checks.
    pub fn shadowed_configs(&self) -> impl Iterator<Item = (FileId, FileId)> + '_ {
        self.ws
            .shadowed_configs
            .iter()
            .copied()
            .filter(|&(shadowed, _)| self.checks_file(shadowed))
    }

    /// Sources whose indexing panicked, among the files this run checks.
    pub fn index_failures(&self) -> impl Iterator<Item = &'w (FileId, String)> + '_ {
        self.ws
            .index_failures
            .iter()
            .filter(|(file, _)| self.checks_file(*file))
    }
}
