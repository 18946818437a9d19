-- The catalog example: a larger app for benchmarks. Its top level (everything down to the
-- exported table) runs at init; main(args) and the reactor functions run per request.
local class = require('lib.class')
local json = require('lib.json')
local template = require('lib.template')
local lisp = require('lib.lisp')
local markdown = require('lib.markdown')
local Router = require('lib.router')
local validate = require('lib.validate')
local Index = require('lib.search')
local strings = require('lib.util.strings')
local tables = require('lib.util.tables')
local base64 = require('lib.util.base64')
local sha256 = require('lib.util.sha256')
local LRU = require('lib.util.lru')
local Heap = require('lib.util.heap')
local csv = require('lib.util.csv')
local date = require('lib.util.date')
local Bus = require('lib.util.events')
local Money = require('lib.models.money')
local Product = require('lib.models.product')
local Customer = require('lib.models.customer')
local Order = require('lib.models.order')
local Inventory = require('lib.models.inventory')

local ROOT = os.getenv('LUA_APP_ROOT') or '/app'

local function read_file(path)
  local f = assert(io.open(ROOT .. '/' .. path, 'rb'))
  local text = f:read('a')
  f:close()
  return text
end

-- Events: collected at init to check the wiring.
local bus = Bus.new()
local stats = { tier_changes = 0, rule_errors = 0 }
bus:on('customer.tier', function() stats.tier_changes = stats.tier_changes + 1 end)
bus:on('order.*', function() end, -1)

-- Catalog
local products = {}
local by_sku = {}
for i, data in ipairs(require('data.products')) do
  local p = Product(data)
  products[i] = p
  by_sku[p.sku] = p
end

-- Customers
local customer_schema = validate.object({
  id = validate.integer({ required = true, min = 1 }),
  name = validate.string({ required = true, min_length = 3 }),
  email = validate.email,
  country = validate.string({ required = true, pattern = '^%u%u$' }),
  joined = validate.string({ required = true, check = function(s) return date.parse(s) ~= nil, 'bad date' end }),
  points = validate.integer({ min = 0 }),
}, { strict = true })

local customers = {}
for i, data in ipairs(require('data.customers')) do
  local ok, errors = validate.validate(customer_schema, data)
  if not ok then error('customer ' .. i .. ': ' .. table.concat(errors, '; ')) end
  local c = Customer(data)
  c:on('tier_changed', function(_, before, after) bus:emit('customer.tier', c.id, before, after) end)
  customers[c.id] = c
end

-- Inventory
local inventory = Inventory({ 'north', 'south', 'east', 'west' })
for _, r in ipairs(require('data.stock')) do
  inventory:receive(products[r[1]].sku, r[2], r[3])
end

-- Pricing rules in Lisp
local rules_env = select(2, lisp.run(read_file('lib/rules.lisp')))
local rules_check = lisp.run('(check "percent" (percent 10000 7) 700)', rules_env)
assert(rules_check == true, 'pricing rules failed their self-check: ' .. tostring(rules_check))

local function apply_rules(order)
  local subtotal = order:subtotal().cents
  local result = lisp.eval({ lisp.sym('discounts'), subtotal, order:item_count(), order.customer:tier().name,
    order.coupon or '' }, rules_env)
  for _, d in ipairs(result) do order:apply_discount(d[1], Money(math.tointeger(d[2]) or math.floor(d[2]))) end
end

-- Orders
local orders, order_list = {}, {}
local shortages = {}
for _, data in ipairs(require('data.orders')) do
  local o = Order(data.id, customers[data.customer], date.parse(data.created))
  o.coupon = data.coupon
  for _, line in ipairs(data.lines) do o:add(products[line[1]], line[2]) end
  apply_rules(o)
  for _, event in ipairs(data.events) do
    if event == 'pay' then
      for _, line in ipairs(o.lines) do
        local ok, err = inventory:reserve(line.product.sku, line.qty)
        if not ok then shortages[#shortages + 1] = o.id .. ': ' .. err end
      end
      o.customer:add_points(o:subtotal().cents // 100)
    elseif event == 'ship' then
      for _, line in ipairs(o.lines) do inventory:ship(line.product.sku, line.qty) end
    end
    o:fire(event)
    bus:emit('order.' .. event, o.id)
  end
  orders[o.id] = o
  order_list[#order_list + 1] = o
end

-- Full-text index
local index = Index.new()
for _, p in ipairs(products) do
  index:add(p.sku, table.concat({ p.name, p.category, table.concat(p.tags, ' ') }, ' '), p)
end
index:finish()

-- Templates
local views = template.set(require('lib.templates'))
for name in pairs(views.sources) do views:get(name) end

-- Documentation, rendered once
local guide_html = markdown.render(read_file('docs/guide.md'))
local guide_toc = markdown.toc(read_file('docs/guide.md'))

-- A JSON round trip of the catalog, and its digest
local catalog_json = json.encode(tables.map(products, function(p) return p:to_table() end))
local decoded = assert(json.decode(catalog_json))
assert(#decoded == #products and decoded[1].sku == products[1].sku, 'catalog JSON round trip failed')
local catalog_digest = sha256.hex(catalog_json)

-- Aggregates for the report
local function summarize()
  local revenue = Money.zero('EUR')
  local paid = 0
  local states = {}
  local by_category = {}
  for _, o in ipairs(order_list) do
    states[o.state] = (states[o.state] or 0) + 1
    if o.state ~= 'new' and o.state ~= 'cancelled' then
      local t = o:totals()
      revenue = revenue + t.total
      paid = paid + 1
      for _, line in ipairs(o.lines) do
        local c = line.product.category
        by_category[c] = (by_category[c] or Money.zero('EUR')) + line.product.price * line.qty
      end
    end
  end
  local tiers = {}
  for _, t in ipairs(Customer.tiers) do tiers[#tiers + 1] = { name = t.name, count = 0 } end
  for _, c in pairs(customers) do
    for _, t in ipairs(tiers) do
      if t.name == c:tier().name then t.count = t.count + 1 end
    end
  end
  local top = Heap.new(function(a, b) return a.revenue > b.revenue end)
  for name, amount in pairs(by_category) do top:push({ name = name, revenue = amount }) end
  local top_categories = {}
  for _ = 1, 3 do top_categories[#top_categories + 1] = top:pop() end
  local state_list = {}
  for _, name in ipairs(tables.keys(states)) do state_list[#state_list + 1] = { name = name, count = states[name] } end
  return {
    product_count = #products,
    category_count = tables.count(Product.categories),
    customer_count = tables.count(customers),
    tiers = tiers,
    order_count = #order_list,
    revenue = revenue,
    average = paid > 0 and revenue * (1 / paid) or Money.zero('EUR'),
    states = state_list,
    top_categories = top_categories,
    low_stock = inventory:reorder_suggestions(5, 40),
    digest = catalog_digest:sub(1, 16),
  }
end
local summary = summarize()

local function order_view(o)
  local lines = {}
  for _, line in ipairs(o.lines) do
    lines[#lines + 1] = { name = line.product.name, qty = line.qty, total = line.product.price * line.qty }
  end
  return { order = o, lines = lines, discounts = o.discounts, totals = o:totals() }
end

-- Per-request caches live in each instance.
local search_cache = LRU.new(64)

local function search(query, limit)
  return search_cache:fetch(query .. '#' .. (limit or 5), function()
    local out = {}
    for _, hit in ipairs(index:search(query, limit or 5)) do
      local p = by_sku[hit.id]
      out[#out + 1] = { sku = p.sku, name = p.name, price = p.price:format(), score = math.floor(hit.score * 1000) / 1000 }
    end
    return out
  end)
end

-- HTTP-style API for the reactor's `handle`
local router = Router.new()
router:use(function(req, res, nxt)
  res.headers['x-request'] = req.method .. ' ' .. req.path
  return nxt()
end)
router:get('/products/:sku', function(req, res)
  local p = by_sku[req.params.sku]
  if not p then
    res.status = 404
    res.body = json.encode({ error = 'no product ' .. req.params.sku })
    return
  end
  res.headers['content-type'] = 'application/json'
  res.body = json.encode(p:to_table())
end)
router:get('/search', function(req, res)
  res.headers['content-type'] = 'application/json'
  res.body = json.encode(json.array(search(req.query.q or '', tonumber(req.query.limit))))
end)
router:get('/orders/:id', function(req, res)
  local o = orders[req.params.id]
  if not o then
    res.status = 404
    res.body = 'no order ' .. req.params.id
    return
  end
  res.body = views:render('order', order_view(o))
end)
router:get('/guide', function(_, res)
  res.headers['content-type'] = 'text/html'
  res.body = views:render('layout', { title = 'catalog guide', content = guide_html })
end)
router:post('/orders/:id/events/:event', function(req, res)
  local o = orders[req.params.id]
  if not o then error('no order ' .. req.params.id) end
  if not o:can(req.params.event) then
    res.status = 409
    res.body = ('cannot %s an order that is %s'):format(req.params.event, o.state)
    return
  end
  o:fire(req.params.event)
  res.body = o.state
end)

local app = {}

--- Command entry: `report` (default), `search <words>`, `order <id>`, `csv`, `guide`.
function app.main(args)
  local cmd = args[1] or 'report'
  if cmd == 'report' then
    io.write(views:render('report', summary))
  elseif cmd == 'search' then
    local q = table.concat(args, ' ', 2)
    local hits = search(q, 5)
    if #hits == 0 then
      local alt = index:suggest(args[2] or '')
      print('no results' .. (alt and (', did you mean ' .. alt .. '?') or ''))
      return 1
    end
    print(strings.table_layout(tables.map(hits, function(h) return { h.sku, h.name, h.price, h.score } end),
      { 'sku', 'name', 'price', 'score' }))
  elseif cmd == 'order' then
    local o = orders[args[2] or '']
    if not o then
      io.stderr:write('no order ', tostring(args[2]), '\n')
      return 1
    end
    io.write(views:render('order', order_view(o)))
  elseif cmd == 'csv' then
    io.write(csv.format_records(tables.map(tables.sort_by(products, 'category', '-rating', 'sku'), function(p)
      return { sku = p.sku, name = p.name, category = p.category, price = p.price:format(), rating = p.rating }
    end), { 'sku', 'name', 'category', 'price', 'rating' }))
  elseif cmd == 'guide' then
    print(guide_html)
  else
    io.stderr:write('usage: main [report|search WORDS|order ID|csv|guide]\n')
    return 2
  end
  return 0
end

--- Reactor: search results as JSON.
function app.search(query) return json.encode(json.array(search(query, 5))) end

--- Reactor: an order rendered as text.
function app.order(id)
  local o = orders[id]
  if not o then error('no order ' .. id) end
  return views:render('order', order_view(o))
end

--- Reactor: a request { method, url, body } as JSON -> response { status, headers, body } as JSON.
function app.handle(request_json)
  local req, err = json.decode(request_json)
  if not req then error('bad request JSON: ' .. err) end
  return json.encode(router:handle(req))
end

--- Reactor: Markdown to HTML.
function app.markdown(text) return markdown.render(text) end

--- Reactor: base64 of the SHA-256 of the argument (for integrity checks from JS).
function app.digest(bytes) return base64.encode(sha256.digest(bytes)) end

--- Facts about what init did, as JSON.
function app.info()
  return json.encode({
    products = #products,
    customers = tables.count(customers),
    orders = #order_list,
    shortages = #shortages,
    tier_changes = stats.tier_changes,
    templates = tables.keys(views.sources),
    toc = tables.map(guide_toc, function(h) return h.title end),
    vocabulary = #index.vocabulary,
    digest = catalog_digest,
    classes = { class.instanceof(products[1], Product), class.instanceof(products[1], Customer) },
  })
end

return app
