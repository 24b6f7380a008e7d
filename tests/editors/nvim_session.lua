-- Drives a real Neovim as an LSP client of `pytrix serve`, using the shipped config.
-- Reads PYTRIX_TEST_FILE and PYTRIX_TEST_OUT; writes what happened as JSON.
local out = { steps = {} }
local function step(name, data) table.insert(out.steps, { name = name, data = data }) end
local function finish(ok, err)
  out.ok = ok
  out.error = err
  local f = assert(io.open(vim.env.PYTRIX_TEST_OUT, 'w'))
  f:write(vim.json.encode(out))
  f:close()
  vim.cmd('qall!')
end

local messages = {}
vim.lsp.handlers['window/showMessage'] = function(_, result)
  table.insert(messages, result.message)
end

vim.cmd('filetype on')
dofile(vim.env.PYTRIX_CONFIG)
vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.PYTRIX_TEST_FILE))
local buf = vim.api.nvim_get_current_buf()

local ok, err = pcall(function()
  assert(vim.wait(30000, function() return #vim.lsp.get_clients({ bufnr = buf, name = 'pytrix' }) > 0 end, 20),
    'the pytrix client never attached')
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'pytrix' })[1]
  step('attached', { name = client.name })

  assert(vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20), 'no diagnostics arrived')
  local diags = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(diags, { lnum = d.lnum, col = d.col, message = d.message, severity = d.severity, source = d.source })
  end
  step('diagnostics', diags)

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
    context = { diagnostics = {} },
  }
  local replies = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 10000)
  local titles, hint = {}, nil
  for _, reply in pairs(replies or {}) do
    for _, action in ipairs(reply.result or {}) do
      table.insert(titles, action.title)
      if action.title:find('next hint', 1, true) then hint = action end
    end
  end
  step('code_actions', titles)
  assert(hint, 'no hint code action')

  local done = false
  client:exec_cmd(hint.command, { bufnr = buf }, function() done = true end)
  assert(vim.wait(10000, function() return done and #messages > 0 end, 20), 'the hint never came')
  step('hint', messages)

  -- Fix the code in the buffer: the server re-runs on change and reports all passing.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:match('^%s+return s$') then lines[i] = '    return s[::-1]' end
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  assert(vim.wait(30000, function()
    local current = vim.diagnostic.get(buf)
    return #current == 1 and current[1].message:find('All 7 tests passed', 1, true) ~= nil
  end, 20), 'the fixed code never reported all passing')
  step('fixed', vim.diagnostic.get(buf)[1].message)
end)
finish(ok, err and tostring(err) or nil)
