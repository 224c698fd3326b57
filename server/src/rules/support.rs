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
use crate::rules::RuleCtx;
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
    // Indexed per file by the model: rules ask for every call.
    ws.workers_reaching(file)
}

/// What the rules know about the class a piece of code sits in.
pub struct ClassContext<'a> {
    pub file: FileId,
    pub class: &'a ClassInfo,
    /// How it is a Durable Object (`None`: not one, as far as dols can tell).
    pub kind: Option<crate::model::DoKind>,
    /// The Workers whose code includes the file (reachable from `main`).
    pub workers: Vec<&'a Worker>,
    /// Storage backend from the migrations of those Workers, when every
    /// Worker agrees; `None` when unknown or not created by a migration.
    pub backend: Option<crate::model::Backend>,
    /// True when some Worker binds this class by name.
    pub bound: bool,
}

/// The storage backend that every migration history of `workers` (all
/// environments) gives `class_name`; `None` when no history creates the
/// class or the histories disagree.
pub fn agreed_backend<'a>(
    workers: impl IntoIterator<Item = &'a Worker>,
    class_name: &str,
) -> Option<crate::model::Backend> {
    let histories: Vec<Vec<EnvReplay>> = workers.into_iter().map(env_replays).collect();
    backend_in(histories.iter().map(Vec::as_slice), class_name)
}

/// [`agreed_backend`] over histories replayed already.
fn backend_in<'h>(
    histories: impl IntoIterator<Item = &'h [EnvReplay<'h>]>,
    class_name: &str,
) -> Option<crate::model::Backend> {
    let mut agreed = None;
    for history in histories.into_iter().flatten() {
        if let Some(live) = history.replay.live.get(class_name) {
            match agreed {
                None => agreed = Some(live.backend),
                Some(backend) if backend != live.backend => return None,
                Some(_) => {}
            }
        }
    }
    agreed
}

/// Context of the class named `class_name` declared in `file`.
pub fn class_context<'a>(
    ws: &'a Workspace,
    file: FileId,
    class_name: &str,
) -> Option<ClassContext<'a>> {
    class_context_in(ws, file, class_name, None)
}

/// What [`class_context`] reads about every Worker, made once for many
/// classes: each Worker's env replays (on first use, so a run over a few
/// files replays only the Workers that reach them) and the class names
/// any Worker binds through `script_name`.
struct ManyClasses<'a> {
    replays: Vec<std::sync::OnceLock<Vec<EnvReplay<'a>>>>,
    bound_elsewhere: std::collections::HashSet<&'a str>,
}

impl<'a> ManyClasses<'a> {
    fn new(ws: &'a Workspace) -> Self {
        ManyClasses {
            replays: ws.workers.iter().map(|_| Default::default()).collect(),
            bound_elsewhere: ws
                .workers
                .iter()
                .flat_map(|w| w.envs.iter())
                .flat_map(|e| &e.do_bindings)
                .filter(|b| b.script_name.is_some())
                .filter_map(|b| b.class_name.as_ref().map(|c| c.value.as_str()))
                .collect(),
        }
    }
}

/// [`class_context`], with what the caller gathered once for many classes.
fn class_context_in<'a>(
    ws: &'a Workspace,
    file: FileId,
    class_name: &str,
    many: Option<&ManyClasses<'a>>,
) -> Option<ClassContext<'a>> {
    let class = ws
        .summary(file)?
        .classes
        .iter()
        .find(|c| c.name.as_ref().is_some_and(|n| n.value == class_name))?;
    // `workers_reaching`, with the Workers' indexes.
    let reaching: Vec<usize> = ws
        .reaching_indexes(file)
        .iter()
        .map(|&i| i as usize)
        .collect();
    let workers: Vec<&Worker> = reaching.iter().map(|&i| &ws.workers[i]).collect();
    let backend = match many {
        Some(many) => backend_in(
            reaching.iter().map(|&i| {
                many.replays[i]
                    .get_or_init(|| env_replays(&ws.workers[i]))
                    .as_slice()
            }),
            class_name,
        ),
        None => agreed_backend(workers.iter().copied(), class_name),
    };
    let mut bound = false;
    for worker in &workers {
        bound |= worker.envs.iter().flat_map(|e| &e.do_bindings).any(|b| {
            b.script_name.is_none() && b.class_name.as_ref().is_some_and(|c| c.value == class_name)
        });
    }
    // Bound from another Worker through `script_name`.
    bound |= match many {
        Some(many) => many.bound_elsewhere.contains(class_name),
        None => ws
            .workers
            .iter()
            .flat_map(|w| w.envs.iter())
            .flat_map(|e| &e.do_bindings)
            .any(|b| {
                b.script_name.is_some()
                    && b.class_name.as_ref().is_some_and(|c| c.value == class_name)
            }),
    };
    Some(ClassContext {
        file,
        class,
        kind: crate::model::durable_object_kind(ws, file, class),
        workers,
        backend,
        bound,
    })
}

impl ClassContext<'_> {
    /// A Durable Object by its base class or because a Worker binds it.
    pub fn is_durable_object(&self) -> bool {
        self.kind.is_some() || self.bound
    }

    pub fn has_method(&self, name: &str) -> bool {
        self.class
            .methods
            .iter()
            .any(|m| m.name.value == name && !m.is_static)
    }

    /// The earliest `compatibility_date` among the Workers running this
    /// code (the most conservative for date-gated behaviour).
    pub fn compatibility_date(&self) -> Option<&str> {
        self.workers
            .iter()
            .filter_map(|w| {
                w.envs[0]
                    .compatibility_date
                    .as_ref()
                    .map(|d| d.value.as_str())
            })
            .min()
    }

    /// True when every Worker running this code sets `flag`.
    pub fn all_have_flag(&self, flag: &str) -> bool {
        !self.workers.is_empty()
            && self.workers.iter().all(|w| {
                w.envs[0]
                    .compatibility_flags
                    .iter()
                    .any(|f| f.value == flag)
            })
    }
}

/// Calls recorded in `file` whose scope is inside class `class_name`.
pub fn calls_in_class<'a>(
    ws: &'a Workspace,
    file: FileId,
    class_name: &'a str,
) -> impl Iterator<Item = &'a crate::index::CallSite> + 'a {
    ws.summary(file)
        .into_iter()
        .flat_map(|s| s.calls.iter())
        .filter(move |c| c.scope.class.as_deref() == Some(class_name))
}

/// Every (file, class) of the workspace with its context, for rules that
/// walk all Durable Object classes.
pub fn durable_object_classes<'a>(ws: &'a RuleCtx) -> Vec<ClassContext<'a>> {
    // Once per snapshot: seven rules walk the same list.
    let found = ws.memo(|| DoClasses(find_durable_object_classes(ws)));
    found
        .0
        .iter()
        .filter_map(|c| {
            Some(ClassContext {
                file: c.file,
                class: ws.summary(c.file)?.classes.get(c.class)?,
                kind: c.kind.clone(),
                workers: c
                    .workers
                    .iter()
                    .map(|&i| ws.workers.get(i))
                    .collect::<Option<Vec<_>>>()?,
                backend: c.backend,
                bound: c.bound,
            })
        })
        .collect()
}

/// The memoised [`durable_object_classes`] of a snapshot.
struct DoClasses(Vec<FoundClass>);

/// A [`ClassContext`] by indexes: the class in its file's `classes`, the
/// Workers in `ws.workers`.
struct FoundClass {
    file: FileId,
    class: usize,
    kind: Option<crate::model::DoKind>,
    workers: Vec<usize>,
    backend: Option<crate::model::Backend>,
    bound: bool,
}

fn find_durable_object_classes(ws: &RuleCtx) -> Vec<FoundClass> {
    // Replayed once per Worker, not once per class (hundreds of classes).
    let many = ManyClasses::new(ws);
    let mut out = Vec::new();
    for (file, summary) in ws.source_summaries() {
        for class in &summary.classes {
            let Some(name) = &class.name else { continue };
            let Some(context) = class_context_in(ws, file, &name.value, Some(&many)) else {
                continue;
            };
            if !context.is_durable_object() {
                continue;
            }
            // The context's class is the first of that name in the file.
            let Some(class) = summary
                .classes
                .iter()
                .position(|c| std::ptr::eq(c, context.class))
            else {
                continue;
            };
            let workers = context
                .workers
                .iter()
                .filter_map(|w| ws.workers.iter().position(|x| std::ptr::eq(x, *w)))
                .collect();
            out.push(FoundClass {
                file,
                class,
                kind: context.kind,
                workers,
                backend: context.backend,
                bound: context.bound,
            });
        }
    }
    out
}

/// The findings of wrangler's schema of one kind, in the configs this run
/// checks.
pub fn schema_findings<'a>(
    ws: &'a RuleCtx,
    kind: crate::config::schema_check::SchemaFindingKind,
) -> impl Iterator<Item = (FileId, &'a crate::config::schema_check::SchemaFinding)> + 'a {
    ws.checked_configs().flat_map(move |config| {
        config
            .schema_findings
            .iter()
            .filter(move |finding| finding.kind == kind)
            .map(|finding| (config.file, finding))
    })
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
