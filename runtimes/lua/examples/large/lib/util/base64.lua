-- Base64 (RFC 4648), standard and URL-safe alphabets.
local M = {}

local std = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

local function tables(alphabet)
  local enc, dec = {}, {}
  for i = 1, 64 do
    local c = alphabet:sub(i, i)
    enc[i - 1] = c
    dec[c:byte()] = i - 1
  end
  return enc, dec
end

local std_enc, std_dec = tables(std)
local url_enc, url_dec = tables(url)

function M.encode(s, urlsafe)
  local enc = urlsafe and url_enc or std_enc
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    out[#out + 1] = enc[(n >> 18) & 63] .. enc[(n >> 12) & 63]
      .. (b and enc[(n >> 6) & 63] or (urlsafe and '' or '='))
      .. (c and enc[n & 63] or (urlsafe and '' or '='))
  end
  return table.concat(out)
end

function M.decode(s, urlsafe)
  local dec = urlsafe and url_dec or std_dec
  s = s:gsub('[%s=]', '')
  local out = {}
  local n, bits = 0, 0
  for i = 1, #s do
    local v = dec[s:byte(i)]
    if not v then return nil, 'invalid base64 character at ' .. i end
    n = (n << 6) | v
    bits = bits + 6
    if bits >= 8 then
      bits = bits - 8
      out[#out + 1] = string.char((n >> bits) & 255)
    end
  end
  return table.concat(out)
end

return M
