//! Byte offsets ↔ LSP positions in the negotiated encoding (UTF-8, UTF-16
//! or UTF-32). Client positions are clamped: past a line end, past the last
//! line, or inside a surrogate pair all land on a valid boundary.

use crate::text::LineIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// (line, character) of `offset`.
pub fn to_position(text: &str, index: &LineIndex, offset: usize, encoding: Encoding) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = index.line_of(offset);
    let units = index.units_before(text, line, offset);
    let character = match encoding {
        Encoding::Utf8 => units.bytes,
        Encoding::Utf16 => units.utf16,
        Encoding::Utf32 => units.chars,
    };
    (line as u32, character)
}

/// Byte offset of (line, character), clamped into the text.
pub fn to_offset(
    text: &str,
    index: &LineIndex,
    line: u32,
    character: u32,
    encoding: Encoding,
) -> usize {
    if line as usize >= index.line_count() {
        return text.len();
    }
    let start = index.line_start(line as usize);
    let line_text = &text[start..];
    let line_end = line_text.find('\n').map_or(text.len(), |i| start + i);
    if index.is_ascii_line(line as usize) && (character as usize) < line_end - start {
        return start + character as usize;
    }
    let mut units = 0u32;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= character {
            return start + i;
        }
        units += encoding.units(c);
        if units > character {
            // Inside a multi-unit character (e.g. half a surrogate pair).
            return start + i;
        }
    }
    // Past the line end: stop before the line break (and a CR before it).
    if line_end > start
        && text.as_bytes().get(line_end - 1) == Some(&b'\r')
        && line_end < text.len()
    {
        return line_end - 1;
    }
    line_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_clamps() {
        let text = "a😀b\nxyz\n";
        let index = LineIndex::new(text);
        // 'b' is at byte 5, UTF-16 column 3, UTF-32 column 2, UTF-8 column 5.
        assert_eq!(to_position(text, &index, 5, Encoding::Utf16), (0, 3));
        assert_eq!(to_position(text, &index, 5, Encoding::Utf32), (0, 2));
        assert_eq!(to_position(text, &index, 5, Encoding::Utf8), (0, 5));
        assert_eq!(to_offset(text, &index, 0, 3, Encoding::Utf16), 5);
        // Inside the surrogate pair: clamp to the emoji's start.
        assert_eq!(to_offset(text, &index, 0, 2, Encoding::Utf16), 1);
        // Past the line end and past the last line.
        assert_eq!(to_offset(text, &index, 0, 99, Encoding::Utf16), 6);
        assert_eq!(to_offset(text, &index, 42, 0, Encoding::Utf16), text.len());
        assert_eq!(
            to_offset(
                "ab\r\ncd",
                &LineIndex::new("ab\r\ncd"),
                0,
                9,
                Encoding::Utf16
            ),
            2
        );
    }
}
