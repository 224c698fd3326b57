// The answer of the server's `dols/topology` request, and its rendering as
// a Markdown document: a Mermaid flowchart (Workers → bindings → classes →
// migrations) and one table per Worker. Pure, so it is unit-tested without
// VS Code; nothing here loads anything from the network (the Mermaid source
// renders wherever a Mermaid-aware Markdown preview is installed, and reads
// as text elsewhere).

export interface Position {
  line: number;
  character: number;
}
export interface Location {
  uri: string;
  range: { start: Position; end: Position };
}
export type StorageBackend = 'sqlite' | 'kv' | null;

export interface Binding {
  name: string;
  className: string;
  scriptName: string | null;
  env: string | null;
  location: Location;
  /** Config URI of the Worker that runs the class; null when unknown. */
  host: string | null;
  classLocation: Location | null;
  backend: StorageBackend;
}
export interface DoClass {
  name: string;
  location: Location;
  kind: 'native' | 'derived' | 'library' | 'legacy';
  base: string | null;
  exported: boolean;
  backend: StorageBackend;
}
export interface Step {
  op: string;
  class: string;
  from: string | null;
  fromScript: string | null;
  backend: StorageBackend;
  state: string | null;
  fails: boolean;
}
export interface Migration {
  tag: string | null;
  env: string | null;
  location: Location;
  declarative: boolean;
  steps: Step[];
}
export interface Worker {
  name: string | null;
  config: string;
  main: string | null;
  envs: string[];
  testHarness: boolean;
  bindings: Binding[];
  classes: DoClass[];
  migrations: Migration[];
}
export interface Topology {
  workers: Worker[];
}

/** Shows a URI to the reader, e.g. relative to the workspace folder. */
export type Describe = (uri: string) => string;

/** Escapes text for a quoted Mermaid label. */
export function mermaidText(text: string): string {
  return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}

function workerTitle(worker: Worker, describe: Describe): string {
  return worker.name ?? describe(worker.config);
}

function envLabel(env: string | null): string {
  return env === null ? 'top level' : `env ${env}`;
}

function stepLabel(step: Step): string {
  switch (step.op) {
    case 'renamed_classes':
      return `renamed_classes from ${step.from ?? '?'}`;
    case 'transferred_classes':
      return `transferred_classes from ${step.fromScript ?? '?'}/${step.from ?? '?'}`;
    case 'exports':
      return `exports${step.state ? ` (${step.state})` : ''}${step.backend ? ` ${step.backend}` : ''}`;
    default:
      return step.op;
  }
}

/** The Mermaid flowchart of `topology`. Stable for equal input. */
export function toMermaid(topology: Topology, describe: Describe): string {
  const lines: string[] = ['flowchart LR'];
  const edges: string[] = [];
  const failing: number[] = [];
  // Class nodes are keyed by the config of the Worker that runs them.
  const classIds = new Map<string, string>();
  const declared = new Set<string>();
  const pending: { key: string; line: string }[] = [];
  const classKey = (host: string | null, name: string, script: string | null) =>
    host === null ? `?${script ?? ''}/${name}` : `${host}#${name}`;
  let next = 0;
  const classId = (key: string) => {
    let id = classIds.get(key);
    if (id === undefined) {
      id = `c${next++}`;
      classIds.set(key, id);
    }
    return id;
  };
  const edge = (from: string, to: string, label?: string, fails = false) => {
    if (fails) failing.push(edges.length);
    edges.push(label ? `  ${from} -- "${mermaidText(label)}" --> ${to}` : `  ${from} --> ${to}`);
  };

  topology.workers.forEach((worker, w) => {
    const title = workerTitle(worker, describe);
    const suffix = worker.testHarness ? ' (test harness)' : '';
    lines.push(`  subgraph s${w}["${mermaidText(`Worker ${title}${suffix}`)}"]`);
    lines.push(`    w${w}[["${mermaidText(title)}<br/>${mermaidText(describe(worker.config))}"]]`);
    // One node per binding name and target, listing the environments.
    const bindingIds = new Map<string, { id: string; envs: string[]; binding: Binding }>();
    for (const binding of worker.bindings) {
      const key = `${binding.name}\u0000${binding.className}\u0000${binding.scriptName ?? ''}`;
      let entry = bindingIds.get(key);
      if (!entry) {
        entry = { id: `w${w}b${bindingIds.size}`, envs: [], binding };
        bindingIds.set(key, entry);
      }
      entry.envs.push(envLabel(binding.env));
    }
    for (const { id, envs, binding } of bindingIds.values()) {
      lines.push(`    ${id}(["${mermaidText(`env.${binding.name}`)}<br/>${mermaidText(envs.join(', '))}"])`);
      edge(`w${w}`, id);
      const key = classKey(binding.host, binding.className, binding.scriptName);
      const target = classId(key);
      if (binding.host === null) {
        const where = binding.scriptName ? `Worker ${binding.scriptName}, not in this workspace` : 'unknown Worker';
        pending.push({ key, line: `  ${target}["${mermaidText(binding.className)}<br/>${mermaidText(where)}"]` });
      }
      edge(id, target, binding.backend ?? undefined);
    }
    // The Worker's own classes, then names only its migrations know.
    const own = (name: string) => classKey(worker.config, name, null);
    for (const cls of worker.classes) {
      const key = own(cls.name);
      if (declared.has(key)) continue;
      declared.add(key);
      const notes = [cls.backend ?? 'no backend', cls.exported ? 'exported' : 'not exported by main'];
      lines.push(`    ${classId(key)}["${mermaidText(cls.name)}<br/>${mermaidText(notes.join(', '))}"]`);
    }
    const mentioned = new Set<string>();
    for (const binding of worker.bindings) {
      if (binding.host === worker.config) mentioned.add(binding.className);
    }
    for (const migration of worker.migrations) {
      for (const step of migration.steps) {
        mentioned.add(step.class);
        if (step.op === 'renamed_classes' && step.from) mentioned.add(step.from);
      }
    }
    for (const name of [...mentioned].sort()) {
      const key = own(name);
      if (declared.has(key)) continue;
      declared.add(key);
      lines.push(`    ${classId(key)}["${mermaidText(name)}<br/>not in the sources"]`);
    }
    worker.migrations.forEach((migration, m) => {
      const id = `w${w}m${m}`;
      const name = migration.declarative ? 'exports' : `migration ${migration.tag ?? '(untagged)'}`;
      const where = migration.env === null ? '' : `<br/>${mermaidText(envLabel(migration.env))}`;
      lines.push(`    ${id}{{"${mermaidText(name)}${where}"}}`);
      for (const step of migration.steps) {
        edge(classId(own(step.class)), id, stepLabel(step) + (step.fails ? ' (fails)' : ''), step.fails);
        if (step.op === 'renamed_classes' && step.from) {
          edge(classId(own(step.from)), id, `renamed_classes to ${step.class}`, step.fails);
        }
      }
    });
    lines.push('  end');
  });
  for (const { key, line } of pending) {
    if (declared.has(key)) continue;
    declared.add(key);
    lines.push(line);
  }
  lines.push(...edges);
  if (failing.length > 0) {
    lines.push(`  linkStyle ${failing.join(',')} stroke:#d33,color:#d33`);
  }
  return lines.join('\n');
}

/** One step for a table cell. */
function stepText(step: Step): string {
  const name = (n: string | null) => `\`${n ?? '?'}\``;
  let text: string;
  switch (step.op) {
    case 'renamed_classes':
      text = `renamed_classes ${name(step.from)} → ${name(step.class)}`;
      break;
    case 'transferred_classes':
      text = `transferred_classes ${name(`${step.fromScript ?? '?'}/${step.from ?? '?'}`)} → ${name(step.class)}`;
      break;
    case 'exports':
      text = `${name(step.class)}${step.state ? ` ${step.state}` : ''}${step.backend ? ` (${step.backend})` : ''}`;
      break;
    default:
      text = `${step.op} ${name(step.class)}`;
  }
  return step.fails ? `${text} ✗ fails` : text;
}

function link(text: string, location: Location | null): string {
  if (!location) return text;
  return `[${text}](${location.uri}#L${location.range.start.line + 1})`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summary(topology: Topology): string {
  const count = (f: (w: Worker) => number) => topology.workers.reduce((n, w) => n + f(w), 0);
  return [
    plural(topology.workers.length, 'Worker'),
    plural(count((w) => w.bindings.length), 'binding'),
    plural(count((w) => w.classes.length), 'class', 'classes'),
    plural(count((w) => w.migrations.length), 'migration'),
  ].join(' · ');
}

/** The whole document: title, Mermaid flowchart, one section per Worker. */
export function toMarkdown(topology: Topology, describe: Describe): string {
  const out: string[] = ['# Durable Objects topology', '', summary(topology), ''];
  if (topology.workers.length === 0) {
    out.push('No Worker found: dols looks for `wrangler.toml`, `wrangler.json` and `wrangler.jsonc` in the workspace.');
    return out.join('\n') + '\n';
  }
  out.push('```mermaid', toMermaid(topology, describe), '```', '');
  const configs = new Map(topology.workers.map((w) => [w.config, workerTitle(w, describe)]));
  for (const worker of topology.workers) {
    const configLocation: Location = { uri: worker.config, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    out.push(`## Worker \`${workerTitle(worker, describe)}\`${worker.testHarness ? ' (test harness)' : ''}`, '');
    const main = worker.main
      ? link(describe(worker.main), { uri: worker.main, range: configLocation.range })
      : 'not in the workspace';
    const envs = worker.envs.length > 0 ? worker.envs.map((e) => `\`${e}\``).join(', ') : 'none';
    out.push(`Config ${link(describe(worker.config), configLocation)} · main ${main} · environments ${envs}`, '');
    if (worker.bindings.length > 0) {
      out.push('| binding | environment | class | runs in | backend |', '|---|---|---|---|---|');
      for (const b of worker.bindings) {
        const host = b.host === null ? `${b.scriptName ?? '?'} (not in the workspace)` : configs.get(b.host) ?? describe(b.host);
        out.push(
          `| ${link(cell(`env.${b.name}`), b.location)} | ${envLabel(b.env)} | ${link(cell(b.className), b.classLocation)} | ${cell(host)} | ${b.backend ?? '—'} |`,
        );
      }
      out.push('');
    }
    if (worker.classes.length > 0) {
      out.push('| class | kind | exported by main | backend |', '|---|---|---|---|');
      for (const c of worker.classes) {
        const kind = c.base ? `${c.kind} (${c.base})` : c.kind;
        out.push(`| ${link(cell(c.name), c.location)} | ${cell(kind)} | ${c.exported ? 'yes' : 'no'} | ${c.backend ?? '—'} |`);
      }
      out.push('');
    }
    if (worker.migrations.length > 0) {
      out.push('| migration | environment | steps |', '|---|---|---|');
      for (const m of worker.migrations) {
        const name = m.declarative ? 'exports' : m.tag ?? '(untagged)';
        const steps = m.steps.map(stepText).join('; ');
        out.push(`| ${link(cell(name), m.location)} | ${envLabel(m.env)} | ${cell(steps) || '—'} |`);
      }
      out.push('');
    }
  }
  return out.join('\n');
}
