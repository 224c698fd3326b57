//! The rule catalog. Each rule lives in its own file and exports one
//! [`Rule`]: its id, default severity, documentation and check function.
//! Adding a rule means adding its file, one line in [`ALL`], and fixtures.

use std::panic::AssertUnwindSafe;

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::FileId;
use crate::model::{panic_message, Workspace};
use crate::text::TextRange;

mod binding_not_in_env;
mod class_not_exported;
mod config_syntax;
mod duplicate_binding;
mod duplicate_migration_tag;
mod internal_error;
mod invalid_binding_name;
mod kv_to_sqlite_conversion;
mod legacy_kv_backend;
mod main_not_found;
mod migration_conflict;
mod migrations_and_exports;
mod missing_migration;
mod shadowed_config;
mod sql_on_kv_backend;
mod unknown_binding;
mod unknown_class;

pub mod support;

/// One rule: everything about it in one value.
pub struct Rule {
    /// Kebab-case id; a public contract (output, suppressions, settings).
    pub id: &'static str,
    pub severity: Severity,
    /// One line for `dols rules`.
    pub summary: &'static str,
    /// Markdown with the sections "What it finds", "Why it matters",
    /// "Example" and "How to fix": the source of `docs/rules/<id>.md`,
    /// `dols explain <id>` and hovers.
    pub docs: &'static str,
    pub check: fn(&Workspace, &mut Reporter),
}

/// Every rule, in the order `dols rules` lists them.
pub static ALL: &[&Rule] = &[
    &config_syntax::RULE,
    &shadowed_config::RULE,
    &main_not_found::RULE,
    &internal_error::RULE,
    &class_not_exported::RULE,
    &unknown_class::RULE,
    &missing_migration::RULE,
    &unknown_binding::RULE,
    &duplicate_binding::RULE,
    &invalid_binding_name::RULE,
    &binding_not_in_env::RULE,
    &duplicate_migration_tag::RULE,
    &migration_conflict::RULE,
    &kv_to_sqlite_conversion::RULE,
    &legacy_kv_backend::RULE,
    &sql_on_kv_backend::RULE,
    &migrations_and_exports::RULE,
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// Collects one rule's diagnostics with its id and default severity filled in.
pub struct Reporter<'a> {
    rule: &'static Rule,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Reporter<'_> {
    /// Reports at the rule's default severity; returns the diagnostic so the
    /// caller can add related locations or lower the severity.
    pub fn report(
        &mut self,
        file: FileId,
        range: TextRange,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic::new(
            self.rule.id,
            self.rule.severity,
            file,
            range,
            message,
        ));
        self.diagnostics.last_mut().expect("just pushed")
    }
}

/// Per-run settings: which rules run, at which severity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSettings {
    /// Rule id → severity, or `None` to turn the rule off.
    pub overrides: std::collections::HashMap<String, Option<Severity>>,
}

/// Runs every enabled rule over the workspace. A rule that panics yields one
/// `internal-error` diagnostic instead of ending the run. The result is
/// sorted by file, position and code, without duplicates.
pub fn run(ws: &Workspace, settings: &RuleSettings) -> Vec<Diagnostic> {
    let mut all = Vec::new();
    for rule in ALL {
        let severity = match settings.overrides.get(rule.id) {
            Some(None) => continue,
            Some(Some(severity)) => Some(*severity),
            None => None,
        };
        let mut found = Vec::new();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let mut reporter = Reporter {
                rule,
                diagnostics: &mut found,
            };
            (rule.check)(ws, &mut reporter);
        }));
        if let Err(panic) = outcome {
            if let Some(config) = ws.configs.first() {
                all.push(Diagnostic::new(
                    internal_error::RULE.id,
                    Severity::Error,
                    config.file,
                    TextRange::empty(0),
                    format!(
                        "rule `{}` failed and was skipped: {}. Please report this.",
                        rule.id,
                        panic_message(&panic)
                    ),
                ));
            }
            continue;
        }
        if let Some(severity) = severity {
            for diagnostic in &mut found {
                diagnostic.severity = severity;
            }
        }
        all.extend(found);
    }
    all.sort_by(|a, b| {
        (
            ws.files.path(a.file),
            a.range.start,
            a.range.end,
            a.code,
            &a.message,
        )
            .cmp(&(
                ws.files.path(b.file),
                b.range.start,
                b.range.end,
                b.code,
                &b.message,
            ))
    });
    all.dedup_by(|a, b| {
        a.file == b.file && a.range == b.range && a.code == b.code && a.message == b.message
    });
    all
}

/// The Markdown page for a rule, as written to `docs/rules/<id>.md`.
pub fn render_doc_page(rule: &Rule) -> String {
    format!(
        "# {id}\n\nDefault severity: **{severity}**\n\n{summary}\n\n{docs}\n",
        id = rule.id,
        severity = rule.severity.as_str(),
        summary = rule.summary,
        docs = rule.docs.trim(),
    )
}
