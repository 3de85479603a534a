" .mbn files are mbn specs (Neovim 0.11+ can say the same with vim.filetype.add).
autocmd BufRead,BufNewFile *.mbn setfiletype mbn
