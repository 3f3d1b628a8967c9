-- W1: create posts with authenticated JSON POSTs (Authorization comes from wrk's -H).
-- Every request carries a unique slug: bench-<run>-<thread>-<counter>.
local threads = {}
local run_id = os.time()

function setup(thread)
  thread:set("tid", #threads + 1)
  thread:set("run_id", run_id)
  table.insert(threads, thread)
end

local BODY = string.rep("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 35)

function init(args)
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local slug = string.format("bench-%d-%d-%d", run_id, tid, counter)
  return wrk.format("POST", nil, nil, string.format(
    '{"type":"post","title":"Bench %s","slug":"%s","status":"published","content":"%s"}',
    slug, slug, BODY))
end
