#!/usr/bin/env bash
# Runs every benchmark of tests/ImageVolumeCache.Benchmarks and prints the figures as markdown tables, for the README's
# Performance section. Run from anywhere, on a quiet machine:
#
#   eng/run-benchmarks.sh            # full BenchmarkDotNet jobs and Cinder's peer at 1k/10k/100k (about 30 minutes on 2 cores)
#   eng/run-benchmarks.sh --short    # BenchmarkDotNet's short job, peer at 1k/10k with a 3 s budget (a few minutes)
#
# Everything it writes goes under artifacts/bench/ (ignored by git): BenchmarkDotNet's reports in bdn/, Cinder's figures
# in cinder.json, and the whole output in run.log. The peer needs python3-cinder (apt-get install -y python3-cinder)
# and ../shared/peer/cinder_bench.py beside the repository; without them that part fails and the rest still prints.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

short=false
if [[ "${1:-}" == "--short" ]]; then
  short=true
fi

out="$PWD/artifacts/bench"
project=tests/ImageVolumeCache.Benchmarks
rm -rf "$out/bdn"
mkdir -p "$out"
exec > >(tee "$out/run.log") 2>&1

job=()
peer=(--sizes 1000,10000,100000)
if $short; then
  job=(--job short)
  peer=(--sizes 1000,10000 --budget 3)
fi

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPU(s): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), .NET SDK $(dotnet --version)"

dotnet build "$project" -c Release
run() { dotnet run -c Release --no-build --project "$project" -- "$@"; }

# The micro-benchmarks: hit-path overhead and entry-store operations. BenchmarkDotNet prints each table as it ends.
run --filter '*' "${job[@]}" --exporters json github --artifacts "$out/bdn" > "$out/micro.log"
echo
echo "## Micro-benchmarks"
for report in "$out"/bdn/results/*-report-github.md; do
  echo
  echo "### $(basename "$report" -report-github.md | sed 's/^ImageVolumeCache\.Benchmarks\.//')"
  # The environment block is printed once, above; keep the table.
  sed -n '/^| /,$p' "$report"
done

echo
echo "## Herd"
echo
run herd

echo
echo "## Peer: OpenStack Cinder's bookkeeping next to the entry stores"
echo
run peer "${peer[@]}" --results "$out/bdn/results" --json "$out/cinder.json" || echo "(the peer benchmark could not run; see above)"
