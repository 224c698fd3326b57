//! `dols check`: discovery → model → rules → printed report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::output::{self, Report};
use super::{CheckArgs, Format};
use crate::diagnostic::Severity;
use crate::fix::write::{write_all_or_nothing, write_report, PlannedWrite};
use crate::fix::{fix_all, FixFilter};
use crate::model::{InputFile, Workspace};
use crate::rules;
use crate::settings::Settings;

pub fn run(args: &CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    for path in &paths {
        if !path.exists() {
            eprintln!("dols: {}: no such file or folder", path.display());
            return ExitCode::from(2);
        }
    }
    let roots: Vec<PathBuf> = paths.iter().map(|p| absolute(p)).collect();
    for root in &roots {
        if let Some(what) = crate::discovery::too_broad_root(root) {
            eprintln!(
                "dols: {} is {what}; check a project folder (or a Worker's folder) instead",
                root.display()
            );
            return ExitCode::from(2);
        }
    }
    let display_root = if let Some(folder) = &args.relative_to {
        absolute(folder)
    } else if roots.len() == 1 && roots[0].is_dir() {
        roots[0].clone()
    } else {
        absolute(Path::new("."))
    };

    let settings = match crate::settings::find_settings_file(&roots[0]) {
        None => Settings::default(),
        Some(path) => {
            let parsed = crate::settings::read_settings_file(&path);
            match parsed {
                Ok(settings) => settings,
                Err(err) => {
                    eprintln!("dols: {}: {err}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
    };
    if args.fix || args.diff {
        return fix(args, &roots, &display_root, &settings);
    }
    let report = check_paths_with(&roots, &display_root, &settings);
    print_report(args, &report)
}

/// `--fix` / `--diff`: the fix-all loop over the files as read, then either
/// a diff on stdout or atomic writes followed by the usual report.
fn fix(args: &CheckArgs, roots: &[PathBuf], display_root: &Path, settings: &Settings) -> ExitCode {
    let (inputs, skipped, _) = load_reaching(roots, settings);
    let filter = FixFilter {
        include_unsafe: args.unsafe_fixes,
        rule: None,
    };
    let outcome = fix_all(inputs, &settings.rules, filter, &|path| path.exists());
    let label = |path: &Path| {
        path.strip_prefix(display_root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    if args.diff {
        let mut text = String::new();
        for file in &outcome.files {
            let before = file.before.as_deref().unwrap_or("");
            text.push_str(&crate::fix::unified(
                &label(&file.path),
                before,
                &file.after,
            ));
        }
        let mut stdout = std::io::stdout().lock();
        if stdout.write_all(text.as_bytes()).is_err() {
            return ExitCode::from(2);
        }
        return ExitCode::from(u8::from(!outcome.files.is_empty()));
    }
    let writes: Vec<PlannedWrite> = outcome
        .files
        .iter()
        .map(|file| PlannedWrite {
            path: &file.path,
            before: file.before.as_deref(),
            after: &file.after,
        })
        .collect();
    if let Err(err) = write_all_or_nothing(&writes) {
        eprintln!("dols: no fix was written: {err}");
        return ExitCode::from(2);
    }
    if !outcome.applied.is_empty() {
        eprintln!(
            "dols: applied {} fix{} in {} file{}",
            outcome.applied.len(),
            if outcome.applied.len() == 1 { "" } else { "es" },
            outcome.files.len(),
            if outcome.files.len() == 1 { "" } else { "s" },
        );
    }
    let report = Report {
        workspace: outcome.workspace,
        diagnostics: outcome.remaining,
        skipped,
        root: display_root.to_path_buf(),
    };
    print_report(args, &report)
}

fn print_report(args: &CheckArgs, report: &Report) -> ExitCode {
    // What no finding reports (a folder the walk could not enter) is said
    // on every run; the rest is in the report already.
    for skipped in &report.skipped {
        if !skipped.reported {
            eprintln!(
                "dols: warning: files under {} may be missing from this check: {}",
                skipped.path.display(),
                skipped.reason
            );
        } else if args.verbose {
            eprintln!(
                "dols: skipped {}: {}",
                skipped.path.display(),
                skipped.reason
            );
        }
    }
    let text = match args.format {
        Format::Human => output::human(report, args.output.is_none() && color_wanted()),
        Format::Json => output::json(report),
        Format::Sarif => super::sarif::sarif(report),
        Format::Github => super::github::github(report),
    };
    if let Some(path) = &args.output {
        if let Err(err) = write_report(&absolute(path), &text) {
            eprintln!("dols: cannot write {}: {err}", path.display());
            return ExitCode::from(2);
        }
    } else {
        let mut stdout = std::io::stdout().lock();
        if stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
            .is_err()
        {
            return ExitCode::from(2);
        }
    }
    let counts = report.counts();
    if counts.errors > 0 || (args.deny_warnings && counts.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The whole check with default settings, without printing: what tests
/// and benchmarks call.
/// Rounds of following imports out of the checked folders (each round
/// reads the files the previous one found imported).
const MAX_IMPORT_ROUNDS: usize = 64;

/// Discovers and reads `roots` and builds the workspace, then reads the
/// sources that its Workers import from outside `roots` (a Worker checked
/// alone in a monorepo, importing a shared package by a relative path or
/// by its package name), round by round, so a Worker is checked with
/// everything it reaches and nothing else of the monorepo is read. A
/// package imported by name is found through the monorepo's declared
/// workspaces (or a `node_modules` link): its package.json is read in one
/// round, the files it leads to in the next.
fn load_reaching(
    roots: &[PathBuf],
    settings: &Settings,
) -> (
    Vec<InputFile>,
    Vec<crate::discovery::SkippedFile>,
    Workspace,
) {
    let (mut inputs, mut skipped) =
        crate::discovery::load_with(roots, &settings.exclude, settings.limits);
    let mut workspace = Workspace::build(inputs.clone());
    // Looked for once, when a package outside the workspace is imported.
    let mut monorepo: Option<crate::discovery::MonorepoPackages> = None;
    for _ in 0..MAX_IMPORT_ROUNDS {
        let mut outside = workspace.imports_outside(&|path| path.is_file());
        let unknown = workspace.packages_imported_unknown();
        if !unknown.is_empty() {
            let packages =
                monorepo.get_or_insert_with(|| crate::discovery::MonorepoPackages::around(roots));
            outside.extend(
                packages
                    .manifests_of(&unknown)
                    .into_iter()
                    .filter(|manifest| {
                        let manifest = crate::model::resolve::normalize(manifest);
                        workspace.files.lookup(&manifest).is_none()
                    }),
            );
        }
        if outside.is_empty() {
            break;
        }
        let (more, more_skipped) = crate::discovery::read_more(outside, &inputs, settings.limits);
        skipped.extend(more_skipped);
        if more.is_empty() {
            break;
        }
        inputs.extend(more);
        workspace = Workspace::build_reusing(inputs.clone(), Some(&workspace));
    }
    (inputs, skipped, workspace)
}

pub fn check_paths(roots: &[PathBuf], display_root: &Path) -> Report {
    check_paths_with(roots, display_root, &Settings::default())
}

pub fn check_paths_with(roots: &[PathBuf], display_root: &Path, settings: &Settings) -> Report {
    // DOLS_TIMING=1 prints how long each stage took, for benchmarks.
    let timing = std::env::var_os("DOLS_TIMING").is_some();
    let started = std::time::Instant::now();
    let (_, skipped, workspace) = load_reaching(roots, settings);
    let built = started.elapsed();
    let diagnostics = rules::run(&workspace, &settings.rules);
    if timing {
        eprintln!(
            "dols timing: discovery+read+model {:?}, rules {:?}",
            built,
            started.elapsed() - built
        );
    }
    Report {
        workspace,
        diagnostics,
        skipped,
        root: display_root.to_path_buf(),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path)
        .map(|p| crate::model::resolve::normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn color_wanted() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

impl Report {
    pub fn counts(&self) -> output::Counts {
        let mut counts = output::Counts::default();
        for d in &self.diagnostics {
            match d.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
                Severity::Hint => counts.hints += 1,
            }
        }
        counts
    }
}
