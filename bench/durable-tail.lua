-- wrk script for bench/durable-tail: every connection POSTs
-- `tools/call blender_send_message` to one target on one MCP session, the
-- next as soon as the last is answered (one request in flight per
-- connection). The session, the bearer token and the target come from the
-- environment (BENCH_SESSION, BENCH_TOKEN, BENCH_TARGET).
--
-- Each request has its own JSON-RPC id. An answer that is not HTTP 200 or
-- whose tool text is not {"status":"ok",...} is counted as failed; done()
-- prints one JSON line with the counts and the latency percentiles (ms).

-- bench/modern-send.lua loads this file for its counting and sets
-- BENCH_NO_SESSION first: the modern era has no session.
local session = BENCH_NO_SESSION and "" or assert(os.getenv("BENCH_SESSION"), "BENCH_SESSION")
local token = assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN")
local target = assert(os.getenv("BENCH_TARGET"), "BENCH_TARGET")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Mcp-Session-Id"] = session
wrk.headers["MCP-Protocol-Version"] = "2025-06-18"

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local next_id = 0
failed = 0
first_failure = nil
-- bench/modern-send.lua sets BENCH_PREFIX to its era's request (before the id).
local prefix = BENCH_PREFIX or '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"blender_send_message",'
  .. '"arguments":{"target_uuid":"' .. target .. '","priority":"info",'
  .. '"payload":{"kind":"render_progress","frame":120,"of":240,"note":"durable tail"}}},"id":'

function init(args)
  next_id = id * 1000000000
end

function request()
  next_id = next_id + 1
  return wrk.format(nil, nil, nil, prefix .. next_id .. "}")
end

-- The tool's text is a JSON string inside the JSON answer: its quotes are escaped.
local ok_text = '\\"status\\":\\"ok\\"'

function response(status, headers, body)
  if status ~= 200 or not string.find(body, ok_text, 1, true) then
    failed = failed + 1
    if first_failure == nil then first_failure = status .. " " .. string.sub(body, 1, 300) end
  end
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local failures, sample = 0, nil
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
    sample = sample or thread:get("first_failure")
  end
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"sends":%d,"seconds":%.3f,"sends_per_s":%.1f,"failed":%d,'
      .. '"socket_errors":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"p999_ms":%.3f,'
      .. '"max_ms":%.3f,"mean_ms":%.3f,"first_failure":%s}\n',
    summary.requests, seconds, summary.requests / seconds, failures,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency:percentile(99.9) / 1e3, latency.max / 1e3, latency.mean / 1e3,
    sample and json_string(sample) or "null"))
end
