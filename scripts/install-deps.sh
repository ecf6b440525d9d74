#!/usr/bin/env bash
# Installs what the build and the tests need: Debian packages, and the npm test clients pinned
# in tests/integration/package-lock.json. Idempotent and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libssl-dev liburing-dev libspdlog-dev libfmt-dev libcli11-dev libsimdjson-dev libtomlplusplus-dev
  libcurl4-openssl-dev prometheus-cpp-dev
  libsqlite3-dev libpq-dev libmariadb-dev postgresql mariadb-server sqlite3
  libhiredis-dev libnats-dev redis-server nats-server
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
  nodejs npm procps curl openssl iproute2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # A package may be satisfied by an equivalent already present (e.g. node from elsewhere).
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Test clients: reinstall only when the lock file changed since the last install.
lock=tests/integration/package-lock.json
stamp=tests/integration/node_modules/.installed-lock
if [ ! -f "$stamp" ] || ! cmp -s "$lock" "$stamp"; then
  echo "install-deps: npm ci (integration test clients)"
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)
  cp "$lock" "$stamp"
fi
