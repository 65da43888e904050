-- Geo-query near: WaterObserved gauges within 1 km of a random point in Shiojiri, first page.
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

function init(args) common.init(args) end

function request()
  local lon, lat = common.random_point()
  return wrk.format("GET", common.api .. "/entities?type=WaterObserved"
    .. "&georel=" .. common.urlencode("near;maxDistance==1000")
    .. "&geometry=Point&coordinates=" .. common.urlencode(string.format("[%.5f,%.5f]", lon, lat)))
end
