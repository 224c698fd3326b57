//! Safety net for refactors of the extractor: every source file under
//! `tests/fixtures` and `docs/demo` is summarised and a hash of the full
//! `{:#?}` of its summary is compared with `equivalence.snapshot`, captured
//! from a known-good build. Any change in any output (values, ranges,
//! order) shows up as a changed line.
//!
//! Regenerate (only after checking that a change in output is intended):
//! `DOLS_UPDATE_SUMMARY_SNAPSHOT=1 cargo test -p dols --lib equivalence`.
//! `DOLS_SUMMARY_ROOTS=dir1:dir2 DOLS_SUMMARY_SNAPSHOT=file cargo test -p dols
//! --lib equivalence -- --ignored` does the same for any other corpus.
use std::path::{Path, PathBuf};

use super::summarize;
use crate::index::language::SourceLanguage;

const SNAPSHOT: &str = "src/index/extract/equivalence.snapshot";

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "node_modules") {
                continue;
            }
            sources(&path, out);
        } else if SourceLanguage::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

/// FNV-1a: stable across Rust versions, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One line per file: relative path, input length, summary hash.
fn snapshot(roots: &[PathBuf], base: &Path) -> String {
    let mut files = Vec::new();
    for root in roots {
        sources(root, &mut files);
    }
    files.sort();
    let mut out = String::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Some(language) = SourceLanguage::from_path(&path) else {
            continue;
        };
        // The index's own facts (the last field, the semantic model, has
        // its own tests).
        let summary = format!("{:#?}", summarize(&text, language));
        let summary = match summary.find("\n    semantic: ") {
            Some(at) => format!("{}\n}}", &summary[..at]),
            None => summary,
        };
        let name = path.strip_prefix(base).unwrap_or(&path).display();
        out.push_str(&format!(
            "{name}\t{}\t{:016x}\n",
            text.len(),
            fnv1a(summary.as_bytes())
        ));
    }
    out
}

fn check(roots: &[PathBuf], base: &Path, snapshot_file: &Path) {
    let actual = snapshot(roots, base);
    if std::env::var_os("DOLS_UPDATE_SUMMARY_SNAPSHOT").is_some() {
        std::fs::write(snapshot_file, &actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(snapshot_file).expect("read snapshot");
    let changed: Vec<_> = expected
        .lines()
        .zip(actual.lines())
        .filter(|(e, a)| e != a)
        .collect();
    assert!(
        changed.is_empty() && expected.lines().count() == actual.lines().count(),
        "summaries differ from {}: {} changed of {} (expected vs actual):\n{:#?}",
        snapshot_file.display(),
        changed.len(),
        expected.lines().count(),
        changed
    );
}

#[test]
fn summaries_match_snapshot() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = manifest.parent().expect("workspace root");
    let roots = [repo.join("tests/fixtures"), repo.join("docs/demo")];
    let files = snapshot(&roots, repo).lines().count();
    assert!(files > 100, "only {files} source files found");
    check(&roots, repo, &manifest.join(SNAPSHOT));
}

#[test]
#[ignore = "ad hoc corpus via DOLS_SUMMARY_ROOTS / DOLS_SUMMARY_SNAPSHOT"]
fn summaries_match_snapshot_for_given_roots() {
    let (Some(roots), Some(file)) = (
        std::env::var_os("DOLS_SUMMARY_ROOTS"),
        std::env::var_os("DOLS_SUMMARY_SNAPSHOT"),
    ) else {
        return;
    };
    let roots: Vec<PathBuf> = std::env::split_paths(&roots).collect();
    check(&roots, Path::new("/"), Path::new(&file));
}
