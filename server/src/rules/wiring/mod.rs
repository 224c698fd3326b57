//! Wiring: classes, bindings and migrations that must agree between the config and `main`.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod binding_not_in_env;
pub(crate) mod class_not_exported;
pub(crate) mod duplicate_binding;
pub(crate) mod invalid_binding_name;
pub(crate) mod missing_migration;
pub(crate) mod unknown_binding;
pub(crate) mod unknown_class;
