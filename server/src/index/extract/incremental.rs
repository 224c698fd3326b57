//! Summaries of open documents, kept up to date edit by edit.
//!
//! An open document keeps its syntax tree, so an edit re-parses only the
//! changed region. Extraction is made incremental the same way: the facts
//! of each top-level node (statement, comment, ERROR) are kept, relative to
//! the node's start, and after a re-parse only the top-level nodes that
//! tree-sitter rebuilt are walked again; the others are spliced in,
//! shifted to where they now start.
//!
//! Why per top-level node is exact: every fact comes from the node's own
//! subtree (the walk's context at a top-level node is the same for all of
//! them; classes, their scopes, imports, exports and Env types never span
//! two top-level nodes), except what the walk carries from one statement to
//! the next: variables bound to a recorded call (`const stub = ...;` makes
//! a later `stub.m()` recorded) and top-level `await`s (`after_await` of
//! top-level calls), plus the function range of top-level calls (the whole
//! file). [`PieceDeps`] records what a node read and left; a node is reused
//! only when those still hold. A root that is not a `program` (a file that
//! failed to parse as a whole) is summarised from scratch.
use std::sync::Arc;

use tree_sitter::{Node, QueryCursor, Tree};

use super::calls::{PieceDeps, Pieces};
use super::shift::Shift;
use super::{collect, finish, node_range, parse_with, parse_with_old, Parsed};
use crate::index::language::SourceLanguage;
use crate::index::queries::Grammar;
use crate::index::FileSummary;
use crate::text::TextRange;

/// A syntax tree kept for an open document, so the next edit re-parses
/// only what changed, with the facts extracted from each of its top-level
/// nodes.
pub struct IncrementalTree {
    tree: Tree,
    /// Also says which grammar `tree` is in (TypeScript for JavaScript).
    language: SourceLanguage,
    /// The text `tree` was parsed from.
    text: Arc<str>,
    /// Facts per top-level node of `tree`, in order; empty when the summary
    /// did not come from this tree's top-level nodes.
    pieces: Vec<Piece>,
    /// How many of `pieces` the last re-parse reused.
    reused: usize,
}

impl IncrementalTree {
    /// Tells the tree about an edit already applied to the text.
    pub fn edit(&mut self, edit: &tree_sitter::InputEdit) {
        self.tree.edit(edit);
    }

    /// (top-level nodes whose facts the last summary reused, top-level
    /// nodes), for timing logs and tests.
    pub fn reuse(&self) -> (usize, usize) {
        (self.reused, self.pieces.len())
    }
}

/// The facts of one top-level node.
struct Piece {
    /// What the node looks like from inside: its kind and its visible
    /// children. Equal shapes and equal text mean equal facts.
    shape: Shape,
    /// Where the node was in `IncrementalTree::text`.
    range: TextRange,
    /// Offsets relative to `range.start`. Top-level calls and WebSocket
    /// pairs have an empty function range here: theirs is the whole file,
    /// set when the summary is assembled.
    facts: FileSummary,
    deps: PieceDeps,
    /// Taken from the previous tree rather than extracted.
    reused: bool,
}

/// A top-level node's kind, and per visible child its `Node::id`, field
/// and kind. A child's id is the address of its slot in the parent's
/// child array, which tree-sitter keeps when it reuses the parent in a
/// re-parse (`Node::id`: a reused node keeps its id) and which no live node
/// of another array can have: while the old tree is alive, equal child ids
/// mean the very same child subtrees. With the same kind and the same
/// fields and kinds on those children, nothing the extraction reads can
/// differ. A leaf has no children: its kind and text say everything.
#[derive(PartialEq, Eq)]
struct Shape {
    kind: u16,
    children: Vec<(usize, u16, u16)>,
}

impl Shape {
    /// `Shape::of(node) == *self`, without building it.
    fn matches(&self, node: Node) -> bool {
        if node.kind_id() != self.kind {
            return false;
        }
        let mut expected = self.children.iter();
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                let here = (
                    child.id(),
                    cursor.field_id().map_or(0, |f| f.get()),
                    child.kind_id(),
                );
                if expected.next() != Some(&here) {
                    return false;
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        expected.next().is_none()
    }

    fn of(node: Node) -> Shape {
        let mut children = Vec::new();
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                children.push((
                    child.id(),
                    cursor.field_id().map_or(0, |f| f.get()),
                    child.kind_id(),
                ));
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        Shape {
            kind: node.kind_id(),
            children,
        }
    }
}

/// Like [`super::summarize`], re-using `previous` (already told about the
/// edits with [`IncrementalTree::edit`]) and returning the new tree. The
/// summary equals `summarize(text, language)`.
pub fn summarize_reparse(
    text: &Arc<str>,
    language: SourceLanguage,
    previous: Option<IncrementalTree>,
) -> (FileSummary, Option<IncrementalTree>) {
    let (old_tree, old_text, old_pieces) = match previous.filter(|p| p.language == language) {
        Some(p) => (Some(p.tree), p.text, p.pieces),
        None => (None, Arc::from(""), Vec::new()),
    };
    // JavaScript is read with the TypeScript grammar unless TSX gives fewer
    // errors (see `parse`); the kept tree is always the TypeScript one.
    let grammar = match language {
        SourceLanguage::Tsx => Grammar::Tsx,
        SourceLanguage::TypeScript | SourceLanguage::JavaScript => Grammar::TypeScript,
    };
    let mut parsed = parse_with_old(grammar, text, old_tree.as_ref());
    // With syntax errors, error recovery in an incremental re-parse can
    // group the text differently from a parse from scratch (seen in the
    // host's random-edit test): only an error-free tree is taken as is.
    // The fresh tree shares no nodes with the old one, so nothing is
    // reused this time; the next edit re-parses from it incrementally.
    if old_tree.is_some() && parsed.as_ref().is_none_or(|p| p.errors > 0) {
        parsed = parse_with(grammar, text);
    }
    let Some(parsed) = parsed else {
        // No tree at all (a parser failure): whatever `summarize` makes of it.
        return (super::summarize(text, language), None);
    };
    if language == SourceLanguage::JavaScript && parsed.errors > 0 {
        if let Some(tsx) = parse_with(Grammar::Tsx, text).filter(|t| t.errors < parsed.errors) {
            let summary = FileSummary {
                syntax_error_count: tsx.errors,
                ..collect(&tsx.tree, text, tsx.grammar)
            };
            return (summary, Some(keep(parsed, language, text, Vec::new())));
        }
    }
    let summary;
    let pieces;
    if parsed.tree.root_node().kind() == "program" {
        pieces = split(&parsed.tree, text, parsed.grammar, &old_text, old_pieces);
        summary = assemble(&pieces, text.len(), parsed.errors);
    } else {
        pieces = Vec::new();
        summary = FileSummary {
            syntax_error_count: parsed.errors,
            ..collect(&parsed.tree, text, parsed.grammar)
        };
    }
    // Only now may the old tree go: piece ids are compared against it.
    drop(old_tree);
    (summary, Some(keep(parsed, language, text, pieces)))
}

fn keep(
    parsed: Parsed,
    language: SourceLanguage,
    text: &Arc<str>,
    pieces: Vec<Piece>,
) -> IncrementalTree {
    IncrementalTree {
        tree: parsed.tree,
        language,
        text: text.clone(),
        reused: pieces.iter().filter(|p| p.reused).count(),
        pieces,
    }
}

/// The pieces of `tree`'s top-level nodes: reused from `old` where the
/// re-parse reused the node and what it depends on still holds, extracted
/// otherwise.
fn split(
    tree: &Tree,
    text: &str,
    grammar: Grammar,
    old_text: &str,
    old_pieces: Vec<Piece>,
) -> Vec<Piece> {
    let root = tree.root_node();
    // The candidate for a node is an old piece at the same place relative
    // to the start of the file (before the edits) or to its end (after
    // them), then its shape and text decide. Old pieces are in order.
    let shift = text.len() as i64 - old_text.len() as i64;
    let starts: Vec<u32> = old_pieces.iter().map(|p| p.range.start).collect();
    let mut old_pieces: Vec<Option<Piece>> = old_pieces.into_iter().map(Some).collect();
    let mut walker = Pieces::new(tree, text);
    let mut cursor = QueryCursor::new();
    let mut pieces = Vec::with_capacity(root.child_count() as usize);
    let mut nodes = root.walk();
    if !nodes.goto_first_child() {
        return pieces;
    }
    loop {
        let node = nodes.node();
        let range = node_range(node);
        let same = |old: &Piece| {
            old.range.len() == range.len()
                && old.shape.matches(node)
                && old_text.get(old.range.as_std()).is_some()
                && old_text.get(old.range.as_std()) == text.get(range.as_std())
        };
        let start = i64::from(range.start);
        let mut candidate = None;
        'find: for old_start in std::iter::once(start).chain((shift != 0).then_some(start - shift))
        {
            let Ok(old_start) = u32::try_from(old_start) else {
                continue;
            };
            let mut index = starts.partition_point(|&s| s < old_start);
            while starts.get(index) == Some(&old_start) {
                if old_pieces[index].as_ref().is_some_and(&same) {
                    candidate = old_pieces[index].take();
                    break 'find;
                }
                index += 1;
            }
        }
        let candidate = candidate.filter(|old| walker.still_valid(&old.deps));
        let piece = match candidate {
            Some(old) => {
                walker.skip(&old.deps);
                Piece {
                    range,
                    reused: true,
                    ..old
                }
            }
            None => {
                let shape = Shape::of(node);
                let (walked, deps) = walker.walk(node);
                let mut facts = finish(walked, text, grammar, &mut cursor);
                // Relative offsets must stay inside the node: the whole-file
                // function range of top-level calls is set at assembly.
                let here = TextRange::empty(range.start as usize);
                for &index in &deps.top_calls {
                    facts.calls[index].scope.function = here;
                }
                for &index in &deps.top_pairs {
                    facts.websocket_pairs[index].scope.function = here;
                }
                facts.shift(-i64::from(range.start));
                Piece {
                    shape,
                    range,
                    facts,
                    deps,
                    reused: false,
                }
            }
        };
        pieces.push(piece);
        if !nodes.goto_next_sibling() {
            return pieces;
        }
    }
}

/// The file's summary from its pieces, in order: every list is in source
/// order within a piece, and pieces do not overlap, so concatenating gives
/// the order a whole-file extraction sorts into.
fn assemble(pieces: &[Piece], text_len: usize, syntax_errors: u32) -> FileSummary {
    let mut out = FileSummary {
        syntax_error_count: syntax_errors,
        ..FileSummary::default()
    };
    let whole = TextRange::new(0, text_len);
    for piece in pieces {
        let calls = out.calls.len();
        let pairs = out.websocket_pairs.len();
        append(&mut out, &piece.facts, i64::from(piece.range.start));
        for &index in &piece.deps.top_calls {
            out.calls[calls + index].scope.function = whole;
        }
        for &index in &piece.deps.top_pairs {
            out.websocket_pairs[pairs + index].scope.function = whole;
        }
    }
    out
}

fn append(out: &mut FileSummary, facts: &FileSummary, delta: i64) {
    let FileSummary {
        classes,
        imports,
        exports,
        env_accesses,
        env_type_members,
        env_member_types,
        storage_uses,
        syntax_error_count: _,
        calls,
        websocket_pairs,
        suppressions,
    } = facts;
    extend(&mut out.classes, classes, delta);
    extend(&mut out.imports, imports, delta);
    extend(&mut out.exports, exports, delta);
    extend(&mut out.env_accesses, env_accesses, delta);
    extend(&mut out.env_type_members, env_type_members, delta);
    out.env_member_types
        .extend(env_member_types.iter().map(|(name, ty)| {
            let mut ty = ty.clone();
            ty.shift(delta);
            (name.clone(), ty)
        }));
    extend(&mut out.storage_uses, storage_uses, delta);
    extend(&mut out.calls, calls, delta);
    extend(&mut out.websocket_pairs, websocket_pairs, delta);
    extend(&mut out.suppressions, suppressions, delta);
}

fn extend<T: Clone + Shift>(out: &mut Vec<T>, from: &[T], delta: i64) {
    out.extend(from.iter().map(|value| {
        let mut value = value.clone();
        value.shift(delta);
        value
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::ByteEdit;

    fn edit(tree: &mut IncrementalTree, text: &mut String, start: usize, end: usize, new: &str) {
        let e = ByteEdit::new(text, start, end, new);
        text.replace_range(start..end, new);
        let point = |(row, column)| tree_sitter::Point { row, column };
        tree.edit(&tree_sitter::InputEdit {
            start_byte: e.start,
            old_end_byte: e.old_end,
            new_end_byte: e.new_end,
            start_position: point(e.start_point),
            old_end_position: point(e.old_end_point),
            new_end_position: point(e.new_end_point),
        });
    }

    /// An edit inside one function re-walks that function only: the other
    /// top-level nodes keep their facts (and ids).
    #[test]
    fn an_edit_in_one_statement_reuses_the_others() {
        let mut text = String::from(
            "import { DurableObject } from \"cloudflare:workers\";\n\
             export async function a(env) { const s = env.A.getByName(\"x\"); await s.go(); }\n\
             export async function b(env) { const t = env.B.getByName(\"y\"); await t.go(); }\n\
             export class C extends DurableObject { async fetch() { this.ctx.storage.sql.exec(\"x\"); } }\n",
        );
        let shared: Arc<str> = text.as_str().into();
        let (first, tree) = summarize_reparse(&shared, SourceLanguage::TypeScript, None);
        assert_eq!(
            first,
            super::super::summarize(&text, SourceLanguage::TypeScript)
        );
        let mut tree = tree.unwrap();
        let at = text.find("env.A").unwrap() + 4;
        edit(&mut tree, &mut text, at, at + 1, "Q\n");
        let shared: Arc<str> = text.as_str().into();
        let (second, tree) = summarize_reparse(&shared, SourceLanguage::TypeScript, Some(tree));
        assert_eq!(
            second,
            super::super::summarize(&text, SourceLanguage::TypeScript)
        );
        let reused: Vec<bool> = tree.unwrap().pieces.iter().map(|p| p.reused).collect();
        // The import before the edit, the function and class after it.
        assert_eq!(reused, [true, false, true, true]);
    }

    /// A statement whose calls depend on a variable bound earlier is walked
    /// again when that binding changes, though its own text did not.
    #[test]
    fn a_changed_binding_reaches_later_statements() {
        let mut text =
            String::from("const stub = env.A.getByName(\"x\");\nawait stub.go();\nstub.again();\n");
        let shared: Arc<str> = text.as_str().into();
        let (_, tree) = summarize_reparse(&shared, SourceLanguage::TypeScript, None);
        let mut tree = tree.unwrap();
        let at = text.find("stub").unwrap();
        edit(&mut tree, &mut text, at, at + 4, "other");
        let shared: Arc<str> = text.as_str().into();
        let (summary, tree) = summarize_reparse(&shared, SourceLanguage::TypeScript, Some(tree));
        assert_eq!(
            summary,
            super::super::summarize(&text, SourceLanguage::TypeScript)
        );
        assert_eq!(summary.calls.len(), 1, "{:?}", summary.calls);
        // And back: `stub` is a call variable again.
        let mut tree = tree.unwrap();
        edit(&mut tree, &mut text, at, at + 5, "stub");
        let shared: Arc<str> = text.as_str().into();
        let (summary, _) = summarize_reparse(&shared, SourceLanguage::TypeScript, Some(tree));
        assert_eq!(
            summary,
            super::super::summarize(&text, SourceLanguage::TypeScript)
        );
        assert_eq!(summary.calls.len(), 3);
    }
}
