//! Rename refactors that cross code and config.
//!
//! A Durable Object class is known to wrangler by the name `main` exports it
//! under, so renaming one changes, together: the declaration and every use in
//! its module, the imports and re-exports that carry the name up to `main`,
//! every `class_name` that points at the class (other Workers' bindings
//! through `script_name` included), `DurableObjectNamespace<X>` types, and
//! the class's history: a `renamed_classes` migration for each history that
//! creates it (a `renamed` tombstone for the declarative `exports` map).
//! Old migration entries are history and stay as they are.
//!
//! A binding is known by its name: renaming one changes every config
//! section of the Worker that declares it, every `env.X` use in the Worker's
//! sources and the Env type members.
//!
//! Names travel through modules as exported and imported names: the rename
//! follows a name while it stays the same and stops at an alias
//! (`export { Impl as Room }` renames only the side spelled like the class).
//! Modules are re-parsed with tree-sitter to find each occurrence; which
//! files to look at comes from the index (imports, exports, env accesses).

use std::collections::{BTreeMap, HashMap, HashSet};

use tree_sitter::Node;

use super::context::{config_worker, do_target, file_workers, ident_at};
use super::hover::{bindings_to, config_item, ConfigItem};
use crate::config::{ConfigFormat, EffectiveConfig, Origin};
use crate::files::FileId;
use crate::fix::config_edit::{
    append_migration, next_tag, replace_string_content, NewMigration, Section,
};
use crate::fix::{apply_edits, minimal_edits, source_edit, SourceChange, TextEdit};
use crate::index::{EnvVia, Export, FileSummary, Import, ImportKind};
use crate::model::{durable_object_kind, ExportOrigin, Worker, Workspace};
use crate::rules::support::{bound_class, env_replays, is_js_identifier};
use crate::text::TextRange;

/// The range to rename and the current name, when the cursor is on
/// something this refactor renames: a Durable Object class (declaration,
/// reference, import/export, `class_name` or `exports` key in a config) or
/// a binding (`env.X`, a binding name in a config, an Env type member).
/// `Ok(None)`: nothing of ours here (another rename provider may handle
/// it). `Err`: ours, but it cannot be renamed, with the reason.
pub fn prepare_rename(
    ws: &Workspace,
    file: FileId,
    offset: usize,
) -> Result<Option<(TextRange, String)>, String> {
    Ok(subject(ws, file, offset)?.map(|s| {
        let (range, name) = s.at();
        (range, name.to_string())
    }))
}

/// What find-references needs from the rename planner: every place a
/// rename of the symbol under the cursor would edit (so import and export
/// specifiers, `exports` keys and Env type members count), and whether the
/// symbol is a binding. `None` when nothing renameable is there.
pub(super) fn reference_sites(
    ws: &Workspace,
    file: FileId,
    offset: usize,
) -> Option<(bool, Vec<super::Target>)> {
    let subject = subject(ws, file, offset).ok()??;
    let is_binding = matches!(subject, Subject::Binding { .. });
    // A name no program uses, so no clash refuses the plan.
    let probe = "dols_reference_probe_name";
    let change = match &subject {
        Subject::Class { start, name, .. } => rename_class(ws, start, name, probe),
        Subject::Binding { workers, name, .. } => rename_binding(ws, workers, name, probe),
    }
    .ok()?;
    let (_, name) = subject.at();
    // Only edits of the name itself: a class rename also appends a
    // `renamed_classes` migration, which is no reference.
    let sites = change
        .edits
        .iter()
        .flat_map(|(&file, edits)| {
            edits
                .iter()
                .filter(move |edit| {
                    ws.files
                        .text(file)
                        .get(edit.range.as_std())
                        .is_some_and(|t| t.trim_matches(['"', '\'']) == name)
                })
                .map(move |edit| super::Target {
                    file,
                    range: edit.range,
                })
        })
        .collect();
    Some((is_binding, sites))
}

/// The edits that rename what the cursor designates to `new_name`. The
/// error is a message for the user: why the rename is refused.
pub fn rename(
    ws: &Workspace,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<SourceChange, String> {
    let Some(subject) = subject(ws, file, offset)? else {
        return Err("Nothing here that dols can rename: place the cursor on a Durable Object class or a binding name.".to_string());
    };
    let (_, old) = subject.at();
    check_identifier(new_name)?;
    if old == new_name {
        return Err(format!("`{old}` already has that name."));
    }
    match &subject {
        Subject::Class { start, name, .. } => rename_class(ws, start, name, new_name),
        Subject::Binding { workers, name, .. } => rename_binding(ws, workers, name, new_name),
    }
}

/// JavaScript reserved words and TypeScript's predefined type names: none
/// of them can name a class, and a binding named like one cannot be
/// destructured.
const RESERVED: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "any",
    "boolean",
    "never",
    "number",
    "object",
    "string",
    "symbol",
    "undefined",
    "unknown",
];

/// `Err` with a message unless `name` can be a class or binding name.
pub(super) fn check_identifier(name: &str) -> Result<(), String> {
    if !is_js_identifier(name) {
        return Err(format!(
            "`{name}` is not a valid JavaScript identifier (letters, digits, `_` and `$`, not starting with a digit)."
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "`{name}` is a reserved word in JavaScript or TypeScript."
        ));
    }
    Ok(())
}

// ------------------------------------------------------------ what is renamed

/// A name as seen by one module: a module-level local binding (a class
/// declaration or an import), or a name the module exports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Sym {
    Local(FileId, String),
    Export(FileId, String),
}

enum Subject<'a> {
    Class {
        /// The cursor's token and the name it shows.
        range: TextRange,
        name: String,
        /// Where the rename starts before following the name upstream.
        start: Sym,
    },
    Binding {
        range: TextRange,
        name: String,
        workers: Vec<&'a Worker>,
    },
}

impl Subject<'_> {
    fn at(&self) -> (TextRange, &str) {
        match self {
            Subject::Class { range, name, .. } | Subject::Binding { range, name, .. } => {
                (*range, name)
            }
        }
    }
}

fn subject(ws: &Workspace, file: FileId, offset: usize) -> Result<Option<Subject<'_>>, String> {
    if file.0 as usize >= ws.files.len() {
        return Ok(None);
    }
    if config_worker(ws, file).is_some() {
        return config_subject(ws, file, offset);
    }
    if ws.summary(file).is_some() {
        return source_subject(ws, file, offset);
    }
    Ok(None)
}

/// The content of a config string, without its quotes.
fn unquoted(text: &str, range: TextRange) -> TextRange {
    let raw = &text[range.as_std()];
    let b = raw.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] {
        TextRange::new(range.start as usize + 1, range.end as usize - 1)
    } else {
        range
    }
}

fn config_subject(
    ws: &Workspace,
    file: FileId,
    offset: usize,
) -> Result<Option<Subject<'_>>, String> {
    let Some(worker) = config_worker(ws, file) else {
        return Ok(None);
    };
    let text = ws.files.text(file);
    match config_item(ws, file, offset) {
        Some(ConfigItem::ClassName {
            env_index,
            binding,
            range,
        }) => {
            let Some(class) = binding.class_name.as_ref() else {
                return Ok(None);
            };
            let target = do_target(ws, worker, env_index, binding, &class.value);
            let Some(host) = target.host else {
                let script = binding
                    .script_name
                    .as_ref()
                    .map_or("?", |s| s.value.as_str());
                return Err(format!(
                    "The Worker `{script}` that hosts `{}` is not in this workspace; rename the class there.",
                    class.value
                ));
            };
            let start = host_start(ws, host, target.host_env, &class.value)?;
            Ok(Some(Subject::Class {
                range: unquoted(text, range),
                name: class.value.clone(),
                start,
            }))
        }
        Some(ConfigItem::MigrationClass { class, range, .. }) => {
            let live_export = worker.envs.iter().any(|env| {
                env.exports
                    .iter()
                    .any(|e| e.class.range == range && e.is_durable_object() && e.is_live())
            });
            if !live_export {
                return Err(format!(
                    "This entry is part of the migration history, which must stay as deployed; rename `{class}` at its declaration or at a binding's `class_name`."
                ));
            }
            let start = host_start(ws, worker, 0, class)?;
            Ok(Some(Subject::Class {
                range: unquoted(text, range),
                name: class.to_string(),
                start,
            }))
        }
        Some(ConfigItem::BindingName { name, range }) => Ok(Some(Subject::Binding {
            range: unquoted(text, range),
            name: name.to_string(),
            workers: vec![worker],
        })),
        Some(_) => Ok(None),
        None => {
            // Bindings of other kinds: `vars` keys, KV `binding`, ...
            let hit = worker
                .envs
                .iter()
                .flat_map(|env| env.bindings.iter())
                .find(|b| {
                    b.file == file
                        && (b.name.range.contains(offset) || b.name.range.end as usize == offset)
                });
            Ok(hit.map(|b| Subject::Binding {
                range: unquoted(text, b.name.range),
                name: b.name.value.clone(),
                workers: vec![worker],
            }))
        }
    }
}

/// Where a rename of the class `host` knows as `class` starts: the name
/// `main` exports, else the class of that name in its sources.
fn host_start(ws: &Workspace, host: &Worker, env_index: usize, class: &str) -> Result<Sym, String> {
    if let Some(main) = host.main_of(env_index).or_else(|| host.main_of(0)) {
        if ws.exports_of(main).get(class).is_some() {
            return Ok(Sym::Export(main, class.to_string()));
        }
    }
    match bound_class(ws, host, env_index, class) {
        Some((file, info)) if info.name.as_ref().is_some_and(|n| n.value == class) => {
            Ok(Sym::Local(file, class.to_string()))
        }
        _ => Err(format!(
            "No class `{class}` is declared in the sources of Worker `{}`; dols renames only classes it can see.",
            host.name().unwrap_or("?")
        )),
    }
}

fn source_subject(
    ws: &Workspace,
    file: FileId,
    offset: usize,
) -> Result<Option<Subject<'_>>, String> {
    let text = ws.files.text(file);
    let Some(summary) = ws.summary(file) else {
        return Ok(None);
    };
    let Some(ident) = ident_at(text, offset) else {
        return Ok(None);
    };
    let name = &text[ident.as_std()];
    // Bindings: `env.X` (any form the index knows) and Env type members.
    let is_access = summary.env_accesses.iter().any(|a| a.name.range == ident);
    let is_member = summary.env_type_members.iter().any(|m| m.range == ident);
    if is_access || is_member {
        let workers: Vec<&Worker> = file_workers(ws, file)
            .into_iter()
            .filter(|w| declares_binding(w, name))
            .collect();
        if workers.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Subject::Binding {
            range: ident,
            name: name.to_string(),
            workers,
        }));
    }
    // Classes: the token's role in its module says where the name comes from.
    let Some(tokens) = scan(ws, file, &[name]) else {
        let declares_do = summary.classes.iter().any(|c| {
            c.name.as_ref().is_some_and(|n| n.value == name)
                && durable_object_kind(ws, file, c).is_some()
        });
        return if declares_do {
            Err(format!(
                "{} has syntax errors; fix them first, dols renames only in code that parses.",
                super::context::short_path(ws, file)
            ))
        } else {
            Ok(None)
        };
    };
    let Some(token) = tokens.iter().find(|t| t.range == ident) else {
        return Ok(None);
    };
    let start = match &token.role {
        Role::Local | Role::Shorthand | Role::Imported { aliased: false, .. } => {
            Sym::Local(file, name.to_string())
        }
        Role::Imported { source, .. }
        | Role::ReExported {
            source,
            aliased: true,
        } => match ws.resolve_import(file, source) {
            Some(target) => Sym::Export(target, name.to_string()),
            None => return external(ws, file, name, source, ident),
        },
        Role::ReExported { .. } | Role::ExportedAlias => Sym::Export(file, name.to_string()),
        Role::Member { object } => {
            let namespace = summary
                .imports
                .iter()
                .find(|i| matches!(&i.kind, ImportKind::Namespace { local } if local == object));
            match namespace.and_then(|i| ws.resolve_import(file, &i.specifier.value)) {
                Some(target) => Sym::Export(target, name.to_string()),
                None => return Ok(None),
            }
        }
        Role::ImportMember { source } => match ws.resolve_import(file, source) {
            Some(target) => Sym::Export(target, name.to_string()),
            None => return Ok(None),
        },
        Role::Pattern => return Ok(None),
    };
    let in_do_position = in_do_position(ws, file, summary, ident);
    let root = match upstream(ws, start) {
        Ok(root) => root,
        Err(Upstream::External(source)) => return external(ws, file, name, &source, ident),
        Err(Upstream::Unknown) => {
            // `DurableObjectNamespace<Room>` in an ambient Env type: the
            // binding says which class it is.
            return match env_member_class(ws, file, summary, ident, name) {
                Some(start) => Ok(Some(Subject::Class {
                    range: ident,
                    name: name.to_string(),
                    start,
                })),
                None if in_do_position => Err(format!(
                    "dols cannot tell which class `{name}` is; it renames Durable Object classes declared in this workspace."
                )),
                None => Ok(None),
            };
        }
    };
    match root_class(ws, &root) {
        Some((class_file, class_name)) => {
            let is_do = ws
                .summary(class_file)
                .and_then(|s| {
                    s.classes
                        .iter()
                        .find(|c| c.name.as_ref().is_some_and(|n| n.value == class_name))
                })
                .is_some_and(|c| durable_object_kind(ws, class_file, c).is_some());
            if !is_do {
                return if in_do_position {
                    Err(format!("`{name}` is not a Durable Object class."))
                } else {
                    Ok(None)
                };
            }
        }
        None if in_do_position => {
            return Err(format!(
                "`{name}` is not a Durable Object class declared in this workspace."
            ))
        }
        None => return Ok(None),
    }
    Ok(Some(Subject::Class {
        range: ident,
        name: name.to_string(),
        start: root,
    }))
}

/// The answer for a name imported from outside the workspace: a refusal
/// when it stands where a Durable Object class is expected (a base class,
/// a namespace or stub type argument), else not ours.
fn external<'a>(
    ws: &Workspace,
    file: FileId,
    name: &str,
    source: &str,
    ident: TextRange,
) -> Result<Option<Subject<'a>>, String> {
    let Some(summary) = ws.summary(file) else {
        return Ok(None);
    };
    if in_do_position(ws, file, summary, ident) {
        return Err(format!(
            "`{name}` comes from `{source}`, outside this workspace; dols renames only Durable Object classes declared here."
        ));
    }
    Ok(None)
}

/// True when `ident` is the base class of a Durable Object class of the
/// file, or the type argument of `DurableObjectNamespace<...>` /
/// `DurableObjectStub<...>`.
fn in_do_position(ws: &Workspace, file: FileId, summary: &FileSummary, ident: TextRange) -> bool {
    let text = ws.files.text(file);
    let base = summary.classes.iter().any(|c| {
        c.heritage
            .as_ref()
            .is_some_and(|h| h.range.contains_range(ident))
            && durable_object_kind(ws, file, c).is_some()
    });
    let head = text[..ident.start as usize].trim_end();
    let head = head.strip_suffix('<').unwrap_or("").trim_end();
    base || head.ends_with("DurableObjectNamespace") || head.ends_with("DurableObjectStub")
}

fn declares_binding(worker: &Worker, name: &str) -> bool {
    worker
        .envs
        .iter()
        .any(|env| env.bindings.iter().any(|b| b.name.value == name))
}

/// For a class named in the type of an Env member (`ROOM:
/// DurableObjectNamespace<Room>`) that no import explains: the class the
/// binding of that member points at.
fn env_member_class(
    ws: &Workspace,
    file: FileId,
    summary: &FileSummary,
    ident: TextRange,
    name: &str,
) -> Option<Sym> {
    let (member, _) = summary
        .env_member_types
        .iter()
        .find(|(_, ty)| ty.range.contains_range(ident))?;
    for worker in file_workers(ws, file) {
        for target in super::context::do_targets(ws, &[worker], Some(member)) {
            if target.class_name == name {
                if let Some(host) = target.host {
                    return host_start(ws, host, target.host_env, name).ok();
                }
            }
        }
    }
    None
}

enum Upstream {
    /// Imported from a package or a file outside the tree.
    External(String),
    /// Not declared nor imported in its module.
    Unknown,
}

/// Follows `sym` towards its declaration while the name stays the same; the
/// result is where the rename starts: the class declaration, or the alias
/// (`import { Impl as Room }`, `export { Impl as Room }`) that gives the name.
fn upstream(ws: &Workspace, mut sym: Sym) -> Result<Sym, Upstream> {
    for _ in 0..32 {
        match &sym {
            Sym::Local(file, name) => {
                let summary = ws.summary(*file).ok_or(Upstream::Unknown)?;
                if summary
                    .classes
                    .iter()
                    .any(|c| c.name.as_ref().is_some_and(|n| &n.value == name))
                {
                    return Ok(sym);
                }
                let import = import_named(summary, name).ok_or(Upstream::Unknown)?;
                match &import.kind {
                    ImportKind::Named { imported, .. } if imported == name => {
                        match ws.resolve_import(*file, &import.specifier.value) {
                            Some(target) => sym = Sym::Export(target, name.clone()),
                            None => return Err(Upstream::External(import.specifier.value.clone())),
                        }
                    }
                    ImportKind::Named { .. } | ImportKind::Default { .. } => {
                        if ws.resolve_import(*file, &import.specifier.value).is_none() {
                            return Err(Upstream::External(import.specifier.value.clone()));
                        }
                        return Ok(sym);
                    }
                    _ => return Err(Upstream::Unknown),
                }
            }
            Sym::Export(file, name) => {
                let summary = ws.summary(*file).ok_or(Upstream::Unknown)?;
                let explicit = summary.exports.iter().find(|e| match e {
                    Export::Local { exported, .. }
                    | Export::ReExport { exported, .. }
                    | Export::StarAs { exported, .. } => &exported.value == name,
                    _ => false,
                });
                match explicit {
                    Some(Export::Local { local, .. }) if local == name => {
                        sym = Sym::Local(*file, name.clone())
                    }
                    Some(Export::Local { .. }) => return Ok(sym),
                    Some(Export::ReExport {
                        imported,
                        specifier,
                        ..
                    }) => {
                        let Some(target) = ws.resolve_import(*file, &specifier.value) else {
                            return Err(Upstream::External(specifier.value.clone()));
                        };
                        if imported == name {
                            sym = Sym::Export(target, name.clone());
                        } else {
                            return Ok(sym);
                        }
                    }
                    Some(_) => return Err(Upstream::Unknown),
                    None => {
                        let star = summary.exports.iter().find_map(|e| match e {
                            Export::Star { specifier } => ws
                                .resolve_import(*file, &specifier.value)
                                .filter(|t| ws.exports_of(*t).get(name).is_some()),
                            _ => None,
                        });
                        match star {
                            Some(target) => sym = Sym::Export(target, name.clone()),
                            None => return Err(Upstream::Unknown),
                        }
                    }
                }
            }
        }
    }
    Err(Upstream::Unknown)
}

fn declares_or_imports(summary: &FileSummary, name: &str) -> bool {
    import_named(summary, name).is_some()
        || summary
            .classes
            .iter()
            .any(|c| c.name.as_ref().is_some_and(|n| n.value == name))
}

fn import_named<'a>(summary: &'a FileSummary, local_name: &str) -> Option<&'a Import> {
    summary.imports.iter().find(|i| match &i.kind {
        ImportKind::Named { local, .. }
        | ImportKind::Default { local }
        | ImportKind::Namespace { local } => local == local_name,
        _ => false,
    })
}

/// The class a rename root stands for: (declaring file, declared name).
fn root_class(ws: &Workspace, root: &Sym) -> Option<(FileId, String)> {
    let origin = match root {
        Sym::Local(file, name) => {
            let summary = ws.summary(*file)?;
            if summary
                .classes
                .iter()
                .any(|c| c.name.as_ref().is_some_and(|n| &n.value == name))
            {
                return Some((*file, name.clone()));
            }
            let import = import_named(summary, name)?;
            let target = ws.resolve_import(*file, &import.specifier.value)?;
            let imported = match &import.kind {
                ImportKind::Named { imported, .. } => imported.as_str(),
                ImportKind::Default { .. } => "default",
                _ => return None,
            };
            ws.exports_of(target).get(imported)?.origin.clone()
        }
        Sym::Export(file, name) => ws.exports_of(*file).get(name)?.origin.clone(),
    };
    match origin {
        ExportOrigin::Class { file, name } => Some((file, name)),
        _ => None,
    }
}

// ------------------------------------------------------------ tokens

/// What a name token is in its module.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    /// A use or declaration of a module-level name: identifiers, type names,
    /// the class name, an import's local name, the local side of `export { x }`.
    Local,
    /// `{ X }` in an object literal: the key and the value at once.
    Shorthand,
    /// A name a destructuring pattern declares (`const { X } = ...`).
    Pattern,
    /// The imported side of an import specifier (`aliased`: `X as y`).
    Imported { source: String, aliased: bool },
    /// The exported side of `export { x as X }` (with its `from` source).
    ExportedAlias,
    /// The name of `export { X } from "source"` (also `X as y`).
    ReExported { source: String, aliased: bool },
    /// `ns.X`, in values and types.
    Member { object: String },
    /// `import("source").X`.
    ImportMember { source: String },
}

#[derive(Clone, Debug)]
struct Token {
    range: TextRange,
    text: String,
    role: Role,
}

/// Tokens of `file` spelled like one of `names`; `None` when the file does
/// not parse cleanly (a rename never guesses at broken code).
fn scan(ws: &Workspace, file: FileId, names: &[&str]) -> Option<Vec<Token>> {
    let source = ws.files.get(file);
    let parsed = source_edit::parse(&source.path, &source.text)?;
    let text: &str = &source.text;
    let mut out = Vec::new();
    let mut cursor = parsed.tree.walk();
    loop {
        let node = cursor.node();
        let node_text = &text[node.byte_range()];
        if node.child_count() == 0 && names.contains(&node_text) {
            if let Some(role) = role_of(node, text) {
                out.push(Token {
                    range: TextRange::new(node.start_byte(), node.end_byte()),
                    text: node_text.to_string(),
                    role,
                });
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Some(out);
            }
        }
    }
}

/// The tokens of a file the rename must edit, parsed once.
struct Tokens<'w> {
    ws: &'w Workspace,
    names: [String; 2],
    files: HashMap<FileId, Vec<Token>>,
}

impl Tokens<'_> {
    fn of(&mut self, file: FileId) -> Result<&Vec<Token>, String> {
        if !self.files.contains_key(&file) {
            let names = [self.names[0].as_str(), self.names[1].as_str()];
            let found = scan(self.ws, file, &names).ok_or_else(|| {
                format!(
                    "{} has syntax errors; fix them first, dols renames only in code that parses.",
                    super::context::short_path(self.ws, file)
                )
            })?;
            self.files.insert(file, found);
        }
        Ok(&self.files[&file])
    }
}

fn string_value(node: Node, text: &str) -> String {
    let raw = &text[node.byte_range()];
    raw.trim_matches(|c| c == '"' || c == '\'' || c == '`')
        .to_string()
}

/// The `from` source of the import or export statement above `node`.
fn statement_source(node: Node, text: &str) -> Option<String> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if matches!(parent.kind(), "import_statement" | "export_statement") {
            return parent
                .child_by_field_name("source")
                .map(|s| string_value(s, text));
        }
        current = parent;
    }
    None
}

fn role_of(node: Node, text: &str) -> Option<Role> {
    let parent = node.parent()?;
    let field = |n: Node| {
        ["name", "alias", "module", "property", "object"]
            .into_iter()
            .find(|f| {
                parent
                    .child_by_field_name(f)
                    .is_some_and(|c| c.id() == n.id())
            })
    };
    match node.kind() {
        "identifier" | "type_identifier" => match parent.kind() {
            "import_specifier" => {
                let aliased = parent.child_by_field_name("alias").is_some();
                if field(node) == Some("alias") {
                    Some(Role::Local)
                } else {
                    Some(Role::Imported {
                        source: statement_source(parent, text)?,
                        aliased,
                    })
                }
            }
            "export_specifier" => {
                let source = statement_source(parent, text);
                let aliased = parent.child_by_field_name("alias").is_some();
                if field(node) == Some("alias") {
                    Some(Role::ExportedAlias)
                } else if let Some(source) = source {
                    Some(Role::ReExported { source, aliased })
                } else {
                    Some(Role::Local)
                }
            }
            "nested_type_identifier" if field(node) == Some("name") => {
                let module = parent.child_by_field_name("module")?;
                Some(Role::Member {
                    object: text[module.byte_range()].to_string(),
                })
            }
            _ => Some(Role::Local),
        },
        "shorthand_property_identifier" => Some(Role::Shorthand),
        "shorthand_property_identifier_pattern" => Some(Role::Pattern),
        "property_identifier" if parent.kind() == "member_expression" => {
            if field(node) != Some("property") {
                return None;
            }
            let object = parent.child_by_field_name("object")?;
            match object.kind() {
                "identifier" => Some(Role::Member {
                    object: text[object.byte_range()].to_string(),
                }),
                "call_expression"
                    if object
                        .child_by_field_name("function")
                        .is_some_and(|f| f.kind() == "import") =>
                {
                    let arguments = object.child_by_field_name("arguments")?;
                    let first = arguments.named_child(0)?;
                    (first.kind() == "string").then(|| Role::ImportMember {
                        source: string_value(first, text),
                    })
                }
                _ => None,
            }
        }
        _ => None,
    }
}

// ------------------------------------------------------------ class rename

/// Edits of source files, deduplicated by range.
#[derive(Default)]
struct Plan {
    edits: BTreeMap<FileId, BTreeMap<TextRange, String>>,
    /// Exports whose name changes.
    exports: HashSet<FileId>,
    /// The class declaration itself is renamed.
    declaration_renamed: bool,
}

impl Plan {
    fn edit(&mut self, file: FileId, range: TextRange, text: String) {
        self.edits.entry(file).or_default().insert(range, text);
    }
}

fn rename_class(ws: &Workspace, start: &Sym, old: &str, new: &str) -> Result<SourceChange, String> {
    let root = upstream(ws, start.clone()).unwrap_or_else(|_| start.clone());
    let Some((class_file, class_name)) = root_class(ws, &root) else {
        return Err(format!(
            "`{old}` is not declared in this workspace (it comes from a package or a file dols cannot see); dols renames only classes it can see."
        ));
    };
    let class_info = ws.summary(class_file).and_then(|s| {
        s.classes
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == class_name))
    });
    if class_info.is_none_or(|c| durable_object_kind(ws, class_file, c).is_none()) {
        return Err(format!("`{old}` is not a Durable Object class."));
    }
    let mut plan = Plan::default();
    let mut tokens = Tokens {
        ws,
        names: [old.to_string(), new.to_string()],
        files: HashMap::new(),
    };
    let mut queue = vec![root.clone()];
    let mut seen: HashSet<Sym> = HashSet::new();
    if let Sym::Local(file, _) = &root {
        plan.declaration_renamed = *file == class_file;
    }
    while let Some(sym) = queue.pop() {
        if !seen.insert(sym.clone()) {
            continue;
        }
        match sym {
            Sym::Local(file, _) => {
                for token in tokens.of(file)?.iter().filter(|t| t.text == old) {
                    match &token.role {
                        Role::Local | Role::Imported { aliased: false, .. } => {
                            plan.edit(file, token.range, new.to_string())
                        }
                        Role::Shorthand => plan.edit(file, token.range, format!("{old}: {new}")),
                        _ => {}
                    }
                }
                if let Some(summary) = ws.summary(file) {
                    for export in &summary.exports {
                        if let Export::Local { exported, local } = export {
                            if exported.value == old && local == old {
                                queue.push(Sym::Export(file, old.to_string()));
                            }
                        }
                    }
                }
            }
            Sym::Export(file, _) => {
                plan.exports.insert(file);
                for token in tokens.of(file)?.iter().filter(|t| t.text == old) {
                    if token.role == Role::ExportedAlias {
                        plan.edit(file, token.range, new.to_string());
                    }
                }
                consumers(ws, file, old, new, &mut plan, &mut tokens, &mut queue)?;
            }
        }
    }
    // The Workers whose class name changes: `main` exports the new name, or
    // (with no export) the renamed declaration is what their bindings find.
    let mut hosts: Vec<&Worker> = Vec::new();
    for worker in ws.workers.iter() {
        let exported = (0..worker.envs.len())
            .filter_map(|i| worker.main_of(i))
            .any(|main| plan.exports.contains(&main) && ws.exports_of(main).get(old).is_some());
        let found_by_name = plan.declaration_renamed
            && crate::rules::support::local_do_bindings(worker).any(|b| {
                b.class_name.value == old
                    && bound_class(ws, worker, b.env_index, old).is_some_and(|(f, c)| {
                        f == class_file && c.name.as_ref().is_some_and(|n| n.value == class_name)
                    })
            });
        if exported || found_by_name {
            hosts.push(worker);
        }
    }
    env_type_arguments(ws, &hosts, old, new, &mut plan, &mut tokens)?;
    check_class_collisions(ws, &plan, &tokens, &hosts, new)?;

    let mut change = SourceChange::default();
    for (file, edits) in &plan.edits {
        change.extend(
            *file,
            edits
                .iter()
                .map(|(range, text)| TextEdit::replace(*range, text.clone())),
        );
    }
    let mut config_edits: BTreeMap<FileId, ConfigEdits> = BTreeMap::new();
    for host in &hosts {
        for (file, range, _) in bindings_to(ws, host, old) {
            config_edits
                .entry(file)
                .or_default()
                .tokens
                .push(replace_string_content(ws.files.text(file), range, new));
        }
        for history in env_replays(host) {
            if !history.owns_history || !history.replay.live.contains_key(old) {
                continue;
            }
            let Some(section) = section_of(host, history.env_index, history.declarative) else {
                continue;
            };
            let entry = config_edits.entry(host.config).or_default();
            if history.declarative {
                entry.structural.push(Structural::ExportRenamed {
                    section,
                    storage: declared_storage(history.env, old),
                });
            } else {
                let tags = history
                    .env
                    .migrations
                    .iter()
                    .filter_map(|m| m.tag.as_ref().map(|t| t.value.as_str()));
                entry.structural.push(Structural::Migration {
                    section,
                    tag: next_tag(tags),
                });
            }
        }
    }
    for (file, edits) in config_edits {
        let format = ws
            .configs
            .iter()
            .find(|c| c.file == file)
            .map(|c| c.format)
            .ok_or_else(|| {
                format!(
                    "{} is not a config dols can edit.",
                    ws.files.path(file).display()
                )
            })?;
        let text = ws.files.text(file);
        let edited = edits.apply(text, format, old, new).ok_or_else(|| {
            format!(
                "dols could not edit {} without risking its layout (does it parse?); nothing was renamed.",
                ws.files.path(file).display()
            )
        })?;
        change.extend(file, edited);
    }
    Ok(change)
}

/// Every import, re-export and namespace use of `file`'s export `old`.
fn consumers(
    ws: &Workspace,
    file: FileId,
    old: &str,
    new: &str,
    plan: &mut Plan,
    tokens: &mut Tokens,
    queue: &mut Vec<Sym>,
) -> Result<(), String> {
    for (index, summary) in ws.summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        let other = FileId(index as u32);
        let from_here = |specifier: &str| ws.resolve_import(other, specifier) == Some(file);
        let mut wanted: Vec<(Role, Option<Sym>)> = Vec::new();
        for import in &summary.imports {
            if !from_here(&import.specifier.value) {
                continue;
            }
            let source = import.specifier.value.clone();
            match &import.kind {
                ImportKind::Named { imported, local } if imported == old => {
                    let aliased = local != old;
                    wanted.push((
                        Role::Imported { source, aliased },
                        (!aliased).then(|| Sym::Local(other, old.to_string())),
                    ));
                }
                ImportKind::Namespace { local } => {
                    wanted.push((
                        Role::Member {
                            object: local.clone(),
                        },
                        None,
                    ));
                }
                ImportKind::Dynamic => wanted.push((Role::ImportMember { source }, None)),
                _ => {}
            }
        }
        let explicit_export = |name: &str| {
            summary.exports.iter().any(|e| match e {
                Export::Local { exported, .. }
                | Export::ReExport { exported, .. }
                | Export::StarAs { exported, .. } => exported.value == name,
                _ => false,
            })
        };
        for export in &summary.exports {
            match export {
                Export::ReExport {
                    exported,
                    imported,
                    specifier,
                } if imported == old && from_here(&specifier.value) => {
                    let aliased = exported.value != old;
                    wanted.push((
                        Role::ReExported {
                            source: specifier.value.clone(),
                            aliased,
                        },
                        (!aliased).then(|| Sym::Export(other, old.to_string())),
                    ));
                }
                Export::Star { specifier }
                    if from_here(&specifier.value) && !explicit_export(old) =>
                {
                    queue.push(Sym::Export(other, old.to_string()));
                }
                _ => {}
            }
        }
        if wanted.is_empty() {
            continue;
        }
        let found = tokens.of(other)?;
        for (role, follow) in wanted {
            for token in found.iter().filter(|t| t.text == old && t.role == role) {
                plan.edit(other, token.range, new.to_string());
            }
            if let Some(follow) = follow {
                queue.push(follow);
            }
        }
    }
    Ok(())
}

/// `DurableObjectNamespace<Room>` (or `<import("./x").Room>`) in the Env
/// members of Workers that bind a renamed class, when no import explains
/// the name (ambient declaration files).
fn env_type_arguments(
    ws: &Workspace,
    hosts: &[&Worker],
    old: &str,
    new: &str,
    plan: &mut Plan,
    tokens: &mut Tokens,
) -> Result<(), String> {
    for worker in ws.workers.iter() {
        let mut names: Vec<&str> = Vec::new();
        for (env_index, env) in worker.envs.iter().enumerate() {
            for binding in &env.do_bindings {
                let (Some(name), Some(class)) = (&binding.name, &binding.class_name) else {
                    continue;
                };
                if class.value != old {
                    continue;
                }
                let target = do_target(ws, worker, env_index, binding, &class.value);
                if target
                    .host
                    .is_some_and(|h| hosts.iter().any(|x| std::ptr::eq(*x, h)))
                {
                    names.push(&name.value);
                }
            }
        }
        if names.is_empty() {
            continue;
        }
        for &file in &worker.sources {
            let Some(summary) = ws.summary(file) else {
                continue;
            };
            let relevant = summary
                .env_member_types
                .iter()
                .any(|(member, ty)| names.contains(&member.as_str()) && ty.value.contains(old));
            if !relevant {
                continue;
            }
            let found = tokens.of(file)?;
            for (member, ty) in &summary.env_member_types {
                if !names.contains(&member.as_str()) {
                    continue;
                }
                for token in found
                    .iter()
                    .filter(|t| t.text == old && ty.range.contains_range(t.range))
                {
                    // A name the module imports or declares (and
                    // `import("...").X`) is the module pass's business;
                    // only ambient names are read here.
                    if token.role == Role::Local && !declares_or_imports(summary, old) {
                        plan.edit(file, token.range, new.to_string());
                    }
                }
            }
        }
    }
    Ok(())
}

fn check_class_collisions(
    ws: &Workspace,
    plan: &Plan,
    tokens: &Tokens,
    hosts: &[&Worker],
    new: &str,
) -> Result<(), String> {
    for file in plan.edits.keys() {
        let clash = tokens.files.get(file).into_iter().flatten().find(|t| {
            t.text == new && !matches!(t.role, Role::Member { .. } | Role::ImportMember { .. })
        });
        if let Some(token) = clash {
            return Err(format!(
                "`{new}` is already used in {}; pick another name.",
                super::context::location(ws, *file, token.range.start)
            ));
        }
    }
    for &file in &plan.exports {
        if ws.exports_of(file).get(new).is_some() {
            return Err(format!(
                "{} already exports `{new}`; pick another name.",
                super::context::short_path(ws, file)
            ));
        }
    }
    for host in hosts {
        let worker = host.name().unwrap_or("?");
        if let Some((file, class)) = ws.classes_named(host, new).next() {
            let at = class
                .name
                .as_ref()
                .map_or(class.range.start, |n| n.range.start);
            return Err(format!(
                "Worker `{worker}` already has a class `{new}` ({}); pick another name.",
                super::context::location(ws, file, at)
            ));
        }
        if let Some((file, range, binding)) = bindings_to(ws, host, new).into_iter().next() {
            return Err(format!(
                "The binding `{binding}` ({}) already points at a class `{new}` of Worker `{worker}`; pick another name.",
                super::context::location(ws, file, range.start)
            ));
        }
        for history in env_replays(host) {
            if history.replay.live.contains_key(new) {
                return Err(format!(
                    "The migrations of Worker `{worker}` already create a class `{new}`; pick another name."
                ));
            }
            if history.replay.deleted.contains_key(new) {
                return Err(format!(
                    "Worker `{worker}` deleted a class `{new}` in an earlier migration; dols does not reuse the name of a deleted class."
                ));
            }
        }
    }
    Ok(())
}

/// The config section holding the history of `env_index`: `Some(None)`
/// for the top level, `Some(Some(name))` for an env with its own list,
/// `None` when the env inherits it.
fn section_of(worker: &Worker, env_index: usize, declarative: bool) -> Option<Option<String>> {
    if env_index == 0 {
        return Some(None);
    }
    let env = &worker.envs[env_index];
    let own = if declarative {
        env.exports_origin == Some(Origin::Env)
    } else {
        env.migrations_origin == Some(Origin::Env)
    };
    let name = env.env.as_ref()?.value.clone();
    own.then_some(Some(name))
}

fn declared_storage(env: &EffectiveConfig, class: &str) -> Option<String> {
    env.exports
        .iter()
        .find(|e| e.class.value == class && e.is_live())
        .and_then(|e| e.storage.as_ref())
        .map(|s| s.value.clone())
}

/// A config edit that re-renders a part of the file.
enum Structural {
    /// Append `renamed_classes: [{from, to}]` with `tag` to the migrations
    /// of a section (`None`: the top level).
    Migration {
        section: Option<String>,
        tag: String,
    },
    /// Turn the class's `exports` entry into a `renamed` tombstone and add
    /// the new name with the same storage.
    ExportRenamed {
        section: Option<String>,
        storage: Option<String>,
    },
}

#[derive(Default)]
struct ConfigEdits {
    /// Token replacements on the original text (`class_name` values).
    tokens: Vec<TextEdit>,
    structural: Vec<Structural>,
}

impl ConfigEdits {
    /// The token edits, then each structural edit on the text so far; the
    /// result is diffed against the original, so edits never overlap.
    fn apply(
        &self,
        text: &str,
        format: ConfigFormat,
        old: &str,
        new: &str,
    ) -> Option<Vec<TextEdit>> {
        let mut current = apply_edits(text, &self.tokens).ok()?;
        for structural in &self.structural {
            let edits = match structural {
                Structural::Migration { section, tag } => {
                    let section = section.as_deref().map_or(Section::Top, Section::Env);
                    let migration = NewMigration {
                        tag: tag.clone(),
                        renamed_classes: vec![(old.to_string(), new.to_string())],
                        ..Default::default()
                    };
                    append_migration(&current, format, section, &migration)?
                }
                Structural::ExportRenamed { section, storage } => {
                    let section = section.as_deref().map_or(Section::Top, Section::Env);
                    rename_export_entry(&current, format, section, old, new, storage.as_deref())?
                }
            };
            current = apply_edits(&current, &edits).ok()?;
        }
        Some(minimal_edits(text, &current))
    }
}

/// In the declarative `exports` map of `section`: `old` becomes a tombstone
/// (`state = "renamed"`, `renamed_to = new`) and `new` is declared with the
/// same storage. Renaming the key instead would declare a brand-new class
/// and leave the provisioned one undeclared: its objects and data would not
/// follow the rename.
fn rename_export_entry(
    text: &str,
    format: ConfigFormat,
    section: Section,
    old: &str,
    new: &str,
    storage: Option<&str>,
) -> Option<Vec<TextEdit>> {
    match format {
        ConfigFormat::Toml => {
            use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};
            let mut doc: DocumentMut = text.parse().ok()?;
            let table = match section {
                Section::Top => doc.as_table_mut(),
                Section::Env(name) => doc
                    .as_table_mut()
                    .get_mut("env")?
                    .as_table_mut()?
                    .get_mut(name)?
                    .as_table_mut()?,
            };
            let exports = table.get_mut("exports")?.as_table_like_mut()?;
            if exports.contains_key(new) {
                return None;
            }
            let inline = matches!(exports.get(old)?, Item::Value(Value::InlineTable(_)));
            let entry = exports.get_mut(old)?.as_table_like_mut()?;
            entry.remove("storage");
            entry.insert("state", toml_edit::value("renamed"));
            entry.insert("renamed_to", toml_edit::value(new));
            if let Some(inline_entry) = exports.get_mut(old).and_then(|i| i.as_inline_table_mut()) {
                inline_entry.fmt();
            }
            if inline {
                let mut fresh = InlineTable::new();
                fresh.insert("type", "durable-object".into());
                if let Some(storage) = storage {
                    fresh.insert("storage", storage.into());
                }
                fresh.fmt();
                exports.insert(new, Item::Value(Value::InlineTable(fresh)));
            } else {
                let mut fresh = Table::new();
                fresh.insert("type", toml_edit::value("durable-object"));
                if let Some(storage) = storage {
                    fresh.insert("storage", toml_edit::value(storage));
                }
                exports.insert(new, Item::Table(fresh));
            }
            let rendered = doc.to_string();
            let rendered = if text.contains("\r\n") {
                rendered.replace("\r\n", "\n").replace('\n', "\r\n")
            } else {
                rendered
            };
            Some(minimal_edits(text, &rendered))
        }
        ConfigFormat::Json | ConfigFormat::Jsonc => {
            use jsonc_parser::cst::{CstInputValue, CstRootNode};
            let root = CstRootNode::parse(text, &jsonc_parser::ParseOptions::default()).ok()?;
            let top = root.object_value()?;
            let object = match section {
                Section::Top => top,
                Section::Env(name) => top.object_value("env")?.object_value(name)?,
            };
            let exports = object.object_value("exports")?;
            if exports.get(new).is_some() {
                return None;
            }
            let properties = exports.properties();
            let index = properties.iter().position(|p| {
                p.name().and_then(|n| n.decoded_value().ok()).as_deref() == Some(old)
            })?;
            let entry = properties[index].object_value()?;
            if let Some(storage_prop) = entry.get("storage") {
                storage_prop.remove();
            }
            entry.append("state", CstInputValue::String("renamed".to_string()));
            entry.append("renamed_to", CstInputValue::String(new.to_string()));
            let mut fields = vec![(
                "type".to_string(),
                CstInputValue::String("durable-object".to_string()),
            )];
            if let Some(storage) = storage {
                fields.push((
                    "storage".to_string(),
                    CstInputValue::String(storage.to_string()),
                ));
            }
            exports.insert(index + 1, new, CstInputValue::Object(fields));
            Some(minimal_edits(text, &root.to_string()))
        }
    }
}

// ------------------------------------------------------------ binding rename

fn rename_binding(
    ws: &Workspace,
    workers: &[&Worker],
    old: &str,
    new: &str,
) -> Result<SourceChange, String> {
    // A file shared by several Workers reads the binding for all of them: a
    // Worker that shares a file using `env.<old>` and declares it too is
    // renamed along.
    let mut set: Vec<&Worker> = workers.to_vec();
    let mut grew = true;
    while grew {
        grew = false;
        let files: Vec<FileId> = set
            .iter()
            .flat_map(|w| w.sources.iter().copied())
            .filter(|f| {
                ws.summary(*f)
                    .is_some_and(|s| s.env_accesses.iter().any(|a| a.name.value == old))
            })
            .collect();
        for worker in ws.workers.iter() {
            if set.iter().any(|w| std::ptr::eq(*w, worker)) || !declares_binding(worker, old) {
                continue;
            }
            if worker.sources.iter().any(|f| files.contains(f)) {
                set.push(worker);
                grew = true;
            }
        }
    }
    let mut change = SourceChange::default();
    let mut done: HashSet<(FileId, TextRange)> = HashSet::new();
    let mut push = |change: &mut SourceChange, file: FileId, edit: TextEdit| {
        if done.insert((file, edit.range)) {
            change.push(file, edit);
        }
    };
    for worker in &set {
        let worker_name = worker.name().unwrap_or("?");
        for env in &worker.envs {
            for binding in &env.bindings {
                if binding.name.value == new {
                    return Err(format!(
                        "Worker `{worker_name}` already has a binding `{new}` ({}); pick another name.",
                        super::context::location(ws, binding.file, binding.name.range.start)
                    ));
                }
                if binding.name.value != old {
                    continue;
                }
                if binding.file != worker.config {
                    return Err(format!(
                        "`{old}` is a secret from {}; rename it there and in the deployed secrets (`wrangler secret`), then in code.",
                        super::context::short_path(ws, binding.file)
                    ));
                }
                let text = ws.files.text(binding.file);
                push(
                    &mut change,
                    binding.file,
                    replace_string_content(text, binding.name.range, new),
                );
            }
        }
        for &file in &worker.sources {
            let Some(summary) = ws.summary(file) else {
                continue;
            };
            let text = ws.files.text(file);
            if let Some(clash) = summary
                .env_accesses
                .iter()
                .map(|a| &a.name)
                .chain(summary.env_type_members.iter())
                .find(|n| n.value == new)
            {
                return Err(format!(
                    "`{new}` is already used as a binding name in {}; pick another name.",
                    super::context::location(ws, file, clash.range.start)
                ));
            }
            for access in summary.env_accesses.iter().filter(|a| a.name.value == old) {
                let after = text[access.name.range.end as usize..].trim_start();
                let shorthand = access.via == EnvVia::Destructure && !after.starts_with(':');
                let replacement = if shorthand {
                    // `const { OLD } = env` keeps its local variable.
                    format!("{new}: {old}")
                } else {
                    new.to_string()
                };
                push(
                    &mut change,
                    file,
                    TextEdit::replace(access.name.range, replacement),
                );
            }
            for member in summary.env_type_members.iter().filter(|m| m.value == old) {
                push(&mut change, file, TextEdit::replace(member.range, new));
            }
        }
    }
    Ok(change)
}
