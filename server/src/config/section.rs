//! The one builder from a [`Node`] tree (any format) to the typed model.
//!
//! Values of the wrong shape are reported as [`ConfigProblem`]s and skipped;
//! missing values are simply `None` (rules decide whether that matters).

use super::value::{Entry, Node};
use super::{
    Binding, BindingKind, ConfigFile, ConfigFormat, ConfigProblem, DeclaredExport, DoBinding,
    EnvSection, Migration, RawSection, RenamedClass, TransferredClass,
};
use crate::files::FileId;
use crate::text::Spanned;

/// Builds a [`ConfigFile`] from a parsed root; `problems` are the syntax
/// errors found by the parser, shape problems are appended to them.
pub fn build_file(
    file: FileId,
    format: ConfigFormat,
    root: &Node,
    problems: Vec<ConfigProblem>,
) -> ConfigFile {
    let mut builder = Builder {
        file,
        prefix: String::new(),
        problems,
    };
    let top = builder.section(root);
    let mut envs = Vec::new();
    if let Some(env) = root.get("env") {
        if builder.expect_object(&env.value, "env") {
            for entry in entries(&env.value) {
                let name = &entry.key.value;
                builder.prefix = format!("env.{name}.");
                if builder.expect_object(&entry.value, "") {
                    envs.push(EnvSection {
                        name: entry.key.clone(),
                        section: builder.section(&entry.value),
                    });
                }
            }
        }
    }
    ConfigFile {
        file,
        format,
        top,
        envs,
        problems: builder.problems,
        schema_findings: Vec::new(),
        schema: std::sync::Arc::clone(crate::knowledge::wrangler_schema::WranglerSchema::bundled()),
    }
}

/// Builds one section (the top level, or the object of one `env.NAME`).
pub fn build_section(file: FileId, node: &Node, problems: &mut Vec<ConfigProblem>) -> RawSection {
    let mut builder = Builder {
        file,
        prefix: String::new(),
        problems: std::mem::take(problems),
    };
    let section = builder.section(node);
    *problems = builder.problems;
    section
}

/// The entries of an object node, skipping any that a later duplicate key
/// overrides (JSON only), so each key is read once, the way wrangler sees it.
/// One pass from the end with a set of the keys seen, so a table of many
/// keys costs linear time (comparing each key with the later ones took 2 s
/// for 40,000 keys).
fn entries(node: &Node) -> impl Iterator<Item = &Entry> {
    let all = node.as_object().unwrap_or_default();
    let mut seen = std::collections::HashSet::with_capacity(all.len());
    let mut last: Vec<bool> = all
        .iter()
        .rev()
        .map(|e| seen.insert(e.key.value.as_str()))
        .collect();
    last.reverse();
    all.iter()
        .zip(last)
        .filter(|(_, last)| *last)
        .map(|(e, _)| e)
}

/// Where a binding-carrying config key keeps its binding names.
enum Names {
    /// An array of objects, the name in this field: `kv_namespaces[].binding`.
    EachItem(&'static str),
    /// One object, the name in this field: `ai.binding`.
    Field(&'static str),
    /// An array of objects inside an object: `queues.producers[].binding`.
    ItemsIn(&'static str, &'static str),
    /// An array of strings inside an object: `secrets.required[]`.
    StringsIn(&'static str),
    /// The keys of an object: `vars`.
    Keys,
}

/// The binding kind and name location of a top-level config key; `None`
/// for keys that bind nothing (DOs are handled separately).
fn binding_source(key: &str) -> Option<(BindingKind, Names)> {
    use BindingKind as K;
    let other = |key: &str| K::Other(key.to_owned());
    Some(match key {
        "kv_namespaces" => (K::KvNamespace, Names::EachItem("binding")),
        "r2_buckets" => (K::R2Bucket, Names::EachItem("binding")),
        "d1_databases" => (K::D1Database, Names::EachItem("binding")),
        "services" => (K::Service, Names::EachItem("binding")),
        "queues" => (K::Queue, Names::ItemsIn("producers", "binding")),
        "vars" => (K::Var, Names::Keys),
        "ai" => (K::Ai, Names::Field("binding")),
        "analytics_engine_datasets" => (K::AnalyticsEngine, Names::EachItem("binding")),
        "hyperdrive" => (K::Hyperdrive, Names::EachItem("binding")),
        "vectorize" => (K::Vectorize, Names::EachItem("binding")),
        "workflows" => (K::Workflow, Names::EachItem("binding")),
        "browser" => (K::Browser, Names::Field("binding")),
        "images" => (K::Images, Names::Field("binding")),
        // wrangler names rate limiters with `name`, not `binding`.
        "ratelimits" => (K::RateLimit, Names::EachItem("name")),
        "version_metadata" => (K::VersionMetadata, Names::Field("binding")),
        "secrets" => (K::Secret, Names::StringsIn("required")),
        "send_email" => (other(key), Names::EachItem("name")),
        "unsafe" => (other(key), Names::ItemsIn("bindings", "name")),
        "mtls_certificates"
        | "dispatch_namespaces"
        | "pipelines"
        | "secrets_store_secrets"
        | "worker_loaders"
        | "vpc_services" => (other(key), Names::EachItem("binding")),
        "assets" | "media" => (other(key), Names::Field("binding")),
        _ => return None,
    })
}

struct Builder {
    file: FileId,
    /// `env.NAME.` inside an env, so messages name the full key path.
    prefix: String,
    problems: Vec<ConfigProblem>,
}

impl Builder {
    fn section(&mut self, node: &Node) -> RawSection {
        let mut section = RawSection {
            range: node.range,
            ..RawSection::default()
        };
        if !self.expect_object(node, "") {
            return section;
        }
        for entry in entries(node) {
            let key = entry.key.value.as_str();
            let value = &entry.value;
            match key {
                "name" => section.name = self.string(value, key),
                "main" => section.main = self.string(value, key),
                "compatibility_date" => section.compatibility_date = self.string(value, key),
                "compatibility_flags" => {
                    section.compatibility_flags = Some(self.strings(value, key));
                }
                "durable_objects" => section.durable_objects = Some(self.durable_objects(entry)),
                "migrations" => {
                    let migrations = self
                        .array(value, key)
                        .iter()
                        .enumerate()
                        .filter_map(|(i, item)| self.migration(item, &format!("{key}[{i}]")))
                        .collect();
                    section.migrations = Some(Spanned::new(migrations, entry.key.range));
                }
                "exports" => section.exports = Some(self.exports(entry)),
                _ => {
                    if let Some((kind, names)) = binding_source(key) {
                        self.bindings(entry, kind, names, &mut section.bindings);
                    }
                }
            }
        }
        section
    }

    fn durable_objects(&mut self, entry: &Entry) -> Spanned<Vec<DoBinding>> {
        let key = entry.key.value.as_str();
        let mut bindings = Vec::new();
        if self.expect_object(&entry.value, key) {
            match entry.value.get_value("bindings") {
                Some(list) => {
                    let path = format!("{key}.bindings");
                    for (i, item) in self.array(list, &path).iter().enumerate() {
                        let path = format!("{path}[{i}]");
                        if self.expect_object(item, &path) {
                            bindings.push(DoBinding {
                                range: item.range,
                                name: self.field(item, "name", &path),
                                class_name: self.field(item, "class_name", &path),
                                script_name: self.field(item, "script_name", &path),
                                environment: self.field(item, "environment", &path),
                            });
                        }
                    }
                }
                None => {
                    let message = format!(
                        "`{}{key}` is missing the required `bindings` array",
                        self.prefix
                    );
                    self.report(entry.key.range, message);
                }
            }
        }
        Spanned::new(bindings, entry.key.range)
    }

    fn migration(&mut self, item: &Node, path: &str) -> Option<Migration> {
        if !self.expect_object(item, path) {
            return None;
        }
        let list = |this: &mut Self, key: &str| match item.get_value(key) {
            Some(value) => this.strings(value, &format!("{path}.{key}")),
            None => Vec::new(),
        };
        let new_classes = list(self, "new_classes");
        let new_sqlite_classes = list(self, "new_sqlite_classes");
        let deleted_classes = list(self, "deleted_classes");

        let mut renamed_classes = Vec::new();
        if let Some(value) = item.get_value("renamed_classes") {
            let path = format!("{path}.renamed_classes");
            for (i, rename) in self.array(value, &path).iter().enumerate() {
                let path = format!("{path}[{i}]");
                if self.expect_object(rename, &path) {
                    renamed_classes.push(RenamedClass {
                        range: rename.range,
                        from: self.field(rename, "from", &path),
                        to: self.field(rename, "to", &path),
                    });
                }
            }
        }

        let mut transferred_classes = Vec::new();
        if let Some(value) = item.get_value("transferred_classes") {
            let path = format!("{path}.transferred_classes");
            for (i, transfer) in self.array(value, &path).iter().enumerate() {
                let path = format!("{path}[{i}]");
                if self.expect_object(transfer, &path) {
                    transferred_classes.push(TransferredClass {
                        range: transfer.range,
                        from: self.field(transfer, "from", &path),
                        from_script: self.field(transfer, "from_script", &path),
                        to: self.field(transfer, "to", &path),
                    });
                }
            }
        }

        Some(Migration {
            range: item.range,
            tag: self.field(item, "tag", path),
            new_classes,
            new_sqlite_classes,
            renamed_classes,
            deleted_classes,
            transferred_classes,
        })
    }

    fn exports(&mut self, entry: &Entry) -> Spanned<Vec<DeclaredExport>> {
        let key = entry.key.value.as_str();
        let mut exports = Vec::new();
        if self.expect_object(&entry.value, key) {
            for export in entries(&entry.value) {
                let path = format!("{key}.{}", export.key.value);
                let value = &export.value;
                if self.expect_object(value, &path) {
                    exports.push(DeclaredExport {
                        range: export.range(),
                        class: export.key.clone(),
                        kind: self.field(value, "type", &path),
                        storage: self.field(value, "storage", &path),
                        state: self.field(value, "state", &path),
                        renamed_to: self.field(value, "renamed_to", &path),
                        transferred_to: self.field(value, "transferred_to", &path),
                        transfer_from: self.field(value, "transfer_from", &path),
                    });
                }
            }
        }
        Spanned::new(exports, entry.key.range)
    }

    fn bindings(&mut self, entry: &Entry, kind: BindingKind, names: Names, out: &mut Vec<Binding>) {
        let key = entry.key.value.as_str();
        let value = &entry.value;
        let mut found: Vec<Spanned<String>> = Vec::new();
        match names {
            Names::EachItem(field) => self.names_in_items(value, key, field, &mut found),
            Names::Field(field) => {
                if self.expect_object(value, key) {
                    found.extend(self.field(value, field, key));
                }
            }
            Names::ItemsIn(list, field) => {
                if self.expect_object(value, key) {
                    if let Some(items) = value.get_value(list) {
                        self.names_in_items(items, &format!("{key}.{list}"), field, &mut found);
                    }
                }
            }
            Names::StringsIn(list) => {
                if self.expect_object(value, key) {
                    if let Some(items) = value.get_value(list) {
                        found.extend(self.strings(items, &format!("{key}.{list}")));
                    }
                }
            }
            Names::Keys => {
                if self.expect_object(value, key) {
                    found.extend(entries(value).map(|e| e.key.clone()));
                }
            }
        }
        out.extend(found.into_iter().map(|name| Binding {
            kind: kind.clone(),
            name,
            file: self.file,
        }));
    }

    /// `field` of each object in the array `list`.
    fn names_in_items(
        &mut self,
        list: &Node,
        path: &str,
        field: &str,
        out: &mut Vec<Spanned<String>>,
    ) {
        for (i, item) in self.array(list, path).iter().enumerate() {
            let path = format!("{path}[{i}]");
            if self.expect_object(item, &path) {
                out.extend(self.field(item, field, &path));
            }
        }
    }

    /// The string at `object.key`, if present; reports a non-string.
    fn field(&mut self, object: &Node, key: &str, path: &str) -> Option<Spanned<String>> {
        let value = object.get_value(key)?;
        self.string(value, &format!("{path}.{key}"))
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<Spanned<String>> {
        let string = node.as_spanned_str();
        if string.is_none() {
            self.wrong_shape(node, path, "a string");
        }
        string
    }

    /// An array of strings; other elements are reported and skipped.
    fn strings(&mut self, node: &Node, path: &str) -> Vec<Spanned<String>> {
        let mut out = Vec::new();
        if node.as_array().is_none() {
            self.wrong_shape(node, path, "an array of strings");
        }
        for (i, item) in node.as_array().unwrap_or_default().iter().enumerate() {
            out.extend(self.string(item, &format!("{path}[{i}]")));
        }
        out
    }

    /// The items of an array node; anything else is reported and read as empty.
    fn array<'n>(&mut self, node: &'n Node, path: &str) -> &'n [Node] {
        node.as_array().unwrap_or_else(|| {
            self.wrong_shape(node, path, "an array");
            &[]
        })
    }

    fn expect_object(&mut self, node: &Node, path: &str) -> bool {
        let ok = node.as_object().is_some();
        if !ok {
            self.wrong_shape(node, path, "an object");
        }
        ok
    }

    fn wrong_shape(&mut self, node: &Node, path: &str, expected: &str) {
        let full = format!("{}{path}", self.prefix);
        let full = full.trim_end_matches('.');
        let message = if full.is_empty() {
            format!(
                "the configuration should be {expected}, found {}",
                node.describe()
            )
        } else {
            format!("`{full}` should be {expected}, found {}", node.describe())
        };
        self.report(node.range, message);
    }

    fn report(&mut self, range: crate::text::TextRange, message: String) {
        self.problems.push(ConfigProblem { range, message });
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{parse_config, BindingKind, ConfigFile, ConfigFormat};
    use crate::files::FileId;
    use crate::text::TextRange;

    const TOML: &str = r#"
name = "counter-app"
main = "src/index.ts"
compatibility_date = "2025-04-01"
compatibility_flags = ["nodejs_compat"]

[vars]
GREETING = "hello"

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "REMOTE"
class_name = "Remote"
script_name = "other"
environment = "production"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]

[[migrations]]
tag = "v2"
renamed_classes = [{ from = "Counter", to = "Tally" }]
deleted_classes = ["Old"]
transferred_classes = [{ from = "A", from_script = "s", to = "B" }]

[exports.Tally]
type = "durable-object"
storage = "sqlite"

[ai]
binding = "AI"

[queues]
producers = [{ binding = "JOBS", queue = "jobs" }]

[[ratelimits]]
name = "LIMITER"

[secrets]
required = ["API_KEY"]

[[unsafe.bindings]]
name = "RAW"

[env.staging]
vars = { GREETING = "hi" }

[env.staging.durable_objects]
bindings = [{ name = "COUNTER", class_name = "Counter" }]

[env.production]
name = "prod-app"

[[env.production.migrations]]
tag = "p1"
new_classes = ["Counter"]
"#;

    const JSON: &str = r#"{
  "name": "counter-app",
  "main": "src/index.ts",
  "compatibility_date": "2025-04-01",
  "compatibility_flags": ["nodejs_compat"],
  "vars": { "GREETING": "hello" },
  "kv_namespaces": [{ "binding": "CACHE", "id": "abc" }],
  "durable_objects": {
    "bindings": [
      { "name": "COUNTER", "class_name": "Counter" },
      { "name": "REMOTE", "class_name": "Remote", "script_name": "other", "environment": "production" }
    ]
  },
  "migrations": [
    { "tag": "v1", "new_sqlite_classes": ["Counter"] },
    {
      "tag": "v2",
      "renamed_classes": [{ "from": "Counter", "to": "Tally" }],
      "deleted_classes": ["Old"],
      "transferred_classes": [{ "from": "A", "from_script": "s", "to": "B" }]
    }
  ],
  "exports": { "Tally": { "type": "durable-object", "storage": "sqlite" } },
  "ai": { "binding": "AI" },
  "queues": { "producers": [{ "binding": "JOBS", "queue": "jobs" }] },
  "ratelimits": [{ "name": "LIMITER" }],
  "secrets": { "required": ["API_KEY"] },
  "unsafe": { "bindings": [{ "name": "RAW" }] },
  "env": {
    "staging": {
      "vars": { "GREETING": "hi" },
      "durable_objects": { "bindings": [{ "name": "COUNTER", "class_name": "Counter" }] }
    },
    "production": {
      "name": "prod-app",
      "migrations": [{ "tag": "p1", "new_classes": ["Counter"] }]
    }
  }
}"#;

    /// The JSON config with comments and trailing commas.
    fn jsonc() -> String {
        JSON.replace("\"main\"", "// entry point\n  \"main\"")
            .replace("\"Old\"]", "\"Old\", /* gone */]")
            .replace("\"jobs\" }]", "\"jobs\", },]")
    }

    fn parse(format: ConfigFormat, text: &str) -> ConfigFile {
        parse_config(FileId(1), format, text)
    }

    /// The model without its ranges, to compare formats.
    fn values_only(config: &ConfigFile) -> String {
        let mut text = format!("{:#?}", (&config.top.bindings, &config.top, &config.envs));
        while let Some(start) = text.find("TextRange {") {
            let end = text[start..]
                .find('}')
                .map_or(text.len(), |i| start + i + 1);
            text.replace_range(start..end, "_");
        }
        text
    }

    fn at(text: &str, range: TextRange) -> &str {
        &text[range.as_std()]
    }

    #[test]
    fn toml_json_and_jsonc_build_the_same_model() {
        let toml = parse(ConfigFormat::Toml, TOML);
        let json = parse(ConfigFormat::Json, JSON);
        let jsonc_text = jsonc();
        let jsonc = parse(ConfigFormat::Jsonc, &jsonc_text);
        for config in [&toml, &json, &jsonc] {
            assert!(config.problems.is_empty(), "{:?}", config.problems);
        }
        assert_eq!(values_only(&toml), values_only(&json));
        assert_eq!(values_only(&json), values_only(&jsonc));

        let top = &toml.top;
        assert_eq!(top.name.as_ref().unwrap().value, "counter-app");
        assert_eq!(
            top.compatibility_flags.as_ref().unwrap()[0].value,
            "nodejs_compat"
        );
        let dos = &top.durable_objects.as_ref().unwrap().value;
        assert_eq!(dos.len(), 2);
        assert_eq!(dos[1].environment.as_ref().unwrap().value, "production");
        let migrations = &top.migrations.as_ref().unwrap().value;
        assert_eq!(
            migrations[1].renamed_classes[0].to.as_ref().unwrap().value,
            "Tally"
        );
        assert_eq!(
            migrations[1].transferred_classes[0]
                .from_script
                .as_ref()
                .unwrap()
                .value,
            "s"
        );
        let export = &top.exports.as_ref().unwrap().value[0];
        assert_eq!(export.class.value, "Tally");
        assert!(export.is_durable_object() && export.is_sqlite() && export.is_live());

        let bindings: Vec<_> = top
            .bindings
            .iter()
            .map(|b| (b.kind.clone(), b.name.value.as_str()))
            .collect();
        assert_eq!(
            bindings,
            [
                (BindingKind::Var, "GREETING"),
                (BindingKind::KvNamespace, "CACHE"),
                (BindingKind::Ai, "AI"),
                (BindingKind::Queue, "JOBS"),
                (BindingKind::RateLimit, "LIMITER"),
                (BindingKind::Secret, "API_KEY"),
                (BindingKind::Other("unsafe".into()), "RAW"),
            ]
        );
        let envs: Vec<_> = toml.envs.iter().map(|e| e.name.value.as_str()).collect();
        assert_eq!(envs, ["staging", "production"]);
    }

    #[test]
    fn spans_point_at_the_source() {
        let toml = parse(ConfigFormat::Toml, TOML);
        let top = &toml.top;
        assert_eq!(
            at(TOML, top.name.as_ref().unwrap().range),
            "\"counter-app\""
        );
        let dos = top.durable_objects.as_ref().unwrap();
        assert_eq!(at(TOML, dos.range), "durable_objects");
        assert_eq!(at(TOML, dos.value[0].range), "[[durable_objects.bindings]]");
        assert_eq!(
            at(TOML, dos.value[0].class_name.as_ref().unwrap().range),
            "\"Counter\""
        );
        assert_eq!(
            at(TOML, top.migrations.as_ref().unwrap().range),
            "migrations"
        );
        assert_eq!(at(TOML, top.bindings[0].name.range), "GREETING");
        let export = &top.exports.as_ref().unwrap().value[0];
        assert_eq!(at(TOML, export.class.range), "Tally");
        assert_eq!(at(TOML, export.range), "[exports.Tally]");
        let staging = &toml.envs[0];
        assert_eq!(at(TOML, staging.name.range), "staging");
        assert_eq!(at(TOML, staging.section.range), "[env.staging]");

        let json = parse(ConfigFormat::Json, JSON);
        let top = &json.top;
        assert_eq!(
            at(JSON, top.name.as_ref().unwrap().range),
            "\"counter-app\""
        );
        let dos = top.durable_objects.as_ref().unwrap();
        assert_eq!(at(JSON, dos.range), "\"durable_objects\"");
        assert_eq!(
            at(JSON, dos.value[0].range),
            r#"{ "name": "COUNTER", "class_name": "Counter" }"#
        );
        assert_eq!(at(JSON, top.bindings[0].name.range), "\"GREETING\"");
        assert_eq!(at(JSON, top.bindings[1].name.range), "\"CACHE\"");
        let export = &top.exports.as_ref().unwrap().value[0];
        assert_eq!(
            at(JSON, export.range),
            r#""Tally": { "type": "durable-object", "storage": "sqlite" }"#
        );
        assert_eq!(at(JSON, json.envs[1].name.range), "\"production\"");
    }

    #[test]
    fn wrong_shapes_become_problems() {
        let text = r#"
name = 5
compatibility_flags = ["a", 1]
migrations = "v1"

[durable_objects]
foo = 1

[[kv_namespaces]]
binding = true

[env.staging]
durable_objects = { bindings = [{ name = "X", class_name = 5 }, "oops"] }
exports = { A = 1, B = { state = "deleted" } }
vars = []
"#;
        let config = parse(ConfigFormat::Toml, text);
        let problems: Vec<_> = config
            .problems
            .iter()
            .map(|p| (at(text, p.range), p.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                ("5", "`name` should be a string, found a number"),
                ("1", "`compatibility_flags[1]` should be a string, found a number"),
                ("\"v1\"", "`migrations` should be an array, found a string"),
                (
                    "durable_objects",
                    "`durable_objects` is missing the required `bindings` array"
                ),
                ("true", "`kv_namespaces[0].binding` should be a string, found a boolean"),
                (
                    "5",
                    "`env.staging.durable_objects.bindings[0].class_name` should be a string, found a number"
                ),
                (
                    "\"oops\"",
                    "`env.staging.durable_objects.bindings[1]` should be an object, found a string"
                ),
                ("1", "`env.staging.exports.A` should be an object, found a number"),
                ("[]", "`env.staging.vars` should be an object, found an array"),
            ]
        );
        let top = &config.top;
        assert!(top.name.is_none());
        assert_eq!(top.compatibility_flags.as_ref().unwrap().len(), 1);
        assert!(top.migrations.as_ref().unwrap().value.is_empty());
        assert!(top.durable_objects.as_ref().unwrap().value.is_empty());
        assert!(top.bindings.is_empty());
        let staging = &config.envs[0].section;
        let dos = &staging.durable_objects.as_ref().unwrap().value;
        assert_eq!(dos.len(), 1);
        assert!(dos[0].class_name.is_none());
        let exports = &staging.exports.as_ref().unwrap().value;
        assert_eq!(exports.len(), 1);
        assert!(!exports[0].is_live());
    }

    #[test]
    fn non_object_roots_and_envs_are_problems() {
        let config = parse(ConfigFormat::Json, "[1, 2]");
        assert_eq!(
            config.problems[0].message,
            "the configuration should be an object, found an array"
        );
        let config = parse(
            ConfigFormat::Json,
            r#"{ "env": { "a": 1, "b": {} }, "durable_objects": [] }"#,
        );
        let messages: Vec<_> = config.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`durable_objects` should be an object, found an array",
                "`env.a` should be an object, found a number",
            ]
        );
        assert_eq!(config.envs.len(), 1);
        assert!(config.top.durable_objects.is_some());
    }

    #[test]
    fn broken_files_still_build() {
        let config = parse(ConfigFormat::Jsonc, "{ \"name\": \"a\", ");
        assert_eq!(config.problems.len(), 1);
        assert!(config.top.name.is_none());

        let text = "name = \"app\"\nmain =\n[[durable_objects.bindings]]\nname = \"X\"\nclass_name = \"Y\"\n";
        let config = parse(ConfigFormat::Toml, text);
        assert_eq!(config.problems.len(), 1, "{:?}", config.problems);
        let dos = &config.top.durable_objects.as_ref().unwrap().value;
        assert_eq!(dos[0].class_name.as_ref().unwrap().value, "Y");

        for garbage in [
            "\u{0}\u{1}[[[",
            "{{{",
            "env = 1",
            "[env]\nx = 1",
            "durable_objects = 1",
        ] {
            for format in [ConfigFormat::Toml, ConfigFormat::Jsonc] {
                let _ = parse(format, garbage);
            }
        }
    }
}
