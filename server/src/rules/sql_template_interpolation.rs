//! `sql-template-interpolation`: values spliced into `sql.exec` text.

use super::sql_calls::sql_exec_calls;
use super::{Check, Reporter, Rule};
use crate::diagnostic::Severity;
use crate::index::ArgValue;
use crate::model::Workspace;

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
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &Workspace, out: &mut Reporter) {
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
        out.report(
            file,
            arg.range,
            format!(
                "`${{{first}}}` is spliced into the SQL text: a value with a quote breaks the query and untrusted input can rewrite it; use a `?` placeholder and pass the value as an argument to `sql.exec`"
            ),
        );
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
}
