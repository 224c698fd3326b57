#!/usr/bin/env python3
"""Checks editors/helix/languages.toml against Helix and against dols.

Helix itself is in no package registry this project can use, so this test
checks what Helix would do with the snippet:

1. The snippet parses (tomllib) and uses only keys Helix knows.
2. Every `[[language]]` is a real Helix language whose `language-servers`
   keeps Helix's defaults next to `dols` (Helix replaces the list instead of
   merging it), and `roots` holds the wrangler config names.
3. `[language-server.dols]` names a command and arguments dols accepts: the
   command is looked up on PATH (a scratch bin folder holding `dols`) and
   run with `--help`; Helix's root search over the snippet's `roots` and
   `required-root-patterns` starts dols at the Worker folder of a scratch
   copy of the demo and nowhere else.
4. The command is then started with exactly those arguments and driven over
   stdio the way Helix does, by `dols-helix-session` (tests/lsp-client/,
   the JSON-RPC client the Rust tests and the benchmark share): Helix's
   initialize capabilities (UTF-8 offered first), Helix's languageIds (from
   the table below), diagnostics, hover and a code action on a line with
   non-ASCII text before the diagnostic, inlay hints at UTF-8 columns, and
   the request Helix's `code-actions-on-save` sends for `source.fixAll.dols`
   (the whole document, `only` that kind). See that program for the checks.

usage: check_helix.py <dols-binary> <languages.toml> <docs/demo> <dols-helix-session>
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from fnmatch import fnmatch
from pathlib import Path

# From Helix 25.07.1's languages.toml (helix-editor/helix, the file at the
# repository root): language name -> (languageId sent to servers, default
# language-servers, default roots). Helix master at the time of writing has
# the same entries for these languages. `tombi` joined `taplo` for TOML in
# 25.07; 25.01 lists only taplo.
HELIX_LANGUAGES = {
    "toml": ("toml", ["taplo", "tombi"], []),
    "json": ("json", ["vscode-json-language-server"], []),
    "jsonc": ("jsonc", ["vscode-json-language-server"], []),
    "typescript": ("typescript", ["typescript-language-server"], ["package.json", "tsconfig.json"]),
    "tsx": ("typescriptreact", ["typescript-language-server"], ["package.json", "tsconfig.json"]),
    "javascript": ("javascript", ["typescript-language-server"], ["package.json", "jsconfig.json"]),
    "jsx": ("javascriptreact", ["typescript-language-server"], ["package.json", "jsconfig.json"]),
}
# Which Helix language a file gets (extension match; Helix 25.07's file-types).
HELIX_FILE_TYPES = {
    ".toml": "toml",
    ".json": "json",
    ".jsonc": "jsonc",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "jsx",
}
# Globs in Helix 25.07's file-types that win over the extension.
HELIX_FILE_GLOBS = {"tsconfig.json": "jsonc", "jsconfig.json": "jsonc"}
# Keys of Helix's LanguageServerConfiguration and the LanguageConfiguration
# keys this snippet may use.
LANGUAGE_SERVER_KEYS = {"command", "args", "environment", "config", "timeout", "required-root-patterns"}
LANGUAGE_KEYS = {"name", "language-servers", "roots"}
WRANGLER_CONFIGS = {"wrangler.toml", "wrangler.json", "wrangler.jsonc"}
# The languages a Worker project needs dols for.
EXPECTED_LANGUAGES = set(HELIX_LANGUAGES)

failures = []
T0 = time.monotonic()


def log(msg):
    print(f"[helix-check {int((time.monotonic() - T0) * 1000):5d} ms] {msg}", file=sys.stderr, flush=True)


def check(ok, what, detail=""):
    log(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f": {detail}"))
    if not ok:
        failures.append(what)
    return ok


def helix_language(path):
    """The Helix language of a file, as Helix 25.07 picks it."""
    return HELIX_FILE_GLOBS.get(path.name) or HELIX_FILE_TYPES.get(path.suffix)


def helix_lsp_root(file, markers, workspace):
    """helix-lsp's find_lsp_workspace: the topmost folder holding a marker, from
    the file's folder up to the workspace (a folder with .git); None if none."""
    top = None
    for folder in [file.parent, *file.parent.parents]:
        if any(fnmatch(entry.name, m) for entry in folder.iterdir() for m in markers):
            top = folder
        if folder == workspace:
            return top or workspace
    return None


def check_snippet(snippet):
    with open(snippet, "rb") as f:
        cfg = tomllib.load(f)
    check(set(cfg) <= {"language-server", "language"}, "only [language-server.*] and [[language]] tables", str(set(cfg)))
    servers = cfg.get("language-server", {})
    check(list(servers) == ["dols"], "one language server, named dols", str(list(servers)))
    dols = servers.get("dols", {})
    check(set(dols) <= LANGUAGE_SERVER_KEYS, "[language-server.dols] uses only keys Helix knows", str(set(dols)))
    check(dols.get("command") == "dols", "command is `dols`", repr(dols.get("command")))
    check(dols.get("args") == ["lsp"], 'args are ["lsp"]', repr(dols.get("args")))
    patterns = dols.get("required-root-patterns", [])
    check(
        set(patterns) == WRANGLER_CONFIGS,
        "required-root-patterns are the wrangler config names",
        repr(patterns),
    )

    names = []
    for lang in cfg.get("language", []):
        name = lang.get("name")
        names.append(name)
        check(set(lang) <= LANGUAGE_KEYS, f"[[language]] {name}: only name, language-servers, roots", str(set(lang)))
        if not check(name in HELIX_LANGUAGES, f"{name!r} is a Helix language"):
            continue
        _, defaults, _ = HELIX_LANGUAGES[name]
        listed = [s if isinstance(s, str) else s.get("name") for s in lang.get("language-servers", [])]
        check("dols" in listed, f"{name}: dols is among its language servers", repr(listed))
        missing = [s for s in defaults if s not in listed]
        check(not missing, f"{name}: Helix's default servers {defaults} stay", f"missing {missing}")
        check(
            set(lang.get("roots", [])) == WRANGLER_CONFIGS,
            f"{name}: roots are the wrangler config names",
            repr(lang.get("roots")),
        )
    check(len(names) == len(set(names)), "no language is listed twice", repr(names))
    check(set(names) == EXPECTED_LANGUAGES, "toml, json, jsonc, typescript, tsx, javascript and jsx are covered",
          f"got {sorted(set(names))}")
    return cfg


def live_check(cfg, binary, demo_src, session):
    dols = cfg["language-server"]["dols"]
    roots_of = {lang["name"]: lang.get("roots", []) for lang in cfg["language"]}
    scratch = Path(tempfile.mkdtemp(prefix="dols-helix-"))
    try:
        # A git workspace with the demo Worker in a subfolder and a stray TS
        # project beside it.
        ws = scratch / "repo"
        (ws / ".git").mkdir(parents=True)
        demo = ws / "workers" / "chat"
        shutil.copytree(demo_src, demo)
        (ws / "tools").mkdir()
        (ws / "tools" / "script.ts").write_text("export const x = 1;\n")
        (ws / "tools" / "tsconfig.json").write_text("{}\n")
        bindir = scratch / "bin"
        bindir.mkdir()
        (bindir / "dols").symlink_to(binary)
        env = dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")

        # The command and arguments as Helix runs them (PATH lookup).
        exe = shutil.which(dols["command"], path=env["PATH"])
        check(exe is not None, f"`{dols['command']}` is found on PATH")
        help_run = subprocess.run([exe, *dols["args"], "--help"], capture_output=True, text=True, env=env)
        check(help_run.returncode == 0 and "language server" in help_run.stdout.lower(),
              f"`dols {' '.join(dols['args'])} --help` accepts the arguments", help_run.stderr.strip())

        # Helix's root search, per file, with the snippet's roots.
        patterns = dols.get("required-root-patterns", [])

        def root_for(file):
            lang = helix_language(file)
            root = helix_lsp_root(file, roots_of.get(lang, []), ws)
            starts = root is not None and any(
                fnmatch(e.name, p) for e in root.iterdir() for p in patterns
            )
            return lang, root, starts

        for rel in ["wrangler.jsonc", "src/index.ts", "package.json", "tsconfig.json"]:
            lang, root, starts = root_for(demo / rel)
            check(root == demo and starts, f"Helix roots {rel} ({lang}) at the Worker folder and starts dols",
                  f"root {root}, starts {starts}")
        for rel in ["tools/script.ts", "tools/tsconfig.json"]:
            lang, root, starts = root_for(ws / rel)
            check(not starts, f"no dols for {rel} ({lang}), outside any Worker", f"root {root}")

        # The session, with the language ids Helix gives the files it opens.
        if exe is None:
            return
        argv = [str(session), "--root", str(demo)]
        for rel in ["wrangler.jsonc", "src/index.ts", "package.json", "tsconfig.json"]:
            argv += ["--language-id", f"{rel}={HELIX_LANGUAGES[helix_language(demo / rel)][0]}"]
        argv += ["--", exe, *dols["args"]]
        log("running dols-helix-session " + " ".join(argv[1:]))
        try:
            rc = subprocess.run(argv, cwd=ws, env=env, timeout=50).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout (50 s)"
        check(rc == 0, "the session dols-helix-session drives as Helix passes", f"exit {rc}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    binary, snippet, demo, session = (Path(a).resolve() for a in sys.argv[1:])
    cfg = check_snippet(snippet)
    if "dols" in cfg.get("language-server", {}) and cfg.get("language"):
        live_check(cfg, binary, demo, session)
    if failures:
        log(f"{len(failures)} check(s) failed: " + "; ".join(failures))
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
