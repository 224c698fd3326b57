// Packages the extension into a .vsix, offline:
//   node scripts/package.mjs [--out dols.vsix] [--binary path/to/dols] [--no-server]
// Copies a dols binary into server/<platform>-<arch>/ (the extension runs it
// when `dols.server.path` is not set), then runs `vsce package
// --no-dependencies` (the extension is one esbuild bundle) with the matching
// `--target`, so the .vsix is platform-specific. The binary comes from
// --binary, else $DOLS_BINARY, else ../../target/release/dols; without one
// (or with --no-server) the .vsix carries no server and uses `dols` on PATH.
// $DOLS_SERVER_TARGET (e.g. linux-arm64) names the platform of a
// cross-built binary.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = path.resolve(option('--out') ?? path.join(here, 'dols.vsix'));
const noServer = args.includes('--no-server');
const binary = option('--binary') ?? process.env.DOLS_BINARY ?? path.join(here, '..', '..', 'target', 'release', 'dols');

// Node's platform-arch → VS Code's target names.
const platformTarget = process.env.DOLS_SERVER_TARGET ?? `${process.platform}-${process.arch}`;
const vsceTargets = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-arm': 'linux-armhf',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

const serverDir = path.join(here, 'server');
fs.rmSync(serverDir, { recursive: true, force: true });
const vsceArgs = ['package', '--no-dependencies', '--skip-license', '--out', out];
if (!noServer && fs.existsSync(binary)) {
  const exe = platformTarget.startsWith('win32') ? 'dols.exe' : 'dols';
  const dest = path.join(serverDir, platformTarget, exe);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(binary, dest);
  fs.chmodSync(dest, 0o755);
  console.log(`package: bundled ${binary} as server/${platformTarget}/${exe}`);
  const target = vsceTargets[platformTarget];
  if (target) vsceArgs.push('--target', target);
} else {
  console.log(noServer ? 'package: no server bundled (--no-server)' : `package: no server bundled (${binary} not found); the extension will use dols.server.path or dols on PATH`);
}
const vsce = path.join(here, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
execFileSync(vsce, vsceArgs, { cwd: here, stdio: 'inherit' });
