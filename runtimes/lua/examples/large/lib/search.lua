-- A full-text index: tokenizing, light stemming, stop words, TF-IDF ranking, prefix search
-- and "did you mean" suggestions.
local strings = require('lib.util.strings')

local Index = {}
Index.__index = Index

local stop = {}
for w in ('a an and are as at be by for from in is it of on or the to with'):gmatch('%a+') do stop[w] = true end

local function stem(word)
  for _, suffix in ipairs({ 'ing', 'ers', 'es', 'er', 'ed', 's' }) do
    if #word > #suffix + 2 and word:sub(-#suffix) == suffix then return word:sub(1, -#suffix - 1) end
  end
  return word
end
Index.stem = stem

local function tokens(text)
  local out = {}
  for w in text:lower():gmatch('[%w]+') do
    if not stop[w] then out[#out + 1] = stem(w) end
  end
  return out
end
Index.tokens = tokens

function Index.new()
  return setmetatable({ postings = {}, docs = {}, lengths = {}, count = 0, vocabulary = {} }, Index)
end

function Index:add(id, text, doc)
  self.count = self.count + 1
  self.docs[id] = doc or text
  local toks = tokens(text)
  self.lengths[id] = #toks
  for _, t in ipairs(toks) do
    local p = self.postings[t]
    if not p then
      p = {}
      self.postings[t] = p
      self.vocabulary[#self.vocabulary + 1] = t
    end
    p[id] = (p[id] or 0) + 1
  end
end

function Index:finish()
  table.sort(self.vocabulary)
  self.idf = {}
  for term, p in pairs(self.postings) do
    local df = 0
    for _ in pairs(p) do df = df + 1 end
    self.idf[term] = math.log((self.count + 1) / (df + 0.5))
  end
end

--- Ranked search: returns { id, score } sorted by score, at most `limit`.
function Index:search(query, limit)
  local scores = {}
  for _, t in ipairs(tokens(query)) do
    local p = self.postings[t]
    if p then
      local idf = self.idf[t]
      for id, tf in pairs(p) do scores[id] = (scores[id] or 0) + tf / math.sqrt(self.lengths[id]) * idf end
    end
  end
  local out = {}
  for id, s in pairs(scores) do out[#out + 1] = { id = id, score = s } end
  table.sort(out, function(a, b)
    if a.score ~= b.score then return a.score > b.score end
    return tostring(a.id) < tostring(b.id)
  end)
  for i = #out, (limit or 10) + 1, -1 do out[i] = nil end
  return out
end

--- Terms starting with `prefix`, by binary search over the sorted vocabulary.
function Index:complete(prefix, limit)
  local v = self.vocabulary
  local lo, hi = 1, #v + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    if v[mid] < prefix then lo = mid + 1 else hi = mid end
  end
  local out = {}
  while lo <= #v and v[lo]:sub(1, #prefix) == prefix and #out < (limit or 5) do
    out[#out + 1] = v[lo]
    lo = lo + 1
  end
  return out
end

function Index:suggest(word)
  return strings.suggest(stem(word:lower()), self.vocabulary, 2)
end

return Index
