//! Wrangler configuration: one typed model for `wrangler.toml`, `wrangler.json`
//! and `wrangler.jsonc`, with a byte range on every key and value.
//!
//! Parsing goes in two steps: each format is read into a generic spanned value
//! tree ([`value::Node`]), then one builder ([`section`]) turns that tree into
//! [`RawSection`]s. [`env`] applies wrangler's inheritance to produce one
//! [`EffectiveConfig`] per environment.

pub mod dotvars;
pub mod env;
pub mod jsonc;
pub mod schema_check;
pub mod section;
pub mod toml;
pub mod value;

use std::sync::Arc;

use crate::files::FileId;
use crate::knowledge::wrangler_schema::WranglerSchema;
use crate::text::{Spanned, TextRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigFormat {
    Toml,
    Json,
    Jsonc,
}

impl ConfigFormat {
    /// The format wrangler would use for a file name, if it is a wrangler config.
    pub fn from_file_name(name: &str) -> Option<ConfigFormat> {
        match name {
            "wrangler.toml" => Some(ConfigFormat::Toml),
            "wrangler.json" => Some(ConfigFormat::Json),
            "wrangler.jsonc" => Some(ConfigFormat::Jsonc),
            _ => None,
        }
    }

    /// wrangler picks json over jsonc over toml in one folder; lower wins.
    pub fn precedence(self) -> u8 {
        match self {
            ConfigFormat::Json => 0,
            ConfigFormat::Jsonc => 1,
            ConfigFormat::Toml => 2,
        }
    }
}

/// A problem found while reading a config: a syntax error (code
/// `config-syntax`) or a value of the wrong shape (also `config-syntax`,
/// e.g. `class_name` that is not a string).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub range: TextRange,
    pub message: String,
}

/// One parsed config file: its top level and its `env.NAME` sections as written.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    pub file: FileId,
    pub format: ConfigFormat,
    pub top: RawSection,
    pub envs: Vec<EnvSection>,
    pub problems: Vec<ConfigProblem>,
    /// What wrangler's schema says is wrong (unknown keys, wrong types, ...).
    pub schema_findings: Vec<schema_check::SchemaFinding>,
    /// The wrangler version whose schema checked the file, and whether it
    /// is the project's own.
    pub schema: Arc<WranglerSchema>,
}

#[derive(Clone, Debug)]
pub struct EnvSection {
    /// The env name as written (`[env.staging]` → `staging`), spanned on the key.
    pub name: Spanned<String>,
    pub section: RawSection,
}

/// The keys of one section (top level or one env) exactly as written. `None`
/// means the key is absent, which matters for inheritance.
#[derive(Clone, Debug, Default)]
pub struct RawSection {
    /// Range of the whole section (the table / object), for pointing at an env.
    pub range: TextRange,
    pub name: Option<Spanned<String>>,
    pub main: Option<Spanned<String>>,
    pub compatibility_date: Option<Spanned<String>>,
    pub compatibility_flags: Option<Vec<Spanned<String>>>,
    /// `durable_objects.bindings`; `Some(vec![])` when `durable_objects` is
    /// present but empty. The range is the `durable_objects` key.
    pub durable_objects: Option<Spanned<Vec<DoBinding>>>,
    /// `migrations`, spanned on the key.
    pub migrations: Option<Spanned<Vec<Migration>>>,
    /// The declarative `exports` map, spanned on the key.
    pub exports: Option<Spanned<Vec<DeclaredExport>>>,
    /// Every non-DO binding name of this section (kv, r2, d1, vars, ...).
    pub bindings: Vec<Binding>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DoBinding {
    /// Range of the whole binding entry.
    pub range: TextRange,
    pub name: Option<Spanned<String>>,
    pub class_name: Option<Spanned<String>>,
    pub script_name: Option<Spanned<String>>,
    pub environment: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    /// Range of the whole migration entry.
    pub range: TextRange,
    pub tag: Option<Spanned<String>>,
    pub new_classes: Vec<Spanned<String>>,
    pub new_sqlite_classes: Vec<Spanned<String>>,
    pub renamed_classes: Vec<RenamedClass>,
    pub deleted_classes: Vec<Spanned<String>>,
    pub transferred_classes: Vec<TransferredClass>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenamedClass {
    pub range: TextRange,
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferredClass {
    pub range: TextRange,
    pub from: Option<Spanned<String>>,
    pub from_script: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
}

/// One entry of the declarative `exports` map: `{ "MyDO": { "type":
/// "durable-object", "storage": "sqlite" } }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredExport {
    pub range: TextRange,
    /// The class name (the map key).
    pub class: Spanned<String>,
    /// `type`; only `durable-object` entries matter to dols.
    pub kind: Option<Spanned<String>>,
    /// `storage`: `sqlite` or `legacy-kv`.
    pub storage: Option<Spanned<String>>,
    /// `state`: `created` (default), `deleted`, `renamed`, `transferred`,
    /// `expecting-transfer`.
    pub state: Option<Spanned<String>>,
    pub renamed_to: Option<Spanned<String>>,
    pub transferred_to: Option<Spanned<String>>,
    pub transfer_from: Option<Spanned<String>>,
}

impl DeclaredExport {
    pub fn is_durable_object(&self) -> bool {
        self.kind
            .as_ref()
            .is_none_or(|k| k.value == "durable-object")
    }

    /// A live entry creates (or expects) the class; tombstones do not.
    pub fn is_live(&self) -> bool {
        matches!(
            self.state.as_ref().map(|s| s.value.as_str()),
            None | Some("created") | Some("expecting-transfer")
        )
    }

    pub fn is_sqlite(&self) -> bool {
        self.storage.as_ref().is_none_or(|s| s.value != "legacy-kv")
    }
}

/// The kind of a binding, named after the wrangler config key it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BindingKind {
    DurableObject,
    KvNamespace,
    R2Bucket,
    D1Database,
    Service,
    Queue,
    Var,
    Secret,
    Ai,
    AnalyticsEngine,
    Hyperdrive,
    Vectorize,
    Workflow,
    Browser,
    Images,
    RateLimit,
    VersionMetadata,
    /// Any other binding-carrying key (mtls_certificates, send_email, ...),
    /// with the config key it came from.
    Other(String),
}

impl BindingKind {
    /// Human wording for messages and hovers.
    pub fn describe(&self) -> String {
        match self {
            BindingKind::DurableObject => "Durable Object namespace".into(),
            BindingKind::KvNamespace => "KV namespace".into(),
            BindingKind::R2Bucket => "R2 bucket".into(),
            BindingKind::D1Database => "D1 database".into(),
            BindingKind::Service => "service binding".into(),
            BindingKind::Queue => "queue producer".into(),
            BindingKind::Var => "variable".into(),
            BindingKind::Secret => "secret".into(),
            BindingKind::Ai => "Workers AI binding".into(),
            BindingKind::AnalyticsEngine => "Analytics Engine dataset".into(),
            BindingKind::Hyperdrive => "Hyperdrive config".into(),
            BindingKind::Vectorize => "Vectorize index".into(),
            BindingKind::Workflow => "Workflow".into(),
            BindingKind::Browser => "Browser Rendering binding".into(),
            BindingKind::Images => "Images binding".into(),
            BindingKind::RateLimit => "rate limiter".into(),
            BindingKind::VersionMetadata => "version metadata binding".into(),
            BindingKind::Other(key) => format!("`{key}` binding"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub kind: BindingKind,
    pub name: Spanned<String>,
    /// Where the name came from: a config file, or a `.dev.vars`/`.env` file.
    pub file: FileId,
}

/// Where an inherited value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    TopLevel,
    Env,
}

/// The config of one Worker in one environment, after wrangler's inheritance:
/// what `wrangler deploy [--env NAME]` would see.
#[derive(Clone, Debug)]
pub struct EffectiveConfig {
    pub file: FileId,
    /// `None` for the top level.
    pub env: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub main: Option<Spanned<String>>,
    pub compatibility_date: Option<Spanned<String>>,
    pub compatibility_flags: Vec<Spanned<String>>,
    /// DO bindings of this env only (never inherited).
    pub do_bindings: Vec<DoBinding>,
    /// Range of the `durable_objects` key of this env, if present.
    pub durable_objects_key: Option<TextRange>,
    pub migrations: Vec<Migration>,
    pub migrations_origin: Option<Origin>,
    /// Range of the `migrations` key that applies (top level or env).
    pub migrations_key: Option<TextRange>,
    pub exports: Vec<DeclaredExport>,
    pub exports_origin: Option<Origin>,
    pub exports_key: Option<TextRange>,
    /// Every binding name visible to code in this env, DO bindings included,
    /// plus secret names from `.dev.vars` / `.env`.
    pub bindings: Vec<Binding>,
}

/// Parses one wrangler config file of any format against the bundled
/// wrangler schema. Never panics; syntax errors and wrongly shaped values end
/// up in [`ConfigFile::problems`].
pub fn parse_config(file: FileId, format: ConfigFormat, text: &str) -> ConfigFile {
    parse_config_with(file, format, text, Arc::clone(WranglerSchema::bundled()))
}

/// The spanned value tree of a config of `format`, with its syntax
/// problems: what every reader of config text (features, fixes) starts from.
pub fn parse_tree(text: &str, format: ConfigFormat) -> (value::Node, Vec<ConfigProblem>) {
    match format {
        ConfigFormat::Toml => toml::parse(text),
        // wrangler reads `.json` as JSONC too.
        ConfigFormat::Json | ConfigFormat::Jsonc => jsonc::parse(text),
    }
}

/// [`parse_config`] with the schema of the project's wrangler.
pub fn parse_config_with(
    file: FileId,
    format: ConfigFormat,
    text: &str,
    schema: Arc<WranglerSchema>,
) -> ConfigFile {
    let (root, problems) = parse_tree(text, format);
    let recovered = !problems.is_empty();
    let mut config = section::build_file(file, format, &root, problems);
    config.schema_findings = schema_check::check(text, &root, &schema, &config.problems, recovered);
    config.schema = schema;
    config
}
