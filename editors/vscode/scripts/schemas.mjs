// Copies wrangler's configuration schema into the extension:
//   node scripts/schemas.mjs
// Source: server/third_party/wrangler/ (the schema dols itself is built
// with; refreshed there by refresh.sh, never edited by hand). Output, not
// committed (.gitignore) and shipped in the .vsix (.vscodeignore):
//   schemas/wrangler-config-schema.json   the schema, byte for byte
//   schemas/LICENSE-wrangler              its MIT license
//   schemas/NOTICE                        where it comes from, which version
// package.json's `contributes.jsonValidation` points VS Code's JSON service
// at the schema for every wrangler.json and wrangler.jsonc. `npm run
// compile` (and so `npm run package`) and `npm test` run this first.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vendored = path.resolve(here, '..', '..', 'server', 'third_party', 'wrangler');
const out = path.join(here, 'schemas');

const read = (name) => {
  const file = path.join(vendored, name);
  if (!fs.existsSync(file)) {
    console.error(`schemas: ${file} not found (the extension is built from a dols checkout)`);
    process.exit(1);
  }
  return fs.readFileSync(file);
};

const schema = read('config-schema.json');
const license = read('LICENSE-MIT');
const version = read('VERSION').toString('utf8').trim();

// A broken copy would only show as "unable to load schema" inside VS Code.
let parsed;
try {
  parsed = JSON.parse(schema.toString('utf8'));
} catch (err) {
  console.error(`schemas: ${path.join(vendored, 'config-schema.json')} is not JSON: ${err.message}`);
  process.exit(1);
}
if (parsed === null || typeof parsed !== 'object' || !parsed.definitions?.RawConfig?.properties?.compatibility_date) {
  console.error('schemas: config-schema.json does not describe wrangler configs (no RawConfig.compatibility_date)');
  process.exit(1);
}

fs.mkdirSync(out, { recursive: true });
const write = (name, content) => {
  const file = path.join(out, name);
  // Unchanged files keep their timestamps.
  if (fs.existsSync(file) && fs.readFileSync(file).equals(Buffer.from(content))) return;
  fs.writeFileSync(file, content);
};
write('wrangler-config-schema.json', schema);
write('LICENSE-wrangler', license);
write(
  'NOTICE',
  `wrangler-config-schema.json is config-schema.json from the wrangler npm
package, version ${version}, by Cloudflare, Inc., licensed MIT OR Apache-2.0;
dols ships it under the MIT license in LICENSE-wrangler. It is copied
unchanged from server/third_party/wrangler/ of the dols repository.
`,
);
console.log(`schemas: wrangler ${version} config schema → schemas/wrangler-config-schema.json`);
