#!/usr/bin/env bash
# Runs the official MCP conformance suite in server mode against
# `blender-bus serve --auth none` on a free loopback port, with Node 22 from
# the npm package node@22, twice against the same server:
#   - @modelcontextprotocol/conformance 0.1.16 (the 2025 revisions), every
#     scenario of its "active" set, against expected-failures.yml;
#   - 0.2.0-alpha.12 (npm alias mcp-conformance-next) at
#     `--suite all --spec-version 2026-07-28` (the per-request era; "active"
#     would drop every scenario introduced in 2026-07-28), against
#     expected-failures-2026-07-28.yml.
# Both pinned in package-lock.json. A failure not listed in its baseline, or
# a listed one that now passes, fails the run.
#
#   tests/conformance/run.sh                                  both runs
#   tests/conformance/run.sh --scenario ping                  one 0.1.16 scenario (no baseline)
#   tests/conformance/run.sh --2026 --scenario caching        one 0.2.0-alpha.12 scenario at 2026-07-28
#
# BLENDER_BUS_BIN picks the binary (default build/blender-bus). Per-scenario
# checks land in tests/conformance/results/ and results-2026-07-28/
# (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"
cd "$BB_ROOT"

bin="${BLENDER_BUS_BIN:-$BB_ROOT/build/blender-bus}"
baseline="$here/expected-failures.yml"
baseline_2026="$here/expected-failures-2026-07-28.yml"
suite_2025="node_modules/@modelcontextprotocol/conformance/dist/index.js"
suite_2026="node_modules/mcp-conformance-next/dist/index.js"
# Scenarios issues 2 and 14 require to pass: never in a baseline as a whole
# (server-stateless may list single checks, those that need the suite's
# fixture tools).
required=(server-initialize ping logging-set-level tools-list server-sse-multiple-streams dns-rebinding-protection)
required_2026=(server-stateless caching http-header-validation tools-list resources-list prompts-list
  sep-2164-resource-not-found dns-rebinding-protection server-sse-multiple-streams)

[ -x "$bin" ] || { echo "conformance: no server binary at $bin (run scripts/build)" >&2; exit 1; }
refuse_listed() {  # FILE SCENARIO...
  local file="$1" s
  shift
  for s in "$@"; do
    if grep -Eq "^[[:space:]]*-[[:space:]]*$s([[:space:]]|#|$)" "$file"; then
      echo "conformance: required scenario '$s' must not be listed in $file" >&2
      exit 1
    fi
  done
}
refuse_listed "$baseline" "${required[@]}"
refuse_listed "$baseline_2026" "${required_2026[@]}"

era=2025
if [ "${1:-}" = "--2026" ]; then
  era=2026
  shift
fi

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

# The suite's own "Total: N passed, N failed" counts checks of expected
# failures as failed; it is reworded so that nothing reads it as this run's
# verdict, which is the baseline check printed after it (and the exit code).
run_baselined() {  # LABEL SUITE BASELINE RESULTS ARGS...
  local label="$1" suite="$2" file="$3" results="$4"
  shift 4
  mkdir -p "$results"
  echo "conformance: $label"
  "$node22" "$suite" server --url "$base/mcp" "$@" --expected-failures "$file" -o "$results" \
    | sed -u "s/^Total: \(.*\)$/conformance checks ($label), expected failures included: \1/"
}

status=0
if [ "$#" -gt 0 ]; then
  if [ "$era" = 2026 ]; then
    mkdir -p "$here/results-2026-07-28"
    "$node22" "$suite_2026" server --url "$base/mcp" --spec-version 2026-07-28 \
      -o "$here/results-2026-07-28" "$@" || status=$?
  else
    mkdir -p "$here/results"
    "$node22" "$suite_2025" server --url "$base/mcp" -o "$here/results" "$@" || status=$?
  fi
else
  run_baselined "0.1.16, active" "$suite_2025" "$baseline" "$here/results" --suite active ||
    status=$?
  run_baselined "0.2.0-alpha.12, 2026-07-28" "$suite_2026" "$baseline_2026" \
    "$here/results-2026-07-28" --suite all --spec-version 2026-07-28 || status=$?
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
