import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { describeLocation, escapeHtml, mermaidText, summary, Topology, toHtml, toMarkdown, toMermaid } from '../src/topology';

// The server's own answer for a two-Worker workspace, pinned by its
// protocol test (tests/lsp_topology.rs): the extension must read that
// shape, not one of its own making.
function serverSnapshot(): Topology {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'tests', 'snapshots'))) {
    const up = path.dirname(dir);
    assert.notEqual(up, dir, 'tests/snapshots not found above ' + __dirname);
    dir = up;
  }
  const text = fs.readFileSync(path.join(dir, 'tests', 'snapshots', 'lsp_topology__two_workers.snap'), 'utf8');
  const json = text.slice(text.indexOf('{'));
  return JSON.parse(json.replace(/\$ROOT/g, '/w')) as Topology;
}

const describe = (uri: string) => uri.replace('file:///w/', '');

const loc = (uri: string, line: number) => ({
  uri,
  range: { start: { line, character: 0 }, end: { line, character: 1 } },
});

const SMALL: Topology = {
  workers: [
    {
      name: 'chat "demo"',
      config: 'file:///w/wrangler.toml',
      main: 'file:///w/src/index.ts',
      envs: ['production'],
      testHarness: false,
      bindings: [
        { name: 'ROOM', className: 'Room', scriptName: null, env: null, location: loc('file:///w/wrangler.toml', 3), host: 'file:///w/wrangler.toml', classLocation: loc('file:///w/src/room.ts', 2), backend: 'sqlite' },
        { name: 'ROOM', className: 'Room', scriptName: null, env: 'production', location: loc('file:///w/wrangler.toml', 9), host: 'file:///w/wrangler.toml', classLocation: loc('file:///w/src/room.ts', 2), backend: 'sqlite' },
      ],
      classes: [{ name: 'Room', location: loc('file:///w/src/room.ts', 2), kind: 'native', base: null, exported: true, backend: 'sqlite' }],
      migrations: [
        { tag: 'v1', env: null, location: loc('file:///w/wrangler.toml', 5), declarative: false, steps: [{ op: 'new_sqlite_classes', class: 'Room', from: null, fromScript: null, backend: 'sqlite', state: null, fails: false }] },
      ],
    },
  ],
};

test('a small topology as Mermaid, exactly', () => {
  assert.equal(
    toMermaid(SMALL, describe),
    [
      'flowchart LR',
      '  subgraph s0["Worker chat #34;demo#34;"]',
      '    w0[["chat #34;demo#34;<br/>wrangler.toml"]]',
      '    w0b0(["env.ROOM<br/>top level, env production"])',
      '    c0["Room<br/>sqlite, exported"]',
      '    w0m0{{"migration v1"}}',
      '  end',
      '  w0 --> w0b0',
      '  w0b0 -- "sqlite" --> c0',
      '  c0 -- "new_sqlite_classes" --> w0m0',
    ].join('\n'),
  );
});

test("the server's answer: cross-Worker bindings, unknown hosts, failing steps", () => {
  const topology = serverSnapshot();
  const mermaid = toMermaid(topology, describe);
  const lines = mermaid.split('\n');
  assert.equal(lines[0], 'flowchart LR');
  assert.equal(lines.filter((l) => l.trimStart().startsWith('subgraph ')).length, 2);
  // Node ids are unique.
  const ids = lines
    .map((l) => /^\s+(?:subgraph )?(\w+)[[({]/.exec(l)?.[1])
    .filter((id): id is string => id !== undefined);
  assert.equal(new Set(ids).size, ids.length, ids.join(' '));
  // AUDIT in `api` points at AuditLog, a node inside the `audit` subgraph.
  const auditLog = lines.find((l) => l.includes('"AuditLog<br/>'))!;
  const auditLogId = /^\s+(\w+)\[/.exec(auditLog)![1];
  const auditSubgraph = lines.findIndex((l) => l.includes('subgraph s1'));
  assert.ok(lines.indexOf(auditLog) > auditSubgraph, 'AuditLog is drawn in the audit Worker');
  const auditBinding = lines.find((l) => l.includes('env.AUDIT'))!;
  const auditBindingId = /^\s+(\w+)\(/.exec(auditBinding)![1];
  assert.ok(lines.includes(`  ${auditBindingId} -- "sqlite" --> ${auditLogId}`), mermaid);
  // ELSEWHERE's Worker is not in the workspace: a node outside the subgraphs.
  assert.ok(lines.some((l) => l.includes('"Thing<br/>Worker not-here, not in this workspace"]')), mermaid);
  // ROOM is declared at the top level and in staging: one node.
  assert.equal(lines.filter((l) => l.includes('env.ROOM')).length, 1);
  assert.ok(lines.some((l) => l.includes('env.ROOM<br/>top level, env staging')));
  // Deleting Ghost fails: the edge says so and is drawn red.
  const ghostEdge = lines.findIndex((l) => l.includes('"deleted_classes (fails)"'));
  assert.ok(ghostEdge > 0, mermaid);
  const edges = lines.filter((l) => l.includes('-->'));
  const style = lines[lines.length - 1];
  assert.equal(style, `  linkStyle ${edges.indexOf(lines[ghostEdge])} stroke:#d33,color:#d33`);
  // Classes only the migrations know.
  assert.ok(lines.some((l) => l.includes('"Ghost<br/>not in the sources"')));
  assert.ok(lines.some((l) => l.includes('"Counter<br/>not in the sources"')));
  // A rename links the old and the new name to the migration.
  assert.equal(lines.filter((l) => l.includes('renamed_classes')).length, 2);
  // Declarative exports.
  assert.ok(lines.some((l) => l.includes('{{"exports"}}')));
  assert.ok(mermaid.includes('"exports (deleted)"'), mermaid);
});

test('the Markdown document: summary, Mermaid block and tables without file links', () => {
  const topology = serverSnapshot();
  const markdown = toMarkdown(topology, describe);
  assert.ok(markdown.startsWith('# Durable Objects topology\n\n2 Workers · 4 bindings · 5 classes · 4 migrations\n'), markdown);
  assert.equal(summary(SMALL), '1 Worker · 2 bindings · 1 class · 1 migration');
  assert.ok(markdown.includes('```mermaid\nflowchart LR\n'));
  assert.ok(markdown.includes('## Worker `api`'));
  assert.ok(markdown.includes('| env.AUDIT | top level | AuditLog | audit | sqlite |'), markdown);
  assert.ok(markdown.includes('| env.ELSEWHERE | top level | Thing | not-here (not in the workspace) | — |'), markdown);
  assert.ok(markdown.includes('new_classes `Counter`; deleted_classes `Ghost` ✗ fails |'), markdown);
  assert.ok(markdown.includes('| renamed_classes `Counter` → `Tally` |'), markdown);
  assert.ok(markdown.includes('| `AuditLog` (sqlite); `OldLog` deleted |'), markdown);
  assert.ok(markdown.includes('| Special | derived (Base) | yes | — |'), markdown);
  // VS Code's Markdown preview shows `[text](file:///…)` as it is: none here.
  assert.ok(!markdown.includes('](file:'), markdown);
});

/** Each `<a data-target="N" title="…">text</a>` of a page, in order. */
function links(html: string): { target: number; title: string; text: string }[] {
  return [...html.matchAll(/<a href="#" data-target="(\d+)" title="([^"]*)">(.*?)<\/a>/g)].map((m) => ({
    target: Number(m[1]),
    title: m[2],
    text: m[3],
  }));
}

test('the webview page: every link leads to its place, nothing shows as raw Markdown', () => {
  const topology = serverSnapshot();
  const { html, targets } = toHtml(topology, describe, 'n0nce');
  const found = links(html);
  // One link per target, numbered in order.
  assert.deepEqual(found.map((l) => l.target), targets.map((_, i) => i));
  // Each title says where its target is.
  for (const link of found) assert.equal(link.title, describeLocation(targets[link.target], describe));
  const byText = (text: string) => found.filter((l) => l.text === text).map((l) => targets[l.target]);
  // env.AUDIT leads to its binding in api's config, AuditLog to the class in audit.
  const [audit] = byText('env.AUDIT');
  assert.equal(audit.uri, 'file:///w/api/wrangler.jsonc');
  assert.equal(audit.range.start.line, 7);
  assert.ok(byText('AuditLog').some((l) => l.uri === 'file:///w/audit/src/index.ts' && l.range.start.line === 1));
  // The config and main of each Worker, at their first line.
  assert.ok(byText('api/wrangler.jsonc').some((l) => l.range.start.line === 0));
  // A class the workspace does not have is text, not a link.
  assert.ok(html.includes('<td>Thing</td>'), html);
  // Inline code becomes <code>, and no Markdown syntax is left in the text.
  assert.ok(html.includes('<h2>Worker <code>api</code></h2>'), html);
  assert.ok(html.includes('new_classes <code>Counter</code>; deleted_classes <code>Ghost</code> ✗ fails'), html);
  const text = html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<pre>[\s\S]*?<\/pre>/g, '').replace(/<[^>]+>/g, '');
  assert.ok(!/\]\(|`|\|/.test(text), text);
  // Only the page's own style and script run.
  assert.match(html, /content="default-src 'none'; style-src 'nonce-n0nce'; script-src 'nonce-n0nce';"/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.ok(html.includes('<script nonce="n0nce">'));
  // The Mermaid source, escaped, and the way to the Markdown document.
  assert.ok(html.includes('<pre>flowchart LR\n'), html);
  assert.ok(html.includes('data-action="markdown"'));
});

test('the webview page escapes what the workspace names', () => {
  const { html } = toHtml(SMALL, describe, 'n');
  assert.ok(html.includes('<h2>Worker <code>chat &#34;demo&#34;</code></h2>'), html);
  const evil: Topology = JSON.parse(JSON.stringify(SMALL));
  evil.workers[0].name = '<img src=x onerror=alert(1)>';
  evil.workers[0].classes[0].name = 'A<b>';
  const page = toHtml(evil, describe, 'n').html;
  assert.ok(!page.includes('<img'), page);
  assert.ok(page.includes('A&#60;b&#62;'), page);
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
});

test('no Worker: the document and the page say where dols looks', () => {
  assert.match(toMarkdown({ workers: [] }, describe), /No Worker found/);
  const page = toHtml({ workers: [] }, describe, 'n');
  assert.match(page.html, /No Worker found/);
  assert.deepEqual(page.targets, []);
});

test('Mermaid labels are escaped', () => {
  assert.equal(mermaidText('a "b" <c> & #d'), 'a #34;b#34; #60;c#62; #38; #35;d');
});
