#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries a binary
# loads (one per line, sorted): what a runtime image must install.
# Usage: deploy/runtime-deps.sh BINARY
# Works on Debian with merged /usr (a library found as /lib/... may be
# registered by dpkg as /usr/lib/..., and the other way round).
set -euo pipefail
bin=${1:?usage: runtime-deps.sh BINARY}
missing=$(ldd "$bin" | awk '/not found/{print $1}')
if [ -n "$missing" ]; then
  echo "runtime-deps: $bin needs libraries that are not installed: $missing" >&2
  exit 1
fi
ldd "$bin" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r lib; do
  real=$(readlink -f "$lib")
  found=""
  for p in "$lib" "$real" "/usr$lib" "/usr$real" "${lib#/usr}" "${real#/usr}"; do
    if out=$(dpkg -S "$p" 2>/dev/null); then
      found=${out%%:*}
      break
    fi
  done
  if [ -z "$found" ]; then
    echo "runtime-deps: no package owns $lib" >&2
    exit 1
  fi
  echo "$found"
done | sort -u
