//! Call sites, WebSocket pairs and suppression comments, read in one
//! tree-cursor walk. The same walk collects the nodes that evaluate to the
//! Worker env (`env`, `this.env`, `c.env`) and the SQLite-only storage
//! members (`<x>.storage.sql`, `const { sql } = <x>.storage`): as query
//! patterns those matched every identifier and filtered by predicate
//! afterwards, a second full traversal that cost more than this walk.
//!
//! Why a walk and not query captures: each call needs its context (class
//! method, innermost function, loop/try/finally, earlier awaits, awaited
//! `new Promise` executor) and how its value is used (parents through
//! wrappers). A walk keeps the ancestors on a stack, so all of that costs
//! O(1) per node; `Node::parent()` descends from the root each time and goes
//! quadratic on deep (minified) trees.
use crate::index::syntax::{call_function, is_misread_await, normalized_call, NodeExt, NodeField};
use crate::names::{name as intern, Name};
use std::collections::HashSet;

use tree_sitter::{Node, Tree, TreeCursor};

use super::classes::ClassScopes;
use super::env::STORAGE_MEMBERS;
use super::{has_token, is_field, is_transparent, node_range, node_text, unwrap_expression};
use crate::index::{
    Arg, ArgValue, CallSite, CallUsage, EnvVia, Scope, Suppression, WebSocketPairBinding,
    INTERESTING_CALLS, MAX_ARG_STRING_CHARS,
};
use crate::text::TextRange;

/// Callee chains longer than this keep their last segments after a `…`.
pub(crate) const MAX_CALLEE_SEGMENTS: usize = 32;
/// Node steps spent reading one chain (wrappers included).
const MAX_CHAIN_STEPS: usize = 128;
/// Arguments, array elements and object properties kept per literal.
const MAX_ARGS: usize = 256;
/// Nesting of object/array literals read into [`ArgValue`].
const MAX_ARG_DEPTH: usize = 6;
/// Names taken from one destructuring pattern.
const MAX_PATTERN_NAMES: usize = 32;
/// Assignment targets such as `this.a.b` are kept up to this many chars.
const MAX_TARGET_CHARS: usize = 120;
/// Callbacks of these methods run once per element: a loop.
const ITERATION_METHODS: [&str; 3] = ["forEach", "map", "flatMap"];
/// Stub-returning calls: a chain through one of these is a stub call.
const STUB_CALLS: [&str; 2] = ["getByName", "get"];
/// Runtime globals with an `env` of their own (process variables, not
/// bindings): `process.env` is not a Hono-style context.
const NOT_CONTEXTS: [&str; 3] = ["process", "Deno", "Bun"];

pub(super) struct Collected<'t> {
    pub calls: Vec<CallSite>,
    pub websocket_pairs: Vec<WebSocketPairBinding>,
    pub suppressions: Vec<Suppression>,
    /// Nodes evaluating to the env, in document order: an `env`
    /// identifier, `this.env`, or `<identifier>.env`.
    pub env_objects: Vec<(Node<'t>, EnvVia)>,
    /// Property names like `sql`; the receiver is checked later.
    pub storage_members: Vec<Node<'t>>,
    /// `(object pattern, receiver)` of `const { .. } = <x>.storage`.
    pub storage_patterns: Vec<(Node<'t>, Node<'t>)>,
    /// Nodes where a pattern of the index query may start (a superset), in
    /// document order; the query runs at each of them only.
    pub query_roots: Vec<Node<'t>>,
    /// Range of the `new WebSocketPair()` of each pair.
    pair_calls: Vec<TextRange>,
}

impl Collected<'_> {
    /// The class around each call (and pair), once the classes are known.
    pub fn set_classes(&mut self, scopes: &ClassScopes) {
        for call in &mut self.calls {
            call.scope.class = scopes.enclosing(call.range);
        }
        for (pair, call) in self.websocket_pairs.iter_mut().zip(&self.pair_calls) {
            pair.scope.class = scopes.enclosing(*call);
        }
    }
}

/// What holds for a node and everything below it until a nested function.
#[derive(Clone, Copy)]
struct Ctx<'s> {
    method: Option<&'s str>,
    function: TextRange,
    /// Index into `Walker::await_seen`.
    function_id: usize,
    in_loop: bool,
    in_try: bool,
    in_finally: bool,
    in_awaited_promise: bool,
}

struct Frame<'t, 's> {
    node: Node<'t>,
    /// `node.kind_str()`, read once: it is a C string turned into `&str`.
    kind: &'t str,
    ctx: Ctx<'s>,
    /// The call recorded for this node, to fill `after_await` on leaving.
    call: Option<usize>,
    pair: Option<usize>,
}

/// Field ids of the grammar, for the checks run on many nodes:
/// `child_by_field_name` looks the name up by string compares each time.
struct Fields {
    object: u16,
    property: u16,
    name: u16,
    value: u16,
}

impl Fields {
    fn new(tree: &Tree) -> Fields {
        let language = tree.language();
        // 0 is no field: `child_by_field_id(0)` finds nothing.
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |id| id.get());
        Fields {
            object: id("object"),
            property: id("property"),
            name: id("name"),
            value: id("value"),
        }
    }
}

struct Walker<'t, 's> {
    text: &'s str,
    fields: Fields,
    frames: Vec<Frame<'t, 's>>,
    /// Per function (0 = top level): an `await` has completed in it.
    await_seen: Vec<bool>,
    /// Variables a recorded call was assigned to.
    call_vars: HashSet<String>,
    out: Collected<'t>,
    /// While walking one top-level node for [`Pieces`]: what it reads from
    /// and leaves to the nodes around it.
    deps: Option<PieceDeps>,
    /// The names `deps` has inserted into `call_vars` so far.
    own_vars: HashSet<String>,
}

fn empty_collected<'t>() -> Collected<'t> {
    Collected {
        calls: Vec::new(),
        websocket_pairs: Vec::new(),
        suppressions: Vec::new(),
        env_objects: Vec::new(),
        storage_members: Vec::new(),
        storage_patterns: Vec::new(),
        query_roots: Vec::new(),
        pair_calls: Vec::new(),
    }
}

/// Walk `tree` once. Scopes get their class afterwards, from
/// [`Collected::set_classes`]: the classes are read from query matches at
/// nodes this walk finds.
pub(super) fn collect<'t>(tree: &'t Tree, text: &str) -> Collected<'t> {
    let root = tree.root_node();
    let mut walker = Walker::new(tree, text);
    // `enter` sees every node but the root, which can be an ERROR node.
    if is_query_root(root, root.kind_str(), text) {
        walker.out.query_roots.push(root);
    }
    walker.walk(root.walk(), false);
    walker.out
}

/// What one top-level node's facts depend on outside of it, and what it
/// changes for the nodes after it. Everything else the walk reads comes
/// from the node's own subtree (its parent is the root, the same for every
/// top-level node), so facts extracted with equal dependencies are equal.
#[derive(Clone, Debug, Default)]
pub(super) struct PieceDeps {
    /// Root names of callee chains looked up among the variables of
    /// earlier nodes (`stub` in `stub.join()`), with the answer.
    tested: Vec<(String, bool)>,
    /// Variables this node assigned a recorded call to.
    inserted: Vec<String>,
    /// Whether a top-level `await` had completed before this node.
    top_await_in: bool,
    /// A top-level `await` completes in this node.
    sets_top_await: bool,
    /// Indices into the node's calls and WebSocket pairs of those at top
    /// level: their function range is the whole file, and their
    /// `after_await` reads `top_await_in`.
    pub top_calls: Vec<usize>,
    pub top_pairs: Vec<usize>,
}

/// Walks the top-level nodes of a tree one at a time, carrying the state
/// that crosses statements (variables bound to recorded calls, top-level
/// awaits), so the facts of a node that did not change can be reused.
pub(super) struct Pieces<'t, 's> {
    walker: Walker<'t, 's>,
    /// Between `begin_split` and `end_split`: the header part's facts,
    /// dependencies and own variables, and how many nodes were entered.
    header: Option<(Collected<'t>, PieceDeps, HashSet<String>, usize)>,
}

impl<'t, 's> Pieces<'t, 's> {
    pub fn new(tree: &'t Tree, text: &'s str) -> Self {
        Pieces {
            walker: Walker::new(tree, text),
            header: None,
        }
    }

    /// Whether facts extracted with `deps` hold after the nodes walked or
    /// skipped so far.
    pub fn still_valid(&self, deps: &PieceDeps) -> bool {
        let reads_await = !deps.top_calls.is_empty() || !deps.top_pairs.is_empty();
        (!reads_await || self.walker.await_seen[0] == deps.top_await_in)
            && deps
                .tested
                .iter()
                .all(|(name, hit)| self.walker.call_vars.contains(name) == *hit)
    }

    /// Moves past a node whose facts are reused (`still_valid`).
    pub fn skip(&mut self, deps: &PieceDeps) {
        for name in &deps.inserted {
            if !self.walker.call_vars.contains(name) {
                self.walker.call_vars.insert(name.clone());
            }
        }
        self.walker.await_seen[0] |= deps.sets_top_await;
    }

    /// Walks one top-level node.
    pub fn walk(&mut self, node: Node<'t>) -> (Collected<'t>, PieceDeps) {
        self.begin_part();
        self.walker.walk(node.walk(), true);
        self.end_part()
    }

    /// Starts collecting facts and dependencies of a new part.
    fn begin_part(&mut self) {
        let walker = &mut self.walker;
        walker.out = empty_collected();
        walker.own_vars.clear();
        walker.deps = Some(PieceDeps {
            top_await_in: walker.await_seen[0],
            ..PieceDeps::default()
        });
    }

    fn end_part(&mut self) -> (Collected<'t>, PieceDeps) {
        let walker = &mut self.walker;
        let deps = walker.deps.take().unwrap_or_default();
        (std::mem::replace(&mut walker.out, empty_collected()), deps)
    }

    /// Starts a top-level node whose class body's children are then walked
    /// (or skipped) one at a time, each with its own facts and
    /// dependencies: enters every node of `path` (the top-level node down
    /// to the class body; each the last child of the one before), walking
    /// the children before each next one whole. What is walked outside the
    /// body's children is the node's "header" part, returned by
    /// [`Pieces::end_split`].
    pub fn begin_split(&mut self, path: &[Node<'t>]) {
        self.begin_part();
        let walker = &mut self.walker;
        for (level, node) in path.iter().enumerate() {
            walker.enter(&node.walk());
            let Some(next) = path.get(level + 1) else {
                break;
            };
            let mut cursor = node.walk();
            if cursor.goto_first_child() {
                while cursor.node() != *next {
                    walker.walk(cursor.node().walk(), true);
                    if !cursor.goto_next_sibling() {
                        break;
                    }
                }
            }
        }
        self.header = Some((
            std::mem::replace(&mut self.walker.out, empty_collected()),
            self.walker.deps.take().unwrap_or_default(),
            std::mem::take(&mut self.walker.own_vars),
            path.len(),
        ));
    }

    /// Walks one child of the class body entered by [`Pieces::begin_split`].
    pub fn walk_member(&mut self, member: Node<'t>) -> (Collected<'t>, PieceDeps) {
        self.walk(member)
    }

    /// Leaves the nodes [`Pieces::begin_split`] entered; returns the header
    /// part.
    pub fn end_split(&mut self) -> (Collected<'t>, PieceDeps) {
        let Some((out, deps, own_vars, depth)) = self.header.take() else {
            return (empty_collected(), PieceDeps::default());
        };
        let walker = &mut self.walker;
        walker.out = out;
        walker.deps = Some(deps);
        walker.own_vars = own_vars;
        for _ in 0..depth {
            walker.leave();
        }
        self.end_part()
    }
}

/// Dependencies of a node walked in parts (header first, then each member):
/// what a walk of the whole node would have recorded. A part's question
/// about a variable that an earlier part bound is internal to the node.
pub(super) fn combine_deps(parts: &[(&PieceDeps, usize, usize)]) -> PieceDeps {
    let mut combined = PieceDeps {
        top_await_in: parts.first().is_some_and(|(d, _, _)| d.top_await_in),
        ..PieceDeps::default()
    };
    let mut own: HashSet<&str> = HashSet::new();
    for &(deps, calls_before, pairs_before) in parts {
        for (name, hit) in &deps.tested {
            if !own.contains(name.as_str()) {
                combined.tested.push((name.clone(), *hit));
            }
        }
        for name in &deps.inserted {
            if own.insert(name.as_str()) {
                combined.inserted.push(name.clone());
            }
        }
        combined.sets_top_await |= deps.sets_top_await;
        combined
            .top_calls
            .extend(deps.top_calls.iter().map(|i| i + calls_before));
        combined
            .top_pairs
            .extend(deps.top_pairs.iter().map(|i| i + pairs_before));
    }
    combined
}

impl<'t, 's> Walker<'t, 's> {
    fn new(tree: &'t Tree, text: &'s str) -> Self {
        let root = tree.root_node();
        let top = Ctx {
            method: None,
            function: TextRange::new(0, text.len()),
            function_id: 0,
            in_loop: false,
            in_try: false,
            in_finally: false,
            in_awaited_promise: false,
        };
        Walker {
            text,
            fields: Fields::new(tree),
            frames: vec![Frame {
                node: root,
                kind: root.kind_str(),
                ctx: top,
                call: None,
                pair: None,
            }],
            await_seen: vec![false],
            call_vars: HashSet::new(),
            out: empty_collected(),
            deps: None,
            own_vars: HashSet::new(),
        }
    }

    /// Pre-order walk below the cursor's node (and of the node itself with
    /// `enter_start`; otherwise its frame is already on the stack).
    fn walk(&mut self, mut cursor: TreeCursor<'t>, enter_start: bool) {
        if enter_start {
            self.enter(&cursor);
        }
        'walk: loop {
            if cursor.goto_first_child() {
                self.enter(&cursor);
                continue;
            }
            loop {
                self.leave();
                // The cursor never moves above the node it started at.
                if cursor.goto_next_sibling() {
                    self.enter(&cursor);
                    break;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
    }

    /// Whether `name` holds a recorded call, noting the question when it
    /// is about an earlier top-level node.
    fn is_call_var(&mut self, name: &str) -> bool {
        let hit = self.call_vars.contains(name);
        if let Some(deps) = &mut self.deps {
            if !self.own_vars.contains(name) {
                deps.tested.push((name.to_owned(), hit));
            }
        }
        hit
    }

    fn add_call_var(&mut self, name: &str) {
        if let Some(deps) = &mut self.deps {
            if self.own_vars.insert(name.to_owned()) {
                deps.inserted.push(name.to_owned());
            }
        }
        self.call_vars.insert(name.to_owned());
    }
}

/// Whether a pattern of `grammar-queries/*.scm` can match with `node` as
/// its root. Must stay a superset of the queries' root node kinds: a new
/// pattern with another root needs its kind added here.
fn is_query_root(node: Node, kind: &str, text: &str) -> bool {
    match kind {
        "import_statement"
        | "export_statement"
        | "class_declaration"
        | "abstract_class_declaration"
        | "class"
        | "ERROR"
        | "interface_declaration"
        | "type_alias_declaration" => true,
        // `require("x")` and `import("x")`
        "call_expression" => node.field(NodeField::Function).is_some_and(|f| {
            f.kind_str() == "import"
                || (f.kind_str() == "identifier" && node_text(f, text) == "require")
        }),
        _ => false,
    }
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "generator_function"
            | "generator_function_declaration"
            | "method_definition"
    )
}

impl<'t, 's> Walker<'t, 's> {
    fn parent(&self) -> &Frame<'t, 's> {
        // The root frame is never popped before the walk ends.
        self.frames.last().expect("root frame")
    }

    /// Index of the frame standing for `frames[index]` once transparent
    /// wrappers are climbed, and the index of its parent frame.
    fn climb(&self, mut index: usize) -> (usize, Option<usize>) {
        while index > 0 && is_transparent(self.frames[index - 1].node) {
            index -= 1;
        }
        (index, index.checked_sub(1))
    }

    fn enter(&mut self, cursor: &TreeCursor<'t>) {
        let node = cursor.node();
        let parent = self.parent();
        let mut ctx = parent.ctx;
        // The field name is looked up only under the few parents that need it.
        match parent.kind {
            "for_statement" if cursor.field_name() != Some("initializer") => ctx.in_loop = true,
            "for_in_statement" if cursor.field_name() == Some("body") => ctx.in_loop = true,
            "while_statement" | "do_statement" => ctx.in_loop = true,
            "try_statement" => match cursor.field_name() {
                Some("body") => ctx.in_try = true,
                Some("finalizer") => ctx.in_finally = true,
                _ => {}
            },
            _ => {}
        }
        let kind = node.kind_str();
        match kind {
            "class_body" => ctx.method = None,
            "method_definition" if parent.kind == "class_body" => {
                ctx.method = node
                    .field(NodeField::Name)
                    .map(|n| node_text(n, self.text).trim_matches(['"', '\'']));
            }
            "public_field_definition" if parent.kind == "class_body" => {
                let is_function_value = node
                    .field(NodeField::Value)
                    .is_some_and(|v| is_function(unwrap_expression(v).kind_str()));
                ctx.method = if is_function_value {
                    node.field(NodeField::Name)
                        .map(|n| node_text(n, self.text).trim_matches(['"', '\'']))
                } else {
                    None
                };
            }
            _ => {}
        }
        if is_function(kind) {
            self.await_seen.push(false);
            ctx.function = node_range(node);
            ctx.function_id = self.await_seen.len() - 1;
            ctx.in_loop = self.is_iteration_callback();
            ctx.in_try = false;
            ctx.in_finally = false;
            ctx.in_awaited_promise |= self.is_awaited_promise_executor(node);
        }
        let mut frame = Frame {
            node,
            kind,
            ctx,
            call: None,
            pair: None,
        };
        if is_query_root(node, kind, self.text) {
            self.out.query_roots.push(node);
        }
        match kind {
            "call_expression" | "new_expression" => self.call(&mut frame),
            "comment" => self.comment(node),
            "identifier" if node_text(node, self.text) == "env" => {
                self.out.env_objects.push((node, EnvVia::Param));
            }
            "member_expression" => self.env_member(node),
            "property_identifier" if STORAGE_MEMBERS.contains(&node_text(node, self.text)) => {
                self.out.storage_members.push(node);
            }
            "variable_declarator" => self.storage_pattern(node),
            _ => {}
        }
        self.frames.push(frame);
    }

    /// `this.env` and `c.env` (not `process.env` and the like).
    fn env_member(&mut self, node: Node<'t>) {
        let Some(property) = node.child_by_field_id(self.fields.property) else {
            return;
        };
        if property.kind_str() != "property_identifier" || node_text(property, self.text) != "env" {
            return;
        }
        let Some(object) = node.child_by_field_id(self.fields.object) else {
            return;
        };
        let via = match object.kind_str() {
            "this" => EnvVia::ThisEnv,
            "identifier" if !NOT_CONTEXTS.contains(&node_text(object, self.text)) => {
                EnvVia::ContextEnv
            }
            _ => return,
        };
        self.out.env_objects.push((node, via));
    }

    /// `const { sql } = <x>.storage`: the keys are filtered later.
    fn storage_pattern(&mut self, node: Node<'t>) {
        let Some(pattern) = node
            .child_by_field_id(self.fields.name)
            .filter(|p| p.kind_str() == "object_pattern")
        else {
            return;
        };
        let Some(value) = node
            .child_by_field_id(self.fields.value)
            .filter(|v| v.kind_str() == "member_expression")
        else {
            return;
        };
        let is_storage = value
            .child_by_field_id(self.fields.property)
            .is_some_and(|p| {
                p.kind_str() == "property_identifier" && node_text(p, self.text) == "storage"
            });
        if is_storage {
            self.out.storage_patterns.push((pattern, value));
        }
    }

    fn leave(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let seen = self.await_seen[frame.ctx.function_id];
        if let Some(index) = frame.call {
            self.out.calls[index].scope.after_await = seen;
        }
        // The `await` of a misread `await x.m<T>()` sits inside the call
        // node but completes after the call.
        let misread_await = frame.kind == "call_expression"
            && frame
                .node
                .field(NodeField::Function)
                .is_some_and(|f| is_misread_await(frame.node, f));
        if misread_await {
            self.await_seen[frame.ctx.function_id] = true;
            if frame.ctx.function_id == 0 {
                if let Some(deps) = &mut self.deps {
                    deps.sets_top_await = true;
                }
            }
        }
        if let Some(index) = frame.pair {
            self.out.websocket_pairs[index].scope.after_await = seen;
        }
        let misread = frame.kind == "await_expression"
            && self.frames.last().is_some_and(|parent| {
                parent.kind == "call_expression" && is_misread_await(parent.node, frame.node)
            });
        if frame.kind == "await_expression" && !misread {
            self.await_seen[frame.ctx.function_id] = true;
            if frame.ctx.function_id == 0 {
                if let Some(deps) = &mut self.deps {
                    deps.sets_top_await = true;
                }
            }
        }
    }

    /// The function being entered is a `.forEach/.map` callback.
    fn is_iteration_callback(&self) -> bool {
        let n = self.frames.len();
        if n < 2 || self.frames[n - 1].kind != "arguments" {
            return false;
        }
        let call = self.frames[n - 2].node;
        call.kind_str() == "call_expression"
            && call
                .field(NodeField::Function)
                .filter(|f| f.kind_str() == "member_expression")
                .and_then(|f| f.field(NodeField::Property))
                .is_some_and(|p| ITERATION_METHODS.contains(&node_text(p, self.text)))
    }

    /// The function being entered is the executor of an awaited or returned
    /// `new Promise(...)`.
    fn is_awaited_promise_executor(&self, function: Node) -> bool {
        let n = self.frames.len();
        if n < 3 || self.frames[n - 1].kind != "arguments" {
            return false;
        }
        let args = self.frames[n - 1].node;
        let new = self.frames[n - 2].node;
        let is_promise = new.kind_str() == "new_expression"
            && new
                .field(NodeField::Constructor)
                .is_some_and(|c| node_text(c, self.text) == "Promise");
        if !is_promise || args.named_child(0) != Some(function) {
            return false;
        }
        let (outer, parent) = self.climb(n - 2);
        let Some(parent) = parent else { return false };
        let parent = self.frames[parent].node;
        match parent.kind_str() {
            "await_expression" | "return_statement" => true,
            "arrow_function" => is_field(parent, "body", self.frames[outer].node),
            _ => false,
        }
    }

    fn call(&mut self, frame: &mut Frame<'t, 's>) {
        let node = frame.node;
        let is_new = node.kind_str() == "new_expression";
        let (function, range, misread_await) = if is_new {
            (node.field(NodeField::Constructor), node_range(node), false)
        } else {
            match normalized_call(node) {
                Some((function, _, range)) => (
                    Some(function),
                    range,
                    range.start as usize != node.start_byte(),
                ),
                None => (None, node_range(node), false),
            }
        };
        let Some(function) = function else { return };
        let chain = chain(function, self.text);
        let Some(last) = chain.segments.first() else {
            return;
        };
        let n = chain.segments.len();
        let root = &chain.segments[n - 1];
        let record = (last.calls == 0 && INTERESTING_CALLS.contains(&last.text))
            || chain.segments[1..]
                .iter()
                .any(|s| s.calls > 0 && !s.is_new && STUB_CALLS.contains(&s.text))
            || (n >= 2 && root.calls == 0 && self.is_call_var(root.text))
            || (n == 3 && root.text == "this" && root.calls == 0);
        if !record {
            return;
        }
        // `await x.m<T>()` misread by the grammar is an awaited call.
        let usage = if misread_await {
            CallUsage::Awaited
        } else {
            self.usage(node)
        };
        if let CallUsage::AssignedTo(names) = &usage {
            // Only plain names can root a later chain (`stub.join()`).
            for name in names {
                if !name.contains('.') {
                    self.add_call_var(name);
                }
            }
        }
        let scope = Scope {
            // Filled in by `Collected::set_classes`.
            class: None,
            method: frame.ctx.method.map(intern),
            function: frame.ctx.function,
            in_loop: frame.ctx.in_loop,
            in_finally: frame.ctx.in_finally,
            in_try: frame.ctx.in_try,
            after_await: false,
            in_awaited_promise: frame.ctx.in_awaited_promise,
        };
        let args = node
            .field(NodeField::Arguments)
            .map(|a| args(a, self.text, 0))
            .unwrap_or_default();
        if is_new && last.text == "WebSocketPair" {
            if let Some(pair) = self.websocket_pair(&scope) {
                frame.pair = Some(self.out.websocket_pairs.len());
                if frame.ctx.function_id == 0 {
                    if let Some(deps) = &mut self.deps {
                        deps.top_pairs.push(self.out.websocket_pairs.len());
                    }
                }
                self.out.websocket_pairs.push(pair);
                self.out.pair_calls.push(node_range(node));
            }
        }
        frame.call = Some(self.out.calls.len());
        if frame.ctx.function_id == 0 {
            if let Some(deps) = &mut self.deps {
                deps.top_calls.push(self.out.calls.len());
            }
        }
        self.out.calls.push(CallSite {
            callee: chain.strings(),
            name_range: node_range(chain.name),
            range,
            is_new,
            args,
            usage,
            scope,
        });
    }

    /// How the value of the node being entered (a child of the top frame) is
    /// used.
    fn usage(&self, node: Node) -> CallUsage {
        // Pretend `node` is frame `len`: climb the wrappers above it.
        let mut child = node;
        let mut index = self.frames.len();
        while index > 0 && is_transparent(self.frames[index - 1].node) {
            index -= 1;
            child = self.frames[index].node;
        }
        let Some(parent) = index.checked_sub(1).map(|i| self.frames[i].node) else {
            return CallUsage::Other;
        };
        match parent.kind_str() {
            "await_expression" => CallUsage::Awaited,
            "return_statement" => CallUsage::Returned,
            "arrow_function" if is_field(parent, "body", child) => CallUsage::Returned,
            "variable_declarator" if is_field(parent, "value", child) => CallUsage::AssignedTo(
                parent
                    .field(NodeField::Name)
                    .map(|p| pattern_names(p, self.text))
                    .unwrap_or_default(),
            ),
            "assignment_expression" if is_field(parent, "right", child) => CallUsage::AssignedTo(
                parent
                    .field(NodeField::Left)
                    .map(|p| pattern_names(p, self.text))
                    .unwrap_or_default(),
            ),
            "public_field_definition" if is_field(parent, "value", child) => {
                let name = parent
                    .field(NodeField::Name)
                    .map(|n| node_text(n, self.text))
                    .unwrap_or_default();
                CallUsage::AssignedTo(vec![intern(&format!("this.{name}"))])
            }
            "arguments" => CallUsage::Argument,
            "expression_statement" => CallUsage::Floating,
            _ => CallUsage::Other,
        }
    }

    /// For `new WebSocketPair()` being entered: the variables it is bound to.
    fn websocket_pair(&self, scope: &Scope) -> Option<WebSocketPairBinding> {
        let mut index = self.frames.len();
        while index > 0 && is_transparent(self.frames[index - 1].node) {
            index -= 1;
        }
        let mut parent = self.frames[index.checked_sub(1)?].node;
        let mut via_values = false;
        // `Object.values(new WebSocketPair())`
        if parent.kind_str() == "arguments" && index >= 2 {
            let call = self.frames[index - 2].node;
            let is_values = call.kind_str() == "call_expression"
                && call
                    .field(NodeField::Function)
                    .is_some_and(|f| node_text(f, self.text) == "Object.values");
            if !is_values {
                return None;
            }
            let (_, above) = self.climb(index - 2);
            parent = self.frames[above?].node;
            via_values = true;
        }
        let pattern = match parent.kind_str() {
            "variable_declarator" => parent.field(NodeField::Name)?,
            "assignment_expression" => parent.field(NodeField::Left)?,
            _ => return None,
        };
        let (names, destructured) = match pattern.kind_str() {
            "identifier" if !via_values => (vec![intern(node_text(pattern, self.text))], false),
            "array_pattern" => (pattern_names(pattern, self.text), true),
            "object_pattern" => (indexed_pattern_names(pattern, self.text), true),
            _ => return None,
        };
        Some(WebSocketPairBinding {
            names,
            destructured,
            range: node_range(parent),
            scope: scope.clone(),
        })
    }

    fn comment(&mut self, node: Node) {
        if let Some(suppression) = suppression(node_text(node, self.text), node_range(node)) {
            self.out.suppressions.push(suppression);
        }
    }
}

// ---------------------------------------------------------------- chains

struct Segment<'s> {
    text: &'s str,
    /// `()` suffixes: `getByName(x).join` has `getByName` with 1.
    calls: u8,
    /// `new Date().x`: the `Date` segment is a constructor call.
    is_new: bool,
}

/// A callee chain, last segment first.
struct Chain<'t, 's> {
    segments: Vec<Segment<'s>>,
    /// The node of the last segment.
    name: Node<'t>,
}

impl Chain<'_, '_> {
    fn strings(&self) -> Vec<Name> {
        self.segments
            .iter()
            .rev()
            .map(|s| {
                if !s.is_new && s.calls == 0 {
                    return intern(s.text);
                }
                let mut out = String::with_capacity(s.text.len() + 6);
                if s.is_new {
                    out.push_str("new ");
                }
                out.push_str(s.text);
                for _ in 0..s.calls {
                    out.push_str("()");
                }
                intern(&out)
            })
            .collect()
    }
}

/// Read `a.b(x).c` into segments, bounded in length.
fn chain<'t, 's>(start: Node<'t>, text: &'s str) -> Chain<'t, 's> {
    let mut segments: Vec<Segment> = Vec::new();
    let mut name = None;
    let mut pending_calls = 0u8;
    let mut node = start;
    let mut push =
        |segments: &mut Vec<Segment<'s>>, at: Node<'t>, t: &'s str, calls: u8, is_new| {
            name.get_or_insert(at);
            segments.push(Segment {
                text: t,
                calls,
                is_new,
            });
        };
    let mut steps = 0;
    loop {
        steps += 1;
        if steps > MAX_CHAIN_STEPS || segments.len() >= MAX_CALLEE_SEGMENTS {
            push(&mut segments, node, "…", 0, false);
            break;
        }
        match node.kind_str() {
            kind if is_transparent_kind(kind) => match node.named_child(0) {
                Some(inner) => node = inner,
                None => {
                    push(&mut segments, node, "…", pending_calls, false);
                    break;
                }
            },
            "member_expression" => {
                let (Some(property), Some(object)) = (
                    node.field(NodeField::Property),
                    node.field(NodeField::Object),
                ) else {
                    push(&mut segments, node, "…", pending_calls, false);
                    break;
                };
                push(
                    &mut segments,
                    property,
                    node_text(property, text),
                    pending_calls,
                    false,
                );
                pending_calls = 0;
                node = object;
            }
            "subscript_expression" => {
                push(&mut segments, node, "[]", pending_calls, false);
                pending_calls = 0;
                match node.field(NodeField::Object) {
                    Some(object) => node = object,
                    None => break,
                }
            }
            "call_expression" => {
                pending_calls = pending_calls.saturating_add(1);
                match call_function(node) {
                    Some(function) => node = function,
                    None => {
                        push(&mut segments, node, "…", pending_calls, false);
                        break;
                    }
                }
            }
            "new_expression" => {
                let constructor = node
                    .field(NodeField::Constructor)
                    .filter(|c| c.kind_str() == "identifier");
                let t = constructor.map_or("…", |c| node_text(c, text));
                push(
                    &mut segments,
                    constructor.unwrap_or(node),
                    t,
                    pending_calls.saturating_add(1),
                    true,
                );
                break;
            }
            "identifier" | "this" | "super" | "property_identifier" => {
                push(
                    &mut segments,
                    node,
                    node_text(node, text),
                    pending_calls,
                    false,
                );
                break;
            }
            _ => {
                push(&mut segments, node, "…", pending_calls, false);
                break;
            }
        }
    }
    Chain {
        segments,
        name: name.unwrap_or(start),
    }
}

/// Wrappers that do not change which value an expression is.
pub(crate) fn is_transparent_kind(kind: &str) -> bool {
    matches!(
        kind,
        "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
    )
}

// ------------------------------------------------------------- arguments

fn args(arguments: Node, text: &str, depth: usize) -> Vec<Arg> {
    let mut cursor = arguments.walk();
    let out = arguments
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .take(MAX_ARGS)
        .map(|n| arg(n, text, depth))
        .collect();
    out
}

fn arg(node: Node, text: &str, depth: usize) -> Arg {
    Arg {
        range: node_range(node),
        value: arg_value(node, text, depth),
    }
}

fn arg_value(node: Node, text: &str, depth: usize) -> ArgValue {
    let node = unwrap_expression(node);
    match node.kind_str() {
        "spread_element" => ArgValue::Spread,
        "string" => {
            let mut value = Truncated::default();
            let mut cursor = node.walk();
            for part in node.named_children(&mut cursor) {
                let raw = node_text(part, text);
                if part.kind_str() == "escape_sequence" {
                    unescape(raw, &mut value);
                } else {
                    value.push_str(raw);
                }
            }
            ArgValue::String {
                value: value.value,
                len: value.len,
            }
        }
        "template_string" => {
            let (start, end) = (node.start_byte(), node.end_byte());
            let raw = text.get(start + 1..end.saturating_sub(1)).unwrap_or("");
            let mut value = Truncated::default();
            value.push_str(raw);
            let mut cursor = node.walk();
            let interpolations = node
                .named_children(&mut cursor)
                .filter(|c| c.kind_str() == "template_substitution")
                .count();
            ArgValue::Template {
                raw: value.value,
                len: value.len,
                interpolations: u32::try_from(interpolations).unwrap_or(u32::MAX),
            }
        }
        "number" => number(node_text(node, text)).map_or(ArgValue::Other, ArgValue::Number),
        "unary_expression" => {
            let operator = node.field(NodeField::Operator).map(|o| o.kind_str());
            let argument = node.field(NodeField::Argument).map(unwrap_expression);
            match (operator, argument) {
                (Some(op @ ("-" | "+")), Some(a)) if a.kind_str() == "number" => {
                    match number(node_text(a, text)) {
                        Some(n) if op == "-" => ArgValue::Number(-n),
                        Some(n) => ArgValue::Number(n),
                        None => ArgValue::Other,
                    }
                }
                _ => ArgValue::Other,
            }
        }
        "identifier" | "this" => ArgValue::Identifier(intern(node_text(node, text))),
        "member_expression" | "subscript_expression" => {
            let segments = chain(node, text);
            ArgValue::Member(segments.strings())
        }
        "call_expression" => match call_function(node) {
            Some(function) => ArgValue::Call(chain(function, text).strings()),
            None => ArgValue::Other,
        },
        "object" if depth < MAX_ARG_DEPTH => {
            let mut props = Vec::new();
            let mut cursor = node.walk();
            for prop in node.named_children(&mut cursor).take(MAX_ARGS) {
                match prop.kind_str() {
                    "pair" => {
                        let (Some(key), Some(value)) =
                            (prop.field(NodeField::Key), prop.field(NodeField::Value))
                        else {
                            continue;
                        };
                        let key = match key.kind_str() {
                            "string" => match super::string_value(key, text) {
                                Some(s) => s.value,
                                None => continue,
                            },
                            "property_identifier" | "number" => node_text(key, text).to_owned(),
                            _ => continue,
                        };
                        props.push((key, arg(value, text, depth + 1)));
                    }
                    "shorthand_property_identifier" => {
                        let name = node_text(prop, text);
                        props.push((
                            name.to_owned(),
                            Arg {
                                range: node_range(prop),
                                value: ArgValue::Identifier(intern(name)),
                            },
                        ));
                    }
                    _ => {}
                }
            }
            ArgValue::Object(props)
        }
        "array" if depth < MAX_ARG_DEPTH => {
            let mut cursor = node.walk();
            let elements = node
                .named_children(&mut cursor)
                .filter(|n| n.kind_str() != "comment")
                .take(MAX_ARGS)
                .map(|e| arg(e, text, depth + 1))
                .collect();
            ArgValue::Array(elements)
        }
        kind if is_function(kind) => ArgValue::Function {
            is_async: has_token(node, "async"),
            body: node
                .field(NodeField::Body)
                .map_or(node_range(node), node_range),
        },
        _ => ArgValue::Other,
    }
}

/// A string kept up to [`MAX_ARG_STRING_CHARS`] chars, with its full length.
#[derive(Default)]
struct Truncated {
    value: String,
    chars: usize,
    len: usize,
}

impl Truncated {
    fn push_str(&mut self, s: &str) {
        self.len += s.len();
        if self.chars >= MAX_ARG_STRING_CHARS {
            return;
        }
        for c in s.chars() {
            if self.chars >= MAX_ARG_STRING_CHARS {
                break;
            }
            self.value.push(c);
            self.chars += 1;
        }
    }

    fn push(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push_str(c.encode_utf8(&mut buf));
    }
}

/// Decode one JS escape sequence (`\n`, `\x41`, `\u{1F600}`, line
/// continuation); unknown escapes stand for their character.
fn unescape(raw: &str, out: &mut Truncated) {
    let Some(body) = raw.strip_prefix('\\') else {
        out.push_str(raw);
        return;
    };
    let hex = |s: &str| u32::from_str_radix(s, 16).ok().and_then(char::from_u32);
    let decoded = match body.chars().next() {
        Some('n') => Some('\n'),
        Some('t') => Some('\t'),
        Some('r') => Some('\r'),
        Some('b') => Some('\u{8}'),
        Some('f') => Some('\u{c}'),
        Some('v') => Some('\u{b}'),
        Some('0') if body.len() == 1 => Some('\0'),
        Some('x') => hex(&body[1..]),
        Some('u') => hex(body[1..].trim_start_matches('{').trim_end_matches('}')),
        Some('\r' | '\n' | '\u{2028}' | '\u{2029}') => return,
        Some(c) if body.len() == c.len_utf8() => Some(c),
        _ => None,
    };
    match decoded {
        Some(c) => out.push(c),
        None => out.push_str(body),
    }
}

fn number(raw: &str) -> Option<f64> {
    let cleaned: String = raw.chars().filter(|c| *c != '_').collect();
    if cleaned.ends_with('n') {
        return None; // BigInt
    }
    let lower = cleaned.to_ascii_lowercase();
    let radix = |prefix: &str, radix| {
        lower
            .strip_prefix(prefix)
            .and_then(|digits| u64::from_str_radix(digits, radix).ok())
            .map(|n| n as f64)
    };
    radix("0x", 16)
        .or_else(|| radix("0o", 8))
        .or_else(|| radix("0b", 2))
        .or_else(|| cleaned.parse::<f64>().ok())
}

// -------------------------------------------------------------- patterns

/// Names bound by an assignment target, in order: `x`, `this.x`,
/// `{ a, b: c }` → `a, c`, `[a, , b]` → `a, b`.
fn pattern_names(pattern: Node, text: &str) -> Vec<Name> {
    let mut names = Vec::new();
    pattern_names_into(pattern, text, 0, &mut names);
    names
}

fn pattern_names_into(pattern: Node, text: &str, depth: usize, out: &mut Vec<Name>) {
    if depth > MAX_ARG_DEPTH || out.len() >= MAX_PATTERN_NAMES {
        return;
    }
    let pattern = unwrap_expression(pattern);
    match pattern.kind_str() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(intern(node_text(pattern, text)))
        }
        "member_expression" => {
            let t = node_text(pattern, text);
            let t = match t.char_indices().nth(MAX_TARGET_CHARS) {
                Some((cut, _)) => &t[..cut],
                None => t,
            };
            out.push(intern(t));
        }
        "object_pattern" | "array_pattern" => {
            let mut cursor = pattern.walk();
            for child in pattern.named_children(&mut cursor) {
                pattern_names_into(child, text, depth + 1, out);
            }
        }
        "pair_pattern" => {
            if let Some(value) = pattern.field(NodeField::Value) {
                pattern_names_into(value, text, depth + 1, out);
            }
        }
        "object_assignment_pattern" | "assignment_pattern" => {
            if let Some(left) = pattern.field(NodeField::Left) {
                pattern_names_into(left, text, depth + 1, out);
            }
        }
        "rest_pattern" => {
            if let Some(inner) = pattern.named_child(0) {
                pattern_names_into(inner, text, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// `{ 0: client, 1: server }` → `[client, server]`, ordered by index.
fn indexed_pattern_names(pattern: Node, text: &str) -> Vec<Name> {
    let mut indexed: Vec<(u32, Name)> = Vec::new();
    let mut cursor = pattern.walk();
    for child in pattern.named_children(&mut cursor) {
        if child.kind_str() != "pair_pattern" {
            continue;
        }
        let (Some(key), Some(value)) = (child.field(NodeField::Key), child.field(NodeField::Value))
        else {
            continue;
        };
        let key = node_text(key, text).trim_matches(['"', '\'']);
        let (Ok(index), Some(name)) = (key.parse::<u32>(), pattern_names(value, text).pop()) else {
            continue;
        };
        indexed.push((index, name));
    }
    indexed.sort_by_key(|(index, _)| *index);
    indexed.into_iter().map(|(_, name)| name).collect()
}

// ---------------------------------------------------------- suppressions

/// `// dols-ignore-next-line rule-a, rule-b: reason`, `/* dols-ignore-file
/// rule-a */`.
fn suppression(comment: &str, range: TextRange) -> Option<Suppression> {
    let body = if let Some(rest) = comment.strip_prefix("//") {
        rest
    } else {
        let rest = comment.strip_prefix("/*")?;
        rest.strip_suffix("*/").unwrap_or(rest)
    };
    let body = body.trim_start_matches(['*', ' ', '\t']);
    let (whole_file, rest) = if let Some(rest) = body.strip_prefix("dols-ignore-next-line") {
        (false, rest)
    } else if let Some(rest) = body.strip_prefix("dols-ignore-file") {
        (true, rest)
    } else {
        return None;
    };
    // `dols-ignore-next-linex` is another word.
    if rest
        .chars()
        .next()
        .is_some_and(|c| !c.is_whitespace() && c != ':')
    {
        return None;
    }
    Some(Suppression {
        rules: rule_ids(rest),
        whole_file,
        range,
    })
}

/// Kebab-case ids separated by commas or spaces, up to a `:` (the reason)
/// or the first word that is not an id.
fn rule_ids(list: &str) -> Vec<String> {
    let mut rules = Vec::new();
    for word in list.split([',', ' ', '\t', '\r', '\n']) {
        let (word, ends) = match word.split_once(':') {
            Some((before, _)) => (before, true),
            None => (word, false),
        };
        if !word.is_empty() {
            let is_id = word.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
            if !is_id {
                break;
            }
            rules.push(word.to_owned());
        }
        if ends {
            break;
        }
    }
    rules
}
