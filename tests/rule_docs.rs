//! `docs/rules/<id>.md` are generated from the rule files; this test fails
//! when they drift. Regenerate with `DOLS_BLESS=1 cargo test --test rule_docs`.

use std::path::Path;

#[test]
fn rule_pages_match_rule_sources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
    let bless = std::env::var_os("DOLS_BLESS").is_some();
    let mut stale = Vec::new();
    for rule in dols::rules::ALL {
        let path = dir.join(format!("{}.md", rule.id));
        let expected = dols::rules::render_doc_page(rule);
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &expected).unwrap();
            } else {
                stale.push(rule.id);
            }
        }
    }
    // No page may outlive its rule.
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(id) = name.strip_suffix(".md") {
            if id != "README" && dols::rules::by_id(id).is_none() {
                stale.push(Box::leak(name.into_boxed_str()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs (DOLS_BLESS=1 to regenerate): {stale:?}"
    );
}

#[test]
fn every_rule_doc_has_the_four_sections() {
    for rule in dols::rules::ALL {
        for section in [
            "## What it finds",
            "## Why it matters",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                rule.docs.contains(section),
                "rule `{}` lacks `{section}`",
                rule.id
            );
        }
        assert!(
            rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "id `{}` is not kebab-case",
            rule.id
        );
    }
}

/// The README's rule table is generated from the rules.
#[test]
fn readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (start, end) = ("<!-- rules:start -->\n", "<!-- rules:end -->");
    let from = readme
        .find(start)
        .expect("README has the rules:start marker")
        + start.len();
    let to = readme.find(end).expect("README has the rules:end marker");
    let table = dols::rules::render_rules_table();
    if readme[from..to] != table {
        if std::env::var_os("DOLS_BLESS").is_some() {
            let updated = format!("{}{}{}", &readme[..from], table, &readme[to..]);
            std::fs::write(&path, updated).unwrap();
        } else {
            panic!("README rule table is stale (DOLS_BLESS=1 cargo test --test rule_docs)");
        }
    }
}
