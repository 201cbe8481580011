#!/usr/bin/env bash
# Checks deploy/jikji.service with `systemd-analyze verify`.
# Usage: verify-systemd-unit.sh UNIT_FILE
# Exit 0: clean; 1: verify complained; 77: skipped (no systemd-analyze).
#
# verify needs the unit's ExecStart/ExecReload binaries and the units it
# depends on to exist, so it runs against a scratch root (--root): the
# system's unit directory copied in, and dummy executables at the paths the
# unit names. verify exits 0 even for unknown keys or bad values (it prints
# a warning and ignores them), so any output counts as a failure.
set -euo pipefail
unit=${1:?usage: verify-systemd-unit.sh UNIT_FILE}
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "SKIP: systemd-analyze not found (apt-get install systemd to run this check)"
  exit 77
fi
sysunits=""
for d in /usr/lib/systemd/system /lib/systemd/system; do
  if [ -d "$d" ]; then sysunits=$d; break; fi
done
if [ -z "$sysunits" ]; then
  echo "SKIP: no system unit directory to build the scratch root from"
  exit 77
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -r "$sysunits" "$root/usr/lib/systemd/system"
name=$(basename "$unit")

# Dummy executables for every absolute program path in Exec*= lines.
grep -E '^Exec[A-Za-z]*=' "$unit" | sed -E 's/^[^=]+=[-@:+!]*//' | awk '{print $1}' | sort -u |
  while read -r exe; do
    case "$exe" in /*) ;; *) continue ;; esac
    mkdir -p "$root$(dirname "$exe")"
    printf '#!/bin/sh\nexit 0\n' > "$root$exe"
    chmod 0755 "$root$exe"
  done

check() {  # check FILE -> prints verify's output, returns 0 when clean
  cp "$1" "$root/etc/systemd/system/$name"
  local out rc=0
  out=$(systemd-analyze verify --root="$root" "$name" 2>&1) || rc=$?
  printf '%s' "$out"
  [ "$rc" -eq 0 ] && [ -z "$out" ]
}

# Self-check: a unit with a misspelt key must be caught, or this test
# proves nothing.
sed 's/^NoNewPrivileges=/NoNewPrivilegez=/' "$unit" > "$root/broken.service"
if check "$root/broken.service" >/dev/null; then
  echo "FAIL: systemd-analyze verify did not flag a misspelt key; the check cannot be trusted"
  exit 1
fi

if out=$(check "$unit"); then
  echo "OK: $unit passes systemd-analyze verify"
else
  echo "FAIL: systemd-analyze verify on $unit:"
  echo "$out"
  exit 1
fi
