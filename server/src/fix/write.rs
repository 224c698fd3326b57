//! Putting fixed files (and reports) on disk without losing a byte.
//!
//! `--fix` checks every file again right before writing. If it changed since
//! the analysis read it, or it cannot be replaced the way it was (read-only,
//! hard links, an owner this process cannot give a new file), nothing is
//! written at all. Each new text is staged in a temporary file created with
//! `O_EXCL` next to its target (`tempfile`), with the target's mode and
//! owner. Only when every file is staged are they renamed into place.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::discovery::read_regular_file;

/// One file to write: its text as the analysis read it (`None`: the file
/// is created and must not exist), and its new text.
pub struct PlannedWrite<'a> {
    pub path: &'a Path,
    pub before: Option<&'a str>,
    pub after: &'a str,
}

/// Largest file `--fix` compares before writing (the sources it analyses
/// are far smaller).
const MAX_COMPARED: u64 = 64 * 1024 * 1024;

/// A staged write, ready to be renamed into place.
struct Staged {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
    create: bool,
}

/// Writes every file or none. The error says which file stopped it and why.
///
/// Staging (every check, every temporary file) happens before any target
/// is touched. Each replaced file is then kept under a second name (a hard
/// link beside it, which copies nothing) until every rename is done: if a
/// rename fails halfway, the files already replaced get their old text
/// back and the files already created are removed.
pub fn write_all_or_nothing(writes: &[PlannedWrite]) -> Result<(), String> {
    let mut staged = Vec::with_capacity(writes.len());
    for write in writes {
        staged.push(stage(write).map_err(|why| format!("{}: {why}", write.path.display()))?);
    }
    let mut backups = Vec::with_capacity(staged.len());
    for file in &staged {
        let backup =
            if file.create {
                None
            } else {
                Some(backup_of(&file.target).map_err(|why| {
                    format!("{}: {why}; nothing was written", file.target.display())
                })?)
            };
        backups.push(backup);
    }
    #[cfg(test)]
    tests::AFTER_STAGING.with(|hook| hook.take().map(|hook| hook()));
    let mut done: Vec<(PathBuf, Option<Backup>)> = Vec::with_capacity(staged.len());
    for (file, backup) in staged.into_iter().zip(backups) {
        let Staged {
            temp,
            target,
            create,
        } = file;
        let persisted = if create {
            temp.persist_noclobber(&target).map(drop)
        } else {
            temp.persist(&target).map(drop)
        };
        if let Err(e) = persisted {
            let undone = roll_back(done);
            return Err(format!("{}: {}; {undone}", target.display(), e.error));
        }
        done.push((target, backup));
    }
    // Success: the backups are removed as they drop.
    Ok(())
}

/// A second name for a file about to be replaced; removed on drop.
type Backup = tempfile::NamedTempFile<()>;

/// Links `target` under a fresh name in its folder (created exclusively,
/// like the temporary files).
fn backup_of(target: &Path) -> Result<Backup, String> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}.dols-old-"))
        .suffix(".tmp")
        .make_in(folder_of(target), |path| std::fs::hard_link(target, path))
        .map_err(|e| format!("cannot keep the old text while writing: {e}"))
}

/// Puts back what the renames in `done` replaced, newest first, and says
/// how that went.
fn roll_back(done: Vec<(PathBuf, Option<Backup>)>) -> String {
    let mut failed = Vec::new();
    for (target, backup) in done.into_iter().rev() {
        let restored = match backup {
            Some(backup) => backup.persist(&target).map_err(|e| e.error),
            None => std::fs::remove_file(&target),
        };
        if let Err(e) = restored {
            failed.push(format!("{} ({e})", target.display()));
        }
    }
    if failed.is_empty() {
        "the files written before it were put back; nothing was changed".to_string()
    } else {
        format!("could not put back: {}", failed.join(", "))
    }
}

fn stage(write: &PlannedWrite) -> Result<Staged, String> {
    let create = write.before.is_none();
    // Through a symlink, the file it points to is replaced, not the link.
    let target = if create {
        write.path.to_path_buf()
    } else {
        std::fs::canonicalize(write.path).map_err(|e| format!("cannot resolve: {e}"))?
    };
    let folder = folder_of(&target);
    let existing = match std::fs::symlink_metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot inspect: {e}")),
    };
    match (write.before, &existing) {
        (None, Some(_)) => return Err("exists already; nothing was written".into()),
        (None, None) => {
            std::fs::create_dir_all(folder).map_err(|e| format!("cannot create its folder: {e}"))?
        }
        (Some(_), None) => {
            return Err("was removed since it was checked; nothing was written".into())
        }
        (Some(before), Some(meta)) => check_replaceable(&target, meta, before)?,
    }
    let temp = temp_beside(&target, folder, write.after, existing.as_ref())?;
    Ok(Staged {
        temp,
        target,
        create,
    })
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `text` in a new temporary file in `folder`, created with `O_EXCL` and
/// named after `target`, synced, with the mode and owner of the file it
/// replaces (`existing`).
fn temp_beside(
    target: &Path,
    folder: &Path,
    text: &str,
    existing: Option<&std::fs::Metadata>,
) -> Result<tempfile::NamedTempFile, String> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}.dols-"))
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(|e| format!("cannot create a temporary file beside it: {e}"))?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| format!("cannot write: {e}"))?;
    if let Some(meta) = existing {
        keep_mode_and_owner(temp.as_file(), meta)?;
    }
    Ok(temp)
}

/// The file is as the analysis read it, and a new file can take its place
/// without changing anything else about it.
fn check_replaceable(target: &Path, meta: &std::fs::Metadata, before: &str) -> Result<(), String> {
    if !meta.is_file() {
        return Err("is not a regular file; nothing was written".into());
    }
    if meta.permissions().readonly() {
        return Err("is read-only; nothing was written".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(format!(
                "has {} hard links, which a rewritten file would no longer share; nothing was written",
                meta.nlink()
            ));
        }
    }
    let now = read_regular_file(target, MAX_COMPARED).map_err(|e| e.to_string())?;
    if now != before.as_bytes() {
        return Err("changed since it was checked; nothing was written (run dols again)".into());
    }
    Ok(())
}

#[cfg(unix)]
fn keep_mode_and_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::io::AsRawFd;
    file.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
        .map_err(|e| format!("cannot keep its mode: {e}"))?;
    // SAFETY: fchown on a descriptor this function's caller owns and keeps
    // open; it takes no pointers.
    let owned = unsafe { libc::fchown(file.as_raw_fd(), meta.uid(), meta.gid()) };
    if owned != 0 {
        let new = file.metadata().map_err(|e| e.to_string())?;
        if new.uid() != meta.uid() || new.gid() != meta.gid() {
            return Err(format!(
                "cannot keep its owner ({}:{}): {}; nothing was written",
                meta.uid(),
                meta.gid(),
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_mode_and_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> Result<(), String> {
    file.set_permissions(meta.permissions())
        .map_err(|e| format!("cannot keep its permissions: {e}"))
}

/// Writes a report to `path` (`dols check -o`): through a symlink to the
/// file it names, never over a pipe, a device or a folder, and never into
/// a folder that does not exist.
pub fn write_report(path: &Path, text: &str) -> Result<(), String> {
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        // A new file: its folder must exist.
        Err(_) => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err("is a symlink to nothing".into());
            }
            let folder = folder_of(path);
            if !folder.is_dir() {
                return Err(format!("folder {} does not exist", folder.display()));
            }
            path.to_path_buf()
        }
    };
    let existing = std::fs::metadata(&target).ok();
    if let Some(meta) = &existing {
        if !meta.is_file() {
            return Err("is not a regular file (a pipe, a device or a folder)".into());
        }
    }
    let temp = temp_beside(&target, folder_of(&target), text, existing.as_ref())?;
    temp.persist(&target)
        .map(drop)
        .map_err(|e| e.error.to_string())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn plan<'a>(path: &'a Path, before: Option<&'a str>, after: &'a str) -> PlannedWrite<'a> {
        PlannedWrite {
            path,
            before,
            after,
        }
    }

    thread_local! {
        /// Runs once between staging and the renames, to break a rename.
        pub(super) static AFTER_STAGING: std::cell::Cell<Option<Box<dyn FnOnce()>>> =
            const { std::cell::Cell::new(None) };
    }

    /// A rename that fails after others succeeded (here: a file appears
    /// where a fix creates one, after staging) puts the replaced files
    /// back and leaves no temporary file or backup behind.
    #[test]
    fn a_rename_failing_halfway_puts_the_earlier_files_back() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ts");
        let b = dir.path().join("b.ts");
        let c = dir.path().join("c.ts");
        std::fs::write(&a, "a1").unwrap();
        std::fs::write(&c, "c1").unwrap();
        let intruder = b.clone();
        AFTER_STAGING.with(|hook| {
            hook.set(Some(Box::new(move || {
                std::fs::write(&intruder, "appeared").unwrap();
            })))
        });
        let err = write_all_or_nothing(&[
            plan(&a, Some("a1"), "a2"),
            plan(&c, Some("c1"), "c2"),
            plan(&b, None, "b-created"),
        ])
        .unwrap_err();
        assert!(err.contains("were put back"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a1");
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "c1");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "appeared");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a.ts", "b.ts", "c.ts"]);
    }

    /// On success no backup is left, and a replaced file has one link.
    #[test]
    fn backups_are_removed_after_a_successful_write() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ts");
        std::fs::write(&a, "a1").unwrap();
        write_all_or_nothing(&[plan(&a, Some("a1"), "a2")]).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a2");
        assert_eq!(std::fs::metadata(&a).unwrap().nlink(), 1);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_changed_since_the_check_stops_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ts");
        let b = dir.path().join("b.ts");
        std::fs::write(&a, "a1").unwrap();
        std::fs::write(&b, "b-edited-meanwhile").unwrap();
        let err = write_all_or_nothing(&[plan(&a, Some("a1"), "a2"), plan(&b, Some("b1"), "b2")])
            .unwrap_err();
        assert!(err.contains("changed since it was checked"), "{err}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a1");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b-edited-meanwhile");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn writes_keep_mode_and_go_through_symlinks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        std::fs::write(&real, "x = 1\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("wrangler.toml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_all_or_nothing(&[plan(&link, Some("x = 1\n"), "x = 2\n")]).unwrap();
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "x = 2\n");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn read_only_files_hard_links_and_existing_creations_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let read_only = dir.path().join("ro.ts");
        std::fs::write(&read_only, "x").unwrap();
        let mut permissions = std::fs::metadata(&read_only).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&read_only, permissions).unwrap();
        let err = write_all_or_nothing(&[plan(&read_only, Some("x"), "y")]).unwrap_err();
        assert!(err.contains("read-only"), "{err}");

        let linked = dir.path().join("linked.ts");
        std::fs::write(&linked, "x").unwrap();
        std::fs::hard_link(&linked, dir.path().join("other.ts")).unwrap();
        let err = write_all_or_nothing(&[plan(&linked, Some("x"), "y")]).unwrap_err();
        assert!(err.contains("hard links"), "{err}");
        assert_eq!(std::fs::read_to_string(&linked).unwrap(), "x");

        let err = write_all_or_nothing(&[plan(&linked, None, "new")]).unwrap_err();
        assert!(err.contains("exists already"), "{err}");
    }

    #[test]
    fn reports_refuse_devices_and_missing_folders() {
        let err = write_report(Path::new("/dev/null"), "report").unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = write_report(&dir.path().join("missing/report.json"), "r").unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        assert!(!dir.path().join("missing").exists());
        let target = dir.path().join("report.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("latest.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_report(&link, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
