# Shared helpers for scripts/*. Source it; it defines functions only.
# shellcheck shell=bash

# The repository root (the folder that holds scripts/).
BB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bb_log() { printf '==> %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, otherwise through sudo.
bb_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    bb_log "need root for: $*  (not root, and no sudo)"
    return 1
  fi
}

# True when a Debian package is installed.
bb_pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Installs those of the named Debian packages that are missing. Runs
# `apt-get update` once, and only when something has to be installed.
bb_apt_ensure() {
  local missing=() p
  for p in "$@"; do
    bb_pkg_installed "$p" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  bb_log "installing: ${missing[*]}"
  if [ -z "${BB_APT_UPDATED:-}" ]; then
    bb_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    BB_APT_UPDATED=1
  fi
  bb_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

# Like bb_apt_ensure for one optional package: installs it when the archive
# has it, and says nothing is wrong when it does not.
bb_apt_optional() {
  bb_pkg_installed "$1" && return 0
  if [ -z "${BB_APT_UPDATED:-}" ]; then
    bb_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 0
    BB_APT_UPDATED=1
  fi
  if apt-cache show "$1" >/dev/null 2>&1; then
    bb_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" || true
  fi
}

# Makes sure `node` and `npm` exist (Debian's nodejs + npm when missing) and
# that node_modules matches package-lock.json (`npm ci`, skipped when the
# lockfile has not changed since the last successful `npm ci`).
bb_npm_ensure() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    bb_apt_ensure nodejs npm || return 1
  fi
  local stamp="$BB_ROOT/node_modules/.bb-lock.sha256" want
  want="$(sha256sum "$BB_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$BB_ROOT/node_modules/node/bin/node" ]; then
    return 0
  fi
  bb_log "npm ci"
  (cd "$BB_ROOT" && npm ci --no-audit --no-fund) || return 1
  echo "$want" >"$stamp"
}

# The Node 22 binary shipped by the npm package `node@22` (the conformance
# suite needs Node >= 22; the machine's own node may be older).
bb_node22() {
  echo "$BB_ROOT/node_modules/node/bin/node"
}
