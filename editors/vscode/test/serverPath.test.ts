import { strict as assert } from 'assert';
import { test } from 'node:test';
import { bundledPath, resolveServer, ServerLookup } from '../src/serverPath';

function lookup(executables: string[], over: Partial<ServerLookup> = {}): ServerLookup {
  return {
    extensionPath: '/ext',
    platform: 'linux',
    arch: 'x64',
    envPath: '/usr/local/bin:/home/me/.cargo/bin',
    home: '/home/me',
    workspaceFolder: '/work/app',
    isExecutable: (file) => executables.includes(file),
    ...over,
  };
}

test('the setting wins over the bundled binary and PATH', () => {
  const all = ['/opt/dols', '/ext/server/linux-x64/dols', '/usr/local/bin/dols'];
  assert.deepEqual(resolveServer(lookup(all, { configured: '/opt/dols' })), {
    ok: true,
    path: '/opt/dols',
    source: 'setting',
  });
});

test('then the binary bundled for the platform', () => {
  const all = ['/ext/server/linux-x64/dols', '/usr/local/bin/dols'];
  const found = resolveServer(lookup(all, { configured: '' }));
  assert.deepEqual(found, { ok: true, path: '/ext/server/linux-x64/dols', source: 'bundled' });
  assert.equal(bundledPath(lookup([], { platform: 'darwin', arch: 'arm64' })), '/ext/server/darwin-arm64/dols');
});

test('then dols on PATH, in PATH order', () => {
  const found = resolveServer(lookup(['/home/me/.cargo/bin/dols', '/usr/local/bin/dols']));
  assert.deepEqual(found, { ok: true, path: '/usr/local/bin/dols', source: 'path' });
});

test('nothing found: the message says how to install, and what was tried', () => {
  const found = resolveServer(lookup([]));
  assert.equal(found.ok, false);
  if (found.ok) return;
  assert.match(found.message, /scripts\/release\.sh/);
  assert.match(found.message, /cargo install --locked --path server/);
  assert.doesNotMatch(found.message, /npm install -g dols|npx/);
  assert.match(found.message, /dols\.server\.path/);
  assert.deepEqual(found.tried, ['/ext/server/linux-x64/dols', '/usr/local/bin/dols', '/home/me/.cargo/bin/dols']);
});

test('a setting that points nowhere is an error, not a fallback', () => {
  const found = resolveServer(lookup(['/usr/local/bin/dols'], { configured: '/nope/dols' }));
  assert.equal(found.ok, false);
  if (!found.ok) assert.match(found.message, /\/nope\/dols/);
});

test('~, ${userHome}, ${workspaceFolder} and relative settings are expanded', () => {
  const cases: [string, string][] = [
    ['~/bin/dols', '/home/me/bin/dols'],
    ['${userHome}/bin/dols', '/home/me/bin/dols'],
    ['${workspaceFolder}/target/release/dols', '/work/app/target/release/dols'],
    ['target/release/dols', '/work/app/target/release/dols'],
    ['  /opt/dols  ', '/opt/dols'],
  ];
  for (const [configured, expected] of cases) {
    const found = resolveServer(lookup([expected], { configured }));
    assert.deepEqual(found, { ok: true, path: expected, source: 'setting' }, configured);
  }
});

test('Windows: dols.exe bundled, PATHEXT on PATH', () => {
  const bundled = 'C:\\ext\\server\\win32-x64\\dols.exe';
  const win = (executables: string[]) =>
    lookup(executables, {
      platform: 'win32',
      extensionPath: 'C:\\ext',
      envPath: 'C:\\tools;C:\\npm',
      pathExt: '.COM;.EXE;.CMD',
      workspaceFolder: 'C:\\work',
      home: 'C:\\Users\\me',
    });
  assert.deepEqual(resolveServer(win([bundled])), { ok: true, path: bundled, source: 'bundled' });
  assert.deepEqual(resolveServer(win(['C:\\npm\\dols.cmd'])), { ok: true, path: 'C:\\npm\\dols.cmd', source: 'path' });
});
