-- wrk script for bench/modern-send's MCP 2026-07-28 sender: every
-- connection POSTs `tools/call blender_send_message` to one target as a
-- stateless request (no session: the per-request `_meta` and the
-- MCP-Protocol-Version, Mcp-Method and Mcp-Name headers), the next as soon as
-- the last is answered. The token and the target come from the environment
-- (BENCH_TOKEN, BENCH_TARGET). The request loop, counting and the summary are
-- bench/durable-tail.lua's (loaded below), so both eras are read alike.

local target = assert(os.getenv("BENCH_TARGET"), "BENCH_TARGET")

BENCH_PREFIX = '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"blender_send_message",'
  .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
  .. '"io.modelcontextprotocol/clientCapabilities":{}},'
  .. '"arguments":{"target_uuid":"' .. target .. '","priority":"info",'
  .. '"payload":{"kind":"render_progress","frame":120,"of":240,"note":"durable tail"}}},"id":'

-- durable-tail.lua wants a session; the modern era has none.
BENCH_NO_SESSION = true
dofile("bench/durable-tail.lua")

wrk.headers["Mcp-Session-Id"] = nil
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = "blender_send_message"
