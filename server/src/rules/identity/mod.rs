//! Identity and placement: ids, names and location hints.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod invalid_id_string;
pub(crate) mod invalid_location_hint;
pub(crate) mod random_object_name;
pub(crate) mod unique_id_not_persisted;
