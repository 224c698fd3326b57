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

local function client_config(opts)
  return {
    name = M.name,
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    settings = opts.settings,
    init_options = opts.init_options,
    capabilities = opts.capabilities,
    on_attach = opts.on_attach,
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
