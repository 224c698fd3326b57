//! RPC and stubs: calls on stubs resolved to the classes they reach.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod relative_stub_fetch_url;
pub(crate) mod rpc_on_legacy_class;
pub(crate) mod rpc_unknown_method;
pub(crate) mod stub_fetch_without_handler;
