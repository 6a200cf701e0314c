#!/usr/bin/env bash
# Builds Raft.Etcd/shim (etcd raft 3.4 RawNodes behind a pipe, see docs/etcd-shim.md) and prints the
# binary's path on stdout. Everything else goes to stderr.
#
#   shim=$(bash scripts/etcd-shim.sh)
#   shim=$(ETCD_SHIM_BUG=vote-no-log-check bash scripts/etcd-shim.sh)   # a deliberately broken etcd
#
# ETCD_SHIM_BUG=NAME applies Raft.Etcd/shim/bugs/NAME.patch to the copied raft package (after the rand
# replacement); each broken build is cached separately (etcd-shim-NAME-<hash>).
#
# Go and etcd's source come from Debian (golang-go, golang-etcd-server-dev), installed with apt-get
# when missing, as scripts/compare-etcd.sh does. The build is GOPATH mode, offline. etcd's raft
# package is copied into a private GOPATH, where its clock-seeded election jitter is replaced by
# host-given seeds (Raft.Etcd/shim/raftpatch/hostrand.go). The binary is cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/raftverify/etcd-shim-<hash>, the hash covering our shim sources,
# this script, the Go version and etcd's raft sources; a cached binary is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/go-etcd.sh
RAFT="$GOSRC/src/go.etcd.io/etcd/raft"

ensure_go_and_etcd

BUG="${ETCD_SHIM_BUG:-}"
PATCH=""
if [ -n "$BUG" ]; then
  PATCH="Raft.Etcd/shim/bugs/$BUG.patch"
  [ -f "$PATCH" ] || { echo "etcd-shim: no such bug: $PATCH (have: $(ls Raft.Etcd/shim/bugs | sed 's/\.patch$//' | tr '\n' ' '))" >&2; exit 1; }
fi
hash=$( { cat Raft.Etcd/shim/*.go Raft.Etcd/shim/raftpatch/*.go scripts/etcd-shim.sh ${PATCH:+"$PATCH"}; echo "bug=$BUG"; go version;
          find "$RAFT" -name '*.go' ! -name '*_test.go' | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/raftverify/etcd-shim-${BUG:+$BUG-}$hash"
if [ -x "$CACHE/etcd-shim" ]; then
  echo "$CACHE/etcd-shim"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dst="$WORK/gopath/src/go.etcd.io/etcd/raft"
mkdir -p "$(dirname "$dst")" "$WORK/gopath/src/raftverify/etcdshim"
cp -r "$RAFT" "$dst"
chmod -R u+w "$dst"
find "$dst" -name '*_test.go' -delete
rm -rf "$dst/rafttest" "$dst/testdata"

# The rand replacement: globalRand draws from the host-seeded source; raft.go then no longer needs "time".
cp Raft.Etcd/shim/raftpatch/hostrand.go "$dst/zz_raftverify_hostrand.go"
seed_line='rand: rand.New(rand.NewSource(time.Now().UnixNano())),'
[ "$(grep -cF "$seed_line" "$dst/raft.go")" = 1 ] || { echo "etcd-shim: raft.go's globalRand line not found; not etcd raft 3.4?" >&2; exit 1; }
sed -i "s|rand: rand.New(rand.NewSource(time.Now().UnixNano())),|rand: rand.New(hostSeededSource),|" "$dst/raft.go"
sed -i '/^\t"time"$/d' "$dst/raft.go"
if grep -rn 'time\.Now\|rand\.Seed\|rand\.NewSource\|crypto/rand' "$dst" --include='*.go' >&2; then
  echo "etcd-shim: the patched raft package still reads the clock or another random source (above)" >&2
  exit 1
fi

if [ -n "$PATCH" ]; then
  patch -s -p1 -d "$dst" < "$PATCH" >&2 || { echo "etcd-shim: $PATCH does not apply" >&2; exit 1; }
  echo "etcd-shim: applied the deliberate bug $BUG" >&2
fi

cp Raft.Etcd/shim/*.go "$WORK/gopath/src/raftverify/etcdshim/"
etcd_version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*= "\(.*\)"/\1/p' "$GOSRC/src/go.etcd.io/etcd/version/version.go" | head -1)
mkdir -p "$CACHE.tmp.$$"
( cd "$WORK/gopath/src/raftverify/etcdshim" &&
  GO111MODULE=off GOPATH="$WORK/gopath:$GOSRC" GOFLAGS= GOPROXY=off GOCACHE="${GOCACHE:-$WORK/gocache}" \
  go build -trimpath -ldflags "-X main.etcdVersion=${etcd_version:-unknown}" -o "$CACHE.tmp.$$/etcd-shim" . ) >&2
# another build may have finished first: then keep its binary
mv -T "$CACHE.tmp.$$" "$CACHE" 2>/dev/null || rm -rf "$CACHE.tmp.$$"
echo "built $CACHE/etcd-shim (etcd raft ${etcd_version:-?}${BUG:+ with bug $BUG}, $(go version | awk '{print $3}'))" >&2
echo "$CACHE/etcd-shim"
