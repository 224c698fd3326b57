//! The Durable Objects API as data: members, signatures, descriptions in our
//! own words, limits, backend requirements and docs links. Completion, hover
//! and rules all read this one module.

mod api;
mod compat_flags;
mod placement;
pub mod wrangler_schema;

pub use api::{all_interfaces, interface, HANDLERS};
pub use compat_flags::{compat_flag, compat_flag_names, compat_flags_as_of, CompatFlag};
pub use placement::{JURISDICTIONS, LOCATION_HINTS};

/// Which storage backend a member needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendRequirement {
    Any,
    /// Throws on KV-backed classes.
    SqliteOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
    Method,
    Property,
}

/// One member of a DO API interface.
#[derive(Clone, Copy, Debug)]
pub struct Member {
    pub name: &'static str,
    pub kind: MemberKind,
    /// TypeScript-style signature, e.g. `get<T>(key: string, options?: DurableObjectGetOptions): Promise<T | undefined>`.
    pub signature: &'static str,
    /// One or two sentences in our own words.
    pub description: &'static str,
    /// Limits that apply, with numbers (empty when none).
    pub limits: &'static [&'static str],
    pub backend: BackendRequirement,
    /// Full https URL of the Cloudflare docs page.
    pub docs: &'static str,
    /// Snippet body for completion (LSP snippet syntax), e.g. `get(${1:key})`.
    pub snippet: &'static str,
}

/// An interface of the DO API (`DurableObjectState`, `DurableObjectStorage`, ...).
#[derive(Clone, Copy, Debug)]
pub struct Interface {
    pub name: &'static str,
    pub description: &'static str,
    pub members: &'static [Member],
}

impl Interface {
    pub fn member(&self, name: &str) -> Option<&'static Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// A handler method a DO class may define (`fetch`, `alarm`, `webSocketMessage`...).
#[derive(Clone, Copy, Debug)]
pub struct Handler {
    pub name: &'static str,
    pub signature: &'static str,
    pub description: &'static str,
    /// Snippet inserted inside a class body.
    pub snippet: &'static str,
    pub docs: &'static str,
}

/// A valid value for `locationHint` or `jurisdiction`.
#[derive(Clone, Copy, Debug)]
pub struct PlacementValue {
    pub value: &'static str,
    pub description: &'static str,
}
