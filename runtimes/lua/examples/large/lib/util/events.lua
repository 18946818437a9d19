-- An event bus with priorities, once-handlers, wildcard topics and handler errors collected.
local Bus = {}
Bus.__index = Bus

function Bus.new() return setmetatable({ handlers = {}, log = {}, errors = {} }, Bus) end

function Bus:on(topic, fn, priority)
  local list = self.handlers[topic] or {}
  self.handlers[topic] = list
  list[#list + 1] = { fn = fn, priority = priority or 0, seq = #list + 1 }
  table.sort(list, function(a, b)
    if a.priority ~= b.priority then return a.priority > b.priority end
    return a.seq < b.seq
  end)
  return function() self:off(topic, fn) end
end

function Bus:once(topic, fn, priority)
  local off
  off = self:on(topic, function(...)
    off()
    return fn(...)
  end, priority)
  return off
end

function Bus:off(topic, fn)
  local list = self.handlers[topic]
  if not list then return end
  for i = #list, 1, -1 do
    if list[i].fn == fn then table.remove(list, i) end
  end
end

local function matches(pattern, topic)
  if pattern == topic or pattern == '*' then return true end
  if pattern:sub(-2) == '.*' then return topic:sub(1, #pattern - 1) == pattern:sub(1, -2) end
  return false
end

function Bus:emit(topic, ...)
  self.log[#self.log + 1] = topic
  local called = 0
  local snapshot = {}
  for pattern, list in pairs(self.handlers) do
    if matches(pattern, topic) then
      for _, h in ipairs(list) do snapshot[#snapshot + 1] = h end
    end
  end
  table.sort(snapshot, function(a, b)
    if a.priority ~= b.priority then return a.priority > b.priority end
    return a.seq < b.seq
  end)
  for _, h in ipairs(snapshot) do
    local ok, err = pcall(h.fn, topic, ...)
    called = called + 1
    if not ok then self.errors[#self.errors + 1] = { topic = topic, error = err } end
    if ok and err == 'stop' then break end
  end
  return called
end

return Bus
