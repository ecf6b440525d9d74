#!/usr/bin/env bash
# Runs the node --test integration suite against the given binary.
set -uo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-build/sockudo}")
export SOCKUDO_BINARY="$binary"
cd tests/integration
exec node --test --test-concurrency=1 --test-timeout=120000 ${SOCKUDO_TEST_FILTER:-test/}
