-- Everything at the top level runs once, at build time (`npx wasm-runtime build`): requiring modules,
-- reading files, building tables. The result is saved in a snapshot, so every start of the app
-- begins here, already initialized. `main` runs on every start (`npm start`).
local quotes = require('quotes')

local by_author = quotes.index() -- built at build time, kept in the snapshot

local M = {}

function M.main(args)
  local who = args[1] or 'world'
  print(('Hello, %s! (Lua %s, started from a snapshot)'):format(who, _VERSION:match('%d+%.%d+')))
  -- math.random is reseeded on every start, so each run picks its own quote.
  local q = quotes.list[math.random(#quotes.list)]
  print(('"%s" (%s)'):format(q.text, q.author))
  print(('%d quotes by %d authors'):format(#quotes.list, quotes.count(by_author)))
  return 0 -- the exit code; return false (1), an integer, or raise an error (1)
end

return M
