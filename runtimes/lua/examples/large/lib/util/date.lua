-- Calendar arithmetic without os.time: civil dates <-> day numbers (proleptic Gregorian),
-- ISO 8601 formatting and parsing, weekdays and month lengths.
local M = {}

M.month_names = { 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December' }
M.day_names = { 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday' }

function M.is_leap(y) return (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0 end

function M.days_in_month(y, m)
  local days = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }
  if m == 2 and M.is_leap(y) then return 29 end
  return days[m]
end

--- Days since 1970-01-01 for a civil date.
function M.days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

--- The civil date of a day number.
function M.civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  if m <= 2 then y = y + 1 end
  return y, m, d
end

--- 1 = Monday ... 7 = Sunday.
function M.weekday(y, m, d)
  local days = M.days_from_civil(y, m, d)
  return (days + 3) % 7 + 1
end

local Date = {}
Date.__index = Date
M.Date = Date

function M.new(y, m, d, hh, mm, ss)
  return setmetatable({ y = y, m = m, d = d, hh = hh or 0, mm = mm or 0, ss = ss or 0 }, Date)
end

function M.from_epoch(seconds)
  local days = seconds // 86400
  local rem = seconds % 86400
  local y, m, d = M.civil_from_days(days)
  return M.new(y, m, d, rem // 3600, rem % 3600 // 60, rem % 60)
end

function Date:epoch()
  return M.days_from_civil(self.y, self.m, self.d) * 86400 + self.hh * 3600 + self.mm * 60 + self.ss
end

function Date:add_days(n) return M.from_epoch(self:epoch() + n * 86400) end

function Date:add_months(n)
  local total = self.y * 12 + (self.m - 1) + n
  local y, m = total // 12, total % 12 + 1
  local d = math.min(self.d, M.days_in_month(y, m))
  return M.new(y, m, d, self.hh, self.mm, self.ss)
end

function Date:iso()
  return string.format('%04d-%02d-%02dT%02d:%02d:%02dZ', self.y, self.m, self.d, self.hh, self.mm, self.ss)
end

function Date:date_string() return string.format('%04d-%02d-%02d', self.y, self.m, self.d) end

function Date:weekday_name() return M.day_names[M.weekday(self.y, self.m, self.d)] end

function Date:format(fmt)
  return (fmt:gsub('%%(%a)', function(c)
    if c == 'Y' then return string.format('%04d', self.y) end
    if c == 'm' then return string.format('%02d', self.m) end
    if c == 'd' then return string.format('%02d', self.d) end
    if c == 'H' then return string.format('%02d', self.hh) end
    if c == 'M' then return string.format('%02d', self.mm) end
    if c == 'S' then return string.format('%02d', self.ss) end
    if c == 'B' then return M.month_names[self.m] end
    if c == 'b' then return M.month_names[self.m]:sub(1, 3) end
    if c == 'A' then return self:weekday_name() end
    if c == 'a' then return self:weekday_name():sub(1, 3) end
    return '%' .. c
  end))
end

function Date.__eq(a, b) return a:epoch() == b:epoch() end
function Date.__lt(a, b) return a:epoch() < b:epoch() end
function Date.__le(a, b) return a:epoch() <= b:epoch() end
function Date.__sub(a, b) return (a:epoch() - b:epoch()) // 86400 end
Date.__tostring = Date.iso

--- Parses YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS(Z).
function M.parse(s)
  local y, m, d, rest = s:match('^(%d%d%d%d)-(%d%d)-(%d%d)(.*)$')
  if not y then return nil, 'not an ISO date: ' .. s end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if m < 1 or m > 12 or d < 1 or d > M.days_in_month(y, m) then return nil, 'no such date: ' .. s end
  local hh, mm, ss = 0, 0, 0
  if rest ~= '' then
    local h, mi, se = rest:match('^T(%d%d):(%d%d):(%d%d)Z?$')
    if not h then return nil, 'bad time in ' .. s end
    hh, mm, ss = tonumber(h), tonumber(mi), tonumber(se)
  end
  return M.new(y, m, d, hh, mm, ss)
end

return M
