// Parses every ```mermaid block of a Markdown file with Mermaid's own parser.
// usage: node check-mermaid.mjs <file.md> <dir holding node_modules/{mermaid,jsdom}>
// Prints one line per block; exit 1 when a block does not parse or none is found.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, modules] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), 'package.json'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(require.resolve('mermaid')).href);

const blocks = [...fs.readFileSync(file, 'utf8').matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
if (blocks.length === 0) {
  console.log(`mermaid: no mermaid block in ${file}`);
  process.exit(1);
}
let failed = 0;
for (const [i, block] of blocks.entries()) {
  try {
    const parsed = await mermaid.parse(block);
    console.log(`mermaid: block ${i + 1} (${block.split('\n').length} lines) parses as ${parsed.diagramType}`);
  } catch (err) {
    failed++;
    console.log(`mermaid: block ${i + 1} does not parse: ${err.message}`);
  }
}
process.exit(failed ? 1 : 0);
