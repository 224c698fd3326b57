//! WebSockets: the Hibernation API, double accepts, outgoing sockets, unused handlers.
//!
//! One file per rule; the rule is listed in `super::ALL`. What the rules
//! share (the `Rule` type, `support`, `stubs`, the storage and lifecycle
//! helpers) comes from the parent module.

use super::*;

pub(crate) mod non_hibernatable_websocket;
pub(crate) mod outgoing_websocket;
pub(crate) mod websocket_double_accept;
pub(crate) mod websocket_handler_unused;
