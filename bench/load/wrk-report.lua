-- wrk script of the benchmark suite. Prints the latency percentiles (µs) as one JSON line, including p99.9,
-- which wrk's --latency table does not show. With WRK_BODY_BYTES set, every request is a POST of that many
-- bytes (the 1 MB upload scenario). With WRK_DELAY_MS set, each connection waits that long after a response before
-- its next request (the paced scenario: a load below saturation, so latency is the proxy's, not a queue's).
local bytes = tonumber(os.getenv("WRK_BODY_BYTES") or "")
if bytes then
  wrk.method = "POST"
  wrk.body = string.rep("x", bytes)
  wrk.headers["Content-Type"] = "application/octet-stream"
end

local pause = tonumber(os.getenv("WRK_DELAY_MS") or "")
if pause then
  delay = function() return pause end
end

done = function(summary, latency, requests)
  io.write(string.format('BENCH_JSON {"p50":%d,"p99":%d,"p999":%d,"max":%d}\n',
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end
