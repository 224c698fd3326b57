//! `dols-bench`: the benchmark harness of issue 3 (not a timed test).
//!
//! usage: cargo run --release --bin dols-bench [-- --files N --workers W
//!        --iterations N --diag-iterations N --typing-gap-ms N --runs N
//!        --keep --sessions-only --index-only --vs-oxlint --large-buffers
//!        --server-log FILE --server DOLS_BINARY]
//!
//! `--runs N` starts N fresh servers per project and pools their latency
//! samples (the table also shows the spread of each run's p99);
//! `--typing-gap-ms N` is the pause between the keystrokes of the
//! completion sessions (default 50; one more session always types back to
//! back); `--server` measures another `dols`
//! binary, for A/B comparisons on the same machine state.
//! `--profile-rules` times the in-process rebuild after a one-letter edit
//! of the 5,000-line module and each rule on both projects, then exits.
//! `--vs-oxlint` times only cold `dols check` against `oxlint` (from PATH)
//! on the generated workspace, alternated round by round, beside a bare
//! parse. `--large-buffers` measures only typing in large open buffers (1.5 MB,
//! indexed; 10 MB, over the size cap): keystroke → the answer to a request
//! that needs the new snapshot. `--sessions-only` skips the in-process index measurements (steps 2 and
//! the 5,000-line parse), which take most of the run, and reports the LSP
//! sessions only. `--server-log FILE` appends the servers' stderr to FILE
//! (with `DOLS_TIMING=1` in the environment: per-stage timings of each
//! edit).
//!
//! 1. Generates a workspace of DO Workers (tests/bench/generate.py; 2,000 files
//!    in 20 Workers unless `--files` and `--workers` say otherwise)
//!    and copies the small demo project (docs/demo) into a temp dir.
//! 2. Cold index (`Workspace::build`, in process) vs a bare tree-sitter parse
//!    of the same files with the same grammar on the same rayon pool.
//! 3. Spawns the real `dols lsp` and measures cold start to the first correct
//!    completion, completion with the trigger character retyped, hover,
//!    keystroke → fresh `publishDiagnostics` in a 5,000-line file, and peak RSS.
//! 4. Prints a Markdown table with the targets and the
//!    typescript-language-server reference numbers.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dols_lsp_client::{copy_dir, uri, Answer, Process};
use rayon::prelude::*;
use serde_json::{json, Value};

use dols::discovery::{self, FileRole};
use dols::index::language::SourceLanguage;
use dols::index::queries::Grammar;
use dols::model::{InputFile, Workspace};

/// Rounds of the in-process index measurement (raw parse, summaries,
/// `Workspace::build`, rules, each once per round).
const INDEX_ROUNDS: usize = 11;
/// Lines of the generated file edited in the diagnostics session.
const BIG_FILE_LINES: usize = 5_000;

struct Options {
    files: usize,
    workers: usize,
    iterations: usize,
    diag_iterations: usize,
    /// Pause between two keystrokes of the completion sessions.
    typing_gap: Duration,
    /// Fresh server sessions per project; latency samples are pooled.
    runs: usize,
    keep: bool,
    sessions_only: bool,
    /// Only the in-process index measurement of the large project.
    index_only: bool,
    /// Only cold `dols check` against `oxlint` (from PATH) on the generated workspace.
    vs_oxlint: bool,
    /// Only the keystroke latency in large open buffers.
    large_buffers: bool,
    profile_rules: bool,
    server_log: Option<PathBuf>,
    /// A `dols` binary to measure instead of this checkout's (A/B runs).
    server: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options {
        files: 2000,
        workers: 20,
        iterations: 200,
        diag_iterations: 200,
        // 20 keystrokes a second: faster than anyone types.
        typing_gap: Duration::from_millis(50),
        runs: 1,
        keep: false,
        sessions_only: false,
        index_only: false,
        vs_oxlint: false,
        large_buffers: false,
        profile_rules: false,
        server_log: None,
        server: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = || -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage(&arg))
        };
        match arg.as_str() {
            "--files" => o.files = number(),
            "--workers" => o.workers = number(),
            "--iterations" => o.iterations = number(),
            "--diag-iterations" => o.diag_iterations = number(),
            "--runs" => o.runs = number().max(1),
            "--typing-gap-ms" => o.typing_gap = Duration::from_millis(number() as u64),
            "--keep" => o.keep = true,
            "--sessions-only" => o.sessions_only = true,
            "--index-only" => o.index_only = true,
            "--vs-oxlint" => o.vs_oxlint = true,
            "--large-buffers" => o.large_buffers = true,
            "--profile-rules" => o.profile_rules = true,
            "--server" => {
                o.server = Some(
                    args.next()
                        .map(PathBuf::from)
                        .unwrap_or_else(|| usage(&arg)),
                )
            }
            "--server-log" => {
                o.server_log = Some(
                    args.next()
                        .map(PathBuf::from)
                        .unwrap_or_else(|| usage(&arg)),
                )
            }
            _ => usage(&arg),
        }
    }
    o
}

fn usage(arg: &str) -> ! {
    eprintln!("dols-bench: bad argument {arg:?}");
    eprintln!(
        "usage: dols-bench [--files N] [--workers W] [--iterations N] [--diag-iterations N] [--typing-gap-ms N] [--runs N] [--keep] [--sessions-only] [--index-only] [--large-buffers] [--profile-rules] [--server-log FILE] [--server DOLS_BINARY]"
    );
    std::process::exit(2);
}

/// 50000 → "50,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crate sits in tests/bench of the repository")
        .to_path_buf()
}

/// The `dols` binary next to this one, built first when cargo is around.
fn dols_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().expect("exe dir").to_path_buf();
    let release = dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(repo_root())
        .args(["build", "--quiet", "--bin", "dols"]);
    if release {
        build.arg("--release");
    }
    if !build.status().is_ok_and(|s| s.success()) {
        eprintln!("dols-bench: could not build dols; using what is in {dir:?}");
    }
    let bin = dir.join("dols");
    assert!(bin.exists(), "no dols binary at {}", bin.display());
    bin
}

// ---------------------------------------------------------------- fixtures

fn generate_workspace(out: &Path, files: usize, workers: usize) {
    let status = Command::new("python3")
        .arg(repo_root().join("tests/bench/generate.py"))
        .arg(out)
        .args([
            "--files",
            &files.to_string(),
            "--workers",
            &workers.to_string(),
        ])
        .stdout(Stdio::null())
        .status()
        .expect("run python3 tests/bench/generate.py");
    assert!(status.success(), "generate.py failed");
}

/// A 5,000-line Worker module: handlers using `binding` through `env`, and
/// one line using `env.MISSING_A` as a DO namespace (an `unknown-binding`
/// error) whose last letter the edit session rewrites.
fn big_file(binding: &str) -> (String, usize, usize) {
    let mut text = String::from("// generated by dols-bench: a 5,000-line Worker module\n");
    let mut probe = (0, 0);
    let mut i = 0;
    while text.lines().count() + 10 < BIG_FILE_LINES {
        if i == 250 {
            probe = (
                text.lines().count() + 2,
                "  const probe = env.MISSING_".len(),
            );
            text.push_str(
                "export async function probe(env: Env): Promise<void> {\n  // the edit session types here\n  const probe = env.MISSING_A.getByName(\"x\");\n  await probe.fetch(\"https://example.com\");\n}\n\n",
            );
        }
        text.push_str(&format!(
            "export async function handler{i}(request: Request, env: Env): Promise<Response> {{\n  \
             // handler {i}\n  \
             const url = new URL(request.url);\n  \
             const stub = env.{binding}.getByName(url.pathname + \"{i}\");\n  \
             const total = Number(await stub.fetch(request).then((r) => r.text()));\n  \
             const parts: string[] = [];\n  \
             for (let k = 0; k < total % 5; k++) parts.push(`p${{k}}-{i}`);\n  \
             return Response.json({{ total, parts, n: {i} }});\n\
             }}\n\n"
        ));
        i += 1;
    }
    while text.lines().count() < BIG_FILE_LINES {
        text.push_str("// padding\n");
    }
    (text, probe.0, probe.1)
}

// ------------------------------------------------------- index vs raw parse

fn load_inputs(root: &Path) -> Vec<InputFile> {
    let (inputs, _) = discovery::load(&[root.to_path_buf()], &[]);
    inputs
}

fn grammar_for(language: SourceLanguage) -> Grammar {
    match language {
        SourceLanguage::Tsx => Grammar::Tsx,
        SourceLanguage::TypeScript | SourceLanguage::JavaScript => Grammar::TypeScript,
    }
}

thread_local! {
    static RAW_PARSERS: RefCell<[Option<tree_sitter::Parser>; 2]> = const { RefCell::new([None, None]) };
}

/// Parses every source once with a bare parser; returns the node count so
/// the work cannot be optimised away.
fn raw_parse(sources: &[(SourceLanguage, String)]) -> usize {
    sources
        .par_iter()
        .map(|(language, text)| {
            let grammar = grammar_for(*language);
            RAW_PARSERS.with(|cell| {
                let mut parsers = cell.borrow_mut();
                let slot = &mut parsers[grammar as usize];
                let parser = slot.get_or_insert_with(|| {
                    let mut p = tree_sitter::Parser::new();
                    p.set_language(&grammar.language()).unwrap();
                    p
                });
                parser
                    .parse(text, None)
                    .map(|t| t.root_node().child_count() as usize)
                    .unwrap_or(0)
            })
        })
        .sum()
}

/// The smallest and largest value.
fn spread(v: &[f64]) -> (f64, f64) {
    let low = v.iter().copied().fold(f64::INFINITY, f64::min);
    let high = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (low, high)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

struct IndexResult {
    source_files: usize,
    source_bytes: usize,
    total_files: usize,
    raw_ms: f64,
    summaries_ms: f64,
    /// Parse + index query without the semantic model.
    syntax_only_ms: f64,
    build_ms: f64,
    /// Raw parse time over `Workspace::build` time, per round: the two run
    /// back to back, so a round's ratio sees one machine state.
    build_ratios: Vec<f64>,
    summary_ratios: Vec<f64>,
    rules_ms: f64,
    check_process_ms: f64,
    check_timing: String,
}

/// The sources among `inputs`, with their language, for a bare parse.
fn source_texts(inputs: &[InputFile]) -> Vec<(SourceLanguage, String)> {
    inputs
        .iter()
        .filter_map(|i| match i.role {
            FileRole::Source(language) => Some((language, i.text.to_string())),
            _ => None,
        })
        .collect()
}

fn measure_index(root: &Path, bin: &Path) -> IndexResult {
    let inputs = load_inputs(root);
    let total_files = inputs.len();
    let sources = source_texts(&inputs);
    let source_bytes = sources.iter().map(|(_, t)| t.len()).sum();
    // One warm-up round each (thread-local parsers, compiled queries, rayon
    // pool), then alternate runs and keep medians.
    dols::index::extract::warm_up();
    raw_parse(&sources);
    let _ = Workspace::build(inputs.clone());
    let (mut raw, mut summaries, mut build, mut rules) = (vec![], vec![], vec![], vec![]);
    let mut syntax_only = vec![];
    for _ in 0..INDEX_ROUNDS {
        let started = Instant::now();
        std::hint::black_box(raw_parse(&sources));
        raw.push(ms(started.elapsed()));

        let started = Instant::now();
        let n: usize = sources
            .par_iter()
            .map(|(language, text)| dols::index::summarize(text, *language).classes.len())
            .sum();
        std::hint::black_box(n);
        summaries.push(ms(started.elapsed()));

        let started = Instant::now();
        let n: usize = sources
            .par_iter()
            .map(|(language, text)| {
                dols::index::summarize_with(text, *language, false)
                    .classes
                    .len()
            })
            .sum();
        std::hint::black_box(n);
        syntax_only.push(ms(started.elapsed()));

        let input = inputs.clone();
        let started = Instant::now();
        let ws = Workspace::build(input);
        build.push(ms(started.elapsed()));
        let started = Instant::now();
        let diagnostics = dols::rules::run(&ws, &dols::rules::RuleSettings::default());
        rules.push(ms(started.elapsed()));
        std::hint::black_box(diagnostics.len());
    }
    // The whole CLI, as a process: discovery, reading, model, rules, JSON.
    let mut process = vec![];
    let mut check_timing = String::new();
    for _ in 0..5 {
        let started = Instant::now();
        let out = Command::new(bin)
            .args(["check", "--format", "json"])
            .arg(root)
            .env("DOLS_TIMING", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .expect("run dols check");
        process.push(ms(started.elapsed()));
        check_timing = String::from_utf8_lossy(&out.stderr)
            .lines()
            .find(|l| l.starts_with("dols timing"))
            .unwrap_or("")
            .to_string();
    }
    IndexResult {
        source_files: sources.len(),
        source_bytes,
        total_files,
        raw_ms: median(raw.clone()),
        summaries_ms: median(summaries.clone()),
        syntax_only_ms: median(syntax_only),
        build_ratios: raw.iter().zip(&build).map(|(r, b)| r / b).collect(),
        summary_ratios: raw.iter().zip(&summaries).map(|(r, s)| r / s).collect(),
        build_ms: median(build),
        rules_ms: median(rules),
        check_process_ms: median(process),
        check_timing,
    }
}

/// One 5,000-line file on this thread: bare parse vs `summarize` (median of 5).
fn measure_big_file() -> (f64, f64) {
    let (text, _, _) = big_file("COUNTER");
    let sources = vec![(SourceLanguage::TypeScript, text)];
    let (mut raw, mut summary) = (vec![], vec![]);
    for _ in 0..6 {
        let started = Instant::now();
        std::hint::black_box(raw_parse(&sources));
        raw.push(ms(started.elapsed()));
        let started = Instant::now();
        std::hint::black_box(dols::index::summarize(
            &sources[0].1,
            SourceLanguage::TypeScript,
        ));
        summary.push(ms(started.elapsed()));
    }
    (median(raw), median(summary))
}

/// With the 5,000-line module in place: the rebuild after a one-letter edit
/// (`Workspace::build_reusing`, the open document's summary supplied as
/// the server does) and then each rule alone, median of 9.
fn profile_rules(name: &str, root: &Path, big: &Path, binding: &str) {
    let (text, _, _) = big_file(binding);
    std::fs::write(big, &text).unwrap();
    let inputs = load_inputs(root);
    let first = Workspace::build(inputs.clone());
    // As in the server, the previous snapshot's rules ran (memoised
    // export sets are carried over when an edit leaves them valid).
    std::hint::black_box(dols::rules::run(
        &first,
        &dols::rules::RuleSettings::default(),
    ));
    let edited: std::sync::Arc<str> = text.replacen("MISSING_A", "MISSING_B", 1).into();
    let summary = std::sync::Arc::new(dols::index::summarize(&edited, SourceLanguage::TypeScript));
    let mut edited_inputs = inputs.clone();
    for input in &mut edited_inputs {
        if input.path == big {
            input.text = edited.clone();
        }
    }
    let mut rebuild = Vec::new();
    let mut ws = None;
    for _ in 0..9 {
        let inputs = edited_inputs.clone();
        let started = Instant::now();
        let ready = |path: &Path, text: &std::sync::Arc<str>| {
            if path == big && **text == *edited {
                return Some(summary.clone());
            }
            first.unchanged_summary(path, text)
        };
        ws = Some(Workspace::build_with(&inputs, &ready, Some(&first)));
        rebuild.push(ms(started.elapsed()));
    }
    let ws = ws.unwrap();
    let mut rows = Vec::new();
    // The snapshot-wide stub search on a fresh snapshot (nothing memoised
    // yet), as after each keystroke.
    let mut cold_stubs = Vec::new();
    for _ in 0..9 {
        let ready = |path: &Path, text: &std::sync::Arc<str>| {
            if path == big && **text == *edited {
                return Some(summary.clone());
            }
            first.unchanged_summary(path, text)
        };
        let fresh = Workspace::build_with(&edited_inputs, &ready, Some(&first));
        let started = Instant::now();
        std::hint::black_box(
            dols::rules::stubs::stub_calls(&dols::rules::RuleCtx::everything(&fresh)).len(),
        );
        cold_stubs.push(ms(started.elapsed()));
    }
    rows.push((
        median(cold_stubs),
        "(helper, fresh snapshot) stubs::stub_calls",
    ));
    let started = Instant::now();
    std::hint::black_box(dols::rules::run(&ws, &dols::rules::RuleSettings::default()));
    let all = ms(started.elapsed());
    let started = Instant::now();
    std::hint::black_box(dols::rules::run(&ws, &dols::rules::RuleSettings::default()));
    let again = ms(started.elapsed());
    for rule in dols::rules::ALL {
        let overrides = dols::rules::ALL
            .iter()
            .filter(|r| r.id != rule.id)
            .map(|r| (r.id.to_string(), None))
            .collect();
        let settings = dols::rules::RuleSettings { overrides };
        let mut times = Vec::new();
        for _ in 0..9 {
            let started = Instant::now();
            std::hint::black_box(dols::rules::run(&ws, &settings));
            times.push(ms(started.elapsed()));
        }
        rows.push((median(times), rule.id));
    }
    // `rules::run` itself with every rule off: suppressions, sorting.
    let all_off = dols::rules::RuleSettings {
        overrides: dols::rules::ALL
            .iter()
            .map(|r| (r.id.to_string(), None))
            .collect(),
    };
    let mut times = Vec::new();
    for _ in 0..9 {
        let started = Instant::now();
        std::hint::black_box(dols::rules::run(&ws, &all_off));
        times.push(ms(started.elapsed()));
    }
    rows.push((median(times), "(no rule: rules::run itself)"));
    // Shared helpers several rules call.
    let mut helper = |label: &'static str, f: &dyn Fn() -> usize| {
        let mut times = Vec::new();
        for _ in 0..9 {
            let started = Instant::now();
            std::hint::black_box(f());
            times.push(ms(started.elapsed()));
        }
        rows.push((median(times), label));
    };
    helper("(helper) stubs::stub_calls", &|| {
        dols::rules::stubs::stub_calls(&dols::rules::RuleCtx::everything(&ws)).len()
    });
    helper("(helper) support::durable_object_classes", &|| {
        dols::rules::support::durable_object_classes(&dols::rules::RuleCtx::everything(&ws)).len()
    });
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "{name}: rebuild after one edit {} (median of 9); all rules once {} (again, with the snapshot's memos: {})",
        fmt_ms(median(rebuild)),
        fmt_ms(all),
        fmt_ms(again)
    );
    for (time, id) in rows.iter().take(18) {
        println!("  {id}: {}", fmt_ms(*time));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// -------------------------------------------------------------- LSP client

/// A `dols lsp` session, through the JSON-RPC client the tests share
/// (`tests/lsp-client/`). What the server sends besides responses piles up
/// in `notifications`; the sessions clear it between samples.
type Lsp = Process;

/// Spawns `bin lsp --stdio`, its stderr appended to `log` (or dropped).
/// Every request from the server is accepted with `null`, and each wait
/// gives up after 60 s.
fn spawn(bin: &Path, log: Option<&Path>) -> Lsp {
    let stderr = match log {
        Some(path) => std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_or_else(|_| Stdio::null(), Stdio::from),
        None => Stdio::null(),
    };
    let mut command = Command::new(bin);
    command.args(["lsp", "--stdio"]).stderr(stderr);
    let mut lsp = Process::spawn(command).expect("spawn dols lsp");
    lsp.answer_others(Answer::Result(Value::Null));
    lsp.timeout = Duration::from_secs(60);
    lsp
}

/// Peak resident set size of the server, KiB (VmHWM).
fn peak_rss_kib(lsp: &Lsp) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", lsp.id())).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// (line, UTF-16 column) of the first occurrence of `needle`, plus `shift`.
fn position_of(text: &str, needle: &str, shift: usize) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, column + shift)
}

fn pos(line: usize, character: usize) -> Value {
    json!({"line": line, "character": character})
}

fn labels(response: &Value) -> Vec<String> {
    let result = &response["result"];
    let items = result
        .as_array()
        .or_else(|| result["items"].as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|i| i["label"].as_str().map(str::to_string))
        .collect()
}

/// Where to complete: after the `.` that follows `needle[..dot]`.
struct CompletionSite {
    file: PathBuf,
    needle: &'static str,
    /// Offset of the `.` inside `needle`.
    dot: usize,
    expect: Vec<String>,
}

struct HoverSite {
    file: PathBuf,
    needle: &'static str,
    shift: usize,
}

struct Project {
    name: &'static str,
    root: PathBuf,
    env: CompletionSite,
    storage: CompletionSite,
    hover: HoverSite,
    /// The binding the big file's handlers use.
    big_binding: String,
    /// The big file lives here (not on disk: an unsaved editor buffer).
    big_file: PathBuf,
}

#[derive(Default)]
struct SessionResult {
    start_to_completion_ms: f64,
    init_to_completion_ms: f64,
    completion_env: Vec<f64>,
    completion_storage: Vec<f64>,
    completion_cached: Vec<f64>,
    completion_env_back_to_back: Vec<f64>,
    hover: Vec<f64>,
    /// The editor requests that show Durable Object wiring and structure.
    code_lens: Vec<f64>,
    document_symbols: Vec<f64>,
    inlay_hints: Vec<f64>,
    signature_help: Vec<f64>,
    document_links: Vec<f64>,
    folding_ranges: Vec<f64>,
    rss_kib: u64,
    big_open_ms: f64,
    diagnostics: Vec<f64>,
    diagnostics_with_error: Vec<f64>,
    stale_diagnostics: usize,
    /// Pull diagnostics (VS Code's model): keystroke → the document's
    /// `textDocument/diagnostic` answer, and the workspace pull with
    /// current result ids that VS Code repeats every 2 s.
    pull_keystroke: Vec<f64>,
    stale_pulls: usize,
    workspace_pull_idle: Vec<f64>,
    /// Files the first workspace pull reported.
    workspace_pull_files: usize,
    rss_after_big_kib: u64,
}

struct OpenDoc {
    uri: String,
    version: i64,
}

impl OpenDoc {
    fn open(lsp: &mut Lsp, path: &Path, text: &str) -> OpenDoc {
        let uri = uri(path);
        lsp.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}}),
        );
        OpenDoc { uri, version: 1 }
    }

    fn edit(&mut self, lsp: &mut Lsp, line: usize, from: usize, to: usize, text: &str) -> i64 {
        self.version += 1;
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": self.uri, "version": self.version},
                   "contentChanges": [{"range": {"start": pos(line, from), "end": pos(line, to)}, "text": text}]}),
        );
        self.version
    }
}

/// Lets the server finish the background diagnostics run an edit started
/// (rebuild plus rules: tens of milliseconds), reading what it sends.
/// One latency series of a [`SessionResult`].
type Field = fn(&SessionResult) -> &Vec<f64>;

/// `iterations` timings of one request, each answer checked by `ok`.
fn timed(
    lsp: &mut Lsp,
    iterations: usize,
    method: &str,
    params: Value,
    ok: impl Fn(&Value) -> bool,
) -> Vec<f64> {
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let started = Instant::now();
        let response = lsp.request(method, params.clone());
        times.push(ms(started.elapsed()));
        assert!(ok(&response), "{method}: unexpected answer {response}");
        lsp.notifications.clear();
    }
    times
}

fn settle(lsp: &mut Lsp) {
    read_for(lsp, Duration::from_millis(300));
}

/// Reads (and drops) what the server sends for `pause`, as a client does
/// between two keystrokes.
fn read_for(lsp: &mut Lsp, pause: Duration) {
    lsp.read_for(pause);
    lsp.notifications.clear();
}

/// A TypeScript module of about `bytes` bytes of short lines (nothing
/// minified), and its line count.
fn large_module(bytes: usize) -> (String, usize) {
    let mut text = String::with_capacity(bytes + 64);
    let mut lines = 0;
    while text.len() < bytes {
        use std::fmt::Write as _;
        let _ = writeln!(text, "export const value{lines} = \"entry {lines}\";");
        lines += 1;
    }
    (text, lines)
}

/// Typing in large open buffers: each keystroke replaces the first letter
/// of a name in the middle line, and a hover there follows at once; the
/// latency is from sending the change to the hover's answer, which waits
/// for the snapshot that includes the change. One server per size.
fn large_buffers(bin: &Path, demo: &Path, o: &Options) {
    println!(
        "| Open buffer | Keystroke → answer from the new snapshot p50 / p99 ({} keystrokes, {} ms apart) | `didOpen` → first answer |",
        o.diag_iterations,
        o.typing_gap.as_millis()
    );
    println!("|---|---|---|");
    for (label, bytes) in [
        ("1.5 MB, indexed", 1_500_000),
        ("10 MB, over the size cap", 10_000_000),
    ] {
        let (text, lines) = large_module(bytes);
        let path = demo.join("src/large.ts");
        let mut lsp = spawn(bin, o.server_log.as_deref());
        let init = lsp.request(
            "initialize",
            json!({"processId": std::process::id(), "rootUri": uri(demo),
                   "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}),
        );
        assert!(init.get("error").is_none(), "{init}");
        lsp.notify("initialized", json!({}));
        let line = lines / 2;
        let probe = pos(line, "export const v".len());
        let opened = Instant::now();
        let mut doc = OpenDoc::open(&mut lsp, &path, &text);
        lsp.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": probe}),
        );
        let open_ms = ms(opened.elapsed());
        settle(&mut lsp);
        let mut samples = Vec::with_capacity(o.diag_iterations);
        let column = "export const ".len();
        for i in 0..o.diag_iterations {
            let letter = ((b'a' + (i % 26) as u8) as char).to_string();
            let started = Instant::now();
            doc.edit(&mut lsp, line, column, column + 1, &letter);
            lsp.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": doc.uri}, "position": probe}),
            );
            samples.push(ms(started.elapsed()));
            read_for(&mut lsp, o.typing_gap);
        }
        lsp.shutdown();
        println!(
            "| {label} ({} bytes) | {} | {} |",
            text.len(),
            p50_p99(&samples),
            fmt_ms(open_ms)
        );
    }
}

/// Completion with the trigger character retyped before each request: the
/// `.` is deleted and typed again, then completion is requested after it.
/// Latency is from sending the completion request to its response.
fn retyped_completions(
    lsp: &mut Lsp,
    site: &CompletionSite,
    iterations: usize,
    typing_gap: Duration,
) -> Vec<f64> {
    let text = std::fs::read_to_string(&site.file).unwrap();
    let (line, dot) = position_of(&text, site.needle, site.dot);
    let mut doc = OpenDoc::open(lsp, &site.file, &text);
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        // Each keystroke starts an analysis. At a typist's pace it is done
        // before the next keystroke (the VM's wake-ups from idle show in the
        // tails); back to back, every completion shares the cores with the
        // analysis of the keystrokes before it, the worst case.
        doc.edit(lsp, line, dot, dot + 1, "");
        read_for(lsp, typing_gap);
        doc.edit(lsp, line, dot, dot, ".");
        let started = Instant::now();
        let response = lsp.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": doc.uri}, "position": pos(line, dot + 1),
                   "context": {"triggerKind": 2, "triggerCharacter": "."}}),
        );
        times.push(ms(started.elapsed()));
        let got = labels(&response);
        assert!(
            site.expect.iter().all(|e| got.contains(e)),
            "completion at {} missed {:?}: {response}",
            site.needle,
            site.expect
        );
        lsp.notifications.clear();
        read_for(lsp, typing_gap);
    }
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    times
}

/// `--runs N` fresh sessions on one project: latency samples pooled (so
/// the p99 rests on N times more samples), the first completion and the
/// time to first diagnostics as medians, RSS as the highest. The runs are
/// returned too, for the spread of their p99s.
fn sessions(bin: &Path, project: &Project, o: &Options) -> (SessionResult, Vec<SessionResult>) {
    let runs: Vec<SessionResult> = (0..o.runs).map(|_| session(bin, project, o)).collect();
    let pool = |field: fn(&SessionResult) -> &Vec<f64>| -> Vec<f64> {
        runs.iter().flat_map(|r| field(r).iter().copied()).collect()
    };
    let middle = |field: fn(&SessionResult) -> f64| median(runs.iter().map(field).collect());
    let pooled = SessionResult {
        start_to_completion_ms: middle(|r| r.start_to_completion_ms),
        init_to_completion_ms: middle(|r| r.init_to_completion_ms),
        completion_env: pool(|r| &r.completion_env),
        completion_storage: pool(|r| &r.completion_storage),
        completion_cached: pool(|r| &r.completion_cached),
        completion_env_back_to_back: pool(|r| &r.completion_env_back_to_back),
        hover: pool(|r| &r.hover),
        code_lens: pool(|r| &r.code_lens),
        document_symbols: pool(|r| &r.document_symbols),
        inlay_hints: pool(|r| &r.inlay_hints),
        signature_help: pool(|r| &r.signature_help),
        document_links: pool(|r| &r.document_links),
        folding_ranges: pool(|r| &r.folding_ranges),
        rss_kib: runs.iter().map(|r| r.rss_kib).max().unwrap_or(0),
        big_open_ms: middle(|r| r.big_open_ms),
        diagnostics: pool(|r| &r.diagnostics),
        diagnostics_with_error: pool(|r| &r.diagnostics_with_error),
        stale_diagnostics: runs.iter().map(|r| r.stale_diagnostics).sum(),
        pull_keystroke: pool(|r| &r.pull_keystroke),
        stale_pulls: runs.iter().map(|r| r.stale_pulls).sum(),
        workspace_pull_idle: pool(|r| &r.workspace_pull_idle),
        workspace_pull_files: runs
            .iter()
            .map(|r| r.workspace_pull_files)
            .max()
            .unwrap_or(0),
        rss_after_big_kib: runs.iter().map(|r| r.rss_after_big_kib).max().unwrap_or(0),
    };
    (pooled, runs)
}

fn session(bin: &Path, project: &Project, o: &Options) -> SessionResult {
    let mut r = SessionResult::default();
    let spawned = Instant::now();
    let mut lsp = spawn(bin, o.server_log.as_deref());
    let init_sent = Instant::now();
    let init = lsp.request(
        "initialize",
        json!({"processId": std::process::id(), "rootUri": uri(&project.root),
               "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                                "textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}}}),
    );
    assert!(init.get("error").is_none(), "{init}");
    lsp.notify("initialized", json!({}));

    // Cold start to the first completion that lists a known binding.
    let site = &project.env;
    let text = std::fs::read_to_string(&site.file).unwrap();
    let (line, dot) = position_of(&text, site.needle, site.dot);
    let doc = OpenDoc::open(&mut lsp, &site.file, &text);
    loop {
        let response = lsp.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": doc.uri}, "position": pos(line, dot + 1)}),
        );
        let got = labels(&response);
        if site.expect.iter().all(|e| got.contains(e)) {
            r.start_to_completion_ms = ms(spawned.elapsed());
            r.init_to_completion_ms = ms(init_sent.elapsed());
            break;
        }
        assert!(
            spawned.elapsed() < Duration::from_secs(60),
            "no correct completion within 60 s: {response}"
        );
    }
    // Steady state: same request, no edit in between (cached snapshot).
    for _ in 0..o.iterations {
        let started = Instant::now();
        lsp.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": doc.uri}, "position": pos(line, dot + 1)}),
        );
        r.completion_cached.push(ms(started.elapsed()));
    }
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    lsp.notifications.clear();

    r.completion_env = retyped_completions(&mut lsp, &project.env, o.iterations, o.typing_gap);
    r.completion_storage =
        retyped_completions(&mut lsp, &project.storage, o.iterations, o.typing_gap);
    r.completion_env_back_to_back =
        retyped_completions(&mut lsp, &project.env, o.iterations, Duration::ZERO);

    // Hover on a DO API member (no edit in between: a user hovering).
    let hover = &project.hover;
    let text = std::fs::read_to_string(&hover.file).unwrap();
    let (line, character) = position_of(&text, hover.needle, hover.shift);
    let doc = OpenDoc::open(&mut lsp, &hover.file, &text);
    // Opening the file is an edit: the first request re-analyses. Hovering
    // happens later, on a settled snapshot: the diagnostics the server then
    // computes in the background are done too.
    lsp.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": doc.uri}, "position": pos(line, character)}),
    );
    settle(&mut lsp);
    for _ in 0..o.iterations {
        let started = Instant::now();
        let response = lsp.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": doc.uri}, "position": pos(line, character)}),
        );
        r.hover.push(ms(started.elapsed()));
        assert!(
            response["result"]["contents"]["value"]
                .as_str()
                .is_some_and(|v| !v.is_empty()),
            "hover on {} is empty: {response}",
            hover.needle
        );
        lsp.notifications.clear();
    }
    // Whole-document requests on the class file, the route file and the
    // Worker's config, on the settled snapshot.
    let whole = json!({"start": pos(0, 0), "end": pos(100_000, 0)});
    let non_empty = |v: &Value| v["result"].as_array().is_some_and(|a| !a.is_empty());
    r.code_lens = timed(
        &mut lsp,
        o.iterations,
        "textDocument/codeLens",
        json!({"textDocument": {"uri": doc.uri}}),
        non_empty,
    );
    r.document_symbols = timed(
        &mut lsp,
        o.iterations,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": doc.uri}}),
        non_empty,
    );
    lsp.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": doc.uri}}),
    );
    let env_text = std::fs::read_to_string(&project.env.file).unwrap();
    let env_uri = uri(&project.env.file);
    r.inlay_hints = timed(
        &mut lsp,
        o.iterations,
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": env_uri}, "range": whole}),
        non_empty,
    );
    let (line, character) = position_of(&env_text, "getByName(", "getByName(".len());
    r.signature_help = timed(
        &mut lsp,
        o.iterations,
        "textDocument/signatureHelp",
        json!({"textDocument": {"uri": env_uri}, "position": pos(line, character)}),
        |v: &Value| {
            v["result"]["signatures"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        },
    );
    let worker_dir = project
        .env
        .file
        .parent()
        .and_then(|p| {
            p.ancestors().find(|d| {
                ["wrangler.toml", "wrangler.json", "wrangler.jsonc"]
                    .iter()
                    .any(|n| d.join(n).is_file())
            })
        })
        .expect("the route's Worker folder");
    let config = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"]
        .iter()
        .map(|n| worker_dir.join(n))
        .find(|p| p.is_file())
        .unwrap();
    r.document_links = timed(
        &mut lsp,
        o.iterations,
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri(&config)}}),
        non_empty,
    );
    r.folding_ranges = timed(
        &mut lsp,
        o.iterations,
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri(&config)}}),
        non_empty,
    );
    r.rss_kib = peak_rss_kib(&lsp).unwrap_or(0);

    // Keystroke → fresh diagnostics in a 5,000-line file.
    let (text, probe_line, probe_col) = big_file(&project.big_binding);
    let big_uri = uri(&project.big_file);
    let is_big = |version: i64| {
        let big_uri = big_uri.clone();
        move |n: &Value| {
            n["method"] == "textDocument/publishDiagnostics"
                && n["params"]["uri"] == big_uri.as_str()
                && n["params"]["version"] == json!(version)
        }
    };
    lsp.notifications.clear();
    let started = Instant::now();
    let mut doc = OpenDoc::open(&mut lsp, &project.big_file, &text);
    lsp.wait_for(is_big(1));
    r.big_open_ms = ms(started.elapsed());
    let type_letter = |lsp: &mut Lsp, doc: &mut OpenDoc, i: usize| -> (f64, bool) {
        let letter = (b'A' + (i % 26) as u8) as char;
        lsp.notifications.clear();
        let started = Instant::now();
        let version = doc.edit(
            lsp,
            probe_line,
            probe_col,
            probe_col + 1,
            &letter.to_string(),
        );
        let published = lsp.wait_for(is_big(version));
        let elapsed = ms(started.elapsed());
        let fresh = published["params"]["diagnostics"]
            .as_array()
            .is_some_and(|ds| {
                ds.iter().any(|d| {
                    d["message"]
                        .as_str()
                        .is_some_and(|m| m.contains(&format!("MISSING_{letter}")))
                })
            });
        (elapsed, fresh)
    };
    for i in 1..=o.diag_iterations {
        let (elapsed, fresh) = type_letter(&mut lsp, &mut doc, i);
        r.diagnostics.push(elapsed);
        if !fresh {
            r.stale_diagnostics += 1;
        }
    }
    // The same keystrokes while the file has a syntax error further down (a
    // call being typed): the open document is then parsed from scratch.
    doc.edit(
        &mut lsp,
        probe_line + 1,
        0,
        0,
        "  const pending = probe.fetch(\n",
    );
    for i in 1..=o.diag_iterations / 4 {
        let (elapsed, fresh) = type_letter(&mut lsp, &mut doc, i);
        r.diagnostics_with_error.push(elapsed);
        if !fresh {
            r.stale_diagnostics += 1;
        }
    }
    // Pull diagnostics, last: a pulled document is no longer pushed, and
    // after a workspace pull nothing is. The syntax error goes first.
    doc.version += 1;
    lsp.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": doc.uri, "version": doc.version},
               "contentChanges": [{"range": {"start": pos(probe_line + 1, 0), "end": pos(probe_line + 2, 0)}, "text": ""}]}),
    );
    let mut previous: Option<String> = None;
    for i in 1..=o.diag_iterations / 4 {
        let letter = (b'A' + (i % 26) as u8) as char;
        lsp.notifications.clear();
        let started = Instant::now();
        doc.edit(
            &mut lsp,
            probe_line,
            probe_col,
            probe_col + 1,
            &letter.to_string(),
        );
        let response = lsp.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": doc.uri}, "previousResultId": previous}),
        );
        r.pull_keystroke.push(ms(started.elapsed()));
        let report = &response["result"];
        assert_eq!(report["kind"], "full", "{response}");
        previous = report["resultId"].as_str().map(String::from);
        let fresh = report["items"].as_array().is_some_and(|ds| {
            ds.iter().any(|d| {
                d["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&format!("MISSING_{letter}")))
            })
        });
        if !fresh {
            r.stale_pulls += 1;
        }
    }
    let first = lsp.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let items = first["result"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    r.workspace_pull_files = items.len();
    let held: Vec<Value> = items
        .iter()
        .map(|item| json!({"uri": item["uri"], "value": item["resultId"]}))
        .collect();
    r.workspace_pull_idle = timed(
        &mut lsp,
        o.iterations,
        "workspace/diagnostic",
        json!({"previousResultIds": held}),
        |v: &Value| {
            v["result"]["items"]
                .as_array()
                .is_some_and(|a| a.iter().all(|item| item["kind"] == "unchanged"))
        },
    );
    r.rss_after_big_kib = peak_rss_kib(&lsp).unwrap_or(0);
    lsp.shutdown();
    eprintln!(
        "dols-bench: {} session: cold start {}, completions {}, hover {}, diagnostics {}",
        project.name,
        fmt_ms(r.start_to_completion_ms),
        fmt_ms(
            r.completion_env
                .iter()
                .chain(&r.completion_storage)
                .sum::<f64>()
        ),
        fmt_ms(r.hover.iter().sum::<f64>()),
        fmt_ms(r.diagnostics.iter().sum::<f64>())
    );
    r
}

// ----------------------------------------------------------------- report

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn p50_p99(v: &[f64]) -> String {
    format!(
        "p50 {} / p99 {}",
        fmt_ms(percentile(v, 50.0)),
        fmt_ms(percentile(v, 99.0))
    )
}

fn fmt_ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn met(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "**no**"
    }
}

fn mib(kib: u64) -> String {
    format!(
        "{:.1} MiB ({:.1} MB)",
        kib as f64 / 1024.0,
        kib as f64 * 1.024 / 1000.0
    )
}

/// Rounds of the cold `dols check` / `oxlint` comparison.
const CHECK_ROUNDS: usize = 5;

/// Wall and CPU seconds (user + system) of one command, run to the end.
fn timed_run(command: &mut Command) -> (f64, f64) {
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let wall = started.elapsed().as_secs_f64();
    // Both exit non-zero when they report findings; only a crash matters.
    assert!(status.code().is_some(), "{command:?} was killed: {status}");
    (wall, children_cpu_seconds() - cpu_before)
}

/// CPU seconds used by the children waited for so far.
fn children_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name: cutime and cstime are the 14th and
    // 15th (1-based, counting from the state), in clock ticks.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(13) + ticks(14)) / 100.0
}

/// Cold `dols check` against `oxlint`'s default run on the same files,
/// alternated round by round so both see the same machine state; also the
/// in-process bare parse, as the floor any tree-sitter checker stands on.
fn vs_oxlint(ws: &Path, bin: &Path, large_name: &str) {
    let oxlint_version = Command::new("oxlint")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| {
            eprintln!("dols-bench: `oxlint` is not on PATH (npm install -g oxlint)");
            std::process::exit(2)
        });
    let mut dols = Vec::new();
    let mut oxlint = Vec::new();
    for _ in 0..CHECK_ROUNDS {
        dols.push(timed_run(Command::new(bin).arg("check").arg(ws)));
        oxlint.push(timed_run(Command::new("oxlint").arg(ws)));
    }
    let sources = source_texts(&load_inputs(ws));
    let parse_walls: Vec<f64> = (0..CHECK_ROUNDS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(raw_parse(&sources));
            started.elapsed().as_secs_f64()
        })
        .collect();
    let wall = |v: &[(f64, f64)]| median(v.iter().map(|r| r.0).collect());
    let cpu = |v: &[(f64, f64)]| median(v.iter().map(|r| r.1).collect());
    println!(
        "Cold check of the generated workspace ({large_name}, {} sources), median of {CHECK_ROUNDS} alternated rounds; oxlint {oxlint_version}, default rules.\n",
        sources.len()
    );
    println!("| run | wall | CPU (user + system) |");
    println!("|---|---|---|");
    println!(
        "| `dols check` | {:.2} s | {:.2} s |",
        wall(&dols),
        cpu(&dols)
    );
    println!(
        "| `oxlint` | {:.2} s | {:.2} s |",
        wall(&oxlint),
        cpu(&oxlint)
    );
    println!(
        "| bare tree-sitter parse of the same sources (in process, {} threads) | {:.2} s | — |",
        rayon::current_num_threads(),
        median(parse_walls.clone())
    );
    println!(
        "\n`dols check` / `oxlint`: {:.1}x wall, {:.1}x CPU; `dols check` / bare parse: {:.1}x wall.",
        wall(&dols) / wall(&oxlint),
        cpu(&dols) / cpu(&oxlint).max(1e-9),
        wall(&dols) / median(parse_walls)
    );
}

fn main() {
    let started = Instant::now();
    let o = options();
    let bin = o.server.clone().unwrap_or_else(dols_binary);
    let tmp = std::env::temp_dir().join(format!("dols-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let ws = tmp.join("ws");
    eprintln!(
        "dols-bench: generating {} files in {}",
        o.files,
        ws.display()
    );
    generate_workspace(&ws, o.files, o.workers);
    let demo = tmp.join("demo");
    copy_dir(&repo_root().join("docs/demo"), &demo);
    // The rules look at files reachable from `main`: import the (unsaved)
    // 5,000-line module of the edit session from each main.
    for main in [demo.join("src/index.ts"), ws.join("worker-0/src/index.ts")] {
        let text = std::fs::read_to_string(&main).unwrap();
        std::fs::write(&main, format!("import \"./big\";\n{text}")).unwrap();
    }
    let threads = rayon::current_num_threads();
    // The generated workspace's label in every table.
    let large_name: &'static str =
        Box::leak(format!("{} files", thousands(o.files)).into_boxed_str());

    if o.profile_rules {
        for (name, root, main) in [
            ("small", &demo, demo.join("src/big.ts")),
            (large_name, &ws, ws.join("worker-0/src/big.ts")),
        ] {
            profile_rules(
                name,
                root,
                &main,
                if name == "small" { "COUNTER" } else { "DO_0_0" },
            );
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return;
    }
    if o.large_buffers {
        large_buffers(&bin, &demo, &o);
        let _ = std::fs::remove_dir_all(&tmp);
        return;
    }
    if o.vs_oxlint {
        vs_oxlint(&ws, &bin, large_name);
        let _ = std::fs::remove_dir_all(&tmp);
        return;
    }
    if o.index_only {
        let index = measure_index(&ws, &bin);
        let (low, high) = spread(&index.build_ratios);
        println!(
            "{} source files, {} bytes, {threads} threads, median of {INDEX_ROUNDS}: raw parse {}, \
             summaries without the semantic model {}, summaries {}, `Workspace::build` {} \
             ({:.0}% of raw parse, range {:.0}–{:.0}%), rules {}",
            index.source_files,
            index.source_bytes,
            fmt_ms(index.raw_ms),
            fmt_ms(index.syntax_only_ms),
            fmt_ms(index.summaries_ms),
            fmt_ms(index.build_ms),
            100.0 * median(index.build_ratios.clone()),
            100.0 * low,
            100.0 * high,
            fmt_ms(index.rules_ms),
        );
        let _ = std::fs::remove_dir_all(&tmp);
        return;
    }
    let measured = (!o.sessions_only).then(|| {
        eprintln!("dols-bench: index vs raw parse");
        let index = measure_index(&ws, &bin);
        let small_index = measure_index(&demo, &bin);
        (index, small_index, measure_big_file())
    });

    let small = Project {
        name: "small (docs/demo)",
        root: demo.clone(),
        env: CompletionSite {
            file: demo.join("src/index.ts"),
            needle: "env.COUNTER.getByName(url",
            dot: 3,
            expect: vec!["COUNTER".into(), "CHAT_ROOM".into()],
        },
        storage: CompletionSite {
            file: demo.join("src/counter.ts"),
            needle: "this.ctx.storage.sql",
            dot: 16,
            expect: vec!["sql".into(), "get".into(), "put".into()],
        },
        hover: HoverSite {
            file: demo.join("src/counter.ts"),
            needle: "storage.sql.exec",
            shift: "storage.sql.".len() + 1,
        },
        big_binding: "COUNTER".into(),
        big_file: demo.join("src/big.ts"),
    };
    let w0 = ws.join("worker-0");
    let large = Project {
        name: large_name,
        root: ws.clone(),
        env: CompletionSite {
            file: w0.join("src/routes/route0.ts"),
            needle: "env.DO_0_0.getByName",
            dot: 3,
            expect: vec!["DO_0_0".into(), "CACHE_0".into()],
        },
        storage: CompletionSite {
            file: w0.join("src/objects/Room0x0.ts"),
            needle: "this.ctx.storage.put",
            dot: 16,
            expect: vec!["sql".into(), "get".into(), "put".into()],
        },
        hover: HoverSite {
            file: w0.join("src/objects/Room0x0.ts"),
            needle: "this.ctx.storage.put",
            shift: "this.ctx.storage.".len() + 1,
        },
        big_binding: "DO_0_0".into(),
        big_file: w0.join("src/big.ts"),
    };
    eprintln!("dols-bench: index done at {:?}", started.elapsed());
    eprintln!("dols-bench: LSP session on the small project");
    let (s, s_runs) = sessions(&bin, &small, &o);
    eprintln!("dols-bench: LSP session on the generated workspace ({large_name})");
    let (l, l_runs) = sessions(&bin, &large, &o);

    let p99 = |v: &[f64]| percentile(v, 99.0);

    println!("# dols benchmark\n");
    println!(
        "Machine: {} rayon threads, `{}`; {} iterations per latency (diagnostics: {}), \
         {} session(s) per project, samples pooled. \
         Ratios from one run; absolute numbers depend on the machine.\n",
        threads,
        bin.display(),
        o.iterations,
        o.diag_iterations,
        o.runs
    );
    if let Some((index, small_index, _)) = &measured {
        println!(
            "Generated workspace: {} files ({} TS sources, {:.1} MiB of source) in {} Workers. \
             Small project: docs/demo ({} files).\n",
            index.total_files,
            index.source_files,
            index.source_bytes as f64 / 1048576.0,
            o.workers,
            small_index.total_files
        );
    }
    println!("| Metric | Project | dols (measured) | Target | Met | typescript-language-server (issue) |");
    println!("|---|---|---|---|---|---|");
    if let Some((index, _, _)) = &measured {
        let ratio = median(index.build_ratios.clone());
        let (low, high) = spread(&index.build_ratios);
        println!(
            "| Cold index throughput vs raw tree-sitter parse (median of {INDEX_ROUNDS} paired rounds, range {:.0}–{:.0}%; medians `Workspace::build` {} vs parse {}) | {large_name} | {:.0}% | ≥ 70% | {} | — |",
            low * 100.0,
            high * 100.0,
            fmt_ms(index.build_ms),
            fmt_ms(index.raw_ms),
            ratio * 100.0,
            met(ratio >= 0.70)
        );
    }
    println!(
        "| First correct completion after `initialize` (after spawn) | small | {} ({}) | ≤ 250 ms | {} | 2.3–2.6 s |",
        fmt_ms(s.init_to_completion_ms),
        fmt_ms(s.start_to_completion_ms),
        met(s.init_to_completion_ms <= 250.0)
    );
    println!(
        "| First correct completion after `initialize` (after spawn) | {large_name} | {} ({}) | — | — | — |",
        fmt_ms(l.init_to_completion_ms),
        fmt_ms(l.start_to_completion_ms)
    );
    for (name, r, runs) in [("small", &s, &s_runs), (large_name, &l, &l_runs)] {
        // With several runs, each run's own p99 shows how much the tail moves.
        let latency = |field: fn(&SessionResult) -> &Vec<f64>| -> String {
            let pooled = p50_p99(field(r));
            if runs.len() < 2 {
                return pooled;
            }
            let each: Vec<f64> = runs.iter().map(|run| p99(field(run))).collect();
            let (low, high) = spread(&each);
            format!("{pooled} (p99 per run {}–{})", fmt_ms(low), fmt_ms(high))
        };
        println!(
            "| Completion after retyped `env.` | {name} | {} | p99 ≤ 2 ms | {} | `c.env.` p99 54.5 ms |",
            latency(|r| &r.completion_env),
            met(p99(&r.completion_env) <= 2.0)
        );
        println!(
            "| Completion after retyped `this.ctx.storage.` | {name} | {} | p99 ≤ 2 ms | {} | p99 21.5 ms |",
            latency(|r| &r.completion_storage),
            met(p99(&r.completion_storage) <= 2.0)
        );
        println!(
            "| Completion after `env.`, no edit in between (cached snapshot) | {name} | {} | — | — | — |",
            latency(|r| &r.completion_cached)
        );
        println!(
            "| Completion after retyped `env.`, keystrokes back to back (no pause: each completion shares the cores with an analysis) | {name} | {} | — | — | — |",
            latency(|r| &r.completion_env_back_to_back)
        );
        println!(
            "| Hover on a DO API member | {name} | {} | p99 ≤ 2 ms | {} | — |",
            latency(|r| &r.hover),
            met(p99(&r.hover) <= 2.0)
        );
        let rows: [(&str, Field); 6] = [
            ("Code lens on a Durable Object class file", |r| &r.code_lens),
            ("Document symbols of a Durable Object class file", |r| {
                &r.document_symbols
            }),
            ("Inlay hints of a route file (whole range)", |r| {
                &r.inlay_hints
            }),
            ("Signature help in `getByName(`", |r| &r.signature_help),
            ("Document links of a Worker config", |r| &r.document_links),
            ("Folding ranges of a Worker config", |r| &r.folding_ranges),
        ];
        for (request, field) in rows {
            println!(
                "| {request} | {name} | {} | p99 ≤ 2 ms | {} | — |",
                latency(field),
                met(p99(field(r)) <= 2.0)
            );
        }
        println!(
            "| Keystroke → fresh diagnostics, 5,000-line file | {name} | {} | p99 ≤ 30 ms | {} | 368 ms |",
            latency(|r| &r.diagnostics),
            met(p99(&r.diagnostics) <= 30.0)
        );
        println!(
            "| Keystroke → fresh diagnostics, 5,000-line file with a syntax error (parsed from scratch) | {name} | {} | — | — | — |",
            latency(|r| &r.diagnostics_with_error)
        );
        println!(
            "| Keystroke → pulled diagnostics (`textDocument/diagnostic`), 5,000-line file | {name} | {} | p99 ≤ 30 ms | {} | — |",
            latency(|r| &r.pull_keystroke),
            met(p99(&r.pull_keystroke) <= 30.0)
        );
        println!(
            "| Workspace pull, nothing changed ({} files reported unchanged; clients that do not stream repeat it) | {name} | {} | p99 ≤ 2 ms | {} | — |",
            r.workspace_pull_files,
            latency(|r| &r.workspace_pull_idle),
            met(p99(&r.workspace_pull_idle) <= 2.0)
        );
    }
    println!(
        "| Peak RSS (VmHWM) | small | {} | ≤ 60 MB | {} | 507–958 MiB |",
        mib(s.rss_kib),
        met(s.rss_kib as f64 * 1024.0 <= 60e6)
    );
    println!(
        "| Peak RSS (VmHWM) | {large_name} | {} | ≤ 150 MB | {} | — |",
        mib(l.rss_kib),
        met(l.rss_kib as f64 * 1024.0 <= 150e6)
    );
    println!(
        "| Peak RSS after the 5,000-line edit session | small / {large_name} | {} / {} | — | — | — |",
        mib(s.rss_after_big_kib),
        mib(l.rss_after_big_kib)
    );

    println!("\n## Details\n");
    if let Some((index, small_index, (big_raw_ms, big_summary_ms))) = &measured {
        for (name, i) in [(large_name, index), ("small", small_index)] {
            println!(
                "- Index, {name} (median of {INDEX_ROUNDS}, {threads} threads): raw parse {}, summaries only (parse + index query) {}, \
                 `Workspace::build` {}, rules {}; `dols check --format json` process {} (`{}`).",
                fmt_ms(i.raw_ms),
                fmt_ms(i.summaries_ms),
                fmt_ms(i.build_ms),
                fmt_ms(i.rules_ms),
                fmt_ms(i.check_process_ms),
                i.check_timing
            );
        }
        println!(
            "- Summaries alone reach {:.0}% of raw parse throughput on {large_name} (median of the paired rounds).",
            median(index.summary_ratios.clone()) * 100.0
        );
        println!(
            "- The 5,000-line file alone: raw parse {}, `summarize` (parse + index query + extraction) {}.",
            fmt_ms(*big_raw_ms),
            fmt_ms(*big_summary_ms)
        );
    }
    for (name, r) in [("small", &s), (large_name, &l)] {
        println!(
            "- {name}: opening the 5,000-line file → first diagnostics {}; {} of {} edits published diagnostics \
             without the newly typed name.",
            fmt_ms(r.big_open_ms),
            r.stale_diagnostics,
            r.diagnostics.len() + r.diagnostics_with_error.len()
        );
        println!(
            "- {name}: {} of {} pulls after a keystroke answered without the newly typed name.",
            r.stale_pulls,
            r.pull_keystroke.len()
        );
    }

    if o.keep {
        eprintln!("dols-bench: kept {}", tmp.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
