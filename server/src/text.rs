//! Byte ranges and line/column conversion. The engine works in byte offsets;
//! front ends convert to lines and columns at the edge.

use serde::Serialize;

/// A half-open byte range `[start, end)` into one file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "range start {start} past end {end}");
        TextRange {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn empty(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset < self.end as usize
    }

    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest range covering both.
    pub fn max_with(self, other: TextRange) -> TextRange {
        TextRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn as_std(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value together with the byte range it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub range: TextRange,
}

impl<T> Spanned<T> {
    pub fn new(value: T, range: TextRange) -> Self {
        Spanned { value, range }
    }
}

/// One text replacement, in byte offsets, with the (line, byte column)
/// points tree-sitter needs to re-parse incrementally. Offsets of a later
/// edit refer to the text after the earlier ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub start_point: (usize, usize),
    pub old_end_point: (usize, usize),
    pub new_end_point: (usize, usize),
}

impl ByteEdit {
    /// The edit that replaces `start..old_end` of `before` with `inserted`.
    pub fn new(before: &str, start: usize, old_end: usize, inserted: &str) -> ByteEdit {
        let point = |text: &str, offset: usize| {
            let prefix = &text.as_bytes()[..offset];
            let row = prefix.iter().filter(|b| **b == b'\n').count();
            let line_start = prefix
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            (row, offset - line_start)
        };
        ByteEdit::at_points(
            (start, point(before, start)),
            (old_end, point(before, old_end)),
            inserted,
        )
    }

    /// The edit that replaces the text between two known places (byte
    /// offset and (line, byte column)) with `inserted`.
    pub fn at_points(
        (start, start_point): (usize, (usize, usize)),
        (old_end, old_end_point): (usize, (usize, usize)),
        inserted: &str,
    ) -> ByteEdit {
        let new_lines = inserted.bytes().filter(|b| *b == b'\n').count();
        let new_end_point = if new_lines == 0 {
            (start_point.0, start_point.1 + inserted.len())
        } else {
            let last_line = inserted.len() - inserted.rfind('\n').map_or(0, |i| i + 1);
            (start_point.0 + new_lines, last_line)
        };
        ByteEdit {
            start,
            old_end,
            new_end: start + inserted.len(),
            start_point,
            old_end_point,
            new_end_point,
        }
    }
}

/// Start offsets of every line, for offset → (line, column) conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// The lines holding a byte outside ASCII, ascending. On the others a
    /// column is a byte count, found without walking the line: a long
    /// minified line with many findings would otherwise cost its length
    /// once per finding.
    non_ascii_lines: Vec<u32>,
    /// Made on the first column asked on a non-ASCII line (most texts are
    /// never asked): see [`Checkpoint`].
    checkpoints: std::sync::OnceLock<Vec<Checkpoint>>,
}

/// Every [`CHECKPOINT_BYTES`] bytes of a non-ASCII line, how many scalar
/// values and UTF-16 units come before that byte on its line. A column on
/// such a line then walks at most that many bytes, so many findings on one
/// long line do not each cost the line's length.
#[derive(Clone, Copy, Debug)]
struct Checkpoint {
    byte: u32,
    chars: u32,
    utf16: u32,
}

const CHECKPOINT_BYTES: usize = 256;

/// The length of a stretch of a line in the units a column is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColumnUnits {
    pub bytes: u32,
    pub chars: u32,
    pub utf16: u32,
}

/// A 0-based line and a 0-based column counted in Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut non_ascii_lines = Vec::new();
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            } else if b >= 0x80 {
                let line = line_starts.len() as u32 - 1;
                if non_ascii_lines.last() != Some(&line) {
                    non_ascii_lines.push(line);
                }
            }
        }
        LineIndex {
            line_starts,
            non_ascii_lines,
            checkpoints: std::sync::OnceLock::new(),
        }
    }

    /// The length of `text[line start..offset]` (on `offset`'s line, at a
    /// char boundary) in bytes, scalar values and UTF-16 units.
    pub fn units_before(&self, text: &str, line: usize, offset: usize) -> ColumnUnits {
        let start = self.line_start(line);
        let bytes = (offset - start) as u32;
        if self.is_ascii_line(line) {
            return ColumnUnits {
                bytes,
                chars: bytes,
                utf16: bytes,
            };
        }
        let checkpoints = self.checkpoints.get_or_init(|| self.make_checkpoints(text));
        let at = checkpoints.partition_point(|c| c.byte as usize <= offset);
        let (from, mut chars, mut utf16) = match at.checked_sub(1).map(|i| checkpoints[i]) {
            Some(c) if c.byte as usize >= start => (c.byte as usize, c.chars, c.utf16),
            _ => (start, 0, 0),
        };
        for c in text[from..offset].chars() {
            chars += 1;
            utf16 += c.len_utf16() as u32;
        }
        ColumnUnits {
            bytes,
            chars,
            utf16,
        }
    }

    fn make_checkpoints(&self, text: &str) -> Vec<Checkpoint> {
        let mut out = Vec::new();
        for &line in &self.non_ascii_lines {
            let start = self.line_start(line as usize);
            let end = self
                .line_starts
                .get(line as usize + 1)
                .map_or(text.len(), |&s| s as usize);
            let (mut chars, mut utf16) = (0u32, 0u32);
            let mut next = start + CHECKPOINT_BYTES;
            for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
                let at = start + i;
                if at >= next {
                    out.push(Checkpoint {
                        byte: at as u32,
                        chars,
                        utf16,
                    });
                    next = at + CHECKPOINT_BYTES;
                }
                chars += 1;
                utf16 += c.len_utf16() as u32;
            }
        }
        out
    }

    /// Every character of `line` is one byte.
    pub fn is_ascii_line(&self, line: usize) -> bool {
        self.non_ascii_lines.binary_search(&(line as u32)).is_err()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line that contains `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(*self.line_starts.last().unwrap()) as usize
    }

    /// Line and scalar-value column of `offset`; offsets past the end or inside
    /// a multi-byte character are clamped to the nearest boundary before them.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        LineCol {
            line: line as u32,
            col: self.units_before(text, line, offset).chars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII shortcut gives the columns of a walk over the line, at
    /// every offset of a text mixing ASCII and non-ASCII lines.
    #[test]
    fn ascii_lines_take_the_shortcut_with_the_same_columns() {
        let text = "plain line\ncafé 😀 x\r\n\nlast ascii\né";
        let index = LineIndex::new(text);
        assert!(index.is_ascii_line(0) && !index.is_ascii_line(1) && index.is_ascii_line(3));
        for offset in 0..=text.len() + 2 {
            let mut at = offset.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let line = index.line_of(at);
            let walked = text[index.line_start(line)..at].chars().count() as u32;
            assert_eq!(
                index.line_col(text, offset),
                LineCol {
                    line: line as u32,
                    col: walked
                },
                "offset {offset}"
            );
        }
    }

    /// Columns through checkpoints equal a walk from the line start, on a
    /// long line of mixed widths (1-, 2-, 3- and 4-byte characters).
    #[test]
    fn checkpoints_give_the_columns_of_a_walk() {
        let line: String = "aé€😀".repeat(200);
        let text = format!("first\n{line}\n{line}x\nlast");
        let index = LineIndex::new(&text);
        let mut offset = 0;
        while offset <= text.len() {
            if text.is_char_boundary(offset) {
                let line = index.line_of(offset);
                let before = &text[index.line_start(line)..offset];
                assert_eq!(
                    index.units_before(&text, line, offset),
                    ColumnUnits {
                        bytes: before.len() as u32,
                        chars: before.chars().count() as u32,
                        utf16: before.encode_utf16().count() as u32,
                    },
                    "offset {offset}"
                );
            }
            offset += 1;
        }
        assert!(index.checkpoints.get().is_some_and(|c| c.len() > 10));
    }

    #[test]
    fn line_col_counts_scalar_values() {
        let text = "ab\nçé x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 0, col: 0 });
        assert_eq!(index.line_col(text, 3), LineCol { line: 1, col: 0 });
        // "çé " is 5 bytes, 3 characters.
        assert_eq!(index.line_col(text, 8), LineCol { line: 1, col: 3 });
        // Inside 'ç' clamps back to its start.
        assert_eq!(index.line_col(text, 4), LineCol { line: 1, col: 0 });
        assert_eq!(index.line_col(text, 999), LineCol { line: 2, col: 0 });
    }
}
