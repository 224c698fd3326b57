//! Properties of the semantic model over every fixture.
//!
//! Renaming: consistently renaming every function-local variable and
//! parameter (declaration and every resolved read) must leave the findings
//! of the rules that ask the semantic model unchanged: value flow may not
//! depend on names. The renamed projects are written to a temporary folder
//! and checked like any project.

use std::path::{Path, PathBuf};

use dols::index::language::SourceLanguage;
use dols::index::queries::Grammar;
use dols::semantic::DeclKind;

/// Rules whose findings come from the semantic model's values.
const SEMANTIC_RULES: &[&str] = &[
    "rpc-unknown-method",
    "rpc-on-legacy-class",
    "stub-fetch-without-handler",
    "relative-stub-fetch-url",
    "non-hibernatable-websocket",
    "unique-id-not-persisted",
    "storage-await-in-loop",
    "random-object-name",
    "api-limit",
    "alarm-without-handler",
    "alarm-retry-unsafe",
    "timer-blocks-hibernation",
    "websocket-handler-unused",
];

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn cases() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for group in std::fs::read_dir(fixtures_root()).unwrap().flatten() {
        for case in std::fs::read_dir(group.path()).unwrap().flatten() {
            if case.path().is_dir() {
                out.push(case.path());
            }
        }
    }
    out.sort();
    out
}

/// `(rule, file, line)` of each semantic finding of the project at `root`.
fn findings(root: &Path) -> Vec<(String, String, usize)> {
    let root = dols::model::resolve::normalize(&std::path::absolute(root).unwrap());
    let report = dols::cli::check::check_paths(std::slice::from_ref(&root), &root);
    let mut out: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| SEMANTIC_RULES.contains(&d.code))
        .map(|d| {
            let text = report.workspace.files.text(d.file);
            let line = text[..d.range.start as usize].matches('\n').count() + 1;
            let path = report.workspace.display_path(d.file, &root);
            (d.code.to_string(), path, line)
        })
        .collect();
    out.sort();
    out
}

/// `text` with every function-local variable and parameter renamed
/// (`name` → `name_r`). Shorthand properties and patterns keep their key
/// (`{ room }` → `{ room: room_r }`).
fn rename_locals(text: &str, language: SourceLanguage) -> String {
    let summary = dols::index::summarize(text, language);
    let sem = &summary.semantic;
    let grammar = match language {
        SourceLanguage::Tsx => Grammar::Tsx,
        _ => Grammar::TypeScript,
    };
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar.language()).unwrap();
    let tree = parser.parse(text, None).unwrap();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (index, decl) in sem.decls.iter().enumerate() {
        let local = matches!(
            decl.kind,
            DeclKind::Const
                | DeclKind::Let
                | DeclKind::Var
                | DeclKind::Param { .. }
                | DeclKind::Catch
        );
        if !local || decl.scope == 0 {
            continue;
        }
        let renamed = format!("{}_r", decl.name);
        let ranges =
            std::iter::once(decl.range).chain(sem.uses_of(index as u32).iter().map(|u| u.range));
        for range in ranges {
            let (start, end) = (range.start as usize, range.end as usize);
            let node = tree
                .root_node()
                .descendant_for_byte_range(start, end)
                .unwrap();
            let replacement = match node.kind() {
                "shorthand_property_identifier" | "shorthand_property_identifier_pattern" => {
                    format!("{}: {renamed}", decl.name)
                }
                _ => renamed.clone(),
            };
            edits.push((start, end, replacement));
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    edits.dedup_by_key(|e| e.0);
    let mut out = text.to_string();
    for (start, end, replacement) in edits {
        out.replace_range(start..end, &replacement);
    }
    out
}

fn copy_renamed(from: &Path, to: &Path, renamed_files: &mut usize) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_renamed(&path, &target, renamed_files);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text = match SourceLanguage::from_path(&path) {
            Some(language) => {
                let renamed = rename_locals(&text, language);
                if renamed != text {
                    *renamed_files += 1;
                }
                renamed
            }
            None => text,
        };
        std::fs::write(target, text).unwrap();
    }
}

#[test]
fn renaming_locals_keeps_semantic_findings() {
    let temp = tempfile::tempdir().unwrap();
    let mut renamed_files = 0;
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in cases() {
        let name = case
            .strip_prefix(fixtures_root())
            .unwrap()
            .to_string_lossy()
            .replace('/', "__");
        let copy = temp.path().join(name);
        copy_renamed(&case, &copy, &mut renamed_files);
        let before = findings(&case);
        let after = findings(&copy);
        compared += before.len();
        if before != after {
            failures.push(format!(
                "{}:\n  before {before:?}\n  after  {after:?}",
                case.display()
            ));
        }
    }
    assert!(renamed_files > 50, "only {renamed_files} files renamed");
    assert!(compared > 20, "only {compared} findings compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
