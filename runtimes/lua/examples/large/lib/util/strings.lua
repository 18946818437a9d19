-- String utilities used across the app.
local M = {}

function M.split(s, sep, plain)
  sep = sep or ','
  local out = {}
  if s == '' then return out end
  local start = 1
  while true do
    local i, j = s:find(sep, start, plain ~= false)
    if not i then
      out[#out + 1] = s:sub(start)
      return out
    end
    out[#out + 1] = s:sub(start, i - 1)
    start = j + 1
  end
end

function M.trim(s) return (s:gsub('^%s+', ''):gsub('%s+$', '')) end
function M.ltrim(s) return (s:gsub('^%s+', '')) end
function M.rtrim(s) return (s:gsub('%s+$', '')) end
function M.starts_with(s, prefix) return s:sub(1, #prefix) == prefix end
function M.ends_with(s, suffix) return suffix == '' or s:sub(-#suffix) == suffix end

function M.pad_left(s, n, c)
  s = tostring(s)
  return string.rep(c or ' ', n - #s) .. s
end

function M.pad_right(s, n, c)
  s = tostring(s)
  return s .. string.rep(c or ' ', n - #s)
end

function M.center(s, n, c)
  s = tostring(s)
  local total = n - #s
  if total <= 0 then return s end
  local left = total // 2
  return string.rep(c or ' ', left) .. s .. string.rep(c or ' ', total - left)
end

function M.slugify(s)
  s = s:lower():gsub('[^%w%s-]', ''):gsub('[%s_]+', '-'):gsub('%-+', '-')
  return (s:gsub('^%-', ''):gsub('%-$', ''))
end

function M.capitalize(s) return (s:gsub('^%l', string.upper)) end

function M.camel_case(s)
  local out = s:lower():gsub('[_%-%s]+(%w)', function(c) return c:upper() end)
  return out
end

function M.snake_case(s)
  local out = s:gsub('(%l)(%u)', '%1_%2'):gsub('[%-%s]+', '_'):lower()
  return out
end

--- Word-wraps `s` to lines of at most `width` characters.
function M.wrap(s, width)
  local lines, line = {}, ''
  for word in s:gmatch('%S+') do
    if line == '' then
      line = word
    elseif #line + 1 + #word <= width then
      line = line .. ' ' .. word
    else
      lines[#lines + 1] = line
      line = word
    end
  end
  if line ~= '' then lines[#lines + 1] = line end
  return lines
end

--- Levenshtein edit distance.
function M.distance(a, b)
  if a == b then return 0 end
  local la, lb = #a, #b
  if la == 0 then return lb end
  if lb == 0 then return la end
  local prev, cur = {}, {}
  for j = 0, lb do prev[j] = j end
  for i = 1, la do
    cur[0] = i
    local ca = a:byte(i)
    for j = 1, lb do
      local cost = ca == b:byte(j) and 0 or 1
      local v = prev[j] + 1
      if cur[j - 1] + 1 < v then v = cur[j - 1] + 1 end
      if prev[j - 1] + cost < v then v = prev[j - 1] + cost end
      cur[j] = v
    end
    prev, cur = cur, prev
  end
  return prev[lb]
end

--- The candidate closest to `word`, if within `max` edits.
function M.suggest(word, candidates, max)
  local best, best_d = nil, (max or 3) + 1
  for _, c in ipairs(candidates) do
    local d = M.distance(word, c)
    if d < best_d then best, best_d = c, d end
  end
  return best, best and best_d or nil
end

function M.count(s, pattern)
  local n = 0
  for _ in s:gmatch(pattern) do n = n + 1 end
  return n
end

function M.interpolate(s, vars)
  return (s:gsub('%${([%w_%.]+)}', function(path)
    local v = vars
    for key in path:gmatch('[^%.]+') do
      if type(v) ~= 'table' then return '' end
      v = v[key]
    end
    return v == nil and '' or tostring(v)
  end))
end

function M.hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end

function M.unhex(h) return (h:gsub('%x%x', function(x) return string.char(tonumber(x, 16)) end)) end

function M.table_layout(rows, headers)
  local widths = {}
  for i, h in ipairs(headers) do widths[i] = #h end
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row) do
      local len = utf8.len(tostring(cell)) or #tostring(cell)
      if len > (widths[i] or 0) then widths[i] = len end
    end
  end
  local function line(cells)
    local out = {}
    for i, w in ipairs(widths) do
      local s = tostring(cells[i] or '')
      out[i] = s .. string.rep(' ', w - (utf8.len(s) or #s))
    end
    return '| ' .. table.concat(out, ' | ') .. ' |'
  end
  local sep = {}
  for i, w in ipairs(widths) do sep[i] = string.rep('-', w) end
  local out = { line(headers), '|-' .. table.concat(sep, '-|-') .. '-|' }
  for _, row in ipairs(rows) do out[#out + 1] = line(row) end
  return table.concat(out, '\n')
end

return M
