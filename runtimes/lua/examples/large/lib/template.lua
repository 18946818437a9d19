-- A templating engine compiled to Lua functions: {{ expr | filter }}, {{{ raw }}},
-- {% if %}/{% elseif %}/{% else %}/{% end %}, {% for x in list %}, {% for k, v in pairs(t) %},
-- {% include "name" %}, {# comments #}, and whitespace control with {%- -%}.
local template = {}

local filters = {}
template.filters = filters

function filters.upper(s) return tostring(s):upper() end
function filters.lower(s) return tostring(s):lower() end
function filters.title(s)
  return (tostring(s):gsub('(%a)([%w_]*)', function(a, b) return a:upper() .. b:lower() end))
end
function filters.trim(s) return (tostring(s):gsub('^%s+', ''):gsub('%s+$', '')) end
function filters.length(v)
  if type(v) == 'table' then return #v end
  return #tostring(v)
end
function filters.default(v, d) if v == nil or v == '' then return d end return v end
function filters.join(t, sep) return table.concat(t, sep or ', ') end
function filters.money(n) return string.format('%.2f', tonumber(n) or 0) end
function filters.truncate(s, n)
  s = tostring(s)
  n = n or 20
  if #s <= n then return s end
  return s:sub(1, n - 3) .. '...'
end
function filters.pad(s, n) return string.format('%-' .. (n or 10) .. 's', tostring(s)) end
function filters.first(t) return t[1] end
function filters.last(t) return t[#t] end
function filters.reverse(t)
  if type(t) == 'string' then return t:reverse() end
  local out = {}
  for i = #t, 1, -1 do out[#out + 1] = t[i] end
  return out
end
function filters.sort(t)
  local out = table.move(t, 1, #t, 1, {})
  table.sort(out)
  return out
end

local html_escapes = { ['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;', ["'"] = '&#39;' }
function filters.escape(s) return (tostring(s):gsub('[&<>"\']', html_escapes)) end

local Compiler = {}
Compiler.__index = Compiler

local function quote(s) return string.format('%q', s) end

-- Splits "expr | f1 | f2(a, b)" into the expression and its filter calls.
local function compile_expression(src)
  local parts = {}
  local depth, last = 0, 1
  local in_str = nil
  for i = 1, #src do
    local c = src:sub(i, i)
    if in_str then
      if c == in_str and src:sub(i - 1, i - 1) ~= '\\' then in_str = nil end
    elseif c == '"' or c == "'" then
      in_str = c
    elseif c == '(' or c == '[' or c == '{' then
      depth = depth + 1
    elseif c == ')' or c == ']' or c == '}' then
      depth = depth - 1
    elseif c == '|' and depth == 0 and src:sub(i + 1, i + 1) ~= '|' and src:sub(i - 1, i - 1) ~= '|' then
      parts[#parts + 1] = src:sub(last, i - 1)
      last = i + 1
    end
  end
  parts[#parts + 1] = src:sub(last)
  local code = '(' .. parts[1] .. ')'
  for i = 2, #parts do
    local f = parts[i]:match('^%s*(.-)%s*$')
    local name, args = f:match('^([%w_]+)%s*%((.*)%)$')
    if not name then name, args = f:match('^([%w_]+)$'), nil end
    if not name then error('bad filter: ' .. f, 0) end
    code = string.format('__filters[%q](%s%s)', name, code, args and (', ' .. args) or '')
  end
  return code
end

function Compiler.new(name, source, loader)
  return setmetatable({ name = name, source = source, loader = loader, out = {}, stack = {} }, Compiler)
end

function Compiler:emit(line) self.out[#self.out + 1] = line end

function Compiler:text(s)
  if s ~= '' then self:emit('__out[#__out+1] = ' .. quote(s)) end
end

function Compiler:tag(body, line)
  local kw, rest = body:match('^(%a+)%s*(.-)%s*$')
  if kw == 'if' then
    self:emit('if ' .. compile_expression(rest) .. ' then')
    table.insert(self.stack, { 'if', line })
  elseif kw == 'elseif' then
    self:emit('elseif ' .. compile_expression(rest) .. ' then')
  elseif kw == 'else' then
    self:emit('else')
  elseif kw == 'for' then
    local a, b, iter = rest:match('^([%w_]+)%s*,%s*([%w_]+)%s+in%s+(.+)$')
    if a then
      self:emit(string.format('for %s, %s in %s do', a, b, iter))
    else
      local var, list = rest:match('^([%w_]+)%s+in%s+(.+)$')
      if not var then error(string.format('%s:%d: bad for tag: %s', self.name, line, body), 0) end
      self:emit(string.format('for __i, %s in ipairs(%s) do local loop = { index = __i, first = __i == 1 }', var,
        compile_expression(list)))
    end
    table.insert(self.stack, { 'for', line })
  elseif kw == 'end' then
    if #self.stack == 0 then error(string.format('%s:%d: unexpected end', self.name, line), 0) end
    table.remove(self.stack)
    self:emit('end')
  elseif kw == 'set' then
    local var, expr = rest:match('^([%w_]+)%s*=%s*(.+)$')
    self:emit(string.format('local %s = %s', var, compile_expression(expr)))
  elseif kw == 'include' then
    local name = rest:match('^["\'](.-)["\']$')
    if not name then error(string.format('%s:%d: bad include: %s', self.name, line, body), 0) end
    self:emit(string.format('__out[#__out+1] = __include(%q, __env)', name))
  else
    error(string.format('%s:%d: unknown tag %s', self.name, line, tostring(kw)), 0)
  end
end

function Compiler:compile()
  local src = self.source
  local pos, line = 1, 1
  local trim_next = false
  while pos <= #src do
    local s, e, open = src:find('{([{%%#])', pos)
    local text = src:sub(pos, (s or #src + 1) - 1)
    if trim_next then text = text:gsub('^%s+', '') end
    trim_next = false
    if s and src:sub(e + 1, e + 1) == '-' then text = text:gsub('%s+$', '') end
    self:text(text)
    if not s then break end
    for _ in src:sub(pos, s):gmatch('\n') do line = line + 1 end
    local close = ({ ['{'] = '}}', ['%'] = '%}', ['#'] = '#}' })[open]
    if open == '{' and src:sub(e + 1, e + 1) == '{' then close = '}}}' end
    local cs, ce = src:find(close, e + 1, true)
    if not cs then error(string.format('%s:%d: unclosed tag', self.name, line), 0) end
    local body = src:sub(e + 1, cs - 1)
    if body:sub(1, 1) == '-' then body = body:sub(2) end
    if body:sub(-1) == '-' then
      body = body:sub(1, -2)
      trim_next = true
    end
    body = body:match('^%s*(.-)%s*$')
    if close == '}}}' then
      self:emit('__out[#__out+1] = tostring(' .. compile_expression(body:sub(2)) .. ')')
    elseif open == '{' then
      self:emit('__out[#__out+1] = __escape(' .. compile_expression(body) .. ')')
    elseif open == '%' then
      self:tag(body, line)
    end
    for _ in body:gmatch('\n') do line = line + 1 end
    pos = ce + 1
  end
  if #self.stack > 0 then
    local open = self.stack[#self.stack]
    error(string.format('%s:%d: %s is never closed', self.name, open[2], open[1]), 0)
  end
  return 'local __env = _ENV\nlocal __out = {}\n' .. table.concat(self.out, '\n') .. '\nreturn table.concat(__out)'
end

local Set = {}
Set.__index = Set
template.Set = Set

--- A set of named templates that can include each other.
function template.set(sources)
  return setmetatable({ sources = sources or {}, compiled = {}, helpers = {} }, Set)
end

function Set:add(name, source)
  self.sources[name] = source
  self.compiled[name] = nil
  return self
end

function Set:get(name)
  local fn = self.compiled[name]
  if fn then return fn end
  local source = self.sources[name]
  if not source then error('no template named ' .. name, 0) end
  local code = Compiler.new(name, source):compile()
  local set = self
  local escape = function(v)
    if v == nil then return '' end
    return filters.escape(v)
  end
  local include = function(n, e) return set:render(n, e) end
  -- The body runs with _ENV = a scope over the render's variables, helpers and globals.
  local factory, err = load('local __filters, __escape, __include = ...\nreturn function(_ENV)\n' .. code .. '\nend',
    '=' .. name, 't', {})
  if not factory then error(name .. ': ' .. err, 0) end
  local body = factory(filters, escape, include)
  fn = function(env)
    local scope = setmetatable({}, {
      __index = function(_, k)
        local v = env[k]
        if v ~= nil then return v end
        v = set.helpers[k]
        if v ~= nil then return v end
        return _G[k]
      end,
    })
    return body(scope)
  end
  self.compiled[name] = fn
  self.code = self.code or {}
  self.code[name] = code
  return fn
end

function Set:render(name, env)
  return self:get(name)(env or {})
end

--- Compiles and renders a single template string.
function template.render(source, env)
  return template.set({ main = source }):render('main', env)
end

--- The Lua code a template compiles to (for debugging and tests).
function template.compile(source, name)
  return Compiler.new(name or 'template', source):compile()
end

return template
