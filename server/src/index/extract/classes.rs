//! Classes: declarations, class expressions bound to a name, and classes
//! recovered from ERROR nodes while their body is still being typed.
use tree_sitter::Node;

use super::{
    climb_wrappers, has_token, is_field, node_range, node_text, property_name, spanned_text,
    unwrap_expression, Found,
};
use crate::index::{ClassInfo, Constructor, Field, Heritage, Method, Visibility};
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
    let (name, exported_inline, default_export) = if node.kind() == "class" {
        expression_binding(node, text)
    } else {
        let name = node
            .child_by_field_name("name")
            .map(|n| spanned_text(n, text));
        let (exported, default) = declaration_export(node);
        (name, exported, default)
    };
    let heritage = child_of_kind(node, "class_heritage").and_then(|h| heritage(h, text));
    let (methods, constructor, fields) = match node.child_by_field_name("body") {
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
    if let Some(p) = parent.filter(|p| p.kind() == "ambient_declaration") {
        parent = p.parent();
    }
    match parent {
        Some(p) if p.kind() == "export_statement" => (true, has_token(p, "default")),
        _ => (false, false),
    }
}

/// A class expression is named after the variable it is assigned to
/// (`const Foo = class extends DurableObject {}`): that is the name other
/// modules import and wrangler's `class_name` refers to. Otherwise its own
/// name, if any.
fn expression_binding(node: Node, text: &str) -> (Option<Spanned<String>>, bool, bool) {
    let own_name = node
        .child_by_field_name("name")
        .map(|n| spanned_text(n, text));
    let (outer, parent) = climb_wrappers(node);
    let Some(parent) = parent else {
        return (own_name, false, false);
    };
    match parent.kind() {
        "variable_declarator" if is_field(parent, "value", outer) => {
            let binding = parent
                .child_by_field_name("name")
                .filter(|n| n.kind() == "identifier")
                .map(|n| spanned_text(n, text));
            let exported = parent
                .parent()
                .and_then(|declaration| declaration.parent())
                .is_some_and(|p| p.kind() == "export_statement");
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
        .find(|child| child.kind() == kind);
    found
}

fn heritage(class_heritage: Node, text: &str) -> Option<Heritage> {
    let clause = child_of_kind(class_heritage, "extends_clause")?;
    let value = clause.child_by_field_name("value")?;
    // `DurableObject<Env>`: the type arguments are a sibling of the value.
    let end = match value.next_named_sibling() {
        Some(next) if next.kind() == "type_arguments" => next.end_byte(),
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
    if expression.kind() == "call_expression" {
        if let Some(args) = expression.child_by_field_name("arguments") {
            call_arg_names(args, text, 0, &mut heritage.call_args);
        }
        match expression.child_by_field_name("function") {
            Some(function) => expression = unwrap_expression(function),
            None => return Some(heritage),
        }
    }
    match expression.kind() {
        "identifier" => heritage.root = Some(node_text(expression, text).to_owned()),
        "member_expression" => {
            heritage.member = expression
                .child_by_field_name("property")
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
        match node.kind() {
            "identifier" => return Some(node_text(node, text).to_owned()),
            "member_expression" | "subscript_expression" => {
                node = node.child_by_field_name("object")?
            }
            "call_expression" => node = node.child_by_field_name("function")?,
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
        match arg.kind() {
            "identifier" | "member_expression" => out.push(node_text(arg, text).to_owned()),
            "call_expression" => {
                if let Some(inner) = arg.child_by_field_name("arguments") {
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
        match member.kind() {
            "method_definition" => {
                let Some(name_node) = member.child_by_field_name("name") else {
                    continue;
                };
                let params = member
                    .child_by_field_name("parameters")
                    .map(|p| parameter_names(p, text))
                    .unwrap_or_default();
                let is_static = has_token(member, "static");
                if name_node.kind() == "property_identifier"
                    && node_text(name_node, text) == "constructor"
                    && !is_static
                {
                    let facts = member
                        .child_by_field_name("body")
                        .map(|body| constructor_body(body, text))
                        .unwrap_or_default();
                    constructor = Some(Constructor {
                        params,
                        range: node_range(member),
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
                        .child_by_field_name("body")
                        .map_or(node_range(member), node_range),
                    range: node_range(member),
                });
            }
            "public_field_definition" => {
                let Some(name_node) = member.child_by_field_name("name") else {
                    continue;
                };
                let value = member.child_by_field_name("value").map(unwrap_expression);
                let Some(value) = value.filter(|v| {
                    matches!(
                        v.kind(),
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
                let params = match value.child_by_field_name("parameters") {
                    Some(p) => parameter_names(p, text),
                    // `x => ...`: a single bare parameter.
                    None => value
                        .child_by_field_name("parameter")
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
                        .child_by_field_name("body")
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
    let name = match value.kind() {
        "array" => "Array",
        "object" => "Object",
        "new_expression" => {
            let constructor = value.child_by_field_name("constructor")?;
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
                node.kind(),
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
            match node.kind() {
                "call_expression"
                    if facts.super_call.is_none()
                        && node
                            .child_by_field_name("function")
                            .is_some_and(|f| f.kind() == "super") =>
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
    let left = unwrap_expression(assignment.child_by_field_name("left")?);
    if left.kind() != "member_expression"
        || unwrap_expression(left.child_by_field_name("object")?).kind() != "this"
    {
        return None;
    }
    let property = left.child_by_field_name("property")?;
    let name = property_name(property, text)?;
    let collection = assignment
        .child_by_field_name("right")
        .and_then(|right| collection(right, text));
    Some(Field {
        name,
        is_static: false,
        collection,
    })
}

fn visibility(member: Node, name: Node, text: &str) -> Visibility {
    if name.kind() == "private_property_identifier" {
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
        let pattern = match param.kind() {
            "required_parameter" | "optional_parameter" => param.child_by_field_name("pattern"),
            // Plain JS shapes, should they appear.
            "identifier" | "rest_pattern" | "object_pattern" | "array_pattern"
            | "assignment_pattern" => Some(param),
            _ => None,
        };
        if let Some(pattern) = pattern.filter(|p| p.kind() != "this") {
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
    let is_keyword = |node: &Node| !node.is_named() && node.kind() == "class";
    let mut index = 0;
    while index + 1 < children.len() {
        let (keyword, name) = (children[index], children[index + 1]);
        if !is_keyword(&keyword) || !matches!(name.kind(), "identifier" | "type_identifier") {
            index += 1;
            continue;
        }
        let rest = &children[index + 2..];
        let len = rest.iter().position(is_keyword).unwrap_or(rest.len());
        let rest = &rest[..len];

        let mut heritage_info = None;
        let mut body = Vec::new();
        for node in rest {
            match node.kind() {
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
        before.next_if(|n| n.kind() == "abstract");
        let default_export = before.next_if(|n| n.kind() == "default").is_some();
        let exported_inline = before
            .next_if(|n| n.kind() == "export" && !n.is_named())
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
    outer: Option<Option<String>>,
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
    pub(super) fn in_class(classes: &'a [ClassInfo], outer: Option<String>) -> Self {
        ClassScopes {
            classes,
            outer: Some(outer),
        }
    }

    /// Name of the innermost class containing `range`; `None` outside any
    /// class or inside an anonymous one.
    pub(super) fn enclosing(&self, range: TextRange) -> Option<String> {
        let innermost = self
            .classes
            .iter()
            .filter(|class| class.range.contains_range(range))
            .min_by_key(|class| class.range.len());
        match (innermost, &self.outer) {
            (Some(class), _) => class.name.as_ref().map(|name| name.value.clone()),
            // The outer class is larger than any of the member's own.
            (None, Some(outer)) => outer.clone(),
            (None, None) => None,
        }
    }
}
