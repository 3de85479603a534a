-- The mbn language server for Neovim 0.11+: with this folder on the
-- runtimepath, `vim.lsp.enable('mbn')` starts it for mbn buffers.
-- `--no`: never let npx download a package called mbnc; use the project's mbn.
return {
  cmd = { 'npx', '--no', 'mbnc', 'lsp', '--stdio' },
  filetypes = { 'mbn' },
  root_markers = { 'package.json', '.git' },
}
