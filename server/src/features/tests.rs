//! Tests of completion, hover and navigation: in-memory workspaces with a
//! `$0` cursor marker in one file.

use super::completion::completion;
use super::definition::{definition, references};
use super::hover::hover;
use super::{CompletionEntry, Target};
use crate::config::ConfigFormat;
use crate::discovery::FileRole;
use crate::files::FileId;
use crate::index::language::SourceLanguage;
use crate::model::{InputFile, Workspace};

/// An in-memory workspace and the `$0` cursor; shared by the feature tests.
pub(super) struct Fixture {
    pub(super) ws: Workspace,
    pub(super) file: FileId,
    pub(super) offset: usize,
}

pub(super) fn fixture(files: &[(&str, &str)]) -> Fixture {
    let mut cursor = None;
    let inputs = files
        .iter()
        .map(|(path, text)| {
            let role = if path.ends_with("wrangler.toml") {
                FileRole::Config(ConfigFormat::Toml)
            } else if path.ends_with("wrangler.jsonc") {
                FileRole::Config(ConfigFormat::Jsonc)
            } else if path.ends_with("wrangler.json") {
                FileRole::Config(ConfigFormat::Json)
            } else if path.ends_with(".js") {
                FileRole::Source(SourceLanguage::JavaScript)
            } else {
                FileRole::Source(SourceLanguage::TypeScript)
            };
            let text = match text.find("$0") {
                Some(at) => {
                    cursor = Some((path.to_string(), at));
                    text.replacen("$0", "", 1)
                }
                None => text.to_string(),
            };
            InputFile {
                path: path.into(),
                role,
                text: text.into(),
            }
        })
        .collect();
    let ws = Workspace::build(inputs);
    let (path, offset) = cursor.expect("a $0 marker");
    let file = ws.files.lookup(std::path::Path::new(&path)).unwrap();
    Fixture { ws, file, offset }
}

impl Fixture {
    fn complete(&self) -> Vec<CompletionEntry> {
        completion(&self.ws, self.file, self.offset)
    }

    fn labels(&self) -> Vec<String> {
        self.complete().into_iter().map(|e| e.label).collect()
    }

    fn hover_text(&self) -> Option<String> {
        hover(&self.ws, self.file, self.offset).map(|h| h.markdown)
    }

    /// `path:text` of each target.
    fn show(&self, targets: Vec<Target>) -> Vec<String> {
        targets
            .into_iter()
            .map(|t| {
                let path = self.ws.files.path(t.file).to_string_lossy().to_string();
                let text = &self.ws.files.text(t.file)[t.range.as_std()];
                format!("{path}:{text}")
            })
            .collect()
    }

    fn definition(&self) -> Vec<String> {
        self.show(definition(&self.ws, self.file, self.offset))
    }

    fn references(&self) -> Vec<String> {
        self.show(references(&self.ws, self.file, self.offset))
    }
}

const CONFIG: &str = r#"name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "LEGACY"
class_name = "Legacy"

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[[migrations]]
tag = "v1"
new_classes = ["Legacy"]

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Counter"]
"#;

const COUNTER: &str = r#"import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject<Env> {
  async increment(by: number): Promise<number> {
    return by;
  }
  private secret() {}
  static create() {}
  async fetch(request: Request) {
    return new Response("ok");
  }
  async alarm() {}
}

export class Legacy extends DurableObject {
  async run() {
    this.ctx.storage.put("a", 1);
  }
}
"#;

fn with_index(index: &str) -> Fixture {
    fixture(&[
        ("/w/wrangler.toml", CONFIG),
        ("/w/src/index.ts", index),
        ("/w/src/counter.ts", COUNTER),
    ])
}

fn with_counter(counter: &str) -> Fixture {
    fixture(&[
        ("/w/wrangler.toml", CONFIG),
        (
            "/w/src/index.ts",
            "export { Counter, Legacy } from \"./counter\";\nexport default { fetch() {} };\n",
        ),
        ("/w/src/counter.ts", counter),
    ])
}

const INDEX_HEAD: &str = "export { Counter, Legacy } from \"./counter\";\n";

fn index(body: &str) -> String {
    format!("{INDEX_HEAD}export default {{\n  async fetch(request: Request, env: Env) {{\n    {body}\n  }}\n}};\n")
}

// ------------------------------------------------------------ completion

#[test]
fn env_dot_lists_bindings_with_kind_and_backend() {
    let f = with_index(&index("env.$0"));
    let entries = f.complete();
    let labels: Vec<_> = entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["COUNTER", "LEGACY", "CACHE"]);
    assert_eq!(
        entries[0].detail,
        "Durable Object namespace → Counter (SQLite)"
    );
    assert_eq!(
        entries[1].detail,
        "Durable Object namespace → Legacy (KV (legacy))"
    );
    assert_eq!(entries[2].detail, "KV namespace");
}

#[test]
fn env_variants_and_partial_word() {
    for body in [
        "this.env.CO$0",
        "c.env.CO$0",
        "env?.CO$0",
        "env.\n      CO$0",
    ] {
        let f = with_index(&index(body));
        let entries = f.complete();
        assert_eq!(entries.len(), 3, "{body}");
        let replaced = &f.ws.files.text(f.file)[entries[0].replace.as_std()];
        assert_eq!(replaced, "CO", "{body}");
    }
}

#[test]
fn traps_give_nothing() {
    for body in [
        "process.env.$0",
        "import.meta.env.$0",
        "foo.$0",
        "1.$0",
        "\"env.$0",
        "env.CACHE.$0",
    ] {
        let f = with_index(&index(body));
        assert!(f.complete().is_empty(), "{body}: {:?}", f.labels());
    }
    let f = with_index(&index("env.$0"));
    assert!(completion(&f.ws, f.file, 100_000).is_empty());
    assert!(completion(&f.ws, FileId(999), 0).is_empty());
    // Every offset of every file, including inside multi-byte characters.
    let f = with_index(&index("const é = env.COUNTER.getByName(\"ü\").$0 // ✓"));
    for (id, source) in f.ws.files.iter() {
        for offset in 0..=source.text.len() + 2 {
            let _ = completion(&f.ws, id, offset);
            let _ = hover(&f.ws, id, offset);
            let _ = definition(&f.ws, id, offset);
            let _ = references(&f.ws, id, offset);
        }
    }
}

#[test]
fn namespace_members() {
    let f = with_index(&index("env.COUNTER.$0"));
    let labels = f.labels();
    for expected in [
        "getByName",
        "idFromName",
        "newUniqueId",
        "idFromString",
        "get",
        "jurisdiction",
    ] {
        assert!(labels.contains(&expected.to_string()), "{labels:?}");
    }
}

/// A stub reached through a helper, a variable holding its result, or a
/// parameter: completion asks the semantic model of the snapshot. The
/// snapshot has the text without the cursor, so the completed expression
/// is written in full first and the cursor sits after its dot.
#[test]
fn stub_members_through_helpers_and_parameters() {
    let helper =
        "function counterFor(env: Env, name: string) {\n  return env.COUNTER.getByName(name);\n}\n";
    for body in [
        "counterFor(env, \"a\").$0increment();",
        "const c = counterFor(env, \"a\");\n    c.$0increment();",
        "const { COUNTER } = env;\n    COUNTER.getByName(\"a\").$0increment();",
    ] {
        let source = format!("{helper}{}", index(body));
        let f = with_index(&source);
        let labels = f.labels();
        assert_eq!(
            labels.first().map(String::as_str),
            Some("increment"),
            "{body}: {labels:?}"
        );
    }
}

#[test]
fn stub_members_are_the_class_rpc_methods_and_stub_members() {
    for body in [
        "env.COUNTER.getByName(\"a\").$0",
        "env.COUNTER.get(env.COUNTER.idFromName(\"a\")).$0",
        "const stub = env.COUNTER.getByName(\"a\");\n    stub.$0",
        "const stub = env.COUNTER.jurisdiction(\"eu\").get(id);\n    await stub.$0",
    ] {
        let f = with_index(&index(body));
        let labels = f.labels();
        assert_eq!(
            labels.first().map(String::as_str),
            Some("increment"),
            "{body}: {labels:?}"
        );
        assert!(labels.contains(&"fetch".to_string()), "{labels:?}");
        for absent in ["secret", "create", "alarm", "constructor"] {
            assert!(!labels.contains(&absent.to_string()), "{body}: {labels:?}");
        }
        assert_eq!(labels.iter().filter(|l| *l == "fetch").count(), 1);
    }
}

#[test]
fn stub_methods_across_workers_by_script_name() {
    let f = fixture(&[
        (
            "/w/front/wrangler.toml",
            "name = \"front\"\nmain = \"src/index.ts\"\n[[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\nscript_name = \"back\"\n",
        ),
        (
            "/w/front/src/index.ts",
            "export default { fetch(req: Request, env: Env) { return env.ROOM.getByName(\"x\").$0 } };\n",
        ),
        (
            "/w/back/wrangler.toml",
            "name = \"back\"\nmain = \"src/index.ts\"\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Room\"]\n",
        ),
        (
            "/w/back/src/index.ts",
            "import { DurableObject } from \"cloudflare:workers\";\nexport class Room extends DurableObject { join(user: string) {} }\nexport default {};\n",
        ),
    ]);
    let labels = f.labels();
    assert_eq!(labels[0], "join");
    let entries = f.complete();
    assert_eq!(entries[0].detail, "Room.join(user) — RPC");
}

#[test]
fn state_and_storage_members() {
    let ctx = |body: &str| with_counter(&COUNTER.replace("return by;", body)).labels();
    for body in ["this.ctx.$0", "this.state.$0"] {
        let labels = ctx(body);
        for expected in ["storage", "id", "blockConcurrencyWhile", "acceptWebSocket"] {
            assert!(labels.contains(&expected.to_string()), "{body}: {labels:?}");
        }
    }
    let labels = ctx("this.ctx.storage.$0");
    for expected in ["get", "put", "sql", "kv", "setAlarm", "transactionSync"] {
        assert!(labels.contains(&expected.to_string()), "{labels:?}");
    }
    assert!(ctx("this.ctx.storage.sql.$0").contains(&"exec".to_string()));
    assert!(ctx("this.ctx.storage.sql.exec(\"select 1\").$0").contains(&"toArray".to_string()));
    assert!(ctx("this.ctx.storage.kv.$0").contains(&"get".to_string()));
    assert!(
        ctx("const storage = this.ctx.storage;\n    storage.sql.$0").contains(&"exec".to_string())
    );
    // `ctx` outside a DO class (a Worker's ExecutionContext) gives nothing.
    let f = with_index(&index("ctx.$0"));
    assert!(f.complete().is_empty());
}

#[test]
fn state_through_constructor_fields_and_typed_params() {
    let counter = r#"import { DurableObject } from "cloudflare:workers";
export class Counter extends DurableObject<Env> {
  sql: SqlStorage;
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.$0
  }
}
"#;
    let f = with_counter(counter);
    assert!(f.labels().contains(&"storage".to_string()));
    let f = with_counter(&counter.replace("ctx.$0", "this.sql.$0"));
    assert!(f.labels().contains(&"exec".to_string()), "{:?}", f.labels());
    let f = with_counter(&counter.replace("    ctx.$0\n", "").replace(
        "sql: SqlStorage;",
        "sql: SqlStorage;\n  other(s: DurableObjectStorage) { s.$0 }",
    ));
    assert!(f.labels().contains(&"deleteAll".to_string()));
}

#[test]
fn sqlite_only_storage_members_are_marked_and_last_on_kv_classes() {
    let f =
        with_counter(&COUNTER.replace("this.ctx.storage.put(\"a\", 1);", "this.ctx.storage.$0"));
    let entries = f.complete();
    let sql = entries.iter().find(|e| e.label == "sql").unwrap();
    assert!(
        sql.detail
            .starts_with("SQLite only — this class is KV-backed"),
        "{}",
        sql.detail
    );
    let mut sorted = entries.clone();
    sorted.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    assert!(sorted.last().unwrap().detail.starts_with("SQLite only"));
    let get = entries.iter().find(|e| e.label == "get").unwrap();
    assert!(!get.detail.contains("SQLite only"));
    // On the SQLite class, nothing is marked.
    let f = with_counter(&COUNTER.replace("return by;", "this.ctx.storage.$0"));
    assert!(f.complete().iter().all(|e| !e.detail.contains("KV-backed")));
}

#[test]
fn handler_snippets_in_a_do_class_body() {
    let f = with_counter(&COUNTER.replace("  async alarm() {}\n", "  $0\n"));
    let labels = f.labels();
    assert!(
        labels.contains(&"webSocketMessage".to_string()),
        "{labels:?}"
    );
    assert!(labels.contains(&"alarm".to_string()));
    assert!(!labels.contains(&"fetch".to_string()), "already defined");
    let f = with_counter(&COUNTER.replace("  async alarm() {}\n", "  webSo$0\n"));
    let entries = f.complete();
    assert!(entries.iter().all(|e| e.is_snippet));
    let replaced = &f.ws.files.text(f.file)[entries[0].replace.as_std()];
    assert_eq!(replaced, "webSo");
    // Not inside a method body, not in a plain class.
    let f = with_counter(&COUNTER.replace("return by;", "\n$0"));
    assert!(f.complete().is_empty());
    let f = with_counter(&format!("{COUNTER}\nclass Plain {{\n  $0\n}}\n"));
    assert!(f.complete().is_empty());
}

#[test]
fn placement_values() {
    let f = with_index(&index("env.COUNTER.get(id, { locationHint: \"$0\" })"));
    let labels = f.labels();
    assert!(labels.contains(&"wnam".to_string()), "{labels:?}");
    assert!(labels.contains(&"weur".to_string()));
    let f = with_index(&index("env.COUNTER.jurisdiction(\"e$0"));
    let entries = f.complete();
    assert!(entries.iter().any(|e| e.label == "eu"));
    assert_eq!(&f.ws.files.text(f.file)[entries[0].replace.as_std()], "e");
    let f = with_index(&index("const s = \"locationHint: $0\""));
    assert!(f.complete().is_empty());
}

#[test]
fn config_class_names_workers_and_migration_lists() {
    let config = |text: &str| {
        fixture(&[
            ("/w/wrangler.toml", text),
            ("/w/src/index.ts", "export { Counter, Legacy } from \"./counter\";\nexport default {};\n"),
            ("/w/src/counter.ts", COUNTER),
            (
                "/w/other/wrangler.toml",
                "name = \"other\"\nmain = \"src/index.ts\"\n",
            ),
            (
                "/w/other/src/index.ts",
                "import { DurableObject } from \"cloudflare:workers\";\nexport class Remote extends DurableObject {}\nexport default {};\n",
            ),
        ])
    };
    let f = config(&CONFIG.replace("class_name = \"Counter\"", "class_name = \"Co$0\""));
    let entries = f.complete();
    let labels: Vec<_> = entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Counter", "Legacy"]);
    assert_eq!(&f.ws.files.text(f.file)[entries[0].replace.as_std()], "Co");

    let f = config(&CONFIG.replace(
        "class_name = \"Counter\"",
        "class_name = \"$0\"\nscript_name = \"other\"",
    ));
    assert_eq!(f.labels(), ["Remote"]);

    let f = config(&CONFIG.replace(
        "name = \"COUNTER\"",
        "name = \"COUNTER\"\nscript_name = \"$0\"",
    ));
    assert_eq!(f.labels(), ["other"]);

    let f = config(&format!(
        "{CONFIG}\n[[durable_objects.bindings]]\nname = \"NEW\"\nclass_name = \"Fresh\"\n\n[[migrations]]\ntag = \"v3\"\nnew_sqlite_classes = [\"$0\"]\n"
    ));
    let mut entries = f.complete();
    entries.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    let labels: Vec<_> = entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Fresh", "Counter", "Legacy"]);

    let f = config(&CONFIG.replace("main = \"src/index.ts\"", "main = \"src/$0\""));
    let labels = f.labels();
    assert!(labels.contains(&"src/index.ts".to_string()), "{labels:?}");

    let f = fixture(&[
        (
            "/w/wrangler.jsonc",
            "{ \"name\": \"app\", \"main\": \"src/counter.ts\",\n  \"durable_objects\": { \"bindings\": [ { \"name\": \"C\", \"class_name\": \"$0\" } ] } }",
        ),
        ("/w/src/counter.ts", COUNTER),
    ]);
    assert_eq!(f.labels(), ["Counter", "Legacy"]);
}

// ------------------------------------------------------------ hover

#[test]
fn hover_on_a_do_binding() {
    let f = with_index(&index("env.COUN$0TER.getByName(\"a\")"));
    let md = f.hover_text().unwrap();
    assert_eq!(
        md,
        "**COUNTER** · Durable Object namespace\n\n- class `Counter`\n- backend: SQLite\n- created by migration `v2` ([wrangler.toml:22](file:///w/wrangler.toml#L22))\n- declared in [src/counter.ts:3](file:///w/src/counter.ts#L3)"
    );
    let f = with_index(&index("env.CA$0CHE.get(\"a\")"));
    assert_eq!(
        f.hover_text().unwrap(),
        "**CACHE** · KV namespace\n\nDeclared at [wrangler.toml:13](file:///w/wrangler.toml#L13)"
    );
    let f = with_index(&index("process.env.CO$0UNTER"));
    assert_eq!(f.hover_text(), None);
}

#[test]
fn hover_on_api_members() {
    let f = with_counter(&COUNTER.replace("return by;", "this.ctx.storage.g$0et(\"k\");"));
    let md = f.hover_text().unwrap();
    // No signature block: TypeScript's own hover shows the precise one.
    assert!(md.starts_with("**`DurableObjectStorage.get`**"), "{md}");
    assert!(!md.contains("```"), "{md}");
    assert!(md.contains("**Limits**"), "{md}");
    assert!(md.contains("[Cloudflare docs](https://"), "{md}");
    let f = with_counter(&COUNTER.replace("return by;", "this.ctx.storage.sql.ex$0ec(\"x\");"));
    let md = f.hover_text().unwrap();
    assert!(md.contains("SqlStorage.exec"), "{md}");
    assert!(md.contains("SQLite only"), "{md}");
    let f = with_counter(&COUNTER.replace("return by;", "this.ctx.acceptWeb$0Socket(ws);"));
    assert!(f
        .hover_text()
        .unwrap()
        .contains("DurableObjectState.acceptWebSocket"));
    // A SQLite-only member in a KV-backed class warns.
    let f = with_counter(
        &COUNTER.replace("this.ctx.storage.put(\"a\", 1);", "this.ctx.storage.s$0ql;"),
    );
    assert!(f.hover_text().unwrap().contains("This class is KV-backed"));
}

#[test]
fn hover_on_a_variable_holding_a_stub_names_its_class_and_backend() {
    let helper =
        "function counterFor(env: Env, name: string) {\n  return env.COUNTER.getByName(name);\n}\n";
    for body in [
        "const c$0ounter = counterFor(env, \"a\");\n    await counter.increment();",
        "const counter = env.COUNTER.getByName(\"a\");\n    await coun$0ter.increment();",
    ] {
        let f = with_index(&format!("{helper}{}", index(body)));
        let text = f.hover_text().unwrap_or_default();
        assert!(
            text.contains("Durable Object stub")
                && text.contains("`Counter`")
                && text.contains("SQLite"),
            "{body}: {text}"
        );
    }
    // A variable holding something else: no hover.
    let f = with_index(&index("const u$0rl = new URL(request.url);"));
    assert_eq!(f.hover_text(), None);
}

#[test]
fn hover_on_stub_methods_and_location_hints() {
    let f = with_index(&index("env.COUNTER.getByName(\"a\").incr$0ement(1)"));
    assert_eq!(
        f.hover_text().unwrap(),
        "```ts\nCounter.increment(by)\n```\n\nRPC method of Durable Object `Counter` ([src/counter.ts:4](file:///w/src/counter.ts#L4)). Called through the stub, it returns a Promise."
    );
    let f = with_index(&index("env.COUNTER.get(id, { locationHint: \"we$0ur\" })"));
    let md = f.hover_text().unwrap();
    assert!(md.starts_with("**`weur`** · location hint"), "{md}");
    assert!(md.contains("only honoured when the object is first created"));
    let f = with_index(&index("const s = \"we$0ur\""));
    assert_eq!(f.hover_text(), None);
}

#[test]
fn hover_on_class_names_in_config() {
    let f = with_index(&index("$0"));
    let config =
        f.ws.files
            .lookup(std::path::Path::new("/w/wrangler.toml"))
            .unwrap();
    let at = CONFIG.find("\"Counter\"").unwrap() + 2;
    let md = hover(&f.ws, config, at).unwrap().markdown;
    assert_eq!(
        md,
        "**Counter** · Durable Object class\n\n- declared in [src/counter.ts:3](file:///w/src/counter.ts#L3)\n- exported by main (src/index.ts)\n- backend: SQLite\n- binding `COUNTER` (top level, [wrangler.toml:6](file:///w/wrangler.toml#L6))\n- migration `v2` new_sqlite_classes ([wrangler.toml:22](file:///w/wrangler.toml#L22))"
    );
    let at = CONFIG.find("[\"Legacy\"]").unwrap() + 3;
    let md = hover(&f.ws, config, at).unwrap().markdown;
    assert!(
        md.contains("creates `Legacy` on the legacy KV backend"),
        "{md}"
    );
    // Not exported by main.
    let f = fixture(&[
        (
            "/w/wrangler.toml",
            &CONFIG.replace("class_name = \"Counter\"", "class_name = \"Coun$0ter\""),
        ),
        (
            "/w/src/index.ts",
            "export { Legacy } from \"./counter\";\nexport default {};\n",
        ),
        ("/w/src/counter.ts", COUNTER),
    ]);
    let md = f.hover_text().unwrap();
    assert!(
        md.contains("- **not exported** by main (src/index.ts)"),
        "{md}"
    );
}

// ------------------------------------------------------------ navigation

#[test]
fn definition_of_env_binding_goes_to_every_env_declaring_it() {
    let config = format!("{CONFIG}\n[env.staging]\n[[env.staging.durable_objects.bindings]]\nname = \"COUNTER\"\nclass_name = \"Counter\"\n");
    let f = fixture(&[
        ("/w/wrangler.toml", &config),
        ("/w/src/index.ts", &index("env.COUN$0TER.getByName(\"a\")")),
        ("/w/src/counter.ts", COUNTER),
    ]);
    assert_eq!(
        f.definition(),
        [
            "/w/wrangler.toml:\"COUNTER\"",
            "/w/wrangler.toml:\"COUNTER\""
        ]
    );
    let targets = definition(&f.ws, f.file, f.offset);
    assert_ne!(targets[0].range, targets[1].range);
    let f = with_index(&index("env.CA$0CHE"));
    assert_eq!(f.definition(), ["/w/wrangler.toml:\"CACHE\""]);
}

#[test]
fn definition_of_stub_method_and_config_values() {
    let f = with_index(&index(
        "const stub = env.COUNTER.getByName(\"a\");\n    await stub.incre$0ment(2);",
    ));
    assert_eq!(f.definition(), ["/w/src/counter.ts:increment"]);

    let f = fixture(&[
        (
            "/w/wrangler.toml",
            &CONFIG.replace("class_name = \"Counter\"", "class_name = \"Cou$0nter\""),
        ),
        ("/w/src/index.ts", &index("")),
        ("/w/src/counter.ts", COUNTER),
    ]);
    assert_eq!(f.definition(), ["/w/src/counter.ts:Counter"]);

    let f = fixture(&[
        (
            "/w/wrangler.toml",
            &CONFIG.replace("main = \"src/index.ts\"", "main = \"src/ind$0ex.ts\""),
        ),
        ("/w/src/index.ts", &index("")),
        ("/w/src/counter.ts", COUNTER),
    ]);
    assert_eq!(f.definition(), ["/w/src/index.ts:"]);

    let f = fixture(&[
        (
            "/w/front/wrangler.toml",
            "name = \"front\"\n[[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\nscript_name = \"ba$0ck\"\n",
        ),
        (
            "/w/back/wrangler.toml",
            "name = \"back\"\nmain = \"src/index.ts\"\n",
        ),
        (
            "/w/back/src/index.ts",
            "import { DurableObject } from \"cloudflare:workers\";\nexport class Room extends DurableObject {}\n",
        ),
    ]);
    assert_eq!(f.definition(), ["/w/back/wrangler.toml:\"back\""]);
    let f = fixture(&[
        (
            "/w/front/wrangler.toml",
            "name = \"front\"\n[[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Ro$0om\"\nscript_name = \"back\"\n",
        ),
        ("/w/back/wrangler.toml", "name = \"back\"\nmain = \"src/index.ts\"\n"),
        (
            "/w/back/src/index.ts",
            "import { DurableObject } from \"cloudflare:workers\";\nexport class Room extends DurableObject {}\n",
        ),
    ]);
    assert_eq!(f.definition(), ["/w/back/src/index.ts:Room"]);
}

#[test]
fn references_of_a_class() {
    let expected = [
        "/w/src/counter.ts:Counter",
        "/w/wrangler.toml:\"Counter\"",
        "/w/wrangler.toml:\"Counter\"",
        "/w/src/index.ts:COUNTER",
        "/w/src/index.ts:COUNTER",
        // The re-export in main: a rename edits it too.
        "/w/src/index.ts:Counter",
    ];
    let body = "env.COUNTER.getByName(\"a\");\n    this.env.COUNTER.get(id);";
    let f = fixture(&[
        ("/w/wrangler.toml", CONFIG),
        ("/w/src/index.ts", &index(body)),
        (
            "/w/src/counter.ts",
            &COUNTER.replace("class Counter", "class Cou$0nter"),
        ),
    ]);
    assert_eq!(f.references(), expected);
    let f = fixture(&[
        (
            "/w/wrangler.toml",
            &CONFIG.replace(
                "new_sqlite_classes = [\"Counter\"]",
                "new_sqlite_classes = [\"Coun$0ter\"]",
            ),
        ),
        ("/w/src/index.ts", &index(body)),
        ("/w/src/counter.ts", COUNTER),
    ]);
    assert_eq!(f.references(), expected);
    let f = fixture(&[
        ("/w/wrangler.toml", CONFIG),
        (
            "/w/src/index.ts",
            &index(&body.replace("env.COUNTER.getByName", "env.COUN$0TER.getByName")),
        ),
        ("/w/src/counter.ts", COUNTER),
    ]);
    // On a binding: the binding's declaration and uses, not the class's.
    assert_eq!(
        f.references(),
        [
            "/w/wrangler.toml:COUNTER",
            "/w/src/index.ts:COUNTER",
            "/w/src/index.ts:COUNTER",
        ]
    );
    // Without the declaration, as `includeDeclaration: false` asks.
    assert_eq!(
        f.show(super::definition::references_with(
            &f.ws, f.file, f.offset, false
        )),
        ["/w/src/index.ts:COUNTER", "/w/src/index.ts:COUNTER"]
    );
    // A plain class has no references from us.
    let f = with_counter(&format!("{COUNTER}\nclass Pl$0ain {{}}\n"));
    assert!(f.references().is_empty());
}

#[test]
fn websocket_handler_parameter() {
    let f = with_counter(&COUNTER.replace(
        "  async alarm() {}\n",
        "  async webSocketMessage(socket: WebSocket, message: string) {\n    socket.$0\n  }\n",
    ));
    let labels = f.labels();
    assert!(
        labels.contains(&"serializeAttachment".to_string()),
        "{labels:?}"
    );
    assert!(labels.contains(&"deserializeAttachment".to_string()));
    // The same name elsewhere is not a hibernatable socket.
    let f = with_counter(&COUNTER.replace("return by;", "socket.$0"));
    assert!(f.complete().is_empty());
}

/// Right after a keystroke the server completes in the new buffer text
/// against the previous snapshot, whose summary predates the keystroke.
#[test]
fn completion_in_a_buffer_one_keystroke_ahead_of_the_snapshot() {
    let config = "name = \"w\"\nmain = \"src/index.ts\"\n[[durable_objects.bindings]]\nname = \"COUNTER\"\nclass_name = \"Counter\"\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Counter\"]\n";
    let before = "import { DurableObject } from \"cloudflare:workers\";\nexport class Counter extends DurableObject {\n  async hit() {\n    this.ctx.storage$0\n  }\n}\nexport default { fetch(r: Request, env: Env) { return new Response(); } };\n";
    let f = fixture(&[("/w/wrangler.toml", config), ("/w/src/index.ts", before)]);
    // The user types `.`: the snapshot still has the text without it.
    let mut typed = f.ws.files.text(f.file).to_string();
    typed.insert(f.offset, '.');
    let entries = super::completion::completion_in_text(&f.ws, f.file, &typed, f.offset + 1);
    let labels: Vec<String> = entries.into_iter().map(|e| e.label).collect();
    assert!(
        labels.iter().any(|l| l == "put") && labels.iter().any(|l| l == "sql"),
        "{labels:?}"
    );
}

#[test]
fn references_of_a_method_include_stub_calls() {
    let config = "name = \"w\"\nmain = \"src/index.ts\"\n[[durable_objects.bindings]]\nname = \"COUNTER\"\nclass_name = \"Counter\"\n[[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Counter\"]\n";
    let main = "import { DurableObject } from \"cloudflare:workers\";\nexport class Counter extends DurableObject {\n  async incr$0ement(by: number) { return by; }\n}\nexport default { async fetch(r: Request, env: Env) {\n  const stub = env.COUNTER.getByName(\"a\");\n  await stub.increment(1);\n  await env.COUNTER.getByName(\"b\").increment(2);\n  return new Response();\n} };\n";
    let f = fixture(&[("/w/wrangler.toml", config), ("/w/src/index.ts", main)]);
    let found = f.show(references(&f.ws, f.file, f.offset));
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|t| t.ends_with(":increment")), "{found:?}");
    // From a call site, the same set.
    let call_offset = f.ws.files.text(f.file).find("stub.increment").unwrap() + "stub.".len() + 2;
    assert_eq!(f.show(references(&f.ws, f.file, call_offset)).len(), 3);
}

/// Hover on any config key answers from wrangler's schema, in all three
/// formats, on plain keys, table headers, keys of array elements and keys
/// inside an env; an unknown key gets nothing.
#[test]
fn hover_on_config_keys_reads_wranglers_schema() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "/w/wrangler.toml",
            "name = \"app\"\ncompat$0ibility_date = \"2025-04-01\"\n",
            "**`compatibility_date`**: `string`",
        ),
        (
            "/w/wrangler.toml",
            "name = \"app\"\n[[durable_objects.bin$0dings]]\nname = \"A\"\nclass_name = \"A\"\n",
            "**`bindings`**",
        ),
        (
            "/w/wrangler.toml",
            "name = \"app\"\n[[durable_objects.bindings]]\nname = \"A\"\nclass$0_name = \"A\"\n",
            "**`class_name`**: `string`",
        ),
        (
            "/w/wrangler.toml",
            "name = \"app\"\n[env.staging]\nwork$0ers_dev = false\n",
            "**`workers_dev`**: `boolean`",
        ),
        (
            "/w/wrangler.jsonc",
            "{\n  // comment\n  \"migr$0ations\": [{ \"tag\": \"v1\" }],\n}\n",
            "**`migrations`**: `array of object`",
        ),
        (
            "/w/wrangler.json",
            "{ \"migrations\": [{ \"tag\": \"v1\", \"new_sqlite$0_classes\": [\"A\"] }] }",
            "**`new_sqlite_classes`**: `array of string`",
        ),
        // Mid-edit, a comma missing: the file is still read.
        (
            "/w/wrangler.jsonc",
            "{\n  \"name\": \"app\"\n  \"compat$0ibility_date\": \"2025-04-01\"\n}\n",
            "**`compatibility_date`**: `string`",
        ),
    ];
    for (path, text, expected) in cases {
        let f = fixture(&[(path, text)]);
        let md = f.hover_text().unwrap_or_default();
        assert!(md.starts_with(expected), "{text}: {md}");
        assert!(md.contains("configuration schema of wrangler"), "{md}");
    }
    let f = fixture(&[(
        "/w/wrangler.toml",
        "compat$0ability_date = \"2025-04-01\"\n",
    )]);
    assert_eq!(f.hover_text(), None);
}

/// Every key of the schema's top level and of an environment hovers with
/// its own name, in each format.
#[test]
fn every_top_level_and_env_key_hovers_in_every_format() {
    use crate::knowledge::wrangler_schema::{Step, WranglerSchema};
    let schema = WranglerSchema::bundled();
    let env = [Step::Key("env"), Step::Key("staging")];
    let mut checked = 0;
    for (container, keys) in [
        (&[][..], schema.object_keys(&[])),
        (&env[..], schema.object_keys(&env)),
    ] {
        for doc in keys {
            let name = &doc.name;
            let (toml_key, json_key) = (format!("\"{name}$0\""), format!("\"{name}$0\""));
            let texts = if container.is_empty() {
                [
                    ("/w/wrangler.toml", format!("{toml_key} = 1\n")),
                    ("/w/wrangler.json", format!("{{ {json_key}: 1 }}")),
                    (
                        "/w/wrangler.jsonc",
                        format!("{{\n  // c\n  {json_key}: 1,\n}}"),
                    ),
                ]
            } else {
                [
                    (
                        "/w/wrangler.toml",
                        format!("[env.staging]\n{toml_key} = 1\n"),
                    ),
                    (
                        "/w/wrangler.json",
                        format!("{{ \"env\": {{ \"staging\": {{ {json_key}: 1 }} }} }}"),
                    ),
                    (
                        "/w/wrangler.jsonc",
                        format!("{{ \"env\": {{ \"staging\": {{ {json_key}: 1, }}, }}, }}"),
                    ),
                ]
            };
            for (path, text) in texts {
                let f = fixture(&[(path, text.as_str())]);
                let md = f.hover_text().unwrap_or_default();
                assert!(
                    md.starts_with(&format!("**`{name}`**")),
                    "{path}: {text}: {md}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 450, "{checked}");
}

/// Hover on a Durable Object class where it is declared, imported or
/// re-exported, on its handlers, and on `DurableObject` itself.
#[test]
fn hover_on_declarations_handlers_and_the_base_class() {
    let class_at = |text: &str| {
        let f = with_counter(text);
        f.hover_text().unwrap_or_default()
    };
    let declared = class_at(&COUNTER.replace("export class Counter", "export class Coun$0ter"));
    assert!(
        declared.starts_with("**Counter** · Durable Object class"),
        "{declared}"
    );
    assert!(declared.contains("backend: SQLite"), "{declared}");
    assert!(declared.contains("binding `COUNTER`"), "{declared}");

    let handler = class_at(&COUNTER.replace("async alarm()", "async ala$0rm()"));
    assert!(handler.starts_with("```ts\nalarm("), "{handler}");
    assert!(
        handler.contains("Handler of Durable Object `Counter`"),
        "{handler}"
    );
    assert!(handler.contains("retry"), "{handler}");
    // A method that is not a handler says nothing here.
    assert_eq!(
        with_counter(&COUNTER.replace("async run()", "async r$0un()")).hover_text(),
        None
    );

    let base =
        class_at(&COUNTER.replace("extends DurableObject<Env>", "extends Durable$0Object<Env>"));
    assert!(base.starts_with("**DurableObject** · base class"), "{base}");
    let imported =
        class_at(&COUNTER.replace("import { DurableObject }", "import { Durable$0Object }"));
    assert!(
        imported.starts_with("**DurableObject** · base class"),
        "{imported}"
    );

    // Re-exported from main, and imported by name elsewhere.
    let f = fixture(&[
        ("/w/wrangler.toml", CONFIG),
        (
            "/w/src/index.ts",
            "export { Cou$0nter, Legacy } from \"./counter\";\nexport default { fetch() {} };\n",
        ),
        ("/w/src/counter.ts", COUNTER),
    ]);
    let md = f.hover_text().unwrap_or_default();
    assert!(md.starts_with("**Counter** · Durable Object class"), "{md}");
    let f = fixture(&[
        ("/w/wrangler.toml", CONFIG),
        (
            "/w/src/index.ts",
            "import { Counter } from \"./counter\";\nexport { Counter };\nexport { Legacy } from \"./counter\";\nexport default { fetch() { return Coun$0ter; } };\n",
        ),
        ("/w/src/counter.ts", COUNTER),
    ]);
    let md = f.hover_text().unwrap_or_default();
    assert!(md.starts_with("**Counter** · Durable Object class"), "{md}");
}

/// The outline of a source: classes with constructor, methods and fields;
/// Durable Object classes and their handlers marked.
#[test]
fn document_symbols_of_a_source_mark_durable_objects_and_handlers() {
    let text = COUNTER.replace(
        "export class Counter extends DurableObject<Env> {\n",
        "export class Counter extends DurableObject<Env> {\n  sessions = new Map();\n  constructor(ctx: DurableObjectState, env: Env) {\n    super(ctx, env);\n  }\n",
    ) + "\nclass Helper {\n  run() {}\n}\n";
    let f = with_counter(&format!("$0{text}"));
    let symbols = crate::features::symbols::document_symbols(&f.ws, f.file);
    let outline: Vec<String> = symbols
        .iter()
        .map(|s| {
            let children: Vec<String> = s
                .children
                .iter()
                .map(|c| match &c.detail {
                    Some(detail) => format!("{} ({detail})", c.name),
                    None => c.name.clone(),
                })
                .collect();
            format!(
                "{} [{}]: {}",
                s.name,
                s.detail.clone().unwrap_or_default(),
                children.join(", ")
            )
        })
        .collect();
    assert_eq!(
        outline,
        [
            "Counter [Durable Object · SQLite]: sessions, constructor, increment, secret, create, fetch (handler · fetch(request: Request): Response | Promise<Response>), alarm (handler · alarm(alarmInfo?: AlarmInvocationInfo): void | Promise<void>)",
            "Legacy [Durable Object · KV (legacy)]: run",
            "Helper []: run",
        ]
    );
}

/// Binding completion items say where the binding leads and where it is
/// declared; a variable shows its value.
#[test]
fn binding_completions_carry_documentation() {
    let config = format!("{CONFIG}\n[vars]\nGREETING = \"hello\" # shown\n");
    let f = fixture(&[
        ("/w/wrangler.toml", &config),
        ("/w/src/index.ts", &index("env.$0")),
        ("/w/src/counter.ts", COUNTER),
    ]);
    let entries = f.complete();
    let doc = |label: &str| {
        entries
            .iter()
            .find(|e| e.label == label)
            .and_then(|e| e.documentation.clone())
            .unwrap_or_default()
    };
    let counter = doc("COUNTER");
    assert!(counter.contains("- class `Counter`"), "{counter}");
    assert!(counter.contains("- backend: SQLite"), "{counter}");
    assert!(
        counter.contains("Declared in [wrangler.toml:5](file:///w/wrangler.toml#L5) (top level)"),
        "{counter}"
    );
    let greeting = doc("GREETING");
    assert!(greeting.contains("`GREETING = \"hello\"`"), "{greeting}");
    assert!(
        doc("CACHE").starts_with("**CACHE** · KV namespace"),
        "{}",
        doc("CACHE")
    );
}

/// Bindings the Worker's `Env` type declares are completed by TypeScript;
/// dols offers only those the type lacks (stale types).
#[test]
fn env_completion_leaves_typed_bindings_to_typescript() {
    let f = fixture(&[
        ("/w/wrangler.toml", CONFIG),
        ("/w/src/index.ts", &index("env.$0")),
        ("/w/src/counter.ts", COUNTER),
        (
            "/w/src/env.d.ts",
            "interface Env {\n  COUNTER: DurableObjectNamespace<import(\"./counter\").Counter>;\n  CACHE: KVNamespace;\n}\n",
        ),
    ]);
    assert_eq!(f.labels(), ["LEGACY"]);
}
