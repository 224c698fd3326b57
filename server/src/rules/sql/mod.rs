//! SQL: the SQLite API, its backend, statements and bindings.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod sql_on_kv_backend;
pub(crate) mod sql_template_interpolation;
pub(crate) mod sql_transaction_statement;
