-- Geo-query within: WaterObserved gauges inside a random 1 km x 1 km square in Shiojiri, first page.
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

function init(args) common.init(args) end

function request()
  local lon, lat = common.random_point()
  local dlon, dlat = 0.0111, 0.0090 -- about 1 km at 36 degrees north
  local polygon = string.format("[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f]]]",
    lon, lat, lon + dlon, lat, lon + dlon, lat + dlat, lon, lat + dlat, lon, lat)
  return wrk.format("GET", common.api .. "/entities?type=WaterObserved"
    .. "&georel=within&geometry=Polygon&coordinates=" .. common.urlencode(polygon))
end
