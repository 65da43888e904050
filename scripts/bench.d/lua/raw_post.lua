-- Raw POST baseline: a 500-byte JSON entity, decoded by the server and answered 201.
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local body

function init(args)
  common.init(args)
  local head = '{"id":"urn:ngsi-ld:WaterObserved:shiojiri:raw-' .. tostring(tid) .. '","type":"WaterObserved",' ..
    '"height":{"type":"Property","value":2.1,"unitCode":"MTR","observedAt":"2026-11-21T09:00:00Z"},' ..
    '"flow":{"type":"Property","value":31.5,"unitCode":"MQS","observedAt":"2026-11-21T09:00:00Z"},' ..
    '"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[137.9525,36.1127]}},' ..
    '"name":{"type":"Property","value":"Narai River, Shiojiri gauge '
  local tail = '"}}'
  body = head .. string.rep("x", 500 - #head - #tail) .. tail
end

function request()
  return wrk.format("POST", nil, common.headers({ ["Content-Type"] = "application/json" }), body)
end
