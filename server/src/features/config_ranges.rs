//! Folding and selection ranges for wrangler configs, from the spanned
//! value tree: tables, objects and arrays fold; a selection grows from a
//! value to its entry, its table and the whole file.

use crate::config::value::{Node, NodeKind};
use crate::config::ConfigFormat;
use crate::files::FileId;
use crate::model::Workspace;
use crate::text::TextRange;

/// A foldable block: its first and last line (0-based, inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start_line: usize,
    pub end_line: usize,
}

fn format_of(ws: &Workspace, file: FileId) -> Option<ConfigFormat> {
    ws.files
        .path(file)
        .file_name()?
        .to_str()
        .and_then(ConfigFormat::from_file_name)
}

fn tree(text: &str, format: ConfigFormat) -> Node {
    crate::config::parse_tree(text, format).0
}

/// Folds of a config: each TOML table from its header to its last line,
/// and every object or array written over several lines.
pub fn folding_ranges(ws: &Workspace, file: FileId) -> Vec<Fold> {
    let Some(format) = format_of(ws, file) else {
        return Vec::new();
    };
    let source = ws.files.get(file);
    let text = source.text.as_ref();
    let line = |offset: u32| source.line_index.line_of(offset as usize);
    let mut folds = Vec::new();
    if format == ConfigFormat::Toml {
        for section in toml_sections(text) {
            let (start, end) = (line(section.start), line(section.end));
            if end > start {
                folds.push(Fold {
                    start_line: start,
                    end_line: end,
                });
            }
        }
    }
    let root = tree(text, format);
    // A TOML root is the whole file, with no brackets: no fold of its own.
    let mut stack: Vec<Node> = match root.kind {
        NodeKind::Object(entries) if format == ConfigFormat::Toml => {
            entries.into_iter().map(|e| e.value).collect()
        }
        kind => vec![Node::new(kind, root.range)],
    };
    while let Some(node) = stack.pop() {
        let children: Vec<Node> = match node.kind {
            NodeKind::Object(entries) => entries.into_iter().map(|e| e.value).collect(),
            NodeKind::Array(items) => items,
            _ => continue,
        };
        let (start, end) = (line(node.range.start), line(node.range.end));
        // The closing bracket's line stays visible, as editors expect.
        if end > start + 1 || (end > start && !ends_with_bracket(text, node.range)) {
            let end_line = if ends_with_bracket(text, node.range) {
                end - 1
            } else {
                end
            };
            folds.push(Fold {
                start_line: start,
                end_line,
            });
        }
        stack.extend(children);
    }
    folds.sort_by_key(|f| (f.start_line, f.end_line));
    folds.dedup_by_key(|f| f.start_line);
    folds
}

fn ends_with_bracket(text: &str, range: TextRange) -> bool {
    text.get(range.as_std())
        .is_some_and(|t| t.ends_with('}') || t.ends_with(']'))
}

/// Each TOML table's extent: from its header to the end of its last
/// non-blank line before the next header.
fn toml_sections(text: &str) -> Vec<TextRange> {
    let mut sections = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if let Some((start, end)) = current.take() {
                sections.push(TextRange::new(start, end));
            }
            current = Some((offset, offset + line.trim_end().len()));
        } else if !trimmed.is_empty() {
            if let Some((_, end)) = current.as_mut() {
                *end = offset + line.trim_end().len();
            }
        }
        offset += line.len();
    }
    if let Some((start, end)) = current {
        sections.push(TextRange::new(start, end));
    }
    sections
}

/// The ranges a selection grows through from `offset`, innermost first:
/// the key or value, its entry, the enclosing objects and tables, the file.
pub fn selection_ranges(ws: &Workspace, file: FileId, offset: usize) -> Vec<TextRange> {
    let Some(format) = format_of(ws, file) else {
        return Vec::new();
    };
    let text = ws.files.text(file);
    let root = tree(text, format);
    let mut chain: Vec<TextRange> = Vec::new();
    // Every node is searched, not only those containing the offset: a TOML
    // table opened by a header carries the header's range, not its body's.
    innermost_path(&root, offset, &mut chain);
    if format == ConfigFormat::Toml {
        if let Some(section) = toml_sections(text).into_iter().find(|s| s.contains(offset)) {
            chain.push(section);
        }
    }
    chain.push(TextRange::new(0, text.len()));
    // Innermost first, each range inside the next.
    chain.retain(|r| r.contains(offset) || r.end as usize == offset);
    chain.sort_by_key(|r| (r.len(), std::cmp::Reverse(r.start)));
    chain.dedup();
    let mut nested: Vec<TextRange> = Vec::new();
    for range in chain {
        if nested
            .last()
            .is_none_or(|inner| range.start <= inner.start && inner.end <= range.end)
        {
            nested.push(range);
        }
    }
    nested
}

/// Pushes onto `chain` the ranges around `offset` down to the key or scalar
/// under it; true when one was found.
fn innermost_path(node: &Node, offset: usize, chain: &mut Vec<TextRange>) -> bool {
    let depth = chain.len();
    let children: Vec<(Option<TextRange>, Option<TextRange>, &Node)> = match &node.kind {
        NodeKind::Object(entries) => entries
            .iter()
            .map(|e| (Some(e.range()), Some(e.key.range), &e.value))
            .collect(),
        NodeKind::Array(items) => items.iter().map(|i| (None, None, i)).collect(),
        _ => return false,
    };
    for (entry, key, value) in children {
        if let Some(entry) = entry {
            chain.push(entry);
        }
        if let Some(key) = key.filter(|k| k.contains(offset)) {
            chain.push(key);
            return true;
        }
        let scalar = !matches!(value.kind, NodeKind::Object(_) | NodeKind::Array(_));
        if scalar && value.range.contains(offset) {
            chain.push(value.range);
            return true;
        }
        chain.push(value.range);
        if innermost_path(value, offset, chain) {
            return true;
        }
        chain.truncate(depth);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::FileRole;
    use crate::model::InputFile;

    fn workspace(path: &str, text: &str, format: ConfigFormat) -> (Workspace, FileId) {
        let ws = Workspace::build(vec![InputFile {
            path: path.into(),
            role: FileRole::Config(format),
            text: text.into(),
        }]);
        let file = ws.files.lookup(std::path::Path::new(path)).unwrap();
        (ws, file)
    }

    #[test]
    fn toml_tables_and_multiline_arrays_fold() {
        let text = "name = \"a\"\n\n[[durable_objects.bindings]]\nname = \"X\"\nclass_name = \"X\"\n\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\n  \"X\",\n  \"Y\",\n]\n";
        let (ws, file) = workspace("/w/wrangler.toml", text, ConfigFormat::Toml);
        let folds: Vec<(usize, usize)> = folding_ranges(&ws, file)
            .iter()
            .map(|f| (f.start_line, f.end_line))
            .collect();
        assert_eq!(folds, [(2, 4), (6, 11), (8, 10)]);
    }

    #[test]
    fn json_objects_fold_above_their_closing_bracket() {
        let text = "{\n  \"name\": \"a\",\n  \"durable_objects\": {\n    \"bindings\": [{ \"name\": \"X\", \"class_name\": \"X\" }]\n  }\n}\n";
        let (ws, file) = workspace("/w/wrangler.jsonc", text, ConfigFormat::Jsonc);
        let folds: Vec<(usize, usize)> = folding_ranges(&ws, file)
            .iter()
            .map(|f| (f.start_line, f.end_line))
            .collect();
        assert_eq!(folds, [(0, 4), (2, 3)]);
    }

    #[test]
    fn selections_grow_from_a_value_to_the_file() {
        let text = "name = \"a\"\n\n[[durable_objects.bindings]]\nname = \"X\"\nclass_name = \"Counter\"\n";
        let (ws, file) = workspace("/w/wrangler.toml", text, ConfigFormat::Toml);
        let at = text.find("Counter").unwrap() + 2;
        let shown: Vec<&str> = selection_ranges(&ws, file, at)
            .iter()
            .map(|r| &text[r.as_std()])
            .collect();
        assert_eq!(
            shown,
            [
                "\"Counter\"",
                "class_name = \"Counter\"",
                "[[durable_objects.bindings]]\nname = \"X\"\nclass_name = \"Counter\"",
                text,
            ]
        );
    }
}
