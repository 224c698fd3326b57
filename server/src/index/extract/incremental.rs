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
use crate::index::syntax::{NodeExt, NodeField};
use std::sync::Arc;

use tree_sitter::{Node, QueryCursor, Tree};

use super::calls::{combine_deps, PieceDeps, Pieces};
use super::shift::Shift;
use super::{collect, finish, node_range, node_text, parse_with, parse_with_old, Parsed};
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
    /// How many of `pieces` the last re-parse reused, and how many class
    /// members it reused inside the other pieces.
    reused: usize,
    reused_members: usize,
}

impl IncrementalTree {
    /// Tells the tree about an edit already applied to the text.
    pub fn edit(&mut self, edit: &tree_sitter::InputEdit) {
        self.tree.edit(edit);
    }

    /// (top-level nodes whose facts the last summary reused, top-level
    /// nodes, class members reused in the other top-level nodes), for
    /// timing logs and tests.
    pub fn reuse(&self) -> (usize, usize, usize) {
        (self.reused, self.pieces.len(), self.reused_members)
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
    /// The semantic model of the node alone (see
    /// `semantic::build_piece`), with the offset the node started at when
    /// it was built: it depends on the node's text only, so it is kept
    /// whenever the node is (even when the index facts are re-extracted).
    semantic: Arc<crate::semantic::FileSemantics>,
    semantic_start: u32,
    /// The node had no syntax error when its model was built.
    clean: bool,
    /// For a class declaration, the facts of each child of its body
    /// (method, field, comment, brace), so that an edit inside one method
    /// walks that method only. Empty for other nodes.
    members: Vec<Member>,
}

/// The facts of one child of a top-level class's body, found by walking it
/// alone: call sites, comments, env and storage uses, nested classes. The
/// class's own `ClassInfo` (its methods and fields) is read from the class
/// node each time; that is cheap next to walking every method body.
struct Member {
    shape: Shape,
    /// Relative to the start of the top-level node.
    range: TextRange,
    /// Relative to `range.start`; top-level calls (in a field initializer)
    /// as in [`Piece::facts`].
    facts: FileSummary,
    deps: PieceDeps,
    /// The class the member is in: what `scope.class` and
    /// `enclosing_class` say outside the member's own nested classes.
    class_name: Option<String>,
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
                semantic: Arc::new(crate::semantic::build(&tsx.tree, text)),
                ..collect(&tsx.tree, text, tsx.grammar)
            };
            return (summary, Some(keep(parsed, language, text, (Vec::new(), 0))));
        }
    }
    let summary;
    let pieces;
    let root = parsed.tree.root_node();
    if root.kind_str() == "program" {
        pieces = split(&parsed.tree, text, parsed.grammar, &old_text, old_pieces);
        // The semantic model from the pieces' own models: only the
        // rebuilt statements were walked again.
        let semantic = crate::semantic::assemble(
            pieces.0.iter().map(|p| {
                (
                    &*p.semantic,
                    i64::from(p.range.start) - i64::from(p.semantic_start),
                )
            }),
            root,
            text,
        );
        summary = FileSummary {
            semantic: Arc::new(semantic),
            ..assemble(&pieces.0, text.len(), parsed.errors)
        };
    } else {
        pieces = (Vec::new(), 0);
        summary = FileSummary {
            syntax_error_count: parsed.errors,
            semantic: Arc::new(crate::semantic::build(&parsed.tree, text)),
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
    (pieces, reused_members): (Vec<Piece>, usize),
) -> IncrementalTree {
    IncrementalTree {
        reused_members,
        tree: parsed.tree,
        language,
        text: text.clone(),
        reused: pieces.iter().filter(|p| p.reused).count(),
        pieces,
    }
}

/// The pieces of `tree`'s top-level nodes: reused from `old` where the
/// re-parse reused the node and what it depends on still holds, extracted
/// otherwise (a class declaration member by member, reusing members the
/// same way). Also returns how many class members were reused.
fn split(
    tree: &Tree,
    text: &str,
    grammar: Grammar,
    old_text: &str,
    old_pieces: Vec<Piece>,
) -> (Vec<Piece>, usize) {
    let root = tree.root_node();
    // The candidate for a node is an old piece at the same place relative
    // to the start of the file (before the edits) or to its end (after
    // them), then its shape and text decide. Old pieces are in order.
    let shift = text.len() as i64 - old_text.len() as i64;
    let starts: Vec<u32> = old_pieces.iter().map(|p| p.range.start).collect();
    let mut old_pieces: Vec<Option<Piece>> = old_pieces.into_iter().map(Some).collect();
    let mut split = Splitter {
        walker: Pieces::new(tree, text),
        cursor: QueryCursor::new(),
        text,
        old_text,
        grammar,
        shift,
        reused_members: 0,
    };
    let mut pieces = Vec::with_capacity(root.child_count() as usize);
    let mut nodes = root.walk();
    if !nodes.goto_first_child() {
        return (pieces, 0);
    }
    loop {
        let node = nodes.node();
        let range = node_range(node);
        let start = i64::from(range.start);
        let mut candidate = None;
        'find: for old_start in std::iter::once(start).chain((shift != 0).then_some(start - shift))
        {
            let Ok(old_start) = u32::try_from(old_start) else {
                continue;
            };
            let mut index = starts.partition_point(|&s| s < old_start);
            while starts.get(index) == Some(&old_start) {
                if old_pieces[index]
                    .as_ref()
                    .is_some_and(|old| split.same(&old.shape, old.range, node))
                {
                    candidate = old_pieces[index].take();
                    break 'find;
                }
                index += 1;
            }
        }
        let kept_semantic = candidate
            .as_ref()
            .map(|old| (old.semantic.clone(), old.semantic_start));
        let candidate = candidate.filter(|old| split.walker.still_valid(&old.deps));
        let piece = match candidate {
            Some(old) => {
                split.walker.skip(&old.deps);
                Piece {
                    range,
                    reused: true,
                    ..old
                }
            }
            None => {
                // An edit inside a class leaves it where it was: its old
                // members are the candidates for the new ones.
                let index = starts.partition_point(|&s| s < range.start);
                let before = match old_pieces.get_mut(index) {
                    Some(old) if starts[index] == range.start => old.take(),
                    _ => None,
                };
                // After a parse from scratch (a syntax error somewhere) no
                // node keeps its id, but a statement with the same kind and
                // text and no error in it parses the same way: its model
                // depends on nothing else, so it is kept.
                let kept_semantic = kept_semantic.or_else(|| {
                    if node.has_error() {
                        return None;
                    }
                    let shifted = u32::try_from(start - shift).ok().and_then(|old_start| {
                        let at = starts.partition_point(|&s| s < old_start);
                        old_pieces
                            .get(at)
                            .and_then(Option::as_ref)
                            .filter(|_| starts[at] == old_start)
                    });
                    before
                        .as_ref()
                        .into_iter()
                        .chain(shifted)
                        .find(|old| {
                            old.clean
                                && old.shape.kind == node.kind_id()
                                && old.range.len() == range.len()
                                && split.old_text.get(old.range.as_std())
                                    == split.text.get(range.as_std())
                        })
                        .map(|old| (old.semantic.clone(), old.semantic_start))
                });
                let mut piece = split.extract(node, before);
                match kept_semantic {
                    Some((semantic, start)) => {
                        piece.semantic = semantic;
                        piece.semantic_start = start;
                    }
                    None => {
                        piece.semantic = Arc::new(crate::semantic::build_piece(node, split.text));
                        piece.semantic_start = range.start;
                    }
                }
                piece
            }
        };
        pieces.push(piece);
        if !nodes.goto_next_sibling() {
            return (pieces, split.reused_members);
        }
    }
}

/// State of one [`split`].
struct Splitter<'t, 's> {
    walker: Pieces<'t, 's>,
    cursor: QueryCursor,
    text: &'s str,
    old_text: &'s str,
    grammar: Grammar,
    /// New text length minus old.
    shift: i64,
    reused_members: usize,
}

impl<'t, 's> Splitter<'t, 's> {
    /// Whether `node` is the node that was at `old_range` with `shape`.
    fn same(&self, shape: &Shape, old_range: TextRange, node: Node) -> bool {
        let range = node_range(node);
        old_range.len() == range.len()
            && shape.matches(node)
            && self.old_text.get(old_range.as_std()).is_some()
            && self.old_text.get(old_range.as_std()) == self.text.get(range.as_std())
    }

    /// Walks and summarises a top-level node; `before` is the old piece
    /// that started at the same offset, if any.
    fn extract(&mut self, node: Node<'t>, before: Option<Piece>) -> Piece {
        let range = node_range(node);
        let shape = Shape::of(node);
        if let Some(path) = class_path(node) {
            return self.extract_class(node, shape, &path, before);
        }
        let (walked, deps) = self.walker.walk(node);
        let mut facts = finish(walked, self.text, self.grammar, &mut self.cursor, None);
        relative(&mut facts, &deps, range.start);
        Piece {
            shape,
            range,
            facts,
            deps,
            reused: false,
            members: Vec::new(),
            clean: !node.has_error(),
            semantic: Arc::default(),
            semantic_start: range.start,
        }
    }

    /// A class declaration (`path` from the top-level node to its body):
    /// the header (everything but the body's children) walked once, each
    /// child of the body walked alone or reused from `before`.
    fn extract_class(
        &mut self,
        node: Node<'t>,
        shape: Shape,
        path: &[Node<'t>],
        before: Option<Piece>,
    ) -> Piece {
        let range = node_range(node);
        let class = path[path.len() - 2];
        let body = path[path.len() - 1];
        // As `ClassInfo::name` of a declaration: the name as written.
        let class_name = class
            .field(NodeField::Name)
            .map(|name| node_text(name, self.text).to_owned());
        let (old_start, old_members) =
            before.map_or((0, Vec::new()), |old| (old.range.start, old.members));
        let member_starts: Vec<u32> = old_members.iter().map(|m| m.range.start).collect();
        let mut old_members: Vec<Option<Member>> = old_members.into_iter().map(Some).collect();

        self.walker.begin_split(path);
        let mut members = Vec::new();
        let mut children = body.walk();
        let mut more = children.goto_first_child();
        while more {
            let child = children.node();
            let child_range = node_range(child);
            let start = i64::from(child_range.start - range.start);
            let mut candidate = None;
            'find: for old in
                std::iter::once(start).chain((self.shift != 0).then_some(start - self.shift))
            {
                let Ok(old) = u32::try_from(old) else {
                    continue;
                };
                let mut index = member_starts.partition_point(|&s| s < old);
                while member_starts.get(index) == Some(&old) {
                    let matches = old_members[index].as_ref().is_some_and(|m| {
                        m.class_name == class_name
                            && self.same(
                                &m.shape,
                                TextRange::new(
                                    (old_start + m.range.start) as usize,
                                    (old_start + m.range.end) as usize,
                                ),
                                child,
                            )
                    });
                    if matches {
                        candidate = old_members[index].take();
                        break 'find;
                    }
                    index += 1;
                }
            }
            let candidate = candidate.filter(|m| self.walker.still_valid(&m.deps));
            let relative_range = TextRange::new(
                (child_range.start - range.start) as usize,
                (child_range.end - range.start) as usize,
            );
            let member = match candidate {
                Some(old) => {
                    self.walker.skip(&old.deps);
                    self.reused_members += 1;
                    Member {
                        range: relative_range,
                        ..old
                    }
                }
                None => {
                    let member_shape = Shape::of(child);
                    let (walked, deps) = self.walker.walk_member(child);
                    let mut facts = finish(
                        walked,
                        self.text,
                        self.grammar,
                        &mut self.cursor,
                        Some(class_name.as_deref().map(crate::names::name)),
                    );
                    relative(&mut facts, &deps, child_range.start);
                    Member {
                        shape: member_shape,
                        range: relative_range,
                        facts,
                        deps,
                        class_name: class_name.clone(),
                    }
                }
            };
            members.push(member);
            more = children.goto_next_sibling();
        }
        let (walked, header_deps) = self.walker.end_split();

        // The header comes first in source order (the body is the last
        // child all the way down), then the members in order.
        let mut facts = finish(walked, self.text, self.grammar, &mut self.cursor, None);
        let mut parts = vec![(&header_deps, 0, 0)];
        for member in &members {
            parts.push((&member.deps, facts.calls.len(), facts.websocket_pairs.len()));
            append(
                &mut facts,
                &member.facts,
                i64::from(range.start + member.range.start),
            );
        }
        let deps = combine_deps(&parts);
        relative(&mut facts, &deps, range.start);
        Piece {
            shape,
            range,
            facts,
            deps,
            reused: false,
            members,
            clean: !node.has_error(),
            semantic: Arc::default(),
            semantic_start: range.start,
        }
    }
}

/// Offsets of `facts` (extracted at `start`) made relative to `start`. The
/// whole-file function range of top-level calls would not fit: it is set
/// when the summary is assembled.
fn relative(facts: &mut FileSummary, deps: &PieceDeps, start: u32) {
    let here = TextRange::empty(start as usize);
    for &index in &deps.top_calls {
        if let Some(call) = facts.calls.get_mut(index) {
            call.scope.function = here;
        }
    }
    for &index in &deps.top_pairs {
        if let Some(pair) = facts.websocket_pairs.get_mut(index) {
            pair.scope.function = here;
        }
    }
    facts.shift(-i64::from(start));
}

/// For a top-level class declaration (also exported), the nodes from the
/// top-level node down to the class body, each the last child of the one
/// before, so that the header of the class comes before every member in
/// source order. `None` for anything else.
fn class_path(node: Node) -> Option<Vec<Node>> {
    fn is_class(node: Node) -> bool {
        matches!(
            node.kind_str(),
            "class_declaration" | "abstract_class_declaration"
        )
    }
    fn last_child(node: Node) -> Option<Node> {
        node.child(node.child_count().checked_sub(1)?)
    }
    let mut path = vec![node];
    let class = if is_class(node) {
        node
    } else if node.kind_str() == "export_statement" {
        let class = last_child(node).filter(|c| is_class(*c))?;
        path.push(class);
        class
    } else {
        return None;
    };
    let body = class.field(NodeField::Body)?;
    if body.kind_str() != "class_body" || last_child(class) != Some(body) {
        return None;
    }
    path.push(body);
    Some(path)
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
        semantic: _,
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

    /// Re-parses `text` from `tree` and checks the summary against a fresh
    /// one: the splice must never change what a full extraction finds.
    fn reparse_matching_fresh(
        text: &str,
        tree: IncrementalTree,
    ) -> (FileSummary, Option<IncrementalTree>) {
        let shared: Arc<str> = text.into();
        let (summary, tree) = summarize_reparse(&shared, SourceLanguage::TypeScript, Some(tree));
        assert_eq!(
            summary,
            super::super::summarize(text, SourceLanguage::TypeScript)
        );
        (summary, tree)
    }

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

    /// An edit inside one method of a class walks that method only; the
    /// class's other members keep their facts. Renaming the class walks
    /// them again (their calls name the class).
    #[test]
    fn an_edit_in_one_method_reuses_the_others() {
        let mut text = String::from(
            "import { DurableObject } from \"cloudflare:workers\";\n\
             export class Room extends DurableObject {\n\
             \x20 sessions = new Map();\n\
             \x20 // dols-ignore-next-line api-limit\n\
             \x20 async a() { const s = this.env.A.getByName(\"x\"); await s.go(); }\n\
             \x20 async b() { this.ctx.storage.sql.exec(\"SELECT 1\"); setTimeout(() => {}, 1); }\n\
             \x20 async c() { await this.ctx.storage.setAlarm(Date.now()); }\n\
             }\n",
        );
        let shared: Arc<str> = text.as_str().into();
        let (_, tree) = summarize_reparse(&shared, SourceLanguage::TypeScript, None);
        let mut tree = tree.unwrap();
        let at = text.find("SELECT 1").unwrap();
        edit(&mut tree, &mut text, at, at + 6, "SELECT 22");
        let (_, tree) = reparse_matching_fresh(&text, tree);
        let mut tree = tree.unwrap();
        let (nodes, _, members) = tree.reuse();
        assert_eq!(nodes, 1, "the import");
        // `{`, the field and its `;`, the comment, `a`, `c`, `}`: all but `b`.
        assert_eq!(members, 7);

        let at = text.find("Room").unwrap();
        edit(&mut tree, &mut text, at, at + 4, "Hall");
        let (summary, tree) = reparse_matching_fresh(&text, tree);
        assert!(summary
            .calls
            .iter()
            .all(|c| c.scope.class.as_deref() == Some("Hall")));
        assert_eq!(tree.unwrap().reuse().2, 0);
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
        let (summary, tree) = reparse_matching_fresh(&text, tree);
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
