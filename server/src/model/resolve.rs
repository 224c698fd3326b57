//! Module resolution the way TypeScript's bundler mode sees a Worker:
//! relative specifiers with extension mapping (`./x.js` → `./x.ts`), index
//! files, and `tsconfig.json` `baseUrl`/`paths` aliases. Bare package names
//! are external and resolve to nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// Extensions tried, in TypeScript's order, when a specifier has none.
const SOURCE_EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "d.ts", "js", "jsx", "mjs", "cjs"];

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
}

#[derive(Debug, Default)]
pub struct Resolver {
    known_files: HashSet<PathBuf>,
    /// tsconfig folder → its resolved options.
    tsconfigs: HashMap<PathBuf, TsConfigPaths>,
}

impl Resolver {
    /// `files`: every source path the engine knows. `tsconfigs`: path and
    /// text of every tsconfig.json; unreadable ones are ignored (they only
    /// add aliases).
    pub fn new<'a>(
        files: impl IntoIterator<Item = PathBuf>,
        tsconfigs: impl IntoIterator<Item = (&'a Path, &'a str)>,
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
        Resolver {
            known_files: files.into_iter().map(|p| normalize(&p)).collect(),
            tsconfigs: resolved,
        }
    }

    pub fn is_known(&self, path: &Path) -> bool {
        self.known_files.contains(path)
    }

    /// Resolves `specifier` imported from `from`, or `None` for packages,
    /// runtime modules (`cloudflare:workers`) and files that do not exist.
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
    if let Some(base_url) = compiler
        .and_then(|c| c.get("baseUrl"))
        .and_then(|b| b.as_str())
    {
        let base_url = normalize(&dir.join(base_url));
        options.base = base_url.clone();
        options.base_url = Some(base_url);
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
        let tsconfigs: Vec<(PathBuf, &str)> = tsconfigs
            .iter()
            .map(|(p, t)| (PathBuf::from(p), *t))
            .collect();
        Resolver::new(
            files.iter().map(PathBuf::from),
            tsconfigs.iter().map(|(p, t)| (p.as_path(), *t)),
        )
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
}
