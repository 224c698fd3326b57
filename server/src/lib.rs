//! dols: the Durable Objects language server and checker.
//!
//! Data flows one way: [`discovery`] → [`config`] → [`index`] → [`model`] →
//! [`rules`] → front ends ([`cli`]). See `docs/architecture.md`.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discovery;
pub mod features;
pub mod files;
pub mod fix;
pub mod host;
pub mod index;
pub mod knowledge;
pub mod lsp;
pub mod model;
pub mod names;
pub mod rules;
pub mod semantic;
pub mod settings;
pub mod shared_vec;
pub mod text;
