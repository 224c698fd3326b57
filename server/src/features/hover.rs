//! Hover: `env.X` bindings, DO API members, stub RPC methods, placement
//! values in code, variables holding a stub, namespace or id (from the
//! semantic model); class names, bindings and migration entries in configs.

use super::context::{
    chain_before, class_backend, config_worker, describe_backend, do_target, do_targets, ident_at,
    key_before, location_link, receiver_end, string_at, target_classes, Ctx, DoTarget, Target, Ty,
    STORAGE,
};
use super::HoverResult;
use crate::config::{ConfigFormat, RawSection};
use crate::files::FileId;
use crate::knowledge::wrangler_schema::Step;
use crate::knowledge::{self, BackendRequirement, Member};
use crate::model::{Backend, Worker, Workspace};
use crate::rules::support::{bound_class, env_replays};
use crate::semantic::{Evaluator, Value};
use crate::text::TextRange;

pub fn hover(ws: &Workspace, file: FileId, offset: usize) -> Option<HoverResult> {
    let ctx = Ctx::new(ws, file, offset)?;
    if let Some(format) = config_format(ws, file) {
        return config_hover(&ctx).or_else(|| schema_key_hover(&ctx, format));
    }
    ws.summary(file)?;
    if let Some(range) = string_at(ctx.text, ctx.offset) {
        return placement_hover(&ctx, range);
    }
    let ident = ident_at(ctx.text, ctx.offset)?;
    let Some(receiver) = receiver_end(ctx.text, ident.start as usize) else {
        // A name of its own (not `x.name`): a Durable Object class, handler
        // or base class, else what the model says it holds.
        return declaration_hover(&ctx, ident).or_else(|| value_hover(&ctx, ident));
    };
    let chain = chain_before(ctx.text, receiver)?;
    let ty = ctx.resolve(&chain)?;
    let name = &ctx.text[ident.as_std()];
    let markdown = match &ty {
        Ty::Env => binding_markdown(&ctx, name)?,
        Ty::Stub(target) => stub_markdown(&ctx, target, name)?,
        other => {
            let interface = knowledge::interface(other.interface()?)?;
            let member = interface.member(name)?;
            let mut md = member_markdown(interface.name, member);
            if interface.name == STORAGE
                && member.backend == BackendRequirement::SqliteOnly
                && enclosing_backend(&ctx) == Some(Backend::Kv)
            {
                md.push_str("\n\n⚠ This class is KV-backed: this member throws at runtime.");
            }
            md
        }
    };
    Some(HoverResult {
        markdown,
        range: ident,
    })
}

fn config_format(ws: &Workspace, file: FileId) -> Option<ConfigFormat> {
    ws.files
        .path(file)
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(ConfigFormat::from_file_name)
}

/// Hover on a config key (`compatibility_date`, a table header's
/// `bindings`, a JSON `"migrations"`) or on a value with fixed choices
/// (`mode = "smart"`): what wrangler's schema says of the key.
fn schema_key_hover(ctx: &Ctx, format: ConfigFormat) -> Option<HoverResult> {
    let (tree, _) = crate::config::parse_tree(ctx.text, format);
    let mut path = Vec::new();
    let found = key_at(&tree, ctx.offset, &mut path)?;
    let steps: Vec<Step> = found
        .container
        .iter()
        .map(|step| match step {
            Some(key) => Step::Key(key),
            None => Step::Element,
        })
        .collect();
    let schema = super::config_schema(ctx.ws, ctx.file);
    let doc = schema.key(&steps, &found.key)?;
    let mut markdown = format!("**`{}`**", doc.name);
    if let Some(ty) = &doc.value_type {
        markdown.push_str(&format!(": `{ty}`"));
    }
    if let Some(value) = &found.value {
        let choices = schema.value_choices(&steps, &found.key);
        if choices.is_empty() {
            return None;
        }
        let listed: Vec<String> = choices
            .iter()
            .map(|choice| {
                let shown = format!("`{choice}`");
                if choice == value {
                    format!("{shown} (this value)")
                } else {
                    shown
                }
            })
            .collect();
        markdown.push_str(&format!("\n\nAllowed values: {}", listed.join(", ")));
    }
    if let Some(description) = &doc.description {
        markdown.push_str("\n\n");
        markdown.push_str(description.trim());
    }
    if let Some(deprecated) = &doc.deprecated {
        markdown.push_str(&format!("\n\n**Deprecated:** {deprecated}"));
    }
    markdown.push_str(&format!("\n\n_{}_", schema.attribution()));
    Some(HoverResult {
        markdown,
        range: found.range,
    })
}

/// The key (or the scalar value of a key) under the cursor.
struct KeyAt {
    /// The keys of its container (`None` for an array element).
    container: Vec<Option<String>>,
    /// The key's name, unquoted.
    key: String,
    /// The hovered key's or value's range.
    range: crate::text::TextRange,
    /// Set when the cursor is on the value: the value as JSON.
    value: Option<serde_json::Value>,
}

fn key_at(
    node: &crate::config::value::Node,
    offset: usize,
    path: &mut Vec<Option<String>>,
) -> Option<KeyAt> {
    use crate::config::value::NodeKind;
    match &node.kind {
        NodeKind::Object(entries) => {
            for entry in entries {
                let name = entry.key.value.trim_matches(['"', '\'']).to_string();
                if entry.key.range.contains(offset) {
                    return Some(KeyAt {
                        container: path.clone(),
                        key: name,
                        range: entry.key.range,
                        value: None,
                    });
                }
                let scalar = match &entry.value.kind {
                    NodeKind::String(s) => Some(serde_json::Value::String(s.clone())),
                    NodeKind::Bool(b) => Some(serde_json::Value::Bool(*b)),
                    _ => None,
                };
                if let Some(value) = scalar.filter(|_| entry.value.range.contains(offset)) {
                    return Some(KeyAt {
                        container: path.clone(),
                        key: name,
                        range: entry.value.range,
                        value: Some(value),
                    });
                }
                path.push(Some(name));
                let found = key_at(&entry.value, offset, path);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        NodeKind::Array(elements) => elements.iter().find_map(|element| {
            path.push(None);
            let found = key_at(element, offset, path);
            path.pop();
            found
        }),
        _ => None,
    }
}

fn enclosing_backend(ctx: &Ctx) -> Option<Backend> {
    let class = ctx.enclosing_class()?.name.as_ref()?;
    class_backend(ctx.ws, ctx.file, &class.value)
}

pub(super) fn member_markdown(interface: &str, member: &Member) -> String {
    // No signature block: TypeScript's hover shows the precise one (with
    // the stub's class), and two signatures stacked confuse.
    let mut md = format!(
        "**`{interface}.{}`**\n\n{}",
        member.name, member.description
    );
    if !member.limits.is_empty() {
        md.push_str("\n\n**Limits**");
        for limit in member.limits {
            md.push_str("\n- ");
            md.push_str(limit);
        }
    }
    md.push_str(match member.backend {
        BackendRequirement::Any => "\n\n**Backend:** SQLite and KV",
        BackendRequirement::SqliteOnly => {
            "\n\n**Backend:** SQLite only (throws on KV-backed classes)"
        }
    });
    if !member.docs.is_empty() {
        md.push_str(&format!("\n\n[Cloudflare docs]({})", member.docs));
    }
    md
}

fn binding_markdown(ctx: &Ctx, name: &str) -> Option<String> {
    let ws = ctx.ws;
    let workers = ctx.workers();
    let targets = do_targets(ws, &workers, Some(name));
    if targets.is_empty() {
        let binding = workers
            .iter()
            .flat_map(|w| w.envs.iter())
            .flat_map(|e| e.bindings.iter())
            .find(|b| b.name.value == name)?;
        return Some(format!(
            "**{name}** · {}\n\nDeclared at {}",
            binding.kind.describe(),
            location_link(ws, binding.file, binding.name.range.start)
        ));
    }
    let mut sections: Vec<String> = Vec::new();
    let mut envs_of: Vec<Vec<String>> = Vec::new();
    for target in &targets {
        let section = do_target_lines(ws, target);
        let env = target.worker.envs[target.env_index]
            .env
            .as_ref()
            .map_or("top level".to_string(), |e| format!("env `{}`", e.value));
        match sections.iter().position(|s| *s == section) {
            Some(i) => envs_of[i].push(env),
            None => {
                sections.push(section);
                envs_of.push(vec![env]);
            }
        }
    }
    let mut md = format!("**{name}** · Durable Object namespace");
    for (i, section) in sections.iter().enumerate() {
        if sections.len() > 1 {
            md.push_str(&format!("\n\n*{}*", envs_of[i].join(", ")));
        }
        md.push_str("\n\n");
        md.push_str(section);
    }
    Some(md)
}

/// Class → backend → creating migration → declaration, for one binding.
pub(super) fn do_target_lines(ws: &Workspace, target: &DoTarget) -> String {
    let mut lines = vec![format!("- class `{}`", target.class_name)];
    if let Some(script) = &target.binding.script_name {
        let host = match target.host {
            Some(_) => format!("- hosted by Worker `{}`", script.value),
            None => format!(
                "- hosted by Worker `{}` (not in this workspace)",
                script.value
            ),
        };
        lines.push(host);
    }
    match target.live() {
        Some((live, env)) => {
            lines.push(format!("- backend: {}", describe_backend(live.backend)));
            match live.migration.and_then(|i| env.migrations.get(i)) {
                Some(migration) => {
                    let tag = migration
                        .tag
                        .as_ref()
                        .map_or("(untagged)".to_string(), |t| format!("`{}`", t.value));
                    lines.push(format!(
                        "- created by migration {tag} ({})",
                        location_link(ws, env.file, live.created_at.start)
                    ));
                }
                None => lines.push(format!(
                    "- declared in `exports` ({})",
                    location_link(ws, env.file, live.created_at.start)
                )),
            }
        }
        None if target.host.is_some() => {
            lines.push("- not created by any migration".to_string());
        }
        None => {}
    }
    match target.class(ws) {
        Some((file, class)) => {
            let at = class
                .name
                .as_ref()
                .map_or(class.range.start, |n| n.range.start);
            lines.push(format!("- declared in {}", location_link(ws, file, at)));
        }
        None if target.host.is_some() => lines.push("- class not found in the sources".to_string()),
        None => {}
    }
    lines.join("\n")
}

/// What `DurableObject` gives a class, for the hover on the base class.
const DURABLE_OBJECT_BASE: &str = "**DurableObject** · base class from `cloudflare:workers`\n\nExtend it to write a Durable Object class: the constructor receives `ctx` (a `DurableObjectState`: `ctx.storage`, `ctx.id`, `ctx.acceptWebSocket()`, `ctx.blockConcurrencyWhile()`) and `env`, kept as `this.ctx` and `this.env`. Public methods can be called over RPC from a stub (`env.X.getByName(name).method()`); `fetch`, `alarm` and the `webSocket*` handlers are called by the runtime. Call `super(ctx, env)` first in a constructor of your own.\n\nA class must also be exported from the Worker's `main` and created by a migration (`new_sqlite_classes`) or an `exports` entry before it can be bound.\n\n[Cloudflare docs](https://developers.cloudflare.com/durable-objects/api/base/)";

/// Hover on a name declared in this file or imported into it: a Durable
/// Object class (its bindings, backend, migrations and Workers), one of its
/// handler methods (what calls it and when), or `DurableObject` itself.
fn declaration_hover(ctx: &Ctx, ident: TextRange) -> Option<HoverResult> {
    let ws = ctx.ws;
    let summary = ws.summary(ctx.file)?;
    let name = &ctx.text[ident.as_std()];
    let answer = |markdown: String| {
        Some(HoverResult {
            markdown,
            range: ident,
        })
    };
    for class in &summary.classes {
        let Some(class_name) = &class.name else {
            continue;
        };
        let is_durable_object = || crate::model::durable_object_kind(ws, ctx.file, class).is_some();
        if class_name.range == ident && is_durable_object() {
            return answer(class_markdown_in(ctx, &class_name.value)?);
        }
        if let Some(method) = class.methods.iter().find(|m| m.name.range == ident) {
            let handler = knowledge::HANDLERS
                .iter()
                .find(|h| h.name == method.name.value)?;
            if !is_durable_object() {
                return None;
            }
            return answer(format!(
                "```ts\n{}\n```\n\n**Handler of Durable Object `{}`.** {}\n\n[Cloudflare docs]({})",
                handler.signature, class_name.value, handler.description, handler.docs
            ));
        }
        let in_heritage = class
            .heritage
            .as_ref()
            .is_some_and(|h| h.range.contains(ident.start as usize));
        if in_heritage && name == "DurableObject" {
            return answer(DURABLE_OBJECT_BASE.to_string());
        }
    }
    // A name this file imports or re-exports.
    let imported = summary
        .imports
        .iter()
        .find_map(|import| match &import.kind {
            crate::index::ImportKind::Named { imported, local } if local == name => {
                Some(imported.as_str())
            }
            _ => None,
        });
    let re_exported = summary.exports.iter().find_map(|export| match export {
        crate::index::Export::ReExport {
            exported, imported, ..
        } if exported.range.contains(ident.start as usize) || exported.value == name => {
            Some(imported.as_str())
        }
        _ => None,
    });
    let original = imported.or(re_exported)?;
    if original == "DurableObject" {
        return answer(DURABLE_OBJECT_BASE.to_string());
    }
    answer(class_markdown_in(ctx, original)?)
}

/// [`class_markdown`] for a Durable Object class named `class` that a
/// Worker reaching this file runs (preferring one that binds or creates it).
fn class_markdown_in(ctx: &Ctx, class: &str) -> Option<String> {
    let ws = ctx.ws;
    let workers = ctx.workers();
    let runs = |worker: &Worker| {
        ws.classes_named(worker, class)
            .any(|(file, info)| crate::model::durable_object_kind(ws, file, info).is_some())
    };
    let host = workers
        .iter()
        .copied()
        .filter(|w| runs(w))
        .find(|w| !bindings_to(ws, w, class).is_empty())
        .or_else(|| workers.iter().copied().find(|w| runs(w)))?;
    Some(class_markdown(ws, host, 0, class, None))
}

/// Hover on a variable, parameter or field name that holds a Durable
/// Object value: a stub or an id, with the class it reaches and that
/// class's backend, and the binding it comes from.
fn value_hover(ctx: &Ctx, ident: TextRange) -> Option<HoverResult> {
    let sem = &ctx.ws.summary(ctx.file)?.semantic;
    let decl = sem.decl_at(ident.start)?;
    let name = &ctx.text[ident.as_std()];
    let value = Evaluator::new(ctx.ws).decl_value(ctx.file, decl);
    let (what, target) = match &value {
        Value::Stub {
            binding: Some(binding),
            ..
        } => ("Durable Object stub", Target::Binding(binding.to_string())),
        Value::Stub {
            class: Some(class), ..
        } => ("Durable Object stub", Target::Class(class.to_string())),
        Value::Binding(binding) => (
            "Durable Object namespace",
            Target::Binding(binding.to_string()),
        ),
        Value::Id {
            binding: Some(binding),
            ..
        } => ("Durable Object id", Target::Binding(binding.to_string())),
        _ => return None,
    };
    let workers = ctx.workers();
    let classes = target_classes(ctx.ws, &workers, &target);
    if classes.is_empty() {
        return None;
    }
    let mut markdown = format!("**`{name}`** · {what}");
    if let Target::Binding(binding) = &target {
        markdown.push_str(&format!(" from binding `{binding}`"));
    }
    for (file, class) in classes {
        let Some(class_name) = class.name.as_ref().map(|n| n.value.as_str()) else {
            continue;
        };
        let backend = class_backend(ctx.ws, file, class_name)
            .map(|b| format!(", {} backend", describe_backend(b)))
            .unwrap_or_default();
        markdown.push_str(&format!(
            "\n\n→ class `{class_name}` ({}{backend})",
            location_link(ctx.ws, file, class.range.start)
        ));
    }
    Some(HoverResult {
        markdown,
        range: ident,
    })
}

fn stub_markdown(ctx: &Ctx, target: &Target, name: &str) -> Option<String> {
    let ws = ctx.ws;
    let workers = ctx.workers();
    for (file, class) in target_classes(ws, &workers, target) {
        if let Some(method) = class.methods.iter().find(|m| m.name.value == name) {
            let class_name = class.name.as_ref().map_or("", |n| n.value.as_str());
            return Some(format!(
                "```ts\n{class_name}.{name}({})\n```\n\nRPC method of Durable Object `{class_name}` ({}). Called through the stub, it returns a Promise.",
                method.params.join(", "),
                location_link(ws, file, method.name.range.start)
            ));
        }
    }
    let stub = knowledge::interface(super::context::STUB)?;
    Some(member_markdown(stub.name, stub.member(name)?))
}

fn placement_hover(ctx: &Ctx, range: TextRange) -> Option<HoverResult> {
    let value = &ctx.text[range.as_std()];
    let quote = range.start as usize - 1;
    let key = key_before(ctx.text, quote);
    let is_jurisdiction =
        key == Some("jurisdiction") || ctx.text[..quote].trim_end().ends_with("jurisdiction(");
    let markdown = if key == Some("locationHint") {
        let hint = knowledge::LOCATION_HINTS
            .iter()
            .find(|h| h.value == value)?;
        format!(
            "**`{}`** · location hint\n\n{}\n\nBest effort, only honoured when the object is first created; later `get` calls with another hint do not move it.",
            hint.value, hint.description
        )
    } else if is_jurisdiction {
        let j = knowledge::JURISDICTIONS.iter().find(|h| h.value == value)?;
        format!(
            "**`{}`** · jurisdiction\n\n{}\n\nObjects created in a jurisdiction stay there: their IDs encode it.",
            j.value, j.description
        )
    } else {
        return None;
    };
    Some(HoverResult { markdown, range })
}

// ---------------------------------------------------------------- config

/// What sits under the cursor in a config file.
pub(super) enum ConfigItem<'a> {
    /// A DO binding's `class_name`, with the binding's env index.
    ClassName {
        env_index: usize,
        binding: &'a crate::config::DoBinding,
        range: TextRange,
    },
    /// A DO binding's `name`.
    BindingName {
        name: &'a str,
        range: TextRange,
    },
    ScriptName {
        name: &'a str,
        range: TextRange,
    },
    Main {
        range: TextRange,
    },
    /// A class named in a migration or the `exports` map.
    MigrationClass {
        class: &'a str,
        effect: String,
        range: TextRange,
    },
}

/// The config item at the offset, for the config `ctx.file`.
pub(super) fn config_item<'a>(
    ws: &'a Workspace,
    file: FileId,
    offset: usize,
) -> Option<ConfigItem<'a>> {
    let worker = config_worker(ws, file)?;
    let config = ws.configs.get(worker.config_index)?;
    let hit = |r: TextRange| r.contains(offset) || r.end as usize == offset && !r.is_empty();
    for (env_index, env) in worker.envs.iter().enumerate() {
        for binding in &env.do_bindings {
            if let Some(class) = binding.class_name.as_ref().filter(|c| hit(c.range)) {
                return Some(ConfigItem::ClassName {
                    env_index,
                    binding,
                    range: class.range,
                });
            }
            if let Some(name) = binding.name.as_ref().filter(|c| hit(c.range)) {
                return Some(ConfigItem::BindingName {
                    name: &name.value,
                    range: name.range,
                });
            }
            if let Some(script) = binding.script_name.as_ref().filter(|c| hit(c.range)) {
                return Some(ConfigItem::ScriptName {
                    name: &script.value,
                    range: script.range,
                });
            }
        }
        if let Some(main) = env.main.as_ref().filter(|m| hit(m.range)) {
            return Some(ConfigItem::Main { range: main.range });
        }
    }
    let sections = std::iter::once(&config.top).chain(config.envs.iter().map(|e| &e.section));
    for section in sections {
        if let Some(item) = section_migration_item(section, &hit) {
            return Some(item);
        }
    }
    None
}

fn section_migration_item<'a>(
    section: &'a RawSection,
    hit: &dyn Fn(TextRange) -> bool,
) -> Option<ConfigItem<'a>> {
    let item =
        |class: &'a crate::text::Spanned<String>, effect: String| ConfigItem::MigrationClass {
            class: &class.value,
            effect,
            range: class.range,
        };
    for migration in section.migrations.iter().flat_map(|m| m.value.iter()) {
        if let Some(class) = migration.new_sqlite_classes.iter().find(|c| hit(c.range)) {
            let effect = format!(
                "This entry creates `{}` on the SQLite backend.",
                class.value
            );
            return Some(item(class, effect));
        }
        if let Some(class) = migration.new_classes.iter().find(|c| hit(c.range)) {
            let effect = format!(
                "This entry creates `{}` on the legacy KV backend (it can never move to SQLite).",
                class.value
            );
            return Some(item(class, effect));
        }
        if let Some(class) = migration.deleted_classes.iter().find(|c| hit(c.range)) {
            let effect = format!(
                "This entry deletes `{}` and all of its objects' data.",
                class.value
            );
            return Some(item(class, effect));
        }
        for rename in &migration.renamed_classes {
            if let (Some(from), Some(to)) = (&rename.from, &rename.to) {
                let effect = format!(
                    "This entry renames `{}` to `{}`, keeping its objects and data.",
                    from.value, to.value
                );
                if hit(from.range) {
                    return Some(item(from, effect));
                }
                if hit(to.range) {
                    return Some(item(to, effect));
                }
            }
        }
        for transfer in &migration.transferred_classes {
            if let Some(to) = transfer.to.as_ref().filter(|c| hit(c.range)) {
                let from = transfer.from.as_ref().map_or("?", |f| f.value.as_str());
                let script = transfer
                    .from_script
                    .as_ref()
                    .map_or("?", |f| f.value.as_str());
                let effect = format!(
                    "This entry transfers `{from}` from Worker `{script}` into this Worker as `{}`.",
                    to.value
                );
                return Some(item(to, effect));
            }
        }
    }
    for export in section.exports.iter().flat_map(|e| e.value.iter()) {
        if hit(export.class.range) {
            let effect = "Declared in the `exports` map of this Worker.".to_string();
            return Some(item(&export.class, effect));
        }
    }
    None
}

fn config_hover(ctx: &Ctx) -> Option<HoverResult> {
    let ws = ctx.ws;
    let worker = config_worker(ws, ctx.file)?;
    match config_item(ws, ctx.file, ctx.offset)? {
        ConfigItem::ClassName {
            env_index,
            binding,
            range,
        } => {
            let class = &binding.class_name.as_ref()?.value;
            let target = do_target(ws, worker, env_index, binding, class);
            let host = target.host?;
            Some(HoverResult {
                markdown: class_markdown(ws, host, target.host_env, class, None),
                range,
            })
        }
        ConfigItem::MigrationClass {
            class,
            effect,
            range,
        } => Some(HoverResult {
            markdown: class_markdown(ws, worker, 0, class, Some(&effect)),
            range,
        }),
        ConfigItem::BindingName { name, range } => {
            let workers = [worker];
            let targets = do_targets(ws, &workers, Some(name));
            let target = targets.first()?;
            Some(HoverResult {
                markdown: format!(
                    "**{name}** · Durable Object namespace\n\n{}",
                    do_target_lines(ws, target)
                ),
                range,
            })
        }
        ConfigItem::ScriptName { name, range } => {
            let host = ws.worker_by_script_name(worker, name)?;
            Some(HoverResult {
                markdown: format!(
                    "Worker **{name}** · {}",
                    super::context::short_path(ws, host.config)
                ),
                range,
            })
        }
        ConfigItem::Main { .. } => None,
    }
}

/// Where a class is defined, whether main exports it, and which bindings
/// and migrations mention it. `host` is the Worker running the class.
fn class_markdown(
    ws: &Workspace,
    host: &Worker,
    env_index: usize,
    class: &str,
    effect: Option<&str>,
) -> String {
    let mut md = format!("**{class}** · Durable Object class");
    if let Some(effect) = effect {
        md.push_str("\n\n");
        md.push_str(effect);
    }
    let mut lines = Vec::new();
    match bound_class(ws, host, env_index, class) {
        Some((file, info)) => {
            let at = info
                .name
                .as_ref()
                .map_or(info.range.start, |n| n.range.start);
            lines.push(format!("- declared in {}", location_link(ws, file, at)));
        }
        None => lines.push(format!(
            "- no class named `{class}` in the sources of Worker `{}`",
            host.name().unwrap_or("?")
        )),
    }
    if let Some(main) = host.main_of(env_index) {
        let exported = ws.exports_of(main).get(class).is_some();
        lines.push(format!(
            "- {} by main ({})",
            if exported {
                "exported"
            } else {
                "**not exported**"
            },
            super::context::short_path(ws, main)
        ));
    }
    if let Some(replay) = env_replays(host).into_iter().nth(env_index) {
        if let Some(live) = replay.replay.live.get(class) {
            lines.push(format!("- backend: {}", describe_backend(live.backend)));
        } else if replay.replay.deleted.contains_key(class) {
            lines.push("- deleted by a migration".to_string());
        }
    }
    for (file, range, binding) in bindings_to(ws, host, class) {
        // Which section declares it: the same name often comes back in
        // every environment, and from other Workers through `script_name`.
        let section = ws
            .workers
            .iter()
            .flat_map(|w| w.envs.iter().map(move |e| (w, e)))
            .find(|(_, e)| {
                e.file == file
                    && e.do_bindings
                        .iter()
                        .any(|b| b.class_name.as_ref().is_some_and(|c| c.range == range))
            })
            .map(|(worker, env)| {
                let mut place = match &env.env {
                    Some(name) => format!("env.{}", name.value),
                    None => "top level".to_string(),
                };
                if !std::ptr::eq(worker, host) {
                    place = format!("Worker `{}`, {place}", worker.name().unwrap_or("?"));
                }
                place
            })
            .unwrap_or_default();
        lines.push(format!(
            "- binding `{binding}` ({section}, {})",
            location_link(ws, file, range.start)
        ));
    }
    for (file, range, what) in migration_mentions(ws, host, class) {
        lines.push(format!(
            "- migration {what} ({})",
            location_link(ws, file, range.start)
        ));
    }
    md.push_str("\n\n");
    md.push_str(&lines.join("\n"));
    md
}

/// Every DO binding in the workspace that points at `class` in `host`:
/// (config file, class_name range, binding name). Deduplicated.
pub(super) fn bindings_to(
    ws: &Workspace,
    host: &Worker,
    class: &str,
) -> Vec<(FileId, TextRange, String)> {
    let mut out: Vec<(FileId, TextRange, String)> = Vec::new();
    for worker in ws.workers.iter() {
        for (env_index, env) in worker.envs.iter().enumerate() {
            for binding in &env.do_bindings {
                let Some(class_name) = binding.class_name.as_ref().filter(|c| c.value == class)
                else {
                    continue;
                };
                let target = do_target(ws, worker, env_index, binding, &class_name.value);
                if !target.host.is_some_and(|h| std::ptr::eq(h, host)) {
                    continue;
                }
                let name = binding.name.as_ref().map_or("?", |n| n.value.as_str());
                let entry = (env.file, class_name.range, name.to_string());
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
    }
    out
}

/// Migration and `exports` entries of `host`'s config naming `class`.
pub(super) fn migration_mentions(
    ws: &Workspace,
    host: &Worker,
    class: &str,
) -> Vec<(FileId, TextRange, String)> {
    let Some(config) = ws.configs.get(host.config_index) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let sections = std::iter::once(&config.top).chain(config.envs.iter().map(|e| &e.section));
    for section in sections {
        for migration in section.migrations.iter().flat_map(|m| m.value.iter()) {
            let tag = migration
                .tag
                .as_ref()
                .map_or("(untagged)".to_string(), |t| format!("`{}`", t.value));
            let mut push = |s: &crate::text::Spanned<String>, what: &str| {
                if s.value == class {
                    out.push((config.file, s.range, format!("{tag} {what}")));
                }
            };
            migration
                .new_sqlite_classes
                .iter()
                .for_each(|c| push(c, "new_sqlite_classes"));
            migration
                .new_classes
                .iter()
                .for_each(|c| push(c, "new_classes"));
            for rename in &migration.renamed_classes {
                if let Some(from) = &rename.from {
                    push(from, "renamed_classes (from)");
                }
                if let Some(to) = &rename.to {
                    push(to, "renamed_classes (to)");
                }
            }
            migration
                .deleted_classes
                .iter()
                .for_each(|c| push(c, "deleted_classes"));
            for transfer in &migration.transferred_classes {
                if let Some(to) = &transfer.to {
                    push(to, "transferred_classes");
                }
            }
        }
        for export in section.exports.iter().flat_map(|e| e.value.iter()) {
            if export.class.value == class {
                out.push((
                    config.file,
                    export.class.range,
                    "`exports` entry".to_string(),
                ));
            }
        }
    }
    out
}
