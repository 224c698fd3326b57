//! An open document held as a rope. A ranged `didChange` costs O(log n) in
//! the document's size: the position → offset conversion, the edit and the
//! tree-sitter points all walk the rope's tree instead of the whole text,
//! and handing the text to the analysis host is a reference-counted clone.
//!
//! Lines end at `\n` only (ropey is built without its CR and Unicode line
//! features), as in [`crate::text::LineIndex`]: both must agree, since a
//! position converted here addresses ranges computed there.

use ropey::{Rope, RopeSlice};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

use super::position::Encoding;
use crate::text::{ByteEdit, TextRange};

#[derive(Clone)]
pub struct OpenDocument {
    pub version: i32,
    pub rope: Rope,
}

impl OpenDocument {
    pub fn new(text: &str, version: i32) -> OpenDocument {
        OpenDocument {
            version,
            rope: Rope::from_str(text),
        }
    }

    /// Applies one content change; returns the byte edit of a ranged change
    /// (`None` when the whole text was replaced).
    pub fn apply(
        &mut self,
        change: TextDocumentContentChangeEvent,
        encoding: Encoding,
    ) -> Option<ByteEdit> {
        let Some(range) = change.range else {
            self.rope = Rope::from_str(&change.text);
            return None;
        };
        let start = char_offset(&self.rope, range.start, encoding);
        let end = char_offset(&self.rope, range.end, encoding).max(start);
        let point = |char_index: usize| {
            let byte = self.rope.char_to_byte(char_index);
            let row = self.rope.char_to_line(char_index);
            (byte, (row, byte - self.rope.line_to_byte(row)))
        };
        let (start_byte, start_point) = point(start);
        let (old_end_byte, old_end_point) = point(end);
        let edit = ByteEdit::at_points(
            (start_byte, start_point),
            (old_end_byte, old_end_point),
            &change.text,
        );
        self.rope.remove(start..end);
        self.rope.insert(start, &change.text);
        Some(edit)
    }

    /// The byte offset of a client position, clamped into the text exactly
    /// as [`super::position::to_offset`] clamps it.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        self.rope
            .char_to_byte(char_offset(&self.rope, position, encoding))
    }

    /// The client range of a byte range of the current text.
    pub fn range(&self, range: TextRange, encoding: Encoding) -> Range {
        Range {
            start: self.position(range.start as usize, encoding),
            end: self.position(range.end as usize, encoding),
        }
    }

    /// The client position of a byte offset (clamped to the text, and back
    /// to the start of a character it falls inside).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let rope = &self.rope;
        let char_index = rope.byte_to_char(offset.min(rope.len_bytes()));
        let line = rope.char_to_line(char_index);
        let line_start = rope.line_to_char(line);
        let character = match encoding {
            Encoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
            Encoding::Utf16 => {
                rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_start)
            }
            Encoding::Utf32 => char_index - line_start,
        };
        Position::new(line as u32, character as u32)
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }
}

/// The char index of a client position. Past the last line: the end of the
/// text. Past a line's end: before its line break, and before the `\r` of
/// a `\r\n`. Inside a character (half a surrogate pair, a byte inside a
/// UTF-8 sequence): that character's start.
fn char_offset(rope: &Rope, position: Position, encoding: Encoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let content = line_content(rope.line(line));
    let character = position.character as usize;
    let (within, length) = match encoding {
        Encoding::Utf8 => (character < content.len_bytes(), content.len_bytes()),
        Encoding::Utf16 => (character < content.len_utf16_cu(), content.len_utf16_cu()),
        Encoding::Utf32 => (character < content.len_chars(), content.len_chars()),
    };
    if !within {
        return line_start + content.len_chars();
    }
    debug_assert!(character < length);
    line_start
        + match encoding {
            Encoding::Utf8 => content.byte_to_char(character),
            Encoding::Utf16 => content.utf16_cu_to_char(character),
            Encoding::Utf32 => character,
        }
}

/// A line without its line break (`\n`, or `\r\n`): a position is never
/// placed between the two.
fn line_content(line: RopeSlice<'_>) -> RopeSlice<'_> {
    let mut end = line.len_chars();
    if end > 0 && line.char(end - 1) == '\n' {
        end -= 1;
        if end > 0 && line.char(end - 1) == '\r' {
            end -= 1;
        }
    }
    line.slice(..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::position::{to_offset, to_position};
    use crate::text::LineIndex;

    const TEXTS: &[&str] = &[
        "",
        "abc",
        "a\nb\n",
        "ab\r\ncd\r\n",
        "x\r",
        "é😀z\n\tü\r\nend",
        "\n\n\n",
        "😀😀\r\n😀",
    ];

    /// Every position the client can send (in range or not) lands where
    /// the string-based conversion puts it, in every encoding.
    #[test]
    fn offsets_agree_with_the_line_index_conversion() {
        for text in TEXTS {
            let doc = OpenDocument::new(text, 0);
            let index = LineIndex::new(text);
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                for line in 0..5u32 {
                    for character in 0..12u32 {
                        let expected = to_offset(text, &index, line, character, encoding);
                        let got = doc.offset(Position::new(line, character), encoding);
                        assert_eq!(got, expected, "{text:?} {line}:{character} {encoding:?}");
                    }
                }
                for offset in 0..=text.len() + 2 {
                    let (line, character) = to_position(text, &index, offset, encoding);
                    assert_eq!(
                        doc.position(offset, encoding),
                        Position::new(line, character),
                        "{text:?} @{offset} {encoding:?}"
                    );
                }
            }
        }
    }

    /// Ranged edits on the rope give the same text and the same byte edits
    /// as applying them to a string.
    #[test]
    fn ranged_edits_match_string_edits() {
        let mut doc = OpenDocument::new("é😀z\nline two\r\nthree", 0);
        let mut text = doc.text();
        let changes = [
            ((0, 1), (0, 3), "ab"),
            ((1, 4), (2, 2), "X\nY"),
            ((0, 0), (0, 0), "😀"),
            ((9, 0), (9, 0), "tail"),
            ((1, 0), (1, 99), ""),
        ];
        for ((sl, sc), (el, ec), inserted) in changes {
            let range = Range::new(Position::new(sl, sc), Position::new(el, ec));
            let index = LineIndex::new(&text);
            let start = to_offset(&text, &index, sl, sc, Encoding::Utf16);
            let end = to_offset(&text, &index, el, ec, Encoding::Utf16).max(start);
            let expected = ByteEdit::new(&text, start, end, inserted);
            text.replace_range(start..end, inserted);
            let edit = doc.apply(
                TextDocumentContentChangeEvent {
                    range: Some(range),
                    range_length: None,
                    text: inserted.to_string(),
                },
                Encoding::Utf16,
            );
            assert_eq!(edit, Some(expected));
            assert_eq!(doc.text(), text);
        }
        let whole = doc.apply(
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            },
            Encoding::Utf16,
        );
        assert_eq!((whole, doc.text()), (None, "new".to_string()));
    }
}
