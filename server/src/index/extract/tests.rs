//! Table-style tests: small snippets in, the interesting summary parts out.
// Case tables are tuples; naming each shape would only add noise.
#![allow(clippy::type_complexity)]
use super::*;
use crate::index::{
    ArgValue, CallSite, CallUsage, ClassInfo, EnvAccess, EnvVia, Export, Import, ImportKind,
    Visibility,
};

fn ts(source: &str) -> FileSummary {
    summarize(source, SourceLanguage::TypeScript)
}

fn class<'a>(summary: &'a FileSummary, name: &str) -> &'a ClassInfo {
    summary
        .classes
        .iter()
        .find(|c| c.name.as_ref().is_some_and(|n| n.value == name))
        .unwrap_or_else(|| panic!("no class {name} in {:#?}", summary.classes))
}

/// Every spanned value must be the text it points at (string contents
/// exclude their quotes), so editors can underline exactly that.
fn assert_spans(source: &str, summary: &FileSummary) {
    let check =
        |s: &Spanned<String>| assert_eq!(&source[s.range.as_std()], s.value, "span of {s:?}");
    for class in &summary.classes {
        if let Some(name) = &class.name {
            check(name);
        }
        class.methods.iter().for_each(|m| check(&m.name));
    }
    summary.imports.iter().for_each(|i| check(&i.specifier));
    summary.env_accesses.iter().for_each(|a| {
        check(&a.name);
        a.member.iter().for_each(check);
    });
    summary.env_type_members.iter().for_each(check);
    summary.storage_uses.iter().for_each(|s| check(&s.member));
    for export in &summary.exports {
        match export {
            Export::Local { exported, .. } => check(exported),
            Export::ReExport {
                exported,
                specifier,
                ..
            }
            | Export::StarAs {
                exported,
                specifier,
            } => {
                check(exported);
                check(specifier);
            }
            Export::Star { specifier } => check(specifier),
            Export::DefaultExpression { .. } => {}
        }
    }
}

// ---------------------------------------------------------------- classes

#[test]
fn class_forms() {
    // (source, class name, exported_inline, default_export, heritage root)
    let cases: &[(&str, &str, bool, bool, Option<&str>)] = &[
        ("class A {}", "A", false, false, None),
        (
            "export class A extends DurableObject {}",
            "A",
            true,
            false,
            Some("DurableObject"),
        ),
        (
            "export default class A extends DurableObject<Env> {}",
            "A",
            true,
            true,
            Some("DurableObject"),
        ),
        (
            "export abstract class A extends Base {}",
            "A",
            true,
            false,
            Some("Base"),
        ),
        ("abstract class A {}", "A", false, false, None),
        (
            "const A = class extends DurableObject {}",
            "A",
            false,
            false,
            Some("DurableObject"),
        ),
        (
            "export const A = class extends DurableObject {};",
            "A",
            true,
            false,
            Some("DurableObject"),
        ),
        (
            "export const A = class Inner extends X {};",
            "A",
            true,
            false,
            Some("X"),
        ),
        (
            "export declare class A extends DurableObject {}",
            "A",
            true,
            false,
            Some("DurableObject"),
        ),
        ("@decorate export class A {}", "A", true, false, None),
    ];
    for (source, name, exported, default, root) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        let info = class(&summary, name);
        assert_eq!(info.exported_inline, *exported, "{source}");
        assert_eq!(info.default_export, *default, "{source}");
        assert_eq!(
            info.heritage.as_ref().and_then(|h| h.root.as_deref()),
            *root,
            "{source}"
        );
        assert_eq!(summary.syntax_error_count, 0, "{source}");
    }
}

#[test]
fn anonymous_default_class() {
    let summary = ts("export default class extends DurableObject {}");
    assert_eq!(summary.classes.len(), 1);
    let info = &summary.classes[0];
    assert!(info.name.is_none());
    assert!(info.exported_inline && info.default_export);
    assert_eq!(
        summary.exports,
        vec![Export::DefaultExpression { range: info.range }]
    );
}

#[test]
fn heritage_shapes() {
    // (extends clause, text, root, member, call_args)
    let cases: &[(&str, &str, Option<&str>, Option<&str>, &[&str])] = &[
        (
            "DurableObject",
            "DurableObject",
            Some("DurableObject"),
            None,
            &[],
        ),
        (
            "DurableObject<Env>",
            "DurableObject<Env>",
            Some("DurableObject"),
            None,
            &[],
        ),
        (
            "Agent<Env, State>",
            "Agent<Env, State>",
            Some("Agent"),
            None,
            &[],
        ),
        (
            "cf.DurableObject<Env>",
            "cf.DurableObject<Env>",
            Some("cf"),
            Some("DurableObject"),
            &[],
        ),
        (
            "withX(DurableObject)",
            "withX(DurableObject)",
            Some("withX"),
            None,
            &["DurableObject"],
        ),
        (
            "withA(withB(DurableObject), opts)",
            "withA(withB(DurableObject), opts)",
            Some("withA"),
            None,
            &["DurableObject", "opts"],
        ),
        (
            "mixins.withX(cf.DurableObject)",
            "mixins.withX(cf.DurableObject)",
            Some("mixins"),
            Some("withX"),
            &["cf.DurableObject"],
        ),
        ("(Base as any)", "(Base as any)", Some("Base"), None, &[]),
    ];
    for (extends, text, root, member, args) in cases {
        let source = format!("class A extends {extends} {{}}");
        let summary = ts(&source);
        let heritage = class(&summary, "A").heritage.clone().expect(extends);
        assert_eq!(heritage.text, *text);
        assert_eq!(&source[heritage.range.as_std()], *text);
        assert_eq!(heritage.root.as_deref(), *root, "{extends}");
        assert_eq!(heritage.member.as_deref(), *member, "{extends}");
        assert_eq!(heritage.call_args, *args, "{extends}");
    }
}

#[test]
fn methods_and_constructor() {
    let source = r#"
export class Counter extends DurableObject<Env> {
  static VERSION = 1;
  count = 0;
  constructor(ctx: DurableObjectState, env: Env) { super(ctx, env); }
  async fetch(request: Request): Promise<Response> { return new Response(); }
  private async helper(a: string, b?: number, ...rest: unknown[]) {}
  protected audit({ id }: { id: string }) {}
  #secret() {}
  static create() {}
  increment = async (by: number) => { this.count += by; };
  private reset = () => {};
  decrement = by => by;
  get total() { return this.count; }
  set total(v) {}
  describe(this: Counter, label = "x") {}
  "quoted"() {}
  overloaded(a: string): void;
  overloaded(a: any) {}
}"#;
    let summary = ts(source);
    assert_spans(source, &summary);
    let info = class(&summary, "Counter");
    let ctor = info.constructor.as_ref().expect("constructor");
    assert_eq!(ctor.params, ["ctx", "env"]);

    // (name, visibility, static, async, field, params)
    type Row<'a> = (&'a str, Visibility, bool, bool, bool, Vec<&'a str>);
    let expected: &[(&str, Visibility, bool, bool, bool, &[&str])] = &[
        (
            "fetch",
            Visibility::Public,
            false,
            true,
            false,
            &["request"],
        ),
        (
            "helper",
            Visibility::Private,
            false,
            true,
            false,
            &["a", "b", "...rest"],
        ),
        (
            "audit",
            Visibility::Protected,
            false,
            false,
            false,
            &["{ id }"],
        ),
        ("#secret", Visibility::EcmaPrivate, false, false, false, &[]),
        ("create", Visibility::Public, true, false, false, &[]),
        ("increment", Visibility::Public, false, true, true, &["by"]),
        ("reset", Visibility::Private, false, false, true, &[]),
        ("decrement", Visibility::Public, false, false, true, &["by"]),
        ("total", Visibility::Public, false, false, false, &[]),
        (
            "describe",
            Visibility::Public,
            false,
            false,
            false,
            &["label"],
        ),
        ("quoted", Visibility::Public, false, false, false, &[]),
        (
            "overloaded",
            Visibility::Public,
            false,
            false,
            false,
            &["a"],
        ),
    ];
    let actual: Vec<Row> = info
        .methods
        .iter()
        .map(|m| {
            let params: Vec<&str> = m.params.iter().map(String::as_str).collect();
            (
                m.name.value.as_str(),
                m.visibility,
                m.is_static,
                m.is_async,
                m.is_field,
                params,
            )
        })
        .collect();
    let expected: Vec<Row> = expected
        .iter()
        .map(|r| (r.0, r.1, r.2, r.3, r.4, r.5.to_vec()))
        .collect();
    // Non-function fields, setters and overload signatures are skipped.
    assert_eq!(actual, expected);
}

#[test]
fn factory_export_is_not_a_class() {
    let summary = ts("export const MyDO = createDurableObject({ fetch() {} });");
    assert!(summary.classes.is_empty());
    assert_eq!(summary.exports.len(), 1);
    assert!(
        matches!(&summary.exports[0], Export::Local { exported, local } if exported.value == "MyDO" && local == "MyDO")
    );
}

#[test]
fn mixin_factory_class_is_anonymous() {
    let source =
        "function withX(Base) { return class extends Base { ping() { return this.env.A; } }; }";
    let summary = ts(source);
    assert_eq!(summary.classes.len(), 1);
    assert!(summary.classes[0].name.is_none());
    assert_eq!(summary.classes[0].methods[0].name.value, "ping");
    assert_eq!(summary.env_accesses[0].enclosing_class, None);
}

#[test]
fn broken_class_is_still_found() {
    let cases: &[(&str, &str, bool, &[&str])] = &[
        ("class A extends DurableObject { async fetch( {", "A", false, &[]),
        (
            "export class B extends DurableObject<Env> {\n  async foo() { return this.env.X.get(1); }\n  async fetch(req) {\n    if (x) {\n",
            "B",
            true,
            &["foo"],
        ),
        (
            "export class C extends DurableObject {\n  async foo() { return 1; }\n  async fetch(req) {\n    const x = \n  }\n}\n",
            "C",
            true,
            &["foo", "fetch"],
        ),
        ("export default class D extends DurableObject {\n  run() {}\n  broken(", "D", true, &["run"]),
    ];
    for (source, name, exported, methods) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        assert!(summary.syntax_error_count > 0, "{source}");
        let info = class(&summary, name);
        assert_eq!(info.exported_inline, *exported, "{source}");
        assert_eq!(
            info.heritage.as_ref().and_then(|h| h.root.as_deref()),
            Some("DurableObject"),
            "{source}"
        );
        let names: Vec<&str> = info.methods.iter().map(|m| m.name.value.as_str()).collect();
        assert_eq!(names, *methods, "{source}");
    }
    // `export default` survives recovery too.
    let summary = ts(cases[3].0);
    assert!(class(&summary, "D").default_export);

    // Several loose classes in one ERROR node are split at each `class`.
    let source = "export class E extends DurableObject {\n  a() {}\n  b(\nclass F extends DurableObject {\n  c() {}\n  d(\n";
    let summary = ts(source);
    assert_spans(source, &summary);
    let names: Vec<&str> = summary
        .classes
        .iter()
        .filter_map(|c| c.name.as_ref())
        .map(|n| n.value.as_str())
        .collect();
    assert_eq!(names, ["E", "F"]);
    assert!(class(&summary, "E").exported_inline && !class(&summary, "F").exported_inline);
    assert!(!class(&summary, "E")
        .range
        .contains(source.find("class F").unwrap()));

    // The env access inside the recovered class knows its class.
    let summary = ts(cases[1].0);
    assert_eq!(summary.env_accesses.len(), 1);
    assert_eq!(
        summary.env_accesses[0].enclosing_class.as_deref(),
        Some("B")
    );
}

// ---------------------------------------------------------------- imports

fn import_rows(summary: &FileSummary) -> Vec<(String, ImportKind, bool)> {
    summary
        .imports
        .iter()
        .map(
            |Import {
                 specifier,
                 kind,
                 type_only,
             }| (specifier.value.clone(), kind.clone(), *type_only),
        )
        .collect()
}

fn named(imported: &str, local: &str) -> ImportKind {
    ImportKind::Named {
        imported: imported.into(),
        local: local.into(),
    }
}

#[test]
fn import_forms() {
    let cases: Vec<(&str, Vec<(&str, ImportKind, bool)>)> = vec![
        (
            "import { DurableObject } from 'cloudflare:workers';",
            vec![(
                "cloudflare:workers",
                named("DurableObject", "DurableObject"),
                false,
            )],
        ),
        (
            "import { A as B, C } from \"x\";",
            vec![("x", named("A", "B"), false), ("x", named("C", "C"), false)],
        ),
        (
            "import D from 'd';",
            vec![("d", ImportKind::Default { local: "D".into() }, false)],
        ),
        (
            "import D, * as NS from 'd';",
            vec![
                ("d", ImportKind::Default { local: "D".into() }, false),
                ("d", ImportKind::Namespace { local: "NS".into() }, false),
            ],
        ),
        (
            "import D, { E } from 'd';",
            vec![
                ("d", ImportKind::Default { local: "D".into() }, false),
                ("d", named("E", "E"), false),
            ],
        ),
        (
            "import 'polyfill';",
            vec![("polyfill", ImportKind::SideEffect, false)],
        ),
        (
            "import type { Env } from './env';",
            vec![("./env", named("Env", "Env"), true)],
        ),
        (
            "import type Def from './env';",
            vec![(
                "./env",
                ImportKind::Default {
                    local: "Def".into(),
                },
                true,
            )],
        ),
        (
            "import { type T, V } from 'm';",
            vec![("m", named("T", "T"), true), ("m", named("V", "V"), false)],
        ),
        (
            "const x = require('lib');",
            vec![("lib", ImportKind::Dynamic, false)],
        ),
        (
            "const m = await import('./lazy');",
            vec![("./lazy", ImportKind::Dynamic, false)],
        ),
        (
            "import fs = require('fs');",
            vec![("fs", ImportKind::Dynamic, false)],
        ),
        ("const x = require(name); import(name);", vec![]),
        ("const x = notRequire('lib');", vec![]),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        let expected: Vec<(String, ImportKind, bool)> = expected
            .into_iter()
            .map(|(s, k, t)| (s.to_owned(), k, t))
            .collect();
        assert_eq!(import_rows(&summary), expected, "{source}");
    }
}

// ---------------------------------------------------------------- exports

/// Exports rendered compactly: `local>exported`, `import:sp>exported`,
/// `*:sp`, `* as ns:sp`, `default-expr`.
fn export_rows(summary: &FileSummary) -> Vec<String> {
    summary
        .exports
        .iter()
        .map(|export| match export {
            Export::Local { exported, local } => format!("{local}>{}", exported.value),
            Export::ReExport {
                exported,
                imported,
                specifier,
            } => format!("{imported}:{}>{}", specifier.value, exported.value),
            Export::Star { specifier } => format!("*:{}", specifier.value),
            Export::StarAs {
                exported,
                specifier,
            } => format!("* as {}:{}", exported.value, specifier.value),
            Export::DefaultExpression { .. } => "default-expr".to_owned(),
        })
        .collect()
}

#[test]
fn export_forms() {
    let cases: &[(&str, &[&str])] = &[
        ("export class A {}", &["A>A"]),
        ("export abstract class A {}", &["A>A"]),
        ("export function f() {}", &["f>f"]),
        ("export async function* g() {}", &["g>g"]),
        ("export const A = 1, B = 2;", &["A>A", "B>B"]),
        ("export let l; export var v = 1;", &["l>l", "v>v"]),
        (
            "export const { a, b: c, ...rest } = obj;",
            &["a>a", "c>c", "rest>rest"],
        ),
        ("export enum E { X }", &["E>E"]),
        ("export declare const D: number;", &["D>D"]),
        ("class Impl {} export { Impl as Bound };", &["Impl>Bound"]),
        ("export { a, b as c };", &["a>a", "b>c"]),
        ("export { a as b } from './x';", &["a:./x>b"]),
        ("export { default as X } from './x';", &["default:./x>X"]),
        ("export { default } from './x';", &["default:./x>default"]),
        ("export * from './all';", &["*:./all"]),
        ("export * as ns from './all';", &["* as ns:./all"]),
        (
            "const Worker = {}; export default Worker;",
            &["Worker>default"],
        ),
        ("export default class X {}", &["X>default"]),
        ("export default function handler() {}", &["handler>default"]),
        (
            "export default { fetch(req, env, ctx) {} };",
            &["default-expr"],
        ),
        ("export default function () {}", &["default-expr"]),
        ("export default app.fetch;", &["default-expr"]),
        ("export default new Hono();", &["default-expr"]),
        // Type-only exports are not values.
        ("export type T = { a: 1 };", &[]),
        ("export interface I {}", &[]),
        ("export type { T } from './t';", &[]),
        ("export { type T, V };", &["V>V"]),
        ("export declare namespace N {}", &[]),
        ("export = Foo;", &[]),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        assert_eq!(export_rows(&summary), *expected, "{source}");
    }
}

#[test]
fn export_default_class_is_also_a_class() {
    let source = "export default class Room extends DurableObject {}";
    let summary = ts(source);
    assert!(class(&summary, "Room").default_export);
    let Export::Local { exported, local } = &summary.exports[0] else {
        panic!()
    };
    assert_eq!(
        (exported.value.as_str(), local.as_str()),
        ("default", "Room")
    );
    assert_eq!(&source[exported.range.as_std()], "default");
}

// ------------------------------------------------------------ env accesses

fn env_rows(summary: &FileSummary) -> Vec<(String, EnvVia, Option<String>, Option<String>)> {
    summary
        .env_accesses
        .iter()
        .map(
            |EnvAccess {
                 name,
                 via,
                 member,
                 enclosing_class,
             }| {
                (
                    name.value.clone(),
                    *via,
                    member.as_ref().map(|m| m.value.clone()),
                    enclosing_class.as_deref().map(str::to_owned),
                )
            },
        )
        .collect()
}

#[test]
fn env_access_forms() {
    use EnvVia::*;
    type Row<'a> = (&'a str, EnvVia, Option<&'a str>, Option<&'a str>);
    let cases: &[(&str, &[Row])] = &[
        (
            "export default { async fetch(request, env, ctx) { const id = env.COUNTER.idFromName('a'); return env.COUNTER.get(id).fetch(request); } }",
            &[("COUNTER", Param, Some("idFromName"), None), ("COUNTER", Param, Some("get"), None)],
        ),
        ("function f(env: Env) { return env.KV; }", &[("KV", Param, None, None)]),
        ("env.NS.getByName('x'); env.B.put('k', v); env.C.foo;", &[
            ("NS", Param, Some("getByName"), None),
            ("B", Param, Some("put"), None),
            ("C", Param, None, None),
        ]),
        ("env?.X?.idFromName('a'); env!.Y.get(id);", &[("X", Param, Some("idFromName"), None), ("Y", Param, Some("get"), None)]),
        ("(env as Env).X.get(id); env['DASHED'];", &[("X", Param, Some("get"), None), ("DASHED", Param, None, None)]),
        // R2 jurisdiction: the call is the member; its argument is irrelevant.
        ("env.MY_DO.jurisdiction('eu').idFromName('x');", &[("MY_DO", Param, Some("jurisdiction"), None)]),
        (
            "class Room extends DurableObject { async run() { await this.env.QUEUE.send(1); this.env?.OTHER; } }",
            &[("QUEUE", ThisEnv, Some("send"), Some("Room")), ("OTHER", ThisEnv, None, Some("Room"))],
        ),
        (
            "app.get('/', (c) => c.env.ROOMS.idFromName('x')); app.post('/', (ctx) => ctx.env.DB); function h(context) { context.env.AI.run(); }",
            &[
                ("ROOMS", ContextEnv, Some("idFromName"), None),
                ("DB", ContextEnv, None, None),
                ("AI", ContextEnv, Some("run"), None),
            ],
        ),
        ("const { A, B: alias, C = 1, ...rest } = env;", &[("A", Destructure, None, None), ("B", Destructure, None, None), ("C", Destructure, None, None)]),
        ("class W { m() { const { X } = this.env; } }", &[("X", Destructure, None, Some("W"))]),
        ("const { Y } = c.env; const { Z } = env as Env;", &[("Y", Destructure, None, None), ("Z", Destructure, None, None)]),
        (
            "import { env } from 'cloudflare:workers';\nconst stub = env.MY_DO.getByName('a');",
            &[("MY_DO", Param, Some("getByName"), None)],
        ),
        // Node/Deno/Bun process variables and Vite's import.meta.env are not bindings.
        ("process.env.SECRET; process.env.X.trim(); const { Y } = process.env;", &[]),
        ("Deno.env.get('X'); Bun.env.Y; import.meta.env.VITE_X;", &[]),
        // Declarations and plain uses of `env` are not accesses.
        ("function f(env) { return g(env); } const env = makeEnv(); const e = { env }; x.env;", &[]),
        ("const k = env[key]; env.#x;", &[]),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        let expected: Vec<_> = expected
            .iter()
            .map(|(n, v, m, c)| {
                (
                    n.to_string(),
                    *v,
                    m.map(str::to_owned),
                    c.map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(env_rows(&summary), expected, "{source}");
    }
}

#[test]
fn env_access_in_nested_class_names_innermost() {
    let source = "class Outer { m() { const Inner = class { n() { this.env.A; } }; this.env.B; } }";
    let rows = env_rows(&ts(source));
    assert_eq!(rows[0].3.as_deref(), Some("Inner"));
    assert_eq!(rows[1].3.as_deref(), Some("Outer"));
}

// --------------------------------------------------------- env type members

#[test]
fn env_type_members() {
    let cases: &[(&str, &[&str])] = &[
        ("interface Env { COUNTER: DurableObjectNamespace<Counter>; readonly KV?: KVNamespace; }", &["COUNTER", "KV"]),
        ("export interface Env extends BaseEnv { DB: D1Database }", &["DB"]),
        ("interface CloudflareBindings { A: string }", &["A"]),
        ("interface Bindings { B: string }", &["B"]),
        ("type Env = { C: R2Bucket; 'D-E': string };", &["C", "D-E"]),
        ("type Bindings = { F: Queue };", &["F"]),
        ("type Env = Base & { G: string };", &["G"]),
        (
            "declare namespace Cloudflare {\n  interface Env {\n    MY_DO: DurableObjectNamespace<import('./src').MyDO>;\n  }\n}\ninterface Env extends Cloudflare.Env {}",
            &["MY_DO"],
        ),
        ("declare global { interface Env { H: string } }", &["H"]),
        // Methods and other types do not count.
        ("interface Env { method(): void; I: string }", &["I"]),
        ("interface Props { X: string } type Other = { Y: 1 };", &[]),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        let names: Vec<&str> = summary
            .env_type_members
            .iter()
            .map(|m| m.value.as_str())
            .collect();
        assert_eq!(names, *expected, "{source}");
    }
}

// ------------------------------------------------------------ storage uses

#[test]
fn storage_uses() {
    type Row<'a> = (&'a str, &'a str, Option<&'a str>);
    let cases: &[(&str, &[Row])] = &[
        (
            "class Db extends DurableObject { q() { this.ctx.storage.sql.exec('select 1'); } }",
            &[("sql", "this.ctx.storage", Some("Db"))],
        ),
        ("ctx.storage.kv.get('a'); state.storage.transactionSync(() => {});", &[
            ("kv", "ctx.storage", None),
            ("transactionSync", "state.storage", None),
        ]),
        (
            "await this.state.storage.getCurrentBookmark(); this.ctx.storage.getBookmarkForTime(t); this.ctx.storage?.onNextSessionRestoreBookmark(b);",
            &[
                ("getCurrentBookmark", "this.state.storage", None),
                ("getBookmarkForTime", "this.ctx.storage", None),
                ("onNextSessionRestoreBookmark", "this.ctx.storage", None),
            ],
        ),
        ("const storage = this.ctx.storage; storage.sql.exec('x');", &[("sql", "storage", None)]),
        ("const { sql, get } = this.ctx.storage;", &[("sql", "this.ctx.storage", None)]),
        ("this.ctx.storage!.sql.exec('x'); (state.storage as any).kv;", &[
            ("sql", "this.ctx.storage", None),
            ("kv", "state.storage", None),
        ]),
        // Key-value storage API works on both backends.
        ("this.ctx.storage.get('a'); this.ctx.storage.put('a', 1); sql.exec('x'); db.sql;", &[]),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_spans(source, &summary);
        let rows: Vec<Row> = summary
            .storage_uses
            .iter()
            .map(|s| {
                (
                    s.member.value.as_str(),
                    s.receiver.as_str(),
                    s.enclosing_class.as_deref(),
                )
            })
            .collect();
        assert_eq!(rows, *expected, "{source}");
    }
}

// -------------------------------------------------------- robustness, JSX

#[test]
fn syntax_errors_are_counted() {
    assert_eq!(ts("export class A {}").syntax_error_count, 0);
    assert!(ts("export class A { foo( }").syntax_error_count > 0);
    assert!(ts("const x = ;").syntax_error_count > 0);
}

#[test]
fn garbage_does_not_panic() {
    let mut inputs: Vec<String> = vec![
        String::new(),
        "\0\0\0class\0A extends".to_owned(),
        "\u{feff}export class A {}".to_owned(),
        "}}}}{{{{))))((((".to_owned(),
        "export { default as } from".to_owned(),
        "export default".to_owned(),
        "import { from".to_owned(),
        "class extends {".to_owned(),
        "const { } = env; env.; this.env.; c.env[; ctx.storage.".to_owned(),
        "ÿþ\u{1}\u{2}é中文🦀 class 中 extends 文 {}".to_owned(),
        "(".repeat(5_000),
        "a.".repeat(20_000) + "b",
        "class A extends ".repeat(2_000),
        "export const x = withA(".repeat(3_000),
    ];
    // Pseudo-random bytes made valid UTF-8 lossily: binary files that slip through.
    let mut state = 0x2545_f491_u32;
    let bytes: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    inputs.push(String::from_utf8_lossy(&bytes).into_owned());
    for input in &inputs {
        for language in [
            SourceLanguage::TypeScript,
            SourceLanguage::Tsx,
            SourceLanguage::JavaScript,
        ] {
            let summary = summarize(input, language);
            assert_spans(input, &summary);
        }
    }
}

#[test]
fn tsx_with_jsx() {
    let source = r#"
import { env } from "cloudflare:workers";
export class Page extends DurableObject<Env> {
  render() { return <div className="x">{this.env.TITLE}</div>; }
}
export const App = () => <Layout>{env.GREETING}</Layout>;
"#;
    let summary = summarize(source, SourceLanguage::Tsx);
    assert_eq!(summary.syntax_error_count, 0);
    assert_eq!(class(&summary, "Page").methods[0].name.value, "render");
    let names: Vec<String> = env_rows(&summary).into_iter().map(|r| r.0).collect();
    assert_eq!(names, ["TITLE", "GREETING"]);
    assert_eq!(export_rows(&summary), ["Page>Page", "App>App"]);
}

#[test]
fn javascript_with_and_without_jsx() {
    let plain = "export class Counter extends DurableObject { async fetch(request) { return this.env.X.get(1); } }\nexport default { fetch(req, env) { return env.Y; } };";
    let summary = summarize(plain, SourceLanguage::JavaScript);
    assert_eq!(summary.syntax_error_count, 0);
    assert_eq!(class(&summary, "Counter").methods.len(), 1);
    assert_eq!(summary.env_accesses.len(), 2);

    // `.js` React file: the TS grammar chokes on JSX, the TSX retry parses it.
    let jsx = "export const App = () => <div className=\"x\">{env.X}</div>;\nexport default App;";
    let summary = summarize(jsx, SourceLanguage::JavaScript);
    assert_eq!(summary.syntax_error_count, 0);
    assert_eq!(env_rows(&summary)[0].0, "X");
    assert_eq!(export_rows(&summary), ["App>App", "App>default"]);
}

#[test]
fn summaries_are_deterministic_across_threads() {
    let source =
        "export class A extends DurableObject { m() { this.env.X.get(1); this.ctx.storage.sql; } }";
    let expected = ts(source);
    let handles: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(move || summarize(source, SourceLanguage::TypeScript)))
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), expected);
    }
}

#[test]
fn warm_up_is_idempotent() {
    warm_up();
    warm_up();
    assert_eq!(ts("class A {}").classes.len(), 1);
}

// ------------------------------------------------------------------ calls

fn call<'a>(summary: &'a FileSummary, callee: &str) -> &'a CallSite {
    summary
        .calls
        .iter()
        .find(|c| c.callee.join(".") == callee)
        .unwrap_or_else(|| {
            let all: Vec<String> = summary.calls.iter().map(|c| c.callee.join(".")).collect();
            panic!("no call {callee} in {all:?}")
        })
}

fn callees(summary: &FileSummary) -> Vec<String> {
    summary.calls.iter().map(|c| c.callee.join(".")).collect()
}

fn in_class(body: &str) -> String {
    format!("export class Room extends DurableObject<Env> {{\n{body}\n}}")
}

#[test]
fn which_calls_are_recorded() {
    // (source, recorded callees in order)
    let cases: &[(&str, &[&str])] = &[
        ("setTimeout(f, 1); foo(); bar.baz();", &["setTimeout"]),
        (
            "env.ROOM.getByName(x).join(1)",
            &["env.ROOM.getByName().join", "env.ROOM.getByName"],
        ),
        (
            "const stub = env.ROOM.getByName(x); stub.join(); other.join();",
            &["env.ROOM.getByName", "stub.join"],
        ),
        (
            "const { a } = ns.get(id); a.go(); b.go();",
            &["ns.get", "a.go"],
        ),
        (
            "this.sessions.set(k, v); this.a.b.c(); this.m();",
            &["this.sessions.set"],
        ),
        (
            "new WebSocketPair(); new WebSocket(url); new Map();",
            &["WebSocketPair", "WebSocket"],
        ),
        ("a?.b?.get(1); a[0].put(2);", &["a.b.get", "a.[].put"]),
        (
            "this.ctx.storage.sql.exec(`x`)",
            &["this.ctx.storage.sql.exec"],
        ),
        (
            "new Date().toString(); f()().toString()",
            &["new Date().toString", "f()().toString"],
        ),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_eq!(callees(&summary), *expected, "{source}");
        for c in &summary.calls {
            let name = &source[c.name_range.as_std()];
            let last = c.callee.last().unwrap();
            assert!(
                last.ends_with(name) || &**last == "[]",
                "{source}: {name} vs {last}"
            );
            assert!(c.range.contains_range(c.name_range), "{source}");
        }
    }
    let summary = ts("class A extends B { constructor(a) { super(a); super.x(); } }");
    let sup = call(&summary, "super");
    assert!(!sup.is_new);
    assert_eq!(sup.scope.method.as_deref(), Some("constructor"));
    assert!(ts("new WebSocketPair()").calls[0].is_new);
}

#[test]
fn call_usage() {
    let cases: &[(&str, CallUsage)] = &[
        ("async function f() { await fetch(u) }", CallUsage::Awaited),
        (
            "async function f() { await (fetch(u) as any)! }",
            CallUsage::Awaited,
        ),
        ("function f() { return fetch(u) }", CallUsage::Returned),
        ("const f = () => fetch(u);", CallUsage::Returned),
        ("const f = () => (fetch(u));", CallUsage::Returned),
        (
            "const r = fetch(u);",
            CallUsage::AssignedTo(vec!["r".into()]),
        ),
        (
            "let r; r = fetch(u);",
            CallUsage::AssignedTo(vec!["r".into()]),
        ),
        (
            "class A { m() { this.r = fetch(u); } }",
            CallUsage::AssignedTo(vec!["this.r".into()]),
        ),
        (
            "const { a, b: c, ...rest } = fetch(u);",
            CallUsage::AssignedTo(vec!["a".into(), "c".into(), "rest".into()]),
        ),
        (
            "const [x, , y = 1] = fetch(u);",
            CallUsage::AssignedTo(vec!["x".into(), "y".into()]),
        ),
        ("ctx.waitUntil(fetch(u));", CallUsage::Argument),
        ("fetch(u);", CallUsage::Floating),
        ("(fetch(u));", CallUsage::Floating),
        ("void fetch(u);", CallUsage::Other),
        ("fetch(u).then(f);", CallUsage::Other),
        ("const x = 1 + fetch(u);", CallUsage::Other),
    ];
    for (source, expected) in cases {
        let summary = ts(source);
        assert_eq!(&call(&summary, "fetch").usage, expected, "{source}");
    }
}

#[test]
fn call_arguments() {
    let source = r#"
stub.get(1);
ns.idFromName(crypto.randomUUID());
ns.idFromName(`room-${Math.random()}`);
ns.getByName(String(Date.now()), { locationHint: "weur", nested: { a: [1, "b"] }, short });
storage.get(["a", "b"]);
storage.put("k\n\u0041\x42", 0x10, -5, 1_000, 10n, this.ctx.id, x => x, async function () {});
"#;
    let summary = ts(source);
    let values = |callee: &str| -> Vec<ArgValue> {
        call(&summary, callee)
            .args
            .iter()
            .map(|a| a.value.clone())
            .collect()
    };
    let s = |v: &str| ArgValue::String {
        value: v.into(),
        len: v.len(),
    };
    assert_eq!(
        summary
            .calls
            .iter()
            .find(|c| strs(&c.callee) == ["ns", "idFromName"])
            .unwrap()
            .args[0]
            .value,
        ArgValue::Call(vec!["crypto".into(), "randomUUID".into()])
    );
    let templates: Vec<&ArgValue> = summary
        .calls
        .iter()
        .filter(|c| strs(&c.callee) == ["ns", "idFromName"])
        .map(|c| &c.args[0].value)
        .collect();
    assert_eq!(
        templates[1],
        &ArgValue::Template {
            raw: "room-${Math.random()}".into(),
            len: 21,
            interpolations: 1
        }
    );
    let by_name = values("ns.getByName");
    assert_eq!(by_name[0], ArgValue::Call(vec!["String".into()]));
    let ArgValue::Object(props) = &by_name[1] else {
        panic!("{by_name:?}")
    };
    let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["locationHint", "nested", "short"]);
    assert_eq!(props[0].1.value, s("weur"));
    assert_eq!(&source[props[0].1.range.as_std()], "\"weur\"");
    let ArgValue::Object(nested) = &props[1].1.value else {
        panic!()
    };
    let ArgValue::Array(items) = &nested[0].1.value else {
        panic!()
    };
    assert_eq!(items[0].value, ArgValue::Number(1.0));
    assert_eq!(items[1].value, s("b"));
    assert_eq!(props[2].1.value, ArgValue::Identifier("short".into()));
    let ArgValue::Array(keys) = &values("storage.get")[0] else {
        panic!()
    };
    let keys: Vec<&ArgValue> = keys.iter().map(|k| &k.value).collect();
    assert_eq!(keys, [&s("a"), &s("b")]);
    let put = values("storage.put");
    assert_eq!(put[0], s("k\nAB"));
    assert_eq!(put[1], ArgValue::Number(16.0));
    assert_eq!(put[2], ArgValue::Number(-5.0));
    assert_eq!(put[3], ArgValue::Number(1000.0));
    assert_eq!(put[4], ArgValue::Other);
    assert_eq!(
        put[5],
        ArgValue::Member(vec!["this".into(), "ctx".into(), "id".into()])
    );
    assert!(matches!(
        put[6],
        ArgValue::Function {
            is_async: false,
            ..
        }
    ));
    let ArgValue::Function {
        is_async: true,
        body,
    } = put[7]
    else {
        panic!("{:?}", put[7])
    };
    assert_eq!(&source[body.as_std()], "{}");
    assert_eq!(values("stub.get"), [ArgValue::Number(1.0)]);
}

#[test]
fn long_string_arguments_are_truncated_with_their_length() {
    let key = "é".repeat(3_000);
    let source = format!("storage.put(\"{key}\", `{key}${{x}}`);");
    let summary = ts(&source);
    let put = call(&summary, "storage.put");
    let ArgValue::String { value, len } = &put.args[0].value else {
        panic!()
    };
    assert_eq!(value.chars().count(), crate::index::MAX_ARG_STRING_CHARS);
    assert_eq!(*len, key.len());
    let ArgValue::Template {
        raw,
        len,
        interpolations,
    } = &put.args[1].value
    else {
        panic!()
    };
    assert_eq!(raw.chars().count(), crate::index::MAX_ARG_STRING_CHARS);
    assert_eq!(*len, key.len() + 4);
    assert_eq!(*interpolations, 1);
    // Batch keys: more than 128 are still visible.
    let keys: Vec<String> = (0..300).map(|i| format!("\"k{i}\"")).collect();
    let summary = ts(&format!("storage.get([{}])", keys.join(",")));
    let ArgValue::Array(items) = &call(&summary, "storage.get").args[0].value else {
        panic!()
    };
    assert!(items.len() > 128);
}

#[test]
fn call_scope() {
    let source = in_class(
        r#"
  timer = setInterval(() => this.tick(), 1000);
  onMessage = async () => { await this.ctx.storage.put("a", 1); };
  async fetch(req: Request) {
    this.ctx.storage.get("first");
    await new Promise(r => setTimeout(r, 10));
    new Promise(r => setTimeout(r, 11));
    for (let i = 0; i < 3; i++) { this.ctx.storage.put("loop", i); }
    while (x) this.ctx.storage.put("while", 1);
    do { this.ctx.storage.put("do", 1); } while (x);
    for (const k of await this.ctx.storage.list()) { }
    keys.forEach(k => { this.ctx.storage.delete(k); });
    keys.map(k => this.ctx.storage.delete("map"));
    try { this.ctx.storage.deleteAll(); } catch { this.ctx.storage.setAlarm(1); } finally { this.ctx.storage.deleteAlarm(); }
    const later = () => { this.ctx.storage.getAlarm(); };
    return fetch(req);
  }
  async alarm() { await x; await this.ctx.storage.setAlarm(2); }"#,
    );
    let summary = ts(&source);
    let find = |callee: &str, first_arg: Option<&str>| -> &CallSite {
        summary
            .calls
            .iter()
            .find(|c| {
                c.callee.join(".") == callee
                    && first_arg.is_none_or(|a| {
                        c.args
                            .first()
                            .is_some_and(|x| source[x.range.as_std()].contains(a))
                    })
            })
            .unwrap_or_else(|| panic!("{callee} {first_arg:?} in {:?}", callees(&summary)))
    };
    let interval = find("setInterval", None);
    assert_eq!(interval.scope.class.as_deref(), Some("Room"));
    assert_eq!(interval.scope.method, None);
    assert_eq!(
        find("this.ctx.storage.put", Some("\"a\""))
            .scope
            .method
            .as_deref(),
        Some("onMessage")
    );
    let first = find("this.ctx.storage.get", None);
    assert_eq!(first.scope.method.as_deref(), Some("fetch"));
    assert!(!first.scope.after_await && !first.scope.in_loop);
    let fetch_method = class(&summary, "Room")
        .methods
        .iter()
        .find(|m| m.name.value == "fetch")
        .unwrap();
    assert_eq!(first.scope.function, fetch_method.range);
    assert!(source[fetch_method.body.as_std()].starts_with('{'));

    let sleeps: Vec<&CallSite> = summary
        .calls
        .iter()
        .filter(|c| strs(&c.callee) == ["setTimeout"])
        .collect();
    assert!(sleeps[0].scope.in_awaited_promise);
    assert_eq!(sleeps[0].scope.method.as_deref(), Some("fetch"));
    assert!(!sleeps[1].scope.in_awaited_promise);

    for arg in ["\"loop\"", "\"while\"", "\"do\""] {
        let put = find("this.ctx.storage.put", Some(arg));
        assert!(put.scope.in_loop, "{arg}");
        assert!(put.scope.after_await, "{arg}");
    }
    assert!(!find("this.ctx.storage.list", None).scope.in_loop);
    assert!(find("this.ctx.storage.delete", Some("k")).scope.in_loop);
    assert!(find("this.ctx.storage.delete", Some("map")).scope.in_loop);
    let delete_all = find("this.ctx.storage.deleteAll", None).scope.clone();
    assert!(delete_all.in_try && !delete_all.in_finally);
    let in_catch = find("this.ctx.storage.setAlarm", Some("1")).scope.clone();
    assert!(!in_catch.in_try && !in_catch.in_finally);
    let in_finally = find("this.ctx.storage.deleteAlarm", None).scope.clone();
    assert!(in_finally.in_finally && !in_finally.in_try);
    let nested = find("this.ctx.storage.getAlarm", None).scope.clone();
    assert_eq!(nested.method.as_deref(), Some("fetch"));
    assert!(
        !nested.after_await,
        "an await in the outer function does not count"
    );
    assert!(find("fetch", None).scope.after_await);
    let in_alarm = find("this.ctx.storage.setAlarm", Some("2")).scope.clone();
    assert_eq!(in_alarm.method.as_deref(), Some("alarm"));
    assert!(in_alarm.after_await);

    // `await a(b())`: b runs before the await; `f(await x)` runs after.
    let summary = ts("async function f() { await fetch(setTimeout(g)); }");
    assert!(!call(&summary, "setTimeout").scope.after_await);
    assert!(!call(&summary, "fetch").scope.after_await);
    let summary = ts("async function f() { fetch(await x); }");
    assert!(call(&summary, "fetch").scope.after_await);
    // Top level, outside classes.
    let summary = ts("fetch(u);");
    let scope = &summary.calls[0].scope;
    assert_eq!(scope.class, None);
    assert_eq!(scope.function, TextRange::new(0, 9));
}

#[test]
fn call_traps() {
    // Outbound socket: `accept` is recorded but not on a WebSocketPair end.
    let summary = ts(&in_class(
        r#"async fetch() {
    const resp = await fetch(url, { headers: { Upgrade: "websocket" } });
    resp.webSocket.accept();
  }"#,
    ));
    assert!(summary.websocket_pairs.is_empty());
    assert_eq!(
        call(&summary, "resp.webSocket.accept").usage,
        CallUsage::Floating
    );
    let ArgValue::Object(options) = &call(&summary, "fetch").args[1].value else {
        panic!()
    };
    let ArgValue::Object(headers) = &options[0].1.value else {
        panic!()
    };
    assert_eq!(headers[0].0, "Upgrade");
    assert_eq!(
        headers[0].1.value,
        ArgValue::String {
            value: "websocket".into(),
            len: 9
        }
    );

    // Helpers that receive storage as a parameter.
    let summary =
        ts("async function save(storage: DurableObjectStorage) { await storage.put(\"k\", 1) }");
    let put = call(&summary, "storage.put");
    assert_eq!(put.usage, CallUsage::Awaited);
    assert_eq!(put.scope.class, None);
    assert_eq!(put.scope.method, None);

    // Object-literal handlers are not class methods.
    let summary =
        ts("export default { async fetch(req, env) { return env.NS.get(id).fetch(req); } }");
    assert_eq!(call(&summary, "env.NS.get().fetch").scope.method, None);
}

#[test]
fn minified_chains_stay_fast() {
    let start = std::time::Instant::now();
    for source in [
        "a".to_owned() + &".b()".repeat(20_000),
        "x.get()".to_owned() + &".a()".repeat(20_000),
        "f(".repeat(3_000) + &")".repeat(3_000),
        "const s = ns.get(1);".to_owned() + &"s.go();".repeat(20_000),
    ] {
        let summary = ts(&source);
        for c in &summary.calls {
            assert!(c.callee.len() <= calls::MAX_CALLEE_SEGMENTS + 1);
        }
    }
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

// ------------------------------------------------------ websocket pairs

#[test]
fn websocket_pairs() {
    let cases: &[(&str, &[&str], bool)] = &[
        (
            "const [client, server] = Object.values(new WebSocketPair());",
            &["client", "server"],
            true,
        ),
        ("const pair = new WebSocketPair();", &["pair"], false),
        (
            "const { 1: server, 0: client } = new WebSocketPair();",
            &["client", "server"],
            true,
        ),
        (
            "let a, b; [a, b] = Object.values(new WebSocketPair() as any);",
            &["a", "b"],
            true,
        ),
        ("f(new WebSocketPair());", &[], false),
    ];
    for (source, names, destructured) in cases {
        let summary = ts(source);
        match summary.websocket_pairs.first() {
            Some(pair) => {
                assert_eq!(strs(&pair.names), *names, "{source}");
                assert_eq!(pair.destructured, *destructured, "{source}");
            }
            None => assert!(names.is_empty(), "{source}"),
        }
    }
    let summary = ts(&in_class(
        "async fetch() { await x; const pair = new WebSocketPair(); }",
    ));
    let scope = &summary.websocket_pairs[0].scope;
    assert_eq!(scope.method.as_deref(), Some("fetch"));
    assert!(scope.after_await);
}

// ---------------------------------------------------------- suppressions

#[test]
fn suppression_comments() {
    let cases: &[(&str, Option<(&[&str], bool)>)] = &[
        (
            "// dols-ignore-next-line rule-a, rule-b: because",
            Some((&["rule-a", "rule-b"], false)),
        ),
        ("//dols-ignore-file rule-a", Some((&["rule-a"], true))),
        (
            "/* dols-ignore-file rule-a rule-b */",
            Some((&["rule-a", "rule-b"], true)),
        ),
        (
            "/** dols-ignore-next-line timer-blocks-hibernation */",
            Some((&["timer-blocks-hibernation"], false)),
        ),
        (
            "// dols-ignore-next-line api-limit: over 2 KiB on purpose",
            Some((&["api-limit"], false)),
        ),
        ("// dols-ignore-next-line Not A Rule", Some((&[], false))),
        ("// dols-ignore-next-linex a", None),
        ("// see dols-ignore-file a", None),
        ("// plain comment", None),
    ];
    for (comment, expected) in cases {
        let source = format!("const a = 1;\n{comment}\nfetch(u);");
        let summary = ts(&source);
        match expected {
            None => assert!(summary.suppressions.is_empty(), "{comment}"),
            Some((rules, whole_file)) => {
                let s = &summary.suppressions[0];
                assert_eq!(s.rules, *rules, "{comment}");
                assert_eq!(s.whole_file, *whole_file, "{comment}");
                assert_eq!(&source[s.range.as_std()], *comment);
            }
        }
    }
}

// ---------------------------------------------------- fields and super()

#[test]
fn class_fields() {
    let source = in_class(
        r#"
  sessions = new Map<string, WebSocket>();
  private users: Set<string> = new Set();
  queue: string[] = [];
  state = {};
  static count = 0;
  declared: Map<string, number>;
  #secret = new Map();
  handler = () => {};
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.declared = new Map();
    this.list = [] as string[];
    this.obj = {};
    this.other = 1;
    this.later = (function () { this.notAField = []; });
  }"#,
    );
    let summary = ts(&source);
    assert_spans(&source, &summary);
    let rows: Vec<(String, bool, Option<String>)> = class(&summary, "Room")
        .fields
        .iter()
        .map(|f| {
            assert_eq!(source[f.name.range.as_std()], f.name.value);
            (f.name.value.clone(), f.is_static, f.collection.clone())
        })
        .collect();
    let row = |n: &str, s: bool, c: Option<&str>| (n.to_owned(), s, c.map(str::to_owned));
    assert_eq!(
        rows,
        [
            row("sessions", false, Some("Map")),
            row("users", false, Some("Set")),
            row("queue", false, Some("Array")),
            row("state", false, Some("Object")),
            row("count", true, None),
            row("declared", false, Some("Map")),
            row("#secret", false, Some("Map")),
            row("list", false, Some("Array")),
            row("obj", false, Some("Object")),
            row("other", false, None),
            row("later", false, None),
        ]
    );
}

#[test]
fn super_calls() {
    // (constructor body, has super, text of this_before_super)
    let cases: &[(&str, bool, Option<&str>)] = &[
        ("super(ctx, env); this.x = 1;", true, None),
        ("this.x = 1; super(ctx, env);", true, Some("this")),
        ("super(this.ctx, env);", true, Some("this")),
        ("this.x = 1;", false, Some("this")),
        (
            "const f = function () { this.x = 1 }; super(ctx, env);",
            true,
            None,
        ),
        (
            "const f = () => this.x; super(ctx, env);",
            true,
            Some("this"),
        ),
        (
            "if (a) { super(ctx, env) } else { super(ctx, env) }",
            true,
            None,
        ),
        ("", false, None),
    ];
    for (body, has_super, this_text) in cases {
        let source =
            format!("class A extends DurableObject {{ constructor(ctx, env) {{ {body} }} }}");
        let summary = ts(&source);
        let ctor = class(&summary, "A").constructor.clone().unwrap();
        assert_eq!(ctor.super_call.is_some(), *has_super, "{body}");
        if let Some(range) = ctor.super_call {
            assert!(source[range.as_std()].starts_with("super("), "{body}");
        }
        assert_eq!(
            ctor.this_before_super.map(|r| &source[r.as_std()]),
            *this_text,
            "{body}"
        );
        if let Some(range) = ctor.this_before_super {
            let offset = source.find(body).unwrap();
            let first_this = source[offset..].find("this").unwrap() + offset;
            if !body.starts_with("const f = function") {
                assert_eq!(range.start as usize, first_this, "{body}");
            }
        }
    }
}

#[test]
fn reparse_fills_the_same_facts() {
    let source = in_class("async fetch() { const s = env.NS.getByName(\"a\"); await s.go(); }\n// dols-ignore-next-line a-b");
    let shared: std::sync::Arc<str> = source.as_str().into();
    let (summary, _) = summarize_reparse(&shared, SourceLanguage::TypeScript, None);
    assert_eq!(summary, ts(&source));
    assert_eq!(callees(&summary), ["env.NS.getByName", "s.go"]);
    assert_eq!(summary.suppressions.len(), 1);
}

#[test]
fn broken_code_still_gives_calls() {
    let source = "export class A extends DurableObject {\n  async fetch() {\n    setInterval(() => {}, 1);\n    const x = ;\n    const [a, b] = Object.values(new WebSocketPair(\n";
    let summary = ts(source);
    assert!(summary.syntax_error_count > 0);
    assert!(
        callees(&summary).contains(&"setInterval".to_owned()),
        "{:?}",
        callees(&summary)
    );
}

/// Names as plain strings, to compare with literals.
fn strs(names: &[crate::names::Name]) -> Vec<&str> {
    names.iter().map(|n| &**n).collect()
}
