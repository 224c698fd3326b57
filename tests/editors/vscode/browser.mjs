// The browser side of the VS Code end-to-end test: what only the page that
// draws VS Code knows (is an inlay hint drawn? a code lens? does a click on
// a link of the topology webview work?) and screenshots. The driver
// extension (e2e/extension.js) runs in code-server's extension host, which
// cannot see the page; it writes requests into a folder and this script,
// connected to headless Chromium through the DevTools protocol, answers
// them:
//
//   N.req.json  {"op": "eval", "expression": "…", "frame": "webview"?}
//               → {"ok": true, "value": …}: the expression's value in the
//               workbench page, or in each webview frame until one gives a
//               value other than null
//   N.req.json  {"op": "screenshot", "path": "out.png", "selector": "…"?}
//               → a PNG of the page (clipped to the selector's box)
//   N.res.json  the answer, {"ok": false, "error": "…"} on failure
//
// usage: node browser.mjs CHROME_USER_DATA_DIR REQUEST_DIR CODE_SERVER_PORT
// Needs Node 22+ (its WebSocket). Ends when REQUEST_DIR/stop appears or
// after an hour; run.sh also stops it.
import fs from 'node:fs';
import path from 'node:path';

const [userDataDir, dir, csPort] = process.argv.slice(2);
if (!userDataDir || !dir || !csPort) {
  console.error('usage: node browser.mjs CHROME_USER_DATA_DIR REQUEST_DIR CODE_SERVER_PORT');
  process.exit(2);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (msg) => console.log(`[browser ${new Date().toISOString().slice(11, 23)}] ${msg}`);
const end = Date.now() + 3600_000;

/** Chromium writes its DevTools port into the profile once it listens. */
async function devtoolsPort() {
  const file = path.join(userDataDir, 'DevToolsActivePort');
  while (Date.now() < end) {
    try {
      const port = Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
      if (port > 0) return port;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error('Chromium wrote no DevToolsActivePort');
}

/** The page showing code-server. */
async function workbenchTarget(port) {
  while (Date.now() < end) {
    try {
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      const page = targets.find((t) => t.type === 'page' && t.url.includes(`127.0.0.1:${csPort}`));
      if (page) return page;
    } catch {
      // not yet
    }
    await sleep(200);
  }
  throw new Error('no code-server page in Chromium');
}

class Cdp {
  constructor(url) {
    this.next = 1;
    this.pending = new Map();
    this.ws = new WebSocket(url);
    this.ws.onmessage = (event) => {
      const msg = JSON.parse(event.data);
      const waiting = msg.id !== undefined && this.pending.get(msg.id);
      if (!waiting) return;
      this.pending.delete(msg.id);
      if (msg.error) waiting.reject(new Error(`${msg.error.message} ${msg.error.data ?? ''}`.trim()));
      else waiting.resolve(msg.result);
    };
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
  }

  send(method, params = {}) {
    const id = this.next++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`${method} timed out`));
      }, 20_000);
    });
  }
}

async function evaluate(cdp, expression, contextId) {
  const params = { expression, returnByValue: true, awaitPromise: true };
  if (contextId !== undefined) params.contextId = contextId;
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', params);
  if (exceptionDetails) {
    throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
  }
  return result.value === undefined ? null : result.value;
}

/** Every frame below the page (webviews are iframes in iframes). */
function frames(tree, out = []) {
  for (const child of tree.childFrames ?? []) {
    out.push(child.frame);
    frames(child, out);
  }
  return out;
}

async function answer(cdp, req) {
  if (req.op === 'eval') {
    if (req.frame !== 'webview') return evaluate(cdp, req.expression);
    // A webview's page is its own document in a nested frame: evaluate in
    // an isolated world of each frame (same DOM, events reach the page's
    // own listeners) until one answers.
    const { frameTree } = await cdp.send('Page.getFrameTree');
    for (const frame of frames(frameTree)) {
      let world;
      try {
        world = await cdp.send('Page.createIsolatedWorld', { frameId: frame.id, worldName: 'dols-e2e' });
      } catch {
        continue;
      }
      const value = await evaluate(cdp, req.expression, world.executionContextId);
      if (value !== null) return value;
    }
    return null;
  }
  if (req.op === 'screenshot') {
    const params = { format: 'png' };
    if (req.selector) {
      const box = await evaluate(
        cdp,
        `(() => { const r = document.querySelector(${JSON.stringify(req.selector)})?.getBoundingClientRect();
                  return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null; })()`,
      );
      if (!box) throw new Error(`nothing matches ${req.selector}`);
      params.clip = { ...box, scale: 1 };
    }
    const { data } = await cdp.send('Page.captureScreenshot', params);
    fs.writeFileSync(req.path, Buffer.from(data, 'base64'));
    return { path: req.path, bytes: fs.statSync(req.path).size, clip: params.clip ?? null };
  }
  throw new Error(`unknown op ${req.op}`);
}

async function main() {
  fs.mkdirSync(dir, { recursive: true });
  const port = await devtoolsPort();
  const target = await workbenchTarget(port);
  const cdp = new Cdp(target.webSocketDebuggerUrl);
  await cdp.opened;
  await cdp.send('Page.enable');
  await cdp.send('Runtime.enable');
  log(`connected to ${target.url}`);
  const done = new Set();
  while (Date.now() < end && !fs.existsSync(path.join(dir, 'stop'))) {
    for (const name of fs.readdirSync(dir)) {
      if (!name.endsWith('.req.json') || done.has(name)) continue;
      done.add(name);
      const res = path.join(dir, name.replace('.req.json', '.res.json'));
      let out;
      try {
        const req = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
        log(`${name}: ${req.op}${req.selector ? ' ' + req.selector : ''}${req.frame ? ' in ' + req.frame : ''}`);
        out = { ok: true, value: await answer(cdp, req) };
      } catch (err) {
        out = { ok: false, error: String(err && err.message ? err.message : err) };
        log(`${name}: ${out.error}`);
      }
      fs.writeFileSync(res + '.tmp', JSON.stringify(out));
      fs.renameSync(res + '.tmp', res);
    }
    await sleep(50);
  }
  process.exit(0);
}

main().catch((err) => {
  log(`failed: ${err && err.stack ? err.stack : err}`);
  // Every later request fails fast instead of timing out.
  try {
    fs.writeFileSync(path.join(dir, 'broken'), String(err && err.message ? err.message : err));
  } catch {
    // nothing more to do
  }
  process.exit(1);
});
