//! Wrangler's own configuration schema: what each config key means, from
//! the authority (the `config-schema.json` wrangler ships), not from a
//! table kept by hand.
//!
//! A copy is compiled in (`server/third_party/wrangler/`, version in
//! `VERSION`); a project's own `node_modules/wrangler/config-schema.json`
//! can take its place, so that answers match the wrangler the project uses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use serde_json::Value;

const BUNDLED_SCHEMA: &str = include_str!("../../third_party/wrangler/config-schema.json");
const BUNDLED_VERSION: &str = include_str!("../../third_party/wrangler/VERSION");

/// Where a schema came from, as said in hovers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaOrigin {
    /// The copy compiled into dols.
    Bundled,
    /// The project's `node_modules/wrangler/config-schema.json`.
    Project,
}

/// One parsed wrangler configuration schema.
#[derive(Debug)]
pub struct WranglerSchema {
    root: Value,
    /// The wrangler version it belongs to (`4.164.0`).
    pub version: String,
    pub origin: SchemaOrigin,
    /// Compiled on first use: most schemas only ever answer hovers.
    validator: OnceLock<Option<jsonschema::Validator>>,
}

/// What the schema says about one key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyDoc {
    pub name: String,
    /// Markdown (the schema's `markdownDescription`, else `description`).
    pub description: Option<String>,
    /// The value's type as the schema names it (`string`, `boolean`,
    /// `object`, `array of object`, `"a" | "b"`).
    pub value_type: Option<String>,
    pub deprecated: Option<String>,
}

/// One step of a path into a config: an object key, or any element of an
/// array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Element,
}

/// How deep `$ref` / `allOf` chains are followed; the schema nests a few
/// levels, a cycle would not end.
const MAX_REF_DEPTH: usize = 16;

impl WranglerSchema {
    /// The schema compiled into dols.
    pub fn bundled() -> &'static Arc<WranglerSchema> {
        static BUNDLED: OnceLock<Arc<WranglerSchema>> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            Arc::new(
                Self::parse(
                    BUNDLED_SCHEMA,
                    BUNDLED_VERSION.trim(),
                    SchemaOrigin::Bundled,
                )
                .expect("the bundled wrangler schema parses"),
            )
        })
    }

    /// The schema for a config in `dir`: the project's own wrangler's
    /// (`node_modules/wrangler/config-schema.json` in `dir` or a parent, as
    /// Node would resolve `wrangler`), else the bundled one. A project copy
    /// that cannot be read or parsed is passed over for the bundled one.
    pub fn for_config_dir(dir: &Path) -> Arc<WranglerSchema> {
        project_schema(dir).unwrap_or_else(|| Arc::clone(Self::bundled()))
    }

    /// The compiled validator, or `None` when the schema is not one a
    /// validator accepts (a broken project copy).
    pub fn validator(&self) -> Option<&jsonschema::Validator> {
        self.validator
            .get_or_init(|| {
                // Draft 7 as the file declares; formats are not checked
                // (wrangler does not check them either).
                jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft7)
                    .build(&self.root)
                    .ok()
            })
            .as_ref()
    }

    /// Reads a schema; `Err` says why it cannot be used.
    pub fn parse(text: &str, version: &str, origin: SchemaOrigin) -> Result<Self, String> {
        let root: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let schema = WranglerSchema {
            root,
            version: version.to_string(),
            origin,
            validator: OnceLock::new(),
        };
        if schema.object_keys(&[]).is_empty() {
            return Err("it describes no top-level keys".to_string());
        }
        Ok(schema)
    }

    /// Says where the schema comes from, for the end of a hover.
    pub fn attribution(&self) -> String {
        match self.origin {
            SchemaOrigin::Bundled => format!(
                "From the configuration schema of wrangler {} (bundled with dols).",
                self.version
            ),
            SchemaOrigin::Project => format!(
                "From the configuration schema of wrangler {} (this project's `node_modules`).",
                self.version
            ),
        }
    }

    /// What the schema says about `key` inside the object at `container`.
    pub fn key(&self, container: &[Step], key: &str) -> Option<KeyDoc> {
        let object = self.node_at(container)?;
        let property = self.property(object, key, 0)?;
        Some(self.describe(key, property))
    }

    /// The type of the value at `path`, as [`KeyDoc::value_type`] names it.
    pub fn value_type(&self, path: &[Step]) -> Option<String> {
        self.type_name(self.node_at(path)?, 0)
    }

    /// The fixed values `key` inside `container` may take: its `enum` and
    /// `const` values over every alternative, and `true` / `false` for a
    /// boolean. Empty for free values (strings, numbers, objects).
    pub fn value_choices(&self, container: &[Step], key: &str) -> Vec<Value> {
        let Some(property) = self
            .node_at(container)
            .and_then(|object| self.property(object, key, 0))
        else {
            return Vec::new();
        };
        let mut alternatives = Vec::new();
        self.alternatives(property, 0, &mut alternatives);
        let mut choices: Vec<Value> = Vec::new();
        let mut add = |value: &Value| {
            if !choices.contains(value) {
                choices.push(value.clone());
            }
        };
        for alt in &alternatives {
            for value in alt
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                add(value);
            }
            if let Some(value) = alt.get("const") {
                add(value);
            }
            let boolean = match alt.get("type") {
                Some(Value::String(ty)) => ty == "boolean",
                Some(Value::Array(types)) => types.iter().any(|t| t == "boolean"),
                _ => false,
            };
            if boolean {
                add(&Value::Bool(true));
                add(&Value::Bool(false));
            }
        }
        choices
    }

    /// Every key the object at `container` may hold, in schema order.
    pub fn object_keys(&self, container: &[Step]) -> Vec<KeyDoc> {
        let Some(object) = self.node_at(container) else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        self.collect_properties(object, 0, &mut |name, property| {
            if !keys.iter().any(|k: &KeyDoc| k.name == name) {
                keys.push(self.describe(name, property));
            }
        });
        keys
    }

    /// The schema of the value at `path` from the root.
    fn node_at(&self, path: &[Step]) -> Option<&Value> {
        let mut node = &self.root;
        for step in path {
            node = match step {
                Step::Key(key) => self.property(node, key, 0)?,
                Step::Element => self.items(node, 0)?,
            };
        }
        Some(node)
    }

    /// Follows `$ref` to its definition.
    fn resolve<'s>(&'s self, node: &'s Value, depth: usize) -> Option<&'s Value> {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) if depth < MAX_REF_DEPTH => {
                let target = self.root.pointer(reference.strip_prefix('#')?)?;
                self.resolve(target, depth + 1)
            }
            Some(_) => None,
            None => Some(node),
        }
    }

    /// The alternatives a node stands for: itself, and the members of its
    /// `allOf` / `anyOf` / `oneOf`, each resolved.
    fn alternatives<'s>(&'s self, node: &'s Value, depth: usize, out: &mut Vec<&'s Value>) {
        let Some(node) = self.resolve(node, depth) else {
            return;
        };
        if depth >= MAX_REF_DEPTH {
            return;
        }
        out.push(node);
        for combinator in ["allOf", "anyOf", "oneOf"] {
            for member in node
                .get(combinator)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.alternatives(member, depth + 1, out);
            }
        }
    }

    /// The schema of `key` in an object schema: a named property, else
    /// the schema every other key takes (`additionalProperties`, as for
    /// `env.<name>`).
    fn property<'s>(&'s self, object: &'s Value, key: &str, depth: usize) -> Option<&'s Value> {
        let mut alternatives = Vec::new();
        self.alternatives(object, depth, &mut alternatives);
        alternatives
            .iter()
            .find_map(|alt| alt.get("properties")?.get(key))
            .or_else(|| {
                alternatives.iter().find_map(|alt| {
                    alt.get("additionalProperties")
                        .filter(|extra| extra.is_object())
                })
            })
    }

    /// The schema of an array's elements (or of an object-or-array's).
    fn items<'s>(&'s self, node: &'s Value, depth: usize) -> Option<&'s Value> {
        let mut alternatives = Vec::new();
        self.alternatives(node, depth, &mut alternatives);
        alternatives.iter().find_map(|alt| alt.get("items"))
    }

    fn collect_properties<'s>(
        &'s self,
        object: &'s Value,
        depth: usize,
        found: &mut dyn FnMut(&'s str, &'s Value),
    ) {
        let mut alternatives = Vec::new();
        self.alternatives(object, depth, &mut alternatives);
        for alt in alternatives {
            for (name, property) in alt
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                found(name, property);
            }
        }
    }

    fn describe(&self, name: &str, property: &Value) -> KeyDoc {
        let mut alternatives = Vec::new();
        self.alternatives(property, 0, &mut alternatives);
        let text = |field: &str| {
            // The key's own words first, then its definition's.
            std::iter::once(property)
                .chain(alternatives.iter().copied())
                .find_map(|node| node.get(field)?.as_str())
                .map(str::to_string)
        };
        KeyDoc {
            name: name.to_string(),
            description: text("markdownDescription")
                .or_else(|| text("description"))
                .map(|d| linkify(&d)),
            value_type: self.type_name(property, 0),
            deprecated: text("deprecated").or_else(|| {
                let flagged = std::iter::once(property)
                    .chain(alternatives.iter().copied())
                    .any(|node| node.get("deprecated") == Some(&Value::Bool(true)));
                flagged.then(|| "deprecated".to_string())
            }),
        }
    }

    /// A short name for the type a schema node accepts.
    fn type_name(&self, node: &Value, depth: usize) -> Option<String> {
        let node = self.resolve(node, depth)?;
        if let Some(values) = node.get("enum").and_then(Value::as_array) {
            let names: Vec<String> = values.iter().map(Value::to_string).collect();
            return Some(names.join(" | "));
        }
        if let Some(constant) = node.get("const") {
            return Some(constant.to_string());
        }
        match node.get("type") {
            Some(Value::String(ty)) if ty == "array" => {
                let element = node
                    .get("items")
                    .and_then(|items| self.type_name(items, depth + 1));
                Some(match element {
                    Some(element) => format!("array of {element}"),
                    None => "array".to_string(),
                })
            }
            Some(Value::String(ty)) => Some(ty.clone()),
            Some(Value::Array(types)) => Some(
                types
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" | "),
            ),
            _ if depth < MAX_REF_DEPTH => {
                let members: Vec<String> = ["anyOf", "oneOf"]
                    .iter()
                    .filter_map(|c| node.get(*c)?.as_array())
                    .flatten()
                    .filter_map(|member| self.type_name(member, depth + 1))
                    .collect();
                (!members.is_empty()).then(|| {
                    let mut unique: Vec<String> = Vec::new();
                    for member in members {
                        if !unique.contains(&member) {
                            unique.push(member);
                        }
                    }
                    unique.join(" | ")
                })
            }
            _ => None,
        }
    }
}

/// Bare `http(s)://` addresses become CommonMark autolinks (`<...>`), so
/// every editor renders them clickable; addresses already in a link or in
/// code are left alone.
fn linkify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("http") {
        let (before, tail) = rest.split_at(at);
        out.push_str(before);
        let linked = matches!(before.chars().last(), Some('(' | '<' | '[' | '`' | '"'));
        let is_url = tail.starts_with("https://") || tail.starts_with("http://");
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '`' | '"'))
            .unwrap_or(tail.len());
        // A sentence's final period is not part of the address.
        let end = tail[..end].trim_end_matches(['.', ',', ';', ':']).len();
        if is_url && !linked && end > "https://".len() {
            out.push('<');
            out.push_str(&tail[..end]);
            out.push('>');
        } else {
            out.push_str(&tail[..end.max(4)]);
        }
        rest = &tail[end.max(4)..];
    }
    out.push_str(rest);
    out
}

/// A project schema as last read, with the stamp of its file.
type CachedSchema = (FileStamp, Arc<WranglerSchema>);

/// Size and modification time: enough to see that `npm install` replaced
/// the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| FileStamp {
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// The nearest `node_modules/wrangler` schema above `dir`, read once per
/// version of the file (configs are parsed again on every edit).
fn project_schema(dir: &Path) -> Option<Arc<WranglerSchema>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, CachedSchema>>> = OnceLock::new();
    let package = dir
        .ancestors()
        .map(|d| d.join("node_modules").join("wrangler"))
        .find(|p| p.join("package.json").is_file())?;
    let schema_path = package.join("config-schema.json");
    let stamp = stamp(&schema_path)?;
    let cache = CACHE.get_or_init(Default::default);
    if let Some((seen, schema)) = cache.lock().ok()?.get(&schema_path) {
        if *seen == stamp {
            return Some(Arc::clone(schema));
        }
    }
    let text = std::fs::read_to_string(&schema_path).ok()?;
    let version = std::fs::read_to_string(package.join("package.json"))
        .ok()
        .and_then(|p| serde_json::from_str::<Value>(&p).ok())
        .and_then(|p| p.get("version")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "(unknown version)".to_string());
    let schema = Arc::new(WranglerSchema::parse(&text, &version, SchemaOrigin::Project).ok()?);
    cache
        .lock()
        .ok()?
        .insert(schema_path, (stamp, Arc::clone(&schema)));
    Some(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_schema_loads_and_knows_the_top_level_keys() {
        let schema = WranglerSchema::bundled();
        assert_eq!(schema.origin, SchemaOrigin::Bundled);
        assert!(!schema.version.is_empty());
        let keys = schema.object_keys(&[]);
        for key in [
            "name",
            "main",
            "compatibility_date",
            "durable_objects",
            "migrations",
            "env",
        ] {
            assert!(keys.iter().any(|k| k.name == key), "{key} missing");
        }
        // Far more than the 48 keys the old hand-written table knew.
        assert!(keys.len() > 80, "{}", keys.len());
        let date = schema.key(&[], "compatibility_date").expect("documented");
        assert_eq!(date.value_type.as_deref(), Some("string"));
        assert!(date.description.is_some());
    }

    #[test]
    fn nested_keys_are_found_through_refs_arrays_and_envs() {
        let schema = WranglerSchema::bundled();
        let binding = [
            Step::Key("durable_objects"),
            Step::Key("bindings"),
            Step::Element,
        ];
        let class = schema.key(&binding, "class_name").expect("class_name");
        assert!(class.description.is_some());
        let in_env = [Step::Key("env"), Step::Key("staging")];
        assert!(schema.key(&in_env, "routes").is_some());
        let migration = [Step::Key("migrations"), Step::Element];
        assert!(schema.key(&migration, "new_sqlite_classes").is_some());
        assert!(schema.key(&[], "compatability_date").is_none());
    }

    #[test]
    fn bare_addresses_become_links() {
        assert_eq!(
            linkify("More details at https://developers.cloudflare.com/x."),
            "More details at <https://developers.cloudflare.com/x>."
        );
        let already = "See [docs](https://a.dev/x) and `http://localhost`.";
        assert_eq!(linkify(already), already);
        assert_eq!(linkify("http is a protocol"), "http is a protocol");
    }

    #[test]
    fn a_schema_of_another_version_is_read_and_says_so() {
        let text = r##"{"definitions":{"RawConfig":{"type":"object","properties":{
            "name":{"type":"string","description":"The Worker's name."}}}},
            "allOf":[{"$ref":"#/definitions/RawConfig"}]}"##;
        let schema = WranglerSchema::parse(text, "3.99.0", SchemaOrigin::Project).unwrap();
        let name = schema.key(&[], "name").unwrap();
        assert_eq!(name.description.as_deref(), Some("The Worker's name."));
        assert!(schema.key(&[], "main").is_none());
        assert!(schema.attribution().contains("3.99.0"));
        assert!(WranglerSchema::parse("{}", "1", SchemaOrigin::Project).is_err());
        assert!(WranglerSchema::parse("not json", "1", SchemaOrigin::Project).is_err());
    }
}
