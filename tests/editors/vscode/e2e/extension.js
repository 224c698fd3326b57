// End-to-end driver for the dols extension in a real VS Code (code-server).
// It runs only when DOLS_VSCODE_E2E_OUT is set: it activates the dols
// extension, works on the fixture (a copy of docs/demo plus a TOML Worker
// in ticker/) through VS Code's own APIs — what a user's editor sees — and
// writes one JSON result with a line per check. run.sh reads it.
'use strict';
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const TIMEOUT_MS = Number(process.env.DOLS_VSCODE_E2E_TIMEOUT_MS || 30000);

exports.activate = function () {
  const out = process.env.DOLS_VSCODE_E2E_OUT;
  if (!out) return;
  run(out).catch((err) => write(out, { ok: false, error: String(err && err.stack ? err.stack : err), checks: [] }));
};

function write(out, result) {
  fs.writeFileSync(out + '.tmp', JSON.stringify(result, null, 2));
  fs.renameSync(out + '.tmp', out);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value; throws after the budget. */
async function until(what, probe, timeout = TIMEOUT_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${describe(last)})`);
    await sleep(100);
  }
}

function describe(value) {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const codeOf = (d) => (d.code && typeof d.code === 'object' ? String(d.code.value) : String(d.code));
const diagnostics = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'dols' || d.code);

/** The position `offset` characters after the first `needle` in `doc`. */
function positionOf(doc, needle, offset = 0) {
  const at = doc.getText().indexOf(needle);
  if (at < 0) throw new Error(`${needle} not found in ${doc.uri.fsPath}`);
  return doc.positionAt(at + offset);
}

function markdownOf(hovers) {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

async function run(out) {
  const root = vscode.workspace.workspaceFolders[0].uri;
  const file = (...parts) => vscode.Uri.joinPath(root, ...parts);
  const result = { ok: false, vscode: vscode.version, checks: [] };
  const started = Date.now();
  const check = async (name, body) => {
    const t0 = Date.now();
    try {
      const detail = await body();
      result.checks.push({ name, ok: true, ms: Date.now() - t0, detail });
    } catch (err) {
      result.checks.push({ name, ok: false, ms: Date.now() - t0, error: err && err.message ? err.message : String(err) });
    }
    write(out, result);
  };

  let api;
  await check('activate', async () => {
    const ext = vscode.extensions.getExtension('dols-lsp.dols');
    if (!ext) throw new Error('dols-lsp.dols is not installed');
    api = await ext.activate();
    const expected = process.env.DOLS_VSCODE_E2E_BIN;
    // The setting wins over the binary bundled in the .vsix.
    await until('the server path', () => api.serverPath());
    if (api.serverPath() !== expected) throw new Error(`server ${api.serverPath()}, expected ${expected}`);
    const bundled = path.join(ext.extensionPath, 'server', `${process.platform}-${process.arch}`, 'dols');
    fs.accessSync(bundled, fs.constants.X_OK);
    return { server: api.serverPath(), bundledExecutable: bundled };
  });
  if (!api) return finish(out, result, started);

  await check('status bar: indexing, then the Worker count', async () => {
    const status = await until('the status to show the Workers', () => /dols: \d+ Workers?/.test(api.status()) && api.status());
    if (!status.includes('2 Workers')) throw new Error(`status ${status}`);
    const history = api.statusHistory();
    if (!history[0].includes('indexing')) throw new Error(`statuses ${history.join(' | ')}`);
    return history;
  });

  const index = file('src', 'index.ts');
  const config = file('wrangler.jsonc');
  const toml = file('ticker', 'wrangler.toml');
  let indexDoc;

  await check('languages: wrangler.toml is toml, wrangler.jsonc is jsonc', async () => {
    const tomlDoc = await vscode.workspace.openTextDocument(toml);
    const jsoncDoc = await vscode.workspace.openTextDocument(config);
    if (tomlDoc.languageId !== 'toml' || jsoncDoc.languageId !== 'jsonc') {
      throw new Error(`toml: ${tomlDoc.languageId}, jsonc: ${jsoncDoc.languageId}`);
    }
    return { toml: tomlDoc.languageId, jsonc: jsoncDoc.languageId };
  });

  // toml-stand-in/ stands in for a TOML extension (the toml language with a
  // configuration and a source.toml grammar, as Even Better TOML has). dols
  // contributes no grammar, so the stand-in's is the only TOML grammar and
  // VS Code tokenizes wrangler.toml with it; dols sets no language
  // configuration of its own and offers nothing.
  const STAND_IN = 'dols-lsp.toml-stand-in';
  const tomlGrammars = () =>
    vscode.extensions.all
      .filter((e) => (((e.packageJSON.contributes || {}).grammars) || []).some((g) => g.language === 'toml' || g.scopeName === 'source.toml'))
      .map((e) => e.id);
  // An internal command (VS Code's tokenizer benchmark, in code-server's web
  // build too): it throws when no TextMate grammar serves the language.
  const tokenize = (uri) => vscode.commands.executeCommand('_workbench.colorizeTextMateTokens', uri);

  await check('TOML: another extension\'s grammar is the only one; dols adds none, sets no configuration, offers nothing', async () => {
    if (describe(tomlGrammars()) !== describe([STAND_IN])) throw new Error(`TOML grammars from ${describe(tomlGrammars())}`);
    const shown = await vscode.window.showTextDocument(toml, { preview: false });
    if (shown.document.languageId !== 'toml') throw new Error(`language ${shown.document.languageId}`);
    const colorized = await tokenize(toml);
    if (!colorized || typeof colorized.tokenizeTime !== 'number') throw new Error(`not tokenized: ${describe(colorized)}`);
    const state = api.toml();
    if (describe(state.grammar) !== describe([STAND_IN]) || describe(state.configuration) !== describe([STAND_IN])) throw new Error(describe(state));
    if (state.ownConfiguration) throw new Error(`dols set its own toml configuration next to another's: ${describe(state)}`);
    // The offer would come now, with a wrangler.toml in the active editor.
    await sleep(500);
    if (api.toml().offered) throw new Error('dols offered a TOML extension although one is installed');
    return { grammars: tomlGrammars(), tokenizeMs: colorized.tokenizeTime, toml: api.toml() };
  });

  await check('TOML: with no TOML extension left, dols configures toml and offers Even Better TOML once', async () => {
    await vscode.commands.executeCommand('workbench.extensions.uninstallExtension', STAND_IN);
    await until('dols to see the stand-in gone', () => api.toml().grammar.length === 0 && api.toml().configuration.length === 0);
    if (!api.toml().ownConfiguration) throw new Error(`no fallback configuration: ${describe(api.toml())}`);
    if (tomlGrammars().length) throw new Error(`TOML grammars from ${describe(tomlGrammars())}`);
    // No grammar serves toml any more; the document is still toml, for dols.
    const untokenized = await tokenize(toml).then(
      (r) => `tokenized anyway: ${describe(r)}`,
      (err) => (String(err && err.message).includes('Cannot resolve tokenizer') ? 'no tokenizer' : `error: ${err && err.message}`),
    );
    if (untokenized !== 'no tokenizer') throw new Error(untokenized);
    if (api.toml().offered) throw new Error('offered before a wrangler.toml was in front of the user');
    await vscode.window.showTextDocument(config, { preview: false });
    const shown = await vscode.window.showTextDocument(toml, { preview: false });
    if (shown.document.languageId !== 'toml') throw new Error(`language ${shown.document.languageId}`);
    await until('the offer of Even Better TOML', () => api.toml().offered);
    return { toml: api.toml(), tokenizer: untokenized };
  });

  await check('diagnostics: unknown-binding in src/index.ts', async () => {
    indexDoc = await vscode.workspace.openTextDocument(index);
    await vscode.window.showTextDocument(indexDoc);
    const found = await until('unknown-binding', () =>
      diagnostics(index).find((d) => codeOf(d) === 'unknown-binding'),
    );
    if (!found.message.includes('CHAT_ROOMS')) throw new Error(found.message);
    const link = found.code && typeof found.code === 'object' ? String(found.code.target) : '';
    return { line: found.range.start.line + 1, message: found.message, link };
  });

  await check('diagnostics: unknown-class in ticker/wrangler.toml', async () => {
    const found = await until('unknown-class', () => diagnostics(toml).find((d) => codeOf(d) === 'unknown-class'));
    return { line: found.range.start.line + 1, message: found.message };
  });

  await check('completion after `env.` lists the bindings', async () => {
    const at = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.'.length);
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', index, at, '.');
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const wanted of ['COUNTER', 'CHAT_ROOM', 'ROOM_LIMIT']) {
      if (!labels.includes(wanted)) throw new Error(`${wanted} missing from ${labels.join(', ')}`);
    }
    return labels.filter((l) => /^[A-Z_]+$/.test(l));
  });

  await check('hover on env.COUNTER names the class', async () => {
    const at = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.CO'.length);
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', index, at);
    const text = markdownOf(hovers);
    if (!text.includes('Counter')) throw new Error(`hover: ${text}`);
    return text.split('\n').slice(0, 3).join(' / ');
  });

  await check('code action: re-export ChatRoom fixes class-not-exported', async () => {
    const diag = await until('class-not-exported', () =>
      diagnostics(config).find((d) => codeOf(d) === 'class-not-exported'),
    );
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', config, diag.range);
    const fix = actions.find((a) => a.title.includes('Re-export class `ChatRoom`'));
    if (!fix) throw new Error(`actions: ${actions.map((a) => a.title).join(' | ')}`);
    if (!fix.edit || !(await vscode.workspace.applyEdit(fix.edit))) throw new Error('the edit was not applied');
    await until('class-not-exported to go away', () =>
      !diagnostics(config).some((d) => codeOf(d) === 'class-not-exported'),
    );
    return { title: fix.title, indexNow: indexDoc.getText().split('\n').find((l) => l.includes('chat-room') && l.startsWith('export')) };
  });

  await check('dols: Show Durable Objects topology', async () => {
    const shown = await vscode.commands.executeCommand('dols.showTopology');
    if (!shown) throw new Error('no result');
    const md = shown.markdown;
    for (const wanted of ['```mermaid', 'flowchart LR', 'env.CHAT_ROOM', 'env.COUNTER', 'ChatRoom', 'Counter', 'migration v1', 'Worker `chat-demo`', 'Worker `ticker`']) {
      if (!md.includes(wanted)) throw new Error(`${wanted} missing from:\n${md}`);
    }
    // run.sh parses the diagram with Mermaid's own parser.
    fs.writeFileSync(`${out}.topology.md`, md);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === shown.uri);
    if (!open || open.languageId !== 'markdown') throw new Error(`document ${shown.uri}: ${open && open.languageId}`);
    return { uri: shown.uri, workers: shown.workers, lines: md.split('\n').length };
  });

  await check('dols: New Durable Object (server command + applyEdit)', async () => {
    const created = await vscode.commands.executeCommand('dols.createDurableObject', {
      worker: config.toString(),
      className: 'Lobby',
    });
    if (!created || created.binding !== 'LOBBY' || !created.file) throw new Error(`result ${describe(created)}`);
    const classDoc = await vscode.workspace.openTextDocument(vscode.Uri.parse(created.file));
    if (!classDoc.getText().includes('class Lobby')) throw new Error(classDoc.getText());
    const configDoc = await vscode.workspace.openTextDocument(config);
    if (!configDoc.getText().includes('"LOBBY"')) throw new Error(configDoc.getText());
    return { file: vscode.workspace.asRelativePath(classDoc.uri), binding: created.binding };
  });

  await check('settings: dols.rules turns unknown-binding off', async () => {
    await vscode.workspace
      .getConfiguration('dols')
      .update('rules', { 'unknown-binding': 'off' }, vscode.ConfigurationTarget.Workspace);
    await until('unknown-binding to go away', () => !diagnostics(index).some((d) => codeOf(d) === 'unknown-binding'));
    await vscode.workspace.getConfiguration('dols').update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await until('unknown-binding to come back', () => diagnostics(index).some((d) => codeOf(d) === 'unknown-binding'));
    return 'off, then back';
  });

  await check('dols: Restart server', async () => {
    const before = api.client();
    await vscode.commands.executeCommand('dols.restartServer');
    const after = api.client();
    if (!after || after === before || !after.isRunning()) throw new Error('no new running client');
    const topology = await api.topology();
    if (!topology || topology.workers.length !== 2) throw new Error(describe(topology));
    return 'restarted';
  });

  // Last, since the new config is one more Worker for dols: VS Code's JSON
  // service checks a wrangler.jsonc (in a subfolder, without "$schema")
  // against the schema the extension ships. The schema allows trailing
  // commas, so only the unknown key is flagged; dols flags it too.
  await check('JSON schema: wrangler.jsonc gets wrangler\'s schema (unknown key warned, trailing comma not); a config\'s own $schema wins', async () => {
    const jsonc = file('schema-check', 'wrangler.jsonc');
    const text = [
      '// VS Code validates this against wrangler\'s schema, bundled with dols',
      '{',
      '  "name": "schema-check",',
      '  "compatibility_date": "2025-06-01",',
      '  "compatibilty_flags": ["nodejs_compat"],',
      '}',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(jsonc, Buffer.from(text));
    const doc = await vscode.workspace.openTextDocument(jsonc);
    await vscode.window.showTextDocument(doc, { preview: false });
    if (doc.languageId !== 'jsonc') throw new Error(`language ${doc.languageId}`);
    const fromJson = () => vscode.languages.getDiagnostics(jsonc).filter((d) => d.source !== 'dols');
    const unknown = await until('the JSON service to flag compatibilty_flags', () =>
      fromJson().find((d) => d.message.includes('compatibilty_flags')),
    );
    if (unknown.range.start.line !== 4) throw new Error(`on line ${unknown.range.start.line + 1}: ${unknown.message}`);
    const all = fromJson();
    const trailing = all.filter((d) => /trailing comma/i.test(d.message));
    if (trailing.length) throw new Error(`trailing comma flagged: ${describe(trailing.map((d) => d.message))}`);
    // The control: the same text under another name has no schema, and
    // the JSON service flags its trailing comma.
    const control = file('schema-check', 'control.jsonc');
    await vscode.workspace.fs.writeFile(control, Buffer.from(text));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(control), { preview: false });
    const controlComma = await until('the trailing comma of control.jsonc to be flagged', () =>
      vscode.languages.getDiagnostics(control).find((d) => /trailing comma/i.test(d.message)),
    ).catch((err) => {
      throw new Error(`${err.message}; its diagnostics: ${describe(vscode.languages.getDiagnostics(control).map((d) => d.message))}`);
    });
    // The demo's own config names a "$schema" (node_modules/wrangler/…,
    // not installed here): that wins over the bundled schema, so its
    // trailing commas are flagged.
    await vscode.window.showTextDocument(config, { preview: false });
    const demo = await until('the JSON service to check the demo config', () => {
      const found = vscode.languages.getDiagnostics(config).filter((d) => d.source !== 'dols');
      return found.some((d) => /trailing comma/i.test(d.message)) && found;
    }).catch((err) => {
      throw new Error(`${err.message}; its diagnostics: ${describe(vscode.languages.getDiagnostics(config).map((d) => d.message))}`);
    });
    const dols = await until('dols to flag compatibilty_flags', () =>
      diagnostics(jsonc).find((d) => d.source === 'dols' && codeOf(d) === 'unknown-config-key'),
    );
    return {
      json: all.map((d) => `${d.range.start.line + 1}: ${d.message}`),
      dols: `${codeOf(dols)} ${dols.range.start.line + 1}: ${dols.message}`,
      control: `${controlComma.range.start.line + 1}: ${controlComma.message}`,
      demoWithOwnSchema: [...new Set(demo.map((d) => d.message))],
    };
  });

  finish(out, result, started);
}

function finish(out, result, started) {
  result.ok = result.checks.length > 0 && result.checks.every((c) => c.ok);
  result.msTotal = Date.now() - started;
  write(out, result);
}
