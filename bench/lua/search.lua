-- GET <prefix><url-encoded query> over random queries of a file, one per line (UTF-8).
-- wrk ... -s search.lua http://host:port -- "/api/v1/articles?q=" queries.txt
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
local paths
function init(args)
  paths = {}
  for i, q in ipairs(common.lines(args[2])) do paths[i] = args[1] .. common.urlencode(q) end
  math.randomseed(2000 + (tid or 0))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
function done(summary, latency, requests) common.summary(summary, latency) end
