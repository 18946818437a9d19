-- Table utilities: functional helpers, deep copy/equality, grouping and sorting.
local M = {}

function M.map(t, f)
  local out = {}
  for i, v in ipairs(t) do out[i] = f(v, i) end
  return out
end

function M.filter(t, f)
  local out = {}
  for i, v in ipairs(t) do
    if f(v, i) then out[#out + 1] = v end
  end
  return out
end

function M.reduce(t, f, acc)
  local start = 1
  if acc == nil then
    acc = t[1]
    start = 2
  end
  for i = start, #t do acc = f(acc, t[i], i) end
  return acc
end

function M.find(t, f)
  for i, v in ipairs(t) do
    if f(v, i) then return v, i end
  end
end

function M.any(t, f)
  for i, v in ipairs(t) do
    if f(v, i) then return true end
  end
  return false
end

function M.all(t, f)
  for i, v in ipairs(t) do
    if not f(v, i) then return false end
  end
  return true
end

function M.keys(t)
  local out = {}
  for k in pairs(t) do out[#out + 1] = k end
  table.sort(out, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    return a < b
  end)
  return out
end

function M.values(t)
  local out = {}
  for _, k in ipairs(M.keys(t)) do out[#out + 1] = t[k] end
  return out
end

function M.count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

function M.copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return setmetatable(out, getmetatable(t))
end

function M.deep_copy(v, seen)
  if type(v) ~= 'table' then return v end
  seen = seen or {}
  if seen[v] then return seen[v] end
  local out = {}
  seen[v] = out
  for k, x in pairs(v) do out[M.deep_copy(k, seen)] = M.deep_copy(x, seen) end
  return setmetatable(out, getmetatable(v))
end

function M.deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= 'table' or type(b) ~= 'table' then return false end
  for k, v in pairs(a) do
    if not M.deep_equal(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

function M.merge(...)
  local out = {}
  for i = 1, select('#', ...) do
    local t = select(i, ...)
    if t then
      for k, v in pairs(t) do out[k] = v end
    end
  end
  return out
end

function M.deep_merge(base, extra)
  local out = M.deep_copy(base)
  for k, v in pairs(extra) do
    if type(v) == 'table' and type(out[k]) == 'table' then
      out[k] = M.deep_merge(out[k], v)
    else
      out[k] = M.deep_copy(v)
    end
  end
  return out
end

function M.flatten(t, depth, out)
  out = out or {}
  depth = depth or math.huge
  for _, v in ipairs(t) do
    if type(v) == 'table' and depth > 0 then
      M.flatten(v, depth - 1, out)
    else
      out[#out + 1] = v
    end
  end
  return out
end

function M.group_by(t, key)
  local groups, order = {}, {}
  for _, v in ipairs(t) do
    local k = type(key) == 'function' and key(v) or v[key]
    if not groups[k] then
      groups[k] = {}
      order[#order + 1] = k
    end
    table.insert(groups[k], v)
  end
  return groups, order
end

function M.index_by(t, key)
  local out = {}
  for _, v in ipairs(t) do out[v[key]] = v end
  return out
end

function M.sort_by(t, ...)
  local keys = { ... }
  local out = table.move(t, 1, #t, 1, {})
  table.sort(out, function(a, b)
    for _, k in ipairs(keys) do
      local desc = false
      if k:sub(1, 1) == '-' then
        desc = true
        k = k:sub(2)
      end
      local x, y = a[k], b[k]
      if x ~= y then
        if desc then return x > y end
        return x < y
      end
    end
    return false
  end)
  return out
end

function M.sum(t, key)
  local s = 0
  for _, v in ipairs(t) do s = s + (key and v[key] or v) end
  return s
end

function M.range(a, b, step)
  local out = {}
  for i = a, b, step or 1 do out[#out + 1] = i end
  return out
end

function M.chunk(t, size)
  local out = {}
  for i = 1, #t, size do out[#out + 1] = table.move(t, i, math.min(i + size - 1, #t), 1, {}) end
  return out
end

function M.zip(a, b)
  local out = {}
  for i = 1, math.min(#a, #b) do out[i] = { a[i], b[i] } end
  return out
end

function M.unique(t)
  local seen, out = {}, {}
  for _, v in ipairs(t) do
    if not seen[v] then
      seen[v] = true
      out[#out + 1] = v
    end
  end
  return out
end

function M.freeze(t)
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k) error('attempt to modify frozen table (key ' .. tostring(k) .. ')', 2) end,
    __len = function() return #t end,
    __pairs = function() return next, t, nil end,
  })
end

--- A stable merge sort (table.sort is not stable).
function M.stable_sort(t, less)
  less = less or function(a, b) return a < b end
  local n = #t
  local a, b = table.move(t, 1, n, 1, {}), {}
  local width = 1
  while width < n do
    for lo = 1, n, 2 * width do
      local mid, hi = math.min(lo + width, n + 1), math.min(lo + 2 * width, n + 1)
      local i, j, k = lo, mid, lo
      while i < mid and j < hi do
        if less(a[j], a[i]) then
          b[k] = a[j]
          j = j + 1
        else
          b[k] = a[i]
          i = i + 1
        end
        k = k + 1
      end
      while i < mid do b[k], i, k = a[i], i + 1, k + 1 end
      while j < hi do b[k], j, k = a[j], j + 1, k + 1 end
    end
    a, b = b, a
    width = width * 2
  end
  return a
end

return M
