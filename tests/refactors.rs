//! Refactor tests: renames (a Durable Object class, a binding), the
//! `dols.newDurableObject` command and "Bind this class", on small projects
//! in `tests/refactors/<case>/`.
//!
//! A case runs one operation. Every file it changes or creates must equal
//! its `<file>.after` twin byte for byte, a twin whose file stays the same
//! is an error, and every other file must be untouched. After the change,
//! no rule may report more than it did before (a rename that forgets a
//! `class_name` shows up as `unknown-class`, a missing export as
//! `class-not-exported`, ...). Refusals check the message.
//!
//! `DOLS_BLESS=1 cargo test --test refactors` rewrites the `.after` twins of
//! cases that have at least one; create an empty twin to start a case and
//! read the result critically: it is the spec.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dols::files::FileId;
use dols::fix::{apply_edits, SourceChange};
use dols::model::{InputFile, Workspace};

fn case_root(case: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/refactors")
        .join(case);
    dols::model::resolve::normalize(&std::path::absolute(root).unwrap())
}

fn load(root: &Path) -> Vec<InputFile> {
    // Pin the date used by date-based migration tags.
    std::env::set_var("SOURCE_DATE_EPOCH", "1764115200");
    dols::discovery::load(&[root.to_path_buf()], &[]).0
}

fn build(root: &Path) -> Workspace {
    Workspace::build(load(root))
}

/// The file and offset of `at`: a snippet that occurs once in `file`, with
/// `|` where the cursor is.
fn cursor(ws: &Workspace, root: &Path, file: &str, at: &str) -> (FileId, usize) {
    let id = ws
        .files
        .lookup(&root.join(file))
        .unwrap_or_else(|| panic!("{file} is not in the workspace"));
    let text = ws.files.text(id);
    let bar = at.find('|').expect("a `|` cursor in the snippet");
    let snippet = at.replace('|', "");
    let found: Vec<usize> = text.match_indices(&snippet).map(|(i, _)| i).collect();
    assert_eq!(found.len(), 1, "`{snippet}` must occur once in {file}");
    (id, found[0] + bar)
}

enum Op<'a> {
    Rename {
        file: &'a str,
        at: &'a str,
        to: &'a str,
    },
    NewObject {
        config: &'a str,
        class: &'a str,
        binding: &'a str,
    },
    Bind {
        file: &'a str,
        at: &'a str,
    },
}

fn run(ws: &Workspace, root: &Path, op: &Op) -> Result<SourceChange, String> {
    match op {
        Op::Rename { file, at, to } => {
            let (file, offset) = cursor(ws, root, file, at);
            dols::features::rename::rename(ws, file, offset, to)
        }
        Op::NewObject {
            config,
            class,
            binding,
        } => {
            let config = ws.files.lookup(&root.join(config)).expect("the config");
            dols::features::new_object::new_durable_object(ws, config, class, binding)
        }
        Op::Bind { file, at } => {
            let (file, offset) = cursor(ws, root, file, at);
            dols::features::new_object::bind_class(ws, file, offset)
                .map(|(_, change)| change)
                .ok_or_else(|| "no bind action".to_string())
        }
    }
}

fn twin(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".after");
    PathBuf::from(name)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Findings per rule.
fn counts(ws: &Workspace) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for d in dols::rules::run(ws, &Default::default()) {
        *out.entry(d.code.to_string()).or_insert(0) += 1;
    }
    out
}

/// Runs `op` on the case and compares the result with the `.after` twins.
fn check(case: &str, op: Op) {
    let root = case_root(case);
    let ws = build(&root);
    let change = run(&ws, &root, &op).unwrap_or_else(|e| panic!("{case}: refused: {e}"));
    let bless = std::env::var_os("DOLS_BLESS").is_some();
    let mut after: BTreeMap<PathBuf, String> = BTreeMap::new();
    for (file, edits) in &change.edits {
        let path = ws.files.path(*file).to_path_buf();
        let text = apply_edits(ws.files.text(*file), edits)
            .unwrap_or_else(|e| panic!("{case}: overlapping edits in {}: {e:?}", path.display()));
        after.insert(path, text);
    }
    for (path, text) in &change.created {
        assert!(
            !path.exists(),
            "{case}: creates {} which exists",
            path.display()
        );
        assert!(
            after.insert(path.clone(), text.clone()).is_none(),
            "{case}: {} both edited and created",
            path.display()
        );
    }
    let mut failures = Vec::new();
    let mut twins = Vec::new();
    files_under(&root, &mut twins);
    twins.retain(|f| f.extension().is_some_and(|e| e == "after"));
    for (path, text) in &after {
        let twin = twin(path);
        twins.retain(|t| *t != twin);
        let expected = std::fs::read_to_string(&twin).unwrap_or_default();
        if expected == *text {
            continue;
        }
        if bless {
            std::fs::write(&twin, text).unwrap();
        } else {
            failures.push(format!(
                "{} differs from {}\n--- expected\n{expected}\n--- actual\n{text}",
                path.display(),
                twin.display()
            ));
        }
    }
    for twin in twins {
        failures.push(format!(
            "{} exists but its file was not changed",
            twin.display()
        ));
    }
    // The project after the change: no rule reports more than before.
    let mut inputs = load(&root);
    for input in &mut inputs {
        if let Some(text) = after.get(&input.path) {
            input.text = text.as_str().into();
        }
    }
    for (path, text) in &change.created {
        inputs.push(InputFile {
            role: dols::discovery::FileRole::of(path).unwrap(),
            path: path.clone(),
            text: text.as_str().into(),
        });
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    let before = counts(&ws);
    let changed = counts(&Workspace::build(inputs));
    for (rule, count) in &changed {
        let was = before.get(rule).copied().unwrap_or(0);
        if *count > was {
            failures.push(format!(
                "`{rule}` reports {count} findings after the change, {was} before"
            ));
        }
    }
    assert!(failures.is_empty(), "{case}:\n{}", failures.join("\n\n"));
}

/// Runs `op` and expects a refusal whose message contains `message`.
fn refused(case: &str, op: Op, message: &str) {
    let root = case_root(case);
    let ws = build(&root);
    match run(&ws, &root, &op) {
        Ok(change) => panic!("{case}: expected a refusal, got {change:?}"),
        Err(e) => assert!(
            e.contains(message),
            "{case}: refused with `{e}`, expected `{message}`"
        ),
    }
}

fn prepare(case: &str, file: &str, at: &str) -> Result<Option<String>, String> {
    let root = case_root(case);
    let ws = build(&root);
    let (id, offset) = cursor(&ws, &root, file, at);
    dols::features::rename::prepare_rename(&ws, id, offset).map(|found| {
        found.map(|(range, name)| {
            assert_eq!(
                &ws.files.text(id)[range.start as usize..range.end as usize],
                name
            );
            name
        })
    })
}

// ------------------------------------------------------------ class renames

#[test]
fn class_rename_from_its_declaration_in_toml() {
    check(
        "class-toml",
        Op::Rename {
            file: "api/src/room.ts",
            at: "class Ro|om",
            to: "ChatRoom",
        },
    );
}

#[test]
fn class_rename_from_a_class_name_in_jsonc_with_crlf() {
    check(
        "class-jsonc-crlf",
        Op::Rename {
            file: "wrangler.jsonc",
            at: "\"class_name\": \"Coun|ter\" }, // top",
            to: "VisitCounter",
        },
    );
}

#[test]
fn class_rename_through_script_name_from_the_other_worker() {
    check(
        "class-json-cross-worker",
        Op::Rename {
            file: "front/wrangler.json",
            at: "\"class_name\": \"Sess|ion\"",
            to: "UserSession",
        },
    );
}

#[test]
fn class_rename_with_a_declarative_exports_map() {
    check(
        "class-exports-toml",
        Op::Rename {
            file: "src/index.ts",
            at: "env.ROOM.getByName(\"a\") as DurableObjectStub<Ro|om>",
            to: "Lobby",
        },
    );
}

#[test]
fn class_rename_of_an_exported_alias_keeps_the_declaration() {
    check(
        "class-alias",
        Op::Rename {
            file: "wrangler.toml",
            at: "class_name = \"Ro|om\"",
            to: "Lobby",
        },
    );
}

#[test]
fn class_rename_of_a_local_name_behind_an_alias_leaves_configs_alone() {
    check(
        "class-alias-local",
        Op::Rename {
            file: "src/impl.ts",
            at: "class RoomI|mpl",
            to: "RoomObject",
        },
    );
}

#[test]
fn prepare_rename_answers_for_classes_and_bindings_only() {
    assert_eq!(
        prepare("class-toml", "api/src/room.ts", "class Ro|om").unwrap(),
        Some("Room".to_string())
    );
    assert_eq!(
        prepare(
            "class-toml",
            "api/wrangler.toml",
            "class_name = \"Ro|om\" # top"
        )
        .unwrap(),
        Some("Room".to_string())
    );
    assert_eq!(
        prepare("class-toml", "api/src/index.ts", "env.RO|OM").unwrap(),
        Some("ROOM".to_string())
    );
    // A plain variable is someone else's rename.
    assert_eq!(
        prepare("class-toml", "api/src/index.ts", "const ur|l").unwrap(),
        None
    );
    // History is not renamed.
    let history = prepare(
        "class-toml",
        "api/wrangler.toml",
        "new_sqlite_classes = [\"Ro|om\"] # created",
    );
    assert!(history.unwrap_err().contains("history"));
    // A library base class is not the workspace's to rename.
    let base = prepare("class-refusals", "src/agent.ts", "extends Age|nt");
    assert!(base.unwrap_err().contains("`agents`"), "library base");
}

#[test]
fn class_renames_are_refused_with_a_reason() {
    let at_room = |to| Op::Rename {
        file: "api/src/room.ts",
        at: "class Ro|om",
        to,
    };
    refused(
        "class-toml",
        at_room("2Room"),
        "not a valid JavaScript identifier",
    );
    refused(
        "class-toml",
        at_room("Chat-Room"),
        "not a valid JavaScript identifier",
    );
    refused("class-toml", at_room("class"), "reserved word");
    refused("class-toml", at_room("Room"), "already has that name");
    // Another class of the Worker, a name used in a module, a deleted class.
    refused(
        "class-refusals",
        Op::Rename {
            file: "src/room.ts",
            at: "class Ro|om",
            to: "Counter",
        },
        "already",
    );
    refused(
        "class-refusals",
        Op::Rename {
            file: "src/room.ts",
            at: "class Ro|om",
            to: "helper",
        },
        "already used in src/room.ts",
    );
    refused(
        "class-refusals",
        Op::Rename {
            file: "src/room.ts",
            at: "class Ro|om",
            to: "Gone",
        },
        "deleted a class `Gone`",
    );
    refused(
        "class-refusals",
        Op::Rename {
            file: "src/agent.ts",
            at: "extends Age|nt",
            to: "Bot",
        },
        "outside this workspace",
    );
}

// ------------------------------------------------------------ binding renames

#[test]
fn binding_rename_from_code_in_toml() {
    check(
        "binding-toml",
        Op::Rename {
            file: "src/index.ts",
            at: "env.RO|OM.getByName",
            to: "ROOMS",
        },
    );
}

#[test]
fn binding_rename_from_config_in_jsonc_with_crlf() {
    check(
        "binding-jsonc-crlf",
        Op::Rename {
            file: "wrangler.jsonc",
            at: "\"name\": \"COUN|TER\", \"class_name\": \"Counter\" }, // top",
            to: "VISITS",
        },
    );
}

#[test]
fn binding_rename_from_an_env_type_member() {
    check(
        "binding-env-type",
        Op::Rename {
            file: "worker-configuration.d.ts",
            at: "RO|OM: DurableObjectNamespace",
            to: "LOBBY",
        },
    );
}

#[test]
fn binding_renames_are_refused_with_a_reason() {
    let op = |to| Op::Rename {
        file: "src/index.ts",
        at: "env.RO|OM.getByName",
        to,
    };
    refused(
        "binding-toml",
        op("COUNTER"),
        "already has a binding `COUNTER`",
    );
    refused("binding-toml", op("LIMIT"), "already has a binding `LIMIT`");
    refused(
        "binding-toml",
        op("MY-ROOM"),
        "not a valid JavaScript identifier",
    );
    refused(
        "binding-toml",
        op("SECRET_KEY"),
        "already has a binding `SECRET_KEY` (.dev.vars:1)",
    );
}

// ------------------------------------------------------------ new objects

#[test]
fn new_object_in_a_typescript_worker_with_toml() {
    check(
        "new-object-toml",
        Op::NewObject {
            config: "wrangler.toml",
            class: "ChatRoom",
            binding: "CHAT_ROOM",
        },
    );
}

#[test]
fn new_object_in_a_javascript_worker_with_jsonc_and_crlf() {
    check(
        "new-object-js-jsonc",
        Op::NewObject {
            config: "wrangler.jsonc",
            class: "RateLimiter",
            binding: "LIMITER",
        },
    );
}

#[test]
fn new_object_in_a_declarative_worker_with_json() {
    check(
        "new-object-exports-json",
        Op::NewObject {
            config: "wrangler.json",
            class: "Inbox",
            binding: "INBOX",
        },
    );
}

#[test]
fn new_objects_are_refused_on_collisions() {
    let op = |class, binding| Op::NewObject {
        config: "wrangler.toml",
        class,
        binding,
    };
    refused(
        "new-object-toml",
        op("Counter", "OTHER"),
        "already has a class `Counter`",
    );
    refused(
        "new-object-toml",
        op("Tally", "COUNTER"),
        "already has a binding `COUNTER`",
    );
    refused(
        "new-object-toml",
        op("Gone", "GONE"),
        "deleted a class `Gone`",
    );
    refused(
        "new-object-toml",
        op("Chat Room", "CHAT"),
        "not a valid JavaScript identifier",
    );
    // A valid identifier whose file name would pass the 255-byte limit of
    // most file systems.
    let long_class: &str = Box::leak(format!("Room{}", "x".repeat(260)).into_boxed_str());
    refused(
        "new-object-toml",
        op(long_class, "LONG"),
        "too long for a file name",
    );
    refused(
        "new-object-file-exists",
        Op::NewObject {
            config: "wrangler.toml",
            class: "Room",
            binding: "ROOM",
        },
        "already exists",
    );
}

// ------------------------------------------------------------ bind this class

#[test]
fn bind_an_unbound_class() {
    check(
        "bind-class",
        Op::Bind {
            file: "src/lobby.ts",
            at: "class Lob|by",
        },
    );
}

#[test]
fn bind_is_not_offered_for_bound_abstract_or_extended_classes() {
    let root = case_root("bind-class");
    let ws = build(&root);
    for (file, at) in [
        ("src/index.ts", "class Cou|nter"),
        ("src/base.ts", "class Ba|se"),
        ("src/base.ts", "class Sha|red"),
    ] {
        let (id, offset) = cursor(&ws, &root, file, at);
        assert!(
            dols::features::new_object::bind_class(&ws, id, offset).is_none(),
            "offered on {at}"
        );
    }
}
