#!/usr/bin/env bash
# Commit throughput of etcd's raft (3.4, Go) and of RaftVerify's core on the same work, on this
# machine, with the ratio and how much it moved. See docs/benchmarks.md ("Against etcd").
#
#   bash scripts/compare-etcd.sh                   # 3 rounds: etcd, ours, etcd, ours, etcd, ours
#   ROUNDS=5 bash scripts/compare-etcd.sh          # more rounds
#   BENCH_JOB=short bash scripts/compare-etcd.sh   # BenchmarkDotNet's short job for ours: quicker, noisier
#   KEEP_OUTPUT=dir bash scripts/compare-etcd.sh   # also keep every raw output and the loads in dir
#   python3 scripts/etcd-bench/table.py --compare DIR1 DIR2   # two kept runs side by side: how far apart each ratio is
#
# Each round runs etcd's four variants once (go test -benchtime ETCD_BENCHTIME, default 2s), then
# our CommitBenchmarks (BenchmarkDotNet, default job), so a change in the machine's load during the
# run weighs on both sides alike. Both run on one CPU (taskset -c CPU, default the last one) with
# the same CPU budget: Go with GOMAXPROCS=1 (its garbage collector's workers share that one
# processor), .NET with the workstation, non-concurrent garbage collector (no background GC thread;
# a collection runs on the thread that allocates). The load average (1 minute) is recorded before
# and after every part; the table gives the median over the rounds and the spread of the per-round
# ratios, and says whether the load stayed below QUIET_LOAD (default: the number of CPUs, so that
# the other CPUs were not saturated on average; on an idle 2-core machine, load 0.08 before it
# started, the script's own processes took the 1-minute load to 1.76).
#
# etcd's side: scripts/etcd-bench/commit_test.go, built in GOPATH mode against the etcd source that
# Debian's golang-etcd-server-dev installs under /usr/share/gocode (no network, no module download).
# Go and that source are installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source scripts/lib/go-etcd.sh
ROUNDS=${ROUNDS:-3}
ETCD_BENCHTIME=${ETCD_BENCHTIME:-2s}
BENCH_JOB=${BENCH_JOB:-}
CPU=${CPU:-$(( $(nproc) - 1 ))}
QUIET_LOAD=${QUIET_LOAD:-$(nproc)}
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "compare-etcd.sh: ROUNDS='$ROUNDS': expected a whole number of rounds" >&2; exit 2; }
[[ "$CPU" =~ ^[0-9]+$ && "$CPU" -lt $(nproc) ]] || { echo "compare-etcd.sh: CPU='$CPU': expected a CPU number below $(nproc)" >&2; exit 2; }
[[ "$QUIET_LOAD" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "compare-etcd.sh: QUIET_LOAD='$QUIET_LOAD': expected a number" >&2; exit 2; }

ensure_go_and_etcd
for tool in python3 taskset; do
  command -v "$tool" >/dev/null 2>&1 || { echo "compare-etcd.sh: $tool is needed" >&2; exit 1; }
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/gopath/src/etcdbench" "$WORK/runs"
cp scripts/etcd-bench/commit_test.go "$WORK/gopath/src/etcdbench/"
load() { cut -d' ' -f1 /proc/loadavg; }
pinned() { taskset -c "$CPU" "$@"; }

etcd_version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*= "\(.*\)"/\1/p' "$GOSRC/src/go.etcd.io/etcd/version/version.go" | head -1)
go_env=(GO111MODULE=off GOPATH="$WORK/gopath:$GOSRC" GOFLAGS= GOPROXY=off GOCACHE="$WORK/gocache")
echo "== building etcd's benchmark (etcd raft ${etcd_version:-?}, $(go version | awk '{print $3}'))" >&2
( cd "$WORK/gopath/src/etcdbench" && env "${go_env[@]}" go test -c -o "$WORK/etcdbench.test" ) >&2
echo "== building ours (Raft.Bench, Release)" >&2
dotnet build -c Release Raft.Bench -v q -nologo >&2
job_args=()
[ -n "$BENCH_JOB" ] && job_args=(--job "$BENCH_JOB")

printf 'round\tpart\tload_before\tload_after\n' > "$WORK/runs/loads.tsv"
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round of $ROUNDS: etcd (4 variants x $ETCD_BENCHTIME, CPU $CPU, GOMAXPROCS=1)" >&2
  before=$(load)
  ( cd "$WORK/gopath/src/etcdbench" && pinned env GOMAXPROCS=1 "$WORK/etcdbench.test" -test.run '^$' -test.bench 'Commit' -test.benchtime "$ETCD_BENCHTIME" -test.count 1 ) \
    | tee "$WORK/runs/etcd_$round.txt" >&2
  printf '%s\tetcd\t%s\t%s\n' "$round" "$before" "$(load)" >> "$WORK/runs/loads.tsv"
  echo "== round $round of $ROUNDS: RaftVerify CommitBenchmarks (BenchmarkDotNet${BENCH_JOB:+, job $BENCH_JOB}, CPU $CPU, workstation non-concurrent GC)" >&2
  before=$(load)
  pinned env DOTNET_gcServer=0 DOTNET_gcConcurrent=0 dotnet Raft.Bench/bin/Release/net10.0/Raft.Bench.dll \
    --filter '*CommitBenchmarks*' "${job_args[@]}" --artifacts "$WORK/bdn_$round" | tee "$WORK/runs/ours_$round.txt" >&2
  printf '%s\tours\t%s\t%s\n' "$round" "$before" "$(load)" >> "$WORK/runs/loads.tsv"
done
[ -n "${KEEP_OUTPUT:-}" ] && mkdir -p "$KEEP_OUTPUT" && cp "$WORK"/runs/* "$KEEP_OUTPUT"/

python3 "$ROOT/scripts/etcd-bench/table.py" "$WORK/runs" "${etcd_version:-3.4}" "$QUIET_LOAD" "$CPU" "$(git rev-parse --short HEAD)"
