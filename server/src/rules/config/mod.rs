//! Config files and migrations: syntax, shadowed configs, migration history, backends, and config/code agreement.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod config_syntax;
pub(crate) mod deprecated_config_key;
pub(crate) mod duplicate_migration_tag;
pub(crate) mod env_type_mismatch;
pub(crate) mod file_not_read;
pub(crate) mod gradual_deploy_migration;
pub(crate) mod invalid_compatibility_date;
pub(crate) mod invalid_config_value;
pub(crate) mod kv_to_sqlite_conversion;
pub(crate) mod legacy_kv_backend;
pub(crate) mod main_not_found;
pub(crate) mod migration_conflict;
pub(crate) mod migrations_and_exports;
pub(crate) mod shadowed_config;
pub(crate) mod top_level_only_key;
pub(crate) mod unknown_compatibility_flag;
pub(crate) mod unknown_config_key;
