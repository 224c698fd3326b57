-- End-to-end test: headless Neovim + the editors/neovim plugin + `dols lsp`
-- on a copy of docs/demo. Run through run.sh, which sets:
--   DOLS_E2E_PLUGIN  editors/neovim (added to 'runtimepath')
--   DOLS_E2E_BIN     the dols binary
--   DOLS_E2E_DEMO    a scratch copy of docs/demo (edited by the test)
--   DOLS_E2E_MODE    how dols is started:
--                      setup   require("dols").setup{} (0.11: vim.lsp.config/enable,
--                              0.7: FileType autocmd + start_client/buf_attach_client)
--                      legacy  setup{ use_lsp_config = false } (the 0.8-0.10 path)
--                      enable  no setup(): vim.lsp.enable("dols") reads lsp/dols.lua (0.11+)
--   DOLS_E2E_TIMEOUT_MS  overall budget (default 30000)
-- Checks, in order:
--   (a) diagnostics pushed for wrangler.jsonc include `class-not-exported`;
--       the position encoding is the best one the client offers (0.11: utf-8)
--   (b) code action at that diagnostic offers "Re-export class `ChatRoom` ..."
--   (c) wrangler.toml and wrangler.json Workers get their own client and diagnostics;
--       package.json and a TS file outside any Worker root get no client
--   (d) hover on `env.COUNTER` and on `storage.sql` is non-empty markdown
--   (e) after typing non-ASCII text before `env.CHAT_ROOMS`, the unknown-binding
--       diagnostic lands on the right bytes; its quick fix, picked through
--       vim.lsp.buf.code_action(), rewrites the line and the diagnostic goes;
--       hover on the fixed name (cursor after the non-ASCII text) answers
--   (f) the class-not-exported fix, applied the same way, edits src/index.ts
--       and clears the config's diagnostic
--   (h) inlay hints (0.10+): on in src/index.ts, `→ Counter · KV` after
--       env.COUNTER, drawn as inline virtual text once the window redraws
--   (i) code lenses above class Counter: fetched and shown as virtual text;
--       running "2 stub calls" through vim.lsp.codelens.run() fills the
--       quickfix list with both calls (client command dols.showLocations),
--       running "topology" fills it with the topology (dols.showTopology)
--       (mode legacy sets inlay_hints = false and codelens = false: none)
--   (j) fix-all: :DolsFixAll rewrites an added `stub.fetch("/history")` to
--       `stub.fetch("https://do/history")`; with fix-on-save (switched on
--       as the README says) :write does the same, in the buffer and on disk
--   (g) typing `env.` inside the fetch handler, completion offers `CHAT_ROOM`
-- Exit status: 0 ok, 1 a check failed, 2 the harness itself failed.
-- Headless Neovim never exits on a Lua error, so everything runs under pcall
-- and every wait is bounded by one deadline.

local uv = vim.uv or vim.loop
local t0 = uv.hrtime()
local function elapsed_ms()
  return math.floor((uv.hrtime() - t0) / 1e6)
end

local budget_ms = tonumber(os.getenv("DOLS_E2E_TIMEOUT_MS") or "") or 30000
local function remaining_ms()
  return math.max(budget_ms - elapsed_ms(), 0)
end
-- A shorter bound for waits that are expected to fail fast when broken.
local function bounded(ms)
  return math.min(ms, remaining_ms())
end

local function log(msg)
  io.stderr:write(string.format("[nvim-e2e %5d ms] %s\n", elapsed_ms(), msg))
end

local failures = {}
local function check(ok, what, detail)
  if ok then
    log("ok   " .. what)
  else
    log("FAIL " .. what .. (detail and (": " .. detail) or ""))
    table.insert(failures, what)
  end
  return ok
end

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local function finish(code)
  for _, c in pairs(get_clients()) do
    vim.lsp.stop_client(c.id)
  end
  vim.wait(1000, function()
    return #get_clients() == 0
  end, 20)
  log(string.format("done in %d ms, exit %d", elapsed_ms(), code))
  vim.cmd("cquit " .. code)
end

local function need_env(name)
  local v = os.getenv(name)
  assert(v and v ~= "", name .. " is not set (run tests/editors/neovim/run.sh)")
  return v
end

local function version_at_least(minor)
  local v = vim.version()
  return v.major > 0 or v.minor >= minor
end

-- Text of a hover `contents` (MarkupContent, MarkedString or a list of them)
-- and whether any part of it is markdown.
local function hover_text(contents)
  if contents == nil or contents == vim.NIL then
    return "", false
  end
  if type(contents) == "string" then
    return contents, true
  end
  if contents.kind then
    return contents.value or "", contents.kind == "markdown"
  end
  if contents.language then
    return contents.value or "", true
  end
  local parts, markdown = {}, false
  for _, c in ipairs(contents) do
    local text, md = hover_text(c)
    table.insert(parts, text)
    markdown = markdown or md
  end
  return table.concat(parts, "\n"), markdown
end

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function dols_client(bufnr)
  local attached = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr })
    or vim.lsp.buf_get_clients(bufnr)
  for _, c in pairs(attached) do
    if c.name == "dols" then
      return c
    end
  end
  return nil
end

-- Set by the client's on_exit: the server died.
local server_exit = nil
local function assert_server_alive()
  if server_exit then
    error("dols exited early (" .. server_exit .. "); see the LSP log below")
  end
end

local function wait_attached(bufnr, what)
  local client
  local ok = vim.wait(remaining_ms(), function()
    client = dols_client(bufnr)
    return server_exit ~= nil or (client ~= nil and client.initialized == true)
  end, 20)
  assert_server_alive()
  if not ok then
    error(string.format("dols did not attach to %s and answer initialize within %d ms", what, budget_ms))
  end
  return client
end

local function request(bufnr, client, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, remaining_ms())
  if not responses then
    return nil, "no answer: " .. tostring(err or "timeout")
  end
  local r = responses[client.id]
  if not r then
    return nil, "no answer from dols"
  end
  if r.err or r.error then
    return nil, vim.inspect(r.err or r.error)
  end
  return r.result
end

local function line_of(bufnr, row)
  return vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1] or ""
end

-- 0-based row and byte column of `needle` on the first line containing it.
local function find(bufnr, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  error("`" .. needle .. "` not found in " .. vim.api.nvim_buf_get_name(bufnr))
end

-- An LSP position for a byte column, in the client's negotiated encoding.
local function lsp_position(bufnr, client, row, col)
  return { line = row, character = vim.lsp.util.character_offset(bufnr, row, col, client.offset_encoding) }
end

local function diagnostic_code(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

-- Waits up to `ms` for a diagnostic of `bufnr` for which `pred(d)` holds.
local function wait_diagnostic(bufnr, ms, pred)
  local found, seen = nil, {}
  vim.wait(bounded(ms), function()
    seen = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      seen[#seen + 1] = string.format("%s@%d:%d", tostring(diagnostic_code(d)), d.lnum, d.col)
      if pred(d) then
        found = d
        return true
      end
    end
    return server_exit ~= nil
  end, 20)
  assert_server_alive()
  return found, "seen: [" .. table.concat(seen, ", ") .. "]"
end

local function wait_no_diagnostic(bufnr, ms, code)
  local ok = vim.wait(bounded(ms), function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if diagnostic_code(d) == code then
        return server_exit ~= nil
      end
    end
    return true
  end, 20)
  assert_server_alive()
  return ok
end

-- vim.lsp.buf.code_action() at the cursor, as a user runs it. vim.ui.select
-- is replaced for the call: it records the titles offered and picks the
-- one equal to `pick` (or none). Returns the titles, or nil on timeout.
local function code_action_titles(pick)
  local titles = nil
  local select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    titles = {}
    local chosen = nil
    for _, item in ipairs(items) do
      -- 0.7 items are {client_id, action}, 0.11 {action = ..., ctx = ...};
      -- format_item gives the title on both.
      local title = opts.format_item(item)
      titles[#titles + 1] = title
      if title == pick then
        chosen = item
      end
    end
    on_choice(chosen)
  end
  local notify = vim.notify
  local nothing = false
  vim.notify = function(msg, ...)
    if tostring(msg):match("No code actions") then
      nothing = true
    end
    return notify(msg, ...)
  end
  local ok, err = pcall(function()
    vim.lsp.buf.code_action()
    vim.wait(remaining_ms(), function()
      return titles ~= nil or nothing or server_exit ~= nil
    end, 20)
  end)
  vim.ui.select = select
  vim.notify = notify
  assert(ok, err)
  assert_server_alive()
  return titles or {}
end

local function hover_check(bufnr, client, row, col, what, expect)
  local res, err = request(bufnr, client, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = lsp_position(bufnr, client, row, col),
  })
  local text, markdown = hover_text(res and res.contents)
  local good = err == nil and text:match("%S") ~= nil and markdown
  if expect then
    good = good and text:find(expect, 1, true) ~= nil
  end
  if check(good, what, err or ("got " .. vim.inspect(res))) then
    log("     " .. (text:gsub("\n.*", "")))
  end
end

local ok, err = pcall(function()
  local plugin = need_env("DOLS_E2E_PLUGIN")
  local bin = need_env("DOLS_E2E_BIN")
  local demo = need_env("DOLS_E2E_DEMO")
  local mode = os.getenv("DOLS_E2E_MODE") or "setup"
  local v = vim.version()
  log(string.format("Neovim %d.%d.%d, mode %s, server %s", v.major, v.minor, v.patch, mode, bin))

  vim.opt.runtimepath:prepend(plugin)
  local on_exit = function(code, signal)
    server_exit = string.format("exit code %s, signal %s", tostring(code), tostring(signal))
  end
  if mode == "enable" then
    assert(vim.lsp.config and vim.lsp.enable, "mode enable needs Neovim 0.11+")
    -- What a user's init.lua does: lsp/dols.lua is the base, only cmd changes.
    -- fix-on-save as editors/neovim/README.md tells users of lsp/dols.lua.
    vim.lsp.config("dols", {
      cmd = { bin, "lsp" },
      on_exit = on_exit,
      on_attach = function(client, bufnr)
        require("dols").on_attach(client, bufnr, { fix_on_save = true })
      end,
    })
    vim.lsp.enable("dols")
    log("plugin path: vim.lsp.enable('dols') with lsp/dols.lua, no setup()")
  else
    local use_lsp_config = nil -- auto
    local features = true
    if mode == "legacy" then
      use_lsp_config = false
      features = false
    end
    require("dols").setup({
      cmd = { bin, "lsp" },
      use_lsp_config = use_lsp_config,
      on_exit = on_exit,
      fix_on_save = true,
      inlay_hints = features,
      codelens = features,
    })
    local modern = use_lsp_config ~= false and require("dols").has_lsp_config()
    local legacy_api = vim.lsp.start and "vim.lsp.start" or "start_client + buf_attach_client"
    log("plugin path: " .. (modern and "setup() -> vim.lsp.config/enable" or ("setup() -> FileType autocmd, " .. legacy_api)))
  end

  -- (a) diagnostics on the config, and the negotiated position encoding
  local cfg = open(demo .. "/wrangler.jsonc")
  check(vim.bo[cfg].filetype == "jsonc", "wrangler.jsonc has filetype jsonc", vim.bo[cfg].filetype)
  local client = wait_attached(cfg, "wrangler.jsonc")
  log("attached to wrangler.jsonc (root " .. tostring(client.config.root_dir) .. ")")
  check(client.config.root_dir == demo, "root_dir is the demo Worker root", tostring(client.config.root_dir))
  local offered = vim.tbl_get(vim.lsp.protocol.make_client_capabilities(), "general", "positionEncodings") or {}
  local want = "utf-16"
  if vim.tbl_contains(offered, "utf-8") then
    want = "utf-8"
  elseif vim.tbl_contains(offered, "utf-32") then
    want = "utf-32"
  end
  if version_at_least(11) then
    check(want == "utf-8", "Neovim 0.11 offers utf-8", vim.inspect(offered))
  end
  check(
    client.offset_encoding == want,
    "position encoding is " .. want .. " (client offers " .. (#offered > 0 and table.concat(offered, ", ") or "nothing: UTF-16") .. ")",
    "negotiated " .. tostring(client.offset_encoding)
  )
  local cne = wait_diagnostic(cfg, remaining_ms(), function(d)
    return diagnostic_code(d) == "class-not-exported"
  end)
  check(cne ~= nil, "(a) wrangler.jsonc diagnostics include class-not-exported")

  -- (b) a quick fix at that diagnostic (only looked at here; applied in (f))
  local reexport = "Re-export class `ChatRoom` from `src/index.ts`"
  if cne then
    vim.api.nvim_win_set_cursor(0, { cne.lnum + 1, cne.col + 1 })
    local titles = code_action_titles(nil)
    check(vim.tbl_contains(titles, reexport), "(b) code action at class-not-exported offers: " .. reexport,
      "titles: " .. vim.inspect(titles))
  end

  -- (c) other config formats get their own Worker client; non-configs and
  -- files outside a Worker get none
  local scratch = vim.fn.fnamemodify(demo, ":h")
  vim.fn.mkdir(scratch .. "/toml-worker/src", "p")
  vim.fn.writefile({
    'name = "toml-worker"',
    'main = "src/index.ts"',
    'compatibility_date = "2025-06-01"',
    "",
    "[[durable_objects.bindings]]",
    'name = "ROOM"',
    'class_name = "Room"',
    "",
    "[[migrations]]",
    'tag = "v1"',
    'new_sqlite_classes = ["Room"]',
  }, scratch .. "/toml-worker/wrangler.toml")
  vim.fn.writefile({
    'import { DurableObject } from "cloudflare:workers";',
    "export class Room extends DurableObject {}",
  }, scratch .. "/toml-worker/src/room.ts")
  vim.fn.writefile({ 'export default { fetch() { return new Response("ok"); } };' }, scratch .. "/toml-worker/src/index.ts")
  vim.fn.mkdir(scratch .. "/json-worker", "p")
  vim.fn.writefile({
    "{",
    '  "name": "json-worker",',
    '  "main": "index.ts",',
    '  "compatibility_date": "2025-06-01",',
    '  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] }',
    "}",
  }, scratch .. "/json-worker/wrangler.json")
  vim.fn.writefile({ 'export default { fetch() { return new Response("ok"); } };' }, scratch .. "/json-worker/index.ts")
  for _, case in ipairs({
    { file = "toml-worker/wrangler.toml", ft = "toml", code = "class-not-exported" },
    { file = "json-worker/wrangler.json", ft = "json", code = "unknown-class" },
  }) do
    local buf = open(scratch .. "/" .. case.file)
    local c = wait_attached(buf, case.file)
    local root = vim.fn.fnamemodify(scratch .. "/" .. case.file, ":h")
    check(
      vim.bo[buf].filetype == case.ft and c.config.root_dir == root and c.id ~= client.id,
      string.format("(c) %s (filetype %s) gets its own client rooted at its folder", case.file, case.ft),
      string.format("filetype %s, root %s, client %d", vim.bo[buf].filetype, tostring(c.config.root_dir), c.id)
    )
    local d, seen = wait_diagnostic(buf, remaining_ms(), function(x)
      return diagnostic_code(x) == case.code
    end)
    check(d ~= nil, "(c) " .. case.file .. " diagnostics include " .. case.code, seen)
  end

  local pkg = open(demo .. "/package.json")
  vim.wait(200, function()
    return dols_client(pkg) ~= nil
  end, 20)
  check(dols_client(pkg) == nil, "(c) package.json is not sent to dols")

  local stray_path = scratch .. "/stray.ts"
  vim.fn.writefile({ "export const x = 1;" }, stray_path)
  local stray = open(stray_path)
  vim.wait(200, function()
    return dols_client(stray) ~= nil
  end, 20)
  check(dols_client(stray) == nil, "(c) a TS file outside any Worker root is not sent to dols")

  -- (d) hovers
  local index = open(demo .. "/src/index.ts")
  local iclient = wait_attached(index, "src/index.ts")
  check(iclient.id == client.id, "(d) src/index.ts shares the Worker's client")
  local row, col = find(index, "env.COUNTER")
  hover_check(index, iclient, row, col + #"env.C", "(d) hover on env.COUNTER is non-empty markdown", "COUNTER")
  local counter = open(demo .. "/src/counter.ts")
  local cclient = wait_attached(counter, "src/counter.ts")
  row, col = find(counter, "storage.sql")
  hover_check(counter, cclient, row, col + #"storage.s", "(d) hover on storage.sql is non-empty markdown")

  -- (h) inlay hints, where Neovim has them (0.10+)
  local features = mode ~= "legacy"
  if not features then
    if vim.lsp.inlay_hint then
      check(not vim.lsp.inlay_hint.is_enabled({ bufnr = index }), "(h) inlay_hints = false: not enabled in src/index.ts")
    end
  elseif vim.lsp.inlay_hint and vim.lsp.inlay_hint.get then
    vim.cmd("buffer " .. index)
    check(vim.lsp.inlay_hint.is_enabled({ bufnr = index }), "(h) inlay hints are enabled in src/index.ts")
    row, col = find(index, "env.COUNTER.getByName(url.pathname)")
    local want = lsp_position(index, iclient, row, col + #"env.COUNTER")
    local label_of = function(hint)
      if type(hint.label) == "string" then
        return hint.label
      end
      local text = ""
      for _, part in ipairs(hint.label) do
        text = text .. part.value
      end
      return text
    end
    local hint
    vim.wait(bounded(10000), function()
      for _, h in ipairs(vim.lsp.inlay_hint.get({ bufnr = index })) do
        local p = h.inlay_hint.position
        if h.client_id == iclient.id and p.line == want.line and p.character == want.character then
          hint = h.inlay_hint
          return true
        end
      end
      return false
    end, 20)
    check(hint ~= nil and label_of(hint) == "→ Counter · KV", "(h) inlay hint `→ Counter · KV` right after env.COUNTER",
      hint and label_of(hint) or vim.inspect(vim.lsp.inlay_hint.get({ bufnr = index })))
    -- Drawn: Neovim puts hints into the buffer as inline virtual text when
    -- the window is redrawn.
    local ns = vim.api.nvim_get_namespaces()["nvim.lsp.inlayhint"] or vim.api.nvim_get_namespaces()["vim_lsp_inlayhint"]
    local drawn
    vim.wait(bounded(5000), function()
      vim.cmd("redraw!")
      for _, mark in ipairs(ns and vim.api.nvim_buf_get_extmarks(index, ns, { row, 0 }, { row, -1 }, { details = true }) or {}) do
        for _, chunk in ipairs(mark[4].virt_text or {}) do
          if chunk[1] == "→ Counter · KV" and mark[3] == col + #"env.COUNTER" then
            drawn = mark[4].virt_text_pos
            return true
          end
        end
      end
      return false
    end, 20)
    check(drawn == "inline", "(h) the hint is drawn inline after env.COUNTER", "extmark: " .. tostring(drawn))
  else
    log("skip (h): Neovim " .. v.major .. "." .. v.minor .. " has no vim.lsp.inlay_hint")
  end

  -- (i) code lenses above class Counter, and their commands
  vim.cmd("buffer " .. counter)
  if not features then
    vim.wait(300, function()
      return #vim.lsp.codelens.get(counter) > 0
    end, 20)
    check(#vim.lsp.codelens.get(counter) == 0, "(i) codelens = false: no code lenses fetched")
  else
  local lens_titles = function()
    local titles = {}
    for _, lens in ipairs(vim.lsp.codelens.get(counter)) do
      if lens.command then
        titles[#titles + 1] = lens.command.title
      end
    end
    return titles
  end
  vim.wait(bounded(10000), function()
    return #lens_titles() >= 4
  end, 20)
  local titles = lens_titles()
  check(
    vim.tbl_contains(titles, "bound as COUNTER in chat-demo") and vim.tbl_contains(titles, "created by migration v2 (KV)")
      and vim.tbl_contains(titles, "2 stub calls") and vim.tbl_contains(titles, "topology"),
    "(i) code lenses above class Counter: bound as …, created by migration v2 (KV), 2 stub calls, topology",
    vim.inspect(titles)
  )
  local class_row = find(counter, "export class Counter")
  local shown_text
  vim.wait(bounded(5000), function()
    for name, ns in pairs(vim.api.nvim_get_namespaces()) do
      if name:find("codelens", 1, true) then
        for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(counter, ns, { class_row, 0 }, { class_row, -1 }, { details = true })) do
          local text = ""
          for _, chunk in ipairs(mark[4].virt_text or {}) do
            text = text .. chunk[1]
          end
          if text:find("bound as COUNTER", 1, true) then
            shown_text = text
            return true
          end
        end
      end
    end
    return false
  end, 20)
  check(shown_text ~= nil, "(i) the code lenses are shown as virtual text on the class line", "no extmark with the titles")
  if shown_text then
    log("     " .. shown_text)
  end
  -- vim.lsp.codelens.run() on the class line, picking a lens as a user does.
  local function run_lens(title)
    local select = vim.ui.select
    vim.ui.select = function(items, opts, on_choice)
      for _, item in ipairs(items) do
        if opts.format_item(item) == title then
          return on_choice(item)
        end
      end
      on_choice(nil)
    end
    vim.api.nvim_win_set_cursor(0, { class_row + 1, 0 })
    local ok_run, run_err = pcall(vim.lsp.codelens.run)
    vim.ui.select = select
    assert(ok_run, run_err)
  end
  local function quickfix(title)
    local qf
    vim.wait(bounded(5000), function()
      qf = vim.fn.getqflist({ title = 1, items = 1 })
      return qf.title == title
    end, 20)
    return qf
  end
  vim.fn.setqflist({}, " ", { title = "(none)" })
  run_lens("2 stub calls")
  local qf = quickfix("dols: 2 stub calls")
  local places = {}
  for _, item in ipairs(qf.items or {}) do
    places[#places + 1] = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(item.bufnr), ":t") .. ":" .. item.lnum
  end
  check(qf.title == "dols: 2 stub calls" and table.concat(places, " ") == "index.ts:14 index.ts:19",
    "(i) the \"2 stub calls\" lens (dols.showLocations) lists both calls in the quickfix list",
    vim.inspect(qf.title) .. " " .. table.concat(places, " "))
  vim.cmd("cclose")
  vim.cmd("buffer " .. counter)
  run_lens("topology")
  qf = quickfix("dols: topology")
  local texts = {}
  for _, item in ipairs(qf.items or {}) do
    texts[#texts + 1] = item.text
  end
  local joined = table.concat(texts, "\n")
  check(qf.title == "dols: topology" and joined:find("env.COUNTER → Counter", 1, true) ~= nil
      and joined:find("Worker chat-demo", 1, true) ~= nil,
    "(i) the \"topology\" lens (dols.showTopology) fills the quickfix list with the topology", joined)
  vim.cmd("cclose")
  end

  -- (e) non-ASCII before the diagnostic, then the unknown-binding quick fix
  vim.cmd("buffer " .. index)
  row, col = find(index, "return env.CHAT_ROOMS")
  local prefix = "/* ☕ café */ "
  vim.api.nvim_buf_set_text(index, row, col, row, col, { prefix })
  local line = line_of(index, row)
  local name_col = line:find("CHAT_ROOMS", 1, true) - 1
  log("     edited line: " .. line)
  local ub, seen = wait_diagnostic(index, 10000, function(d)
    return diagnostic_code(d) == "unknown-binding" and d.lnum == row and d.col == name_col
  end)
  check(ub ~= nil, string.format("(e) unknown-binding reported at byte column %d, after the non-ASCII text", name_col),
    seen)
  local rename = "Use `CHAT_ROOM` instead of `CHAT_ROOMS`"
  vim.api.nvim_win_set_cursor(0, { row + 1, name_col + 2 })
  local titles = code_action_titles(rename)
  check(vim.tbl_contains(titles, rename), "(e) code action at unknown-binding offers: " .. rename,
    "titles: " .. vim.inspect(titles))
  local fixed = line:gsub("CHAT_ROOMS", "CHAT_ROOM", 1)
  vim.wait(bounded(5000), function()
    return line_of(index, row) == fixed
  end, 20)
  check(line_of(index, row) == fixed, "(e) applying it rewrites the line", "line is now: " .. line_of(index, row))
  check(wait_no_diagnostic(index, 10000, "unknown-binding"), "(e) the unknown-binding diagnostic goes away")
  hover_check(index, iclient, row, name_col + 2, "(e) hover on the fixed env.CHAT_ROOM (after ☕) names CHAT_ROOM",
    "CHAT_ROOM")

  -- (f) apply the config's quick fix: it edits src/index.ts (open, versioned)
  vim.cmd("buffer " .. cfg)
  cne = wait_diagnostic(cfg, remaining_ms(), function(d)
    return diagnostic_code(d) == "class-not-exported"
  end)
  if cne then
    vim.api.nvim_win_set_cursor(0, { cne.lnum + 1, cne.col + 1 })
    code_action_titles(reexport)
    local reexported = vim.wait(bounded(5000), function()
      for _, l in ipairs(vim.api.nvim_buf_get_lines(index, 0, -1, false)) do
        if l:match("^export .*ChatRoom.*chat%-room") then
          return true
        end
      end
      return false
    end, 20)
    check(reexported, "(f) applying the class-not-exported fix re-exports ChatRoom in src/index.ts",
      table.concat(vim.api.nvim_buf_get_lines(index, 0, 8, false), "\n"))
    check(wait_no_diagnostic(cfg, 10000, "class-not-exported"), "(f) the config's class-not-exported goes away")
  end

  -- (j) fix-all: a relative stub.fetch URL, :DolsFixAll; another, :write
  vim.cmd("buffer " .. index)
  row = find(index, "const url = new URL")
  local function add_relative_fetch(path)
    vim.api.nvim_buf_set_lines(index, row + 1, row + 1, false, {
      string.format('    await env.CHAT_ROOM.getByName("lobby").fetch("%s");', path),
    })
    local rel, rel_seen = wait_diagnostic(index, 10000, function(d)
      return diagnostic_code(d) == "relative-stub-fetch-url" and d.lnum == row + 1
    end)
    check(rel ~= nil, "(j) relative-stub-fetch-url on an added stub.fetch(\"" .. path .. "\")", rel_seen)
  end
  add_relative_fetch("/members")
  vim.cmd("DolsFixAll")
  check(line_of(index, row + 1) == '    await env.CHAT_ROOM.getByName("lobby").fetch("https://do/members");',
    "(j) :DolsFixAll applies source.fixAll.dols", line_of(index, row + 1))
  add_relative_fetch("/history")
  vim.cmd("silent write")
  local saved = line_of(index, row + 1)
  local on_disk = vim.fn.readfile(demo .. "/src/index.ts")[row + 2]
  local fixed_fetch = '    await env.CHAT_ROOM.getByName("lobby").fetch("https://do/history");'
  check(saved == fixed_fetch and on_disk == fixed_fetch, "(j) :write applied source.fixAll.dols before writing",
    "buffer: " .. saved .. " / disk: " .. tostring(on_disk))
  check(wait_no_diagnostic(index, 10000, "relative-stub-fetch-url"), "(j) relative-stub-fetch-url goes away")

  -- (g) type `env.` on a new line inside the fetch handler, then complete
  vim.cmd("buffer " .. index)
  row, col = find(index, "const url = new URL")
  local indent = string.rep(" ", col)
  vim.api.nvim_buf_set_lines(index, row + 1, row + 1, false, { indent .. "env." })
  local res, cerr = request(index, iclient, "textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(index) },
    position = lsp_position(index, iclient, row + 1, #indent + #"env."),
    context = { triggerKind = 2, triggerCharacter = "." },
  })
  local items = res and (res.items or res) or {}
  local labels = {}
  for _, item in ipairs(items) do
    labels[#labels + 1] = item.label
  end
  check(
    cerr == nil and vim.tbl_contains(labels, "CHAT_ROOM"),
    "(g) completion after `env.` offers CHAT_ROOM",
    cerr or ("labels: [" .. table.concat(labels, ", ") .. "]")
  )
  log("     labels: " .. table.concat(labels, ", "))
end)

if not ok then
  log("ERROR " .. tostring(err))
  finish(2)
elseif #failures > 0 then
  log(#failures .. " check(s) failed: " .. table.concat(failures, "; "))
  finish(1)
else
  finish(0)
end
