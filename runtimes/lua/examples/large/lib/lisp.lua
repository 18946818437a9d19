-- A small Lisp: reader, evaluator with lexical closures, tail calls via a trampoline-free loop,
-- macros-lite (quote, quasi-free), and a standard environment. Used for pricing rules.
local M = {}

local Symbol = {}
Symbol.__index = Symbol
Symbol.__tostring = function(s) return s.name end
local symbols = {}
local function sym(name)
  local s = symbols[name]
  if not s then
    s = setmetatable({ name = name }, Symbol)
    symbols[name] = s
  end
  return s
end
M.sym = sym

local Nil = setmetatable({}, { __tostring = function() return '()' end })
M.Nil = Nil

local function tokenize(src)
  local tokens = {}
  local i = 1
  while i <= #src do
    local c = src:sub(i, i)
    if c:match('%s') then
      i = i + 1
    elseif c == ';' then
      i = (src:find('\n', i) or #src) + 1
    elseif c == '(' or c == ')' or c == "'" then
      tokens[#tokens + 1] = c
      i = i + 1
    elseif c == '"' then
      local j = i + 1
      local buf = {}
      while j <= #src and src:sub(j, j) ~= '"' do
        local ch = src:sub(j, j)
        if ch == '\\' then
          j = j + 1
          ch = ({ n = '\n', t = '\t' })[src:sub(j, j)] or src:sub(j, j)
        end
        buf[#buf + 1] = ch
        j = j + 1
      end
      tokens[#tokens + 1] = { str = table.concat(buf) }
      i = j + 1
    else
      local tok = src:match('^[^%s%(%)\';]+', i)
      tokens[#tokens + 1] = tok
      i = i + #tok
    end
  end
  return tokens
end

local function read_form(tokens, pos)
  local tok = tokens[pos]
  if tok == nil then error('unexpected end of input', 0) end
  if tok == '(' then
    local list = {}
    pos = pos + 1
    while tokens[pos] ~= ')' do
      if tokens[pos] == nil then error('missing )', 0) end
      local form
      form, pos = read_form(tokens, pos)
      list[#list + 1] = form
    end
    return list, pos + 1
  elseif tok == ')' then
    error('unexpected )', 0)
  elseif tok == "'" then
    local form
    form, pos = read_form(tokens, pos + 1)
    return { sym('quote'), form }, pos
  elseif type(tok) == 'table' then
    return tok.str, pos + 1
  end
  local n = tonumber(tok)
  if n then return n, pos + 1 end
  if tok == '#t' then return true, pos + 1 end
  if tok == '#f' then return false, pos + 1 end
  if tok == 'nil' then return Nil, pos + 1 end
  return sym(tok), pos + 1
end

--- Reads every form of a program.
function M.read(src)
  local tokens = tokenize(src)
  local forms, pos = {}, 1
  while pos <= #tokens do
    local form
    form, pos = read_form(tokens, pos)
    forms[#forms + 1] = form
  end
  return forms
end

local Env = {}
Env.__index = Env
function Env.new(parent) return setmetatable({ vars = {}, parent = parent }, Env) end
function Env:lookup(name)
  local e = self
  while e do
    local v = e.vars[name]
    if v ~= nil then return v end
    e = e.parent
  end
  error('unbound symbol: ' .. name, 0)
end
function Env:set(name, value)
  local e = self
  while e do
    if e.vars[name] ~= nil then
      e.vars[name] = value
      return
    end
    e = e.parent
  end
  error('set! of unbound symbol: ' .. name, 0)
end

local Lambda = {}
Lambda.__index = Lambda

local function truthy(v) return v ~= false and v ~= Nil end

local eval

local special = {}

special['quote'] = function(x) return x[2] end
special['if'] = function(x, env)
  if truthy(eval(x[2], env)) then return x[3], env, true end
  if x[4] == nil then return Nil end
  return x[4], env, true
end
special['define'] = function(x, env)
  local target = x[2]
  if getmetatable(target) == Symbol then
    env.vars[target.name] = eval(x[3], env)
    return Nil
  end
  local params = {}
  for i = 2, #target do params[#params + 1] = target[i].name end
  local body = { sym('begin') }
  for i = 3, #x do body[#body + 1] = x[i] end
  env.vars[target[1].name] = setmetatable({ params = params, body = body, env = env, name = target[1].name }, Lambda)
  return Nil
end
special['set!'] = function(x, env)
  env:set(x[2].name, eval(x[3], env))
  return Nil
end
special['lambda'] = function(x, env)
  local params = {}
  for _, p in ipairs(x[2]) do params[#params + 1] = p.name end
  local body = { sym('begin') }
  for i = 3, #x do body[#body + 1] = x[i] end
  return setmetatable({ params = params, body = body, env = env }, Lambda)
end
special['begin'] = function(x, env)
  for i = 2, #x - 1 do eval(x[i], env) end
  if #x < 2 then return Nil end
  return x[#x], env, true
end
special['let'] = function(x, env)
  local inner = Env.new(env)
  for _, binding in ipairs(x[2]) do inner.vars[binding[1].name] = eval(binding[2], env) end
  local body = { sym('begin') }
  for i = 3, #x do body[#body + 1] = x[i] end
  return body, inner, true
end
special['cond'] = function(x, env)
  for i = 2, #x do
    local clause = x[i]
    if (getmetatable(clause[1]) == Symbol and clause[1].name == 'else') or truthy(eval(clause[1], env)) then
      local body = { sym('begin') }
      for j = 2, #clause do body[#body + 1] = clause[j] end
      return body, env, true
    end
  end
  return Nil
end
special['and'] = function(x, env)
  local v = true
  for i = 2, #x do
    v = eval(x[i], env)
    if not truthy(v) then return v end
  end
  return v
end
special['or'] = function(x, env)
  for i = 2, #x do
    local v = eval(x[i], env)
    if truthy(v) then return v end
  end
  return false
end

function eval(x, env)
  while true do
    local mt = getmetatable(x)
    if mt == Symbol then return env:lookup(x.name) end
    if type(x) ~= 'table' or x == Nil then return x end
    if #x == 0 then return Nil end
    local head = x[1]
    local form = getmetatable(head) == Symbol and special[head.name]
    if form then
      local nx, nenv, tail = form(x, env)
      if not tail then return nx end
      x, env = nx, nenv
    else
      local fn = eval(head, env)
      local args = {}
      for i = 2, #x do args[#args + 1] = eval(x[i], env) end
      if getmetatable(fn) == Lambda then
        local inner = Env.new(fn.env)
        for i, p in ipairs(fn.params) do inner.vars[p] = args[i] == nil and Nil or args[i] end
        x, env = fn.body, inner
      elseif type(fn) == 'function' then
        return fn(table.unpack(args))
      else
        error('not a function: ' .. M.show(fn), 0)
      end
    end
  end
end
M.eval = eval

function M.show(v)
  if v == true then return '#t' end
  if v == false then return '#f' end
  if type(v) == 'string' then return string.format('%q', v) end
  if getmetatable(v) == Lambda then return '<lambda' .. (v.name and (' ' .. v.name) or '') .. '>' end
  if type(v) == 'table' and getmetatable(v) == nil then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = M.show(x) end
    return '(' .. table.concat(parts, ' ') .. ')'
  end
  if math.type(v) == 'float' and v == math.floor(v) then return string.format('%d', v) end
  return tostring(v)
end

function M.global_env()
  local env = Env.new(nil)
  local g = env.vars
  local function fold(f)
    return function(a, ...)
      for i = 1, select('#', ...) do a = f(a, (select(i, ...))) end
      return a
    end
  end
  g['+'] = fold(function(a, b) return a + b end)
  g['*'] = fold(function(a, b) return a * b end)
  g['-'] = function(a, ...)
    if select('#', ...) == 0 then return -a end
    return fold(function(x, y) return x - y end)(a, ...)
  end
  g['/'] = fold(function(a, b) return a / b end)
  g['mod'] = function(a, b) return a % b end
  g['<'] = function(a, b) return a < b end
  g['>'] = function(a, b) return a > b end
  g['<='] = function(a, b) return a <= b end
  g['>='] = function(a, b) return a >= b end
  g['='] = function(a, b) return a == b end
  g['not'] = function(a) return not truthy(a) end
  g['min'] = math.min
  g['max'] = math.max
  g['round'] = function(a, places)
    local m = 10 ^ (places or 0)
    return math.floor(a * m + 0.5) / m
  end
  g['list'] = function(...) return { ... } end
  g['car'] = function(l) return l[1] end
  g['cdr'] = function(l) return { table.unpack(l, 2) } end
  g['cons'] = function(a, l) return { a, table.unpack(l) } end
  g['length'] = function(l) return #l end
  g['null?'] = function(l) return l == Nil or (type(l) == 'table' and #l == 0) end
  g['map'] = function(f, l)
    local out = {}
    for i, v in ipairs(l) do out[i] = M.apply(f, { v }) end
    return out
  end
  g['filter'] = function(f, l)
    local out = {}
    for _, v in ipairs(l) do
      if truthy(M.apply(f, { v })) then out[#out + 1] = v end
    end
    return out
  end
  g['reduce'] = function(f, acc, l)
    for _, v in ipairs(l) do acc = M.apply(f, { acc, v }) end
    return acc
  end
  g['string-append'] = function(...) return table.concat({ ... }) end
  g['number->string'] = function(n) return M.show(n) end
  return env
end

function M.apply(fn, args)
  if type(fn) == 'function' then return fn(table.unpack(args)) end
  local inner = Env.new(fn.env)
  for i, p in ipairs(fn.params) do inner.vars[p] = args[i] end
  return eval(fn.body, inner)
end

--- Runs a program in `env` (a fresh global environment by default) and returns the last value.
function M.run(src, env)
  env = env or M.global_env()
  local result = Nil
  for _, form in ipairs(M.read(src)) do result = eval(form, env) end
  return result, env
end

return M
