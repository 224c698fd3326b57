//! `wrangler.json` / `wrangler.jsonc` → [`Node`]. wrangler reads both as JSONC:
//! comments and trailing commas are allowed, the rest is plain JSON.

use std::panic::{catch_unwind, AssertUnwindSafe};

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Range;
use jsonc_parser::{parse_to_ast, CollectOptions, ParseOptions};

use super::value::{Entry, Node, NodeKind};
use super::ConfigProblem;
use crate::text::{Spanned, TextRange};

/// Parses JSONC text. The parser stops at the first syntax error, so on error
/// the tree is an empty object and the one problem says where it stopped.
/// Never panics.
pub fn parse(text: &str) -> (Node, Vec<ConfigProblem>) {
    // A UTF-8 byte order mark, which wrangler skips, read as three spaces:
    // every offset stays where it is in the file.
    let without_bom;
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => {
            without_bom = format!("   {rest}");
            without_bom.as_str()
        }
        None => text,
    };
    let whole = TextRange::new(0, text.len());
    // Third-party parser on arbitrary editor text: contain any bug in it.
    let parsed = catch_unwind(AssertUnwindSafe(|| parse_unguarded(text)));
    parsed.unwrap_or_else(|_| {
        let problem = ConfigProblem {
            range: TextRange::empty(0),
            message: "the JSON parser failed on this file".into(),
        };
        (Node::empty_object(whole), vec![problem])
    })
}

fn parse_unguarded(text: &str) -> (Node, Vec<ConfigProblem>) {
    let whole = TextRange::new(0, text.len());
    // Only what wrangler's JSONC reader accepts; the JSON5-ish extensions
    // jsonc-parser allows by default would be errors for wrangler.
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    match parse_to_ast(text, &CollectOptions::default(), &options) {
        Ok(result) => match result.value {
            Some(value) => {
                let mut converter = Converter {
                    len: text.len(),
                    problems: Vec::new(),
                };
                let root = converter.value(&value);
                (root, converter.problems)
            }
            None => {
                let problem = ConfigProblem {
                    range: TextRange::empty(0),
                    message: "JSON syntax error: the file is empty, expected an object".into(),
                };
                (Node::empty_object(whole), vec![problem])
            }
        },
        Err(error) => {
            let problem = ConfigProblem {
                range: clamp(error.range(), text.len()),
                message: format!("JSON syntax error: {}", error.kind()),
            };
            // Mid-edit, the most common breakage is one wrangler rejects
            // but whose meaning is plain: a missing comma, an unquoted or
            // single-quoted key. The file is read with those allowed, so
            // its Worker keeps its bindings (and every finding, hover and
            // completion built on them) while the error is reported; a
            // file that does not parse even so is an empty object.
            let lenient = ParseOptions {
                allow_missing_commas: true,
                allow_loose_object_property_names: true,
                allow_single_quoted_strings: true,
                ..options
            };
            match parse_to_ast(text, &CollectOptions::default(), &lenient) {
                Ok(result) => match result.value {
                    Some(value) => {
                        let mut converter = Converter {
                            len: text.len(),
                            problems: vec![problem],
                        };
                        let root = converter.value(&value);
                        (root, converter.problems)
                    }
                    None => (Node::empty_object(whole), vec![problem]),
                },
                Err(_) => (Node::empty_object(whole), vec![problem]),
            }
        }
    }
}

fn clamp(range: Range, len: usize) -> TextRange {
    let end = range.end.min(len);
    TextRange::new(range.start.min(end), end)
}

struct Converter {
    len: usize,
    problems: Vec<ConfigProblem>,
}

impl Converter {
    fn value(&mut self, value: &Value<'_>) -> Node {
        match value {
            Value::StringLit(s) => Node::new(
                NodeKind::String(s.value.to_string()),
                clamp(s.range, self.len),
            ),
            Value::NumberLit(n) => Node::new(
                NodeKind::Number(n.value.to_string()),
                clamp(n.range, self.len),
            ),
            Value::BooleanLit(b) => Node::new(NodeKind::Bool(b.value), clamp(b.range, self.len)),
            Value::NullKeyword(n) => Node::new(NodeKind::Other, clamp(n.range, self.len)),
            Value::Array(array) => {
                let items = array.elements.iter().map(|v| self.value(v)).collect();
                Node::new(NodeKind::Array(items), clamp(array.range, self.len))
            }
            Value::Object(object) => {
                let mut entries: Vec<Entry> = Vec::with_capacity(object.properties.len());
                // Keys seen so far: a set, so a large object stays linear.
                let mut seen = std::collections::HashSet::with_capacity(object.properties.len());
                for prop in &object.properties {
                    let (name, range) = match &prop.name {
                        ObjectPropName::String(s) => (s.value.to_string(), s.range),
                        ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                    };
                    let key = Spanned::new(name, clamp(range, self.len));
                    // JSON.parse keeps the last duplicate silently; in a
                    // config that is almost always a mistake worth showing.
                    if !seen.insert(key.value.clone()) {
                        self.problems.push(ConfigProblem {
                            range: key.range,
                            message: format!(
                                "duplicate key `{}`: wrangler uses only the last one",
                                key.value
                            ),
                        });
                    }
                    let value = self.value(&prop.value);
                    entries.push(Entry { key, value });
                }
                Node::new(NodeKind::Object(entries), clamp(object.range, self.len))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, range: TextRange) -> &str {
        &text[range.as_std()]
    }

    #[test]
    fn comments_trailing_commas_and_spans() {
        let text = r#"{
  // the worker
  "name": "app", /* inline */
  "flags": ["a", "b",],
  "n": 5, "ok": false, "none": null,
  "durable_objects": { "bindings": [ { "name": "X", "class_name": "Y" }, ], },
}"#;
        let (root, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        let name = root.get("name").unwrap();
        assert_eq!(at(text, name.key.range), "\"name\"");
        assert_eq!(at(text, name.value.range), "\"app\"");
        assert_eq!(name.value.as_str(), Some("app"));
        let flags = root.get_value("flags").unwrap().as_array().unwrap();
        assert_eq!(at(text, flags[1].range), "\"b\"");
        assert_eq!(
            root.get_value("n").unwrap().kind,
            NodeKind::Number("5".into())
        );
        assert_eq!(root.get_value("ok").unwrap().as_bool(), Some(false));
        assert_eq!(root.get_value("none").unwrap().kind, NodeKind::Other);
        let binding = &root
            .get_value("durable_objects")
            .and_then(|d| d.get_value("bindings"))
            .and_then(Node::as_array)
            .unwrap()[0];
        assert_eq!(
            at(text, binding.range),
            r#"{ "name": "X", "class_name": "Y" }"#
        );
        assert_eq!(at(text, root.range), text);
    }

    /// The error is reported where it is; a missing comma or a single
    /// quote leaves the meaning plain, so the entries are still read (the
    /// Worker keeps its bindings while the user types); text that does not
    /// parse even so is an empty object.
    #[test]
    fn syntax_error_is_reported_with_its_range() {
        let text = "{\n  \"name\": \"app\"\n  \"main\": 'x'\n}";
        let (root, problems) = parse(text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.starts_with("JSON syntax error: "));
        assert!(problems[0].range.start as usize > text.find("\"app\"").unwrap());
        let keys: Vec<&str> = root
            .as_object()
            .unwrap()
            .iter()
            .map(|entry| entry.key.value.trim_matches('"'))
            .collect();
        assert_eq!(keys, ["name", "main"]);

        let unterminated = "{\n  \"name\": \"app\",\n  \"compat\n}";
        let (root, problems) = parse(unterminated);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(root.as_object().map(<[Entry]>::len), Some(0));
    }

    #[test]
    fn duplicate_keys_are_reported_and_last_wins() {
        let text = r#"{ "name": "a", "name": "b" }"#;
        let (root, problems) = parse(text);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].range.start as usize,
            text.rfind("\"name\"").unwrap()
        );
        assert_eq!(root.get_value("name").and_then(Node::as_str), Some("b"));
    }

    #[test]
    fn empty_and_garbage_do_not_panic() {
        let (_, problems) = parse("");
        assert_eq!(problems.len(), 1);
        let nested = "[".repeat(10_000);
        let inputs = [
            "{",
            "}",
            "[1,",
            "{\"a\": }",
            "/* unterminated",
            "\"\\ud800\"",
            "{\"é\u{0}\": \u{feff}}",
            "{a: 1}",
            nested.as_str(),
        ];
        for input in inputs {
            let _ = parse(input);
        }
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
}
