-- Pytrix for Neovim 0.11+ (no plugin needed).
-- Copy into your config (e.g. ~/.config/nvim/plugin/pytrix.lua). Install the
-- command with `pipx install pytrix-practice` (or `uv tool install
-- pytrix-practice`): both put `pytrix` in ~/.local/bin, on your PATH; else set
-- `cmd` to its full path.
vim.lsp.config('pytrix', {
  cmd = { vim.env.PYTRIX_CMD or 'pytrix', 'serve' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', '.git', 'pytrix' },
  settings = {
    pytrix = {
      runOnChange = true,
      debounceMs = 600,
      revealAfterFailures = 3,
    },
  },
})
vim.lsp.enable('pytrix')

-- Code lenses ("▶ Run tests · 5/8 passing · ✓ Submit") refresh as results arrive.
vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'pytrix' then
      vim.lsp.codelens.refresh({ bufnr = args.buf })
      vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
        buffer = args.buf,
        callback = function() vim.lsp.codelens.refresh({ bufnr = args.buf }) end,
      })
    end
  end,
})
