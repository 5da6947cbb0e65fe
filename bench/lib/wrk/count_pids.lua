-- Counts responses per X-Worker-Pid (the split of requests across workers) and prints
-- "PID <pid> <count>" lines plus the usual BENCH line.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "report.lua")
local report_done = done

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}  -- global: done() reads it per thread with thread:get
end

function response(status, headers, body)
  local pid = headers["X-Worker-Pid"] or headers["x-worker-pid"]
  if pid == nil then
    for k, v in pairs(headers) do
      if string.lower(k) == "x-worker-pid" then pid = v end
    end
  end
  pid = pid or "none"
  counts[pid] = (counts[pid] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for pid, c in pairs(t:get("counts")) do
      total[pid] = (total[pid] or 0) + c
    end
  end
  for pid, c in pairs(total) do
    io.write(string.format("PID %s %d\n", pid, c))
  end
  report_done(summary, latency, requests)
end
