//! `sql-transaction-statement`: transaction control statements in `sql.exec`.

use super::sql_calls::sql_exec_calls;
use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::index::ArgValue;

pub static RULE: Rule = Rule {
    id: "sql-transaction-statement",
    severity: Severity::Error,
    summary: "`BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT` or `RELEASE` run through `sql.exec`.",
    docs: r#"
## What it finds
A string or template literal passed to `ctx.storage.sql.exec(...)` with a
statement that starts with `BEGIN`, `COMMIT`, `END TRANSACTION`,
`ROLLBACK`, `SAVEPOINT` or `RELEASE`. Trigger bodies (`CREATE TRIGGER ...
BEGIN ... END`) are not statements of their own and are not flagged.

## Why it matters
The Durable Object SQLite API manages transactions itself and refuses
transaction control statements in `sql.exec`: the call throws. Each
request already runs in an implicit transaction whose writes are committed
together.

## Example
```ts
this.ctx.storage.sql.exec("BEGIN TRANSACTION");
this.ctx.storage.sql.exec("UPDATE accounts SET balance = balance - 10 WHERE id = ?", from);
this.ctx.storage.sql.exec("UPDATE accounts SET balance = balance + 10 WHERE id = ?", to);
this.ctx.storage.sql.exec("COMMIT");
```

## How to fix
Wrap the statements in `this.ctx.storage.transactionSync(() => { ... })`
(or the async `transaction()`): a throw inside rolls every write back.
```ts
this.ctx.storage.transactionSync(() => {
  this.ctx.storage.sql.exec("UPDATE accounts SET balance = balance - 10 WHERE id = ?", from);
  this.ctx.storage.sql.exec("UPDATE accounts SET balance = balance + 10 WHERE id = ?", to);
});
```
"#,
    prevents: &[],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for (file, call) in sql_exec_calls(ws) {
        let Some(arg) = call.args.first() else {
            continue;
        };
        let text = match &arg.value {
            ArgValue::String { value, .. } => value.as_str(),
            ArgValue::Template { raw, .. } => raw.as_str(),
            _ => continue,
        };
        let Some(keyword) = transaction_statement(text) else {
            continue;
        };
        out.report(
            file,
            arg.range,
            format!(
                "`{keyword}` cannot run through `sql.exec`: the runtime manages transactions and rejects it; wrap the statements in `ctx.storage.transactionSync(() => ...)` instead"
            ),
        );
    }
}

/// The transaction keyword starting one of the statements of `sql`.
fn transaction_statement(sql: &str) -> Option<&'static str> {
    let upper = strip_comments(sql).to_ascii_uppercase();
    if upper.contains("TRIGGER") {
        return None; // BEGIN ... END of a trigger body
    }
    for statement in upper.split(';') {
        let mut words = statement.split_whitespace();
        let Some(first) = words.next() else { continue };
        let found = match first {
            "BEGIN" => Some("BEGIN"),
            "COMMIT" => Some("COMMIT"),
            "ROLLBACK" => Some("ROLLBACK"),
            "SAVEPOINT" => Some("SAVEPOINT"),
            "RELEASE" => Some("RELEASE"),
            "END" if matches!(words.next(), None | Some("TRANSACTION")) => Some("END"),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn strip_comments(sql: &str) -> String {
    sql.lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::transaction_statement;

    #[test]
    fn finds_statements_not_words() {
        assert_eq!(transaction_statement("BEGIN TRANSACTION"), Some("BEGIN"));
        assert_eq!(transaction_statement("  commit;"), Some("COMMIT"));
        assert_eq!(
            transaction_statement("INSERT INTO t VALUES (1); SAVEPOINT a"),
            Some("SAVEPOINT")
        );
        assert_eq!(transaction_statement("SELECT begin, commit FROM t"), None);
        assert_eq!(
            transaction_statement(
                "CREATE TRIGGER x AFTER INSERT ON t BEGIN UPDATE u SET n = 1; END"
            ),
            None
        );
        assert_eq!(transaction_statement("SELECT RAISE(ROLLBACK, 'no')"), None);
    }
}
