//! User settings shared by `dols check` and the language server: rule
//! severities and extra paths to ignore. They come from `dols.toml` at the
//! workspace root, and in the editor also from `initializationOptions` /
//! `workspace/didChangeConfiguration` (same shape, editor wins).
//!
//! ```toml
//! # dols.toml
//! [rules]
//! legacy-kv-backend = "off"      # or "error", "warning", "info", "hint"
//! binding-not-in-env = "error"
//!
//! [files]
//! exclude = ["examples/**", "scratch/"]
//! max-files = 200000             # files read per workspace (the default)
//! max-bytes = 2147483648         # bytes read per workspace (the default)
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::rules::{self, RuleSettings};

pub const FILE_NAME: &str = "dols.toml";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub rules: RuleSettings,
    /// Gitignore-style globs, relative to the workspace root.
    pub exclude: Vec<String>,
    /// How many files and bytes a workspace may have before the rest is
    /// left out (and said).
    pub limits: crate::discovery::Limits,
}

/// The raw shape, shared by `dols.toml` and editor settings (JSON).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default)]
    rules: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    files: RawFiles,
    /// Editors send `exclude` at the top level too.
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFiles {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default, rename = "max-files")]
    max_files: Option<usize>,
    #[serde(default, rename = "max-bytes")]
    max_bytes: Option<u64>,
}

impl Settings {
    /// Reads `dols.toml` text; errors say what is wrong and where.
    pub fn from_toml(text: &str) -> Result<Settings, String> {
        let raw: RawSettings = toml::from_str(text).map_err(|e| e.to_string())?;
        Settings::default().merged(raw)
    }

    /// Applies editor settings (JSON) on top of these.
    pub fn with_editor_settings(&self, value: &serde_json::Value) -> Result<Settings, String> {
        if value.is_null() {
            return Ok(self.clone());
        }
        // Clients send settings in several shapes: the bare object, wrapped
        // in a `dols` section (lspconfig's `settings = { dols = ... }`), or
        // with client-side keys next to ours (`server`, `trace`). Read ours
        // and ignore the rest, so one client key doesn't discard them all.
        let section = value.get("dols").filter(|v| v.is_object()).unwrap_or(value);
        let Some(object) = section.as_object() else {
            return Err("settings must be an object".to_string());
        };
        let ours: serde_json::Map<String, serde_json::Value> = object
            .iter()
            .filter(|(key, _)| matches!(key.as_str(), "rules" | "files" | "exclude"))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let raw: RawSettings =
            serde_json::from_value(serde_json::Value::Object(ours)).map_err(|e| e.to_string())?;
        self.clone().merged(raw)
    }

    fn merged(mut self, raw: RawSettings) -> Result<Settings, String> {
        for (id, level) in raw.rules {
            if rules::by_id(&id).is_none() {
                return Err(format!("unknown rule `{id}` (see `dols rules`)"));
            }
            let severity = match level.as_str() {
                "off" => None,
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                "hint" => Some(Severity::Hint),
                other => {
                    return Err(format!(
                        "rule `{id}`: `{other}` is not one of off, error, warning, info, hint"
                    ))
                }
            };
            self.rules.overrides.insert(id, severity);
        }
        if let Some(max) = raw.files.max_files {
            self.limits.max_files = max;
        }
        if let Some(max) = raw.files.max_bytes {
            self.limits.max_bytes = max;
        }
        for glob in raw.files.exclude.into_iter().chain(raw.exclude) {
            // Refused here, with the reason, rather than dropped by the walk:
            // a pattern that silently matches nothing leaves files checked
            // that the user meant to leave out (or the reverse).
            check_exclude_glob(&glob)?;
            self.exclude.push(glob);
        }
        Ok(self)
    }
}

/// An `exclude` pattern must be a valid gitignore-style glob.
fn check_exclude_glob(glob: &str) -> Result<(), String> {
    let mut builder = ignore::overrides::OverrideBuilder::new("/");
    match builder.add(&format!("!{glob}")) {
        Ok(_) => Ok(()),
        Err(err) => Err(format!("invalid `exclude` pattern `{glob}`: {err}")),
    }
}

/// The `dols.toml` that applies to `start`: in it or the nearest folder above.
pub fn find_settings_file(start: &Path) -> Option<PathBuf> {
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    dir.ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// Reads and parses a `dols.toml`: a regular file of at most 1 MiB (a
/// FIFO or a device under that name is refused, never read).
pub fn read_settings_file(path: &Path) -> Result<Settings, String> {
    let bytes =
        crate::discovery::read_regular_file(path, 1024 * 1024).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())?;
    Settings::from_toml(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pattern the walk could not use is an error with the reason, from
    /// `dols.toml` and from editor settings alike, not a silent no-op.
    #[test]
    fn invalid_exclude_patterns_are_refused() {
        let err = Settings::from_toml("[files]\nexclude = [\"src/[a\"]\n").unwrap_err();
        assert!(err.contains("invalid `exclude` pattern `src/[a`"), "{err}");
        let editor = serde_json::json!({ "exclude": ["ok/**", "{a,b"] });
        let err = Settings::default()
            .with_editor_settings(&editor)
            .unwrap_err();
        assert!(err.contains("`{a,b`"), "{err}");
        assert!(Settings::from_toml("[files]\nexclude = [\"gen/**\", \"*.test.ts\"]\n").is_ok());
    }

    #[test]
    fn workspace_caps_are_read_from_the_files_table() {
        let settings =
            Settings::from_toml("[files]\nmax-files = 10\nmax-bytes = 1_000_000\n").unwrap();
        assert_eq!(settings.limits.max_files, 10);
        assert_eq!(settings.limits.max_bytes, 1_000_000);
        let defaults = Settings::from_toml("").unwrap();
        assert_eq!(defaults.limits, crate::discovery::Limits::default());
        assert!(Settings::from_toml("[files]\nmax-files = -1\n").is_err());
    }

    #[test]
    fn reads_rules_and_excludes() {
        let settings = Settings::from_toml(
            "[rules]\nlegacy-kv-backend = \"off\"\nbinding-not-in-env = \"error\"\n[files]\nexclude = [\"examples/**\"]\n",
        )
        .unwrap();
        assert_eq!(settings.rules.overrides["legacy-kv-backend"], None);
        assert_eq!(
            settings.rules.overrides["binding-not-in-env"],
            Some(Severity::Error)
        );
        assert_eq!(settings.exclude, vec!["examples/**"]);
    }

    #[test]
    fn editor_settings_ignore_client_keys_and_unwrap_a_dols_section() {
        let wrapped = serde_json::json!({
            "dols": { "rules": { "api-limit": "off" }, "server": { "path": "/x" }, "trace": { "server": "off" } }
        });
        let settings = Settings::default().with_editor_settings(&wrapped).unwrap();
        assert_eq!(settings.rules.overrides.get("api-limit"), Some(&None));
        let bare = serde_json::json!({ "exclude": ["gen/**"], "trace": "verbose" });
        let settings = Settings::default().with_editor_settings(&bare).unwrap();
        assert_eq!(settings.exclude, vec!["gen/**".to_string()]);
        let wrong = serde_json::json!({ "rules": { "no-such-rule": "off" } });
        assert!(Settings::default().with_editor_settings(&wrong).is_err());
    }

    #[test]
    fn rejects_unknown_rules_levels_and_keys() {
        assert!(Settings::from_toml("[rules]\nno-such-rule = \"off\"")
            .unwrap_err()
            .contains("no-such-rule"));
        assert!(Settings::from_toml("[rules]\nlegacy-kv-backend = \"loud\"")
            .unwrap_err()
            .contains("loud"));
        assert!(Settings::from_toml("[rulez]\n").is_err());
    }

    #[test]
    fn editor_settings_override_the_file() {
        let base = Settings::from_toml("[rules]\nlegacy-kv-backend = \"off\"").unwrap();
        let merged = base
            .with_editor_settings(
                &serde_json::json!({"rules": {"legacy-kv-backend": "error"}, "exclude": ["tmp/"]}),
            )
            .unwrap();
        assert_eq!(
            merged.rules.overrides["legacy-kv-backend"],
            Some(Severity::Error)
        );
        assert_eq!(merged.exclude, vec!["tmp/"]);
    }
}
