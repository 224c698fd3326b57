#!/usr/bin/env python3
"""Generates a synthetic monorepo of Durable Object Workers for benchmarks.

usage: generate.py OUT_DIR [--files N] [--workers W]

Each Worker gets a wrangler config (toml/json/jsonc in turn), a main module
that re-exports its classes, DO classes using storage/SQL/env, and plain
modules importing each other, so discovery, parsing, module resolution and
every rule do real work. Output is deterministic.
"""
import argparse
import json
import os

CLASS_TEMPLATE = '''import {{ DurableObject }} from "cloudflare:workers";
import {{ helper{j} }} from "../lib/util{j}";

export class {name} extends DurableObject<Env> {{
  private sessions = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {{
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {{
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, value TEXT)");
    }});
  }}

  async fetch(request: Request): Promise<Response> {{
    const url = new URL(request.url);
    const count = ((await this.ctx.storage.get<number>("count")) ?? 0) + 1;
    await this.ctx.storage.put("count", count);
    return new Response(`${{url.pathname}} ${{count}} ${{helper{j}(count)}}`);
  }}

  async increment(by: number): Promise<number> {{
    const row = this.ctx.storage.sql.exec("SELECT COUNT(*) AS n FROM items").one();
    return Number(row.n) + by;
  }}

  async alarm(): Promise<void> {{
    await this.env.CACHE_{w}.put("last-alarm", String(Date.now()));
  }}
}}
'''

UTIL_TEMPLATE = '''export function helper{j}(n: number): string {{
  const parts: string[] = [];
  for (let i = 0; i < n % 7; i++) {{
    parts.push(`part-${{i}}-{j}`);
  }}
  return parts.join(",");
}}

export const CONSTANT_{j} = {j};
'''

ROUTE_TEMPLATE = '''import {{ helper{j} }} from "../lib/util{j}";

export async function route{j}(request: Request, env: Env): Promise<Response> {{
  const stub = env.{binding}.getByName("room-{j}");
  const value = await stub.increment({j});
  const cached = await env.CACHE_{w}.get("key-{j}");
  return Response.json({{ value, cached, text: helper{j}(value) }});
}}
'''


def config_for(w, classes, fmt):
    bindings = [{"name": f"DO_{w}_{c}", "class_name": f"Room{w}x{c}"} for c in range(classes)]
    migrations = [{"tag": "v1", "new_sqlite_classes": [b["class_name"] for b in bindings]}]
    data = {
        "name": f"worker-{w}",
        "main": "src/index.ts",
        "compatibility_date": "2026-10-01",
        "durable_objects": {"bindings": bindings},
        "migrations": migrations,
        "kv_namespaces": [{"binding": f"CACHE_{w}", "id": f"{w:032x}"}],
        "env": {"staging": {"durable_objects": {"bindings": bindings}, "kv_namespaces": [{"binding": f"CACHE_{w}", "id": "0" * 32}]}},
    }
    if fmt == "toml":
        lines = [f'name = "worker-{w}"', 'main = "src/index.ts"', 'compatibility_date = "2026-10-01"', ""]
        for b in bindings:
            lines += ["[[durable_objects.bindings]]", f'name = "{b["name"]}"', f'class_name = "{b["class_name"]}"', ""]
        lines += ["[[migrations]]", 'tag = "v1"', "new_sqlite_classes = [" + ", ".join(f'"{b["class_name"]}"' for b in bindings) + "]", ""]
        lines += ["[[kv_namespaces]]", f'binding = "CACHE_{w}"', f'id = "{w:032x}"', ""]
        for b in bindings:
            lines += ["[[env.staging.durable_objects.bindings]]", f'name = "{b["name"]}"', f'class_name = "{b["class_name"]}"', ""]
        lines += ["[[env.staging.kv_namespaces]]", f'binding = "CACHE_{w}"', 'id = "' + "0" * 32 + '"', ""]
        return "wrangler.toml", "\n".join(lines)
    text = json.dumps(data, indent=2)
    if fmt == "jsonc":
        text = "// generated for benchmarks\n" + text
    return f"wrangler.{fmt}", text + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=20)
    args = parser.parse_args()
    per_worker = max(args.files // args.workers, 6)
    classes = max(per_worker // 10, 1)
    formats = ["toml", "json", "jsonc"]
    written = 0
    for w in range(args.workers):
        root = os.path.join(args.out, f"worker-{w}")
        os.makedirs(os.path.join(root, "src", "objects"), exist_ok=True)
        os.makedirs(os.path.join(root, "src", "lib"), exist_ok=True)
        os.makedirs(os.path.join(root, "src", "routes"), exist_ok=True)
        name, text = config_for(w, classes, formats[w % 3])
        open(os.path.join(root, name), "w").write(text)
        remaining = per_worker - 1 - classes
        utils = remaining // 2
        routes = remaining - utils
        for j in range(utils):
            open(os.path.join(root, "src", "lib", f"util{j}.ts"), "w").write(UTIL_TEMPLATE.format(j=j))
        for c in range(classes):
            name = f"Room{w}x{c}"
            open(os.path.join(root, "src", "objects", f"{name}.ts"), "w").write(
                CLASS_TEMPLATE.format(name=name, j=c % max(utils, 1), w=w))
        imports = []
        for j in range(routes):
            binding = f"DO_{w}_{j % classes}"
            open(os.path.join(root, "src", "routes", f"route{j}.ts"), "w").write(
                ROUTE_TEMPLATE.format(j=j % max(utils, 1), binding=binding, w=w).replace(f"route{j % max(utils, 1)}(", f"route{j}("))
            imports.append(f'import {{ route{j} }} from "./routes/route{j}";')
        index = "\n".join(imports) + "\n"
        index += "".join(f'export {{ Room{w}x{c} }} from "./objects/Room{w}x{c}";\n' for c in range(classes))
        # Stale types, as after a config change without `wrangler types`: the
        # first namespace and the KV binding are missing, so dols completes
        # them (TypeScript completes the typed ones).
        index += "\ninterface Env {\n" + "".join(f"  DO_{w}_{c}: DurableObjectNamespace;\n" for c in range(1, classes)) + "}\n"
        index += "\nexport default {\n  async fetch(request: Request, env: Env): Promise<Response> {\n"
        index += "    const n = new URL(request.url).pathname.length % " + str(max(routes, 1)) + ";\n"
        index += "".join(f"    if (n === {j}) return route{j}(request, env);\n" for j in range(routes))
        index += '    return new Response("not found", { status: 404 });\n  },\n};\n'
        open(os.path.join(root, "src", "index.ts"), "w").write(index)
        written += 2 + classes + utils + routes
    print(f"wrote {written} files in {args.workers} Workers to {args.out}")


if __name__ == "__main__":
    main()
