import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { mermaidText, summary, Topology, toMarkdown, toMermaid } from '../src/topology';

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

test('the Markdown document: summary, Mermaid block and linked tables', () => {
  const topology = serverSnapshot();
  const markdown = toMarkdown(topology, describe);
  assert.ok(markdown.startsWith('# Durable Objects topology\n\n2 Workers · 4 bindings · 5 classes · 4 migrations\n'), markdown);
  assert.equal(summary(SMALL), '1 Worker · 2 bindings · 1 class · 1 migration');
  assert.ok(markdown.includes('```mermaid\nflowchart LR\n'));
  assert.ok(markdown.includes('## Worker `api`'));
  assert.ok(markdown.includes('| [env.AUDIT](file:///w/api/wrangler.jsonc#L8) | top level | [AuditLog](file:///w/audit/src/index.ts#L2) | audit | sqlite |'), markdown);
  assert.ok(markdown.includes('| [env.ELSEWHERE](file:///w/api/wrangler.jsonc#L9) | top level | Thing | not-here (not in the workspace) | — |'), markdown);
  assert.ok(markdown.includes('new_classes `Counter`; deleted_classes `Ghost` ✗ fails |'), markdown);
  assert.ok(markdown.includes('| renamed_classes `Counter` → `Tally` |'), markdown);
  assert.ok(markdown.includes('| `AuditLog` (sqlite); `OldLog` deleted |'), markdown);
  assert.ok(markdown.includes('| [Special](file:///w/audit/src/index.ts#L4) | derived (Base) | yes | — |'), markdown);
});

test('no Worker: the document says where dols looks', () => {
  assert.match(toMarkdown({ workers: [] }, describe), /No Worker found/);
});

test('Mermaid labels are escaped', () => {
  assert.equal(mermaidText('a "b" <c> & #d'), 'a #34;b#34; #60;c#62; #38; #35;d');
});
