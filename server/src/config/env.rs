//! wrangler's environment inheritance: what `wrangler deploy [--env NAME]`
//! sees for each environment of one config file (wrangler-facts §4).
//!
//! Inherited when the env does not set them: `main`, `compatibility_date`,
//! `compatibility_flags`, `migrations`, `exports` (and `assets`, so its
//! binding). `name` becomes `<name>-<env>` unless the env sets its own. Every
//! other binding, `vars` and `durable_objects` included, is per env.

use super::{Binding, BindingKind, ConfigFile, DoBinding, EffectiveConfig, Origin, RawSection};
use crate::text::Spanned;

/// One config per environment: index 0 is the top level (`env: None`), then
/// one per `env.NAME` in file order. `secrets` (from `.dev.vars` / `.env`) are
/// visible in every environment.
pub fn effective_configs(config: &ConfigFile, secrets: &[Binding]) -> Vec<EffectiveConfig> {
    effective_configs_with(config, |_| secrets)
}

/// Like [`effective_configs`], with the secrets chosen per environment
/// (`None` for the top level), for projects with `.dev.vars.<env>` files.
pub fn effective_configs_with<'s>(
    config: &ConfigFile,
    secrets_for: impl Fn(Option<&str>) -> &'s [Binding],
) -> Vec<EffectiveConfig> {
    let top = &config.top;
    let mut out = Vec::with_capacity(config.envs.len() + 1);
    out.push(effective(
        config,
        None,
        top,
        top.name.clone(),
        secrets_for(None),
    ));
    for env in &config.envs {
        let section = &env.section;
        let name = section.name.clone().or_else(|| {
            // The derived name is shown on the top-level `name`, where it is written.
            top.name
                .as_ref()
                .map(|n| Spanned::new(format!("{}-{}", n.value, env.name.value), n.range))
        });
        let secrets = secrets_for(Some(&env.name.value));
        out.push(effective(config, Some(&env.name), section, name, secrets));
    }
    out
}

/// `section` is the env's own section (or the top level for `env: None`);
/// inheritable keys it lacks come from the top level.
fn effective(
    config: &ConfigFile,
    env: Option<&Spanned<String>>,
    section: &RawSection,
    name: Option<Spanned<String>>,
    secrets: &[Binding],
) -> EffectiveConfig {
    let top = &config.top;
    let own_origin = if env.is_some() {
        Origin::Env
    } else {
        Origin::TopLevel
    };
    let (migrations, migrations_origin) = inherit(&section.migrations, &top.migrations, own_origin);
    let (exports, exports_origin) = inherit(&section.exports, &top.exports, own_origin);

    let do_bindings: Vec<DoBinding> = section
        .durable_objects
        .as_ref()
        .map(|d| d.value.clone())
        .unwrap_or_default();

    let mut bindings = section.bindings.clone();
    // `assets` is inherited, so is the binding it may declare.
    let is_assets = |b: &&Binding| b.kind == BindingKind::Other("assets".into());
    if env.is_some() && !bindings.iter().any(|b| is_assets(&b)) {
        bindings.extend(top.bindings.iter().filter(is_assets).cloned());
    }
    bindings.extend(do_bindings.iter().filter_map(|d| {
        Some(Binding {
            kind: BindingKind::DurableObject,
            name: d.name.clone()?,
            file: config.file,
        })
    }));
    bindings.extend_from_slice(secrets);

    EffectiveConfig {
        file: config.file,
        env: env.cloned(),
        name,
        main: section.main.clone().or_else(|| top.main.clone()),
        compatibility_date: section
            .compatibility_date
            .clone()
            .or_else(|| top.compatibility_date.clone()),
        compatibility_flags: section
            .compatibility_flags
            .as_ref()
            .or(top.compatibility_flags.as_ref())
            .cloned()
            .unwrap_or_default(),
        durable_objects_key: section.durable_objects.as_ref().map(|d| d.range),
        do_bindings,
        migrations_key: migrations.map(|m| m.range),
        migrations: migrations.map(|m| m.value.clone()).unwrap_or_default(),
        migrations_origin,
        exports_key: exports.map(|e| e.range),
        exports: exports.map(|e| e.value.clone()).unwrap_or_default(),
        exports_origin,
        bindings,
    }
}

/// The section's own value if it has one (origin `own_origin`), else the
/// top level's.
fn inherit<'a, T>(
    own: &'a Option<Spanned<T>>,
    top: &'a Option<Spanned<T>>,
    own_origin: Origin,
) -> (Option<&'a Spanned<T>>, Option<Origin>) {
    match (own, top) {
        (Some(own), _) => (Some(own), Some(own_origin)),
        (None, Some(top)) => (Some(top), Some(Origin::TopLevel)),
        (None, None) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse_config, ConfigFormat};
    use crate::files::FileId;
    use crate::text::TextRange;

    const TEXT: &str = r#"
name = "app"
main = "src/index.ts"
compatibility_date = "2025-04-01"
compatibility_flags = ["nodejs_compat"]
assets = { directory = "public", binding = "ASSETS" }
vars = { MODE = "dev" }

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[env.staging]
vars = { MODE = "staging" }

[env.production]
name = "prod"
main = "src/prod.ts"
compatibility_flags = []
[[env.production.durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
[[env.production.migrations]]
tag = "p1"
new_classes = ["Counter"]
"#;

    fn configs(secrets: &[Binding]) -> Vec<EffectiveConfig> {
        let config = parse_config(FileId(3), ConfigFormat::Toml, TEXT);
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        effective_configs(&config, secrets)
    }

    fn at(range: TextRange) -> &'static str {
        &TEXT[range.as_std()]
    }

    fn names(config: &EffectiveConfig) -> Vec<(BindingKind, &str)> {
        config
            .bindings
            .iter()
            .map(|b| (b.kind.clone(), b.name.value.as_str()))
            .collect()
    }

    fn secret(name: &str) -> Binding {
        Binding {
            kind: BindingKind::Secret,
            name: Spanned::new(name.into(), TextRange::new(0, name.len())),
            file: FileId(9),
        }
    }

    #[test]
    fn top_level_comes_first_with_its_own_values() {
        let all = configs(&[]);
        assert_eq!(all.len(), 3);
        let top = &all[0];
        assert!(top.env.is_none());
        assert_eq!(top.name.as_ref().unwrap().value, "app");
        assert_eq!(top.do_bindings.len(), 1);
        assert_eq!(at(top.durable_objects_key.unwrap()), "durable_objects");
        assert_eq!(top.migrations_origin, Some(Origin::TopLevel));
        assert_eq!(top.exports_origin, None);
        assert_eq!(
            names(top),
            [
                (BindingKind::Other("assets".into()), "ASSETS"),
                (BindingKind::Var, "MODE"),
                (BindingKind::DurableObject, "COUNTER"),
            ]
        );
    }

    #[test]
    fn env_without_its_own_keys_inherits_the_inheritable_ones() {
        let all = configs(&[]);
        let staging = &all[1];
        assert_eq!(staging.env.as_ref().unwrap().value, "staging");
        // `<name>-<env>`, shown on the top-level name.
        let name = staging.name.as_ref().unwrap();
        assert_eq!(name.value, "app-staging");
        assert_eq!(at(name.range), "\"app\"");
        assert_eq!(staging.main.as_ref().unwrap().value, "src/index.ts");
        assert_eq!(
            staging.compatibility_date.as_ref().unwrap().value,
            "2025-04-01"
        );
        assert_eq!(staging.compatibility_flags.len(), 1);
        assert_eq!(staging.migrations.len(), 1);
        assert_eq!(staging.migrations_origin, Some(Origin::TopLevel));
        assert_eq!(at(staging.migrations_key.unwrap()), "migrations");
        // Durable Objects are not inherited, nor is any other binding; the
        // `assets` binding is, with `assets`.
        assert!(staging.do_bindings.is_empty());
        assert!(staging.durable_objects_key.is_none());
        assert_eq!(
            names(staging),
            [
                (BindingKind::Var, "MODE"),
                (BindingKind::Other("assets".into()), "ASSETS"),
            ]
        );
        assert_eq!(at(staging.bindings[0].name.range), "MODE");
        assert!(staging.bindings[0].name.range.start > TEXT.find("[env.staging]").unwrap() as u32);
    }

    #[test]
    fn env_with_its_own_keys_overrides() {
        let all = configs(&[]);
        let production = &all[2];
        assert_eq!(production.name.as_ref().unwrap().value, "prod");
        assert_eq!(production.main.as_ref().unwrap().value, "src/prod.ts");
        // Set but empty: not inherited.
        assert!(production.compatibility_flags.is_empty());
        assert_eq!(production.migrations_origin, Some(Origin::Env));
        assert_eq!(production.migrations[0].tag.as_ref().unwrap().value, "p1");
        let key = production.migrations_key.unwrap();
        assert!(key.start as usize > TEXT.find("[env.production]").unwrap());
        assert_eq!(production.do_bindings.len(), 1);
        assert_eq!(
            names(production),
            [
                (BindingKind::Other("assets".into()), "ASSETS"),
                (BindingKind::DurableObject, "COUNTER"),
            ]
        );
    }

    #[test]
    fn secrets_are_visible_in_every_env() {
        let all = configs(&[secret("API_KEY")]);
        for config in &all {
            assert_eq!(config.bindings.last().unwrap().name.value, "API_KEY");
        }

        let config = parse_config(FileId(3), ConfigFormat::Toml, TEXT);
        let shared = [secret("SHARED")];
        let staging_only = [secret("STAGING_ONLY")];
        let all = effective_configs_with(&config, |env| match env {
            Some("staging") => &staging_only,
            _ => &shared,
        });
        assert_eq!(all[0].bindings.last().unwrap().name.value, "SHARED");
        assert_eq!(all[1].bindings.last().unwrap().name.value, "STAGING_ONLY");
        assert_eq!(all[2].bindings.last().unwrap().name.value, "SHARED");
    }

    #[test]
    fn exports_are_inherited_like_migrations() {
        let text = "name = \"a\"\n[exports.Counter]\ntype = \"durable-object\"\n[env.dev]\n[env.prod.exports.Other]\nstorage = \"legacy-kv\"\n";
        let config = parse_config(FileId(0), ConfigFormat::Toml, text);
        let all = effective_configs(&config, &[]);
        assert_eq!(all[1].exports_origin, Some(Origin::TopLevel));
        assert_eq!(all[1].exports[0].class.value, "Counter");
        assert_eq!(all[2].exports_origin, Some(Origin::Env));
        assert_eq!(all[2].exports[0].class.value, "Other");
        assert!(!all[2].exports[0].is_sqlite());
        assert!(all[2].migrations.is_empty() && all[2].migrations_origin.is_none());
    }

    #[test]
    fn no_top_level_name_means_no_env_name() {
        let config = parse_config(FileId(0), ConfigFormat::Json, r#"{ "env": { "x": {} } }"#);
        let all = effective_configs(&config, &[]);
        assert!(all[1].name.is_none());
    }
}
