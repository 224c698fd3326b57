//! `sql.exec(...)` calls of the Durable Object SQLite API, shared by the SQL
//! rules.

use super::RuleCtx;
use crate::files::FileId;
use crate::index::CallSite;

use super::support::workers_reaching;

/// Every `<...>.sql.exec(...)` call in Worker code: `this.ctx.storage.sql.exec`,
/// `this.sql.exec` (a field holding `ctx.storage.sql`), `sql.exec`.
pub fn sql_exec_calls<'a>(ws: &'a RuleCtx) -> Vec<(FileId, &'a CallSite)> {
    let mut out = Vec::new();
    for (file, summary) in ws.source_summaries() {
        if workers_reaching(ws, file).next().is_none() {
            continue;
        }
        for call in &summary.calls {
            let [.., receiver, exec] = call.callee.as_slice() else {
                continue;
            };
            if &**exec != "exec" || call.is_new {
                continue;
            }
            if matches!(&**receiver, "sql" | "#sql" | "_sql") {
                out.push((file, call));
            }
        }
    }
    out
}
