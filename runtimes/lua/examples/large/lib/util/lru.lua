-- A least-recently-used cache with a capacity, hit/miss counters and optional TTL in ticks.
local LRU = {}
LRU.__index = LRU

function LRU.new(capacity)
  assert(capacity and capacity > 0, 'capacity must be positive')
  local head = {}
  local tail = {}
  head.next, tail.prev = tail, head
  return setmetatable({ capacity = capacity, size = 0, map = {}, head = head, tail = tail, hits = 0, misses = 0,
    evictions = 0, clock = 0 }, LRU)
end

local function unlink(node)
  node.prev.next = node.next
  node.next.prev = node.prev
end

function LRU:push_front(node)
  node.next = self.head.next
  node.prev = self.head
  self.head.next.prev = node
  self.head.next = node
end

function LRU:tick(n) self.clock = self.clock + (n or 1) end

function LRU:get(key)
  local node = self.map[key]
  if not node or (node.expires and node.expires <= self.clock) then
    if node then self:delete(key) end
    self.misses = self.misses + 1
    return nil
  end
  self.hits = self.hits + 1
  unlink(node)
  self:push_front(node)
  return node.value
end

function LRU:set(key, value, ttl)
  local node = self.map[key]
  if node then
    node.value = value
    node.expires = ttl and self.clock + ttl or nil
    unlink(node)
    self:push_front(node)
    return
  end
  if self.size >= self.capacity then
    local victim = self.tail.prev
    unlink(victim)
    self.map[victim.key] = nil
    self.size = self.size - 1
    self.evictions = self.evictions + 1
  end
  node = { key = key, value = value, expires = ttl and self.clock + ttl or nil }
  self.map[key] = node
  self:push_front(node)
  self.size = self.size + 1
end

function LRU:delete(key)
  local node = self.map[key]
  if not node then return false end
  unlink(node)
  self.map[key] = nil
  self.size = self.size - 1
  return true
end

--- Returns the cached value or computes it with `fn(key)` and caches it.
function LRU:fetch(key, fn)
  local v = self:get(key)
  if v == nil then
    v = fn(key)
    self:set(key, v)
  end
  return v
end

function LRU:keys()
  local out = {}
  local node = self.head.next
  while node ~= self.tail do
    out[#out + 1] = node.key
    node = node.next
  end
  return out
end

function LRU:stats()
  return { size = self.size, hits = self.hits, misses = self.misses, evictions = self.evictions }
end

return LRU
