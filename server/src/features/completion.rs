//! Completion: bindings after `env.`, the DO API on namespaces, stubs,
//! state and storage, handler snippets in a DO class body, placement values,
//! and class / Worker / file names in wrangler configs.

use std::collections::HashSet;

use super::context::{
    array_key_before, chain_before, class_backend, config_worker, describe_backend, do_targets,
    ident_start, key_before, location, receiver_end, string_start, target_classes, Ctx, Target, Ty,
    HANDLER_NAMES, STORAGE, STUB,
};
use super::{CompletionEntry, CompletionKind};
use crate::config::{BindingKind, ConfigFormat};
use crate::files::FileId;
use crate::index::{ClassInfo, Visibility};
use crate::knowledge::{self, BackendRequirement, Member, MemberKind, PlacementValue};
use crate::model::{durable_object_kind, Backend, Worker, Workspace};
use crate::rules::support::env_replays;
use crate::text::TextRange;

pub fn completion(ws: &Workspace, file: FileId, offset: usize) -> Vec<CompletionEntry> {
    let Some(ctx) = Ctx::new(ws, file, offset) else {
        return Vec::new();
    };
    complete(ws, file, ctx)
}

/// Completion in `text`, the current buffer of `file`, using `ws` from the
/// previous analysis: answers right after a keystroke without waiting for
/// the workspace to be rebuilt.
pub fn completion_in_text(
    ws: &Workspace,
    file: FileId,
    text: &str,
    offset: usize,
) -> Vec<CompletionEntry> {
    if file.0 as usize >= ws.files.len() {
        return Vec::new();
    }
    complete(ws, file, Ctx::with_text(ws, file, text, offset))
}

fn complete(ws: &Workspace, file: FileId, ctx: Ctx) -> Vec<CompletionEntry> {
    let format = ws
        .files
        .path(file)
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(ConfigFormat::from_file_name);
    if let Some(format) = format {
        let schema = super::config_schema(ws, file);
        super::config_keys::completion(ctx.text, ctx.offset, format, &schema)
            .unwrap_or_else(|| config_completion(&ctx))
    } else if ws.summary(file).is_some() {
        source_completion(&ctx)
    } else {
        Vec::new()
    }
}

fn entry(label: &str, kind: CompletionKind, detail: String, replace: TextRange) -> CompletionEntry {
    CompletionEntry {
        label: label.to_string(),
        kind,
        detail,
        documentation: None,
        insert_text: label.to_string(),
        is_snippet: false,
        replace,
        sort_text: None,
    }
}

fn source_completion(ctx: &Ctx) -> Vec<CompletionEntry> {
    let text = ctx.text;
    let offset = ctx.offset;
    if let Some(value_start) = string_start(text, offset) {
        return placement_completion(text, value_start, offset);
    }
    let start = ident_start(text, offset);
    if start < offset && text.as_bytes()[start].is_ascii_digit() {
        return Vec::new();
    }
    let replace = TextRange::new(start, offset);
    if let Some(receiver) = receiver_end(text, start) {
        let Some(chain) = chain_before(text, receiver) else {
            return Vec::new();
        };
        let Some(ty) = ctx.resolve(&chain) else {
            return Vec::new();
        };
        return member_completion(ctx, &ty, replace);
    }
    handler_completion(ctx, start, replace)
}

/// `{ locationHint: "|` and `jurisdiction("|`.
fn placement_completion(text: &str, value_start: usize, offset: usize) -> Vec<CompletionEntry> {
    let quote = value_start - 1;
    let values: &[PlacementValue] = match key_before(text, quote) {
        Some("locationHint") => knowledge::LOCATION_HINTS,
        Some("jurisdiction") => knowledge::JURISDICTIONS,
        _ if text[..quote].trim_end().ends_with("jurisdiction(") => knowledge::JURISDICTIONS,
        _ => return Vec::new(),
    };
    let partial = &text[value_start..offset];
    if partial.contains(|c: char| c.is_whitespace()) {
        return Vec::new();
    }
    let replace = TextRange::new(value_start, offset);
    values
        .iter()
        .map(|v| {
            let mut e = entry(
                v.value,
                CompletionKind::Value,
                v.description.to_string(),
                replace,
            );
            e.documentation = Some(v.description.to_string());
            e
        })
        .collect()
}

fn member_completion(ctx: &Ctx, ty: &Ty, replace: TextRange) -> Vec<CompletionEntry> {
    match ty {
        Ty::Env => binding_completion(ctx, replace),
        Ty::Stub(target) => stub_completion(ctx, target, replace),
        Ty::Iface(STORAGE) => {
            let kv_backed = ctx
                .enclosing_class()
                .and_then(|c| c.name.as_ref())
                .and_then(|n| class_backend(ctx.ws, ctx.file, &n.value))
                == Some(Backend::Kv);
            interface_completion(STORAGE, kv_backed, replace)
        }
        other => other
            .interface()
            .map(|name| interface_completion(name, false, replace))
            .unwrap_or_default(),
    }
}

fn member_entry(member: &Member, replace: TextRange) -> CompletionEntry {
    let kind = match member.kind {
        MemberKind::Method => CompletionKind::Method,
        MemberKind::Property => CompletionKind::Property,
    };
    let signature = member.signature.lines().next().unwrap_or_default();
    let mut e = entry(member.name, kind, signature.to_string(), replace);
    let mut doc = member.description.to_string();
    if !member.limits.is_empty() {
        doc.push_str("\n\nLimits:");
        for limit in member.limits {
            doc.push_str("\n- ");
            doc.push_str(limit);
        }
    }
    if !member.docs.is_empty() {
        doc.push_str(&format!("\n\n[Cloudflare docs]({})", member.docs));
    }
    e.documentation = Some(doc);
    if !member.snippet.is_empty() && member.snippet != member.name {
        e.insert_text = member.snippet.to_string();
        e.is_snippet = true;
    }
    e
}

fn interface_completion(name: &str, kv_backed: bool, replace: TextRange) -> Vec<CompletionEntry> {
    let Some(interface) = knowledge::interface(name) else {
        return Vec::new();
    };
    interface
        .members
        .iter()
        .enumerate()
        .map(|(i, member)| {
            let mut e = member_entry(member, replace);
            let sqlite_only = member.backend == BackendRequirement::SqliteOnly;
            if kv_backed && sqlite_only {
                e.detail = format!("SQLite only — this class is KV-backed · {}", e.detail);
                e.sort_text = Some(format!("1{i:03}"));
            } else {
                e.sort_text = Some(format!("0{i:03}"));
            }
            e
        })
        .collect()
}

fn binding_completion(ctx: &Ctx, replace: TextRange) -> Vec<CompletionEntry> {
    let ws = ctx.ws;
    let mut seen = HashSet::new();
    // Bindings the Worker's Env type declares, TypeScript offers already
    // (with the precise type): dols adds only what the types lack.
    for worker in ctx.workers() {
        for &file in &worker.sources {
            for member in ws.summary(file).iter().flat_map(|s| &s.env_type_members) {
                seen.insert(member.value.clone());
            }
        }
    }
    let mut out = Vec::new();
    for worker in ctx.workers() {
        for (env_index, env) in worker.envs.iter().enumerate() {
            for binding in &env.bindings {
                let name = binding.name.value.as_str();
                if !seen.insert(name.to_string()) {
                    continue;
                }
                let mut detail = binding.kind.describe();
                if binding.kind == BindingKind::DurableObject {
                    let targets = do_targets(ws, &[worker], Some(name));
                    let target = targets
                        .iter()
                        .find(|t| t.env_index == env_index)
                        .or(targets.first());
                    if let Some(t) = target {
                        detail.push_str(&format!(" → {}", t.class_name));
                        if let Some(script) = &t.binding.script_name {
                            detail.push_str(&format!(" in {}", script.value));
                        }
                        if let Some((live, _)) = t.live() {
                            detail.push_str(&format!(" ({})", describe_backend(live.backend)));
                        }
                    }
                }
                let mut e = entry(name, CompletionKind::Binding, detail, replace);
                e.documentation = Some(binding_documentation(ws, worker, env_index, binding));
                let rank = u8::from(binding.kind != BindingKind::DurableObject);
                e.sort_text = Some(format!("{rank}{:04}", out.len()));
                out.push(e);
            }
        }
    }
    out.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    out
}

/// What a binding completion item shows beside the list: for a Durable
/// Object binding, its class, host, backend and creating migration; for a
/// variable, its value as written; always where it is declared (a link).
fn binding_documentation(
    ws: &Workspace,
    worker: &Worker,
    env_index: usize,
    binding: &crate::config::Binding,
) -> String {
    let declared = super::context::location_link(ws, binding.file, binding.name.range.start);
    let section = match &worker.envs[env_index].env {
        Some(env) => format!("env.{}", env.value),
        None => "top level".to_string(),
    };
    let name = &binding.name.value;
    if binding.kind == BindingKind::DurableObject {
        let targets = do_targets(ws, &[worker], Some(name));
        if let Some(target) = targets
            .iter()
            .find(|t| t.env_index == env_index)
            .or(targets.first())
        {
            return format!(
                "**{name}** · Durable Object namespace\n\n{}\n\nDeclared in {declared} ({section})",
                super::hover::do_target_lines(ws, target)
            );
        }
    }
    let mut md = format!("**{name}** · {}", binding.kind.describe());
    if binding.kind == BindingKind::Var {
        if let Some(value) = written_value(ws.files.text(binding.file), binding.name.range) {
            md.push_str(&format!("\n\n`{name} = {value}`"));
        }
    }
    md.push_str(&format!("\n\nDeclared in {declared} ({section})"));
    md
}

/// The value written after a config key (`= "x"` in TOML, `: "x"` in
/// JSON), up to the end of its line, when it fits on one line.
fn written_value(text: &str, key: TextRange) -> Option<String> {
    let rest = text.get(key.end as usize..)?;
    let line = rest.split('\n').next()?;
    let value = line
        .trim_start_matches(['"', '\''])
        .trim_start()
        .strip_prefix(['=', ':'])?
        .trim()
        .trim_end_matches(',')
        .trim();
    let value = value.split(" #").next().unwrap_or(value).trim();
    (!value.is_empty() && value.len() <= 120 && !value.starts_with(['{', '[']))
        .then(|| value.to_string())
}

/// Public RPC methods of `class` and of workspace base classes it extends.
fn rpc_methods<'a>(
    ws: &'a Workspace,
    workers: &[&'a Worker],
    file: FileId,
    class: &'a ClassInfo,
    depth: u32,
    out: &mut Vec<(String, &'a ClassInfo, Vec<String>)>,
) {
    for method in &class.methods {
        let name = method.name.value.as_str();
        let handler =
            HANDLER_NAMES.contains(&name) || knowledge::HANDLERS.iter().any(|h| h.name == name);
        if method.visibility != Visibility::Public
            || method.is_static
            || name == "constructor"
            || name.starts_with('#')
            || handler
            || out.iter().any(|(n, _, _)| n == name)
        {
            continue;
        }
        out.push((name.to_string(), class, method.params.clone()));
    }
    if depth >= 4 {
        return;
    }
    let Some(base) = class.heritage.as_ref().and_then(|h| h.root.as_deref()) else {
        return;
    };
    let same_file = ws.summary(file).and_then(|s| {
        s.classes
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == base))
    });
    if let Some(base_class) = same_file {
        if durable_object_kind(ws, file, base_class).is_some() {
            rpc_methods(ws, workers, file, base_class, depth + 1, out);
        }
        return;
    }
    for worker in workers {
        if let Some((base_file, base_class)) = ws.classes_named(worker, base).next() {
            if durable_object_kind(ws, base_file, base_class).is_some() {
                rpc_methods(ws, workers, base_file, base_class, depth + 1, out);
            }
            return;
        }
    }
}

fn stub_completion(ctx: &Ctx, target: &Target, replace: TextRange) -> Vec<CompletionEntry> {
    let ws = ctx.ws;
    let workers = ctx.workers();
    let mut methods = Vec::new();
    for (file, class) in target_classes(ws, &workers, target) {
        let hosts: Vec<&Worker> = ws
            .workers
            .iter()
            .filter(|w| w.sources.contains(&file))
            .collect();
        rpc_methods(ws, &hosts, file, class, 0, &mut methods);
    }
    let mut out: Vec<CompletionEntry> = methods
        .into_iter()
        .enumerate()
        .map(|(i, (name, class, params))| {
            let class_name = class.name.as_ref().map_or("", |n| n.value.as_str());
            let mut e = entry(
                &name,
                CompletionKind::Method,
                format!("{class_name}.{name}({}) — RPC", params.join(", ")),
                replace,
            );
            e.sort_text = Some(format!("0{i:03}"));
            e
        })
        .collect();
    if let Some(stub) = knowledge::interface(STUB) {
        for (i, member) in stub.members.iter().enumerate() {
            if out.iter().any(|e| e.label == member.name) {
                continue;
            }
            let mut e = member_entry(member, replace);
            e.sort_text = Some(format!("1{i:03}"));
            out.push(e);
        }
    }
    out
}

/// Handler snippets at member position in a DO class body.
fn handler_completion(ctx: &Ctx, start: usize, replace: TextRange) -> Vec<CompletionEntry> {
    let text = ctx.text;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..start].trim().is_empty() {
        return Vec::new();
    }
    let Some(class) = ctx.enclosing_class() else {
        return Vec::new();
    };
    if durable_object_kind(ctx.ws, ctx.file, class).is_none() {
        return Vec::new();
    }
    // Inside the body braces, outside every member.
    let body_start = class
        .heritage
        .as_ref()
        .map(|h| h.range.end)
        .or(class.name.as_ref().map(|n| n.range.end))
        .unwrap_or(class.range.start) as usize;
    if !text[body_start.min(start)..start].contains('{') {
        return Vec::new();
    }
    let inside_member = class.methods.iter().any(|m| m.range.contains(start))
        || class
            .constructor
            .as_ref()
            .is_some_and(|c| c.range.contains(start));
    if inside_member {
        return Vec::new();
    }
    knowledge::HANDLERS
        .iter()
        .filter(|h| !class.methods.iter().any(|m| m.name.value == h.name))
        .map(|h| {
            let mut e = entry(
                h.name,
                CompletionKind::Snippet,
                h.signature.to_string(),
                replace,
            );
            e.documentation = Some(format!(
                "{}\n\n[Cloudflare docs]({})",
                h.description, h.docs
            ));
            e.insert_text = h.snippet.to_string();
            e.is_snippet = true;
            e
        })
        .collect()
}

// ---------------------------------------------------------------- config

fn config_completion(ctx: &Ctx) -> Vec<CompletionEntry> {
    let text = ctx.text;
    let offset = ctx.offset;
    let Some(value_start) = string_start(text, offset) else {
        return Vec::new();
    };
    let quote = value_start - 1;
    let replace = TextRange::new(value_start, offset);
    let Some(worker) = config_worker(ctx.ws, ctx.file) else {
        return Vec::new();
    };
    if let Some(key) = key_before(text, quote) {
        return match key {
            "class_name" => class_name_completion(ctx, worker, replace),
            "script_name" => worker_name_completion(ctx, worker, replace),
            "main" => main_completion(ctx, worker, replace),
            _ => Vec::new(),
        };
    }
    match array_key_before(text, quote) {
        Some("new_sqlite_classes" | "new_classes" | "deleted_classes") => {
            migration_class_completion(ctx, worker, replace)
        }
        _ => Vec::new(),
    }
}

/// The block (`{...}` or TOML table) around `offset`.
fn enclosing_block(text: &str, offset: usize) -> &str {
    let b = text.as_bytes();
    let mut depth = 0i32;
    let mut i = offset;
    while i > 0 {
        i -= 1;
        match b[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                let end = text[offset..].find('}').map_or(text.len(), |e| offset + e);
                return &text[i..end];
            }
            b'{' => depth -= 1,
            _ => {}
        }
    }
    let is_header = |line: &str| line.trim_start().starts_with('[');
    let start = text[..offset]
        .rmatch_indices('\n')
        .map(|(n, _)| n + 1)
        .find(|&n| is_header(&text[n..]))
        .unwrap_or(0);
    let end = text[offset..]
        .match_indices('\n')
        .map(|(n, _)| offset + n + 1)
        .find(|&n| is_header(&text[n..]))
        .unwrap_or(text.len());
    &text[start..end]
}

/// The `script_name` written in the same binding as the cursor.
fn sibling_script_name(text: &str, offset: usize) -> Option<String> {
    let block = enclosing_block(text, offset);
    let at = block.find("script_name")?;
    let rest = &block[at + "script_name".len()..];
    let rest = rest.trim_start_matches(['"', '\'', ' ', '\t', '=', ':']);
    let value_end = rest.find(['"', '\''])?;
    let value = &rest[..value_end];
    (!value.is_empty()).then(|| value.to_string())
}

fn class_name_completion(ctx: &Ctx, worker: &Worker, replace: TextRange) -> Vec<CompletionEntry> {
    let ws = ctx.ws;
    let host = match sibling_script_name(ctx.text, replace.start as usize) {
        Some(script) => match ws.worker_by_script_name(worker, &script) {
            Some(host) => host,
            None => return Vec::new(),
        },
        None => worker,
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (file, class) in ws.classes_of(host) {
        let Some(name) = &class.name else { continue };
        if durable_object_kind(ws, file, class).is_none() || !seen.insert(name.value.clone()) {
            continue;
        }
        out.push(entry(
            &name.value,
            CompletionKind::Class,
            format!(
                "Durable Object class · {}",
                location(ws, file, name.range.start)
            ),
            replace,
        ));
    }
    out
}

fn worker_name_completion(ctx: &Ctx, worker: &Worker, replace: TextRange) -> Vec<CompletionEntry> {
    let mut seen = HashSet::new();
    ctx.ws
        .workers
        .iter()
        .filter(|w| !std::ptr::eq(*w, worker))
        .filter_map(|w| {
            let name = w.name()?;
            seen.insert(name.to_string()).then(|| {
                entry(
                    name,
                    CompletionKind::Value,
                    format!("Worker · {}", super::context::short_path(ctx.ws, w.config)),
                    replace,
                )
            })
        })
        .collect()
}

fn main_completion(ctx: &Ctx, worker: &Worker, replace: TextRange) -> Vec<CompletionEntry> {
    worker
        .sources
        .iter()
        .filter_map(|&id| {
            let path = ctx.ws.files.path(id).strip_prefix(&worker.dir).ok()?;
            let path = path.to_string_lossy().replace('\\', "/");
            Some(entry(
                &path,
                CompletionKind::File,
                "source file".into(),
                replace,
            ))
        })
        .collect()
}

fn migration_class_completion(
    ctx: &Ctx,
    worker: &Worker,
    replace: TextRange,
) -> Vec<CompletionEntry> {
    let ws = ctx.ws;
    let mut created: HashSet<String> = HashSet::new();
    for replay in env_replays(worker) {
        created.extend(replay.replay.live.keys().cloned());
        created.extend(replay.replay.deleted.keys().cloned());
    }
    for env in &worker.envs {
        for migration in &env.migrations {
            for class in migration
                .new_classes
                .iter()
                .chain(&migration.new_sqlite_classes)
            {
                // The entry being typed is not a creation yet.
                if !class.range.contains(replace.start as usize) {
                    created.insert(class.value.clone());
                }
            }
        }
    }
    let mut bound: Vec<String> = Vec::new();
    for env in &worker.envs {
        for binding in env.do_bindings.iter().filter(|b| b.script_name.is_none()) {
            if let Some(class) = &binding.class_name {
                if !bound.contains(&class.value) {
                    bound.push(class.value.clone());
                }
            }
        }
    }
    let mut candidates: Vec<String> = bound.clone();
    for (file, class) in ws.classes_of(worker) {
        if let Some(name) = &class.name {
            if !candidates.contains(&name.value) && durable_object_kind(ws, file, class).is_some() {
                candidates.push(name.value.clone());
            }
        }
    }
    candidates
        .into_iter()
        .map(|name| {
            let is_bound = bound.contains(&name);
            let is_created = created.contains(&name);
            let (rank, detail) = match (is_bound, is_created) {
                (true, false) => (0, "bound, not created by any migration yet"),
                (false, false) => (1, "Durable Object class, not created yet"),
                (_, true) => (2, "already created by a migration"),
            };
            let mut e = entry(&name, CompletionKind::Class, detail.to_string(), replace);
            e.sort_text = Some(format!("{rank}{name}"));
            e
        })
        .collect()
}
