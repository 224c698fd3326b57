//! The analysis host: the mutable state behind the language server. It owns
//! the texts (disk files from discovery, overlaid by open editor buffers)
//! and produces immutable [`Analysis`] snapshots that features read.
//!
//! Rebuilding reuses the summary of every source file whose text did not
//! change, so a keystroke re-parses one file, not the workspace.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::diagnostic::Diagnostic;
use crate::discovery::{self, FileRole};
use crate::files::FileId;
use crate::index::{self, extract::IncrementalTree, FileSummary};
use crate::model::{InputFile, Workspace};
use crate::rules::results::{Cancel, RuleResults};
use crate::settings::Settings;
use crate::text::ByteEdit;
use ropey::Rope;

/// One consistent view of the workspace. Diagnostics are computed on first
/// use, so a completion right after an edit does not wait for the rules.
pub struct Analysis {
    pub workspace: Workspace,
    rules: crate::rules::RuleSettings,
    /// The host's analysis whose rules ran last: the rules of this
    /// snapshot re-check only what changed since it. Weak: the slot holds
    /// analyses, which must not hold the slot.
    rules_ran_last: std::sync::Weak<RulesRanLast>,
    results: OnceLock<Arc<RuleResults>>,
    diagnostics: OnceLock<Vec<Diagnostic>>,
}

impl Analysis {
    /// The rule results of this snapshot (computed on first use). One
    /// snapshot's rules run at a time: the next one waits, then re-checks
    /// only what changed since (two snapshots checking everything at once
    /// would each take twice as long).
    pub fn rule_results(self: &Arc<Self>) -> &Arc<RuleResults> {
        self.rule_results_until(&Cancel::never())
            .expect("a run nobody cancels ends")
    }

    /// [`Self::rule_results`], or `None` when `cancel` stopped the run
    /// (nothing is kept then: the next caller runs them again).
    pub fn rule_results_until(self: &Arc<Self>, cancel: &Cancel) -> Option<&Arc<RuleResults>> {
        if let Some(done) = self.results.get() {
            return Some(done);
        }
        let started = std::time::Instant::now();
        let slot = self.rules_ran_last.upgrade();
        let mut ran_last = slot.as_deref().map(lock);
        // Another caller may have finished them while this one waited.
        if let Some(done) = self.results.get() {
            return Some(done);
        }
        let results = match ran_last.as_deref().and_then(Option::as_ref) {
            Some((earlier, results)) => {
                results.update(&earlier.workspace, &self.workspace, &self.rules, cancel)
            }
            None => RuleResults::full_until(&self.workspace, &self.rules, cancel),
        };
        let Some(results) = results else {
            if timing_enabled() {
                eprintln!(
                    "dols timing (host): rules cancelled after {:?}",
                    started.elapsed()
                );
            }
            return None;
        };
        let results = Arc::new(results);
        let replaced = ran_last
            .as_deref_mut()
            .and_then(|slot| slot.replace((self.clone(), results.clone())));
        drop(ran_last);
        // Freeing a snapshot takes a while: not on the way to publishing.
        if let Some(replaced) = replaced {
            rayon::spawn(move || drop(replaced));
        }
        if timing_enabled() {
            eprintln!(
                "dols timing (host): rules {:?} ({:?})",
                started.elapsed(),
                results.stats
            );
        }
        // Without a slot (the host is gone) two callers may both get here:
        // the first one's results are kept, and both are the same.
        Some(self.results.get_or_init(|| results))
    }

    /// The findings of each file (files with findings only).
    pub fn file_diagnostics(self: &Arc<Self>) -> &HashMap<FileId, Arc<[Diagnostic]>> {
        self.rule_results().shown()
    }

    /// [`Self::file_diagnostics`], or `None` when `cancel` stopped the
    /// rules.
    pub fn file_diagnostics_until(
        self: &Arc<Self>,
        cancel: &Cancel,
    ) -> Option<&HashMap<FileId, Arc<[Diagnostic]>>> {
        self.rule_results_until(cancel)
            .map(|results| results.shown())
    }

    /// Every finding, sorted by file path, then position.
    pub fn diagnostics(self: &Arc<Self>) -> &[Diagnostic] {
        self.diagnostics
            .get_or_init(|| self.rule_results().flatten(&self.workspace))
    }
}

/// The analysis whose rules ran last, with its results.
type RulesRanLast = Mutex<Option<(Arc<Analysis>, Arc<RuleResults>)>>;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Default)]
pub struct AnalysisHost {
    roots: Vec<PathBuf>,
    disk: BTreeMap<PathBuf, (FileRole, Arc<str>)>,
    overlays: HashMap<PathBuf, Overlay>,
    settings: Settings,
    previous: Option<Arc<Analysis>>,
    /// The snapshot before `previous`, kept one analysis longer so that
    /// whoever drops their last other reference (the server, right before
    /// publishing) does not pay for freeing it; it is freed on the thread
    /// pool instead.
    retired: Option<Arc<Analysis>>,
    unreported: Vec<discovery::SkippedFile>,
    /// Syntax trees of open source documents, kept across edits so each
    /// keystroke re-parses only the changed region.
    open_trees: HashMap<PathBuf, IncrementalTree>,
    /// The summary computed from each open document's current tree.
    open_summaries: HashMap<PathBuf, (Arc<str>, Arc<FileSummary>)>,
    /// The analysis whose rules ran last (see [`Analysis::rule_results`]).
    rules_ran_last: Arc<RulesRanLast>,
    /// The inputs of the last analysis (disk files with open buffers over
    /// them, sorted by path), kept so that an edit replaces one entry
    /// instead of walking the workspace's paths.
    inputs: Vec<InputFile>,
    /// The set of files changed since `inputs` was made: make it again.
    inputs_stale: bool,
    /// Open buffers changed since the last analysis.
    edited: std::collections::HashSet<PathBuf>,
    /// The positions in `inputs` replaced since `previous` was built, while
    /// the set of files stayed the same (`None` once it did not): the
    /// build then rewrites those entries of `previous`'s tables instead of
    /// visiting every file.
    changed_inputs: Option<Vec<usize>>,
}

impl AnalysisHost {
    pub fn new(roots: Vec<PathBuf>, settings: Settings) -> Self {
        Self::new_until(roots, settings, &|| false)
    }

    /// [`AnalysisHost::new`] whose walk and reads stop when `cancelled()`
    /// turns true (the user cancelled indexing); what was left out is in
    /// [`AnalysisHost::unreported_skips`].
    pub fn new_until(
        roots: Vec<PathBuf>,
        settings: Settings,
        cancelled: &dyn Fn() -> bool,
    ) -> Self {
        let mut host = AnalysisHost {
            roots,
            settings,
            ..Default::default()
        };
        host.reload_until(cancelled);
        host
    }

    /// Re-runs discovery and reads every file again.
    pub fn reload_all(&mut self) {
        self.reload_until(&|| false);
    }

    fn reload_until(&mut self, cancelled: &dyn Fn() -> bool) {
        self.inputs_stale = true;
        let (inputs, skipped) = discovery::load_until(
            &self.roots,
            &self.settings.exclude,
            self.settings.limits,
            cancelled,
        );
        for file in &skipped {
            eprintln!("dols: skipped {}: {}", file.path.display(), file.reason);
        }
        self.unreported = skipped.into_iter().filter(|s| !s.reported).collect();
        self.disk = inputs
            .into_iter()
            .map(|input| (input.path, (input.role, input.text)))
            .collect();
    }

    /// What the last discovery skipped that no finding reports (folders it
    /// could not enter): the server tells the user.
    pub fn unreported_skips(&self) -> &[discovery::SkippedFile] {
        &self.unreported
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// New settings; files are re-read only when the exclude list or the
    /// limits changed.
    pub fn set_settings(&mut self, settings: Settings) {
        let rescan =
            settings.exclude != self.settings.exclude || settings.limits != self.settings.limits;
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
        // An editor may report files outside the folders it opened (a
        // global watcher): they are not part of this workspace.
        if !self.roots.iter().any(|root| path.starts_with(root)) {
            return;
        }
        if path.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|name| discovery::SKIPPED_DIRS.contains(&name))
        }) {
            return;
        }
        self.inputs_stale = true;
        match discovery::read_text(path, role) {
            Ok(text) => {
                self.disk.insert(path.to_path_buf(), (role, text.into()));
            }
            Err(discovery::UnreadReason::Io(std::io::ErrorKind::NotFound)) => {
                self.disk.remove(path);
            }
            // Kept, unread: the `file-not-read` finding says why.
            Err(reason) => {
                self.disk
                    .insert(path.to_path_buf(), (FileRole::Unread(reason), "".into()));
            }
        }
    }

    /// An editor opened or changed a buffer; its text wins over the disk.
    pub fn set_overlay(&mut self, path: PathBuf, text: impl Into<Rope>) {
        // Without edits the old tree cannot be reused.
        self.open_trees.remove(&path);
        let overlay = Overlay::new(text.into());
        self.edited.insert(path.clone());
        self.overlays.insert(path, overlay);
    }

    /// An editor changed an open buffer by `edits` (in order), giving
    /// `text`. The document's syntax tree learns the edits, so the next
    /// analysis re-parses incrementally. Nothing here walks the text: a
    /// burst of keystrokes into a large buffer costs one copy and one check
    /// when the next analysis starts, not one per keystroke.
    pub fn edit_overlay(&mut self, path: PathBuf, text: impl Into<Rope>, edits: &[ByteEdit]) {
        if let Some(tree) = self.open_trees.get_mut(&path) {
            for edit in edits {
                tree.edit(&tree_sitter::InputEdit {
                    start_byte: edit.start,
                    old_end_byte: edit.old_end,
                    new_end_byte: edit.new_end,
                    start_position: point(edit.start_point),
                    old_end_position: point(edit.old_end_point),
                    new_end_position: point(edit.new_end_point),
                });
            }
        }
        let overlay = Overlay::new(text.into());
        self.edited.insert(path.clone());
        self.overlays.insert(path, overlay);
    }

    pub fn remove_overlay(&mut self, path: &Path) {
        self.inputs_stale = true;
        self.overlays.remove(path);
        self.open_trees.remove(path);
        self.open_summaries.remove(path);
    }

    /// Brings the summary of every open source document up to date, using
    /// its kept tree when there is one.
    fn reparse_open_sources(&mut self) {
        for (path, overlay) in &self.overlays {
            // A buffer that is not indexed (see `Overlay::new`) is not
            // parsed either, so typing in a 10 MB bundle costs no parse.
            let Some((text, Some(FileRole::Source(language)))) = &overlay.checked else {
                self.open_trees.remove(path);
                continue;
            };
            let language = *language;
            if self
                .open_summaries
                .get(path)
                .is_some_and(|(t, _)| t == text)
            {
                continue;
            }
            // Taken out: a panic below drops it, and the next edit parses
            // from scratch.
            let previous = self.open_trees.remove(path);
            let started = std::time::Instant::now();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                index::extract::summarize_reparse(text, language, previous)
            }));
            match outcome {
                Ok((summary, tree)) => {
                    if timing_enabled() {
                        let (reused, nodes, members) =
                            tree.as_ref().map_or((0, 0, 0), |t| t.reuse());
                        eprintln!(
                            "dols timing (host): {} re-parsed and summarised in {:?}, {reused} of {nodes} top-level nodes reused (and {members} class members in the others)",
                            path.display(),
                            started.elapsed()
                        );
                    }
                    if let Some(tree) = tree {
                        self.open_trees.insert(path.clone(), tree);
                    }
                    self.open_summaries
                        .insert(path.clone(), (text.clone(), Arc::new(summary)));
                }
                Err(_) => {
                    // Leave it to the regular path, which reports the failure.
                    self.open_summaries.remove(path);
                }
            }
        }
    }

    /// Builds a fresh snapshot from the current texts.
    pub fn analyze(&mut self) -> Arc<Analysis> {
        for (path, overlay) in &mut self.overlays {
            overlay.check(path);
        }
        self.update_inputs();
        let started = std::time::Instant::now();
        self.reparse_open_sources();
        let inputs = &self.inputs;
        let reparsed = started.elapsed();
        let previous = self.previous.as_ref().map(|a| &a.workspace);
        let open = &self.open_summaries;
        let ready = |path: &Path, text: &Arc<str>| {
            if let Some((open_text, summary)) = open.get(path) {
                if Arc::ptr_eq(open_text, text) || open_text == text {
                    return Some(summary.clone());
                }
            }
            previous?.unchanged_summary(path, text)
        };
        let changed = self
            .changed_inputs
            .as_deref()
            .filter(|_| previous.is_some());
        let workspace = Workspace::build_after_edit(inputs, &ready, previous, changed);
        if timing_enabled() {
            eprintln!(
                "dols timing (host): open documents {reparsed:?}, analyze {:?}",
                started.elapsed()
            );
        }
        let analysis = Arc::new(Analysis {
            workspace,
            rules: self.settings.rules.clone(),
            rules_ran_last: Arc::downgrade(&self.rules_ran_last),
            results: OnceLock::new(),
            diagnostics: OnceLock::new(),
        });
        if let Some(old) = self.retired.take() {
            // A large snapshot takes a millisecond or more to free. The
            // server takes it earlier (see `take_retired`), after it has
            // published, so freeing does not compete with the rules.
            rayon::spawn(move || drop(old));
        }
        self.retired = self.previous.replace(analysis.clone());
        self.changed_inputs = Some(Vec::new());
        analysis
    }

    /// Brings `inputs` up to date: the changed open buffers' entries are
    /// replaced in place; a change to the set of files makes them again.
    fn update_inputs(&mut self) {
        for path in std::mem::take(&mut self.edited) {
            if self.inputs_stale {
                break;
            }
            let input = self.overlays.get(&path).and_then(|o| o.input(&path));
            let at = self
                .inputs
                .binary_search_by(|i| i.path.as_path().cmp(&path));
            match (at, input) {
                (Ok(at), Some(input)) => {
                    self.inputs[at] = input;
                    if let Some(changed) = &mut self.changed_inputs {
                        changed.push(at);
                    }
                }
                (Err(_), None) => {}
                _ => self.inputs_stale = true,
            }
        }
        self.edited.clear();
        if !self.inputs_stale {
            return;
        }
        let mut inputs: Vec<InputFile> = Vec::with_capacity(self.disk.len() + self.overlays.len());
        for (path, (role, text)) in &self.disk {
            let input = match self.overlays.get(path) {
                Some(overlay) => overlay.input(path),
                None => Some(InputFile {
                    path: path.clone(),
                    role: *role,
                    text: text.clone(),
                }),
            };
            inputs.extend(input);
        }
        // Open buffers that are not on disk yet (new, unsaved files).
        for (path, overlay) in &self.overlays {
            if !self.disk.contains_key(path) {
                inputs.extend(overlay.input(path));
            }
        }
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        self.inputs = inputs;
        self.inputs_stale = false;
        // A new set of files: the next build compares every path.
        self.changed_inputs = None;
    }

    /// The snapshot before the newest one, for the caller to free when it
    /// has time (after publishing); `analyze` frees it otherwise.
    pub fn take_retired(&mut self) -> Option<Arc<Analysis>> {
        self.retired.take()
    }
}

/// An open buffer, with the role it has as an input: its path's role,
/// checked like a file read from disk (a buffer above the size cap, with
/// NUL bytes or minified is `Unread` and `file-not-read` says so), whatever
/// the file on disk was. The rope is what the editor changed; the text is
/// made from it and checked once per analysis that follows a change (a
/// buffer over the cap is never copied out of its rope).
struct Overlay {
    rope: Rope,
    /// The text and role once checked; `None` after a change. A role of
    /// `None` is a path with no role.
    checked: Option<(Arc<str>, Option<FileRole>)>,
}

impl Overlay {
    fn new(rope: Rope) -> Overlay {
        Overlay {
            rope,
            checked: None,
        }
    }

    fn check(&mut self, path: &Path) {
        if self.checked.is_some() {
            return;
        }
        let Some(role) = FileRole::of(path) else {
            self.checked = Some(("".into(), None));
            return;
        };
        let checked = match discovery::check_length(role, self.rope.len_bytes() as u64) {
            Err(reason) => ("".into(), FileRole::Unread(reason)),
            Ok(()) => {
                let text = self.rope.to_string();
                match discovery::check_text(role, &text) {
                    Ok(()) => (text.into(), role),
                    Err(reason) => ("".into(), FileRole::Unread(reason)),
                }
            }
        };
        self.checked = Some((checked.0, Some(checked.1)));
    }

    /// The buffer as an analysis input; `None` for a path with no role
    /// (and, unreachable, an overlay not checked yet).
    fn input(&self, path: &Path) -> Option<InputFile> {
        let (text, role) = self.checked.as_ref()?;
        Some(InputFile {
            path: path.to_path_buf(),
            role: (*role)?,
            text: text.clone(),
        })
    }
}

/// `DOLS_TIMING=1`: log the stages of each analysis to stderr.
pub(crate) fn timing_enabled() -> bool {
    static ENABLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("DOLS_TIMING").is_some())
}

fn point((row, column): (usize, usize)) -> tree_sitter::Point {
    tree_sitter::Point { row, column }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::language::SourceLanguage;

    const CONFIG: &str = r#"name = "app"
main = "src/index.ts"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_classes = ["Counter"]
"#;

    const MAIN: &str = r#"import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async fetch(request: Request) {
    this.ctx.storage.sql.exec("SELECT 1");
    return new Response("ok");
  }
}
export default { fetch(request, env) { return env.COUNTER.getByName("a").fetch(request); } };
"#;

    /// The diagnostics of an analysis, for comparing an incremental one
    /// with a fresh one. While `main`'s module items do not parse, the
    /// export-based findings of the incremental analysis rest on the last
    /// clean parse (`Workspace::checked_exports`), which a fresh analysis
    /// has never seen: those two rules are left out of the comparison then.
    fn comparable(a: &Arc<Analysis>, main: &Path) -> Vec<(&'static str, u32, String)> {
        let broken = a
            .workspace
            .files
            .lookup(main)
            .and_then(|id| a.workspace.summary(id))
            .is_some_and(|s| s.semantic.module_items_broken);
        a.diagnostics()
            .iter()
            .filter(|d| !(broken && matches!(d.code, "class-not-exported" | "unknown-class")))
            .map(|d| (d.code, d.range.start, d.message.clone()))
            .collect()
    }

    /// A Worker whose `main` exports nothing, in a temporary folder (kept
    /// as long as the returned guard lives).
    fn empty_worker() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path());
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(
            root.join("wrangler.toml"),
            "name = \"app\"\nmain = \"src/index.ts\"\n",
        )
        .unwrap();
        std::fs::write(root.join("src/index.ts"), "export default {};\n").unwrap();
        (dir, root)
    }

    /// Four Workers; `c` binds `a`'s class through `script_name`. After
    /// an edit of a method body, the rules re-check only the Workers that
    /// can see it (the edited file's own, and the ones bound to it), keep
    /// the others' findings, and agree with a fresh analysis. An edit of an
    /// import re-checks everything.
    #[test]
    fn an_edit_rechecks_only_the_workers_it_can_affect() {
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path());
        let remote = "[[durable_objects.bindings]]\nname = \"REMOTE\"\nclass_name = \"Counter\"\nscript_name = \"a\"\n";
        for name in ["a", "b", "c", "d"] {
            std::fs::create_dir_all(root.join(name).join("src")).unwrap();
            let mut config = CONFIG.replace("name = \"app\"", &format!("name = \"{name}\""));
            if name == "c" {
                config.push_str(remote);
            }
            std::fs::write(root.join(name).join("wrangler.toml"), config).unwrap();
            std::fs::write(root.join(name).join("src/index.ts"), MAIN).unwrap();
        }
        std::fs::write(root.join("d/src/other.ts"), "export const other = 1;\n").unwrap();
        let main_of = |name: &str| root.join(name).join("src/index.ts");
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        let first = host.analyze();
        let sql_findings = |a: &Arc<Analysis>| -> Vec<PathBuf> {
            a.diagnostics()
                .iter()
                .filter(|d| d.code == "sql-on-kv-backend")
                .map(|d| a.workspace.files.path(d.file).to_path_buf())
                .collect()
        };
        assert_eq!(sql_findings(&first).len(), 4, "{:?}", first.diagnostics());
        assert!(first.rule_results().stats.full);

        // `b` stops using SQL inside a method body.
        let fixed = MAIN.replace(
            "this.ctx.storage.sql.exec(\"SELECT 1\")",
            "this.ctx.storage.get(\"k\")",
        );
        host.set_overlay(main_of("b"), fixed.as_str());
        let second = host.analyze();
        let stats = second.rule_results().stats;
        assert_eq!(
            (stats.full, stats.workers, stats.files),
            (false, 1, 2),
            "{stats:?}"
        );
        assert_eq!(
            sql_findings(&second),
            vec![main_of("a"), main_of("c"), main_of("d")]
        );
        let mut fresh = AnalysisHost::new(vec![root.clone()], Settings::default());
        fresh.set_overlay(main_of("b"), fixed.as_str());
        assert_eq!(second.diagnostics(), fresh.analyze().diagnostics());

        // An edit in `a` also re-checks `c`, which binds `a`'s class.
        host.set_overlay(main_of("a"), fixed.as_str());
        let third = host.analyze();
        let stats = third.rule_results().stats;
        assert_eq!(
            (stats.full, stats.workers, stats.files),
            (false, 2, 4),
            "{stats:?}"
        );
        assert_eq!(sql_findings(&third), vec![main_of("c"), main_of("d")]);
        let mut fresh = AnalysisHost::new(vec![root.clone()], Settings::default());
        fresh.set_overlay(main_of("a"), fixed.as_str());
        fresh.set_overlay(main_of("b"), fixed.as_str());
        assert_eq!(third.diagnostics(), fresh.analyze().diagnostics());

        // A new import changes what a Worker reaches.
        host.set_overlay(main_of("d"), format!("import \"./other\";\n{MAIN}"));
        assert!(host.analyze().rule_results().stats.full);
    }

    /// A rule run that a newer edit cancels keeps nothing: the snapshot
    /// has no results, the next snapshot re-checks from the last complete
    /// run (so the cancelled edit's changes are checked too), and the
    /// cancelled snapshot still answers when asked again without a cancel.
    #[test]
    fn a_cancelled_rule_run_keeps_nothing_and_the_next_run_catches_up() {
        let (_dir, root) = empty_worker();
        let main = root.join("src/index.ts");
        std::fs::write(root.join("wrangler.toml"), CONFIG).unwrap();
        std::fs::write(&main, MAIN).unwrap();
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        let first = host.analyze();
        assert!(first.rule_results().stats.full);
        assert!(first
            .diagnostics()
            .iter()
            .any(|d| d.code == "sql-on-kv-backend"));

        let without_sql = MAIN.replace(
            "this.ctx.storage.sql.exec(\"SELECT 1\")",
            "this.ctx.storage.get(\"k\")",
        );
        host.set_overlay(main.clone(), without_sql.as_str());
        let cancelled = host.analyze();
        let asked = std::sync::atomic::AtomicUsize::new(0);
        let at_once = || {
            asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            true
        };
        assert!(cancelled
            .file_diagnostics_until(&Cancel::new(&at_once))
            .is_none());
        assert!(asked.load(std::sync::atomic::Ordering::Relaxed) > 0);
        assert!(
            cancelled.results.get().is_none(),
            "partial results were kept"
        );

        let newer = format!("{without_sql}// one more keystroke\n");
        host.set_overlay(main.clone(), newer.as_str());
        let next = host.analyze();
        let mut fresh = AnalysisHost::new(vec![root.clone()], Settings::default());
        fresh.set_overlay(main.clone(), newer.as_str());
        assert_eq!(next.diagnostics(), fresh.analyze().diagnostics());
        assert!(
            !next
                .diagnostics()
                .iter()
                .any(|d| d.code == "sql-on-kv-backend"),
            "the edit of the cancelled snapshot was not checked"
        );

        // Asked without a cancel, the older snapshot still has its answer.
        assert!(!cancelled
            .diagnostics()
            .iter()
            .any(|d| d.code == "sql-on-kv-backend"));
    }

    /// An open buffer is checked like a file read from disk: above the
    /// size cap it is neither parsed nor indexed, and `file-not-read` says
    /// so; back under the cap it is indexed again. Typing in a huge buffer
    /// then costs no parse.
    #[test]
    fn open_buffers_over_the_size_cap_are_said_not_parsed() {
        let (_dir, root) = empty_worker();
        let main = root.join("src/index.ts");
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        let line = "export const value = \"0123456789\";\n";
        let huge = line.repeat(3 * 1024 * 1024 / line.len() + 1);
        host.set_overlay(main.clone(), huge.clone());
        let analysis = host.analyze();
        assert!(
            !host.open_trees.contains_key(&main),
            "the huge buffer was parsed"
        );
        let unread: Vec<_> = analysis
            .diagnostics()
            .iter()
            .filter(|d| d.code == "file-not-read")
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(unread.len(), 1, "{unread:?}");
        assert!(unread[0].contains("larger than"), "{unread:?}");

        host.set_overlay(main.clone(), "export default {};\n");
        let analysis = host.analyze();
        assert!(host.open_trees.contains_key(&main));
        assert!(analysis
            .diagnostics()
            .iter()
            .all(|d| d.code != "file-not-read"));
    }

    /// A watched-file event for a FIFO (a `.env` served by a secret
    /// manager, a `src/pipe.ts`) returns at once: the pipe is never opened
    /// for reading, and a module under that name is said (`file-not-read`).
    #[cfg(unix)]
    #[test]
    fn file_events_for_fifos_do_not_block() {
        let (_dir, root) = empty_worker();
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        for name in [".env", "src/pipe.ts"] {
            let path = root.join(name);
            let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path; mkfifo reads it only.
            assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
            host.file_changed_on_disk(&path);
        }
        let analysis = host.analyze();
        let said: Vec<String> = analysis
            .diagnostics()
            .iter()
            .filter(|d| d.code == "file-not-read")
            .map(|d| analysis.workspace.files.path(d.file).display().to_string())
            .collect();
        assert!(said.iter().any(|p| p.ends_with("src/pipe.ts")), "{said:?}");
    }

    /// Watched-file events outside the workspace folders (an editor's
    /// global watcher) are not read; events inside are.
    #[test]
    fn file_events_outside_the_roots_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path()).join("app");
        let outside = crate::model::resolve::normalize(dir.path()).join("elsewhere");
        for folder in [&root, &outside] {
            std::fs::create_dir_all(folder).unwrap();
            std::fs::write(folder.join("wrangler.toml"), "name = \"x\"\n").unwrap();
        }
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        host.file_changed_on_disk(&outside.join("wrangler.toml"));
        assert!(!host.disk.contains_key(&outside.join("wrangler.toml")));
        host.file_changed_on_disk(&root.join("wrangler.toml"));
        assert!(host.disk.contains_key(&root.join("wrangler.toml")));
    }

    /// A tiny deterministic generator, so failures reproduce.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, bound: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % bound.max(1)
        }
    }

    /// A module with one of everything the index splits by top-level
    /// node: imports, a suppression, top-level calls and awaits, a variable
    /// bound to a stub and used in later statements, an Env interface, a
    /// class with fields, constructor, WebSocket pair and handlers, loops,
    /// try/finally, exports.
    const LONG: &str = r#"import { DurableObject } from "cloudflare:workers";
import type { Helper } from "./helper";
// dols-ignore-next-line unknown-binding
const early = env.MISSING.getByName("a");
interface Env { COUNTER: DurableObjectNamespace<Counter>; }
export class Counter extends DurableObject<Env> {
  sessions = new Map();
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.items = [];
  }
  async fetch(request: Request) {
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    this.ctx.storage.sql.exec("SELECT 1");
    setTimeout(() => {}, 10);
    return new Response(null, { status: 101, webSocket: client });
  }
  async alarm() { await this.ctx.storage.setAlarm(Date.now() + 1000); }
  async go() { const stub = this.env.COUNTER.getByName("q"); await stub.fetch("x"); }
  async again() { stub.again(); }
}
const stub = env.COUNTER.getByName("b");
await stub.fetch("https://x");
stub.increment();
const pair = new WebSocketPair();
export class Later extends DurableObject {
  timer = setTimeout(() => {}, 5);
  pending = stub.fetch("y");
  m() { stub.again(); }
}
export async function handler(request: Request, env: Env) {
  const s = env.COUNTER.getByName("c");
  for (const x of [1, 2]) { await s.fetch(request); }
  try { await s.increment(); } finally { s.close(); }
}
export { handler as other };
export default { fetch(request, env) { return env.COUNTER.getByName("a").fetch(request); } };
"#;

    /// Random edits to `src/index.ts` through the incremental path; after
    /// each, the open document's summary and the diagnostics must match a
    /// fresh analysis of the same text. Some changes undo the one before
    /// (syntax errors come and go), some carry several edits at once.
    /// Returns how many top-level nodes, and class members inside the
    /// others, reused their facts, summed over the steps.
    fn random_edits(start: &str, seed: u64, steps: usize, gentle: bool) -> (usize, usize) {
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path());
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("wrangler.toml"), CONFIG).unwrap();
        std::fs::write(root.join("src/index.ts"), start).unwrap();
        let main = root.join("src/index.ts");

        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        let mut text = start.to_string();
        host.set_overlay(main.clone(), text.clone());
        host.analyze();

        let snippets = [
            "",
            "x",
            "export ",
            "class A extends DurableObject {}",
            "class B extends DurableObject {\n  async go() { this.ctx.storage.sql.exec(\"x\"); }\n",
            "\n",
            "{",
            "}",
            "}\n",
            "env.",
            "(",
            "\"",
            "`",
            "/*",
            "*/",
            "é",
            "await ",
            "stub",
            "\nconst stub = env.COUNTER.getByName(\"z\");\n",
            "\nstub.again();\n",
            "\n// dols-ignore-next-line unknown-binding\n",
            "\ninterface Env { OTHER: DurableObjectNamespace }\n",
            "\nimport { y } from \"./y\";\n",
            "\nexport * from \"./z\";\n",
            "new WebSocketPair()",
        ];
        let mut rng = Lcg(seed);
        let (mut reused, mut reused_members) = (0, 0);
        // The inverse of the last change, to undo it.
        let mut undo: Option<(usize, usize, String)> = None;
        for step in 0..steps {
            let mut edits = Vec::new();
            let count = if rng.next(5) == 0 { 3 } else { 1 };
            // Now and then the whole text goes back to the start (still an
            // edit of the kept tree), so edits also land in a valid file.
            if step % 15 == 14 {
                let edit = ByteEdit::new(&text, 0, text.len(), start);
                text = start.to_string();
                edits.push(edit);
                undo = None;
            }
            for _ in 0..count {
                let (start, end, inserted) = match undo.take() {
                    Some(inverse) if rng.next(2) == 0 => inverse,
                    _ if gentle => gentle_edit(&text, &mut rng),
                    _ => {
                        let mut start = rng.next(text.len() + 1);
                        while !text.is_char_boundary(start) {
                            start -= 1;
                        }
                        // Sometimes a whole line goes.
                        let span = if rng.next(8) == 0 { 80 } else { 12 };
                        let mut end = (start + rng.next(span)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        (start, end, snippets[rng.next(snippets.len())].to_string())
                    }
                };
                undo = Some((start, start + inserted.len(), text[start..end].to_string()));
                edits.push(ByteEdit::new(&text, start, end, &inserted));
                text.replace_range(start..end, &inserted);
            }
            host.edit_overlay(main.clone(), text.clone(), &edits);
            let incremental = host.analyze();
            if let Some(tree) = host.open_trees.get(&main) {
                let (nodes, _, members) = tree.reuse();
                reused += nodes;
                reused_members += members;
            }

            let mut fresh_host = AnalysisHost::new(vec![root.clone()], Settings::default());
            fresh_host.set_overlay(main.clone(), text.clone());
            let fresh = fresh_host.analyze();

            let id = incremental.workspace.files.lookup(&main).unwrap();
            assert_eq!(
                incremental.workspace.summary(id),
                Some(&crate::index::summarize(&text, SourceLanguage::TypeScript)),
                "summary differs after step {step} (seed {seed}): {text:?}"
            );
            assert_eq!(
                comparable(&incremental, &main),
                comparable(&fresh, &main),
                "diagnostics differ after step {step} (seed {seed}): {text:?}"
            );
        }
        (reused, reused_members)
    }

    /// An edit that mostly keeps the file valid, as typing inside a
    /// statement does: a letter changed, or a whole statement added or
    /// removed at a line start.
    fn gentle_edit(text: &str, rng: &mut Lcg) -> (usize, usize, String) {
        let statements = [
            "const stub = env.COUNTER.getByName(\"z\");\n",
            "stub.again();\n",
            "await stub.fetch(\"y\");\n",
            "// dols-ignore-next-line unknown-binding\n",
            "export class D extends DurableObject { async go() { await this.ctx.storage.put(\"a\", 1); } }\n",
            "new WebSocketPair();\n",
            "interface Env { OTHER: DurableObjectNamespace }\n",
            "export { Counter as Renamed };\n",
        ];
        let at = rng.next(text.len() + 1);
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        match rng.next(4) {
            0 => (
                line_start,
                line_start,
                statements[rng.next(statements.len())].to_string(),
            ),
            1 => (line_start, line_end, String::new()),
            // A letter of a name: keeps the syntax, changes what is bound,
            // called or declared (`stub` in one statement and not the next).
            _ => {
                let words = [
                    "stub",
                    "COUNTER",
                    "MISSING",
                    "fetch",
                    "increment",
                    "sessions",
                    "Counter",
                    "handler",
                    "request",
                    "alarm",
                    "sql",
                    "await",
                ];
                let word = words[rng.next(words.len())];
                let found: Vec<usize> = text.match_indices(word).map(|(i, _)| i).collect();
                if found.is_empty() {
                    return (at, at, String::new());
                }
                let at = found[rng.next(found.len())] + rng.next(word.len());
                (at, at + 1, ["q", "s", "x", "e"][rng.next(4)].to_string())
            }
        }
    }

    /// A keystroke's build rewrites only the changed entries of the
    /// previous build's per-file tables (shared in chunks): with two open
    /// buffers far apart in a workspace of several chunks, edits that add
    /// and drop imports, classes and syntax errors leave every file's
    /// text, summary and resolved imports, and every finding, as a fresh
    /// build has them.
    #[test]
    fn edits_rewrite_only_their_entries_and_match_a_fresh_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path());
        std::fs::create_dir_all(root.join("src/lib")).unwrap();
        std::fs::write(root.join("wrangler.toml"), CONFIG).unwrap();
        std::fs::write(root.join("src/index.ts"), MAIN).unwrap();
        // Enough files for several chunks of the shared tables.
        for i in 0..700 {
            std::fs::write(
                root.join(format!("src/lib/f{i:03}.ts")),
                format!("export const value{i} = {i};\n"),
            )
            .unwrap();
        }
        let first = root.join("src/lib/f002.ts");
        let last = root.join("src/lib/f650.ts");
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        let mut texts = [
            std::fs::read_to_string(&first).unwrap(),
            std::fs::read_to_string(&last).unwrap(),
        ];
        host.set_overlay(first.clone(), texts[0].clone());
        host.set_overlay(last.clone(), texts[1].clone());
        let mut before = host.analyze();
        let snippets = [
            "import { value7 } from \"./f007\";\n",
            "import { value600 } from \"./f600\";\n",
            "export { value9 } from \"./f009\";\n",
            "import { x } from \"./missing\";\n",
            "export class Counter2 extends DurableObject {}\n",
            "const broken = (;\n",
            "",
        ];
        let mut rng = Lcg(11);
        for step in 0..40 {
            let which = rng.next(2);
            let path = [&first, &last][which];
            let text = &mut texts[which];
            let snippet = snippets[rng.next(snippets.len())];
            let (end, inserted) = if rng.next(3) == 0 && !text.is_empty() {
                // Drop the first line.
                (text.find('\n').map_or(text.len(), |i| i + 1), "")
            } else {
                (0, snippet)
            };
            let edit = ByteEdit::new(text, 0, end, inserted);
            text.replace_range(0..end, inserted);
            host.edit_overlay(path.clone(), text.clone(), &[edit]);
            let incremental = host.analyze();

            let mut fresh_host = AnalysisHost::new(vec![root.clone()], Settings::default());
            fresh_host.set_overlay(first.clone(), texts[0].clone());
            fresh_host.set_overlay(last.clone(), texts[1].clone());
            let fresh = fresh_host.analyze();
            let (ws, fresh_ws) = (&incremental.workspace, &fresh.workspace);
            assert_eq!(ws.files.len(), fresh_ws.files.len());
            for (id, file) in ws.files.iter() {
                let i = id.0 as usize;
                assert_eq!(file.path, fresh_ws.files.get(id).path, "step {step}");
                assert_eq!(
                    file.text,
                    fresh_ws.files.get(id).text,
                    "step {step}: {:?}",
                    file.path
                );
                assert_eq!(
                    ws.summary(id),
                    fresh_ws.summary(id),
                    "step {step}: {:?}",
                    file.path
                );
                assert_eq!(
                    ws.edges.get(i).cloned().flatten().map(|e| (*e).clone()),
                    fresh_ws
                        .edges
                        .get(i)
                        .cloned()
                        .flatten()
                        .map(|e| (*e).clone()),
                    "step {step}: imports of {:?}",
                    file.path
                );
            }
            assert_eq!(
                comparable(&incremental, &first),
                comparable(&fresh, &first),
                "step {step}"
            );
            // Only the chunk of the edited file was copied.
            let untouched = if which == 0 { &last } else { &first };
            let id = ws.files.lookup(untouched).unwrap();
            assert!(std::ptr::eq(
                ws.files.get(id),
                before.workspace.files.get(id)
            ));
            before = incremental;
        }
    }

    /// Incremental state equals from-scratch state: after every random
    /// edit, the open document's summary and the diagnostics match a fresh
    /// analysis of the same text.
    #[test]
    fn incremental_edits_match_a_fresh_analysis() {
        random_edits(MAIN, 7, 120, false);
        // `DOLS_PROPTEST_SEEDS=200` for a longer run.
        let seeds = std::env::var("DOLS_PROPTEST_SEEDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(3u64);
        for seed in 1..=seeds {
            random_edits(LONG, seed, 150, false);
            // Edits that keep the file mostly valid: the other top-level
            // nodes are spliced in, which this must exercise.
            let (reused, members) = random_edits(LONG, seed, 150, true);
            assert!(reused >= 150 * 3, "seed {seed}: only {reused} reused");
            // Edits inside the class reuse its other members.
            assert!(
                members >= 30,
                "seed {seed}: only {members} class members reused"
            );
        }
    }

    /// Typing through syntax errors inside a handler (random snippets at
    /// random places inside function bodies, one character at a time):
    /// at every step, the findings that depend only on other statements
    /// and files (the config's, the other module's) are the ones of the
    /// untouched project, and the last step equals a fresh analysis.
    #[test]
    fn findings_of_untouched_statements_stay_while_typing() {
        const CONFIG: &str = r#"name = "app"
main = "src/index.ts"
[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_classes = ["Counter", "Room"]
"#;
        // `Room` is bound but not exported from `main` (a finding on the
        // config that depends on `main`'s exports), and both classes are
        // created on the KV backend.
        const ROOM: &str = "import { DurableObject } from \"cloudflare:workers\";\n\
            export class Room extends DurableObject {}\n";
        const MAIN: &str = "import { DurableObject } from \"cloudflare:workers\";\n\
            export class Counter extends DurableObject {\n  \
            async fetch(request: Request) {\n    \
            this.ctx.storage.sql.exec(\"SELECT 1\");\n    \
            return new Response(\"ok\");\n  }\n}\n\
            export default {\n  async fetch(request, env) {\n    \
            const url = new URL(request.url);\n    \
            return env.COUNTER.getByName(url.pathname).fetch(request);\n  },\n};\n";
        let snippets = [
            "env.",
            "const s = env.ROOM.getByName(\"x\");",
            "await s.",
            "if (url) {",
            "}",
            "(",
            "\"",
            "`${",
            "this.ctx.",
            "new WebSocketPair(",
        ];
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path());
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("wrangler.toml"), CONFIG).unwrap();
        std::fs::write(root.join("src/room.ts"), ROOM).unwrap();
        std::fs::write(root.join("src/index.ts"), MAIN).unwrap();
        let main = root.join("src/index.ts");
        let outside = |a: &Arc<Analysis>| -> Vec<(&'static str, String)> {
            let ws = &a.workspace;
            let mut found: Vec<_> = a
                .diagnostics()
                .iter()
                .filter(|d| ws.files.path(d.file) != main.as_path())
                .map(|d| (d.code, d.message.clone()))
                .collect();
            found.sort();
            found
        };
        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        host.set_overlay(main.clone(), MAIN.to_string());
        let expected = outside(&host.analyze());
        assert!(
            expected
                .iter()
                .any(|(code, _)| *code == "class-not-exported")
                && expected
                    .iter()
                    .any(|(code, _)| *code == "legacy-kv-backend"),
            "{expected:?}"
        );
        // Offsets inside the handler bodies: after each `{` that opens a
        // method body.
        let bodies: Vec<usize> = MAIN.match_indices(") {\n").map(|(at, _)| at + 4).collect();
        for seed in 1..=3u64 {
            let mut rng = Lcg(seed);
            let mut text = MAIN.to_string();
            host.set_overlay(main.clone(), text.clone());
            host.analyze();
            let mut at = bodies[rng.next(bodies.len())];
            for step in 0..60 {
                let snippet = snippets[rng.next(snippets.len())];
                for ch in snippet.chars() {
                    let mut buf = [0u8; 4];
                    let inserted: &str = ch.encode_utf8(&mut buf);
                    let edit = ByteEdit::new(&text, at, at, inserted);
                    text.insert_str(at, inserted);
                    at += inserted.len();
                    host.edit_overlay(main.clone(), text.clone(), &[edit]);
                    let analysis = host.analyze();
                    assert_eq!(
                        outside(&analysis),
                        expected,
                        "step {step} (seed {seed}), after typing into: {text:?}"
                    );
                }
                if step % 10 == 9 {
                    // Back to the clean text now and then, elsewhere.
                    let edit = ByteEdit::new(&text, 0, text.len(), MAIN);
                    text = MAIN.to_string();
                    host.edit_overlay(main.clone(), text.clone(), &[edit]);
                    at = bodies[rng.next(bodies.len())];
                }
            }
            let mut fresh = AnalysisHost::new(vec![root.clone()], Settings::default());
            fresh.set_overlay(main.clone(), text.clone());
            assert_eq!(
                comparable(&host.analyze(), &main),
                comparable(&fresh.analyze(), &main),
                "seed {seed}"
            );
        }
    }
}
