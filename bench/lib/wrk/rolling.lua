-- Load for bench/rolling-deploy: keep-alive GETs of "/", every 10th one "/sleep?ms=50" so that requests are in
-- flight when an instance drains. Counts every response that is not 2xx (wrk's own status error counts only
-- 4xx/5xx) and prints "ROLL non2xx=N" before the usual BENCH line.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "report.lua")
local report_done = done

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0  -- global: done() reads it per thread with thread:get
  sent = 0
end

function request()
  sent = sent + 1
  if sent % 10 == 0 then
    return wrk.format("GET", "/sleep?ms=50")
  end
  return wrk.format("GET", "/")
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("non2xx")
  end
  io.write(string.format("ROLL non2xx=%d\n", total))
  report_done(summary, latency, requests)
end
