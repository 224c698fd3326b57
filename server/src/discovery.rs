//! Finding what to analyse: wrangler configs, TS/JS sources, tsconfig files
//! and `.dev.vars`/`.env` files under the given roots.
//!
//! This is the only stage of the CLI path that touches the file system; it
//! hands the engine paths and texts, never handles.

use std::path::{Path, PathBuf};

use crate::config::ConfigFormat;
use crate::index::language::SourceLanguage;

/// Folders never worth descending into: dependencies, tool state, build output.
pub const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".wrangler",
    ".git",
    ".hg",
    ".svn",
    "dist",
    "build",
    "out",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".output",
    ".vercel",
    ".turbo",
    ".cache",
    "coverage",
    "target",
];

/// Sources larger than this are skipped: they are bundles or generated code,
/// and parsing them would only cost time.
pub const MAX_SOURCE_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRole {
    Config(ConfigFormat),
    Source(SourceLanguage),
    TsConfig,
    /// `.dev.vars`, `.dev.vars.<env>`, `.env`: secret names for local dev.
    DotVars,
    /// `package.json`: its scripts show how the Worker is deployed.
    PackageJson,
    /// A file with one of the roles above that dols did not read, and why
    /// (its role is its path's: `FileRole::of`). It takes part in nothing
    /// but the `file-not-read` finding, so a skipped file is always said.
    Unread(UnreadReason),
}

/// Why a file was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnreadReason {
    /// A pipe, a device or a socket: reading one could block forever (a
    /// FIFO) or never end (`/dev/zero`).
    NotRegular,
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    /// NUL bytes.
    Binary,
    NotUtf8,
    /// A line longer than [`MAX_SOURCE_LINE`]: generated code.
    Minified {
        longest: u64,
    },
    Io(std::io::ErrorKind),
}

impl std::fmt::Display for UnreadReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnreadReason::NotRegular => {
                f.write_str("not a regular file (a pipe, device or socket); dols reads only files")
            }
            UnreadReason::TooLarge { bytes, limit } => write!(
                f,
                "larger than {} MiB ({bytes} bytes); probably generated",
                limit / 1024 / 1024
            ),
            UnreadReason::Binary => f.write_str("binary content (NUL bytes)"),
            UnreadReason::NotUtf8 => f.write_str("not valid UTF-8"),
            UnreadReason::Minified { longest } => write!(
                f,
                "looks minified (a line of {longest} bytes); generated code is not indexed"
            ),
            UnreadReason::Io(kind) => write!(f, "cannot read: {kind}"),
        }
    }
}

impl FileRole {
    pub fn of(path: &Path) -> Option<FileRole> {
        let name = path.file_name()?.to_str()?;
        if let Some(format) = ConfigFormat::from_file_name(name) {
            return Some(FileRole::Config(format));
        }
        if name == "jsconfig.json" || (name.starts_with("tsconfig") && name.ends_with(".json")) {
            return Some(FileRole::TsConfig);
        }
        if name == ".dev.vars" || name.starts_with(".dev.vars.") || name == ".env" {
            return Some(FileRole::DotVars);
        }
        if name == "package.json" {
            return Some(FileRole::PackageJson);
        }
        SourceLanguage::from_path(path).map(FileRole::Source)
    }
}

/// A file discovery decided not to read, with the reason (logged, and shown
/// by `dols check --verbose`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: String,
    /// A `file-not-read` finding reports it. When false (a folder the walk
    /// could not enter, a pattern it could not use), no finding does, and
    /// whoever shows the results must say it.
    pub reported: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Discovered {
    /// Every file with a role, sorted by path.
    pub files: Vec<(PathBuf, FileRole)>,
    pub skipped: Vec<SkippedFile>,
}

/// Walks `roots`, honouring `.gitignore` even outside a git repository, and
/// the user's `exclude` globs (gitignore syntax, relative to each root).
pub fn discover(roots: &[PathBuf], exclude: &[String]) -> Discovered {
    discover_with(roots, exclude, Limits::default())
}

/// How much of a workspace dols reads: beyond these, the rest is left out
/// and the run says so (a root of `/` would otherwise index the disk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Files with a role (sources, configs, ...) found by the walk.
    pub max_files: usize,
    /// Bytes read, all files together.
    pub max_bytes: u64,
}

impl Default for Limits {
    /// Far above the 50,000-file monorepos dols is measured on.
    fn default() -> Self {
        Limits {
            max_files: 200_000,
            max_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Why `root` is too broad to index as a workspace (the file system root,
/// the home folder), or `None`. Such a root holds every project of the
/// machine and much else: dols refuses it and asks for the project folder.
pub fn too_broad_root(root: &Path) -> Option<&'static str> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if root.parent().is_none() {
        return Some("the root of the file system");
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    let home = std::fs::canonicalize(&home).unwrap_or_else(|_| PathBuf::from(home));
    (root == home).then_some("your home folder")
}

/// Where the settings that widen the caps go.
const WIDEN_LIMITS: &str = "raise `max-files` / `max-bytes` under `[files]` in dols.toml, or exclude folders with `exclude`";

/// What a cancelled walk or read says about the files it left out.
pub const CANCELLED: &str = "indexing was cancelled here: what comes after this point was not indexed, so findings may be missing (restart the server to index again)";

/// [`discover`] with caps.
pub fn discover_with(roots: &[PathBuf], exclude: &[String], limits: Limits) -> Discovered {
    discover_until(roots, exclude, limits, &|| false)
}

/// [`discover_with`] that stops when `cancelled()` (asked once per entry
/// walked) turns true, and says so with a skipped entry.
pub fn discover_until(
    roots: &[PathBuf],
    exclude: &[String],
    limits: Limits,
    cancelled: &dyn Fn() -> bool,
) -> Discovered {
    let mut found = Discovered::default();
    let mut excluded: Vec<(PathBuf, ignore::overrides::Override)> = Vec::new();
    'roots: for root in roots {
        if root.is_file() {
            if let Some(role) = FileRole::of(root) {
                found.files.push((root.clone(), role));
            }
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(root);
        for glob in exclude {
            if let Err(err) = overrides.add(&format!("!{glob}")) {
                found.skipped.push(SkippedFile {
                    path: root.clone(),
                    reason: format!("invalid exclude pattern `{glob}`: {err}"),
                    reported: false,
                });
            }
        }
        let overrides = overrides
            .build()
            .unwrap_or_else(|_| ignore::overrides::Override::empty());
        excluded.push((root.clone(), overrides.clone()));
        let walker = ignore::WalkBuilder::new(root)
            .overrides(overrides)
            .hidden(false)
            .require_git(false)
            .git_global(false)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                !(is_dir
                    && entry.depth() > 0
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| SKIPPED_DIRS.contains(&name)))
            })
            .build();
        for entry in walker {
            if cancelled() {
                found.skipped.push(SkippedFile {
                    path: root.clone(),
                    reason: CANCELLED.to_string(),
                    reported: false,
                });
                break 'roots;
            }
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    found.skipped.push(SkippedFile {
                        path: root.clone(),
                        reason: format!("not walked: {err}"),
                        reported: false,
                    });
                    continue;
                }
            };
            // Files, and anything else that is not a folder (a symlink, a
            // FIFO): `read_text` reads what is a regular file behind it and
            // says why it did not read the rest.
            if entry.file_type().is_none_or(|t| t.is_dir()) {
                continue;
            }
            let path = entry.into_path();
            if let Some(role) = FileRole::of(&path) {
                if found.files.len() >= limits.max_files {
                    found.skipped.push(SkippedFile {
                        path: root.clone(),
                        reason: format!(
                            "more than {} files to read; the walk stopped at {} and the rest was not indexed ({WIDEN_LIMITS})",
                            limits.max_files,
                            path.display()
                        ),
                        reported: false,
                    });
                    break 'roots;
                }
                found.files.push((path, role));
            }
        }
    }
    let generated = ignored_type_declarations(&found, &excluded);
    found.files.extend(
        generated
            .into_iter()
            .map(|path| (path, FileRole::Source(SourceLanguage::TypeScript))),
    );
    found.files.sort_by(|a, b| a.0.cmp(&b.0));
    found.files.dedup_by(|a, b| a.0 == b.0);
    found
}

/// The type declarations a project names that the walk left out because a
/// `.gitignore` lists them: `wrangler types` output is often ignored, but
/// TypeScript still reads it, and the `Env` interface it declares decides
/// which bindings TypeScript already completes. Read: the conventional
/// `worker-configuration.d.ts` beside a wrangler config, and every `.d.ts`
/// a `tsconfig.json` names literally (`files`, `include`,
/// `compilerOptions.types`), inside a root, outside dependency folders and
/// not excluded by the user.
fn ignored_type_declarations(
    found: &Discovered,
    excluded: &[(PathBuf, ignore::overrides::Override)],
) -> Vec<PathBuf> {
    let known: std::collections::HashSet<&Path> =
        found.files.iter().map(|(path, _)| path.as_path()).collect();
    let mut named: Vec<PathBuf> = Vec::new();
    for (path, role) in &found.files {
        let Some(dir) = path.parent() else { continue };
        match role {
            FileRole::Config(_) => named.push(dir.join("worker-configuration.d.ts")),
            FileRole::TsConfig => {
                let Ok(text) = read_text(path, *role) else {
                    continue;
                };
                let Ok(value) = jsonc_parser::parse_to_serde_value::<serde_json::Value>(
                    &text,
                    &jsonc_parser::ParseOptions::default(),
                ) else {
                    continue;
                };
                let lists = [
                    value.get("files"),
                    value.get("include"),
                    value.pointer("/compilerOptions/types"),
                ];
                for entry in lists
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l.as_array())
                    .flatten()
                {
                    if let Some(entry) = entry
                        .as_str()
                        .filter(|e| e.ends_with(".d.ts") && !e.contains(['*', '?']))
                    {
                        named.push(crate::model::resolve::normalize(&dir.join(entry)));
                    }
                }
            }
            _ => {}
        }
    }
    named.sort();
    named.dedup();
    named
        .into_iter()
        .filter(|path| !known.contains(path.as_path()))
        .filter(|path| {
            excluded.iter().any(|(root, overrides)| {
                path.starts_with(root) && !overrides.matched(path, false).is_ignore()
            })
        })
        .filter(|path| {
            !path.components().any(|c| {
                c.as_os_str()
                    .to_str()
                    .is_some_and(|name| SKIPPED_DIRS.contains(&name))
            })
        })
        .filter(|path| path.is_file())
        .collect()
}

/// Wrangler configs above this size are not read: real ones are a few KiB,
/// and every pass over a config's keys must stay cheap while typing.
pub const MAX_CONFIG_BYTES: u64 = 8 * 1024 * 1024;

/// Reads a discovered file as UTF-8 text, or says why it was skipped.
pub fn read_text(path: &Path, role: FileRole) -> Result<String, UnreadReason> {
    let limit = size_limit(role);
    let bytes = read_regular_file(path, limit).map_err(|skip| match skip {
        ReadSkip::NotRegular => UnreadReason::NotRegular,
        ReadSkip::TooLarge(bytes) => UnreadReason::TooLarge { bytes, limit },
        ReadSkip::Io(kind, _) => UnreadReason::Io(kind),
    })?;
    // Before decoding: binary content is called binary, not "not UTF-8".
    if bytes.contains(&0) {
        return Err(UnreadReason::Binary);
    }
    let text = String::from_utf8(bytes).map_err(|_| UnreadReason::NotUtf8)?;
    check_size_and_shape(role, &text)?;
    Ok(text)
}

fn size_limit(role: FileRole) -> u64 {
    match role {
        FileRole::Source(_) => MAX_SOURCE_BYTES,
        _ => MAX_CONFIG_BYTES,
    }
}

/// What [`read_text`] asks of a text once it is read, for texts that come
/// from elsewhere (an editor's open buffer): the same size cap, no NUL
/// bytes, and no minified source.
pub fn check_text(role: FileRole, text: &str) -> Result<(), UnreadReason> {
    // The size first: a buffer over the cap is not scanned at all.
    check_size_and_shape(role, text)?;
    if text.as_bytes().contains(&0) {
        return Err(UnreadReason::Binary);
    }
    Ok(())
}

/// The size cap alone, for a text not yet in one piece (an editor buffer
/// held as a rope): one over the cap is never copied out.
pub fn check_length(role: FileRole, bytes: u64) -> Result<(), UnreadReason> {
    let limit = size_limit(role);
    if bytes > limit {
        return Err(UnreadReason::TooLarge { bytes, limit });
    }
    Ok(())
}

/// The size cap, and no minified source.
fn check_size_and_shape(role: FileRole, text: &str) -> Result<(), UnreadReason> {
    check_length(role, text.len() as u64)?;
    if matches!(role, FileRole::Source(_)) {
        if let Some(longest) = minified_line(text) {
            // Minified bundles have pathological syntax (endless member
            // chains) that cost far more to query than they could tell us.
            return Err(UnreadReason::Minified {
                longest: longest as u64,
            });
        }
    }
    Ok(())
}

/// Why [`read_regular_file`] read nothing.
#[derive(Debug)]
pub enum ReadSkip {
    /// A pipe, a device, a socket or a folder: reading one could block
    /// forever (a FIFO) or never end (`/dev/zero`).
    NotRegular,
    TooLarge(u64),
    Io(std::io::ErrorKind, String),
}

impl std::fmt::Display for ReadSkip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadSkip::NotRegular => UnreadReason::NotRegular.fmt(f),
            ReadSkip::TooLarge(len) => write!(f, "too large ({len} bytes)"),
            ReadSkip::Io(_, err) => write!(f, "cannot read: {err}"),
        }
    }
}

/// The bytes of the regular file at `path` (symlinks followed), at most
/// `limit` of them. Anything else is refused before it is opened for
/// reading, and the file is opened without blocking and checked again
/// (it may have been swapped in between), so no read can hang.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadSkip> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| ReadSkip::Io(e.kind(), e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadSkip::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadSkip::TooLarge(meta.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|e| ReadSkip::Io(e.kind(), e.to_string()))?;
    let meta = file
        .metadata()
        .map_err(|e| ReadSkip::Io(e.kind(), e.to_string()))?;
    if !meta.is_file() {
        return Err(ReadSkip::NotRegular);
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadSkip::Io(e.kind(), e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ReadSkip::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Lines longer than this mark a source as minified output.
pub const MAX_SOURCE_LINE: usize = 20_000;

/// The length of the longest line when it marks `text` as minified.
pub fn minified_line(text: &str) -> Option<usize> {
    text.lines()
        .map(str::len)
        .max()
        .filter(|&n| n > MAX_SOURCE_LINE)
}

/// Discovers and reads everything under `roots`, ready for
/// [`crate::model::Workspace::build`]. Unreadable files are skipped and
/// listed with the reason.
pub fn load(
    roots: &[PathBuf],
    exclude: &[String],
) -> (Vec<crate::model::InputFile>, Vec<SkippedFile>) {
    load_with(roots, exclude, Limits::default())
}

/// [`load`] with caps on files and bytes.
pub fn load_with(
    roots: &[PathBuf],
    exclude: &[String],
    limits: Limits,
) -> (Vec<crate::model::InputFile>, Vec<SkippedFile>) {
    load_until(roots, exclude, limits, &|| false)
}

/// [`load_with`] that stops walking or reading when `cancelled()` (asked
/// once per entry walked and per file read) turns true; what was read so
/// far is kept, and a skipped entry says the rest was not indexed.
pub fn load_until(
    roots: &[PathBuf],
    exclude: &[String],
    limits: Limits,
    cancelled: &dyn Fn() -> bool,
) -> (Vec<crate::model::InputFile>, Vec<SkippedFile>) {
    let Discovered { files, mut skipped } = discover_until(roots, exclude, limits, cancelled);
    if skipped.iter().any(|s| s.reason == CANCELLED) {
        // Cancelled during the walk: read nothing.
        return (Vec::new(), skipped);
    }
    let mut bytes_read: u64 = 0;
    let (inputs, read_skips) = read_files(files, limits, cancelled, &mut bytes_read);
    skipped.extend(read_skips);
    (inputs, skipped)
}

/// Reads the files the walk found, in order, until `limits.max_bytes`
/// (counting from `bytes_read`) or a cancel; a file that cannot be read
/// stays an input (`FileRole::Unread`) and is listed as skipped.
fn read_files(
    files: Vec<(PathBuf, FileRole)>,
    limits: Limits,
    cancelled: &dyn Fn() -> bool,
    bytes_read: &mut u64,
) -> (Vec<crate::model::InputFile>, Vec<SkippedFile>) {
    let mut inputs = Vec::with_capacity(files.len());
    let mut skipped = Vec::new();
    let total = files.len();
    for (index, (path, role)) in files.into_iter().enumerate() {
        if cancelled() {
            skipped.push(SkippedFile {
                path,
                reason: CANCELLED.to_string(),
                reported: false,
            });
            break;
        }
        if *bytes_read > limits.max_bytes {
            skipped.push(SkippedFile {
                path,
                reason: format!(
                    "more than {} bytes read; this file and the {} after it were not indexed ({WIDEN_LIMITS})",
                    limits.max_bytes,
                    total - index - 1
                ),
                reported: false,
            });
            break;
        }
        match read_text(&path, role) {
            Ok(text) => {
                *bytes_read += text.len() as u64;
                inputs.push(crate::model::InputFile {
                    path,
                    role,
                    text: text.into(),
                })
            }
            // Gone between the walk and the read: nothing to say.
            Err(UnreadReason::Io(std::io::ErrorKind::NotFound)) => {}
            Err(reason) => {
                skipped.push(SkippedFile {
                    path: path.clone(),
                    reason: reason.to_string(),
                    reported: true,
                });
                inputs.push(crate::model::InputFile {
                    path,
                    role: FileRole::Unread(reason),
                    text: "".into(),
                });
            }
        }
    }
    (inputs, skipped)
}

/// Reads source files and package.json files found outside the roots (a
/// Worker's imports out of the checked folder, the workspace packages it
/// imports by name), as the walk would have: only those roles, never
/// inside dependency or build folders, within `limits` counted from what
/// `already` holds.
pub fn read_more(
    paths: Vec<PathBuf>,
    already: &[crate::model::InputFile],
    limits: Limits,
) -> (Vec<crate::model::InputFile>, Vec<SkippedFile>) {
    let mut skipped = Vec::new();
    let room = limits.max_files.saturating_sub(already.len());
    let mut files: Vec<(PathBuf, FileRole)> = paths
        .into_iter()
        .filter(|path| {
            !path.components().any(|c| {
                c.as_os_str()
                    .to_str()
                    .is_some_and(|name| SKIPPED_DIRS.contains(&name))
            })
        })
        .filter_map(|path| match FileRole::of(&path) {
            Some(role @ (FileRole::Source(_) | FileRole::PackageJson)) => Some((path, role)),
            _ => None,
        })
        .collect();
    if files.len() > room {
        let left = files.split_off(room);
        skipped.push(SkippedFile {
            path: left[0].0.clone(),
            reason: format!(
                "more than {} files; this file and the {} after it were not indexed ({WIDEN_LIMITS})",
                limits.max_files,
                left.len() - 1
            ),
            reported: false,
        });
    }
    let mut bytes_read: u64 = already.iter().map(|i| i.text.len() as u64).sum();
    let (inputs, read_skips) = read_files(files, limits, &|| false, &mut bytes_read);
    skipped.extend(read_skips);
    (inputs, skipped)
}

/// The packages of the monorepo around some checked folders, for
/// following a Worker's imports of workspace packages (`@acme/rooms`) out
/// of the checked folder: the package.json of each package the monorepo
/// root declares (the `workspaces` of its package.json, or
/// pnpm-workspace.yaml), read once, and else a package manager's link
/// `node_modules/<name>` in a folder above that leads out of `node_modules`.
#[derive(Debug, Default)]
pub struct MonorepoPackages {
    /// Name → package.json path, from the declared workspaces.
    declared: std::collections::HashMap<String, PathBuf>,
    /// The roots and the folders above them, where `node_modules` is looked in.
    ancestors: Vec<PathBuf>,
    /// Names already looked up through `node_modules`, with the answer.
    linked: std::collections::HashMap<String, Option<PathBuf>>,
}

/// How deep a `**` in a workspace pattern goes.
const MAX_WORKSPACE_PATTERN_DEPTH: usize = 6;

impl MonorepoPackages {
    /// Walks up from each root to the first folder that declares
    /// workspaces, and reads the name of every package it declares.
    pub fn around(roots: &[PathBuf]) -> MonorepoPackages {
        let mut found = MonorepoPackages::default();
        let mut monorepo_roots: Vec<PathBuf> = Vec::new();
        for root in roots {
            let root = crate::model::resolve::normalize(
                &std::path::absolute(root).unwrap_or_else(|_| root.clone()),
            );
            let start = if root.is_file() {
                root.parent().map(Path::to_path_buf).unwrap_or_default()
            } else {
                root
            };
            for dir in start.ancestors() {
                if !found.ancestors.iter().any(|a| a == dir) {
                    found.ancestors.push(dir.to_path_buf());
                }
            }
            if let Some(dir) = start
                .ancestors()
                .find(|dir| !workspace_patterns(dir).is_empty())
            {
                if !monorepo_roots.iter().any(|r| r == dir) {
                    monorepo_roots.push(dir.to_path_buf());
                }
            }
        }
        for monorepo in monorepo_roots {
            let patterns = workspace_patterns(&monorepo);
            let (excluded, included): (Vec<&String>, Vec<&String>) =
                patterns.iter().partition(|p| p.starts_with('!'));
            let expand = |pattern: &str| {
                let mut dirs = Vec::new();
                let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
                let segments: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
                expand_pattern(&monorepo, &segments, 0, &mut dirs);
                dirs
            };
            let excluded: Vec<PathBuf> = excluded.iter().flat_map(|p| expand(&p[1..])).collect();
            let mut dirs: Vec<PathBuf> = included.iter().flat_map(|p| expand(p)).collect();
            dirs.sort();
            dirs.dedup();
            for dir in dirs.into_iter().filter(|d| !excluded.contains(d)) {
                let manifest = dir.join("package.json");
                if let Some(name) = package_name_in(&manifest) {
                    found.declared.entry(name).or_insert(manifest);
                }
            }
        }
        found
    }

    /// The package.json files of the packages called `names`, where found.
    pub fn manifests_of(&mut self, names: &[String]) -> Vec<PathBuf> {
        let mut manifests = Vec::new();
        for name in names {
            if let Some(path) = self.declared.get(name) {
                manifests.push(path.clone());
                continue;
            }
            let ancestors = &self.ancestors;
            let linked = self
                .linked
                .entry(name.clone())
                .or_insert_with(|| linked_package(ancestors, name));
            if let Some(path) = linked {
                manifests.push(path.clone());
            }
        }
        manifests.sort();
        manifests.dedup();
        manifests
    }
}

/// The package.json of `name` behind a `node_modules/<name>` link in one
/// of `ancestors` (nearest first), when the link leads out of
/// `node_modules`: a workspace package, linked by the package manager.
fn linked_package(ancestors: &[PathBuf], name: &str) -> Option<PathBuf> {
    if crate::model::resolve::package_name(name) != Some(name) {
        return None;
    }
    ancestors.iter().find_map(|dir| {
        let manifest = dir.join("node_modules").join(name).join("package.json");
        let real = std::fs::canonicalize(&manifest).ok()?;
        let outside = !real.components().any(|c| c.as_os_str() == "node_modules");
        (outside && package_name_in(&real).as_deref() == Some(name)).then_some(real)
    })
}

/// The `name` of a package.json, if it is a file with one.
fn package_name_in(manifest: &Path) -> Option<String> {
    let bytes = read_regular_file(manifest, MAX_CONFIG_BYTES).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("name")?.as_str().map(String::from)
}

/// The workspace patterns `dir` declares: its package.json `workspaces`
/// (a list, or yarn's `{ "packages": [...] }`), else its
/// pnpm-workspace.yaml `packages`.
fn workspace_patterns(dir: &Path) -> Vec<String> {
    let strings = |value: Option<&serde_json::Value>| -> Vec<String> {
        value
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Ok(bytes) = read_regular_file(&dir.join("package.json"), MAX_CONFIG_BYTES) {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            let workspaces = value.get("workspaces");
            let mut patterns = strings(workspaces);
            if patterns.is_empty() {
                patterns = strings(workspaces.and_then(|w| w.get("packages")));
            }
            if !patterns.is_empty() {
                return patterns;
            }
        }
    }
    read_regular_file(&dir.join("pnpm-workspace.yaml"), MAX_CONFIG_BYTES)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(|text| pnpm_workspace_packages(&text))
        .unwrap_or_default()
}

/// The `packages` list of a pnpm-workspace.yaml, read line by line (a
/// block list or a `[...]` flow list; no YAML parser for one key).
fn pnpm_workspace_packages(text: &str) -> Vec<String> {
    let unquote = |item: &str| {
        let item = item.trim();
        let item = match item.find(" #") {
            Some(comment) => item[..comment].trim(),
            None => item,
        };
        item.trim_matches(|c| c == '"' || c == '\'').to_string()
    };
    let mut patterns = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            in_packages = false;
            if let Some(value) = trimmed.strip_prefix("packages:") {
                in_packages = true;
                if let Some(flow) = value
                    .trim()
                    .strip_prefix('[')
                    .and_then(|v| v.split(']').next())
                {
                    patterns.extend(flow.split(',').map(unquote).filter(|p| !p.is_empty()));
                    in_packages = false;
                }
            }
            continue;
        }
        if in_packages {
            if let Some(item) = trimmed.strip_prefix('-') {
                let item = unquote(item);
                if !item.is_empty() {
                    patterns.push(item);
                }
            }
        }
    }
    patterns
}

/// The folders below `dir` that `segments` of a workspace pattern match:
/// literal names, `*` (or `pre*post`) for one folder, `**` for any depth;
/// never into dependency, build or hidden folders.
fn expand_pattern(dir: &Path, segments: &[&str], depth: usize, out: &mut Vec<PathBuf>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(dir.to_path_buf());
        return;
    };
    let subfolders = || -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut folders: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| !n.starts_with('.') && !SKIPPED_DIRS.contains(&n))
            })
            .map(|e| e.path())
            .collect();
        folders.sort();
        folders
    };
    if *first == "**" {
        expand_pattern(dir, rest, depth, out);
        if depth < MAX_WORKSPACE_PATTERN_DEPTH {
            for folder in subfolders() {
                expand_pattern(&folder, segments, depth + 1, out);
            }
        }
    } else if first.contains('*') {
        for folder in subfolders() {
            let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if wildcard_match(first, name) {
                expand_pattern(&folder, rest, depth + 1, out);
            }
        }
    } else if *first == ".." || *first == "." {
        // Patterns stay inside the monorepo.
    } else {
        let next = dir.join(first);
        if next.is_dir() {
            expand_pattern(&next, rest, depth + 1, out);
        }
    }
}

/// Whether `name` matches `pattern`, whose `*`s stand for any characters.
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO (as some secret managers serve `.env`), a symlink to a device
    /// that never ends, and a config above the size cap are refused without
    /// reading; a symlink to a regular file is read.
    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.ts");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo reads it only.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let source = FileRole::Source(SourceLanguage::TypeScript);
        let refused = read_text(&fifo, source).unwrap_err().to_string();
        assert!(refused.contains("not a regular file"), "{refused}");

        let zero = dir.path().join("zero.ts");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let refused = read_text(&zero, source).unwrap_err().to_string();
        assert!(refused.contains("not a regular file"), "{refused}");

        let real = dir.path().join("real.toml");
        std::fs::write(&real, "name = \"x\"\n").unwrap();
        let link = dir.path().join("wrangler.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let config = FileRole::Config(ConfigFormat::Toml);
        assert_eq!(read_text(&link, config).unwrap(), "name = \"x\"\n");

        let huge = dir.path().join("wrangler.json");
        let file = std::fs::File::create(&huge).unwrap();
        file.set_len(MAX_CONFIG_BYTES + 1).unwrap();
        let refused = read_text(&huge, FileRole::Config(ConfigFormat::Json))
            .unwrap_err()
            .to_string();
        assert!(refused.contains("larger than 8 MiB"), "{refused}");
    }

    /// Past the file cap the walk stops, past the byte cap reading stops;
    /// either way one unreported skip says what was left out and how to
    /// widen the cap, and what was read stays.
    #[test]
    fn workspace_caps_stop_the_walk_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        for i in 0..10 {
            std::fs::write(root.join(format!("m{i}.ts")), "export const x = 1;\n").unwrap();
        }
        let files_cap = Limits {
            max_files: 4,
            ..Limits::default()
        };
        let (inputs, skipped) = load_with(std::slice::from_ref(&root), &[], files_cap);
        assert_eq!(inputs.len(), 4);
        let said: Vec<_> = skipped.iter().filter(|s| !s.reported).collect();
        assert_eq!(said.len(), 1, "{skipped:?}");
        assert!(
            said[0].reason.contains("more than 4 files"),
            "{}",
            said[0].reason
        );
        assert!(said[0].reason.contains("max-files"), "{}", said[0].reason);

        let bytes_cap = Limits {
            max_bytes: 50,
            ..Limits::default()
        };
        let (inputs, skipped) = load_with(std::slice::from_ref(&root), &[], bytes_cap);
        // 20 bytes each: the third read passes 50 bytes, the fourth is not read.
        assert_eq!(inputs.len(), 3);
        assert!(
            skipped
                .iter()
                .any(|s| !s.reported && s.reason.contains("the 6 after it")),
            "{skipped:?}"
        );
    }

    /// A folder the walk cannot enter is an unreported skip (said on every
    /// run by `dols check`, shown by the server), not dropped.
    #[cfg(unix)]
    #[test]
    fn folders_the_walk_cannot_enter_are_said() {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            eprintln!("skipped: root enters any folder, so no walk error can be made here");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let locked = root.join("locked");
        std::fs::create_dir_all(&locked).unwrap();
        std::fs::write(locked.join("a.ts"), "export {};\n").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let found = discover(std::slice::from_ref(&root), &[]);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(
            found
                .skipped
                .iter()
                .any(|s| !s.reported && s.reason.contains("not walked")),
            "{:?}",
            found.skipped
        );
    }

    /// A symlinked config is discovered and read through the link; a FIFO
    /// under a module's name is kept as an unread input, with the reason.
    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_fifos_are_said() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("app");
        std::fs::create_dir_all(root.join("src")).unwrap();
        let shared = dir.path().join("shared.toml");
        std::fs::write(&shared, "name = \"app\"\n").unwrap();
        std::os::unix::fs::symlink(&shared, root.join("wrangler.toml")).unwrap();
        let fifo = std::ffi::CString::new(root.join("src/pipe.ts").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo reads it only.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let (inputs, skipped) = load(std::slice::from_ref(&root), &[]);
        let role_of = |name: &str| {
            inputs
                .iter()
                .find(|i| i.path == root.join(name))
                .map(|i| i.role)
        };
        assert_eq!(
            role_of("wrangler.toml"),
            Some(FileRole::Config(ConfigFormat::Toml))
        );
        assert_eq!(
            role_of("src/pipe.ts"),
            Some(FileRole::Unread(UnreadReason::NotRegular))
        );
        assert!(skipped.iter().any(|s| s.path == root.join("src/pipe.ts")));
    }

    /// Cancelling during the walk or during the reads keeps what was read,
    /// reads nothing more, and leaves an unreported skip that says so.
    #[test]
    fn cancelled_indexing_stops_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("src")).unwrap();
        for i in 0..20 {
            std::fs::write(root.join(format!("src/m{i:02}.ts")), "export {};\n").unwrap();
        }
        let (all, _) = load(std::slice::from_ref(&root), &[]);
        assert_eq!(all.len(), 20);
        // Asked once per walked entry (the root, the folder, 20 files), then
        // once per read: stopping after 30 asks stops in the reads, after 5
        // in the walk.
        for (asks, stage) in [(30, "reads"), (5, "walk")] {
            let asked = std::cell::Cell::new(0);
            let cancelled = || {
                asked.set(asked.get() + 1);
                asked.get() > asks
            };
            let (inputs, skipped) = load_until(
                std::slice::from_ref(&root),
                &[],
                Limits::default(),
                &cancelled,
            );
            assert!(inputs.len() < all.len(), "{stage}: {} read", inputs.len());
            let said: Vec<_> = skipped.iter().filter(|s| s.reason == CANCELLED).collect();
            assert_eq!(said.len(), 1, "{stage}: {skipped:?}");
            assert!(
                !said[0].reported,
                "no finding carries it: the caller says it"
            );
            // Nothing is asked after the stop.
            let stopped_at = asked.get();
            assert_eq!(stopped_at, asks + 1, "{stage}");
        }
    }

    /// Binary, non-UTF-8 and minified sources are skipped with the reason.
    #[test]
    fn unreadable_texts_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let source = FileRole::Source(SourceLanguage::TypeScript);
        let long_line = format!("export const x = \"{}\";\n", "a".repeat(MAX_SOURCE_LINE));
        for (name, bytes, reason) in [
            ("nul.ts", b"export const a = 1;\0".to_vec(), "NUL bytes"),
            ("latin1.ts", b"// caf\xe9\n".to_vec(), "not valid UTF-8"),
            ("bundle.ts", long_line.into_bytes(), "looks minified"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let refused = read_text(&path, source).unwrap_err().to_string();
            assert!(refused.contains(reason), "{name}: {refused}");
        }
    }

    #[test]
    fn pnpm_workspace_packages_are_read_without_a_yaml_parser() {
        let text = "# monorepo\npackages:\n  - 'apps/*'\n  - \"packages/**\" # every one\n- tools/cli\n\ncatalog:\n  - not-a-package\n";
        assert_eq!(
            pnpm_workspace_packages(text),
            vec!["apps/*", "packages/**", "tools/cli"]
        );
        assert_eq!(
            pnpm_workspace_packages("packages: ['a/*', \"b\"]\n"),
            vec!["a/*", "b"]
        );
        assert!(wildcard_match("*", "rooms"));
        assert!(wildcard_match("pkg-*", "pkg-rooms"));
        assert!(wildcard_match("*-do-*", "chat-do-v2"));
        assert!(!wildcard_match("pkg-*", "rooms"));
        assert!(!wildcard_match("*-x", "x"));
    }

    /// The declared workspaces (globs, `**`, negations) name the packages;
    /// dependency folders and packages without a name are not among them.
    #[test]
    fn monorepo_packages_come_from_the_declared_workspaces() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "package.json",
            r#"{ "workspaces": { "packages": ["apps/*", "packages/**", "!packages/private"] } }"#,
        );
        write("apps/chat/package.json", r#"{ "name": "@acme/chat" }"#);
        write(
            "packages/rooms/package.json",
            r#"{ "name": "@acme/rooms" }"#,
        );
        write("packages/group/deep/package.json", r#"{ "name": "deep" }"#);
        write("packages/private/package.json", r#"{ "name": "private" }"#);
        write(
            "packages/node_modules/dep/package.json",
            r#"{ "name": "dep" }"#,
        );
        write("packages/nameless/package.json", "{}");
        let mut packages = MonorepoPackages::around(&[root.join("apps/chat")]);
        let names: Vec<String> = ["@acme/rooms", "deep", "private", "dep", "hono"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let root = crate::model::resolve::normalize(&std::path::absolute(root).unwrap());
        assert_eq!(
            packages.manifests_of(&names),
            vec![
                root.join("packages/group/deep/package.json"),
                root.join("packages/rooms/package.json"),
            ]
        );
    }

    #[test]
    fn roles() {
        assert_eq!(
            FileRole::of(Path::new("a/wrangler.jsonc")),
            Some(FileRole::Config(ConfigFormat::Jsonc))
        );
        assert_eq!(
            FileRole::of(Path::new("a/.dev.vars.staging")),
            Some(FileRole::DotVars)
        );
        assert_eq!(
            FileRole::of(Path::new("a/x.d.ts")),
            Some(FileRole::Source(SourceLanguage::TypeScript))
        );
        assert_eq!(FileRole::of(Path::new("a/README.md")), None);
    }

    /// The discovered paths, relative to `root`, with `/` separators.
    fn relative_names(root: &Path, found: &Discovered) -> Vec<String> {
        found
            .files
            .iter()
            .map(|(p, _)| {
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    /// `wrangler types` output listed in `.gitignore` is still read when
    /// the project names it (beside a wrangler config, or literally in a
    /// tsconfig); other ignored files, globs, dependency folders and the
    /// user's excludes stay out.
    #[test]
    fn ignored_type_declarations_the_project_names_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["api", "web/types", "generated", "node_modules/x"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        let files = [
            ("api/wrangler.toml", ""),
            ("api/worker-configuration.d.ts", "interface Env {}"),
            ("api/other.d.ts", ""),
            ("web/wrangler.jsonc", "{}"),
            (
                "web/tsconfig.json",
                "{ // comments are fine\n \"include\": [\"src/**/*.ts\", \"types/env.d.ts\"],\n \"compilerOptions\": {\"types\": [\"../node_modules/x/index.d.ts\", \"@cloudflare/workers-types\"]}}",
            ),
            ("web/types/env.d.ts", "interface Env {}"),
            ("web/types/glob.d.ts", ""),
            ("node_modules/x/index.d.ts", ""),
            ("generated/worker-configuration.d.ts", ""),
        ];
        for (path, text) in files {
            std::fs::write(root.join(path), text).unwrap();
        }
        std::fs::write(root.join(".gitignore"), "*.d.ts\ngenerated/\n").unwrap();
        let names = |found: &Discovered| -> Vec<String> {
            relative_names(root, found)
                .into_iter()
                .filter(|p| p.ends_with(".d.ts"))
                .collect()
        };
        let found = discover(&[root.to_path_buf()], &[]);
        assert_eq!(
            names(&found),
            ["api/worker-configuration.d.ts", "web/types/env.d.ts"]
        );
        let found = discover(&[root.to_path_buf()], &["web/types/**".to_string()]);
        assert_eq!(names(&found), ["api/worker-configuration.d.ts"]);
    }

    #[test]
    fn walk_skips_dependencies_and_honours_gitignore_without_git() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("node_modules/lib")).unwrap();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("generated")).unwrap();
        std::fs::write(root.join("wrangler.toml"), "").unwrap();
        std::fs::write(root.join("node_modules/lib/wrangler.toml"), "").unwrap();
        std::fs::write(root.join("src/index.ts"), "").unwrap();
        std::fs::write(root.join("generated/x.ts"), "").unwrap();
        std::fs::write(root.join(".gitignore"), "generated/\n").unwrap();
        let found = discover(&[root.to_path_buf()], &[]);
        assert_eq!(
            relative_names(root, &found),
            vec!["src/index.ts", "wrangler.toml"]
        );

        let found = discover(&[root.to_path_buf()], &["src/**".to_string()]);
        assert_eq!(
            found.files.len(),
            1,
            "exclude globs drop src/: {:?}",
            found.files
        );
    }
}
