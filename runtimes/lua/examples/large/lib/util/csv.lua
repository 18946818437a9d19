-- CSV (RFC 4180): quoted fields, embedded separators, quotes and newlines; header mapping.
local M = {}

--- Parses CSV text into a list of rows (lists of strings).
function M.parse(text, sep)
  sep = sep or ','
  local rows, row, field = {}, {}, {}
  local i, n = 1, #text
  local quoted = false
  while i <= n do
    local c = text:sub(i, i)
    if quoted then
      if c == '"' then
        if text:sub(i + 1, i + 1) == '"' then
          field[#field + 1] = '"'
          i = i + 1
        else
          quoted = false
        end
      else
        field[#field + 1] = c
      end
    elseif c == '"' then
      quoted = true
    elseif c == sep then
      row[#row + 1] = table.concat(field)
      field = {}
    elseif c == '\n' or c == '\r' then
      if c == '\r' and text:sub(i + 1, i + 1) == '\n' then i = i + 1 end
      row[#row + 1] = table.concat(field)
      rows[#rows + 1] = row
      row, field = {}, {}
    else
      field[#field + 1] = c
    end
    i = i + 1
  end
  if quoted then error('unterminated quoted field', 2) end
  if #field > 0 or #row > 0 then
    row[#row + 1] = table.concat(field)
    rows[#rows + 1] = row
  end
  return rows
end

--- Parses CSV with a header line into records keyed by column name; numbers are converted.
function M.records(text, sep)
  local rows = M.parse(text, sep)
  local header = table.remove(rows, 1) or {}
  local out = {}
  for _, row in ipairs(rows) do
    local rec = {}
    for i, name in ipairs(header) do
      local v = row[i]
      rec[name] = tonumber(v) or v
    end
    out[#out + 1] = rec
  end
  return out, header
end

local function quote_field(v, sep)
  v = tostring(v == nil and '' or v)
  if v:find('[' .. sep .. '"\r\n]') then return '"' .. v:gsub('"', '""') .. '"' end
  return v
end

--- Formats rows (lists) as CSV text.
function M.format(rows, sep)
  sep = sep or ','
  local lines = {}
  for i, row in ipairs(rows) do
    local cells = {}
    for j, v in ipairs(row) do cells[j] = quote_field(v, sep) end
    lines[i] = table.concat(cells, sep)
  end
  return table.concat(lines, '\n') .. '\n'
end

--- Formats records with the given column order.
function M.format_records(records, columns, sep)
  local rows = { columns }
  for _, rec in ipairs(records) do
    local row = {}
    for j, c in ipairs(columns) do row[j] = rec[c] end
    rows[#rows + 1] = row
  end
  return M.format(rows, sep)
end

return M
