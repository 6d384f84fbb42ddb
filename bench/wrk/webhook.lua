-- POST /webhooks/stripe with events signed beforehand (HMAC needs crypto Lua does not
-- have): BENCH_EVENTS_FILE holds one "signature<TAB>body" per line, each event once.
-- Every thread takes its own slice, so no event is sent twice.
local threads = {}
local counter = 1
setup = function(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end
init = function()
  local count = #threads > 0 and #threads or 1
  local lines = {}
  local file = io.open(os.getenv("BENCH_EVENTS_FILE"), "r")
  local n = 0
  for line in file:lines() do
    if n % tonumber(os.getenv("BENCH_THREADS")) == index then lines[#lines + 1] = line end
    n = n + 1
  end
  file:close()
  prepared = {}
  for i, line in ipairs(lines) do
    local tab = string.find(line, "\t", 1, true)
    local headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    headers["content-type"] = "application/json"
    headers["stripe-signature"] = string.sub(line, 1, tab - 1)
    prepared[i] = wrk.format("POST", "/webhooks/stripe", headers, string.sub(line, tab + 1))
  end
end
request = function()
  local r = prepared[counter]
  counter = counter + 1
  if r == nil then
    -- out of prepared events: repeat the last (a duplicate, answered without work)
    return prepared[#prepared]
  end
  return r
end
