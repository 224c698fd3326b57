#!/usr/bin/env node
// Launcher for the dols binary. npm installs the binary for this machine
// as one optional dependency of this package (`@dols/<os>-<cpu>`, which
// declares `os`, `cpu` and `libc`, so npm skips the others); this script
// finds it and runs it with the same arguments, standard streams and exit
// status. DOLS_BINARY overrides the binary's path.
"use strict";

const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");

const platform = `${process.platform}-${process.arch}`;
const packageName = `@dols/${platform}`;
const executable = process.platform === "win32" ? "dols.exe" : "dols";

function fail(message) {
  process.stderr.write(`dols: ${message}\n`);
  // 2 is dols's status for usage and internal errors: never mistaken for
  // "the check found errors" (1).
  process.exit(2);
}

function supportedPlatforms() {
  try {
    const manifest = require("../package.json");
    return Object.keys(manifest.optionalDependencies || {})
      .map((name) => name.replace(/^@dols\//, ""))
      .join(", ");
  } catch (_) {
    return "unknown";
  }
}

function findBinary() {
  if (process.env.DOLS_BINARY) {
    return process.env.DOLS_BINARY;
  }
  let folder;
  try {
    folder = path.dirname(require.resolve(`${packageName}/package.json`));
  } catch (_) {
    fail(
      `no dols binary for this platform (${platform}): the package ${packageName} is not installed.\n` +
        `npm installs it along with \`dols\` as an optional dependency; it is missing when optional\n` +
        `dependencies were omitted (--omit=optional, --no-optional), when the lockfile was made on\n` +
        `another platform, or when no binary is published for ${platform}.\n` +
        `Binaries: ${supportedPlatforms()}. Install both packages in one command (npm install -g\n` +
        `dols-<version>.tgz dols-${platform}-<version>.tgz, as scripts/release.sh builds them), build\n` +
        `from source (cargo install --locked --path server --bin dols, in a dols checkout), or set\n` +
        `DOLS_BINARY to a dols executable.`,
    );
  }
  return path.join(folder, "bin", executable);
}

const binary = findBinary();
if (!fs.existsSync(binary)) {
  fail(`${binary} does not exist; reinstall ${packageName}`);
}
if (process.platform !== "win32") {
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch (_) {
    // Some package managers and archive tools drop the executable bit.
    try {
      fs.chmodSync(binary, 0o755);
    } catch (err) {
      fail(`${binary} is not executable and cannot be made so: ${err.message}`);
    }
  }
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });

// Pass termination requests on, so that an editor stopping `dols lsp`
// through this launcher stops the server too.
const forwarded = ["SIGINT", "SIGTERM", "SIGHUP"];
for (const signal of forwarded) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  });
}

child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so the caller sees what the binary saw.
    for (const s of forwarded) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    // Signals Node ignores or handles: exit as a shell reports them.
    const number = require("os").constants.signals[signal] || 0;
    setTimeout(() => process.exit(128 + number), 100);
    return;
  }
  process.exit(code === null ? 2 : code);
});
