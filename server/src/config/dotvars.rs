//! Secret names from `.dev.vars` / `.env` files (dotenv syntax, which wrangler
//! reads with the `dotenv` package). Only the keys matter to dols; values
//! are skipped, quoted multi-line ones included, and never kept.

use super::{Binding, BindingKind};
use crate::files::FileId;
use crate::text::{Spanned, TextRange};

/// Every `KEY` of `KEY=value` / `export KEY=value` / `KEY: value` lines, as
/// [`BindingKind::Secret`] spanned on the key. A key set twice is kept once,
/// at its last occurrence (the value dotenv keeps). Never panics.
pub fn parse(file: FileId, text: &str) -> Vec<Binding> {
    let bytes = text.as_bytes();
    let mut out: Vec<Binding> = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let line_end = line_end(bytes, pos);
        let mut next = line_end + 1;
        if let Some((key, value_start)) = key_of_line(bytes, pos, line_end) {
            // A quoted value may run over several lines: resume after it.
            if let Some(&quote @ (b'"' | b'\'' | b'`')) = bytes.get(value_start) {
                if let Some(close) = closing_quote(bytes, value_start + 1, quote) {
                    next = self::line_end(bytes, close) + 1;
                }
            }
            // Key bytes are ASCII, so the range is on char boundaries.
            let name = text.get(key.as_std()).unwrap_or_default().to_owned();
            out.retain(|b| b.name.value != name);
            out.push(Binding {
                kind: BindingKind::Secret,
                name: Spanned::new(name, key),
                file,
            });
        }
        pos = next;
    }
    out
}

/// The key range and the start of the value, if the line `[start, end)` is
/// an assignment.
fn key_of_line(bytes: &[u8], start: usize, end: usize) -> Option<(TextRange, usize)> {
    let mut i = skip_blanks(bytes, start, end);
    let rest = bytes.get(i..end).unwrap_or_default();
    if rest.starts_with(b"export") && rest.get(6).is_some_and(|b| is_blank(*b)) {
        i = skip_blanks(bytes, i + 6, end);
    }
    let key_start = i;
    while i < end && bytes.get(i).is_some_and(|b| is_key_byte(*b)) {
        i += 1;
    }
    let key = TextRange::new(key_start, i);
    i = skip_blanks(bytes, i, end);
    let separator = match bytes.get(i) {
        Some(b'=') => true,
        // dotenv also takes YAML-ish `KEY: value`.
        Some(b':') => bytes.get(i + 1).is_some_and(|b| is_blank(*b)),
        _ => false,
    };
    if key.is_empty() || !separator || i >= end {
        return None;
    }
    Some((key, skip_blanks(bytes, i + 1, end)))
}

/// Index of the closing `quote` from `from` on, skipping backslash escapes.
fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            _ if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Index of the `\n` ending the line containing `from`, or the text length.
fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |n| from + n)
}

fn skip_blanks(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && bytes.get(i).is_some_and(|b| is_blank(*b)) {
        i += 1;
    }
    i
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        parse(FileId(7), text)
            .into_iter()
            .map(|b| {
                assert_eq!(b.kind, BindingKind::Secret);
                assert_eq!(b.file, FileId(7));
                assert_eq!(&text[b.name.range.as_std()], b.name.value);
                b.name.value
            })
            .collect()
    }

    #[test]
    fn reads_keys_and_skips_values() {
        let text = "# comment\n\nAPI_KEY=abc\n  export TOKEN = \"x # y\"\r\nYAML: value\nexport=1\nnot a line\n=nokey\nEMPTY=\n";
        assert_eq!(keys(text), ["API_KEY", "TOKEN", "YAML", "export", "EMPTY"]);
    }

    #[test]
    fn quoted_multi_line_values_are_skipped() {
        let text = "CERT=\"-----BEGIN-----\nFAKE=inside\n-----END-----\"\nNEXT='a\\'\nSTILL_INSIDE=1'\nLAST=`x`\n";
        assert_eq!(keys(text), ["CERT", "NEXT", "LAST"]);
    }

    #[test]
    fn unterminated_quote_is_a_one_line_value() {
        assert_eq!(keys("A=\"open\nB=2\n"), ["A", "B"]);
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        let text = "A=1\nB=2\nA=3\n";
        let bindings = parse(FileId(0), text);
        let names: Vec<_> = bindings.iter().map(|b| b.name.value.as_str()).collect();
        assert_eq!(names, ["B", "A"]);
        assert_eq!(bindings[1].name.range, TextRange::new(8, 9));
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "",
            "=",
            "\"",
            "export",
            "export ",
            "A=\\",
            "é=1\nü: \u{0}",
            "A='\\",
        ] {
            let _ = parse(FileId(0), text);
        }
    }
}
