//! `dols check --fix`, `--unsafe-fixes` and `--diff` through the real
//! binary, on a copy of a fixture: what is written, what is printed, exit
//! codes, permissions kept, and nothing written by `--diff`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(case)
}

/// Copies a fixture's project files (not its expected outputs) to a temp dir.
fn copy_project(case: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("expected.") || name.ends_with(".fixed") {
                continue;
            }
            if path.is_dir() {
                copy(&path, &to.join(&name));
            } else {
                std::fs::copy(&path, to.join(&name)).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&fixture(case), dir.path());
    dir
}

fn dols(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_dols"))
        .arg("check")
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795651200")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn diff_prints_the_fix_and_writes_nothing() {
    let dir = copy_project("missing-migration/hit");
    let config = dir.path().join("wrangler.toml");
    let before = std::fs::read_to_string(&config).unwrap();
    // The migration fix is unsafe: without the flag there is nothing to do.
    let (code, stdout, _) = dols(dir.path(), &["--diff"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    let (code, stdout, _) = dols(dir.path(), &["--diff", "--unsafe-fixes"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "--- a/wrangler.toml\n+++ b/wrangler.toml\n@@ -6,2 +6,6 @@\n name = \"ROOM\"\n class_name = \"ChatRoom\"\n+\n+[[migrations]]\n+tag = \"v1\"\n+new_sqlite_classes = [\"ChatRoom\"]\n"
    );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
}

#[test]
fn fix_writes_safe_fixes_keeps_permissions_and_reports_what_remains() {
    let dir = copy_project("binding-not-in-env/hit");
    let config = dir.path().join("wrangler.toml");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, stdout, stderr) = dols(dir.path(), &["--fix"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("applied 1 fix in 1 file"), "{stderr}");
    assert!(!stdout.contains("binding-not-in-env"), "{stdout}");
    let expected = std::fs::read_to_string(fixture("binding-not-in-env/hit/wrangler.toml.fixed"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), expected.unwrap());
    let mode = std::fs::metadata(&config).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".dols-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A second run has nothing left to fix.
    let (code, _, stderr) = dols(dir.path(), &["--fix"]);
    assert_eq!(code, 0);
    assert!(!stderr.contains("applied"), "{stderr}");
}

#[test]
fn unsafe_fixes_need_the_flag_and_errors_that_remain_keep_exit_code_1() {
    let dir = copy_project("missing-migration/hit");
    let (code, stdout, _) = dols(dir.path(), &["--fix"]);
    assert_eq!(code, 1, "the unsafe fix must not be applied: {stdout}");
    assert!(stdout.contains("fixable with `dols check --fix --unsafe-fixes`"));
    let (code, stdout, stderr) = dols(dir.path(), &["--fix", "--unsafe-fixes"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("0 errors"), "{stdout}");
}
