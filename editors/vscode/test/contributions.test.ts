// What package.json contributes, checked against the files the build
// produces (`npm test` runs scripts/schemas.mjs first, as `npm run compile`
// does before packaging) and against what vsce would put in the .vsix.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '..', '..');
const vendored = path.resolve(root, '..', '..', 'server', 'third_party', 'wrangler');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

interface JsonValidation {
  fileMatch: string | string[];
  url: string;
}

function schemaFor(fileName: string): JsonValidation {
  const entries: JsonValidation[] = contributes.jsonValidation ?? [];
  const found = entries.filter((v) => ([] as string[]).concat(v.fileMatch).includes(fileName));
  assert.equal(found.length, 1, `one jsonValidation entry for ${fileName}`);
  return found[0];
}

test('jsonValidation: wrangler.json and wrangler.jsonc, in any folder, get the bundled wrangler schema', () => {
  for (const name of ['wrangler.json', 'wrangler.jsonc']) {
    const entry = schemaFor(name);
    // VS Code's JSON service reads a pattern without a slash as `**/name`.
    assert.ok(!name.includes('/'));
    assert.equal(entry.url, './schemas/wrangler-config-schema.json');
  }
  // wrangler.json opens as JSON with Comments, as wrangler reads it.
  assert.ok(contributes.languages.some((l: { id: string; filenames?: string[] }) => l.id === 'jsonc' && l.filenames?.includes('wrangler.json')));
});

test('the schema file exists after the build, is wrangler\'s own, and allows trailing commas', () => {
  const file = path.join(root, schemaFor('wrangler.jsonc').url);
  assert.ok(fs.existsSync(file), `${file} (made by scripts/schemas.mjs)`);
  const bytes = fs.readFileSync(file);
  assert.ok(bytes.equals(fs.readFileSync(path.join(vendored, 'config-schema.json'))), 'a byte-for-byte copy of server/third_party/wrangler/config-schema.json');
  const schema = JSON.parse(bytes.toString('utf8'));
  // The root is `allOf: [{$ref: RawConfig}]`; RawConfig holds the top-level keys.
  assert.deepEqual(schema.allOf, [{ $ref: '#/definitions/RawConfig' }]);
  const top = schema.definitions.RawConfig;
  for (const key of ['name', 'main', 'compatibility_date', 'compatibility_flags', 'durable_objects', 'migrations', 'env']) {
    assert.ok(key in top.properties, `top-level key ${key}`);
  }
  // Unknown keys are reported, trailing commas are not.
  assert.equal(top.additionalProperties, false);
  assert.equal(schema.allowTrailingCommas, true);
});

test('the schema travels with its license and a notice of its version', () => {
  const dir = path.join(root, 'schemas');
  assert.ok(fs.readFileSync(path.join(dir, 'LICENSE-wrangler')).equals(fs.readFileSync(path.join(vendored, 'LICENSE-MIT'))));
  const version = fs.readFileSync(path.join(vendored, 'VERSION'), 'utf8').trim();
  const notice = fs.readFileSync(path.join(dir, 'NOTICE'), 'utf8');
  assert.match(notice, new RegExp(`version ${version.replace(/\./g, '\\.')}\\b`));
  assert.match(notice, /MIT/);
});

test('no TOML grammar or language configuration: dols does not replace another extension\'s', () => {
  const grammars: { language?: string; scopeName?: string }[] = contributes.grammars ?? [];
  assert.deepEqual(grammars.filter((g) => g.language === 'toml' || g.scopeName === 'source.toml'), []);
  const toml = contributes.languages.filter((l: { id: string }) => l.id === 'toml');
  // The language id stays, so wrangler.toml opens as `toml` and reaches the server.
  assert.equal(toml.length, 1);
  assert.deepEqual(toml[0].extensions, ['.toml']);
  assert.equal(toml[0].configuration, undefined);
});

test('the .vsix carries the schema, its license and notice, and no grammar', () => {
  const vsce = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
  const listed = execFileSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().replace(/\\/g, '/'))
    .filter(Boolean);
  for (const file of ['schemas/wrangler-config-schema.json', 'schemas/LICENSE-wrangler', 'schemas/NOTICE', 'package.json', 'README.md']) {
    assert.ok(listed.includes(file), `${file} in ${listed.join(', ')}`);
  }
  assert.deepEqual(listed.filter((f) => f.startsWith('syntaxes/') || f.includes('language-configuration')), []);
});
