//! Minimal edits between two texts. Config fixes re-render the whole file
//! with a format-preserving editor (toml_edit, jsonc-parser's CST); diffing
//! the result gives edits that touch only the lines that really changed, so
//! an editor keeps the cursor, undo history and everything around them.

use super::TextEdit;
use crate::text::TextRange;

/// Above this many line pairs the middle of the diff is one replacement:
/// fixes edit a few lines of small files, and a quadratic table must not
/// grow with a huge generated file.
const MAX_TABLE_CELLS: usize = 1 << 20;

/// Edits that turn `old` into `new`, sorted, non-overlapping, each trimmed
/// to the characters that differ.
pub fn minimal_edits(old: &str, new: &str) -> Vec<TextEdit> {
    let old_lines = lines_with_offsets(old);
    let new_lines = lines_with_offsets(new);
    let mut prefix = 0;
    while prefix < old_lines.len()
        && prefix < new_lines.len()
        && old_lines[prefix].0 == new_lines[prefix].0
    {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < old_lines.len() - prefix
        && suffix < new_lines.len() - prefix
        && old_lines[old_lines.len() - 1 - suffix].0 == new_lines[new_lines.len() - 1 - suffix].0
    {
        suffix += 1;
    }
    let old_mid = &old_lines[prefix..old_lines.len() - suffix];
    let new_mid = &new_lines[prefix..new_lines.len() - suffix];
    let hunks = if old_mid.len() * new_mid.len() <= MAX_TABLE_CELLS {
        line_hunks(old_mid, new_mid)
    } else {
        vec![Hunk {
            old: 0..old_mid.len(),
            new: 0..new_mid.len(),
        }]
    };
    // Where each middle part ends: an insertion at its end lands there.
    let middle_end = |lines: &[(&str, usize)], total: usize| {
        lines.get(lines.len() - suffix).map_or(total, |line| line.1)
    };
    let old_end = middle_end(&old_lines, old.len());
    let new_end = middle_end(&new_lines, new.len());
    hunks
        .into_iter()
        .filter(|h| !(h.old.is_empty() && h.new.is_empty()))
        .map(|hunk| {
            let old_span = line_span(old_mid, &hunk.old, old_end);
            let new_span = line_span(new_mid, &hunk.new, new_end);
            trimmed_edit(old, new, old_span, new_span)
        })
        .filter(|edit| !(edit.range.is_empty() && edit.new_text.is_empty()))
        .collect()
}

/// The byte span of a run of lines; an empty run is the offset of the line
/// it sits before (or `end`, the end of the middle part).
fn line_span(
    lines: &[(&str, usize)],
    range: &std::ops::Range<usize>,
    end: usize,
) -> std::ops::Range<usize> {
    let offset = |index: usize| lines.get(index).map_or(end, |l| l.1);
    offset(range.start)..offset(range.end)
}

/// Lines with their terminators, each with its byte offset.
fn lines_with_offsets(text: &str) -> Vec<(&str, usize)> {
    let mut offset = 0;
    text.split_inclusive('\n')
        .map(|line| {
            let start = offset;
            offset += line.len();
            (line, start)
        })
        .collect()
}

struct Hunk {
    old: std::ops::Range<usize>,
    new: std::ops::Range<usize>,
}

/// Longest-common-subsequence over lines, read back as runs of changed
/// lines.
fn line_hunks(old: &[(&str, usize)], new: &[(&str, usize)]) -> Vec<Hunk> {
    let (n, m) = (old.len(), new.len());
    // lcs[i][j]: LCS length of old[i..] and new[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if old[i].0 == new[j].0 {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut open: Option<(usize, usize)> = None;
    while i < n || j < m {
        if i < n && j < m && old[i].0 == new[j].0 {
            if let Some((oi, nj)) = open.take() {
                hunks.push(Hunk {
                    old: oi..i,
                    new: nj..j,
                });
            }
            i += 1;
            j += 1;
            continue;
        }
        open.get_or_insert((i, j));
        if j < m && (i == n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j]) {
            j += 1;
        } else {
            i += 1;
        }
    }
    if let Some((oi, nj)) = open {
        hunks.push(Hunk {
            old: oi..n,
            new: nj..m,
        });
    }
    hunks
}

/// One edit for a changed run, with the characters it shares with the old
/// text at both ends left out.
fn trimmed_edit(
    old: &str,
    new: &str,
    old_span: std::ops::Range<usize>,
    new_span: std::ops::Range<usize>,
) -> TextEdit {
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
    let old_lines = lines_with_offsets(old);
    let new_lines = lines_with_offsets(new);
    let hunks = if old_lines.len() * new_lines.len() <= MAX_TABLE_CELLS {
        line_hunks(&old_lines, &new_lines)
    } else {
        vec![Hunk {
            old: 0..old_lines.len(),
            new: 0..new_lines.len(),
        }]
    };
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
            for line in &old_lines[at..hunk.old.start] {
                push_line(&mut out, ' ', line.0);
            }
            for line in &old_lines[hunk.old.clone()] {
                push_line(&mut out, '-', line.0);
            }
            for line in &new_lines[hunk.new.clone()] {
                push_line(&mut out, '+', line.0);
            }
            at = hunk.old.end;
        }
        for line in &old_lines[at..old_end] {
            push_line(&mut out, ' ', line.0);
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
}
