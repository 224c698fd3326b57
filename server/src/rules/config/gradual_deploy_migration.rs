//! `gradual-deploy-migration`: `wrangler versions upload` in a package.json
//! script of a Worker whose config has migrations.

use super::{Check, Reporter, Rule, RuleCtx};
use crate::diagnostic::Severity;
use crate::text::TextRange;

pub static RULE: Rule = Rule {
    id: "gradual-deploy-migration",
    severity: Severity::Info,
    summary: "A package.json script deploys with `wrangler versions upload` while the Worker's config has Durable Object migrations.",
    docs: r#"
## What it finds
A script in the `package.json` next to a wrangler config that runs
`wrangler versions upload` (without `--dry-run`, and not after a
`wrangler deploy` in the same script), when that config declares
`migrations`.

## Why it matters
Migrations are applied all at once, by a regular deployment. A version
that brings a new migration tag is refused by `versions upload`, so the
next time someone adds a class, renames or deletes one, this deploy script
fails ("pending Durable Object migration"); `versions upload --dry-run`
does not notice. Nothing is wrong while the migrations are already
applied, which is why this is only information.

## Example
```json
{
  "scripts": {
    "deploy": "wrangler versions upload && wrangler versions deploy"
  }
}
```
```toml
[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
```

## How to fix
Ship a release that adds or changes migrations with `wrangler deploy`,
then go back to gradual deployments for later versions. Keeping a separate
script (`"deploy:migrations": "wrangler deploy"`) makes that step explicit.
"#,
    prevents: &[
        "This Worker has a pending Durable Object migration, which cannot be applied by wrangler versions upload",
    ],
    check: Check::Workspace(check),
};

fn check(ws: &RuleCtx, out: &mut Reporter) {
    for worker in ws.checked_workers() {
        let Some(top) = worker.envs.first() else {
            continue;
        };
        let Some(migrations_key) = top.migrations_key else {
            continue;
        };
        if top.migrations.is_empty() {
            continue;
        }
        let Some(package) = ws.files.lookup(&worker.dir.join("package.json")) else {
            continue;
        };
        let config_name = ws
            .files
            .path(worker.config)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let text = ws.files.text(package);
        for (name, range) in versioned_upload_scripts(text, config_name) {
            out.report(
                package,
                range,
                format!(
                    "script `{name}` runs `wrangler versions upload`, which refuses a version that adds a Durable Object migration; deploy migration changes with `wrangler deploy`"
                ),
            )
            .with_related_mut(worker.config, migrations_key, "migrations of this Worker");
        }
    }
}

/// Scripts (name, range of the value) that upload a version of the Worker
/// whose config file is named `config_name`.
fn versioned_upload_scripts(text: &str, config_name: &str) -> Vec<(String, TextRange)> {
    let Ok(serde_json::Value::Object(root)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return Vec::new();
    };
    let Some(serde_json::Value::Object(scripts)) = root.get("scripts") else {
        return Vec::new();
    };
    let scripts_at = text.find("\"scripts\"").unwrap_or(0);
    let mut out = Vec::new();
    for (name, value) in scripts {
        let Some(command) = value.as_str() else {
            continue;
        };
        if !uploads_version(command, config_name) {
            continue;
        }
        // Locate `"name": "value"` after the `scripts` key for the range.
        let key = serde_json::to_string(name).unwrap_or_default();
        let Some(key_at) = text[scripts_at..].find(&key).map(|i| i + scripts_at) else {
            continue;
        };
        let after_key = &text[key_at + key.len()..];
        let Some(colon) = after_key.find(':') else {
            continue;
        };
        let Some(quote) = after_key[colon..].find('"') else {
            continue;
        };
        let start = key_at + key.len() + colon + quote;
        let end = text[start + 1..]
            .char_indices()
            .scan(false, |escaped, (i, c)| {
                let done = c == '"' && !*escaped;
                *escaped = c == '\\' && !*escaped;
                Some((i, done))
            })
            .find(|(_, done)| *done)
            .map(|(i, _)| start + 1 + i + 1);
        let Some(end) = end else { continue };
        out.push((name.clone(), TextRange::new(start, end)));
    }
    out
}

/// True when `command` runs `wrangler versions upload` for real against
/// this config (no `--dry-run`, no other `-c/--config`, no `wrangler deploy`
/// before it).
fn uploads_version(command: &str, config_name: &str) -> bool {
    for part in command
        .split("&&")
        .flat_map(|p| p.split(';'))
        .flat_map(|p| p.split("||"))
    {
        let words: Vec<&str> = part.split_whitespace().collect();
        let Some(at) = words
            .iter()
            .position(|w| *w == "wrangler" || w.ends_with("/wrangler"))
        else {
            continue;
        };
        let args = &words[at + 1..];
        if args.first() == Some(&"deploy") {
            return false; // migrations applied first by a regular deploy
        }
        if args.len() < 2 || args[0] != "versions" || args[1] != "upload" {
            continue;
        }
        if args
            .iter()
            .any(|a| *a == "--dry-run" || a.starts_with("--dry-run="))
        {
            return false;
        }
        let config = args.iter().enumerate().find_map(|(i, a)| {
            if *a == "-c" || *a == "--config" {
                args.get(i + 1).copied()
            } else {
                a.strip_prefix("--config=")
                    .or_else(|| a.strip_prefix("-c="))
            }
        });
        if let Some(config) = config {
            let file = config.rsplit('/').next().unwrap_or(config);
            if file != config_name || config.contains("..") {
                return false;
            }
        }
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::uploads_version;

    #[test]
    fn reads_scripts() {
        assert!(uploads_version("wrangler versions upload", "wrangler.toml"));
        assert!(uploads_version(
            "npm run build && npx wrangler versions upload --tag x",
            "wrangler.toml"
        ));
        assert!(!uploads_version(
            "wrangler versions upload --dry-run",
            "wrangler.toml"
        ));
        assert!(!uploads_version(
            "wrangler deploy && wrangler versions upload",
            "wrangler.toml"
        ));
        assert!(!uploads_version(
            "wrangler versions upload -c wrangler.staging.toml",
            "wrangler.toml"
        ));
        assert!(!uploads_version(
            "wrangler versions deploy",
            "wrangler.toml"
        ));
    }
}
