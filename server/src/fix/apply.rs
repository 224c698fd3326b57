//! Applying edits to texts, and the fix-all loop behind `dols check --fix`:
//! check, apply every allowed fix that doesn't collide with another, check
//! again, until nothing more can be fixed. Runs on in-memory inputs so the
//! CLI, `--diff` and tests share it; only the CLI writes files.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Fix, Safety, TextEdit};
use crate::diagnostic::Diagnostic;
use crate::discovery::FileRole;
use crate::model::{InputFile, Workspace};
use crate::rules::{self, RuleSettings};

/// Passes of check-then-fix before giving up: a fix can enable another
/// (an export added, then a migration), but never forever.
const MAX_PASSES: usize = 8;

/// Edits overlap, or one falls outside the text or inside a character.
#[derive(Debug, PartialEq, Eq)]
pub struct BadEdits;

/// Applies `edits` (ranges into `text`) in one go. Edits may come in any
/// order; two inserts at one offset keep their given order.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> Result<String, BadEdits> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0usize;
    for edit in sorted {
        let (start, end) = (edit.range.start as usize, edit.range.end as usize);
        if start < cursor
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            return Err(BadEdits);
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&edit.new_text);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}

/// A file the fixes changed or created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedFile {
    pub path: PathBuf,
    /// `None` for a created file.
    pub before: Option<Arc<str>>,
    pub after: Arc<str>,
}

pub struct FixOutcome {
    /// Changed and created files, sorted by path.
    pub files: Vec<FixedFile>,
    /// `(rule id, fix title)` of every applied fix, in order.
    pub applied: Vec<(&'static str, String)>,
    /// The workspace after the fixes, and what is still reported.
    pub workspace: Workspace,
    pub remaining: Vec<Diagnostic>,
}

/// Which fixes the loop may apply.
#[derive(Clone, Copy, Debug)]
pub struct FixFilter<'a> {
    pub include_unsafe: bool,
    /// Only fixes of this rule (fixture tests check one rule at a time).
    pub rule: Option<&'a str>,
}

/// Checks `inputs`, applies fixes until none applies, and returns the
/// changed texts with the final check. Each pass applies at most one fix
/// per diagnostic (its first allowed one) and skips fixes that overlap a
/// fix already taken in that pass; the next pass sees the new texts.
pub fn fix_all(
    mut inputs: Vec<InputFile>,
    settings: &RuleSettings,
    filter: FixFilter,
    exists_on_disk: &dyn Fn(&Path) -> bool,
) -> FixOutcome {
    let originals: BTreeMap<PathBuf, Arc<str>> = inputs
        .iter()
        .map(|input| (input.path.clone(), input.text.clone()))
        .collect();
    let mut applied = Vec::new();
    let mut previous: Option<Workspace> = None;
    for _ in 0..MAX_PASSES {
        let ws = Workspace::build_reusing(inputs.clone(), previous.as_ref());
        let diagnostics = rules::run(&ws, settings);
        let chosen = choose_fixes(&ws, &diagnostics, filter, &inputs, exists_on_disk);
        if chosen.is_empty() {
            return finish(inputs, &originals, applied, ws, diagnostics);
        }
        let mut edits_by_path: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
        for (code, fix) in chosen {
            for (file, edits) in &fix.change.edits {
                edits_by_path
                    .entry(ws.files.path(*file).to_path_buf())
                    .or_default()
                    .extend(edits.iter().cloned());
            }
            for (path, text) in &fix.change.created {
                if let Some(role) = FileRole::of(path) {
                    inputs.push(InputFile {
                        path: path.clone(),
                        role,
                        text: Arc::from(text.as_str()),
                    });
                }
            }
            applied.push((code, fix.title.clone()));
        }
        for input in &mut inputs {
            if let Some(edits) = edits_by_path.get(&input.path) {
                // Checked for overlaps when chosen; a failure here would be
                // a bug in a rule's fix, and the text stays as it was.
                if let Ok(text) = apply_edits(&input.text, edits) {
                    input.text = Arc::from(text);
                }
            }
        }
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        previous = Some(ws);
    }
    let ws = Workspace::build_reusing(inputs.clone(), previous.as_ref());
    let diagnostics = rules::run(&ws, settings);
    finish(inputs, &originals, applied, ws, diagnostics)
}

/// The fixes one pass applies: per diagnostic its first allowed fix whose
/// edits apply cleanly, overlap nothing taken so far and create no file that
/// exists.
fn choose_fixes<'d>(
    ws: &Workspace,
    diagnostics: &'d [Diagnostic],
    filter: FixFilter,
    inputs: &[InputFile],
    exists_on_disk: &dyn Fn(&Path) -> bool,
) -> Vec<(&'static str, &'d Fix)> {
    let mut taken: BTreeMap<crate::files::FileId, Vec<TextEdit>> = BTreeMap::new();
    let mut created: HashSet<&Path> = HashSet::new();
    let mut chosen = Vec::new();
    for diagnostic in diagnostics {
        if filter.rule.is_some_and(|rule| rule != diagnostic.code) {
            continue;
        }
        let allowed = diagnostic
            .fixes
            .iter()
            .filter(|fix| filter.include_unsafe || fix.safety == Safety::Safe);
        for fix in allowed {
            // Edits that touch (even inserts at one offset) are left for the
            // next pass, which sees the first fix's result: two migrations
            // appended at one place would otherwise get the same tag.
            let edits_apply = fix.change.edits.iter().all(|(file, edits)| {
                let earlier = taken.get(file).map_or(&[][..], |e| e.as_slice());
                let touches = edits.iter().any(|edit| {
                    earlier
                        .iter()
                        .any(|t| edit.range.start <= t.range.end && t.range.start <= edit.range.end)
                });
                !touches && apply_edits(ws.files.text(*file), edits).is_ok()
            });
            let creates_ok = fix.change.created.iter().all(|(path, _)| {
                !created.contains(path.as_path())
                    && !exists_on_disk(path)
                    && !inputs.iter().any(|input| input.path == *path)
            });
            if !(edits_apply && creates_ok) || fix.change.is_empty() {
                continue;
            }
            for (file, edits) in &fix.change.edits {
                taken
                    .entry(*file)
                    .or_default()
                    .extend(edits.iter().cloned());
            }
            created.extend(fix.change.created.iter().map(|(p, _)| p.as_path()));
            chosen.push((diagnostic.code, fix));
            break;
        }
    }
    chosen
}

fn finish(
    inputs: Vec<InputFile>,
    originals: &BTreeMap<PathBuf, Arc<str>>,
    applied: Vec<(&'static str, String)>,
    workspace: Workspace,
    remaining: Vec<Diagnostic>,
) -> FixOutcome {
    let mut files: Vec<FixedFile> = inputs
        .into_iter()
        .filter_map(|input| {
            let before = originals.get(&input.path).cloned();
            let changed = before.as_ref().is_none_or(|b| **b != *input.text);
            changed.then_some(FixedFile {
                path: input.path,
                before,
                after: input.text,
            })
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    FixOutcome {
        files,
        applied,
        workspace,
        remaining,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextRange;

    #[test]
    fn edits_apply_in_offset_order() {
        let edits = [
            TextEdit::replace(TextRange::new(4, 5), "B"),
            TextEdit::insert(0, ">"),
        ];
        assert_eq!(apply_edits("abc\nb\n", &edits).unwrap(), ">abc\nB\n");
    }

    #[test]
    fn overlapping_or_outside_edits_are_refused() {
        let overlapping = [
            TextEdit::replace(TextRange::new(0, 3), "x"),
            TextEdit::replace(TextRange::new(2, 4), "y"),
        ];
        assert_eq!(apply_edits("abcdef", &overlapping), Err(BadEdits));
        let outside = [TextEdit::insert(10, "x")];
        assert_eq!(apply_edits("abc", &outside), Err(BadEdits));
        let inside_a_character = [TextEdit::insert(1, "x")];
        assert_eq!(apply_edits("é", &inside_a_character), Err(BadEdits));
    }
}
