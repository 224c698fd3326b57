//! Fixture tests: every folder under `tests/fixtures/<rule>/<case>/` is a
//! small Durable Object project. `dols check` runs on it and its JSON and
//! human reports must match `expected.json` and `expected.txt` beside it.
//!
//! After an intended change, regenerate with `DOLS_BLESS=1 cargo test
//! --test fixtures` and review the diff.

use std::path::{Path, PathBuf};

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

/// Every case folder: a folder holding `expected.json` or a wrangler config
/// at its top, two levels below the fixtures root.
fn cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for group in read_dirs(&fixtures_root()) {
        for case in read_dirs(&group) {
            cases.push(case);
        }
    }
    cases.sort();
    cases
}

fn read_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn check_case(case: &Path) -> (String, String) {
    let root = dols::model::resolve::normalize(&std::path::absolute(case).unwrap());
    let report = dols::cli::check::check_paths(std::slice::from_ref(&root), &root);
    let json = dols::cli::output::json(&report);
    let pretty: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut json = serde_json::to_string_pretty(&pretty).unwrap();
    json.push('\n');
    (json, dols::cli::output::human(&report, false))
}

#[test]
fn fixtures_match_expected_reports() {
    let bless = std::env::var_os("DOLS_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(
        cases.len() > 10,
        "fixtures not found under {}",
        fixtures_root().display()
    );
    for case in &cases {
        let (json, human) = check_case(case);
        for (name, actual) in [("expected.json", &json), ("expected.txt", &human)] {
            let path = case.join(name);
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected.replace("\r\n", "\n") == *actual {
                continue;
            }
            if bless {
                std::fs::write(&path, actual).unwrap();
            } else {
                failures.push(format!(
                    "--- {} differs\n--- expected\n{expected}\n--- actual\n{actual}",
                    path.strip_prefix(fixtures_root())
                        .unwrap_or(&path)
                        .display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} report(s) differ (DOLS_BLESS=1 to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Each rule has fixtures named after it with a case that reports it and a
/// case that stays silent about it.
#[test]
fn every_rule_has_a_hit_and_a_clean_case() {
    let skip = ["internal-error"]; // needs a dols bug to trigger
    for rule in dols::rules::ALL.iter().filter(|r| !skip.contains(&r.id)) {
        let group = fixtures_root().join(rule.id);
        assert!(
            group.is_dir(),
            "no fixtures for rule `{}` (expected {})",
            rule.id,
            group.display()
        );
        let mut hit = false;
        let mut clean = false;
        for case in read_dirs(&group) {
            let (json, _) = check_case(&case);
            let value: serde_json::Value = serde_json::from_str(&json).unwrap();
            let reports_rule = value["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == rule.id);
            let name = case.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("hit") {
                assert!(
                    reports_rule,
                    "{}/{name} should report `{}`",
                    rule.id, rule.id
                );
                hit = true;
            } else {
                assert!(
                    !reports_rule,
                    "{}/{name} must not report `{}`:\n{json}",
                    rule.id, rule.id
                );
                clean |= name.starts_with("clean");
            }
        }
        assert!(
            hit && clean,
            "rule `{}` needs a `hit*` and a `clean*` case",
            rule.id
        );
    }
}
