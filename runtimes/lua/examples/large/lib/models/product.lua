local class = require('lib.class')
local Money = require('lib.models.money')

local Product = class.new('Product')
class.include(Product, class.mixins.Serializable)

Product.categories = {}

function Product:init(data)
  self.sku = data.sku
  self.name = data.name
  self.category = data.category
  self.price = Money(data.price_cents, data.currency or 'EUR')
  self.weight_g = data.weight_g or 0
  self.tags = data.tags or {}
  self.rating = data.rating or 0
  Product.categories[self.category] = (Product.categories[self.category] or 0) + 1
end

function Product:has_tag(tag)
  for _, t in ipairs(self.tags) do
    if t == tag then return true end
  end
  return false
end

function Product:to_table()
  return { sku = self.sku, name = self.name, category = self.category, price = self.price:to_table(),
    weight_g = self.weight_g, tags = self.tags, rating = self.rating }
end

Product.__tostring = function(p) return string.format('%s (%s) %s', p.name, p.sku, p.price:format()) end

return Product
