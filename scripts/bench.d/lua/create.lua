-- Single create: POST /entities, one new entity per request; ids unique per (wrk thread, counter).
-- args: run=<text> (set per wrk run by bench.py, so the warm-up and the measured run never collide)
package.path = (os.getenv("MACHI_BENCH_LUA") or "scripts/bench.d/lua") .. "/?.lua;" .. package.path
local common = require "common"

local counter = 0
local run

function init(args)
  common.init(args)
  run = opt.run or "c"
end

function request()
  counter = counter + 1
  local n = tid * 100000000 + counter
  local body = common.entity(n, run .. "-" .. tid .. "-" .. counter)
  return wrk.format("POST", common.api .. "/entities", common.headers({ ["Content-Type"] = "application/json" }),
    body)
end
