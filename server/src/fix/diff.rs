//! Minimal edits between two texts. Config fixes re-render the whole file
//! with a format-preserving editor (toml_edit, jsonc-parser's CST); diffing
//! the result gives edits that touch only the lines that really changed, so
//! an editor keeps the cursor, undo history and everything around them.

use std::convert::Infallible;
use std::ops::{Index, Range};
use std::time::{Duration, Instant};

use similar::algorithms::{myers, DiffHook};

use super::TextEdit;
use crate::text::TextRange;

/// How long the line diff may search for the fewest changed lines. Fixes
/// touch a few lines, which Myers' algorithm finds in a fraction of this
/// even in a file of tens of thousands of lines; only texts that differ
/// nearly everywhere reach it, and then the part still unsearched becomes
/// one replacement instead of the request hanging.
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

fn diff_deadline() -> Option<Instant> {
    Instant::now().checked_add(DIFF_DEADLINE)
}

/// Edits that turn `old` into `new`, sorted, non-overlapping, each trimmed
/// to the characters that differ.
pub fn minimal_edits(old: &str, new: &str) -> Vec<TextEdit> {
    edits_until(old, new, diff_deadline())
}

/// [`minimal_edits`] with the line diff's search stopped at `deadline`.
fn edits_until(old: &str, new: &str, deadline: Option<Instant>) -> Vec<TextEdit> {
    if old == new {
        return Vec::new();
    }
    let old_lines = Lines::new(old);
    let new_lines = Lines::new(new);
    line_hunks(&old_lines, &new_lines, deadline)
        .into_iter()
        .map(|hunk| {
            let old_span = old_lines.span(&hunk.old);
            let new_span = new_lines.span(&hunk.new);
            trimmed_edit(old, new, old_span, new_span)
        })
        .filter(|edit| !(edit.range.is_empty() && edit.new_text.is_empty()))
        .collect()
}

/// A text seen as its lines, each with its terminator (`\n`, so `\r\n`
/// too): indexing gives line `i` as a `str`, which is what the line diff
/// compares.
struct Lines<'a> {
    text: &'a str,
    /// Where each line starts, then the end of the text.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        // A line starts at the text's start and after each `\n`, unless the
        // text ends there.
        let mut starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&start| start < text.len())
            .collect();
        starts.push(text.len());
        Lines { text, starts }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The byte span of a run of lines; an empty run is the offset of the
    /// line it sits before (the end of the text after the last line).
    fn span(&self, lines: &Range<usize>) -> Range<usize> {
        self.starts[lines.start]..self.starts[lines.end]
    }
}

impl Index<usize> for Lines<'_> {
    type Output = str;

    fn index(&self, line: usize) -> &str {
        &self.text[self.span(&(line..line + 1))]
    }
}

/// A run of changed lines: `old` lines replaced by `new` lines (either may
/// be empty).
struct Hunk {
    old: Range<usize>,
    new: Range<usize>,
}

/// The runs of changed lines between two texts, in order, with at least one
/// equal line between two runs. Past `deadline` the lines not yet matched
/// become one run.
fn line_hunks(old: &Lines, new: &Lines, deadline: Option<Instant>) -> Vec<Hunk> {
    let mut runs = Runs::default();
    let Ok(()) = myers::diff_deadline(&mut runs, old, 0..old.len(), new, 0..new.len(), deadline);
    runs.hunks
}

/// Gathers the edit script of Myers' algorithm into runs of changed lines,
/// taken as it comes: no run is slid along equal lines (as similar's
/// `Compact` hook would), so a change that could sit at several places
/// stays between the longest equal prefix and suffix (a new table goes
/// before a file's trailing blank line, not after it).
#[derive(Default)]
struct Runs {
    hunks: Vec<Hunk>,
    /// Whether the last report was a change, which the next one extends.
    open: bool,
}

impl Runs {
    fn change(&mut self, old: Range<usize>, new: Range<usize>) {
        match self.hunks.last_mut() {
            Some(hunk) if self.open => {
                hunk.old.end = hunk.old.end.max(old.end);
                hunk.new.end = hunk.new.end.max(new.end);
            }
            _ => self.hunks.push(Hunk { old, new }),
        }
        self.open = true;
    }
}

impl DiffHook for Runs {
    type Error = Infallible;

    fn equal(&mut self, _old: usize, _new: usize, len: usize) -> Result<(), Infallible> {
        if len > 0 {
            self.open = false;
        }
        Ok(())
    }

    fn delete(&mut self, old: usize, old_len: usize, new: usize) -> Result<(), Infallible> {
        self.change(old..old + old_len, new..new);
        Ok(())
    }

    fn insert(&mut self, old: usize, new: usize, new_len: usize) -> Result<(), Infallible> {
        self.change(old..old, new..new + new_len);
        Ok(())
    }
}

/// One edit for a changed run, with the characters it shares with the old
/// text at both ends left out.
fn trimmed_edit(old: &str, new: &str, old_span: Range<usize>, new_span: Range<usize>) -> TextEdit {
    let a = &old[old_span.clone()];
    let b = &new[new_span.clone()];
    let mut front = a
        .char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map_or(a.len().min(b.len()), |((i, _), _)| i);
    // Stay on a character boundary of both texts.
    while !b.is_char_boundary(front) {
        front -= 1;
    }
    let a_rest = &a[front..];
    let b_rest = &b[front..];
    let mut back = a_rest
        .chars()
        .rev()
        .zip(b_rest.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>();
    back = back.min(a_rest.len()).min(b_rest.len());
    TextEdit::replace(
        TextRange::new(old_span.start + front, old_span.end - back),
        &b[front..b.len() - back],
    )
}

/// Lines of context around each change in [`unified`].
const CONTEXT: usize = 2;

/// A unified diff of `old` → `new` (what `dols check --diff` prints), with
/// `label` as both file names. Empty when the texts are equal.
pub fn unified(label: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let old_lines = Lines::new(old);
    let new_lines = Lines::new(new);
    let hunks = line_hunks(&old_lines, &new_lines, diff_deadline());
    // Group changes whose context would touch into one printed hunk.
    let mut groups: Vec<Vec<Hunk>> = Vec::new();
    for hunk in hunks {
        match groups.last_mut() {
            Some(group)
                if hunk.old.start <= group.last().map_or(0, |h| h.old.end) + 2 * CONTEXT =>
            {
                group.push(hunk)
            }
            _ => groups.push(vec![hunk]),
        }
    }
    let mut out = format!("--- a/{label}\n+++ b/{label}\n");
    let push_line = |out: &mut String, sign: char, line: &str| {
        out.push(sign);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    };
    for group in groups {
        let first = &group[0];
        let last = &group[group.len() - 1];
        let old_start = first.old.start.saturating_sub(CONTEXT);
        let old_end = (last.old.end + CONTEXT).min(old_lines.len());
        // The new side is offset by the same lines of leading context.
        let new_start = first.new.start - (first.old.start - old_start);
        let new_end =
            new_start + (old_end - old_start) + group.iter().map(|h| h.new.len()).sum::<usize>()
                - group.iter().map(|h| h.old.len()).sum::<usize>();
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            old_start + usize::from(old_end > old_start),
            old_end - old_start,
            new_start + usize::from(new_end > new_start),
            new_end - new_start
        ));
        let mut at = old_start;
        for hunk in &group {
            for line in at..hunk.old.start {
                push_line(&mut out, ' ', &old_lines[line]);
            }
            for line in hunk.old.clone() {
                push_line(&mut out, '-', &old_lines[line]);
            }
            for line in hunk.new.clone() {
                push_line(&mut out, '+', &new_lines[line]);
            }
            at = hunk.old.end;
        }
        for line in at..old_end {
            push_line(&mut out, ' ', &old_lines[line]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;

    fn round_trip(old: &str, new: &str) -> Vec<TextEdit> {
        let edits = minimal_edits(old, new);
        assert_eq!(apply_edits(old, &edits).unwrap(), new, "edits: {edits:?}");
        edits
    }

    #[test]
    fn identical_texts_need_no_edit() {
        assert!(round_trip("a\nb\n", "a\nb\n").is_empty());
        assert!(round_trip("", "").is_empty());
    }

    #[test]
    fn an_inserted_block_is_one_insertion() {
        let edits = round_trip("a\nb\nc\n", "a\nb\nx\ny\nc\n");
        assert_eq!(edits, vec![TextEdit::insert(4, "x\ny\n")]);
    }

    #[test]
    fn a_renamed_key_touches_only_the_changed_characters() {
        let old = "# keep\n[[migrations]]\nnew_classes = [\"A\"] # why\n";
        let new = "# keep\n[[migrations]]\nnew_sqlite_classes = [\"A\"] # why\n";
        let edits = round_trip(old, new);
        assert_eq!(edits, vec![TextEdit::insert(26, "sqlite_")]);
    }

    #[test]
    fn an_appended_table_goes_before_the_trailing_blank_line() {
        let old = "k = \"A\"\n\n[[m]]\nt = 1\n\n";
        let new = "k = \"B\"\n\n[[m]]\nt = 1\n\n[[m]]\nt = 2\n\n";
        assert_eq!(
            round_trip(old, new),
            vec![
                TextEdit::replace(TextRange::new(5, 6), "B"),
                TextEdit::insert(21, "\n[[m]]\nt = 2\n"),
            ]
        );
    }

    #[test]
    fn separate_changes_stay_separate_edits() {
        let old = "one\ntwo\nthree\nfour\nfive\n";
        let new = "one\nTWO\nthree\nfour\nFIVE\nsix\n";
        let edits = round_trip(old, new);
        assert_eq!(edits.len(), 2, "{edits:?}");
    }

    #[test]
    fn unified_diff_shows_changes_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\n";
        assert_eq!(
            unified("x.toml", old, new),
            "--- a/x.toml\n+++ b/x.toml\n@@ -2,6 +2,7 @@\n b\n c\n-d\n+D\n e\n f\n g\n+h\n"
        );
        assert_eq!(unified("x", "same", "same"), "");
    }

    #[test]
    fn crlf_and_multibyte_text_round_trip() {
        round_trip("é = 1\r\nb = 2\r\n", "é = 1\r\nb = 3\r\nc = 4\r\n");
        round_trip("名前 = \"ä\"", "名前 = \"ö\"");
        round_trip("no newline at end", "no newline at end\n");
        round_trip("x\n", "");
        round_trip("", "x\n");
    }

    #[test]
    fn equal_and_empty_texts() {
        assert!(round_trip("same\r\nlines", "same\r\nlines").is_empty());
        assert_eq!(round_trip("", "x\n"), vec![TextEdit::insert(0, "x\n")]);
        assert_eq!(
            round_trip("x\ny", ""),
            vec![TextEdit::replace(TextRange::new(0, 3), "")]
        );
        assert_eq!(round_trip("\n", "\n\n"), vec![TextEdit::insert(1, "\n")]);
    }

    #[test]
    fn a_text_without_a_final_newline() {
        assert_eq!(
            round_trip("a\nb", "a\nc"),
            vec![TextEdit::replace(TextRange::new(2, 3), "c")]
        );
        // The last line gains a terminator and a line follows it.
        assert_eq!(
            round_trip("a\nb", "a\nb\nc"),
            vec![TextEdit::insert(3, "\nc")]
        );
        // The newline goes away and nothing else.
        assert_eq!(
            round_trip("a\nb\n", "a\nb"),
            vec![TextEdit::replace(TextRange::new(3, 4), "")]
        );
    }

    #[test]
    fn crlf_lines_keep_their_endings() {
        let old = "[vars]\r\nA = \"1\"\r\nB = \"2\"\r\n";
        let new = "[vars]\r\nA = \"1\"\r\nB = \"3\"\r\nC = \"4\"\r\n";
        assert_eq!(
            round_trip(old, new),
            vec![TextEdit::replace(TextRange::new(22, 23), "3\"\r\nC = \"4")]
        );
        // Only the carriage return is added when a line ending changes.
        assert_eq!(
            round_trip("a\nb\n", "a\r\nb\n"),
            vec![TextEdit::insert(1, "\r")]
        );
    }

    #[test]
    fn unicode_edits_cut_on_character_boundaries() {
        // "é" and "è" share their first UTF-8 byte: the edit still covers
        // the whole character.
        let edits = round_trip("name = \"é\"\n", "name = \"è\"\n");
        assert_eq!(edits, vec![TextEdit::replace(TextRange::new(8, 10), "è")]);
        let edits = round_trip("# 日本\nk = 1\nx\n# 終\n", "# 日本\nk = 2\nx\n# 終わり\n");
        assert_eq!(
            edits,
            vec![
                TextEdit::replace(TextRange::new(13, 14), "2"),
                TextEdit::insert(22, "わり"),
            ]
        );
        round_trip("🦀\n🦀\n", "🦀\n🐙\n🦀\n");
    }

    #[test]
    fn interleaved_insertions_and_deletions() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nX\nb\nd\ne\nY\nZ\nf\nh\ni\n";
        let edits = round_trip(old, new);
        assert_eq!(
            edits,
            vec![
                TextEdit::insert(2, "X\n"),
                TextEdit::replace(TextRange::new(4, 6), ""),
                TextEdit::insert(10, "Y\nZ\n"),
                TextEdit::replace(TextRange::new(12, 14), ""),
                TextEdit::insert(16, "i\n"),
            ]
        );
    }

    #[test]
    fn a_large_file_with_scattered_changes_gets_small_edits() {
        let old: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let mut lines: Vec<String> = old.lines().map(|l| format!("{l}\n")).collect();
        lines[10] = "line ten\n".into();
        lines.insert(7_000, "inserted\n".into());
        lines.remove(12_345);
        lines[19_990] = "near the end\n".into();
        let new: String = lines.concat();
        let edits = round_trip(&old, &new);
        assert_eq!(edits.len(), 4, "{edits:?}");
        for edit in &edits {
            assert!(
                edit.range.len() <= 16 && edit.new_text.len() <= 16,
                "{edit:?}"
            );
        }
        let windows = edits.windows(2);
        assert!(windows
            .into_iter()
            .all(|w| w[0].range.end < w[1].range.start));
    }

    #[test]
    fn an_expired_deadline_still_gives_correct_edits() {
        let old: String = (0..300).map(|i| format!("{i}\n")).collect();
        let new: String = (0..300).map(|i| format!("{}\n", i * 7 % 301)).collect();
        let deadline = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        let edits = edits_until(&old, &new, Some(deadline));
        assert_eq!(apply_edits(&old, &edits).unwrap(), new);
        // Past the first line (equal in both) everything is one replacement.
        assert_eq!(edits.len(), 1, "{edits:?}");
        assert_eq!(edits[0].range.start, 2);
        // With time to search, the lines the texts share are kept.
        assert!(round_trip(&old, &new).len() > 1);
    }
}
