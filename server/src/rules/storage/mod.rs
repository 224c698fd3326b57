//! Storage and alarms: batch operations, `deleteAll`, alarm handlers and retries, API limits.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod alarm_retry_unsafe;
pub(crate) mod alarm_without_handler;
pub(crate) mod api_limit;
pub(crate) mod delete_all_keeps_alarm;
pub(crate) mod delete_all_kv_backend;
pub(crate) mod storage_await_in_loop;
