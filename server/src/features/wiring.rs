//! Durable Object wiring shown where the user looks: inlay hints after
//! `env.ROOMS` and on `class_name` values, code lenses above each Durable
//! Object class, and document links from config values to what they name.
//! Plain data with byte offsets; the LSP layer translates.

use std::collections::HashMap;

use super::context::{config_worker, do_target, do_targets, file_workers, DoTarget};
use super::Target;
use crate::files::FileId;
use crate::index::ClassInfo;
use crate::model::{durable_object_kind, Backend, MainFile, Worker, Workspace};
use crate::text::TextRange;

/// A label shown inline after `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
    /// Markdown shown when hovering the hint.
    pub tooltip: String,
}

/// A line of information above a Durable Object class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    /// The class name: the lens sits on its line.
    pub range: TextRange,
    pub title: String,
    pub action: LensAction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LensAction {
    /// List these places (client command `dols.showLocations`).
    ShowLocations(Vec<Target>),
    /// Open the topology view (client command `dols.showTopology`).
    ShowTopology,
}

/// A range of a config that leads to a file (and a place in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentLink {
    pub range: TextRange,
    pub target: Target,
    pub tooltip: String,
}

/// Backends looked up once per request: a replay per binding would be
/// paid again for every access of the same binding.
#[derive(Default)]
struct Backends(HashMap<(FileId, usize, String), Option<Backend>>);

impl Backends {
    fn of(&mut self, target: &DoTarget) -> Option<Backend> {
        let host = target.host?;
        let key = (host.config, target.host_env, target.class_name.to_string());
        *self
            .0
            .entry(key)
            .or_insert_with(|| target.live().map(|(live, _)| live.backend))
    }
}

fn backend_word(backend: Option<Backend>) -> Option<&'static str> {
    match backend? {
        Backend::Sqlite => Some("SQLite"),
        Backend::Kv => Some("KV"),
        Backend::Unknown => None,
    }
}

/// `Counter · SQLite`, `Counter · SQLite · in chat`: what one binding
/// leads to, as the hint after the binding shows it.
fn binding_summary(target: &DoTarget, backends: &mut Backends, with_class: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if with_class {
        parts.push(target.class_name.to_string());
    }
    if let Some(word) = backend_word(backends.of(target)) {
        parts.push(word.to_string());
    }
    if let Some(script) = &target.binding.script_name {
        parts.push(format!("in {}", script.value));
    }
    parts.join(" · ")
}

fn env_label(target: &DoTarget) -> String {
    target.worker.envs[target.env_index]
        .env
        .as_ref()
        .map_or("top level".to_string(), |e| format!("env.{}", e.value))
}

/// The summaries of `targets`, one per distinct summary, with the
/// environments that give it when they differ.
fn merged_summary(targets: &[DoTarget], backends: &mut Backends, with_class: bool) -> String {
    let mut summaries: Vec<(String, Vec<String>)> = Vec::new();
    for target in targets {
        let summary = binding_summary(target, backends, with_class);
        match summaries.iter_mut().find(|(s, _)| *s == summary) {
            Some((_, envs)) => envs.push(env_label(target)),
            None => summaries.push((summary, vec![env_label(target)])),
        }
    }
    if summaries.len() == 1 {
        return summaries.remove(0).0;
    }
    summaries
        .iter()
        .map(|(summary, envs)| format!("{summary} ({})", envs.join(", ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Hints in `range` of `file`: after each Durable Object binding reached
/// through `env` in a source, and after each `class_name` in a config.
pub fn inlay_hints(ws: &Workspace, file: FileId, range: TextRange) -> Vec<InlayHint> {
    let mut backends = Backends::default();
    if let Some(worker) = config_worker(ws, file) {
        return config_hints(ws, worker, range, &mut backends);
    }
    let Some(summary) = ws.summary(file) else {
        return Vec::new();
    };
    let workers = file_workers(ws, file);
    if workers.is_empty() {
        return Vec::new();
    }
    let mut hints = Vec::new();
    let mut by_name: HashMap<&str, Option<(String, String)>> = HashMap::new();
    for access in &summary.env_accesses {
        let name = access.name.range;
        if name.end < range.start || name.start > range.end {
            continue;
        }
        let label = by_name
            .entry(access.name.value.as_str())
            .or_insert_with(|| {
                let targets = do_targets(ws, &workers, Some(&access.name.value));
                if targets.is_empty() {
                    return None;
                }
                let label = merged_summary(&targets, &mut backends, true);
                let tooltip = tooltip_for(ws, &targets);
                Some((label, tooltip))
            })
            .clone();
        if let Some((label, tooltip)) = label {
            hints.push(InlayHint {
                offset: name.end as usize,
                label: format!("→ {label}"),
                tooltip,
            });
        }
    }
    hints
}

/// Where a binding leads, as a list of links for the hint's tooltip.
fn tooltip_for(ws: &Workspace, targets: &[DoTarget]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for target in targets {
        let name = target
            .binding
            .name
            .as_ref()
            .map_or("?", |n| n.value.as_str());
        let mut line = format!(
            "- `{name}` ({}) → class `{}`",
            env_label(target),
            target.class_name
        );
        if let Some((file, class)) = target.class(ws) {
            let at = class
                .name
                .as_ref()
                .map_or(class.range.start, |n| n.range.start);
            line.push_str(&format!(
                " in {}",
                super::context::location_link(ws, file, at)
            ));
        }
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines.join("\n")
}

fn config_hints(
    ws: &Workspace,
    worker: &Worker,
    range: TextRange,
    backends: &mut Backends,
) -> Vec<InlayHint> {
    let mut hints = Vec::new();
    for (env_index, env) in worker.envs.iter().enumerate() {
        for binding in &env.do_bindings {
            let Some(class) = &binding.class_name else {
                continue;
            };
            if class.range.end < range.start || class.range.start > range.end {
                continue;
            }
            let target = do_target(ws, worker, env_index, binding, &class.value);
            let label = binding_summary(&target, backends, false);
            if label.is_empty() {
                continue;
            }
            let tooltip = tooltip_for(ws, std::slice::from_ref(&target));
            hints.push(InlayHint {
                offset: class.range.end as usize,
                label,
                tooltip,
            });
        }
    }
    hints.sort_by_key(|h| h.offset);
    hints.dedup_by_key(|h| h.offset);
    hints
}

/// Lenses above each Durable Object class of `file`: the bindings that
/// reach it, the migration that created it, its stub calls, and the
/// topology view.
pub fn code_lenses(ws: &Workspace, file: FileId) -> Vec<CodeLens> {
    let Some(summary) = ws.summary(file) else {
        return Vec::new();
    };
    let classes: Vec<&ClassInfo> = summary
        .classes
        .iter()
        .filter(|c| c.name.is_some() && durable_object_kind(ws, file, c).is_some())
        .collect();
    if classes.is_empty() {
        return Vec::new();
    }
    let mut backends = Backends::default();
    let sites_by_class = ws.memo(|| StubSitesByClass::of(ws));
    let mut lenses = Vec::new();
    for class in classes {
        let Some(name) = &class.name else {
            continue;
        };
        // Only bindings naming this class are followed to their host: a
        // monorepo has many Workers, and a lens request must not resolve
        // every binding of every one.
        let targets: Vec<DoTarget> = ws
            .workers
            .iter()
            .flat_map(|worker| {
                worker
                    .envs
                    .iter()
                    .enumerate()
                    .flat_map(move |(env_index, env)| {
                        env.do_bindings.iter().filter_map(move |binding| {
                            let class_name = binding.class_name.as_ref()?;
                            (class_name.value == name.value).then(|| {
                                do_target(ws, worker, env_index, binding, &class_name.value)
                            })
                        })
                    })
            })
            .filter(|t| {
                t.class(ws)
                    .is_some_and(|(f, c)| f == file && std::ptr::eq(c, class))
            })
            .collect();
        lenses.push(bindings_lens(name.range, &targets));
        if let Some(lens) = migration_lens(name.range, &targets, &mut backends) {
            lenses.push(lens);
        }
        let sites: Vec<Target> = sites_by_class
            .0
            .get(&(file, class.range))
            .cloned()
            .unwrap_or_default();
        let title = match sites.len() {
            1 => "1 stub call".to_string(),
            n => format!("{n} stub calls"),
        };
        lenses.push(CodeLens {
            range: name.range,
            title,
            action: LensAction::ShowLocations(sites),
        });
        lenses.push(CodeLens {
            range: name.range,
            title: "topology".to_string(),
            action: LensAction::ShowTopology,
        });
    }
    lenses
}

/// Every stub call's name, by the class declaration it reaches (file and
/// class range), found once per snapshot: a lens request then costs a
/// lookup, not a pass over every call of the workspace.
struct StubSitesByClass(HashMap<(FileId, TextRange), Vec<Target>>);

impl StubSitesByClass {
    fn of(ws: &Workspace) -> Self {
        let everything = crate::rules::RuleCtx::everything(ws);
        let mut by_class: HashMap<(FileId, TextRange), Vec<Target>> = HashMap::new();
        for call in crate::rules::stubs::stub_calls(&everything) {
            for (file, class) in call.classes.iter().flatten() {
                by_class
                    .entry((*file, class.range))
                    .or_default()
                    .push(Target {
                        file: call.file,
                        range: call.call.name_range,
                    });
            }
        }
        StubSitesByClass(by_class)
    }
}

fn bindings_lens(at: TextRange, targets: &[DoTarget]) -> CodeLens {
    // Binding name → where it is declared (`worker` or `worker.env`).
    let mut names: Vec<(String, Vec<String>)> = Vec::new();
    for target in targets {
        let Some(binding) = &target.binding.name else {
            continue;
        };
        let worker = target.worker.name().unwrap_or("?");
        let place = match &target.worker.envs[target.env_index].env {
            Some(env) => format!("{worker}.{}", env.value),
            None => worker.to_string(),
        };
        match names.iter_mut().find(|(n, _)| *n == binding.value) {
            Some((_, places)) if !places.contains(&place) => places.push(place),
            Some(_) => {}
            None => names.push((binding.value.clone(), vec![place])),
        }
    }
    let described: Vec<String> = names
        .iter()
        .map(|(name, places)| format!("{name} in {}", places.join(", ")))
        .collect();
    let title = if described.is_empty() {
        "not bound by any Worker".to_string()
    } else {
        format!("bound as {}", described.join("; "))
    };
    let places = targets
        .iter()
        .filter_map(|t| {
            Some(Target {
                file: t.worker.config,
                range: t.binding.name.as_ref()?.range,
            })
        })
        .collect();
    CodeLens {
        range: at,
        title,
        action: LensAction::ShowLocations(places),
    }
}

fn migration_lens(
    at: TextRange,
    targets: &[DoTarget],
    backends: &mut Backends,
) -> Option<CodeLens> {
    // One lens per distinct creation (the same history is usually shared
    // by every binding and environment).
    let mut seen: Vec<(FileId, TextRange)> = Vec::new();
    let mut titles: Vec<String> = Vec::new();
    for target in targets {
        let Some((live, env)) = target.live() else {
            continue;
        };
        let place = (env.file, live.created_at);
        if seen.contains(&place) {
            continue;
        }
        seen.push(place);
        let backend = backend_word(backends.of(target)).unwrap_or("transferred");
        let title = match live.migration.and_then(|i| env.migrations.get(i)) {
            Some(migration) => match &migration.tag {
                Some(tag) => format!("created by migration {} ({backend})", tag.value),
                None => format!("created by an untagged migration ({backend})"),
            },
            None => format!("declared in exports ({backend})"),
        };
        if !titles.contains(&title) {
            titles.push(title);
        }
    }
    if titles.is_empty() {
        return None;
    }
    Some(CodeLens {
        range: at,
        title: titles.join(" | "),
        action: LensAction::ShowLocations(
            seen.into_iter()
                .map(|(file, range)| Target { file, range })
                .collect(),
        ),
    })
}

/// Links in a config: `main` to its file, `class_name` to the class,
/// `script_name` to the other Worker's config.
pub fn document_links(ws: &Workspace, file: FileId) -> Vec<DocumentLink> {
    let Some(worker) = config_worker(ws, file) else {
        return Vec::new();
    };
    let mut links = Vec::new();
    for (env_index, env) in worker.envs.iter().enumerate() {
        if let (Some(main), Some(MainFile::Found(target))) =
            (&env.main, worker.mains.get(env_index))
        {
            if env.file == file {
                links.push(DocumentLink {
                    range: inner(main.range),
                    target: Target {
                        file: *target,
                        range: TextRange::empty(0),
                    },
                    tooltip: "Open the Worker's entry module".to_string(),
                });
            }
        }
        for binding in &env.do_bindings {
            let Some(class) = &binding.class_name else {
                continue;
            };
            let target = do_target(ws, worker, env_index, binding, &class.value);
            if let Some((class_file, info)) = target.class(ws) {
                let at = info.name.as_ref().map_or(info.range, |n| n.range);
                links.push(DocumentLink {
                    range: inner(class.range),
                    target: Target {
                        file: class_file,
                        range: at,
                    },
                    tooltip: format!("Go to class {}", class.value),
                });
            }
            if let (Some(script), Some(host)) = (&binding.script_name, target.host) {
                links.push(DocumentLink {
                    range: inner(script.range),
                    target: Target {
                        file: host.config,
                        range: TextRange::empty(0),
                    },
                    tooltip: format!("Open the config of Worker {}", script.value),
                });
            }
        }
    }
    links.sort_by_key(|l| (l.range.start, l.range.end));
    links.dedup_by_key(|l| l.range);
    links
}

/// A quoted string's range without its quotes.
fn inner(range: TextRange) -> TextRange {
    if range.len() >= 2 {
        TextRange::new(range.start as usize + 1, range.end as usize - 1)
    } else {
        range
    }
}
