//! Module resolution the way TypeScript's bundler mode sees a Worker:
//! relative specifiers with extension mapping (`./x.js` → `./x.ts`), index
//! files, `tsconfig.json` `baseUrl`/`paths` aliases, and bare specifiers
//! that name a package of the workspace (a `package.json` the engine read,
//! outside `node_modules`): `@acme/rooms` and `@acme/rooms/sub` through the
//! package's `exports`, `module`, `main` or `index.*`, with built output
//! (`./dist/index.js`) mapped back to its source. Other packages are
//! external and resolve to nothing.
//!
//! Why not `oxc_resolver`: it finds a bare specifier by walking up to
//! `node_modules/<name>` and following the package manager's symlink there,
//! but the engine sees no `node_modules` (discovery skips it, and a fresh
//! checkout has none), so the in-memory file set would need a faked
//! `node_modules` tree of symlinks behind its `FileSystem` trait. That
//! trait's file system is also fixed when the resolver is made and its
//! answers are cached inside it, while `resolve_in` asks a different
//! oracle per call (the disk, for `dols check <folder>`). It has no rule
//! mapping `dist/` output back to `src/` (the main reason a workspace
//! package resolves to nothing in a monorepo that was never built), and it
//! would add a dozen crates to the build. The package.json rules the
//! engine needs are few: they are below.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Extensions tried, in TypeScript's order, when a specifier has none.
const SOURCE_EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "d.ts", "js", "jsx", "mjs", "cjs"];

/// The `exports` conditions a Worker build matches. wrangler bundles with
/// esbuild, which it gives the conditions `workerd`, `worker` and
/// `browser` (the Workers runtime first, then generic worker and browser
/// builds, which run there too); esbuild itself adds `import` (a Worker is
/// ES modules), `module` and `default`. `require` and `node` never match:
/// a Worker is neither CommonJS nor Node.
///
/// Which of them wins is the package's own key order, not this list's, as
/// in Node's algorithm and in esbuild: `{ "import": …, "workerd": … }`
/// bundles the `import` target, so that is the file analysed. The other
/// matching conditions, in the same key order, are tried only when the
/// winner's target is no file of the workspace (not even mapped back to
/// source); `types` comes last of all, only when nothing else exists,
/// because it names declarations (`.d.ts`), not the code that runs.
const WORKER_CONDITIONS: &[&str] = &[
    "workerd", "worker", "browser", "import", "module", "default",
];

/// Folders that hold build output in a package: a target inside one that
/// is not in the workspace is looked for in `src/`.
const OUTPUT_DIRS: &[&str] = &["dist", "build", "lib", "out"];

/// A folder level some builds add below the output folder
/// (`dist/esm/index.js` for `src/index.ts`).
const OUTPUT_FLAVOURS: &[&str] = &["esm", "cjs", "es", "mjs", "types"];

/// Extensions of built output, longest first: what is left is the stem
/// whose source is looked for.
const OUTPUT_EXTENSIONS: &[&str] = &[".d.ts", ".d.mts", ".d.cts", ".js", ".mjs", ".cjs", ".jsx"];

/// The `compilerOptions` of one tsconfig that matter for resolution, with
/// `extends` already applied.
#[derive(Clone, Debug, Default)]
pub struct TsConfigPaths {
    /// Folder that `paths` targets are relative to (`baseUrl`, else the
    /// folder of the tsconfig that declared `paths`).
    pub base: PathBuf,
    pub base_url: Option<PathBuf>,
    /// `(pattern, targets)` in declaration order.
    pub paths: Vec<(String, Vec<String>)>,
    /// `outDir` and `rootDir`: where a package built with `tsc` (or by
    /// project references) puts its output, and where its source is.
    pub out_dir: Option<PathBuf>,
    pub root_dir: Option<PathBuf>,
}

/// A JSON value with object keys in the order written (`exports`
/// conditions are ordered; `serde_json`'s map here is not).
#[derive(Clone, Debug, PartialEq)]
enum Json {
    String(String),
    Null,
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
    /// Numbers and booleans: never a target.
    Other,
}

impl Json {
    fn parse(text: &str) -> Option<Json> {
        let value =
            jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
        Some(Json::from_ast(&value.value?))
    }

    fn from_ast(value: &jsonc_parser::ast::Value) -> Json {
        use jsonc_parser::ast::Value;
        match value {
            Value::StringLit(s) => Json::String(s.value.to_string()),
            Value::NullKeyword(_) => Json::Null,
            Value::Array(a) => Json::Array(a.elements.iter().map(Json::from_ast).collect()),
            Value::Object(o) => Json::Object(
                o.properties
                    .iter()
                    .map(|p| (p.name.as_str().to_string(), Json::from_ast(&p.value)))
                    .collect(),
            ),
            Value::NumberLit(_) | Value::BooleanLit(_) => Json::Other,
        }
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A package of the workspace: the folder of a `package.json` with a
/// `name`, and its entry points.
#[derive(Clone, Debug)]
struct Package {
    dir: PathBuf,
    exports: Option<Json>,
    module: Option<String>,
    main: Option<String>,
    /// `types`, else `typings`.
    types: Option<String>,
}

impl Package {
    fn read(path: &Path, text: &str) -> Option<(String, Package)> {
        let json = Json::parse(text)?;
        let name = json.get("name")?.as_str()?;
        if package_name(name) != Some(name) {
            return None;
        }
        let field = |key: &str| json.get(key).and_then(Json::as_str).map(String::from);
        let package = Package {
            dir: path.parent()?.to_path_buf(),
            exports: json.get("exports").cloned(),
            module: field("module"),
            main: field("main"),
            types: field("types").or_else(|| field("typings")),
        };
        Some((name.to_string(), package))
    }
}

/// The package name a bare specifier starts with (`@scope/name` or
/// `name`), or `None` for relative, absolute, `#` (package imports) and
/// scheme (`node:`, `cloudflare:`) specifiers.
pub fn package_name(specifier: &str) -> Option<&str> {
    if specifier.is_empty()
        || specifier.starts_with(['.', '/', '#', '\\'])
        || specifier.contains(':')
    {
        return None;
    }
    let end = if let Some(scoped) = specifier.strip_prefix('@') {
        let slash = scoped.find('/')?;
        if slash == 0 {
            return None;
        }
        let rest = &scoped[slash + 1..];
        1 + slash + 1 + rest.find('/').unwrap_or(rest.len())
    } else {
        specifier.find('/').unwrap_or(specifier.len())
    };
    let name = &specifier[..end];
    (!name.ends_with('/')).then_some(name)
}

#[derive(Debug, Default)]
pub struct Resolver {
    known_files: HashSet<PathBuf>,
    /// tsconfig folder → its resolved options.
    tsconfigs: HashMap<PathBuf, TsConfigPaths>,
    /// The workspace's packages by name.
    packages: HashMap<String, Package>,
}

impl Resolver {
    /// `files`: every source path the engine knows. `tsconfigs`: path and
    /// text of every tsconfig.json; unreadable ones are ignored (they only
    /// add aliases). `package_jsons`: path and text of every package.json;
    /// those inside `node_modules` and those without a valid `name` are
    /// ignored, and of two with the same name the shallower one counts.
    pub fn new<'a>(
        files: impl IntoIterator<Item = PathBuf>,
        tsconfigs: impl IntoIterator<Item = (&'a Path, &'a str)>,
        package_jsons: impl IntoIterator<Item = (&'a Path, &'a str)>,
    ) -> Self {
        let texts: HashMap<PathBuf, &str> = tsconfigs
            .into_iter()
            .map(|(p, t)| (normalize(p), t))
            .collect();
        let mut resolved = HashMap::new();
        // Only `tsconfig.json` / `jsconfig.json` govern a folder; other
        // `tsconfig.*.json` files matter only as `extends` targets.
        let mut owners: Vec<&PathBuf> = texts
            .keys()
            .filter(|p| {
                matches!(
                    p.file_name().and_then(|n| n.to_str()),
                    Some("tsconfig.json" | "jsconfig.json")
                )
            })
            .collect();
        // tsconfig.json wins over jsconfig.json in the same folder.
        owners.sort_by_key(|p| std::cmp::Reverse(p.to_path_buf()));
        for path in owners {
            let mut seen = HashSet::new();
            if let Some(options) = load_tsconfig(path, &texts, &mut seen) {
                if let Some(dir) = path.parent() {
                    resolved.entry(dir.to_path_buf()).or_insert(options);
                }
            }
        }
        let mut manifests: Vec<(PathBuf, &str)> = package_jsons
            .into_iter()
            .map(|(p, t)| (normalize(p), t))
            .filter(|(p, _)| !p.components().any(|c| c.as_os_str() == "node_modules"))
            .collect();
        manifests.sort_by(|(a, _), (b, _)| {
            (a.components().count(), a).cmp(&(b.components().count(), b))
        });
        let mut packages = HashMap::new();
        for (path, text) in manifests {
            if let Some((name, package)) = Package::read(&path, text) {
                packages.entry(name).or_insert(package);
            }
        }
        Resolver {
            known_files: files.into_iter().map(|p| normalize(&p)).collect(),
            tsconfigs: resolved,
            packages,
        }
    }

    pub fn is_known(&self, path: &Path) -> bool {
        self.known_files.contains(path)
    }

    /// Whether `specifier` names a package of the workspace (`@acme/rooms`,
    /// `@acme/rooms/sub`).
    pub fn names_workspace_package(&self, specifier: &str) -> bool {
        package_name(specifier).is_some_and(|name| self.packages.contains_key(name))
    }

    /// Resolves `specifier` imported from `from`, or `None` for packages
    /// outside the workspace, runtime modules (`cloudflare:workers`) and
    /// files that do not exist.
    pub fn resolve(&self, from: &Path, specifier: &str) -> Option<PathBuf> {
        self.resolve_in(from, specifier, &|path| self.known_files.contains(path))
    }

    /// [`Self::resolve`] against another set of files: `exists` says
    /// whether a path is a file (the CLI asks the disk, to follow a
    /// Worker's imports out of the checked folder).
    pub fn resolve_in(
        &self,
        from: &Path,
        specifier: &str,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Option<PathBuf> {
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            let base = from.parent()?.join(specifier);
            return self.resolve_path(exists, &normalize(&base));
        }
        if specifier.starts_with('/') {
            return self.resolve_path(exists, &normalize(Path::new(specifier)));
        }
        if specifier.contains(':') {
            return None;
        }
        // As TypeScript: `paths`, then `baseUrl`, then packages.
        if let Some(found) = self.resolve_alias(from, specifier, exists) {
            return Some(found);
        }
        self.resolve_package(specifier, exists)
    }

    /// A specifier through the nearest tsconfig's `paths` and `baseUrl`.
    fn resolve_alias(
        &self,
        from: &Path,
        specifier: &str,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Option<PathBuf> {
        let options = self.tsconfig_for(from)?;
        for (pattern, targets) in &options.paths {
            let Some(captured) = match_pattern(pattern, specifier) else {
                continue;
            };
            for target in targets {
                let candidate = options.base.join(target.replacen('*', captured, 1));
                if let Some(found) = self.resolve_path(exists, &normalize(&candidate)) {
                    return Some(found);
                }
            }
        }
        let base_url = options.base_url.as_ref()?;
        self.resolve_path(exists, &normalize(&base_url.join(specifier)))
    }

    /// A bare specifier naming a workspace package: its `exports`, else
    /// (or when `exports` leads to no file: TypeScript's older resolution
    /// modes ignore it, and the analysis would rather see the package than
    /// nothing) `module`, `main` and `index.*` for the package itself, the
    /// path inside the package for a subpath. Declarations (`types`
    /// conditions, the `types` field) only when nothing else has a file.
    fn resolve_package(&self, specifier: &str, exists: &dyn Fn(&Path) -> bool) -> Option<PathBuf> {
        let name = package_name(specifier)?;
        let package = self.packages.get(name)?;
        let subpath = format!(".{}", &specifier[name.len()..]);
        let exported = |with_types: bool| {
            let exports = package.exports.as_ref()?;
            self.resolve_exports(package, exports, &subpath, with_types, exists)
        };
        if let Some(found) = exported(false) {
            return Some(found);
        }
        if subpath != "." {
            return self
                .resolve_in_package(package, &subpath, exists)
                .or_else(|| exported(true));
        }
        [&package.module, &package.main]
            .into_iter()
            .flatten()
            .find_map(|entry| self.resolve_in_package(package, entry, exists))
            .or_else(|| self.resolve_in_package(package, ".", exists))
            .or_else(|| exported(true))
            .or_else(|| {
                let types = package.types.as_ref()?;
                self.resolve_in_package(package, types, exists)
            })
    }

    /// `subpath` (`.` or `./x`) through an `exports` value: a target, an
    /// array of fallbacks, conditions, or a map of subpaths (exact keys,
    /// then `*` patterns, the longest prefix first, as Node orders them).
    fn resolve_exports(
        &self,
        package: &Package,
        exports: &Json,
        subpath: &str,
        with_types: bool,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Option<PathBuf> {
        let target = |target: &Json, captured: &str| {
            self.resolve_export_target(package, target, captured, with_types, exists)
        };
        let subpaths = match exports {
            Json::Object(entries) if entries.iter().any(|(key, _)| key.starts_with('.')) => entries,
            // A target or conditions without subpath keys: the package's
            // `.` alone.
            _ => return (subpath == ".").then(|| target(exports, "")).flatten(),
        };
        if let Some((_, exact)) = subpaths
            .iter()
            .find(|(key, _)| key == subpath && !key.contains('*'))
        {
            return target(exact, "");
        }
        let mut best: Option<(&str, &str, &Json)> = None;
        for (key, value) in subpaths {
            let Some((prefix, suffix)) = key.split_once('*') else {
                continue;
            };
            if suffix.contains('*') {
                continue;
            }
            let Some(captured) = match_pattern(key, subpath).filter(|c| !c.is_empty()) else {
                continue;
            };
            let better = best.is_none_or(|(best_key, _, _)| {
                let best_prefix = best_key.split_once('*').map_or(best_key, |(p, _)| p);
                (prefix.len(), key.len()) > (best_prefix.len(), best_key.len())
            });
            if better {
                best = Some((key, captured, value));
            }
        }
        let (_, captured, value) = best?;
        target(value, captured)
    }

    /// One `exports` target: a `./` path (its `*`s replaced by `captured`),
    /// fallbacks in order, or conditions (see [`WORKER_CONDITIONS`]; the
    /// `types` ones only `with_types`, once nothing else had a file).
    /// `null` excludes the subpath.
    fn resolve_export_target(
        &self,
        package: &Package,
        target: &Json,
        captured: &str,
        with_types: bool,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Option<PathBuf> {
        let next = |t: &Json| self.resolve_export_target(package, t, captured, with_types, exists);
        match target {
            Json::String(path) => {
                if !path.starts_with("./") {
                    return None;
                }
                self.resolve_in_package(package, &path.replace('*', captured), exists)
            }
            Json::Array(fallbacks) => fallbacks.iter().find_map(next),
            Json::Object(conditions) => conditions
                .iter()
                .filter(|(condition, _)| WORKER_CONDITIONS.contains(&condition.as_str()))
                .chain(
                    conditions
                        .iter()
                        .filter(|(c, _)| with_types && c == "types"),
                )
                .find_map(|(_, t)| next(t)),
            Json::Null | Json::Other => None,
        }
    }

    /// A path inside a package (an entry point or an export target): the
    /// file itself when it is source, else its source when the path is
    /// build output (see [`Self::source_of_output`]), else the output file
    /// when `exists` has it.
    fn resolve_in_package(
        &self,
        package: &Package,
        target: &str,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Option<PathBuf> {
        let path = normalize(&package.dir.join(target));
        let direct = self.resolve_path(exists, &path);
        if let Some(found) = &direct {
            if !is_build_output(&package.dir, found) {
                return direct;
            }
        }
        self.source_of_output(package, &path, exists).or(direct)
    }

    /// The source of built output, the way TypeScript project references
    /// and common monorepo setups lay it out, and only a file `exists`
    /// has: the package tsconfig's `outDir` → `rootDir` (default `src/`);
    /// the same path with source extensions (`dist/index.js` →
    /// `dist/index.ts`); `dist/`, `build/`, `lib/`, `out/` → `src/` (also
    /// past a format folder: `dist/esm/x.js` → `src/x.ts`), then → the
    /// package root.
    fn source_of_output(
        &self,
        package: &Package,
        path: &Path,
        exists: &dyn Fn(&Path) -> bool,
    ) -> Option<PathBuf> {
        let text = path.to_string_lossy();
        let stem = OUTPUT_EXTENSIONS
            .iter()
            .find_map(|ext| text.strip_suffix(ext))
            .map_or_else(|| path.to_path_buf(), PathBuf::from);
        let relative = stem.strip_prefix(&package.dir).ok()?;
        let mut candidates = Vec::new();
        if let Some(options) = self.tsconfigs.get(&package.dir) {
            if let Some(rest) = options
                .out_dir
                .as_ref()
                .and_then(|out| stem.strip_prefix(out).ok())
            {
                match &options.root_dir {
                    Some(root) => candidates.push(root.join(rest)),
                    None => {
                        candidates.push(package.dir.join("src").join(rest));
                        candidates.push(package.dir.join(rest));
                    }
                }
            }
        }
        candidates.push(stem.clone());
        let mut parts = relative.components();
        let first = parts.next().and_then(|c| c.as_os_str().to_str());
        if first.is_some_and(|first| OUTPUT_DIRS.contains(&first)) {
            let rest = parts.as_path();
            candidates.push(package.dir.join("src").join(rest));
            let mut inner = rest.components();
            let flavour = inner.next().and_then(|c| c.as_os_str().to_str());
            if flavour.is_some_and(|f| OUTPUT_FLAVOURS.contains(&f)) {
                candidates.push(package.dir.join("src").join(inner.as_path()));
            }
            candidates.push(package.dir.join(rest));
        }
        candidates.into_iter().find_map(|candidate| {
            let found = self.resolve_path(exists, &candidate)?;
            (!is_build_output(&package.dir, &found)).then_some(found)
        })
    }

    /// The nearest tsconfig above `file`.
    fn tsconfig_for(&self, file: &Path) -> Option<&TsConfigPaths> {
        file.ancestors()
            .skip(1)
            .find_map(|dir| self.tsconfigs.get(dir))
    }

    fn resolve_path(&self, exists: &dyn Fn(&Path) -> bool, base: &Path) -> Option<PathBuf> {
        if exists(base) {
            return Some(base.to_path_buf());
        }
        let text = base.to_string_lossy();
        // `./x.js` written in TS source refers to `./x.ts`.
        for (written, actual) in [
            (".js", &["ts", "tsx"][..]),
            (".jsx", &["tsx"][..]),
            (".mjs", &["mts"][..]),
            (".cjs", &["cts"][..]),
        ] {
            if let Some(stem) = text.strip_suffix(written) {
                for ext in actual {
                    let candidate = PathBuf::from(format!("{stem}.{ext}"));
                    if exists(&candidate) {
                        return Some(candidate);
                    }
                }
            }
        }
        for ext in SOURCE_EXTENSIONS {
            let candidate = PathBuf::from(format!("{text}.{ext}"));
            if exists(&candidate) {
                return Some(candidate);
            }
        }
        for ext in SOURCE_EXTENSIONS {
            let candidate = base.join(format!("index.{ext}"));
            if exists(&candidate) {
                return Some(candidate);
            }
        }
        None
    }
}

/// Whether `file` lies in a folder discovery never reads (`dist/`,
/// `build/`, `node_modules/`, ...) below the package folder: build output,
/// whose source is preferred.
fn is_build_output(package_dir: &Path, file: &Path) -> bool {
    file.strip_prefix(package_dir).is_ok_and(|relative| {
        relative.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|name| crate::discovery::SKIPPED_DIRS.contains(&name))
        })
    })
}

/// Matches a tsconfig `paths` pattern with at most one `*`; returns what the
/// star captured (empty for exact patterns).
fn match_pattern<'s>(pattern: &str, specifier: &'s str) -> Option<&'s str> {
    match pattern.split_once('*') {
        None => (pattern == specifier).then_some(""),
        Some((prefix, suffix)) => {
            if specifier.len() >= prefix.len() + suffix.len()
                && specifier.starts_with(prefix)
                && specifier.ends_with(suffix)
            {
                Some(&specifier[prefix.len()..specifier.len() - suffix.len()])
            } else {
                None
            }
        }
    }
}

/// Reads one tsconfig, following a relative `extends` chain (cycles stop).
fn load_tsconfig(
    path: &Path,
    texts: &HashMap<PathBuf, &str>,
    seen: &mut HashSet<PathBuf>,
) -> Option<TsConfigPaths> {
    if !seen.insert(path.to_path_buf()) {
        return None;
    }
    let text = texts.get(path)?;
    let value: serde_json::Value =
        jsonc_parser::parse_to_serde_value(text, &jsonc_parser::ParseOptions::default()).ok()?;
    let dir = path.parent()?.to_path_buf();
    let mut options = value
        .get("extends")
        .and_then(|e| e.as_str())
        .filter(|e| e.starts_with('.'))
        .and_then(|e| {
            let mut target = normalize(&dir.join(e));
            if !texts.contains_key(&target) {
                target = normalize(&dir.join(format!("{e}.json")));
            }
            load_tsconfig(&target, texts, seen)
        })
        .unwrap_or_else(|| TsConfigPaths {
            base: dir.clone(),
            ..Default::default()
        });
    let compiler = value.get("compilerOptions");
    let folder = |key: &str| {
        compiler
            .and_then(|c| c.get(key))
            .and_then(|b| b.as_str())
            .map(|b| normalize(&dir.join(b)))
    };
    if let Some(base_url) = folder("baseUrl") {
        options.base = base_url.clone();
        options.base_url = Some(base_url);
    }
    // Relative to the tsconfig that declares them, as TypeScript reads them.
    if let Some(out_dir) = folder("outDir") {
        options.out_dir = Some(out_dir);
    }
    if let Some(root_dir) = folder("rootDir") {
        options.root_dir = Some(root_dir);
    }
    if let Some(paths) = compiler
        .and_then(|c| c.get("paths"))
        .and_then(|p| p.as_object())
    {
        if options.base_url.is_none() {
            options.base = dir.clone();
        }
        options.paths = paths
            .iter()
            .map(|(pattern, targets)| {
                let targets = targets
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                (pattern.clone(), targets)
            })
            .collect();
    }
    Some(options)
}

/// Lexically removes `.` and `..` components (no file system access).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(files: &[&str], tsconfigs: &[(&str, &str)]) -> Resolver {
        resolver_with_packages(files, tsconfigs, &[])
    }

    fn resolver_with_packages(
        files: &[&str],
        tsconfigs: &[(&str, &str)],
        packages: &[(&str, &str)],
    ) -> Resolver {
        let owned = |list: &[(&str, &str)]| -> Vec<(PathBuf, String)> {
            list.iter()
                .map(|(p, t)| (PathBuf::from(p), t.to_string()))
                .collect()
        };
        let (tsconfigs, packages) = (owned(tsconfigs), owned(packages));
        Resolver::new(
            files.iter().map(PathBuf::from),
            tsconfigs.iter().map(|(p, t)| (p.as_path(), t.as_str())),
            packages.iter().map(|(p, t)| (p.as_path(), t.as_str())),
        )
    }

    /// One package `@acme/rooms` at /w/packages/rooms with `manifest`, the
    /// `files` (relative to the package), and an importer at /w/apps/chat.
    fn rooms(manifest: &str, files: &[&str]) -> Resolver {
        let mut all: Vec<String> = files
            .iter()
            .map(|f| format!("/w/packages/rooms/{f}"))
            .collect();
        all.push("/w/apps/chat/src/index.ts".to_string());
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        resolver_with_packages(&all, &[], &[("/w/packages/rooms/package.json", manifest)])
    }

    const FROM: &str = "/w/apps/chat/src/index.ts";

    fn resolves(r: &Resolver, specifier: &str) -> Option<String> {
        r.resolve(Path::new(FROM), specifier).map(|p| {
            p.strip_prefix("/w/packages/rooms/")
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned()
        })
    }

    #[test]
    fn relative_with_extension_mapping_and_index() {
        let r = resolver(
            &[
                "/w/src/index.ts",
                "/w/src/do.ts",
                "/w/src/lib/index.tsx",
                "/w/src/a.mts",
            ],
            &[],
        );
        let from = Path::new("/w/src/index.ts");
        assert_eq!(
            r.resolve(from, "./do.js"),
            Some(PathBuf::from("/w/src/do.ts"))
        );
        assert_eq!(r.resolve(from, "./do"), Some(PathBuf::from("/w/src/do.ts")));
        assert_eq!(
            r.resolve(from, "./lib"),
            Some(PathBuf::from("/w/src/lib/index.tsx"))
        );
        assert_eq!(
            r.resolve(from, "./a.mjs"),
            Some(PathBuf::from("/w/src/a.mts"))
        );
        assert_eq!(
            r.resolve(Path::new("/w/src/lib/index.tsx"), "../do"),
            Some(PathBuf::from("/w/src/do.ts"))
        );
        assert_eq!(r.resolve(from, "./missing"), None);
        assert_eq!(r.resolve(from, "cloudflare:workers"), None);
        assert_eq!(r.resolve(from, "hono"), None);
    }

    #[test]
    fn tsconfig_paths_and_extends() {
        let r = resolver(
            &["/w/src/index.ts", "/w/src/objects/counter.ts", "/w/shared/util.ts"],
            &[
                ("/w/tsconfig.base.json", r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@shared/*": ["shared/*"] } } }"#),
                ("/w/tsconfig.json", "{ // comment\n \"extends\": \"./tsconfig.base.json\", \"compilerOptions\": { \"paths\": { \"@/*\": [\"./src/*\"], }, }, }"),
            ],
        );
        let from = Path::new("/w/src/index.ts");
        assert_eq!(
            r.resolve(from, "@/objects/counter"),
            Some(PathBuf::from("/w/src/objects/counter.ts"))
        );
        // The child's `paths` replaces the parent's, as in TypeScript; baseUrl stays.
        assert_eq!(r.resolve(from, "@shared/util"), None);
        assert_eq!(
            r.resolve(from, "shared/util"),
            Some(PathBuf::from("/w/shared/util.ts"))
        );
    }

    #[test]
    fn cyclic_extends_terminates() {
        let r = resolver(
            &["/w/a.ts"],
            &[("/w/tsconfig.json", r#"{"extends": "./tsconfig.json"}"#)],
        );
        assert_eq!(r.resolve(Path::new("/w/a.ts"), "x"), None);
    }

    #[test]
    fn package_names_of_bare_specifiers() {
        assert_eq!(package_name("hono"), Some("hono"));
        assert_eq!(package_name("hono/cors"), Some("hono"));
        assert_eq!(package_name("@acme/rooms"), Some("@acme/rooms"));
        assert_eq!(package_name("@acme/rooms/a/b"), Some("@acme/rooms"));
        for not_a_package in [
            "",
            "./x",
            "../x",
            "/abs",
            "#internal",
            "node:fs",
            "cloudflare:workers",
            "@acme",
            "@acme/",
            "@/x",
        ] {
            assert_eq!(package_name(not_a_package), None, "{not_a_package}");
        }
    }

    #[test]
    fn exports_as_a_string_names_the_package_itself() {
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": "./src/room.ts" }"#,
            &["src/room.ts", "src/other.ts"],
        );
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("src/room.ts"));
        // A string `exports` exports nothing else; the subpath is still
        // looked up in the package (older resolution modes read it).
        assert_eq!(
            resolves(&r, "@acme/rooms/src/other").as_deref(),
            Some("src/other.ts")
        );
        assert!(r.names_workspace_package("@acme/rooms/x"));
        assert!(!r.names_workspace_package("@acme/other"));
    }

    /// The first condition a Worker build matches, in the package's key
    /// order; `require` never; `types` only when nothing else has a file.
    #[test]
    fn exports_conditions_follow_the_package_order_with_types_last() {
        let files = &[
            "src/import.ts",
            "src/workerd.ts",
            "src/node.ts",
            "src/types.d.ts",
            "src/default.ts",
        ];
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": {
                "types": "./src/types.d.ts", "require": "./src/node.ts",
                "import": "./src/import.ts", "workerd": "./src/workerd.ts" } }"#,
            files,
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("src/import.ts")
        );
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": {
                "node": "./src/node.ts", "workerd": "./src/workerd.ts", "default": "./src/default.ts" } }"#,
            files,
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("src/workerd.ts")
        );
        // Nested conditions, and a winner with no file falls to the next.
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": { ".": {
                "worker": { "types": "./src/types.d.ts", "default": "./src/missing.ts" },
                "module": "./src/default.ts" } } }"#,
            files,
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("src/default.ts")
        );
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": { "types": "./src/types.d.ts", "require": "./src/node.ts" } }"#,
            files,
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("src/types.d.ts")
        );
        // Fallback arrays: the first that exists.
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": { ".": ["./src/missing.ts", "./src/default.ts"] } }"#,
            files,
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("src/default.ts")
        );
    }

    #[test]
    fn exports_subpaths_and_patterns() {
        let r = rooms(
            r#"{ "name": "@acme/rooms", "exports": {
                ".": "./src/index.ts",
                "./room": { "import": "./src/room.ts" },
                "./objects/*": "./src/objects/*.ts",
                "./objects/special/*": "./src/special/*.ts",
                "./features/*.js": "./src/features/*.ts",
                "./private/*": null,
                "./package.json": "./package.json"
            } }"#,
            &[
                "src/index.ts",
                "src/room.ts",
                "src/objects/counter.ts",
                "src/objects/deep/nested.ts",
                "src/special/one.ts",
                "src/features/chat.ts",
                "src/private/secret.ts",
            ],
        );
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("src/index.ts"));
        assert_eq!(
            resolves(&r, "@acme/rooms/room").as_deref(),
            Some("src/room.ts")
        );
        assert_eq!(
            resolves(&r, "@acme/rooms/objects/counter").as_deref(),
            Some("src/objects/counter.ts")
        );
        // `*` spans folders.
        assert_eq!(
            resolves(&r, "@acme/rooms/objects/deep/nested").as_deref(),
            Some("src/objects/deep/nested.ts")
        );
        // The longest prefix wins.
        assert_eq!(
            resolves(&r, "@acme/rooms/objects/special/one").as_deref(),
            Some("src/special/one.ts")
        );
        assert_eq!(
            resolves(&r, "@acme/rooms/features/chat.js").as_deref(),
            Some("src/features/chat.ts")
        );
        // `null` excludes, and nothing is at that path inside the package.
        assert_eq!(resolves(&r, "@acme/rooms/private/secret"), None);
        assert_eq!(resolves(&r, "@acme/rooms/missing"), None);
    }

    #[test]
    fn module_then_main_then_index() {
        let both = r#"{ "name": "@acme/rooms", "module": "./src/esm.ts", "main": "src/cjs.ts" }"#;
        let r = rooms(both, &["src/esm.ts", "src/cjs.ts", "index.ts"]);
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("src/esm.ts"));
        let r = rooms(both, &["src/cjs.ts", "index.ts"]);
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("src/cjs.ts"));
        let r = rooms(both, &["index.ts"]);
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("index.ts"));
        let r = rooms(r#"{ "name": "@acme/rooms" }"#, &["index.js"]);
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("index.js"));
        // A subpath without `exports` is the path inside the package.
        let r = rooms(
            r#"{ "name": "@acme/rooms" }"#,
            &["src/room.ts", "utils/index.ts"],
        );
        assert_eq!(
            resolves(&r, "@acme/rooms/src/room.js").as_deref(),
            Some("src/room.ts")
        );
        assert_eq!(
            resolves(&r, "@acme/rooms/utils").as_deref(),
            Some("utils/index.ts")
        );
    }

    /// Built output that is not in the workspace maps back to its source.
    #[test]
    fn build_output_maps_to_source() {
        let r = rooms(
            r#"{ "name": "@acme/rooms", "main": "./dist/index.js", "types": "./dist/index.d.ts",
                "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/esm/index.mjs" },
                             "./room": "./build/room.js", "./lib/*": "./lib/*.cjs" } }"#,
            &["src/index.ts", "src/room.ts", "src/util.ts"],
        );
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("src/index.ts"));
        assert_eq!(
            resolves(&r, "@acme/rooms/room").as_deref(),
            Some("src/room.ts")
        );
        assert_eq!(
            resolves(&r, "@acme/rooms/lib/util").as_deref(),
            Some("src/util.ts")
        );
        // `main` and `types` alone, output beside its source, and a
        // package built from its root.
        let r = rooms(
            r#"{ "name": "@acme/rooms", "main": "dist/index.js" }"#,
            &["dist/index.ts"],
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("dist/index.ts")
        );
        let r = rooms(
            r#"{ "name": "@acme/rooms", "types": "./dist/room.d.ts" }"#,
            &["room.ts"],
        );
        assert_eq!(resolves(&r, "@acme/rooms").as_deref(), Some("room.ts"));
        // The package tsconfig's `outDir` → `rootDir`.
        let r = resolver_with_packages(
            &["/w/packages/rooms/source/index.ts", FROM],
            &[(
                "/w/packages/rooms/tsconfig.json",
                r#"{ "compilerOptions": { "outDir": "./compiled", "rootDir": "./source" } }"#,
            )],
            &[(
                "/w/packages/rooms/package.json",
                r#"{ "name": "@acme/rooms", "main": "./compiled/index.js" }"#,
            )],
        );
        assert_eq!(
            resolves(&r, "@acme/rooms").as_deref(),
            Some("source/index.ts")
        );
        // Nothing in the workspace: no file.
        let r = rooms(
            r#"{ "name": "@acme/rooms", "main": "./dist/index.js" }"#,
            &["README.ts"],
        );
        assert_eq!(resolves(&r, "@acme/rooms"), None);
    }

    /// When the disk is the oracle and the package was built, the source
    /// still wins over `dist/`; the output is the answer only without one.
    #[test]
    fn source_is_preferred_over_existing_output() {
        let r = rooms(
            r#"{ "name": "@acme/rooms", "main": "./dist/index.js" }"#,
            &[],
        );
        let disk = |files: &'static [&'static str]| {
            move |p: &Path| files.iter().any(|f| p == Path::new(f))
        };
        let built = disk(&[
            "/w/packages/rooms/dist/index.js",
            "/w/packages/rooms/src/index.ts",
        ]);
        assert_eq!(
            r.resolve_in(Path::new(FROM), "@acme/rooms", &built),
            Some(PathBuf::from("/w/packages/rooms/src/index.ts"))
        );
        let only_built = disk(&["/w/packages/rooms/dist/index.js"]);
        assert_eq!(
            r.resolve_in(Path::new(FROM), "@acme/rooms", &only_built),
            Some(PathBuf::from("/w/packages/rooms/dist/index.js"))
        );
    }

    #[test]
    fn packages_outside_the_workspace_stay_external() {
        let r = resolver_with_packages(
            &[
                FROM,
                "/w/node_modules/hono/index.ts",
                "/w/packages/rooms/index.ts",
            ],
            &[],
            &[
                ("/w/node_modules/hono/package.json", r#"{ "name": "hono" }"#),
                ("/w/packages/rooms/package.json", r#"{ "name": "rooms" }"#),
                ("/w/packages/broken/package.json", r##"{ "name": "#bad" }"##),
            ],
        );
        assert_eq!(r.resolve(Path::new(FROM), "hono"), None);
        assert_eq!(r.resolve(Path::new(FROM), "hono/cors"), None);
        assert!(!r.names_workspace_package("hono"));
        assert_eq!(
            r.resolve(Path::new(FROM), "rooms"),
            Some(PathBuf::from("/w/packages/rooms/index.ts"))
        );
        assert_eq!(r.resolve(Path::new(FROM), "@acme/rooms"), None);
    }

    /// tsconfig `paths` come first, as in TypeScript; of two packages with
    /// one name, the shallower one counts.
    #[test]
    fn paths_before_packages_and_the_shallower_duplicate() {
        let r = resolver_with_packages(
            &[
                FROM,
                "/w/packages/rooms/src/index.ts",
                "/w/apps/chat/src/local-rooms.ts",
                "/w/examples/deep/rooms/src/index.ts",
            ],
            &[(
                "/w/apps/chat/tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "@acme/rooms": ["./src/local-rooms.ts"] } } }"#,
            )],
            &[
                (
                    "/w/examples/deep/rooms/package.json",
                    r#"{ "name": "@acme/rooms", "main": "src/index.ts" }"#,
                ),
                (
                    "/w/packages/rooms/package.json",
                    r#"{ "name": "@acme/rooms", "main": "src/index.ts" }"#,
                ),
            ],
        );
        assert_eq!(
            r.resolve(Path::new(FROM), "@acme/rooms"),
            Some(PathBuf::from("/w/apps/chat/src/local-rooms.ts"))
        );
        assert_eq!(
            r.resolve(Path::new("/w/other.ts"), "@acme/rooms"),
            Some(PathBuf::from("/w/packages/rooms/src/index.ts"))
        );
    }
}
