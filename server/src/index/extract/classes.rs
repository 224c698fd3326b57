//! Classes: declarations, class expressions bound to a name, and classes
//! recovered from ERROR nodes while their body is still being typed.
use crate::index::syntax::{NodeExt, NodeField};
use tree_sitter::Node;

use super::{
    climb_wrappers, has_token, is_field, node_range, node_text, property_name, spanned_text,
    unwrap_expression, Found,
};
use crate::index::{ClassInfo, Constructor, Field, Heritage, Method, Visibility};
use crate::names::Name;
use crate::text::{Spanned, TextRange};

/// Mixins nest (`withA(withB(DurableObject))`); deeper than this is noise.
const MAX_CALL_DEPTH: usize = 8;

pub(super) fn extract(found: &Found, text: &str) -> Vec<ClassInfo> {
    let mut classes: Vec<ClassInfo> = found
        .classes
        .iter()
        .map(|node| class_info(*node, text))
        .collect();
    // Several keywords can share one ERROR node; visit each node once.
    let mut errors = found.recovered_errors.clone();
    errors.sort_by_key(|node| node.id());
    errors.dedup_by_key(|node| node.id());
    for error in errors {
        recovered_classes(error, text, &mut classes);
    }
    classes.sort_by_key(|class| class.range.start);
    classes
}

fn class_info(node: Node, text: &str) -> ClassInfo {
    let (name, exported_inline, default_export) = if node.kind_str() == "class" {
        expression_binding(node, text)
    } else {
        let name = node.field(NodeField::Name).map(|n| spanned_text(n, text));
        let (exported, default) = declaration_export(node);
        (name, exported, default)
    };
    let heritage = child_of_kind(node, "class_heritage").and_then(|h| heritage(h, text));
    let (methods, constructor, fields) = match node.field(NodeField::Body) {
        Some(body) => members(body.named_children(&mut body.walk()), text),
        None => (Vec::new(), None, Vec::new()),
    };
    ClassInfo {
        name,
        range: node_range(node),
        heritage,
        methods,
        fields,
        constructor,
        exported_inline,
        default_export,
    }
}

/// `export class X`, `export default class X`, `export declare class X`.
fn declaration_export(node: Node) -> (bool, bool) {
    let mut parent = node.parent();
    if let Some(p) = parent.filter(|p| p.kind_str() == "ambient_declaration") {
        parent = p.parent();
    }
    match parent {
        Some(p) if p.kind_str() == "export_statement" => (true, has_token(p, "default")),
        _ => (false, false),
    }
}

/// A class expression is named after the variable it is assigned to
/// (`const Foo = class extends DurableObject {}`): that is the name other
/// modules import and wrangler's `class_name` refers to. Otherwise its own
/// name, if any.
fn expression_binding(node: Node, text: &str) -> (Option<Spanned<String>>, bool, bool) {
    let own_name = node.field(NodeField::Name).map(|n| spanned_text(n, text));
    let (outer, parent) = climb_wrappers(node);
    let Some(parent) = parent else {
        return (own_name, false, false);
    };
    match parent.kind_str() {
        "variable_declarator" if is_field(parent, "value", outer) => {
            let binding = parent
                .field(NodeField::Name)
                .filter(|n| n.kind_str() == "identifier")
                .map(|n| spanned_text(n, text));
            let exported = parent
                .parent()
                .and_then(|declaration| declaration.parent())
                .is_some_and(|p| p.kind_str() == "export_statement");
            (binding.or(own_name), exported, false)
        }
        // `export default class {}` parses as an expression.
        "export_statement" => (own_name, true, has_token(parent, "default")),
        _ => (own_name, false, false),
    }
}

fn child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| child.kind_str() == kind);
    found
}

fn heritage(class_heritage: Node, text: &str) -> Option<Heritage> {
    let clause = child_of_kind(class_heritage, "extends_clause")?;
    let value = clause.field(NodeField::Value)?;
    // `DurableObject<Env>`: the type arguments are a sibling of the value.
    let end = match value.next_named_sibling() {
        Some(next) if next.kind_str() == "type_arguments" => next.end_byte(),
        _ => value.end_byte(),
    };
    let range = TextRange::new(value.start_byte(), end);
    let mut heritage = Heritage {
        text: text.get(range.as_std()).unwrap_or("").to_owned(),
        root: None,
        member: None,
        call_args: Vec::new(),
        range,
    };
    let mut expression = unwrap_expression(value);
    if expression.kind_str() == "call_expression" {
        if let Some(args) = expression.field(NodeField::Arguments) {
            call_arg_names(args, text, 0, &mut heritage.call_args);
        }
        match expression.field(NodeField::Function) {
            Some(function) => expression = unwrap_expression(function),
            None => return Some(heritage),
        }
    }
    match expression.kind_str() {
        "identifier" => heritage.root = Some(node_text(expression, text).to_owned()),
        "member_expression" => {
            heritage.member = expression
                .field(NodeField::Property)
                .map(|p| node_text(p, text).to_owned());
            heritage.root = root_identifier(expression, text);
        }
        _ => {}
    }
    Some(heritage)
}

/// `a` for `a.b.c`, `a.b().c`, `(a as any).b`.
fn root_identifier(mut node: Node, text: &str) -> Option<String> {
    loop {
        node = unwrap_expression(node);
        match node.kind_str() {
            "identifier" => return Some(node_text(node, text).to_owned()),
            "member_expression" | "subscript_expression" => node = node.field(NodeField::Object)?,
            "call_expression" => node = node.field(NodeField::Function)?,
            _ => return None,
        }
    }
}

/// Identifiers (and `ns.Member` paths) passed to a mixin call, looking into
/// nested calls so `withA(withB(DurableObject))` yields `DurableObject`.
fn call_arg_names(args: Node, text: &str, depth: usize, out: &mut Vec<String>) {
    if depth >= MAX_CALL_DEPTH {
        return;
    }
    for arg in args.named_children(&mut args.walk()) {
        let arg = unwrap_expression(arg);
        match arg.kind_str() {
            "identifier" | "member_expression" => out.push(node_text(arg, text).to_owned()),
            "call_expression" => {
                if let Some(inner) = arg.field(NodeField::Arguments) {
                    call_arg_names(inner, text, depth + 1, out);
                }
            }
            _ => {}
        }
    }
}

/// Methods, the constructor and fields among class members (or the loose
/// children of an ERROR node, for recovered classes).
fn members<'t>(
    children: impl Iterator<Item = Node<'t>>,
    text: &str,
) -> (Vec<Method>, Option<Constructor>, Vec<Field>) {
    let mut methods = Vec::new();
    let mut constructor = None;
    let mut fields = Vec::new();
    let mut constructor_fields = Vec::new();
    for member in children {
        match member.kind_str() {
            "method_definition" => {
                let Some(name_node) = member.field(NodeField::Name) else {
                    continue;
                };
                let params = member
                    .field(NodeField::Parameters)
                    .map(|p| parameter_names(p, text))
                    .unwrap_or_default();
                let is_static = has_token(member, "static");
                if name_node.kind_str() == "property_identifier"
                    && node_text(name_node, text) == "constructor"
                    && !is_static
                {
                    let facts = member
                        .field(NodeField::Body)
                        .map(|body| constructor_body(body, text))
                        .unwrap_or_default();
                    constructor = Some(Constructor {
                        params,
                        range: node_range(member),
                        name_range: node_range(name_node),
                        super_call: facts.super_call,
                        this_before_super: facts.this_before_super,
                    });
                    constructor_fields = facts.fields;
                    continue;
                }
                // Setters cannot be called (over RPC or otherwise); getters
                // read like properties but are still reachable members.
                if has_token(member, "set") {
                    continue;
                }
                let Some(name) = property_name(name_node, text) else {
                    continue;
                };
                methods.push(Method {
                    name,
                    visibility: visibility(member, name_node, text),
                    is_static,
                    is_async: has_token(member, "async"),
                    is_field: false,
                    params,
                    body: member
                        .field(NodeField::Body)
                        .map_or(node_range(member), node_range),
                    range: node_range(member),
                });
            }
            "public_field_definition" => {
                let Some(name_node) = member.field(NodeField::Name) else {
                    continue;
                };
                let value = member.field(NodeField::Value).map(unwrap_expression);
                let Some(value) = value.filter(|v| {
                    matches!(
                        v.kind_str(),
                        "arrow_function" | "function_expression" | "function"
                    )
                }) else {
                    if let Some(name) = property_name(name_node, text) {
                        fields.push(Field {
                            name,
                            is_static: has_token(member, "static"),
                            collection: value.and_then(|v| collection(v, text)),
                        });
                    }
                    continue;
                };
                let Some(name) = property_name(name_node, text) else {
                    continue;
                };
                let params = match value.field(NodeField::Parameters) {
                    Some(p) => parameter_names(p, text),
                    // `x => ...`: a single bare parameter.
                    None => value
                        .field(NodeField::Parameter)
                        .map(|p| vec![node_text(p, text).to_owned()])
                        .unwrap_or_default(),
                };
                methods.push(Method {
                    name,
                    visibility: visibility(member, name_node, text),
                    is_static: has_token(member, "static"),
                    is_async: has_token(value, "async"),
                    is_field: true,
                    params,
                    body: value
                        .field(NodeField::Body)
                        .map_or(node_range(member), node_range),
                    range: node_range(member),
                });
            }
            _ => {}
        }
    }
    // `this.x = new Map()` in the constructor: a field of its own unless
    // declared; a declaration without a known collection takes it.
    for assigned in constructor_fields {
        match fields
            .iter_mut()
            .find(|f| !f.is_static && f.name.value == assigned.name.value)
        {
            Some(declared) => {
                if declared.collection.is_none() {
                    declared.collection = assigned.collection;
                }
            }
            None => fields.push(assigned),
        }
    }
    fields.sort_by_key(|f| f.name.range.start);
    (methods, constructor, fields)
}

/// What a field initializer builds: `new Map()`, `new Set()`, `new
/// Array()`, `[]`, `{}`, `new Object()`.
fn collection(value: Node, text: &str) -> Option<String> {
    let value = unwrap_expression(value);
    let name = match value.kind_str() {
        "array" => "Array",
        "object" => "Object",
        "new_expression" => {
            let constructor = value.field(NodeField::Constructor)?;
            match node_text(constructor, text) {
                name @ ("Map" | "Set" | "Array" | "Object") => name,
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(name.to_owned())
}

#[derive(Default)]
struct ConstructorFacts {
    super_call: Option<TextRange>,
    this_before_super: Option<TextRange>,
    fields: Vec<Field>,
}

/// One walk over a constructor body: the first `super(...)`, the first
/// `this` evaluated before it completes, and `this.x = ...` assignments.
/// Nested non-arrow functions and classes have their own `this`: skipped.
fn constructor_body(body: Node, text: &str) -> ConstructorFacts {
    let mut facts = ConstructorFacts::default();
    let mut cursor = body.walk();
    loop {
        let node = cursor.node();
        let own_this = node != body
            && matches!(
                node.kind_str(),
                "function_declaration"
                    | "function_expression"
                    | "function"
                    | "generator_function"
                    | "generator_function_declaration"
                    | "method_definition"
                    | "class"
                    | "class_declaration"
                    | "abstract_class_declaration"
            );
        if !own_this {
            match node.kind_str() {
                "call_expression"
                    if facts.super_call.is_none()
                        && node
                            .field(NodeField::Function)
                            .is_some_and(|f| f.kind_str() == "super") =>
                {
                    facts.super_call = Some(node_range(node));
                }
                "this" if facts.this_before_super.is_none() => {
                    // Pre-order: `this` in `super(this.x)` comes after the
                    // call node but is evaluated before super() returns.
                    let before = facts
                        .super_call
                        .is_none_or(|call| node.start_byte() < call.end as usize);
                    if before {
                        facts.this_before_super = Some(node_range(node));
                    }
                }
                "assignment_expression" => {
                    if let Some(field) = this_assignment(node, text) {
                        facts.fields.push(field);
                    }
                }
                _ => {}
            }
            if cursor.goto_first_child() {
                continue;
            }
        }
        loop {
            if cursor.node() == body {
                return facts;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return facts;
            }
        }
    }
}

/// `this.x = value` → field `x`.
fn this_assignment(assignment: Node, text: &str) -> Option<Field> {
    let left = unwrap_expression(assignment.field(NodeField::Left)?);
    if left.kind_str() != "member_expression"
        || unwrap_expression(left.field(NodeField::Object)?).kind_str() != "this"
    {
        return None;
    }
    let property = left.field(NodeField::Property)?;
    let name = property_name(property, text)?;
    let collection = assignment
        .field(NodeField::Right)
        .and_then(|right| collection(right, text));
    Some(Field {
        name,
        is_static: false,
        collection,
    })
}

fn visibility(member: Node, name: Node, text: &str) -> Visibility {
    if name.kind_str() == "private_property_identifier" {
        return Visibility::EcmaPrivate;
    }
    match child_of_kind(member, "accessibility_modifier").map(|m| node_text(m, text)) {
        Some("private") => Visibility::Private,
        Some("protected") => Visibility::Protected,
        _ => Visibility::Public,
    }
}

/// Parameter names as written; patterns (`{ a }`, `...rest`) as source text.
/// TypeScript's `this` parameter is not a real parameter and is skipped.
fn parameter_names(params: Node, text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for param in params.named_children(&mut params.walk()) {
        let pattern = match param.kind_str() {
            "required_parameter" | "optional_parameter" => param.field(NodeField::Pattern),
            // Plain JS shapes, should they appear.
            "identifier" | "rest_pattern" | "object_pattern" | "array_pattern"
            | "assignment_pattern" => Some(param),
            _ => None,
        };
        if let Some(pattern) = pattern.filter(|p| p.kind_str() != "this") {
            names.push(node_text(pattern, text).to_owned());
        }
    }
    names
}

/// `export class A extends DurableObject { async fetch(` at the end of a
/// file: the class is scattered over an ERROR node's children. Each `class`
/// keyword followed by a name starts a class that takes the siblings up to
/// the next `class` keyword.
fn recovered_classes(error: Node, text: &str, out: &mut Vec<ClassInfo>) {
    // One pass over the children: `Node::next_sibling` is linear in the
    // parent's child count, so walking siblings with it would be quadratic.
    let children: Vec<Node> = error.children(&mut error.walk()).collect();
    let is_keyword = |node: &Node| !node.is_named() && node.kind_str() == "class";
    let mut index = 0;
    while index + 1 < children.len() {
        let (keyword, name) = (children[index], children[index + 1]);
        if !is_keyword(&keyword) || !matches!(name.kind_str(), "identifier" | "type_identifier") {
            index += 1;
            continue;
        }
        let rest = &children[index + 2..];
        let len = rest.iter().position(is_keyword).unwrap_or(rest.len());
        let rest = &rest[..len];

        let mut heritage_info = None;
        let mut body = Vec::new();
        for node in rest {
            match node.kind_str() {
                "class_heritage" if heritage_info.is_none() => {
                    heritage_info = heritage(*node, text)
                }
                "class_body" => body.extend(node.named_children(&mut node.walk())),
                _ => body.push(*node),
            }
        }
        let (methods, constructor, fields) = members(body.into_iter(), text);

        // `export [default] [abstract] class`
        let mut before = children[..index].iter().rev().peekable();
        before.next_if(|n| n.kind_str() == "abstract");
        let default_export = before.next_if(|n| n.kind_str() == "default").is_some();
        let exported_inline = before
            .next_if(|n| n.kind_str() == "export" && !n.is_named())
            .is_some();

        let end = rest.last().unwrap_or(&name).end_byte();
        out.push(ClassInfo {
            name: Some(spanned_text(name, text)),
            range: TextRange::new(keyword.start_byte(), end),
            heritage: heritage_info,
            methods,
            fields,
            constructor,
            exported_inline,
            default_export,
        });
        index += 2 + len;
    }
}

/// Finds the innermost class around an offset, for `enclosing_class`.
pub(super) struct ClassScopes<'a> {
    classes: &'a [ClassInfo],
    /// A class around everything asked about that is not in `classes`
    /// (the class of a member summarised on its own): its name.
    outer: Option<Option<Name>>,
}

impl<'a> ClassScopes<'a> {
    pub(super) fn new(classes: &'a [ClassInfo]) -> Self {
        ClassScopes {
            classes,
            outer: None,
        }
    }

    /// Scopes inside a class member: `classes` are the member's own, the
    /// class named `outer` contains them all (and everything asked about).
    pub(super) fn in_class(classes: &'a [ClassInfo], outer: Option<Name>) -> Self {
        ClassScopes {
            classes,
            outer: Some(outer),
        }
    }

    /// Name of the innermost class containing `range`; `None` outside any
    /// class or inside an anonymous one.
    pub(super) fn enclosing(&self, range: TextRange) -> Option<Name> {
        let innermost = self
            .classes
            .iter()
            .filter(|class| class.range.contains_range(range))
            .min_by_key(|class| class.range.len());
        match (innermost, &self.outer) {
            (Some(class), _) => class
                .name
                .as_ref()
                .map(|name| crate::names::name(&name.value)),
            // The outer class is larger than any of the member's own.
            (None, Some(outer)) => outer.clone(),
            (None, None) => None,
        }
    }
}
