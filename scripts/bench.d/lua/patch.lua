-- PATCH attrs: a new height reading for a random WaterObserved entity. args: entities=<N>
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local entities

function init(args)
  common.init(args)
  entities = common.number("entities", 1000)
end

function request()
  local n = math.random(0, entities - 1)
  if common.is_weather(n) then n = n - 1 end
  local body = string.format(
    '{"height":{"type":"Property","value":%.2f,"unitCode":"MTR","observedAt":"2026-11-22T%02d:%02d:00Z"}}',
    5 * math.random(), math.random(0, 23), math.random(0, 59))
  return wrk.format("PATCH", common.api .. "/entities/" .. common.id(n) .. "/attrs",
    common.headers({ ["Content-Type"] = "application/json" }), body)
end
