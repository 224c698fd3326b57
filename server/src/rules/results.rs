//! Rule results kept from one analysis to the next, so that an edit re-runs
//! the rules only for what it can affect.
//!
//! Every finding has an origin: the check of one Worker (a rule's loop over
//! Workers, run once per Worker) or the check of one file (a rule's loop
//! over sources, configs or unread files, whose findings land in the file
//! it looks at). Findings are kept by origin. After an edit that changes
//! only the bodies of source files (same files, Workers, configs, imports
//! and env types), the Workers that reach or own a changed file, and the
//! Workers bound to them through `script_name`, are checked again, and so
//! are every file of those Workers and every file that imports a changed
//! file; everything else keeps its findings. Anything else (a config edit,
//! an import edit, new settings, a rule that panicked) runs everything.
//!
//! The property that makes this safe is tested by the `edits` fuzz target:
//! after any sequence of edits, the findings equal those of a fresh run.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::scope::{FileSet, Scope, WorkerSet};
use super::{run_one, suppression, Check, RuleCtx, RuleSettings, ALL};
use crate::diagnostic::Diagnostic;
use crate::discovery::FileRole;
use crate::files::FileId;
use crate::model::Workspace;

/// Findings of one snapshot, by origin and by file.
pub struct RuleResults {
    settings: RuleSettings,
    /// Derived from the Workers and imports, kept while they are.
    links: Arc<Links>,
    /// The findings of each Worker's own checks, by Worker index.
    by_worker: Vec<Arc<[Diagnostic]>>,
    /// The findings of each file's own checks (files with findings only).
    by_file: HashMap<FileId, Arc<[Diagnostic]>>,
    /// The Workers whose findings land in each file.
    workers_in_file: HashMap<FileId, Vec<usize>>,
    /// What each file shows: its findings of both origins, suppressions
    /// applied, unused suppressions added, sorted (files with findings
    /// only).
    shown: HashMap<FileId, Arc<[Diagnostic]>>,
    /// What the last run re-checked.
    pub stats: RunStats,
}

/// What one run checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Everything was checked (no earlier results, or an edit they could
    /// not follow).
    pub full: bool,
    pub workers: usize,
    pub files: usize,
}

/// Which Workers and files an edit of a file can reach, beyond the file's
/// own Workers.
#[derive(Default)]
struct Links {
    /// Workers whose `sources` (the files of their folder) hold each file.
    owners: HashMap<FileId, Vec<usize>>,
    /// Workers bound to each Worker through `script_name`, both ways.
    bound: Vec<Vec<usize>>,
    /// The files that import each file.
    importers: HashMap<FileId, Vec<FileId>>,
}

/// Asked between rules and between Workers: when it turns true, nobody
/// will read the run's results (a newer edit came in), so the run stops
/// and gives none.
pub struct Cancel<'a> {
    asked: &'a (dyn Fn() -> bool + Sync),
    seen: AtomicBool,
}

impl<'a> Cancel<'a> {
    pub fn new(asked: &'a (dyn Fn() -> bool + Sync)) -> Self {
        Cancel {
            asked,
            seen: AtomicBool::new(false),
        }
    }

    /// A run nobody can cancel.
    pub fn never() -> Cancel<'static> {
        Cancel {
            asked: &|| false,
            seen: AtomicBool::new(false),
        }
    }

    /// Whether to stop now; once it said yes, it keeps saying yes.
    fn stop(&self) -> bool {
        if self.seen.load(Ordering::Relaxed) {
            return true;
        }
        let stop = (self.asked)();
        if stop {
            self.seen.store(true, Ordering::Relaxed);
        }
        stop
    }

    /// Whether any part of the run stopped early (its results are partial).
    fn stopped(&self) -> bool {
        self.seen.load(Ordering::Relaxed)
    }
}

impl RuleResults {
    /// Checks everything.
    pub fn full(ws: &Workspace, settings: &RuleSettings) -> RuleResults {
        Self::full_until(ws, settings, &Cancel::never()).expect("a run nobody cancels ends")
    }

    /// [`Self::full`], or `None` when `cancel` stopped it.
    pub fn full_until(
        ws: &Workspace,
        settings: &RuleSettings,
        cancel: &Cancel,
    ) -> Option<RuleResults> {
        let links = Arc::new(Links::of(ws));
        let all_workers: Vec<usize> = (0..ws.workers.len()).collect();
        let by_worker = check_workers(ws, settings, &all_workers, cancel);
        let (file_findings, _) = check_files(ws, settings, FileSet::All, cancel);
        if cancel.stopped() {
            return None;
        }
        let mut results = RuleResults {
            settings: settings.clone(),
            links,
            by_worker: by_worker.into_iter().map(|(_, found, _)| found).collect(),
            by_file: group_by_file(file_findings),
            workers_in_file: HashMap::new(),
            shown: HashMap::new(),
            stats: RunStats {
                full: true,
                workers: ws.workers.len(),
                files: ws.files.len(),
            },
        };
        for (index, found) in results.by_worker.iter().enumerate() {
            for file in files_of(found) {
                results.workers_in_file.entry(file).or_default().push(index);
            }
        }
        // Files with findings, and files with suppression comments (one
        // that silences nothing is a finding too).
        let showing: Vec<FileId> = ws
            .files
            .iter()
            .map(|(id, _)| id)
            .filter(|id| {
                results.by_file.contains_key(id)
                    || results.workers_in_file.contains_key(id)
                    || suppression::may_have_comments(ws, *id)
            })
            .collect();
        results.refresh_shown(ws, &showing);
        Some(results)
    }

    /// The results for `ws`, re-checking only what changed since `self`
    /// was computed for `earlier` (or everything, when that cannot be
    /// told); `None` when `cancel` stopped the run.
    pub fn update(
        &self,
        earlier: &Workspace,
        ws: &Workspace,
        settings: &RuleSettings,
        cancel: &Cancel,
    ) -> Option<RuleResults> {
        match self.affected(earlier, ws, settings) {
            Some((workers, files)) => match self.recheck(ws, settings, &workers, files, cancel) {
                Recheck::Done(results) => Some(*results),
                Recheck::Cancelled => None,
                Recheck::NeedsEverything => Self::full_until(ws, settings, cancel),
            },
            None => Self::full_until(ws, settings, cancel),
        }
    }

    /// The Workers and files an edit can affect, or `None` when the edit is
    /// of a kind that needs everything checked.
    fn affected(
        &self,
        earlier: &Workspace,
        ws: &Workspace,
        settings: &RuleSettings,
    ) -> Option<(Vec<usize>, Vec<FileId>)> {
        if *settings != self.settings
            || !Arc::ptr_eq(earlier.files.path_table(), ws.files.path_table())
            || !Arc::ptr_eq(earlier.reaching_table(), ws.reaching_table())
        {
            return None;
        }
        let mut changed = Vec::new();
        // Unchanged files are the same `SourceFile`s: comparing addresses
        // reads no text (and touches no memory of the file).
        for ((id, source), (_, old)) in ws.files.iter().zip(earlier.files.iter()) {
            if std::ptr::eq(source, old) || old.text == source.text {
                continue;
            }
            // Only source bodies: a config, an unread file or a file that
            // lost or gained its summary changes what Workers see.
            if !matches!(ws.role(id), Some(FileRole::Source(_))) {
                return None;
            }
            let (Some(old), Some(new)) = (earlier.summary(id), ws.summary(id)) else {
                return None;
            };
            // `unknown-binding` reads the env types of every file.
            if old.env_type_members != new.env_type_members {
                return None;
            }
            changed.push(id);
        }
        let mut workers: HashSet<usize> = HashSet::new();
        for &file in &changed {
            workers.extend(ws.reaching_indexes(file).iter().map(|&w| w as usize));
            workers.extend(self.links.owners.get(&file).into_iter().flatten().copied());
        }
        let bound: Vec<usize> = workers
            .iter()
            .flat_map(|&w| self.links.bound.get(w).into_iter().flatten().copied())
            .collect();
        workers.extend(bound);
        let mut files: HashSet<FileId> = changed.iter().copied().collect();
        // Files whose values the evaluator follows into a changed file.
        let mut stack = changed.clone();
        while let Some(file) = stack.pop() {
            for &importer in self.links.importers.get(&file).into_iter().flatten() {
                if files.insert(importer) {
                    stack.push(importer);
                }
            }
        }
        for &w in &workers {
            let worker = &ws.workers[w];
            files.insert(worker.config);
            files.extend(worker.sources.iter().copied());
            files.extend(worker.reachable.iter().copied());
        }
        // Past half the workspace, checking everything costs about the same.
        if files.len() * 2 > ws.files.len().max(1) {
            return None;
        }
        let mut workers: Vec<usize> = workers.into_iter().collect();
        workers.sort_unstable();
        let mut files: Vec<FileId> = files.into_iter().collect();
        files.sort_unstable();
        Some((workers, files))
    }

    /// Re-checks `workers` and `files` and keeps the rest; everything must
    /// be checked when a rule panicked or a finding landed outside the
    /// files it may touch.
    fn recheck(
        &self,
        ws: &Workspace,
        settings: &RuleSettings,
        workers: &[usize],
        files: Vec<FileId>,
        cancel: &Cancel,
    ) -> Recheck {
        let worker_runs = check_workers(ws, settings, workers, cancel);
        let (file_findings, panicked) =
            check_files(ws, settings, FileSet::List(files.clone()), cancel);
        if cancel.stopped() {
            return Recheck::Cancelled;
        }
        if panicked
            || worker_runs.iter().any(|(_, _, panicked)| *panicked)
            || file_findings
                .iter()
                .any(|d| files.binary_search(&d.file).is_err())
        {
            return Recheck::NeedsEverything;
        }
        let mut by_worker = self.by_worker.clone();
        let mut workers_in_file = self.workers_in_file.clone();
        // Files whose shown findings must be made again.
        let mut dirty: HashSet<FileId> = files.iter().copied().collect();
        for (index, found, _) in worker_runs {
            for file in files_of(&by_worker[index]) {
                dirty.insert(file);
                if let Some(list) = workers_in_file.get_mut(&file) {
                    list.retain(|&w| w != index);
                    if list.is_empty() {
                        workers_in_file.remove(&file);
                    }
                }
            }
            for file in files_of(&found) {
                dirty.insert(file);
                workers_in_file.entry(file).or_default().push(index);
            }
            by_worker[index] = found;
        }
        let mut by_file = self.by_file.clone();
        for file in &files {
            by_file.remove(file);
        }
        by_file.extend(group_by_file(file_findings));
        let mut results = RuleResults {
            settings: settings.clone(),
            links: self.links.clone(),
            by_worker,
            by_file,
            workers_in_file,
            shown: self.shown.clone(),
            stats: RunStats {
                full: false,
                workers: workers.len(),
                files: files.len(),
            },
        };
        let mut dirty: Vec<FileId> = dirty.into_iter().collect();
        dirty.sort_unstable();
        results.refresh_shown(ws, &dirty);
        Recheck::Done(Box::new(results))
    }

    /// Makes the shown findings of `files` again from both origins.
    fn refresh_shown(&mut self, ws: &Workspace, files: &[FileId]) {
        let shown: Vec<(FileId, Vec<Diagnostic>)> = files
            .par_iter()
            .map(|&file| (file, self.shown_in(ws, file)))
            .collect();
        for (file, found) in shown {
            if found.is_empty() {
                self.shown.remove(&file);
            } else {
                self.shown.insert(file, found.into());
            }
        }
    }

    fn shown_in(&self, ws: &Workspace, file: FileId) -> Vec<Diagnostic> {
        let mut raw: Vec<Diagnostic> = self
            .by_file
            .get(&file)
            .map(|found| found.to_vec())
            .unwrap_or_default();
        for &worker in self.workers_in_file.get(&file).into_iter().flatten() {
            raw.extend(
                self.by_worker[worker]
                    .iter()
                    .filter(|d| d.file == file)
                    .cloned(),
            );
        }
        let comments = suppression::collect_in(ws, file);
        let (mut kept, unused) = suppression::apply(ws, raw, &comments);
        for rule in ALL.iter().filter(|_| !unused.is_empty()) {
            if let Check::UnusedSuppressions(check) = rule.check {
                if matches!(self.settings.overrides.get(rule.id), Some(None)) {
                    continue;
                }
                let (found, _) = run_one(ws, &self.settings, rule, |reporter| {
                    check(&unused, reporter)
                });
                kept.extend(found);
            }
        }
        kept.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code, &a.message).cmp(&(
                b.range.start,
                b.range.end,
                b.code,
                &b.message,
            ))
        });
        kept.dedup_by(|a, b| a.range == b.range && a.code == b.code && a.message == b.message);
        kept
    }

    /// What each file shows (files with findings only).
    pub fn shown(&self) -> &HashMap<FileId, Arc<[Diagnostic]>> {
        &self.shown
    }

    /// Every finding, sorted by file path, then position, code and message.
    pub fn flatten(&self, ws: &Workspace) -> Vec<Diagnostic> {
        let mut files: Vec<FileId> = self.shown.keys().copied().collect();
        files.sort_by(|a, b| ws.files.path(*a).cmp(ws.files.path(*b)));
        files
            .into_iter()
            .flat_map(|file| self.shown[&file].iter().cloned())
            .collect()
    }
}

impl Links {
    fn of(ws: &Workspace) -> Links {
        let mut links = Links {
            bound: vec![Vec::new(); ws.workers.len()],
            ..Default::default()
        };
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, worker) in ws.workers.iter().enumerate() {
            if let Some(name) = worker.name() {
                by_name.entry(name).or_default().push(index);
            }
        }
        for (index, worker) in ws.workers.iter().enumerate() {
            for &file in &worker.sources {
                links.owners.entry(file).or_default().push(index);
            }
            // Every Worker a binding of this one may name (ties included).
            for env in &worker.envs {
                for binding in &env.do_bindings {
                    let Some(script) = &binding.script_name else {
                        continue;
                    };
                    for &other in by_name.get(script.value.as_str()).into_iter().flatten() {
                        if other != index {
                            links.bound[index].push(other);
                            links.bound[other].push(index);
                        }
                    }
                }
            }
        }
        for list in &mut links.bound {
            list.sort_unstable();
            list.dedup();
        }
        for (id, _) in ws.files.iter() {
            for target in ws.imported_files(id) {
                links.importers.entry(target).or_default().push(id);
            }
        }
        links
    }
}

/// What a partial re-check came to.
enum Recheck {
    Done(Box<RuleResults>),
    Cancelled,
    NeedsEverything,
}

/// Runs every Worker rule for each of `workers`, one Worker at a time, so
/// each finding is known to come from its Worker: (worker, findings,
/// whether a rule panicked).
fn check_workers(
    ws: &Workspace,
    settings: &RuleSettings,
    workers: &[usize],
    cancel: &Cancel,
) -> Vec<(usize, Arc<[Diagnostic]>, bool)> {
    workers
        .par_iter()
        .map(|&worker| {
            if cancel.stop() {
                return (worker, Arc::from([]), false);
            }
            let ctx = RuleCtx::new(
                ws,
                Scope {
                    workers: WorkerSet::List(vec![worker]),
                    files: FileSet::List(Vec::new()),
                },
            );
            let (found, panicked) = run_checks(&ctx, settings, false, cancel);
            (worker, found.into(), panicked)
        })
        .collect()
}

/// Runs every file rule over `files`: (findings, whether a rule panicked).
fn check_files(
    ws: &Workspace,
    settings: &RuleSettings,
    files: FileSet,
    cancel: &Cancel,
) -> (Vec<Diagnostic>, bool) {
    let ctx = RuleCtx::new(
        ws,
        Scope {
            workers: WorkerSet::List(Vec::new()),
            files,
        },
    );
    run_checks(&ctx, settings, true, cancel)
}

/// Runs every enabled workspace rule in `ctx` (on the thread pool when
/// `parallel`).
fn run_checks(
    ctx: &RuleCtx,
    settings: &RuleSettings,
    parallel: bool,
    cancel: &Cancel,
) -> (Vec<Diagnostic>, bool) {
    let rules: Vec<_> = ALL
        .iter()
        .filter(|rule| !matches!(settings.overrides.get(rule.id), Some(None)))
        .filter_map(|rule| match rule.check {
            Check::Workspace(check) => Some((*rule, check)),
            Check::UnusedSuppressions(_) => None,
        })
        .collect();
    let run = |&(rule, check): &(&'static super::Rule, fn(&RuleCtx, &mut super::Reporter))| {
        if cancel.stop() {
            return (Vec::new(), false);
        }
        run_one(ctx, settings, rule, |reporter| check(ctx, reporter))
    };
    let outcomes: Vec<(Vec<Diagnostic>, bool)> = if parallel {
        rules.par_iter().map(run).collect()
    } else {
        rules.iter().map(run).collect()
    };
    let panicked = outcomes.iter().any(|(_, panicked)| *panicked);
    (
        outcomes.into_iter().flat_map(|(found, _)| found).collect(),
        panicked,
    )
}

fn group_by_file(found: Vec<Diagnostic>) -> HashMap<FileId, Arc<[Diagnostic]>> {
    let mut groups: HashMap<FileId, Vec<Diagnostic>> = HashMap::new();
    for diagnostic in found {
        groups.entry(diagnostic.file).or_default().push(diagnostic);
    }
    groups
        .into_iter()
        .map(|(file, found)| (file, found.into()))
        .collect()
}

/// The files `found` lands in, without repeats.
fn files_of(found: &[Diagnostic]) -> Vec<FileId> {
    let mut files: Vec<FileId> = found.iter().map(|d| d.file).collect();
    files.sort_unstable();
    files.dedup();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Reporter;

    /// Every rule's outer loops go through its context: with nothing in
    /// scope, no rule reports anything, on every hit fixture (where each
    /// rule does report when everything is in scope). A rule that looped
    /// over `ws.workers` or `ws.summaries` itself would report here, and
    /// its findings would be kept under the wrong origin.
    #[test]
    fn rules_report_nothing_outside_their_scope() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut projects = 0;
        for family in std::fs::read_dir(&fixtures).unwrap().flatten() {
            for case in std::fs::read_dir(family.path()).unwrap().flatten() {
                let name = case.file_name().to_string_lossy().into_owned();
                if !name.starts_with("hit") {
                    continue;
                }
                projects += 1;
                let (inputs, _) = crate::discovery::load(&[case.path()], &[]);
                let ws = Workspace::build(inputs);
                let nothing = RuleCtx::new(
                    &ws,
                    Scope {
                        workers: WorkerSet::List(Vec::new()),
                        files: FileSet::List(Vec::new()),
                    },
                );
                let everything = RuleCtx::everything(&ws);
                let mut found_everywhere = 0;
                for rule in ALL {
                    let Check::Workspace(check) = rule.check else {
                        continue;
                    };
                    let mut outside = Vec::new();
                    check(
                        &nothing,
                        &mut Reporter {
                            rule,
                            diagnostics: &mut outside,
                        },
                    );
                    assert!(
                        outside.is_empty(),
                        "{}: `{}` reported outside its scope: {:?}",
                        case.path().display(),
                        rule.id,
                        outside
                    );
                    let mut inside = Vec::new();
                    check(
                        &everything,
                        &mut Reporter {
                            rule,
                            diagnostics: &mut inside,
                        },
                    );
                    found_everywhere += inside.len();
                }
                // (`unused-suppression` runs after the others, on what they left.)
                if family.file_name() != "unused-suppression" {
                    assert!(
                        found_everywhere > 0,
                        "{}: nothing found",
                        case.path().display()
                    );
                }
            }
        }
        assert!(projects >= 46, "only {projects} hit fixtures");
    }

    /// A full run keeps each Worker's findings under that Worker and each
    /// file's under that file, and shows the same findings as the rules
    /// run over everything at once.
    #[test]
    fn findings_by_origin_add_up_to_a_run_over_everything() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        for family in [
            "unknown-class",
            "rpc-unknown-method",
            "sql-on-kv-backend",
            "unused-suppression",
        ] {
            for case in std::fs::read_dir(fixtures.join(family)).unwrap().flatten() {
                let (inputs, _) = crate::discovery::load(&[case.path()], &[]);
                let ws = Workspace::build(inputs);
                let settings = RuleSettings::default();
                let by_origin = RuleResults::full(&ws, &settings);
                let everything = RuleCtx::everything(&ws);
                let (mut at_once, _) = run_checks(&everything, &settings, false, &Cancel::never());
                let comments: Vec<_> = ws
                    .files
                    .iter()
                    .flat_map(|(file, _)| suppression::collect_in(&ws, file))
                    .collect();
                (at_once, _) = suppression::apply(&ws, at_once, &comments);
                let mut shown = by_origin.flatten(&ws);
                shown.retain(|d| d.code != "unused-suppression");
                let key = |d: &Diagnostic| {
                    (
                        ws.files.path(d.file).to_path_buf(),
                        d.range.start,
                        d.code,
                        d.message.clone(),
                    )
                };
                let mut a: Vec<_> = at_once.iter().map(key).collect();
                let mut b: Vec<_> = shown.iter().map(key).collect();
                a.sort();
                a.dedup();
                b.sort();
                assert_eq!(a, b, "{}", case.path().display());
            }
        }
    }
}
