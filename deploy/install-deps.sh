#!/usr/bin/env bash
# Installs everything Jikji needs to build, test and run, from Debian
# bookworm packages only. Idempotent: packages already present are left as
# they are, and apt-get update runs only when a package is missing.
# Usage: sudo deploy/install-deps.sh   (as root: no sudo needed)
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config git python3 python3-yaml
  # libraries
  libcurl4-openssl-dev libgumbo-dev librocksdb-dev libboost-dev
  libspdlog-dev libfmt-dev libicu-dev libcli11-dev libtomlplusplus-dev
  nlohmann-json3-dev libxxhash-dev libhiredis-dev libxml2-dev zlib1g-dev
  libzstd-dev libdeflate-dev libbrotli-dev libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev nginx-light openssl
  # extraction benchmark peer (bench/extract-bench.sh)
  python3-readability
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
