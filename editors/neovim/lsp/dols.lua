-- dols for Neovim 0.11+ without calling setup():
--
--   vim.opt.runtimepath:append("/path/to/dols/editors/neovim")
--   vim.lsp.enable("dols")
--
-- `vim.lsp.enable` finds this file on 'runtimepath' as the base config of the
-- "dols" server. Change any field on top of it with
-- `vim.lsp.config("dols", { cmd = { "/path/to/dols", "lsp" } })`.
--
-- on_attach switches on inlay hints and code lenses in the buffer (see
-- require("dols").on_attach); a `vim.lsp.config("dols", { on_attach = … })`
-- of yours replaces it, so call require("dols").on_attach from yours.
--
-- root_dir decides where dols runs (root_markers is there for reference and
-- for :checkhealth; Neovim ignores it when root_dir is a function): inside a
-- Worker root only, and for JSON/TOML only the wrangler configs themselves,
-- never package.json or tsconfig.json.

local dols = require("dols")

return {
  cmd = { "dols", "lsp" },
  filetypes = vim.deepcopy(dols.filetypes),
  root_markers = vim.deepcopy(dols.root_markers),
  root_dir = function(bufnr, on_dir)
    local root = dols.root_for_buffer(bufnr)
    if root then
      on_dir(root)
    end
  end,
  -- Inlay hints, code lenses, :DolsFixAll (and fix-on-save when asked:
  -- require("dols").on_attach(client, bufnr, { fix_on_save = true })).
  on_attach = function(client, bufnr)
    dols.on_attach(client, bufnr)
  end,
  settings = {},
}
