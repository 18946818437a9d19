-- Money in integer cents with a currency; arithmetic refuses to mix currencies.
local class = require('lib.class')

local Money = class.new('Money')
class.include(Money, class.mixins.Comparable)

function Money:init(cents, currency)
  assert(math.type(cents) == 'integer', 'money amounts are integer cents')
  self.cents = cents
  self.currency = currency or 'EUR'
end

function Money.of(amount, currency)
  return Money(math.floor(amount * 100 + 0.5), currency)
end

local function same(a, b)
  if a.currency ~= b.currency then error(('currency mismatch: %s vs %s'):format(a.currency, b.currency), 3) end
end

function Money:compare(other)
  same(self, other)
  return self.cents - other.cents
end

Money.__add = function(a, b)
  same(a, b)
  return Money(a.cents + b.cents, a.currency)
end
Money.__sub = function(a, b)
  same(a, b)
  return Money(a.cents - b.cents, a.currency)
end
Money.__mul = function(a, factor)
  if type(a) == 'number' then a, factor = factor, a end
  return Money(math.floor(a.cents * factor + 0.5), a.currency)
end
Money.__unm = function(a) return Money(-a.cents, a.currency) end
Money.__lt = function(a, b) return a:compare(b) < 0 end
Money.__le = function(a, b) return a:compare(b) <= 0 end
Money.__eq = function(a, b) return a.currency == b.currency and a.cents == b.cents end

local symbols = { EUR = '€', USD = '$', GBP = '£' }

function Money:format()
  local sign = self.cents < 0 and '-' or ''
  local abs = math.abs(self.cents)
  local units = tostring(abs // 100):reverse():gsub('(%d%d%d)', '%1,'):reverse():gsub('^,', '')
  return string.format('%s%s%s.%02d', sign, symbols[self.currency] or (self.currency .. ' '), units, abs % 100)
end

Money.__tostring = Money.format

--- Splits into `n` parts whose sum is exactly this amount (the first parts take the remainder).
function Money:allocate(n)
  local base, rem = self.cents // n, self.cents % n
  local out = {}
  for i = 1, n do out[i] = Money(base + (i <= rem and 1 or 0), self.currency) end
  return out
end

function Money:to_table() return { cents = self.cents, currency = self.currency } end

function Money.zero(currency) return Money(0, currency) end

return Money
