//! Small helpers shared by rules: name suggestions and common lookups.

/// The candidate closest to `name`, if it is close enough to be a likely
/// typo. Case differences count as close.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let score = if c.to_lowercase() == lower {
                1.0
            } else if name.len() >= 3 && c.ends_with(name) {
                // `Room` for `ChatRoom`: the class lost its prefix.
                0.9
            } else {
                strsim::jaro_winkler(name, c)
            };
            (c, score)
        })
        .filter(|(c, score)| {
            *score >= 0.85 || strsim::levenshtein(name, c) <= 2.min(name.len() / 3)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// The candidate that `name` is most likely a misspelling of: same letters in
/// another case, or one or two edits away (one for short names). Stricter
/// than [`nearest`], because a finding depends on it, not only a hint:
/// `EMAIL_SECRET` is not a typo of `EMAIL`.
pub fn likely_typo_of<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter_map(|c| {
            let distance = strsim::osa_distance(&lower, &c.to_lowercase());
            let allowed = if name.len().min(c.len()) <= 5 { 1 } else { 2 };
            (distance <= allowed).then_some((c, distance))
        })
        .min_by_key(|(c, distance)| (*distance, *c))
        .map(|(c, _)| c)
}

/// True if `name` is a valid JavaScript identifier (ASCII subset plus any
/// non-ASCII letter), so `env.NAME` can reach it.
pub fn is_js_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start_ok = |c: char| c == '_' || c == '$' || c.is_alphabetic();
    start_ok(first)
        && chars.all(|c| start_ok(c) || c.is_alphanumeric() || c == '\u{200c}' || c == '\u{200d}')
}

use crate::config::{DoBinding, EffectiveConfig, Origin};
use crate::files::FileId;
use crate::index::ClassInfo;
use crate::model::{ExportOrigin, Replay, Worker, Workspace};
use crate::text::{Spanned, TextRange};

/// The class history one environment deploys with.
pub struct EnvReplay<'a> {
    pub env_index: usize,
    pub env: &'a EffectiveConfig,
    pub replay: Replay,
    /// True when this env's `migrations`/`exports` are written in the env
    /// section itself or it is the top level; inherited lists would repeat
    /// the top level's findings.
    pub owns_history: bool,
    /// True when the history comes from the declarative `exports` map.
    pub declarative: bool,
}

pub fn env_replays(worker: &Worker) -> Vec<EnvReplay<'_>> {
    worker
        .envs
        .iter()
        .enumerate()
        .map(|(env_index, env)| {
            let declarative = env.exports.iter().any(|e| e.is_durable_object());
            let replay = if declarative {
                Replay::from_exports(&env.exports)
            } else {
                Replay::from_migrations(&env.migrations)
            };
            let owns_history = env_index == 0
                || env.migrations_origin == Some(Origin::Env)
                || env.exports_origin == Some(Origin::Env);
            EnvReplay {
                env_index,
                env,
                replay,
                owns_history,
                declarative,
            }
        })
        .collect()
}

/// A DO binding to a class of this Worker (no `script_name`), with its env.
pub struct LocalBinding<'a> {
    pub env_index: usize,
    pub binding: &'a DoBinding,
    pub name: &'a Spanned<String>,
    pub class_name: &'a Spanned<String>,
}

pub fn local_do_bindings(worker: &Worker) -> impl Iterator<Item = LocalBinding<'_>> {
    worker.envs.iter().enumerate().flat_map(|(env_index, env)| {
        env.do_bindings.iter().filter_map(move |binding| {
            if binding.script_name.is_some() {
                return None;
            }
            Some(LocalBinding {
                env_index,
                binding,
                name: binding.name.as_ref()?,
                class_name: binding.class_name.as_ref()?,
            })
        })
    })
}

/// Where a class (or exported value) named `name` is declared in a Worker:
/// first what `main` exports under that name, then any class with that name
/// in the Worker's sources, then any source file exporting that name.
pub fn find_declaration(
    ws: &Workspace,
    worker: &Worker,
    name: &str,
) -> Option<(FileId, TextRange)> {
    if let Some((file, class)) = ws.classes_named(worker, name).next() {
        let range = class.name.as_ref().map_or(class.range, |n| n.range);
        return Some((file, range));
    }
    worker.sources.iter().find_map(|&file| {
        ws.summary(file)?
            .exports
            .iter()
            .find_map(|export| match export {
                crate::index::Export::Local { exported, .. } if exported.value == name => {
                    Some((file, exported.range))
                }
                _ => None,
            })
    })
}

/// The class declaration that a binding's `class_name` ends up running: the
/// class `main` exports under that name (following aliases), else a class of
/// that name in the Worker's sources.
pub fn bound_class<'a>(
    ws: &'a Workspace,
    worker: &'a Worker,
    env_index: usize,
    class_name: &'a str,
) -> Option<(FileId, &'a ClassInfo)> {
    if let Some(main) = worker.main_of(env_index) {
        if let Some(ExportOrigin::Class { file, name }) = ws
            .exports_of(main)
            .get(class_name)
            .map(|e| e.origin.clone())
        {
            let class = ws
                .summary(file)?
                .classes
                .iter()
                .find(|c| c.name.as_ref().is_some_and(|n| n.value == name));
            if let Some(class) = class {
                return Some((file, class));
            }
        }
    }
    ws.classes_named(worker, class_name).next()
}

/// Workers whose `main` reaches `file` through imports. Files that sit in a
/// Worker's folder without being reachable (scripts, tests, code deployed
/// with another config) are not attributed to it.
pub fn workers_reaching(ws: &Workspace, file: FileId) -> impl Iterator<Item = &Worker> {
    ws.workers
        .iter()
        .filter(move |w| w.reachable.binary_search(&file).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(nearest("COUNTR", ["COUNTER", "CHAT"]), Some("COUNTER"));
        assert_eq!(nearest("counter", ["COUNTER"]), Some("COUNTER"));
        assert_eq!(nearest("DB", ["KV", "AI"]), None);
        assert_eq!(nearest("X", ["COUNTER"]), None);
    }

    #[test]
    fn typos_are_close_edits_only() {
        assert_eq!(
            likely_typo_of("COUNTR", ["COUNTER", "CHAT"]),
            Some("COUNTER")
        );
        assert_eq!(likely_typo_of("counter", ["COUNTER"]), Some("COUNTER"));
        assert_eq!(likely_typo_of("EMAIL_SECRET", ["EMAIL"]), None);
        assert_eq!(likely_typo_of("API_TOKEN", ["API_KEY"]), None);
        assert_eq!(likely_typo_of("DB", ["KV"]), None);
        assert_eq!(likely_typo_of("ROOMS", ["ROOM"]), Some("ROOM"));
    }

    #[test]
    fn identifiers() {
        assert!(is_js_identifier("MY_DO"));
        assert!(is_js_identifier("$x1"));
        assert!(!is_js_identifier("my-do"));
        assert!(!is_js_identifier("1abc"));
        assert!(!is_js_identifier(""));
    }
}
