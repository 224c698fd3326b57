//! Short strings of summaries and semantic models, shared.
//!
//! A workspace repeats the same few thousand identifiers (`env`, `ctx`,
//! `storage`, `get`, binding names) hundreds of thousands of times. Each
//! summary used to own one allocation per occurrence, which made names a
//! large part of the memory a workspace keeps. [`name`] hands out one
//! shared allocation per distinct string instead.
//!
//! The table is per thread, so interning takes no lock while the parallel
//! index runs; two threads may each hold a copy of a name, which costs a
//! few kilobytes. A name stays in its thread's table only while something
//! else holds it too: when a table grows past its limit, names only the
//! table holds are dropped, so the strings typed and deleted over a long
//! editing session do not pile up.

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Arc;

/// A name or short string of the model, shared: copying it (joining a
/// file's pieces, carrying a summary over) costs a reference count.
pub type Name = Arc<str>;

/// Longer strings (SQL text, URLs) are rarely repeated: they get their own
/// allocation and never enter the table.
const MAX_INTERNED_LEN: usize = 48;

/// Size of a table before its first sweep.
const FIRST_SWEEP_AT: usize = 1 << 16;

struct Table {
    names: HashSet<Name>,
    sweep_at: usize,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table {
        names: HashSet::new(),
        sweep_at: FIRST_SWEEP_AT,
    });
}

/// The shared [`Name`] for `text`.
pub fn name(text: &str) -> Name {
    if text.len() > MAX_INTERNED_LEN {
        return Name::from(text);
    }
    TABLE.with(|table| {
        let mut table = table.borrow_mut();
        if let Some(known) = table.names.get(text) {
            return known.clone();
        }
        if table.names.len() >= table.sweep_at {
            table.names.retain(|n| Arc::strong_count(n) > 1);
            table.sweep_at = (table.names.len() * 2).max(FIRST_SWEEP_AT);
        }
        let new = Name::from(text);
        table.names.insert(new.clone());
        new
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_short_names_share_one_allocation() {
        let a = name("storage");
        let b = name(&String::from("storage"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, "storage");
    }

    #[test]
    fn long_strings_are_not_kept() {
        let text = "SELECT id, value FROM items WHERE id = ? ORDER BY id";
        let a = name(text);
        let b = name(text);
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(&*a, text);
    }

    #[test]
    fn a_sweep_drops_only_names_nobody_else_holds() {
        let kept = name("kept-across-the-sweep");
        for i in 0..FIRST_SWEEP_AT + 1 {
            name(&format!("n{i}"));
        }
        TABLE.with(|t| {
            let t = t.borrow();
            assert!(t.names.len() < FIRST_SWEEP_AT, "the sweep ran");
            assert!(t.names.contains("kept-across-the-sweep"));
        });
        assert!(Arc::ptr_eq(&kept, &name("kept-across-the-sweep")));
    }
}
