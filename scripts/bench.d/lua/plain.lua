-- The request given on the wrk command line, unchanged (raw GET baseline); only adds the BENCH_RESULT report.
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

function init(args) common.init(args) end
