//! Completion of wrangler config keys (by the table / object the cursor is
//! in) and of the next migration `tag`, in all three config formats.
//!
//! Works on the raw text with a small tolerant scanner rather than on the
//! parsed tree: the cursor usually sits in a half-typed, unparseable line.
//! The scanner reads the whole file once, remembers the container (path of
//! keys from the root) and the parser state at the cursor, and keeps going
//! so that keys written after the cursor also count as present.

use super::config_snippets::{section_snippets, SnippetPlace};
use super::context::clamp;
use super::{CompletionEntry, CompletionKind};
use crate::config::ConfigFormat;
use crate::knowledge::wrangler_schema::{Step, WranglerSchema};
use crate::text::TextRange;

/// Key or tag completion at `offset`; `None` when the cursor is neither at a
/// key position nor in a migration's `tag` value (other config completion
/// then gets its turn).
pub fn completion(
    text: &str,
    offset: usize,
    format: ConfigFormat,
    schema: &WranglerSchema,
) -> Option<Vec<CompletionEntry>> {
    let offset = clamp(text, offset);
    let scan = Scanner::run(text, offset, format == ConfigFormat::Toml);
    let at = scan.at.as_ref()?;
    let loc = classify(&at.path);
    if let Some(key_pos) = key_position(text, offset, format, at) {
        let present = scan.present_keys(at);
        let mut entries = schema_key_entries(schema, &at.path, loc, &present, &key_pos);
        if entries.is_empty() {
            if let Some(loc) = loc {
                entries = key_entries(loc, &present, &key_pos);
            }
        }
        let place = SnippetPlace {
            path: at
                .path
                .iter()
                .map(|seg| match seg {
                    Seg::Key(key) => Some(key.as_str()),
                    Seg::Elem => None,
                })
                .collect(),
            header_table: at.table,
            replace: key_pos.replace,
            needs_quote: !key_pos.before.is_empty(),
            needs_separator: key_pos.after.contains(':'),
        };
        let not_inherited = |key: &str| {
            WORKER_KEYS
                .iter()
                .any(|k| k.name == key && k.scope == Scope::NotInherited)
        };
        entries.extend(section_snippets(
            text,
            format,
            &place,
            |tags| next_tag(tags, tags.len()),
            &not_inherited,
        ));
        return (loc.is_some() || !entries.is_empty()).then_some(entries);
    }
    if loc == Some(Loc::Migration) && matches!(&at.state, State::Value(parts) if parts == &["tag"])
    {
        return tag_completion(text, offset, &scan, at);
    }
    if let State::Value(parts) = &at.state {
        return value_choice_entries(schema, text, offset, at, parts);
    }
    None
}

/// Where a value completion replaces text, and whether the cursor is
/// inside a string (then only its content is replaced).
fn value_replace(tok: &Tok, offset: usize) -> Option<(TextRange, bool)> {
    match *tok {
        Tok::Between => Some((TextRange::empty(offset), false)),
        Tok::Word { start, end } => Some((TextRange::new(start, end), false)),
        Tok::Str {
            content_start,
            content_end,
            closed,
            ..
        } => {
            let end = if closed { content_end } else { offset };
            Some((TextRange::new(content_start, end), true))
        }
        Tok::Comment => None,
    }
}

/// The values the schema allows for the key being written (an enum, the
/// constants of its alternatives, `true` / `false`), each with the key's
/// description. `None` when the schema names no fixed values: other value
/// completion (class names, script names) then gets its turn.
fn value_choice_entries(
    schema: &WranglerSchema,
    text: &str,
    offset: usize,
    at: &At,
    key: &[String],
) -> Option<Vec<CompletionEntry>> {
    let mut steps: Vec<Step> = at
        .path
        .iter()
        .map(|seg| match seg {
            Seg::Key(key) => Step::Key(key),
            Seg::Elem => Step::Element,
        })
        .collect();
    let (last, parents) = key.split_last()?;
    steps.extend(parents.iter().map(|k| Step::Key(k)));
    let choices = schema.value_choices(&steps, last);
    if choices.is_empty() {
        return None;
    }
    let (replace, in_string) = value_replace(&at.tok, offset)?;
    let documentation = schema.key(&steps, last).and_then(|doc| doc.description);
    let quote = if text.as_bytes().get(replace.start as usize) == Some(&b'\'') {
        "'"
    } else {
        "\""
    };
    let entries: Vec<CompletionEntry> = choices
        .iter()
        .enumerate()
        .filter_map(|(i, choice)| {
            let (label, insert) = match choice {
                serde_json::Value::String(s) if in_string => (s.clone(), s.clone()),
                serde_json::Value::String(s) => (s.clone(), format!("{quote}{s}{quote}")),
                // A boolean or number typed inside quotes would be a string.
                _ if in_string => return None,
                other => (other.to_string(), other.to_string()),
            };
            Some(CompletionEntry {
                label,
                kind: CompletionKind::Value,
                detail: format!("{last} value"),
                documentation: documentation.clone(),
                insert_text: insert,
                is_snippet: false,
                replace,
                sort_text: Some(format!("{i:03}")),
            })
        })
        .collect();
    (!entries.is_empty()).then_some(entries)
}

// ------------------------------------------------------------------ keys

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Loc {
    Top,
    Env,
    DurableObjects,
    DoBinding,
    Migration,
    Export,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// An env inherits the top-level value and may override it.
    Inherited,
    /// Each env must declare its own.
    NotInherited,
    /// Only meaningful at the top level.
    TopOnly,
    /// `name`: an env gets `<name>-<env>` unless it sets its own.
    Name,
}

/// What dols adds to wrangler's schema for one key: where Durable Object
/// users look for it (the table order), a short line in their terms, and
/// whether an environment inherits it. The descriptions come from the
/// schema; only export entries keep their own (see [`EXPORT_KEYS`]).
struct Key {
    name: &'static str,
    detail: &'static str,
    doc: Option<&'static str>,
    scope: Scope,
}

const fn key(name: &'static str, detail: &'static str, scope: Scope) -> Key {
    Key {
        name,
        detail,
        doc: None,
        scope,
    }
}

/// A key of an `exports` entry. The schema describes the entries as a
/// union of every export kind, so the Durable Object kind's own keys and
/// their descriptions are kept here.
const fn export_key(
    name: &'static str,
    detail: &'static str,
    doc: &'static str,
    scope: Scope,
) -> Key {
    Key {
        name,
        detail,
        doc: Some(doc),
        scope,
    }
}

use Scope::{Inherited as I, Name as N, NotInherited as X, TopOnly as T};

/// Worker-level keys, most useful first.
const WORKER_KEYS: &[Key] = &[
    key("name", "string · Worker name", N),
    key("main", "string · entry point", I),
    key("compatibility_date", "string · YYYY-MM-DD", I),
    key("compatibility_flags", "string[] · runtime flags", I),
    key("durable_objects", "table · DO bindings", X),
    key("migrations", "array · DO class migrations", I),
    key("exports", "table · declarative DO exports", I),
    key("env", "table · environments", T),
    key("vars", "table · plain-text variables", X),
    key("kv_namespaces", "array · KV bindings", X),
    key("r2_buckets", "array · R2 bindings", X),
    key("d1_databases", "array · D1 bindings", X),
    key("services", "array · service bindings", X),
    key("queues", "table · queue producers/consumers", X),
    key("workflows", "array · Workflow bindings", X),
    key("ai", "table · Workers AI binding", X),
    key("vectorize", "array · Vectorize bindings", X),
    key("hyperdrive", "array · Hyperdrive bindings", X),
    key(
        "analytics_engine_datasets",
        "array · Analytics Engine bindings",
        X,
    ),
    key("browser", "table · Browser Rendering binding", X),
    key("images", "table · Images binding", X),
    key("ratelimits", "array · rate limiter bindings", X),
    key("send_email", "array · email bindings", X),
    key("dispatch_namespaces", "array · dispatch namespaces", X),
    key("mtls_certificates", "array · mTLS certificates", X),
    key("tail_consumers", "array · tail Workers", X),
    key("secrets_store_secrets", "array · Secrets Store bindings", X),
    key("pipelines", "array · Pipelines bindings", X),
    key("worker_loaders", "array · Worker Loader bindings", X),
    key("version_metadata", "table · version metadata binding", X),
    key("containers", "array · containers", X),
    key("define", "table · build-time constants", X),
    key("account_id", "string · Cloudflare account", I),
    key("workers_dev", "boolean · workers.dev route", I),
    key("routes", "array · routes", I),
    key("route", "string · single route", I),
    key("triggers", "table · cron triggers", I),
    key("assets", "table · static assets", I),
    key("observability", "table · logs and traces", I),
    key("placement", "table · Smart Placement", I),
    key("limits", "table · CPU limits", I),
    key("build", "table · custom build", I),
    key("rules", "array · module rules", I),
    key("no_bundle", "boolean · skip bundling", I),
    key("minify", "boolean · minify", I),
    key("tsconfig", "string · tsconfig path", I),
    key("keep_vars", "boolean · keep dashboard vars", T),
    key("send_metrics", "boolean · wrangler telemetry", T),
    key("dev", "table · local dev server", T),
    key("alias", "table · module aliases", T),
    key("site", "table · Workers Sites (legacy)", T),
    key("wasm_modules", "table · WebAssembly modules", T),
    key("text_blobs", "table · text blobs", T),
    key("data_blobs", "table · data blobs", T),
];

const DURABLE_OBJECTS_KEYS: &[Key] = &[key("bindings", "array · DO namespace bindings", X)];

const DO_BINDING_KEYS: &[Key] = &[
    key("name", "string · binding name", X),
    key("class_name", "string · Durable Object class", X),
    key("script_name", "string · hosting Worker", X),
    key("environment", "string · env of the hosting Worker", X),
];

const MIGRATION_KEYS: &[Key] = &[
    key("tag", "string · unique migration id", X),
    key("new_sqlite_classes", "string[] · create SQLite-backed", X),
    key("new_classes", "string[] · create KV-backed (legacy)", X),
    key("renamed_classes", "{from, to}[] · rename", X),
    key("deleted_classes", "string[] · delete", X),
    key(
        "transferred_classes",
        "{from, from_script, to}[] · transfer",
        X,
    ),
];

const EXPORT_KEYS: &[Key] = &[
    export_key(
        "type",
        "string · \"durable-object\"",
        "What kind of export this entry declares.",
        X,
    ),
    export_key(
        "storage",
        "string · \"sqlite\" | \"legacy-kv\"",
        "The storage backend of the class; `sqlite` unless stated.",
        X,
    ),
    export_key(
        "state",
        "string · lifecycle state",
        "`created` (default), `deleted`, `renamed`, `transferred` or `expecting-transfer`.",
        X,
    ),
    export_key(
        "renamed_to",
        "string · new class name",
        "With `state = renamed`: the class the data moves to.",
        X,
    ),
    export_key(
        "transferred_to",
        "string · receiving Worker",
        "With `state = transferred`: the Worker that takes the class over.",
        X,
    ),
    export_key(
        "transfer_from",
        "string · sending Worker",
        "With `state = expecting-transfer`: the Worker the class comes from.",
        X,
    ),
];

/// Where and how a key completion is inserted.
struct KeyPos {
    replace: TextRange,
    /// Text before the key name (`"` when the quote is not typed yet).
    before: &'static str,
    /// Text after the key name (`": `, ` = `, or nothing when the
    /// separator is already there).
    after: &'static str,
}

fn table_of(loc: Loc) -> &'static [Key] {
    match loc {
        Loc::Top | Loc::Env => WORKER_KEYS,
        Loc::DurableObjects => DURABLE_OBJECTS_KEYS,
        Loc::DoBinding => DO_BINDING_KEYS,
        Loc::Migration => MIGRATION_KEYS,
        Loc::Export => EXPORT_KEYS,
    }
}

/// Every key wrangler's schema allows in the container at `path` that is
/// not written yet, documented by the schema. The keys Durable Object
/// users need most (the hand-written tables) come first, in their order,
/// with what the schema does not say: whether an environment inherits the
/// key. Empty when the schema knows no keys there.
fn schema_key_entries(
    schema: &WranglerSchema,
    path: &[Seg],
    loc: Option<Loc>,
    present: &[String],
    pos: &KeyPos,
) -> Vec<CompletionEntry> {
    let steps: Vec<Step> = path
        .iter()
        .map(|seg| match seg {
            Seg::Key(key) => Step::Key(key),
            Seg::Elem => Step::Element,
        })
        .collect();
    // An export's keys depend on its `type`, which the schema expresses as
    // a union of every kind: the hand-written table knows the Durable
    // Object kind's own keys.
    if loc == Some(Loc::Export) {
        return Vec::new();
    }
    let table = loc.map(table_of).unwrap_or_default();
    let rank = |name: &str| {
        table
            .iter()
            .position(|k| k.name == name)
            .unwrap_or(table.len())
    };
    let mut keys = schema.object_keys(&steps);
    keys.retain(|k| !present.contains(&k.name));
    // Stable: the schema's order among the keys the tables do not list.
    keys.sort_by_key(|k| rank(&k.name));
    keys.into_iter()
        .enumerate()
        .map(|(i, doc)| {
            let known = table.iter().find(|k| k.name == doc.name);
            let scope = known.map(|k| k.scope);
            // The table's short line says what the key is for a DO user.
            let mut detail = known
                .map(|k| k.detail.to_string())
                .or_else(|| doc.value_type.clone())
                .unwrap_or_default();
            let mut documentation = doc.description.clone().unwrap_or_default();
            if loc == Some(Loc::Env) {
                let (short, long) = match scope {
                    Some(Scope::Inherited) => (
                        " · inherited",
                        "Inherited: without it here the environment uses the top-level value.",
                    ),
                    Some(Scope::NotInherited) => (
                        " · not inherited",
                        "Not inherited: the environment sees none of the top-level entries unless they are repeated here.",
                    ),
                    Some(Scope::Name) => (
                        " · defaults to <name>-<env>",
                        "Without it the environment deploys as `<name>-<env>`.",
                    ),
                    _ => ("", ""),
                };
                detail.push_str(short);
                if !long.is_empty() {
                    documentation.push_str("\n\n");
                    documentation.push_str(long);
                }
            }
            if let Some(deprecated) = &doc.deprecated {
                documentation.push_str(&format!("\n\n**Deprecated:** {deprecated}"));
            }
            documentation.push_str(&format!("\n\n_{}_", schema.attribution()));
            CompletionEntry {
                label: doc.name.clone(),
                kind: CompletionKind::Key,
                detail,
                documentation: Some(documentation.trim_start().to_string()),
                insert_text: format!("{}{}{}", pos.before, doc.name, pos.after),
                is_snippet: false,
                replace: pos.replace,
                sort_text: Some(format!("{i:03}")),
            }
        })
        .collect()
}

fn key_entries(loc: Loc, present: &[String], pos: &KeyPos) -> Vec<CompletionEntry> {
    let keys = table_of(loc);
    keys.iter()
        .enumerate()
        .filter(|(_, k)| !present.iter().any(|p| p == k.name))
        .filter(|(_, k)| !(loc == Loc::Env && k.scope == Scope::TopOnly))
        .map(|(i, k)| {
            let detail = match (loc, k.scope) {
                (Loc::Env, Scope::Inherited) => format!("{} · inherited", k.detail),
                (Loc::Env, Scope::NotInherited) => format!("{} · not inherited", k.detail),
                (Loc::Env, Scope::Name) => format!("{} · defaults to <name>-<env>", k.detail),
                _ => k.detail.to_string(),
            };
            let mut doc = k.doc.unwrap_or_default().to_string();
            match (loc, k.scope) {
                (Loc::Env, Scope::Inherited) => doc.push_str(
                    "\n\nInherited: without it here the environment uses the top-level value.",
                ),
                (Loc::Env, Scope::NotInherited) => doc.push_str(
                    "\n\nNot inherited: the environment sees none of the top-level entries unless they are repeated here.",
                ),
                (Loc::Env, Scope::Name) => doc.push_str(
                    "\n\nWithout it the environment deploys as `<name>-<env>`.",
                ),
                _ => {}
            }
            CompletionEntry {
                label: k.name.to_string(),
                kind: CompletionKind::Key,
                detail,
                documentation: Some(doc),
                insert_text: format!("{}{}{}", pos.before, k.name, pos.after),
                is_snippet: false,
                replace: pos.replace,
                sort_text: Some(format!("{i:03}")),
            }
        })
        .collect()
}

/// What the path of containers at the cursor is, if completion knows it.
fn classify(path: &[Seg]) -> Option<Loc> {
    let p: Vec<Option<&str>> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Elem => None,
        })
        .collect();
    let (in_env, rest) = match p.as_slice() {
        [Some("env"), Some(_), rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    match rest {
        [] if in_env => Some(Loc::Env),
        [] => Some(Loc::Top),
        [Some("durable_objects")] => Some(Loc::DurableObjects),
        [Some("durable_objects"), Some("bindings"), None] => Some(Loc::DoBinding),
        [Some("migrations"), None] => Some(Loc::Migration),
        [Some("exports"), Some(_)] => Some(Loc::Export),
        _ => None,
    }
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// The first non-blank byte at or after `i` on the same line.
fn next_on_line(b: &[u8], mut i: usize) -> Option<u8> {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    b.get(i).copied()
}

/// Is the cursor where a key of the current container is written?
fn key_position(text: &str, offset: usize, format: ConfigFormat, at: &At) -> Option<KeyPos> {
    if at.array || at.state != State::Key {
        return None;
    }
    let b = text.as_bytes();
    if format == ConfigFormat::Toml {
        // Top-level tables: only at line start; inline tables: after `{`/`,`.
        if at.table && !at.line_blank {
            return None;
        }
        let (start, end) = match at.tok {
            Tok::Between => (offset, offset),
            Tok::Word { start, end } => (start, end),
            _ => return None,
        };
        if !b[start..end].iter().all(|&c| is_key_byte(c)) {
            return None;
        }
        let has_sep = next_on_line(b, end) == Some(b'=');
        return Some(KeyPos {
            replace: TextRange::new(start, end),
            before: "",
            after: if has_sep { "" } else { " = " },
        });
    }
    match at.tok {
        Tok::Between => Some(KeyPos {
            replace: TextRange::empty(offset),
            before: "\"",
            after: if next_on_line(b, offset) == Some(b':') {
                "\""
            } else {
                "\": "
            },
        }),
        Tok::Word { start, end } => {
            if !b[start..end].iter().all(|&c| is_key_byte(c)) {
                return None;
            }
            let has_sep = next_on_line(b, end) == Some(b':');
            Some(KeyPos {
                replace: TextRange::new(start, end),
                before: "\"",
                after: if has_sep { "\"" } else { "\": " },
            })
        }
        Tok::Str {
            quote,
            content_start,
            content_end,
            closed,
        } => {
            if b[quote] != b'"' {
                return None;
            }
            if !closed {
                return Some(KeyPos {
                    replace: TextRange::new(content_start, offset),
                    before: "",
                    after: "\": ",
                });
            }
            // `"na|"`: the editor closed the quote; replace it too, unless a
            // `:` follows (an existing key being edited).
            if next_on_line(b, content_end + 1) == Some(b':') {
                Some(KeyPos {
                    replace: TextRange::new(content_start, content_end),
                    before: "",
                    after: "",
                })
            } else {
                Some(KeyPos {
                    replace: TextRange::new(content_start, content_end + 1),
                    before: "",
                    after: "\": ",
                })
            }
        }
        Tok::Comment => None,
    }
}

// ------------------------------------------------------------------- tag

fn tag_completion(
    text: &str,
    offset: usize,
    scan: &Scanner,
    at: &At,
) -> Option<Vec<CompletionEntry>> {
    let (replace, quoted) = value_replace(&at.tok, offset)?;
    let siblings: Vec<&Frame> = scan
        .frames()
        .filter(|f| f.path == at.path && f.id != at.frame)
        .collect();
    let tags: Vec<String> = siblings.iter().filter_map(|f| f.tag.clone()).collect();
    let tag = next_tag(&tags, siblings.len());
    let quote = if text.as_bytes().get(replace.start as usize) == Some(&b'\'') {
        "'"
    } else {
        "\""
    };
    let insert = if quoted {
        tag.clone()
    } else {
        format!("{quote}{tag}{quote}")
    };
    let doc = match tags.last() {
        Some(last) => format!(
            "The tag after `{last}`, following the scheme of this file's {} earlier migration(s). Tags must be unique; Cloudflare applies every migration newer than the last deployed tag.",
            tags.len()
        ),
        None => "The first migration's tag. Tags must be unique; Cloudflare applies every migration newer than the last deployed tag.".to_string(),
    };
    Some(vec![CompletionEntry {
        label: tag,
        kind: CompletionKind::Value,
        detail: "next migration tag".into(),
        documentation: Some(doc),
        insert_text: insert,
        is_snippet: false,
        replace,
        sort_text: Some("0".into()),
    }])
}

/// The tag following `tags` (file order): the day after the latest date
/// for `YYYY-MM-DD` tags, the next number for `<prefix><N>` tags, otherwise
/// `v<count + 1>`. Never one that is already taken.
fn next_tag(tags: &[String], count: usize) -> String {
    let taken = |t: &str| tags.iter().any(|x| x == t);
    if let Some(last) = tags.last() {
        if parse_date(last).is_some() {
            if let Some(mut date) = tags.iter().filter_map(|t| parse_date(t)).max() {
                for _ in 0..10_000 {
                    date = next_day(date);
                    let tag = format!("{:04}-{:02}-{:02}", date.0, date.1, date.2);
                    if !taken(&tag) {
                        return tag;
                    }
                }
            }
        }
        if let Some((prefix, digits)) = split_number(last) {
            let max = tags
                .iter()
                .filter_map(|t| split_number(t))
                .filter(|(p, _)| *p == prefix)
                .filter_map(|(_, d)| d.parse::<u64>().ok())
                .max()
                .unwrap_or(0);
            let width = if digits.len() > 1 && digits.starts_with('0') {
                digits.len()
            } else {
                0
            };
            let mut n = max.saturating_add(1);
            loop {
                let tag = format!("{prefix}{n:0width$}");
                if !taken(&tag) || n == u64::MAX {
                    return tag;
                }
                n += 1;
            }
        }
    }
    let mut n = count + 1;
    loop {
        let tag = format!("v{n}");
        if !taken(&tag) {
            return tag;
        }
        n += 1;
    }
}

/// `("v", "12")` for `v12`.
fn split_number(tag: &str) -> Option<(&str, &str)> {
    let digits = tag.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let at = tag.len() - digits;
    Some((&tag[..at], &tag[at..]))
}

fn parse_date(tag: &str) -> Option<(u32, u32, u32)> {
    let b = tag.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = tag.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some((y, m, d))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn next_day((y, m, d): (u32, u32, u32)) -> (u32, u32, u32) {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

// --------------------------------------------------------------- scanner

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Elem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    /// A key may start here.
    Key,
    /// Read a key (TOML: maybe dotted); waiting for `.`, `=` or `:`.
    KeyPart(Vec<String>),
    /// TOML: after `a.`, waiting for the next key part.
    KeyDot(Vec<String>),
    /// After the separator: the value of this key comes next.
    Value(Vec<String>),
    /// A value was read (or inside an array).
    Done,
}

#[derive(Clone, Debug)]
struct Frame {
    id: usize,
    path: Vec<Seg>,
    array: bool,
    /// A TOML table opened by a header (or the TOML root): ends at the next
    /// header, not at a bracket.
    table: bool,
    state: State,
    /// First key parts written in this container, in order.
    keys: Vec<String>,
    /// Whether the key being read holds the cursor (it is being edited and
    /// does not count as present).
    key_at_cursor: bool,
    tag: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    /// Between tokens (whitespace).
    Between,
    /// In or right after a bare word.
    Word {
        start: usize,
        end: usize,
    },
    /// Inside a string: `quote` is the opening quote's offset, the content
    /// ends before the closing quote (or at the line end when unclosed).
    Str {
        quote: usize,
        content_start: usize,
        content_end: usize,
        closed: bool,
    },
    Comment,
}

/// The scanner's state at the cursor.
#[derive(Clone, Debug)]
struct At {
    frame: usize,
    path: Vec<Seg>,
    array: bool,
    table: bool,
    state: State,
    tok: Tok,
    /// Only whitespace between the line start and the token (or cursor).
    line_blank: bool,
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    offset: usize,
    toml: bool,
    stack: Vec<Frame>,
    done: Vec<Frame>,
    next_id: usize,
    /// TOML header paths, for keys a table gets from sub-table headers.
    headers: Vec<Vec<String>>,
    at: Option<At>,
}

impl<'a> Scanner<'a> {
    fn run(text: &'a str, offset: usize, toml: bool) -> Scanner<'a> {
        let mut s = Scanner {
            text,
            b: text.as_bytes(),
            offset,
            toml,
            stack: Vec::new(),
            done: Vec::new(),
            next_id: 0,
            headers: Vec::new(),
            at: None,
        };
        if toml {
            s.push(Vec::new(), false, true);
        }
        s.scan();
        if s.at.is_none() {
            s.snapshot(text.len(), Tok::Between);
        }
        s
    }

    fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.done.iter().chain(self.stack.iter())
    }

    /// Keys of the cursor's container, including sub-table headers (TOML).
    fn present_keys(&self, at: &At) -> Vec<String> {
        let mut keys: Vec<String> = self
            .frames()
            .find(|f| f.id == at.frame)
            .map(|f| f.keys.clone())
            .unwrap_or_default();
        let path: Option<Vec<&str>> = at
            .path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Elem => None,
            })
            .collect();
        if let (true, Some(path)) = (at.table, path) {
            for header in &self.headers {
                if header.len() > path.len() && header.iter().zip(&path).all(|(h, p)| h == p) {
                    keys.push(header[path.len()].clone());
                }
            }
        }
        keys
    }

    fn push(&mut self, path: Vec<Seg>, array: bool, table: bool) {
        let state = if array { State::Done } else { State::Key };
        self.stack.push(Frame {
            id: self.next_id,
            path,
            array,
            table,
            state,
            keys: Vec::new(),
            key_at_cursor: false,
            tag: None,
        });
        self.next_id += 1;
    }

    fn pop(&mut self) {
        if let Some(frame) = self.stack.pop() {
            self.done.push(frame);
        }
    }

    fn line_blank(&self, at: usize) -> bool {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        self.b[line_start..at]
            .iter()
            .all(|&c| c == b' ' || c == b'\t' || c == b'\r')
    }

    fn snapshot(&mut self, pos: usize, tok: Tok) {
        if self.at.is_some() {
            return;
        }
        let line_blank = self.line_blank(pos.min(self.offset));
        let at = match self.stack.last() {
            Some(f) => At {
                frame: f.id,
                path: f.path.clone(),
                array: f.array,
                table: f.table,
                state: f.state.clone(),
                tok,
                line_blank,
            },
            // JSON before the root object.
            None => At {
                frame: usize::MAX,
                path: vec![Seg::Key(String::new())],
                array: true,
                table: false,
                state: State::Done,
                tok,
                line_blank,
            },
        };
        self.at = Some(at);
    }

    /// Called at every token `[start, end)` before it is processed.
    fn token(&mut self, start: usize, end: usize, tok: Tok) {
        if self.at.is_some() {
            return;
        }
        if self.offset <= start {
            self.snapshot(start, Tok::Between);
        } else if self.offset <= end {
            match tok {
                Tok::Str { closed: true, .. } if self.offset == end => {}
                Tok::Between => {}
                _ => self.snapshot(start, tok),
            }
        }
    }

    fn scan(&mut self) {
        let b = self.b;
        let n = b.len();
        let mut i = 0;
        while i < n {
            let c = b[i];
            match c {
                b'\n' => {
                    if self.toml {
                        // `tag = |` ends at the line end, before the reset.
                        self.token(i, i + 1, Tok::Between);
                        if let Some(f) = self.stack.last_mut() {
                            if f.table {
                                f.state = State::Key;
                            }
                        }
                    }
                    i += 1;
                }
                b' ' | b'\t' | b'\r' => i += 1,
                b'#' if self.toml => {
                    let end = line_end(b, i);
                    self.token(i, end, Tok::Comment);
                    i = end;
                }
                b'/' if !self.toml && b.get(i + 1) == Some(&b'/') => {
                    let end = line_end(b, i);
                    self.token(i, end, Tok::Comment);
                    i = end;
                }
                b'/' if !self.toml && b.get(i + 1) == Some(&b'*') => {
                    let end = self.text[i + 2..].find("*/").map_or(n, |e| i + 2 + e + 2);
                    self.token(i + 1, end.saturating_sub(1).max(i + 1), Tok::Comment);
                    i = end;
                }
                b'[' if self.toml && self.line_blank(i) && self.header(i) => {
                    i = line_end(b, i);
                }
                b'"' | b'\'' if c == b'"' || self.toml => {
                    let (tok, end, value) = self.string(i);
                    self.token(i, end, tok);
                    self.on_scalar(value, true, i, end);
                    i = end;
                }
                b'{' | b'[' => {
                    self.token(i, i + 1, Tok::Between);
                    self.open(c == b'[');
                    i += 1;
                }
                b'}' | b']' => {
                    self.token(i, i + 1, Tok::Between);
                    if self.stack.last().is_some_and(|f| !f.table) {
                        self.pop();
                    }
                    if let Some(f) = self.stack.last_mut() {
                        if !f.array {
                            f.state = State::Done;
                        }
                    }
                    i += 1;
                }
                b',' => {
                    self.token(i, i + 1, Tok::Between);
                    if let Some(f) = self.stack.last_mut() {
                        if !f.array && !f.table {
                            f.state = State::Key;
                        }
                    }
                    i += 1;
                }
                b'=' | b':' if (c == b'=') == self.toml => {
                    self.token(i, i + 1, Tok::Between);
                    self.separator();
                    i += 1;
                }
                b'.' if self.toml
                    && matches!(self.stack.last().map(|f| &f.state), Some(State::KeyPart(_))) =>
                {
                    self.token(i, i + 1, Tok::Between);
                    if let Some(f) = self.stack.last_mut() {
                        if let State::KeyPart(parts) = &f.state {
                            f.state = State::KeyDot(parts.clone());
                        }
                    }
                    i += 1;
                }
                _ => {
                    let in_key = matches!(
                        self.stack.last().map(|f| &f.state),
                        Some(State::Key | State::KeyDot(_))
                    );
                    let mut end = i + 1;
                    while end < n && self.word_byte(b[end], in_key) {
                        end += 1;
                    }
                    // Keep multi-byte characters whole.
                    while end < n && !self.text.is_char_boundary(end) {
                        end += 1;
                    }
                    self.token(i, end, Tok::Word { start: i, end });
                    let value = self.text[i..end].to_string();
                    self.on_scalar(value, false, i, end);
                    i = end;
                }
            }
        }
    }

    fn word_byte(&self, c: u8, in_key: bool) -> bool {
        if c.is_ascii_whitespace() {
            return false;
        }
        let stop: &[u8] = if self.toml {
            if in_key {
                b",[]{}=#\"'."
            } else {
                b",[]{}=#\"'"
            }
        } else {
            b",[]{}:\"/"
        };
        !stop.contains(&c)
    }

    /// A string starting at `i`: its token, end offset and content.
    fn string(&self, i: usize) -> (Tok, usize, String) {
        let b = self.b;
        let q = b[i];
        let triple = self.toml && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q);
        if triple {
            let close = [q, q, q];
            let from = i + 3;
            let found = b[from..].windows(3).position(|w| w == close);
            let (content_end, end, closed) = match found {
                Some(p) => (from + p, from + p + 3, true),
                None => (b.len(), b.len(), false),
            };
            let tok = Tok::Str {
                quote: i,
                content_start: from,
                content_end,
                closed,
            };
            return (tok, end, self.text[from..content_end].to_string());
        }
        let escapes = q == b'"';
        let mut j = i + 1;
        let mut closed = false;
        while j < b.len() {
            match b[j] {
                c if c == q => {
                    closed = true;
                    break;
                }
                b'\n' => break,
                b'\\' if escapes => j += 2,
                _ => j += 1,
            }
        }
        let content_end = j.min(b.len());
        let content_end = clamp(self.text, content_end);
        let end = if closed { content_end + 1 } else { content_end };
        let tok = Tok::Str {
            quote: i,
            content_start: i + 1,
            content_end,
            closed,
        };
        (tok, end, self.text[i + 1..content_end].to_string())
    }

    fn on_scalar(&mut self, value: String, quoted: bool, start: usize, end: usize) {
        let at_cursor = start <= self.offset && self.offset <= end;
        let toml = self.toml;
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        if f.array {
            return;
        }
        match std::mem::replace(&mut f.state, State::Done) {
            State::Key => {
                f.key_at_cursor = at_cursor;
                f.state = State::KeyPart(vec![value]);
            }
            State::KeyDot(mut parts) => {
                f.key_at_cursor |= at_cursor;
                parts.push(value);
                f.state = State::KeyPart(parts);
            }
            State::Value(parts) if parts == ["tag"] && quoted => f.tag = Some(value),
            // JSON without a comma: read on as the next key.
            State::KeyPart(_) | State::Done if !toml && quoted => {
                f.key_at_cursor = at_cursor;
                f.state = State::KeyPart(vec![value]);
            }
            _ => {}
        }
    }

    fn separator(&mut self) {
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        if let State::KeyPart(parts) = &f.state {
            let parts = parts.clone();
            if !f.key_at_cursor && !f.keys.contains(&parts[0]) {
                f.keys.push(parts[0].clone());
            }
            f.key_at_cursor = false;
            f.state = State::Value(parts);
        }
    }

    fn open(&mut self, array: bool) {
        let Some(parent) = self.stack.last_mut() else {
            self.push(Vec::new(), array, false);
            return;
        };
        let mut path = parent.path.clone();
        if parent.array {
            path.push(Seg::Elem);
        } else {
            match std::mem::replace(&mut parent.state, State::Done) {
                State::Value(parts) => path.extend(parts.into_iter().map(Seg::Key)),
                // No key: a container nobody completes in.
                _ => path.push(Seg::Key(String::new())),
            }
        }
        self.push(path, array, false);
    }

    /// A TOML header line at `i`: closes everything and opens its table.
    /// False when the line is not a header (e.g. an array element line).
    fn header(&mut self, i: usize) -> bool {
        let end = line_end(self.b, i);
        let line = &self.text[i..end];
        let parsed = parse_header(line);
        let at_table_level = self.stack.len() <= 1;
        if parsed.is_none() && !at_table_level {
            return false;
        }
        // The cursor on a header line completes nothing.
        if self.at.is_none() && i < self.offset && self.offset <= end {
            self.snapshot(i, Tok::Comment);
        }
        if self.at.is_none() && self.offset <= i {
            self.snapshot(i, Tok::Between);
        }
        while !self.stack.is_empty() {
            self.pop();
        }
        let path = match parsed {
            Some((parts, array)) => {
                self.headers.push(parts.clone());
                let mut path: Vec<Seg> = parts.into_iter().map(Seg::Key).collect();
                if array {
                    path.push(Seg::Elem);
                }
                path
            }
            None => vec![Seg::Key(String::new())],
        };
        self.push(path, false, true);
        true
    }
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// `[a.b]` / `[[a."b c"]]` (with an optional trailing comment) → the key
/// parts and whether it is an array-of-tables header.
fn parse_header(line: &str) -> Option<(Vec<String>, bool)> {
    let b = line.as_bytes();
    let array = b.get(1) == Some(&b'[');
    let mut i = if array { 2 } else { 1 };
    let mut parts = Vec::new();
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let c = *b.get(i)?;
        if c == b'"' || c == b'\'' {
            let close = line[i + 1..].find(c as char)? + i + 1;
            parts.push(line[i + 1..close].to_string());
            i = close + 1;
        } else {
            let start = i;
            while i < b.len() && is_key_byte(b[i]) {
                i += 1;
            }
            if start == i {
                return None;
            }
            parts.push(line[start..i].to_string());
        }
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        match b.get(i)? {
            b'.' => i += 1,
            b']' => break,
            _ => return None,
        }
    }
    i += 1;
    if array {
        if b.get(i) != Some(&b']') {
            return None;
        }
        i += 1;
    }
    let rest = line[i..].trim();
    (rest.is_empty() || rest.starts_with('#')).then_some((parts, array))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Workspace;

    fn format_of(path: &str) -> ConfigFormat {
        ConfigFormat::from_file_name(path).unwrap()
    }

    /// Entries at `$0` in `text` read as the config `path`.
    fn complete(path: &str, text: &str) -> Vec<CompletionEntry> {
        let offset = text.find("$0").expect("a $0 marker");
        let text = text.replacen("$0", "", 1);
        completion(&text, offset, format_of(path), WranglerSchema::bundled()).unwrap_or_default()
    }

    fn labels(path: &str, text: &str) -> Vec<String> {
        complete(path, text).into_iter().map(|e| e.label).collect()
    }

    fn has(labels: &[String], wanted: &[&str]) -> bool {
        wanted.iter().all(|w| labels.iter().any(|l| l == w))
    }

    fn lacks(labels: &[String], unwanted: &[&str]) -> bool {
        unwanted.iter().all(|w| !labels.iter().any(|l| l == w))
    }

    /// The text after applying the entry labelled `label`.
    fn apply(path: &str, text: &str, label: &str) -> String {
        let entries = complete(path, text);
        let e = entries
            .iter()
            .find(|e| e.label == label)
            .unwrap_or_else(|| panic!("no {label} in {entries:?}"));
        let mut out = text.replacen("$0", "", 1);
        out.replace_range(e.replace.as_std(), &e.insert_text);
        out
    }

    // ---------------------------------------------------------------- TOML

    #[test]
    fn toml_top_level_keys_at_line_start() {
        let text = "name = \"app\"\nma$0\ncompatibility_date = \"2026-01-01\"\n\n[[migrations]]\ntag = \"v1\"\n";
        let l = labels("wrangler.toml", text);
        assert!(
            has(
                &l,
                &["main", "durable_objects", "env", "kv_namespaces", "vars"]
            ),
            "{l:?}"
        );
        // Present before and after the cursor, and as a header.
        assert!(
            lacks(&l, &["name", "compatibility_date", "migrations"]),
            "{l:?}"
        );
        assert_eq!(
            apply("wrangler.toml", text, "main"),
            "name = \"app\"\nmain = \ncompatibility_date = \"2026-01-01\"\n\n[[migrations]]\ntag = \"v1\"\n"
        );
    }

    #[test]
    fn toml_existing_separator_is_kept() {
        let text = "na$0 = \"app\"\n";
        assert_eq!(apply("wrangler.toml", text, "name"), "name = \"app\"\n");
    }

    #[test]
    fn toml_do_binding_keys() {
        let text = "name = \"app\"\n\n[[durable_objects.bindings]]\nname = \"COUNTER\"\n$0\n\n[[migrations]]\ntag = \"v1\"\n";
        let l = labels("wrangler.toml", text);
        assert_eq!(l, ["class_name", "script_name", "environment"]);
    }

    #[test]
    fn toml_migration_keys() {
        let text = "[[migrations]]\ntag = \"v1\"\nnew_$0\n";
        let l = labels("wrangler.toml", text);
        assert_eq!(
            l,
            [
                "new_sqlite_classes",
                "new_classes",
                "renamed_classes",
                "deleted_classes",
                "transferred_classes"
            ]
        );
    }

    #[test]
    fn toml_env_keys_mark_inheritance() {
        let text = "name = \"app\"\n\n[env.staging]\nvars = { A = \"1\" }\n$0\n\n[[env.staging.durable_objects.bindings]]\nname = \"X\"\nclass_name = \"X\"\n";
        let entries = complete("wrangler.toml", text);
        let l: Vec<String> = entries.iter().map(|e| e.label.clone()).collect();
        assert!(
            lacks(
                &l,
                &[
                    "vars",
                    "durable_objects",
                    "env",
                    "send_metrics",
                    "keep_vars"
                ]
            ),
            "{l:?}"
        );
        let detail = |k: &str| {
            entries
                .iter()
                .find(|e| e.label == k)
                .unwrap()
                .detail
                .clone()
        };
        assert!(detail("migrations").ends_with("· inherited"));
        assert!(detail("kv_namespaces").ends_with("· not inherited"));
        assert!(detail("name").contains("<name>-<env>"));
        let doc = entries.iter().find(|e| e.label == "kv_namespaces").unwrap();
        assert!(doc
            .documentation
            .as_deref()
            .unwrap()
            .contains("Not inherited"));
    }

    #[test]
    fn toml_export_entry_and_durable_objects_table() {
        let text = "[exports.Counter]\ntype = \"durable-object\"\n$0\n";
        assert_eq!(
            labels("wrangler.toml", text),
            [
                "storage",
                "state",
                "renamed_to",
                "transferred_to",
                "transfer_from"
            ]
        );
        let text = "[durable_objects]\n$0\n";
        assert_eq!(
            labels("wrangler.toml", text),
            ["bindings", "code_update_strategy"]
        );
    }

    #[test]
    fn toml_inline_tables() {
        let text = "durable_objects = { bindings = [ { name = \"A\", $0 } ] }\n";
        assert_eq!(
            labels("wrangler.toml", text),
            ["class_name", "script_name", "environment"]
        );
        let text = "[[migrations]]\ntag = \"v1\"\nrenamed_classes = [{ from = \"A\", $0 }]\n";
        assert_eq!(labels("wrangler.toml", text), ["to"]);
    }

    /// Keys the hand-written tables never knew complete from wrangler's
    /// schema, in every format, documented by it.
    #[test]
    fn keys_of_any_table_complete_from_wranglers_schema() {
        for (file, text) in [
            ("wrangler.toml", "[[kv_namespaces]]\n$0\n"),
            ("wrangler.jsonc", r#"{ "kv_namespaces": [ { $0 } ] }"#),
            ("wrangler.json", r#"{ "observability": { $0 } }"#),
        ] {
            let format = ConfigFormat::from_file_name(file).unwrap();
            let offset = text.find("$0").unwrap();
            let clean = text.replace("$0", "");
            let entries =
                completion(&clean, offset, format, WranglerSchema::bundled()).unwrap_or_default();
            assert!(!entries.is_empty(), "{text}");
            assert!(
                entries.iter().all(|e| e
                    .documentation
                    .as_deref()
                    .is_some_and(|d| d.contains("configuration schema of wrangler"))),
                "{text}: {entries:?}"
            );
        }
        let text = "[[kv_namespaces]]\n$0\n";
        assert_eq!(
            labels("wrangler.toml", text)[..2],
            ["binding".to_string(), "id".to_string()]
        );
        // Every top-level key of the schema is offered in an empty file,
        // then the two section snippets.
        let top = labels("wrangler.toml", "$0");
        assert_eq!(
            top.len(),
            WranglerSchema::bundled().object_keys(&[]).len() + 2,
            "{top:?}"
        );
    }

    #[test]
    fn toml_no_key_completion_in_values_comments_or_free_tables() {
        for text in [
            "name = \"ap$0\"\n",
            "name = $0\n",
            "main = \"src/index.ts\" $0\n",
            "# ma$0\n",
            "compatibility_flags = [\n  $0\n]\n",
            "[vars]\n$0\n",
            "[env.staging.vars]\nA$0\n",
            "[du$0\n",
            "desc = \"\"\"\n$0\n\"\"\"\n",
        ] {
            let offset = text.find("$0").unwrap();
            let clean = text.replace("$0", "");
            let got = completion(
                &clean,
                offset,
                ConfigFormat::Toml,
                WranglerSchema::bundled(),
            );
            let keys = got.unwrap_or_default();
            assert!(keys.is_empty(), "{text:?}: {keys:?}");
        }
    }

    #[test]
    fn toml_key_being_edited_is_still_offered() {
        let text = "[[migrations]]\nta$0g = \"v1\"\n";
        let l = labels("wrangler.toml", text);
        assert!(has(&l, &["tag"]), "{l:?}");
        assert_eq!(
            apply("wrangler.toml", text, "tag"),
            "[[migrations]]\ntag = \"v1\"\n"
        );
    }

    #[test]
    fn toml_tag_completion() {
        let text = "[[migrations]]\ntag = \"v1\"\n\n[[migrations]]\ntag = \"v2\"\n\n[[migrations]]\ntag = \"$0\"\n";
        let entries = complete("wrangler.toml", text);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].label, "v3");
        assert_eq!(entries[0].kind, CompletionKind::Value);
        assert!(apply("wrangler.toml", text, "v3").ends_with("tag = \"v3\"\n"));
        // No quote typed yet.
        let text = "[[migrations]]\ntag = \"v1\"\n[[migrations]]\ntag = $0\n";
        assert!(apply("wrangler.toml", text, "v2").ends_with("tag = \"v2\"\n"));
        // Env migrations are a separate list.
        let text = "[[migrations]]\ntag = \"v1\"\n[[migrations]]\ntag = \"v2\"\n[[env.x.migrations]]\ntag = \"a1\"\n[[env.x.migrations]]\ntag = \"$0\"\n";
        assert_eq!(labels("wrangler.toml", text), ["a2"]);
    }

    #[test]
    fn tag_not_offered_outside_migrations() {
        let text = "[vars]\ntag = \"$0\"\n";
        assert!(completion(
            &text.replace("$0", ""),
            text.find("$0").unwrap(),
            ConfigFormat::Toml,
            WranglerSchema::bundled()
        )
        .is_none());
    }

    // ---------------------------------------------------------- JSON(C)

    #[test]
    fn json_top_level_keys_after_brace_and_comma() {
        let text = "{\n  \"name\": \"app\",\n  $0\n}\n";
        let l = labels("wrangler.json", text);
        assert!(
            has(&l, &["main", "durable_objects", "migrations", "env"]),
            "{l:?}"
        );
        assert!(lacks(&l, &["name"]));
        assert_eq!(
            apply("wrangler.json", text, "main"),
            "{\n  \"name\": \"app\",\n  \"main\": \n}\n"
        );
        let text = "{$0}";
        assert!(has(&labels("wrangler.json", text), &["name"]));
    }

    #[test]
    fn json_quote_already_typed() {
        // Unclosed quote.
        let text = "{\n  \"name\": \"app\",\n  \"ma$0\n}\n";
        assert_eq!(
            apply("wrangler.jsonc", text, "main"),
            "{\n  \"name\": \"app\",\n  \"main\": \n}\n"
        );
        // Auto-closed quote.
        let text = "{\n  \"ma$0\"\n}\n";
        assert_eq!(
            apply("wrangler.jsonc", text, "main"),
            "{\n  \"main\": \n}\n"
        );
        // Editing an existing key.
        let text = "{\n  \"ma$0in\": \"x\"\n}\n";
        assert_eq!(
            apply("wrangler.jsonc", text, "main"),
            "{\n  \"main\": \"x\"\n}\n"
        );
        // Bare word.
        let text = "{\n  ma$0\n}\n";
        assert_eq!(
            apply("wrangler.jsonc", text, "main"),
            "{\n  \"main\": \n}\n"
        );
    }

    #[test]
    fn jsonc_locations() {
        let text = r#"{
  // comment with "quotes" and { braces
  "name": "app",
  "durable_objects": {
    "bindings": [
      { "name": "COUNTER", $0 }
    ]
  },
  /* "main": */
  "migrations": [{ "tag": "v1" }],
}"#;
        assert_eq!(
            labels("wrangler.jsonc", text),
            ["class_name", "script_name", "environment"]
        );

        let text = r#"{ "durable_objects": { $0 } }"#;
        assert_eq!(
            labels("wrangler.jsonc", text),
            ["bindings", "code_update_strategy"]
        );

        let text =
            r#"{ "migrations": [ { "tag": "v1", "new_sqlite_classes": ["A"] }, { "$0" } ] }"#;
        assert!(has(
            &labels("wrangler.jsonc", text),
            &["tag", "new_sqlite_classes"]
        ));

        let text = r#"{ "exports": { "Counter": { "type": "durable-object", "$0" } } }"#;
        assert_eq!(
            labels("wrangler.jsonc", text),
            [
                "storage",
                "state",
                "renamed_to",
                "transferred_to",
                "transfer_from"
            ]
        );

        let text = r#"{ "env": { "staging": { "vars": {}, $0 "migrations": [] } } }"#;
        let entries = complete("wrangler.jsonc", text);
        let l: Vec<String> = entries.iter().map(|e| e.label.clone()).collect();
        assert!(lacks(&l, &["vars", "migrations", "env", "dev"]), "{l:?}");
        let d1 = entries.iter().find(|e| e.label == "d1_databases").unwrap();
        assert!(d1.detail.ends_with("not inherited"));
        let main = entries.iter().find(|e| e.label == "main").unwrap();
        assert!(main.detail.ends_with("· inherited"));
    }

    #[test]
    fn json_no_key_completion_in_values_and_free_objects() {
        for text in [
            r#"{ "name": "a$0" }"#,
            r#"{ "name": $0 }"#,
            r#"{ "compatibility_flags": [ "$0" ] }"#,
            r#"{ "vars": { $0 } }"#,
            "{ // na$0\n}",
            r#"{ "name": "app" $0 }"#,
            r#"$0{ }"#,
        ] {
            let offset = text.find("$0").unwrap();
            let clean = text.replace("$0", "");
            let keys = completion(
                &clean,
                offset,
                ConfigFormat::Jsonc,
                WranglerSchema::bundled(),
            )
            .unwrap_or_default();
            assert!(keys.is_empty(), "{text:?}: {keys:?}");
        }
    }

    #[test]
    fn json_tag_completion() {
        let text = r#"{ "migrations": [ { "tag": "2026-02-28" }, { "tag": "2026-02-27" }, { "tag": "$0" } ] }"#;
        assert_eq!(labels("wrangler.json", text), ["2026-03-01"]);
        let text = r#"{ "migrations": [ { "tag": "v1" }, { "tag": $0 } ] }"#;
        let out = apply("wrangler.json", text, "v2");
        assert!(out.contains(r#"{ "tag": "v2" }"#), "{out}");
        let text =
            r#"{ "migrations": [ { "tag": "first" }, { "tag": "second" }, { "tag": "$0" } ] }"#;
        assert_eq!(labels("wrangler.jsonc", text), ["v3"]);
        let text = r#"{ "migrations": [ { "tag": "$0" } ] }"#;
        assert_eq!(labels("wrangler.jsonc", text), ["v1"]);
    }

    #[test]
    fn next_tag_schemes() {
        let t = |tags: &[&str], count| {
            let tags: Vec<String> = tags.iter().map(|s| s.to_string()).collect();
            next_tag(&tags, count)
        };
        assert_eq!(t(&["v1", "v2"], 2), "v3");
        assert_eq!(t(&["v1", "v9", "v2"], 3), "v10");
        assert_eq!(t(&["m001", "m002"], 2), "m003");
        assert_eq!(t(&["2024-12-31"], 1), "2025-01-01");
        assert_eq!(t(&["2024-02-28"], 1), "2024-02-29");
        assert_eq!(t(&["2023-02-28"], 1), "2023-03-01");
        assert_eq!(t(&["2026-11-26", "2026-11-20"], 2), "2026-11-27");
        assert_eq!(t(&["init", "second"], 2), "v3");
        assert_eq!(t(&["init", "v3"], 2), "v4");
        assert_eq!(t(&["alpha", "v3", "beta"], 2), "v4");
        assert_eq!(t(&[], 0), "v1");
        assert_eq!(t(&["x99999999999999999999"], 1), "v2");
    }

    // ------------------------------------------------------------ traps

    #[test]
    fn never_panics_on_any_offset() {
        let texts = [
            "name = \"é\"\n[[migrations]]\ntag = \"v1\"\n[env.\"a b\"]\nx = [1, {a = 2}]\n'''\n",
            "{ \"name\": \"日本\", /* x */ \"migrations\": [ { \"tag\": \"v1\" }, { \"tag\": \"",
            "[[durable_objects.bindings\nname = \"A\"\n]]]]\n{{{\n\"\\",
            "",
            "{",
            "[",
            "\"",
            "\\\"",
        ];
        for text in texts {
            for format in [ConfigFormat::Toml, ConfigFormat::Json, ConfigFormat::Jsonc] {
                for offset in 0..=text.len() + 2 {
                    let _ = completion(text, offset, format, WranglerSchema::bundled());
                }
            }
        }
    }

    fn workspace(files: &[(&str, &str)]) -> (Workspace, crate::files::FileId, usize) {
        let f = super::super::tests::fixture(files);
        (f.ws, f.file, f.offset)
    }

    #[test]
    fn dispatched_from_completion_for_configs_only() {
        let (ws, file, offset) = workspace(&[
            ("/p/wrangler.toml", "name = \"app\"\nmain = \"src/index.ts\"\n[[migrations]]\ntag = \"v1\"\n[[migrations]]\n$0\n"),
            ("/p/src/index.ts", "export default {};\n"),
        ]);
        let l: Vec<String> = super::super::completion::completion(&ws, file, offset)
            .into_iter()
            .map(|e| e.label)
            .collect();
        assert!(has(&l, &["tag", "new_sqlite_classes"]), "{l:?}");

        // Existing value completion still runs after a non-key position.
        let (ws, file, offset) = workspace(&[
            ("/p/wrangler.toml", "name = \"app\"\nmain = \"$0\"\n"),
            ("/p/src/index.ts", "export default {};\n"),
        ]);
        let l: Vec<String> = super::super::completion::completion(&ws, file, offset)
            .into_iter()
            .map(|e| e.label)
            .collect();
        assert_eq!(l, ["src/index.ts"]);

        // A TS file that looks like a config gets none of it.
        let (ws, file, offset) = workspace(&[
            (
                "/p/wrangler.toml",
                "name = \"app\"\nmain = \"src/index.ts\"\n",
            ),
            (
                "/p/src/index.ts",
                "const config = {\n  $0\n};\nexport default {};\n",
            ),
        ]);
        let entries = super::super::completion::completion(&ws, file, offset);
        assert!(
            entries.iter().all(|e| e.kind != CompletionKind::Key),
            "{entries:?}"
        );
    }
}
