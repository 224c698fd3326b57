// The dols extension: starts `dols lsp` for wrangler configs and the
// TypeScript/JavaScript of Workers, mirrors the settings to the server, and
// adds commands (restart, output, new Durable Object, topology, and
// `dols.showLocations` for the server's code lenses), the topology webview
// and a status bar item; leaves TOML highlighting to a TOML extension
// (toml.ts). The logic worth testing without VS Code lives in
// serverPath.ts, settings.ts, topology.ts, locations.ts and toml.ts.

import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  CodeLensRequest,
  DidChangeConfigurationNotification,
  DocumentSelector,
  ExecuteCommandRequest,
  InlayHintRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { resolveServer, ServerResolution } from './serverPath';
import {
  didChangeConfigurationParams,
  isIdentifier,
  screamingSnake,
  SERVER_SECTIONS,
  serverSettings,
  ServerSettings,
} from './settings';
import { parseShowLocationsArgs } from './locations';
import { Location as LspLocation, summary, Topology, toHtml, toMarkdown, Worker } from './topology';
import {
  EVEN_BETTER_TOML,
  OFFERED_KEY,
  shouldOffer,
  TOML_LANGUAGE_CONFIGURATION,
  tomlSupport,
  TomlSupport,
} from './toml';

const CONFIG_GLOB = '**/wrangler.{toml,json,jsonc}';
const TOPOLOGY_SCHEME = 'dols-topology';
const TOPOLOGY_URI = vscode.Uri.from({ scheme: TOPOLOGY_SCHEME, path: '/Durable Objects topology.md' });
const TOPOLOGY_VIEW = 'dols.topology';

/** Wrangler configs by name (whatever their language), and every TS/JS file. */
export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', language: 'toml', pattern: '**/wrangler.toml' },
  { scheme: 'file', language: 'json', pattern: '**/wrangler.json' },
  { scheme: 'file', language: 'jsonc', pattern: '**/wrangler.{json,jsonc}' },
  { scheme: 'file', language: 'typescript' },
  { scheme: 'file', language: 'typescriptreact' },
  { scheme: 'file', language: 'javascript' },
  { scheme: 'file', language: 'javascriptreact' },
];

/** What the extension exports to other extensions (and its end-to-end test). */
export interface DolsApi {
  client(): LanguageClient | undefined;
  serverPath(): string | undefined;
  /** The status bar text, and every text it showed, oldest first. */
  status(): string;
  statusHistory(): string[];
  topology(): Promise<Topology | undefined>;
  /** Who highlights and configures TOML, whether dols set its own rules, whether it offered a TOML extension. */
  toml(): TomlSupport & { ownConfiguration: boolean; offered: boolean };
  /** The topology webview's page and where its links lead, while it is open. */
  topologyView(): { html: string; targets: LspLocation[]; visible: boolean } | undefined;
}

/** What `dols.showTopology` returns (for the end-to-end test). */
export interface ShownTopology {
  /** The Markdown document behind "Open as Markdown". */
  uri: string;
  markdown: string;
  html: string;
  links: number;
  workers: number;
}

interface NewObjectArgs {
  worker?: string;
  className?: string;
  binding?: string;
}

class Dols implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private resolved: ServerResolution | undefined;
  private readonly output = vscode.window.createOutputChannel('dols');
  private readonly status = vscode.window.createStatusBarItem('dols.status', vscode.StatusBarAlignment.Left, 0);
  private readonly topologyChanged = new vscode.EventEmitter<vscode.Uri>();
  private topologyMarkdown = '# Durable Objects topology\n\nRun "dols: Show Durable Objects topology".\n';
  private topologyPanel: vscode.WebviewPanel | undefined;
  private topologyTargets: LspLocation[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly statusHistory: string[] = [];
  /** The "not found" message was shown; later automatic starts only log. */
  private reportedMissing = false;
  private readonly toml: TomlCoexistence;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.status.name = 'dols';
    this.toml = new TomlCoexistence(context, this.output);
    this.disposables.push(
      this.output,
      this.toml,
      this.status,
      this.topologyChanged,
      vscode.workspace.registerTextDocumentContentProvider(TOPOLOGY_SCHEME, {
        onDidChange: this.topologyChanged.event,
        provideTextDocumentContent: () => this.topologyMarkdown,
      }),
      vscode.commands.registerCommand('dols.restartServer', () => this.restart()),
      vscode.commands.registerCommand('dols.showOutput', () => this.output.show(true)),
      // Also the command of the server's "topology" code lens (no arguments).
      vscode.commands.registerCommand('dols.showTopology', () => this.showTopology()),
      // The command of the server's other code lenses: [uri, position, locations].
      vscode.commands.registerCommand('dols.showLocations', (...args: unknown[]) => this.showLocations(args)),
      vscode.commands.registerCommand('dols.createDurableObject', (args?: NewObjectArgs) => this.createDurableObject(args)),
      vscode.workspace.onDidChangeConfiguration((e) => this.configurationChanged(e)),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (vscode.languages.match(DOCUMENT_SELECTOR, doc) > 0) this.scheduleRefresh();
      }),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(CONFIG_GLOB);
    const configsChanged = () => {
      if (this.client) this.scheduleRefresh();
      else void this.startIfWorkers();
    };
    watcher.onDidCreate(configsChanged);
    watcher.onDidChange(configsChanged);
    watcher.onDidDelete(configsChanged);
    this.disposables.push(watcher);
  }

  api(): DolsApi {
    return {
      client: () => this.client,
      serverPath: () => (this.resolved?.ok ? this.resolved.path : undefined),
      status: () => this.status.text,
      statusHistory: () => [...this.statusHistory],
      topology: () => this.fetchTopology(),
      toml: () => this.toml.state(),
      topologyView: () =>
        this.topologyPanel && {
          html: this.topologyPanel.webview.html,
          targets: [...this.topologyTargets],
          visible: this.topologyPanel.visible,
        },
    };
  }

  /** Starts the server when the workspace holds a wrangler config. */
  startIfWorkers(): Promise<void> {
    if (this.client || this.starting) return this.starting ?? Promise.resolve();
    return this.track(async () => {
      const found = await vscode.workspace.findFiles(CONFIG_GLOB, '**/node_modules/**', 1);
      if (found.length === 0 && !this.activeDocumentIsConfig()) {
        this.output.appendLine('dols: no wrangler config in the workspace; the server starts when one appears.');
        return;
      }
      await this.doStart();
    });
  }

  /** Runs a start-up; requests wait for it through `starting`. */
  private track(run: () => Promise<void>): Promise<void> {
    const starting = run().finally(() => {
      if (this.starting === starting) this.starting = undefined;
    });
    this.starting = starting;
    return starting;
  }

  private activeDocumentIsConfig(): boolean {
    const doc = vscode.window.activeTextEditor?.document;
    return doc !== undefined && /(^|[\\/])wrangler\.(toml|json|jsonc)$/.test(doc.fileName);
  }

  /** `dols.inlayHints.enabled` / `dols.codeLens.enabled` (default on). */
  private enabled(feature: 'inlayHints' | 'codeLens'): boolean {
    return vscode.workspace.getConfiguration('dols').get<boolean>(`${feature}.enabled`, true) !== false;
  }

  private settings(): ServerSettings {
    const config = vscode.workspace.getConfiguration('dols');
    return serverSettings(config.get('rules'), config.get('exclude'));
  }

  private resolve(): ServerResolution {
    const configured = vscode.workspace.getConfiguration('dols').get<string>('server.path');
    return resolveServer({
      configured,
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      envPath: process.env.PATH,
      pathExt: process.env.PATHEXT,
      home: os.homedir(),
      isExecutable: (file) => {
        try {
          if (!fs.statSync(file).isFile()) return false;
          if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
          return true;
        } catch {
          return false;
        }
      },
    });
  }

  /** `explicit`: the user asked (restart), so a missing server is shown again. */
  private async doStart(explicit = false): Promise<void> {
    this.resolved = this.resolve();
    if (!this.resolved.ok) {
      this.output.appendLine(this.resolved.message);
      this.output.appendLine(`Looked for: ${this.resolved.tried.join(', ') || '(nothing)'}`);
      this.setStatus('$(error) dols', 'dols: server not found. Click for details.', 'dols.showOutput');
      if (explicit || !this.reportedMissing) {
        this.reportedMissing = true;
        void this.notFound(this.resolved.message);
      }
      return;
    }
    const executable = { command: this.resolved.path, args: ['lsp'], transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run: executable, debug: executable };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      diagnosticCollectionName: 'dols',
      initializationOptions: this.settings(),
      // dols's own switches; VS Code's `editor.inlayHints.enabled` and
      // `editor.codeLens` still apply on top of them.
      middleware: {
        provideInlayHints: (document, range, token, next) => (this.enabled('inlayHints') ? next(document, range, token) : []),
        provideCodeLenses: (document, token, next) => (this.enabled('codeLens') ? next(document, token) : []),
      },
    };
    this.output.appendLine(`dols: starting ${this.resolved.path} lsp (${this.resolved.source})`);
    const client = new LanguageClient('dols', 'dols', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped && this.client === client) {
        this.setStatus('$(circle-slash) dols', 'dols: the server stopped. Click to restart.', 'dols.restartServer');
      }
    });
    this.client = client;
    this.setStatus('$(sync~spin) dols: indexing…', 'dols is indexing the workspace', 'dols.showOutput');
    try {
      await client.start();
    } catch (err) {
      this.output.appendLine(`dols: the server did not start: ${message(err)}`);
      this.setStatus('$(error) dols', 'dols: the server did not start. Click for the output.', 'dols.showOutput');
      return;
    }
    // The request waits for the first index: the status says "indexing"
    // until it is answered.
    void this.refresh(false);
  }

  private async notFound(text: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(text, 'Open Settings', 'Show Output');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'dols.server.path');
    } else if (choice === 'Show Output') {
      this.output.show(true);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.appendLine(`dols: stopping the server: ${message(err)}`);
      }
      await client.dispose().catch(() => undefined);
    }
  }

  async restart(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.track(async () => {
      await this.stop();
      await this.doStart(true);
    });
  }

  private configurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (e.affectsConfiguration('dols.server.path')) {
      void this.restart();
      return;
    }
    if (e.affectsConfiguration('dols.inlayHints.enabled') || e.affectsConfiguration('dols.codeLens.enabled')) {
      this.refreshEditorFeatures();
    }
    if (SERVER_SECTIONS.some((s) => e.affectsConfiguration(s)) && this.client?.isRunning()) {
      void this.client.sendNotification(DidChangeConfigurationNotification.type, didChangeConfigurationParams(this.settings()));
      this.scheduleRefresh();
    }
  }

  /** Asks VS Code for dols's inlay hints and code lenses again (a switch changed). */
  private refreshEditorFeatures(): void {
    const client = this.client;
    if (!client?.isRunning()) return;
    const hints = client.getFeature(InlayHintRequest.method);
    const lenses = client.getFeature(CodeLensRequest.method);
    const seen = new Set<string>();
    for (const editor of vscode.window.visibleTextEditors) {
      const doc = editor.document;
      if (seen.has(doc.uri.toString())) continue;
      seen.add(doc.uri.toString());
      hints.getProvider(doc)?.onDidChangeInlayHints.fire();
      lenses.getProvider(doc)?.onDidChangeCodeLensEmitter.fire();
    }
  }

  /**
   * `dols.showLocations` (a code lens: the bindings of a class, the
   * migration creating it, its stub calls): the places in VS Code's
   * references peek at the lens.
   */
  private async showLocations(args: unknown[]): Promise<{ uri: vscode.Uri; position: vscode.Position; locations: vscode.Location[] } | undefined> {
    const parsed = parseShowLocationsArgs(args);
    if (typeof parsed === 'string') {
      this.output.appendLine(`dols: dols.showLocations: ${parsed}: ${JSON.stringify(args)}`);
      void vscode.window.showErrorMessage(`dols: cannot show these locations (${parsed}).`);
      return undefined;
    }
    const convert = this.client?.protocol2CodeConverter;
    const uri = convert ? convert.asUri(parsed.uri) : vscode.Uri.parse(parsed.uri);
    const position = convert
      ? convert.asPosition(parsed.position)
      : new vscode.Position(parsed.position.line, parsed.position.character);
    const locations = parsed.locations.map((l) => (convert ? convert.asLocation(l) : asLocation(l)));
    if (locations.length === 0) {
      void vscode.window.showInformationMessage('dols: nothing to show.');
    } else {
      await vscode.commands.executeCommand('editor.action.showReferences', uri, position, locations);
    }
    return { uri, position, locations };
  }

  private setStatus(text: string, tooltip: string, command: string): void {
    this.status.text = text;
    if (this.statusHistory[this.statusHistory.length - 1] !== text) this.statusHistory.push(text);
    this.status.tooltip = tooltip;
    this.status.command = command;
    this.status.show();
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), 500);
  }

  /** `dols/topology`; `wait`: first let a start-up under way finish. */
  private async fetchTopology(wait = true): Promise<Topology | undefined> {
    if (wait) await this.starting?.catch(() => undefined);
    const client = this.client;
    if (!client || !client.isRunning()) return undefined;
    return client.sendRequest<Topology>('dols/topology', {});
  }

  /** Fetches the topology for the status item and an open topology document. */
  private async refresh(wait = true): Promise<Topology | undefined> {
    let topology: Topology | undefined;
    try {
      topology = await this.fetchTopology(wait);
    } catch (err) {
      this.output.appendLine(`dols: dols/topology failed: ${message(err)}`);
      return undefined;
    }
    if (!topology) return undefined;
    const workers = topology.workers.length;
    this.setStatus(
      `$(symbol-class) dols: ${workers} Worker${workers === 1 ? '' : 's'}`,
      `dols: ${summary(topology)}. Click for the Durable Objects topology.`,
      'dols.showTopology',
    );
    this.topologyMarkdown = toMarkdown(topology, describe);
    this.topologyChanged.fire(TOPOLOGY_URI);
    if (this.topologyPanel) this.renderTopology(this.topologyPanel, topology);
    return topology;
  }

  private renderTopology(panel: vscode.WebviewPanel, topology: Topology): void {
    const page = toHtml(topology, describe, crypto.randomBytes(16).toString('hex'));
    this.topologyTargets = page.targets;
    panel.webview.html = page.html;
  }

  /** The topology webview, created on first use and revealed after. */
  private topologyView(): vscode.WebviewPanel {
    if (this.topologyPanel) {
      this.topologyPanel.reveal(undefined, false);
      return this.topologyPanel;
    }
    const panel = vscode.window.createWebviewPanel(
      TOPOLOGY_VIEW,
      'Durable Objects topology',
      { viewColumn: vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: false },
      { enableScripts: true, enableFindWidget: true, localResourceRoots: [] },
    );
    panel.onDidDispose(() => {
      if (this.topologyPanel === panel) this.topologyPanel = undefined;
    });
    panel.webview.onDidReceiveMessage((msg: { type?: unknown; target?: unknown }) => {
      if (msg?.type === 'open' && typeof msg.target === 'number') {
        void this.openTopologyTarget(panel, msg.target);
      } else if (msg?.type === 'markdown') {
        void this.showTopologyMarkdown();
      }
    });
    this.topologyPanel = panel;
    return panel;
  }

  /** A link of the topology page: the file at the place, beside the page. */
  private async openTopologyTarget(panel: vscode.WebviewPanel, index: number): Promise<void> {
    const target = this.topologyTargets[index];
    if (!target) return;
    const location = asLocation(target);
    const column = panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    try {
      await vscode.window.showTextDocument(location.uri, { selection: location.range, viewColumn: column, preview: true });
    } catch (err) {
      this.output.appendLine(`dols: opening ${target.uri}: ${message(err)}`);
      void vscode.window.showErrorMessage(`dols: cannot open ${describe(target.uri)}: ${message(err)}`);
    }
  }

  /** The topology as a read-only Markdown document and its preview (which draws the diagram with a Mermaid extension). */
  private async showTopologyMarkdown(): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(TOPOLOGY_URI);
    if (doc.languageId !== 'markdown') await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', TOPOLOGY_URI);
    } catch (err) {
      this.output.appendLine(`dols: no Markdown preview: ${message(err)}`);
    }
  }

  /** Opens (or refreshes and reveals) the topology webview. */
  private async showTopology(): Promise<ShownTopology | undefined> {
    if (!this.client) await this.startIfWorkers();
    const topology = await this.refresh();
    if (!topology) {
      void vscode.window.showErrorMessage('dols: the server is not running; see "dols: Show output".');
      return undefined;
    }
    const panel = this.topologyView();
    this.renderTopology(panel, topology);
    return {
      uri: TOPOLOGY_URI.toString(),
      markdown: this.topologyMarkdown,
      html: panel.webview.html,
      links: this.topologyTargets.length,
      workers: topology.workers.length,
    };
  }

  /** Asks for the Worker, class and binding, then runs the server's `dols.newDurableObject`. */
  private async createDurableObject(args?: NewObjectArgs): Promise<{ className: string; binding: string; file?: string } | undefined> {
    if (!this.client) await this.startIfWorkers();
    const client = this.client;
    const topology = await this.fetchTopology().catch(() => undefined);
    if (!client || !topology) {
      this.output.appendLine(`dols: New Durable Object: no server (${client ? 'no topology' : 'no client'})`);
      void vscode.window.showErrorMessage('dols: the server is not running; see "dols: Show output".');
      return undefined;
    }
    const worker = args?.worker ?? (await this.pickWorker(topology.workers.filter((w) => !w.testHarness)));
    if (!worker) return undefined;
    const identifier = (value: string) =>
      isIdentifier(value.trim()) ? undefined : 'Letters, digits, _ or $, not starting with a digit.';
    const className =
      args?.className ??
      (await vscode.window.showInputBox({
        title: 'New Durable Object',
        prompt: 'Class name',
        placeHolder: 'ChatRoom',
        validateInput: identifier,
      }))?.trim();
    if (!className) return undefined;
    // Called with a class name (a keybinding, another extension): no
    // prompt, the binding defaults as the server would name it.
    const binding =
      args?.binding ??
      (args?.className ? screamingSnake(className) : undefined) ??
      (await vscode.window.showInputBox({
        title: 'New Durable Object',
        prompt: `Binding name (env.NAME) for ${className}`,
        value: screamingSnake(className),
        validateInput: identifier,
      }))?.trim();
    if (!binding) return undefined;
    try {
      await client.sendRequest(ExecuteCommandRequest.type, {
        command: 'dols.newDurableObject',
        arguments: [{ worker, className, binding }],
      });
    } catch (err) {
      this.output.appendLine(`dols: dols.newDurableObject ${className}: ${message(err)}`);
      void vscode.window.showErrorMessage(`dols: ${message(err)}`);
      return undefined;
    }
    const after = await this.refresh();
    const created = after?.workers.find((w) => w.config === worker)?.classes.find((c) => c.name === className);
    if (created) {
      const range = new vscode.Range(
        created.location.range.start.line,
        created.location.range.start.character,
        created.location.range.end.line,
        created.location.range.end.character,
      );
      await vscode.window.showTextDocument(vscode.Uri.parse(created.location.uri), { selection: range });
    }
    return { className, binding, file: created?.location.uri };
  }

  /** The Worker's config URI: the only one, or the user's pick (the active file's Worker first). */
  private async pickWorker(workers: Worker[]): Promise<string | undefined> {
    if (workers.length === 0) {
      void vscode.window.showErrorMessage('dols: no Worker in this workspace (no wrangler.toml, wrangler.json or wrangler.jsonc).');
      return undefined;
    }
    if (workers.length === 1) return workers[0].config;
    const active = vscode.window.activeTextEditor?.document.uri.toString() ?? '';
    const folder = (config: string) => config.slice(0, config.lastIndexOf('/') + 1);
    const ranked = [...workers].sort((a, b) => {
      const inA = active.startsWith(folder(a.config)) ? folder(a.config).length : 0;
      const inB = active.startsWith(folder(b.config)) ? folder(b.config).length : 0;
      return inB - inA;
    });
    const picked = await vscode.window.showQuickPick(
      ranked.map((w) => ({ label: w.name ?? describe(w.config), description: describe(w.config), config: w.config })),
      { title: 'New Durable Object', placeHolder: 'Which Worker runs the new class?' },
    );
    return picked?.config;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.topologyPanel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * dols contributes no TOML grammar (see toml.ts). While no other extension
 * configures `toml`, it sets the comment and bracket rules; while none
 * highlights it, it offers Even Better TOML once, when a wrangler.toml is
 * shown. Both follow extensions being installed or removed.
 */
class TomlCoexistence implements vscode.Disposable {
  private support: TomlSupport = { grammar: [], configuration: [] };
  private ownConfiguration: vscode.Disposable | undefined;
  private offering = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
  ) {
    this.update();
    this.disposables.push(
      vscode.extensions.onDidChange(() => this.update()),
      vscode.window.onDidChangeActiveTextEditor((editor) => void this.maybeOffer(editor?.document)),
    );
    void this.maybeOffer(vscode.window.activeTextEditor?.document);
  }

  state(): TomlSupport & { ownConfiguration: boolean; offered: boolean } {
    return {
      ...this.support,
      ownConfiguration: this.ownConfiguration !== undefined,
      offered: this.context.globalState.get<boolean>(OFFERED_KEY) === true,
    };
  }

  private update(): void {
    this.support = tomlSupport(vscode.extensions.all, this.context.extension.id);
    if (this.support.configuration.length === 0 && !this.ownConfiguration) {
      this.ownConfiguration = vscode.languages.setLanguageConfiguration('toml', TOML_LANGUAGE_CONFIGURATION);
    } else if (this.support.configuration.length > 0 && this.ownConfiguration) {
      this.ownConfiguration.dispose();
      this.ownConfiguration = undefined;
    }
  }

  private async maybeOffer(doc: vscode.TextDocument | undefined): Promise<void> {
    if (!doc || this.offering || doc.uri.scheme !== 'file') return;
    if (!shouldOffer(doc.fileName, doc.languageId, this.support, this.state().offered)) return;
    this.offering = true;
    await this.context.globalState.update(OFFERED_KEY, true);
    this.output.appendLine(`dols: no extension highlights TOML; offering ${EVEN_BETTER_TOML} (asked once).`);
    const install = 'Install Even Better TOML';
    const choice = await vscode.window.showInformationMessage(
      'dols checks wrangler.toml but does not highlight TOML, and no installed extension does. Install Even Better TOML for highlighting?',
      install,
      'Not now',
    );
    if (choice !== install) return;
    try {
      await vscode.commands.executeCommand('workbench.extensions.installExtension', EVEN_BETTER_TOML);
    } catch (err) {
      this.output.appendLine(`dols: installing ${EVEN_BETTER_TOML}: ${message(err)}`);
      void vscode.window.showErrorMessage(`dols: could not install Even Better TOML: ${message(err)}`);
    }
  }

  dispose(): void {
    this.ownConfiguration?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function describe(uri: string): string {
  return vscode.workspace.asRelativePath(vscode.Uri.parse(uri), vscode.workspace.workspaceFolders !== undefined && vscode.workspace.workspaceFolders.length > 1);
}

function asLocation(l: LspLocation): vscode.Location {
  const { start, end } = l.range;
  return new vscode.Location(vscode.Uri.parse(l.uri), new vscode.Range(start.line, start.character, end.line, end.character));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

let dols: Dols | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<DolsApi> {
  dols = new Dols(context);
  context.subscriptions.push(dols);
  // Not awaited: activation stays quick; requests wait for the start-up.
  void dols.startIfWorkers();
  return dols.api();
}

export async function deactivate(): Promise<void> {
  await dols?.stop();
}
