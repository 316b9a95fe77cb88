# Shell helpers the bench/ scripts that drive the real server over HTTP
# share (bench/durable-tail, bench/modern-send). Source it after setting
# `server_bin`, `password` and `pids` (an array the caller's cleanup kills);
# it sets `url` and `token`.

# cpu_ticks PID: user + system clock ticks of a process so far.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# mcp_post SESSION BODY: one POST /mcp of the 2025 era; prints the answer's headers and body.
mcp_post() {
  local session_header=()
  [[ -n "$1" ]] && session_header=(-H "Mcp-Session-Id: $1")
  curl -sS -D - -X POST "$url/mcp" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2025-06-18' "${session_header[@]}" -d "$2"
}

# open_session: initialize + notifications/initialized; prints the session id.
open_session() {
  local answer session
  answer="$(mcp_post "" '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}')"
  session="$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([0-9a-zA-Z]*\).*$/\1/p' <<< "$answer")"
  [[ -n "$session" ]] || { echo "bench: initialize failed: $answer" >&2; return 1; }
  mcp_post "$session" '{"jsonrpc":"2.0","method":"notifications/initialized"}' > /dev/null
  echo "$session"
}

# start_server DIR [serve flags…]: a fresh server on DIR/data with the admin
# user `bench`; sets url, token and server_pid (also added to pids).
start_server() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  printf '%s\n' "$password" | "$server_bin" user add bench --role admin --data-dir "$dir/data" --password-stdin > /dev/null
  # shellcheck disable=SC2086  # BENCH_SERVE_ARGS is meant to split into words
  "$server_bin" serve --port 0 --data-dir "$dir/data" ${BENCH_SERVE_ARGS:-} "$@" \
    > "$dir/stdout" 2> "$dir/stderr" &
  server_pid=$!
  pids+=("$server_pid")
  url=""
  for _ in $(seq 1 300); do
    url="$(sed -n 's/^blender-bus listening on \(http:[^ ]*\).*$/\1/p' "$dir/stdout")"
    [[ -n "$url" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$dir/stderr" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n "$url" ]] || { echo "bench: the server did not start" >&2; exit 1; }
  token="$(curl -sS -X POST "$url/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"bench\",\"password\":\"$password\"}" | jq -r .access_token)"
}
