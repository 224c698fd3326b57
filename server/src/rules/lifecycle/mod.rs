//! Lifecycle and hibernation: constructors, `super()`, timers, in-memory state, floating promises.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod block_concurrency_fetch;
pub(crate) mod constructor_heavy_work;
pub(crate) mod floating_promise_in_handler;
pub(crate) mod hibernation_state_loss;
pub(crate) mod missing_super_call;
pub(crate) mod timer_blocks_hibernation;
