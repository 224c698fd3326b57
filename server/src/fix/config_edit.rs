//! Format-preserving edits of wrangler configs. TOML goes through
//! `toml_edit` and JSON/JSONC through jsonc-parser's CST: both keep every
//! comment, blank line, indentation and quoting choice they don't touch.
//! The edited document is rendered and diffed against the original
//! ([`super::minimal_edits`]), so the result is a handful of precise edits.
//! Token-sized changes (a key or a string value) are plain span edits.

use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};
use jsonc_parser::ParseOptions;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::{minimal_edits, TextEdit};
use crate::config::value::NodeKind;
use crate::config::ConfigFormat;
use crate::text::TextRange;

/// Which part of a config an edit goes to: the top level, or `env.<name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section<'a> {
    Top,
    Env(&'a str),
}

/// A migration step to append.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewMigration {
    pub tag: String,
    pub new_sqlite_classes: Vec<String>,
    /// `(from, to)` pairs for `renamed_classes`.
    pub renamed_classes: Vec<(String, String)>,
}

/// A Durable Object binding to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBinding {
    pub name: String,
    pub class_name: String,
    pub script_name: Option<String>,
}

/// Appends `migration` to the `migrations` list of `section`, creating the
/// list when there is none. `None` when the file cannot be edited safely
/// (it doesn't parse, or `migrations` has an unexpected shape).
pub fn append_migration(
    text: &str,
    format: ConfigFormat,
    section: Section,
    migration: &NewMigration,
) -> Option<Vec<TextEdit>> {
    match format {
        ConfigFormat::Toml => edit_toml(text, |doc| {
            let table = toml_section(doc, section)?;
            let mut entry = Table::new();
            entry.insert("tag", toml_edit::value(migration.tag.as_str()));
            if !migration.new_sqlite_classes.is_empty() {
                let classes: Array = migration.new_sqlite_classes.iter().collect();
                entry.insert("new_sqlite_classes", toml_edit::value(classes));
            }
            if !migration.renamed_classes.is_empty() {
                let mut renames = Array::new();
                for (from, to) in &migration.renamed_classes {
                    let mut pair = InlineTable::new();
                    pair.insert("from", from.as_str().into());
                    pair.insert("to", to.as_str().into());
                    renames.push(pair);
                }
                entry.insert("renamed_classes", toml_edit::value(renames));
            }
            push_toml_entry(table, "migrations", entry)
        }),
        ConfigFormat::Json | ConfigFormat::Jsonc => edit_jsonc(text, |root, inline| {
            let object = jsonc_section(root, section)?;
            let list = object.array_value_or_create("migrations")?;
            let mut fields = vec![(
                "tag".to_string(),
                CstInputValue::String(migration.tag.clone()),
            )];
            if !migration.new_sqlite_classes.is_empty() {
                fields.push((
                    "new_sqlite_classes".to_string(),
                    string_array(&migration.new_sqlite_classes),
                ));
            }
            if !migration.renamed_classes.is_empty() {
                let renames = migration
                    .renamed_classes
                    .iter()
                    .map(|(from, to)| {
                        CstInputValue::Object(vec![
                            ("from".to_string(), CstInputValue::String(from.clone())),
                            ("to".to_string(), CstInputValue::String(to.clone())),
                        ])
                    })
                    .collect();
                fields.push(("renamed_classes".to_string(), CstInputValue::Array(renames)));
            }
            append_jsonc(&list, CstInputValue::Object(fields), inline);
            Some(())
        }),
    }
}

/// Adds Durable Object bindings to `durable_objects.bindings` of `section`,
/// in the style the file already uses for that list.
pub fn add_do_bindings(
    text: &str,
    format: ConfigFormat,
    section: Section,
    bindings: &[NewBinding],
) -> Option<Vec<TextEdit>> {
    match format {
        ConfigFormat::Toml => edit_toml(text, |doc| {
            let table = toml_section(doc, section)?;
            let durable_objects = table
                .entry("durable_objects")
                .or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                })
                .as_table_like_mut()?;
            for binding in bindings {
                let mut entry = Table::new();
                entry.insert("name", toml_edit::value(binding.name.as_str()));
                entry.insert("class_name", toml_edit::value(binding.class_name.as_str()));
                if let Some(script) = &binding.script_name {
                    entry.insert("script_name", toml_edit::value(script.as_str()));
                }
                push_toml_entry(durable_objects, "bindings", entry)?;
            }
            Some(())
        }),
        ConfigFormat::Json | ConfigFormat::Jsonc => edit_jsonc(text, |root, inline| {
            let object = jsonc_section(root, section)?;
            let list = object
                .object_value_or_create("durable_objects")?
                .array_value_or_create("bindings")?;
            for binding in bindings {
                let mut fields = vec![
                    (
                        "name".to_string(),
                        CstInputValue::String(binding.name.clone()),
                    ),
                    (
                        "class_name".to_string(),
                        CstInputValue::String(binding.class_name.clone()),
                    ),
                ];
                if let Some(script) = &binding.script_name {
                    fields.push((
                        "script_name".to_string(),
                        CstInputValue::String(script.clone()),
                    ));
                }
                append_jsonc(&list, CstInputValue::Object(fields), inline);
            }
            Some(())
        }),
    }
}

/// Adds `Class = { type = "durable-object", storage = "sqlite" }` to the
/// declarative `exports` map of `section`.
pub fn add_sqlite_export(
    text: &str,
    format: ConfigFormat,
    section: Section,
    class: &str,
) -> Option<Vec<TextEdit>> {
    match format {
        ConfigFormat::Toml => edit_toml(text, |doc| {
            let table = toml_section(doc, section)?;
            let exports = table.get_mut("exports")?.as_table_like_mut()?;
            if exports.contains_key(class) {
                return None;
            }
            let mut entry = InlineTable::new();
            entry.insert("type", "durable-object".into());
            entry.insert("storage", "sqlite".into());
            exports.insert(class, Item::Value(Value::InlineTable(entry)));
            Some(())
        }),
        ConfigFormat::Json | ConfigFormat::Jsonc => edit_jsonc(text, |root, _| {
            let exports = jsonc_section(root, section)?.object_value("exports")?;
            if exports.get(class).is_some() {
                return None;
            }
            exports.append(
                class,
                CstInputValue::Object(vec![
                    (
                        "type".to_string(),
                        CstInputValue::String("durable-object".to_string()),
                    ),
                    (
                        "storage".to_string(),
                        CstInputValue::String("sqlite".to_string()),
                    ),
                ]),
            );
            Some(())
        }),
    }
}

/// The key (unquoted name and range of the name without quotes) of the
/// innermost entry named one of `names` whose value contains `offset`:
/// e.g. the `new_classes` key holding a class name.
pub fn key_around(
    text: &str,
    format: ConfigFormat,
    offset: usize,
    names: &[&str],
) -> Option<(String, TextRange)> {
    let (root, _) = crate::config::parse_tree(text, format);
    // Search everything: TOML header tables carry the header's range, not
    // their content's, so descending by containment would stop early.
    let mut best: Option<&crate::config::value::Entry> = None;
    let mut stack = vec![&root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Object(entries) => {
                for entry in entries {
                    let bare = entry.key.value.trim_matches(|c| c == '"' || c == '\'');
                    let holds = entry.value.range.contains(offset);
                    let smaller =
                        best.is_none_or(|b| entry.value.range.len() < b.value.range.len());
                    if names.contains(&bare) && holds && smaller {
                        best = Some(entry);
                    }
                    stack.push(&entry.value);
                }
            }
            NodeKind::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    let entry = best?;
    let bare = entry.key.value.trim_matches(|c| c == '"' || c == '\'');
    // The span may or may not include quotes; find the name in it.
    let raw = text.get(entry.key.range.as_std())?;
    let start = entry.key.range.start as usize + raw.find(bare)?;
    Some((bare.to_string(), TextRange::new(start, start + bare.len())))
}

/// Renames the config key written at `key` (quotes included, if any) to
/// `new_name`, keeping its quoting. `None` unless the renamed file parses
/// as well as before and the old key is gone from that place: a TOML key
/// that several headers repeat (`[[duarble_objects.bindings]]` twice)
/// cannot be renamed by one edit.
pub fn rename_key(
    text: &str,
    format: ConfigFormat,
    key: TextRange,
    new_name: &str,
) -> Option<TextEdit> {
    let raw = text.get(key.as_std())?;
    let quote = raw.chars().next().filter(|c| matches!(c, '"' | '\''));
    let written = match quote {
        Some(q) => format!("{q}{new_name}{q}"),
        None => new_name.to_string(),
    };
    let edit = TextEdit::replace(key, written);
    let mut renamed = text.to_string();
    renamed.replace_range(key.as_std(), &edit.new_text);
    let before = crate::config::parse_config(crate::files::FileId(0), format, text);
    let after = crate::config::parse_config(crate::files::FileId(0), format, &renamed);
    let unknown = |config: &crate::config::ConfigFile| {
        config
            .schema_findings
            .iter()
            .filter(|f| f.kind == crate::config::schema_check::SchemaFindingKind::UnknownKey)
            .count()
    };
    let old_name = raw.trim_matches(|c| c == '"' || c == '\'');
    let still_there = after.schema_findings.iter().any(|f| {
        renamed
            .get(f.range.as_std())
            .is_some_and(|k| k.trim_matches(|c| c == '"' || c == '\'') == old_name)
    });
    (after.problems.len() <= before.problems.len()
        && unknown(&after) < unknown(&before)
        && !still_there)
        .then_some(edit)
}

/// Replaces the content of a quoted string whose range (quotes included)
/// is `string`, keeping its quotes.
pub fn replace_string_content(text: &str, string: TextRange, new_content: &str) -> TextEdit {
    let raw = &text[string.as_std()];
    let quoted = raw.len() >= 2
        && matches!(raw.as_bytes()[0], b'"' | b'\'')
        && raw.as_bytes()[raw.len() - 1] == raw.as_bytes()[0];
    let inner = if quoted {
        TextRange::new(string.start as usize + 1, string.end as usize - 1)
    } else {
        string
    };
    TextEdit::replace(inner, new_content)
}

/// The tag that follows `tags` in the scheme they use: `v3` after `v2`,
/// `m0010` after `m0009`, today's date after dates (`2026-11-26` or
/// `20261126`), else `v<count + 1>`. Never one of `tags`.
pub fn next_tag<'a>(tags: impl IntoIterator<Item = &'a str>) -> String {
    next_tag_on(tags, today_utc())
}

fn next_tag_on<'a>(tags: impl IntoIterator<Item = &'a str>, today: (i64, u32, u32)) -> String {
    let tags: Vec<&str> = tags.into_iter().collect();
    let Some(last) = tags.last() else {
        return "v1".to_string();
    };
    let (year, month, day) = today;
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let dashed_date = last.len() == 10
        && last.as_bytes()[4] == b'-'
        && last.as_bytes()[7] == b'-'
        && is_digits(&last.replace('-', ""));
    let compact_date = last.len() == 8 && is_digits(last) && last.starts_with("20");
    let candidate = if dashed_date {
        format!("{year:04}-{month:02}-{day:02}")
    } else if compact_date {
        format!("{year:04}{month:02}{day:02}")
    } else {
        // A trailing number is the counter: `v2`, `migration-7`, `0009`.
        let digits = last
            .bytes()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let (stem, number) = last.split_at(last.len() - digits);
        match number.parse::<u64>() {
            Ok(n) => format!("{stem}{:0width$}", n + 1, width = digits),
            Err(_) => format!("v{}", tags.len() + 1),
        }
    };
    let mut tag = candidate.clone();
    let mut extra = 2;
    while tags.contains(&tag.as_str()) {
        tag = format!("{candidate}-{extra}");
        extra += 1;
    }
    tag
}

/// Today's civil date in UTC: from `SOURCE_DATE_EPOCH` when set (the
/// reproducible-builds convention; the tests pin it), else the clock.
pub(crate) fn today_utc() -> (i64, u32, u32) {
    let pinned = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let seconds = pinned.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    civil_from_days(seconds.div_euclid(86_400))
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn string_array(items: &[String]) -> CstInputValue {
    CstInputValue::Array(
        items
            .iter()
            .map(|s| CstInputValue::String(s.clone()))
            .collect(),
    )
}

/// Runs `edit` on the text after a UTF-8 byte order mark, if the file has
/// one, and shifts its edits back: the mark stays as it was (the TOML and
/// JSON renderers would drop it).
fn after_bom(
    text: &str,
    edit: impl FnOnce(&str) -> Option<Vec<TextEdit>>,
) -> Option<Vec<TextEdit>> {
    let Some(body) = text.strip_prefix('\u{FEFF}') else {
        return edit(text);
    };
    let shift = text.len() - body.len();
    let edits = edit(body)?;
    Some(
        edits
            .into_iter()
            .map(|e| TextEdit {
                range: TextRange::new(e.range.start as usize + shift, e.range.end as usize + shift),
                new_text: e.new_text,
            })
            .collect(),
    )
}

fn edit_toml(
    text: &str,
    edit: impl FnOnce(&mut DocumentMut) -> Option<()>,
) -> Option<Vec<TextEdit>> {
    after_bom(text, |text| edit_toml_body(text, edit))
}

fn edit_toml_body(
    text: &str,
    edit: impl FnOnce(&mut DocumentMut) -> Option<()>,
) -> Option<Vec<TextEdit>> {
    let mut doc: DocumentMut = text.parse().ok()?;
    edit(&mut doc)?;
    let rendered = doc.to_string();
    // toml_edit writes `\n` in what it adds; keep a CRLF file CRLF.
    let rendered = if text.contains("\r\n") {
        normalize_crlf(&rendered)
    } else {
        rendered
    };
    Some(minimal_edits(text, &rendered))
}

fn edit_jsonc(
    text: &str,
    edit: impl FnOnce(&CstRootNode, &mut InlineElements) -> Option<()>,
) -> Option<Vec<TextEdit>> {
    after_bom(text, |text| edit_jsonc_body(text, edit))
}

fn edit_jsonc_body(
    text: &str,
    edit: impl FnOnce(&CstRootNode, &mut InlineElements) -> Option<()>,
) -> Option<Vec<TextEdit>> {
    let root = CstRootNode::parse(text, &ParseOptions::default()).ok()?;
    let mut inline = InlineElements::default();
    edit(&root, &mut inline)?;
    let mut rendered = root.to_string();
    for (index, element) in inline.0.iter().enumerate() {
        rendered = rendered.replacen(&format!("\"{}\"", placeholder(index)), element, 1);
    }
    Some(minimal_edits(text, &rendered))
}

/// Elements to splice into single-line JSON arrays after rendering: the
/// CST writes new objects over several lines, which would break
/// `[{ "name": "A", "class_name": "A" }]` style lists.
#[derive(Default)]
struct InlineElements(Vec<String>);

fn placeholder(index: usize) -> String {
    format!("__dols_inline_element_{index}__")
}

/// Appends `value` to a JSON array, on one line when the array is written
/// on one line.
fn append_jsonc(
    list: &jsonc_parser::cst::CstArray,
    value: CstInputValue,
    inline: &mut InlineElements,
) {
    // One-line objects stay one-line: in a one-line array, or in a list
    // whose every entry is written on one line.
    let elements = list.elements();
    let one_line_entries = !elements.is_empty()
        && elements
            .iter()
            .all(|element| !element.to_string().contains('\n'));
    if one_line_entries {
        list.append(CstInputValue::String(placeholder(inline.0.len())));
        inline.0.push(inline_json(&value));
    } else {
        list.append(value);
    }
}

/// `{ "a": "b", "c": ["d"] }`: the one-line style wrangler examples use.
fn inline_json(value: &CstInputValue) -> String {
    match value {
        CstInputValue::Null => "null".to_string(),
        CstInputValue::Bool(b) => b.to_string(),
        CstInputValue::Number(n) => n.clone(),
        CstInputValue::String(s) => serde_json::Value::String(s.clone()).to_string(),
        CstInputValue::Array(items) => {
            let items: Vec<String> = items.iter().map(inline_json).collect();
            format!("[{}]", items.join(", "))
        }
        CstInputValue::Object(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::Value::String(k.clone()),
                        inline_json(v)
                    )
                })
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
    }
}

fn normalize_crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// The table of `section` (created as a `[env.name]` table if missing).
fn toml_section<'d>(doc: &'d mut DocumentMut, section: Section) -> Option<&'d mut Table> {
    match section {
        Section::Top => Some(doc.as_table_mut()),
        Section::Env(name) => doc
            .as_table_mut()
            .get_mut("env")?
            .as_table_mut()?
            .get_mut(name)?
            .as_table_mut(),
    }
}

/// Appends a table to the list `key` of `table` (a header, inline or
/// dotted table): a new `[[key]]` entry when the list is an array of tables
/// (or absent), an inline table when it is written as an inline array.
fn push_toml_entry(table: &mut dyn toml_edit::TableLike, key: &str, entry: Table) -> Option<()> {
    match table.get_mut(key) {
        None => {
            let mut list = ArrayOfTables::new();
            list.push(entry);
            table.insert(key, Item::ArrayOfTables(list));
            Some(())
        }
        Some(Item::ArrayOfTables(list)) => {
            list.push(entry);
            Some(())
        }
        Some(Item::Value(Value::Array(array))) => {
            push_inline(array, entry);
            Some(())
        }
        Some(_) => None,
    }
}

/// Appends `entry` as an inline table, on its own line when the array is
/// written one element per line.
fn push_inline(array: &mut Array, entry: Table) {
    // One element per line when the first element starts a line, or when
    // an empty array already spans lines (`[\n  # nothing yet\n]`).
    let first_prefix = array
        .iter()
        .next()
        .and_then(|first| first.decor().prefix())
        .and_then(|p| p.as_str())
        .map(str::to_string);
    let trailing = array.trailing().as_str().unwrap_or("").to_string();
    let (multiline, indent) = match &first_prefix {
        Some(prefix) => (
            prefix.contains('\n'),
            prefix.rsplit('\n').next().unwrap_or("").to_string(),
        ),
        None => (
            trailing.contains('\n'),
            trailing
                .split('\n')
                .find(|line| !line.trim().is_empty())
                .map(|line| line[..line.len() - line.trim_start().len()].to_string())
                .unwrap_or_else(|| "  ".to_string()),
        ),
    };
    let mut inline = entry.into_inline_table();
    inline.fmt();
    array.push(Value::InlineTable(inline));
    if multiline {
        if let Some(last) = array.iter_mut().last() {
            last.decor_mut().set_prefix(format!("\n{indent}"));
            // Comments that were alone in an empty array stay after it.
            if first_prefix.is_none() {
                last.decor_mut().set_suffix("");
            }
        }
        if first_prefix.is_none() {
            array.set_trailing_comma(true);
        }
    }
}

/// The object of `section` in a JSON config.
fn jsonc_section(root: &CstRootNode, section: Section) -> Option<CstObject> {
    let top = root.object_value()?;
    match section {
        Section::Top => Some(top),
        Section::Env(name) => top.object_value("env")?.object_value(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;

    fn migrate(text: &str, format: ConfigFormat) -> String {
        let migration = NewMigration {
            tag: "v2".into(),
            new_sqlite_classes: vec!["Room".into()],
            ..Default::default()
        };
        let edits = append_migration(text, format, Section::Top, &migration).unwrap();
        apply_edits(text, &edits).unwrap()
    }

    #[test]
    fn a_migration_is_appended_after_the_last_toml_entry() {
        let text = "name = \"w\" # the worker\n\n[[migrations]]\ntag = \"v1\" # first\nnew_sqlite_classes = [\"Counter\"]\n\n[vars]\nA = \"1\"\n";
        assert_eq!(
            migrate(text, ConfigFormat::Toml),
            "name = \"w\" # the worker\n\n[[migrations]]\ntag = \"v1\" # first\nnew_sqlite_classes = [\"Counter\"]\n\n[[migrations]]\ntag = \"v2\"\nnew_sqlite_classes = [\"Room\"]\n\n[vars]\nA = \"1\"\n"
        );
    }

    #[test]
    fn a_migration_is_appended_to_a_jsonc_list_keeping_comments_and_commas() {
        let text = "{\n  // the worker\n  \"name\": \"w\",\n  \"migrations\": [\n    { \"tag\": \"v1\", \"new_sqlite_classes\": [\"Counter\"] }, // first\n  ],\n}\n";
        let fixed = migrate(text, ConfigFormat::Jsonc);
        assert!(fixed.starts_with("{\n  // the worker\n  \"name\": \"w\",\n  \"migrations\": [\n    { \"tag\": \"v1\", \"new_sqlite_classes\": [\"Counter\"] }, // first\n"), "{fixed}");
        assert!(fixed.contains("\"tag\": \"v2\""), "{fixed}");
        assert!(fixed.contains("\"Room\""), "{fixed}");
    }

    #[test]
    fn next_tags_follow_the_scheme_in_use() {
        let today = (2026, 11, 26);
        assert_eq!(next_tag_on([], today), "v1");
        assert_eq!(next_tag_on(["v1", "v2"], today), "v3");
        assert_eq!(next_tag_on(["1"], today), "2");
        assert_eq!(next_tag_on(["m0009"], today), "m0010");
        assert_eq!(next_tag_on(["initial"], today), "v2");
        assert_eq!(next_tag_on(["2024-01-01"], today), "2026-11-26");
        assert_eq!(next_tag_on(["20240101"], today), "20261126");
        assert_eq!(next_tag_on(["2026-11-26"], today), "2026-11-26-2");
        assert_eq!(next_tag_on(["v2", "v3", "v1"], today), "v2-2");
    }

    #[test]
    fn keys_around_values_are_found_in_every_format() {
        let toml = "[[migrations]]\ntag = \"v1\"\nnew_classes = [\"A\"]\n\n[env.x]\nname = \"y\"\n";
        let at = toml.find("\"A\"").unwrap() + 1;
        let (key, range) = key_around(toml, ConfigFormat::Toml, at, &["new_classes"]).unwrap();
        assert_eq!(
            (key.as_str(), &toml[range.as_std()]),
            ("new_classes", "new_classes")
        );
        let json = "{ \"migrations\": [ { \"tag\": \"v1\", \"new_classes\": [\"A\"] } ] }";
        let at = json.find("\"A\"").unwrap() + 1;
        let (_, range) = key_around(json, ConfigFormat::Jsonc, at, &["new_classes"]).unwrap();
        assert_eq!(&json[range.as_std()], "new_classes");
        assert_eq!(key_around(json, ConfigFormat::Jsonc, at, &["tag"]), None);
    }

    #[test]
    fn civil_dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
