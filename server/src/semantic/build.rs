//! Builds a [`FileSemantics`] from a syntax tree in one recursive walk.
//!
//! The walk keeps a stack of scopes, the innermost function and what `this`
//! means. Declarations go into the scope they belong to (`var` to the
//! function, `let`/`const`/classes to the block); identifier reads are
//! recorded with their scope and resolved after the walk, so hoisted and
//! later declarations are found and an inner declaration shadows an outer
//! one. Expressions are turned into [`Expr`]s only where something needs
//! them (initialisers, assignments, returns, calls), memoised per node.
use crate::names::name as intern;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use tree_sitter::{Node, Tree, TreeCursor};

use super::{
    AwaitSite, CallId, ClassId, ClassSem, Decl, DeclId, DeclKind, Expr, ExprId, FileSemantics,
    Func, FuncId, FuncOwner, NewExpr, ScopeData, ScopeId, ScopeKind, SemCall, Ty, Use, UseRole,
    UNKNOWN, UNRESOLVED,
};
use crate::index::extract::calls::is_transparent_kind;
use crate::index::extract::{has_token, node_range as range};
use crate::index::syntax::{normalized_call, NodeExt, NodeField};
use crate::text::TextRange;

/// A small multiply-rotate hasher (the `FxHash` scheme): the maps of the
/// walk are keyed by node ids and short names, where SipHash's DoS
/// resistance buys nothing and costs a visible share of the walk.
#[derive(Default)]
pub(super) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Nesting the walk follows; deeper subtrees are left unmodelled (and the
/// model says so in `truncated`), so a pathological file cannot overflow
/// the stack.
const MAX_DEPTH: u32 = 400;
/// Nesting followed inside one expression.
const MAX_EXPR_DEPTH: u32 = 48;
/// String literals kept up to this many bytes.
const MAX_STR: usize = 256;

/// Unresolved globals whose method calls are worth keeping: the model
/// evaluates `Object.values(pair)` and friends.
const KEPT_GLOBALS: &[&str] = &["Object", "env"];

pub fn build(tree: &Tree, text: &str) -> FileSemantics {
    let root = tree.root_node();
    let pieces: Vec<FileSemantics> = top_level_nodes(root)
        .into_iter()
        .map(|node| build_piece(node, text))
        .collect();
    super::assemble::assemble(pieces.iter().map(|p| (p, 0)), root, text)
}

/// The nodes a file's model is built from, one piece each: the children
/// of a `program`, or the root itself when it is not one (a file that
/// failed to parse as a whole).
pub fn top_level_nodes(root: Node) -> Vec<Node> {
    if root.kind_str() != "program" {
        return vec![root];
    }
    let mut cursor = root.walk();
    let nodes = root.children(&mut cursor).collect();
    nodes
}

/// The model of one top-level node on its own: its module scope holds the
/// names it declares at the top level, reads of names it does not declare
/// stay unresolved (`Expr::Global`, `free_reads`, `free_assigns`) until
/// [`super::assemble::assemble`] joins the pieces of a file. A piece
/// depends on nothing but the node's own text, so an open document keeps
/// the pieces of the statements an edit did not touch.
pub fn build_piece(node: Node, text: &str) -> FileSemantics {
    let mut builder = Builder {
        text,
        out: FileSemantics::default(),
        scopes: Vec::new(),
        funcs: Vec::new(),
        this: Vec::new(),
        pending_names: Vec::new(),
        refs: Vec::new(),
        assigns: Vec::new(),
        depth: 0,
        expr_cache: FastMap::default(),
        func_of_node: FastMap::default(),
        class_of_node: FastMap::default(),
        callee: None,
        member_object: None,
        caught: 0,
        cursors: Vec::new(),
        statement_call: None,
    };
    builder.out.exprs.push(Expr::Unknown);
    let module = builder.push_scope(ScopeKind::Module, node);
    builder.scopes.push(module);
    builder.this.push(None);
    builder.visit(node);
    builder.finish()
}

/// See [`FileSemantics::module_items_broken`].
pub(super) fn module_items_broken(root: Node) -> bool {
    if !root.has_error() {
        return false;
    }
    if root.kind_str() != "program" || root.is_error() {
        return true;
    }
    let mut cursor = root.walk();
    let broken = root.children(&mut cursor).any(|item| {
        if item.is_error() || item.is_missing() {
            return true;
        }
        item.has_error()
            && matches!(
                item.kind_str(),
                "import_statement"
                    | "export_statement"
                    | "class_declaration"
                    | "abstract_class_declaration"
            )
            && error_outside_bodies(item)
    });
    broken
}

/// An ERROR or MISSING node below `node` that is not inside a function
/// body (a `statement_block`).
fn error_outside_bodies(node: Node) -> bool {
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        let mut cursor = current.walk();
        for child in current.children(&mut cursor) {
            if child.is_error() || child.is_missing() {
                return true;
            }
            if child.has_error() && child.kind_str() != "statement_block" {
                stack.push(child);
            }
        }
    }
    false
}

struct Builder<'t, 's> {
    text: &'s str,
    out: FileSemantics,
    /// The scope stack (innermost last).
    scopes: Vec<ScopeId>,
    /// Functions around the current node (innermost last).
    funcs: Vec<FuncId>,
    /// What `this` means here: a class, or something the model does not
    /// follow (`None`: a plain function, an object method, top level).
    this: Vec<Option<ClassId>>,
    /// `Expr::Global` placeholders for identifiers, resolved at the end.
    pending_names: Vec<(ExprId, &'s str, ScopeId)>,
    /// Identifier reads: name, scope, range, whether read as `x.member`.
    refs: Vec<(&'s str, ScopeId, TextRange, bool)>,
    /// `name = value` assignments, resolved at the end.
    assigns: Vec<(String, ScopeId, ExprId, TextRange)>,
    depth: u32,
    expr_cache: FastMap<usize, ExprId>,
    func_of_node: FastMap<usize, FuncId>,
    class_of_node: FastMap<usize, ClassId>,
    /// The function child of the call being visited (`x.m` in `x.m()`).
    callee: Option<usize>,
    /// The object of the member expression being visited, when that member
    /// is read rather than called.
    member_object: Option<usize>,
    /// How many `try` blocks with a `catch` of the current function the
    /// walk is in.
    caught: u32,
    /// Cursors to reuse: a new one allocates, and the walk needs one per
    /// node with children.
    cursors: Vec<TreeCursor<'t>>,
    /// The call that is the whole expression of the statement being
    /// visited (`x.m();`): its result is dropped.
    statement_call: Option<usize>,
}

/// Wrappers that leave the value alone: the index's (`(x)`, `x!`,
/// `x as T`, `x satisfies T`) plus `<T>x` and `await x` (a promise's value
/// is what the model tracks).
fn is_transparent(kind: &str) -> bool {
    is_transparent_kind(kind) || matches!(kind, "type_assertion" | "await_expression")
}

fn unwrap(mut node: Node) -> Node {
    for _ in 0..64 {
        if !is_transparent(node.kind_str()) {
            break;
        }
        // `<T>x`: the expression is the last named child.
        let inner = if node.kind_str() == "type_assertion" {
            node.named_child(node.named_child_count().saturating_sub(1) as u32)
        } else {
            node.named_child(0)
        };
        match inner {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

impl<'t, 's> Builder<'t, 's> {
    fn text_of(&self, node: Node) -> &'s str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    fn scope(&self) -> ScopeId {
        *self.scopes.last().expect("module scope")
    }

    fn push_scope(&mut self, kind: ScopeKind, node: Node) -> ScopeId {
        let parent = self.scopes.last().copied();
        self.out.scopes.push(ScopeData {
            kind,
            range: range(node),
            parent,
        });
        (self.out.scopes.len() - 1) as ScopeId
    }

    /// The nearest function (or module) scope: where `var` goes.
    fn var_scope(&self) -> ScopeId {
        for &scope in self.scopes.iter().rev() {
            if matches!(
                self.out.scopes[scope as usize].kind,
                ScopeKind::Function(_) | ScopeKind::Module
            ) {
                return scope;
            }
        }
        0
    }

    fn push_expr(&mut self, expr: Expr) -> ExprId {
        if expr == Expr::Unknown {
            return UNKNOWN;
        }
        self.out.exprs.push(expr);
        (self.out.exprs.len() - 1) as ExprId
    }

    fn declare(&mut self, name: &str, at: TextRange, scope: ScopeId, kind: DeclKind) -> DeclId {
        self.out.decls.push(Decl {
            name: intern(name),
            range: at,
            scope,
            kind,
            values: Vec::new(),
        });
        (self.out.decls.len() - 1) as DeclId
    }

    /// A function or class declared under `name` in the current scope,
    /// holding `value`.
    fn declare_named(&mut self, name: Node, kind: DeclKind, value: Expr) {
        let scope = self.scope();
        let decl = self.declare(self.text_of(name), range(name), scope, kind);
        let value = self.push_expr(value);
        self.out.decls[decl as usize].values.push(value);
    }

    // -- the walk ----------------------------------------------------------

    fn cursor_at(&mut self, node: Node<'t>) -> TreeCursor<'t> {
        match self.cursors.pop() {
            Some(mut cursor) => {
                cursor.reset(node);
                cursor
            }
            None => node.walk(),
        }
    }

    /// The named children of `node`, with a reused cursor.
    fn named_children(&mut self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut cursor = self.cursor_at(node);
        let children = node.named_children(&mut cursor).collect();
        self.cursors.push(cursor);
        children
    }

    fn visit_children(&mut self, node: Node<'t>) {
        if node.child_count() == 0 {
            return;
        }
        let mut cursor = self.cursor_at(node);
        cursor.goto_first_child();
        loop {
            let child = cursor.node();
            if child.is_named() {
                self.visit(child);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
        self.cursors.push(cursor);
    }

    fn visit(&mut self, node: Node<'t>) {
        if self.depth >= MAX_DEPTH {
            self.out.truncated = true;
            return;
        }
        self.depth += 1;
        self.visit_inner(node);
        self.depth -= 1;
    }

    fn visit_inner(&mut self, node: Node<'t>) {
        match node.kind_str() {
            // Types hold no values.
            "type_annotation"
            | "type_arguments"
            | "type_parameters"
            | "interface_declaration"
            | "type_alias_declaration"
            | "comment"
            | "string"
            | "number"
            | "regex"
            | "property_identifier"
            | "enum_declaration"
            | "ambient_declaration" => {}
            "function_declaration" | "generator_function_declaration" => {
                let func = self.visit_function(node, FuncOwner::Free);
                if let Some(name) = node.field(NodeField::Name) {
                    self.declare_named(name, DeclKind::Function(func), Expr::Func(func));
                }
            }
            "function_expression" | "function" | "arrow_function" | "generator_function" => {
                self.visit_function(node, FuncOwner::Free);
            }
            "method_definition" => {
                // In an object literal (class bodies are handled by `visit_class`).
                let name = node
                    .field(NodeField::Name)
                    .map(|n| self.property_name(n))
                    .unwrap_or_default();
                self.visit_function(
                    node,
                    FuncOwner::ObjectMethod {
                        name: intern(&name),
                    },
                );
            }
            "pair" => {
                // `{ fetch: async (req, env) => ... }` is an object method too.
                let key = node.field(NodeField::Key);
                match node.field(NodeField::Value) {
                    Some(value) if is_function(value.kind_str()) => {
                        let name = key.map(|k| self.property_name(k)).unwrap_or_default();
                        self.visit_function(
                            value,
                            FuncOwner::ObjectMethod {
                                name: intern(&name),
                            },
                        );
                    }
                    Some(value) => {
                        if let Some(key) = key.filter(|k| k.kind_str() == "computed_property_name")
                        {
                            self.visit(key);
                        }
                        self.visit(value);
                    }
                    None => self.visit_children(node),
                }
            }
            "class_declaration" | "class" | "abstract_class_declaration" => {
                self.visit_class(node);
            }
            "lexical_declaration" | "variable_declaration" => self.visit_declaration(node),
            "statement_block" | "switch_body" | "class_static_block" => {
                let kind = if node.kind_str() == "switch_body" {
                    ScopeKind::Switch
                } else {
                    ScopeKind::Block
                };
                let scope = self.push_scope(kind, node);
                self.scopes.push(scope);
                self.visit_children(node);
                self.scopes.pop();
            }
            "for_statement" | "for_in_statement" => self.visit_for(node),
            "while_statement" | "do_statement" => {
                let scope = self.push_scope(
                    ScopeKind::Loop {
                        over_elements: false,
                    },
                    node,
                );
                self.scopes.push(scope);
                self.visit_children(node);
                self.scopes.pop();
            }
            "catch_clause" => {
                let scope = self.push_scope(ScopeKind::Block, node);
                self.scopes.push(scope);
                if let Some(param) = node.field(NodeField::Parameter) {
                    self.declare_pattern(param, scope, &DeclKind::Catch, &[]);
                }
                if let Some(body) = node.field(NodeField::Body) {
                    // The body shares the clause's scope.
                    self.visit_children(body);
                }
                self.scopes.pop();
            }
            "import_statement" => self.visit_import(node),
            "identifier" | "shorthand_property_identifier" => self.reference(node),
            "this" => {}
            "assignment_expression" => {
                self.visit_children(node);
                self.visit_assignment(node);
            }
            "expression_statement" => {
                // `x.m();`, `(x.m() as T);`; not `await x.m();` nor `void x.m();`
                let mut inner = node.named_child(0);
                while let Some(n) = inner.filter(|n| is_transparent_kind(n.kind_str())) {
                    inner = n.named_child(0);
                }
                let outer = self.statement_call;
                self.statement_call = inner
                    .filter(|n| n.kind_str() == "call_expression")
                    .map(|n| n.id());
                self.visit_children(node);
                self.statement_call = outer;
            }
            "call_expression" | "new_expression" => {
                let callee = node.field(NodeField::Function).map(|f| f.id());
                let outer = std::mem::replace(&mut self.callee, callee);
                self.visit_children(node);
                self.callee = outer;
                self.record_call(node);
            }
            "return_statement" => {
                self.visit_children(node);
                if let (Some(&func), Some(value)) = (self.funcs.last(), node.named_child(0)) {
                    let value = self.expr(value);
                    self.out.funcs[func as usize].returns.push(value);
                }
            }
            "member_expression" => {
                // `x.member` read without calling it: `x` is a member read.
                let is_callee = self.callee == Some(node.id());
                let outer_callee = self.callee.take();
                let outer = self.member_object;
                self.member_object = if is_callee {
                    None
                } else {
                    node.field(NodeField::Object).map(|o| o.id())
                };
                self.visit_children(node);
                self.member_object = outer;
                self.callee = outer_callee;
                self.note_env_read(node);
            }
            "subscript_expression" => {
                self.visit_children(node);
                self.note_env_read(node);
            }
            "export_specifier" => {
                // `export { local as exported }`: the local name is a read.
                if let Some(name) = node.field(NodeField::Name) {
                    if name.kind_str() == "identifier" {
                        self.reference(name);
                    }
                }
            }
            "await_expression" => {
                self.visit_children(node);
                if let Some(inner) = node.named_child(0) {
                    let value = self.expr(inner);
                    self.out.awaits.push(AwaitSite {
                        range: range(node),
                        value,
                        func: self.funcs.last().copied(),
                        caught: self.caught > 0,
                    });
                }
            }
            "try_statement" => {
                let has_catch = node.field(NodeField::Handler).is_some();
                if let Some(body) = node.field(NodeField::Body) {
                    self.caught += u32::from(has_catch);
                    self.visit(body);
                    self.caught -= u32::from(has_catch);
                }
                for field in [NodeField::Handler, NodeField::Finalizer] {
                    if let Some(part) = node.field(field) {
                        self.visit(part);
                    }
                }
            }
            "labeled_statement" => {
                if let Some(body) = node.field(NodeField::Body) {
                    self.visit(body);
                }
            }
            _ => self.visit_children(node),
        }
    }

    /// Records an identifier read; `refs` are resolved after the walk.
    /// (No `Node::parent()` here: it descends from the root, which is
    /// linear in the number of top-level statements for each call.)
    fn reference(&mut self, node: Node) {
        let as_member_object = self.member_object == Some(node.id());
        self.refs.push((
            self.text_of(node),
            self.scope(),
            range(node),
            as_member_object,
        ));
    }

    fn visit_function(&mut self, node: Node<'t>, owner: FuncOwner) -> FuncId {
        if let Some(&func) = self.func_of_node.get(&node.id()) {
            return func;
        }
        let is_async = has_token(node, "async");
        self.out.funcs.push(Func {
            range: range(node),
            params: 0,
            param_types: Vec::new(),
            returns: Vec::new(),
            is_async,
            owner,
        });
        let func = (self.out.funcs.len() - 1) as FuncId;
        self.func_of_node.insert(node.id(), func);
        let scope = self.push_scope(ScopeKind::Function(func), node);
        self.scopes.push(scope);
        self.funcs.push(func);
        // Arrows keep the `this` around them; a class method's is the
        // instance; any other function's is whatever it is called on.
        let this = match (&self.out.funcs[func as usize].owner, node.kind_str()) {
            (FuncOwner::Method { class, .. }, _) => Some(*class),
            (_, "arrow_function") => *self.this.last().unwrap_or(&None),
            _ => None,
        };
        self.this.push(this);
        let outer_caught = std::mem::take(&mut self.caught);

        if let Some(params) = node.field(NodeField::Parameters) {
            let mut index = 0u32;
            let children = self.named_children(params);
            for param in children {
                if self.declare_param(param, func, index, scope) {
                    index += 1;
                }
            }
            self.out.funcs[func as usize].params = index;
        } else if let Some(param) = node.field(NodeField::Parameter) {
            // `x => ...`
            self.declare_param(param, func, 0, scope);
            self.out.funcs[func as usize].params = 1;
        }
        if let Some(body) = node.field(NodeField::Body) {
            if body.kind_str() == "statement_block" {
                self.visit_children(body);
            } else {
                self.visit(body);
                let value = self.expr(body);
                self.out.funcs[func as usize].returns.push(value);
            }
        }
        self.caught = outer_caught;
        self.this.pop();
        self.funcs.pop();
        self.scopes.pop();
        func
    }

    /// Declares one parameter; false for nodes that are not parameters
    /// (comments, decorators, `this: T`).
    fn declare_param(&mut self, param: Node<'t>, func: FuncId, index: u32, scope: ScopeId) -> bool {
        let (pattern, ty, default) = match param.kind_str() {
            "required_parameter" | "optional_parameter" => (
                param.field(NodeField::Pattern),
                param.field(NodeField::Type),
                param.field(NodeField::Value),
            ),
            "identifier" | "object_pattern" | "array_pattern" | "assignment_pattern"
            | "rest_pattern" => (Some(param), None, None),
            _ => return false,
        };
        let Some(pattern) = pattern else { return false };
        if pattern.kind_str() == "this" {
            return false;
        }
        let ty = ty.map(|t| self.read_type(t)).unwrap_or_default();
        let types = &mut self.out.funcs[func as usize].param_types;
        if types.len() <= index as usize {
            types.resize(index as usize + 1, Ty::None);
        }
        types[index as usize] = ty;
        let mut values = vec![self.push_expr(Expr::Param(func, index))];
        if let Some(default) = default {
            self.visit(default);
            values.push(self.expr(default));
        }
        let kind = DeclKind::Param { func, index };
        self.declare_pattern(pattern, scope, &kind, &values);
        true
    }

    fn visit_class(&mut self, node: Node<'t>) -> ClassId {
        let name = node.field(NodeField::Name);
        let mut heritage = None;
        for child in self.named_children(node) {
            if child.kind_str() == "class_heritage" {
                for clause in self.named_children(child) {
                    if clause.kind_str() == "extends_clause" {
                        if let Some(value) = clause.field(NodeField::Value) {
                            self.visit(value);
                            heritage = Some(self.expr(value));
                        }
                    }
                }
            }
        }
        self.out.classes.push(ClassSem {
            name: name.map(|n| intern(self.text_of(n))),
            range: range(node),
            heritage,
            fields: Vec::new(),
            methods: Vec::new(),
            constructor: None,
        });
        let class = (self.out.classes.len() - 1) as ClassId;
        self.class_of_node.insert(node.id(), class);
        if let Some(name) = name {
            // A class expression's name is visible only inside it; close
            // enough to declare it where the expression is.
            self.declare_named(name, DeclKind::Class(class), Expr::Class(class));
        }
        let scope = self.push_scope(ScopeKind::Class(class), node);
        self.scopes.push(scope);
        self.this.push(Some(class));
        if let Some(body) = node.field(NodeField::Body) {
            let members = self.named_children(body);
            for member in members {
                self.visit_class_member(class, member);
            }
        }
        self.this.pop();
        self.scopes.pop();
        class
    }

    fn visit_class_member(&mut self, class: ClassId, member: Node<'t>) {
        let is_static = has_token(member, "static");
        match member.kind_str() {
            "method_definition" | "method_signature" | "abstract_method_signature" => {
                let name = member
                    .field(NodeField::Name)
                    .map(|n| self.property_name(n))
                    .unwrap_or_default();
                if member.field(NodeField::Body).is_none() {
                    return; // an overload signature
                }
                let func = self.visit_function(
                    member,
                    FuncOwner::Method {
                        class,
                        name: intern(name.as_str()),
                        is_static,
                    },
                );
                let sem = &mut self.out.classes[class as usize];
                if name == "constructor" {
                    sem.constructor = Some(func);
                } else {
                    sem.methods.push((intern(&name), func));
                }
            }
            "public_field_definition" | "field_definition" => {
                let name = member
                    .field(NodeField::Name)
                    .or_else(|| member.field(NodeField::Property))
                    .map(|n| self.property_name(n))
                    .unwrap_or_default();
                let Some(value) = member.field(NodeField::Value) else {
                    return;
                };
                if is_function(value.kind_str()) {
                    let func = self.visit_function(
                        value,
                        FuncOwner::Method {
                            class,
                            name: intern(name.as_str()),
                            is_static,
                        },
                    );
                    self.out.classes[class as usize]
                        .methods
                        .push((intern(&name), func));
                } else if !is_static {
                    self.visit(value);
                    let value = self.expr(value);
                    self.add_field(class, &name, value);
                } else {
                    self.visit(value);
                }
            }
            _ => self.visit(member),
        }
    }

    fn add_field(&mut self, class: ClassId, name: &str, value: ExprId) {
        let fields = &mut self.out.classes[class as usize].fields;
        match fields.iter_mut().find(|(n, _)| &**n == name) {
            Some((_, values)) => values.push(value),
            None => fields.push((intern(name), vec![value])),
        }
    }

    fn visit_declaration(&mut self, node: Node<'t>) {
        let kind = match (node.kind_str(), node.child(0).map(|c| c.kind_str())) {
            ("variable_declaration", _) => DeclKind::Var,
            (_, Some("const")) => DeclKind::Const,
            _ => DeclKind::Let,
        };
        let scope = if kind == DeclKind::Var {
            self.var_scope()
        } else {
            self.scope()
        };
        let declarators = self.named_children(node);
        for declarator in declarators {
            if declarator.kind_str() != "variable_declarator" {
                continue;
            }
            let Some(name) = declarator.field(NodeField::Name) else {
                continue;
            };
            let mut values = Vec::new();
            if let Some(value) = declarator.field(NodeField::Value) {
                self.visit(value);
                values.push(self.expr(value));
                if name.kind_str() == "object_pattern" {
                    self.note_env_read_pattern(name, values[0]);
                }
            }
            self.declare_pattern(name, scope, &kind, &values);
        }
    }

    fn visit_for(&mut self, node: Node<'t>) {
        let over_elements = node.kind_str() == "for_in_statement";
        let scope = self.push_scope(ScopeKind::Loop { over_elements }, node);
        self.scopes.push(scope);
        if node.kind_str() == "for_in_statement" {
            // `for (const x of xs)`: `x` is each element; not followed.
            if let Some(left) = node.field(NodeField::Left) {
                // `for (const x of ...)`: the keyword sits before `left`.
                let mut cursor = node.walk();
                let declares = node
                    .children(&mut cursor)
                    .take_while(|c| c.id() != left.id())
                    .any(|c| matches!(c.kind_str(), "const" | "let" | "var"));
                if declares {
                    self.declare_pattern(left, scope, &DeclKind::Let, &[]);
                } else {
                    self.visit(left);
                }
            }
            if let Some(right) = node.field(NodeField::Right) {
                self.visit(right);
            }
            if let Some(body) = node.field(NodeField::Body) {
                self.visit(body);
            }
        } else {
            self.visit_children(node);
        }
        self.scopes.pop();
    }

    fn visit_import(&mut self, node: Node) {
        let Some(source) = node.field(NodeField::Source) else {
            return;
        };
        let specifier = string_contents(source, self.text).to_string();
        let scope = self.scope();
        let mut stack = vec![node];
        while let Some(current) = stack.pop() {
            let mut cursor = current.walk();
            for child in current.named_children(&mut cursor) {
                match child.kind_str() {
                    "import_clause" | "named_imports" => stack.push(child),
                    // `import X from`
                    "identifier" if current.kind_str() == "import_clause" => {
                        self.declare_import(child, &specifier, "default", scope);
                    }
                    "namespace_import" => {
                        if let Some(local) = child.named_child(0) {
                            self.declare_import(local, &specifier, "*", scope);
                        }
                    }
                    "import_specifier" => {
                        let Some(imported) = child.field(NodeField::Name) else {
                            continue;
                        };
                        let local = child.field(NodeField::Alias).unwrap_or(imported);
                        let imported = string_contents(imported, self.text).to_string();
                        self.declare_import(local, &specifier, &imported, scope);
                    }
                    _ => {}
                }
            }
        }
    }

    fn declare_import(&mut self, local: Node, specifier: &str, imported: &str, scope: ScopeId) {
        self.declare(
            self.text_of(local),
            range(local),
            scope,
            DeclKind::Import {
                specifier: intern(specifier),
                imported: intern(imported),
            },
        );
    }

    /// Declares every name bound by `pattern`, each with the part of
    /// `values` it takes.
    fn declare_pattern(
        &mut self,
        pattern: Node<'t>,
        scope: ScopeId,
        kind: &DeclKind,
        values: &[ExprId],
    ) {
        if self.depth >= MAX_DEPTH {
            self.out.truncated = true;
            return;
        }
        self.depth += 1;
        match pattern.kind_str() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let decl = self.declare(self.text_of(pattern), range(pattern), scope, kind.clone());
                self.out.decls[decl as usize].values = values.to_vec();
            }
            "object_pattern" => {
                let parts = self.named_children(pattern);
                for part in parts {
                    match part.kind_str() {
                        "shorthand_property_identifier_pattern" => {
                            let key = self.text_of(part).to_string();
                            let parts = self.members(values, &key);
                            self.declare_pattern(part, scope, kind, &parts);
                        }
                        "pair_pattern" => {
                            let key = part
                                .field(NodeField::Key)
                                .map(|k| self.property_name(k))
                                .unwrap_or_default();
                            if let Some(value) = part.field(NodeField::Value) {
                                let parts = self.members(values, &key);
                                self.declare_pattern(value, scope, kind, &parts);
                            }
                        }
                        "object_assignment_pattern" => {
                            // `{ a = 1 }`
                            let Some(left) = part.field(NodeField::Left) else {
                                continue;
                            };
                            let key = self.text_of(left).to_string();
                            let mut parts = self.members(values, &key);
                            if let Some(right) = part.field(NodeField::Right) {
                                self.visit(right);
                                parts.push(self.expr(right));
                            }
                            self.declare_pattern(left, scope, kind, &parts);
                        }
                        "rest_pattern" => {
                            if let Some(inner) = part.named_child(0) {
                                self.declare_pattern(inner, scope, kind, &[]);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                let mut index = 0usize;
                // Holes (`[, b]`) count: walk all children, commas included.
                let mut expect_element = true;
                let mut cursor = self.cursor_at(pattern);
                let children: Vec<Node> = pattern.children(&mut cursor).collect();
                self.cursors.push(cursor);
                for child in children {
                    match child.kind_str() {
                        "[" | "]" => {}
                        "," => {
                            if expect_element {
                                index += 1; // a hole
                            }
                            expect_element = true;
                        }
                        "rest_pattern" => {
                            if let Some(inner) = child.named_child(0) {
                                self.declare_pattern(inner, scope, kind, &[]);
                            }
                            expect_element = false;
                        }
                        _ if child.is_named() => {
                            let parts = self.members(values, &index.to_string());
                            self.declare_pattern(child, scope, kind, &parts);
                            index += 1;
                            expect_element = false;
                        }
                        _ => {}
                    }
                }
            }
            "assignment_pattern" => {
                let mut parts = values.to_vec();
                if let Some(right) = pattern.field(NodeField::Right) {
                    self.visit(right);
                    parts.push(self.expr(right));
                }
                if let Some(left) = pattern.field(NodeField::Left) {
                    self.declare_pattern(left, scope, kind, &parts);
                }
            }
            "rest_pattern" => {
                if let Some(inner) = pattern.named_child(0) {
                    self.declare_pattern(inner, scope, kind, &[]);
                }
            }
            _ => {}
        }
        self.depth -= 1;
    }

    /// `value.key` for each value.
    fn members(&mut self, values: &[ExprId], key: &str) -> Vec<ExprId> {
        values
            .iter()
            .map(|&v| {
                if v == UNKNOWN {
                    UNKNOWN
                } else {
                    self.push_expr(Expr::Member(v, intern(key)))
                }
            })
            .collect()
    }

    fn visit_assignment(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (node.field(NodeField::Left), node.field(NodeField::Right))
        else {
            return;
        };
        let value = self.expr(right);
        let left = unwrap(left);
        match left.kind_str() {
            "identifier" => {
                let name = self.text_of(left).to_string();
                self.assigns.push((name, self.scope(), value, range(left)));
            }
            "member_expression" => {
                // `this.x = v` gives the class's field `x` another value.
                let (Some(object), Some(property)) = (
                    left.field(NodeField::Object),
                    left.field(NodeField::Property),
                ) else {
                    return;
                };
                if unwrap(object).kind_str() == "this" {
                    if let Some(Some(class)) = self.this.last().copied() {
                        let name = self.text_of(property).to_string();
                        self.add_field(class, &name, value);
                    }
                } else {
                    // Kept as an expression so rules can see what is
                    // patched (`Room.prototype.alarm = ...`).
                    self.expr(left);
                }
            }
            "object_pattern" | "array_pattern" => {
                // `({ a, b } = x)` / `[a, b] = x`: resolve each name later.
                let scope = self.scope();
                let mut names = Vec::new();
                self.pattern_targets(left, value, &mut names);
                for (name, value, at) in names {
                    self.assigns.push((name, scope, value, at));
                }
            }
            _ => {}
        }
    }

    /// The names an assignment pattern writes, each with its part of `value`.
    fn pattern_targets(
        &mut self,
        pattern: Node<'t>,
        value: ExprId,
        out: &mut Vec<(String, ExprId, TextRange)>,
    ) {
        if out.len() > 64 {
            return;
        }
        match pattern.kind_str() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                out.push((self.text_of(pattern).to_string(), value, range(pattern)));
            }
            "object_pattern" => {
                let parts = self.named_children(pattern);
                for part in parts {
                    match part.kind_str() {
                        "shorthand_property_identifier_pattern" => {
                            let key = self.text_of(part).to_string();
                            let member = self.members(&[value], &key)[0];
                            out.push((key, member, range(part)));
                        }
                        "pair_pattern" => {
                            let key = part
                                .field(NodeField::Key)
                                .map(|k| self.property_name(k))
                                .unwrap_or_default();
                            if let Some(target) = part.field(NodeField::Value) {
                                let member = self.members(&[value], &key)[0];
                                self.pattern_targets(target, member, out);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                let parts = self.named_children(pattern);
                for (index, part) in parts.into_iter().enumerate() {
                    let member = self.members(&[value], &index.to_string())[0];
                    self.pattern_targets(part, member, out);
                }
            }
            _ => {}
        }
    }

    fn record_call(&mut self, node: Node<'t>) {
        let is_new = node.kind_str() == "new_expression";
        let (callee_node, args_node, call_range) = if is_new {
            let Some(constructor) = node.field(NodeField::Constructor) else {
                return;
            };
            (constructor, node.field(NodeField::Arguments), range(node))
        } else {
            match normalized_call(node) {
                Some(parts) => parts,
                None => return,
            }
        };
        let callee = unwrap(callee_node);
        let (name, name_range, receiver_node) = match callee.kind_str() {
            "member_expression" => {
                let Some(property) = callee.field(NodeField::Property) else {
                    return;
                };
                (
                    self.text_of(property).to_string(),
                    range(property),
                    callee.field(NodeField::Object).map(unwrap),
                )
            }
            "identifier" => (self.text_of(callee).to_string(), range(callee), None),
            _ => {
                // `(async () => { ... })()`: the function runs right here.
                if let Some(&func) = self.func_of_node.get(&callee.id()) {
                    let owner = &mut self.out.funcs[func as usize].owner;
                    if *owner == FuncOwner::Free {
                        *owner = FuncOwner::Invoked;
                    }
                }
                return;
            }
        };
        let callee_expr = self.expr(callee);
        let receiver = receiver_node.map(|r| self.expr(r));
        // Keep calls the model can follow: a receiver that is not a literal
        // or an unknown global, or a call of a local function.
        // Names are resolved after the walk, so globals are told by their
        // text here.
        let global_name =
            |node: Node| (node.kind_str() == "identifier").then(|| self.text_of(node));
        let keep = match (receiver, receiver_node) {
            (Some(receiver), Some(receiver_node)) => match global_name(receiver_node) {
                Some(name) => KEPT_GLOBALS.contains(&name) || !is_builtin_global(name),
                None => !matches!(
                    self.out.expr(receiver),
                    Expr::Unknown | Expr::Str(_) | Expr::Array(_)
                ),
            },
            // `helper(x)` and `new Helper(x)`: a local function or class
            // (or a global); `new Promise(executor)`, whose executor's
            // owner some rules ask about.
            _ => global_name(callee)
                .is_some_and(|name| !is_builtin_global(name) || (is_new && name == "Promise")),
        };
        if !keep {
            return;
        }
        let mut args = Vec::new();
        let mut arg_ranges = Vec::new();
        if let Some(list) = args_node {
            let nodes = self.named_children(list);
            for arg in nodes {
                if arg.kind_str() == "comment" {
                    continue;
                }
                args.push(self.expr(arg));
                arg_ranges.push(range(unwrap(arg)));
            }
        }
        let value = self.expr(node);
        let call = self.out.calls.len() as CallId;
        for (index, &arg) in args.iter().enumerate() {
            if let Expr::Func(func) = self.out.expr(arg).clone() {
                let owner = &mut self.out.funcs[func as usize].owner;
                if *owner == FuncOwner::Free {
                    *owner = FuncOwner::Callback {
                        call,
                        arg: index as u32,
                    };
                }
            }
        }
        self.out.calls.push(SemCall {
            range: call_range,
            name_range,
            name: intern(&name),
            callee: callee_expr,
            receiver,
            receiver_range: receiver_node.map(range),
            args,
            arg_ranges,
            value,
            is_new,
            func: self.funcs.last().copied(),
            floating: self.statement_call == Some(node.id())
                && call_range.start as usize == node.start_byte(),
        });
    }

    /// `env.X`, `this.env.X`, `c.env.X`, `env["X"]`: remember the object
    /// for `X`, keyed by where the name starts.
    fn note_env_read(&mut self, node: Node<'t>) {
        let key = match node.kind_str() {
            "member_expression" => node
                .field(NodeField::Property)
                .filter(|p| p.kind_str() == "property_identifier")
                .map(|p| p.start_byte() as u32),
            // Inside the quotes.
            _ => node
                .field(NodeField::Index)
                .filter(|i| i.kind_str() == "string")
                .map(|i| i.start_byte() as u32 + 1),
        };
        let (Some(key), Some(object)) = (key, node.field(NodeField::Object)) else {
            return;
        };
        if !self.is_env_like(unwrap(object)) {
            return;
        }
        let value = self.expr(object);
        self.out.env_reads.push((key, value));
    }

    fn note_env_read_pattern(&mut self, pattern: Node<'t>, value: ExprId) {
        let Some(Expr::Ref(_) | Expr::Global(_) | Expr::Member(..)) =
            self.out.exprs.get(value as usize)
        else {
            return;
        };
        let parts = self.named_children(pattern);
        for part in parts {
            let key = match part.kind_str() {
                "shorthand_property_identifier_pattern" => Some(part),
                "pair_pattern" => part.field(NodeField::Key),
                "object_assignment_pattern" => part.field(NodeField::Left),
                _ => None,
            };
            if let Some(key) = key {
                let start = key.start_byte() as u32 + u32::from(key.kind_str() == "string");
                self.out.env_reads.push((start, value));
            }
        }
    }

    fn is_env_like(&self, object: Node) -> bool {
        match object.kind_str() {
            "identifier" => self.text_of(object) == "env",
            "member_expression" => object
                .field(NodeField::Property)
                .is_some_and(|p| self.text_of(p) == "env"),
            _ => false,
        }
    }

    // -- expressions --------------------------------------------------------

    fn expr(&mut self, node: Node<'t>) -> ExprId {
        self.expr_at(node, 0)
    }

    fn expr_at(&mut self, node: Node<'t>, depth: u32) -> ExprId {
        if depth > MAX_EXPR_DEPTH {
            return UNKNOWN;
        }
        let node = unwrap(node);
        if let Some(&id) = self.expr_cache.get(&node.id()) {
            return id;
        }
        let id = match node.kind_str() {
            // A name: resolved after the walk (to a declaration, or else a
            // global); until then the slot holds a placeholder.
            "identifier" | "shorthand_property_identifier" => {
                let name = self.text_of(node);
                if name == "undefined" {
                    self.push_expr(Expr::Join(Box::default()))
                } else {
                    self.out.exprs.push(Expr::Ref(DeclId::MAX));
                    let id = (self.out.exprs.len() - 1) as ExprId;
                    self.pending_names.push((id, name, self.scope()));
                    id
                }
            }
            _ => {
                let expr = self.expr_shape(node, depth + 1);
                self.push_expr(expr)
            }
        };
        self.expr_cache.insert(node.id(), id);
        id
    }

    fn expr_shape(&mut self, node: Node<'t>, depth: u32) -> Expr {
        match node.kind_str() {
            // No value at all: left out of joins (`let ws = null; ... ws = x`).
            "null" => Expr::Join(Box::default()),
            "this" => match self.this.last() {
                Some(Some(class)) => Expr::This(*class),
                _ => Expr::Unknown,
            },
            "member_expression" => {
                let (Some(object), Some(property)) = (
                    node.field(NodeField::Object),
                    node.field(NodeField::Property),
                ) else {
                    return Expr::Unknown;
                };
                let object = self.expr_at(object, depth);
                if object == UNKNOWN {
                    return Expr::Unknown;
                }
                Expr::Member(object, intern(self.text_of(property)))
            }
            "subscript_expression" => {
                let (Some(object), Some(index)) =
                    (node.field(NodeField::Object), node.field(NodeField::Index))
                else {
                    return Expr::Unknown;
                };
                let key = match index.kind_str() {
                    "string" => string_contents(index, self.text).to_string(),
                    "number" => self.text_of(index).to_string(),
                    _ => return Expr::Unknown,
                };
                let object = self.expr_at(object, depth);
                if object == UNKNOWN {
                    return Expr::Unknown;
                }
                Expr::Member(object, intern(&key))
            }
            "call_expression" => {
                let Some((callee, args, _)) = normalized_call(node) else {
                    return Expr::Unknown;
                };
                if callee.kind_str() == "import" {
                    return Expr::Unknown;
                }
                let callee = self.expr_at(callee, depth);
                if callee == UNKNOWN {
                    return Expr::Unknown;
                }
                let args = args.map(|a| self.args(a, depth)).unwrap_or_default();
                Expr::Call {
                    callee,
                    args: args.into(),
                }
            }
            "new_expression" => {
                let Some(constructor) = node.field(NodeField::Constructor) else {
                    return Expr::Unknown;
                };
                let callee = self.expr_at(constructor, depth);
                let ty_args = node
                    .field(NodeField::TypeArguments)
                    .map(|t| self.type_args(t))
                    .unwrap_or_default();
                let args = node
                    .field(NodeField::Arguments)
                    .map(|a| self.args(a, depth))
                    .unwrap_or_default();
                Expr::New(Box::new(NewExpr {
                    callee,
                    ty_args,
                    args: args.into(),
                }))
            }
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                match self.func_of_node.get(&node.id()) {
                    Some(&func) => Expr::Func(func),
                    None => Expr::Unknown,
                }
            }
            "class" => match self.class_of_node.get(&node.id()) {
                Some(&class) => Expr::Class(class),
                None => Expr::Unknown,
            },
            "string" => {
                let value = string_contents(node, self.text);
                if value.len() > MAX_STR {
                    Expr::Unknown
                } else {
                    Expr::Str(intern(value))
                }
            }
            "object" => {
                let mut members = Vec::new();
                let parts = self.named_children(node);
                for part in parts.into_iter().take(64) {
                    match part.kind_str() {
                        "pair" => {
                            let (Some(key), Some(value)) =
                                (part.field(NodeField::Key), part.field(NodeField::Value))
                            else {
                                continue;
                            };
                            let key = self.property_name(key);
                            let value = self.expr_at(value, depth);
                            members.push((key, value));
                        }
                        "shorthand_property_identifier" => {
                            let key = self.text_of(part).to_string();
                            let value = self.expr_at(part, depth);
                            members.push((key, value));
                        }
                        "method_definition" => {
                            let key = part
                                .field(NodeField::Name)
                                .map(|n| self.property_name(n))
                                .unwrap_or_default();
                            if let Some(&func) = self.func_of_node.get(&part.id()) {
                                let value = self.push_expr(Expr::Func(func));
                                members.push((key, value));
                            }
                        }
                        _ => {}
                    }
                }
                Expr::Object(members.into_iter().map(|(k, v)| (intern(&k), v)).collect())
            }
            "array" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).take(64).collect();
                let items = parts
                    .into_iter()
                    .map(|p| {
                        if p.kind_str() == "spread_element" {
                            UNKNOWN
                        } else {
                            self.expr_at(p, depth)
                        }
                    })
                    .collect();
                Expr::Array(items)
            }
            "number" => Expr::Number(intern(self.text_of(node))),
            "template_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node
                    .named_children(&mut cursor)
                    .filter(|c| c.kind_str() == "template_substitution")
                    .take(16)
                    .collect();
                if parts.is_empty() {
                    let value = self.text_of(node);
                    let value = value.get(1..value.len().saturating_sub(1)).unwrap_or("");
                    return if value.len() > MAX_STR {
                        Expr::Unknown
                    } else {
                        Expr::Str(intern(value))
                    };
                }
                let items = parts
                    .into_iter()
                    .filter_map(|p| p.named_child(0))
                    .map(|e| self.expr_at(e, depth))
                    .collect();
                Expr::Template(items)
            }
            "ternary_expression" => {
                let (Some(a), Some(b)) = (
                    node.field(NodeField::Consequence),
                    node.field(NodeField::Alternative),
                ) else {
                    return Expr::Unknown;
                };
                let a = self.expr_at(a, depth);
                let b = self.expr_at(b, depth);
                Expr::Join(Box::new([a, b]))
            }
            "binary_expression" => {
                let operator = node.field(NodeField::Operator).map(|o| o.kind_str());
                let (Some(left), Some(right)) =
                    (node.field(NodeField::Left), node.field(NodeField::Right))
                else {
                    return Expr::Unknown;
                };
                match operator {
                    Some("??" | "||") => {
                        let a = self.expr_at(left, depth);
                        let b = self.expr_at(right, depth);
                        Expr::Join(Box::new([a, b]))
                    }
                    Some("&&") => Expr::Join(Box::new([self.expr_at(right, depth)])),
                    _ => Expr::Unknown,
                }
            }
            "assignment_expression" => match node.field(NodeField::Right) {
                Some(right) => Expr::Join(Box::new([self.expr_at(right, depth)])),
                None => Expr::Unknown,
            },
            "sequence_expression" => {
                match node.named_child(node.named_child_count().saturating_sub(1) as u32) {
                    Some(last) => Expr::Join(Box::new([self.expr_at(last, depth)])),
                    None => Expr::Unknown,
                }
            }
            _ => Expr::Unknown,
        }
    }

    fn args(&mut self, list: Node<'t>, depth: u32) -> Vec<ExprId> {
        let mut cursor = list.walk();
        let nodes: Vec<Node> = list.named_children(&mut cursor).take(32).collect();
        nodes
            .into_iter()
            .filter(|a| a.kind_str() != "comment")
            .map(|a| self.expr_at(a, depth))
            .collect()
    }

    // -- types ---------------------------------------------------------------

    /// A type annotation (`: T`, the colon included) or a type.
    fn read_type(&self, node: Node) -> Ty {
        self.read_type_at(node, 0)
    }

    fn read_type_at(&self, node: Node, depth: u32) -> Ty {
        if depth > 8 {
            return Ty::Other;
        }
        match node.kind_str() {
            "type_annotation" | "parenthesized_type" => match node.named_child(0) {
                Some(inner) => self.read_type_at(inner, depth + 1),
                None => Ty::Other,
            },
            "type_identifier" | "nested_type_identifier" | "identifier" => Ty::Named {
                name: self.text_of(node).to_string(),
                args: Vec::new(),
            },
            "generic_type" => {
                let name = node
                    .field(NodeField::Name)
                    .map(|n| self.text_of(n).to_string())
                    .unwrap_or_default();
                let args = node
                    .field(NodeField::TypeArguments)
                    .map(|t| self.type_args_at(t, depth + 1))
                    .unwrap_or_default();
                Ty::Named { name, args }
            }
            "object_type" => {
                let mut members = Vec::new();
                let mut cursor = node.walk();
                for member in node.named_children(&mut cursor).take(64) {
                    if member.kind_str() != "property_signature" {
                        continue;
                    }
                    let Some(name) = member.field(NodeField::Name) else {
                        continue;
                    };
                    let ty = member
                        .field(NodeField::Type)
                        .map(|t| self.read_type_at(t, depth + 1))
                        .unwrap_or(Ty::Other);
                    members.push((self.property_name(name), ty));
                }
                Ty::Object(members)
            }
            _ => Ty::Other,
        }
    }

    fn type_args(&self, node: Node) -> Vec<Ty> {
        self.type_args_at(node, 0)
    }

    fn type_args_at(&self, node: Node, depth: u32) -> Vec<Ty> {
        let mut cursor = node.walk();
        let args: Vec<Node> = node.named_children(&mut cursor).take(8).collect();
        args.into_iter()
            .map(|a| self.read_type_at(a, depth))
            .collect()
    }

    fn property_name(&self, node: Node) -> String {
        match node.kind_str() {
            "string" => string_contents(node, self.text).to_string(),
            _ => self.text_of(node).to_string(),
        }
    }

    // -- after the walk --------------------------------------------------------

    fn finish(mut self) -> FileSemantics {
        // Declarations by (scope, name); the first declaration wins (a
        // redeclared `var` or an overload names the same binding).
        let mut by_scope: FastMap<(ScopeId, &str), DeclId> = FastMap::default();
        for (index, decl) in self.out.decls.iter().enumerate() {
            by_scope
                .entry((decl.scope, &*decl.name))
                .or_insert(index as DeclId);
        }
        let scopes = &self.out.scopes;
        let resolve = |name: &str, mut scope: ScopeId| -> Option<DeclId> {
            loop {
                if let Some(&decl) = by_scope.get(&(scope, name)) {
                    return Some(decl);
                }
                scope = scopes[scope as usize].parent?;
            }
        };
        let resolved_names: Vec<(ExprId, Option<DeclId>)> = self
            .pending_names
            .iter()
            .map(|&(expr, name, scope)| (expr, resolve(name, scope)))
            .collect();
        let mut assigned = Vec::new();
        let mut free_assigns = Vec::new();
        for (name, scope, value, at) in &self.assigns {
            match resolve(name, *scope) {
                Some(decl) => assigned.push((decl, *value)),
                None => free_assigns.push((*at, *value)),
            }
        }
        // Reads of names the piece does not declare keep `UNRESOLVED` as
        // their declaration until the file's pieces are joined.
        let mut uses = Vec::new();
        for (name, scope, at, as_member) in &self.refs {
            let role = if *as_member {
                UseRole::Member
            } else {
                UseRole::Other
            };
            uses.push(Use {
                decl: resolve(name, *scope).unwrap_or(UNRESOLVED),
                range: *at,
                role,
            });
        }
        drop(by_scope);
        for ((expr, decl), &(_, name, _)) in resolved_names.into_iter().zip(&self.pending_names) {
            self.out.exprs[expr as usize] = match decl {
                Some(decl) => Expr::Ref(decl),
                None => Expr::Global(intern(name)),
            };
        }
        for (decl, value) in assigned {
            self.out.decls[decl as usize].values.push(value);
        }

        // Calls in document order; callbacks follow their call's new index.
        let mut order: Vec<usize> = (0..self.out.calls.len()).collect();
        order.sort_by_key(|&i| {
            (
                self.out.calls[i].range.start,
                std::cmp::Reverse(self.out.calls[i].range.end),
            )
        });
        let mut new_index = vec![0 as CallId; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new as CallId;
        }
        let mut calls: Vec<Option<SemCall>> = self.out.calls.drain(..).map(Some).collect();
        self.out.calls = order
            .iter()
            .map(|&i| calls[i].take().expect("each once"))
            .collect();
        for func in &mut self.out.funcs {
            if let FuncOwner::Callback { call, .. } = &mut func.owner {
                *call = new_index[*call as usize];
            }
        }

        // Roles: a read that is a kept call's receiver or argument.
        let mut roles: FastMap<(u32, u32), UseRole> = FastMap::default();
        for (index, call) in self.out.calls.iter().enumerate() {
            if let Some(r) = call.receiver_range {
                roles.insert((r.start, r.end), UseRole::Receiver(index as CallId));
            }
            for (arg, r) in call.arg_ranges.iter().enumerate() {
                roles
                    .entry((r.start, r.end))
                    .or_insert(UseRole::Argument(index as CallId, arg as u32));
            }
        }
        for u in &mut uses {
            if let Some(role) = roles.get(&(u.range.start, u.range.end)) {
                u.role = *role;
            }
        }
        let (free, uses): (Vec<Use>, Vec<Use>) =
            uses.into_iter().partition(|u| u.decl == UNRESOLVED);
        self.out.uses = uses;
        self.out.free_reads = free;
        self.out.free_assigns = free_assigns;
        self.out.env_reads.sort_by_key(|(k, _)| *k);
        self.out.env_reads.dedup_by_key(|(k, _)| *k);
        self.out
    }
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function" | "function_expression" | "function" | "generator_function"
    )
}

/// Globals whose methods never return a Durable Object value.
fn is_builtin_global(name: &str) -> bool {
    matches!(
        name,
        "console"
            | "JSON"
            | "Math"
            | "Date"
            | "Promise"
            | "Array"
            | "String"
            | "Number"
            | "Reflect"
            | "Symbol"
            | "crypto"
            | "Response"
            | "Request"
            | "URL"
            | "Headers"
            | "Buffer"
            | "process"
            | "performance"
            | "atob"
            | "btoa"
            | "Error"
            | "Intl"
            | "BigInt"
            | "Map"
            | "Set"
            | "WeakMap"
            | "structuredClone"
            | "TextEncoder"
            | "TextDecoder"
    )
}

/// The contents of a string node without its quotes (escapes as written).
fn string_contents<'a>(node: Node, text: &'a str) -> &'a str {
    let (start, end) = (node.start_byte(), node.end_byte());
    if node.kind_str() == "string" && end >= start + 2 {
        text.get(start + 1..end - 1).unwrap_or("")
    } else {
        text.get(start..end).unwrap_or("")
    }
}
