//! The rule catalog. Each rule lives in its own file, in the folder of its
//! family (`wiring/`, `config/`, `lifecycle/`, `websockets/`, `identity/`,
//! `storage/`, `rpc/`, `sql/`), and exports one [`Rule`]: its id, default
//! severity, documentation and check function. Adding a rule means adding
//! its file, one `mod` line in its family's `mod.rs`, one line in [`ALL`],
//! and fixtures. What several rules share stays here: `support`, `stubs`,
//! `storage_support`, `lifecycle_support`, `sql_calls`, `suppression`.
//!
//! A rule's outer loop (over Workers, sources, configs) goes through its
//! [`RuleCtx`], never over `ws.workers` or `ws.summaries` directly: an edit
//! re-runs the rules for part of the workspace only (`results.rs`), and a
//! loop that ignores the scope would report findings twice or from the
//! wrong origin. A finding of a loop over files lands in the file looked at.

use std::panic::AssertUnwindSafe;

use crate::diagnostic::{Diagnostic, Severity};
use crate::files::FileId;
use crate::model::{panic_message, Workspace};
use crate::text::TextRange;

// The rules, one folder per family (as ruff groups by linter).
mod config;
mod identity;
mod lifecycle;
mod rpc;
mod sql;
mod storage;
mod websockets;
mod wiring;

mod internal_error;

mod lifecycle_support;
mod sql_calls;
mod storage_support;
pub mod stubs;
pub mod support;

pub mod results;
pub mod scope;
pub mod suppression;
mod unused_suppression;

pub use scope::{FileSet, RuleCtx, Scope, WorkerSet};

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
    /// Error messages (wrangler, the Cloudflare API, the runtime) that this
    /// rule prevents. `dols explain "<message>"` matches pasted errors
    /// against them, and the rule's doc page lists them.
    pub prevents: &'static [&'static str],
    pub check: Check,
}

/// What a rule looks at.
pub enum Check {
    /// The workspace model; the rule's outer loops go through the
    /// context's scope (see `scope.rs`).
    Workspace(fn(&RuleCtx, &mut Reporter)),
    /// The suppression comments no diagnostic used, after every other rule
    /// ran and suppressions were applied.
    UnusedSuppressions(fn(&[suppression::Comment], &mut Reporter)),
}

/// Every rule, in the order `dols rules` lists them.
pub static ALL: &[&Rule] = &[
    &config::config_syntax::RULE,
    &config::file_not_read::RULE,
    &config::shadowed_config::RULE,
    &config::main_not_found::RULE,
    &config::unknown_config_key::RULE,
    &config::invalid_config_value::RULE,
    &config::top_level_only_key::RULE,
    &config::deprecated_config_key::RULE,
    &config::invalid_compatibility_date::RULE,
    &config::unknown_compatibility_flag::RULE,
    &internal_error::RULE,
    &wiring::class_not_exported::RULE,
    &wiring::unknown_class::RULE,
    &wiring::missing_migration::RULE,
    &wiring::unknown_binding::RULE,
    &wiring::duplicate_binding::RULE,
    &wiring::invalid_binding_name::RULE,
    &wiring::binding_not_in_env::RULE,
    &config::duplicate_migration_tag::RULE,
    &config::migration_conflict::RULE,
    &config::kv_to_sqlite_conversion::RULE,
    &config::legacy_kv_backend::RULE,
    &sql::sql_on_kv_backend::RULE,
    &config::migrations_and_exports::RULE,
    // -- lifecycle rules --
    &lifecycle::missing_super_call::RULE,
    &lifecycle::constructor_heavy_work::RULE,
    &lifecycle::block_concurrency_fetch::RULE,
    &lifecycle::timer_blocks_hibernation::RULE,
    &lifecycle::hibernation_state_loss::RULE,
    &websockets::non_hibernatable_websocket::RULE,
    &websockets::websocket_double_accept::RULE,
    &websockets::outgoing_websocket::RULE,
    &websockets::websocket_handler_unused::RULE,
    &lifecycle::floating_promise_in_handler::RULE,
    // -- storage rules --
    &identity::unique_id_not_persisted::RULE,
    &identity::random_object_name::RULE,
    &identity::invalid_id_string::RULE,
    &identity::invalid_location_hint::RULE,
    &storage::delete_all_kv_backend::RULE,
    &storage::delete_all_keeps_alarm::RULE,
    &storage::alarm_without_handler::RULE,
    &storage::alarm_retry_unsafe::RULE,
    &storage::api_limit::RULE,
    &storage::storage_await_in_loop::RULE,
    // -- rpc rules --
    &rpc::rpc_unknown_method::RULE,
    &rpc::rpc_on_legacy_class::RULE,
    &rpc::stub_fetch_without_handler::RULE,
    &rpc::relative_stub_fetch_url::RULE,
    &sql::sql_template_interpolation::RULE,
    &sql::sql_transaction_statement::RULE,
    &config::env_type_mismatch::RULE,
    &config::gradual_deploy_migration::RULE,
    &unused_suppression::RULE,
];

/// The project's home page (SARIF `informationUri`).
pub const HOME_URL: &str = "https://github.com/dols-lsp/dols";

/// The rule's documentation page (`docs/rules/<id>.md` in the repository):
/// the LSP `codeDescription` link and the SARIF `helpUri`.
pub fn doc_url(id: &str) -> String {
    format!("{HOME_URL}/blob/main/docs/rules/{id}.md")
}

/// How an editor may render a rule's findings besides their severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rendering {
    Plain,
    /// The code is obsolete: editors strike it through.
    Deprecated,
    /// The code does nothing: editors fade it.
    Unnecessary,
}

/// The rendering of `id`'s findings: deprecated config keys are struck
/// through, suppression comments that silence nothing are faded.
pub fn rendering(id: &str) -> Rendering {
    match id {
        "deprecated-config-key" => Rendering::Deprecated,
        "unused-suppression" => Rendering::Unnecessary,
        _ => Rendering::Plain,
    }
}

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
    results::RuleResults::full(ws, settings).flatten(ws)
}

/// Runs one rule inside a panic boundary and applies its severity override;
/// also says whether the rule panicked.
fn run_one(
    ws: &Workspace,
    settings: &RuleSettings,
    rule: &'static Rule,
    check: impl FnOnce(&mut Reporter),
) -> (Vec<Diagnostic>, bool) {
    let mut found = Vec::new();
    let started = std::time::Instant::now();
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut reporter = Reporter {
            rule,
            diagnostics: &mut found,
        };
        check(&mut reporter);
    }));
    if let Err(panic) = outcome {
        let Some(config) = ws.configs.first() else {
            return (Vec::new(), true);
        };
        let failure = Diagnostic::new(
            internal_error::RULE.id,
            Severity::Error,
            config.file,
            TextRange::empty(0),
            format!(
                "rule `{}` failed and was skipped: {}. Please report this.",
                rule.id,
                panic_message(&panic)
            ),
        );
        return (vec![failure], true);
    }
    let elapsed = started.elapsed();
    if elapsed > std::time::Duration::from_millis(5) && std::env::var_os("DOLS_TIMING").is_some() {
        eprintln!("dols timing (rule): {} took {elapsed:?}", rule.id);
    }
    if let Some(Some(severity)) = settings.overrides.get(rule.id) {
        for diagnostic in &mut found {
            diagnostic.severity = *severity;
        }
    }
    (found, false)
}

/// The rule whose `prevents` list best matches a pasted error message.
pub fn rule_for_message(message: &str) -> Option<(&'static Rule, &'static str)> {
    let words = |text: &str| -> Vec<String> {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    };
    let pasted = words(message);
    let pasted_text = format!(" {} ", pasted.join(" "));
    let mut best: Option<(&'static Rule, &'static str, f64)> = None;
    for rule in ALL {
        for known in rule.prevents {
            let known_words = words(known);
            if known_words.is_empty() {
                continue;
            }
            let score = if pasted_text.contains(&format!(" {} ", known_words.join(" "))) {
                1.0 + known_words.len() as f64 / 100.0
            } else {
                let hits = known_words.iter().filter(|w| pasted.contains(w)).count();
                hits as f64 / known_words.len() as f64
            };
            if score >= 0.75 && best.is_none_or(|(_, _, s)| score > s) {
                best = Some((rule, known, score));
            }
        }
    }
    best.map(|(rule, known, _)| (rule, known))
}

/// The Markdown page for a rule, as written to `docs/rules/<id>.md`.
pub fn render_doc_page(rule: &Rule) -> String {
    let mut page = format!(
        "# {id}\n\nDefault severity: **{severity}**\n\n{summary}\n\n{docs}\n",
        id = rule.id,
        severity = rule.severity.as_str(),
        summary = rule.summary,
        docs = rule.docs.trim(),
    );
    if !rule.prevents.is_empty() {
        page.push_str("\n## Errors it prevents\n");
        for message in rule.prevents {
            page.push_str(&format!("- `{message}`\n"));
        }
    }
    page
}

/// The Markdown table of every rule, as kept in the README.
pub fn render_rules_table() -> String {
    let mut table = String::from("| rule | default | what it finds |\n|---|---|---|\n");
    for rule in ALL {
        table.push_str(&format!(
            "| [`{id}`](docs/rules/{id}.md) | {severity} | {summary} |\n",
            id = rule.id,
            severity = rule.severity.as_str(),
            summary = rule.summary.replace('|', "\\|"),
        ));
    }
    table
}
