import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { test } from 'node:test';
import { EVEN_BETTER_TOML, isWranglerToml, shouldOffer, TOML_LANGUAGE_CONFIGURATION, tomlSupport } from '../src/toml';

const SELF = 'dols-lsp.dols';
const ownManifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8'));

// The parts of Even Better TOML's manifest that matter here.
const evenBetterToml = {
  id: EVEN_BETTER_TOML,
  packageJSON: {
    contributes: {
      languages: [{ id: 'toml', aliases: ['TOML'], extensions: ['.toml'], configuration: './language-configuration.json' }],
      grammars: [
        { language: 'toml', scopeName: 'source.toml', path: './toml.tmLanguage.json' },
        { scopeName: 'markdown.toml.codeblock', path: './toml.markdown.tmLanguage.json', injectTo: ['text.html.markdown'] },
      ],
    },
  },
};
const theme = { id: 'someone.theme', packageJSON: { contributes: { themes: [{ path: './t.json' }] } } };
const injectionOnly = {
  id: 'someone.toml-in-markdown',
  packageJSON: { contributes: { grammars: [{ scopeName: 'markdown.toml', path: './g.json', injectTo: ['text.html.markdown'] }] } },
};
const builtinJson = { id: 'vscode.json', packageJSON: { contributes: { languages: [{ id: 'json', configuration: './c.json' }] } } };

test('dols alone: nobody highlights or configures TOML (dols does not count itself)', () => {
  const dols = { id: SELF, packageJSON: ownManifest };
  assert.deepEqual(tomlSupport([dols, theme, injectionOnly, builtinJson], SELF), { grammar: [], configuration: [] });
  // Even if dols contributed a grammar again, it would not count as "another extension".
  const withGrammar = { id: 'DOLS-LSP.dols', packageJSON: { contributes: { grammars: [{ language: 'toml', scopeName: 'source.toml', path: 'x' }] } } };
  assert.deepEqual(tomlSupport([withGrammar], SELF).grammar, []);
});

test('Even Better TOML installed: its grammar and configuration are found', () => {
  const dols = { id: SELF, packageJSON: ownManifest };
  assert.deepEqual(tomlSupport([dols, evenBetterToml, theme], SELF), {
    grammar: [EVEN_BETTER_TOML],
    configuration: [EVEN_BETTER_TOML],
  });
});

test('malformed manifests are ignored', () => {
  const odd = [
    { id: 'a.b', packageJSON: null },
    { id: 'c.d', packageJSON: { contributes: { grammars: 'toml', languages: {} } } },
    { id: 'e.f', packageJSON: { contributes: { grammars: [null, { language: 'toml' }], languages: [{ id: 'toml' }] } } },
  ];
  assert.deepEqual(tomlSupport(odd, SELF), { grammar: [], configuration: [] });
});

test('the offer: once, for a wrangler.toml, only when nothing highlights TOML', () => {
  const none = { grammar: [], configuration: [] };
  assert.equal(shouldOffer('/w/app/wrangler.toml', 'toml', none, false), true);
  assert.equal(shouldOffer('C:\\w\\app\\wrangler.toml', 'toml', none, false), true);
  assert.equal(shouldOffer('/w/app/wrangler.toml', 'toml', none, true), false, 'already offered');
  assert.equal(shouldOffer('/w/app/wrangler.toml', 'toml', { grammar: [EVEN_BETTER_TOML], configuration: [] }, false), false);
  assert.equal(shouldOffer('/w/app/Cargo.toml', 'toml', none, false), false, 'not a wrangler config');
  assert.equal(shouldOffer('/w/app/wrangler.toml', 'plaintext', none, false), false, 'the user chose another language');
  assert.equal(isWranglerToml('wrangler.toml'), true);
  assert.equal(isWranglerToml('/w/my-wrangler.toml'), false);
  assert.equal(isWranglerToml('/w/wrangler.toml.bak'), false);
});

test('the fallback language configuration: # comments and brackets', () => {
  assert.deepEqual(TOML_LANGUAGE_CONFIGURATION, {
    comments: { lineComment: '#' },
    brackets: [
      ['[', ']'],
      ['{', '}'],
    ],
  });
});
