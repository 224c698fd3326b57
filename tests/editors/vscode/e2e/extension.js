// End-to-end driver for the dols extension in a real VS Code (code-server).
// It runs only when DOLS_VSCODE_E2E_OUT is set: it activates the dols
// extension, works on the fixture (a copy of docs/demo with a
// worker-configuration.d.ts, plus a TOML Worker in ticker/) through VS
// Code's own APIs — what a user's editor sees, TypeScript's answers merged
// with dols's — and
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

/**
 * Asks browser.mjs (run.sh starts it next to Chromium) what only the page
 * knows: `{op: "eval", expression, frame?}` or `{op: "screenshot", path, selector?}`.
 */
let browserRequests = 0;
async function browser(request, timeout = 15000) {
  const dir = process.env.DOLS_VSCODE_E2E_BROWSER;
  if (!dir) throw new Error('DOLS_VSCODE_E2E_BROWSER is not set (run tests/editors/vscode/run.sh)');
  const n = ++browserRequests;
  const req = path.join(dir, `${n}.req.json`);
  fs.writeFileSync(req + '.tmp', JSON.stringify(request));
  fs.renameSync(req + '.tmp', req);
  const res = path.join(dir, `${n}.res.json`);
  const answer = await until(`browser.mjs to answer ${request.op}`, () => {
    if (fs.existsSync(path.join(dir, 'broken'))) throw new Error(`browser.mjs failed: ${fs.readFileSync(path.join(dir, 'broken'), 'utf8')}`);
    return fs.existsSync(res) && JSON.parse(fs.readFileSync(res, 'utf8'));
  }, timeout);
  if (!answer.ok) throw new Error(`browser: ${answer.error}`);
  return answer.value;
}

/** Polls an expression in the page until it gives a truthy value. */
function inPage(what, expression, options = {}) {
  return until(what, () => browser({ op: 'eval', expression, frame: options.frame }), options.timeout);
}

const labelOf = (hint) => (typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join(''));

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

  // VS Code pulls diagnostics (documents and the workspace): a file never
  // opened gets its findings from the workspace pull, and no finding is
  // shown twice (pushed before the first pull and pulled after).
  await check('diagnostics: pulled for the workspace, each shown once', async () => {
    const provider = api.client()?.initializeResult?.capabilities?.diagnosticProvider;
    if (!provider?.workspaceDiagnostics) throw new Error(`diagnosticProvider ${describe(provider)}`);
    const counter = file('src', 'counter.ts');
    if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === counter.toString())) {
      throw new Error('src/counter.ts is already open');
    }
    await until('sql-on-kv-backend in the unopened src/counter.ts', () =>
      diagnostics(counter).find((d) => codeOf(d) === 'sql-on-kv-backend'),
    );
    const twice = [];
    for (const uri of [index, toml, config, counter]) {
      const seen = new Set();
      for (const d of diagnostics(uri)) {
        const key = `${uri.path}:${d.range.start.line}:${d.range.start.character}:${codeOf(d)}:${d.message}`;
        if (seen.has(key)) twice.push(key);
        seen.add(key);
      }
    }
    if (twice.length) throw new Error(`shown twice: ${describe(twice)}`);
    return { provider, counter: diagnostics(counter).map(codeOf) };
  });

  // The fixture has the types a real project has (run.sh copies
  // worker-configuration.d.ts into it): TypeScript's service answers in
  // index.ts next to dols, and VS Code shows both answers merged. dols must
  // add only what TypeScript lacks. The Env type there is stale on purpose:
  // it declares CHAT_ROOM and COUNTER, not ROOM_LIMIT.
  const client = () => {
    const c = api.client();
    if (!c) throw new Error('no dols language client');
    return c;
  };
  /** dols's own answer to `method` at `at` in index.ts, without TypeScript's. */
  const dolsAlone = (method, at, extra = {}) =>
    client().sendRequest(method, { textDocument: { uri: index.toString() }, position: { line: at.line, character: at.character }, ...extra });
  const itemLabel = (i) => (typeof i.label === 'string' ? i.label : i.label.label);
  const dolsCompletion = async (at) => {
    const answer = await dolsAlone('textDocument/completion', at, { context: { triggerKind: 2, triggerCharacter: '.' } });
    return (Array.isArray(answer) ? answer : (answer && answer.items) || []).map(itemLabel);
  };
  /** The merged list VS Code shows; the first `resolve` items resolved. */
  const mergedCompletion = async (at, resolve) => {
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', index, at, '.', resolve);
    return list.items;
  };
  /** Polls the merged list until `ok(labels)`; the last labels on timeout. */
  const mergedUntil = async (what, at, ok, timeout) => {
    let last = [];
    try {
      return await until(what, async () => {
        const items = await mergedCompletion(at);
        last = items.map(itemLabel);
        return ok(last) && items;
      }, timeout);
    } catch (err) {
      throw new Error(`${err.message}; merged list: ${describe(last)}`);
    }
  };
  const countOf = (labels, label) => labels.filter((l) => l === label).length;
  const duplicates = (labels) => [...new Set(labels.filter((l, i) => labels.indexOf(l) !== i))];
  const BINDINGS = ['CHAT_ROOM', 'COUNTER', 'ROOM_LIMIT'];

  await check('completion after `env.` with the Env type present: TypeScript\'s and dols\'s items merged, each binding once; dols adds only ROOM_LIMIT (stale type)', async () => {
    const at = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.'.length);
    // TypeScript answers once its project is loaded (before that, its
    // syntax server has no types): wait for its items in the merged list.
    let items = await mergedUntil('TypeScript\'s Env members in the merged list', at, (l) => l.includes('COUNTER') && l.includes('CHAT_ROOM'), 90000);
    items = await mergedCompletion(at, items.length);
    const labels = items.map(itemLabel);
    const own = await dolsCompletion(at);
    const twice = duplicates(labels);
    if (twice.length) throw new Error(`offered twice: ${describe(twice)} in ${describe(labels)}; dols alone offers ${describe(own)}`);
    for (const wanted of BINDINGS) {
      if (countOf(labels, wanted) !== 1) throw new Error(`${wanted} ${countOf(labels, wanted)} times in ${describe(labels)}`);
    }
    // dols alone: the binding the types lack, not those they declare.
    if (describe(own.filter((l) => BINDINGS.includes(l))) !== describe(['ROOM_LIMIT'])) throw new Error(`dols alone offers ${describe(own)}`);
    // COUNTER is TypeScript's item (dols did not offer it): its detail is
    // TypeScript's type, with the class.
    const counter = items.find((i) => itemLabel(i) === 'COUNTER');
    if (!String(counter.detail).includes('DurableObjectNamespace<Counter>')) throw new Error(`COUNTER's detail ${describe(counter.detail)}`);
    return { merged: labels, dolsAlone: own, counterDetail: counter.detail };
  });

  await check('completion after `env.`: with COUNTER taken out of the Env type (unsaved edit), dols offers it, still once', async () => {
    // The control: the same label comes from dols as soon as the types lack
    // it, so the check above could fail.
    const at = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.'.length);
    const types = await vscode.workspace.openTextDocument(file('worker-configuration.d.ts'));
    const line = positionOf(types, '    COUNTER: DurableObjectNamespace').line;
    const removed = new vscode.WorkspaceEdit();
    removed.delete(types.uri, new vscode.Range(line, 0, line + 1, 0));
    const text = types.getText();
    if (!(await vscode.workspace.applyEdit(removed))) throw new Error('the edit failed');
    try {
      const own = await until('dols to offer COUNTER', async () => {
        const labels = await dolsCompletion(at);
        return labels.includes('COUNTER') && labels;
      });
      // Until TypeScript sees the edit too, both offer COUNTER.
      const labels = (await mergedUntil('COUNTER once in the merged list', at, (l) => countOf(l, 'COUNTER') === 1 && l.includes('CHAT_ROOM'))).map(itemLabel);
      const twice = duplicates(labels);
      if (twice.length) throw new Error(`offered twice: ${describe(twice)} in ${describe(labels)}`);
      return { merged: labels, dolsAlone: own };
    } finally {
      const back = new vscode.WorkspaceEdit();
      back.replace(types.uri, new vscode.Range(0, 0, types.lineCount, 0), text);
      await vscode.workspace.applyEdit(back);
      await types.save();
      await until('dols to leave COUNTER to TypeScript again', async () => !(await dolsCompletion(at)).includes('COUNTER'));
    }
  });

  await check('hover on getByName: one signature, TypeScript\'s (DurableObjectStub<Counter>); dols adds its notes without one', async () => {
    const at = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.COUNTER.getBy'.length);
    const own = await dolsAlone('textDocument/hover', at);
    const ownText = own && (typeof own.contents === 'string' ? own.contents : own.contents.value || describe(own.contents));
    if (!ownText || !ownText.includes('getByName')) throw new Error(`dols alone: ${describe(own)}`);
    const text = await until('TypeScript\'s hover next to dols\'s', async () => {
      const merged = markdownOf(await vscode.commands.executeCommand('vscode.executeHoverProvider', index, at));
      return merged.includes('DurableObjectStub<Counter>') && merged.includes('DurableObjectNamespace.getByName') && merged;
    }, 90000);
    const blocks = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1].trim());
    const signatures = blocks.filter((b) => b.includes('getByName'));
    if (signatures.length !== 1) throw new Error(`${signatures.length} signatures: ${describe(signatures)}`);
    if (!signatures[0].includes('DurableObjectStub<Counter>')) throw new Error(`the signature is not TypeScript's: ${signatures[0]}`);
    return { signature: signatures[0], dols: ownText.split('\n')[0] };
  });

  await check('hover on env.COUNTER names the class', async () => {
    const at = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.CO'.length);
    const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', index, at);
    const text = markdownOf(hovers);
    if (!text.includes('Counter')) throw new Error(`hover: ${text}`);
    return text.split('\n').slice(0, 3).join(' / ');
  });

  const counterTs = file('src', 'counter.ts');
  await check('inlay hints after env.COUNTER (src/index.ts) and after class_name (wrangler.jsonc)', async () => {
    const whole = (doc) => new vscode.Range(0, 0, doc.lineCount, 0);
    const hints = await until('inlay hints in src/index.ts', async () => {
      const found = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', index, whole(indexDoc));
      return found && found.length >= 2 && found;
    });
    const after = positionOf(indexDoc, 'env.COUNTER.getByName(url.pathname)', 'env.COUNTER'.length);
    const first = hints.find((h) => h.position.isEqual(after));
    if (!first) throw new Error(`none at ${after.line}:${after.character}: ${describe(hints.map((h) => [h.position.line, h.position.character, labelOf(h)]))}`);
    if (labelOf(first) !== '→ Counter · KV') throw new Error(`label ${labelOf(first)}`);
    const tooltip = typeof first.tooltip === 'string' ? first.tooltip : first.tooltip && first.tooltip.value;
    if (!tooltip || !tooltip.includes('Counter')) throw new Error(`tooltip ${describe(first.tooltip)}`);
    const configDoc = await vscode.workspace.openTextDocument(config);
    const configHints = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', config, whole(configDoc));
    const sqlite = configHints.find((h) => labelOf(h) === 'SQLite');
    const classLine = positionOf(configDoc, '"class_name": "ChatRoom"').line;
    if (!sqlite || sqlite.position.line !== classLine) throw new Error(`config hints ${describe(configHints.map((h) => [h.position.line, labelOf(h)]))}`);
    return hints.map((h) => `${h.position.line + 1}:${h.position.character + 1} ${labelOf(h)}`).concat(`wrangler.jsonc:${classLine + 1} SQLite`);
  });

  let counterLenses;
  await check('code lenses above class Counter (src/counter.ts)', async () => {
    // (VS Code asks the providers of open documents only.)
    const counterDoc = await vscode.workspace.openTextDocument(counterTs);
    const lenses = await until('code lenses in src/counter.ts', async () => {
      const found = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', counterTs);
      return found && found.length >= 4 && found;
    });
    const classLine = positionOf(counterDoc, 'export class Counter').line;
    const titles = lenses.map((l) => l.command && l.command.title);
    const wanted = ['bound as COUNTER in chat-demo', 'created by migration v2 (KV)', '2 stub calls', 'topology'];
    if (describe(titles) !== describe(wanted)) throw new Error(`titles ${describe(titles)}`);
    if (!lenses.every((l) => l.range.start.line === classLine)) throw new Error(`lines ${describe(lenses.map((l) => l.range.start.line))}`);
    counterLenses = lenses;
    return lenses.map((l) => `${l.command.title} → ${l.command.command}`);
  });

  await check('inlay hints and code lenses are drawn in the editor; screenshot', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar').then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // index.ts's fetch handler above, class Counter below.
    await vscode.commands.executeCommand('workbench.action.editorLayoutTwoRows');
    await vscode.window.showTextDocument(indexDoc, { viewColumn: vscode.ViewColumn.One, preview: false });
    await vscode.window.showTextDocument(counterTs, { viewColumn: vscode.ViewColumn.Two, preview: false });
    // VS Code draws an inlay hint as text in the line (spaces as U+00A0), a
    // code lens as a widget above it.
    const drawnHint = await inPage('the inlay hint to be drawn', `[...document.querySelectorAll('.monaco-editor .view-line')].map((l) => l.textContent.replace(/\\u00a0/g, ' ')).find((t) => t.includes('env.COUNTER') && t.includes('→ Counter · KV')) || null`);
    const drawnLenses = await inPage('the code lenses to be drawn', `(() => { const t = [...document.querySelectorAll('.monaco-editor .codelens-decoration')].map((l) => l.textContent.replace(/\\s+/g, ' ').trim()).filter(Boolean); return t.some((x) => x.includes('bound as COUNTER')) ? t : null; })()`);
    // For the picture: index.ts's fetch handler at the top of its editor.
    const top = await vscode.window.showTextDocument(indexDoc, { viewColumn: vscode.ViewColumn.One, preview: false });
    const handler = positionOf(indexDoc, 'export default');
    top.selection = new vscode.Selection(handler, handler);
    await vscode.commands.executeCommand('editorScroll', { to: 'down', by: 'line', value: handler.line - top.visibleRanges[0].start.line });
    await sleep(300);
    const shot = await browser({ op: 'screenshot', path: `${out}.png`, selector: '.part.editor' });
    return { hintLine: drawnHint.trim().replace(/\s+/g, ' '), lenses: drawnLenses, screenshot: shot };
  });

  await check('dols.inlayHints.enabled and dols.codeLens.enabled false: none from dols; true: back', async () => {
    const dols = vscode.workspace.getConfiguration('dols');
    const count = async () => {
      const hints = await vscode.commands.executeCommand('vscode.executeInlayHintProvider', index, new vscode.Range(0, 0, indexDoc.lineCount, 0));
      const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', counterTs);
      return { hints: hints.filter((h) => labelOf(h).startsWith('→')).length, lenses: lenses.length };
    };
    await dols.update('inlayHints.enabled', false, vscode.ConfigurationTarget.Workspace);
    await dols.update('codeLens.enabled', false, vscode.ConfigurationTarget.Workspace);
    const off = await until('no hints and no lenses', async () => {
      const c = await count();
      return c.hints === 0 && c.lenses === 0 && c;
    });
    await dols.update('inlayHints.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    await dols.update('codeLens.enabled', undefined, vscode.ConfigurationTarget.Workspace);
    const on = await until('hints and lenses again', async () => {
      const c = await count();
      return c.hints >= 2 && c.lenses >= 4 && c;
    });
    return { off, on };
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

  await check('code lens commands: dols.showLocations opens the references peek with the stub calls', async () => {
    const lens = counterLenses && counterLenses.find((l) => l.command.title === '2 stub calls');
    if (!lens) throw new Error('no "2 stub calls" lens (see the code lens check)');
    // As VS Code runs a lens's command: its id and its arguments as they came.
    const shown = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
    if (!shown || !(shown.uri instanceof vscode.Uri) || !(shown.position instanceof vscode.Position)) throw new Error(`result ${describe(shown)}`);
    const places = shown.locations.map((l) => {
      if (!(l instanceof vscode.Location)) throw new Error(`not a vscode.Location: ${describe(l)}`);
      return `${vscode.workspace.asRelativePath(l.uri)}:${l.range.start.line + 1}`;
    });
    if (describe(places) !== describe(['src/index.ts:14', 'src/index.ts:19'])) throw new Error(`places ${describe(places)}`);
    const peek = await inPage('the references peek', `(() => { const w = document.querySelector('.monaco-editor .peekview-widget'); return w ? w.textContent.replace(/\\s+/g, ' ').slice(0, 200) : null; })()`);
    if (!peek.includes('index.ts')) throw new Error(`peek: ${peek}`);
    await vscode.commands.executeCommand('closeReferenceSearch');
    return { places, peek: peek.slice(0, 80) };
  });

  await check('dols: Show Durable Objects topology (from its code lens): a webview whose links open the files', async () => {
    const lens = counterLenses && counterLenses.find((l) => l.command.title === 'topology');
    if (!lens) throw new Error('no "topology" lens (see the code lens check)');
    if (lens.command.arguments !== undefined && lens.command.arguments.length) throw new Error(`arguments ${describe(lens.command.arguments)}`);
    const shown = await vscode.commands.executeCommand(lens.command.command);
    if (!shown) throw new Error('no result');
    const md = shown.markdown;
    for (const wanted of ['```mermaid', 'flowchart LR', 'env.CHAT_ROOM', 'env.COUNTER', 'ChatRoom', 'Counter', 'migration v1', 'Worker `chat-demo`', 'Worker `ticker`']) {
      if (!md.includes(wanted)) throw new Error(`${wanted} missing from the Markdown:\n${md}`);
    }
    // run.sh parses the diagram with Mermaid's own parser.
    fs.writeFileSync(`${out}.topology.md`, md);
    const view = api.topologyView();
    if (!view || !view.visible) throw new Error(`webview ${describe(view && { visible: view.visible })}`);
    // What the page shows, read in the webview's own frame: tables with
    // links, no Markdown link syntax.
    const page = await inPage('the topology page', `(() => {
      if (!document.querySelector('h1') || !document.body.textContent.includes('Durable Objects topology')) return null;
      const text = document.body.innerText;
      return { links: [...document.querySelectorAll('a[data-target]')].map((a) => a.textContent), tables: document.querySelectorAll('table').length, rawMarkdown: text.includes('](file:') };
    })()`, { frame: 'webview' });
    if (page.rawMarkdown) throw new Error('the page shows [text](file:…)');
    for (const wanted of ['env.CHAT_ROOM', 'env.COUNTER', 'ChatRoom', 'Counter', 'v1']) {
      if (!page.links.includes(wanted)) throw new Error(`no ${wanted} link in ${describe(page.links)}`);
    }
    // A click on the class Counter, in the page, opens src/counter.ts at the class.
    // counter.ts is open from the checks above: close it (it is unchanged) so the click must open it.
    const counterTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === counterTs.toString());
    await vscode.window.tabGroups.close(counterTabs);
    const clicked = await inPage('a Counter link to click', `(() => { const a = [...document.querySelectorAll('a[data-target]')].find((x) => x.textContent === 'Counter' && x.closest('table')); if (!a) return null; a.click(); return a.title; })()`, { frame: 'webview' });
    const opened = await until('src/counter.ts to open at the class', () => {
      const editor = vscode.window.activeTextEditor;
      return editor && editor.document.uri.toString() === counterTs.toString() && editor.selection.active.line === 2 && editor;
    });
    return { workers: shown.workers, links: shown.links, tables: page.tables, clicked, opened: `${vscode.workspace.asRelativePath(opened.document.uri)}:${opened.selection.active.line + 1}` };
  });

  await check('fix-on-save: with "source.fixAll.dols" in editor.codeActionsOnSave, saving makes stub.fetch("/history") absolute', async () => {
    await vscode.workspace
      .getConfiguration('editor')
      .update('codeActionsOnSave', { 'source.fixAll.dols': 'explicit' }, vscode.ConfigurationTarget.Workspace);
    const editor = await vscode.window.showTextDocument(indexDoc, { viewColumn: vscode.ViewColumn.One, preview: false });
    const before = positionOf(indexDoc, '      return env.CHAT_ROOMS');
    const added = '      await env.CHAT_ROOM.getByName(room).fetch("/history");\n';
    if (!(await editor.edit((b) => b.insert(new vscode.Position(before.line, 0), added)))) throw new Error('the edit failed');
    const finding = await until('relative-stub-fetch-url', () => diagnostics(index).find((d) => codeOf(d) === 'relative-stub-fetch-url'));
    // Its quick fixes end with a suppression and the rule's documentation;
    // the fix-all is in the Source Action… menu (kind `source`).
    const titles = async (range, kind) => (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', index, range, kind)).map((a) => a.title);
    const quick = await titles(finding.range, vscode.CodeActionKind.QuickFix.value);
    for (const wanted of ['Make the URL absolute with the placeholder origin `https://do`', 'Suppress relative-stub-fetch-url on this line', 'Show documentation for relative-stub-fetch-url']) {
      if (!quick.includes(wanted)) throw new Error(`quick fixes ${describe(quick)}`);
    }
    const source = await titles(new vscode.Range(0, 0, 0, 0), vscode.CodeActionKind.Source.value);
    if (!source.includes('Fix all safe dols problems')) throw new Error(`source actions ${describe(source)}`);
    // What Ctrl+S runs, on the active editor.
    await vscode.commands.executeCommand('workbench.action.files.save');
    await until('the document to be saved', () => !indexDoc.isDirty);
    const line = indexDoc.lineAt(before.line).text;
    const onDisk = fs.readFileSync(index.fsPath, 'utf8');
    await vscode.workspace.getConfiguration('editor').update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace);
    if (!line.includes('fetch("https://do/history")')) throw new Error(`after saving: ${line}`);
    if (!onDisk.includes('fetch("https://do/history")')) throw new Error('the file on disk has the old text');
    await until('relative-stub-fetch-url to go away', () => !diagnostics(index).some((d) => codeOf(d) === 'relative-stub-fetch-url'));
    return { finding: `${finding.range.start.line + 1}: ${finding.message.slice(0, 60)}…`, quick, source, saved: line.trim() };
  });

  await check('"Show documentation for RULE": the server asks VS Code to show the rule\'s page (window/showDocument)', async () => {
    const diag = await until('unknown-binding', () => diagnostics(index).find((d) => codeOf(d) === 'unknown-binding'));
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', index, diag.range, vscode.CodeActionKind.QuickFix.value);
    const docs = actions.find((a) => a.title === 'Show documentation for unknown-binding');
    if (!docs || !docs.command) throw new Error(`actions ${describe(actions.map((a) => a.title))}`);
    await vscode.commands.executeCommand(docs.command.command, ...(docs.command.arguments || []));
    // VS Code asks before it opens a website the user has not trusted: the
    // dialog names the rule's page. "Cancel" (the test opens no website).
    const dialog = await inPage('VS Code\'s "open the external website?" dialog', `(() => { const d = document.querySelector('.monaco-dialog-box'); return d && d.textContent.includes('https://github.com/dols-lsp/dols/blob/main/docs/rules/unknown-binding.md') ? d.textContent : null; })()`);
    await inPage('the dialog\'s Cancel button', `(() => { const b = [...document.querySelectorAll('.monaco-dialog-box .monaco-button')].find((x) => x.textContent.trim() === 'Cancel'); if (b) b.click(); return !!b; })()`);
    await inPage('the dialog to close', `!document.querySelector('.monaco-dialog-box')`);
    return { command: docs.command.command, dialog: dialog.replace(/\s+/g, ' ').replace(/^.*?(Do you want)/, '$1') };
  });

  await check('document links in wrangler.jsonc: main → src/index.ts, class_name → the class', async () => {
    const links = await vscode.commands.executeCommand('vscode.executeLinkProvider', config);
    const configDoc = await vscode.workspace.openTextDocument(config);
    const shown = links.map((l) => `${configDoc.getText(l.range)} → ${l.target ? vscode.workspace.asRelativePath(l.target.with({ fragment: '' })) + (l.target.fragment ? '#' + l.target.fragment : '') : '?'}`);
    for (const wanted of ['src/index.ts → src/index.ts#L1,1', 'ChatRoom → src/chat-room.ts#L5,14', 'Counter → src/counter.ts#L3,14']) {
      if (!shown.includes(wanted)) throw new Error(`links ${describe(shown)}`);
    }
    return shown;
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
