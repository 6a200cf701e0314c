#!/usr/bin/env bash
# Commit throughput of etcd's raft (3.4, Go) and of RaftVerify's core on the same work, in one run
# on this machine, with the ratio. See docs/benchmarks.md ("Against etcd").
#
#   bash scripts/compare-etcd.sh            # BenchmarkDotNet default job, etcd 5 x 2 s per variant
#   BENCH_JOB=short bash scripts/compare-etcd.sh   # quicker, noisier
#
# etcd's side: scripts/etcd-bench/commit_test.go, built in GOPATH mode against the etcd source that
# Debian's golang-etcd-server-dev installs under /usr/share/gocode (no network, no module download).
# Go and that source are installed with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
GOSRC=/usr/share/gocode
ETCD_COUNT=${ETCD_COUNT:-5}
ETCD_BENCHTIME=${ETCD_BENCHTIME:-2s}
BENCH_JOB=${BENCH_JOB:-}

need_apt=()
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
[ -d "$GOSRC/src/go.etcd.io/etcd/raft" ] || need_apt+=(golang-etcd-server-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} with apt-get" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need_apt[@]}" >&2
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to print the table" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/gopath/src/etcdbench"
cp scripts/etcd-bench/commit_test.go "$WORK/gopath/src/etcdbench/"

etcd_version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*= "\(.*\)"/\1/p' "$GOSRC/src/go.etcd.io/etcd/version/version.go" | head -1)
echo "== etcd raft ${etcd_version:-?} ($(go version | awk '{print $3}')): Commit{3,5}Nodes, batch 1 and 64 in one proposal, ${ETCD_COUNT} x ${ETCD_BENCHTIME}" >&2
( cd "$WORK/gopath/src/etcdbench" &&
  GO111MODULE=off GOPATH="$WORK/gopath:$GOSRC" GOFLAGS= GOPROXY=off GOCACHE="$WORK/gocache" \
  go test -run '^$' -bench 'Commit' -benchtime "$ETCD_BENCHTIME" -count "$ETCD_COUNT" ) | tee "$WORK/etcd.txt" >&2

echo "== RaftVerify: CommitBenchmarks (BenchmarkDotNet${BENCH_JOB:+, job $BENCH_JOB})" >&2
job_args=()
[ -n "$BENCH_JOB" ] && job_args=(--job "$BENCH_JOB")
dotnet run -c Release --project Raft.Bench -- --filter '*CommitBenchmarks*' "${job_args[@]}" \
  --exporters json github --artifacts "$WORK/bdn" | tee "$WORK/ours.txt" >&2

python3 - "$WORK" "${etcd_version:-3.4}" <<'PY'
import glob, json, re, statistics, sys
work, version = sys.argv[1], sys.argv[2]
etcd = {}
for line in open(f"{work}/etcd.txt"):
    m = re.match(r"BenchmarkCommit(\d)NodesBatch(\d+)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) msgs/entry\s+(\d+) B/op\s+(\d+) allocs/op", line)
    if m:
        etcd.setdefault((int(m[1]), int(m[2])), []).append((float(m[3]), float(m[4]), int(m[5]), int(m[6])))
ours = {}
for path in glob.glob(f"{work}/bdn/results/*CommitBenchmarks*-report-full*.json"):
    for b in json.load(open(path))["Benchmarks"]:
        p = dict(kv.split("=") for kv in b["Parameters"].split("&"))
        key = (int(p["Nodes"]), int(p["Batch"]), p["BroadcastCommit"] == "True")
        ours[key] = (b["Statistics"]["Median"], b["Memory"]["BytesAllocatedPerOperation"])
msgs = {}
for path in glob.glob(f"{work}/bdn/results/*CommitBenchmarks*-report-github.md"):
    rows = [l.strip().strip("|").split("|") for l in open(path) if l.startswith("|")]
    head = [h.strip() for h in rows[0]]
    for r in rows[2:]:
        r = dict(zip(head, (c.strip() for c in r)))
        msgs[(int(r["Nodes"]), int(r["Batch"]), r["BroadcastCommit"] == "True")] = r.get("Msgs/entry", "?")
def fmt(ns): return f"{ns:,.0f} ns" if ns >= 100 else f"{ns:.1f} ns"
print()
print(f"| Nodes | Batch | etcd {version} median | etcd B / allocs per entry | etcd msgs/entry | RaftVerify pattern | RaftVerify median | RaftVerify B/entry | msgs/entry | ratio (etcd / ours) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for nodes in (3, 5):
    for batch in (1, 64):
        runs = etcd.get((nodes, batch))
        if not runs: continue
        e_ns = statistics.median(r[0] for r in runs)
        e_b = statistics.median(r[2] for r in runs); e_a = statistics.median(r[3] for r in runs)
        e_m = runs[0][1]
        for broadcast in (True, False):
            o = ours.get((nodes, batch, broadcast))
            if not o: continue
            pattern = "commit broadcast (etcd's)" if broadcast else "commit on next append (default)"
            print(f"| {nodes} | {batch if batch == 1 else '64 (one proposal)'} | {fmt(e_ns)} | {e_b:,.0f} B / {e_a:g} | {e_m:.2f} | {pattern} | {fmt(o[0])} | {o[1]:.0f} B | {msgs.get((nodes, batch, broadcast), '?')} | **{e_ns / o[0]:.0f}x** |")
print()
print(f"etcd: median of {len(next(iter(etcd.values())))} runs per variant; RaftVerify: BenchmarkDotNet median. Both per committed entry, same machine, same run.")
PY
