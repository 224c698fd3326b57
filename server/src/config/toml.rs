//! `wrangler.toml` → [`Node`], with every error the parser recovers from.

use std::panic::{catch_unwind, AssertUnwindSafe};

use ::toml::de::{DeTable, DeValue};
use ::toml::Spanned as TomlSpanned;

use super::value::{Entry, Node, NodeKind};
use super::ConfigProblem;
use crate::text::{Spanned, TextRange};

/// Parses TOML text. The tree holds whatever could be read; each syntax
/// error is a problem. Never panics.
pub fn parse(text: &str) -> (Node, Vec<ConfigProblem>) {
    let whole = TextRange::new(0, text.len());
    // The parser is third-party code fed with whatever is in the editor; a bug
    // in it must cost one file's diagnostics, not the server.
    let parsed = catch_unwind(AssertUnwindSafe(|| parse_recovering(text)));
    parsed.unwrap_or_else(|_| {
        let problem = ConfigProblem {
            range: TextRange::empty(0),
            message: "the TOML parser failed on this file".into(),
        };
        (Node::empty_object(whole), vec![problem])
    })
}

/// Re-parses with broken lines blanked out, at most this many times.
const MAX_PASSES: usize = 16;

/// The toml parser reports every syntax error, but its table builder stops
/// at the first line that is not `key = value` (a half-typed key loses the
/// rest of the file). So lines with errors are blanked out (same byte
/// length, so every span stays valid) and the text parsed again until it is
/// clean: the tree then holds every well-formed line. Only the errors of the
/// first pass are reported; later ones could be artefacts of the blanking.
fn parse_recovering(text: &str) -> (Node, Vec<ConfigProblem>) {
    let (mut root, first_errors) = parse_once(text);
    let mut problems: Vec<ConfigProblem> = first_errors.iter().map(|e| problem(text, e)).collect();
    problems.sort_by_key(|p| p.range.start);
    let mut errors = first_errors;
    let mut work = text.as_bytes().to_vec();
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for (range, _) in &errors {
            changed |= blank_line(&mut work, range.start as usize);
        }
        if !changed {
            break;
        }
        // Whole lines became ASCII spaces, so the bytes are still UTF-8.
        let Ok(blanked) = std::str::from_utf8(&work) else {
            break;
        };
        let (next_root, next_errors) = parse_once(blanked);
        root = next_root;
        if next_errors.is_empty() {
            break;
        }
        errors = next_errors;
    }
    (root, problems)
}

/// One parse: the tree and each error's range and message.
fn parse_once(text: &str) -> (Node, Vec<(TextRange, String)>) {
    let (table, errors) = DeTable::parse_recoverable(text);
    let whole = TextRange::new(0, text.len());
    let root = Converter { len: text.len() }.table(table.into_inner(), whole);
    let errors = errors
        .iter()
        .map(|e| {
            // No position: point at the end, where unterminated things end.
            let range = e
                .span()
                .map_or(TextRange::empty(text.len()), |span| clamp(span, text.len()));
            (range, e.message().to_owned())
        })
        .collect();
    (root, errors)
}

/// Replaces the line holding `offset` by spaces; false if it already was.
fn blank_line(bytes: &mut [u8], offset: usize) -> bool {
    let offset = offset.min(bytes.len());
    let head = bytes.get(..offset).unwrap_or_default();
    let start = head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let tail = bytes.get(offset..).unwrap_or_default();
    let end = tail
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| offset + i);
    let line = bytes.get_mut(start..end).unwrap_or_default();
    let changed = line.iter().any(|&b| b != b' ');
    line.fill(b' ');
    changed
}

fn problem(text: &str, (range, message): &(TextRange, String)) -> ConfigProblem {
    ConfigProblem {
        range: widen(text, *range),
        message: format!("TOML syntax error: {message}"),
    }
}

/// The parser often reports a position, not a range: widen an empty range
/// to the word it sits on, or else the word before it on the same line (the
/// `=` missing its value, the header missing its `]`), so editors underline
/// something visible.
fn widen(text: &str, range: TextRange) -> TextRange {
    if !range.is_empty() {
        return range;
    }
    let at = (range.start as usize).min(text.len());
    let (Some(before), Some(after)) = (text.get(..at), text.get(at..)) else {
        return range;
    };
    let word_after = after.find(char::is_whitespace).unwrap_or(after.len());
    if word_after > 0 {
        return TextRange::new(at, at + word_after);
    }
    let trimmed = before.trim_end_matches([' ', '\t', '\r']);
    let word_start = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    if word_start < trimmed.len() {
        TextRange::new(word_start, trimmed.len())
    } else {
        range
    }
}

fn clamp(span: std::ops::Range<usize>, len: usize) -> TextRange {
    let end = span.end.min(len);
    TextRange::new(span.start.min(end), end)
}

struct Converter {
    len: usize,
}

impl Converter {
    fn value(&self, value: TomlSpanned<DeValue<'_>>) -> Node {
        let range = clamp(value.span(), self.len);
        match value.into_inner() {
            DeValue::String(s) => Node::new(NodeKind::String(s.into_owned()), range),
            DeValue::Integer(i) => Node::new(NodeKind::Number(i.to_string()), range),
            DeValue::Float(f) => Node::new(NodeKind::Number(f.to_string()), range),
            DeValue::Boolean(b) => Node::new(NodeKind::Bool(b), range),
            DeValue::Datetime(_) => Node::new(NodeKind::Other, range),
            DeValue::Array(items) => {
                let items = items.into_iter().map(|v| self.value(v)).collect();
                Node::new(NodeKind::Array(items), range)
            }
            DeValue::Table(table) => self.table(table, range),
        }
    }

    fn table(&self, table: DeTable<'_>, range: TextRange) -> Node {
        let mut entries: Vec<Entry> = table
            .into_iter()
            .map(|(key, value)| Entry {
                key: Spanned::new(key.get_ref().to_string(), clamp(key.span(), self.len)),
                value: self.value(value),
            })
            .collect();
        // The parser's map is sorted by key; file order is what users expect
        // (env order, first-declared-first diagnostics).
        entries.sort_by_key(|e| e.key.range.start);
        Node::new(NodeKind::Object(entries), range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, range: TextRange) -> &str {
        &text[range.as_std()]
    }

    fn path<'a>(node: &'a Node, keys: &[&str]) -> &'a Node {
        keys.iter().fold(node, |n, k| {
            n.get_value(k)
                .unwrap_or_else(|| panic!("missing key {k} in {n:?}"))
        })
    }

    #[test]
    fn nested_tables_and_arrays_of_tables() {
        let text = r#"
name = "app"
main = "src/index.ts"
vars.GREETING = "hi"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Counter", to = "Tally" }]

[env.staging]
name = "app-stg"

[env.staging.durable_objects]
bindings = [{ name = "TALLY", class_name = "Tally" }]

[[env.staging.migrations]]
tag = "s1"

[env.production]
"#;
        let (root, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");

        let keys: Vec<_> = root
            .as_object()
            .unwrap()
            .iter()
            .map(|e| e.key.value.as_str())
            .collect();
        assert_eq!(keys, ["name", "main", "vars", "migrations", "env"]);

        assert_eq!(path(&root, &["vars", "GREETING"]).as_str(), Some("hi"));
        let migrations = path(&root, &["migrations"]).as_array().unwrap();
        assert_eq!(migrations.len(), 2);
        assert_eq!(at(text, migrations[0].range), "[[migrations]]");
        let renamed = path(&migrations[1], &["renamed_classes"])
            .as_array()
            .unwrap();
        assert_eq!(
            at(text, renamed[0].range),
            r#"{ from = "Counter", to = "Tally" }"#
        );

        // Env order is file order, and a header table's range is its header.
        let env = path(&root, &["env"]).as_object().unwrap();
        assert_eq!(env[0].key.value, "staging");
        assert_eq!(env[1].key.value, "production");
        assert_eq!(at(text, env[0].value.range), "[env.staging]");
        assert_eq!(at(text, env[0].key.range), "staging");
        assert_eq!(at(text, env[1].value.range), "[env.production]");

        let binding = &path(&env[0].value, &["durable_objects", "bindings"])
            .as_array()
            .unwrap()[0];
        let class = binding.get("class_name").unwrap();
        assert_eq!(at(text, class.key.range), "class_name");
        assert_eq!(at(text, class.value.range), r#""Tally""#);
        let staged = path(&env[0].value, &["migrations"]).as_array().unwrap();
        assert_eq!(path(&staged[0], &["tag"]).as_str(), Some("s1"));
    }

    #[test]
    fn key_and_value_spans_point_at_source() {
        let text = "name = \"app\"\n\"quoted key\" = 'lit'\nflags = [\"a\", \"b\"]\nn = 5\nb = true\nd = 1979-05-27\n";
        let (root, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        let name = root.get("name").unwrap();
        assert_eq!(at(text, name.key.range), "name");
        assert_eq!(at(text, name.value.range), "\"app\"");
        let quoted = root.get("quoted key").unwrap();
        assert_eq!(at(text, quoted.key.range), "\"quoted key\"");
        assert_eq!(at(text, quoted.value.range), "'lit'");
        let flags = root.get("flags").unwrap();
        assert_eq!(at(text, flags.value.range), "[\"a\", \"b\"]");
        assert_eq!(at(text, flags.value.as_array().unwrap()[1].range), "\"b\"");
        assert_eq!(
            root.get_value("n").unwrap().kind,
            NodeKind::Number("5".into())
        );
        assert_eq!(root.get_value("b").unwrap().as_bool(), Some(true));
        assert_eq!(root.get_value("d").unwrap().kind, NodeKind::Other);
    }

    #[test]
    fn reports_every_recoverable_error_and_keeps_the_rest() {
        let text = "name = \"app\"\nname = \"again\"\nmain = \nbroken line\ncompatibility_date = \"2025-01-01\"\n[env.x\nkey = 1\n[env.y]\nname = \"y\"\n";
        let (root, problems) = parse(text);
        let found: Vec<_> = problems.iter().map(|p| at(text, p.range)).collect();
        assert_eq!(found, ["name", "=", "line", "[env.x"], "{problems:#?}");
        for p in &problems {
            assert!(p.message.starts_with("TOML syntax error: "), "{p:?}");
        }
        assert!(problems[0].message.contains("duplicate key"));
        // Everything well-formed is read, also after the broken lines.
        assert_eq!(root.get_value("name").and_then(Node::as_str), Some("app"));
        assert_eq!(
            root.get_value("compatibility_date").and_then(Node::as_str),
            Some("2025-01-01")
        );
        let env_y = path(&root, &["env", "y"]);
        assert_eq!(env_y.get_value("name").and_then(Node::as_str), Some("y"));
        assert_eq!(at(text, env_y.range), "[env.y]");
    }

    #[test]
    fn garbage_does_not_panic() {
        let inputs = [
            "",
            "[",
            "[[",
            "]]]",
            "= = =",
            "a.b.c = 1\na = 2",
            "a = [1, {",
            "\"unterminated",
            "[a]\n[a]\n[[a]]",
            "x = \"\\uD800\"",
            "\u{0}\u{1}\u{ff}\u{feff}é = ü",
            "[[a.b]]\n[a]\nb = 1\n[a.b.c]",
            "a = { b = 1 }\na.c = 2\n[a.d]",
            "s = \"\"\"never closed\nx = 1\n",
        ];
        let deep = format!("a = {}", "[".repeat(10_000));
        let _ = parse(&deep);
        let deep_tables = format!("a = {}", "{ b = ".repeat(10_000));
        let _ = parse(&deep_tables);
        for input in inputs {
            let (root, _) = parse(input);
            assert!(root.as_object().is_some(), "{input:?}");
        }
        let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let lossy = String::from_utf8_lossy(&bytes);
        let _ = parse(&lossy);
    }
}
