import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { parseShowLocationsArgs } from '../src/locations';

// The arguments of the server's code lenses, as its protocol test pins them
// (tests/lsp_features.rs, `code_lenses_above_a_durable_object_class`, runs
// the server; this checks the shape the extension reads against the LSP
// types the server builds them from).
const location = (uri: string, line: number) => ({
  uri,
  range: { start: { line, character: 4 }, end: { line, character: 9 } },
});

test('a code lens\'s arguments: uri, position, locations', () => {
  const args = ['file:///w/chat/src/index.ts', { line: 2, character: 0 }, [location('file:///w/api/wrangler.toml', 5)]];
  assert.deepEqual(parseShowLocationsArgs(args), {
    uri: 'file:///w/chat/src/index.ts',
    position: { line: 2, character: 0 },
    locations: [location('file:///w/api/wrangler.toml', 5)],
  });
  // No places is allowed (the extension says so).
  const none = parseShowLocationsArgs(['file:///w/a.ts', { line: 0, character: 0 }, []]);
  assert.ok(typeof none !== 'string' && none.locations.length === 0);
});

test('wrong shapes are named, not passed on', () => {
  const pos = { line: 0, character: 0 };
  assert.match(parseShowLocationsArgs([]) as string, /expected 3 arguments/);
  assert.match(parseShowLocationsArgs([1, pos, []]) as string, /URI/);
  assert.match(parseShowLocationsArgs(['file:///a', { line: -1, character: 0 }, []]) as string, /position/);
  assert.match(parseShowLocationsArgs(['file:///a', { line: 1.5, character: 0 }, []]) as string, /position/);
  assert.match(parseShowLocationsArgs(['file:///a', pos, {}]) as string, /list of locations/);
  assert.match(parseShowLocationsArgs(['file:///a', pos, [location('file:///b', 1), { uri: 'file:///c' }]]) as string, /location 1/);
});

test('the server names the command the extension registers', () => {
  // The server's constant and the extension's registration must agree.
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'server', 'src', 'lsp'))) dir = path.dirname(dir);
  const server = fs.readFileSync(path.join(dir, 'server', 'src', 'lsp', 'backend.rs'), 'utf8');
  const extension = fs.readFileSync(path.join(dir, 'editors', 'vscode', 'src', 'extension.ts'), 'utf8');
  for (const command of ['dols.showLocations', 'dols.showTopology']) {
    assert.ok(server.includes(`"${command}"`), `the server's code lenses name ${command}`);
    assert.ok(extension.includes(`registerCommand('${command}'`), command);
  }
});
