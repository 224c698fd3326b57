//! `sql-template-interpolation`: values spliced into `sql.exec` text.

use std::collections::HashMap;

use tree_sitter::Node;

use super::sql_calls::sql_exec_calls;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::files::FileId;
use crate::fix::source_edit::{self, ParsedSource};
use crate::fix::source_rewrite::{line_end, line_indent, line_start, node_at, node_text};
use crate::fix::{Fix, Safety, SourceChange, TextEdit};
use crate::index::ArgValue;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "sql-template-interpolation",
    severity: Severity::Warning,
    summary: "`sql.exec` given a template literal that splices values into the SQL text.",
    docs: r#"
## What it finds
`ctx.storage.sql.exec(`...`)` whose first argument is a template literal
with `${...}` interpolations of values. Interpolations that build SQL
structure rather than carry data are left alone: constants written in
upper case (`${TABLE}`), names that say they are SQL (`${table}`,
`${columns}`, `${whereClause}`, `${placeholders}`, `${orderBy}`), and
expressions that generate `?` placeholders (`${ids.map(() => "?").join(",")}`).

## Why it matters
Text spliced into SQL is parsed as SQL. A value that contains a quote
breaks the statement, and a value an attacker controls can change it: read
other rows, drop tables, or corrupt the object's data. Bound parameters
(`?`) are never parsed as SQL, and also let SQLite reuse the prepared
statement.

## Example
```ts
this.ctx.storage.sql.exec(`SELECT * FROM messages WHERE room = '${room}' LIMIT ${limit}`);
```

## How to fix
Put a `?` where each value goes and pass the values as extra arguments:
```ts
this.ctx.storage.sql.exec("SELECT * FROM messages WHERE room = ? LIMIT ?", room, limit);
```
Identifiers (table or column names) cannot be bound; pick them from a fixed
list in code instead of taking them from input.

The quick fix does this rewrite (unsafe: a bound value keeps its
JavaScript type, so a number no longer turns into text, and a boolean,
`undefined` or an object that used to be printed into the SQL is now
rejected or bound differently). A quoted `'${x}'` becomes `?` bound to
`x`, and `'%${q}%'` becomes `?` bound to `` `%${q}%` ``; new bindings go
between the existing ones in placeholder order. It is offered only when
every interpolation stands where SQL expects a value (after a comparison
or arithmetic operator, `LIKE`, `LIMIT`, `OFFSET`, `BETWEEN`, inside
`VALUES (...)` or `IN (...)`), or is a table name the rule already treats
as structure (`FROM ${TABLE}`), and when the existing `?`s and bindings
line up. Column names, `ORDER BY`, quoted identifiers, comments, escape
sequences, numbered or named parameters and generated placeholder lists
get no fix.
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    // Files parsed for fixes, once each and only when something is reported.
    let mut parsed: HashMap<FileId, Option<ParsedSource>> = HashMap::new();
    for (file, call) in sql_exec_calls(ws) {
        let Some(arg) = call.args.first() else {
            continue;
        };
        let ArgValue::Template {
            raw,
            interpolations,
            ..
        } = &arg.value
        else {
            continue;
        };
        if *interpolations == 0 {
            continue;
        }
        let values: Vec<&str> = interpolated(raw)
            .into_iter()
            .filter(|e| !is_sql_structure(e))
            .collect();
        let Some(first) = values.first() else {
            continue;
        };
        let diagnostic = out.report(
            file,
            arg.range,
            format!(
                "`${{{first}}}` is spliced into the SQL text: a value with a quote breaks the query and untrusted input can rewrite it; use a `?` placeholder and pass the value as an argument to `sql.exec`"
            ),
        );
        let source = parsed
            .entry(file)
            .or_insert_with(|| source_edit::parse(ws.files.path(file), ws.files.text(file)));
        if let Some(source) = source {
            if let Some(change) = binding_edits(source, call.range, arg.range) {
                diagnostic.add_fix(Fix::new(
                    "Pass the interpolated values as `?` bindings",
                    Safety::Unsafe,
                    SourceChange {
                        edits: [(file, change)].into_iter().collect(),
                        created: Vec::new(),
                    },
                ));
            }
        }
    }
}

/// The expressions inside `${...}` of a template's raw text (complete ones
/// only: the raw text may be cut).
fn interpolated(raw: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        let body = &rest[start + 2..];
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    end = Some(i);
                    break;
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        let Some(end) = end else { break };
        out.push(body[..end].trim());
        rest = &body[end + 1..];
    }
    out
}

/// True for interpolations that build SQL rather than carry a value.
fn is_sql_structure(expr: &str) -> bool {
    if expr.contains("\"?\"") || expr.contains("'?'") || expr.contains("`?`") || expr.contains("?,")
    {
        return true;
    }
    // The last name of a member chain: `this.tableName` → `tableName`.
    let last = expr
        .rsplit(['.', '?', '!'])
        .find(|s| !s.is_empty())
        .unwrap_or(expr);
    let simple = last
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if simple
        && last.chars().any(|c| c.is_ascii_uppercase())
        && !last.chars().any(|c| c.is_ascii_lowercase())
    {
        return true; // `${TABLE}`, `${this.SCHEMA}`
    }
    let lower = expr.to_ascii_lowercase();
    [
        "table",
        "column",
        "cols",
        "field",
        "placeholder",
        "clause",
        "where",
        "sql",
        "query",
        "fragment",
        "orderby",
        "order_by",
        "sort",
        "direction",
        "schema",
        "index",
        "select",
        "join",
        "condition",
        "filter",
        "identifier",
        "ident",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

/// A token of the SQL text, as far as the fix needs to tell where a value
/// goes.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// A keyword or name, upper-cased.
    Word(String),
    Punct(&'static str),
    /// `)`, and whether its group held a list of values.
    Close {
        values: bool,
    },
    /// A literal, a placeholder or an interpolation turned into one.
    Value,
}

/// One `?` of the rewritten SQL, in text order.
enum Slot {
    /// A `?` already in the text: bound by the call's existing arguments.
    Existing,
    /// A new `?`, bound to this expression.
    New(String),
}

/// Operators after which a value follows.
const VALUE_OPERATORS: [&str; 13] = [
    "=", "==", "!=", "<>", "<", ">", "<=", ">=", "+", "-", "/", "%", "||",
];

/// Keywords after which a table name follows: an interpolation there that
/// the rule treats as SQL structure (`${TABLE}`) stays as it is.
const TABLE_KEYWORDS: [&str; 6] = ["FROM", "INTO", "UPDATE", "JOIN", "TABLE", "EXISTS"];

fn is_value_position(tokens: &[Token], groups: &[bool]) -> bool {
    let word = |back: usize| match tokens.len().checked_sub(back).map(|i| &tokens[i]) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    match tokens.last() {
        Some(Token::Punct(p)) if VALUE_OPERATORS.contains(p) => true,
        Some(Token::Punct("(" | ",")) => groups.last() == Some(&true),
        Some(Token::Word(w)) => match w.as_str() {
            "LIMIT" | "OFFSET" | "LIKE" | "GLOB" | "BETWEEN" | "THEN" | "ELSE" | "IS" => true,
            "NOT" => word(2) == Some("IS"),
            // `BETWEEN x AND ${y}`
            "AND" => {
                word(3) == Some("BETWEEN")
                    && matches!(
                        tokens.get(tokens.len() - 2),
                        Some(Token::Value | Token::Word(_))
                    )
            }
            _ => false,
        },
        _ => false,
    }
}

/// Only separators may follow a value: `${a}${b}` or `${id}_x` splice
/// into one token.
fn ends_value(after: &str) -> bool {
    after.chars().next().is_none_or(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '`' | ')' | ',' | ';' | '=' | '<' | '>' | '!' | '|' | '+' | '-' | '*' | '/' | '%'
            )
    })
}

/// The expression of a `${...}` as an argument (a comma expression needs
/// parentheses).
fn binding_text(source: &ParsedSource, substitution: Node) -> Option<String> {
    let expression = substitution
        .named_children(&mut substitution.walk())
        .find(|n| n.kind() != "comment")?;
    let text = node_text(source, expression);
    Some(if expression.kind() == "sequence_expression" {
        format!("({text})")
    } else {
        text.to_string()
    })
}

/// A single-quoted SQL string being read.
struct Quoted<'t> {
    start: usize,
    /// A value may stand where the string starts.
    value_position: bool,
    /// Text pieces (source ranges) and interpolations, in order.
    parts: Vec<Result<(usize, usize), Node<'t>>>,
    piece_start: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Normal,
    Single,
    /// Inside `"..."` or `[...]` (identifiers), until this byte.
    Identifier(u8),
    LineComment,
    BlockComment,
}

/// Edits that turn the template at `template_range` (the first argument of
/// the `sql.exec` call at `call_range`) into SQL with `?` placeholders and
/// pass the interpolated values as bindings, in placeholder order. `None`
/// unless every interpolation sits where SQL expects a value, or is a
/// table name the rule treats as structure (`FROM ${TABLE}`), and the
/// existing bindings line up with the `?`s already in the text.
///
/// `'${x}'` becomes `?` bound to `x`; a quoted string with more in it,
/// `'%${q}%'`, becomes `?` bound to the template `` `%${q}%` ``. Any
/// escape sequence in the template, an interpolation in a comment or a
/// quoted identifier, a numbered or named parameter (`?1`, `:id`), and a
/// template with `?`s but no bindings mean no fix.
fn binding_edits(
    source: &ParsedSource,
    call_range: TextRange,
    template_range: TextRange,
) -> Option<Vec<TextEdit>> {
    let text = source.text;
    let template = node_at(source, template_range, &["template_string"])?;
    let call = node_at(source, call_range, &["call_expression"])?;
    let arguments = call.child_by_field_name("arguments")?;
    let args: Vec<Node> = arguments
        .named_children(&mut arguments.walk())
        .filter(|n| n.kind() != "comment")
        .collect();
    if args.first() != Some(&template) {
        return None;
    }
    let existing = &args[1..];

    // The template as text pieces and interpolations.
    let mut parts: Vec<Result<(usize, usize), Node>> = Vec::new();
    let mut at = template.start_byte() + 1;
    for child in template.named_children(&mut template.walk()) {
        if child.kind() == "template_substitution" {
            parts.push(Ok((at, child.start_byte())));
            parts.push(Err(child));
            at = child.end_byte();
        }
    }
    parts.push(Ok((at, template.end_byte() - 1)));

    let mut tokens: Vec<Token> = Vec::new();
    let mut groups: Vec<bool> = Vec::new();
    let mut slots: Vec<Slot> = Vec::new();
    let mut edits: Vec<TextEdit> = Vec::new();
    let mut mode = Mode::Normal;
    let mut quoted: Option<Quoted> = None;
    for part in parts {
        let (start, end) = match part {
            Err(substitution) => {
                match mode {
                    Mode::Single => {
                        let q = quoted.as_mut()?;
                        q.parts.push(Ok((q.piece_start, substitution.start_byte())));
                        q.parts.push(Err(substitution));
                        q.piece_start = substitution.end_byte();
                    }
                    Mode::Normal => {
                        let binding = binding_text(source, substitution)?;
                        let after = &text[substitution.end_byte()..];
                        if !ends_value(after) || after.starts_with("${") {
                            return None;
                        }
                        let structure = is_sql_structure(&binding);
                        if is_value_position(&tokens, &groups) && !structure {
                            edits.push(TextEdit::replace(
                                TextRange::new(substitution.start_byte(), substitution.end_byte()),
                                "?",
                            ));
                            slots.push(Slot::New(binding));
                            tokens.push(Token::Value);
                        } else if structure
                            && matches!(tokens.last(), Some(Token::Word(w)) if TABLE_KEYWORDS.contains(&w.as_str()))
                            && !binding.contains(['(', '`', '"', '\''])
                        {
                            tokens.push(Token::Word(String::new()));
                        } else {
                            return None;
                        }
                    }
                    _ => return None,
                }
                continue;
            }
            Ok(range) => range,
        };
        let bytes = text.as_bytes();
        if text[start..end].contains('\\') {
            return None;
        }
        let mut i = start;
        while i < end {
            let c = bytes[i];
            let next = if i + 1 < end { bytes[i + 1] } else { 0 };
            match mode {
                Mode::LineComment => {
                    if c == b'\n' {
                        mode = Mode::Normal;
                    }
                    i += 1;
                }
                Mode::BlockComment => {
                    if c == b'*' && next == b'/' {
                        mode = Mode::Normal;
                        i += 1;
                    }
                    i += 1;
                }
                Mode::Identifier(close) => {
                    if c == close {
                        mode = Mode::Normal;
                        tokens.push(Token::Word(String::new()));
                    }
                    i += 1;
                }
                Mode::Single => {
                    if c == b'\'' && next == b'\'' {
                        i += 2;
                    } else if c == b'\'' {
                        let q = quoted.take()?;
                        let mut parts = q.parts;
                        parts.push(Ok((q.piece_start, i)));
                        parts.retain(|p| !matches!(p, Ok((a, b)) if a == b));
                        mode = Mode::Normal;
                        i += 1;
                        tokens.push(Token::Value);
                        if parts.iter().all(|p| p.is_ok()) {
                            continue;
                        }
                        let after = &text[i..];
                        if !q.value_position || !ends_value(after) || after.starts_with("${") {
                            return None;
                        }
                        let binding = match parts.as_slice() {
                            [Err(only)] => binding_text(source, *only)?,
                            _ => {
                                let mut template = String::from("`");
                                for part in &parts {
                                    match part {
                                        Ok((a, b)) => {
                                            template.push_str(&text[*a..*b].replace("''", "'"))
                                        }
                                        Err(node) => template.push_str(node_text(source, *node)),
                                    }
                                }
                                template.push('`');
                                template
                            }
                        };
                        edits.push(TextEdit::replace(TextRange::new(q.start, i), "?"));
                        slots.push(Slot::New(binding));
                    } else {
                        i += 1;
                    }
                }
                Mode::Normal => {
                    let word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
                    match c {
                        _ if c.is_ascii_whitespace() => i += 1,
                        b'-' if next == b'-' => {
                            mode = Mode::LineComment;
                            i += 2;
                        }
                        b'/' if next == b'*' => {
                            mode = Mode::BlockComment;
                            i += 2;
                        }
                        b'\'' => {
                            quoted = Some(Quoted {
                                start: i,
                                value_position: is_value_position(&tokens, &groups),
                                parts: Vec::new(),
                                piece_start: i + 1,
                            });
                            mode = Mode::Single;
                            i += 1;
                        }
                        b'"' => {
                            mode = Mode::Identifier(b'"');
                            i += 1;
                        }
                        b'[' => {
                            mode = Mode::Identifier(b']');
                            i += 1;
                        }
                        b'?' => {
                            if next.is_ascii_digit() {
                                return None;
                            }
                            slots.push(Slot::Existing);
                            tokens.push(Token::Value);
                            i += 1;
                        }
                        b':' | b'@' | b'$' if word_char(next) => return None,
                        _ if word_char(c) => {
                            let from = i;
                            while i < end && word_char(bytes[i]) {
                                i += 1;
                            }
                            let word = text[from..i].to_ascii_uppercase();
                            if word == "SELECT" {
                                // A subquery's select list is not a value list.
                                if let Some(values) = groups.last_mut() {
                                    *values = false;
                                }
                            }
                            tokens.push(Token::Word(word));
                        }
                        b'(' => {
                            let values = groups.last() == Some(&true)
                                || matches!(tokens.last(), Some(Token::Word(w)) if w == "IN" || w == "VALUES")
                                || (tokens.last() == Some(&Token::Punct(","))
                                    && matches!(
                                        tokens.len().checked_sub(2).map(|k| &tokens[k]),
                                        Some(Token::Close { values: true })
                                    ));
                            groups.push(values);
                            tokens.push(Token::Punct("("));
                            i += 1;
                        }
                        b')' => {
                            let values = groups.pop().unwrap_or(false);
                            tokens.push(Token::Close { values });
                            i += 1;
                        }
                        _ => {
                            const TWO: [&str; 8] = ["<=", ">=", "<>", "!=", "==", "||", "<<", ">>"];
                            const ONE: [&str; 15] = [
                                "=", "<", ">", "!", "|", "+", "-", "*", "/", "%", "&", "~", ",",
                                ";", ".",
                            ];
                            let pair = text.get(i..(i + 2).min(end)).unwrap_or("");
                            if let Some(op) = TWO.iter().find(|op| **op == pair) {
                                tokens.push(Token::Punct(op));
                                i += 2;
                            } else {
                                let one = text.get(i..i + 1).unwrap_or("");
                                tokens.push(Token::Punct(
                                    ONE.iter()
                                        .find(|op| **op == one)
                                        .copied()
                                        .unwrap_or("other"),
                                ));
                                i += 1;
                            }
                        }
                    }
                }
            }
        }
        if mode == Mode::Single {
            // The quoted string goes on past this piece.
            let q = quoted.as_mut()?;
            q.parts.push(Ok((q.piece_start, end)));
            q.piece_start = end;
        }
    }
    if !matches!(mode, Mode::Normal | Mode::LineComment) {
        return None;
    }

    // Where each new binding goes among the existing ones.
    let known = slots.iter().filter(|s| matches!(s, Slot::Existing)).count();
    let spread = existing.iter().any(|a| a.kind() == "spread_element");
    let new_after_existing = {
        let first_new = slots.iter().position(|s| matches!(s, Slot::New(_)));
        let last_existing = slots.iter().rposition(|s| matches!(s, Slot::Existing));
        match (first_new, last_existing) {
            (Some(n), Some(e)) => n > e,
            _ => true,
        }
    };
    let lines_up = if spread {
        known > 0 && new_after_existing
    } else {
        existing.len() == known
    };
    if !lines_up || first_new_missing(&slots) {
        return None;
    }
    let last_arg = existing.last().copied().unwrap_or(template);
    // (insertion offset, appended after the last argument, bindings)
    let mut inserts: Vec<(usize, bool, Vec<String>)> = Vec::new();
    let mut seen_existing = 0usize;
    for slot in slots {
        let (offset, append) = match slot {
            Slot::Existing => {
                seen_existing += 1;
                continue;
            }
            Slot::New(_) if spread || seen_existing >= existing.len() => {
                (last_arg.end_byte(), true)
            }
            Slot::New(_) => (existing[seen_existing].start_byte(), false),
        };
        let Slot::New(binding) = slot else { continue };
        match inserts.last_mut() {
            Some((o, _, list)) if *o == offset => list.push(binding),
            _ => inserts.push((offset, append, vec![binding])),
        }
    }
    // Arguments written one per line with a trailing comma get the new
    // ones in the same layout.
    let end = last_arg.end_byte();
    let one_per_line = text[end..].starts_with(',')
        && text[end + 1..line_end(text, end)].trim().is_empty()
        && text[line_start(text, last_arg.start_byte())..last_arg.start_byte()]
            .trim()
            .is_empty();
    for (offset, append, bindings) in inserts {
        let edit = if append && one_per_line {
            let indent = line_indent(text, last_arg.start_byte());
            let newline = source_edit::line_ending(text);
            let lines: String = bindings
                .iter()
                .map(|b| format!("{newline}{indent}{b},"))
                .collect();
            TextEdit::insert(end + 1, lines)
        } else if append {
            TextEdit::insert(offset, format!(", {}", bindings.join(", ")))
        } else {
            TextEdit::insert(offset, format!("{}, ", bindings.join(", ")))
        };
        edits.push(edit);
    }
    Some(edits)
}

/// True when no interpolation was turned into a binding (nothing to fix).
fn first_new_missing(slots: &[Slot]) -> bool {
    !slots.iter().any(|s| matches!(s, Slot::New(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_versus_structure() {
        assert_eq!(
            interpolated("SELECT * FROM t WHERE a = '${a}' AND b = ${obj.b}"),
            vec!["a", "obj.b"]
        );
        assert!(is_sql_structure("TABLE"));
        assert!(is_sql_structure("this.tableName"));
        assert!(is_sql_structure("ids.map(() => \"?\").join(\", \")"));
        assert!(is_sql_structure("placeholders"));
        assert!(!is_sql_structure("userId"));
        assert!(!is_sql_structure("limit"));
        assert!(!is_sql_structure("body.name"));
    }

    /// `sql.exec(<args>)` after the fix, or `None` when none is offered.
    fn fixed(args: &str) -> Option<String> {
        let text = format!("sql.exec({args});\n");
        let source = source_edit::parse(std::path::Path::new("/w/a.ts"), &text).expect("parses");
        let call = TextRange::new(0, text.len() - 2);
        let template = TextRange::new(9, 9 + args.find("`,").map_or(args.len(), |i| i + 1));
        let edits = binding_edits(&source, call, template)?;
        let out = crate::fix::apply_edits(&text, &edits).unwrap();
        Some(out["sql.exec(".len()..out.len() - 3].to_string())
    }

    #[test]
    fn values_become_bindings_in_placeholder_order() {
        let ok = |args: &str, expected: &str| {
            assert_eq!(fixed(args).as_deref(), Some(expected), "{args}")
        };
        ok(
            "`SELECT * FROM t WHERE a = ${a}`",
            "`SELECT * FROM t WHERE a = ?`, a",
        );
        ok(
            "`SELECT * FROM t WHERE a = '${a.b}'`",
            "`SELECT * FROM t WHERE a = ?`, a.b",
        );
        ok(
            "`SELECT * FROM t WHERE a LIKE '%${q}%'`",
            "`SELECT * FROM t WHERE a LIKE ?`, `%${q}%`",
        );
        ok(
            "`SELECT * FROM t WHERE a = 'it''s ${x}'`",
            "`SELECT * FROM t WHERE a = ?`, `it's ${x}`",
        );
        ok(
            "`INSERT INTO t (a, b) VALUES (${a}, lower(${b})), (${c}, '${d}')`",
            "`INSERT INTO t (a, b) VALUES (?, lower(?)), (?, ?)`, a, b, c, d",
        );
        ok(
            "`SELECT * FROM t WHERE a = ${a, b}`",
            "`SELECT * FROM t WHERE a = ?`, (a, b)",
        );
        ok(
            "`SELECT * FROM t WHERE a BETWEEN ${lo} AND ${hi} LIMIT ${n} OFFSET ${m}`",
            "`SELECT * FROM t WHERE a BETWEEN ? AND ? LIMIT ? OFFSET ?`, lo, hi, n, m",
        );
        ok(
            "`SELECT CASE WHEN a = 1 THEN ${x} ELSE ${y} END FROM t WHERE b NOT LIKE ${p} AND c IS NOT ${z}`",
            "`SELECT CASE WHEN a = 1 THEN ? ELSE ? END FROM t WHERE b NOT LIKE ? AND c IS NOT ?`, x, y, p, z",
        );
        ok(
            "`SELECT * FROM t WHERE a = ? AND b = ${b}`, x",
            "`SELECT * FROM t WHERE a = ? AND b = ?`, x, b",
        );
        ok(
            "`SELECT * FROM t WHERE a = ${a} AND b = ?`, x",
            "`SELECT * FROM t WHERE a = ? AND b = ?`, a, x",
        );
        ok(
            "`SELECT * FROM t WHERE a IN (?, ?) AND b = ${b}`, ...xs",
            "`SELECT * FROM t WHERE a IN (?, ?) AND b = ?`, ...xs, b",
        );
        ok(
            "`SELECT * FROM ${TABLE} WHERE a = ${a}`",
            "`SELECT * FROM ${TABLE} WHERE a = ?`, a",
        );
        ok(
            "`SELECT * FROM t WHERE a = ${a} -- by id`",
            "`SELECT * FROM t WHERE a = ? -- by id`, a",
        );
        ok(
            "`SELECT '?' FROM t WHERE a = ${a}`",
            "`SELECT '?' FROM t WHERE a = ?`, a",
        );
    }

    #[test]
    fn no_fix_where_a_value_does_not_belong() {
        let none = |args: &str| assert_eq!(fixed(args), None, "{args}");
        none("`SELECT * FROM t WHERE ${col} = 1 AND a = ${a}`");
        none("`SELECT * FROM t WHERE a = ${a} ORDER BY ${a}`");
        none("`SELECT * FROM t LIMIT ${a}, ${b}`");
        none("`INSERT INTO t (${a}) VALUES (1)`");
        none("`SELECT * FROM t WHERE a IN (SELECT x, ${y} FROM u)`");
        none("`SELECT * FROM t WHERE a = ${a}${b}`");
        none("`SELECT * FROM t WHERE a = ${a}_x`");
        none("`SELECT * FROM t WHERE a = ${a} /* ${b} */`");
        none("`SELECT \"${x}\" FROM t WHERE a = ${a}`");
        none("`SELECT [${x}] FROM t WHERE a = ${a}`");
        none("`SELECT * FROM t WHERE a = ?1 AND b = ${b}`, x");
        none("`SELECT * FROM t WHERE a = :a AND b = ${b}`, x");
        none("`SELECT * FROM t WHERE a = ? AND b = ${b}`");
        none("`SELECT * FROM t WHERE a = ${a}`, ...xs");
        none("`SELECT * FROM t WHERE a = ${a} AND b IN (?)`, ...xs");
        none("`SELECT * FROM t WHERE a = ? AND b = ${b}`, x, y");
        none("`SELECT * FROM t WHERE a = '\\n${a}'`");
        none("`SELECT * FROM t WHERE a IN (${placeholders})`, ...ids");
        none("`CREATE TABLE '${name}' (a TEXT DEFAULT ${x})`");
        none("`SELECT * FROM t WHERE a = 'x${a}'y`");
    }
}
