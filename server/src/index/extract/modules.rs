//! Import and export statements.
use crate::index::syntax::{NodeExt, NodeField};
use tree_sitter::Node;

use super::{has_token, node_range, node_text, property_name, spanned_text, string_value};
use crate::index::{Export, Import, ImportKind};
use crate::text::{Spanned, TextRange};

/// Destructuring patterns nest; deeper than this is not real code.
const MAX_PATTERN_DEPTH: usize = 16;

pub(super) fn import_statement(node: Node, text: &str, out: &mut Vec<Import>) {
    let statement_type_only = has_token(node, "type");
    let mut cursor = node.walk();
    let clause = node
        .named_children(&mut cursor)
        .find(|c| matches!(c.kind_str(), "import_clause" | "import_require_clause"));

    // `import x = require("y")` keeps its source inside the clause.
    let source = match clause {
        Some(c) if c.kind_str() == "import_require_clause" => c.field(NodeField::Source),
        _ => node.field(NodeField::Source),
    };
    let Some(specifier) = source.and_then(|s| string_value(s, text)) else {
        return;
    };
    let mut push = |kind, type_only| {
        out.push(Import {
            specifier: specifier.clone(),
            kind,
            type_only,
        })
    };
    let Some(clause) = clause else {
        push(ImportKind::SideEffect, false);
        return;
    };
    if clause.kind_str() == "import_require_clause" {
        push(ImportKind::Dynamic, statement_type_only);
        return;
    }
    for part in clause.named_children(&mut clause.walk()) {
        match part.kind_str() {
            "identifier" => push(
                ImportKind::Default {
                    local: node_text(part, text).to_owned(),
                },
                statement_type_only,
            ),
            "namespace_import" => {
                let local = part
                    .named_child(0)
                    .map(|n| node_text(n, text).to_owned())
                    .unwrap_or_default();
                push(ImportKind::Namespace { local }, statement_type_only);
            }
            "named_imports" => {
                for item in part.named_children(&mut part.walk()) {
                    if item.kind_str() != "import_specifier" {
                        continue;
                    }
                    let Some(imported) = item
                        .field(NodeField::Name)
                        .and_then(|n| property_name(n, text))
                    else {
                        continue;
                    };
                    let local = item
                        .field(NodeField::Alias)
                        .map(|a| node_text(a, text).to_owned())
                        .unwrap_or_else(|| imported.value.clone());
                    push(
                        ImportKind::Named {
                            imported: imported.value,
                            local,
                        },
                        statement_type_only || has_token(item, "type"),
                    );
                }
            }
            _ => {}
        }
    }
}

pub(super) fn export_statement(node: Node, text: &str, out: &mut Vec<Export>) {
    // `export type { A }` / `export type * from` carry no values.
    if has_token(node, "type") {
        return;
    }
    let default_keyword = default_keyword(node);
    let source = node
        .field(NodeField::Source)
        .and_then(|s| string_value(s, text));

    if let Some(declaration) = node.field(NodeField::Declaration) {
        declaration_exports(declaration, default_keyword, text, out);
        return;
    }
    if let Some(value) = node.field(NodeField::Value) {
        // Without `default` this is TS's CommonJS `export = x`: not an ES export.
        let Some(exported) = default_keyword else {
            return;
        };
        out.push(if value.kind_str() == "identifier" {
            Export::Local {
                exported,
                local: node_text(value, text).to_owned(),
            }
        } else {
            Export::DefaultExpression {
                range: node_range(value),
            }
        });
        return;
    }

    let mut cursor = node.walk();
    let clause = node
        .named_children(&mut cursor)
        .find(|c| matches!(c.kind_str(), "export_clause" | "namespace_export"));
    match (clause, source) {
        (Some(clause), source) if clause.kind_str() == "export_clause" => {
            for item in clause.named_children(&mut clause.walk()) {
                if item.kind_str() != "export_specifier" || has_token(item, "type") {
                    continue;
                }
                let Some(name) = item
                    .field(NodeField::Name)
                    .and_then(|n| property_name(n, text))
                else {
                    continue;
                };
                let exported = item
                    .field(NodeField::Alias)
                    .and_then(|a| property_name(a, text))
                    .unwrap_or_else(|| name.clone());
                out.push(match &source {
                    Some(specifier) => Export::ReExport {
                        exported,
                        imported: name.value,
                        specifier: specifier.clone(),
                    },
                    None => Export::Local {
                        exported,
                        local: name.value,
                    },
                });
            }
        }
        (Some(namespace), Some(specifier)) => {
            if let Some(exported) = namespace
                .named_child(0)
                .and_then(|n| property_name(n, text))
            {
                out.push(Export::StarAs {
                    exported,
                    specifier,
                });
            }
        }
        (None, Some(specifier)) if has_token(node, "*") => out.push(Export::Star { specifier }),
        _ => {}
    }
}

/// The `default` keyword of `export default ...`, spanned on the keyword.
fn default_keyword(node: Node) -> Option<Spanned<String>> {
    let mut cursor = node.walk();
    let keyword = node
        .children(&mut cursor)
        .find(|c| !c.is_named() && c.kind_str() == "default");
    keyword.map(|k| default_name(node_range(k)))
}

fn default_name(range: TextRange) -> Spanned<String> {
    Spanned::new("default".to_owned(), range)
}

fn declaration_exports(
    declaration: Node,
    default_keyword: Option<Spanned<String>>,
    text: &str,
    out: &mut Vec<Export>,
) {
    let declaration = match declaration.kind_str() {
        // `export declare const x: T` still promises a value.
        "ambient_declaration" => match declaration.named_child(0) {
            Some(inner) => inner,
            None => return,
        },
        _ => declaration,
    };
    match declaration.kind_str() {
        "class_declaration"
        | "abstract_class_declaration"
        | "function_declaration"
        | "generator_function_declaration"
        | "function_signature"
        | "enum_declaration" => {
            let Some(name) = declaration.field(NodeField::Name) else {
                return;
            };
            let local = node_text(name, text).to_owned();
            let exported = default_keyword.unwrap_or_else(|| spanned_text(name, text));
            out.push(Export::Local { exported, local });
        }
        "lexical_declaration" | "variable_declaration" => {
            for declarator in declaration.named_children(&mut declaration.walk()) {
                if declarator.kind_str() != "variable_declarator" {
                    continue;
                }
                if let Some(pattern) = declarator.field(NodeField::Name) {
                    let mut names = Vec::new();
                    binding_names(pattern, text, 0, &mut names);
                    out.extend(names.into_iter().map(|exported| Export::Local {
                        local: exported.value.clone(),
                        exported,
                    }));
                }
            }
        }
        // Types, interfaces and namespaces are not runtime values worth
        // tracking here.
        _ => {}
    }
}

/// Identifiers bound by a declarator's name: `a`, `{ a, b: c }`, `[a, ...b]`.
fn binding_names(pattern: Node, text: &str, depth: usize, out: &mut Vec<Spanned<String>>) {
    if depth >= MAX_PATTERN_DEPTH {
        return;
    }
    match pattern.kind_str() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(spanned_text(pattern, text))
        }
        "pair_pattern" => {
            if let Some(value) = pattern.field(NodeField::Value) {
                binding_names(value, text, depth + 1, out);
            }
        }
        "object_assignment_pattern" | "assignment_pattern" => {
            if let Some(left) = pattern.field(NodeField::Left) {
                binding_names(left, text, depth + 1, out);
            }
        }
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            for child in pattern.named_children(&mut pattern.walk()) {
                binding_names(child, text, depth + 1, out);
            }
        }
        _ => {}
    }
}
