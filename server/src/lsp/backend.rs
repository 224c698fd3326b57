//! Request and notification handlers.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::diagnostics::{ClientDiagnostics, PullReport};
use super::document::OpenDocument;
use super::edits::{
    code_actions, fix_all_action, to_lsp_range, workspace_edit, EditSupport, FIX_ALL_KIND,
    SHOW_RULE_DOCS,
};
use super::position::{to_offset, Encoding};
use super::refactors::{self, refused, NewObjectArgs};
use crate::features::{self, CompletionKind};
use crate::files::FileId;
use crate::host::{Analysis, AnalysisHost};
use crate::model::panic_message;
use crate::settings::Settings;
use crate::text::TextRange;

/// The progress token of the initial index.
const INDEXING_TOKEN: &str = "dols/indexing";

/// How long analysis waits after an edit. Not a debounce (bursts are
/// coalesced by the publish loop): a client sends the completion request
/// right behind the keystroke that triggers it, and that request should not
/// share the two cores with a rebuild and the rules.
const REQUESTS_FIRST: Duration = Duration::from_millis(2);

#[derive(Default)]
struct State {
    encoding: Option<Encoding>,
    roots: Vec<PathBuf>,
    /// `initializationOptions`, applied over `dols.toml`.
    init_options: serde_json::Value,
    /// The client can take dynamic `didChangeWatchedFiles` registrations.
    can_watch_files: bool,
    /// The client supports server-initiated `$/progress`.
    can_show_progress: bool,
    /// The client opens pages asked for with `window/showDocument`.
    can_show_document: bool,
    /// The client answers `workspace/configuration`.
    can_pull_configuration: bool,
    /// What the client accepts in a `WorkspaceEdit`.
    edit_support: EditSupport,
    /// The client takes `workspace/applyEdit` requests.
    can_apply_edit: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`).
    can_pull_diagnostics: bool,
    /// The client re-pulls when asked with `workspace/diagnostic/refresh`.
    can_refresh_diagnostics: bool,
    documents: HashMap<PathBuf, OpenDocument>,
    /// What the client holds of each file's findings, pushed or pulled.
    diagnostics: ClientDiagnostics,
}

pub struct Inner {
    client: Client,
    state: Mutex<State>,
    host: Arc<Mutex<Option<AnalysisHost>>>,
    /// The newest analysis and the edit generation it reflects.
    analysis: Mutex<Option<(u64, Arc<Analysis>)>>,
    /// Bumped by every edit; stale analyses are not published.
    generation: Arc<AtomicU64>,
    /// Set while a publish loop runs. Edits that arrive meanwhile only bump
    /// `generation`; the running loop analyses again for them.
    publishing: AtomicBool,
    /// When the newest edit arrived (read only for `DOLS_TIMING`).
    last_edit: Mutex<Option<std::time::Instant>>,
    /// Set when the user cancels the indexing progress: the walk and the
    /// reads stop at the next file.
    indexing_cancelled: Arc<AtomicBool>,
    /// Set once the first index is in `host`: requests ask this, never the
    /// host's lock, which an analysis holds while it runs.
    host_ready: AtomicBool,
    /// Buffer changes not yet given to the host, in order. Editor
    /// notifications only append here: they never wait for the host's
    /// lock, so a request behind a keystroke never waits for an analysis.
    /// The next analysis applies them first.
    pending: Arc<Mutex<Vec<BufferChange>>>,
    /// Held by the one analysis in flight. Requests that need a newer
    /// snapshot wait here (without holding a thread), then use what the
    /// analysis before them made if it is current: analyses never queue up
    /// one per request.
    analysing: tokio::sync::Mutex<()>,
    /// The snapshot of the last publish round (its rules have run): a
    /// streamed workspace pull waits on it for changed findings.
    published: tokio::sync::watch::Sender<Option<Arc<Analysis>>>,
    /// Set by `shutdown`.
    shutting_down: AtomicBool,
    /// Until the first analysis of the whole workspace is done: a small
    /// index of the Worker folder of the file a completion or hover asks
    /// about, so the first answers do not wait for every file of a large
    /// monorepo to be read and parsed. Never used for diagnostics, fixes or
    /// navigation, which need the whole workspace.
    early: Arc<Mutex<Option<EarlyIndex>>>,
}

/// An index of one Worker folder, made before the workspace's.
struct EarlyIndex {
    dir: PathBuf,
    host: AnalysisHost,
}

/// A change to an open buffer, on its way to the host.
enum BufferChange {
    Set(PathBuf, ropey::Rope),
    Edit(PathBuf, ropey::Rope, Vec<crate::text::ByteEdit>),
    Close(PathBuf),
}

impl BufferChange {
    fn apply(self, host: &mut AnalysisHost) {
        match self {
            BufferChange::Set(path, text) => host.set_overlay(path, text),
            BufferChange::Edit(path, text, edits) => host.edit_overlay(path, text, &edits),
            BufferChange::Close(path) => host.remove_overlay(&path),
        }
    }
}

impl Inner {
    fn new(client: Client) -> Self {
        Inner {
            client,
            state: Mutex::new(State::default()),
            host: Arc::new(Mutex::new(None)),
            analysis: Mutex::new(None),
            generation: Arc::new(AtomicU64::new(0)),
            publishing: AtomicBool::new(false),
            last_edit: Mutex::new(None),
            indexing_cancelled: Arc::new(AtomicBool::new(false)),
            host_ready: AtomicBool::new(false),
            pending: Arc::new(Mutex::new(Vec::new())),
            analysing: tokio::sync::Mutex::new(()),
            published: tokio::sync::watch::Sender::new(None),
            shutting_down: AtomicBool::new(false),
            early: Arc::new(Mutex::new(None)),
        }
    }

    fn encoding(&self) -> Encoding {
        lock(&self.state).encoding.unwrap_or(Encoding::Utf16)
    }

    /// Runs analysis on a blocking thread and returns the snapshot for the
    /// current generation (reusing it when nothing changed).
    async fn current_analysis(&self) -> Option<Arc<Analysis>> {
        // A request that arrives while the first index is built waits for it
        // (bounded), rather than answering with nothing.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !self.host_ready.load(Ordering::SeqCst) {
            if std::time::Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let current = || {
            let generation = self.generation.load(Ordering::SeqCst);
            match lock(&self.analysis).as_ref() {
                Some((done, analysis)) if *done == generation => Ok(analysis.clone()),
                _ => Err(generation),
            }
        };
        if let Ok(analysis) = current() {
            return Some(analysis);
        }
        let _turn = self.analysing.lock().await;
        // The analysis before this one may have made the current snapshot.
        let generation = match current() {
            Ok(analysis) => return Some(analysis),
            Err(generation) => generation,
        };
        let host = self.host.clone();
        let pending = self.pending.clone();
        // Not on a rayon thread: the host lock and the diagnostics cell
        // block, and a rayon thread waiting inside a parallel loop may be
        // handed another analysis that blocks on what it holds.
        let result = tokio::task::spawn_blocking(move || {
            let mut guard = lock(&host);
            let host = guard.as_mut()?;
            let changes = std::mem::take(&mut *lock(&pending));
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                for change in changes {
                    change.apply(host);
                }
                host.analyze()
            }))
            .ok()
        })
        .await
        .ok()
        .flatten()?;
        let mut slot = lock(&self.analysis);
        if slot.as_ref().is_none_or(|(done, _)| *done <= generation) {
            *slot = Some((generation, result.clone()));
        }
        Some(result)
    }

    async fn analyze_and_publish(&self) {
        let generation = self.generation.load(Ordering::SeqCst);
        let started = std::time::Instant::now();
        let Some(analysis) = self.current_analysis().await else {
            return;
        };
        let analysed = started.elapsed();
        if self.generation.load(Ordering::SeqCst) != generation {
            return; // a newer edit will publish
        }
        // The rules run on a blocking thread, inside a panic boundary. A
        // newer edit stops them between rules: nobody will see their
        // findings, and the next round re-checks from the last complete run.
        let for_rules = analysis.clone();
        let edits = self.generation.clone();
        let ran = tokio::task::spawn_blocking(move || {
            let newer_edit = move || edits.load(Ordering::SeqCst) != generation;
            let cancel = crate::rules::results::Cancel::new(&newer_edit);
            std::panic::catch_unwind(AssertUnwindSafe(|| {
                for_rules.file_diagnostics_until(&cancel).is_some()
            }))
            .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        if !ran || self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let checked = started.elapsed();
        self.publish(&analysis).await;
        // Free the snapshot before last now that the findings are out,
        // rather than beside the next analysis's rules. `try_lock`: never
        // wait here for an analysis in flight (that one frees it then).
        let retired = self
            .host
            .try_lock()
            .ok()
            .and_then(|mut host| host.as_mut().and_then(AnalysisHost::take_retired));
        if let Some(retired) = retired {
            tokio::task::spawn_blocking(move || drop(retired));
        }
        if crate::host::timing_enabled() {
            let since_edit = lock(&self.last_edit).map(|at| at.elapsed());
            eprintln!(
                "dols timing (lsp): analysis {analysed:?}, rules done at {checked:?}, \
                 {} files with diagnostics, published at {:?}; last edit to publish {since_edit:?}",
                analysis.file_diagnostics().len(),
                started.elapsed(),
            );
        }
    }

    /// Sends the diagnostics of the files whose diagnostics changed since
    /// the last publish, and clears the files that became clean. Unchanged
    /// files are skipped: on a keystroke only the edited file (and the
    /// files whose findings it affects) goes over the wire, and a request's
    /// response never waits behind a workspace's worth of old findings.
    /// Files the client pulls are not pushed; it is asked to pull again
    /// when their findings changed.
    async fn publish(&self, analysis: &Arc<Analysis>) {
        let encoding = self.encoding();
        let (outcome, versions, can_refresh) = {
            let mut state = lock(&self.state);
            let outcome = state.diagnostics.sync(analysis, encoding);
            let versions: Vec<Option<i32>> = outcome
                .push
                .iter()
                .map(|(path, items)| match items.is_empty() {
                    true => None,
                    false => state.documents.get(path).map(|d| d.version),
                })
                .collect();
            (outcome, versions, state.can_refresh_diagnostics)
        };
        for ((path, diagnostics), version) in outcome.push.into_iter().zip(versions) {
            if let Some(uri) = Uri::from_file_path(&path) {
                self.client
                    .publish_diagnostics(uri, diagnostics, version)
                    .await;
            }
        }
        // The snapshot it replaces is freed off the async threads.
        if let Some(replaced) = self.published.send_replace(Some(analysis.clone())) {
            tokio::task::spawn_blocking(move || drop(replaced));
        }
        if outcome.pulled_changed && can_refresh {
            // A request to the client: never wait on it here.
            let client = self.client.clone();
            tokio::spawn(async move {
                let _ = tokio::time::timeout(
                    Duration::from_secs(5),
                    client.workspace_diagnostic_refresh(),
                )
                .await;
            });
        }
    }

    /// The workspace pull's reports on `analysis` (its rules run), against the
    /// result ids the client holds (`held`, updated with what is
    /// reported).
    fn workspace_reports(
        &self,
        analysis: &Arc<Analysis>,
        held: &mut HashMap<PathBuf, String>,
    ) -> Result<Vec<WorkspaceDocumentDiagnosticReport>> {
        let encoding = self.encoding();
        let (reports, versions) = guarded("workspace diagnostics", || {
            let mut state = lock(&self.state);
            let reports = state.diagnostics.pull_workspace(analysis, held, encoding);
            let versions: Vec<Option<i64>> = reports
                .iter()
                .map(|(path, _)| state.documents.get(path).map(|d| i64::from(d.version)))
                .collect();
            (reports, versions)
        })?;
        for (path, report) in &reports {
            let (PullReport::Full { result_id, .. } | PullReport::Unchanged { result_id }) = report;
            held.insert(path.clone(), result_id.clone());
        }
        Ok(reports
            .into_iter()
            .zip(versions)
            .filter_map(|((path, report), version)| {
                let uri = Uri::from_file_path(&path)?;
                Some(match report {
                    PullReport::Full { result_id, items } => {
                        WorkspaceDocumentDiagnosticReport::Full(
                            WorkspaceFullDocumentDiagnosticReport {
                                uri,
                                version,
                                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                                    result_id: Some(result_id),
                                    items,
                                },
                            },
                        )
                    }
                    PullReport::Unchanged { result_id } => {
                        WorkspaceDocumentDiagnosticReport::Unchanged(
                            WorkspaceUnchangedDocumentDiagnosticReport {
                                uri,
                                version,
                                unchanged_document_diagnostic_report:
                                    UnchangedDocumentDiagnosticReport { result_id },
                            },
                        )
                    }
                })
            })
            .collect())
    }

    /// Clears what the client's pushed collection holds for `paths` (they
    /// are pulled from now on).
    async fn clear_pushed(&self, paths: Vec<PathBuf>) {
        for path in paths {
            if let Some(uri) = Uri::from_file_path(&path) {
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }

    /// The current snapshot with its rules run, for a pull. A newer edit
    /// stops the rules (its own snapshot is checked instead), a few times
    /// at most: a client that keeps editing still gets an answer.
    async fn checked_analysis(&self) -> Option<Arc<Analysis>> {
        for attempt in 0.. {
            let generation = self.generation.load(Ordering::SeqCst);
            let analysis = self.current_analysis().await?;
            let for_rules = analysis.clone();
            let edits = self.generation.clone();
            let cancellable = attempt < 3;
            let ran = tokio::task::spawn_blocking(move || {
                let newer_edit = move || cancellable && edits.load(Ordering::SeqCst) != generation;
                let cancel = crate::rules::results::Cancel::new(&newer_edit);
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    for_rules.file_diagnostics_until(&cancel).is_some()
                }))
                .ok()
            })
            .await
            .ok()
            .flatten()?;
            if ran {
                return Some(analysis);
            }
        }
        None
    }

    fn bump(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// File, offset and snapshot for a request position; `None` when the
    /// file is not part of the analysis.
    async fn locate(
        &self,
        uri: &Uri,
        position: Position,
    ) -> Option<(Arc<Analysis>, FileId, usize)> {
        let path = uri_to_path(uri)?;
        let analysis = self.current_analysis().await?;
        self.position_in(analysis, &path, position)
    }

    /// The file and snapshot for a whole-document request.
    async fn locate_file(&self, uri: &Uri) -> Option<(Arc<Analysis>, FileId)> {
        let path = uri_to_path(uri)?;
        let analysis = self.current_analysis().await?;
        let file = analysis.workspace.files.lookup(&path)?;
        Some((analysis, file))
    }

    /// Runs a whole-document feature on the current snapshot, inside the
    /// panic boundary; `None` when the document is not part of it.
    async fn document_feature<T>(
        &self,
        uri: &Uri,
        what: &str,
        feature: impl FnOnce(&crate::model::Workspace, FileId) -> T,
    ) -> Result<Option<(Arc<Analysis>, FileId, T)>> {
        let Some((analysis, file)) = self.locate_file(uri).await else {
            return Ok(None);
        };
        let found = guarded(what, || feature(&analysis.workspace, file))?;
        Ok(Some((analysis, file, found)))
    }

    /// The file and byte offset of `position` in `path`'s text in
    /// `analysis`.
    fn position_in(
        &self,
        analysis: Arc<Analysis>,
        path: &std::path::Path,
        position: Position,
    ) -> Option<(Arc<Analysis>, FileId, usize)> {
        let ws = &analysis.workspace;
        let file = ws.files.lookup(path)?;
        let source = ws.files.get(file);
        let offset = to_offset(
            &source.text,
            &source.line_index,
            position.line,
            position.character,
            self.encoding(),
        );
        Some((analysis, file, offset))
    }

    /// [`Inner::locate`] for completion and hover: before the first analysis
    /// of the workspace is done, the file's own Worker folder is indexed
    /// alone and answers instead.
    async fn locate_early(
        &self,
        uri: &Uri,
        position: Position,
    ) -> Option<(Arc<Analysis>, FileId, usize)> {
        let path = uri_to_path(uri)?;
        match self.early_analysis(&path).await {
            Some(analysis) => self.position_in(analysis, &path, position),
            None => self.locate(uri, position).await,
        }
    }

    /// A snapshot of `path`'s Worker folder alone, with the open buffers in
    /// it; `None` once the workspace has been analysed (or when the folder
    /// is a workspace root: its index is the workspace's).
    async fn early_analysis(&self, path: &std::path::Path) -> Option<Arc<Analysis>> {
        if lock(&self.analysis).is_some() {
            lock(&self.early).take();
            return None;
        }
        let roots = lock(&self.state).roots.clone();
        let dir = path
            .ancestors()
            .skip(1)
            .take_while(|dir| roots.iter().any(|root| dir.starts_with(root)))
            .find(|dir| {
                ["wrangler.toml", "wrangler.json", "wrangler.jsonc"]
                    .iter()
                    .any(|name| dir.join(name).is_file())
            })?
            .to_path_buf();
        if roots.contains(&dir) {
            return None;
        }
        let buffers: Vec<(PathBuf, ropey::Rope)> = lock(&self.state)
            .documents
            .iter()
            .filter(|(open, _)| open.starts_with(&dir))
            .map(|(open, doc)| (open.clone(), doc.rope.clone()))
            .collect();
        // Settings once per folder indexed (a broken `dols.toml` is said
        // once, not on every request).
        let is_new = lock(&self.early)
            .as_ref()
            .is_none_or(|index| index.dir != dir);
        let settings = match is_new {
            true => Some(self.load_settings().await),
            false => None,
        };
        let early = self.early.clone();
        tokio::task::spawn_blocking(move || {
            let mut slot = lock(&early);
            if slot.as_ref().is_none_or(|index| index.dir != dir) {
                let host = AnalysisHost::new(vec![dir.clone()], settings?);
                *slot = Some(EarlyIndex { dir, host });
            }
            let host = &mut slot.as_mut()?.host;
            for (open, text) in buffers {
                host.set_overlay(open, text);
            }
            std::panic::catch_unwind(AssertUnwindSafe(|| host.analyze())).ok()
        })
        .await
        .ok()
        .flatten()
    }

    /// The version of each open document, for versioned workspace edits.
    fn open_versions(&self) -> HashMap<PathBuf, i32> {
        lock(&self.state)
            .documents
            .iter()
            .map(|(path, doc)| (path.clone(), doc.version))
            .collect()
    }

    fn location(&self, analysis: &Analysis, target: features::Target) -> Option<Location> {
        let source = analysis.workspace.files.get(target.file);
        Some(Location {
            uri: Uri::from_file_path(&source.path)?,
            range: to_lsp_range(
                &source.text,
                &source.line_index,
                target.range,
                self.encoding(),
            ),
        })
    }
}

/// Client commands the code lenses name: list locations (arguments: the
/// document URI, a position, the locations), and open the topology view.
/// Editors implement them (the VS Code extension does; see the editor
/// READMEs for others).
pub const SHOW_LOCATIONS: &str = "dols.showLocations";
pub const SHOW_TOPOLOGY: &str = "dols.showTopology";

/// Runs a feature inside a panic boundary: a bug answers with an error,
/// the server keeps serving.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|panic| {
        let message = panic_message(&panic);
        eprintln!("dols: {what} failed: {message}");
        Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
            message: format!("dols {what} failed: {message}").into(),
            data: None,
        }
    })
}

/// A document pull's answer in protocol terms.
fn document_report(report: PullReport) -> DocumentDiagnosticReportResult {
    let report = match report {
        PullReport::Full { result_id, items } => {
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(result_id),
                    items,
                },
            })
        }
        PullReport::Unchanged { result_id } => {
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id,
                },
            })
        }
    };
    DocumentDiagnosticReportResult::Report(report)
}

/// How long a streamed workspace pull stays open (the client then asks
/// again).
const WORKSPACE_PULL_HOLD: Duration = Duration::from_secs(120);

/// `$/progress` carrying a partial result (ls-types types only work-done
/// progress).
enum PartialResult {}

impl tower_lsp_server::ls_types::notification::Notification for PartialResult {
    type Params = serde_json::Value;
    const METHOD: &'static str = "$/progress";
}

/// A pull the server cannot answer yet (the first index is not done):
/// the client asks again.
fn not_ready() -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32802),
        message: "dols has not indexed the workspace yet".into(),
        data: Some(serde_json::json!({ "retriggerRequest": true })),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere must not poison the server for good.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path()
        .map(|p| crate::model::resolve::normalize(&p))
}

/// Protocol items for completion entries whose ranges refer to `text`.
fn completion_response(
    entries: Vec<features::CompletionEntry>,
    to_range: impl Fn(TextRange) -> Range,
) -> Option<CompletionResponse> {
    if entries.is_empty() {
        return None;
    }
    let items = entries
        .into_iter()
        .map(|entry| CompletionItem {
            label: entry.label.clone(),
            kind: Some(match entry.kind {
                CompletionKind::Method => CompletionItemKind::METHOD,
                CompletionKind::Property => CompletionItemKind::PROPERTY,
                CompletionKind::Binding => CompletionItemKind::VARIABLE,
                CompletionKind::Class => CompletionItemKind::CLASS,
                CompletionKind::Snippet => CompletionItemKind::SNIPPET,
                CompletionKind::Value => CompletionItemKind::VALUE,
                CompletionKind::Key => CompletionItemKind::PROPERTY,
                CompletionKind::File => CompletionItemKind::FILE,
            }),
            detail: Some(entry.detail),
            documentation: entry.documentation.map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            }),
            insert_text_format: Some(if entry.is_snippet {
                InsertTextFormat::SNIPPET
            } else {
                InsertTextFormat::PLAIN_TEXT
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: to_range(entry.replace),
                new_text: entry.insert_text,
            })),
            sort_text: entry.sort_text,
            ..Default::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

fn symbol_kind(kind: features::symbols::SymbolKind) -> SymbolKind {
    use features::symbols::SymbolKind as K;
    match kind {
        K::Worker => SymbolKind::MODULE,
        K::Environment => SymbolKind::NAMESPACE,
        K::Binding => SymbolKind::VARIABLE,
        K::Migration => SymbolKind::EVENT,
        K::Class => SymbolKind::CLASS,
        K::Method => SymbolKind::METHOD,
        K::Constructor => SymbolKind::CONSTRUCTOR,
        K::Field => SymbolKind::FIELD,
    }
}

fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.clone())
        .unwrap_or_default();
    if offered.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

fn roots_of(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri_to_path(&f.uri))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty() {
        if let Some(root) = params.root_uri.as_ref().and_then(uri_to_path) {
            roots.push(root);
        }
    }
    roots
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = negotiate_encoding(&params);
        let roots = roots_of(&params);
        {
            let mut state = lock(&self.state);
            state.encoding = Some(encoding);
            state.roots = roots;
            state.init_options = params.initialization_options.clone().unwrap_or_default();
            state.can_watch_files = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false);
            state.edit_support = EditSupport::from_client(&params.capabilities);
            state.can_apply_edit = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.apply_edit)
                .unwrap_or(false);
            state.can_pull_configuration = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.configuration)
                .unwrap_or(false);
            state.can_show_document = params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support);
            state.can_pull_diagnostics = params
                .capabilities
                .text_document
                .as_ref()
                .is_some_and(|t| t.diagnostic.is_some());
            state.can_refresh_diagnostics = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false);
            state.can_show_progress = params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false);
        }
        // Offered only to clients that pull: the others keep getting pushes.
        let diagnostic_provider = lock(&self.state).can_pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("dols".to_string()),
                // A config edit changes the findings of source files.
                inter_file_dependencies: true,
                workspace_diagnostics: true,
                work_done_progress_options: Default::default(),
            })
        });
        let encoding_kind = match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        };
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding_kind),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::INCREMENTAL,
                )),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".into(), "\"".into(), "'".into()]),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::REFACTOR,
                            CodeActionKind::SOURCE_FIX_ALL,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        ..Default::default()
                    },
                )),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: None,
                    work_done_progress_options: Default::default(),
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                diagnostic_provider,
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![
                        refactors::NEW_DURABLE_OBJECT.to_string(),
                        SHOW_RULE_DOCS.to_string(),
                    ],
                    ..Default::default()
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "dols".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            ..Default::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Indexing and client requests happen in the background: a handler
        // must never wait on the client.
        let inner = self.0.clone();
        tokio::spawn(async move { inner.initial_index().await });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Clients send either `{ "dols": {...} }` or the section itself; a
        // client that answers `workspace/configuration` often sends nothing
        // and expects to be asked.
        let value = params
            .settings
            .get("dols")
            .cloned()
            .unwrap_or(params.settings);
        if !value.is_null() {
            lock(&self.state).init_options = value;
        }
        // Asking the client happens off the notification handler, which
        // must not wait for the client.
        let inner = self.0.clone();
        tokio::spawn(async move {
            let settings = inner.load_settings().await;
            if let Some(host) = lock(&inner.host).as_mut() {
                host.set_settings(settings);
            }
            inner.bump();
            inner.publish_until_current().await;
        });
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut state = lock(&self.state);
            let removed: Vec<PathBuf> = params
                .event
                .removed
                .iter()
                .filter_map(|f| uri_to_path(&f.uri))
                .collect();
            state.roots.retain(|root| !removed.contains(root));
            for folder in &params.event.added {
                if let Some(path) = uri_to_path(&folder.uri) {
                    if !state.roots.contains(&path) {
                        state.roots.push(path);
                    }
                }
            }
        }
        // Folders change rarely: index the new set of roots as at start-up
        // (open buffers are applied again, stale diagnostics cleared).
        let inner = self.0.clone();
        tokio::spawn(async move { inner.initial_index().await });
    }

    async fn shutdown(&self) -> Result<()> {
        // A streamed workspace pull still open ends now.
        self.shutting_down.store(true, Ordering::SeqCst);
        self.published.send_modify(|_| {});
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            return;
        };
        let document = OpenDocument::new(&params.text_document.text, params.text_document.version);
        let rope = document.rope.clone();
        {
            let mut state = lock(&self.state);
            state.documents.insert(path.clone(), document);
            // Some clients (eglot) drop diagnostics of files they have not
            // opened: send this file's again even if they did not change.
            state.diagnostics.resend(&path);
        }
        lock(&self.pending).push(BufferChange::Set(path, rope));
        self.bump();
        self.spawn_publish();
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let arrived = std::time::Instant::now();
        // Apply before any await so changes keep their order.
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            return;
        };
        let encoding = self.encoding();
        let text = {
            let mut state = lock(&self.state);
            let Some(doc) = state.documents.get_mut(&path) else {
                return;
            };
            if params.text_document.version <= doc.version {
                return; // stale or repeated
            }
            let mut edits = Some(Vec::new());
            for change in params.content_changes {
                match doc.apply(change, encoding) {
                    Some(edit) => edits.iter_mut().for_each(|e| e.push(edit)),
                    None => edits = None, // a full replacement: the old tree is useless
                }
            }
            doc.version = params.text_document.version;
            (doc.rope.clone(), edits)
        };
        lock(&self.pending).push(match text {
            (text, Some(edits)) => BufferChange::Edit(path, text, edits),
            (text, None) => BufferChange::Set(path, text),
        });
        if crate::host::timing_enabled() {
            *lock(&self.last_edit) = Some(arrived);
        }
        self.bump();
        self.spawn_publish();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            return;
        };
        {
            let mut state = lock(&self.state);
            state.documents.remove(&path);
            state.diagnostics.document_closed(&path);
        }
        lock(&self.pending).push(BufferChange::Close(path));
        self.bump();
        self.spawn_publish();
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            // An unsaved buffer: nothing dols checks.
            return Ok(document_report(PullReport::Full {
                result_id: super::diagnostics::NO_FINDINGS.to_string(),
                items: Vec::new(),
            }));
        };
        let cleared = lock(&self.state).diagnostics.document_pulled(&path);
        self.clear_pushed(cleared.into_iter().collect()).await;
        let Some(analysis) = self.checked_analysis().await else {
            return Err(not_ready());
        };
        let encoding = self.encoding();
        let report = guarded("diagnostics", || {
            lock(&self.state).diagnostics.pull(
                &analysis,
                &path,
                params.previous_result_id.as_deref(),
                encoding,
            )
        })?;
        Ok(document_report(report))
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let cleared = lock(&self.state).diagnostics.workspace_pulled();
        self.clear_pushed(cleared).await;
        let mut held: HashMap<PathBuf, String> = params
            .previous_result_ids
            .into_iter()
            .filter_map(|id| Some((uri_to_path(&id.uri)?, id.value)))
            .collect();
        let Some(analysis) = self.checked_analysis().await else {
            return Err(not_ready());
        };
        let Some(token) = params.partial_result_params.partial_result_token else {
            let items = self.workspace_reports(&analysis, &mut held)?;
            return Ok(WorkspaceDiagnosticReportResult::Report(
                WorkspaceDiagnosticReport { items },
            ));
        };
        // A client that takes partial results gets the reports streamed:
        // the request stays open and each change of findings goes out at
        // once, instead of when the client asks again (VS Code waits 2 s
        // between workspace pulls). It ends empty after a while, or when
        // the server shuts down; the client then asks again.
        // Later rounds read the snapshot each publish round leaves (its
        // rules have run): the stream never starts an analysis of its own.
        let mut published = self.published.subscribe();
        published.borrow_and_update();
        let until = tokio::time::Instant::now() + WORKSPACE_PULL_HOLD;
        let mut analysis = analysis;
        let mut first = true;
        while !self.shutting_down.load(Ordering::SeqCst) {
            let items: Vec<WorkspaceDocumentDiagnosticReport> = self
                .workspace_reports(&analysis, &mut held)?
                .into_iter()
                .filter(|item| first || matches!(item, WorkspaceDocumentDiagnosticReport::Full(_)))
                .collect();
            first = false;
            if !items.is_empty() {
                let partial = WorkspaceDiagnosticReportPartialResult { items };
                self.client
                    .send_notification::<PartialResult>(serde_json::json!({
                        "token": token,
                        "value": partial,
                    }))
                    .await;
            }
            tokio::select! {
                changed = published.changed() => if changed.is_err() { break },
                () = tokio::time::sleep_until(until) => break,
            }
            match published.borrow_and_update().clone() {
                Some(newer) => analysis = newer,
                None => break,
            }
        }
        Ok(WorkspaceDiagnosticReportResult::Report(
            WorkspaceDiagnosticReport { items: Vec::new() },
        ))
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let settings_changed = params.changes.iter().any(|c| {
            uri_to_path(&c.uri).is_some_and(|p| {
                p.file_name()
                    .is_some_and(|n| n == crate::settings::FILE_NAME)
            })
        });
        if settings_changed {
            let settings = self.load_settings().await;
            if let Some(host) = lock(&self.host).as_mut() {
                host.set_settings(settings);
            }
        }
        {
            let mut host = lock(&self.host);
            let Some(host) = host.as_mut() else { return };
            for change in params.changes {
                if let Some(path) = uri_to_path(&change.uri) {
                    host.file_changed_on_disk(&path);
                }
            }
        }
        self.bump();
        self.spawn_publish();
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let encoding = self.encoding();
        // Right after a keystroke the newest snapshot is one edit behind.
        // Completion reads the buffer text itself, so answer from that
        // snapshot plus the buffer instead of waiting for a rebuild.
        if let Some((analysis, file, buffer)) =
            self.snapshot_behind_buffer(&position.text_document.uri)
        {
            let offset = buffer.offset(position.position, encoding);
            let text = buffer.text();
            let entries = guarded("completion", || {
                features::completion::completion_in_text(&analysis.workspace, file, &text, offset)
            })?;
            return Ok(completion_response(entries, |range| {
                buffer.range(range, encoding)
            }));
        }
        let Some((analysis, file, offset)) = self
            .locate_early(&position.text_document.uri, position.position)
            .await
        else {
            return Ok(None);
        };
        let entries = guarded("completion", || {
            features::completion::completion(&analysis.workspace, file, offset)
        })?;
        let source = analysis.workspace.files.get(file);
        Ok(completion_response(entries, |range| {
            to_lsp_range(&source.text, &source.line_index, range, encoding)
        }))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some((analysis, file, offset)) = self
            .locate_early(&position.text_document.uri, position.position)
            .await
        else {
            return Ok(None);
        };
        let result = guarded("hover", || {
            if std::env::var_os("DOLS_TEST_PANIC_IN_HOVER").is_some() {
                panic!("injected test panic");
            }
            features::hover::hover(&analysis.workspace, file, offset)
        })?;
        let source = analysis.workspace.files.get(file);
        Ok(result.map(|hover| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: hover.markdown,
            }),
            range: Some(to_lsp_range(
                &source.text,
                &source.line_index,
                hover.range,
                self.encoding(),
            )),
        }))
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let position = params.text_document_position_params;
        let Some((analysis, file, offset)) = self
            .locate(&position.text_document.uri, position.position)
            .await
        else {
            return Ok(None);
        };
        let help = guarded("signature help", || {
            features::signature::signature_help(&analysis.workspace, file, offset)
        })?;
        Ok(help.map(|help| {
            let parameters = help
                .parameters
                .iter()
                .map(|&(start, end)| ParameterInformation {
                    label: ParameterLabel::Simple(help.label[start..end].to_string()),
                    documentation: None,
                })
                .collect();
            SignatureHelp {
                signatures: vec![SignatureInformation {
                    label: help.label,
                    documentation: Some(Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: help.documentation,
                    })),
                    parameters: Some(parameters),
                    active_parameter: Some(help.active_parameter as u32),
                }],
                active_signature: Some(0),
                active_parameter: Some(help.active_parameter as u32),
            }
        }))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let found = self
            .document_feature(
                &params.text_document.uri,
                "folding ranges",
                features::config_ranges::folding_ranges,
            )
            .await?;
        let Some((_, _, folds)) = found else {
            return Ok(None);
        };
        if folds.is_empty() {
            return Ok(None);
        }
        Ok(Some(
            folds
                .into_iter()
                .map(|fold| FoldingRange {
                    start_line: fold.start_line as u32,
                    end_line: fold.end_line as u32,
                    ..Default::default()
                })
                .collect(),
        ))
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let Some((analysis, file)) = self.locate_file(&params.text_document.uri).await else {
            return Ok(None);
        };
        let source = analysis.workspace.files.get(file);
        let encoding = self.encoding();
        let mut answers = Vec::new();
        for position in params.positions {
            let offset = to_offset(
                &source.text,
                &source.line_index,
                position.line,
                position.character,
                encoding,
            );
            let chain = guarded("selection ranges", || {
                features::config_ranges::selection_ranges(&analysis.workspace, file, offset)
            })?;
            // Outermost first, each the parent of the next.
            let mut selection: Option<SelectionRange> = None;
            for range in chain.into_iter().rev() {
                selection = Some(SelectionRange {
                    range: to_lsp_range(&source.text, &source.line_index, range, encoding),
                    parent: selection.map(Box::new),
                });
            }
            match selection {
                Some(selection) => answers.push(selection),
                // Not a config: no answer at all (the protocol wants one
                // range per position, or none).
                None => return Ok(None),
            }
        }
        Ok(Some(answers))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some((analysis, file)) = self.locate_file(&params.text_document.uri).await else {
            return Ok(None);
        };
        let source = analysis.workspace.files.get(file);
        let encoding = self.encoding();
        let offset = |p: Position| {
            to_offset(
                &source.text,
                &source.line_index,
                p.line,
                p.character,
                encoding,
            )
        };
        let range = TextRange::new(offset(params.range.start), offset(params.range.end));
        let hints = guarded("inlay hints", || {
            features::wiring::inlay_hints(&analysis.workspace, file, range)
        })?;
        let hints = hints
            .into_iter()
            .map(|hint| {
                let at = to_lsp_range(
                    &source.text,
                    &source.line_index,
                    TextRange::empty(hint.offset),
                    encoding,
                );
                InlayHint {
                    position: at.start,
                    label: InlayHintLabel::String(hint.label),
                    kind: None,
                    text_edits: None,
                    tooltip: Some(InlayHintTooltip::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: hint.tooltip,
                    })),
                    padding_left: Some(true),
                    padding_right: None,
                    data: None,
                }
            })
            .collect();
        Ok(Some(hints))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let found = self
            .document_feature(
                &params.text_document.uri,
                "code lens",
                features::wiring::code_lenses,
            )
            .await?;
        let Some((analysis, file, lenses)) = found else {
            return Ok(None);
        };
        let source = analysis.workspace.files.get(file);
        let encoding = self.encoding();
        let lenses = lenses
            .into_iter()
            .map(|lens| {
                let range = to_lsp_range(&source.text, &source.line_index, lens.range, encoding);
                let command = match lens.action {
                    features::wiring::LensAction::ShowLocations(places) => {
                        let locations: Vec<Location> = places
                            .into_iter()
                            .filter_map(|t| self.location(&analysis, t))
                            .collect();
                        let arguments = vec![
                            serde_json::json!(params.text_document.uri.as_str()),
                            serde_json::json!(range.start),
                            serde_json::json!(locations),
                        ];
                        Command {
                            title: lens.title,
                            command: SHOW_LOCATIONS.to_string(),
                            arguments: Some(arguments),
                        }
                    }
                    features::wiring::LensAction::ShowTopology => Command {
                        title: lens.title,
                        command: SHOW_TOPOLOGY.to_string(),
                        arguments: None,
                    },
                };
                CodeLens {
                    range,
                    command: Some(command),
                    data: None,
                }
            })
            .collect();
        Ok(Some(lenses))
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        let found = self
            .document_feature(
                &params.text_document.uri,
                "document links",
                features::wiring::document_links,
            )
            .await?;
        let Some((analysis, file, links)) = found else {
            return Ok(None);
        };
        let source = analysis.workspace.files.get(file);
        let encoding = self.encoding();
        let links = links
            .into_iter()
            .filter_map(|link| {
                let location = self.location(&analysis, link.target)?;
                // `#L<line>,<column>`: VS Code and others open the file there.
                let fragment = format!(
                    "#L{},{}",
                    location.range.start.line + 1,
                    location.range.start.character + 1
                );
                let target = format!("{}{fragment}", location.uri.as_str())
                    .parse()
                    .ok()?;
                Some(DocumentLink {
                    range: to_lsp_range(&source.text, &source.line_index, link.range, encoding),
                    target: Some(target),
                    tooltip: Some(link.tooltip),
                    data: None,
                })
            })
            .collect();
        Ok(Some(links))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        // `only` lists kinds or their parents (`source` asks for
        // `source.fixAll.dols`).
        let wants = |kind: &str| {
            params.context.only.as_ref().is_none_or(|kinds| {
                kinds.iter().any(|k| {
                    let k = k.as_str();
                    k.is_empty() || kind == k || kind.starts_with(&format!("{k}."))
                })
            })
        };
        let (wants_quickfix, wants_refactor) = (wants("quickfix"), wants("refactor"));
        // A fix-all is only computed when asked for by kind (on save, or
        // from the source-action menu), not for every light bulb.
        let wants_fix_all = params.context.only.is_some() && wants(FIX_ALL_KIND);
        if !wants_quickfix && !wants_refactor && !wants_fix_all {
            return Ok(None);
        }
        let uri = &params.text_document.uri;
        let Some((analysis, file, start)) = self.locate(uri, params.range.start).await else {
            return Ok(None);
        };
        let Some((_, _, end)) = self.locate(uri, params.range.end).await else {
            return Ok(None);
        };
        let (encoding, support) = (self.encoding(), lock(&self.state).edit_support);
        let versions = self.open_versions();
        // Diagnostics may not be computed yet for this snapshot: do it off
        // the async threads, like publishing does.
        let actions = tokio::task::spawn_blocking(move || {
            guarded("codeAction", || {
                let range = TextRange::new(start, end.max(start));
                let version_of = |path: &std::path::Path| versions.get(path).copied();
                let mut actions = Vec::new();
                if wants_quickfix {
                    actions = code_actions(
                        &analysis.workspace,
                        analysis
                            .file_diagnostics()
                            .get(&file)
                            .map_or(&[][..], |found| &found[..]),
                        file,
                        range,
                        encoding,
                        support,
                        &version_of,
                    );
                }
                if wants_fix_all {
                    actions.extend(fix_all_action(
                        &analysis.workspace,
                        analysis
                            .file_diagnostics()
                            .get(&file)
                            .map_or(&[][..], |found| &found[..]),
                        file,
                        encoding,
                        support,
                        &version_of,
                    ));
                }
                if wants_refactor {
                    let ws = &analysis.workspace;
                    actions.extend(refactors::bind_class_action(
                        ws,
                        file,
                        start,
                        encoding,
                        support,
                        &version_of,
                    ));
                }
                actions
            })
        })
        .await
        .map_err(|_| Error::internal_error())??;
        Ok((!actions.is_empty()).then_some(actions))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let locations = self
            .navigate(
                params.text_document_position_params,
                "definition",
                features::definition::definition,
            )
            .await?;
        Ok(locations.map(GotoDefinitionResponse::Array))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            return Ok(None);
        };
        let Some(analysis) = self.current_analysis().await else {
            return Ok(None);
        };
        let Some(file) = analysis.workspace.files.lookup(&path) else {
            return Ok(None);
        };
        let symbols = guarded("document symbols", || {
            features::symbols::document_symbols(&analysis.workspace, file)
        })?;
        if symbols.is_empty() {
            return Ok(None);
        }
        let source = analysis.workspace.files.get(file);
        let encoding = self.encoding();
        fn convert(
            symbol: features::symbols::DocumentSymbol,
            source: &crate::files::SourceFile,
            encoding: Encoding,
        ) -> DocumentSymbol {
            #[allow(deprecated)]
            DocumentSymbol {
                name: symbol.name,
                detail: symbol.detail,
                kind: symbol_kind(symbol.kind),
                tags: None,
                deprecated: None,
                range: to_lsp_range(&source.text, &source.line_index, symbol.range, encoding),
                selection_range: to_lsp_range(
                    &source.text,
                    &source.line_index,
                    symbol.selection,
                    encoding,
                ),
                children: Some(
                    symbol
                        .children
                        .into_iter()
                        .map(|c| convert(c, source, encoding))
                        .collect(),
                ),
            }
        }
        Ok(Some(DocumentSymbolResponse::Nested(
            symbols
                .into_iter()
                .map(|s| convert(s, source, encoding))
                .collect(),
        )))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let Some(analysis) = self.current_analysis().await else {
            return Ok(None);
        };
        let symbols = guarded("workspace symbols", || {
            features::symbols::workspace_symbols(&analysis.workspace, &params.query)
        })?;
        #[allow(deprecated)]
        let found: Vec<SymbolInformation> = symbols
            .into_iter()
            .filter_map(|symbol| {
                Some(SymbolInformation {
                    name: symbol.name,
                    kind: symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    location: self.location(&analysis, symbol.target)?,
                    container_name: symbol.container,
                })
            })
            .collect();
        Ok(Some(WorkspaceSymbolResponse::Flat(found)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let feature = if params.context.include_declaration {
            features::definition::references
        } else {
            |ws: &crate::model::Workspace, file, offset| {
                features::definition::references_with(ws, file, offset, false)
            }
        };
        self.navigate(params.text_document_position, "references", feature)
            .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some((analysis, file, offset)) = self
            .locate(&params.text_document.uri, params.position)
            .await
        else {
            return Ok(None);
        };
        let ws = &analysis.workspace;
        let found = guarded("prepareRename", || {
            features::rename::prepare_rename(ws, file, offset)
        })?
        .map_err(refused)?;
        let source = ws.files.get(file);
        let encoding = self.encoding();
        Ok(found.map(|(range, placeholder)| {
            let range = to_lsp_range(&source.text, &source.line_index, range, encoding);
            PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }
        }))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let position = params.text_document_position;
        let Some((analysis, file, offset)) = self
            .locate(&position.text_document.uri, position.position)
            .await
        else {
            return Ok(None);
        };
        let ws = &analysis.workspace;
        let new_name = params.new_name.trim();
        let change = guarded("rename", || {
            features::rename::rename(ws, file, offset, new_name)
        })?
        .map_err(refused)?;
        let support = lock(&self.state).edit_support;
        let versions = self.open_versions();
        workspace_edit(ws, &change, self.encoding(), support, &|path| {
            versions.get(path).copied()
        })
        .map(Some)
        .ok_or_else(|| refused("dols cannot express this rename as a workspace edit."))
    }

    /// `dols.newDurableObject`: the change goes to the client as a
    /// `workspace/applyEdit` request; the command answers null, or an
    /// error with the reason the class cannot be created.
    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        if params.command == SHOW_RULE_DOCS {
            return self.show_rule_docs(&params.arguments);
        }
        if params.command != refactors::NEW_DURABLE_OBJECT {
            return Err(refactors::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let args = NewObjectArgs::parse(&params.arguments).map_err(refactors::invalid_params)?;
        let (roots, support, can_apply) = {
            let state = lock(&self.state);
            (
                state.roots.clone(),
                state.edit_support,
                state.can_apply_edit,
            )
        };
        if !can_apply {
            return Err(refused(
                "dols.newDurableObject needs a client that accepts workspace/applyEdit.",
            ));
        }
        let Some(analysis) = self.current_analysis().await else {
            return Err(refused(
                "dols has not indexed the workspace yet; try again.",
            ));
        };
        let ws = &analysis.workspace;
        let path = args.worker_path(&roots);
        let change = guarded("newDurableObject", || {
            let config = features::new_object::worker_config(ws, &path)
                .ok_or_else(|| format!("No Worker config at {}.", path.display()))?;
            features::new_object::new_durable_object(ws, config, &args.class_name, &args.binding)
        })?
        .map_err(refused)?;
        let versions = self.open_versions();
        let edit = workspace_edit(ws, &change, self.encoding(), support, &|p| {
            versions.get(p).copied()
        })
        .ok_or_else(|| {
            refused("dols.newDurableObject needs a client that can create files in a workspace edit (documentChanges with the create operation).")
        })?;
        // The client answers while this request is still open; never wait
        // on it for long.
        let client = self.client.clone();
        let applied = tokio::spawn(async move { client.apply_edit(edit).await });
        match tokio::time::timeout(Duration::from_secs(5), applied).await {
            Ok(Ok(Ok(response))) if !response.applied => Err(refused(format!(
                "The editor did not apply the change{}.",
                response
                    .failure_reason
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ))),
            _ => Ok(None),
        }
    }
}

impl Inner {
    /// Opens a rule's documentation page in the client (`window/showDocument`
    /// when it has it, else a message with the link). Never waits for the
    /// client's answer inside the request.
    fn show_rule_docs(&self, arguments: &[LSPAny]) -> Result<Option<LSPAny>> {
        let rule = arguments
            .first()
            .and_then(LSPAny::as_str)
            .and_then(crate::rules::by_id)
            .ok_or_else(|| refactors::invalid_params("expected a rule id".to_string()))?;
        let url = crate::rules::doc_url(rule.id);
        let client = self.client.clone();
        let can_show = lock(&self.state).can_show_document;
        let uri: Option<Uri> = url.parse().ok();
        tokio::spawn(async move {
            match uri.filter(|_| can_show) {
                Some(uri) => {
                    let params = ShowDocumentParams {
                        uri,
                        external: Some(true),
                        take_focus: Some(true),
                        selection: None,
                    };
                    let _ =
                        tokio::time::timeout(Duration::from_secs(30), client.show_document(params))
                            .await;
                }
                None => {
                    client
                        .show_message(MessageType::INFO, format!("{}: {url}", rule.id))
                        .await;
                }
            }
        });
        Ok(None)
    }

    /// Loads settings, registers file watchers, indexes with progress, and
    /// publishes the first diagnostics.
    async fn initial_index(self: Arc<Self>) {
        let (roots, can_watch, can_progress) = {
            let state = lock(&self.state);
            (
                state.roots.clone(),
                state.can_watch_files,
                state.can_show_progress,
            )
        };
        let mut kept = Vec::with_capacity(roots.len());
        for root in roots {
            let Some(what) = crate::discovery::too_broad_root(&root) else {
                kept.push(root);
                continue;
            };
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "dols: not indexing {}: it is {what}. Open a project folder to check its Workers.",
                        root.display()
                    ),
                )
                .await;
        }
        let roots = kept;
        // Once: a later index (new workspace folders) keeps the watchers.
        if can_watch && !self.host_ready.load(Ordering::SeqCst) {
            self.register_watchers().await;
        }
        let progress = if can_progress {
            let token = NumberOrString::String(INDEXING_TOKEN.to_string());
            let created = tokio::time::timeout(
                Duration::from_secs(2),
                self.client.send_request::<request::WorkDoneProgressCreate>(
                    WorkDoneProgressCreateParams {
                        token: token.clone(),
                    },
                ),
            )
            .await;
            match created {
                Ok(Ok(())) => Some(
                    self.client
                        .progress(token, "dols: indexing")
                        .with_cancel_button()
                        .begin()
                        .await,
                ),
                _ => None,
            }
        } else {
            None
        };
        let settings = self.load_settings().await;
        let host = self.host.clone();
        let cancel = self.indexing_cancelled.clone();
        cancel.store(false, Ordering::SeqCst);
        // Test hook: a slow disk, so that a test can cancel in time.
        let slow = std::env::var("DOLS_TEST_SLOW_INDEX_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis);
        let loaded = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let cancelled = || {
                if let Some(pause) = slow {
                    std::thread::sleep(pause);
                }
                cancel.load(Ordering::SeqCst)
            };
            let new_host = AnalysisHost::new_until(roots, settings, &cancelled);
            *lock(&host) = Some(new_host);
            started.elapsed()
        })
        .await;
        // Re-apply documents opened while indexing.
        let mut open = 0;
        let mut unreported = Vec::new();
        {
            // The documents as they are now supersede every change queued
            // while indexing. Lock order everywhere: state, host, pending.
            let state = lock(&self.state);
            let mut host = lock(&self.host);
            let mut pending = lock(&self.pending);
            if let Some(host) = host.as_mut() {
                pending.clear();
                for (path, doc) in &state.documents {
                    host.set_overlay(path.clone(), doc.rope.clone());
                    open += 1;
                }
                unreported = host.unreported_skips().to_vec();
            }
            self.host_ready.store(host.is_some(), Ordering::SeqCst);
        }
        // Folders the walk could not enter have no file to carry a finding.
        if let Some(first) = unreported.first() {
            let more = match unreported.len() - 1 {
                0 => String::new(),
                n => format!(" (and {n} more; see the log)"),
            };
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "dols: files under {} are not checked: {}{more}",
                        first.path.display(),
                        first.reason
                    ),
                )
                .await;
        }
        self.bump();
        let files = self
            .current_analysis()
            .await
            .map_or(0, |a| a.workspace.files.len());
        if let Some(progress) = progress {
            let message = if self.indexing_cancelled.load(Ordering::SeqCst) {
                format!("cancelled; {files} files indexed")
            } else {
                format!("{files} files indexed")
            };
            progress.finish_with_message(message).await;
        }
        if let Ok(elapsed) = loaded {
            self.client
                .log_message(
                    MessageType::INFO,
                    format!("dols: indexed {files} files in {elapsed:?} ({open} open buffers)"),
                )
                .await;
        }
        self.publish_until_current().await;
    }

    /// `dols.toml` of the first root, overlaid by the editor's settings. A
    /// broken file is reported once and the defaults are used.
    async fn load_settings(&self) -> Settings {
        let (root, pushed, can_pull) = {
            let state = lock(&self.state);
            (
                state.roots.first().cloned(),
                state.init_options.clone(),
                state.can_pull_configuration,
            )
        };
        let editor = match can_pull {
            true => self
                .pulled_settings(root.as_deref())
                .await
                .unwrap_or(pushed),
            false => pushed,
        };
        let mut problems = Vec::new();
        let base = match root
            .as_deref()
            .and_then(crate::settings::find_settings_file)
        {
            None => Settings::default(),
            Some(path) => match crate::settings::read_settings_file(&path) {
                Ok(settings) => settings,
                Err(err) => {
                    problems.push(format!("{}: {err}", path.display()));
                    Settings::default()
                }
            },
        };
        let merged = match base.with_editor_settings(&editor) {
            Ok(settings) => settings,
            Err(err) => {
                problems.push(format!("editor settings for dols: {err}"));
                base
            }
        };
        for problem in problems {
            self.client
                .show_message(MessageType::WARNING, format!("dols: {problem}"))
                .await;
        }
        merged
    }

    /// The `dols` section from `workspace/configuration`, for the first
    /// root; `None` when the client does not answer in time or has none.
    async fn pulled_settings(&self, root: Option<&std::path::Path>) -> Option<serde_json::Value> {
        let item = ConfigurationItem {
            scope_uri: root.and_then(Uri::from_file_path),
            section: Some("dols".to_string()),
        };
        let asked = self.client.configuration(vec![item]);
        let answer = tokio::time::timeout(Duration::from_secs(2), asked).await;
        match answer {
            Ok(Ok(mut values)) if !values.is_empty() => {
                Some(values.swap_remove(0)).filter(|v| !v.is_null())
            }
            _ => None,
        }
    }

    async fn register_watchers(&self) {
        let globs = [
            "**/wrangler.{toml,json,jsonc}",
            "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}",
            "**/{tsconfig,jsconfig}*.json",
            // Workspace packages: their names and entry points resolve imports.
            "**/package.json",
            "**/.dev.vars*",
            "**/.env",
            "**/dols.toml",
        ];
        let watchers = globs
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "dols-watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        let result = tokio::time::timeout(
            Duration::from_secs(5),
            self.client.register_capability(vec![registration]),
        )
        .await;
        if !matches!(result, Ok(Ok(()))) {
            eprintln!("dols: the client did not accept file watching; changes on disk are seen when files are opened");
        }
    }

    /// The newest snapshot when it is behind the open buffer of `uri` by a
    /// small edit, with the buffer's current text. `None` when the snapshot
    /// is current, missing, or too far behind to trust its ranges.
    fn snapshot_behind_buffer(&self, uri: &Uri) -> Option<(Arc<Analysis>, FileId, OpenDocument)> {
        let path = uri_to_path(uri)?;
        let generation = self.generation.load(Ordering::SeqCst);
        let analysis = {
            let slot = lock(&self.analysis);
            let (done, analysis) = slot.as_ref()?;
            if *done == generation {
                return None;
            }
            analysis.clone()
        };
        // A clone of a rope shares its tree: no copy of the text here.
        let buffer = lock(&self.state).documents.get(&path)?.clone();
        let file = analysis.workspace.files.lookup(&path)?;
        let old_len = analysis.workspace.files.text(file).len();
        // A few keystrokes: summary ranges are still good around the cursor.
        (old_len.abs_diff(buffer.len_bytes()) <= 64).then_some((analysis, file, buffer))
    }

    /// Definition and references share their shape: position in, locations out.
    async fn navigate(
        &self,
        position: TextDocumentPositionParams,
        what: &str,
        feature: fn(&crate::model::Workspace, FileId, usize) -> Vec<features::Target>,
    ) -> Result<Option<Vec<Location>>> {
        let Some((analysis, file, offset)) = self
            .locate(&position.text_document.uri, position.position)
            .await
        else {
            return Ok(None);
        };
        let targets = guarded(what, || feature(&analysis.workspace, file, offset))?;
        let locations: Vec<Location> = targets
            .into_iter()
            .filter_map(|t| self.location(&analysis, t))
            .collect();
        Ok((!locations.is_empty()).then_some(locations))
    }

    /// Analyses and publishes until the published diagnostics reflect the
    /// newest edit. Only one loop runs at a time: an edit made while it
    /// analyses is picked up by its next round, so a burst of keystrokes
    /// costs at most one stale run, and a lone keystroke waits for no timer.
    async fn publish_until_current(&self) {
        let Some(mut claim) = LoopClaim::take(&self.publishing) else {
            return; // the running loop will see the newer generation
        };
        loop {
            tokio::time::sleep(REQUESTS_FIRST).await;
            let generation = self.generation.load(Ordering::SeqCst);
            // Still indexing: `initial_index` publishes when done.
            if self.host_ready.load(Ordering::SeqCst) {
                self.analyze_and_publish().await;
            }
            claim.release();
            // An edit bumps the generation before it asks for a publish, so
            // either it is seen here or its own request starts a new loop.
            if self.generation.load(Ordering::SeqCst) == generation {
                return;
            }
            match LoopClaim::take(&self.publishing) {
                Some(taken) => claim = taken,
                None => return,
            }
        }
    }
}

/// The right to run the publish loop. Released explicitly, or on drop, so
/// a panic inside a round cannot leave the flag set and stop publishing.
struct LoopClaim<'a> {
    flag: &'a AtomicBool,
    held: bool,
}

impl<'a> LoopClaim<'a> {
    fn take(flag: &'a AtomicBool) -> Option<LoopClaim<'a>> {
        (!flag.swap(true, Ordering::SeqCst)).then_some(LoopClaim { flag, held: true })
    }

    fn release(&mut self) {
        if std::mem::take(&mut self.held) {
            self.flag.store(false, Ordering::SeqCst);
        }
    }
}

impl Drop for LoopClaim<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

/// The handle tower-lsp-server drives; cheap to clone into spawned tasks.
pub struct Backend(Arc<Inner>);

impl Backend {
    pub fn new(client: Client) -> Self {
        Backend(Arc::new(Inner::new(client)))
    }

    /// `window/workDoneProgress/cancel` (a notification tower-lsp-server
    /// does not route itself): the user pressed cancel on the indexing
    /// progress. The walk stops at the next file and a warning says what
    /// was left out.
    pub async fn cancel_progress(&self, params: WorkDoneProgressCancelParams) {
        if params.token == NumberOrString::String(INDEXING_TOKEN.to_string()) {
            self.indexing_cancelled.store(true, Ordering::SeqCst);
        }
    }

    /// `dols/topology`: every Worker with its Durable Object bindings,
    /// classes and migrations (shape in `topology.rs`). Waits for the
    /// first index like any request.
    pub async fn topology(&self, _params: serde_json::Value) -> Result<serde_json::Value> {
        let Some(analysis) = self.current_analysis().await else {
            return Err(refused(
                "dols has not indexed the workspace yet; try again.",
            ));
        };
        let encoding = self.encoding();
        guarded("topology", || {
            let ws = &analysis.workspace;
            super::topology::to_json(ws, &features::topology::topology(ws), encoding)
        })
    }

    /// Publishes in the background so a notification handler never waits.
    fn spawn_publish(&self) {
        let inner = self.0.clone();
        tokio::spawn(async move { inner.publish_until_current().await });
    }
}

impl std::ops::Deref for Backend {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
