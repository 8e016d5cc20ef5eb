#!/usr/bin/env bash
# Runs every benchmark of tests/ImageVolumeCache.Benchmarks and prints the figures as markdown tables, for the README's
# Performance section. Run from anywhere, on a quiet machine:
#
#   eng/run-benchmarks.sh            # full BenchmarkDotNet jobs, Cinder's peer at 1k/10k/100k, e2e with a 1 GiB image
#                                    # (about 30 minutes on 2 cores)
#   eng/run-benchmarks.sh --short    # BenchmarkDotNet's short job, peer at 1k/10k with a 3 s budget, e2e with 256 MiB
#                                    # (a few minutes)
#
# Everything it writes goes under artifacts/bench/ (ignored by git): BenchmarkDotNet's reports in bdn/, Cinder's figures
# in cinder.json, e2e's medians in e2e.json, and the whole output in run.log; then it draws SVG charts of the figures
# into docs/benchmarks/ (the README shows them). The peer needs python3-cinder (apt-get install -y python3-cinder)
# and ../shared/peer/cinder_bench.py beside the repository; without them that part fails and the rest still prints.
# The end-to-end run (e2e) times the file-system backend in the temporary directory and, when IMAGEVOLUMECACHE_REFLINK_DIR
# names one, in a reflink-capable directory; when it is unset and the script runs as root, it makes one for the run with
# eng/reflink-dir.sh (an 8 GiB XFS image, reflink=1, loop-mounted on artifacts/bench/reflink) and removes it at the end.
# With qemu-img on the PATH (Debian's qemu-utils), e2e also times the image as qcow2 (--image-format qcow2).
# The PostgreSQL store's benchmarks (*PostgreSql*) run on the server IMAGEVOLUMECACHE_POSTGRES names; when it is unset,
# the script starts a throw-away one with eng/postgres.sh (Debian's postgresql package, installed when missing) and stops
# it at the end; when none can be started, the other micro-benchmarks still run.
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
e2e=(--image-size-mb 1024)
if $short; then
  job=(--job short)
  peer=(--sizes 1000,10000 --budget 3)
  e2e=(--image-size-mb 256)
fi

source eng/reflink-dir.sh
source eng/postgres.sh
reflink_image="$out/reflink.img"
reflink_dir="$out/reflink"
reflink_made=false
postgres_state="$out/postgres.state"
postgres_made=false
cleanup() {
  if $reflink_made; then
    reflink_dir_unmount "$reflink_image" "$reflink_dir"
  fi
  if $postgres_made; then
    postgres_stop "$postgres_state"
  fi
}
trap cleanup EXIT

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPU(s): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), .NET SDK $(dotnet --version)"

dotnet build "$project" -c Release
run() { dotnet run -c Release --no-build --project "$project" -- "$@"; }

# The micro-benchmarks: hit-path overhead and entry-store operations, the PostgreSQL store's on a server of its own
# unless IMAGEVOLUMECACHE_POSTGRES names one. BenchmarkDotNet prints each table as it ends.
micro=('*HitPath*' '*InMemory*' '*Sqlite*' '*PostgreSql*')
if [[ -z "${IMAGEVOLUMECACHE_POSTGRES:-}" ]]; then
  postgres_stop "$postgres_state"
  if postgres_start "$postgres_state"; then
    postgres_made=true
    export IMAGEVOLUMECACHE_POSTGRES="$POSTGRES_CONNECTION_STRING"
  else
    echo "(no PostgreSQL server: the PostgreSQL store's benchmarks are left out)"
    micro=('*HitPath*' '*InMemory*' '*Sqlite*')
  fi
fi
run --filter "${micro[@]}" "${job[@]}" --exporters json github --artifacts "$out/bdn" > "$out/micro.log"
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
echo "## Cluster herd"
echo
if [[ -n "${IMAGEVOLUMECACHE_POSTGRES:-}" ]]; then
  run cluster-herd || echo "(the cluster herd failed; see above)"
else
  echo "(no PostgreSQL server: the cluster herd is left out)"
fi

echo
echo "## Hits per second by concurrency"
echo
run hits || echo "(the hits benchmark failed; see above)"

echo
echo "## Peer: OpenStack Cinder's bookkeeping next to the entry stores"
echo
run peer "${peer[@]}" --results "$out/bdn/results" --json "$out/cinder.json" || echo "(the peer benchmark could not run; see above)"

echo
echo "## End to end: file-system backend"
echo
if command -v qemu-img >/dev/null 2>&1; then
  e2e+=(--image-format qcow2)
else
  echo "(no qemu-img: e2e times the raw image only; apt-get install -y qemu-utils for the qcow2 table)"
fi
if [[ -z "${IMAGEVOLUMECACHE_REFLINK_DIR:-}" && $(id -u) -eq 0 ]]; then
  # The raw and qcow2 images, their cache volumes, the scratch download and the no-cache volume are separate data (up to
  # 6 GiB for a 1 GiB image); clones share blocks.
  free_kb=$(df -Pk "$out" | awk 'NR == 2 {print $4}')
  if (( free_kb < 9 * 1024 * 1024 )); then
    echo "(no reflink directory: less than 9 GiB free for its 8 GiB image in $out)"
  else
    reflink_made=true
    problem=$(reflink_dir_prepare "$reflink_image" "$reflink_dir" 8G)
    if [[ -z "$problem" ]] && mountpoint -q "$reflink_dir"; then
      export IMAGEVOLUMECACHE_REFLINK_DIR="$reflink_dir"
    else
      echo "(no reflink directory: ${problem:-unknown reason}; e2e runs on the plain file system only)"
    fi
  fi
fi
run e2e "${e2e[@]}" --json "$out/e2e.json" || echo "(the end-to-end benchmark failed; see above)"

echo
echo "## Charts"
echo
# SVG charts of this run's figures, for the README (docs/benchmarks/).
run charts --results "$out/bdn/results" --cinder "$out/cinder.json" --e2e "$out/e2e.json" --out docs/benchmarks \
  --caption "$(date -u +%Y-%m-%d), eng/run-benchmarks.sh$($short && echo " --short")" || echo "(the charts could not be drawn; see above)"
