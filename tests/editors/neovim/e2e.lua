-- End-to-end test: headless Neovim + the editors/neovim plugin + `dols lsp`
-- on a copy of docs/demo. Run through run.sh, which sets:
--   DOLS_E2E_PLUGIN  editors/neovim (added to 'runtimepath')
--   DOLS_E2E_BIN     the dols binary
--   DOLS_E2E_DEMO    a scratch copy of docs/demo
--   DOLS_E2E_TIMEOUT_MS  overall budget (default 30000)
-- Checks, in order:
--   (a) diagnostics pushed for wrangler.jsonc include code `class-not-exported`
--   (b) hover on `env.COUNTER` in src/index.ts is non-empty markdown
--   (c) hover on `storage.sql` in src/counter.ts is non-empty markdown
--   (d) typing `env.` inside the fetch handler, completion offers `CHAT_ROOM`
-- Exit status: 0 ok, 1 a check failed, 2 the harness itself failed.
-- Headless Neovim never exits on a Lua error, so everything runs under pcall
-- and every wait is bounded by one deadline.

local t0 = (vim.uv or vim.loop).hrtime()
local function elapsed_ms()
  return math.floor(((vim.uv or vim.loop).hrtime() - t0) / 1e6)
end

local budget_ms = tonumber(os.getenv("DOLS_E2E_TIMEOUT_MS") or "") or 30000
local function remaining_ms()
  return math.max(budget_ms - elapsed_ms(), 0)
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

-- 0-based position of `needle` on the first line containing it, plus `shift`.
local function find(bufnr, needle, shift)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = i - 1, character = col - 1 + (shift or 0) }
    end
  end
  error("`" .. needle .. "` not found in " .. vim.api.nvim_buf_get_name(bufnr))
end

local function hover_check(bufnr, client, pos, what)
  local uri = vim.uri_from_bufnr(bufnr)
  local res, err = request(bufnr, client, "textDocument/hover", { textDocument = { uri = uri }, position = pos })
  local text, markdown = hover_text(res and res.contents)
  if check(err == nil and text:match("%S") ~= nil and markdown, what, err or ("got " .. vim.inspect(res))) then
    log("     " .. (text:gsub("\n.*", "")))
  end
end

local ok, err = pcall(function()
  local plugin = need_env("DOLS_E2E_PLUGIN")
  local bin = need_env("DOLS_E2E_BIN")
  local demo = need_env("DOLS_E2E_DEMO")
  log("Neovim " .. tostring(vim.version().major) .. "." .. vim.version().minor .. "." .. vim.version().patch
    .. ", server " .. bin)

  vim.opt.runtimepath:prepend(plugin)
  local use_lsp_config = nil -- auto
  if os.getenv("DOLS_E2E_LEGACY") == "1" then
    use_lsp_config = false
  end
  require("dols").setup({
    cmd = { bin, "lsp" },
    use_lsp_config = use_lsp_config,
    on_exit = function(code, signal)
      server_exit = string.format("exit code %s, signal %s", tostring(code), tostring(signal))
    end,
  })
  local modern = use_lsp_config ~= false and require("dols").has_lsp_config()
  log("plugin path: " .. (modern and "vim.lsp.config/enable" or "FileType autocmd"))

  -- (a) diagnostics on the config
  local cfg = open(demo .. "/wrangler.jsonc")
  check(vim.bo[cfg].filetype == "jsonc", "wrangler.jsonc has filetype jsonc", vim.bo[cfg].filetype)
  local client = wait_attached(cfg, "wrangler.jsonc")
  log("attached to wrangler.jsonc (root " .. tostring(client.config.root_dir) .. ")")
  check(client.config.root_dir == demo, "root_dir is the demo Worker root", tostring(client.config.root_dir))
  local codes = {}
  local got = vim.wait(remaining_ms(), function()
    codes = {}
    for _, d in ipairs(vim.diagnostic.get(cfg)) do
      local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
      codes[#codes + 1] = tostring(code)
      if code == "class-not-exported" then
        return true
      end
    end
    return server_exit ~= nil
  end, 20)
  assert_server_alive()
  check(got, "(a) wrangler.jsonc diagnostics include class-not-exported", "codes seen: " .. table.concat(codes, ", "))

  -- package.json is JSON inside the Worker root but not a wrangler config
  local pkg = open(demo .. "/package.json")
  vim.wait(200, function()
    return dols_client(pkg) ~= nil
  end, 20)
  check(dols_client(pkg) == nil, "package.json is not sent to dols")

  -- a TS file with no wrangler config above it
  local stray_path = vim.fn.fnamemodify(demo, ":h") .. "/stray.ts"
  vim.fn.writefile({ "export const x = 1;" }, stray_path)
  local stray = open(stray_path)
  vim.wait(200, function()
    return dols_client(stray) ~= nil
  end, 20)
  check(dols_client(stray) == nil, "a TS file outside any Worker root is not sent to dols")

  -- (b) hover on env.COUNTER
  local index = open(demo .. "/src/index.ts")
  local iclient = wait_attached(index, "src/index.ts")
  check(iclient.id == client.id, "src/index.ts shares the Worker's client")
  hover_check(index, iclient, find(index, "env.COUNTER", #"env.C"), "(b) hover on env.COUNTER is non-empty markdown")

  -- (c) hover on storage.sql
  local counter = open(demo .. "/src/counter.ts")
  local cclient = wait_attached(counter, "src/counter.ts")
  hover_check(counter, cclient, find(counter, "storage.sql", #"storage.s"), "(c) hover on storage.sql is non-empty markdown")

  -- (d) type `env.` on a new line inside the fetch handler, then complete
  vim.cmd("buffer " .. index)
  local at = find(index, "const url = new URL", 0)
  local indent = string.rep(" ", at.character)
  vim.api.nvim_buf_set_lines(index, at.line + 1, at.line + 1, false, { indent .. "env." })
  local pos = { line = at.line + 1, character = #indent + #"env." }
  local res, cerr = request(index, iclient, "textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(index) },
    position = pos,
    context = { triggerKind = 2, triggerCharacter = "." },
  })
  local items = res and (res.items or res) or {}
  local labels = {}
  for _, item in ipairs(items) do
    labels[#labels + 1] = item.label
  end
  check(
    cerr == nil and vim.tbl_contains(labels, "CHAT_ROOM"),
    "(d) completion after `env.` offers CHAT_ROOM",
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
