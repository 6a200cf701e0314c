# Sourced by the scripts that build against etcd raft 3.4 (compare-etcd.sh, etcd-shim.sh): Debian's
# Go and the etcd source it packages (GOPATH mode, no network), installed with apt-get when missing.
GOSRC=/usr/share/gocode
ensure_go_and_etcd() {
  local need_apt=()
  command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
  [ -d "$GOSRC/src/go.etcd.io/etcd/raft" ] || need_apt+=(golang-etcd-server-dev)
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "installing ${need_apt[*]} with apt-get" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need_apt[@]}" >&2
  fi
}
