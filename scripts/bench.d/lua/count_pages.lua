-- Deep pagination with count=true: a page of 100 WaterObserved entities at a random offset in the second half
-- of the result. args: entities=<N>
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local matching

function init(args)
  common.init(args)
  matching = math.floor(common.number("entities", 1000) * 4 / 5)
end

function request()
  local offset = math.random(math.floor(matching / 2), math.max(math.floor(matching / 2), matching - 100))
  return wrk.format("GET", common.api .. "/entities?type=WaterObserved&count=true&limit=100&offset=" .. offset)
end
