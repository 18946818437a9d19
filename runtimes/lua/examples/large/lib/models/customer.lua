local class = require('lib.class')

local Customer = class.new('Customer')
class.include(Customer, class.mixins.Observable)

local tiers = { { name = 'bronze', min = 0, discount = 0 }, { name = 'silver', min = 500, discount = 0.03 },
  { name = 'gold', min = 2000, discount = 0.07 }, { name = 'platinum', min = 10000, discount = 0.12 } }
Customer.tiers = tiers

function Customer:init(data)
  self.id = data.id
  self.name = data.name
  self.email = data.email
  self.country = data.country
  self.joined = data.joined
  self.points = data.points or 0
end

function Customer:tier()
  local current = tiers[1]
  for _, t in ipairs(tiers) do
    if self.points >= t.min then current = t end
  end
  return current
end

function Customer:add_points(n)
  local before = self:tier().name
  self.points = self.points + n
  local after = self:tier().name
  if before ~= after then self:emit('tier_changed', before, after) end
end

function Customer:first_name() return self.name:match('^(%S+)') end

Customer.__tostring = function(c) return string.format('%s <%s> [%s]', c.name, c.email, c:tier().name) end

return Customer
