//! Rewrites inside class bodies, on top of [`super::source_edit`] (parsing,
//! class member placement): which names a callback borrows from the
//! function around it, cutting a callback's body out and re-indenting it
//! as a method body, deleting a whole statement line, writing a new method
//! in the class's style. Used by fixes that move code into Durable Object
//! handlers (`webSocketMessage`, `alarm`); every helper answers `None` when
//! the code is not in the plain shape it can move without changing meaning.

use std::collections::HashSet;

use tree_sitter::Node;

use super::source_edit::ParsedSource;
use super::TextEdit;
use crate::text::TextRange;

/// The text of `node`.
pub fn node_text<'a>(source: &'a ParsedSource, node: Node) -> &'a str {
    &source.text[node.byte_range()]
}

/// The node spanning exactly `range` whose kind is one of `kinds` (the
/// innermost one when several do, e.g. a call inside parentheses).
pub fn node_at<'t>(source: &'t ParsedSource, range: TextRange, kinds: &[&str]) -> Option<Node<'t>> {
    let (start, end) = (range.start as usize, range.end as usize);
    let mut node = source
        .tree
        .root_node()
        .descendant_for_byte_range(start, end)?;
    loop {
        if node.start_byte() == start && node.end_byte() == end && kinds.contains(&node.kind()) {
            return Some(node);
        }
        if node.start_byte() < start || node.end_byte() > end {
            return None;
        }
        node = node.parent()?;
    }
}

/// Every node below `node` (itself included), in document order.
pub fn descendants(node: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    loop {
        out.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return out;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// True when `inner` lies within `outer` (or is it).
pub fn is_within(inner: Node, outer: Node) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// `async` functions, methods and arrows.
pub fn is_async(function: Node) -> bool {
    let mut cursor = function.walk();
    let found = function
        .children(&mut cursor)
        .take_while(|c| c.kind() != "formal_parameters" && c.kind() != "statement_block")
        .any(|c| c.kind() == "async");
    found
}

/// Names declared anywhere inside `scope` (parameters, variables,
/// functions, classes, catch bindings), except inside `except`. Over-
/// approximates on purpose: a name declared in a nested function also
/// counts, so a callback that uses the same name elsewhere is never moved.
pub fn declared_names(source: &ParsedSource, scope: Node, except: Option<Node>) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in descendants(scope) {
        if except.is_some_and(|e| is_within(node, e)) {
            continue;
        }
        let pattern = match node.kind() {
            "variable_declarator" => node.child_by_field_name("name"),
            "required_parameter" | "optional_parameter" => node.child_by_field_name("pattern"),
            "function_declaration"
            | "generator_function_declaration"
            | "class_declaration"
            | "function_expression"
            | "class" => node.child_by_field_name("name"),
            "catch_clause" => node.child_by_field_name("parameter"),
            "for_in_statement" => node.child_by_field_name("left"),
            "arrow_function" => node.child_by_field_name("parameter"),
            // Plain JavaScript parameters are bare patterns.
            "formal_parameters" => {
                for param in node.named_children(&mut node.walk()) {
                    if !matches!(param.kind(), "required_parameter" | "optional_parameter") {
                        collect_pattern_names(source, param, &mut names);
                    }
                }
                None
            }
            _ => None,
        };
        if let Some(pattern) = pattern {
            collect_pattern_names(source, pattern, &mut names);
        }
    }
    names
}

fn collect_pattern_names(source: &ParsedSource, pattern: Node, names: &mut HashSet<String>) {
    for node in descendants(pattern) {
        if matches!(
            node.kind(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) {
            names.insert(node_text(source, node).to_string());
        }
    }
}

/// Identifier references below `node`: plain identifiers and object
/// shorthands (`{ server }`). Property names are not identifiers in the
/// grammar, so `a.b` yields only `a`.
pub fn identifier_uses(node: Node) -> Vec<Node> {
    descendants(node)
        .into_iter()
        .filter(|n| matches!(n.kind(), "identifier" | "shorthand_property_identifier"))
        .collect()
}

/// A string or template literal below `node` that spans lines: re-indenting
/// the code around it would change its value.
pub fn has_multiline_literal(source: &ParsedSource, node: Node) -> bool {
    descendants(node).into_iter().any(|n| {
        matches!(n.kind(), "template_string" | "string") && node_text(source, n).contains('\n')
    })
}

pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, before its `\r\n` or `\n`.
pub fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if text[..end].ends_with('\r') {
        end - 1
    } else {
        end
    }
}

/// The leading whitespace of the line holding `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let rest = &text[start..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// The whole lines of a statement at `range`, line break included, when
/// nothing else shares them (only whitespace before and after it).
pub fn statement_lines(text: &str, range: TextRange) -> Option<TextRange> {
    let (start, end) = (range.start as usize, range.end as usize);
    let first = line_start(text, start);
    if !text[first..start].trim().is_empty() {
        return None;
    }
    let last_end = line_end(text, end);
    if !text[end..last_end].trim().is_empty() {
        return None;
    }
    let after = match text[last_end..].strip_prefix("\r\n") {
        Some(_) => last_end + 2,
        None if text[last_end..].starts_with('\n') => last_end + 1,
        None => last_end,
    };
    Some(TextRange::new(first, after))
}

/// `code` (whole lines, cut with their indentation) with the whitespace all
/// its lines share replaced by `indent`; blank lines stay empty.
pub fn reindent(code: &str, indent: &str, newline: &str) -> String {
    let lines: Vec<&str> = code
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let leading = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| &l[..leading(l)])
        .reduce(|a, b| {
            let shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            &a[..shared]
        })
        .unwrap_or("");
    lines
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{indent}{}", &l[common.len()..])
            }
        })
        .collect::<Vec<_>>()
        .join(newline)
}

/// What a callback does, cut out of its function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallbackBody {
    /// The statements of a block body, as whole lines with their original
    /// indentation (see [`reindent`]); empty for `{}`.
    Block(String),
    /// An expression body on one line, without a terminator.
    Expression(String),
}

/// The body of `function` (an arrow or function expression) with
/// `replacements` (absolute ranges inside it) applied. `None` for a body
/// that shares a line with other code in a way that cannot be cut into
/// whole lines, or an expression body spread over several lines.
pub fn callback_body(
    source: &ParsedSource,
    function: Node,
    replacements: &[(TextRange, String)],
) -> Option<CallbackBody> {
    let text = source.text;
    let body = function.child_by_field_name("body")?;
    let (range, block) = if body.kind() == "statement_block" {
        let children: Vec<Node> = body.named_children(&mut body.walk()).collect();
        let (Some(first), Some(last)) = (children.first(), children.last()) else {
            return Some(CallbackBody::Block(String::new()));
        };
        let open = body.start_byte();
        let close = body.end_byte() - 1;
        let one_line = !text[open..body.end_byte()].contains('\n');
        let start = if one_line {
            first.start_byte()
        } else {
            // The statements start on a line of their own.
            if line_start(text, first.start_byte()) == line_start(text, open) {
                return None;
            }
            line_start(text, first.start_byte())
        };
        let end = last.end_byte();
        if !one_line && !text[end..close].trim().is_empty() {
            return None;
        }
        (start..end, true)
    } else {
        let range = body.start_byte()..body.end_byte();
        if text[range.clone()].contains('\n') {
            return None;
        }
        (range, false)
    };
    let mut code = text[range.clone()].to_string();
    let mut sorted: Vec<&(TextRange, String)> = replacements.iter().collect();
    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (r, new_text) in sorted {
        let (s, e) = (r.start as usize, r.end as usize);
        if s < range.start || e > range.end {
            return None;
        }
        code.replace_range(s - range.start..e - range.start, new_text);
    }
    Some(if block {
        CallbackBody::Block(code)
    } else {
        CallbackBody::Expression(code)
    })
}

/// A method written in the class's style: `header` (`async alarm()`) and a
/// body of lines already indented one level inside the member (or `None`
/// for an empty body `{}`).
pub fn method_text(header: &str, body: Option<&str>, indent: &str, newline: &str) -> String {
    match body {
        Some(lines) => format!("{indent}{header} {{{newline}{lines}{newline}{indent}}}"),
        None => format!("{indent}{header} {{}}"),
    }
}

/// Whether the class spanning `class_range` marks its methods `override`
/// (`noImplicitOverride` projects need it on handler methods too).
pub fn class_uses_override(source: &ParsedSource, class_range: TextRange) -> bool {
    let Some(class) = node_at(
        source,
        class_range,
        &["class_declaration", "abstract_class_declaration", "class"],
    ) else {
        return false;
    };
    let Some(body) = class.child_by_field_name("body") else {
        return false;
    };
    let mut cursor = body.walk();
    let found = body.named_children(&mut cursor).any(|member| {
        member.kind() == "method_definition"
            && member
                .children(&mut member.walk())
                .any(|c| c.kind() == "override_modifier")
    });
    found
}

/// An edit adding `members` (each already indented, see [`method_text`]) at
/// the end of the class spanning `class_range`, each after a blank line.
/// `None` when the class body has no member to follow or the last member
/// shares its line with code.
pub fn append_members(
    source: &ParsedSource,
    class_range: TextRange,
    members: &[String],
    newline: &str,
) -> Option<TextEdit> {
    let at = source.member_insertion(class_range)?;
    let text = source.text;
    let end = line_end(text, at.offset);
    let rest = text[at.offset..end].trim();
    // A comment trailing the last member stays with it.
    let offset = if rest.is_empty() || rest.starts_with("//") {
        end
    } else {
        return None;
    };
    let mut inserted = String::new();
    for member in members {
        inserted.push_str(newline);
        inserted.push_str(newline);
        inserted.push_str(member);
    }
    Some(TextEdit::insert(offset, inserted))
}

/// How the methods of a Durable Object class reach its
/// `DurableObjectState`: `this.ctx` for a direct `DurableObject` subclass,
/// `this.<field>` for the legacy shape that stores its first constructor
/// parameter (`this.state = state`). Also returns the offset from which the
/// constructor may use it (after `super(...)` or that assignment). `None`
/// for library and derived bases, whose own handlers a new method could
/// override, and when the state is not stored in a plain field.
pub fn durable_object_state(
    source: &ParsedSource,
    class: &crate::index::ClassInfo,
    kind: Option<&crate::model::DoKind>,
) -> Option<(String, usize)> {
    use crate::model::DoKind;
    match kind? {
        DoKind::Native => {
            let ready = class
                .constructor
                .as_ref()
                .map_or(Some(0), |c| c.super_call.map(|s| s.end as usize))?;
            Some(("this.ctx".to_string(), ready))
        }
        DoKind::Legacy => {
            let constructor = class.constructor.as_ref()?;
            let param = constructor.params.first()?;
            let node = node_at(source, constructor.range, &["method_definition"])?;
            let body = node.child_by_field_name("body")?;
            let mut cursor = body.walk();
            let found = body.named_children(&mut cursor).find_map(|statement| {
                let assignment = statement.named_child(0)?;
                if statement.kind() != "expression_statement"
                    || assignment.kind() != "assignment_expression"
                {
                    return None;
                }
                let left = assignment.child_by_field_name("left")?;
                let right = assignment.child_by_field_name("right")?;
                let object = left.child_by_field_name("object")?;
                let field = left.child_by_field_name("property")?;
                (left.kind() == "member_expression"
                    && object.kind() == "this"
                    && field.kind() == "property_identifier"
                    && right.kind() == "identifier"
                    && node_text(source, right) == param)
                    .then(|| {
                        (
                            format!("this.{}", node_text(source, field)),
                            statement.end_byte(),
                        )
                    })
            });
            found
        }
        DoKind::Derived { .. } | DoKind::Library { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::source_edit::parse;
    use std::path::Path;

    #[test]
    fn reindents_to_the_new_depth() {
        assert_eq!(
            reindent("      a();\r\n\r\n        b();", "    ", "\r\n"),
            "    a();\r\n\r\n      b();"
        );
        assert_eq!(reindent("\t\tx;\n\t\t\ty;", "\t", "\n"), "\tx;\n\t\ty;");
    }

    #[test]
    fn cuts_statement_lines() {
        let text = "a;\n  b();\r\nc; d;\n";
        assert_eq!(
            statement_lines(text, TextRange::new(5, 9)),
            Some(TextRange::new(3, 11))
        );
        assert_eq!(statement_lines(text, TextRange::new(11, 13)), None);
    }

    #[test]
    fn finds_declarations_outside_a_callback() {
        let text = "class A { m(req, { a, b: c }) { const [x, y] = f(); function g() {} for (const k of ks) {} const cb = (e) => { const inner = 1; }; } }\n";
        let source = parse(Path::new("/w/a.js"), text).unwrap();
        let arrow = descendants(source.tree.root_node())
            .into_iter()
            .find(|n| n.kind() == "arrow_function")
            .unwrap();
        let method = descendants(source.tree.root_node())
            .into_iter()
            .find(|n| n.kind() == "method_definition")
            .unwrap();
        let names = declared_names(&source, method, Some(arrow));
        for name in ["req", "a", "c", "x", "y", "g", "k", "cb"] {
            assert!(names.contains(name), "{name}");
        }
        assert!(!names.contains("inner") && !names.contains("e") && !names.contains("b"));
        assert!(!is_async(method));
    }

    #[test]
    fn cuts_callback_bodies() {
        let text =
            "f(() => {\n    a(x);\n    b();\n  });\ng((e) => h(e.data));\nk(() => { one(); });\n";
        let source = parse(Path::new("/w/a.ts"), text).unwrap();
        let arrows: Vec<Node> = descendants(source.tree.root_node())
            .into_iter()
            .filter(|n| n.kind() == "arrow_function")
            .collect();
        let x = text.find("x)").unwrap();
        assert_eq!(
            callback_body(
                &source,
                arrows[0],
                &[(TextRange::new(x, x + 1), "ws".into())]
            ),
            Some(CallbackBody::Block("    a(ws);\n    b();".into()))
        );
        let data = text.find("e.data").unwrap();
        assert_eq!(
            callback_body(
                &source,
                arrows[1],
                &[(TextRange::new(data, data + 6), "message".into())]
            ),
            Some(CallbackBody::Expression("h(message)".into()))
        );
        assert_eq!(
            callback_body(&source, arrows[2], &[]),
            Some(CallbackBody::Block("one();".into()))
        );
    }
}
