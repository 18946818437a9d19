-- A Markdown subset to HTML: headings, paragraphs, emphasis, code spans and fenced blocks,
-- links, ordered/unordered lists, blockquotes, horizontal rules and HTML escaping.
local M = {}

local function escape(s)
  return (s:gsub('[&<>"]', { ['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;' }))
end
M.escape = escape

local function inline(s)
  local codes = {}
  s = s:gsub('`([^`]+)`', function(code)
    codes[#codes + 1] = '<code>' .. escape(code) .. '</code>'
    return '\0' .. #codes .. '\0'
  end)
  s = escape(s)
  s = s:gsub('!%[([^%]]*)%]%(([^%)]+)%)', '<img src="%2" alt="%1">')
  s = s:gsub('%[([^%]]+)%]%(([^%)]+)%)', '<a href="%2">%1</a>')
  s = s:gsub('%*%*(.-)%*%*', '<strong>%1</strong>')
  s = s:gsub('__(.-)__', '<strong>%1</strong>')
  s = s:gsub('%*([^%*]+)%*', '<em>%1</em>')
  s = s:gsub('%f[%w_]_([^_]+)_%f[^%w_]', '<em>%1</em>')
  s = s:gsub('~~(.-)~~', '<del>%1</del>')
  s = s:gsub('%z(%d+)%z', function(i) return codes[tonumber(i)] end)
  return s
end
M.inline = inline

--- Renders Markdown text to HTML.
function M.render(text)
  local out = {}
  local lines = {}
  for line in (text .. '\n'):gmatch('(.-)\r?\n') do lines[#lines + 1] = line end
  local i = 1
  local para = {}
  local function flush_para()
    if #para > 0 then
      out[#out + 1] = '<p>' .. inline(table.concat(para, ' ')) .. '</p>'
      para = {}
    end
  end
  while i <= #lines do
    local line = lines[i]
    local fence = line:match('^```%s*(%w*)')
    if fence then
      flush_para()
      local code = {}
      i = i + 1
      while i <= #lines and not lines[i]:match('^```') do
        code[#code + 1] = escape(lines[i])
        i = i + 1
      end
      local class = fence ~= '' and (' class="language-' .. fence .. '"') or ''
      out[#out + 1] = '<pre><code' .. class .. '>' .. table.concat(code, '\n') .. '</code></pre>'
    elseif line:match('^%s*$') then
      flush_para()
    elseif line:match('^#+%s') then
      flush_para()
      local hashes, title = line:match('^(#+)%s+(.-)%s*#*$')
      local level = math.min(#hashes, 6)
      out[#out + 1] = string.format('<h%d>%s</h%d>', level, inline(title), level)
    elseif line:match('^%-%-%-+%s*$') or line:match('^%*%*%*+%s*$') then
      flush_para()
      out[#out + 1] = '<hr>'
    elseif line:match('^>') then
      flush_para()
      local quote = {}
      while i <= #lines and lines[i]:match('^>') do
        quote[#quote + 1] = lines[i]:gsub('^>%s?', '')
        i = i + 1
      end
      out[#out + 1] = '<blockquote>' .. M.render(table.concat(quote, '\n')) .. '</blockquote>'
      i = i - 1
    elseif line:match('^%s*[%-%*%+]%s') or line:match('^%s*%d+%.%s') then
      flush_para()
      local ordered = line:match('^%s*%d+%.') ~= nil
      local items = {}
      while i <= #lines do
        local item = lines[i]:match('^%s*[%-%*%+]%s+(.*)$') or lines[i]:match('^%s*%d+%.%s+(.*)$')
        if not item then break end
        items[#items + 1] = '<li>' .. inline(item) .. '</li>'
        i = i + 1
      end
      local tag = ordered and 'ol' or 'ul'
      out[#out + 1] = '<' .. tag .. '>' .. table.concat(items) .. '</' .. tag .. '>'
      i = i - 1
    else
      para[#para + 1] = line:match('^%s*(.-)%s*$')
    end
    i = i + 1
  end
  flush_para()
  return table.concat(out, '\n')
end

--- Extracts the headings as a table of contents { level, title, slug }.
function M.toc(text)
  local out = {}
  for hashes, title in text:gmatch('\n?(#+)%s+([^\n]+)') do
    local slug = title:lower():gsub('[^%w%s-]', ''):gsub('%s+', '-')
    out[#out + 1] = { level = #hashes, title = title, slug = slug }
  end
  return out
end

return M
