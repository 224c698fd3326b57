//! GitHub Actions workflow commands (`dols check --format github`): one
//! `::error`/`::warning`/`::notice` line per diagnostic, which the runner
//! turns into annotations on the run and the pull request.
//!
//! `file=` is the absolute path: the runner rewrites a path inside the
//! workspace to the repository path, so annotations land on the right file
//! whichever folder was checked and whatever the step's working directory.
//! Lines and columns are 1-based, columns in UTF-16 code units as in the
//! SARIF report; columns are given only for a range on one line (the runner
//! drops them otherwise). Related locations and fix titles follow the
//! message on lines of their own.

use super::output::Report;
use super::sarif::utf16_position;
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::Safety;
use crate::model::Workspace;

pub fn github(report: &Report) -> String {
    let ws = &report.workspace;
    let mut out = String::new();
    for d in &report.diagnostics {
        out.push_str(&command(ws, report, d));
        out.push('\n');
    }
    out
}

fn command(ws: &Workspace, report: &Report, d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "notice",
    };
    let source = ws.files.get(d.file);
    let (line, col) = utf16_position(&source.text, &source.line_index, d.range.start as usize);
    let (end_line, end_col) =
        utf16_position(&source.text, &source.line_index, d.range.end as usize);
    let mut properties = vec![
        ("file", source.path.to_string_lossy().into_owned()),
        ("line", line.to_string()),
    ];
    if line == end_line {
        properties.push(("col", col.to_string()));
    }
    properties.push(("endLine", end_line.to_string()));
    if line == end_line {
        properties.push(("endColumn", end_col.to_string()));
    }
    properties.push(("title", d.code.to_string()));

    let mut message = d.message.clone();
    for related in &d.related {
        let other = ws.files.get(related.file);
        let (l, c) = utf16_position(&other.text, &other.line_index, related.range.start as usize);
        message.push_str(&format!(
            "\n{}:{l}:{c}: {}",
            ws.display_path(related.file, &report.root),
            related.message
        ));
    }
    for fix in &d.fixes {
        let marker = match fix.safety {
            Safety::Safe => "fix",
            Safety::Unsafe => "fix (unsafe)",
        };
        message.push_str(&format!("\nhelp: {marker}: {}", fix.title));
    }

    let properties = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect::<Vec<_>>()
        .join(",");
    format!("::{kind} {properties}::{}", escape_data(&message))
}

/// Escaping of a command's data (the message).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value: the data escapes plus `:` and `,`, which
/// delimit properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
