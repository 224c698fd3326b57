//! Unit tests of the semantic model: scopes, resolution and values on small
//! in-memory workspaces.
use super::*;
use crate::discovery::FileRole;
use crate::files::FileId;
use crate::index::language::SourceLanguage;
use crate::model::{InputFile, Workspace};

/// In-memory inputs: `.toml` files are wrangler configs, the rest TypeScript.
fn inputs(files: &[(&str, &str)]) -> Vec<InputFile> {
    files
        .iter()
        .map(|(path, text)| InputFile {
            path: path.into(),
            role: if path.ends_with(".toml") {
                FileRole::Config(crate::config::ConfigFormat::Toml)
            } else {
                FileRole::Source(SourceLanguage::TypeScript)
            },
            text: (*text).into(),
        })
        .collect()
}

/// A workspace of `files`, inside a Worker (a plain config is added when
/// none is given): models of files no Worker holds are dropped.
fn workspace(files: &[(&str, &str)]) -> Workspace {
    let mut files = files.to_vec();
    if !files.iter().any(|(path, _)| path.ends_with(".toml")) {
        files.push(("wrangler.toml", "name = \"t\"\nmain = \"src/index.ts\"\n"));
    }
    Workspace::build(inputs(&files))
}

/// The receiver value of each kept call named `method` in `path`, in order.
fn receivers(ws: &Workspace, path: &str, method: &str) -> Vec<Value> {
    let file = ws.files.lookup(std::path::Path::new(path)).unwrap();
    let eval = Evaluator::new(ws);
    let sem = eval.semantics(file).unwrap();
    sem.calls
        .iter()
        .filter(|c| &*c.name == method)
        .map(|c| eval.receiver(file, c))
        .collect()
}

fn one_file(source: &str, method: &str) -> Vec<Value> {
    let ws = workspace(&[("src/index.ts", source)]);
    receivers(&ws, "src/index.ts", method)
}

fn stub(binding: &str) -> Value {
    Value::Stub {
        binding: Some(binding.into()),
        class: None,
    }
}

#[test]
fn a_pair_through_a_variable_and_object_values() {
    let values = one_file(
        "export default { fetch() {
           const pair = new WebSocketPair();
           const [client, server] = Object.values(pair);
           server.accept();
           client.accept();
           pair[1].accept();
           const { 0: c, 1: s } = pair;
           s.accept();
           const [a, b] = [pair[0], pair[1]];
           b.accept();
         } }",
        "accept",
    );
    assert_eq!(
        values,
        vec![
            Value::PairEnd { server: true },
            Value::PairEnd { server: false },
            Value::PairEnd { server: true },
            Value::PairEnd { server: true },
            Value::PairEnd { server: true },
        ]
    );
}

#[test]
fn stubs_through_fields_parameters_helpers_and_destructuring() {
    let ws = workspace(&[(
        "src/index.ts",
        "import { DurableObject } from \"cloudflare:workers\";
         function roomFor(env: Env, name: string) { return env.ROOM.getByName(name); }
         async function useRoom(room) { await room.viaParam(); }
         export class Lobby extends DurableObject {
           stub = this.env.ROOM.get(this.env.ROOM.idFromName(\"a\"));
           other;
           constructor(ctx, env) { super(ctx, env); this.other = env.ROOM.getByName(\"b\"); }
           async run() {
             await this.stub.viaField();
             await this.other.viaCtorField();
             await roomFor(this.env, \"x\").viaHelper();
             const { ROOM } = this.env;
             await ROOM.get(ROOM.newUniqueId()).viaDestructuring();
             await useRoom(this.env.ROOM.getByName(\"c\"));
           }
         }",
    )]);
    for method in [
        "viaParam",
        "viaField",
        "viaCtorField",
        "viaHelper",
        "viaDestructuring",
    ] {
        assert_eq!(
            receivers(&ws, "src/index.ts", method),
            vec![stub("ROOM")],
            "{method}"
        );
    }
}

#[test]
fn a_helper_imported_from_another_file() {
    let ws = workspace(&[
        (
            "src/rooms.ts",
            "export const roomFor = (env: Env, name: string) => env.ROOM.getByName(name);",
        ),
        (
            "src/index.ts",
            "import { roomFor } from \"./rooms\";
             export default { async fetch(req, env) { return roomFor(env, \"a\").join(); } };",
        ),
    ]);
    assert_eq!(receivers(&ws, "src/index.ts", "join"), vec![stub("ROOM")]);
}

#[test]
fn block_scopes_keep_each_branch_apart() {
    let values = one_file(
        "export default { async fetch(req, env) {
           if (req.url) {
             const stub = env.A.getByName(\"x\");
             await stub.first();
           } else {
             const stub = env.B.getByName(\"x\");
             await stub.second();
           }
           let shared = env.A.getByName(\"y\");
           shared = env.B.getByName(\"y\");
           await shared.third();
         } }",
        "first",
    );
    assert_eq!(values, vec![stub("A")]);
    let values = one_file(
        "export default { async fetch(req, env) {
           if (req.url) { const stub = env.A.getByName(\"x\"); await stub.first(); }
           else { const stub = env.B.getByName(\"x\"); await stub.second(); }
         } }",
        "second",
    );
    assert_eq!(values, vec![stub("B")]);
    // Two bindings joined: not one stub.
    let values = one_file(
        "export default { async fetch(req, env) {
           let shared = env.A.getByName(\"y\");
           shared = env.B.getByName(\"y\");
           await shared.third();
         } }",
        "third",
    );
    assert_eq!(values, vec![Value::Unknown]);
}

#[test]
fn shadowing_a_parameter_hides_the_outer_value() {
    let values = one_file(
        "export default { async fetch(req, env) {
           const run = (env) => env.ROOM.getByName(\"x\").m();
           env.ROOM.getByName(\"y\").n();
         } }",
        "getByName",
    );
    // The inner `env` is a parameter nobody calls: unknown, not the Worker env.
    assert_eq!(values, vec![Value::Unknown, Value::Binding("ROOM".into())]);
}

#[test]
fn awaited_generic_calls_are_normalised() {
    let values = one_file(
        "import { DurableObject } from \"cloudflare:workers\";
         export class Counter extends DurableObject {
           async read(k: string) { return await this.ctx.storage.get<number>(k); }
         }",
        "get",
    );
    assert_eq!(values, vec![Value::Storage]);
    let summary = crate::index::summarize(
        "async function f(s) { const v = await s.ctx.storage.get<number>(\"k\"); }",
        SourceLanguage::TypeScript,
    );
    let call = summary
        .calls
        .iter()
        .find(|c| c.callee.last().map(|s| &**s) == Some("get"))
        .expect("the awaited generic call is recorded");
    let callee: Vec<&str> = call.callee.iter().map(|s| &**s).collect();
    assert_eq!(callee, ["s", "ctx", "storage", "get"]);
    assert_eq!(call.usage, crate::index::CallUsage::Awaited);
    assert!(!call.scope.after_await);
}

#[test]
fn hono_apps_know_whose_env_they_see() {
    let ws = workspace(&[(
        "src/index.ts",
        "import { Hono } from \"hono\";
         import { DurableObject } from \"cloudflare:workers\";
         export class Stream extends DurableObject {
           async fetch(req: Request) {
             const app = new Hono<{ Bindings: { streamId: string } }>();
             app.get(\"/\", (c) => c.env.streamId.trim());
             return app.fetch(req, { streamId: \"s\" });
           }
         }
         const worker = new Hono<{ Bindings: Env }>();
         worker.get(\"/\", (c) => c.env.ROOM.getByName(\"x\").hello());
         export default worker;",
    )]);
    let file = ws
        .files
        .lookup(std::path::Path::new("src/index.ts"))
        .unwrap();
    let eval = Evaluator::new(&ws);
    let sem = eval.semantics(file).unwrap();
    let env_of = |name_start: u32| eval.value(file, sem.env_read(name_start).unwrap());
    let text = ws.files.text(file);
    let stream_id = text.find("streamId.trim").unwrap() as u32;
    let room = text.find("ROOM.getByName").unwrap() as u32;
    assert_eq!(env_of(stream_id), Value::Env(EnvKind::Other));
    assert_eq!(env_of(room), Value::Env(EnvKind::Worker));
    assert_eq!(receivers(&ws, "src/index.ts", "hello"), vec![stub("ROOM")]);
}

#[test]
fn uses_record_their_role() {
    let ws = workspace(&[(
        "src/index.ts",
        "export default { async fetch(req, env) {
           const id = env.DOCS.newUniqueId();
           const stub = env.DOCS.get(id);
           return stub.fetch(req);
         } }",
    )]);
    let file = FileId(
        ws.files
            .lookup(std::path::Path::new("src/index.ts"))
            .unwrap()
            .0,
    );
    let sem = &ws.summary(file).unwrap().semantic;
    let id = sem.decls.iter().position(|d| &*d.name == "id").unwrap() as DeclId;
    let uses = sem.uses_of(id);
    assert_eq!(uses.len(), 1);
    let UseRole::Argument(call, 0) = uses[0].role else {
        panic!("{:?}", uses[0].role)
    };
    assert_eq!(&*sem.calls[call as usize].name, "get");
    let eval = Evaluator::new(&ws);
    assert_eq!(
        eval.decl_value(file, id),
        Value::Id {
            kind: IdKind::Unique,
            binding: Some("DOCS".into())
        }
    );
}

#[test]
fn deep_nesting_is_cut_not_overflowed() {
    let source = format!("const x = {}1{};", "(".repeat(5000), ")".repeat(5000));
    let summary = crate::index::summarize(&source, SourceLanguage::TypeScript);
    assert!(summary.semantic.decls.len() <= 1);
    let source = format!("{}{}", "{".repeat(3000), "}".repeat(3000));
    let summary = crate::index::summarize(&source, SourceLanguage::TypeScript);
    assert!(summary.semantic.truncated);
}

#[test]
fn an_error_inside_a_handler_keeps_the_module_items_reliable() {
    let broken = |source: &str| {
        crate::index::summarize(source, SourceLanguage::TypeScript)
            .semantic
            .module_items_broken
    };
    assert!(!broken(
        "export default { async fetch(req, env) { return env.X; } };"
    ));
    assert!(!broken(
        "export default { async fetch(req, env) { env. } };\nexport class A {}"
    ));
    assert!(!broken(
        "export class A { run() { this.env. } }\nexport { B } from \"./b\";"
    ));
    assert!(broken("export { A, from \"./a\";"));
    assert!(broken("import { A from \"./a\";\nexport class B {}"));
}

#[test]
fn class_not_exported_stays_while_a_handler_is_half_typed() {
    let config = "name = \"w\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-06-01\"\n\
                  [[durable_objects.bindings]]\nname = \"ROOM\"\nclass_name = \"Room\"\n\
                  [[migrations]]\ntag = \"v1\"\nnew_sqlite_classes = [\"Room\"]\n";
    let room = "import { DurableObject } from \"cloudflare:workers\";\n\
                export class Room extends DurableObject {}\n";
    for main in [
        "export default { async fetch(req, env) { return env.ROOM.getByName(\"a\").fetch(req); } };",
        "export default { async fetch(req, env) { return env. } };",
        "export default { async fetch(req, env) { const x = env.; return x; } };",
    ] {
        let ws = workspace(&[
            ("wrangler.toml", config),
            ("src/room.ts", room),
            ("src/index.ts", main),
        ]);
        let found = crate::rules::run(&ws, &Default::default());
        assert!(
            found.iter().any(|d| d.code == "class-not-exported"),
            "{main}: {found:#?}"
        );
    }
}

/// Not a timed test: prints what building the model costs next to a parse
/// on a 5,000-line module (`cargo test --release --lib semantic_build_cost
/// -- --ignored --nocapture`).
#[test]
#[ignore]
fn semantic_build_cost() {
    let mut text = String::new();
    for i in 0..550 {
        text.push_str(&format!(
            "export async function handler{i}(request: Request, env: Env): Promise<Response> {{\n  \
             const url = new URL(request.url);\n  \
             const stub = env.ROOM.getByName(url.pathname + \"{i}\");\n  \
             const total = Number(await stub.fetch(request).then((r) => r.text()));\n  \
             const parts: string[] = [];\n  \
             for (let k = 0; k < total % 5; k++) parts.push(`p${{k}}-{i}`);\n  \
             return Response.json({{ total, parts, n: {i} }});\n}}\n\n"
        ));
    }
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&crate::index::queries::Grammar::TypeScript.language())
        .unwrap();
    let mut parse = Vec::new();
    let mut model = Vec::new();
    for _ in 0..9 {
        let started = std::time::Instant::now();
        let tree = parser.parse(&text, None).unwrap();
        parse.push(started.elapsed());
        let started = std::time::Instant::now();
        let sem = build(&tree, &text);
        model.push(started.elapsed());
        if model.len() == 9 {
            eprintln!(
                "scopes {} decls {} exprs {} funcs {} calls {} uses {}; size_of Expr {} Decl {} SemCall {} Use {}",
                sem.scopes.len(),
                sem.decls.len(),
                sem.exprs.len(),
                sem.funcs.len(),
                sem.calls.len(),
                sem.uses.len(),
                std::mem::size_of::<Expr>(),
                std::mem::size_of::<Decl>(),
                std::mem::size_of::<SemCall>(),
                std::mem::size_of::<Use>(),
            );
        }
        std::hint::black_box(sem);
    }
    if std::env::var_os("DOLS_SEMANTIC_LOOP").is_some() {
        let tree = parser.parse(&text, None).unwrap();
        for _ in 0..100 {
            std::hint::black_box(build(&tree, &text));
        }
    }
    let tree = parser.parse(&text, None).unwrap();
    let pieces: Vec<FileSemantics> = top_level_nodes(tree.root_node())
        .into_iter()
        .map(|node| build_piece(node, &text))
        .collect();
    let mut join = Vec::new();
    for _ in 0..9 {
        let started = std::time::Instant::now();
        std::hint::black_box(assemble(
            pieces.iter().map(|p| (p, 0)),
            tree.root_node(),
            &text,
        ));
        join.push(started.elapsed());
    }
    // A keystroke: one letter changed in the middle, re-summarised
    // incrementally (parse, index pieces, semantic pieces, join).
    let text: std::sync::Arc<str> = text.into();
    let (_, mut kept) =
        crate::index::extract::summarize_reparse(&text, SourceLanguage::TypeScript, None);
    let at = text.find("handler300").unwrap() + "handler3".len();
    let mut keystroke = Vec::new();
    let mut current = text.clone();
    for i in 0..20 {
        let letter = if i % 2 == 0 { "7" } else { "0" };
        let mut next = current.to_string();
        next.replace_range(at..at + 1, letter);
        let next: std::sync::Arc<str> = next.into();
        let point = |offset: usize| {
            let row = current[..offset].matches('\n').count();
            let column = offset - current[..offset].rfind('\n').map_or(0, |n| n + 1);
            tree_sitter::Point { row, column }
        };
        if let Some(tree) = kept.as_mut() {
            tree.edit(&tree_sitter::InputEdit {
                start_byte: at,
                old_end_byte: at + 1,
                new_end_byte: at + 1,
                start_position: point(at),
                old_end_position: point(at + 1),
                new_end_position: point(at + 1),
            });
        }
        let started = std::time::Instant::now();
        let (summary, tree) =
            crate::index::extract::summarize_reparse(&next, SourceLanguage::TypeScript, kept);
        keystroke.push(started.elapsed());
        std::hint::black_box(summary);
        kept = tree;
        current = next;
    }
    keystroke.sort();
    eprintln!(
        "incremental re-summary after a keystroke: {:?} (median)",
        keystroke[10]
    );
    if std::env::var_os("DOLS_JOIN_LOOP").is_some() {
        for _ in 0..300 {
            std::hint::black_box(assemble(
                pieces.iter().map(|p| (p, 0)),
                tree.root_node(),
                &text,
            ));
        }
    }
    join.sort();
    eprintln!("joining the pieces alone: {:?} (median)", join[4]);
    parse.sort();
    model.sort();
    eprintln!(
        "{} lines: parse {:?}, semantic build {:?} (medians)",
        text.lines().count(),
        parse[4],
        model[4]
    );
}

#[test]
fn loops_and_template_keys() {
    let source = "export class Cart {\n  async items(ids: string[]) {\n    for (const id of ids) {\n      const item = await this.ctx.storage.get(`item:${id}`);\n    }\n  }\n}\n";
    let summary = crate::index::summarize(source, SourceLanguage::TypeScript);
    let sem = &summary.semantic;
    let call = sem.calls.iter().find(|c| &*c.name == "get").expect("kept");
    let loop_scope = sem.loop_at(call.range.start).expect("in a loop");
    assert_eq!(
        sem.scopes[loop_scope as usize].kind,
        ScopeKind::Loop {
            over_elements: true
        }
    );
    let roots = sem.roots(call.args[0]);
    assert_eq!(
        roots.len(),
        1,
        "{:?} {:?}",
        sem.expr(call.args[0]),
        sem.exprs
    );
    assert_eq!(sem.decls[roots[0] as usize].scope, loop_scope);
}

#[test]
fn models_of_files_no_worker_holds_are_dropped_and_rebuilt_once_reached() {
    let inputs = |main: &str| {
        inputs(&[
            ("w/wrangler.toml", "name = \"w\"\nmain = \"src/index.ts\"\n"),
            ("w/src/index.ts", main),
            (
                "lib/rooms.ts",
                "export const roomFor = (env: Env) => env.ROOM.getByName(\"a\");",
            ),
        ])
    };
    let model_of = |ws: &Workspace, path: &str| {
        let file = ws.files.lookup(std::path::Path::new(path)).unwrap();
        ws.summary(file).unwrap().semantic.scopes.len()
    };
    let alone = Workspace::build(inputs("export default {};"));
    assert_eq!(
        model_of(&alone, "lib/rooms.ts"),
        0,
        "dropped: no Worker holds it"
    );
    assert!(model_of(&alone, "w/src/index.ts") > 0);
    // `main` starts to import it; its summary is carried over unchanged.
    let reached = Workspace::build_reusing(
        inputs("import { roomFor } from \"../../lib/rooms\";\nexport default {};"),
        Some(&alone),
    );
    assert!(
        model_of(&reached, "lib/rooms.ts") > 0,
        "rebuilt once reached"
    );
}

/// Values that depend on themselves (mutual assignments, mutually
/// recursive helpers, a field fed by itself, imports in a circle) end in
/// an unknown value instead of looping; a value known on one path stays.
#[test]
fn cycles_end_in_unknown_values() {
    let ws = workspace(&[
        (
            "src/index.ts",
            "import { viaB } from \"./b\";
             function f(env) { return g(env); }
             function g(env) { return f(env); }
             export function viaA(env) { return viaB(env); }
             export default { async fetch(req, env) {
               let a = b; let b = a;
               a.first();
               f(env).second();
               viaA(env).third();
               let s = env.ROOM.getByName(\"x\");
               s = s;
               s.fourth();
             } };",
        ),
        (
            "src/b.ts",
            "import { viaA } from \"./index\";\nexport function viaB(env) { return viaA(env); }\n",
        ),
    ]);
    for method in ["first", "second", "third"] {
        assert!(
            receivers(&ws, "src/index.ts", method)
                .iter()
                .all(Value::is_unknown),
            "{method}"
        );
    }
    assert_eq!(receivers(&ws, "src/index.ts", "fourth"), vec![stub("ROOM")]);
}
