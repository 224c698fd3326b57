//! Go to definition and find references between code and config:
//! `env.X` ↔ binding, `class_name` ↔ class, `stub.method()` → method,
//! `script_name` → the other Worker, `main` → the file.

use super::context::{
    chain_before, config_worker, do_target, file_workers, ident_at, receiver_end, target_classes,
    Ctx, Ty,
};
use super::hover::{bindings_to, config_item, migration_mentions, ConfigItem};
use super::Target;
use crate::files::FileId;
use crate::model::{MainFile, Worker, Workspace};
use crate::rules::support::{bound_class, find_declaration};
use crate::text::TextRange;

pub fn definition(ws: &Workspace, file: FileId, offset: usize) -> Vec<Target> {
    let Some(ctx) = Ctx::new(ws, file, offset) else {
        return Vec::new();
    };
    let mut out = if config_worker(ws, file).is_some() {
        config_definition(&ctx)
    } else if ws.summary(file).is_some() {
        source_definition(&ctx)
    } else {
        Vec::new()
    };
    dedupe(&mut out);
    out
}

fn dedupe(targets: &mut Vec<Target>) {
    let mut seen = Vec::new();
    targets.retain(|t| {
        let fresh = !seen.contains(t);
        seen.push(*t);
        fresh
    });
}

fn class_declaration(
    ws: &Workspace,
    host: &Worker,
    env_index: usize,
    class: &str,
) -> Option<Target> {
    if let Some((file, info)) = bound_class(ws, host, env_index, class) {
        let range = info.name.as_ref().map_or(info.range, |n| n.range);
        return Some(Target { file, range });
    }
    find_declaration(ws, host, class).map(|(file, range)| Target { file, range })
}

fn config_definition(ctx: &Ctx) -> Vec<Target> {
    let ws = ctx.ws;
    let Some(worker) = config_worker(ws, ctx.file) else {
        return Vec::new();
    };
    let Some(item) = config_item(ws, ctx.file, ctx.offset) else {
        return Vec::new();
    };
    match item {
        ConfigItem::ClassName {
            env_index, binding, ..
        } => {
            let Some(class) = binding.class_name.as_ref() else {
                return Vec::new();
            };
            let target = do_target(ws, worker, env_index, binding, &class.value);
            target
                .host
                .and_then(|host| class_declaration(ws, host, target.host_env, &class.value))
                .into_iter()
                .collect()
        }
        ConfigItem::MigrationClass { class, .. } => class_declaration(ws, worker, 0, class)
            .into_iter()
            .collect(),
        ConfigItem::ScriptName { name, .. } => ws
            .worker_by_script_name(worker, name)
            .and_then(|host| {
                let name = host.envs[0].name.as_ref()?;
                Some(Target {
                    file: host.config,
                    range: name.range,
                })
            })
            .into_iter()
            .collect(),
        ConfigItem::Main { range } => worker
            .envs
            .iter()
            .zip(&worker.mains)
            .filter(|(env, _)| env.main.as_ref().is_some_and(|m| m.range == range))
            .filter_map(|(_, main)| match main {
                MainFile::Found(file) => Some(Target {
                    file: *file,
                    range: TextRange::empty(0),
                }),
                _ => None,
            })
            .take(1)
            .collect(),
        ConfigItem::BindingName { .. } => Vec::new(),
    }
}

fn source_definition(ctx: &Ctx) -> Vec<Target> {
    let ws = ctx.ws;
    let Some(ident) = ident_at(ctx.text, ctx.offset) else {
        return Vec::new();
    };
    let name = &ctx.text[ident.as_std()];
    let Some(ty) = receiver_end(ctx.text, ident.start as usize)
        .and_then(|end| chain_before(ctx.text, end))
        .and_then(|chain| ctx.resolve(&chain))
    else {
        return Vec::new();
    };
    match ty {
        Ty::Env => ctx
            .workers()
            .iter()
            .flat_map(|w| w.envs.iter())
            .flat_map(|env| env.bindings.iter())
            .filter(|b| b.name.value == name)
            .map(|b| Target {
                file: b.file,
                range: b.name.range,
            })
            .collect(),
        Ty::Stub(target) => {
            let workers = ctx.workers();
            target_classes(ws, &workers, &target)
                .into_iter()
                .flat_map(|(file, class)| {
                    class
                        .methods
                        .iter()
                        .filter(|m| m.name.value == name)
                        .map(move |m| Target {
                            file,
                            range: m.name.range,
                        })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// From a DO class name (its declaration, a `class_name`, a migration entry)
/// or an `env.X` use of a DO binding: the declaration, every binding's
/// `class_name`, every migration entry, and every `env.X` use of those
/// bindings.
pub fn references(ws: &Workspace, file: FileId, offset: usize) -> Vec<Target> {
    references_with(ws, file, offset, true)
}

/// [`references`], leaving out the declaration unless
/// `include_declaration` (the protocol's `context.includeDeclaration`).
/// On a binding (`env.X`, a binding `name` in a config) the references are
/// the binding's: its declarations in configs, its uses and its Env type
/// members, not the class's. Every place a rename edits (import and
/// export specifiers too) is a reference.
pub fn references_with(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    include_declaration: bool,
) -> Vec<Target> {
    let Some(ctx) = Ctx::new(ws, file, offset) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut declarations: Vec<Target> = Vec::new();
    let sites = super::rename::reference_sites(ws, file, offset);
    if let Some(found) = method_references(&ctx) {
        // The method's declaration comes first.
        declarations.extend(found.first().copied());
        out = found;
    } else if let Some((true, sites)) = &sites {
        // A binding's declarations are its `name`s in configs.
        declarations.extend(
            sites
                .iter()
                .copied()
                .filter(|t| config_worker(ws, t.file).is_some()),
        );
        out.extend(sites.iter().copied());
    } else {
        let mut class_sites: Vec<Target> = Vec::new();
        for (host, class) in referenced_classes(&ctx) {
            let declaration = class_declaration(ws, host, 0, &class);
            declarations.extend(declaration);
            collect_references(ws, host, &class, &mut out);
            // What a rename from the declaration edits, wherever the
            // cursor was (a migration entry cannot start a rename).
            if let Some(declaration) = declaration {
                let from_declaration = super::rename::reference_sites(
                    ws,
                    declaration.file,
                    declaration.range.start as usize,
                );
                class_sites.extend(from_declaration.into_iter().flat_map(|(_, sites)| sites));
            }
        }
        for site in &class_sites {
            let known = out.iter().any(|t| {
                t.file == site.file
                    && t.range.start <= site.range.end
                    && site.range.start <= t.range.end
            });
            if !known {
                out.push(*site);
            }
        }
    }
    if !include_declaration {
        out.retain(|t| {
            !declarations.iter().any(|d| {
                d.file == t.file && d.range.start <= t.range.end && t.range.start <= d.range.end
            })
        });
    }
    dedupe(&mut out);
    out
}

/// References of a Durable Object method: its declaration and every stub
/// call of it (`env.X.getByName(..).m()`, `stub.m()`), across Workers. The
/// cursor is on the method's name in its class, or on a stub call of it.
fn method_references(ctx: &Ctx) -> Option<Vec<Target>> {
    let ws = ctx.ws;
    let summary = ws.summary(ctx.file)?;
    let everything = crate::rules::RuleCtx::everything(ws);
    let calls = crate::rules::stubs::stub_calls(&everything);
    // (declaring file, class name, method name) the cursor designates.
    let mut designated: Vec<(FileId, String, String)> = Vec::new();
    for class in &summary.classes {
        let Some(class_name) = &class.name else {
            continue;
        };
        for method in &class.methods {
            if method.name.range.contains(ctx.offset)
                || method.name.range.end as usize == ctx.offset
            {
                designated.push((
                    ctx.file,
                    class_name.value.clone(),
                    method.name.value.clone(),
                ));
            }
        }
    }
    if designated.is_empty() {
        let call = calls.iter().find(|c| {
            c.file == ctx.file
                && (c.call.name_range.contains(ctx.offset)
                    || c.call.name_range.end as usize == ctx.offset)
        })?;
        for (file, class) in call.classes.iter().flatten() {
            if let Some(name) = &class.name {
                designated.push((*file, name.value.clone(), call.method.to_string()));
            }
        }
    }
    if designated.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for (file, class_name, method) in &designated {
        let declaration = ws.summary(*file).and_then(|s| {
            s.classes
                .iter()
                .filter(|c| c.name.as_ref().is_some_and(|n| &n.value == class_name))
                .flat_map(|c| c.methods.iter())
                .find(|m| &m.name.value == method)
        });
        if let Some(declaration) = declaration {
            out.push(Target {
                file: *file,
                range: declaration.name.range,
            });
        }
        for call in calls.iter().filter(|c| c.method == method.as_str()) {
            let reaches =
                call.classes.iter().flatten().any(|(f, c)| {
                    f == file && c.name.as_ref().is_some_and(|n| &n.value == class_name)
                });
            if reaches {
                out.push(Target {
                    file: call.file,
                    range: call.call.name_range,
                });
            }
        }
    }
    Some(out)
}

/// The (host Worker, class name) pairs the cursor names.
fn referenced_classes<'a>(ctx: &Ctx<'a>) -> Vec<(&'a Worker, String)> {
    let ws = ctx.ws;
    if let Some(worker) = config_worker(ws, ctx.file) {
        return match config_item(ws, ctx.file, ctx.offset) {
            Some(ConfigItem::ClassName {
                env_index, binding, ..
            }) => binding
                .class_name
                .as_ref()
                .and_then(|class| {
                    let target = do_target(ws, worker, env_index, binding, &class.value);
                    Some((target.host?, class.value.clone()))
                })
                .into_iter()
                .collect(),
            Some(ConfigItem::MigrationClass { class, .. }) => vec![(worker, class.to_string())],
            Some(ConfigItem::BindingName { name, .. }) => binding_classes(ws, &[worker], name),
            _ => Vec::new(),
        };
    }
    let Some(summary) = ws.summary(ctx.file) else {
        return Vec::new();
    };
    let Some(ident) = ident_at(ctx.text, ctx.offset) else {
        return Vec::new();
    };
    let declared = summary.classes.iter().find_map(|c| {
        c.name
            .as_ref()
            .filter(|n| n.range == ident)
            .filter(|_| crate::model::durable_object_kind(ws, ctx.file, c).is_some())
            .map(|n| n.value.clone())
    });
    if let Some(class) = declared {
        return file_workers(ws, ctx.file)
            .into_iter()
            .map(|w| (w, class.clone()))
            .collect();
    }
    let is_env = receiver_end(ctx.text, ident.start as usize)
        .and_then(|end| chain_before(ctx.text, end))
        .and_then(|chain| ctx.resolve(&chain))
        == Some(Ty::Env);
    if is_env {
        return binding_classes(ws, &ctx.workers(), &ctx.text[ident.as_std()]);
    }
    Vec::new()
}

fn binding_classes<'a>(
    ws: &'a Workspace,
    workers: &[&'a Worker],
    name: &str,
) -> Vec<(&'a Worker, String)> {
    let mut out: Vec<(&Worker, String)> = Vec::new();
    for target in super::context::do_targets(ws, workers, Some(name)) {
        if let Some(host) = target.host {
            if !out
                .iter()
                .any(|(w, c)| std::ptr::eq(*w, host) && c == target.class_name)
            {
                out.push((host, target.class_name.to_string()));
            }
        }
    }
    out
}

fn collect_references(ws: &Workspace, host: &Worker, class: &str, out: &mut Vec<Target>) {
    if let Some(declaration) = class_declaration(ws, host, 0, class) {
        out.push(declaration);
    }
    for (file, range, _) in bindings_to(ws, host, class) {
        out.push(Target { file, range });
    }
    for (file, range, _) in migration_mentions(ws, host, class) {
        out.push(Target { file, range });
    }
    // `env.X` uses of every binding to the class, in the binding Worker's code.
    for worker in ws.workers.iter() {
        let mut names: Vec<&str> = Vec::new();
        for (env_index, env) in worker.envs.iter().enumerate() {
            for binding in &env.do_bindings {
                let (Some(name), Some(class_name)) = (&binding.name, &binding.class_name) else {
                    continue;
                };
                if class_name.value != class {
                    continue;
                }
                let target = do_target(ws, worker, env_index, binding, &class_name.value);
                if target.host.is_some_and(|h| std::ptr::eq(h, host))
                    && !names.contains(&name.value.as_str())
                {
                    names.push(&name.value);
                }
            }
        }
        if names.is_empty() {
            continue;
        }
        let files = if worker.reachable.is_empty() {
            &worker.sources
        } else {
            &worker.reachable
        };
        for &file in files {
            let Some(summary) = ws.summary(file) else {
                continue;
            };
            for access in &summary.env_accesses {
                if names.contains(&access.name.value.as_str()) {
                    out.push(Target {
                        file,
                        range: access.name.range,
                    });
                }
            }
        }
    }
}
