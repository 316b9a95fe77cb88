#!/usr/bin/env bash
# The Debian package, as an operator gets it (issue 17): builds it with
# scripts/package, checks what it holds and declares, installs it on this
# machine (CI runs as root on a throwaway machine; apt-get resolves its
# Depends and waits for the dpkg lock), runs `systemd-analyze verify` on the
# installed unit, the installed `blender-bus --version`, starts the installed
# server as the package's user with the installed config and asks /health,
# then purges the package again. Last line: "package: N checks, N failed".
#
# The service itself is not started through systemd: CI machines (and this
# one) do not run systemd as PID 1. Its sandbox is checked by verify only.
set -uo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
cd "$BB_ROOT"

checks=0
failed=0
# check DESCRIPTION COMMAND...: one assertion; prints ok/FAILED with the output on failure.
check() {
  local what="$1" out
  shift
  checks=$((checks + 1))
  if out="$("$@" 2>&1)"; then
    printf 'ok       %s\n' "$what"
  else
    failed=$((failed + 1))
    printf 'FAILED   %s\n%s\n' "$what" "$out" | sed '2,$s/^/         /'
  fi
}
finish() {
  printf 'package: %d checks, %d failed\n' "$checks" "$failed"
  [ "$failed" -eq 0 ]
  exit
}

if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "tests/package: installing a package needs root (or sudo)" >&2
  failed=1
  finish
fi
bb_apt_ensure systemd curl

deb="$(scripts/package)" || { echo "scripts/package failed" >&2; failed=1; finish; }
check "scripts/package built build/blender-bus_<version>_<arch>.deb" \
  test -f "$deb" -a "$(basename "$deb")" = "blender-bus_$(build/blender-bus --version | cut -d' ' -f2)_$(dpkg --print-architecture).deb"

contents="$(dpkg-deb -c "$deb" | awk '{print $6}')"
for path in ./usr/bin/blender-bus ./lib/systemd/system/blender-bus.service \
  ./etc/blender-bus/blender-bus.conf ./usr/share/blender-bus/blender_bus_addon.zip \
  ./usr/share/blender-bus/blender_bus/worker.py; do
  check "the package holds ${path#.}" grep -qx -- "$path" <<<"$contents"
done
check "the config file is a conffile" \
  bash -c '[ "$(dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles)" = /etc/blender-bus/blender-bus.conf ]' _ "$deb"
depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libc6 libsodium23 libsqlite3-0 libjwt0 libssl3 adduser; do
  check "Depends names $lib (dpkg-shlibdeps)" grep -q "\\b$lib\\b" <<<"$depends"
done
zip="$(mktemp --suffix=.zip)"
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/blender-bus/blender_bus_addon.zip >"$zip"
check "the add-on zip installs as blender_bus (its __init__.py with bl_info at the top)" \
  python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
assert "blender_bus/__init__.py" in names, names
assert all(n.startswith("blender_bus/") and n.count("/") == 1 for n in names), names
assert b"bl_info" in z.read("blender_bus/__init__.py")
assert not any("tests" in n for n in names), names' "$zip"
rm -f "$zip"

purge() { bb_as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q blender-bus >/dev/null 2>&1; }
trap purge EXIT
check "apt-get installs it" bb_as_root env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q -o DPkg::Lock::Timeout=300 "$deb"
check "dpkg knows it as installed" bb_pkg_installed blender-bus
check "the postinst created the system user blender-bus" getent passwd blender-bus
# verify exits 0 over unknown keys and bad values (it only warns): any output fails.
check "systemd-analyze verify accepts the unit without a warning" bash -c \
  'out="$(systemd-analyze verify "$1" 2>&1)"; status=$?; printf "%s" "$out"; [ "$status" -eq 0 ] && [ -z "$out" ]' \
  _ /lib/systemd/system/blender-bus.service
check "the installed blender-bus --version names the version and the git revision" \
  bash -c '[[ "$(/usr/bin/blender-bus --version)" =~ ^blender-bus\ [0-9.]+\ \(git\ [^\)]+\)$ ]] && [ "$(/usr/bin/blender-bus --version)" = "$(build/blender-bus --version)" ]'

# The installed server, as the service runs it (its user, its config), on a
# free port and a scratch data directory instead of the real ones.
data="$(mktemp -d)"
chown blender-bus:blender-bus "$data"
log="$data.log"
# setpriv execs the server itself (runuser would stay as its parent).
setpriv --reuid=blender-bus --regid=blender-bus --clear-groups -- /usr/bin/blender-bus serve --config /etc/blender-bus/blender-bus.conf \
  --port 0 --data-dir "$data/state" >"$log" 2>&1 &
server=$!
url=""
for _ in $(seq 300); do
  url="$(sed -n 's/^blender-bus listening on \(http:[^ ]*\)$/\1/p' "$log")"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
check "the installed server starts with the installed config" test -n "$url"
if [ -n "$url" ]; then
  check "GET /health answers healthy" \
    bash -c '[ "$(curl -sf "$1/health")" = "{\"status\":\"healthy\",\"buses\":0,\"clients\":0}" ]' _ "$url"
  check "it wrote its data as the blender-bus user" \
    bash -c '[ "$(stat -c %U "$1/state/blender-bus.db")" = blender-bus ]' _ "$data"
fi
kill -TERM "$server" 2>/dev/null
wait "$server"
check "SIGTERM stops it cleanly (exit 0)" test "$?" -eq 0
[ "$failed" -eq 0 ] || cat "$log"
rm -rf "$data" "$log"

trap - EXIT
check "apt-get purge removes it" purge
check "nothing of it is left in /usr/bin" test ! -e /usr/bin/blender-bus
finish
