complete --keep-order --exclusive --command podctl --arguments "(COMPLETE=fish podctl -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
