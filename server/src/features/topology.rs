//! The Durable Objects topology of a workspace: each Worker with its
//! Durable Object bindings (per environment, `script_name` resolved to the
//! Worker that runs the class), the Durable Object classes its sources
//! declare, and its migration histories step by step. Plain data with
//! byte ranges; the LSP layer answers `dols/topology` with it and editors
//! draw it (the VS Code extension renders a Mermaid diagram).

use super::context::do_target;
use super::Target;
use crate::config::{DeclaredExport, Migration};
use crate::files::FileId;
use crate::model::{durable_object_kind, Backend, DoKind, ExportOrigin, Worker, Workspace};
use crate::rules::support::{agreed_backend, env_replays};
use crate::text::{Spanned, TextRange};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Topology {
    /// In the workspace's order (by config path).
    pub workers: Vec<WorkerNode>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerNode {
    /// The top-level `name`.
    pub name: Option<String>,
    pub config: FileId,
    /// The top-level `main`, when it is in the workspace.
    pub main: Option<FileId>,
    /// Names of the `env.*` sections, in config order.
    pub envs: Vec<String>,
    /// A vitest-pool-workers harness config (never deployed).
    pub test_harness: bool,
    pub bindings: Vec<BindingNode>,
    pub classes: Vec<ClassNode>,
    pub migrations: Vec<MigrationNode>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingNode {
    pub name: String,
    pub class_name: String,
    pub script_name: Option<String>,
    /// `None` for the top level.
    pub env: Option<String>,
    /// The binding's `name` in the config.
    pub location: Target,
    /// The config of the Worker that runs the class (this Worker's own
    /// without `script_name`); `None` when that Worker is not in the
    /// workspace or ambiguous.
    pub host: Option<FileId>,
    /// The class declaration the binding ends up running.
    pub class_location: Option<Target>,
    /// From the host's migration history for the environment; `None` when
    /// no history creates the class or it was transferred in.
    pub backend: Option<Backend>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassNode {
    pub name: String,
    /// The class name in its declaration.
    pub location: Target,
    pub kind: DoKind,
    /// `main` (top level) exports the class, as wrangler needs.
    pub exported: bool,
    /// The backend every history of the Worker agrees on.
    pub backend: Option<Backend>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationNode {
    pub tag: Option<String>,
    /// The environment whose section holds the list; `None` for the top
    /// level (inherited lists are listed once, at the top level).
    pub env: Option<String>,
    /// The entry: a `migrations` element, or the `exports` key of a
    /// declarative history.
    pub location: Target,
    /// From the declarative `exports` map (one node per map).
    pub declarative: bool,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The wrangler key: `new_classes`, `new_sqlite_classes`,
    /// `renamed_classes`, `deleted_classes`, `transferred_classes`, or
    /// `exports` for an entry of the declarative map.
    pub op: &'static str,
    /// The class the step leaves behind (the new name of a rename or
    /// transfer), or removes.
    pub class: String,
    /// The old name of a rename or transfer.
    pub from: Option<String>,
    pub from_script: Option<String>,
    /// The backend a creation gives the class.
    pub backend: Option<Backend>,
    /// `state` of an `exports` entry.
    pub state: Option<String>,
    /// The replay says this step cannot apply (`migration-conflict` and
    /// friends report it).
    pub fails: bool,
}

/// The topology of every Worker in `ws`.
pub fn topology(ws: &Workspace) -> Topology {
    Topology {
        workers: ws.workers.iter().map(|w| worker_node(ws, w)).collect(),
    }
}

fn worker_node(ws: &Workspace, worker: &Worker) -> WorkerNode {
    WorkerNode {
        name: worker.name().map(str::to_string),
        config: worker.config,
        main: worker.main_of(0),
        envs: worker
            .envs
            .iter()
            .filter_map(|e| e.env.as_ref().map(|n| n.value.clone()))
            .collect(),
        test_harness: worker.is_test_harness,
        bindings: bindings(ws, worker),
        classes: classes(ws, worker),
        migrations: migrations(worker),
    }
}

fn env_name(worker: &Worker, env_index: usize) -> Option<String> {
    worker.envs[env_index].env.as_ref().map(|n| n.value.clone())
}

fn bindings(ws: &Workspace, worker: &Worker) -> Vec<BindingNode> {
    let mut out = Vec::new();
    for (env_index, env) in worker.envs.iter().enumerate() {
        for binding in &env.do_bindings {
            let (Some(name), Some(class_name)) = (&binding.name, &binding.class_name) else {
                continue;
            };
            let target = do_target(ws, worker, env_index, binding, &class_name.value);
            let class_location = target.class(ws).map(|(file, class)| Target {
                file,
                range: class.name.as_ref().map_or(class.range, |n| n.range),
            });
            out.push(BindingNode {
                name: name.value.clone(),
                class_name: class_name.value.clone(),
                script_name: binding.script_name.as_ref().map(|s| s.value.clone()),
                env: env_name(worker, env_index),
                location: Target {
                    file: env.file,
                    range: name.range,
                },
                host: target.host.map(|h| h.config),
                class_location,
                backend: target.live().and_then(|(live, _)| known(live.backend)),
            });
        }
    }
    out
}

fn known(backend: Backend) -> Option<Backend> {
    (backend != Backend::Unknown).then_some(backend)
}

fn classes(ws: &Workspace, worker: &Worker) -> Vec<ClassNode> {
    let exported_by_main: Vec<(FileId, String)> = worker
        .main_of(0)
        .map(|main| {
            ws.exports_of(main)
                .names
                .values()
                .filter_map(|e| match &e.origin {
                    ExportOrigin::Class { file, name } => Some((*file, name.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out: Vec<ClassNode> = ws
        .classes_of(worker)
        .filter_map(|(file, class)| {
            let name = class.name.as_ref()?;
            let kind = durable_object_kind(ws, file, class)?;
            Some(ClassNode {
                name: name.value.clone(),
                location: Target {
                    file,
                    range: name.range,
                },
                kind,
                exported: exported_by_main
                    .iter()
                    .any(|(f, n)| *f == file && *n == name.value),
                backend: agreed_backend([worker], &name.value).and_then(known),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (
            &a.name,
            ws.files.path(a.location.file),
            a.location.range.start,
        )
            .cmp(&(
                &b.name,
                ws.files.path(b.location.file),
                b.location.range.start,
            ))
    });
    out
}

fn migrations(worker: &Worker) -> Vec<MigrationNode> {
    let mut out = Vec::new();
    for history in env_replays(worker) {
        if !history.owns_history {
            continue; // inherited: the top level lists it
        }
        let env = history.env;
        let failing: Vec<TextRange> = history.replay.errors.iter().map(|e| e.range).collect();
        let fails = |names: &[&Spanned<String>]| names.iter().any(|n| failing.contains(&n.range));
        let env_label = env_name(worker, history.env_index);
        if history.declarative {
            let steps = env
                .exports
                .iter()
                .filter(|e| e.is_durable_object())
                .map(|e| export_step(e, fails(&[&e.class])))
                .collect();
            out.push(MigrationNode {
                tag: None,
                env: env_label,
                location: Target {
                    file: env.file,
                    range: env.exports_key.unwrap_or_default(),
                },
                declarative: true,
                steps,
            });
            continue;
        }
        for migration in &env.migrations {
            out.push(MigrationNode {
                tag: migration.tag.as_ref().map(|t| t.value.clone()),
                env: env_label.clone(),
                location: Target {
                    file: env.file,
                    range: migration.range,
                },
                declarative: false,
                steps: migration_steps(migration, &fails),
            });
        }
    }
    out
}

/// The steps of one migration in the order the runtime applies them:
/// creations, renames, deletions, transfers.
fn migration_steps(
    migration: &Migration,
    fails: &dyn Fn(&[&Spanned<String>]) -> bool,
) -> Vec<Step> {
    let step = |op, class: &Spanned<String>, backend| Step {
        op,
        class: class.value.clone(),
        from: None,
        from_script: None,
        backend,
        state: None,
        fails: fails(&[class]),
    };
    let mut steps: Vec<Step> = Vec::new();
    steps.extend(
        migration
            .new_classes
            .iter()
            .map(|c| step("new_classes", c, Some(Backend::Kv))),
    );
    steps.extend(
        migration
            .new_sqlite_classes
            .iter()
            .map(|c| step("new_sqlite_classes", c, Some(Backend::Sqlite))),
    );
    for rename in &migration.renamed_classes {
        let (Some(from), Some(to)) = (&rename.from, &rename.to) else {
            continue;
        };
        steps.push(Step {
            from: Some(from.value.clone()),
            fails: fails(&[from, to]),
            ..step("renamed_classes", to, None)
        });
    }
    steps.extend(
        migration
            .deleted_classes
            .iter()
            .map(|c| step("deleted_classes", c, None)),
    );
    for transfer in &migration.transferred_classes {
        let Some(to) = &transfer.to else { continue };
        steps.push(Step {
            from: transfer.from.as_ref().map(|f| f.value.clone()),
            from_script: transfer.from_script.as_ref().map(|s| s.value.clone()),
            ..step("transferred_classes", to, None)
        });
    }
    steps
}

fn export_step(entry: &DeclaredExport, fails: bool) -> Step {
    let state = entry.state.as_ref().map(|s| s.value.clone());
    Step {
        op: "exports",
        class: entry.class.value.clone(),
        from: None,
        from_script: entry.transfer_from.as_ref().map(|s| s.value.clone()),
        backend: entry.is_live().then(|| {
            if entry.is_sqlite() {
                Backend::Sqlite
            } else {
                Backend::Kv
            }
        }),
        state,
        fails,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFormat;
    use crate::discovery::FileRole;
    use crate::index::language::SourceLanguage;
    use crate::model::InputFile;

    fn workspace(files: &[(&str, &str)]) -> Workspace {
        Workspace::build(
            files
                .iter()
                .map(|(path, text)| InputFile {
                    path: path.into(),
                    role: if path.ends_with(".toml") {
                        FileRole::Config(ConfigFormat::Toml)
                    } else {
                        FileRole::Source(SourceLanguage::TypeScript)
                    },
                    text: (*text).into(),
                })
                .collect(),
        )
    }

    #[test]
    fn bindings_classes_and_migrations() {
        let ws = workspace(&[
            (
                "/w/wrangler.toml",
                r#"name = "app"
main = "src/index.ts"
[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
[[durable_objects.bindings]]
name = "LOG"
class_name = "Log"
script_name = "logger"
[[migrations]]
tag = "v1"
new_classes = ["Room"]
[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Nope", to = "Other" }]
[env.staging]
[[env.staging.durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
"#,
            ),
            (
                "/w/src/index.ts",
                "import { DurableObject } from \"cloudflare:workers\";\nexport class Room extends DurableObject {}\nclass Hidden extends DurableObject {}\nexport default {};\n",
            ),
            (
                "/w/logger/wrangler.toml",
                "name = \"logger\"\nmain = \"src/index.ts\"\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Log\"]\n",
            ),
            (
                "/w/logger/src/index.ts",
                "import { DurableObject } from \"cloudflare:workers\";\nexport class Log extends DurableObject {}\nexport default {};\n",
            ),
        ]);
        let topology = topology(&ws);
        let app = topology
            .workers
            .iter()
            .find(|w| w.name.as_deref() == Some("app"))
            .unwrap();
        let logger = topology
            .workers
            .iter()
            .find(|w| w.name.as_deref() == Some("logger"))
            .unwrap();
        assert_eq!(app.envs, vec!["staging"]);
        let summary: Vec<_> = app
            .bindings
            .iter()
            .map(|b| {
                (
                    b.name.as_str(),
                    b.env.as_deref(),
                    b.host == Some(logger.config),
                    b.class_location.is_some(),
                    b.backend,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("ROOM", None, false, true, Some(Backend::Kv)),
                ("LOG", None, true, true, Some(Backend::Sqlite)),
                ("ROOM", Some("staging"), false, true, Some(Backend::Kv)),
            ]
        );
        let classes: Vec<_> = app
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.exported, c.backend))
            .collect();
        assert_eq!(
            classes,
            vec![("Hidden", false, None), ("Room", true, Some(Backend::Kv))]
        );
        // The staging env inherits the top-level list: listed once.
        assert_eq!(app.migrations.len(), 2);
        let rename = &app.migrations[1].steps[0];
        assert_eq!(
            (rename.op, rename.class.as_str(), rename.from.as_deref()),
            ("renamed_classes", "Other", Some("Nope"))
        );
        assert!(rename.fails);
        assert!(!app.migrations[0].steps[0].fails);
    }
}
