-- PATCH <prefix><id> with {"summary": "..."} (a new text every time) as a write token,
-- over random ids of a file, one per line; counts the 2xx answers exactly.
-- wrk ... -s patch.lua http://host:port -- /api/v1/articles/ ids.txt <token> <run id>
-- The run id makes every summary new even when a run replays the same (id, n) sequence on
-- the same database, so no PATCH is a no-op.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end
local prefix, ids, headers, run
local n = 0
ok, statuses = 0, {} -- globals: done() reads them from each thread with thread:get()
function init(args)
  prefix, ids = args[1], common.lines(args[2])
  headers = { ["Authorization"] = "Bearer " .. args[3], ["Content-Type"] = "application/json" }
  run = args[4] or "0"
  math.randomseed(3000 + (tid or 0))
end
function request()
  n = n + 1
  local body = string.format(
    '{"summary":"Bản tin cập nhật lần %d (luồng %d, đợt %s): Thường trực HĐND tỉnh đề nghị các cơ quan chuyên môn rà soát, bổ sung số liệu."}',
    n, tid or 0, run)
  return wrk.format("PATCH", prefix .. ids[math.random(#ids)], headers, body)
end
function response(status, hdrs, body)
  if status >= 200 and status < 300 then ok = ok + 1 end
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total, by = 0, {}
  for _, t in ipairs(threads) do
    total = total + t:get("ok")
    local s = t:get("statuses")
    for code, c in pairs(s) do by[code] = (by[code] or 0) + c end
  end
  local parts = {}
  for code, c in pairs(by) do parts[#parts + 1] = code .. ":" .. c end
  table.sort(parts)
  common.summary(summary, latency, string.format(" ok2xx=%d statuses=%s", total, table.concat(parts, ",")))
end
