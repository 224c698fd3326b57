//! The compatibility flags the Workers runtime defines, from workerd's own
//! list (`server/third_party/workerd/compat-flags.tsv`, refreshed by its
//! script), plus flags announced after that snapshot.

use std::collections::HashMap;
use std::sync::OnceLock;

const WORKERD_FLAGS: &str = include_str!("../../third_party/workerd/compat-flags.tsv");
const WORKERD_SOURCE: &str = include_str!("../../third_party/workerd/SOURCE");

/// Flags the runtime gained after the workerd snapshot, from Cloudflare's
/// changelog: (name, default-on date).
const LATER_FLAGS: &[(&str, &str)] = &[
    // Pending I/O keeps a Durable Object alive (changelog 2026-10-01).
    ("durable_object_io_tasks_prevent_eviction", "2026-10-01"),
    (
        "durable_object_io_tasks_do_not_prevent_eviction",
        "2026-10-01",
    ),
];

/// What the runtime's list says about one flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompatFlag {
    pub name: &'static str,
    /// `true` for a flag that turns its feature off (`no_nodejs_compat`).
    pub disables: bool,
    /// From this compatibility date the feature is on without the flag.
    pub default_from: Option<&'static str>,
    /// Only for `workerd --experimental`; refused on deploy.
    pub experimental: bool,
}

fn table() -> &'static HashMap<&'static str, CompatFlag> {
    static TABLE: OnceLock<HashMap<&'static str, CompatFlag>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut flags: HashMap<&'static str, CompatFlag> = WORKERD_FLAGS
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let name = fields.next()?;
                let disables = fields.next()? == "disable";
                let default_from = fields.next().filter(|d| !d.is_empty());
                let experimental = fields.next() == Some("experimental");
                Some((
                    name,
                    CompatFlag {
                        name,
                        disables,
                        default_from,
                        experimental,
                    },
                ))
            })
            .collect();
        for &(name, date) in LATER_FLAGS {
            flags.entry(name).or_insert(CompatFlag {
                name,
                disables: name.contains("_do_not_") || name.starts_with("no_"),
                default_from: Some(date),
                experimental: false,
            });
        }
        flags
    })
}

/// The flag named `name`, if the runtime defines it.
pub fn compat_flag(name: &str) -> Option<&'static CompatFlag> {
    table().get(name)
}

/// Every known flag name, sorted.
pub fn compat_flag_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = table().keys().copied().collect();
    names.sort_unstable();
    names
}

/// The date of the workerd commit the list comes from (`2026-08-22`).
pub fn compat_flags_as_of() -> &'static str {
    WORKERD_SOURCE
        .split_whitespace()
        .nth(1)
        .unwrap_or("an unknown date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_knows_real_flags_and_their_dates() {
        let rpc = compat_flag("rpc").expect("rpc");
        assert_eq!(rpc.default_from, Some("2024-04-03"));
        assert!(!rpc.disables);
        assert!(compat_flag("no_nodejs_compat").expect("listed").disables);
        assert!(compat_flag("experimental").expect("listed").experimental);
        assert!(compat_flag("durable_object_io_tasks_prevent_eviction").is_some());
        assert!(compat_flag("nodejs_compatt").is_none());
        assert!(compat_flag_names().len() > 300);
        assert_eq!(compat_flags_as_of().len(), 10);
    }
}
