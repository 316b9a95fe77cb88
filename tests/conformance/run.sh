#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance,
# pinned in package-lock.json) in server mode against `blender-bus serve
# --auth none` on a free loopback port, with Node 22 from the npm package
# node@22. Every scenario of the suite's "active" set runs; the outcome is
# compared with expected-failures.yml beside this file: a failure not listed
# there, or a listed scenario that now passes, fails the run.
#
#   tests/conformance/run.sh                       all active scenarios
#   tests/conformance/run.sh --scenario ping       one scenario (no baseline)
#
# BLENDER_BUS_BIN picks the binary (default build/blender-bus). Per-scenario
# checks land in tests/conformance/results/ (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"
cd "$BB_ROOT"

bin="${BLENDER_BUS_BIN:-$BB_ROOT/build/blender-bus}"
baseline="$here/expected-failures.yml"
# Scenarios issue 2 requires to pass: they must never be in the baseline.
required=(server-initialize ping logging-set-level tools-list server-sse-multiple-streams dns-rebinding-protection)

[ -x "$bin" ] || { echo "conformance: no server binary at $bin (run scripts/build)" >&2; exit 1; }
for s in "${required[@]}"; do
  if grep -Eq "^[[:space:]]*-[[:space:]]*$s([[:space:]]|#|$)" "$baseline"; then
    echo "conformance: required scenario '$s' must not be listed in $baseline" >&2
    exit 1
  fi
done

bb_npm_ensure
node22="$(bb_node22)"
"$node22" --version >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/blender-bus-conformance.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --host 127.0.0.1 --port 0 --data-dir "$work/data" --auth none \
  >"$work/stdout" 2>"$work/stderr" &
server_pid=$!

# Wait (up to 30 s) for the one "blender-bus listening on http://HOST:PORT" line.
base=""
for _ in $(seq 300); do
  base="$(sed -n 's/^blender-bus listening on \(http:\/\/[^[:space:]]*\)[[:space:]]*$/\1/p' "$work/stdout" | head -n1)"
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "conformance: the server did not start; its stderr:" >&2
  cat "$work/stderr" >&2
  exit 1
fi
echo "conformance: server at $base (pid $server_pid), Node $("$node22" --version)"

mkdir -p "$here/results"
status=0
if [ "$#" -gt 0 ]; then
  "$node22" node_modules/@modelcontextprotocol/conformance/dist/index.js server \
    --url "$base/mcp" -o "$here/results" "$@" || status=$?
else
  # The suite's own "Total: N passed, N failed" counts checks of expected
  # failures as failed; it is reworded so that nothing reads it as this run's
  # verdict, which is the baseline check printed after it (and the exit code).
  "$node22" node_modules/@modelcontextprotocol/conformance/dist/index.js server \
    --url "$base/mcp" --suite active --expected-failures "$baseline" -o "$here/results" \
    | sed -u 's/^Total: \(.*\)$/conformance checks, expected failures included: \1/' || status=$?
fi

# The server must still be alive, then stop cleanly on SIGTERM.
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "conformance: the server died during the run; its stderr:" >&2
  tail -n 100 "$work/stderr" >&2
  status=1
else
  kill -TERM "$server_pid"
  code=0
  wait "$server_pid" || code=$?
  server_pid=""
  if [ "$code" -ne 0 ]; then
    echo "conformance: the server exited $code on SIGTERM (want 0); stderr tail:" >&2
    tail -n 50 "$work/stderr" >&2
    status=1
  fi
fi
if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/stderr"; then
  echo "conformance: sanitizer report on the server's stderr:" >&2
  cat "$work/stderr" >&2
  status=1
fi
exit "$status"
