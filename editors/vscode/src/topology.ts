// The answer of the server's `dols/topology` request, and its renderings:
// an HTML page for a webview (tables per Worker whose links the extension
// opens, the Mermaid source folded away) and a Markdown document (the same
// tables as text, and the Mermaid flowchart Workers → bindings → classes →
// migrations, drawn by a Mermaid-aware Markdown preview). Both come from one
// table model. Pure, so it is unit-tested without VS Code; nothing here loads
// anything from the network.
//
// Why not links in the Markdown: VS Code's Markdown preview (markdown-it)
// refuses `file:` link targets and shows `[text](file:///…)` as plain text,
// and relative targets cannot resolve from a virtual document.

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

/** One step for a table cell (inline code in backticks). */
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

// ------------------------------------------------------------ table model

/** Text with `inline code` in backticks, optionally leading to a place. */
export interface Cell {
  text: string;
  target?: Location;
}
export interface Table {
  head: string[];
  rows: Cell[][];
}
export interface WorkerSection {
  /** Heading text, inline code in backticks. */
  title: string;
  /** "Config …", "main …", "environments …": a label and its value. */
  facts: { label: string; value: Cell[] }[];
  tables: Table[];
}

const NO_WORKER = 'No Worker found: dols looks for `wrangler.toml`, `wrangler.json` and `wrangler.jsonc` in the workspace.';

function at(uri: string): Location {
  return { uri, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

function linked(text: string, location: Location | null): Cell {
  return location ? { text, target: location } : { text };
}

/** What both renderings show for each Worker, in order. */
export function workerSections(topology: Topology, describe: Describe): WorkerSection[] {
  const configs = new Map(topology.workers.map((w) => [w.config, workerTitle(w, describe)]));
  return topology.workers.map((worker) => {
    const tables: Table[] = [];
    if (worker.bindings.length > 0) {
      tables.push({
        head: ['binding', 'environment', 'class', 'runs in', 'backend'],
        rows: worker.bindings.map((b) => {
          const host = b.host === null ? `${b.scriptName ?? '?'} (not in the workspace)` : configs.get(b.host) ?? describe(b.host);
          return [
            linked(`env.${b.name}`, b.location),
            { text: envLabel(b.env) },
            linked(b.className, b.classLocation),
            b.host === null ? { text: host } : linked(host, at(b.host)),
            { text: b.backend ?? '—' },
          ];
        }),
      });
    }
    if (worker.classes.length > 0) {
      tables.push({
        head: ['class', 'kind', 'exported by main', 'backend'],
        rows: worker.classes.map((c) => [
          linked(c.name, c.location),
          { text: c.base ? `${c.kind} (${c.base})` : c.kind },
          { text: c.exported ? 'yes' : 'no' },
          { text: c.backend ?? '—' },
        ]),
      });
    }
    if (worker.migrations.length > 0) {
      tables.push({
        head: ['migration', 'environment', 'steps'],
        rows: worker.migrations.map((m) => [
          linked(m.declarative ? 'exports' : m.tag ?? '(untagged)', m.location),
          { text: envLabel(m.env) },
          { text: m.steps.map(stepText).join('; ') || '—' },
        ]),
      });
    }
    return {
      title: `Worker \`${workerTitle(worker, describe)}\`${worker.testHarness ? ' (test harness)' : ''}`,
      facts: [
        { label: 'Config', value: [linked(describe(worker.config), at(worker.config))] },
        { label: 'main', value: [worker.main ? linked(describe(worker.main), at(worker.main)) : { text: 'not in the workspace' }] },
        { label: 'environments', value: worker.envs.length > 0 ? worker.envs.map((e) => ({ text: `\`${e}\`` })) : [{ text: 'none' }] },
      ],
      tables,
    };
  });
}

// ------------------------------------------------------------- Markdown

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The whole document: title, Mermaid flowchart, one section per Worker (no links, see the top). */
export function toMarkdown(topology: Topology, describe: Describe): string {
  const out: string[] = ['# Durable Objects topology', '', summary(topology), ''];
  if (topology.workers.length === 0) {
    out.push(NO_WORKER);
    return out.join('\n') + '\n';
  }
  out.push('```mermaid', toMermaid(topology, describe), '```', '');
  for (const section of workerSections(topology, describe)) {
    out.push(`## ${section.title}`, '');
    out.push(section.facts.map((f) => `${f.label} ${f.value.map((c) => c.text).join(', ')}`).join(' · '), '');
    for (const table of section.tables) {
      out.push(`| ${table.head.join(' | ')} |`, `|${table.head.map(() => '---|').join('')}`);
      for (const row of table.rows) out.push(`| ${row.map((c) => mdCell(c.text)).join(' | ')} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

// ----------------------------------------------------------------- HTML

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escapes `text` and turns its backtick spans into <code>. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]*)`/g, '<code>$1</code>');
}

/** Shows a location as `path:line` (1-based), e.g. for a link's tooltip. */
export function describeLocation(location: Location, describe: Describe): string {
  return `${describe(location.uri)}:${location.range.start.line + 1}`;
}

export interface TopologyPage {
  html: string;
  /** What `data-target="N"` leads to. */
  targets: Location[];
}

/**
 * The webview page. Links carry `data-target` (an index into `targets`);
 * the page's script posts `{type: "open", target}` on a click and
 * `{type: "markdown"}` for the Markdown button; the extension opens them.
 * `nonce` allows the page's one style and one script, nothing else.
 */
export function toHtml(topology: Topology, describe: Describe, nonce: string): TopologyPage {
  const targets: Location[] = [];
  const cellHtml = (cell: Cell): string => {
    if (!cell.target) return inline(cell.text);
    targets.push(cell.target);
    const where = escapeHtml(describeLocation(cell.target, describe));
    return `<a href="#" data-target="${targets.length - 1}" title="${where}">${inline(cell.text)}</a>`;
  };
  const body: string[] = ['<h1>Durable Objects topology</h1>', `<p class="summary">${escapeHtml(summary(topology))}</p>`];
  if (topology.workers.length === 0) {
    body.push(`<p>${inline(NO_WORKER)}</p>`);
  }
  for (const section of workerSections(topology, describe)) {
    body.push(`<h2>${inline(section.title)}</h2>`);
    body.push(`<p class="facts">${section.facts.map((f) => `${escapeHtml(f.label)} ${f.value.map(cellHtml).join(', ')}`).join(' · ')}</p>`);
    for (const table of section.tables) {
      body.push('<table>', `<thead><tr>${table.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`, '<tbody>');
      for (const row of table.rows) body.push(`<tr>${row.map((c) => `<td>${cellHtml(c)}</td>`).join('')}</tr>`);
      body.push('</tbody>', '</table>');
    }
  }
  if (topology.workers.length > 0) {
    body.push(
      '<details>',
      '<summary>Mermaid source of the diagram</summary>',
      `<pre>${escapeHtml(toMermaid(topology, describe))}</pre>`,
      '</details>',
      '<p><a href="#" data-action="markdown">Open as Markdown</a>: the same tables and the diagram, drawn by a Mermaid-aware Markdown preview.</p>',
    );
  }
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Durable Objects topology</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 1.2em 1.2em; }
code, pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover, a:focus { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
table { border-collapse: collapse; margin: 0.6em 0 1em; }
th, td { border: 1px solid var(--vscode-panel-border, rgba(128, 128, 128, 0.35)); padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
th { font-weight: 600; }
.summary, .facts { color: var(--vscode-descriptionForeground); }
pre { padding: 0.6em; background: var(--vscode-textCodeBlock-background); overflow-x: auto; }
</style>
</head>
<body>
${body.join('\n')}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-target], a[data-action]') : null;
  if (!link) return;
  event.preventDefault();
  if (link.dataset.target !== undefined) vscode.postMessage({ type: 'open', target: Number(link.dataset.target) });
  else vscode.postMessage({ type: link.dataset.action });
});
</script>
</body>
</html>
`;
  return { html, targets };
}
