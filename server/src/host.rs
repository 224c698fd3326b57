//! The analysis host: the mutable state behind the language server. It owns
//! the texts (disk files from discovery, overlaid by open editor buffers)
//! and produces immutable [`Analysis`] snapshots that features read.
//!
//! Rebuilding reuses the summary of every source file whose text did not
//! change, so a keystroke re-parses one file, not the workspace.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::discovery::{self, FileRole};
use crate::index::{self, extract::IncrementalTree, FileSummary};
use crate::model::{InputFile, Workspace};
use crate::rules;
use crate::settings::Settings;
use crate::text::ByteEdit;

/// One consistent view of the workspace. Diagnostics are computed on first
/// use, so a completion right after an edit does not wait for the rules.
pub struct Analysis {
    pub workspace: Workspace,
    rules: crate::rules::RuleSettings,
    diagnostics: std::sync::OnceLock<Vec<Diagnostic>>,
}

impl Analysis {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.diagnostics
            .get_or_init(|| rules::run(&self.workspace, &self.rules))
    }
}

#[derive(Default)]
pub struct AnalysisHost {
    roots: Vec<PathBuf>,
    disk: BTreeMap<PathBuf, (FileRole, Arc<str>)>,
    overlays: HashMap<PathBuf, Arc<str>>,
    settings: Settings,
    previous: Option<Arc<Analysis>>,
    /// Syntax trees of open source documents, kept across edits so each
    /// keystroke re-parses only the changed region.
    open_trees: HashMap<PathBuf, IncrementalTree>,
    /// The summary computed from each open document's current tree.
    open_summaries: HashMap<PathBuf, (Arc<str>, Arc<FileSummary>)>,
}

impl AnalysisHost {
    pub fn new(roots: Vec<PathBuf>, settings: Settings) -> Self {
        let mut host = AnalysisHost {
            roots,
            settings,
            ..Default::default()
        };
        host.reload_all();
        host
    }

    /// Re-runs discovery and reads every file again.
    pub fn reload_all(&mut self) {
        let (inputs, skipped) = discovery::load(&self.roots, &self.settings.exclude);
        for file in skipped {
            eprintln!("dols: skipped {}: {}", file.path.display(), file.reason);
        }
        self.disk = inputs
            .into_iter()
            .map(|input| (input.path, (input.role, input.text)))
            .collect();
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// New settings; files are re-read only when the exclude list changed.
    pub fn set_settings(&mut self, settings: Settings) {
        let rescan = settings.exclude != self.settings.exclude;
        self.settings = settings;
        if rescan {
            self.reload_all();
        }
    }

    /// A file changed, appeared or disappeared on disk.
    pub fn file_changed_on_disk(&mut self, path: &Path) {
        let Some(role) = FileRole::of(path) else {
            return;
        };
        if path.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|name| discovery::SKIPPED_DIRS.contains(&name))
        }) {
            return;
        }
        match discovery::read_text(path, role) {
            Ok(text) => {
                self.disk.insert(path.to_path_buf(), (role, text.into()));
            }
            Err(_) => {
                self.disk.remove(path);
            }
        }
    }

    /// An editor opened or changed a buffer; its text wins over the disk.
    pub fn set_overlay(&mut self, path: PathBuf, text: String) {
        // Without edits the old tree cannot be reused.
        self.open_trees.remove(&path);
        self.overlays.insert(path, text.into());
    }

    /// An editor changed an open buffer by `edits` (in order), giving
    /// `text`. The document's syntax tree learns the edits, so the next
    /// analysis re-parses incrementally.
    pub fn edit_overlay(&mut self, path: PathBuf, text: String, edits: &[ByteEdit]) {
        if let Some(tree) = self.open_trees.get_mut(&path) {
            for edit in edits {
                tree.edit(&tree_sitter::InputEdit {
                    start_byte: edit.start,
                    old_end_byte: edit.old_end,
                    new_end_byte: edit.new_end,
                    start_position: point(edit.start_point),
                    old_end_position: point(edit.old_end_point),
                    new_end_position: point(edit.new_end_point),
                });
            }
        }
        self.overlays.insert(path, text.into());
    }

    pub fn remove_overlay(&mut self, path: &Path) {
        self.overlays.remove(path);
        self.open_trees.remove(path);
        self.open_summaries.remove(path);
    }

    pub fn overlay(&self, path: &Path) -> Option<&str> {
        self.overlays.get(path).map(|t| &**t)
    }

    /// Brings the summary of every open source document up to date, using
    /// its kept tree when there is one.
    fn reparse_open_sources(&mut self) {
        for (path, text) in &self.overlays {
            let Some(FileRole::Source(language)) = FileRole::of(path) else {
                continue;
            };
            if discovery::minified_line(text).is_some() {
                continue;
            }
            if self
                .open_summaries
                .get(path)
                .is_some_and(|(t, _)| t == text)
            {
                continue;
            }
            let previous = self.open_trees.get(path);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                index::extract::summarize_reparse(text, language, previous)
            }));
            match outcome {
                Ok((summary, tree)) => {
                    match tree {
                        Some(tree) => self.open_trees.insert(path.clone(), tree),
                        None => self.open_trees.remove(path),
                    };
                    self.open_summaries
                        .insert(path.clone(), (text.clone(), Arc::new(summary)));
                }
                Err(_) => {
                    // Leave it to the regular path, which reports the failure.
                    self.open_trees.remove(path);
                    self.open_summaries.remove(path);
                }
            }
        }
    }

    /// Builds a fresh snapshot from the current texts.
    pub fn analyze(&mut self) -> Arc<Analysis> {
        let mut inputs: Vec<InputFile> = Vec::with_capacity(self.disk.len() + self.overlays.len());
        for (path, (role, text)) in &self.disk {
            let text = self.overlays.get(path).unwrap_or(text);
            inputs.push(InputFile {
                path: path.clone(),
                role: *role,
                text: text.clone(),
            });
        }
        // Open buffers that are not on disk yet (new, unsaved files).
        for (path, text) in &self.overlays {
            if self.disk.contains_key(path) {
                continue;
            }
            if let Some(role) = FileRole::of(path) {
                inputs.push(InputFile {
                    path: path.clone(),
                    role,
                    text: text.clone(),
                });
            }
        }
        self.reparse_open_sources();
        let previous = self.previous.as_ref().map(|a| &a.workspace);
        let open = &self.open_summaries;
        let ready = |path: &Path, text: &Arc<str>| {
            if let Some((open_text, summary)) = open.get(path) {
                if Arc::ptr_eq(open_text, text) || open_text == text {
                    return Some(summary.clone());
                }
            }
            previous?.unchanged_summary(path, text)
        };
        let workspace = Workspace::build_with(inputs, &ready, previous);
        let analysis = Arc::new(Analysis {
            workspace,
            rules: self.settings.rules.clone(),
            diagnostics: std::sync::OnceLock::new(),
        });
        self.previous = Some(analysis.clone());
        analysis
    }
}

fn point((row, column): (usize, usize)) -> tree_sitter::Point {
    tree_sitter::Point { row, column }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::language::SourceLanguage;

    const CONFIG: &str = r#"name = "app"
main = "src/index.ts"
[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[migrations]]
tag = "v1"
new_classes = ["Counter"]
"#;

    const MAIN: &str = r#"import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject {
  async fetch(request: Request) {
    this.ctx.storage.sql.exec("SELECT 1");
    return new Response("ok");
  }
}
export default { fetch(request, env) { return env.COUNTER.getByName("a").fetch(request); } };
"#;

    /// A tiny deterministic generator, so failures reproduce.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, bound: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % bound.max(1)
        }
    }

    /// Incremental state equals from-scratch state: after every random
    /// edit, the open document's summary and the diagnostics match a fresh
    /// analysis of the same text.
    #[test]
    fn incremental_edits_match_a_fresh_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let root = crate::model::resolve::normalize(dir.path());
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("wrangler.toml"), CONFIG).unwrap();
        std::fs::write(root.join("src/index.ts"), MAIN).unwrap();
        let main = root.join("src/index.ts");

        let mut host = AnalysisHost::new(vec![root.clone()], Settings::default());
        let mut text = MAIN.to_string();
        host.set_overlay(main.clone(), text.clone());
        host.analyze();

        let snippets = [
            "",
            "x",
            "export ",
            "class A extends DurableObject {}",
            "\n",
            "{",
            "}",
            "env.",
            "(",
            "\"",
            "é",
        ];
        let mut rng = Lcg(7);
        for step in 0..120 {
            let mut start = rng.next(text.len() + 1);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + rng.next(12)).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let inserted = snippets[rng.next(snippets.len())];
            let edit = ByteEdit::new(&text, start, end, inserted);
            text.replace_range(start..end, inserted);
            host.edit_overlay(main.clone(), text.clone(), &[edit]);
            let incremental = host.analyze();

            let mut fresh_host = AnalysisHost::new(vec![root.clone()], Settings::default());
            fresh_host.set_overlay(main.clone(), text.clone());
            let fresh = fresh_host.analyze();

            let id = incremental.workspace.files.lookup(&main).unwrap();
            assert_eq!(
                incremental.workspace.summary(id),
                Some(&crate::index::summarize(&text, SourceLanguage::TypeScript)),
                "summary differs after step {step}: {text:?}"
            );
            let codes = |a: &Analysis| -> Vec<(&'static str, u32, String)> {
                a.diagnostics()
                    .iter()
                    .map(|d| (d.code, d.range.start, d.message.clone()))
                    .collect()
            };
            assert_eq!(
                codes(&incremental),
                codes(&fresh),
                "diagnostics differ after step {step}"
            );
        }
    }
}
