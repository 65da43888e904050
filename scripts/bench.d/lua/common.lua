-- Shared by every wrk scenario script (wrk 4.1, LuaJIT / Lua 5.1).
--
-- * setup() numbers the wrk threads: each thread's Lua state gets a global `tid` (0, 1, ...), so ids built from
--   (tid, per-thread counter) are unique across threads without any shared state.
-- * init(args) reads `key=value` arguments given after `--` on the wrk command line into `opt`.
-- * done() prints one machine-readable line, `BENCH_RESULT {json}`, with the request count, errors and the
--   latency percentiles in microseconds; scripts/bench.d/bench.py parses it.
-- * entity(n) builds the same Smart Data Models-style entities as bench.py's loader: WaterObserved, or
--   WeatherObserved for every fifth n, in Shiojiri (lon 137.90-137.99, lat 36.05-36.15).
local common = {}

local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

opt = {}

function common.init(args)
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([^=]+)=(.*)$")
    if key then opt[key] = value end
  end
  math.randomseed((tid or 0) * 7919 + 17)
  -- LuaJIT's first values after seeding are poorly spread.
  for _ = 1, 10 do math.random() end
end

-- The headers of a request: the command line's -H headers (Link, NGSILD-Tenant), which wrk.format() leaves out
-- as soon as it is given a headers table of its own, plus `extra`. A new table each call (wrk.format adds Host
-- and Content-Length to it).
function common.headers(extra)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  for name, value in pairs(extra or {}) do headers[name] = value end
  return headers
end

function common.number(name, default)
  return tonumber(opt[name]) or default
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"min":%d,"max":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)))
end

function common.urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- The Shiojiri box.
common.lon_min, common.lon_span = 137.90, 0.09
common.lat_min, common.lat_span = 36.05, 0.10

function common.random_point()
  return common.lon_min + common.lon_span * math.random(), common.lat_min + common.lat_span * math.random()
end

function common.is_weather(n)
  return n % 5 == 4
end

-- The id of entity n of the loaded data set (n is a number or a string suffix).
function common.id(n)
  local kind = (type(n) == "number" and common.is_weather(n)) and "WeatherObserved" or "WaterObserved"
  return "urn:ngsi-ld:" .. kind .. ":shiojiri:" .. n
end

local function observed_at()
  return string.format("2026-11-21T%02d:%02d:00Z", math.random(0, 23), math.random(0, 59))
end

-- Entity n as NGSI-LD JSON (about 700 bytes); `suffix` overrides the id suffix (unique ids for creates).
function common.entity(n, suffix)
  local id = common.id(suffix or n)
  local lon, lat = common.random_point()
  local at = observed_at()
  if common.is_weather(n) then
    id = id:gsub(":WaterObserved:", ":WeatherObserved:")
    return string.format(
      '{"id":"%s","type":"WeatherObserved",' ..
      '"name":{"type":"Property","value":"Shiojiri weather station %s"},' ..
      '"temperature":{"type":"Property","value":%.1f,"unitCode":"CEL","observedAt":"%s"},' ..
      '"relativeHumidity":{"type":"Property","value":%.2f,"observedAt":"%s"},' ..
      '"atmosphericPressure":{"type":"Property","value":%.1f,"unitCode":"A97","observedAt":"%s"},' ..
      '"precipitation":{"type":"Property","value":%.1f,"unitCode":"MMT","observedAt":"%s"},' ..
      '"windSpeed":{"type":"Property","value":%.1f,"unitCode":"MTS","observedAt":"%s"},' ..
      '"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[%.5f,%.5f]}}}',
      id, tostring(suffix or n), -5 + 35 * math.random(), at, 0.3 + 0.7 * math.random(), at,
      900 + 120 * math.random(), at, 20 * math.random(), at, 15 * math.random(), at, lon, lat)
  end
  return string.format(
    '{"id":"%s","type":"WaterObserved",' ..
    '"name":{"type":"Property","value":"Shiojiri river gauge %s"},' ..
    '"height":{"type":"Property","value":%.2f,"unitCode":"MTR","observedAt":"%s"},' ..
    '"flow":{"type":"Property","value":%.1f,"unitCode":"MQS","observedAt":"%s"},' ..
    '"temperature":{"type":"Property","value":%.1f,"unitCode":"CEL","observedAt":"%s"},' ..
    '"refDevice":{"type":"Relationship","object":"urn:ngsi-ld:Device:shiojiri:%s"},' ..
    '"location":{"type":"GeoProperty","value":{"type":"Point","coordinates":[%.5f,%.5f]}}}',
    id, tostring(suffix or n), 5 * math.random(), at, 80 * math.random(), at, 2 + 20 * math.random(), at,
    tostring(suffix or n), lon, lat)
end

common.api = "/ngsi-ld/v1"

return common
