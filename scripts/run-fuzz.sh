#!/usr/bin/env bash
# Short libFuzzer runs over every fuzz target: scripts/run-fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1; seconds=${2:-30}
for bin in "$build"/tests/fuzz/fuzz_*; do
  name=$(basename "$bin"); short=${name#fuzz_}
  corpus=tests/fuzz/corpus/$short
  mkdir -p "$corpus"
  work=$(mktemp -d)
  echo "== $name (${seconds}s) =="
  "$bin" -max_total_time="$seconds" -max_len=70000 "$work" "$corpus"
  rm -rf "$work"
done
