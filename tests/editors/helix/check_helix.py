#!/usr/bin/env python3
"""Checks editors/helix/languages.toml against Helix and against dols.

Helix itself is in no package registry this project can use, so this test
checks what Helix would do with the snippet:

1. The snippet parses (tomllib) and uses only keys Helix knows.
2. Every `[[language]]` is a real Helix language whose `language-servers`
   keeps Helix's defaults next to `dols` (Helix replaces the list instead of
   merging it), and `roots` holds the wrangler config names.
3. `[language-server.dols]` names a command and arguments dols accepts: the
   command is looked up on PATH (a scratch bin folder holding `dols`), run
   with `--help`, then started with exactly those arguments and driven over
   stdio the way Helix does: Helix's root search over the snippet's `roots`,
   `required-root-patterns`, Helix's initialize capabilities (UTF-8 offered
   first), Helix's languageIds, diagnostics, hover and a code action on a
   line with non-ASCII text before the diagnostic, inlay hints at UTF-8
   columns, and the request Helix's `code-actions-on-save` sends for
   `source.fixAll.dols` (the whole document, `only` that kind).

usage: check_helix.py <dols-binary> <languages.toml> <docs/demo>
"""

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

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

# Helix's initialize capabilities (helix-lsp/src/client.rs, 25.07), the parts
# that change what a server may send.
HELIX_CAPABILITIES = {
    "workspace": {
        "configuration": True,
        "didChangeConfiguration": {"dynamicRegistration": False},
        "workspaceFolders": True,
        "applyEdit": True,
        "executeCommand": {"dynamicRegistration": False},
        "workspaceEdit": {
            "documentChanges": True,
            "resourceOperations": ["create", "rename", "delete"],
            "failureHandling": "abort",
            "normalizesLineEndings": False,
        },
        "didChangeWatchedFiles": {"dynamicRegistration": True, "relativePatternSupport": True},
        "diagnostic": {"refreshSupport": True},
    },
    "textDocument": {
        "completion": {
            "completionItem": {
                "snippetSupport": True,
                "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]},
                "insertReplaceSupport": True,
                "deprecatedSupport": True,
                "tagSupport": {"valueSet": [1]},
            },
            "completionItemKind": {},
        },
        "hover": {"contentFormat": ["markdown"]},
        "rename": {"dynamicRegistration": False, "prepareSupport": True, "honorsChangeAnnotations": False},
        "codeAction": {
            "codeActionLiteralSupport": {
                "codeActionKind": {
                    "valueSet": [
                        "",
                        "quickfix",
                        "refactor",
                        "refactor.extract",
                        "refactor.inline",
                        "refactor.rewrite",
                        "source",
                        "source.organizeImports",
                        "source.fixAll",
                    ]
                }
            },
            "isPreferredSupport": True,
            "disabledSupport": True,
            "dataSupport": True,
            "resolveSupport": {"properties": ["edit", "command"]},
        },
        "diagnostic": {"dynamicRegistration": False, "relatedDocumentSupport": True},
        "inlayHint": {"dynamicRegistration": False},
        "publishDiagnostics": {"versionSupport": True, "tagSupport": {"valueSet": [1, 2]}},
    },
    "window": {
        "showMessage": {"messageActionItem": {"additionalPropertiesSupport": True}},
        "workDoneProgress": True,
        "showDocument": {"support": True},
    },
    "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
}

failures = []
T0 = time.monotonic()


def log(msg):
    print(f"[helix-check {int((time.monotonic() - T0) * 1000):5d} ms] {msg}", file=sys.stderr, flush=True)


def check(ok, what, detail=""):
    log(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f": {detail}"))
    if not ok:
        failures.append(what)
    return ok


def uri(path):
    return "file://" + quote(str(path))


def path_of(u):
    return Path(unquote(urlparse(u).path))


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


class Server:
    """A minimal LSP client over stdio that answers server requests like Helix."""

    def __init__(self, argv, cwd, env):
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.next_id = 0
        self.responses = {}
        self.notifications = queue.Queue()
        self.lock = threading.Condition()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr.append(line.decode(errors="replace"))

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self.lock:
                        self.lock.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            msg = json.loads(out.read(length))
            if "method" in msg and "id" in msg:
                self._answer(msg)
            elif "method" in msg:
                self.notifications.put(msg)
            else:
                with self.lock:
                    self.responses[msg["id"]] = msg
                    self.lock.notify_all()

    def _answer(self, msg):
        # Helix answers these; dols must not need anything else from us.
        method = msg["method"]
        if method == "workspace/configuration":
            result = [None for _ in msg["params"].get("items", [])]
        elif method in ("client/registerCapability", "client/unregisterCapability", "window/workDoneProgress/create"):
            result = None
        elif method == "workspace/applyEdit":
            result = {"applied": False}
        else:
            check(False, f"server sent only requests Helix handles (got {method})")
            self._send({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32601, "message": "unknown"}})
            return
        self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})

    def request(self, method, params, timeout=20):
        self.next_id += 1
        rid = self.next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.lock:
            while rid not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"no answer to {method} (server exit: {self.proc.poll()})")
                self.lock.wait(left)
            msg = self.responses.pop(rid)
        if "error" in msg:
            raise RuntimeError(f"{method} failed: {msg['error']}")
        return msg.get("result")

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, path, pred, timeout=20):
        """Waits for a publishDiagnostics for `path` whose list satisfies pred."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                msg = self.notifications.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if msg["method"] != "textDocument/publishDiagnostics":
                continue
            if path_of(msg["params"]["uri"]) != path:
                continue
            last = msg["params"]["diagnostics"]
            if pred(last):
                return last, None
        return None, last


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


def live_check(cfg, binary, demo_src):
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

        server = Server([exe, *dols["args"]], cwd=str(ws), env=env)
        try:
            result = server.request(
                "initialize",
                {
                    "processId": os.getpid(),
                    "clientInfo": {"name": "helix", "version": "25.07.1"},
                    "rootPath": str(demo),
                    "rootUri": uri(demo),
                    "workspaceFolders": [{"uri": uri(demo), "name": demo.name}],
                    "capabilities": HELIX_CAPABILITIES,
                },
            )
            caps = result.get("capabilities", {})
            check((result.get("serverInfo") or {}).get("name") == "dols", "initialize answered by dols",
                  json.dumps(result.get("serverInfo")))
            check(caps.get("positionEncoding") == "utf-8", "position encoding: utf-8, Helix's first choice",
                  repr(caps.get("positionEncoding")))
            server.notify("initialized", {})

            def open_doc(path, text=None):
                text = path.read_text() if text is None else text
                lang_id = HELIX_LANGUAGES[helix_language(path)][0]
                server.notify("textDocument/didOpen", {
                    "textDocument": {"uri": uri(path), "languageId": lang_id, "version": 0, "text": text}
                })
                return text

            def codes(diags):
                return [d.get("code") for d in diags or []]

            # Diagnostics on the config, opened as Helix opens it.
            cfg_path = demo / "wrangler.jsonc"
            open_doc(cfg_path)
            diags, last = server.wait_diagnostics(cfg_path, lambda ds: "class-not-exported" in codes(ds))
            check(diags is not None, "wrangler.jsonc (jsonc) gets class-not-exported", f"last: {codes(last)}")

            # A source with non-ASCII text before the unknown binding: the
            # column must count UTF-8 bytes.
            index = demo / "src" / "index.ts"
            lines = index.read_text().split("\n")
            row = next(i for i, line in enumerate(lines) if "return env.CHAT_ROOMS" in line)
            lines[row] = lines[row].replace("return env.CHAT_ROOMS", "/* ☕ café */ return env.CHAT_ROOMS")
            hover_row = next(i for i, line in enumerate(lines) if "await env.COUNTER" in line)
            lines[hover_row] = lines[hover_row].replace("await env.COUNTER", "/* ☕ */ await env.COUNTER")
            open_doc(index, "\n".join(lines))
            want = len(lines[row][: lines[row].index("CHAT_ROOMS")].encode())

            def unknown_binding(ds):
                return next((d for d in ds or [] if d.get("code") == "unknown-binding"), None)

            def start_of(d):
                return d and (d["range"]["start"]["line"], d["range"]["start"]["character"])

            # The first set may still be the one for the text on disk.
            diags, last = server.wait_diagnostics(index, lambda ds: start_of(unknown_binding(ds)) == (row, want))
            ub = unknown_binding(diags)
            check(ub is not None, f"unknown-binding at line {row}, UTF-8 column {want}",
                  f"last set: {[(d.get('code'), start_of(d)) for d in last or []]}")

            if ub:
                actions = server.request("textDocument/codeAction", {
                    "textDocument": {"uri": uri(index)},
                    "range": ub["range"],
                    "context": {"diagnostics": [ub]},
                }) or []
                titles = [a.get("title") for a in actions]
                fix = next((a for a in actions if a.get("title") == "Use `CHAT_ROOM` instead of `CHAT_ROOMS`"), None)
                check(fix is not None, "code action offers: Use `CHAT_ROOM` instead of `CHAT_ROOMS`", repr(titles))
                # Helix asked for documentChanges: one versioned edit of the open file.
                edits = [
                    (dc["textDocument"], e)
                    for dc in ((fix or {}).get("edit") or {}).get("documentChanges", [])
                    for e in dc.get("edits", [])
                ]
                check(
                    len(edits) == 1 and edits[0][0].get("version") == 0 and edits[0][1]["newText"] == "CHAT_ROOM"
                    and edits[0][1]["range"]["start"]["character"] == want,
                    "the fix is one versioned edit at the UTF-8 column",
                    json.dumps(edits),
                )

            col = len(lines[hover_row][: lines[hover_row].index("COUNTER")].encode()) + 1
            hover = server.request("textDocument/hover", {
                "textDocument": {"uri": uri(index)},
                "position": {"line": hover_row, "character": col},
            })
            contents = (hover or {}).get("contents") or {}
            check(
                isinstance(contents, dict) and contents.get("kind") == "markdown"
                and "COUNTER" in contents.get("value", ""),
                "hover on env.COUNTER after non-ASCII text (UTF-8 column) names COUNTER",
                json.dumps(hover)[:200],
            )

            # Inlay hints, as Helix asks for the lines in view (with
            # `display-inlay-hints = true`): after env.COUNTER, at the
            # UTF-8 column behind the non-ASCII comment.
            hints = server.request("textDocument/inlayHint", {
                "textDocument": {"uri": uri(index)},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": len(lines), "character": 0}},
            }) or []
            after = len(lines[hover_row][: lines[hover_row].index("env.COUNTER") + len("env.COUNTER")].encode())
            check(
                any(h.get("label") == "→ Counter · KV" and h["position"] == {"line": hover_row, "character": after}
                    for h in hints),
                f"inlay hint `→ Counter · KV` at line {hover_row}, UTF-8 column {after}",
                json.dumps([(h.get("label"), h.get("position")) for h in hints]),
            )

            # What Helix sends on :write with `code-actions-on-save =
            # ["source.fixAll.dols"]`: the whole document, only that kind,
            # triggerKind Invoked; dols answers with one versioned edit.
            fetch_row = next(i for i, line in enumerate(lines) if "const url = new URL" in line) + 1
            lines.insert(fetch_row, '      await env.CHAT_ROOM.getByName("lobby").fetch("/history");')
            server.notify("textDocument/didChange", {
                "textDocument": {"uri": uri(index), "version": 1},
                "contentChanges": [{"text": "\n".join(lines)}],
            })
            server.wait_diagnostics(index, lambda ds: any(d.get("code") == "relative-stub-fetch-url" for d in ds or []))
            last_line = len(lines) - 1
            on_save = server.request("textDocument/codeAction", {
                "textDocument": {"uri": uri(index)},
                "range": {"start": {"line": 0, "character": 0},
                          "end": {"line": last_line, "character": len(lines[last_line].encode())}},
                "context": {"diagnostics": [], "only": ["source.fixAll.dols"], "triggerKind": 1},
            }) or []
            edits = [
                (dc["textDocument"], e)
                for a in on_save
                for dc in (a.get("edit") or {}).get("documentChanges", [])
                for e in dc.get("edits", [])
            ]
            fetch_col = len(lines[fetch_row][: lines[fetch_row].index('"/history"') + 1].encode())
            check(
                [a.get("kind") for a in on_save] == ["source.fixAll.dols"] and len(edits) == 1
                and edits[0][0].get("version") == 1 and edits[0][1]["newText"] == "https://do"
                and edits[0][1]["range"]["start"] == {"line": fetch_row, "character": fetch_col},
                "code-actions-on-save request: source.fixAll.dols, one versioned edit prefixing https://do",
                json.dumps(on_save)[:400],
            )

            # Other JSON Helix sends to dols in a Worker (package.json is
            # `json`, tsconfig.json `jsonc`): no diagnostics, no crash.
            for rel in ["package.json", "tsconfig.json"]:
                open_doc(demo / rel)
            server.request("textDocument/hover", {
                "textDocument": {"uri": uri(demo / "package.json")},
                "position": {"line": 0, "character": 0},
            })
            check(server.proc.poll() is None, "package.json and tsconfig.json opened; dols still answers")

            server.request("shutdown", None)
            server.notify("exit", None)
            code = server.proc.wait(timeout=10)
            check(code == 0, "dols exits 0 after shutdown/exit", f"exit {code}")
        except Exception as e:  # noqa: BLE001 - report and fail
            check(False, "live session", f"{e}; stderr: {''.join(server.stderr)[-2000:]}")
        finally:
            if server.proc.poll() is None:
                server.proc.kill()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    binary, snippet, demo = (Path(a).resolve() for a in sys.argv[1:])
    cfg = check_snippet(snippet)
    if "dols" in cfg.get("language-server", {}) and cfg.get("language"):
        live_check(cfg, binary, demo)
    if failures:
        log(f"{len(failures)} check(s) failed: " + "; ".join(failures))
        return 1
    log("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
