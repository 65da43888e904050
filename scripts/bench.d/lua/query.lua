-- Query by type and q: WaterObserved gauges above a random height between 3.5 and 5 m (0-30 % of them),
-- first page (the default limit, 20).
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

function init(args) common.init(args) end

function request()
  local q = string.format("height>%.2f", 3.5 + 1.5 * math.random())
  return wrk.format("GET", common.api .. "/entities?type=WaterObserved&q=" .. common.urlencode(q))
end
