//! Editor actions next to quick fixes: silence one finding with a
//! `dols-ignore-next-line` comment, and apply every safe fix of a file at
//! once (`source.fixAll`, for fix-on-save).

use super::{SourceChange, TextEdit};
use crate::config::ConfigFormat;
use crate::diagnostic::Diagnostic;
use crate::files::FileId;
use crate::model::Workspace;
use crate::text::TextRange;

use super::Safety;

/// The words every suppression comment starts with.
const NEXT_LINE: &str = "dols-ignore-next-line";

/// Inserts `// dols-ignore-next-line <rule>` (`#` in TOML) above the line
/// where `diagnostic` starts, with that line's indentation; when the line
/// above already suppresses other rules, adds this one to its list. `None`
/// where a comment line would change the file: inside a string or
/// template literal spanning lines, or a file that does not parse.
pub fn suppress_on_line(ws: &Workspace, diagnostic: &Diagnostic) -> Option<SourceChange> {
    let file = diagnostic.file;
    let source = ws.files.get(file);
    let text = source.text.as_ref();
    let start = (diagnostic.range.start as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let indent_end = line_start
        + text[line_start..]
            .find(|c: char| c != ' ' && c != '\t')
            .unwrap_or(text.len() - line_start);
    let indent = &text[line_start..indent_end];
    let config_format = source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(ConfigFormat::from_file_name);
    let marker = if config_format == Some(ConfigFormat::Toml) {
        "#"
    } else {
        "//"
    };
    // An existing comment on the line above: add the rule to it.
    if line_start > 0 {
        let above_start = text[..line_start - 1].rfind('\n').map_or(0, |n| n + 1);
        let above = &text[above_start..line_start - 1];
        let trimmed = above.trim_start();
        if let Some(rest) = trimmed
            .strip_prefix(marker)
            .map(str::trim_start)
            .filter(|rest| rest.starts_with(NEXT_LINE))
        {
            let after_words = &rest[NEXT_LINE.len()..];
            if after_words
                .split([',', ':'])
                .any(|r| r.trim() == diagnostic.code)
            {
                return None;
            }
            let words_end = above_start + (above.len() - after_words.len());
            let insert = format!(" {},", diagnostic.code);
            let mut change = SourceChange::default();
            change.push(file, TextEdit::insert(words_end, insert));
            return Some(change);
        }
    }
    let line_ending = if text[line_start..].contains("\r\n") || text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let comment = format!(
        "{indent}{marker} {NEXT_LINE} {}{line_ending}",
        diagnostic.code
    );
    let safe = match config_format {
        Some(format) => config_line_is_free(text, format, line_start, &comment),
        None => source_line_is_free(&source.path, text, line_start),
    };
    safe.then(|| SourceChange::single(file, TextEdit::insert(line_start, comment)))
}

/// A source line starts outside any string, template literal or comment,
/// so a comment line can go before it.
fn source_line_is_free(path: &std::path::Path, text: &str, line_start: usize) -> bool {
    let Some(parsed) = super::source_edit::parse(path, text) else {
        return false;
    };
    let root = parsed.tree.root_node();
    let Some(node) = root.descendant_for_byte_range(line_start, line_start) else {
        return true;
    };
    let mut current = Some(node);
    while let Some(n) = current {
        let kind = n.kind();
        let spans_line = n.start_byte() < line_start && n.end_byte() > line_start;
        if spans_line
            && matches!(
                kind,
                "string" | "template_string" | "comment" | "jsx_text" | "jsx_element" | "regex"
            )
        {
            return false;
        }
        current = n.parent();
    }
    true
}

/// In a config, the inserted line must leave every value as it was (a
/// TOML multi-line string would take the comment into its text).
fn config_line_is_free(text: &str, format: ConfigFormat, line_start: usize, comment: &str) -> bool {
    let mut changed = text.to_string();
    changed.insert_str(line_start, comment);
    let read = |t: &str| crate::config::parse_tree(t, format);
    let (before, before_problems) = read(text);
    let (after, after_problems) = read(&changed);
    before_problems.len() == after_problems.len()
        && crate::config::schema_check::to_json(&before)
            == crate::config::schema_check::to_json(&after)
}

/// Every safe fix of `file`'s findings that edits only `file`, the first
/// of each finding, skipping any that overlaps one already taken: what
/// `source.fixAll` applies on save. One pass: the next save (or
/// `dols check --fix`) takes what this one left.
pub fn safe_fixes_of_file(diagnostics: &[Diagnostic], file: FileId) -> Option<SourceChange> {
    let mut taken: Vec<TextRange> = Vec::new();
    let mut change = SourceChange::default();
    for diagnostic in diagnostics.iter().filter(|d| d.file == file) {
        let Some(fix) = diagnostic.fixes.iter().find(|f| {
            f.safety == Safety::Safe
                && f.change.created.is_empty()
                && f.change.edits.keys().all(|&f| f == file)
        }) else {
            continue;
        };
        let ranges: Vec<TextRange> = fix
            .change
            .edits
            .values()
            .flatten()
            .map(|e| e.range)
            .collect();
        let overlaps = ranges
            .iter()
            .any(|r| taken.iter().any(|t| r.start <= t.end && t.start <= r.end));
        if overlaps {
            continue;
        }
        taken.extend(ranges);
        change.merge(fix.change.clone());
    }
    (!change.is_empty()).then_some(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn workspace(path: &str, text: &str) -> (Workspace, FileId) {
        use crate::discovery::FileRole;
        use crate::index::language::SourceLanguage;
        let role = if path.ends_with("wrangler.toml") {
            FileRole::Config(ConfigFormat::Toml)
        } else {
            FileRole::Source(SourceLanguage::TypeScript)
        };
        let ws = Workspace::build(vec![crate::model::InputFile {
            path: path.into(),
            role,
            text: text.into(),
        }]);
        let file = ws.files.lookup(std::path::Path::new(path)).unwrap();
        (ws, file)
    }

    fn diagnostic(file: FileId, text: &str, at: &str) -> Diagnostic {
        let start = text.find(at).unwrap();
        Diagnostic::new(
            "rule-x",
            Severity::Warning,
            file,
            TextRange::new(start, start + at.len()),
            "message",
        )
    }

    fn applied(ws: &Workspace, file: FileId, change: &SourceChange) -> String {
        let mut text = ws.files.text(file).to_string();
        let mut edits = change.edits[&file].clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
        for edit in edits {
            text.replace_range(edit.range.as_std(), &edit.new_text);
        }
        text
    }

    #[test]
    fn a_comment_line_goes_above_with_the_same_indentation() {
        let text = "export class A {\n  m() {\n    setInterval(f, 1);\n  }\n}\n";
        let (ws, file) = workspace("/w/src/a.ts", text);
        let change = suppress_on_line(&ws, &diagnostic(file, text, "setInterval")).unwrap();
        assert_eq!(
            applied(&ws, file, &change),
            "export class A {\n  m() {\n    // dols-ignore-next-line rule-x\n    setInterval(f, 1);\n  }\n}\n"
        );
    }

    #[test]
    fn an_existing_comment_gets_the_rule_added() {
        let text = "function f() {\n  // dols-ignore-next-line other: reason\n  g();\n}\n";
        let (ws, file) = workspace("/w/src/a.ts", text);
        let change = suppress_on_line(&ws, &diagnostic(file, text, "g()")).unwrap();
        assert_eq!(
            applied(&ws, file, &change),
            "function f() {\n  // dols-ignore-next-line rule-x, other: reason\n  g();\n}\n"
        );
    }

    #[test]
    fn no_comment_inside_a_template_literal_or_a_toml_multiline_string() {
        let text = "const q = `SELECT *\n  FROM t WHERE x = ${x}`;\n";
        let (ws, file) = workspace("/w/src/a.ts", text);
        assert!(suppress_on_line(&ws, &diagnostic(file, text, "FROM")).is_none());
        let text = "name = \"a\"\n[vars]\nTEXT = \"\"\"\nline\n\"\"\"\n";
        let (ws, file) = workspace("/w/wrangler.toml", text);
        assert!(suppress_on_line(&ws, &diagnostic(file, text, "line")).is_none());
        // A config line outside strings takes a `#` comment.
        let change = suppress_on_line(&ws, &diagnostic(file, text, "[vars]")).unwrap();
        assert!(applied(&ws, file, &change).contains("# dols-ignore-next-line rule-x\n[vars]"));
    }
}
