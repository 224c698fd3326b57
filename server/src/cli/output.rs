//! Printing a check report: human code frames and the JSON contract.

use std::path::PathBuf;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::discovery::SkippedFile;
use crate::files::FileId;
use crate::model::Workspace;
use crate::text::TextRange;

pub struct Report {
    pub workspace: Workspace,
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<SkippedFile>,
    /// Paths in the output are relative to this folder.
    pub root: PathBuf,
}

#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: String,
    range: JsonRange,
    severity: Severity,
    code: &'a str,
    message: &'a str,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: String,
    range: JsonRange,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    infos: usize,
    hints: usize,
    files: usize,
    workers: usize,
}

/// 1-based lines and columns; columns count Unicode scalar values.
fn json_range(ws: &Workspace, file: FileId, range: TextRange) -> JsonRange {
    let source = ws.files.get(file);
    let position = |offset: u32| {
        let lc = source.line_index.line_col(&source.text, offset as usize);
        JsonPosition {
            line: lc.line + 1,
            column: lc.col + 1,
        }
    };
    JsonRange {
        start: position(range.start),
        end: position(range.end),
    }
}

pub fn json(report: &Report) -> String {
    let ws = &report.workspace;
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            path: ws.display_path(d.file, &report.root),
            range: json_range(ws, d.file, d.range),
            severity: d.severity,
            code: d.code,
            message: &d.message,
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    path: ws.display_path(r.file, &report.root),
                    range: json_range(ws, r.file, r.range),
                    message: &r.message,
                })
                .collect(),
        })
        .collect();
    let counts = report.counts();
    let out = JsonReport {
        version: 1,
        diagnostics,
        summary: JsonSummary {
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
            hints: counts.hints,
            files: ws.files.len(),
            workers: ws.workers.len(),
        },
    };
    let mut text = serde_json::to_string(&out).expect("report serializes");
    text.push('\n');
    text
}

pub fn human(report: &Report, color: bool) -> String {
    let ws = &report.workspace;
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut text = String::new();
    for diagnostic in &report.diagnostics {
        let level = match diagnostic.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
            Severity::Hint => Level::HELP.with_name("hint"),
        };
        let path = ws.display_path(diagnostic.file, &report.root);
        let source = ws.files.text(diagnostic.file);
        let mut snippet = Snippet::source(source)
            .path(path.clone())
            .annotation(AnnotationKind::Primary.span(clamp(diagnostic.range, source)));
        let mut other_files = Vec::new();
        for related in &diagnostic.related {
            if related.file == diagnostic.file {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(clamp(related.range, source))
                        .label(related.message.as_str()),
                );
            } else {
                other_files.push(related);
            }
        }
        let mut groups = vec![level
            .primary_title(diagnostic.message.as_str())
            .id(diagnostic.code)
            .element(snippet)];
        for related in other_files {
            let related_source = ws.files.text(related.file);
            groups.push(
                Group::with_title(Level::NOTE.secondary_title(related.message.as_str())).element(
                    Snippet::source(related_source)
                        .path(ws.display_path(related.file, &report.root))
                        .annotation(
                            AnnotationKind::Context.span(clamp(related.range, related_source)),
                        ),
                ),
            );
        }
        for fix in &diagnostic.fixes {
            let marker = match fix.safety {
                crate::fix::Safety::Safe => "fix",
                crate::fix::Safety::Unsafe => "fix (unsafe)",
            };
            let title = format!("{marker}: {}", fix.title);
            groups.push(Group::with_title(Level::HELP.secondary_title(title)));
        }
        text.push_str(&renderer.render(&groups));
        text.push_str("\n\n");
    }
    let counts = report.counts();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    text.push_str(&format!(
        "{}, {}, {}, {} in {} ({})\n",
        plural(counts.errors, "error"),
        plural(counts.warnings, "warning"),
        plural(counts.infos, "info"),
        plural(counts.hints, "hint"),
        plural(ws.workers.len(), "Worker"),
        plural(ws.files.len(), "file"),
    ));
    let has_safe_fix =
        |d: &&Diagnostic| d.fixes.iter().any(|f| f.safety == crate::fix::Safety::Safe);
    let safe = report.diagnostics.iter().filter(has_safe_fix).count();
    let unsafe_only = report
        .diagnostics
        .iter()
        .filter(|d| !d.fixes.is_empty() && !has_safe_fix(d))
        .count();
    if safe > 0 {
        text.push_str(&format!("{safe} fixable with `dols check --fix`"));
        if unsafe_only > 0 {
            text.push_str(&format!(" ({unsafe_only} more with `--unsafe-fixes`)"));
        }
        text.push('\n');
    } else if unsafe_only > 0 {
        text.push_str(&format!(
            "{unsafe_only} fixable with `dols check --fix --unsafe-fixes`\n"
        ));
    }
    text
}

/// A range that is valid for `source` (the renderer indexes with it).
fn clamp(range: TextRange, source: &str) -> std::ops::Range<usize> {
    let mut start = (range.start as usize).min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (range.end as usize).clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
