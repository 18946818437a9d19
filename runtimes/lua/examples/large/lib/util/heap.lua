-- A binary min-heap with a custom comparator, used as a priority queue.
local Heap = {}
Heap.__index = Heap

function Heap.new(less)
  return setmetatable({ items = {}, less = less or function(a, b) return a < b end }, Heap)
end

function Heap:size() return #self.items end
function Heap:empty() return #self.items == 0 end
function Heap:peek() return self.items[1] end

function Heap:push(v)
  local items, less = self.items, self.less
  items[#items + 1] = v
  local i = #items
  while i > 1 do
    local p = i // 2
    if less(items[i], items[p]) then
      items[i], items[p] = items[p], items[i]
      i = p
    else
      break
    end
  end
end

function Heap:pop()
  local items, less = self.items, self.less
  local n = #items
  if n == 0 then return nil end
  local top = items[1]
  items[1] = items[n]
  items[n] = nil
  n = n - 1
  local i = 1
  while true do
    local l, r, m = 2 * i, 2 * i + 1, i
    if l <= n and less(items[l], items[m]) then m = l end
    if r <= n and less(items[r], items[m]) then m = r end
    if m == i then break end
    items[i], items[m] = items[m], items[i]
    i = m
  end
  return top
end

--- Heap sort of a list with the heap's order.
function Heap.sort(list, less)
  local h = Heap.new(less)
  for _, v in ipairs(list) do h:push(v) end
  local out = {}
  while not h:empty() do out[#out + 1] = h:pop() end
  return out
end

--- Dijkstra's shortest paths on a graph { node = { neighbour = weight } }.
function Heap.shortest_paths(graph, source)
  local dist, prev = { [source] = 0 }, {}
  local q = Heap.new(function(a, b) return a[1] < b[1] end)
  q:push({ 0, source })
  while not q:empty() do
    local d, u = table.unpack(q:pop())
    if d <= (dist[u] or math.huge) then
      for v, w in pairs(graph[u] or {}) do
        local nd = d + w
        if nd < (dist[v] or math.huge) then
          dist[v] = nd
          prev[v] = u
          q:push({ nd, v })
        end
      end
    end
  end
  return dist, prev
end

function Heap.path(prev, target)
  local out = {}
  while target do
    table.insert(out, 1, target)
    target = prev[target]
  end
  return out
end

return Heap
