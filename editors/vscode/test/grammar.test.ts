// The TOML grammar the extension contributes, run through the same
// TextMate engine VS Code uses (vscode-textmate + oniguruma).
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..');

async function grammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(root, 'syntaxes', 'toml.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  const loaded = await registry.loadGrammar('source.toml');
  assert.ok(loaded);
  return loaded;
}

/** `text` → [token text, innermost scope] per line, blanks dropped. */
function tokenize(g: textmate.IGrammar, text: string): [string, string][][] {
  let stack = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = g.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens
      .map((t): [string, string] => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]])
      .filter(([s]) => s.trim().length > 0);
  });
}

const WRANGLER = `# a Worker
name = "chat" # trailing
compatibility_date = 2025-06-01
workers_dev = true
limits = { cpu_ms = 50 }

[[durable_objects.bindings]]
name = 'ROOM'
class_name = "Room\\"s"

[env.production]
new_sqlite_classes = [
  "Room", # why
]
`;

test('a wrangler.toml gets comments, tables, keys and values', async () => {
  const lines = tokenize(await grammar(), WRANGLER);
  assert.deepEqual(lines[0], [['#', 'punctuation.definition.comment.toml'], [' a Worker', 'comment.line.number-sign.toml']]);
  assert.deepEqual(lines[1], [
    ['name', 'variable.other.key.toml'],
    ['=', 'punctuation.separator.key-value.toml'],
    ['"chat"', 'string.quoted.double.basic.toml'],
    ['#', 'punctuation.definition.comment.toml'],
    [' trailing', 'comment.line.number-sign.toml'],
  ]);
  assert.deepEqual(lines[2][2], ['2025-06-01', 'constant.other.datetime.toml']);
  assert.deepEqual(lines[3][2], ['true', 'constant.language.boolean.toml']);
  assert.deepEqual(lines[4].slice(2), [
    ['{', 'punctuation.definition.table.inline.toml'],
    ['cpu_ms', 'variable.other.key.toml'],
    ['=', 'punctuation.separator.key-value.toml'],
    ['50', 'constant.numeric.toml'],
    ['}', 'punctuation.definition.table.inline.toml'],
  ]);
  assert.deepEqual(lines[6], [
    ['[[', 'punctuation.definition.array.table.toml'],
    ['durable_objects.bindings', 'entity.name.section.array.toml'],
    [']]', 'punctuation.definition.array.table.toml'],
  ]);
  assert.deepEqual(lines[7][2], ["'ROOM'", 'string.quoted.single.literal.toml']);
  assert.deepEqual(lines[8][2], ['"Room\\"s"', 'string.quoted.double.basic.toml']);
  assert.deepEqual(lines[10][1], ['env.production', 'entity.name.section.toml']);
  // A multi-line array: strings and comments inside, the closing bracket.
  assert.deepEqual(lines[12], [
    ['"Room"', 'string.quoted.double.basic.toml'],
    [',', 'punctuation.separator.array.toml'],
    ['#', 'punctuation.definition.comment.toml'],
    [' why', 'comment.line.number-sign.toml'],
  ]);
  assert.deepEqual(lines[13], [[']', 'punctuation.definition.array.toml']]);
});
