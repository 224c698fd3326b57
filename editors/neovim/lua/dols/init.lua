-- dols: Durable Objects language server for Neovim.
--
--   require("dols").setup({ cmd = { "dols", "lsp" } })
--
-- Starts `dols lsp` for wrangler configs (wrangler.toml / wrangler.json /
-- wrangler.jsonc) and for TypeScript/JavaScript files that live inside a
-- Worker root (a directory holding one of those configs, searched upward).
-- Files outside a Worker root are left alone.
--
-- Neovim 0.11+: registers the server with vim.lsp.config() + vim.lsp.enable().
-- Neovim 0.7-0.10: a FileType autocmd starts (or reuses) one client per root
-- and attaches the buffer.
--
-- On attach (M.on_attach): inlay hints on (0.10+), code lenses fetched and
-- shown (refreshed on BufEnter, InsertLeave and BufWritePost), the buffer
-- command :DolsFixAll, and with `fix_on_save` the same fix-all before each
-- write. The server's code lenses run the client commands
-- `dols.showLocations` and `dols.showTopology`, registered here: both fill
-- the quickfix list.

local M = {}

M.name = "dols"

M.root_markers = { "wrangler.toml", "wrangler.json", "wrangler.jsonc" }

M.filetypes = {
  "toml",
  "json",
  "jsonc",
  "typescript",
  "typescriptreact",
  "javascript",
  "javascriptreact",
}

-- Config filetypes: only the wrangler files themselves go to the server,
-- not package.json / tsconfig.json / Cargo.toml.
local config_filetypes = { toml = true, json = true, jsonc = true }

local defaults = {
  cmd = { "dols", "lsp" },
  filetypes = M.filetypes,
  root_markers = M.root_markers,
  settings = {},
  init_options = nil,
  capabilities = nil,
  on_attach = nil,
  on_exit = nil,
  -- Editor features switched on when dols attaches to a buffer.
  inlay_hints = true, -- vim.lsp.inlay_hint (Neovim 0.10+)
  codelens = true, -- vim.lsp.codelens: fetched, shown, refreshed
  fix_on_save = false, -- apply `source.fixAll.dols` before each :write
  fix_on_save_timeout_ms = 1000,
  -- Force the modern (vim.lsp.config) or legacy (autocmd) path; nil = auto.
  use_lsp_config = nil,
}

local uv = vim.uv or vim.loop

local function is_wrangler_config(path)
  local name = vim.fn.fnamemodify(path, ":t")
  for _, marker in ipairs(M.root_markers) do
    if name == marker then
      return true
    end
  end
  return false
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- Nearest directory at or above `path`'s directory that holds a root marker.
--- Works without vim.fs (Neovim 0.7).
function M.find_root(path, markers)
  markers = markers or M.root_markers
  if path == nil or path == "" then
    return nil
  end
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir and dir ~= "" do
    for _, marker in ipairs(markers) do
      if exists(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

--- Root directory for buffer `bufnr`, or nil when dols should not attach.
function M.root_for_buffer(bufnr, markers)
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then
    return nil
  end
  if config_filetypes[vim.bo[bufnr].filetype] and not is_wrangler_config(path) then
    return nil
  end
  return M.find_root(path, markers)
end

-- Client methods: `client:request(...)` from 0.11 on (the dot form is
-- deprecated there), `client.request(...)` before.
local has_011 = vim.fn.has("nvim-0.11") == 1
local function request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end
local function request_sync(client, method, params, timeout_ms, bufnr)
  if has_011 then
    return client:request_sync(method, params, timeout_ms, bufnr)
  end
  return client.request_sync(method, params, timeout_ms, bufnr)
end

M.FIX_ALL_KIND = "source.fixAll.dols"

--- Applies every safe dols fix of buffer `bufnr` now, synchronously (the
--- server's `source.fixAll.dols` code action). Returns how many actions were
--- applied, or nil and a reason.
function M.fix_all(bufnr, timeout_ms)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client
  for _, c in pairs(vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)) do
    if c.name == M.name then
      client = c
    end
  end
  if not client then
    return nil, "dols is not attached to this buffer"
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } },
    context = { diagnostics = {}, only = { M.FIX_ALL_KIND }, triggerKind = 2 },
  }
  local response, err = request_sync(client, "textDocument/codeAction", params, timeout_ms or 1000, bufnr)
  if not response then
    return nil, tostring(err or "no answer")
  end
  if response.err then
    return nil, vim.inspect(response.err)
  end
  local applied = 0
  for _, action in ipairs(response.result or {}) do
    if action.edit then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      applied = applied + 1
    end
  end
  return applied
end

-- Client commands ----------------------------------------------------------

local function set_quickfix(title, items)
  vim.fn.setqflist({}, " ", { title = title, items = items })
  if #items == 0 then
    vim.notify(title .. ": nothing to show", vim.log.levels.INFO)
  else
    vim.cmd("botright copen")
  end
end

--- `dols.showLocations` (a code lens: the bindings of a class, the migration
--- creating it, its stub calls): arguments [uri, position, Location[]].
function M.show_locations(command, ctx)
  local args = command.arguments or {}
  local locations = args[3]
  if type(locations) ~= "table" then
    vim.notify("dols.showLocations: no locations in " .. vim.inspect(args), vim.log.levels.ERROR)
    return
  end
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local encoding = client and client.offset_encoding or "utf-16"
  set_quickfix("dols: " .. (command.title or "locations"), vim.lsp.util.locations_to_items(locations, encoding))
end

local function backend(value)
  return value == vim.NIL and nil or value
end

--- `dols.showTopology`: the server's `dols/topology` answer in the quickfix
--- list, one entry per binding, class and migration, Worker by Worker.
function M.show_topology(_, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  request(client, "dols/topology", vim.empty_dict(), function(err, result)
    if err or type(result) ~= "table" then
      vim.notify("dols/topology: " .. vim.inspect(err), vim.log.levels.ERROR)
      return
    end
    local items = {}
    local function add(location, text)
      if type(location) == "table" then
        local item = vim.lsp.util.locations_to_items({ location }, client.offset_encoding)[1]
        if item then
          item.text = text
          table.insert(items, item)
        end
      end
    end
    for _, worker in ipairs(result.workers or {}) do
      local name = backend(worker.name) or vim.uri_to_fname(worker.config)
      local top = { range = { start = { line = 0, character = 0 }, ["end"] = { line = 0, character = 0 } } }
      add(vim.tbl_extend("force", top, { uri = worker.config }), "Worker " .. name)
      for _, b in ipairs(worker.bindings or {}) do
        local where = backend(b.env) and ("env " .. b.env) or "top level"
        local host = backend(b.host) and "" or (" (Worker " .. tostring(backend(b.scriptName) or "?") .. ")")
        add(b.location, string.format("  env.%s → %s%s · %s · %s", b.name, b.className, host, backend(b.backend) or "no backend", where))
      end
      for _, c in ipairs(worker.classes or {}) do
        add(c.location, string.format("  class %s · %s · %s", c.name, backend(c.backend) or "no backend", c.exported and "exported" or "not exported by main"))
      end
      for _, m in ipairs(worker.migrations or {}) do
        local steps = {}
        for _, step in ipairs(m.steps or {}) do
          table.insert(steps, step.op .. " " .. step.class .. (step.fails and " (fails)" or ""))
        end
        local tag = m.declarative and "exports" or ("migration " .. tostring(backend(m.tag) or "(untagged)"))
        add(m.location, string.format("  %s: %s", tag, table.concat(steps, "; ")))
      end
    end
    set_quickfix("dols: topology", items)
  end)
end

-- The server's code lenses name these; Neovim runs them here instead of
-- sending them back to the server.
vim.lsp.commands["dols.showLocations"] = function(...)
  return M.show_locations(...)
end
vim.lsp.commands["dols.showTopology"] = function(...)
  return M.show_topology(...)
end

-- Per buffer ---------------------------------------------------------------

local function refresh_codelens(bufnr)
  if vim.fn.has("nvim-0.10") == 1 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    vim.lsp.codelens.refresh() -- 0.7-0.9: the current buffer
  end
end

--- What dols sets up in a buffer it attaches to: inlay hints, code lenses,
--- :DolsFixAll and (opt-in) fix-on-save. Called by the plugin's clients
--- (before your `on_attach`) and by lsp/dols.lua; call it from your own
--- on_attach if you replace lsp/dols.lua's. `opts` overrides the options
--- given to setup() (or the defaults); its `on_attach` is not called.
function M.on_attach(_, bufnr, opts)
  opts = vim.tbl_extend("force", {}, defaults, M.options or {}, opts or {})
  if opts.inlay_hints and vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then
    pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr })
  end
  local group = vim.api.nvim_create_augroup("dols_buffer_" .. bufnr, { clear = true })
  if opts.codelens and vim.lsp.codelens then
    refresh_codelens(bufnr)
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "BufWritePost" }, {
      group = group,
      buffer = bufnr,
      callback = function(args)
        refresh_codelens(args.buf)
      end,
    })
  end
  vim.api.nvim_buf_create_user_command(bufnr, "DolsFixAll", function()
    local applied, err = M.fix_all(bufnr, opts.fix_on_save_timeout_ms)
    if not applied then
      vim.notify("dols: fix all: " .. err, vim.log.levels.WARN)
    end
  end, { desc = "dols: apply every safe fix of this buffer (source.fixAll.dols)" })
  if opts.fix_on_save then
    vim.api.nvim_create_autocmd("BufWritePre", {
      group = group,
      buffer = bufnr,
      callback = function(args)
        M.fix_all(args.buf, opts.fix_on_save_timeout_ms)
      end,
    })
  end
end

local function client_config(opts)
  return {
    name = M.name,
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    settings = opts.settings,
    init_options = opts.init_options,
    capabilities = opts.capabilities,
    on_attach = function(client, bufnr)
      M.on_attach(client, bufnr, opts)
      if opts.on_attach then
        opts.on_attach(client, bufnr)
      end
    end,
    on_exit = opts.on_exit,
  }
end

-- Neovim 0.11+ ------------------------------------------------------------

local function setup_lsp_config(opts)
  local config = client_config(opts)
  config.name = nil
  config.root_markers = opts.root_markers
  -- A function root_dir: on_dir is called only inside a Worker root, so no
  -- client starts for stray TS files or for package.json.
  config.root_dir = function(bufnr, on_dir)
    local root = M.root_for_buffer(bufnr, opts.root_markers)
    if root then
      on_dir(root)
    end
  end
  vim.lsp.config(M.name, config)
  vim.lsp.enable(M.name)
end

-- Neovim 0.7 - 0.10 -------------------------------------------------------

local clients_by_root = {}

local function attach_legacy(opts, bufnr)
  local root = M.root_for_buffer(bufnr, opts.root_markers)
  if not root then
    return
  end
  local config = client_config(opts)
  config.root_dir = root
  config.workspace_folders = {
    { uri = vim.uri_from_fname(root), name = root },
  }
  if vim.lsp.start then -- 0.8+: reuses a client with the same name and root
    vim.lsp.start(config, { bufnr = bufnr })
    return
  end
  local id = clients_by_root[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(config)
    if not id then
      vim.notify("dols: could not start " .. table.concat(opts.cmd, " "), vim.log.levels.ERROR)
      return
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function setup_legacy(opts)
  local group = vim.api.nvim_create_augroup("dols", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      attach_legacy(opts, args.buf)
    end,
  })
  -- Buffers opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      attach_legacy(opts, bufnr)
    end
  end
end

--- True when this Neovim has vim.lsp.config / vim.lsp.enable (0.11+).
function M.has_lsp_config()
  return type(vim.lsp.config) ~= "nil" and type(vim.lsp.enable) == "function"
end

function M.setup(user)
  local opts = vim.tbl_deep_extend("force", {}, defaults, user or {})
  -- Lists replace, not merge.
  if user and user.cmd then
    opts.cmd = user.cmd
  end
  if user and user.filetypes then
    opts.filetypes = user.filetypes
  end
  if user and user.root_markers then
    opts.root_markers = user.root_markers
  end
  local modern = opts.use_lsp_config
  if modern == nil then
    modern = M.has_lsp_config()
  end
  if modern then
    setup_lsp_config(opts)
  else
    setup_legacy(opts)
  end
  M.options = opts
end

return M
