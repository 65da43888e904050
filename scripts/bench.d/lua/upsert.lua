-- Batch upsert: POST /entityOperations/upsert with a JSON array of `batch` entities.
-- args: batch=<size>, run=<text> (set per wrk run by bench.py), mode=new (new ids per request, unique per
-- wrk thread and run) | existing (a random block of
-- `batch` consecutive entities of the loaded set of `entities`, replaced: the update path)
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local batch, entities, mode, run
local counter = 0

function init(args)
  common.init(args)
  batch = common.number("batch", 1000)
  entities = common.number("entities", 1000)
  mode = opt.mode or "new"
  run = opt.run or "b"
end

function request()
  local parts = {}
  if mode == "existing" then
    local start = math.random(0, math.max(0, entities - batch))
    for i = 1, batch do parts[i] = common.entity(start + i - 1) end
  else
    for i = 1, batch do
      counter = counter + 1
      parts[i] = common.entity(counter, run .. "-" .. tid .. "-" .. counter)
    end
  end
  return wrk.format("POST", common.api .. "/entityOperations/upsert",
    common.headers({ ["Content-Type"] = "application/json" }), "[" .. table.concat(parts, ",") .. "]")
end
