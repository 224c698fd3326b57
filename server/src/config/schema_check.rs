//! Checks a config against wrangler's own schema
//! ([`WranglerSchema`](crate::knowledge::wrangler_schema::WranglerSchema)).
//!
//! The spanned value tree is turned into JSON and handed to a JSON Schema
//! validator; each error comes back with a JSON pointer, which is walked
//! down the same tree to find the key or value to underline. The findings
//! are kept on the [`ConfigFile`](super::ConfigFile); one rule per kind
//! reports them (`unknown-config-key`, `invalid-config-value`,
//! `top-level-only-key`, `deprecated-config-key`).

use std::borrow::Cow;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::ValidationError;
use serde_json::{Map, Number, Value};

use super::value::{Node, NodeKind};
use super::ConfigProblem;
use crate::knowledge::wrangler_schema::{Step, WranglerSchema};
use crate::rules::support::likely_typo_of;
use crate::text::TextRange;

/// What is wrong, one kind per rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemaFindingKind {
    /// A key the schema does not know at that place.
    UnknownKey,
    /// A value of the wrong type, outside an enum, or breaking another
    /// constraint of the schema (a missing required key, a pattern).
    InvalidValue,
    /// A key only the top level may hold, written inside `env.NAME`.
    TopLevelOnlyKey,
    /// A key the schema marks deprecated.
    DeprecatedKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaFinding {
    pub kind: SchemaFindingKind,
    pub range: TextRange,
    pub message: String,
    /// For an unknown key close to a known one: that key.
    pub suggestion: Option<String>,
}

/// Validates `root` against `schema`. Places `problems` already cover (a
/// syntax error, a shape the typed builder reported) are not reported again.
/// With `recovered` (the parser skipped broken lines), keys the schema
/// requires are not asked for: they may sit on a skipped line.
pub fn check(
    text: &str,
    root: &Node,
    schema: &WranglerSchema,
    problems: &[ConfigProblem],
    recovered: bool,
) -> Vec<SchemaFinding> {
    if root.as_object().is_none() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    if let Some(validator) = schema.validator() {
        let instance = to_json(root);
        let mut checker = Checker {
            recovered,
            text,
            root,
            schema,
            findings: &mut findings,
        };
        for error in validator.iter_errors(&instance) {
            checker.error(&error);
        }
    }
    deprecated_keys(root, schema, &mut Vec::new(), &mut findings);
    findings.retain(|f| !problems.iter().any(|p| overlaps(p.range, f.range)));
    findings.sort_by_key(|f| (f.range.start, f.range.end, f.kind as u8));
    findings.dedup_by(|a, b| a.range == b.range && a.kind == b.kind);
    findings
}

fn overlaps(a: TextRange, b: TextRange) -> bool {
    a.start < b.end && b.start < a.end || a == b
}

/// The JSON wrangler would see. Numbers are kept as written when JSON can
/// hold them; values JSON has no word for (TOML dates, `inf`) become
/// `null`, which every key of interest refuses.
pub(crate) fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::String(s) => Value::String(s.clone()),
        NodeKind::Number(text) => number(text).map_or(Value::Null, Value::Number),
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Object(entries) => {
            // Later duplicates win, as `Node::get` and `JSON.parse` do.
            let mut map = Map::new();
            for entry in entries {
                map.insert(entry.key.value.clone(), to_json(&entry.value));
            }
            Value::Object(map)
        }
        NodeKind::Other => Value::Null,
    }
}

fn number(text: &str) -> Option<Number> {
    let plain = text.replace('_', "");
    if let Ok(n) = plain.parse::<i64>() {
        return Some(n.into());
    }
    if let Ok(n) = plain.parse::<u64>() {
        return Some(n.into());
    }
    plain.parse::<f64>().ok().and_then(Number::from_f64)
}

/// One step of a path into the config, as the validator names it.
#[derive(Clone, Debug)]
enum Segment<'a> {
    Key(Cow<'a, str>),
    Index(usize),
}

fn segments<'e>(error: &'e ValidationError<'_>) -> Vec<Segment<'e>> {
    error
        .instance_path()
        .segments()
        .map(|segment| match segment {
            LocationSegment::Property(key) => Segment::Key(key),
            LocationSegment::Index(index) => Segment::Index(index),
        })
        .collect()
}

/// The node at `path`, with the entry key that leads to it (if the last
/// step is a key).
fn node_at<'n>(root: &'n Node, path: &[Segment]) -> Option<(&'n Node, Option<TextRange>)> {
    let mut node = root;
    let mut key = None;
    for segment in path {
        match segment {
            Segment::Key(name) => {
                let entry = node.get(name)?;
                key = Some(entry.key.range);
                node = &entry.value;
            }
            Segment::Index(index) => {
                node = node.as_array()?.get(*index)?;
                key = None;
            }
        }
    }
    Some((node, key))
}

/// `durable_objects.bindings[0].class_name`, or `the top level`.
fn display_path(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

fn steps<'p>(path: &'p [Segment]) -> Vec<Step<'p>> {
    path.iter()
        .map(|segment| match segment {
            Segment::Key(name) => Step::Key(name),
            Segment::Index(_) => Step::Element,
        })
        .collect()
}

/// Whether `path` is `env.NAME` itself.
fn is_env_section(path: &[Segment]) -> bool {
    matches!(path, [Segment::Key(env), Segment::Key(_)] if env == "env")
}

struct Checker<'a> {
    recovered: bool,
    text: &'a str,
    root: &'a Node,
    schema: &'a WranglerSchema,
    findings: &'a mut Vec<SchemaFinding>,
}

impl Checker<'_> {
    fn error(&mut self, error: &ValidationError<'_>) {
        let path = segments(error);
        let Some((node, key)) = node_at(self.root, &path) else {
            return;
        };
        let here = display_path(&path);
        let message = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                for name in unexpected {
                    self.unexpected_key(&path, node, name);
                }
                return;
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                self.alternatives(&path, node, context);
                return;
            }
            // The schema's alternatives overlap; not the config's fault.
            ValidationErrorKind::OneOfMultipleValid { .. } => return,
            ValidationErrorKind::Type { kind } => format!(
                "`{here}` should be {}, found {}",
                expected_types(kind),
                node.describe()
            ),
            ValidationErrorKind::Enum { options } => format!(
                "`{here}` should be {}, found {}",
                one_of(options),
                written(node)
            ),
            ValidationErrorKind::Constant { expected_value } => format!(
                "`{here}` should be {expected_value}, found {}",
                written(node)
            ),
            ValidationErrorKind::Required { .. } if self.recovered => return,
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let place = if here.is_empty() {
                    "the configuration".to_string()
                } else {
                    format!("`{here}`")
                };
                let range = key.unwrap_or(node.range);
                self.push(
                    SchemaFindingKind::InvalidValue,
                    first_line(self.text, range),
                    format!("{place} is missing the required key `{name}`"),
                    None,
                );
                return;
            }
            ValidationErrorKind::Pattern { pattern } => format!(
                "`{here}` should match the pattern `{pattern}`, found {}",
                written(node)
            ),
            _ => format!("`{here}`: {}", error.masked()),
        };
        self.push(SchemaFindingKind::InvalidValue, node.range, message, None);
    }

    fn unexpected_key(&mut self, path: &[Segment], object: &Node, name: &str) {
        let Some(entry) = object.get(name) else {
            return;
        };
        let range = entry.key.range;
        if is_env_section(path) && self.schema.key(&[], name).is_some() {
            let env = display_path(path);
            self.push(
                SchemaFindingKind::TopLevelOnlyKey,
                range,
                format!(
                    "`{name}` is only read at the top level of the config; inside `{env}` wrangler ignores it"
                ),
                None,
            );
            return;
        }
        if let Some(advice) = legacy_key(path, name) {
            self.push(
                SchemaFindingKind::DeprecatedKey,
                range,
                format!("`{name}` is deprecated: {advice}"),
                None,
            );
            return;
        }
        let known = self.schema.object_keys(&steps(path));
        let suggestion =
            likely_typo_of(name, known.iter().map(|k| k.name.as_str())).map(str::to_string);
        let place = if path.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in `{}`", display_path(path))
        };
        let message = match &suggestion {
            Some(near) => {
                format!("`{name}` is not a wrangler config key {place}; did you mean `{near}`?")
            }
            None => format!("`{name}` is not a wrangler config key {place}; wrangler ignores it"),
        };
        self.push(SchemaFindingKind::UnknownKey, range, message, suggestion);
    }

    /// An `anyOf` / `oneOf` no alternative accepts. The alternatives that
    /// came closest are found (fewest discriminators such as `type` missed,
    /// then fewest errors); when the value is of a type none of them takes,
    /// that is said once; otherwise the errors those alternatives share are
    /// reported (a misspelt key inside a route object is an unknown key in
    /// every route form), and when they share none, the value's accepted
    /// forms are named.
    fn alternatives(
        &mut self,
        path: &[Segment],
        node: &Node,
        context: &[Vec<ValidationError<'static>>],
    ) {
        let depth = path.len();
        let level = |e: &ValidationError<'_>| e.instance_path().segments().count();
        let score = |errors: &Vec<ValidationError<'static>>| {
            let misses = |deepest: usize| {
                errors
                    .iter()
                    .filter(|e| level(e) <= deepest)
                    .filter(|e| {
                        matches!(
                            e.kind(),
                            ValidationErrorKind::Type { .. }
                                | ValidationErrorKind::Constant { .. }
                                | ValidationErrorKind::Enum { .. }
                        )
                    })
                    .count()
            };
            (misses(depth), misses(depth + 1), errors.len())
        };
        let branches: Vec<_> = context.iter().filter(|errors| !errors.is_empty()).collect();
        let Some(best) = branches.iter().map(|errors| score(errors)).min() else {
            return;
        };
        let closest: Vec<_> = branches.iter().filter(|e| score(e) == best).collect();
        let key = |e: &ValidationError<'_>| {
            (
                e.kind().keyword().to_string(),
                e.instance_path().as_str().to_string(),
                e.masked().to_string(),
            )
        };
        let shared: Vec<&ValidationError<'static>> = match closest.as_slice() {
            [only] => only.iter().collect(),
            [first, rest @ ..] => first
                .iter()
                .filter(|e| {
                    rest.iter()
                        .all(|other| other.iter().any(|o| key(o) == key(e)))
                })
                .collect(),
            [] => Vec::new(),
        };
        if best.0 == 0 && !shared.is_empty() {
            for error in shared {
                self.error(error);
            }
            return;
        }
        let expected = self
            .schema
            .value_type(&steps(path))
            .unwrap_or_else(|| "another value".to_string());
        let message = format!(
            "`{}` should be {expected}, found {}",
            display_path(path),
            written(node)
        );
        self.push(
            SchemaFindingKind::InvalidValue,
            first_line(self.text, node.range),
            message,
            None,
        );
    }

    fn push(
        &mut self,
        kind: SchemaFindingKind,
        range: TextRange,
        message: String,
        suggestion: Option<String>,
    ) {
        self.findings.push(SchemaFinding {
            kind,
            range,
            message,
            suggestion,
        });
    }
}

/// Keys wrangler still reads (with a deprecation warning or a "removed"
/// error) that its schema no longer lists: (the object's key, the legacy
/// key, advice). From wrangler's own config validation.
const LEGACY_KEYS: &[(&str, &str, &str)] = &[
    ("", "node_compat", "removed in wrangler 4, which refuses it; use the `nodejs_compat` compatibility flag"),
    ("containers", "instances", "use `max_instances`"),
    ("containers", "durable_objects", "name the Durable Object class in `class_name`"),
    ("containers", "wrangler_ssh", "use `ssh`"),
    ("containers", "configuration", "move `image` and the other fields to the container itself; set limits with `instance_type`"),
];

/// The advice for a legacy key at `path`, if `name` is one.
fn legacy_key(path: &[Segment], name: &str) -> Option<&'static str> {
    let in_env = is_env_section(path);
    let parent = path
        .iter()
        .rev()
        .find_map(|segment| match segment {
            Segment::Key(key) => Some(key.as_ref()),
            Segment::Index(_) => None,
        })
        .filter(|_| !in_env && !path.is_empty())
        .unwrap_or("");
    LEGACY_KEYS
        .iter()
        .find(|(object, key, _)| *object == parent && *key == name)
        .map(|(_, _, advice)| *advice)
}

/// Keys the schema marks deprecated, anywhere in the tree.
fn deprecated_keys<'n>(
    node: &'n Node,
    schema: &WranglerSchema,
    path: &mut Vec<Step<'n>>,
    out: &mut Vec<SchemaFinding>,
) {
    match &node.kind {
        NodeKind::Object(entries) => {
            for entry in entries {
                let name = entry.key.value.as_str();
                let Some(doc) = schema.key(path, name) else {
                    continue;
                };
                if let Some(why) = doc.deprecated {
                    let advice = if why == "deprecated" {
                        String::new()
                    } else {
                        format!(": {why}")
                    };
                    out.push(SchemaFinding {
                        kind: SchemaFindingKind::DeprecatedKey,
                        range: entry.key.range,
                        message: format!("`{name}` is deprecated{advice}"),
                        suggestion: None,
                    });
                }
                // Values of free-form maps (`vars`, `define`) are the
                // user's data, not config keys.
                if matches!(name, "vars" | "define" | "unsafe") {
                    continue;
                }
                path.push(Step::Key(name));
                deprecated_keys(&entry.value, schema, path, out);
                path.pop();
            }
        }
        NodeKind::Array(items) => {
            path.push(Step::Element);
            for item in items {
                deprecated_keys(item, schema, path, out);
            }
            path.pop();
        }
        _ => {}
    }
}

fn expected_types(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(ty) => with_article(&ty.to_string()),
        TypeKind::Multiple(types) => {
            let names: Vec<String> = types.iter().map(|t| with_article(&t.to_string())).collect();
            names.join(" or ")
        }
    }
}

fn with_article(type_name: &str) -> String {
    match type_name {
        "array" | "object" | "integer" => format!("an {type_name}"),
        "null" => "null".to_string(),
        other => format!("a {other}"),
    }
}

fn one_of(options: &Value) -> String {
    match options.as_array() {
        Some(values) if values.len() == 1 => values[0].to_string(),
        Some(values) => {
            let names: Vec<String> = values.iter().map(Value::to_string).collect();
            format!("one of {}", names.join(", "))
        }
        None => options.to_string(),
    }
}

/// A scalar as the user wrote it, else what kind of value it is.
fn written(node: &Node) -> String {
    match &node.kind {
        NodeKind::String(s) => format!("{s:?}"),
        NodeKind::Number(n) => n.clone(),
        NodeKind::Bool(b) => b.to_string(),
        _ => node.describe().to_string(),
    }
}

/// A multi-line value is underlined on its first line only.
fn first_line(text: &str, range: TextRange) -> TextRange {
    let body = text.get(range.as_std()).unwrap_or_default();
    match body.find('\n') {
        Some(newline) => TextRange::new(range.start as usize, range.start as usize + newline),
        None => range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse_config, ConfigFormat};
    use crate::files::FileId;

    fn findings(format: ConfigFormat, text: &str) -> Vec<(SchemaFindingKind, String, String)> {
        let config = parse_config(FileId(0), format, text);
        config
            .schema_findings
            .iter()
            .map(|f| {
                (
                    f.kind,
                    text[f.range.as_std()].to_string(),
                    f.message.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn the_cases_of_the_issue_are_found_in_toml() {
        let text = r#"name = "app"
compatability_date = "2025-01-01"
workers_dev = "yes"
keep_vars = 3
"#;
        let found = findings(ConfigFormat::Toml, text);
        assert_eq!(
            found,
            [
                (
                    SchemaFindingKind::UnknownKey,
                    "compatability_date".to_string(),
                    "`compatability_date` is not a wrangler config key at the top level; did you mean `compatibility_date`?".to_string()
                ),
                (
                    SchemaFindingKind::InvalidValue,
                    "\"yes\"".to_string(),
                    "`workers_dev` should be a boolean, found a string".to_string()
                ),
                (
                    SchemaFindingKind::InvalidValue,
                    "3".to_string(),
                    "`keep_vars` should be a boolean, found a number".to_string()
                ),
            ]
        );
    }

    #[test]
    fn env_sections_nested_objects_and_enums_are_checked_in_json() {
        let text = r#"{
  "name": "app",
  "durable_objects": { "bindings": [{ "name": "A", "class_name": "A", "clas_name": "B" }] },
  "env": { "staging": { "keep_vars": true, "workers_dev": 1 } },
  "placement": { "mode": "always" }
}"#;
        let found = findings(ConfigFormat::Jsonc, text);
        let kinds: Vec<_> = found.iter().map(|(k, at, _)| (*k, at.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (SchemaFindingKind::UnknownKey, "\"clas_name\""),
                (SchemaFindingKind::TopLevelOnlyKey, "\"keep_vars\""),
                (SchemaFindingKind::InvalidValue, "1"),
                (SchemaFindingKind::InvalidValue, "\"always\""),
            ],
            "{found:#?}"
        );
        assert!(
            found[0].2.contains("did you mean `class_name`?"),
            "{}",
            found[0].2
        );
        assert!(found[1].2.contains("`env.staging`"), "{}", found[1].2);
    }

    #[test]
    fn a_valid_config_has_no_findings_and_shape_problems_are_not_repeated() {
        let text = r#"name = "app"
main = "src/index.ts"
compatibility_date = "2025-04-01"
compatibility_flags = ["nodejs_compat"]

[vars]
ANYTHING_GOES = { nested = [1, 2] }

[[durable_objects.bindings]]
name = "ROOMS"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[env.staging]
vars = { A = "b" }
routes = [{ pattern = "example.com/*", zone_name = "example.com" }]
"#;
        assert_eq!(findings(ConfigFormat::Toml, text), []);
        // `name = 5` is already a config-syntax problem.
        let config = parse_config(FileId(0), ConfigFormat::Toml, "name = 5\n");
        assert_eq!(config.problems.len(), 1);
        assert!(
            config.schema_findings.is_empty(),
            "{:?}",
            config.schema_findings
        );
    }

    #[test]
    fn a_value_no_alternative_accepts_is_reported_once() {
        let text = "name = \"app\"\nroutes = [42]\n";
        let found = findings(ConfigFormat::Toml, text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].1, "42");
        let text = "name = \"app\"\nroutes = [{ pattern = \"a.com/*\", zone_nam = \"a.com\" }]\n";
        let found = findings(ConfigFormat::Toml, text);
        assert!(
            found
                .iter()
                .any(|(k, at, _)| *k == SchemaFindingKind::UnknownKey && at == "zone_nam"),
            "{found:#?}"
        );
    }

    #[test]
    fn legacy_keys_wrangler_still_reads_are_deprecated_not_unknown() {
        let text = "name = \"app\"\nnode_compat = true\n\n[[containers]]\nclass_name = \"Box\"\nimage = \"./Dockerfile\"\ninstances = 3\n\n[env.staging]\nnode_compat = true\n";
        let found = findings(ConfigFormat::Toml, text);
        let kinds: Vec<_> = found.iter().map(|(k, at, _)| (*k, at.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (SchemaFindingKind::DeprecatedKey, "node_compat"),
                (SchemaFindingKind::DeprecatedKey, "instances"),
                (SchemaFindingKind::DeprecatedKey, "node_compat"),
            ],
            "{found:#?}"
        );
        assert!(found[1].2.contains("max_instances"), "{}", found[1].2);
    }

    #[test]
    fn nearest_keys_must_be_close() {
        let keys = ["compatibility_date", "compatibility_flags", "main", "name"];
        assert_eq!(
            likely_typo_of("compatability_date", keys.iter().copied()),
            Some("compatibility_date")
        );
        assert_eq!(likely_typo_of("mian", keys.iter().copied()), Some("main"));
        assert_eq!(likely_typo_of("totally_else", keys.iter().copied()), None);
        // A key sharing a prefix is not a typo of it.
        assert_eq!(
            likely_typo_of("instances", ["instance_type", "max_instances"].into_iter()),
            None
        );
    }
}
