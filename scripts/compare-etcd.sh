#!/usr/bin/env bash
# Commit throughput of etcd's raft (3.4, Go) and of RaftVerify's core on the same work, in one run
# on this machine, with the ratio. See docs/benchmarks.md ("Against etcd").
#
#   bash scripts/compare-etcd.sh            # BenchmarkDotNet default job; etcd 6 x 2 s per variant (3 before ours, 3 after)
#   BENCH_JOB=short bash scripts/compare-etcd.sh   # quicker, noisier
#   KEEP_OUTPUT=dir bash scripts/compare-etcd.sh    # also keep both raw outputs in dir
#
# etcd's side: scripts/etcd-bench/commit_test.go, built in GOPATH mode against the etcd source that
# Debian's golang-etcd-server-dev installs under /usr/share/gocode (no network, no module download).
# Go and that source are installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/go-etcd.sh
ETCD_COUNT=${ETCD_COUNT:-6}
ETCD_BENCHTIME=${ETCD_BENCHTIME:-2s}
BENCH_JOB=${BENCH_JOB:-}

ensure_go_and_etcd
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to print the table" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/gopath/src/etcdbench"
cp scripts/etcd-bench/commit_test.go "$WORK/gopath/src/etcdbench/"

etcd_version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*= "\(.*\)"/\1/p' "$GOSRC/src/go.etcd.io/etcd/version/version.go" | head -1)
run_etcd() { # $1 = how many runs per variant
  ( cd "$WORK/gopath/src/etcdbench" &&
    GO111MODULE=off GOPATH="$WORK/gopath:$GOSRC" GOFLAGS= GOPROXY=off GOCACHE="$WORK/gocache" \
    go test -run '^$' -bench 'Commit' -benchtime "$ETCD_BENCHTIME" -count "$1" ) | tee -a "$WORK/etcd.txt" >&2
}
# etcd runs before and after ours, so that a change in the machine's load during the run weighs on both sides
before=$(( (ETCD_COUNT + 1) / 2 )); after=$(( ETCD_COUNT - before ))
echo "== etcd raft ${etcd_version:-?} ($(go version | awk '{print $3}')): Commit{3,5}Nodes, batch 1 and 64 in one proposal, ${before} x ${ETCD_BENCHTIME}" >&2
run_etcd "$before"

echo "== RaftVerify: CommitBenchmarks (BenchmarkDotNet${BENCH_JOB:+, job $BENCH_JOB})" >&2
job_args=()
[ -n "$BENCH_JOB" ] && job_args=(--job "$BENCH_JOB")
dotnet run -c Release --project Raft.Bench -- --filter '*CommitBenchmarks*' "${job_args[@]}" \
  --artifacts "$WORK/bdn" | tee "$WORK/ours.txt" >&2

if [ "$after" -gt 0 ]; then
  echo "== etcd raft again: ${after} x ${ETCD_BENCHTIME}" >&2
  run_etcd "$after"
fi
[ -n "${KEEP_OUTPUT:-}" ] && cp "$WORK/etcd.txt" "$WORK/ours.txt" "$KEEP_OUTPUT"/

python3 "$ROOT/scripts/etcd-bench/table.py" "$WORK/etcd.txt" "$WORK/ours.txt" "${etcd_version:-3.4}" "$(uptime | sed 's/.*load average: //')"
