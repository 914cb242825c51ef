-- wrk script for the standard CRM workload (../shared/bench/workload.md, section 3b).
--
-- Usage: wrk -t1 -c1 -d20s --timeout 30s -s bench/workload.lua http://127.0.0.1:PORT \
--          -- OP TOKEN ORGANIZATION_PK [CONTACTS [PIPELINE_PK]]
-- OP is list, search, detail or create (the workload's operations), or board or summary
-- (Elo's own targets: the kanban board and the pipeline summary of one pipeline); TOKEN is an
-- Elo API token sent as a bearer token; ORGANIZATION_PK (used by create) is Elo's id of the
-- workload's company 17; CONTACTS is the number of contacts loaded: 100000 in the workload,
-- less only in a reduced smoke test; PIPELINE_PK (board, summary) is the default pipeline.
-- done() prints one line starting with "BENCH_RESULT " followed by JSON.

local threads = {}
local started = nil

function setup(thread)
   -- Sets the globals t (the thread's 1-based index) and start6 (6 digits of the start
   -- time, taken once for all threads) in each thread's own Lua state.
   if started == nil then
      started = string.format("%06d", os.time() % 1000000)
   end
   table.insert(threads, thread)
   thread:set("t", #threads)
   thread:set("start6", started)
end

local op, token, organization, pipeline
local contacts = 100000
local k = 0

function init(args)
   op = args[1]
   token = args[2]
   organization = args[3] or "null"
   contacts = tonumber(args[4] or "100000")
   pipeline = args[5] or "1"
   local known = {list = true, search = true, detail = true, create = true,
                  board = true, summary = true}
   if not known[op] then
      error("unknown operation " .. tostring(op))
   end
   wrk.headers["Authorization"] = "Bearer " .. token
   wrk.headers["Accept"] = "application/json"
   if op == "create" then
      wrk.headers["Content-Type"] = "application/json"
   end
end

-- Contact id for the thread's k-th request (k = 1, 2, ...), t the 1-based thread index:
-- 1 + ((k*7919 + t*104729) mod 100000) with the workload's 100000 contacts.
function detail_id(k, t)
   return 1 + ((k * 7919 + t * 104729) % contacts)
end

-- Unique suffix: 6 digits of the start time, the thread index, the request counter as %06d.
function create_suffix(k, t, start)
   return start .. tostring(t) .. string.format("%06d", k)
end

-- Elo validates phones with phonenumbers.is_possible_number: "+1-555-{N}" with the 13-digit
-- N is too long for a North American number and is refused, so the phone keeps the last
-- 7 digits of N (the thread index and the request counter), which Elo accepts.
function create_phone(n)
   return "+1-555-" .. string.sub(n, -7)
end

function create_body(n)
   return '{"given_name":"Bench","family_name":"N' .. n .. '",'
      .. '"emails":["bench' .. n .. '@example.com"],'
      .. '"phones":["' .. create_phone(n) .. '"],'
      .. '"organizations":[{"organization":' .. organization .. '}]}'
end

function request()
   k = k + 1
   if op == "list" then
      return wrk.format("GET", "/api/v1/people")
   elseif op == "search" then
      return wrk.format("GET", "/api/v1/people?q=son")
   elseif op == "detail" then
      return wrk.format("GET", "/api/v1/people/" .. detail_id(k, t) .. "?expand=timeline")
   elseif op == "board" then
      return wrk.format("GET", "/api/v1/pipelines/" .. pipeline .. "/board")
   elseif op == "summary" then
      return wrk.format("GET", "/api/v1/deals/summary?pipeline=" .. pipeline)
   end
   -- nil headers: wrk.format then sends wrk.headers, which carry the token.
   return wrk.format("POST", "/api/v1/people", nil, create_body(create_suffix(k, t, start6)))
end

function done(summary, latency, requests)
   local errors = summary.errors
   local seconds = summary.duration / 1e6
   io.write(string.format(
      'BENCH_RESULT {"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"requests_per_s":%.3f,'
      .. '"requests":%d,"duration_s":%.3f,"non_2xx_3xx":%d,"socket_errors":%d,'
      .. '"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
      latency:percentile(50) / 1000, latency:percentile(95) / 1000,
      latency:percentile(99) / 1000, summary.requests / seconds, summary.requests, seconds,
      errors.status, errors.connect + errors.read + errors.write + errors.timeout,
      errors.connect, errors.read, errors.write, errors.timeout))
end
