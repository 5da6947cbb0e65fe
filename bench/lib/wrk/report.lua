-- Prints one machine-readable summary line that bench/lib/report.py reads. Load it with
-- dofile from another wrk script, or pass it to wrk -s on its own (plain GET, keep-alive).
function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f " ..
    "connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
