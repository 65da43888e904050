-- GET by id: a random entity of the loaded set. args: entities=<N>
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local entities

function init(args)
  common.init(args)
  entities = common.number("entities", 1000)
end

function request()
  local n = math.random(0, entities - 1)
  return wrk.format("GET", common.api .. "/entities/" .. common.id(n))
end
