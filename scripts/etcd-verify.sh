#!/usr/bin/env bash
# etcd raft 3.4.23 under the whole suite (docs/etcd.md): builds the shim and Raft.Etcd, then runs the CLI.
#
#   bash scripts/etcd-verify.sh                 # explore correct etcd, default and PreVote+CheckQuorum, every strategy
#   ITERATIONS=100000 bash scripts/etcd-verify.sh   # the long run (default 2000 per strategy and config)
#   bash scripts/etcd-verify.sh bugs            # each deliberately broken build (Raft.Etcd/shim/bugs): explore, replay, shrink, show
#   bash scripts/etcd-verify.sh lab             # the lab's tests on etcd
#   bash scripts/etcd-verify.sh reads           # reads by ReadIndex (docs/etcd.md, "Reads"): both configs, as the swarm
#                                               # draws leases (a third of the schedules) and with --lease (all of them)
#
# A broken build is selected by pointing RAFTVERIFY_ETCD_SHIM at it (ETCD_SHIM_BUG=NAME scripts/etcd-shim.sh
# builds and caches it separately); the C# side is the same Raft.Etcd.EtcdRaft.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-explore}"
ITERATIONS="${ITERATIONS:-2000}"
SEED="${SEED:-1}"
OUT="${OUT:-$(mktemp -d)}"
shim=$(bash scripts/etcd-shim.sh)
dotnet build -c Release RaftVerify.Cli/RaftVerify.Cli.csproj -v q -nologo >&2
dotnet build -c Release Raft.Etcd/Raft.Etcd.csproj -v q -nologo >&2
cli=(dotnet RaftVerify.Cli/bin/Release/net10.0/raftverify.dll)
dll=Raft.Etcd/bin/Release/net10.0/Raft.Etcd.dll
status=0
case "$what" in
  explore)
    for type in Raft.Etcd.EtcdRaft Raft.Etcd.EtcdRaftPreVote; do
      for strategy in random pct delay-bounded guided; do
        echo "== $type, $strategy, $ITERATIONS schedules (swarm; async Ready drawn by the swarm)"
        RAFTVERIFY_ETCD_SHIM="$shim" "${cli[@]}" explore --node "$dll:$type" --strategy "$strategy" \
          --iterations "$ITERATIONS" --seed "$SEED" --keep-going --out "$OUT/$type-$strategy" || status=1
      done
    done ;;
  reads)
    for type in Raft.Etcd.EtcdRaft Raft.Etcd.EtcdRaftPreVote; do
      for lease in "" --lease; do
        echo "== $type, random, $ITERATIONS schedules ${lease:-(leases as the swarm draws them)}"
        RAFTVERIFY_ETCD_SHIM="$shim" "${cli[@]}" explore --node "$dll:$type" --iterations "$ITERATIONS" --seed "$SEED" \
          --keep-going $lease --out "$OUT/$type-reads${lease}" || status=1
      done
    done ;;
  lab)
    for part in 2A 2B 2C 2D; do
      RAFTVERIFY_ETCD_SHIM="$shim" "${cli[@]}" lab "$part" --node "$dll:Raft.Etcd.EtcdRaft" || status=1
    done ;;
  bugs)
    for bug in vote-no-log-check double-vote accept-stale-append commit-old-term; do
      broken=$(ETCD_SHIM_BUG=$bug bash scripts/etcd-shim.sh)
      echo "== etcd with $bug ($broken)"
      if RAFTVERIFY_ETCD_SHIM="$broken" "${cli[@]}" explore --node "$dll:Raft.Etcd.EtcdRaft" --iterations "$ITERATIONS" \
           --seed "$SEED" --out "$OUT/$bug"; then
        echo "   not found in $ITERATIONS schedules"; continue
      fi
      trace=$(ls "$OUT/$bug"/*.jsonl 2>/dev/null | head -1 || true)
      [ -n "$trace" ] || { echo "   no trace written"; status=1; continue; }
      RAFTVERIFY_ETCD_SHIM="$broken" "${cli[@]}" replay "$trace" || true
      RAFTVERIFY_ETCD_SHIM="$broken" "${cli[@]}" shrink "$trace" || true
      shrunk=$(ls -t "$OUT/$bug"/*.jsonl | head -1)
      RAFTVERIFY_ETCD_SHIM="$broken" "${cli[@]}" show "$shrunk" | head -60 || true
    done ;;
  *) echo "usage: $0 [explore|lab|bugs|reads]" >&2; exit 2 ;;
esac
echo "traces and reports: $OUT"
exit $status
