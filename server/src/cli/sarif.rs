//! The SARIF 2.1.0 report (`dols check --format sarif`), for GitHub code
//! scanning and other SARIF viewers.
//!
//! One run; `tool.driver.rules` lists every rule of [`rules::ALL`] in order,
//! so a result's `ruleIndex` is the rule's position there. Artifact URIs
//! are relative to the report root (`%SRCROOT%`, whose absolute `file:` URI
//! is in `originalUriBaseIds`); a file outside the root gets an absolute
//! `file:` URI. Regions are 1-based lines and columns in UTF-16 code units
//! (`columnKind: utf16CodeUnits`, what GitHub and most viewers assume), with
//! an exclusive end column; fixes use the same kind of region.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::output::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::files::FileId;
use crate::fix::{Fix, Safety};
use crate::model::Workspace;
use crate::rules::{self, Rule};
use crate::text::TextRange;

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    short_description: Text,
    full_description: Text,
    help: MultiformatText,
    help_uri: String,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct MultiformatText {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// 1-based; `end_column` is one past the last character, so an empty
/// region (an insertion point) has `start_column == end_column`.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    /// `safe` or `unsafe`: whether `dols check --fix` applies it without
    /// `--unsafe-fixes`.
    safety: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Text>,
}

pub fn sarif(report: &Report) -> String {
    let ws = &report.workspace;
    let root = &report.root;
    let results = report
        .diagnostics
        .iter()
        .map(|d| result(ws, root, d))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "dols",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: rules::HOME_URL,
                    rules: rules::ALL.iter().map(|r| descriptor(r)).collect(),
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: folder_uri(root),
                    uri_base_id: None,
                },
            )]),
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let page = rules::render_doc_page(rule);
    ReportingDescriptor {
        id: rule.id,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: what_it_finds(rule.docs).unwrap_or_else(|| rule.summary.to_string()),
        },
        help: MultiformatText {
            text: page.clone(),
            markdown: page,
        },
        help_uri: rules::doc_url(rule.id),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
    }
}

/// The "What it finds" section of a rule's docs, its lines joined.
fn what_it_finds(docs: &str) -> Option<String> {
    let start = docs.find("## What it finds")? + "## What it finds".len();
    let section = &docs[start..];
    let end = section.find("\n## ").unwrap_or(section.len());
    let text = section[..end]
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    (!text.is_empty()).then_some(text)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn result(ws: &Workspace, root: &Path, d: &Diagnostic) -> SarifResult {
    SarifResult {
        rule_id: d.code,
        rule_index: rules::ALL.iter().position(|r| r.id == d.code),
        level: level(d.severity),
        message: Text {
            text: d.message.clone(),
        },
        locations: vec![Location {
            id: None,
            physical_location: physical(ws, root, d.file, d.range),
            message: None,
        }],
        related_locations: d
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| Location {
                id: Some(i),
                physical_location: physical(ws, root, r.file, r.range),
                message: Some(Text {
                    text: r.message.clone(),
                }),
            })
            .collect(),
        fixes: d.fixes.iter().map(|f| fix(ws, root, f)).collect(),
    }
}

fn physical(ws: &Workspace, root: &Path, file: FileId, range: TextRange) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact(root, ws.files.path(file)),
        region: region(ws, file, range),
    }
}

fn fix(ws: &Workspace, root: &Path, fix: &Fix) -> SarifFix {
    let mut changes: Vec<ArtifactChange> = fix
        .change
        .edits
        .iter()
        .filter(|(_, edits)| !edits.is_empty())
        .map(|(&file, edits)| {
            let mut edits = edits.clone();
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            ArtifactChange {
                artifact_location: artifact(root, ws.files.path(file)),
                replacements: edits
                    .iter()
                    .map(|e| Replacement {
                        deleted_region: region(ws, file, e.range),
                        inserted_content: (!e.new_text.is_empty()).then(|| Text {
                            text: e.new_text.clone(),
                        }),
                    })
                    .collect(),
            }
        })
        .collect();
    // A new file: its whole text inserted at the start of an empty artifact.
    for (path, text) in &fix.change.created {
        changes.push(ArtifactChange {
            artifact_location: artifact(root, path),
            replacements: vec![Replacement {
                deleted_region: Region {
                    start_line: 1,
                    start_column: 1,
                    end_line: 1,
                    end_column: 1,
                },
                inserted_content: Some(Text { text: text.clone() }),
            }],
        });
    }
    SarifFix {
        description: Text {
            text: fix.title.clone(),
        },
        artifact_changes: changes,
        properties: FixProperties {
            safety: match fix.safety {
                Safety::Safe => "safe",
                Safety::Unsafe => "unsafe",
            },
        },
    }
}

fn region(ws: &Workspace, file: FileId, range: TextRange) -> Region {
    let source = ws.files.get(file);
    let (start_line, start_column) =
        utf16_position(&source.text, &source.line_index, range.start as usize);
    let (end_line, end_column) =
        utf16_position(&source.text, &source.line_index, range.end as usize);
    Region {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

/// 1-based line and 1-based column in UTF-16 code units of a byte offset
/// (clamped into the text and back to a character boundary).
pub(super) fn utf16_position(
    text: &str,
    index: &crate::text::LineIndex,
    offset: usize,
) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = index.line_of(offset);
    let start = index.line_start(line);
    let units = text[start..offset].encode_utf16().count();
    (line as u32 + 1, units as u32 + 1)
}

fn artifact(root: &Path, path: &Path) -> ArtifactLocation {
    match path.strip_prefix(root) {
        Ok(relative) => ArtifactLocation {
            uri: encode_path(&slashes(relative), true),
            uri_base_id: Some(SRCROOT),
        },
        Err(_) => ArtifactLocation {
            uri: file_uri(path),
            uri_base_id: None,
        },
    }
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `file:` URI of an absolute path.
fn file_uri(path: &Path) -> String {
    let mut path = slashes(path);
    if !path.starts_with('/') {
        path.insert(0, '/'); // C:/x → /C:/x
    }
    format!("file://{}", encode_path(&path, false))
}

/// `file:` URI of a folder, with the trailing slash a base URI needs.
fn folder_uri(path: &Path) -> String {
    let mut uri = file_uri(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Percent-encodes a path for a URI: unreserved characters and `/` stay;
/// `:` stays in absolute paths (drive letters) but not in relative ones,
/// where a first segment like `a:b` would read as a scheme.
fn encode_path(path: &str, relative: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (byte == b':' && !relative);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;

    #[test]
    fn columns_count_utf16_code_units() {
        // "é" is one UTF-16 unit (two bytes), "😀" two units (four bytes).
        let text = "a\né😀x\n";
        let index = LineIndex::new(text);
        assert_eq!(utf16_position(text, &index, 0), (1, 1));
        assert_eq!(utf16_position(text, &index, 2), (2, 1));
        assert_eq!(utf16_position(text, &index, 4), (2, 2));
        assert_eq!(utf16_position(text, &index, 8), (2, 4));
        // Inside the emoji: back to its start.
        assert_eq!(utf16_position(text, &index, 6), (2, 2));
        // Past the end: the start of the empty last line.
        assert_eq!(utf16_position(text, &index, 99), (3, 1));
    }

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            encode_path("src/my file#1.ts", true),
            "src/my%20file%231.ts"
        );
        assert_eq!(encode_path("a:b/ü.ts", true), "a%3Ab/%C3%BC.ts");
        assert_eq!(file_uri(Path::new("/w/a b")), "file:///w/a%20b");
        assert_eq!(folder_uri(Path::new("/w/x")), "file:///w/x/");
        let root = Path::new("/w/proj");
        let inside = artifact(root, Path::new("/w/proj/src/a.ts"));
        assert_eq!(
            (inside.uri.as_str(), inside.uri_base_id),
            ("src/a.ts", Some(SRCROOT))
        );
        let outside = artifact(root, Path::new("/w/shared/b.ts"));
        assert_eq!(
            (outside.uri.as_str(), outside.uri_base_id),
            ("file:///w/shared/b.ts", None)
        );
    }

    #[test]
    fn what_it_finds_is_the_first_section() {
        let docs =
            "\n## What it finds\nA thing\nthat spans lines.\n\nSecond.\n\n## Why it matters\nNo.\n";
        assert_eq!(
            what_it_finds(docs).as_deref(),
            Some("A thing that spans lines.\n\nSecond.")
        );
        assert_eq!(what_it_finds("nothing"), None);
    }
}
