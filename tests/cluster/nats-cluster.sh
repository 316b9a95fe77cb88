#!/usr/bin/env bash
# Loopback nats-server processes with JetStream, for tests and benchmarks. The
# one definition of a test deployment: the C++ unit tests (tests/unit/nats),
# the Node harness (tests/integration/nats-harness.mjs) and bench/ run this.
#
#   nats-cluster.sh start DIR [N]     N servers n1..nN (default 1). N=1: one
#                                     standalone server; N>=2: one JetStream cluster
#   nats-cluster.sh urls DIR          the client URLs, comma separated
#   nats-cluster.sh kill DIR NAME     kill -9 one server (a crash; its store stays)
#   nats-cluster.sh term DIR NAME     SIGTERM one server (graceful: hands leadership over)
#   nats-cluster.sh restart DIR NAME  start a stopped server again, same ports and store
#   nats-cluster.sh pid DIR NAME      the process id of a running server
#   nats-cluster.sh stop DIR          stop every server of DIR (SIGTERM, -9 after 5 s)
#
# DIR (created if missing) holds `urls`, `names` and a folder per server with
# its store, log and ports. Client and monitoring ports are chosen by
# nats-server (port -1, read back from its ports file), so they never collide.
# Route ports must be known before the servers start: they are drawn from
# 20000-32767 (below Linux's ephemeral range, where port-0 listeners live) and
# checked free; a start that still loses one to a race is retried.
# `start` and `restart` return once every server started answers /healthz
# with "ok": listening, with a JetStream meta leader, and current with its
# assets. A `start` that fails, or is ended by a signal (a caller's timeout),
# kills the servers it launched. With NATS_CLUSTER_OWNER=PID, a watchdog
# (started before the first server) stops the servers when that process
# ends and removes DIR, so a test that crashes or is killed leaves nothing
# behind.
#
# Environment: NATS_SERVER (default: nats-server on PATH, else /usr/sbin/nats-server),
# NATS_CLUSTER_TIMEOUT (seconds to wait for readiness, default 60).
set -euo pipefail

die() {
  echo "nats-cluster.sh: $*" >&2
  exit 1
}

server_bin() {
  if [ -n "${NATS_SERVER:-}" ]; then
    echo "$NATS_SERVER"
  elif command -v nats-server >/dev/null 2>&1; then
    command -v nats-server
  elif [ -x /usr/sbin/nats-server ]; then
    echo /usr/sbin/nats-server
  else
    die "nats-server is not installed (apt-get install nats-server)"
  fi
}

timeout_s="${NATS_CLUSTER_TIMEOUT:-60}"

# http_get PORT PATH: the body of a plain HTTP/1.0 GET on loopback (bash's
# /dev/tcp, so that no curl is needed).
http_get() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    cat <&3
  ) 2>/dev/null
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pick_ports N: N distinct free ports in 20000-32767, one a line.
pick_ports() {
  local n="$1" picked=() p tries=0
  while [ "${#picked[@]}" -lt "$n" ]; do
    tries=$((tries + 1))
    [ "$tries" -le 1000 ] || die "no free route port found"
    p=$((20000 + RANDOM % 12768))
    case " ${picked[*]} " in *" $p "*) continue ;; esac
    port_in_use "$p" && continue
    picked+=("$p")
  done
  printf '%s\n' "${picked[@]}"
}

# alive PID: the process exists and is not a zombie (a killed server's
# parent may be slow to reap it; its ports are free once it is a zombie).
alive() {
  local state
  state="$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ]
}

is_running() { # PIDFILE
  [ -f "$1" ] && alive "$(cat "$1")"
}

# launch DIR NAME: starts server NAME with the ports and routes recorded in
# DIR/NAME (client/monitor "-1" the first time).
launch() {
  local dir="$1" name="$2" d="$1/$2"
  local client monitor
  client="$(cat "$d/client_port")"
  monitor="$(cat "$d/monitor_port")"
  local args=(-js -sd "$d/store" -n "$name" -a 127.0.0.1 -p "$client" -m "$monitor"
    --ports_file_dir "$d" -l "$d/log")
  if [ -f "$d/route_port" ]; then
    args+=(--cluster_name "$(cat "$dir/cluster_name")"
      --cluster "nats://127.0.0.1:$(cat "$d/route_port")" --routes "$(cat "$dir/routes")")
  fi
  rm -f "$d"/*.ports
  mkdir -p "$d/store"
  "$(server_bin)" "${args[@]}" </dev/null >>"$d/stdout" 2>&1 &
  echo $! >"$d/pid"
}

# ports_of DIR NAME: once the server listens, records its client and
# monitoring ports (from its ports file). Fails when the process died.
await_ports() {
  local d="$1/$2" deadline=$((SECONDS + timeout_s)) file
  while [ "$SECONDS" -lt "$deadline" ]; do
    is_running "$d/pid" || return 1
    file="$(ls "$d"/*.ports 2>/dev/null | head -n 1 || true)"
    if [ -n "$file" ] && [ -s "$file" ]; then
      local json
      json="$(cat "$file")"
      sed -E 's/.*"nats":\["nats:\/\/[^:]+:([0-9]+)".*/\1/' <<<"$json" >"$d/client_port"
      sed -E 's/.*"monitoring":\["http:\/\/[^:]+:([0-9]+)".*/\1/' <<<"$json" >"$d/monitor_port"
      return 0
    fi
    sleep 0.05
  done
  die "$2 did not start listening within ${timeout_s}s (log: $d/log)"
}

await_healthy() { # DIR NAME
  local d="$1/$2" deadline=$((SECONDS + timeout_s)) body=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    is_running "$d/pid" || die "$2 exited (log: $d/log)"
    body="$(http_get "$(cat "$d/monitor_port")" /healthz || true)"
    case "$body" in *'"status":"ok"'* | *'"status": "ok"'*) return 0 ;; esac
    sleep 0.1
  done
  die "$2 not healthy within ${timeout_s}s: ${body##*$'\r\n\r\n'} (log: $d/log)"
}

write_urls() { # DIR
  local dir="$1" urls=() name
  for name in $(cat "$dir/names"); do
    urls+=("nats://127.0.0.1:$(cat "$dir/$name/client_port")")
  done
  (IFS=,; echo "${urls[*]}") >"$dir/urls"
}

start_watchdog() { # DIR
  local dir="$1" owner="${NATS_CLUSTER_OWNER:-}"
  [ -n "$owner" ] || return 0
  local self
  self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
  (
    while alive "$owner" && [ -f "$dir/names" ]; do sleep 1; done
    # The owner died with its servers running: nobody else will remove DIR.
    [ -f "$dir/names" ] && "$self" stop "$dir" && rm -rf "$dir"
  ) </dev/null >/dev/null 2>&1 &
}

stop_one() { # DIR NAME SIGNAL
  local d="$1/$2"
  is_running "$d/pid" || return 0
  local pid
  pid="$(cat "$d/pid")"
  kill "-$3" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 5))
  while alive "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.02
  done
}

# The EXIT trap of a start: unless it succeeded, kills what it launched.
start_cleanup() { # DIR
  [ "$start_done" = 1 ] && return 0
  local name
  for name in $(cat "$1/names" 2>/dev/null); do stop_one "$1" "$name" KILL; done
  rm -f "$1/names"
}

cmd_start() {
  local dir="$1" n="${2:-1}"
  [[ "$n" =~ ^[1-9]$ ]] || die "N must be 1..9, not '$n'"
  mkdir -p "$dir"
  [ ! -f "$dir/names" ] || die "$dir already holds servers (stop them first)"
  local names=() i
  for i in $(seq 1 "$n"); do names+=("n$i"); done
  # `names` first: the watchdog and the cleanup find the servers by it.
  echo "${names[*]}" >"$dir/names"
  start_watchdog "$dir"
  start_done=0
  trap 'start_cleanup "$dir"' EXIT
  trap 'exit 1' INT TERM HUP
  local attempt
  for attempt in 1 2 3 4 5; do
    local name
    for name in "${names[@]}"; do
      rm -rf "${dir:?}/$name"
      mkdir -p "$dir/$name"
      echo -1 >"$dir/$name/client_port"
      echo -1 >"$dir/$name/monitor_port"
    done
    if [ "$n" -ge 2 ]; then
      echo "bbtest-$$-$RANDOM" >"$dir/cluster_name"
      local ports=() routes=()
      mapfile -t ports < <(pick_ports "$n")
      for i in $(seq 0 $((n - 1))); do
        echo "${ports[$i]}" >"$dir/${names[$i]}/route_port"
        routes+=("nats://127.0.0.1:${ports[$i]}")
      done
      (IFS=,; echo "${routes[*]}") >"$dir/routes"
    fi
    for name in "${names[@]}"; do launch "$dir" "$name"; done
    local ok=1
    for name in "${names[@]}"; do
      await_ports "$dir" "$name" || { ok=0; break; }
    done
    if [ "$ok" = 1 ]; then
      write_urls "$dir"
      for name in "${names[@]}"; do await_healthy "$dir" "$name"; done
      start_done=1
      trap - EXIT INT TERM HUP
      return 0
    fi
    # A server died at start: a route port taken in the meantime is retried
    # with fresh ports; anything else is reported.
    for name in "${names[@]}"; do stop_one "$dir" "$name" KILL; done
    if ! grep -qs "address already in use" "$dir"/n*/log; then
      tail -n 20 "$dir"/n*/log >&2 || true
      die "a server exited at start"
    fi
  done
  die "could not start after 5 attempts (ports kept being taken)"
}

require_server() { # DIR NAME
  [ -f "$1/names" ] || die "$1 holds no servers"
  case " $(cat "$1/names") " in *" $2 "*) ;; *) die "no server '$2' in $1" ;; esac
}

cmd="${1:-}"
[ -n "$cmd" ] || die "usage: nats-cluster.sh start|urls|kill|term|restart|pid|stop DIR [ARG]"
dir="${2:-}"
[ -n "$dir" ] || die "usage: nats-cluster.sh $cmd DIR"
case "$cmd" in
  start) cmd_start "$dir" "${3:-1}" ;;
  urls) cat "$dir/urls" ;;
  kill)
    require_server "$dir" "${3:-}"
    stop_one "$dir" "$3" KILL
    ;;
  term)
    require_server "$dir" "${3:-}"
    stop_one "$dir" "$3" TERM
    ;;
  restart)
    require_server "$dir" "${3:-}"
    is_running "$dir/$3/pid" && die "$3 is running"
    launch "$dir" "$3"
    await_ports "$dir" "$3" || die "$3 exited at restart (log: $dir/$3/log)"
    await_healthy "$dir" "$3"
    ;;
  pid)
    require_server "$dir" "${3:-}"
    is_running "$dir/$3/pid" || die "$3 is not running"
    cat "$dir/$3/pid"
    ;;
  stop)
    [ -f "$dir/names" ] || exit 0
    for name in $(cat "$dir/names"); do stop_one "$dir" "$name" TERM; done
    rm -f "$dir/names"
    ;;
  *) die "unknown command '$cmd'" ;;
esac
