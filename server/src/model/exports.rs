//! What a module exports, with re-exports, aliases and `export *` followed
//! to the declaration each name comes from. Cycles in re-exports end the walk
//! instead of looping.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::files::FileId;
use crate::index::{Export, ImportKind};
use crate::text::TextRange;

use super::Workspace;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportOrigin {
    /// A class declared in `file` under `name`.
    Class { file: FileId, name: String },
    /// Another local value: a const (e.g. built by a factory), a function, a
    /// namespace object, a default-exported expression.
    Value { file: FileId, name: String },
    /// From a package or a file outside the tree; nothing more is known.
    External { specifier: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportEntry {
    pub origin: ExportOrigin,
    /// The file and range where the exported name is written in the module
    /// asked about (or in the module it was star-re-exported from).
    pub file: FileId,
    pub range: TextRange,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportSet {
    /// Shared: `Workspace::exports_of` hands out copies of a memoised set,
    /// and rules ask for the same `main` once per call site.
    pub names: Arc<BTreeMap<String, ExportEntry>>,
    /// False when an `export *` could not be followed (a package, a missing
    /// file): the module may export names dols cannot see.
    pub complete: bool,
}

impl ExportSet {
    pub fn get(&self, name: &str) -> Option<&ExportEntry> {
        self.names.get(name)
    }
}

pub fn collect(ws: &Workspace, file: FileId) -> ExportSet {
    let mut walk = Walk {
        ws,
        visiting: HashSet::new(),
        done: HashMap::new(),
    };
    walk.module(file)
}

struct Walk<'a> {
    ws: &'a Workspace,
    visiting: HashSet<FileId>,
    done: HashMap<FileId, ExportSet>,
}

impl Walk<'_> {
    /// The export set of `root`. The modules it re-exports from are done
    /// first, depth first from an explicit stack (a chain of thousands of
    /// re-exports must not overflow the thread's stack), so that
    /// [`Walk::compute`] finds each of them done, or on the path being
    /// walked: a cycle, which contributes no names.
    fn module(&mut self, root: FileId) -> ExportSet {
        let mut stack = vec![(root, false)];
        while let Some((file, expanded)) = stack.pop() {
            if self.done.contains_key(&file) {
                continue;
            }
            if expanded {
                let set = self.compute(file);
                self.visiting.remove(&file);
                self.done.insert(file, set);
                continue;
            }
            if !self.visiting.insert(file) {
                continue; // on the path: a cycle
            }
            stack.push((file, true));
            // Reversed, so they are done in the order `compute` asks.
            for dep in self.dependencies(file).into_iter().rev() {
                if !self.done.contains_key(&dep) && !self.visiting.contains(&dep) {
                    stack.push((dep, false));
                }
            }
        }
        self.done.get(&root).cloned().unwrap_or(ExportSet {
            // A cycle: the names are being collected further up.
            names: Arc::default(),
            complete: true,
        })
    }

    /// The modules whose export sets `compute(file)` reads, in the order it
    /// reads them: re-exports and exported imports, then `export *`.
    fn dependencies(&self, file: FileId) -> Vec<FileId> {
        let Some(summary) = self.ws.summary(file) else {
            return Vec::new();
        };
        let mut deps = Vec::new();
        let mut stars = Vec::new();
        for export in &summary.exports {
            let specifier = match export {
                Export::Local { local, .. } => {
                    let is_class = summary
                        .classes
                        .iter()
                        .any(|c| c.name.as_ref().is_some_and(|n| n.value == *local));
                    if is_class {
                        continue;
                    }
                    let import = summary.imports.iter().find(|import| match &import.kind {
                        ImportKind::Named { local: l, .. }
                        | ImportKind::Default { local: l }
                        | ImportKind::Namespace { local: l } => l == local,
                        _ => false,
                    });
                    match import {
                        Some(import) if !matches!(import.kind, ImportKind::Namespace { .. }) => {
                            &import.specifier.value
                        }
                        _ => continue,
                    }
                }
                Export::ReExport { specifier, .. } => &specifier.value,
                Export::Star { specifier } => {
                    stars.extend(self.ws.resolve_import(file, &specifier.value));
                    continue;
                }
                Export::StarAs { .. } | Export::DefaultExpression { .. } => continue,
            };
            deps.extend(self.ws.resolve_import(file, specifier));
        }
        deps.extend(stars);
        deps
    }

    /// The export set of `file`, its dependencies being done (or cycles).
    fn compute(&mut self, file: FileId) -> ExportSet {
        let mut names = BTreeMap::new();
        let mut complete = true;
        let Some(summary) = self.ws.summary(file) else {
            return ExportSet {
                names: Arc::default(),
                complete: false,
            };
        };
        let mut stars = Vec::new();
        for export in &summary.exports {
            let (name, origin, range) = match export {
                Export::Local { exported, local } => {
                    (&exported.value, self.local(file, local), exported.range)
                }
                Export::ReExport {
                    exported,
                    imported,
                    specifier,
                } => (
                    &exported.value,
                    self.imported(file, &specifier.value, imported),
                    exported.range,
                ),
                Export::StarAs {
                    exported,
                    specifier,
                } => (
                    &exported.value,
                    self.namespace(file, &specifier.value),
                    exported.range,
                ),
                Export::DefaultExpression { range } => {
                    let origin = ExportOrigin::Value {
                        file,
                        name: "default".to_string(),
                    };
                    names.insert(
                        "default".to_string(),
                        ExportEntry {
                            origin,
                            file,
                            range: *range,
                        },
                    );
                    continue;
                }
                Export::Star { specifier } => {
                    stars.push(specifier);
                    continue;
                }
            };
            names.insert(
                name.clone(),
                ExportEntry {
                    origin,
                    file,
                    range,
                },
            );
        }
        // Explicit exports win over star re-exports, as in ES modules.
        for specifier in stars {
            match self.ws.resolve_import(file, &specifier.value) {
                Some(target) => {
                    let inner = self.module(target);
                    complete &= inner.complete;
                    for (name, entry) in inner.names.iter() {
                        if name != "default" {
                            names.entry(name.clone()).or_insert_with(|| entry.clone());
                        }
                    }
                }
                None => complete = false,
            }
        }
        ExportSet {
            names: Arc::new(names),
            complete,
        }
    }

    /// Where a name bound locally in `file` comes from.
    fn local(&mut self, file: FileId, local: &str) -> ExportOrigin {
        let Some(summary) = self.ws.summary(file) else {
            return ExportOrigin::Value {
                file,
                name: local.to_string(),
            };
        };
        if summary
            .classes
            .iter()
            .any(|c| c.name.as_ref().is_some_and(|n| n.value == local))
        {
            return ExportOrigin::Class {
                file,
                name: local.to_string(),
            };
        }
        for import in &summary.imports {
            let imported = match &import.kind {
                ImportKind::Named { imported, local: l } if l == local => imported.clone(),
                ImportKind::Default { local: l } if l == local => "default".to_string(),
                ImportKind::Namespace { local: l } if l == local => "*".to_string(),
                _ => continue,
            };
            let specifier = import.specifier.value.clone();
            if imported == "*" {
                return self.namespace(file, &specifier);
            }
            return self.imported(file, &specifier, &imported);
        }
        ExportOrigin::Value {
            file,
            name: local.to_string(),
        }
    }

    /// The namespace object of the module `specifier` (`import * as ns`,
    /// `export * as ns from`).
    fn namespace(&self, file: FileId, specifier: &str) -> ExportOrigin {
        match self.ws.resolve_import(file, specifier) {
            Some(target) => ExportOrigin::Value {
                file: target,
                name: "*".to_string(),
            },
            None => ExportOrigin::External {
                specifier: specifier.to_string(),
            },
        }
    }

    /// Where `name` exported by the module `specifier` (seen from `file`) comes from.
    fn imported(&mut self, file: FileId, specifier: &str, name: &str) -> ExportOrigin {
        let Some(target) = self.ws.resolve_import(file, specifier) else {
            return ExportOrigin::External {
                specifier: specifier.to_string(),
            };
        };
        let inner = self.module(target);
        match inner.names.get(name) {
            Some(entry) => entry.origin.clone(),
            None => ExportOrigin::Value {
                file: target,
                name: name.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::discovery::FileRole;
    use crate::index::language::SourceLanguage;
    use crate::model::{ExportOrigin, InputFile, Workspace};

    fn workspace(files: &[(&str, &str)]) -> Workspace {
        Workspace::build(
            files
                .iter()
                .map(|(path, text)| InputFile {
                    path: path.into(),
                    role: FileRole::Source(SourceLanguage::TypeScript),
                    text: (*text).into(),
                })
                .collect(),
        )
    }

    #[test]
    fn re_export_cycles_terminate_and_keep_every_name() {
        let ws = workspace(&[
            ("/w/a.ts", "export * from \"./b\";\nexport const A = 1;"),
            ("/w/b.ts", "export * from \"./a\";\nexport class B {}"),
        ]);
        let a = ws.files.lookup(std::path::Path::new("/w/a.ts")).unwrap();
        let exports = ws.exports_of(a);
        assert!(exports.complete);
        assert_eq!(exports.names.keys().collect::<Vec<_>>(), vec!["A", "B"]);
    }

    /// A chain of re-exports as long as the fuzzing found fatal (about
    /// 3,400 named re-exports overflowed the stack), in every form that
    /// walks to the next module: named, through an import, and `export *`.
    #[test]
    fn long_re_export_chains_do_not_overflow_the_stack() {
        const LENGTH: usize = 4_000;
        let texts: Vec<(String, String)> = (0..LENGTH)
            .map(|i| {
                let next = i + 1;
                let text = match (i, i % 3) {
                    (i, _) if i == LENGTH - 1 => "export class Room {}\n".to_string(),
                    (_, 0) => format!("export {{ Room }} from \"./m{next}\";\n"),
                    (_, 1) => {
                        format!("import {{ Room }} from \"./m{next}\";\nexport {{ Room }};\n")
                    }
                    _ => format!("export * from \"./m{next}\";\n"),
                };
                (format!("/w/m{i}.ts"), text)
            })
            .collect();
        let files: Vec<(&str, &str)> = texts
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        let ws = workspace(&files);
        let first = ws.files.lookup(std::path::Path::new("/w/m0.ts")).unwrap();
        let last = ws
            .files
            .lookup(std::path::Path::new(&format!("/w/m{}.ts", LENGTH - 1)))
            .unwrap();
        let exports = ws.exports_of(first);
        assert!(exports.complete);
        assert_eq!(
            exports.get("Room").map(|e| e.origin.clone()),
            Some(ExportOrigin::Class {
                file: last,
                name: "Room".into()
            })
        );
    }

    #[test]
    fn aliases_and_imports_lead_to_the_declaring_class() {
        let ws = workspace(&[
            ("/w/index.ts", "import { Impl } from \"./impl.js\";\nexport { Impl as Bound };\nexport * from \"some-package\";"),
            ("/w/impl.ts", "export class Impl {}"),
        ]);
        let index = ws
            .files
            .lookup(std::path::Path::new("/w/index.ts"))
            .unwrap();
        let impl_file = ws.files.lookup(std::path::Path::new("/w/impl.ts")).unwrap();
        let exports = ws.exports_of(index);
        // The package's names are unknown, so the set is incomplete.
        assert!(!exports.complete);
        assert_eq!(
            exports.get("Bound").map(|e| e.origin.clone()),
            Some(ExportOrigin::Class {
                file: impl_file,
                name: "Impl".into()
            })
        );
    }
}
