-- Shared by the wrk scripts of bench/run: a machine-readable summary line, read by bench/run.
-- wrk counts a response as an error ("non-2xx or 3xx") when its status is above 399; the
-- scripts that need exact 2xx counts (patch.lua) count them in response().
local M = {}

function M.summary(summary, latency, extra)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d mean_us=%.0f max_us=%d bytes=%d%s\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    summary.bytes, extra or ""))
end

-- Lines of a file, skipping empty ones.
function M.lines(path)
  local t = {}
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  assert(#t > 0, "no lines in " .. path)
  return t
end

function M.urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

return M
