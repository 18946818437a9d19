-- Orders: line items, discounts from rules, VAT per country, shipping by weight, and a state
-- machine for the order's life cycle.
local class = require('lib.class')
local Money = require('lib.models.money')

local Order = class.new('Order')

Order.vat = { DE = 0.19, FR = 0.20, NL = 0.21, IT = 0.22, ES = 0.21, SE = 0.25, PL = 0.23, AT = 0.20, BE = 0.21,
  IE = 0.23, PT = 0.23, FI = 0.24, DK = 0.25, CZ = 0.21, GR = 0.24 }

Order.transitions = {
  new = { pay = 'paid', cancel = 'cancelled' },
  paid = { ship = 'shipped', refund = 'refunded' },
  shipped = { deliver = 'delivered', lose = 'lost' },
  delivered = { ['return'] = 'returned' },
  lost = { refund = 'refunded' },
}

function Order:init(id, customer, created)
  self.id = id
  self.customer = customer
  self.created = created
  self.lines = {}
  self.state = 'new'
  self.history = { 'new' }
  self.discounts = {}
end

function Order:add(product, qty)
  assert(qty > 0, 'quantity must be positive')
  for _, line in ipairs(self.lines) do
    if line.product == product then
      line.qty = line.qty + qty
      return self
    end
  end
  self.lines[#self.lines + 1] = { product = product, qty = qty }
  return self
end

function Order:subtotal()
  local total = Money.zero('EUR')
  for _, line in ipairs(self.lines) do total = total + line.product.price * line.qty end
  return total
end

function Order:weight()
  local w = 0
  for _, line in ipairs(self.lines) do w = w + line.product.weight_g * line.qty end
  return w
end

function Order:item_count()
  local n = 0
  for _, line in ipairs(self.lines) do n = n + line.qty end
  return n
end

function Order:shipping()
  local w = self:weight()
  if self:subtotal().cents >= 10000 then return Money.zero('EUR') end
  if w <= 1000 then return Money(495) end
  if w <= 5000 then return Money(895) end
  return Money(895 + ((w - 5000) // 1000 + 1) * 150)
end

function Order:apply_discount(name, amount)
  self.discounts[#self.discounts + 1] = { name = name, amount = amount }
end

function Order:discount_total()
  local total = Money.zero('EUR')
  for _, d in ipairs(self.discounts) do total = total + d.amount end
  return total
end

function Order:vat_rate() return Order.vat[self.customer.country] or 0.20 end

function Order:totals()
  local subtotal = self:subtotal()
  local discount = self:discount_total()
  local net = subtotal - discount
  local shipping = self:shipping()
  local vat = (net + shipping) * self:vat_rate()
  return { subtotal = subtotal, discount = discount, shipping = shipping, vat = vat, total = net + shipping + vat }
end

function Order:fire(event)
  local next_state = (Order.transitions[self.state] or {})[event]
  if not next_state then
    error(string.format('order %s: cannot %s when %s', self.id, event, self.state), 2)
  end
  self.state = next_state
  self.history[#self.history + 1] = next_state
  return self
end

function Order:can(event) return (Order.transitions[self.state] or {})[event] ~= nil end

return Order
