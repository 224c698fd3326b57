//! Creating and registering Durable Object classes.
//!
//! - [`new_durable_object`] (the `dols.newDurableObject` command): a new
//!   source file with a small class template, exported from `main`, bound
//!   in the config and created by a migration (or declared in the `exports`
//!   map), as one change.
//! - [`bind_class`] ("Bind this class"): the same registration for a class
//!   that extends `DurableObject` but that no config binds and nothing uses
//!   yet.
//!
//! Every part follows what the Worker already does: file naming, the
//! folder the other Durable Objects live in, quotes, semicolons,
//! indentation, line endings, import specifier extensions, the migration
//! tag scheme, and which env sections hold their own bindings and history.

use std::path::{Path, PathBuf};

use super::context::{config_worker, file_workers};
use super::rename::check_identifier;
use crate::config::{ConfigFormat, Origin};
use crate::files::FileId;
use crate::fix::config_edit::{
    add_do_bindings, add_sqlite_export, append_migration, next_tag, NewBinding, NewMigration,
    Section,
};
use crate::fix::source_edit::{self, line_ending};
use crate::fix::{apply_edits, minimal_edits, SourceChange, TextEdit};
use crate::index::{ClassInfo, Export, ImportKind};
use crate::model::{durable_object_kind, DoKind, Worker, Workspace};
use crate::rules::support::env_replays;

/// The change that creates `class_name` in a new file next to the Worker's
/// other sources, exports it from `main`, binds it as `binding_name` and
/// creates it (SQLite backend). `config` is the Worker's wrangler config.
/// The longest file name ext4, APFS, NTFS and most others accept.
const MAX_FILE_NAME_BYTES: usize = 255;

pub fn new_durable_object(
    ws: &Workspace,
    config: FileId,
    class_name: &str,
    binding_name: &str,
) -> Result<SourceChange, String> {
    let worker = config_worker(ws, config).ok_or_else(|| {
        format!(
            "{} is not the config of a Worker dols knows.",
            ws.files.path(config).display()
        )
    })?;
    check_identifier(class_name)?;
    check_identifier(binding_name)?;
    let main = worker.main_of(0).ok_or_else(|| {
        format!(
            "Worker `{}` has no `main` module in this workspace to export the class from.",
            worker.name().unwrap_or("?")
        )
    })?;
    if let Some((file, info)) = ws.classes_named(worker, class_name).next() {
        let at = info
            .name
            .as_ref()
            .map_or(info.range.start, |n| n.range.start);
        return Err(format!(
            "Worker `{}` already has a class `{class_name}` ({}); pick another name.",
            worker.name().unwrap_or("?"),
            super::context::location(ws, file, at)
        ));
    }
    check_class_free(ws, worker, class_name)?;
    check_binding_free(ws, worker, binding_name)?;
    let main_path = ws.files.path(main);
    let is_js = main_path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "js" | "mjs" | "cjs" | "jsx"));
    let dir = objects_dir(ws, worker, main);
    let style = FileNaming::of(ws, worker, &dir, main);
    let extension = match main_path.extension().and_then(|e| e.to_str()) {
        Some("mjs") => "mjs",
        Some("js" | "jsx" | "cjs") => "js",
        Some("mts") => "mts",
        _ => "ts",
    };
    let file_name = format!("{}.{extension}", style.file_stem(class_name));
    // Most file systems refuse names longer than 255 bytes; the editor
    // would fail to create the file after the other edits were applied.
    if file_name.len() > MAX_FILE_NAME_BYTES {
        return Err(format!(
            "The class name is too long for a file name: `{file_name}` would be {} bytes (at most {MAX_FILE_NAME_BYTES}); pick a shorter name.",
            file_name.len()
        ));
    }
    let path = dir.join(file_name);
    if ws.files.lookup(&path).is_some() {
        return Err(format!("{} already exists.", path.display()));
    }
    let code = CodeStyle::of(main_path, ws.files.text(main));
    let env_type = if is_js {
        EnvType::None
    } else {
        env_type(ws, worker, &dir)
    };
    let text = template(class_name, &code, &env_type, is_js);
    let mut change = SourceChange::default();
    change.created.push((path.clone(), text));
    let export = reexport_edit(ws, main, &path, class_name)?;
    change.push(main, export);
    change.extend(
        worker.config,
        register_in_config(ws, worker, class_name, binding_name)?,
    );
    Ok(change)
}

/// "Bind this class": offered on the name of a class that extends
/// `DurableObject` from `cloudflare:workers`, that no config binds, that no
/// migration mentions and that nothing imports or extends. The change adds
/// a binding named after the class (`ChatRoom` → `CHAT_ROOM`), a migration
/// creating it, and the export from `main`. `None` when the cursor is not
/// on such a class, or when the Worker is ambiguous.
pub fn bind_class(ws: &Workspace, file: FileId, offset: usize) -> Option<(String, SourceChange)> {
    let summary = ws.summary(file)?;
    let class = summary.classes.iter().find(|c| {
        c.name
            .as_ref()
            .is_some_and(|n| n.range.contains(offset) || n.range.end as usize == offset)
    })?;
    let name = &class.name.as_ref()?.value;
    if durable_object_kind(ws, file, class) != Some(DoKind::Native) {
        return None;
    }
    let text = ws.files.text(file);
    if text[class.range.as_std()]
        .trim_start()
        .starts_with("abstract")
    {
        return None; // a base for other classes, never bound itself
    }
    let workers: Vec<&Worker> = ws
        .workers
        .iter()
        .filter(|w| w.sources.contains(&file))
        .collect();
    let [worker] = workers.as_slice() else {
        return None;
    };
    let main = worker.main_of(0)?;
    if is_used(ws, file, class, name) {
        return None;
    }
    let binding = screaming_snake(name);
    check_identifier(&binding).ok()?;
    check_binding_free(ws, worker, &binding).ok()?;
    check_class_free(ws, worker, name).ok()?;
    let mut change = SourceChange::default();
    if ws.exports_of(main).get(name).is_none() {
        if !exported_by(ws, file, name) {
            let source = ws.files.get(file);
            let parsed = source_edit::parse(&source.path, &source.text)?;
            let declaration = parsed.top_level_class(name)?;
            if declaration.default_export || parsed.mentions_export(name) {
                return None;
            }
            change.push(file, TextEdit::insert(declaration.keyword_start, "export "));
        }
        if file != main {
            change.push(
                main,
                reexport_edit(ws, main, ws.files.path(file), name).ok()?,
            );
        }
    }
    change.extend(
        worker.config,
        register_in_config(ws, worker, name, &binding).ok()?,
    );
    Some((
        format!("Bind `{name}` as `{binding}` (binding, migration and export)"),
        change,
    ))
}

/// A class counts as used when some binding or history names it, another
/// class extends it, or a module other than a `main` imports it.
fn is_used(ws: &Workspace, file: FileId, class: &ClassInfo, name: &str) -> bool {
    let named_in_config = ws.workers.iter().any(|w| {
        w.envs.iter().any(|env| {
            env.do_bindings
                .iter()
                .any(|b| b.class_name.as_ref().is_some_and(|c| c.value == name))
        }) || env_replays(w)
            .iter()
            .any(|h| h.replay.live.contains_key(name) || h.replay.deleted.contains_key(name))
    });
    if named_in_config {
        return true;
    }
    let mains: Vec<FileId> = ws
        .workers
        .iter()
        .flat_map(|w| (0..w.envs.len()).filter_map(|i| w.main_of(i)))
        .collect();
    for (index, summary) in ws.summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        let other = FileId(index as u32);
        let extends = summary.classes.iter().any(|c| {
            !std::ptr::eq(c, class)
                && c.heritage.as_ref().is_some_and(|h| {
                    h.root.as_deref() == Some(name) || h.call_args.iter().any(|a| a == name)
                })
        });
        if extends {
            return true;
        }
        if mains.contains(&other) {
            continue;
        }
        let imports = summary.imports.iter().any(|i| {
            matches!(&i.kind, ImportKind::Named { imported, .. } if imported == name)
                && ws.resolve_import(other, &i.specifier.value) == Some(file)
        });
        if imports {
            return true;
        }
    }
    false
}

fn exported_by(ws: &Workspace, file: FileId, name: &str) -> bool {
    ws.summary(file).is_some_and(|s| {
        s.exports.iter().any(|e| {
            matches!(e, Export::Local { exported, local } if exported.value == name && local == name)
        })
    })
}

/// `Err` when the Worker already binds, exports or migrates a class named
/// `class` (declarations are checked by the caller: "Bind this class"
/// registers a class that exists).
fn check_class_free(ws: &Workspace, worker: &Worker, class: &str) -> Result<(), String> {
    let worker_name = worker.name().unwrap_or("?");
    for (index, env) in worker.envs.iter().enumerate() {
        for binding in &env.do_bindings {
            if binding
                .class_name
                .as_ref()
                .is_some_and(|c| c.value == class)
            {
                let name = binding.name.as_ref().map_or("?", |n| n.value.as_str());
                return Err(format!(
                    "Worker `{worker_name}` already binds a class `{class}` (binding `{name}`{}); pick another name.",
                    if index == 0 { String::new() } else { format!(", env `{}`", env.env.as_ref().map_or("?", |e| e.value.as_str())) }
                ));
            }
        }
        if let Some(main) = worker.main_of(index) {
            if ws.exports_of(main).get(class).is_some() {
                return Err(format!(
                    "{} already exports `{class}`; pick another name.",
                    super::context::short_path(ws, main)
                ));
            }
        }
    }
    for history in env_replays(worker) {
        if history.replay.live.contains_key(class) {
            return Err(format!(
                "The migrations of Worker `{worker_name}` already create a class `{class}`; pick another name."
            ));
        }
        if history.replay.deleted.contains_key(class) {
            return Err(format!(
                "Worker `{worker_name}` deleted a class `{class}` in an earlier migration; dols does not reuse the name of a deleted class."
            ));
        }
    }
    Ok(())
}

fn check_binding_free(ws: &Workspace, worker: &Worker, binding: &str) -> Result<(), String> {
    for env in &worker.envs {
        if let Some(taken) = env.bindings.iter().find(|b| b.name.value == binding) {
            return Err(format!(
                "Worker `{}` already has a binding `{binding}` ({}); pick another name.",
                worker.name().unwrap_or("?"),
                super::context::location(ws, taken.file, taken.name.range.start)
            ));
        }
    }
    Ok(())
}

/// The binding in every section that holds its own Durable Object
/// bindings (the top level, and envs with their own `durable_objects`:
/// bindings are not inherited), and the class's creation in every history
/// (top level, envs with their own `migrations`/`exports`).
fn register_in_config(
    ws: &Workspace,
    worker: &Worker,
    class: &str,
    binding: &str,
) -> Result<Vec<TextEdit>, String> {
    let config = ws
        .configs
        .get(worker.config_index)
        .ok_or_else(|| "The Worker's config is not parsed.".to_string())?;
    let format = config.format;
    let text = ws.files.text(worker.config);
    let new_binding = [NewBinding {
        name: binding.to_string(),
        class_name: class.to_string(),
        script_name: None,
    }];
    type Step<'a> = Box<dyn Fn(&str) -> Option<Vec<TextEdit>> + 'a>;
    let mut steps: Vec<Step> = Vec::new();
    steps.push(Box::new(move |t: &str| {
        add_do_bindings(t, format, Section::Top, &new_binding)
    }));
    for env in worker.envs.iter().skip(1) {
        if env.durable_objects_key.is_some() {
            let name = env
                .env
                .as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_default();
            let new_binding = new_binding_of(binding, class);
            steps.push(Box::new(move |t: &str| {
                add_do_bindings(t, format, Section::Env(&name), &new_binding)
            }));
        }
    }
    for history in env_replays(worker) {
        let section_name = if history.env_index == 0 {
            None
        } else {
            let env = &worker.envs[history.env_index];
            let own = env.migrations_origin == Some(Origin::Env)
                || env.exports_origin == Some(Origin::Env);
            if !own {
                continue;
            }
            env.env.as_ref().map(|n| n.value.clone())
        };
        let class = class.to_string();
        if history.declarative {
            steps.push(Box::new(move |t: &str| {
                let section = section_name.as_deref().map_or(Section::Top, Section::Env);
                add_sqlite_export(t, format, section, &class)
            }));
        } else {
            let tag = next_tag(
                history
                    .env
                    .migrations
                    .iter()
                    .filter_map(|m| m.tag.as_ref().map(|t| t.value.as_str())),
            );
            steps.push(Box::new(move |t: &str| {
                let section = section_name.as_deref().map_or(Section::Top, Section::Env);
                let migration = NewMigration {
                    tag: tag.clone(),
                    new_sqlite_classes: vec![class.clone()],
                    ..Default::default()
                };
                append_migration(t, format, section, &migration)
            }));
        }
    }
    let mut current = text.to_string();
    for step in steps {
        let edits = step(&current).ok_or_else(|| cannot_edit(ws, worker.config, format))?;
        current =
            apply_edits(&current, &edits).map_err(|_| cannot_edit(ws, worker.config, format))?;
    }
    Ok(minimal_edits(text, &current))
}

fn new_binding_of(binding: &str, class: &str) -> [NewBinding; 1] {
    [NewBinding {
        name: binding.to_string(),
        class_name: class.to_string(),
        script_name: None,
    }]
}

fn cannot_edit(ws: &Workspace, config: FileId, _format: ConfigFormat) -> String {
    format!(
        "dols could not edit {} without risking its layout (does it parse?); nothing was changed.",
        ws.files.path(config).display()
    )
}

// ------------------------------------------------------------ the export

/// `export { Name } from "./file";` added to `main` after its leading
/// imports and re-exports, in the quote, semicolon, extension and line
/// ending style `main` already uses. `Err` when `main` does not parse
/// cleanly or already mentions an export of that name.
fn reexport_edit(
    ws: &Workspace,
    main: FileId,
    target: &Path,
    name: &str,
) -> Result<TextEdit, String> {
    let source = ws.files.get(main);
    let main_path = super::context::short_path(ws, main);
    let parsed = source_edit::parse(&source.path, &source.text)
        .ok_or_else(|| format!("{main_path} has syntax errors; fix them first."))?;
    if parsed.mentions_export(name) {
        return Err(format!(
            "{main_path} already exports a `{name}`; pick another name."
        ));
    }
    let style = parsed.extension_style(source_edit::is_javascript(&source.path));
    // The new file is not in the workspace yet: only existing files can
    // make a specifier ambiguous.
    let exists = |path: &Path| ws.files.lookup(path).is_some();
    let specifier = source_edit::relative_specifier(&source.path, target, style, &exists)
        .ok_or_else(|| {
            format!(
                "dols cannot write an import specifier for {} from {main_path}.",
                target.display()
            )
        })?;
    let quote = parsed.quote();
    let statement = format!(
        "export {{ {name} }} from {quote}{specifier}{quote}{}",
        if parsed.uses_semicolons() { ";" } else { "" }
    );
    let eol = line_ending(&source.text);
    Ok(match parsed.statement_insertion_point() {
        (offset, false) => TextEdit::insert(offset, format!("{eol}{statement}")),
        (_, true) => {
            let text: &str = &source.text;
            let new_text = if text.trim().is_empty() {
                format!("{statement}{eol}")
            } else if text.ends_with('\n') {
                format!("{eol}{statement}{eol}")
            } else {
                format!("{eol}{eol}{statement}")
            };
            TextEdit::insert(text.len(), new_text)
        }
    })
}

// ------------------------------------------------------------ the new file

/// Quotes, semicolons, indentation and line endings of an existing module.
struct CodeStyle {
    quote: char,
    semicolons: bool,
    indent: String,
    newline: &'static str,
}

impl CodeStyle {
    /// The style of the module at `path` (quotes and semicolons as
    /// [`source_edit`] reads them; the first indented line's indentation,
    /// a tab when there is none).
    fn of(path: &Path, text: &str) -> CodeStyle {
        let parsed = source_edit::parse(path, text);
        let indent = text
            .lines()
            .find_map(|l| {
                let width = l.len() - l.trim_start().len();
                let body = l.trim();
                (width > 0 && !body.is_empty() && !body.starts_with('*'))
                    .then(|| l[..width].to_string())
            })
            .map(|i| {
                if i.starts_with('\t') {
                    "\t".to_string()
                } else {
                    i
                }
            })
            .unwrap_or_else(|| "\t".to_string());
        CodeStyle {
            quote: parsed.as_ref().map_or('"', |p| p.quote()),
            semicolons: parsed.as_ref().is_none_or(|p| p.uses_semicolons()),
            indent,
            newline: line_ending(text),
        }
    }
}

/// How the new class sees the Worker's env type.
enum EnvType {
    /// A global type (`Env` from `wrangler types`).
    Global(String),
    /// Imported: `import type { Name } from "specifier"`.
    Imported { name: String, specifier: String },
    /// No known env type: no type argument.
    None,
}

/// The env type the Worker's other Durable Objects use
/// (`DurableObject<Env>`), with their import when it comes from a module
/// in the same folder; else `Env` when a declaration file declares it
/// globally.
fn env_type(ws: &Workspace, worker: &Worker, dir: &Path) -> EnvType {
    for (file, class) in ws.classes_of(worker) {
        if durable_object_kind(ws, file, class) != Some(DoKind::Native) {
            continue;
        }
        let Some(heritage) = &class.heritage else {
            continue;
        };
        let Some(argument) = heritage
            .text
            .split_once('<')
            .and_then(|(_, rest)| rest.strip_suffix('>'))
            .map(str::trim)
        else {
            continue;
        };
        let argument = argument.split(',').next().unwrap_or("").trim();
        if argument.is_empty()
            || !argument
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            continue;
        }
        let Some(summary) = ws.summary(file) else {
            continue;
        };
        let import = summary
            .imports
            .iter()
            .find(|i| matches!(&i.kind, ImportKind::Named { local, .. } if local == argument));
        match import {
            Some(import) => {
                let same_dir = ws.files.path(file).parent() == Some(dir);
                if same_dir {
                    if let ImportKind::Named { imported, .. } = &import.kind {
                        if imported == argument {
                            return EnvType::Imported {
                                name: argument.to_string(),
                                specifier: import.specifier.value.clone(),
                            };
                        }
                    }
                }
            }
            None => {
                let text = ws.files.text(file);
                let local = text.contains(&format!("interface {argument}"))
                    || text.contains(&format!("type {argument}"));
                if !local {
                    return EnvType::Global(argument.to_string());
                }
            }
        }
    }
    let global_env = worker.sources.iter().any(|&file| {
        ws.files.path(file).to_string_lossy().ends_with(".d.ts")
            && ws.summary(file).is_some_and(|s| {
                !s.env_type_members.is_empty() && s.imports.is_empty() && s.exports.is_empty()
            })
            && ws.files.text(file).contains("interface Env")
    });
    if global_env {
        EnvType::Global("Env".to_string())
    } else {
        EnvType::None
    }
}

fn template(class: &str, code: &CodeStyle, env: &EnvType, is_js: bool) -> String {
    let q = code.quote;
    let s = if code.semicolons { ";" } else { "" };
    let i = &code.indent;
    let mut lines: Vec<String> = vec![format!(
        "import {{ DurableObject }} from {q}cloudflare:workers{q}{s}"
    )];
    if let EnvType::Imported { name, specifier } = env {
        lines.push(format!(
            "import type {{ {name} }} from {q}{specifier}{q}{s}"
        ));
    }
    lines.push(String::new());
    let (type_argument, env_param) = match env {
        EnvType::Global(name) | EnvType::Imported { name, .. } => {
            (format!("<{name}>"), format!("env: {name}"))
        }
        EnvType::None => (String::new(), "env: unknown".to_string()),
    };
    if is_js {
        lines.push(format!("export class {class} extends DurableObject {{"));
        lines.push(format!("{i}constructor(ctx, env) {{"));
    } else {
        lines.push(format!(
            "export class {class} extends DurableObject{type_argument} {{"
        ));
        lines.push(format!(
            "{i}constructor(ctx: DurableObjectState, {env_param}) {{"
        ));
    }
    lines.push(format!("{i}{i}super(ctx, env){s}"));
    lines.push(format!(
        "{i}{i}// Runs each time the object starts: set up in-memory state here."
    ));
    lines.push(format!("{i}}}"));
    lines.push(String::new());
    lines.push(format!(
        "{i}/** Adds one to a counter kept in this object's storage and returns it. */"
    ));
    if is_js {
        lines.push(format!("{i}increment() {{"));
        lines.push(format!(
            "{i}{i}const count = (this.ctx.storage.kv.get({q}count{q}) ?? 0) + 1{s}"
        ));
    } else {
        lines.push(format!("{i}increment(): number {{"));
        lines.push(format!(
            "{i}{i}const count = (this.ctx.storage.kv.get<number>({q}count{q}) ?? 0) + 1{s}"
        ));
    }
    lines.push(format!(
        "{i}{i}this.ctx.storage.kv.put({q}count{q}, count){s}"
    ));
    lines.push(format!("{i}{i}return count{s}"));
    lines.push(format!("{i}}}"));
    lines.push("}".to_string());
    lines.push(String::new());
    lines.join(code.newline)
}

/// The folder for a new class: where the Worker's Durable Object classes
/// live when they share one folder, else `main`'s folder.
fn objects_dir(ws: &Workspace, worker: &Worker, main: FileId) -> PathBuf {
    let main_dir = ws
        .files
        .path(main)
        .parent()
        .unwrap_or(Path::new(""))
        .to_path_buf();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (file, class) in ws.classes_of(worker) {
        if durable_object_kind(ws, file, class).is_none() {
            continue;
        }
        let dir = ws
            .files
            .path(file)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    match dirs.as_slice() {
        [only] => only.clone(),
        _ => main_dir,
    }
}

/// How the Worker names its source files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileNaming {
    Kebab,
    Snake,
    Pascal,
    Camel,
}

impl FileNaming {
    /// The style of the files in `dir` (else all the Worker's sources);
    /// kebab-case when nothing tells.
    fn of(ws: &Workspace, worker: &Worker, dir: &Path, main: FileId) -> FileNaming {
        let stems = |in_dir: bool| -> Vec<String> {
            worker
                .sources
                .iter()
                .filter(|&&f| f != main)
                .map(|&f| ws.files.path(f))
                .filter(|p| !in_dir || p.parent() == Some(dir))
                .filter_map(|p| p.file_name()?.to_str())
                .filter(|n| !n.ends_with(".d.ts") && !n.contains(".test.") && !n.contains(".spec."))
                .filter_map(|n| n.split('.').next())
                .filter(|s| *s != "index" && !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let mut names = stems(true);
        if names.is_empty() {
            names = stems(false);
        }
        let any = |f: &dyn Fn(&str) -> bool| names.iter().any(|n| f(n));
        if any(&|n| n.contains('-')) {
            FileNaming::Kebab
        } else if any(&|n| n.contains('_')) {
            FileNaming::Snake
        } else if any(&|n| n.starts_with(|c: char| c.is_ascii_uppercase())) {
            FileNaming::Pascal
        } else if any(&|n| n.chars().skip(1).any(|c| c.is_ascii_uppercase())) {
            FileNaming::Camel
        } else {
            FileNaming::Kebab
        }
    }

    fn file_stem(self, class: &str) -> String {
        let words = words(class);
        match self {
            FileNaming::Kebab => words.join("-").to_lowercase(),
            FileNaming::Snake => words.join("_").to_lowercase(),
            FileNaming::Pascal => class.to_string(),
            FileNaming::Camel => {
                let mut chars = class.chars();
                match chars.next() {
                    Some(first) => first.to_lowercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
        }
    }
}

/// The words of an identifier: `ChatRoom` → `Chat`, `Room`;
/// `HTTPCache2` → `HTTP`, `Cache2`; `my_room` → `my`, `room`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == '$' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(char::is_lowercase)));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `ChatRoom` → `CHAT_ROOM`.
pub fn screaming_snake(name: &str) -> String {
    words(name).join("_").to_uppercase()
}

/// The Worker a `worker` argument designates: its config file, or the
/// folder holding it (absolute, or relative to `root`).
pub fn worker_config(ws: &Workspace, argument: &Path) -> Option<FileId> {
    let path = crate::model::resolve::normalize(argument);
    if let Some(file) = ws.files.lookup(&path) {
        if config_worker(ws, file).is_some() {
            return Some(file);
        }
        // A source file: its Worker, when there is exactly one.
        let workers = file_workers(ws, file);
        if let [worker] = workers.as_slice() {
            return Some(worker.config);
        }
        return None;
    }
    ws.workers.iter().find(|w| w.dir == path).map(|w| w.config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_names() {
        assert_eq!(words("ChatRoom"), ["Chat", "Room"]);
        assert_eq!(words("HTTPCache2"), ["HTTP", "Cache2"]);
        assert_eq!(words("my_room"), ["my", "room"]);
        assert_eq!(screaming_snake("ChatRoom"), "CHAT_ROOM");
        assert_eq!(screaming_snake("Counter"), "COUNTER");
        assert_eq!(screaming_snake("MCPAgent"), "MCP_AGENT");
        assert_eq!(FileNaming::Kebab.file_stem("ChatRoom"), "chat-room");
        assert_eq!(FileNaming::Snake.file_stem("ChatRoom"), "chat_room");
        assert_eq!(FileNaming::Camel.file_stem("ChatRoom"), "chatRoom");
        assert_eq!(FileNaming::Pascal.file_stem("ChatRoom"), "ChatRoom");
    }
}
