#!/usr/bin/env bash
# Runs every test against one build directory: unit tests (ctest), then the integration suite
# with one worker and with several. Exits non-zero if any part failed, after running all parts.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
status=0

echo "== formatting (clang-format) =="
scripts/check-format.sh || status=1

echo "== unit tests (ctest) =="
(cd "$build" && ctest --output-on-failure -j "$(nproc)") || status=1

for workers in 1 4; do
  echo "== integration tests (node --test, ${workers} worker(s)) =="
  SOCKUDO_TEST_WORKERS=$workers scripts/run-integration.sh "$build/sockudo" || status=1
done
# App stores against throwaway SQLite, PostgreSQL and MariaDB servers: once, not per worker count.
echo "== integration tests (app stores: sqlite, postgres, mysql) =="
SOCKUDO_TEST_FILTER=apps/ scripts/run-integration.sh "$build/sockudo" || status=1

# Several nodes per test on real brokers (redis-server, nats-server): run once.
echo "== cluster integration tests (node --test) =="
SOCKUDO_TEST_FILTER=cluster/ scripts/run-integration.sh "$build/sockudo" || status=1
exit $status
