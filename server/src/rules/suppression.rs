//! Suppression comments, applied once after the rules ran.
//!
//! - In sources (found by the index): `// dols-ignore-next-line rule-a,
//!   rule-b: reason` and `// dols-ignore-file rule-a`.
//! - In configs: the same words after `#` (TOML) or `//` (JSON/JSONC);
//!   plain `dols-ignore` means the next line.

use crate::diagnostic::Diagnostic;
use crate::files::FileId;
use crate::model::Workspace;
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub file: FileId,
    /// The comment, for pointing at it.
    pub range: TextRange,
    pub rules: Vec<String>,
    /// 0-based line the comment silences; `None` for the whole file.
    pub line: Option<usize>,
}

/// The suppression comments of one file (a source or a config).
pub fn collect_in(ws: &Workspace, file: FileId) -> Vec<Comment> {
    if let Some(summary) = ws.summary(file) {
        let source = ws.files.get(file);
        return summary
            .suppressions
            .iter()
            .map(|suppression| {
                let comment_line = source.line_index.line_of(suppression.range.end as usize);
                Comment {
                    file,
                    range: suppression.range,
                    rules: suppression.rules.clone(),
                    line: (!suppression.whole_file).then_some(comment_line + 1),
                }
            })
            .collect();
    }
    if matches!(ws.role(file), Some(crate::discovery::FileRole::Config(_))) {
        return config_comments(file, ws.files.text(file));
    }
    Vec::new()
}

/// Whether `file` may hold suppression comments (a cheap test, so a run
/// over everything looks for them only where they can be).
pub fn may_have_comments(ws: &Workspace, file: FileId) -> bool {
    match ws.summary(file) {
        Some(summary) => !summary.suppressions.is_empty(),
        None => {
            matches!(ws.role(file), Some(crate::discovery::FileRole::Config(_)))
                && ws.files.text(file).contains("dols-ignore")
        }
    }
}

/// Suppression comments in a TOML or JSON(C) config, found line by line.
fn config_comments(file: FileId, text: &str) -> Vec<Comment> {
    if !text.contains("dols-ignore") {
        return Vec::new();
    }
    let mut comments = Vec::new();
    let mut offset = 0;
    for (line_number, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let Some(at) = line.find("dols-ignore") else {
            continue;
        };
        let before = line[..at].trim_end();
        if !(before.ends_with('#') || before.ends_with("//")) {
            continue;
        }
        let marker_start = before.len() - if before.ends_with('#') { 1 } else { 2 };
        let directive = &line[at..];
        let (whole_file, rest) = if let Some(rest) = directive.strip_prefix("dols-ignore-file") {
            (true, rest)
        } else if let Some(rest) = directive.strip_prefix("dols-ignore-next-line") {
            (false, rest)
        } else if let Some(rest) = directive.strip_prefix("dols-ignore") {
            (false, rest)
        } else {
            continue;
        };
        comments.push(Comment {
            file,
            range: TextRange::new(start + marker_start, start + line.trim_end().len()),
            rules: rule_list(rest),
            line: (!whole_file).then_some(line_number + 1),
        });
    }
    comments
}

/// `rule-a, rule-b: reason` → the rule ids.
pub fn rule_list(text: &str) -> Vec<String> {
    let list = text.split(':').next().unwrap_or_default();
    list.split([',', ' ', '\t'])
        .map(|w| w.trim().trim_end_matches("*/").trim())
        .filter(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .map(String::from)
        .collect()
}

/// Drops suppressed diagnostics; returns the rest and the comments that
/// silenced nothing.
pub fn apply(
    ws: &Workspace,
    diagnostics: Vec<Diagnostic>,
    comments: &[Comment],
) -> (Vec<Diagnostic>, Vec<Comment>) {
    if comments.is_empty() {
        return (diagnostics, Vec::new());
    }
    let mut used = vec![false; comments.len()];
    let mut kept = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        let line = ws
            .files
            .get(diagnostic.file)
            .line_index
            .line_of(diagnostic.range.start as usize);
        let silenced_by = comments.iter().position(|c| {
            c.file == diagnostic.file
                && c.rules.iter().any(|r| r == diagnostic.code)
                && c.line.is_none_or(|l| l == line)
        });
        match silenced_by {
            Some(index) => used[index] = true,
            None => kept.push(diagnostic),
        }
    }
    let unused = comments
        .iter()
        .zip(used)
        .filter(|(_, used)| !used)
        .map(|(c, _)| c.clone())
        .collect();
    (kept, unused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rule_lists_and_config_comments() {
        assert_eq!(
            rule_list(" legacy-kv-backend, sql-on-kv-backend: migrating next week"),
            vec!["legacy-kv-backend", "sql-on-kv-backend"]
        );
        assert_eq!(
            rule_list(" missing-migration */"),
            vec!["missing-migration"]
        );
        let toml = "name = \"x\"\n# dols-ignore legacy-kv-backend: deployed long ago\nnew_classes = [\"A\"]\n";
        let found = config_comments(FileId(0), toml);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, Some(2));
        assert_eq!(
            &toml[found[0].range.as_std()],
            "# dols-ignore legacy-kv-backend: deployed long ago"
        );
        let jsonc = "{\n  // dols-ignore-file binding-not-in-env\n}";
        assert_eq!(config_comments(FileId(0), jsonc)[0].line, None);
        // A URL containing the words is not a comment.
        assert!(config_comments(FileId(0), "x = \"https://e.com/dols-ignore\"").is_empty());
    }
}
