// Where the dols binary comes from, in order: the `dols.server.path`
// setting, the binary bundled in the extension for this platform
// (server/<platform>-<arch>/dols, copied in at package time), `dols` on
// PATH. Pure: every file system question goes through `isExecutable`, so
// the order is unit-tested without VS Code.

import * as path from 'path';

export interface ServerLookup {
  /** `dols.server.path` (empty or undefined: not set). */
  configured?: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
  /** The extension's install folder. */
  extensionPath: string;
  platform: NodeJS.Platform;
  arch: string;
  /** The PATH environment variable. */
  envPath?: string;
  /** PATHEXT on Windows. */
  pathExt?: string;
  home?: string;
  isExecutable(file: string): boolean;
}

export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerResolution =
  | { ok: true; path: string; source: ServerSource }
  | { ok: false; message: string; tried: string[] };

export const INSTALL_HINT =
  'Install the .vsix that bundles dols (scripts/release.sh in a clone of the dols repository builds it), ' +
  'put dols on PATH (`cargo install --locked --path server --bin dols` in that clone, or the release tarball), ' +
  'or set `dols.server.path` to the binary.';

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** `dols.server.path` with `~`, `${userHome}` and `${workspaceFolder}` expanded, made absolute. */
export function expandConfigured(raw: string, lookup: ServerLookup): string {
  const p = pathApi(lookup.platform);
  let value = raw.trim();
  if (lookup.home) {
    value = value.replace(/\$\{userHome\}/g, lookup.home);
    if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) {
      value = lookup.home + value.slice(1);
    }
  }
  if (lookup.workspaceFolder) {
    value = value.replace(/\$\{workspaceFolder\}/g, lookup.workspaceFolder);
    if (!p.isAbsolute(value)) {
      value = p.join(lookup.workspaceFolder, value);
    }
  }
  return p.normalize(value);
}

export function bundledPath(lookup: ServerLookup): string {
  const p = pathApi(lookup.platform);
  const exe = lookup.platform === 'win32' ? 'dols.exe' : 'dols';
  return p.join(lookup.extensionPath, 'server', `${lookup.platform}-${lookup.arch}`, exe);
}

/** Every `dols` candidate on PATH, in PATH order. */
export function pathCandidates(lookup: ServerLookup): string[] {
  const p = pathApi(lookup.platform);
  const delimiter = lookup.platform === 'win32' ? ';' : ':';
  const names =
    lookup.platform === 'win32'
      ? (lookup.pathExt ?? '.EXE;.CMD;.BAT')
          .split(';')
          .filter((e) => e.length > 0)
          .map((e) => 'dols' + e.toLowerCase())
      : ['dols'];
  const dirs = (lookup.envPath ?? '').split(delimiter).filter((d) => d.length > 0);
  return dirs.flatMap((dir) => names.map((name) => p.join(dir, name)));
}

export function resolveServer(lookup: ServerLookup): ServerResolution {
  const configured = lookup.configured?.trim();
  if (configured) {
    const file = expandConfigured(configured, lookup);
    if (lookup.isExecutable(file)) {
      return { ok: true, path: file, source: 'setting' };
    }
    // An explicit setting that points nowhere is a mistake to report, not
    // a reason to run some other dols.
    return {
      ok: false,
      message: `dols: \`dols.server.path\` is set to ${file}, which is not an executable file. Fix the setting or clear it to use the bundled binary or \`dols\` on PATH.`,
      tried: [file],
    };
  }
  const tried: string[] = [];
  const bundled = bundledPath(lookup);
  tried.push(bundled);
  if (lookup.isExecutable(bundled)) {
    return { ok: true, path: bundled, source: 'bundled' };
  }
  for (const candidate of pathCandidates(lookup)) {
    tried.push(candidate);
    if (lookup.isExecutable(candidate)) {
      return { ok: true, path: candidate, source: 'path' };
    }
  }
  return {
    ok: false,
    message: `dols: the language server binary was not found (no binary bundled for ${lookup.platform}-${lookup.arch}, no \`dols\` on PATH). ${INSTALL_HINT}`,
    tried,
  };
}
