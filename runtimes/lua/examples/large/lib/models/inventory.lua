-- Stock levels per SKU and warehouse, reservations with release, and reorder suggestions.
local class = require('lib.class')

local Inventory = class.new('Inventory')

function Inventory:init(warehouses)
  self.warehouses = warehouses
  self.stock = {}
  self.reserved = {}
  self.movements = 0
end

function Inventory:receive(sku, warehouse, qty)
  self.stock[sku] = self.stock[sku] or {}
  self.stock[sku][warehouse] = (self.stock[sku][warehouse] or 0) + qty
  self.movements = self.movements + 1
end

function Inventory:available(sku)
  local total = 0
  for _, qty in pairs(self.stock[sku] or {}) do total = total + qty end
  return total - (self.reserved[sku] or 0)
end

--- Reserves `qty` of `sku`, or fails with a message naming what is short.
function Inventory:reserve(sku, qty)
  local available = self:available(sku)
  if available < qty then
    return nil, string.format('only %d of %s available, %d requested', available, sku, qty)
  end
  self.reserved[sku] = (self.reserved[sku] or 0) + qty
  return true
end

function Inventory:release(sku, qty)
  self.reserved[sku] = math.max(0, (self.reserved[sku] or 0) - qty)
end

--- Takes reserved stock out of the warehouses, fullest first.
function Inventory:ship(sku, qty)
  local per = self.stock[sku] or {}
  local names = {}
  for w in pairs(per) do names[#names + 1] = w end
  table.sort(names, function(a, b)
    if per[a] ~= per[b] then return per[a] > per[b] end
    return a < b
  end)
  local left = qty
  local picks = {}
  for _, w in ipairs(names) do
    local take = math.min(per[w], left)
    if take > 0 then
      per[w] = per[w] - take
      left = left - take
      picks[#picks + 1] = { warehouse = w, qty = take }
    end
  end
  self:release(sku, qty - left)
  self.movements = self.movements + #picks
  return picks, left
end

function Inventory:reorder_suggestions(threshold, target)
  local out = {}
  for sku in pairs(self.stock) do
    local a = self:available(sku)
    if a < threshold then out[#out + 1] = { sku = sku, available = a, order = target - a } end
  end
  table.sort(out, function(x, y) return x.sku < y.sku end)
  return out
end

return Inventory
