//! Engine results that carry edits, in protocol form: diagnostics, code
//! actions and workspace edits. Pure translation; which edit to make is the
//! rules' and features' business.

use std::collections::HashMap;
use std::path::Path;

use tower_lsp_server::ls_types::*;

use super::position::Encoding;
use crate::diagnostic::Severity;
use crate::fix::{Safety, SourceChange};
use crate::model::Workspace;
use crate::text::{LineIndex, TextRange};

/// What the client said it can do with a `WorkspaceEdit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct EditSupport {
    /// `documentChanges` with versions (else the plain `changes` map).
    pub document_changes: bool,
    /// `CreateFile` resource operations.
    pub create_files: bool,
}

impl EditSupport {
    pub fn from_client(capabilities: &ClientCapabilities) -> Self {
        let edit = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref());
        EditSupport {
            document_changes: edit.and_then(|e| e.document_changes).unwrap_or(false),
            create_files: edit
                .and_then(|e| e.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        }
    }
}

pub fn to_lsp_range(text: &str, index: &LineIndex, range: TextRange, encoding: Encoding) -> Range {
    let (sl, sc) = super::position::to_position(text, index, range.start as usize, encoding);
    let (el, ec) = super::position::to_position(text, index, range.end as usize, encoding);
    Range {
        start: Position::new(sl, sc),
        end: Position::new(el, ec),
    }
}

/// The documentation link of a rule. Parsed once per rule: a file with
/// hundreds of findings would otherwise parse the same URL hundreds of
/// times on every publish.
fn doc_link(code: &'static str) -> Option<CodeDescription> {
    static LINKS: std::sync::OnceLock<HashMap<&'static str, Option<Uri>>> =
        std::sync::OnceLock::new();
    let parse = |code: &str| crate::rules::doc_url(code).parse::<Uri>().ok();
    let links = LINKS.get_or_init(|| {
        crate::rules::ALL
            .iter()
            .map(|rule| (rule.id, parse(rule.id)))
            .collect()
    });
    let href = match links.get(code) {
        Some(href) => href.clone(),
        None => parse(code),
    };
    href.map(|href| CodeDescription { href })
}

pub fn to_lsp_diagnostic(
    ws: &Workspace,
    d: &crate::diagnostic::Diagnostic,
    encoding: Encoding,
) -> Diagnostic {
    let source = ws.files.get(d.file);
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let other = ws.files.get(r.file);
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: Uri::from_file_path(&other.path)?,
                    range: to_lsp_range(&other.text, &other.line_index, r.range, encoding),
                },
                message: r.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: to_lsp_range(&source.text, &source.line_index, d.range, encoding),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
            Severity::Hint => DiagnosticSeverity::HINT,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: doc_link(d.code),
        source: Some("dols".to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: match crate::rules::rendering(d.code) {
            crate::rules::Rendering::Deprecated => Some(vec![DiagnosticTag::DEPRECATED]),
            crate::rules::Rendering::Unnecessary => Some(vec![DiagnosticTag::UNNECESSARY]),
            crate::rules::Rendering::Plain => None,
        },
        ..Default::default()
    }
}

/// The protocol form of a change; `None` when it creates files and the
/// client cannot, or names a file that has no URI. `version_of` gives the
/// open document's version, so a client rejects an edit made for older
/// text.
pub fn workspace_edit(
    ws: &Workspace,
    change: &SourceChange,
    encoding: Encoding,
    support: EditSupport,
    version_of: &dyn Fn(&Path) -> Option<i32>,
) -> Option<WorkspaceEdit> {
    let can_create = support.document_changes && support.create_files;
    if !change.created.is_empty() && !can_create {
        return None;
    }
    let mut per_file = Vec::new();
    for (file, edits) in &change.edits {
        let source = ws.files.get(*file);
        let uri = Uri::from_file_path(&source.path)?;
        let mut sorted = edits.clone();
        sorted.sort_by_key(|e| (e.range.start, e.range.end));
        let text_edits: Vec<TextEdit> = sorted
            .iter()
            .map(|e| TextEdit {
                range: to_lsp_range(&source.text, &source.line_index, e.range, encoding),
                new_text: e.new_text.clone(),
            })
            .collect();
        per_file.push((uri, version_of(&source.path), text_edits));
    }
    if !support.document_changes {
        let changes: HashMap<Uri, Vec<TextEdit>> = per_file
            .into_iter()
            .map(|(uri, _, edits)| (uri, edits))
            .collect();
        return Some(WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        });
    }
    let mut operations = Vec::new();
    for (path, text) in &change.created {
        let uri = Uri::from_file_path(path)?;
        operations.push(DocumentChangeOperation::Op(ResourceOp::Create(
            CreateFile {
                uri: uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(false),
                }),
                annotation_id: None,
            },
        )));
        let end = Position::new(0, 0);
        operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: vec![OneOf::Left(TextEdit {
                range: Range::new(end, end),
                new_text: text.clone(),
            })],
        }));
    }
    for (uri, version, edits) in per_file {
        operations.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }));
    }
    Some(WorkspaceEdit {
        document_changes: Some(DocumentChanges::Operations(operations)),
        ..Default::default()
    })
}

/// Quick fixes for the diagnostics of `file` that touch `range`: one code
/// action per fix, attached to its diagnostic; the first safe fix of each
/// diagnostic is marked preferred.
pub fn code_actions(
    ws: &Workspace,
    diagnostics: &[crate::diagnostic::Diagnostic],
    file: crate::files::FileId,
    range: TextRange,
    encoding: Encoding,
    support: EditSupport,
    version_of: &dyn Fn(&Path) -> Option<i32>,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    let mut documented: Vec<&str> = Vec::new();
    for diagnostic in diagnostics {
        let touches = diagnostic.range.start <= range.end && range.start <= diagnostic.range.end;
        if diagnostic.file != file || !touches {
            continue;
        }
        let protocol_diagnostic = to_lsp_diagnostic(ws, diagnostic, encoding);
        let mut preferred_given = false;
        for fix in &diagnostic.fixes {
            let Some(edit) = workspace_edit(ws, &fix.change, encoding, support, version_of) else {
                continue;
            };
            let preferred = fix.safety == Safety::Safe && !preferred_given;
            preferred_given |= preferred;
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![protocol_diagnostic.clone()]),
                edit: Some(edit),
                is_preferred: preferred.then_some(true),
                ..Default::default()
            }));
        }
        // After the fixes, as ESLint offers them: silence this finding on
        // its line, and read the rule's page.
        if diagnostic.code != "unused-suppression" {
            let suppression = crate::fix::suppress::suppress_on_line(ws, diagnostic)
                .and_then(|change| workspace_edit(ws, &change, encoding, support, version_of));
            if let Some(edit) = suppression {
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Suppress {} on this line", diagnostic.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![protocol_diagnostic.clone()]),
                    edit: Some(edit),
                    ..Default::default()
                }));
            }
        }
        if !documented.contains(&diagnostic.code) {
            documented.push(diagnostic.code);
            let title = format!("Show documentation for {}", diagnostic.code);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![protocol_diagnostic.clone()]),
                command: Some(Command {
                    title,
                    command: SHOW_RULE_DOCS.to_string(),
                    arguments: Some(vec![
                        serde_json::json!(diagnostic.code),
                        serde_json::json!(crate::rules::doc_url(diagnostic.code)),
                    ]),
                }),
                ..Default::default()
            }));
        }
    }
    actions
}

/// The server command behind "Show documentation for RULE": asks the
/// client to open the rule's page (arguments: rule id, page URL).
pub const SHOW_RULE_DOCS: &str = "dols.showRuleDocs";

/// The kind of the fix-all action: `source.fixAll` for this server.
pub const FIX_ALL_KIND: &str = "source.fixAll.dols";

/// `source.fixAll.dols`: every safe fix of `file` in one edit, for
/// fix-on-save. `None` when there is nothing to fix.
pub fn fix_all_action(
    ws: &Workspace,
    diagnostics: &[crate::diagnostic::Diagnostic],
    file: crate::files::FileId,
    encoding: Encoding,
    support: EditSupport,
    version_of: &dyn Fn(&Path) -> Option<i32>,
) -> Option<CodeActionOrCommand> {
    let change = crate::fix::suppress::safe_fixes_of_file(diagnostics, file)?;
    let edit = workspace_edit(ws, &change, encoding, support, version_of)?;
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: "Fix all safe dols problems".to_string(),
        kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
        edit: Some(edit),
        ..Default::default()
    }))
}
