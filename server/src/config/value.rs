//! A format-neutral value tree with a byte range on every key and value.
//!
//! Both the TOML and the JSONC readers produce this tree, so the builder in
//! [`super::section`] is written once. Objects keep their keys in file order
//! (env order matters to users, and to stable output).

use crate::text::{Spanned, TextRange};

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    /// The value as written. Strings include their quotes; a TOML table opened
    /// by a header (`[env.staging]`) has the range of the header.
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    String(String),
    /// A number kept as written: dols never computes with config numbers.
    Number(String),
    Bool(bool),
    Array(Vec<Node>),
    Object(Vec<Entry>),
    /// `null`, TOML dates and times: values no config key of interest accepts.
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key as written (quotes included when quoted).
    pub key: Spanned<String>,
    pub value: Node,
}

impl Entry {
    /// From the start of the key to the end of the value (or the other way
    /// round for a TOML header table, whose range already covers its key).
    pub fn range(&self) -> TextRange {
        TextRange {
            start: self.key.range.start.min(self.value.range.start),
            end: self.key.range.end.max(self.value.range.end),
        }
    }
}

impl Node {
    pub fn new(kind: NodeKind, range: TextRange) -> Self {
        Node { kind, range }
    }

    /// An object with no entries, used when nothing could be read.
    pub fn empty_object(range: TextRange) -> Self {
        Node::new(NodeKind::Object(Vec::new()), range)
    }

    /// The entry for `key` if this is an object. With duplicate keys (only
    /// possible in JSON) the last one wins, like `JSON.parse`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.as_object()?.iter().rev().find(|e| e.key.value == key)
    }

    /// The value for `key` if this is an object.
    pub fn get_value(&self, key: &str) -> Option<&Node> {
        self.get(key).map(|e| &e.value)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            NodeKind::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The string with its range, if this is a string.
    pub fn as_spanned_str(&self) -> Option<Spanned<String>> {
        self.as_str()
            .map(|s| Spanned::new(s.to_owned(), self.range))
    }

    /// What kind of value this is, for messages ("expected a string, found
    /// a number").
    pub fn describe(&self) -> &'static str {
        match self.kind {
            NodeKind::String(_) => "a string",
            NodeKind::Number(_) => "a number",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Array(_) => "an array",
            NodeKind::Object(_) => "an object",
            NodeKind::Other => "a value of another type",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(value: &str, start: usize) -> Node {
        Node::new(
            NodeKind::String(value.into()),
            TextRange::new(start, start + value.len() + 2),
        )
    }

    #[test]
    fn get_prefers_the_last_duplicate_key() {
        let entry = |key: &str, value: Node| Entry {
            key: Spanned::new(key.into(), TextRange::empty(0)),
            value,
        };
        let object = Node::new(
            NodeKind::Object(vec![entry("a", s("first", 0)), entry("a", s("second", 10))]),
            TextRange::new(0, 20),
        );
        assert_eq!(object.get_value("a").and_then(Node::as_str), Some("second"));
        assert!(object.get("b").is_none());
        assert!(s("x", 0).get("a").is_none());
    }

    #[test]
    fn accessors_match_kinds() {
        let node = s("x", 0);
        assert_eq!(node.as_str(), Some("x"));
        assert_eq!(node.as_array(), None);
        assert_eq!(node.describe(), "a string");
        assert_eq!(
            Node::new(NodeKind::Bool(true), TextRange::empty(0)).as_bool(),
            Some(true)
        );
    }
}
