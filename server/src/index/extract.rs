//! Turns one source file into a [`FileSummary`]: parse once, walk the tree
//! once (`extract/calls.rs`), run the combined index query only at the nodes
//! the walk found as possible pattern roots, then read details off the
//! matched nodes.
//!
//! Code being typed is full of ERROR nodes; every step tolerates missing
//! fields and odd shapes rather than assuming a well-formed tree.
pub(crate) mod calls;
mod classes;
mod env;
#[cfg(test)]
mod equivalence;
mod incremental;
mod modules;
mod shift;
#[cfg(test)]
mod tests;

use crate::index::syntax::{NodeExt, NodeField};
use std::cell::RefCell;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Parser, QueryCursor, Tree};

use super::language::SourceLanguage;
use super::queries::{index_query, Cap, Grammar, IndexQuery};
use super::{FileSummary, Import, ImportKind};
use crate::text::{Spanned, TextRange};

/// Files larger than this are not worth indexing (generated bundles); callers
/// skip them. [`summarize`] stays safe on them regardless.
pub const MAX_INDEXED_BYTES: usize = 2 * 1024 * 1024;

/// Summarise one TS/JS file. Never panics; a file that cannot be parsed at
/// all yields an empty summary.
pub fn summarize(text: &str, language: SourceLanguage) -> FileSummary {
    summarize_with(text, language, true)
}

/// [`summarize`], with the semantic model only when `semantic` is true
/// (otherwise it stays empty: the model builds it later for the files a
/// Worker turns out to reach).
pub fn summarize_with(text: &str, language: SourceLanguage, semantic: bool) -> FileSummary {
    match parse(text, language) {
        Some(parsed) => FileSummary {
            syntax_error_count: parsed.errors,
            semantic: if semantic {
                std::sync::Arc::new(crate::semantic::build(&parsed.tree, text))
            } else {
                std::sync::Arc::default()
            },
            ..collect(&parsed.tree, text, parsed.grammar)
        },
        None => FileSummary::default(),
    }
}

pub use incremental::{summarize_reparse, IncrementalTree};

/// Compile the queries and create this thread's parsers ahead of time, so a
/// benchmark or the first request does not pay for it.
pub fn warm_up() {
    for grammar in [Grammar::TypeScript, Grammar::Tsx] {
        index_query(grammar);
        with_parser(grammar, |_| ());
    }
}

thread_local! {
    // Parsing needs `&mut Parser`; one per grammar per thread (rayon workers,
    // LSP blocking tasks) reuses its allocations without any locking.
    static PARSERS: RefCell<[Option<Parser>; 2]> = const { RefCell::new([None, None]) };
}

/// Runs `f` with this thread's parser for `grammar`: making a parser and
/// loading its grammar costs more than parsing a small file.
pub(crate) fn with_parser<R>(grammar: Grammar, f: impl FnOnce(&mut Parser) -> R) -> Option<R> {
    PARSERS.with(|cell| {
        let mut parsers = cell.try_borrow_mut().ok()?;
        let slot = &mut parsers[grammar as usize];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&grammar.language()).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut().map(f)
    })
}

struct Parsed {
    tree: Tree,
    errors: u32,
    grammar: Grammar,
}

fn parse_with(grammar: Grammar, text: &str) -> Option<Parsed> {
    parse_with_old(grammar, text, None)
}

fn parse_with_old(grammar: Grammar, text: &str, old: Option<&Tree>) -> Option<Parsed> {
    let tree = with_parser(grammar, |parser| {
        let tree = parser.parse(text, old);
        if tree.is_none() {
            // A failed parse leaves the parser mid-document.
            parser.reset();
        }
        tree
    })??;
    let errors = count_syntax_errors(&tree);
    Some(Parsed {
        tree,
        errors,
        grammar,
    })
}

fn parse(text: &str, language: SourceLanguage) -> Option<Parsed> {
    match language {
        SourceLanguage::TypeScript => parse_with(Grammar::TypeScript, text),
        SourceLanguage::Tsx => parse_with(Grammar::Tsx, text),
        SourceLanguage::JavaScript => {
            // The TS grammar reads plain JS but not JSX; a `.js` React file
            // comes out broken, so give TSX a chance and keep the better tree.
            match parse_with(Grammar::TypeScript, text) {
                Some(ts) if ts.errors > 0 => match parse_with(Grammar::Tsx, text) {
                    Some(tsx) if tsx.errors < ts.errors => Some(tsx),
                    _ => Some(ts),
                },
                Some(ts) => Some(ts),
                None => parse_with(Grammar::Tsx, text),
            }
        }
    }
}

/// ERROR and MISSING nodes, visiting only subtrees that contain errors.
fn count_syntax_errors(tree: &Tree) -> u32 {
    let root = tree.root_node();
    if !root.has_error() {
        return 0;
    }
    let mut count = 0u32;
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            count = count.saturating_add(1);
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return count;
            }
        }
    }
}

/// Nodes found by the index query, grouped by what they are.
#[derive(Default)]
struct Found<'t> {
    imports: Vec<Node<'t>>,
    exports: Vec<Node<'t>>,
    dynamic_specifiers: Vec<Node<'t>>,
    classes: Vec<Node<'t>>,
    /// ERROR nodes holding a loose `class Name` (see `classes.scm`).
    recovered_errors: Vec<Node<'t>>,
    env_type_members: Vec<Node<'t>>,
}

/// Runs the index query at each of `roots` (document order), matching only
/// patterns rooted at that very node: the same matches as one run over the
/// whole tree, without the query cursor visiting every node.
fn find<'t>(
    roots: &[Node<'t>],
    text: &str,
    grammar: Grammar,
    cursor: &mut QueryCursor,
) -> Found<'t> {
    let compiled = index_query(grammar);
    let mut found = Found::default();
    cursor.set_max_start_depth(Some(0));
    for root in roots {
        find_at(cursor, compiled, *root, text, &mut found);
    }
    found
}

fn find_at<'t>(
    cursor: &mut QueryCursor,
    compiled: &IndexQuery,
    root: Node<'t>,
    text: &str,
    found: &mut Found<'t>,
) {
    let mut matches = cursor.matches(&compiled.query, root, text.as_bytes());
    while let Some(m) = matches.next() {
        for capture in m.captures() {
            let node = capture.node;
            match compiled.cap(capture.index) {
                Cap::Import => found.imports.push(node),
                Cap::Export => found.exports.push(node),
                Cap::DynamicSpecifier => found.dynamic_specifiers.push(node),
                Cap::Class => found.classes.push(node),
                Cap::RecoveredKeyword => found.recovered_errors.extend(node.parent()),
                Cap::EnvTypeMember => found.env_type_members.push(node),
                Cap::RecoveredName | Cap::Ignored => {}
            }
        }
    }
}

fn collect(tree: &Tree, text: &str, grammar: Grammar) -> FileSummary {
    // One walk for call sites, comments, env objects, storage members and
    // the nodes where the index query can match; then the query at those.
    let walked = calls::collect(tree, text);
    finish(walked, text, grammar, &mut QueryCursor::new(), None)
}

/// Everything after the walk: the index query at the roots it found, then
/// the facts read off the matched and walked nodes. Works the same on the
/// walk of a whole tree, of one top-level node and of one class member
/// (then `in_class` names the class around it: `Some(name)`).
fn finish(
    mut walked: calls::Collected,
    text: &str,
    grammar: Grammar,
    cursor: &mut QueryCursor,
    in_class: Option<Option<crate::names::Name>>,
) -> FileSummary {
    let found = find(&walked.query_roots, text, grammar, cursor);
    let classes = classes::extract(&found, text);
    let scopes = match in_class {
        Some(outer) => classes::ClassScopes::in_class(&classes, outer),
        None => classes::ClassScopes::new(&classes),
    };
    walked.set_classes(&scopes);

    let mut imports = Vec::new();
    for node in &found.imports {
        modules::import_statement(*node, text, &mut imports);
    }
    imports.extend(
        found
            .dynamic_specifiers
            .iter()
            .filter_map(|node| string_value(*node, text))
            .map(|specifier| Import {
                specifier,
                kind: ImportKind::Dynamic,
                type_only: false,
            }),
    );
    imports.sort_by_key(|import| import.specifier.range.start);

    let mut exports = Vec::new();
    for node in &found.exports {
        modules::export_statement(*node, text, &mut exports);
    }

    let calls::Collected {
        calls,
        websocket_pairs,
        suppressions,
        env_objects,
        storage_members,
        storage_patterns,
        ..
    } = walked;

    let mut env_accesses = Vec::new();
    env::accesses(&env_objects, text, &scopes, &mut env_accesses);
    env_accesses.sort_by_key(|access| access.name.range.start);

    let env_type_members: Vec<Spanned<String>> = found
        .env_type_members
        .iter()
        .filter_map(|node| property_name(*node, text))
        .collect();
    let env_member_types = found
        .env_type_members
        .iter()
        .filter_map(|node| {
            let name = property_name(*node, text)?.value;
            // `name: Type` — the annotation node includes the colon.
            let annotation = node.parent()?.field(NodeField::Type)?;
            let ty = annotation.named_child(0).unwrap_or(annotation);
            Some((
                name,
                Spanned::new(node_text(ty, text).to_owned(), node_range(ty)),
            ))
        })
        .collect();

    let mut storage_uses = Vec::new();
    env::storage_uses(
        &storage_members,
        &storage_patterns,
        text,
        &scopes,
        &mut storage_uses,
    );
    storage_uses.sort_by_key(|storage| storage.member.range.start);

    FileSummary {
        classes,
        imports,
        exports,
        env_accesses,
        env_type_members,
        env_member_types,
        storage_uses,
        syntax_error_count: 0,
        calls,
        websocket_pairs,
        suppressions,
        semantic: Default::default(),
    }
}

// ---------------------------------------------------------------------------
// Small syntax helpers shared by the extractors.

pub(crate) fn node_range(node: Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

/// Source text of `node`; empty if the range is somehow not on char
/// boundaries (never trust offsets inside ERROR recovery blindly).
fn node_text<'s>(node: Node, text: &'s str) -> &'s str {
    text.get(node.byte_range()).unwrap_or("")
}

fn spanned_text(node: Node, text: &str) -> Spanned<String> {
    Spanned::new(node_text(node, text).to_owned(), node_range(node))
}

/// The contents of a string literal without its quotes, spanned on the
/// contents (so `text[range] == value`). Escapes are kept as written.
fn string_value(node: Node, text: &str) -> Option<Spanned<String>> {
    if node.kind_str() != "string" {
        return None;
    }
    let (start, end) = (node.start_byte(), node.end_byte());
    if end < start + 2 {
        return None;
    }
    let value = text.get(start + 1..end - 1)?;
    Some(Spanned::new(
        value.to_owned(),
        TextRange::new(start + 1, end - 1),
    ))
}

/// A property or specifier name: identifiers as written, string names
/// unquoted. Computed names (`[Symbol.x]`) keep their source text.
fn property_name(node: Node, text: &str) -> Option<Spanned<String>> {
    if node.kind_str() == "string" {
        return string_value(node, text);
    }
    let name = spanned_text(node, text);
    (!name.value.is_empty()).then_some(name)
}

/// Whether `node` has an anonymous child token `kind` (`async`, `static`,
/// `default`, `type`, ...). Named children with the same text do not count.
pub(crate) fn has_token(node: Node, kind: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|child| !child.is_named() && child.kind_str() == kind);
    found
}

/// Expression wrappers that do not change which value is meant:
/// `(x)`, `x!`, `x as T`, `x satisfies T`.
fn is_transparent(node: Node) -> bool {
    matches!(
        node.kind_str(),
        "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
    )
}

/// Strip transparent wrappers going down: `(Base as any)` → `Base`.
fn unwrap_expression(mut node: Node) -> Node {
    // Bounded: wrappers nest only as deep as the source does.
    while is_transparent(node) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// Climb transparent wrappers going up; returns the outermost wrapper (the
/// node standing for `node` in its parent) and that parent.
fn climb_wrappers(node: Node) -> (Node, Option<Node>) {
    let mut current = node;
    let mut parent = node.parent();
    while let Some(p) = parent {
        if !is_transparent(p) {
            break;
        }
        current = p;
        parent = p.parent();
    }
    (current, parent)
}

/// Whether `child` is the `field` child of `parent`.
fn is_field(parent: Node, field: &str, child: Node) -> bool {
    parent.child_by_field_name(field) == Some(child)
}
