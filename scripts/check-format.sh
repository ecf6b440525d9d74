#!/usr/bin/env bash
# Fails when a C++ file in the repository differs from what clang-format (.clang-format) makes
# of it, and names the files; `make format` rewrites them.
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'bench/*.hpp')
unformatted=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if ((${#unformatted[@]})); then
  echo "check-format: not formatted (run make format): ${unformatted[*]}"
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
