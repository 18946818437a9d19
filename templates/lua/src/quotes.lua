-- A module of the app: `require('quotes')` finds it next to main.lua.
local Q = {}

Q.list = {
  { text = 'Simplicity is prerequisite for reliability.', author = 'Edsger W. Dijkstra' },
  { text = 'Make it work, make it right, make it fast.', author = 'Kent Beck' },
  { text = 'Programs must be written for people to read.', author = 'Harold Abelson' },
  { text = 'Premature optimization is the root of all evil.', author = 'Donald Knuth' },
  { text = 'Talk is cheap. Show me the code.', author = 'Linus Torvalds' },
}

function Q.index()
  local by = {}
  for _, q in ipairs(Q.list) do
    by[q.author] = by[q.author] or {}
    table.insert(by[q.author], q.text)
  end
  return by
end

function Q.count(index)
  local n = 0
  for _ in pairs(index) do n = n + 1 end
  return n
end

return Q
