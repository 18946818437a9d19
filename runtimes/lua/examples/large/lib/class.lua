-- A small class system: single inheritance, mixins, constructors, class-level properties,
-- instanceof checks, metamethod inheritance and readable tostring.
local class = {}

local metamethods = {
  '__add', '__sub', '__mul', '__div', '__mod', '__pow', '__unm', '__idiv',
  '__band', '__bor', '__bxor', '__shl', '__shr', '__bnot',
  '__concat', '__len', '__eq', '__lt', '__le', '__call', '__tostring', '__close',
}

local Object = { __name = 'Object' }
Object.__index = Object
Object.static = {}

function Object:init() end

function Object:is_a(klass)
  local mt = getmetatable(self)
  while mt do
    if mt == klass then return true end
    mt = mt.super
  end
  return false
end

function Object:class_name() return getmetatable(self).__name end

function Object:__tostring()
  local parts = {}
  local keys = {}
  for k in pairs(self) do
    if type(k) == 'string' then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = self[k]
    if type(v) ~= 'function' and type(v) ~= 'table' then parts[#parts + 1] = k .. '=' .. tostring(v) end
  end
  return self:class_name() .. '(' .. table.concat(parts, ', ') .. ')'
end

local function copy_metamethods(child, parent)
  for _, name in ipairs(metamethods) do
    if rawget(child, name) == nil and parent[name] ~= nil then child[name] = parent[name] end
  end
end

local function new_instance(klass, ...)
  local obj = setmetatable({}, klass)
  obj:init(...)
  return obj
end

--- Creates a class named `name` extending `parent` (default Object).
function class.new(name, parent)
  parent = parent or Object
  local klass = { __name = name, super = parent, static = setmetatable({}, { __index = parent.static }) }
  klass.__index = klass
  copy_metamethods(klass, parent)
  setmetatable(klass, {
    __index = parent,
    __call = new_instance,
    __tostring = function() return 'class ' .. name end,
  })
  return klass
end

--- Mixes the functions of `mixin` into `klass` (without overriding existing methods).
function class.include(klass, mixin)
  for k, v in pairs(mixin) do
    if k ~= 'included' and rawget(klass, k) == nil then klass[k] = v end
  end
  if mixin.included then mixin.included(klass) end
  return klass
end

--- Calls the parent's implementation of `method` on `self`.
function class.super(klass, self, method, ...)
  local parent = klass.super
  local fn = parent and parent[method]
  if not fn then error(('%s has no parent method %s'):format(klass.__name, method), 2) end
  return fn(self, ...)
end

--- Declares properties with getters/setters backed by fields prefixed with `_`.
function class.properties(klass, spec)
  local getters, setters = {}, {}
  for name, def in pairs(spec) do
    getters[name] = def.get or function(self) return rawget(self, '_' .. name) end
    if def.set ~= false then
      setters[name] = def.set or function(self, v)
        if def.check then
          local ok, err = def.check(v)
          if not ok then error(('invalid %s: %s'):format(name, err), 3) end
        end
        rawset(self, '_' .. name, v)
      end
    end
  end
  local methods = klass
  klass.__index = function(self, key)
    local g = getters[key]
    if g then return g(self) end
    return methods[key]
  end
  klass.__newindex = function(self, key, value)
    local s = setters[key]
    if s then return s(self, value) end
    if getters[key] then error(('property %s is read-only'):format(key), 2) end
    rawset(self, key, value)
  end
  return klass
end

function class.isclass(value)
  return type(value) == 'table' and rawget(value, '__index') ~= nil and rawget(value, '__name') ~= nil
end

function class.instanceof(value, klass)
  return type(value) == 'table' and type(value.is_a) == 'function' and value:is_a(klass)
end

class.Object = setmetatable(Object, { __call = new_instance, __tostring = function() return 'class Object' end })

-- Mixins used across the app.
class.mixins = {}

class.mixins.Comparable = {
  __lt = function(a, b) return a:compare(b) < 0 end,
  __le = function(a, b) return a:compare(b) <= 0 end,
  __eq = function(a, b) return a:compare(b) == 0 end,
}

class.mixins.Observable = {
  on = function(self, event, handler)
    local handlers = rawget(self, '_handlers') or {}
    rawset(self, '_handlers', handlers)
    handlers[event] = handlers[event] or {}
    table.insert(handlers[event], handler)
    return self
  end,
  emit = function(self, event, ...)
    local handlers = rawget(self, '_handlers')
    if not handlers or not handlers[event] then return 0 end
    for _, h in ipairs(handlers[event]) do h(self, ...) end
    return #handlers[event]
  end,
}

class.mixins.Serializable = {
  to_table = function(self)
    local out = {}
    for k, v in pairs(self) do
      if type(k) == 'string' and k:sub(1, 1) ~= '_' and type(v) ~= 'function' then
        out[k] = type(v) == 'table' and type(v.to_table) == 'function' and v:to_table() or v
      end
    end
    for _, name in ipairs(self.serialized_properties or {}) do out[name] = self[name] end
    return out
  end,
}

return class
