//! Whole config sections users add often, offered among the key
//! completions: a Durable Object binding with the migration that creates
//! its class, and an `[env.NAME]` section that repeats the bindings an
//! environment does not inherit.
//!
//! A snippet is only offered where inserting it keeps the file meaning what
//! it meant: in TOML, where the next line opens another table (or the file
//! ends), so no key below the cursor changes table; in JSON, where the keys
//! it writes do not exist yet.

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{CompletionEntry, CompletionKind};
use crate::config::value::{Node, NodeKind};
use crate::config::ConfigFormat;
use crate::text::TextRange;

/// Where the key completion is: the container path (`None` for an array
/// element), the range the item replaces, and what surrounds the name.
pub(super) struct SnippetPlace<'a> {
    pub path: Vec<Option<&'a str>>,
    /// TOML: the cursor is in a table opened by a header (or the root).
    pub header_table: bool,
    pub replace: TextRange,
    /// JSON: the opening quote is still to be written.
    pub needs_quote: bool,
    /// JSON: the `:` separator is still to be written.
    pub needs_separator: bool,
}

/// The section snippets that fit at `place`.
pub(super) fn section_snippets(
    text: &str,
    format: ConfigFormat,
    place: &SnippetPlace,
    next_tag: impl Fn(&[String]) -> String,
    not_inherited: &dyn Fn(&str) -> bool,
) -> Vec<CompletionEntry> {
    let (root, _) = crate::config::parse_tree(text, format);
    let mut out = Vec::new();
    match format {
        ConfigFormat::Toml => {
            let under_env = place.path.first() == Some(&Some("env"));
            // Inside a table, only after a blank line: right under a header
            // the user is writing that table's keys.
            let new_paragraph = place.path.is_empty() || after_blank_line(text, place.replace);
            if !place.header_table
                || under_env
                || !new_paragraph
                || !toml_block_fits(text, place.replace)
            {
                return out;
            }
            if let Some(snippet) = toml_durable_object(text, &root, &next_tag) {
                out.push(entry(
                    DO_LABEL,
                    DO_DETAIL,
                    DO_DOC,
                    snippet,
                    place.replace,
                    "0",
                ));
            }
            if let Some(snippet) = toml_env_section(&root, not_inherited) {
                out.push(entry(
                    ENV_LABEL,
                    ENV_DETAIL,
                    ENV_DOC,
                    snippet,
                    place.replace,
                    "1",
                ));
            }
        }
        ConfigFormat::Json | ConfigFormat::Jsonc => {
            if !place.needs_quote || !place.needs_separator {
                return out;
            }
            let indent = line_indent(text, place.replace.start as usize);
            let comma = if json_key_follows(text, place.replace.end as usize) {
                ","
            } else {
                ""
            };
            let at_root = place.path.is_empty();
            let in_envs = place.path == [Some("env")];
            if at_root {
                if let Some(snippet) = json_durable_object(&root, &next_tag, indent) {
                    out.push(entry(
                        DO_LABEL,
                        DO_DETAIL,
                        DO_DOC,
                        format!("{snippet}{comma}"),
                        place.replace,
                        "0",
                    ));
                }
            }
            if (at_root && root.get("env").is_none()) || in_envs {
                let snippet = json_env_section(&root, at_root, indent, not_inherited);
                out.push(entry(
                    ENV_LABEL,
                    ENV_DETAIL,
                    ENV_DOC,
                    format!("{snippet}{comma}"),
                    place.replace,
                    "1",
                ));
            }
        }
    }
    out
}

const DO_LABEL: &str = "Durable Object binding + migration";
const DO_DETAIL: &str = "section · binding and the migration creating its class";
const DO_DOC: &str = "Binds a Durable Object namespace on `env` and appends the migration that creates its class on SQLite storage (`new_sqlite_classes`), with the next free tag. Remember to export the class from `main`.";
const ENV_LABEL: &str = "Environment (repeat non-inherited bindings)";
const ENV_DETAIL: &str = "section · [env.NAME] with the bindings it does not inherit";
const ENV_DOC: &str = "An environment sees none of the top-level bindings, `vars` or `durable_objects` unless it repeats them; this section repeats every one the top level declares. Adjust the ids of resources that differ per environment.";

fn entry(
    label: &str,
    detail: &str,
    doc: &str,
    snippet: String,
    replace: TextRange,
    rank: &str,
) -> CompletionEntry {
    CompletionEntry {
        label: label.to_string(),
        kind: CompletionKind::Snippet,
        detail: detail.to_string(),
        documentation: Some(doc.to_string()),
        insert_text: snippet,
        is_snippet: true,
        replace,
        // After the keys: a section is the less frequent choice.
        sort_text: Some(format!("zz{rank}")),
    }
}

/// TOML: true when the cursor's line holds nothing but the partial key and
/// the next line with content opens a table (or there is none).
fn toml_block_fits(text: &str, replace: TextRange) -> bool {
    let start = replace.start as usize;
    let end = (replace.end as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |n| end + n);
    let blank_around =
        text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty();
    let next = text[line_end..]
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'));
    blank_around && next.is_none_or(|line| line.starts_with('['))
}

/// Whether the line before the cursor's line is blank.
fn after_blank_line(text: &str, replace: TextRange) -> bool {
    let start = (replace.start as usize).min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[..line_start.saturating_sub(1)];
    let previous = before.rfind('\n').map_or(before, |n| &before[n + 1..]);
    line_start > 0 && previous.trim().is_empty()
}

/// An environment name the config does not use yet.
fn free_env_name(root: &Node) -> String {
    let taken = |name: &str| {
        root.get_value("env")
            .and_then(|envs| envs.get(name))
            .is_some()
    };
    ["staging", "production", "development", "preview"]
        .into_iter()
        .map(str::to_string)
        .chain((2..).map(|n| format!("env{n}")))
        .find(|name| !taken(name))
        .unwrap_or_default()
}

fn existing_tags(root: &Node) -> Vec<String> {
    root.get_value("migrations")
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.get_value("tag")?.as_str().map(str::to_string))
        .collect()
}

/// Whether `key` at the root is written as an array of tables
/// (`[[key]]` / `[[key.sub]]` headers) rather than inline.
fn toml_uses_headers(text: &str, header: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        line.strip_prefix("[[")
            .is_some_and(|rest| rest.trim_start().starts_with(header))
    })
}

fn toml_durable_object(
    text: &str,
    root: &Node,
    next_tag: &impl Fn(&[String]) -> String,
) -> Option<String> {
    // `exports` replaces migrations; inline arrays cannot take a header.
    if root.get("exports").is_some()
        || (root.get("durable_objects").is_some()
            && !toml_uses_headers(text, "durable_objects.bindings"))
        || (root.get("migrations").is_some() && !toml_uses_headers(text, "migrations"))
    {
        return None;
    }
    let tag = escape_snippet(&next_tag(&existing_tags(root)));
    Some(format!(
        "[[durable_objects.bindings]]\nname = \"${{1:MY_DURABLE_OBJECT}}\"\nclass_name = \"${{2:MyDurableObject}}\"\n\n[[migrations]]\ntag = \"${{3:{tag}}}\"\nnew_sqlite_classes = [\"${{2:MyDurableObject}}\"]\n"
    ))
}

/// A placeholder for the environment name, swapped for a tab stop after
/// rendering (a tab stop is not a valid TOML key).
const ENV_NAME: &str = "dols_env_name_placeholder";

fn toml_env_section(root: &Node, not_inherited: &dyn Fn(&str) -> bool) -> Option<String> {
    let mut env = Table::new();
    for entry in root.as_object()? {
        let key = entry.key.value.trim_matches(['"', '\'']);
        if not_inherited(key) {
            env.insert(key, toml_item(&entry.value)?);
        }
    }
    let mut envs = Table::new();
    envs.set_implicit(true);
    envs.insert(ENV_NAME, Item::Table(env));
    let mut doc = DocumentMut::new();
    doc.insert("env", Item::Table(envs));
    let rendered = escape_snippet(&doc.to_string());
    Some(rendered.replace(ENV_NAME, &format!("${{1:{}}}", free_env_name(root))))
}

/// A config value as a TOML item: objects become tables, lists of objects
/// arrays of tables, as wrangler configs write them.
fn toml_item(node: &Node) -> Option<Item> {
    match &node.kind {
        NodeKind::Object(entries) => {
            let mut table = Table::new();
            for entry in entries {
                table.insert(
                    entry.key.value.trim_matches(['"', '\'']),
                    toml_item(&entry.value)?,
                );
            }
            Some(Item::Table(table))
        }
        NodeKind::Array(items)
            if !items.is_empty() && items.iter().all(|i| i.as_object().is_some()) =>
        {
            let mut tables = ArrayOfTables::new();
            for item in items {
                match toml_item(item)? {
                    Item::Table(table) => tables.push(table),
                    _ => return None,
                }
            }
            Some(Item::ArrayOfTables(tables))
        }
        _ => Some(Item::Value(toml_value(node)?)),
    }
}

fn toml_value(node: &Node) -> Option<Value> {
    Some(match &node.kind {
        NodeKind::String(s) => Value::from(s.as_str()),
        NodeKind::Number(n) => match n.parse::<i64>() {
            Ok(i) => Value::from(i),
            Err(_) => Value::from(n.parse::<f64>().ok()?),
        },
        NodeKind::Bool(b) => Value::from(*b),
        NodeKind::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(toml_value(item)?);
            }
            Value::Array(array)
        }
        NodeKind::Object(entries) => {
            let mut table = InlineTable::new();
            for entry in entries {
                table.insert(
                    entry.key.value.trim_matches(['"', '\'']),
                    toml_value(&entry.value)?,
                );
            }
            Value::InlineTable(table)
        }
        // TOML dates and the like have no place in these keys.
        NodeKind::Other => return None,
    })
}

fn json_durable_object(
    root: &Node,
    next_tag: &impl Fn(&[String]) -> String,
    indent: &str,
) -> Option<String> {
    if ["durable_objects", "migrations", "exports"]
        .iter()
        .any(|key| root.get(key).is_some())
    {
        return None;
    }
    let tag = escape_snippet(&next_tag(&existing_tags(root)));
    Some(format!(
        "\"durable_objects\": {{\n{indent}  \"bindings\": [{{ \"name\": \"${{1:MY_DURABLE_OBJECT}}\", \"class_name\": \"${{2:MyDurableObject}}\" \\}}]\n{indent}\\}},\n{indent}\"migrations\": [{{ \"tag\": \"${{3:{tag}}}\", \"new_sqlite_classes\": [\"${{2:MyDurableObject}}\"] \\}}]"
    ))
}

fn json_env_section(
    root: &Node,
    at_root: bool,
    indent: &str,
    not_inherited: &dyn Fn(&str) -> bool,
) -> String {
    let mut env = serde_json::Map::new();
    for entry in root.as_object().unwrap_or_default() {
        if not_inherited(&entry.key.value) {
            env.insert(
                entry.key.value.clone(),
                crate::config::schema_check::to_json(&entry.value),
            );
        }
    }
    let body = serde_json::to_string_pretty(&serde_json::Value::Object(env))
        .unwrap_or_else(|_| "{}".to_string());
    let inner = if at_root {
        format!("{indent}  ")
    } else {
        indent.to_string()
    };
    let body = escape_snippet(&body).replace('\n', &format!("\n{inner}"));
    let name = free_env_name(root);
    if at_root {
        format!("\"env\": {{\n{inner}\"${{1:{name}}}\": {body}\n{indent}\\}}")
    } else {
        format!("\"${{1:{name}}}\": {body}")
    }
}

/// Snippet syntax reserves `$`, `}` and `\`.
fn escape_snippet(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let line = &text[line_start..offset];
    &line[..line.len() - line.trim_start().len()]
}

/// JSON: whether another key follows the cursor in the same object, so the
/// inserted keys need a comma after them.
fn json_key_follows(text: &str, offset: usize) -> bool {
    let mut rest = &text[offset.min(text.len())..];
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix("//") {
            rest = comment.find('\n').map_or("", |n| &comment[n..]);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            rest = comment.find("*/").map_or("", |n| &comment[n + 2..]);
        } else {
            return rest.starts_with('"');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(path: Vec<Option<&str>>, replace: TextRange) -> SnippetPlace<'_> {
        SnippetPlace {
            path,
            header_table: true,
            replace,
            needs_quote: true,
            needs_separator: true,
        }
    }

    fn tag(tags: &[String]) -> String {
        format!("v{}", tags.len() + 1)
    }

    fn not_inherited(key: &str) -> bool {
        matches!(key, "vars" | "kv_namespaces" | "durable_objects")
    }

    fn snippets(text: &str, format: ConfigFormat, at: TextRange) -> Vec<CompletionEntry> {
        section_snippets(text, format, &place(vec![], at), tag, &not_inherited)
    }

    /// Expands a snippet with its default values, as an editor would.
    fn expand(snippet: &str) -> String {
        let mut out = String::new();
        let mut chars = snippet.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '$' if chars.peek() == Some(&'{') => {
                    chars.next();
                    let mut inner = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        inner.push(c);
                    }
                    out.push_str(inner.split_once(':').map_or("", |(_, d)| d));
                }
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn toml_sections_expand_to_configs_that_read_as_intended() {
        let text = "name = \"app\"\nmain = \"src/index.ts\"\n\n[vars]\nGREETING = \"hi\"\n\n[[kv_namespaces]]\nbinding = \"CACHE\"\nid = \"abc\"\n\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Room\"]\n\n[[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\n\n";
        let at = TextRange::empty(text.len());
        let snippets = snippets(text, ConfigFormat::Toml, at);
        assert_eq!(snippets.len(), 2, "{snippets:#?}");
        let mut full = text.to_string();
        for snippet in &snippets {
            full.push_str(&expand(&snippet.insert_text));
            full.push('\n');
        }
        let config =
            crate::config::parse_config(crate::files::FileId(0), ConfigFormat::Toml, &full);
        assert!(config.problems.is_empty(), "{full}\n{:?}", config.problems);
        assert!(
            config.schema_findings.is_empty(),
            "{full}\n{:?}",
            config.schema_findings
        );
        let top = &config.top;
        assert_eq!(top.durable_objects.as_ref().unwrap().value.len(), 2);
        let migrations = &top.migrations.as_ref().unwrap().value;
        assert_eq!(migrations[1].tag.as_ref().unwrap().value, "v2");
        assert_eq!(migrations[1].new_sqlite_classes[0].value, "MyDurableObject");
        let staging = &config.envs[0];
        assert_eq!(staging.name.value, "staging");
        let repeated: Vec<&str> = staging
            .section
            .bindings
            .iter()
            .map(|b| b.name.value.as_str())
            .collect();
        assert_eq!(repeated, ["GREETING", "CACHE"]);
        // The bindings as they were when the section was inserted.
        assert_eq!(
            staging
                .section
                .durable_objects
                .as_ref()
                .unwrap()
                .value
                .len(),
            1
        );
    }

    #[test]
    fn toml_sections_are_not_offered_where_they_would_change_the_file() {
        // A key below the cursor would move into the inserted table.
        let text = "name = \"app\"\n\nmain = \"src/index.ts\"\n";
        let at = TextRange::empty(text.find("\n\n").unwrap() + 1);
        assert!(snippets(text, ConfigFormat::Toml, at).is_empty());
        // Inline migrations cannot take a `[[migrations]]` header.
        let text = "migrations = [{ tag = \"v1\" }]\n\n";
        let at = TextRange::empty(text.len());
        let labels: Vec<String> = snippets(text, ConfigFormat::Toml, at)
            .into_iter()
            .map(|s| s.label)
            .collect();
        assert_eq!(labels, [ENV_LABEL]);
    }

    #[test]
    fn json_sections_expand_to_configs_that_read_as_intended() {
        let text = "{\n  \"name\": \"app\",\n  \n  \"vars\": { \"A\": \"b\" }\n}\n";
        let at = TextRange::empty(text.find("  \n").unwrap() + 2);
        let snippets = snippets(text, ConfigFormat::Jsonc, at);
        assert_eq!(snippets.len(), 2, "{snippets:#?}");
        for snippet in &snippets {
            let mut full = text.to_string();
            full.insert_str(at.start as usize, &expand(&snippet.insert_text));
            let config =
                crate::config::parse_config(crate::files::FileId(0), ConfigFormat::Jsonc, &full);
            assert!(config.problems.is_empty(), "{full}\n{:?}", config.problems);
            assert!(
                config.schema_findings.is_empty(),
                "{full}\n{:?}",
                config.schema_findings
            );
        }
        let mut full = text.to_string();
        full.insert_str(at.start as usize, &expand(&snippets[1].insert_text));
        let config =
            crate::config::parse_config(crate::files::FileId(0), ConfigFormat::Jsonc, &full);
        assert_eq!(config.envs[0].section.bindings[0].name.value, "A");
    }
}
