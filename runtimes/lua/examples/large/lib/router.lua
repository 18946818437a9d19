-- An HTTP-style router: method + path patterns with :params, *splat, optional trailing slash,
-- middleware chains and 404/405 handling. Requests and responses are plain tables.
local Router = {}
Router.__index = Router

function Router.new()
  return setmetatable({ routes = {}, middleware = {} }, Router)
end

local function compile(path)
  local names = {}
  local pattern = path:gsub('[%-%.%+%[%]%(%)%$%^%%%?]', '%%%0')
  pattern = pattern:gsub(':([%w_]+)', function(name)
    names[#names + 1] = name
    return '([^/]+)'
  end)
  pattern = pattern:gsub('%*$', function()
    names[#names + 1] = 'splat'
    return '(.*)'
  end)
  return '^' .. pattern .. '/?$', names
end

function Router:add(method, path, handler)
  local pattern, names = compile(path)
  self.routes[#self.routes + 1] = { method = method, path = path, pattern = pattern, names = names, handler = handler }
  return self
end

for _, m in ipairs({ 'get', 'post', 'put', 'delete', 'patch' }) do
  Router[m] = function(self, path, handler) return self:add(m:upper(), path, handler) end
end

function Router:use(fn)
  self.middleware[#self.middleware + 1] = fn
  return self
end

local function parse_query(q)
  local out = {}
  for pair in (q or ''):gmatch('[^&]+') do
    local k, v = pair:match('^([^=]*)=?(.*)$')
    k = k:gsub('%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end)
    v = v:gsub('+', ' '):gsub('%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end)
    if out[k] == nil then
      out[k] = v
    elseif type(out[k]) == 'table' then
      table.insert(out[k], v)
    else
      out[k] = { out[k], v }
    end
  end
  return out
end
Router.parse_query = parse_query

function Router:match(method, path)
  local allowed = {}
  for _, r in ipairs(self.routes) do
    local caps = { path:match(r.pattern) }
    if #caps > 0 or path:match(r.pattern) then
      if r.method == method then
        local params = {}
        for i, name in ipairs(r.names) do params[name] = caps[i] end
        return r, params
      end
      allowed[#allowed + 1] = r.method
    end
  end
  return nil, allowed
end

--- Dispatches a request { method, url, body?, headers? } and returns { status, headers, body }.
function Router:handle(req)
  local path, query = req.url:match('^([^?]*)%??(.*)$')
  req.path = path
  req.query = parse_query(query)
  local res = { status = 200, headers = { ['content-type'] = 'text/plain' }, body = '' }
  local route, params = self:match(req.method, path)
  if not route then
    if #params > 0 then
      table.sort(params)
      res.status = 405
      res.headers.allow = table.concat(params, ', ')
      res.body = 'method not allowed'
    else
      res.status = 404
      res.body = 'not found: ' .. path
    end
    return res
  end
  req.params = params
  local chain = {}
  for _, m in ipairs(self.middleware) do chain[#chain + 1] = m end
  chain[#chain + 1] = function(rq, rs) return route.handler(rq, rs) end
  local function run(i)
    local fn = chain[i]
    if not fn then return end
    return fn(req, res, function() return run(i + 1) end)
  end
  local ok, err = pcall(run, 1)
  if not ok then
    res.status = 500
    res.body = 'internal error: ' .. tostring(err)
  end
  return res
end

return Router
