//! The project model: Workers, their configs per environment, their sources
//! and module graphs, and the Durable Object classes they declare and export.
//!
//! [`Workspace::build`] takes file paths and texts (from discovery or from an
//! editor's open documents) and does no IO of its own.

pub mod classes;
pub mod exports;
pub mod migrations;
pub mod resolve;

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{self, ConfigFile, EffectiveConfig};
use crate::discovery::FileRole;
use crate::files::{FileId, Files};
use crate::index::{self, ClassInfo, FileSummary, ImportKind};
use crate::knowledge::wrangler_schema::WranglerSchema;
use crate::shared_vec::SharedVec;
use crate::text::TextRange;

pub use classes::{durable_object_kind, DoKind};
pub use exports::{ExportOrigin, ExportSet};
pub use migrations::{Backend, Replay};

/// One Worker: a wrangler config and everything it deploys.
#[derive(Clone, Debug)]
pub struct Worker {
    pub config: FileId,
    /// Index into [`Workspace::configs`].
    pub config_index: usize,
    /// The folder holding the config.
    pub dir: PathBuf,
    /// Effective config per environment; index 0 is the top level.
    pub envs: Vec<EffectiveConfig>,
    /// The resolved `main` per environment (parallel to `envs`).
    pub mains: Vec<MainFile>,
    /// Sources reachable from any `main`, plus every source under `dir`
    /// that belongs to no nested Worker. Sorted by path.
    pub sources: Vec<FileId>,
    /// The subset of `sources` reachable from some `main`. Sorted by id.
    pub reachable: Vec<FileId>,
    /// The config sits in a test folder (`tests/`, `e2e/`, `src/lifecycle-tests/`):
    /// a harness for vitest-pool-workers, never deployed, so deploy-only
    /// rules stay silent.
    pub is_test_harness: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MainFile {
    /// No `main` key: assets-only Worker, or a framework sets it.
    Unset,
    Found(FileId),
    /// `main` points at a file not in the tree (build output, ignored path).
    Missing {
        path: PathBuf,
        range: TextRange,
    },
}

impl Worker {
    /// The Worker's script name as configured at the top level.
    pub fn name(&self) -> Option<&str> {
        self.envs[0].name.as_ref().map(|n| n.value.as_str())
    }

    pub fn main_of(&self, env_index: usize) -> Option<FileId> {
        match self.mains.get(env_index) {
            Some(MainFile::Found(id)) => Some(*id),
            _ => None,
        }
    }
}

/// Everything the rules and features read.
#[derive(Debug, Default)]
pub struct Workspace {
    pub files: Files,
    /// Shared with the next build while no config changes (most edits).
    pub configs: Arc<Vec<ConfigFile>>,
    /// Summary per source file, indexed by `FileId.0`; `None` for non-source
    /// files and for files whose summary failed.
    pub summaries: SharedVec<Option<Arc<FileSummary>>>,
    /// Resolved module specifiers per file: specifier → target.
    pub edges: ModuleEdges,
    /// Every member name of an `Env` interface in any source. Shared with
    /// the next build while the edited files declare the same members, so
    /// a keystroke does not collect it from every summary again.
    pub env_type_names: Arc<HashSet<String>>,
    /// Shared with the next build while they stay the same (most edits).
    pub workers: Arc<Vec<Worker>>,
    /// Configs wrangler ignores because another config in the same folder
    /// wins: (shadowed, winner).
    pub shadowed_configs: Vec<(FileId, FileId)>,
    /// Source files whose indexing panicked, with the panic message.
    pub index_failures: Vec<(FileId, String)>,
    /// The deepest folder holding every file: paths in messages are shown
    /// relative to it, and test folders are recognised below it.
    pub common_root: PathBuf,
    /// The module resolver of this file set, shared with the next build when
    /// the files, tsconfigs and package.json files stay the same.
    resolver: Option<Arc<resolve::Resolver>>,
    /// `exports_of` per file, computed on first use (rules and features ask
    /// for the same `main` many times).
    exports_cache: Vec<std::sync::OnceLock<ExportSet>>,
    /// The role of each file, parallel to `files`.
    roles: Vec<Option<FileRole>>,
    /// See [`Workspace::memo`].
    memos: Memos,
    /// For files whose module items do not parse right now (the user is
    /// typing): the export set of the last build in which they did, kept
    /// from build to build while the file stays broken. See
    /// [`Workspace::checked_exports`].
    last_clean_exports: HashMap<FileId, ExportSet>,
    /// Per file (by `FileId.0`), the indexes of the Workers whose `main`
    /// reaches it (`Worker::reachable`), ascending.
    reaching: Arc<Vec<Vec<u32>>>,
}

/// Values derived from one snapshot (or one rule run), one per type, each
/// computed once.
#[derive(Default)]
pub(crate) struct Memos(std::sync::Mutex<HashMap<std::any::TypeId, Arc<MemoCell>>>);

impl Memos {
    /// The value of type `T`, computed by the first caller; callers that
    /// ask meanwhile wait for it. `compute` runs outside the map's lock.
    pub(crate) fn get<T: Send + Sync + 'static>(&self, compute: impl FnOnce() -> T) -> Arc<T> {
        let key = std::any::TypeId::of::<T>();
        let cell = {
            let mut memos = self.0.lock().unwrap_or_else(|e| e.into_inner());
            memos.entry(key).or_default().clone()
        };
        let value = cell.get_or_init(|| Arc::new(compute())).clone();
        match value.downcast::<T>() {
            Ok(value) => value,
            Err(_) => unreachable!("memos are keyed by their type"),
        }
    }
}

type MemoCell = std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>;

impl std::fmt::Debug for Memos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memos")
    }
}

/// One file's resolved module specifiers (specifier → target); `None` when
/// it resolves none.
pub type FileEdges = Option<Arc<HashMap<String, FileId>>>;
/// Resolved module specifiers per file (indexed by `FileId.0`). Shared with
/// the next build for files whose specifiers stay the same.
pub type ModuleEdges = SharedVec<FileEdges>;

/// Summaries computed elsewhere, keyed by path and exact text.
pub type ReadySummaries<'a> = dyn Fn(&Path, &Arc<str>) -> Option<Arc<FileSummary>> + Sync + 'a;

/// One input file for [`Workspace::build`]. Cloning shares the text.
#[derive(Clone)]
pub struct InputFile {
    pub path: PathBuf,
    pub role: FileRole,
    pub text: Arc<str>,
}

impl Workspace {
    pub fn build(inputs: Vec<InputFile>) -> Workspace {
        Self::build_reusing(inputs, None)
    }

    /// Like [`Workspace::build`], reusing what `previous` computed for every
    /// file whose path and text are unchanged: an edit re-indexes one file.
    pub fn build_reusing(inputs: Vec<InputFile>, previous: Option<&Workspace>) -> Workspace {
        let reuse = |path: &Path, text: &Arc<str>| previous?.unchanged_summary(path, text);
        Self::build_with(&inputs, &reuse, previous)
    }

    /// Builds with summaries supplied by `ready` where it has one for a
    /// path and text (previous builds, incremental re-parses of open
    /// documents); every other source is summarised here. Line indexes,
    /// parsed configs and resolved imports of unchanged files are taken
    /// from `previous`.
    pub fn build_with(
        inputs: &[InputFile],
        ready: &ReadySummaries,
        previous: Option<&Workspace>,
    ) -> Workspace {
        Self::build_after_edit(inputs, ready, previous, None)
    }

    /// [`Workspace::build_with`] when the caller knows that `inputs` are
    /// `previous`'s inputs with only the entries at `replaced` replaced
    /// (same paths, same order: an editor's keystrokes). The per-file
    /// tables are then the previous build's, shared, with those entries
    /// rewritten: the build does not visit every file.
    pub fn build_after_edit(
        inputs: &[InputFile],
        ready: &ReadySummaries,
        previous: Option<&Workspace>,
        replaced: Option<&[usize]>,
    ) -> Workspace {
        let mut timer = StageTimer::new();
        let mut ws = Workspace::default();
        let replaced = replaced.filter(|_| previous.is_some_and(|p| p.files.len() == inputs.len()));
        // The same paths in the same order as the previous build (an edit
        // changes texts, not the file set): ids match, so per-file results
        // can be carried over, and the path table is shared.
        let same_paths = previous.filter(|prev| {
            replaced.is_some()
                || prev.files.len() == inputs.len()
                    && prev
                        .files
                        .iter()
                        .zip(inputs)
                        .all(|((_, old), input)| old.path.as_os_str() == input.path.as_os_str())
        });
        let roles: Vec<(FileId, FileRole)>;
        let same_files;
        match same_paths {
            Some(prev) => {
                roles = (0..inputs.len())
                    .map(|i| (FileId(i as u32), inputs[i].role))
                    .collect();
                let line_index = |old: &crate::files::SourceFile, text: &Arc<str>| {
                    if same_text(&old.text, text) {
                        old.line_index.clone()
                    } else {
                        Arc::new(crate::text::LineIndex::new(text))
                    }
                };
                ws.files = match replaced {
                    Some(replaced) => prev.files.with_changed_texts(
                        replaced.iter().map(|&i| (i, inputs[i].text.clone())),
                        line_index,
                    ),
                    None => prev
                        .files
                        .with_texts(inputs.iter().map(|i| i.text.clone()), line_index),
                };
                ws.common_root = prev.common_root.clone();
                same_files = Some(prev);
            }
            None => {
                let mut list = Vec::with_capacity(inputs.len());
                for input in inputs {
                    let path = resolve::normalize(&input.path);
                    let kept_index = previous.and_then(|prev| {
                        let old = prev.files.get(prev.files.lookup(&path)?);
                        same_text(&old.text, &input.text).then(|| old.line_index.clone())
                    });
                    let id = match kept_index {
                        Some(line_index) => {
                            ws.files
                                .insert_indexed(path, input.text.clone(), line_index)
                        }
                        None => ws.files.insert(path, input.text.clone()),
                    };
                    list.push((id, input.role));
                }
                roles = list;
                same_files = previous.filter(|prev| {
                    prev.files.len() == ws.files.len()
                        && prev
                            .files
                            .iter()
                            .zip(ws.files.iter())
                            .all(|((_, a), (_, b))| a.path == b.path)
                });
                ws.common_root = common_ancestor(ws.files.iter().map(|(_, f)| f.path.as_path()));
            }
        }
        ws.roles = vec![None; ws.files.len()];
        for &(id, role) in &roles {
            ws.roles[id.0 as usize] = Some(role);
        }
        timer.lap("files");
        // `replaced` implies the same paths: `same_files` is then the
        // previous build.
        ws.summaries = summarize_all(
            &ws.files,
            &roles,
            ready,
            same_files,
            replaced,
            &mut ws.index_failures,
        );
        timer.lap("summaries");
        (ws.edges, ws.resolver) =
            resolve_edges(&ws.files, &roles, &ws.summaries, same_files, replaced);
        ws.env_type_names = match (same_files, replaced) {
            (Some(prev), Some(replaced))
                if replaced
                    .iter()
                    .all(|&i| same_env_type(ws.summaries.get(i), prev.summaries.get(i))) =>
            {
                prev.env_type_names.clone()
            }
            _ => Arc::new(
                ws.summaries
                    .iter()
                    .flatten()
                    .flat_map(|s| s.env_type_members.iter().map(|m| m.value.clone()))
                    .collect(),
            ),
        };
        timer.lap("imports");
        ws.configs = match same_files {
            // The same paths and the same config texts: the same configs.
            Some(prev)
                if prev.configs.iter().all(|config| {
                    same_text(
                        &prev.files.get(config.file).text,
                        &ws.files.get(config.file).text,
                    )
                }) =>
            {
                ws.shadowed_configs = prev.shadowed_configs.clone();
                prev.configs.clone()
            }
            _ => Arc::new(parse_configs(
                &ws.files,
                &roles,
                &mut ws.shadowed_configs,
                same_files,
            )),
        };
        timer.lap("configs");
        let changed = same_files.map(|prev| changed_sources(&ws, prev));
        let mut workers_kept = false;
        (ws.workers, ws.reaching) = match (same_files, &changed) {
            (Some(prev), Some(changed)) if workers_unchanged(&ws, prev, changed) => {
                workers_kept = true;
                (prev.workers.clone(), prev.reaching.clone())
            }
            _ => {
                let workers = Arc::new(build_workers(&ws, &roles));
                let mut reaching = vec![Vec::new(); ws.files.len()];
                for (index, worker) in workers.iter().enumerate() {
                    for file in &worker.reachable {
                        if let Some(list) = reaching.get_mut(file.0 as usize) {
                            list.push(index as u32);
                        }
                    }
                }
                (workers, Arc::new(reaching))
            }
        };
        timer.lap("workers");
        match (same_files, &changed) {
            // The same Workers: a file keeps needing a model or not, so
            // only the changed files' new summaries are looked at.
            (Some(prev), Some(changed)) if workers_kept => {
                strip_changed_semantics(&mut ws, prev, changed)
            }
            _ => strip_unneeded_semantics(&mut ws, &roles),
        }
        ws.exports_cache = match (same_files, &changed) {
            (Some(prev), Some(changed)) if exports_unchanged(&ws, prev, changed) => prev
                .exports_cache
                .iter()
                .map(|cell| match cell.get() {
                    Some(set) => std::sync::OnceLock::from(set.clone()),
                    None => std::sync::OnceLock::new(),
                })
                .collect(),
            _ => (0..ws.files.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
        };
        // A file broken by an edit keeps the exports of its last clean
        // parse, so findings that depend on them do not flicker while the
        // user types (ids are stable because the paths are).
        // Only the changed files can become broken or clean; the others
        // keep what the previous build kept for them.
        if let (Some(prev), Some(changed)) = (same_files, &changed) {
            for (&file, kept) in &prev.last_clean_exports {
                if !changed.contains(&file) {
                    ws.last_clean_exports.insert(file, kept.clone());
                }
            }
            for &file in changed {
                if !ws
                    .summary(file)
                    .is_some_and(|s| s.semantic.module_items_broken)
                {
                    continue;
                }
                let kept = match prev.summary(file) {
                    Some(old) if !old.semantic.module_items_broken => Some(prev.exports_of(file)),
                    Some(_) => prev.last_clean_exports.get(&file).cloned(),
                    None => None,
                };
                if let Some(kept) = kept {
                    ws.last_clean_exports.insert(file, kept);
                }
            }
        }
        ws
    }

    /// The exports the export-based rules may trust for `file`: its own
    /// when its module items parse, else those of its last clean parse in
    /// an earlier build (the editor case), else none.
    pub fn checked_exports(&self, file: FileId) -> Option<ExportSet> {
        match self.summary(file) {
            Some(summary) if !summary.semantic.module_items_broken => Some(self.exports_of(file)),
            Some(_) => self.last_clean_exports.get(&file).cloned(),
            None => None,
        }
    }

    /// This build's summary of `path` if its text is still `text`.
    pub fn unchanged_summary(&self, path: &Path, text: &Arc<str>) -> Option<Arc<FileSummary>> {
        let id = self.files.lookup(path)?;
        if !same_text(&self.files.get(id).text, text) {
            return None;
        }
        self.summaries.get(id.0 as usize)?.clone()
    }

    /// The files discovery found but did not read, with the reason.
    pub fn unread_files(
        &self,
    ) -> impl Iterator<Item = (FileId, crate::discovery::UnreadReason)> + '_ {
        self.roles
            .iter()
            .enumerate()
            .filter_map(|(index, role)| match role {
                Some(FileRole::Unread(reason)) => Some((FileId(index as u32), *reason)),
                _ => None,
            })
    }

    /// The reachability table, shared by builds that kept their Workers:
    /// two builds share it exactly when their Workers, configs and import
    /// edges are the same.
    pub(crate) fn reaching_table(&self) -> &Arc<Vec<Vec<u32>>> {
        &self.reaching
    }

    /// The role `file` has as an input.
    pub fn role(&self, file: FileId) -> Option<FileRole> {
        self.roles.get(file.0 as usize).copied().flatten()
    }

    /// Every source file that has a summary, with it.
    pub fn source_summaries(&self) -> impl Iterator<Item = (FileId, &FileSummary)> {
        self.summaries
            .iter()
            .enumerate()
            .filter_map(|(index, summary)| Some((FileId(index as u32), summary.as_deref()?)))
    }

    pub fn summary(&self, file: FileId) -> Option<&FileSummary> {
        self.summaries
            .get(file.0 as usize)
            .and_then(|s| s.as_deref())
    }

    /// The files `file` imports or re-exports from (resolved specifiers).
    pub fn imported_files(&self, file: FileId) -> impl Iterator<Item = FileId> + '_ {
        self.edges
            .get(file.0 as usize)
            .and_then(|edges| edges.as_deref())
            .into_iter()
            .flat_map(|edges| edges.values().copied())
    }

    /// Files that the Workers' reachable sources import by a relative path
    /// or by the name of a workspace package (one whose package.json is in
    /// the workspace) and that are not in the workspace but `exists` finds:
    /// a Worker checked on its own (`dols check apps/chat` in a monorepo)
    /// importing from a shared package outside the checked folder. Sorted,
    /// without duplicates.
    pub fn imports_outside(&self, exists: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
        let Some(resolver) = &self.resolver else {
            return Vec::new();
        };
        let mut outside: Vec<PathBuf> = self
            .reached_sources()
            .flat_map(|(file, summary)| {
                // Relative specifiers and workspace packages only: any
                // other bare one would have every package import probe the
                // disk through `baseUrl`.
                module_specifiers(summary)
                    .filter(|specifier| {
                        specifier.starts_with("./")
                            || specifier.starts_with("../")
                            || resolver.names_workspace_package(specifier)
                    })
                    .filter(move |specifier| self.resolve_import(file, specifier).is_none())
                    .filter_map(move |specifier| {
                        resolver.resolve_in(self.files.path(file), specifier, exists)
                    })
            })
            .filter(|path| self.files.lookup(path).is_none())
            .collect();
        outside.sort_unstable();
        outside.dedup();
        outside
    }

    /// The names of the packages that the Workers' reachable sources
    /// import and that no package.json of the workspace names (`hono`,
    /// or a workspace package outside the checked folder, whose
    /// package.json the CLI then looks for). Sorted, without duplicates.
    pub fn packages_imported_unknown(&self) -> Vec<String> {
        let Some(resolver) = &self.resolver else {
            return Vec::new();
        };
        let mut names: Vec<String> = self
            .reached_sources()
            .flat_map(|(_, summary)| module_specifiers(summary))
            .filter_map(resolve::package_name)
            .filter(|name| !resolver.names_workspace_package(name))
            .map(String::from)
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The sources some Worker reaches, each once.
    fn reached_sources(&self) -> impl Iterator<Item = (FileId, &FileSummary)> {
        let mut reached: Vec<FileId> = self
            .workers
            .iter()
            .flat_map(|w| w.reachable.iter().copied())
            .collect();
        reached.sort_unstable();
        reached.dedup();
        reached
            .into_iter()
            .filter_map(|file| Some((file, self.summary(file)?)))
    }

    /// Target of `specifier` as imported from `from`, if it is in the tree.
    pub fn resolve_import(&self, from: FileId, specifier: &str) -> Option<FileId> {
        self.edges
            .get(from.0 as usize)?
            .as_ref()?
            .get(specifier)
            .copied()
    }

    /// What a module exports, following re-exports and aliases.
    pub fn exports_of(&self, file: FileId) -> ExportSet {
        match self.exports_cache.get(file.0 as usize) {
            Some(cell) => cell.get_or_init(|| exports::collect(self, file)).clone(),
            None => exports::collect(self, file),
        }
    }

    /// A value derived from this snapshot that several rules or features
    /// need (all stub calls, all Durable Object classes), computed on first
    /// use and shared afterwards: one per type `T`, so each use site owns a
    /// private type. The rules run in parallel and several ask for the same
    /// value at once: the first computes it and the others wait for it
    /// (computing it twice took a whole core). `compute` runs outside the
    /// map's lock, so it may ask for other memos, but it must not use the
    /// thread pool: a thread waiting in a pool join could pick up a rule
    /// that asks for the very memo it is computing.
    pub fn memo<T: Send + Sync + 'static>(&self, compute: impl FnOnce() -> T) -> Arc<T> {
        self.memos.get(compute)
    }

    /// Workers whose `main` reaches `file` through imports, in order.
    pub fn workers_reaching(&self, file: FileId) -> impl Iterator<Item = &Worker> {
        self.reaching_indexes(file)
            .iter()
            .filter_map(move |&index| self.workers.get(index as usize))
    }

    /// [`Workspace::workers_reaching`] as indexes into `workers`.
    pub fn reaching_indexes(&self, file: FileId) -> &[u32] {
        self.reaching
            .get(file.0 as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// Classes declared in a Worker's sources with a given name.
    pub fn classes_named<'a>(
        &'a self,
        worker: &Worker,
        name: &'a str,
    ) -> impl Iterator<Item = (FileId, &'a ClassInfo)> + 'a {
        let sources = worker.sources.clone();
        sources.into_iter().flat_map(move |file| {
            self.summary(file)
                .into_iter()
                .flat_map(|s| s.classes.iter())
                .filter(move |c| c.name.as_ref().is_some_and(|n| n.value == name))
                .map(move |c| (file, c))
        })
    }

    /// Every class declared in a Worker's sources.
    pub fn classes_of<'a>(
        &'a self,
        worker: &'a Worker,
    ) -> impl Iterator<Item = (FileId, &'a ClassInfo)> + 'a {
        worker.sources.iter().flat_map(move |&file| {
            self.summary(file)
                .into_iter()
                .flat_map(|s| s.classes.iter())
                .map(move |c| (file, c))
        })
    }

    /// The Worker that a `script_name` seen from `from` refers to. In a
    /// monorepo several Workers may share a name (examples, fixtures); the one
    /// nearest to `from` in the folder tree wins, and a tie means unknown.
    pub fn worker_by_script_name(&self, from: &Worker, script_name: &str) -> Option<&Worker> {
        let shared_depth = |other: &Worker| {
            from.dir
                .components()
                .zip(other.dir.components())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let mut best: Option<(&Worker, usize)> = None;
        let mut tie = false;
        for worker in self
            .workers
            .iter()
            .filter(|w| w.name() == Some(script_name))
        {
            let depth = shared_depth(worker);
            match best {
                Some((_, best_depth)) if depth == best_depth => tie = true,
                Some((_, best_depth)) if depth < best_depth => {}
                _ => {
                    best = Some((worker, depth));
                    tie = false;
                }
            }
        }
        if tie {
            None
        } else {
            best.map(|(w, _)| w)
        }
    }

    /// Path relative to `root` with forward slashes, for output.
    pub fn display_path(&self, file: FileId, root: &Path) -> String {
        let path = self.files.path(file);
        let relative = path.strip_prefix(root).unwrap_or(path);
        relative.to_string_lossy().replace('\\', "/")
    }
}

fn summarize_all(
    files: &Files,
    roles: &[(FileId, FileRole)],
    ready: &ReadySummaries,
    same_files: Option<&Workspace>,
    changed: Option<&[usize]>,
    failures: &mut Vec<(FileId, String)>,
) -> SharedVec<Option<Arc<FileSummary>>> {
    // Unchanged texts keep their summaries without asking `ready` (two
    // path lookups per file) or the thread pool.
    let kept = |id: FileId| {
        let prev = same_files?;
        let old = prev.summaries.get(id.0 as usize)?.as_ref()?;
        same_text(&prev.files.get(id).text, &files.get(id).text).then(|| old.clone())
    };
    let mut pending = Vec::new();
    let mut summaries;
    match (same_files, changed) {
        // Only the files at `changed` may differ (same paths, same ids):
        // the rest of the table is the previous build's, not visited.
        (Some(prev), Some(changed)) => {
            summaries = prev.summaries.clone();
            let changed_ids: HashSet<usize> = changed.iter().copied().collect();
            failures.extend(
                prev.index_failures
                    .iter()
                    .filter(|(id, _)| !changed_ids.contains(&(id.0 as usize)))
                    .cloned(),
            );
            for &index in changed {
                let Some(&(id, role)) = roles.get(index) else {
                    continue;
                };
                summaries.set(index, None);
                if let FileRole::Source(_) = role {
                    match kept(id) {
                        Some(summary) => summaries.set(index, Some(summary)),
                        None => pending.push((id, role)),
                    }
                }
            }
        }
        _ => {
            summaries = SharedVec::filled(None, files.len());
            for &(id, role) in roles {
                let FileRole::Source(_) = role else { continue };
                match kept(id) {
                    Some(summary) => summaries.set(id.0 as usize, Some(summary)),
                    None => pending.push((id, role)),
                }
            }
        }
    }
    if pending.is_empty() {
        return summaries;
    }
    // Files under no folder with a wrangler config can only matter through
    // an import from a Worker: their semantic model is built later, and
    // only if a Worker reaches them (`strip_unneeded_semantics`).
    // A set and a walk up the file's ancestors: a monorepo has as many
    // config folders as Workers, and every file is asked.
    let worker_dirs: std::collections::HashSet<&Path> = roles
        .iter()
        .filter(|(_, role)| matches!(role, FileRole::Config(_)))
        .filter_map(|(id, _)| files.path(*id).parent())
        .collect();
    let in_worker_dir = |id: FileId| {
        files
            .path(id)
            .ancestors()
            .skip(1)
            .any(|dir| worker_dirs.contains(dir))
    };
    let results: Vec<(FileId, Result<Arc<FileSummary>, String>)> = pending
        .par_iter()
        .filter_map(|&(id, role)| match role {
            FileRole::Source(language) => {
                let text = files.text(id);
                if let Some(summary) = ready(files.path(id), &files.get(id).text) {
                    return Some((id, Ok(summary)));
                }
                if crate::discovery::minified_line(text).is_some() {
                    return None; // an open minified buffer: not worth indexing
                }
                let started = std::time::Instant::now();
                // A panic in one file must not take the whole check down.
                let semantic = in_worker_dir(id);
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    let mut summary = index::summarize_with(text, language, semantic);
                    if !semantic {
                        summary.semantic = stripped_semantics();
                    }
                    Arc::new(summary)
                }))
                .map_err(|panic| panic_message(&panic));
                let elapsed = started.elapsed();
                // Only when asked: stderr is the user's, not a log.
                if elapsed > std::time::Duration::from_millis(250)
                    && std::env::var_os("DOLS_TIMING").is_some()
                {
                    eprintln!(
                        "dols: indexing {} took {elapsed:?}",
                        files.path(id).display()
                    );
                }
                Some((id, result))
            }
            _ => None,
        })
        .collect();
    for (id, result) in results {
        match result {
            Ok(summary) => summaries.set(id.0 as usize, Some(summary)),
            Err(message) => failures.push((id, message)),
        }
    }
    summaries
}

/// Whether two summaries of a file declare the same `Env` members.
fn same_env_type(
    a: Option<&Option<Arc<FileSummary>>>,
    b: Option<&Option<Arc<FileSummary>>>,
) -> bool {
    let members = |s: Option<&Option<Arc<FileSummary>>>| -> Vec<String> {
        s.and_then(Option::as_ref)
            .map(|s| s.env_type_members.iter().map(|m| m.value.clone()).collect())
            .unwrap_or_default()
    };
    members(a) == members(b)
}

/// Source files whose summary is not the previous build's (same ids).
fn changed_sources(ws: &Workspace, prev: &Workspace) -> Vec<FileId> {
    // Chunks the two builds share are skipped whole.
    ws.summaries
        .differing(&prev.summaries, |new, old| match (new, old) {
            (Some(new), Some(old)) => Arc::ptr_eq(new, old),
            (None, None) => true,
            _ => false,
        })
        .into_iter()
        .map(|i| FileId(i as u32))
        .collect()
}

/// Whether everything but source texts is as in the previous build (same
/// ids): roles, configs, `.dev.vars`, tsconfigs (so the resolver and the
/// imports of unchanged sources were kept too).
fn only_sources_changed(ws: &Workspace, prev: &Workspace) -> bool {
    ws.roles == prev.roles
        && ws
            .roles
            .iter()
            .enumerate()
            .filter(|(_, role)| !matches!(role, Some(FileRole::Source(_))))
            .all(|(i, _)| {
                let id = FileId(i as u32);
                same_text(&ws.files.get(id).text, &prev.files.get(id).text)
            })
}

/// Whether `build_workers` would give the previous build's Workers: it
/// reads the roles, paths and non-source texts (configs, `.dev.vars`), the
/// resolved imports and which sources have a summary.
fn workers_unchanged(ws: &Workspace, prev: &Workspace, changed: &[FileId]) -> bool {
    only_sources_changed(ws, prev)
        && ws.configs.len() == prev.configs.len()
        && changed.iter().all(|&id| {
            let i = id.0 as usize;
            ws.summaries[i].is_some() == prev.summaries.get(i).is_some_and(|s| s.is_some())
                && same_edges(ws.edges.get(i), prev.edges.get(i))
        })
}

/// Whether every export set is the previous build's: `exports::collect`
/// reads, per file, the exports (with their ranges), the imports, the class
/// names and the resolved imports.
fn exports_unchanged(ws: &Workspace, prev: &Workspace, changed: &[FileId]) -> bool {
    only_sources_changed(ws, prev)
        && changed.iter().all(|&id| {
            let i = id.0 as usize;
            let (Some(new), Some(Some(old))) = (&ws.summaries[i], prev.summaries.get(i)) else {
                return false;
            };
            let class_names = |s: &FileSummary| -> Vec<Option<String>> {
                s.classes
                    .iter()
                    .map(|c| c.name.as_ref().map(|n| n.value.clone()))
                    .collect()
            };
            new.exports == old.exports
                && new.imports.len() == old.imports.len()
                && new
                    .imports
                    .iter()
                    .zip(&old.imports)
                    .all(|(a, b)| a.kind == b.kind && a.specifier.value == b.specifier.value)
                && class_names(new) == class_names(old)
                && same_edges(ws.edges.get(i), prev.edges.get(i))
        })
}

fn same_edges(
    a: Option<&Option<Arc<HashMap<String, FileId>>>>,
    b: Option<&Option<Arc<HashMap<String, FileId>>>>,
) -> bool {
    match (a.and_then(|e| e.as_ref()), b.and_then(|e| e.as_ref())) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
        (None, None) => true,
        _ => false,
    }
}

pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

fn resolve_edges(
    files: &Files,
    roles: &[(FileId, FileRole)],
    summaries: &SharedVec<Option<Arc<FileSummary>>>,
    same_files: Option<&Workspace>,
    changed: Option<&[usize]>,
) -> (ModuleEdges, Option<Arc<resolve::Resolver>>) {
    // Same files, tsconfigs and package.json files: only files whose
    // imports changed resolve again.
    let resolution_input = |(id, role): &(FileId, FileRole)| {
        matches!(role, FileRole::TsConfig | FileRole::PackageJson)
            || same_files
                .and_then(|prev| prev.role(*id))
                .is_some_and(|r| matches!(r, FileRole::TsConfig | FileRole::PackageJson))
    };
    let same_input =
        |prev: &Workspace, id: FileId| same_text(&prev.files.get(id).text, &files.get(id).text);
    let reusable = same_files.filter(|prev| match changed {
        Some(changed) => changed
            .iter()
            .filter_map(|&index| roles.get(index))
            .filter(|entry| resolution_input(entry))
            .all(|(id, _)| same_input(prev, *id)),
        None => roles
            .iter()
            .filter(|(_, r)| matches!(r, FileRole::TsConfig | FileRole::PackageJson))
            .all(|(id, _)| same_input(prev, *id)),
    });
    // Files whose resolved imports carry over: resolution depends on the
    // specifiers only (same resolver, same path).
    let kept_edges = |index: usize, summary: &Arc<FileSummary>| {
        let prev = reusable?;
        let old = prev.summaries.get(index)?.as_ref()?;
        let unchanged =
            Arc::ptr_eq(old, summary) || module_specifiers(old).eq(module_specifiers(summary));
        unchanged.then(|| prev.edges.get(index).cloned().flatten())
    };
    // Only the files at `changed` may differ: the others keep their edges
    // without being visited, and the few changed ones resolve here.
    if let (Some(prev), Some(changed), Some(resolver)) = (
        reusable,
        changed,
        reusable.and_then(|prev| prev.resolver.clone()),
    ) {
        let mut edges = prev.edges.clone();
        for &index in changed {
            let edges_now = match summaries.get(index).and_then(Option::as_ref) {
                None => None,
                Some(summary) => match kept_edges(index, summary) {
                    Some(kept) => kept,
                    None => resolve_file(files, &resolver, FileId(index as u32), summary),
                },
            };
            if index < edges.len() {
                edges.set(index, edges_now);
            }
        }
        return (edges, Some(resolver));
    }
    let summaries: Vec<Option<Arc<FileSummary>>> = summaries.iter().cloned().collect();
    let kept: Vec<Option<FileEdges>> = summaries
        .iter()
        .enumerate()
        .map(|(index, summary)| kept_edges(index, summary.as_ref()?))
        .collect();
    let needs_resolving = summaries
        .iter()
        .zip(&kept)
        .any(|(summary, kept)| summary.is_some() && kept.is_none());
    let resolver = match reusable.and_then(|prev| prev.resolver.clone()) {
        Some(kept) => Some(kept),
        None if needs_resolving => {
            // Unread modules too: an import of one resolves to it, so the
            // Workers that reach it are known (and its exports unknown).
            let sources = roles
                .iter()
                .filter(|(id, r)| match r {
                    FileRole::Source(_) => true,
                    FileRole::Unread(_) => {
                        matches!(FileRole::of(files.path(*id)), Some(FileRole::Source(_)))
                    }
                    _ => false,
                })
                .map(|(id, _)| files.path(*id).to_path_buf());
            let tsconfigs = roles
                .iter()
                .filter(|(_, r)| *r == FileRole::TsConfig)
                .map(|(id, _)| (files.path(*id), files.text(*id)));
            let package_jsons = roles
                .iter()
                .filter(|(_, r)| *r == FileRole::PackageJson)
                .map(|(id, _)| (files.path(*id), files.text(*id)));
            Some(Arc::new(resolve::Resolver::new(
                sources,
                tsconfigs,
                package_jsons,
            )))
        }
        None => None,
    };
    // Resolving is path work per file (probing extensions and index files
    // in the known-file set): on both cores for a cold index.
    let edges: Vec<FileEdges> = summaries
        .par_iter()
        .zip(kept)
        .enumerate()
        .map(|(index, (summary, kept))| {
            let summary = summary.as_ref()?;
            if let Some(kept) = kept {
                return kept;
            }
            resolve_file(files, resolver.as_ref()?, FileId(index as u32), summary)
        })
        .collect();
    (edges.into_iter().collect(), resolver)
}

/// The targets of `file`'s module specifiers that resolve to known files.
fn resolve_file(
    files: &Files,
    resolver: &resolve::Resolver,
    file: FileId,
    summary: &FileSummary,
) -> FileEdges {
    let from = files.path(file);
    let mut targets = HashMap::new();
    for specifier in module_specifiers(summary) {
        if targets.contains_key(specifier) {
            continue;
        }
        if let Some(target) = resolver
            .resolve(from, specifier)
            .and_then(|p| files.lookup(&p))
        {
            targets.insert(specifier.to_string(), target);
        }
    }
    (!targets.is_empty()).then(|| Arc::new(targets))
}

fn module_specifiers(summary: &FileSummary) -> impl Iterator<Item = &str> {
    let imports = summary.imports.iter().map(|i| i.specifier.value.as_str());
    let exports = summary.exports.iter().filter_map(|e| match e {
        index::Export::ReExport { specifier, .. }
        | index::Export::Star { specifier }
        | index::Export::StarAs { specifier, .. } => Some(specifier.value.as_str()),
        _ => None,
    });
    imports.chain(exports)
}

/// Parses every config; in a folder with several, keeps the one wrangler
/// would pick (json > jsonc > toml) and notes the shadowed ones.
fn parse_configs(
    files: &Files,
    roles: &[(FileId, FileRole)],
    shadowed: &mut Vec<(FileId, FileId)>,
    same_files: Option<&Workspace>,
) -> Vec<ConfigFile> {
    let mut by_dir: HashMap<&Path, Vec<(FileId, config::ConfigFormat)>> = HashMap::new();
    for &(id, role) in roles {
        if let FileRole::Config(format) = role {
            let dir = files.path(id).parent().unwrap_or(Path::new(""));
            by_dir.entry(dir).or_default().push((id, format));
        }
    }
    let mut chosen: Vec<(FileId, config::ConfigFormat)> = Vec::new();
    for (_, mut candidates) in by_dir {
        candidates.sort_by_key(|(_, format)| format.precedence());
        let (winner, _) = candidates[0];
        shadowed.extend(candidates[1..].iter().map(|&(loser, _)| (loser, winner)));
        chosen.push(candidates[0]);
    }
    chosen.sort_by_key(|(id, _)| files.path(*id).to_path_buf());
    chosen
        .into_par_iter()
        .map(|(id, format)| {
            let unchanged = same_files.and_then(|prev| {
                let old = prev.configs.iter().find(|c| c.file == id)?;
                same_text(&prev.files.get(id).text, &files.get(id).text).then(|| old.clone())
            });
            unchanged.unwrap_or_else(|| {
                let dir = files.path(id).parent().unwrap_or(Path::new(""));
                let schema = WranglerSchema::for_config_dir(dir);
                config::parse_config_with(id, format, files.text(id), schema)
            })
        })
        .collect()
}

fn build_workers(ws: &Workspace, roles: &[(FileId, FileRole)]) -> Vec<Worker> {
    let worker_dirs: Vec<PathBuf> = ws
        .configs
        .iter()
        .map(|c| {
            ws.files
                .path(c.file)
                .parent()
                .unwrap_or(Path::new(""))
                .to_path_buf()
        })
        .collect();
    let source_files: Vec<FileId> = roles
        .iter()
        .filter(|(_, r)| matches!(r, FileRole::Source(_)))
        .map(|(id, _)| *id)
        .collect();
    let common_root = &ws.common_root;
    // Each source belongs to the deepest Worker folder above it: one walk up
    // the ancestors per file instead of a scan of all files per Worker.
    let worker_of_dir: HashMap<&Path, usize> = worker_dirs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_path(), i))
        .collect();
    let mut owned: Vec<Vec<FileId>> = vec![Vec::new(); worker_dirs.len()];
    for &id in &source_files {
        let owner = ws
            .files
            .path(id)
            .ancestors()
            .skip(1)
            .find_map(|a| worker_of_dir.get(a));
        if let Some(&owner) = owner {
            owned[owner].push(id);
        }
    }
    let dotvars: Vec<FileId> = roles
        .iter()
        .filter(|(_, r)| *r == FileRole::DotVars)
        .map(|(id, _)| *id)
        .collect();

    ws.configs
        .iter()
        .enumerate()
        .map(|(config_index, config_file)| {
            let dir = worker_dirs[config_index].clone();
            let secrets: Vec<config::Binding> = dotvars
                .iter()
                .filter(|&&id| ws.files.path(id).parent() == Some(dir.as_path()))
                .flat_map(|&id| config::dotvars::parse(id, ws.files.text(id)))
                .collect();
            let envs = config::env::effective_configs(config_file, &secrets);
            let mains: Vec<MainFile> = envs
                .iter()
                .map(|env| match &env.main {
                    None => MainFile::Unset,
                    Some(main) => {
                        let path = resolve::normalize(&dir.join(&main.value));
                        match ws
                            .files
                            .lookup(&path)
                            .filter(|id| ws.summary(*id).is_some())
                        {
                            Some(id) => MainFile::Found(id),
                            None => MainFile::Missing {
                                path,
                                range: main.range,
                            },
                        }
                    }
                })
                .collect();

            // Every source under the Worker's folder that no nested Worker owns.
            let mut sources: HashSet<FileId> = owned[config_index].iter().copied().collect();
            // Plus everything reachable from each main (shared packages in a monorepo).
            let mut stack: Vec<FileId> = mains
                .iter()
                .filter_map(|m| match m {
                    MainFile::Found(id) => Some(id),
                    _ => None,
                })
                .copied()
                .collect();
            let mut seen: HashSet<FileId> = HashSet::new();
            while let Some(file) = stack.pop() {
                if !seen.insert(file) {
                    continue;
                }
                sources.insert(file);
                if let Some(Some(targets)) = ws.edges.get(file.0 as usize) {
                    stack.extend(targets.values().copied());
                }
            }
            let mut reachable: Vec<FileId> = seen.into_iter().collect();
            reachable.sort();
            let mut sources: Vec<FileId> = sources.into_iter().collect();
            sources.sort_by(|a, b| ws.files.path(*a).cmp(ws.files.path(*b)));

            let is_test_harness = is_test_folder(dir.strip_prefix(common_root).unwrap_or(&dir));
            Worker {
                config: config_file.file,
                config_index,
                dir,
                envs,
                mains,
                sources,
                reachable,
                is_test_harness,
            }
        })
        .collect()
}

/// True if the import of `local` in `summary` comes from `cloudflare:workers`
/// under the name `imported`.
pub fn imports_from_workers_runtime(summary: &FileSummary, local: &str, imported: &str) -> bool {
    summary.imports.iter().any(|import| {
        import.specifier.value == "cloudflare:workers"
            && matches!(&import.kind, ImportKind::Named { imported: i, local: l } if i == imported && l == local)
    })
}

/// The deepest folder containing every path.
fn common_ancestor<'a>(paths: impl Iterator<Item = &'a Path>) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for path in paths {
        let dir = path.parent().unwrap_or(path);
        common = Some(match common {
            None => dir.to_path_buf(),
            Some(current) => current
                .ancestors()
                .find(|a| dir.starts_with(a))
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        });
    }
    common.unwrap_or_default()
}

/// True when a folder path (relative to the checked tree) names a test folder.
fn is_test_folder(relative: &Path) -> bool {
    relative.components().any(|c| {
        let name = c.as_os_str().to_string_lossy().to_lowercase();
        matches!(
            name.as_str(),
            "test" | "tests" | "__tests__" | "e2e" | "spec" | "__fixtures__"
        ) || name.ends_with("-tests")
            || name.ends_with("_tests")
            || name.ends_with("-test")
    })
}

/// Equal texts, checking the pointer first: unchanged files share their Arc.
fn same_text(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// The semantic model of a file no Worker holds or reaches (a package of a
/// monorepo, a test folder) is never asked by a rule; it is dropped once the
/// Workers are known, which keeps a large monorepo's memory near what its
/// Workers need. A file that a Worker starts to reach later, while its
/// stripped summary was carried over, is summarised again here.
fn strip_unneeded_semantics(ws: &mut Workspace, roles: &[(FileId, FileRole)]) {
    let mut needed = vec![false; ws.files.len()];
    for worker in ws.workers.iter() {
        for file in worker.sources.iter().chain(&worker.reachable) {
            if let Some(slot) = needed.get_mut(file.0 as usize) {
                *slot = true;
            }
        }
    }
    let stripped = stripped_semantics();
    let mut rebuild = Vec::new();
    for &(file, role) in roles {
        let FileRole::Source(language) = role else {
            continue;
        };
        let index = file.0 as usize;
        let Some(Some(summary)) = ws.summaries.get_mut(index) else {
            continue;
        };
        let is_stripped = Arc::ptr_eq(&summary.semantic, &stripped);
        if needed[index] {
            if is_stripped {
                rebuild.push((file, language));
            }
        } else if !is_stripped {
            // Only a summary made in this build (nobody else holds it): the
            // open documents' and the carried-over ones are shared.
            if let Some(own) = Arc::get_mut(summary) {
                own.semantic = stripped.clone();
            }
        }
    }
    // A monorepo's shared packages sit outside the Worker folders and are
    // summarised again here, with their model: on the pool, as on a cold
    // index.
    let files = &ws.files;
    let rebuilt: Vec<(FileId, Arc<FileSummary>)> = rebuild
        .par_iter()
        .filter_map(|&(file, language)| {
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                Arc::new(index::summarize(files.text(file), language))
            }))
            .ok()
            .map(|summary| (file, summary))
        })
        .collect();
    for (file, summary) in rebuilt {
        ws.summaries.set(file.0 as usize, Some(summary));
    }
}

/// [`strip_unneeded_semantics`] after an edit that kept the Workers: a
/// changed file needs a model exactly when it did before, so a new summary
/// of a file whose model was dropped drops its own.
fn strip_changed_semantics(ws: &mut Workspace, prev: &Workspace, changed: &[FileId]) {
    let stripped = stripped_semantics();
    for &file in changed {
        let was_stripped = prev
            .summary(file)
            .is_some_and(|old| Arc::ptr_eq(&old.semantic, &stripped));
        if !was_stripped {
            continue;
        }
        if let Some(Some(summary)) = ws.summaries.get_mut(file.0 as usize) {
            if let Some(own) = Arc::get_mut(summary) {
                own.semantic = stripped.clone();
            }
        }
    }
}

/// The one empty model that stands for "dropped" (see
/// [`strip_unneeded_semantics`]).
fn stripped_semantics() -> Arc<crate::semantic::FileSemantics> {
    static STRIPPED: std::sync::OnceLock<Arc<crate::semantic::FileSemantics>> =
        std::sync::OnceLock::new();
    STRIPPED.get_or_init(Default::default).clone()
}

/// `DOLS_TIMING=1` prints how long each model stage took, to stderr.
struct StageTimer {
    enabled: bool,
    last: std::time::Instant,
    laps: Vec<(&'static str, std::time::Duration)>,
}

impl StageTimer {
    fn new() -> Self {
        StageTimer {
            enabled: std::env::var_os("DOLS_TIMING").is_some(),
            last: std::time::Instant::now(),
            laps: Vec::new(),
        }
    }

    fn lap(&mut self, stage: &'static str) {
        if self.enabled {
            let now = std::time::Instant::now();
            self.laps.push((stage, now - self.last));
            self.last = now;
        }
    }
}

impl Drop for StageTimer {
    fn drop(&mut self) {
        if self.enabled {
            let laps: Vec<String> = self
                .laps
                .iter()
                .map(|(s, d)| format!("{s} {d:?}"))
                .collect();
            eprintln!("dols timing (model): {}", laps.join(", "));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_folders_are_recognised_below_the_common_root() {
        assert!(is_test_folder(Path::new("packages/agents/src/tests")));
        assert!(is_test_folder(Path::new("src/lifecycle-tests")));
        assert!(!is_test_folder(Path::new("apps/chat")));
        assert!(!is_test_folder(Path::new("")));
        let root = common_ancestor([Path::new("/a/b/x.ts"), Path::new("/a/c/d/y.ts")].into_iter());
        assert_eq!(root, PathBuf::from("/a"));
    }

    fn inputs(files: &[(&str, &str)]) -> Vec<InputFile> {
        files
            .iter()
            .map(|(path, text)| InputFile {
                path: PathBuf::from(path),
                role: FileRole::of(Path::new(path)).unwrap(),
                text: Arc::from(*text),
            })
            .collect()
    }

    /// What later stages read of a build, comparable across builds.
    fn digest(ws: &Workspace) -> String {
        let mut out = String::new();
        for worker in ws.workers.iter() {
            out += &format!(
                "worker {:?} {:?} {:?} {:?}\n",
                worker.config, worker.mains, worker.sources, worker.reachable
            );
        }
        for (id, file) in ws.files.iter() {
            let mut edges: Vec<_> = ws
                .edges
                .get(id.0 as usize)
                .cloned()
                .flatten()
                .map(|e| e.iter().map(|(k, v)| (k.clone(), *v)).collect())
                .unwrap_or_default();
            edges.sort();
            let reaching: Vec<usize> = ws
                .workers
                .iter()
                .enumerate()
                .filter(|(_, w)| w.reachable.binary_search(&id).is_ok())
                .map(|(i, _)| i)
                .collect();
            assert_eq!(
                ws.reaching_indexes(id)
                    .iter()
                    .map(|&i| i as usize)
                    .collect::<Vec<_>>(),
                reaching
            );
            out += &format!(
                "{} {:?} {:?} {:?}\n",
                file.path.display(),
                ws.summary(id),
                edges,
                ws.exports_of(id)
            );
        }
        out
    }

    /// A rebuild that carries over Workers, imports and export sets gives
    /// what a fresh build gives, also when an edit changes them.
    #[test]
    fn rebuilds_match_fresh_builds() {
        let config = "name = \"app\"\nmain = \"src/index.ts\"\n";
        let base = [
            ("/w/wrangler.toml", config),
            ("/w/src/index.ts", "export { A } from \"./a\";\n"),
            (
                "/w/src/a.ts",
                "import { DurableObject } from \"cloudflare:workers\";\nexport class A extends DurableObject { x() { return 1; } }\n",
            ),
            ("/w/src/b.ts", "export class B {}\n"),
            ("/w/lib/c.ts", "export const c = 1;\n"),
        ];
        let edits: [(&str, &str); 7] = [
            // A body edit: nothing the model reads changes.
            (
                "/w/src/a.ts",
                "import { DurableObject } from \"cloudflare:workers\";\nexport class A extends DurableObject { x() { return 22; } }\n",
            ),
            // Export ranges move.
            (
                "/w/src/a.ts",
                "\nimport { DurableObject } from \"cloudflare:workers\";\nexport class A extends DurableObject { x() { return 22; } }\n",
            ),
            // Another module reached.
            ("/w/src/index.ts", "export { A } from \"./a\";\nimport \"../lib/c\";\n"),
            // A class renamed.
            ("/w/src/a.ts", "export class Z {}\n"),
            // A re-export that no longer resolves.
            ("/w/src/index.ts", "export { A } from \"./missing\";\n"),
            // A config change.
            ("/w/wrangler.toml", "name = \"app\"\nmain = \"src/b.ts\"\n"),
            // Back.
            ("/w/wrangler.toml", config),
        ];
        let mut current: Vec<(&str, &str)> = base.to_vec();
        let mut previous = Workspace::build(inputs(&current));
        assert_eq!(
            digest(&previous),
            digest(&Workspace::build(inputs(&current)))
        );
        for (path, text) in edits {
            for file in &mut current {
                if file.0 == path {
                    file.1 = text;
                }
            }
            // Fill some memoised export sets, as rules do between builds.
            for (id, _) in previous.files.iter() {
                previous.exports_of(id);
            }
            let rebuilt = Workspace::build_reusing(inputs(&current), Some(&previous));
            let fresh = Workspace::build(inputs(&current));
            assert_eq!(digest(&rebuilt), digest(&fresh), "after editing {path}");
            previous = rebuilt;
        }
    }

    /// A package outside every Worker folder gets its semantic model when a
    /// Worker imports it, and only then.
    #[test]
    fn shared_packages_have_a_model_only_when_a_worker_reaches_them() {
        let helper = "export function roomOf(env: Env) { return env.ROOM.getByName(\"r\"); }\n";
        let files = [
            ("/w/apps/api/wrangler.toml", "name = \"api\"\nmain = \"src/index.ts\"\n"),
            (
                "/w/apps/api/src/index.ts",
                "import { roomOf } from \"../../../packages/rooms/index\";\nexport default { fetch(r, env) { return roomOf(env).fetch(r); } };\n",
            ),
            ("/w/packages/rooms/index.ts", helper),
            ("/w/packages/unused/index.ts", helper),
        ];
        let ws = Workspace::build(inputs(&files));
        let model = |path: &str| {
            let id = ws.files.lookup(Path::new(path)).expect(path);
            ws.summary(id).expect(path).semantic.funcs.len()
        };
        assert_eq!(model("/w/packages/rooms/index.ts"), 1);
        assert_eq!(model("/w/packages/unused/index.ts"), 0);
    }

    /// A Worker reaches a workspace package imported by name; editing the
    /// package's package.json (an unsaved buffer) rebuilds the resolver,
    /// and naming the package again gives what a fresh build gives.
    #[test]
    fn workspace_packages_resolve_and_follow_package_json_edits() {
        let named =
            r#"{ "name": "@acme/rooms", "exports": { ".": { "import": "./dist/index.js" } } }"#;
        let mut files = vec![
            (
                "/w/apps/api/wrangler.toml",
                "name = \"api\"\nmain = \"src/index.ts\"\n",
            ),
            (
                "/w/apps/api/src/index.ts",
                "export { Room } from \"@acme/rooms\";\nexport default {};\n",
            ),
            ("/w/packages/rooms/package.json", named),
            ("/w/packages/rooms/src/index.ts", "export class Room {}\n"),
            ("/w/node_modules/@acme/rooms/package.json", named),
        ];
        let ws = Workspace::build(inputs(&files));
        let main = ws
            .files
            .lookup(Path::new("/w/apps/api/src/index.ts"))
            .unwrap();
        let room = ws
            .files
            .lookup(Path::new("/w/packages/rooms/src/index.ts"))
            .unwrap();
        assert_eq!(ws.resolve_import(main, "@acme/rooms"), Some(room));
        assert!(ws.workers[0].reachable.contains(&room));
        files[2].1 = r#"{ "name": "@acme/renamed" }"#;
        let rebuilt = Workspace::build_reusing(inputs(&files), Some(&ws));
        assert_eq!(rebuilt.resolve_import(main, "@acme/rooms"), None);
        assert!(!rebuilt.workers[0].reachable.contains(&room));
        files[2].1 = named;
        let back = Workspace::build_reusing(inputs(&files), Some(&rebuilt));
        assert_eq!(back.resolve_import(main, "@acme/rooms"), Some(room));
        assert_eq!(digest(&back), digest(&Workspace::build(inputs(&files))));
    }

    #[test]
    fn memos_are_computed_once_per_snapshot_and_type() {
        let ws = Workspace::build(inputs(&[("/w/src/a.ts", "export const a = 1;\n")]));
        struct Count(usize);
        struct Other(&'static str);
        let calls = std::cell::Cell::new(0);
        let first = ws.memo(|| {
            calls.set(calls.get() + 1);
            Count(7)
        });
        let second = ws.memo(|| {
            calls.set(calls.get() + 1);
            Count(8)
        });
        assert_eq!((first.0, second.0, calls.get()), (7, 7, 1));
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(ws.memo(|| Other("x")).0, "x");
        // A new snapshot starts empty.
        let next = Workspace::build_reusing(
            inputs(&[("/w/src/a.ts", "export const a = 1;\n")]),
            Some(&ws),
        );
        assert_eq!(next.memo(|| Count(9)).0, 9);
    }
}
