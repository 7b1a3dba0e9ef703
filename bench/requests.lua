-- wrk script for the HTTP benchmarks: every request a different member token and a fresh nonce.
-- wrk ... -s bench/requests.lua URL -- TOKENS_FILE THREADS PATH BODY [NONCE_HEADER] [RUN]
--   TOKENS_FILE  one bearer token per line, written by bench/load.py; thread k takes lines k, k+T, ...
--   BODY         the JSON body, "{nonce}" replaced by a nonce no other request of this run uses
--   NONCE_HEADER a header that carries the nonce too (Idempotency-Key), or ""
-- done() prints one line "WRK_JSON {...}" (requests, seconds, latency percentiles, statuses by
-- HTTP status or error code) that bench/load.py reads.

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file, nthreads = args[1], tonumber(args[2])
  path, body, nonce_header, run = args[3], args[4], args[5] or "", args[6] or "0"
  tokens = {}
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == id - 1 then tokens[#tokens + 1] = line end
    i = i + 1
  end
  sent = 0
  wrapped = 0
  statuses = {}
end

function request()
  sent = sent + 1
  if sent > #tokens then wrapped = wrapped + 1 end
  local token = tokens[(sent - 1) % #tokens + 1]
  local nonce = string.format("wrk-%s-%d-%d", run, id, sent)
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  if nonce_header ~= "" then headers[nonce_header] = nonce end
  return wrk.format("POST", path, headers, (body:gsub("{nonce}", nonce)))
end

function response(status, headers, response_body)
  local code = tostring(status)
  if status >= 400 then
    code = string.match(response_body, '"code"%s*:%s*"([^"]+)"') or code
  end
  statuses[code] = (statuses[code] or 0) + 1
end

function done(summary, latency, requests)
  local merged, wraps = {}, 0
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do merged[code] = (merged[code] or 0) + n end
    wraps = wraps + thread:get("wrapped")
  end
  local parts = {}
  for code, n in pairs(merged) do parts[#parts + 1] = string.format('"%s": %d', code, n) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "socket_errors": %d, "timeouts": %d, "wrapped": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, e.connect + e.read + e.write, e.timeout, wraps,
    table.concat(parts, ", ")))
end
