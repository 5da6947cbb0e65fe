-- Mixed load: every 20th request of each wrk thread (5%) is /burn?ms=50, the rest are /.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "report.lua")

local n = 0
local normal, burn

function init(args)
  normal = wrk.format("GET", "/")
  burn = wrk.format("GET", "/burn?ms=50")
end

function request()
  n = n + 1
  if n % 20 == 0 then return burn end
  return normal
end
