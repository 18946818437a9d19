-- The smallest wasm-runtime Lua app. Everything at the top level runs at build time (init);
-- `main` runs on every start of the snapshot, `greet` is callable from JS.
local greeting = string.format('Hello from Lua %s', _VERSION:match('%d+%.%d+'))

local M = {}

function M.main(args)
  local who = args[1] or 'world'
  print(greeting .. ', ' .. who .. '!')
  return 0
end

function M.greet(name)
  return greeting .. ', ' .. (name ~= '' and name or 'world') .. '!'
end

return M
