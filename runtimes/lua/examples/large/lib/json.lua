-- A JSON codec: strict RFC 8259 decoding with line/column errors, \u escapes with surrogate
-- pairs, and an encoder with sorted keys, optional indentation, array detection and cycle checks.
local json = {}

json.null = setmetatable({}, { __tostring = function() return 'null' end, __name = 'json.null' })

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function escape_char(c)
  return escapes[c] or string.format('\\u%04x', c:byte())
end

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', escape_char) .. '"'
end

local function is_array(t)
  local mt = getmetatable(t)
  if mt and mt.__json_kind then return mt.__json_kind == 'array' end
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= 'integer' or k < 1 then return false end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then return false end
  end
  return true, n
end

local function encode_number(n)
  if n ~= n or n == math.huge or n == -math.huge then
    error('cannot encode ' .. tostring(n) .. ' in JSON')
  end
  if math.type(n) == 'integer' then return tostring(n) end
  if n == math.floor(n) and math.abs(n) < 2 ^ 53 then return string.format('%.1f', n) end
  local s = string.format('%.14g', n)
  if tonumber(s) ~= n then s = string.format('%.17g', n) end
  return s
end

local encode_value

local function encode_table(t, opts, depth, seen)
  if seen[t] then error('cannot encode a cyclic structure in JSON') end
  seen[t] = true
  local indent = opts.indent
  local nl, pad, pad_in, colon = '', '', '', ':'
  if indent then
    nl = '\n'
    pad = string.rep(indent, depth)
    pad_in = string.rep(indent, depth + 1)
    colon = ': '
  end
  local out = {}
  local array, n = is_array(t)
  if array then
    if (n or #t) == 0 then
      seen[t] = nil
      local mt = getmetatable(t)
      return (mt and mt.__json_kind == 'object') and '{}' or '[]'
    end
    for i = 1, n or #t do out[i] = pad_in .. encode_value(t[i], opts, depth + 1, seen) end
    seen[t] = nil
    return '[' .. nl .. table.concat(out, ',' .. nl) .. nl .. pad .. ']'
  end
  local keys = {}
  for k in pairs(t) do
    local kt = type(k)
    if kt == 'string' then
      keys[#keys + 1] = k
    elseif kt == 'number' then
      keys[#keys + 1] = tostring(k)
    else
      error('cannot encode a ' .. kt .. ' key in JSON')
    end
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    local v = t[k]
    if v == nil then v = t[tonumber(k)] end
    out[i] = pad_in .. encode_string(k) .. colon .. encode_value(v, opts, depth + 1, seen)
  end
  seen[t] = nil
  if #out == 0 then return '{}' end
  return '{' .. nl .. table.concat(out, ',' .. nl) .. nl .. pad .. '}'
end

function encode_value(v, opts, depth, seen)
  local t = type(v)
  if v == nil or v == json.null then return 'null' end
  if t == 'boolean' then return tostring(v) end
  if t == 'number' then return encode_number(v) end
  if t == 'string' then return encode_string(v) end
  if t == 'table' then
    local mt = getmetatable(v)
    if mt and mt.__tojson then return mt.__tojson(v, opts) end
    if type(v.to_table) == 'function' then v = v:to_table() end
    return encode_table(v, opts, depth, seen)
  end
  error('cannot encode a ' .. t .. ' value in JSON')
end

--- Encodes `value`; `opts.indent` (a string) pretty-prints.
function json.encode(value, opts)
  return encode_value(value, opts or {}, 0, {})
end

--- Marks a table so that it encodes as an array (even when empty) or an object.
function json.array(t) return setmetatable(t or {}, { __json_kind = 'array' }) end
function json.object(t) return setmetatable(t or {}, { __json_kind = 'object' }) end

-- Decoder

local Decoder = {}
Decoder.__index = Decoder

local function position(s, i)
  local line, col = 1, 1
  for j = 1, i - 1 do
    if s:byte(j) == 10 then
      line = line + 1
      col = 1
    else
      col = col + 1
    end
  end
  return line, col
end

function Decoder:fail(msg, i)
  local line, col = position(self.s, i or self.i)
  error({ json_error = true, message = string.format('%s at line %d column %d', msg, line, col) }, 0)
end

function Decoder:skip()
  local i = self.s:find('[^ \t\r\n]', self.i)
  self.i = i or #self.s + 1
end

function Decoder:peek()
  return self.s:sub(self.i, self.i)
end

local function utf8_encode(cp)
  return utf8.char(cp)
end

function Decoder:string()
  local s = self.s
  local i = self.i + 1
  local buf = {}
  while true do
    local j = s:find('["\\%c]', i)
    if not j then self:fail('unterminated string', self.i) end
    buf[#buf + 1] = s:sub(i, j - 1)
    local c = s:sub(j, j)
    if c == '"' then
      self.i = j + 1
      return table.concat(buf)
    elseif c == '\\' then
      local e = s:sub(j + 1, j + 1)
      local simple = ({ b = '\b', f = '\f', n = '\n', r = '\r', t = '\t', ['"'] = '"', ['\\'] = '\\', ['/'] = '/' })[e]
      if simple then
        buf[#buf + 1] = simple
        i = j + 2
      elseif e == 'u' then
        local hex = s:match('^%x%x%x%x', j + 2)
        if not hex then self:fail('bad unicode escape', j) end
        local cp = tonumber(hex, 16)
        i = j + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local low = s:match('^\\u(%x%x%x%x)', i)
          local lo = low and tonumber(low, 16)
          if not lo or lo < 0xDC00 or lo > 0xDFFF then self:fail('unpaired surrogate', j) end
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
          i = i + 6
        elseif cp >= 0xDC00 and cp <= 0xDFFF then
          self:fail('unpaired surrogate', j)
        end
        buf[#buf + 1] = utf8_encode(cp)
      else
        self:fail('bad escape \\' .. e, j)
      end
    else
      self:fail('control character in string', j)
    end
  end
end

function Decoder:number()
  local s = self.s
  local num = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', self.i)
  if not num or num == '-' then self:fail('bad number') end
  if num:match('^-?0%d') then self:fail('leading zero in number') end
  if num:match('%.$') or num:match('[eE][-+]?$') then self:fail('bad number') end
  local n
  if num:find('[.eE]') then
    n = tonumber(num)
  else
    n = math.tointeger(tonumber(num)) or tonumber(num)
  end
  if not n then self:fail('bad number') end
  self.i = self.i + #num
  return n
end

function Decoder:literal(word, value)
  if self.s:sub(self.i, self.i + #word - 1) ~= word then self:fail('unexpected token') end
  self.i = self.i + #word
  return value
end

function Decoder:value(depth)
  if depth > 200 then self:fail('nesting too deep') end
  self:skip()
  local c = self:peek()
  if c == '{' then return self:object(depth) end
  if c == '[' then return self:array(depth) end
  if c == '"' then return self:string() end
  if c == 't' then return self:literal('true', true) end
  if c == 'f' then return self:literal('false', false) end
  if c == 'n' then return self:literal('null', self.null) end
  if c == '-' or c:match('%d') then return self:number() end
  if c == '' then self:fail('unexpected end of input') end
  self:fail("unexpected character '" .. c .. "'")
end

function Decoder:array(depth)
  self.i = self.i + 1
  local out = json.array({})
  self:skip()
  if self:peek() == ']' then
    self.i = self.i + 1
    return out
  end
  while true do
    out[#out + 1] = self:value(depth + 1)
    self:skip()
    local c = self:peek()
    self.i = self.i + 1
    if c == ']' then return out end
    if c ~= ',' then self:fail("expected ',' or ']'", self.i - 1) end
  end
end

function Decoder:object(depth)
  self.i = self.i + 1
  local out = {}
  self:skip()
  if self:peek() == '}' then
    self.i = self.i + 1
    return json.object(out)
  end
  while true do
    self:skip()
    if self:peek() ~= '"' then self:fail('expected a string key') end
    local key = self:string()
    self:skip()
    if self:peek() ~= ':' then self:fail("expected ':'") end
    self.i = self.i + 1
    out[key] = self:value(depth + 1)
    self:skip()
    local c = self:peek()
    self.i = self.i + 1
    if c == '}' then return out end
    if c ~= ',' then self:fail("expected ',' or '}'", self.i - 1) end
  end
end

--- Decodes a JSON text. `opts.null` is the value for null (default json.null). Returns the
--- value, or nil and a message with line and column on malformed input.
function json.decode(s, opts)
  local d = setmetatable({ s = s, i = 1, null = (opts and opts.null) or json.null }, Decoder)
  local ok, result = pcall(function()
    local v = d:value(0)
    d:skip()
    if d.i <= #s then d:fail('trailing characters') end
    return v
  end)
  if ok then return result end
  if type(result) == 'table' and result.json_error then return nil, result.message end
  error(result, 0)
end

return json
