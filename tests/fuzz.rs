//! Fuzzing on the stable toolchain: a small mutation engine (no nightly,
//! no extra crate) over the fixture projects, with four targets.
//!
//! - `config`: a wrangler config of a fixture project, mutated, then the
//!   whole project indexed and every rule run;
//! - `source`: the same with one of the project's modules;
//! - `frames`: the LSP frame decoder on mutated byte streams;
//! - `edits`: random edits to an open document through the analysis host;
//!   after each sequence the incremental result equals a fresh host's.
//!
//! Every target first replays its regression corpus, `tests/fuzz-corpus/
//! <target>/` (every input that ever failed, kept for good), then mutates
//! for `DOLS_FUZZ_SECONDS` seconds (default 2; `.ci/run` uses the default,
//! a long local run sets it to 600). A failure writes the input to
//! `target/fuzz-failures/` and names the file; copy it into the corpus
//! when it is fixed. A watchdog writes the input and aborts if one run
//! takes longer than 30 s, so a hang is caught as well as a panic.
//! `DOLS_FUZZ_SEED` picks the random sequence (default: the clock).

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dols::discovery::FileRole;
use dols::host::AnalysisHost;
use dols::model::{InputFile, Workspace};
use dols::text::ByteEdit;

fn repo() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap()
}

/// A small xorshift generator: reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Fragments that matter to the readers: delimiters, quotes, keywords,
/// byte order marks, NUL, CR, non-ASCII text, deep nesting.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "[[",
    "]]",
    "(",
    ")",
    "\"",
    "'",
    "`",
    "${",
    "=",
    ":",
    ",",
    ";",
    "\n",
    "\r\n",
    "\r",
    "\0",
    "\u{feff}",
    "é",
    "𝄞",
    "\\",
    "//",
    "/*",
    "*/",
    "#",
    "export ",
    "class ",
    "extends DurableObject",
    "env.",
    "this.ctx.storage.",
    ".get(",
    "await ",
    "new ",
    "=>",
    "async ",
    "import ",
    "from ",
    "default ",
    "[[migrations]]",
    "new_sqlite_classes",
    "class_name",
    "durable_objects",
    "[env.x]",
    "main = ",
    "\"main\": ",
    "true",
    "1e999",
    "((((((((((((((((",
    "))))))))))))))))",
    "{{{{{{{{{{{{{{{{",
    "Content-Length: ",
    "content-length: 5\r\n\r\n",
    "\r\n\r\n",
    "{\"jsonrpc\":\"2.0\"",
    "\"id\":1",
    "\"method\":",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            2 if !out.is_empty() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 if !out.is_empty() => {
                // Repeat a slice: long lines, deep nesting, duplicate keys.
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(64)).min(out.len());
                let piece = out[start..end].to_vec();
                for _ in 0..1 + rng.below(8) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            4 => out.insert(at, rng.next() as u8),
            _ if !out.is_empty() => {
                let end = rng.below(out.len());
                out.truncate(end);
            }
            _ => {}
        }
    }
    out
}

/// The fixture projects: every folder under `tests/fixtures/<rule>/`.
fn fixture_projects() -> Vec<PathBuf> {
    let mut projects = Vec::new();
    let root = repo().join("tests/fixtures");
    for rule in std::fs::read_dir(&root).unwrap().flatten() {
        if !rule.path().is_dir() {
            continue;
        }
        for case in std::fs::read_dir(rule.path()).unwrap().flatten() {
            if case.path().is_dir() {
                projects.push(case.path());
            }
        }
    }
    projects.sort();
    projects
}

fn load(project: &Path) -> Vec<InputFile> {
    dols::discovery::load(&[project.to_path_buf()], &[]).0
}

/// Indexes the project with `path` replaced by `bytes` (read the way the
/// discovery reads a file: refused when it is not UTF-8 or has NUL bytes),
/// and runs every rule.
fn check_with(inputs: &[InputFile], path: &Path, bytes: &[u8]) {
    let mut inputs = inputs.to_vec();
    for input in &mut inputs {
        if input.path == path {
            match std::str::from_utf8(bytes) {
                Ok(text) if !text.contains('\0') => input.text = text.into(),
                _ => {
                    input.role = FileRole::Unread(dols::discovery::UnreadReason::NotUtf8);
                    input.text = "".into();
                }
            }
        }
    }
    let ws = Workspace::build(inputs);
    let _ = dols::rules::run(&ws, &Default::default());
}

/// Runs one target: the corpus, then mutations until the time is up.
struct Fuzzer {
    name: &'static str,
    rng: Rng,
    deadline: Instant,
    runs: u64,
    current: Arc<Mutex<Vec<u8>>>,
    progress: Arc<AtomicU64>,
}

impl Fuzzer {
    fn new(name: &'static str) -> Fuzzer {
        let seconds = std::env::var("DOLS_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2u64);
        let seed = std::env::var("DOLS_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            })
            | 1;
        eprintln!("fuzz {name}: seed {seed}, {seconds} s");
        let fuzzer = Fuzzer {
            name,
            rng: Rng(seed),
            deadline: Instant::now() + Duration::from_secs(seconds),
            runs: 0,
            current: Arc::new(Mutex::new(Vec::new())),
            progress: Arc::new(AtomicU64::new(0)),
        };
        fuzzer.start_watchdog();
        fuzzer
    }

    /// Aborts with the input on disk when one run stops making progress.
    fn start_watchdog(&self) {
        let (current, progress, name) = (self.current.clone(), self.progress.clone(), self.name);
        std::thread::spawn(move || {
            let mut last = u64::MAX;
            loop {
                std::thread::sleep(Duration::from_secs(30));
                let now = progress.load(Ordering::SeqCst);
                if now == u64::MAX {
                    return; // finished
                }
                if now == last {
                    let input = current.lock().map(|c| c.clone()).unwrap_or_default();
                    let path = save_failure(name, "hang", &input);
                    eprintln!(
                        "fuzz {name}: one run took over 30 s; input in {}",
                        path.display()
                    );
                    std::process::abort();
                }
                last = now;
            }
        });
    }

    fn done(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Runs `f` on `input`; a panic saves the input and fails the test.
    fn run(&mut self, input: &[u8], f: impl FnOnce(&[u8])) {
        if let Ok(mut current) = self.current.lock() {
            current.clear();
            current.extend_from_slice(input);
        }
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| f(input)));
        self.runs += 1;
        self.progress.fetch_add(1, Ordering::SeqCst);
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let path = save_failure(self.name, "panic", input);
            panic!(
                "fuzz {}: run {} failed ({message}); input in {}",
                self.name,
                self.runs,
                path.display()
            );
        }
    }

    fn corpus(&self) -> Vec<Vec<u8>> {
        let dir = repo().join("tests/fuzz-corpus").join(self.name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
            .iter()
            .filter(|p| p.is_file())
            .map(|p| std::fs::read(p).unwrap())
            .collect()
    }

    fn finish(self) {
        self.progress.store(u64::MAX, Ordering::SeqCst);
        eprintln!("fuzz {}: {} runs, no failure", self.name, self.runs);
    }
}

fn save_failure(name: &str, kind: &str, input: &[u8]) -> PathBuf {
    let dir = repo().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in input {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let path = dir.join(format!("{name}-{kind}-{hash:016x}"));
    let _ = std::fs::write(&path, input);
    path
}

/// The corpus of `config` and `source` holds a first line naming the file
/// it replaces (`tests/fixtures/...`), then the bytes.
fn split_corpus_entry(entry: &[u8]) -> Option<(PathBuf, &[u8])> {
    let newline = entry.iter().position(|&b| b == b'\n')?;
    let name = std::str::from_utf8(&entry[..newline]).ok()?;
    Some((repo().join(name), &entry[newline + 1..]))
}

fn fuzz_project_files(name: &'static str, wanted: fn(FileRole) -> bool) {
    let mut fuzzer = Fuzzer::new(name);
    let projects: Vec<(PathBuf, Vec<InputFile>)> = fixture_projects()
        .into_iter()
        .map(|p| {
            let inputs = load(&p);
            (p, inputs)
        })
        .collect();
    for entry in fuzzer.corpus() {
        let (path, bytes) = split_corpus_entry(&entry).expect("corpus entry: a path line first");
        let project = projects
            .iter()
            .find(|(dir, _)| path.starts_with(dir))
            .expect("corpus entry names a fixture file");
        fuzzer.run(bytes, |bytes| check_with(&project.1, &path, bytes));
    }
    let targets: Vec<(usize, PathBuf)> = projects
        .iter()
        .enumerate()
        .flat_map(|(i, (_, inputs))| {
            inputs
                .iter()
                .filter(|input| wanted(input.role))
                .map(move |input| (i, input.path.clone()))
        })
        .collect();
    assert!(!targets.is_empty(), "{name}: no seed files");
    while !fuzzer.done() {
        let (project, path) = &targets[fuzzer.rng.below(targets.len())];
        let inputs = &projects[*project].1;
        let seed = inputs.iter().find(|i| &i.path == path).unwrap();
        let mut bytes = seed.text.as_bytes().to_vec();
        for _ in 0..1 + fuzzer.rng.below(3) {
            bytes = mutate(&mut fuzzer.rng, &bytes);
        }
        fuzzer.run(&bytes, |bytes| check_with(inputs, path, bytes));
    }
    fuzzer.finish();
}

#[test]
fn fuzz_config_readers() {
    fuzz_project_files("config", |role| matches!(role, FileRole::Config(_)));
}

#[test]
fn fuzz_source_indexer_and_rules() {
    fuzz_project_files("source", |role| matches!(role, FileRole::Source(_)));
}

/// The frame decoder always ends, and never reads a frame longer than its
/// input.
#[test]
fn fuzz_lsp_frame_decoder() {
    let mut fuzzer = Fuzzer::new("frames");
    let valid =
        b"Content-Length: 52\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}  \
Content-Length: 33\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}"
            .to_vec();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let decode = |bytes: &[u8]| {
        runtime.block_on(async {
            let mut reader = dols::lsp::transport::FrameReader::new(bytes);
            // Each frame consumes at least one byte, so this bound holds.
            for _ in 0..=bytes.len() + 1 {
                match reader.next().await {
                    dols::lsp::transport::Frame::End => return,
                    dols::lsp::transport::Frame::Message(body) => {
                        assert!(body.len() <= bytes.len());
                    }
                    dols::lsp::transport::Frame::Malformed { .. } => {}
                }
            }
            panic!("the decoder did not reach the end of its input");
        })
    };
    for entry in fuzzer.corpus() {
        fuzzer.run(&entry, decode);
    }
    while !fuzzer.done() {
        let mut bytes = valid.clone();
        for _ in 0..1 + fuzzer.rng.below(4) {
            bytes = mutate(&mut fuzzer.rng, &bytes);
        }
        fuzzer.run(&bytes, decode);
    }
    fuzzer.finish();
}

/// Random edits to an open module of a fixture project, through the
/// analysis host (incremental re-parse, reused pieces): after each
/// sequence, the host's diagnostics equal a fresh analysis of the same
/// files. The corpus holds sequences as text: the fixture file on the
/// first line, then one `offset length replacement` per line.
#[test]
fn fuzz_incremental_edits() {
    let mut fuzzer = Fuzzer::new("edits");
    let projects = fixture_projects();
    // A new host with the same buffer over the same disk: what the server
    // would say had it just started (it may keep a broken buffer's module
    // facts from the file on disk, so plain `Workspace::build` of the
    // buffer is not the reference).
    //
    // One difference is by design: while the module's own items (imports,
    // exports, classes) do not parse, the host that saw the file clean
    // keeps its last clean exports, so config findings that depend on them
    // do not flicker; a new host has none to keep. Then only the findings
    // in the edited file are compared.
    let fresh = |project: &Path, path: &Path, text: &str| {
        let mut host = AnalysisHost::new(vec![project.to_path_buf()], Default::default());
        host.set_overlay(path.to_path_buf(), text.to_string());
        host.analyze()
    };
    let comparable = |analysis: &std::sync::Arc<dols::host::Analysis>, path: &Path| {
        let ws = &analysis.workspace;
        let broken = ws
            .files
            .lookup(path)
            .and_then(|id| ws.summary(id))
            .is_some_and(|s| s.semantic.module_items_broken);
        let shown = path.display().to_string();
        let mut findings = summary_of(ws, analysis.diagnostics());
        if broken {
            findings.retain(|f| f.starts_with(&format!("{shown} ")));
        }
        findings
    };
    let replay = |project: &Path, path: &Path, edits: &[(usize, usize, String)]| {
        let mut text = std::fs::read_to_string(path).unwrap();
        let mut host = AnalysisHost::new(vec![project.to_path_buf()], Default::default());
        host.set_overlay(path.to_path_buf(), text.clone());
        let _ = host.analyze().diagnostics().len();
        for (offset, length, replacement) in edits {
            let start = floor_boundary(&text, *offset);
            let end = floor_boundary(&text, start + length);
            let edit = ByteEdit::new(&text, start, end, replacement);
            text.replace_range(start..end, replacement);
            host.edit_overlay(path.to_path_buf(), text.clone(), &[edit]);
            let _ = host.analyze().diagnostics().len();
        }
        let incremental = host.analyze();
        assert_eq!(
            comparable(&incremental, path),
            comparable(&fresh(project, path, &text), path),
            "incremental and fresh analyses differ after the edits, text:\n{text}"
        );
    };
    for entry in fuzzer.corpus() {
        let text = String::from_utf8(entry.clone()).expect("an edits entry is text");
        let mut lines = text.lines();
        let path = repo().join(lines.next().unwrap());
        let project = projects
            .iter()
            .find(|p| path.starts_with(p))
            .unwrap()
            .clone();
        let edits: Vec<(usize, usize, String)> = lines
            .map(|line| {
                let mut parts = line.splitn(3, ' ');
                let offset = parts.next().unwrap().parse().unwrap();
                let length = parts.next().unwrap().parse().unwrap();
                let replacement = parts.next().unwrap_or("").replace("\\n", "\n");
                (offset, length, replacement)
            })
            .collect();
        fuzzer.run(&entry, |_| replay(&project, &path, &edits));
    }
    let sources: Vec<(PathBuf, PathBuf)> = projects
        .iter()
        .flat_map(|project| {
            load(project)
                .into_iter()
                .filter(|i| matches!(i.role, FileRole::Source(_)))
                .map(move |i| (project.clone(), i.path))
        })
        .collect();
    while !fuzzer.done() {
        let (project, path) = &sources[fuzzer.rng.below(sources.len())];
        let length = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
        let mut edits = Vec::new();
        let mut record = format!("{}\n", path.strip_prefix(repo()).unwrap_or(path).display());
        for _ in 0..1 + fuzzer.rng.below(12) {
            let offset = fuzzer.rng.below(length + 1);
            let removed = if fuzzer.rng.below(3) == 0 {
                fuzzer.rng.below(12)
            } else {
                0
            };
            let token = TOKENS[fuzzer.rng.below(TOKENS.len())];
            let replacement: String = if token.contains('\0') { "x" } else { token }.to_string();
            record.push_str(&format!(
                "{offset} {removed} {}\n",
                replacement.replace('\n', "\\n")
            ));
            edits.push((offset, removed, replacement));
        }
        fuzzer.run(record.as_bytes(), |_| replay(project, path, &edits));
    }
    fuzzer.finish();
}

/// What a comparison of two analyses looks at: each finding's file, rule,
/// range and message.
fn summary_of(ws: &Workspace, diagnostics: &[dols::diagnostic::Diagnostic]) -> Vec<String> {
    let mut out: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} {}..{} {}",
                ws.files.path(d.file).display(),
                d.code,
                d.range.start,
                d.range.end,
                d.message
            )
        })
        .collect();
    out.sort();
    out
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}
