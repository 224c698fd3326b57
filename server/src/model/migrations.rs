//! Replaying a Worker's Durable Object class history, as the runtime does on
//! deploy: which classes exist after all migrations (or per the declarative
//! `exports` map), on which storage backend, and which steps would fail.

use std::collections::BTreeMap;

use crate::config::{DeclaredExport, Migration};
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// The legacy key-value backend (`new_classes`, `storage: "legacy-kv"`).
    Kv,
    /// Transferred in from another Worker: the backend is the source's.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveClass {
    pub backend: Backend,
    /// Where the class got its current name: the `new_*_classes` entry, the
    /// rename `to`, the transfer `to`, or the `exports` key.
    pub created_at: TextRange,
    /// Index of the migration that created it (`None` for `exports`).
    pub migration: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayErrorKind {
    /// `new_classes`/`new_sqlite_classes` for a class that already exists.
    CreateExisting,
    /// `new_sqlite_classes` for a class created earlier on the KV backend.
    KvToSqlite,
    RenameMissing,
    RenameOntoExisting,
    DeleteMissing,
    TransferOntoExisting,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayError {
    pub kind: ReplayErrorKind,
    pub class: String,
    pub range: TextRange,
    /// The earlier entry that makes this one fail, when there is one.
    pub earlier: Option<TextRange>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    pub live: BTreeMap<String, LiveClass>,
    /// Classes removed by `deleted_classes`, with the deleting entry.
    pub deleted: BTreeMap<String, TextRange>,
    pub errors: Vec<ReplayError>,
}

impl Replay {
    /// Replays legacy `migrations` in order. Within one migration the steps
    /// run as the runtime applies them: creations, renames, deletions,
    /// transfers.
    pub fn from_migrations(migrations: &[Migration]) -> Replay {
        let mut replay = Replay::default();
        for (index, migration) in migrations.iter().enumerate() {
            let creations = migration
                .new_classes
                .iter()
                .map(|c| (c, Backend::Kv))
                .chain(
                    migration
                        .new_sqlite_classes
                        .iter()
                        .map(|c| (c, Backend::Sqlite)),
                );
            for (class, backend) in creations {
                if let Some(existing) = replay.live.get(&class.value) {
                    let kind = if existing.backend == Backend::Kv && backend == Backend::Sqlite {
                        ReplayErrorKind::KvToSqlite
                    } else {
                        ReplayErrorKind::CreateExisting
                    };
                    replay.error(kind, &class.value, class.range, Some(existing.created_at));
                    continue;
                }
                replay.deleted.remove(&class.value);
                replay.live.insert(
                    class.value.clone(),
                    LiveClass {
                        backend,
                        created_at: class.range,
                        migration: Some(index),
                    },
                );
            }
            for rename in &migration.renamed_classes {
                let (Some(from), Some(to)) = (&rename.from, &rename.to) else {
                    continue;
                };
                let Some(source) = replay.live.get(&from.value).cloned() else {
                    replay.error(
                        ReplayErrorKind::RenameMissing,
                        &from.value,
                        from.range,
                        None,
                    );
                    continue;
                };
                if let Some(existing) = replay.live.get(&to.value) {
                    let earlier = existing.created_at;
                    replay.error(
                        ReplayErrorKind::RenameOntoExisting,
                        &to.value,
                        to.range,
                        Some(earlier),
                    );
                    continue;
                }
                replay.live.remove(&from.value);
                replay.live.insert(
                    to.value.clone(),
                    LiveClass {
                        backend: source.backend,
                        created_at: to.range,
                        migration: Some(index),
                    },
                );
            }
            for class in &migration.deleted_classes {
                if replay.live.remove(&class.value).is_none() {
                    replay.error(
                        ReplayErrorKind::DeleteMissing,
                        &class.value,
                        class.range,
                        None,
                    );
                    continue;
                }
                replay.deleted.insert(class.value.clone(), class.range);
            }
            for transfer in &migration.transferred_classes {
                let Some(to) = &transfer.to else { continue };
                if let Some(existing) = replay.live.get(&to.value) {
                    let earlier = existing.created_at;
                    replay.error(
                        ReplayErrorKind::TransferOntoExisting,
                        &to.value,
                        to.range,
                        Some(earlier),
                    );
                    continue;
                }
                replay.live.insert(
                    to.value.clone(),
                    LiveClass {
                        backend: Backend::Unknown,
                        created_at: to.range,
                        migration: Some(index),
                    },
                );
            }
        }
        replay
    }

    /// The classes a declarative `exports` map keeps alive.
    pub fn from_exports(exports: &[DeclaredExport]) -> Replay {
        let mut replay = Replay::default();
        for entry in exports.iter().filter(|e| e.is_durable_object()) {
            if entry.is_live() {
                let backend = if entry.is_sqlite() {
                    Backend::Sqlite
                } else {
                    Backend::Kv
                };
                replay.live.insert(
                    entry.class.value.clone(),
                    LiveClass {
                        backend,
                        created_at: entry.class.range,
                        migration: None,
                    },
                );
            } else if entry.state.as_ref().is_some_and(|s| s.value == "deleted") {
                replay
                    .deleted
                    .insert(entry.class.value.clone(), entry.class.range);
            }
        }
        replay
    }

    fn error(
        &mut self,
        kind: ReplayErrorKind,
        class: &str,
        range: TextRange,
        earlier: Option<TextRange>,
    ) {
        self.errors.push(ReplayError {
            kind,
            class: class.to_string(),
            range,
            earlier,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RenamedClass;
    use crate::text::Spanned;

    fn s(name: &str, at: u32) -> Spanned<String> {
        Spanned::new(
            name.to_string(),
            TextRange {
                start: at,
                end: at + 1,
            },
        )
    }

    fn migration(
        new_kv: &[&str],
        new_sqlite: &[&str],
        deleted: &[&str],
        renamed: &[(&str, &str)],
    ) -> Migration {
        Migration {
            range: TextRange::default(),
            tag: None,
            new_classes: new_kv.iter().map(|c| s(c, 1)).collect(),
            new_sqlite_classes: new_sqlite.iter().map(|c| s(c, 2)).collect(),
            renamed_classes: renamed
                .iter()
                .map(|(f, t)| RenamedClass {
                    range: TextRange::default(),
                    from: Some(s(f, 3)),
                    to: Some(s(t, 4)),
                })
                .collect(),
            deleted_classes: deleted.iter().map(|c| s(c, 5)).collect(),
            transferred_classes: vec![],
        }
    }

    #[test]
    fn replays_create_rename_delete() {
        let replay = Replay::from_migrations(&[
            migration(&["Old"], &["Chat"], &[], &[]),
            migration(&[], &[], &[], &[("Old", "Renamed")]),
            migration(&[], &[], &["Chat"], &[]),
        ]);
        assert!(replay.errors.is_empty());
        assert_eq!(replay.live.keys().collect::<Vec<_>>(), vec!["Renamed"]);
        assert_eq!(replay.live["Renamed"].backend, Backend::Kv);
        assert!(replay.deleted.contains_key("Chat"));
    }

    #[test]
    fn reports_kv_to_sqlite_and_missing_classes() {
        let replay = Replay::from_migrations(&[
            migration(&["Counter"], &[], &[], &[]),
            migration(&[], &["Counter"], &["Ghost"], &[("Nope", "X")]),
        ]);
        let kinds: Vec<_> = replay.errors.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ReplayErrorKind::KvToSqlite,
                ReplayErrorKind::RenameMissing,
                ReplayErrorKind::DeleteMissing
            ]
        );
    }
}
