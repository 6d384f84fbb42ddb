-- POST /graphql with a paymentStatus query, rotating over the reservation ids in
-- BENCH_IDS_FILE, with the bearer token BENCH_TOKEN. The same requests go to the
-- service and to the baseline.
local ids = {}
local file = io.open(os.getenv("BENCH_IDS_FILE"), "r")
for line in file:lines() do ids[#ids + 1] = line end
file:close()
local token = os.getenv("BENCH_TOKEN")
local query = os.getenv("BENCH_QUERY")
local counter = 0
local prepared = {}
-- formatted once per thread, with wrk's own headers (Host) kept
init = function()
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["content-type"] = "application/json"
  headers["authorization"] = "Bearer " .. token
  for i, id in ipairs(ids) do
    local body = '{"query":"' .. query .. '","variables":{"reservationId":"' .. id .. '"}}'
    prepared[i] = wrk.format("POST", "/graphql", headers, body)
  end
end
request = function()
  counter = counter + 1
  return prepared[(counter % #prepared) + 1]
end
