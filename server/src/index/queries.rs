//! Tree-sitter queries that locate the structures the index extracts.
//!
//! The patterns live in `grammar-queries/*.scm`. At run time they are joined
//! into one [`Query`] per grammar, so a file is walked once by a single
//! `QueryCursor`; each capture name maps to a [`Cap`] that the extractor
//! dispatches on. Captures starting with `_` only feed predicates.
//!
//! Patterns that would match a very common node kind and filter it by
//! predicate (every `identifier` named `env`, every `property_identifier`
//! named `sql`) do not belong here: the query cursor then keeps a match
//! state per such node. Those are read in the call-site walk
//! (`extract/calls.rs`), which visits every node anyway.
use std::sync::OnceLock;

use tree_sitter::{Language, Query};

pub const IMPORTS_EXPORTS: &str = include_str!("../../../grammar-queries/imports-exports.scm");
pub const CLASSES: &str = include_str!("../../../grammar-queries/classes.scm");
pub const ENV_TYPES: &str = include_str!("../../../grammar-queries/env-types.scm");

/// Every query file with its name, for tests and tooling.
pub const ALL: [(&str, &str); 3] = [
    ("imports-exports.scm", IMPORTS_EXPORTS),
    ("classes.scm", CLASSES),
    ("env-types.scm", ENV_TYPES),
];

/// The two grammars tree-sitter-typescript ships. JavaScript is parsed with
/// the TypeScript grammar (falling back to TSX for JSX).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grammar {
    TypeScript,
    Tsx,
}

impl Grammar {
    pub fn language(self) -> Language {
        match self {
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

/// What a capture means to the extractor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    Import,
    Export,
    DynamicSpecifier,
    Class,
    RecoveredKeyword,
    RecoveredName,
    EnvTypeMember,
    /// Predicate-only captures (`@_name`).
    Ignored,
}

impl Cap {
    fn from_name(name: &str) -> Cap {
        match name {
            "import" => Cap::Import,
            "export" => Cap::Export,
            "dynamic.specifier" => Cap::DynamicSpecifier,
            "class" => Cap::Class,
            "recovered.keyword" => Cap::RecoveredKeyword,
            "recovered.name" => Cap::RecoveredName,
            "env_type.member" => Cap::EnvTypeMember,
            _ => {
                // A new capture in a .scm file must be wired up here.
                debug_assert!(name.starts_with('_'), "unhandled capture @{name}");
                Cap::Ignored
            }
        }
    }
}

/// The combined query for one grammar with its capture table.
pub struct IndexQuery {
    pub query: Query,
    /// `caps[capture_index]`.
    pub caps: Vec<Cap>,
}

impl IndexQuery {
    fn compile(grammar: Grammar) -> IndexQuery {
        let source = ALL.map(|(_, text)| text).join("\n");
        // The sources are constants covered by tests; failing here is a bug.
        let query = Query::new(&grammar.language(), &source).expect("index queries compile");
        let caps = query
            .capture_names()
            .iter()
            .map(|name| Cap::from_name(name))
            .collect();
        IndexQuery { query, caps }
    }

    pub fn cap(&self, index: u32) -> Cap {
        self.caps
            .get(index as usize)
            .copied()
            .unwrap_or(Cap::Ignored)
    }
}

/// The compiled query for `grammar`; compiled on first use (tens of ms).
pub fn index_query(grammar: Grammar) -> &'static IndexQuery {
    static TS: OnceLock<IndexQuery> = OnceLock::new();
    static TSX: OnceLock<IndexQuery> = OnceLock::new();
    match grammar {
        Grammar::TypeScript => TS.get_or_init(|| IndexQuery::compile(Grammar::TypeScript)),
        Grammar::Tsx => TSX.get_or_init(|| IndexQuery::compile(Grammar::Tsx)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_query_file_compiles_for_both_grammars() {
        for grammar in [Grammar::TypeScript, Grammar::Tsx] {
            for (name, source) in ALL {
                if let Err(err) = Query::new(&grammar.language(), source) {
                    panic!("{name} does not compile for {grammar:?}: {err}");
                }
            }
        }
    }

    #[test]
    fn every_capture_is_wired_up() {
        for grammar in [Grammar::TypeScript, Grammar::Tsx] {
            let compiled = index_query(grammar);
            for (name, cap) in compiled.query.capture_names().iter().zip(&compiled.caps) {
                assert!(
                    *cap != Cap::Ignored || name.starts_with('_'),
                    "capture @{name} has no handler"
                );
            }
        }
    }
}
