-- GET <prefix><slug> over random slugs of a file, one per line.
-- wrk ... -s slugs.lua http://host:port -- /api/v1/articles/slug/ slugs.txt
-- Thread i draws from its own seeded sequence, so every service sees the same slugs.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
local prefix, slugs
function init(args)
  prefix, slugs = args[1], common.lines(args[2])
  math.randomseed(1000 + (tid or 0))
end
function request()
  return wrk.format("GET", prefix .. slugs[math.random(#slugs)])
end
function done(summary, latency, requests) common.summary(summary, latency) end
