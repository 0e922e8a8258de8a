#!/usr/bin/env bash
# Benchmark: `podctl pod validate` of 1,000 definitions in one call, as a whole process.
# Target (issue 3): under 150 ms on the project's 2-core machine.
#
# Usage: benches/validate.sh            (builds the release binary; uses hyperfine when installed)
# The 1,000 files are copies of tests/fixtures/pod-examples/ and examples/ with distinct ids.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release --quiet
bin="$root/target/release/podctl"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" "$root" <<'PY'
import glob, json, os, sys
work, root = sys.argv[1], sys.argv[2]
sources = sorted(glob.glob(os.path.join(root, "examples", "*.json")) +
                 glob.glob(os.path.join(root, "tests", "fixtures", "pod-examples", "*.json")))
pods = [json.load(open(p)) for p in sources]
for i in range(1000):
    pod = dict(pods[i % len(pods)])
    pod["id"] = f"/bench/pod-{i}"
    with open(os.path.join(work, f"pod-{i:04}.json"), "w") as f:
        json.dump(pod, f, indent=2)
PY
echo "1,000 definitions, $(du -sh "$work" | cut -f1) in all"

files=$(echo "$work"/pod-*.json)
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 3 --runs 30 -N -n "podctl pod validate (1,000 files)" "$bin pod validate -q $files" \
    --export-markdown "$work/result.md" >/dev/null
  cat "$work/result.md"
else
  runs=30
  total=0
  for _ in $(seq $runs); do
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    "$bin" pod validate -q $files
    end=$(date +%s%N)
    total=$((total + end - start))
  done
  echo "mean over $runs runs: $((total / runs / 1000000)) ms (install hyperfine for medians and spread)"
fi
