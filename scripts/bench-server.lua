-- wrk script of scripts/bench-server.sh: replays request lines from $BENCH_REQUESTS ("METHOD PATH [JSON BODY]"
-- per line), thread i taking lines i, i+T, i+2T, … so threads never send the same booking; sends the bearer
-- token of $BENCH_TOKEN; counts answers by status; prints one summary line for the shell script to parse.

local lines = {}
local file = os.getenv("BENCH_REQUESTS")
if file then
  for line in io.lines(file) do
    lines[#lines + 1] = line
  end
end
local token = os.getenv("BENCH_TOKEN") or ""
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  cursor = id
  statuses = {}
end

function request()
  if #lines == 0 then
    return wrk.format("GET", "/healthz")
  end
  local line = lines[(cursor % #lines) + 1]
  cursor = cursor + nthreads
  local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
  local headers = { ["Authorization"] = "Bearer " .. token }
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/json"
  else
    body = nil
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    if s then
      for k, v in pairs(s) do
        agg[k] = (agg[k] or 0) + v
      end
    end
  end
  local parts = {}
  for k, v in pairs(agg) do
    parts[#parts + 1] = k .. "=" .. v
  end
  table.sort(parts)
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d statuses=%s\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ",")))
end
