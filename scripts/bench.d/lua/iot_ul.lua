-- IoT ingestion over HTTP (the `iot-http` scenario): POST /iot/d?k=<apikey>&i=bridge-NN with an UltraLight 2.0 body
-- of `measures` timestamped measure groups (`2026-11-22T03:00:00.120Z|v|12.3#…`, 1 ms apart, ending now), from a
-- random device of bridge-01..bridge-<devices> each request, Content-Type text/plain.
-- args: apikey=<key> devices=<N> measures=<groups per request>
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local apikey, devices, measures
local headers = { ["Content-Type"] = "text/plain" }
local counter = 0

function init(args)
  common.init(args)
  apikey = opt.apikey or "benchiot-ul"
  devices = common.number("devices", 48)
  measures = common.number("measures", 50)
end

-- os.time() has whole seconds: the milliseconds come from a per-thread counter, so timestamps advance within a
-- second and never repeat within a thread's second.
local function stamp(second, millisecond)
  return os.date("!%Y-%m-%dT%H:%M:%S", second) .. string.format(".%03dZ", millisecond % 1000)
end

function request()
  local now = os.time()
  local groups = {}
  for j = 1, measures do
    counter = counter + 1
    groups[j] = stamp(now, counter) .. "|v|" .. string.format("%.1f", (counter * 7 + j * 13) % 2000 / 10)
  end
  local path = string.format("/iot/d?k=%s&i=bridge-%02d", apikey, math.random(1, devices))
  return wrk.format("POST", path, common.headers(headers), table.concat(groups, "#"))
end
