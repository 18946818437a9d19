-- A schema validator: types, required fields, ranges, lengths, patterns, enums, nested
-- objects, arrays of items and custom checks, reporting every error with its dot path.
local M = {}

local function type_of(v)
  local t = type(v)
  if t == 'number' and math.type(v) == 'integer' then return 'integer' end
  if t == 'table' then
    if #v > 0 or next(v) == nil then return 'array' end
    return 'object'
  end
  return t
end

local function check(schema, value, path, errors)
  local function fail(msg) errors[#errors + 1] = (path == '' and '(root)' or path) .. ': ' .. msg end
  if value == nil then
    if schema.required then fail('is required') end
    return
  end
  local want = schema.type
  if want then
    local got = type_of(value)
    local ok = got == want or (want == 'number' and got == 'integer') or (want == 'object' and got == 'array' and next(value) == nil)
      or (want == 'array' and got == 'array')
    if not ok then
      fail('expected ' .. want .. ', got ' .. got)
      return
    end
  end
  if schema.enum then
    local found = false
    for _, e in ipairs(schema.enum) do
      if e == value then found = true end
    end
    if not found then fail('must be one of ' .. table.concat(schema.enum, ', ')) end
  end
  if type(value) == 'number' then
    if schema.min and value < schema.min then fail('must be >= ' .. schema.min) end
    if schema.max and value > schema.max then fail('must be <= ' .. schema.max) end
  end
  if type(value) == 'string' then
    if schema.min_length and #value < schema.min_length then fail('must have at least ' .. schema.min_length .. ' characters') end
    if schema.max_length and #value > schema.max_length then fail('must have at most ' .. schema.max_length .. ' characters') end
    if schema.pattern and not value:match(schema.pattern) then fail('does not match ' .. schema.pattern) end
  end
  if schema.fields and type(value) == 'table' then
    local names = {}
    for name in pairs(schema.fields) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do
      check(schema.fields[name], value[name], path == '' and name or path .. '.' .. name, errors)
    end
    if schema.strict then
      local extra = {}
      for k in pairs(value) do
        if not schema.fields[k] then extra[#extra + 1] = tostring(k) end
      end
      table.sort(extra)
      for _, k in ipairs(extra) do fail('unknown field ' .. k) end
    end
  end
  if schema.items and type(value) == 'table' then
    if schema.min_items and #value < schema.min_items then fail('must have at least ' .. schema.min_items .. ' items') end
    for i, item in ipairs(value) do check(schema.items, item, path .. '[' .. i .. ']', errors) end
  end
  if schema.check then
    local ok, msg = schema.check(value)
    if not ok then fail(msg or 'is invalid') end
  end
end

--- Validates `value`; returns true, or false and the list of error messages.
function M.validate(schema, value)
  local errors = {}
  check(schema, value, '', errors)
  if #errors == 0 then return true end
  return false, errors
end

-- Schema shorthands.
function M.string(opts) return setmetatable({ type = 'string' }, { __index = opts }) end
function M.number(opts) return setmetatable({ type = 'number' }, { __index = opts }) end
function M.integer(opts) return setmetatable({ type = 'integer' }, { __index = opts }) end
function M.boolean(opts) return setmetatable({ type = 'boolean' }, { __index = opts }) end
function M.object(fields, opts)
  return setmetatable({ type = 'object', fields = fields }, { __index = opts })
end
function M.array(items, opts) return setmetatable({ type = 'array', items = items }, { __index = opts }) end

M.email = M.string({ required = true, pattern = '^[%w%.%-_+]+@[%w%-]+%.[%w%.%-]+$' })

return M
