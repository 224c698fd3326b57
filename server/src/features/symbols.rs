//! Document symbols for wrangler configs and workspace symbols for Durable
//! Object classes and bindings.

use super::Target;
use crate::config::{ConfigFile, RawSection};
use crate::files::FileId;
use crate::model::{durable_object_kind, Workspace};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Worker,
    Environment,
    Binding,
    Migration,
    Class,
    Method,
    Constructor,
    Field,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole entry.
    pub range: TextRange,
    /// The part to highlight (the name).
    pub selection: TextRange,
    pub children: Vec<DocumentSymbol>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub target: Target,
    /// The Worker (or file) the symbol belongs to.
    pub container: Option<String>,
}

/// The classes of a source, each with its constructor, methods and fields.
/// A Durable Object class says so (and its backend, when the Workers
/// agree); its handler methods say which event calls them.
fn source_symbols(ws: &Workspace, file: FileId) -> Vec<DocumentSymbol> {
    let Some(summary) = ws.summary(file) else {
        return Vec::new();
    };
    let mut symbols = Vec::new();
    for class in &summary.classes {
        let Some(name) = &class.name else {
            continue;
        };
        let is_durable_object = durable_object_kind(ws, file, class).is_some();
        let mut children = Vec::new();
        if let Some(constructor) = &class.constructor {
            children.push(DocumentSymbol {
                name: "constructor".to_string(),
                detail: None,
                kind: SymbolKind::Constructor,
                range: constructor.range,
                selection: constructor.name_range,
                children: Vec::new(),
            });
        }
        for method in &class.methods {
            let handler = is_durable_object
                .then(|| {
                    crate::knowledge::HANDLERS
                        .iter()
                        .find(|h| h.name == method.name.value)
                })
                .flatten();
            children.push(DocumentSymbol {
                name: method.name.value.clone(),
                detail: handler.map(|h| format!("handler · {}", h.signature)),
                kind: SymbolKind::Method,
                range: method.range,
                selection: method.name.range,
                children: Vec::new(),
            });
        }
        for field in &class.fields {
            if children.iter().any(|c| c.selection == field.name.range) {
                continue;
            }
            children.push(DocumentSymbol {
                name: field.name.value.clone(),
                detail: None,
                kind: SymbolKind::Field,
                range: field.name.range,
                selection: field.name.range,
                children: Vec::new(),
            });
        }
        children.sort_by_key(|c| c.range.start);
        let detail = is_durable_object.then(|| {
            let workers = super::context::file_workers(ws, file);
            let backend = crate::rules::support::agreed_backend(workers, &name.value);
            match backend {
                Some(backend) => format!(
                    "Durable Object · {}",
                    super::context::describe_backend(backend)
                ),
                None => "Durable Object".to_string(),
            }
        });
        symbols.push(DocumentSymbol {
            name: name.value.clone(),
            detail,
            kind: SymbolKind::Class,
            range: class.range,
            selection: name.range,
            children,
        });
    }
    symbols
}

/// The outline of a wrangler config (its Durable Object bindings,
/// migrations and environments) or of a source (its classes with their
/// methods, Durable Object classes and their handlers marked).
pub fn document_symbols(ws: &Workspace, file: FileId) -> Vec<DocumentSymbol> {
    let Some(config) = ws.configs.iter().find(|c| c.file == file) else {
        return source_symbols(ws, file);
    };
    let mut symbols = section_symbols(&config.top);
    for env in &config.envs {
        let children = section_symbols(&env.section);
        symbols.push(DocumentSymbol {
            name: format!("env.{}", env.name.value),
            detail: None,
            kind: SymbolKind::Environment,
            range: section_extent(&env.section, config.file)
                .max_with(env.name.range)
                .max_with(cover(children.iter().map(|c| c.range), env.name.range)),
            selection: env.name.range,
            children,
        });
    }
    if let Some(name) = &config.top.name {
        return vec![DocumentSymbol {
            name: name.value.clone(),
            detail: Some("Worker".to_string()),
            kind: SymbolKind::Worker,
            range: whole(config, ws),
            selection: name.range,
            children: symbols,
        }];
    }
    symbols
}

fn whole(config: &ConfigFile, ws: &Workspace) -> TextRange {
    TextRange::new(0, ws.files.text(config.file).len())
}

/// The smallest range covering `start` and every range of `ranges`.
fn cover(ranges: impl IntoIterator<Item = TextRange>, start: TextRange) -> TextRange {
    ranges.into_iter().fold(start, TextRange::max_with)
}

/// A section's range extended over the keys written in it. In TOML the
/// range of a `[header]` table is its header line only, and its keys (and
/// `[[header.sub]]` tables) follow it, so a symbol's range must cover them
/// for its children to lie inside it.
fn section_extent(section: &RawSection, file: FileId) -> TextRange {
    let scalars = [&section.name, &section.main, &section.compatibility_date]
        .into_iter()
        .flatten()
        .map(|s| s.range);
    let lists = [
        section.durable_objects.as_ref().map(|s| s.range),
        section.migrations.as_ref().map(|s| s.range),
        section.exports.as_ref().map(|s| s.range),
    ]
    .into_iter()
    .flatten();
    let flags = section
        .compatibility_flags
        .iter()
        .flatten()
        .map(|s| s.range);
    let bindings = section
        .bindings
        .iter()
        .filter(|b| b.file == file)
        .map(|b| b.name.range);
    cover(
        scalars.chain(lists).chain(flags).chain(bindings),
        section.range,
    )
}

fn section_symbols(section: &RawSection) -> Vec<DocumentSymbol> {
    let mut symbols = Vec::new();
    for binding in section.durable_objects.iter().flat_map(|d| d.value.iter()) {
        let Some(name) = &binding.name else { continue };
        let class = binding.class_name.as_ref().map(|c| c.value.clone());
        let detail = match (&class, &binding.script_name) {
            (Some(class), Some(script)) => Some(format!("{class} in {}", script.value)),
            (Some(class), None) => Some(class.clone()),
            _ => None,
        };
        symbols.push(DocumentSymbol {
            name: name.value.clone(),
            detail,
            kind: SymbolKind::Binding,
            range: cover(
                [
                    &binding.class_name,
                    &binding.script_name,
                    &binding.environment,
                ]
                .into_iter()
                .flatten()
                .map(|s| s.range),
                binding.range.max_with(name.range),
            ),
            selection: name.range,
            children: Vec::new(),
        });
    }
    for migration in section.migrations.iter().flat_map(|m| m.value.iter()) {
        let Some(tag) = &migration.tag else { continue };
        let created: Vec<&str> = migration
            .new_sqlite_classes
            .iter()
            .chain(&migration.new_classes)
            .map(|c| c.value.as_str())
            .collect();
        symbols.push(DocumentSymbol {
            name: format!("migration {}", tag.value),
            detail: (!created.is_empty()).then(|| format!("creates {}", created.join(", "))),
            kind: SymbolKind::Migration,
            range: cover(
                migration
                    .new_classes
                    .iter()
                    .chain(&migration.new_sqlite_classes)
                    .chain(&migration.deleted_classes)
                    .map(|c| c.range)
                    .chain(migration.renamed_classes.iter().map(|r| r.range))
                    .chain(migration.transferred_classes.iter().map(|t| t.range)),
                migration.range.max_with(tag.range),
            ),
            selection: tag.range,
            children: Vec::new(),
        });
    }
    symbols
}

/// Durable Object classes and DO bindings whose name contains `query`
/// (case-insensitive; an empty query matches all).
pub fn workspace_symbols(ws: &Workspace, query: &str) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let matches = |name: &str| name.to_lowercase().contains(&query);
    let mut symbols = Vec::new();
    for (index, summary) in ws.summaries.iter().enumerate() {
        let Some(summary) = summary else { continue };
        let file = FileId(index as u32);
        for class in &summary.classes {
            let Some(name) = &class.name else { continue };
            if !matches(&name.value) || durable_object_kind(ws, file, class).is_none() {
                continue;
            }
            symbols.push(WorkspaceSymbol {
                name: name.value.clone(),
                kind: SymbolKind::Class,
                target: Target {
                    file,
                    range: name.range,
                },
                container: ws
                    .files
                    .path(file)
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string()),
            });
        }
    }
    for worker in ws.workers.iter() {
        for env in &worker.envs {
            for binding in &env.do_bindings {
                let Some(name) = &binding.name else { continue };
                if !matches(&name.value) {
                    continue;
                }
                let container = match &env.env {
                    Some(env_name) => format!(
                        "{} (env {})",
                        worker.name().unwrap_or("worker"),
                        env_name.value
                    ),
                    None => worker.name().unwrap_or("worker").to_string(),
                };
                symbols.push(WorkspaceSymbol {
                    name: name.value.clone(),
                    kind: SymbolKind::Binding,
                    target: Target {
                        file: worker.config,
                        range: name.range,
                    },
                    container: Some(container),
                });
            }
        }
    }
    symbols
}
