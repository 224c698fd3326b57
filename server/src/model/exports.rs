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
    fn module(&mut self, file: FileId) -> ExportSet {
        if let Some(done) = self.done.get(&file) {
            return done.clone();
        }
        if !self.visiting.insert(file) {
            // A cycle: the names are being collected further up the stack.
            return ExportSet {
                names: Arc::default(),
                complete: true,
            };
        }
        let mut names = BTreeMap::new();
        let mut complete = true;
        let Some(summary) = self.ws.summary(file) else {
            self.visiting.remove(&file);
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
        let set = ExportSet {
            names: Arc::new(names),
            complete,
        };
        self.visiting.remove(&file);
        self.done.insert(file, set.clone());
        set
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
