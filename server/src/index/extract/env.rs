//! Binding accesses on the Worker env, and SQLite-only storage APIs.
use crate::index::syntax::{NodeExt, NodeField};
use tree_sitter::Node;

use super::classes::ClassScopes;
use super::{
    climb_wrappers, is_field, node_range, node_text, property_name, string_value, unwrap_expression,
};
use crate::index::{EnvAccess, EnvVia, StorageUse};
use crate::text::Spanned;

pub(super) const STORAGE_MEMBERS: [&str; 6] = [
    "sql",
    "kv",
    "transactionSync",
    "getCurrentBookmark",
    "getBookmarkForTime",
    "onNextSessionRestoreBookmark",
];

/// A receiver longer than this is an odd expression; keep summaries small.
const MAX_RECEIVER_CHARS: usize = 120;

/// `env_objects` are nodes that evaluate to the env (`env`, `this.env`,
/// `c.env`) with how they reach it; what counts is how each is used.
pub(super) fn accesses(
    env_objects: &[(Node, EnvVia)],
    text: &str,
    scopes: &ClassScopes,
    out: &mut Vec<EnvAccess>,
) {
    for &(object, via) in env_objects {
        let (outer, Some(parent)) = climb_wrappers(object) else {
            continue;
        };
        match parent.kind_str() {
            // `env.X`, `env?.X`
            "member_expression" if is_field(parent, "object", outer) => {
                let Some(property) = parent.field(NodeField::Property) else {
                    continue;
                };
                if property.kind_str() != "property_identifier" {
                    continue;
                }
                push_access(
                    out,
                    scopes,
                    property_name(property, text),
                    via,
                    parent,
                    text,
                );
            }
            // `env["X"]`
            "subscript_expression" if is_field(parent, "object", outer) => {
                let name = parent
                    .field(NodeField::Index)
                    .and_then(|i| string_value(i, text));
                push_access(out, scopes, name, via, parent, text);
            }
            // `const { X, Y: alias } = env`
            "variable_declarator" if is_field(parent, "value", outer) => {
                let Some(pattern) = parent
                    .field(NodeField::Name)
                    .filter(|p| p.kind_str() == "object_pattern")
                else {
                    continue;
                };
                for key in pattern_keys(pattern) {
                    let Some(name) = property_name(key, text) else {
                        continue;
                    };
                    let enclosing_class = scopes.enclosing(name.range);
                    out.push(EnvAccess {
                        name,
                        via: EnvVia::Destructure,
                        member: None,
                        enclosing_class,
                    });
                }
            }
            _ => {}
        }
    }
}

fn push_access(
    out: &mut Vec<EnvAccess>,
    scopes: &ClassScopes,
    name: Option<Spanned<String>>,
    via: EnvVia,
    access: Node,
    text: &str,
) {
    let Some(name) = name else { return };
    let enclosing_class = scopes.enclosing(name.range);
    out.push(EnvAccess {
        name,
        via,
        member: called_member(access, text),
        enclosing_class,
    });
}

/// `env.X.idFromName(...)` → `idFromName`: only a member that is called
/// right away, so `env.X.foo` alone (or `env.X` passed along) gives `None`.
fn called_member(access: Node, text: &str) -> Option<Spanned<String>> {
    let (outer, parent) = climb_wrappers(access);
    let parent =
        parent.filter(|p| p.kind_str() == "member_expression" && is_field(*p, "object", outer))?;
    let call = parent.parent()?;
    if call.kind_str() != "call_expression" || !is_field(call, "function", parent) {
        return None;
    }
    let property = parent.field(NodeField::Property)?;
    (property.kind_str() == "property_identifier").then(|| super::spanned_text(property, text))
}

/// The property keys of an object pattern: `X` in `{ X }`, `{ X: alias }`,
/// `{ X = fallback }`. Rest elements and computed keys have no fixed name.
fn pattern_keys(pattern: Node) -> Vec<Node> {
    let mut keys = Vec::new();
    for entry in pattern.named_children(&mut pattern.walk()) {
        let key = match entry.kind_str() {
            "shorthand_property_identifier_pattern" => Some(entry),
            "pair_pattern" => entry
                .field(NodeField::Key)
                .filter(|k| matches!(k.kind_str(), "property_identifier" | "string")),
            "object_assignment_pattern" => entry
                .field(NodeField::Left)
                .filter(|l| l.kind_str() == "shorthand_property_identifier_pattern"),
            _ => None,
        };
        keys.extend(key);
    }
    keys
}

/// `storage_members` are property names like `sql` (the receiver is checked
/// here); `storage_patterns` are `(object pattern, receiver)` of
/// `const { sql } = <x>.storage`.
pub(super) fn storage_uses(
    storage_members: &[Node],
    storage_patterns: &[(Node, Node)],
    text: &str,
    scopes: &ClassScopes,
    out: &mut Vec<StorageUse>,
) {
    for member in storage_members {
        if let Some(receiver) = storage_receiver(*member, text) {
            let member = super::spanned_text(*member, text);
            push_storage(out, scopes, member, receiver, text);
        }
    }
    // `const { sql } = this.ctx.storage`
    for (pattern, receiver) in storage_patterns {
        for key in pattern_keys(*pattern) {
            let Some(member) = property_name(key, text) else {
                continue;
            };
            if STORAGE_MEMBERS.contains(&member.value.as_str()) {
                push_storage(out, scopes, member, *receiver, text);
            }
        }
    }
}

/// For `sql` in `<receiver>.sql`: the receiver if it is `<anything>.storage`
/// or a variable named `storage`.
fn storage_receiver<'t>(member: Node<'t>, text: &str) -> Option<Node<'t>> {
    let access = member
        .parent()
        .filter(|p| p.kind_str() == "member_expression")?;
    if !is_field(access, "property", member) {
        return None;
    }
    let receiver = unwrap_expression(access.field(NodeField::Object)?);
    let is_storage = match receiver.kind_str() {
        "identifier" => node_text(receiver, text) == "storage",
        "member_expression" => receiver
            .field(NodeField::Property)
            .is_some_and(|p| node_text(p, text) == "storage"),
        _ => false,
    };
    is_storage.then_some(receiver)
}

fn push_storage(
    out: &mut Vec<StorageUse>,
    scopes: &ClassScopes,
    member: Spanned<String>,
    receiver: Node,
    text: &str,
) {
    let receiver_text = node_text(receiver, text);
    let receiver_text = match receiver_text.char_indices().nth(MAX_RECEIVER_CHARS) {
        Some((cut, _)) => &receiver_text[..cut],
        None => receiver_text,
    };
    let enclosing_class = scopes.enclosing(node_range(receiver));
    out.push(StorageUse {
        member,
        receiver: receiver_text.to_owned(),
        enclosing_class,
    });
}
