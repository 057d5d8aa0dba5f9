-- One fixed URL (the command line's); only adds the summary line.
local common = dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
function done(summary, latency, requests) common.summary(summary, latency) end
