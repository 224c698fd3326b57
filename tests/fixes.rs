//! Fix tests. A fixture case (`tests/fixtures/<rule>/<case>/`) that holds
//! `<file>.fixed` files is a fix case: every fix of `<rule>` is applied in
//! memory (unsafe ones too), and each changed or created file must equal its
//! `.fixed` twin, byte for byte. Then:
//! - the rule no longer reports anything in the fixed project (unless the
//!   case name contains `partial`);
//! - fixing the fixed project again changes nothing;
//! - every file without a `.fixed` twin is untouched.
//!
//! `DOLS_BLESS=1 cargo test --test fixes` writes the `.fixed` files of
//! cases that already have at least one; review the diff.

use std::path::{Path, PathBuf};

use dols::fix::{fix_all, FixFilter, FixOutcome};

/// Fixes name new migrations after today's date when a file uses dates as
/// tags; pin "today" (2026-11-26) so snapshots don't change daily.
fn pin_today() {
    static PIN: std::sync::Once = std::sync::Once::new();
    PIN.call_once(|| std::env::set_var("SOURCE_DATE_EPOCH", "1795651200"));
}

fn fixtures_root() -> PathBuf {
    pin_today();
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// `(rule id, case folder)` of every fix case.
fn fix_cases() -> Vec<(String, PathBuf)> {
    let mut cases = Vec::new();
    for group in std::fs::read_dir(fixtures_root()).unwrap().flatten() {
        let rule = group.file_name().to_string_lossy().to_string();
        for case in std::fs::read_dir(group.path()).unwrap().flatten() {
            let mut files = Vec::new();
            files_under(&case.path(), &mut files);
            if files
                .iter()
                .any(|f| f.extension().is_some_and(|e| e == "fixed"))
            {
                cases.push((rule.clone(), case.path()));
            }
        }
    }
    cases.sort();
    cases
}

fn run_fixes(root: &Path, rule: &str) -> FixOutcome {
    let (inputs, _) = dols::discovery::load(&[root.to_path_buf()], &[]);
    let filter = FixFilter {
        include_unsafe: true,
        rule: Some(rule),
    };
    fix_all(inputs, &Default::default(), filter, &|path| path.exists())
}

fn fixed_twin(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".fixed");
    PathBuf::from(name)
}

#[test]
fn fixes_match_their_fixed_files_and_settle() {
    let bless = std::env::var_os("DOLS_BLESS").is_some();
    let cases = fix_cases();
    assert!(!cases.is_empty(), "no fix cases under tests/fixtures");
    let mut failures = Vec::new();
    for (rule, case) in &cases {
        let root = dols::model::resolve::normalize(&std::path::absolute(case).unwrap());
        let name = case
            .strip_prefix(fixtures_root())
            .unwrap()
            .display()
            .to_string();
        let outcome = run_fixes(&root, rule);
        if outcome.files.is_empty() {
            failures.push(format!("{name}: no `{rule}` fix applied"));
            continue;
        }
        let mut expected_twins: Vec<PathBuf> = Vec::new();
        files_under(&root, &mut expected_twins);
        expected_twins.retain(|f| f.extension().is_some_and(|e| e == "fixed"));
        for file in &outcome.files {
            let twin = fixed_twin(&file.path);
            expected_twins.retain(|t| *t != twin);
            let expected = std::fs::read_to_string(&twin).unwrap_or_default();
            if expected == *file.after {
                continue;
            }
            if bless {
                std::fs::write(&twin, &*file.after).unwrap();
            } else {
                failures.push(format!(
                    "{name}: {} after the fix differs from {}\n--- expected\n{expected}\n--- actual\n{}",
                    file.path.display(),
                    twin.display(),
                    file.after
                ));
            }
        }
        for twin in expected_twins {
            failures.push(format!(
                "{name}: {} exists but the fixes left its file unchanged",
                twin.display()
            ));
        }
        let still_reported: Vec<_> = outcome
            .remaining
            .iter()
            .filter(|d| d.code == rule)
            .map(|d| d.message.clone())
            .collect();
        if !name.contains("partial") && !still_reported.is_empty() {
            failures.push(format!(
                "{name}: `{rule}` still reported after the fix: {still_reported:?}"
            ));
        }
        // A second run over the fixed texts must find nothing more to do.
        let mut inputs = dols::discovery::load(std::slice::from_ref(&root), &[]).0;
        for file in &outcome.files {
            match inputs.iter_mut().find(|i| i.path == file.path) {
                Some(input) => input.text = file.after.clone(),
                None => inputs.push(dols::model::InputFile {
                    role: dols::discovery::FileRole::of(&file.path).unwrap(),
                    path: file.path.clone(),
                    text: file.after.clone(),
                }),
            }
        }
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        let filter = FixFilter {
            include_unsafe: true,
            rule: Some(rule),
        };
        let again = fix_all(inputs, &Default::default(), filter, &|_| false);
        if !again.files.is_empty() {
            failures.push(format!(
                "{name}: fixing twice changed {:?}",
                again.files.iter().map(|f| &f.path).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fix case problem(s) (DOLS_BLESS=1 rewrites existing .fixed files):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
