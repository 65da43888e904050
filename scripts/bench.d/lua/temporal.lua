-- Temporal reads on the bench-temporal tenant (the NGSILD-Tenant header comes from the command line), as the
-- `temporal` scenario of bench.py loaded it: entities urn:ngsi-ld:WeatherObserved:shiojiri:<n>, each with
-- `temperature` and `relativeHumidity` instances every `step` seconds from `start` (seconds since 1970).
-- args: mode=lastN|between|aggregation|query entities=<N> instances=<per attribute> start=<s> step=<s>
--       window=<instances per attribute for between> day=<instances per attribute in a day>
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local mode, entities, instances, start, step, window, day, per_hour

function init(args)
  common.init(args)
  mode = opt.mode or "lastN"
  entities = common.number("entities", 1000)
  instances = common.number("instances", 500)
  start = common.number("start", 1767225600)
  step = common.number("step", 360)
  window = common.number("window", 50)
  day = common.number("day", 240)
  per_hour = math.floor(3600 / step)
end

local function time_text(index)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", start + index * step)
end

local function entity_path()
  return common.api .. "/temporal/entities/urn:ngsi-ld:WeatherObserved:shiojiri:" .. math.random(0, entities - 1)
end

function request()
  if mode == "lastN" then
    return wrk.format("GET", entity_path() .. "?lastN=10")
  elseif mode == "between" then
    local first = math.random(0, instances - window)
    return wrk.format("GET", entity_path() .. "?timerel=between&timeAt=" .. time_text(first) ..
      "&endTimeAt=" .. time_text(first + window))
  elseif mode == "aggregation" then
    -- A day that starts on the hour.
    local first = per_hour * math.random(0, math.floor((instances - day) / per_hour))
    return wrk.format("GET", entity_path() ..
      "?options=aggregatedValues&aggrMethods=avg,max,min&aggrPeriodDuration=PT1H&timerel=between&timeAt=" ..
      time_text(first) .. "&endTimeAt=" .. time_text(first + day))
  else
    -- Across entities: the latest instance of the last hour, a page of 10 at a random offset.
    return wrk.format("GET", common.api .. "/temporal/entities?type=WeatherObserved&timerel=after&timeAt=" ..
      time_text(instances - per_hour) .. "&lastN=1&limit=10&offset=" .. math.random(0, entities - 10))
  end
end
