#!/usr/bin/env bash
# Issue #4 benchmark: replication under load and full-sync latency, Tripod beside real Redis in
# the same run. Not a test: it prints numbers and never fails the build.
#
#   bench/replication-bench.sh [--replicas "3 16"] [--seconds 30] [--keys 1000000]
#
# Part 1: a master and N replicas; 4 KB values written pipelined for S seconds; prints write MB/s,
#         the worst replica lag seen (bytes and seconds behind) and full resyncs after the first.
# Part 2: a master with K keys; a replica attaches; prints the time to sync and the worst latency
#         of a PING sent to the master every 10 ms during the sync.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPLICAS="3 16"
SECONDS_LOAD=30
KEYS=1000000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replicas) REPLICAS="$2"; shift 2 ;;
    --seconds) SECONDS_LOAD="$2"; shift 2 ;;
    --keys) KEYS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
"$ROOT/tripod" build >/dev/null
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 400); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

start() { # kind port dir extra... -> pid
  local kind="$1" port="$2" dir="$3"; shift 3
  mkdir -p "$dir"
  if [[ "$kind" == redis ]]; then
    redis-server --port "$port" --bind 127.0.0.1 --save '' --dir "$dir" --daemonize no --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  else
    TRIPOD_JAVA_OPTS="-XX:+UseParallelGC -Xmx2g" "$ROOT/tripod" server --port "$port" --bind 127.0.0.1 --save '' \
      --dir "$dir" --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  fi
  local pid=$!
  PIDS+=("$pid")
  wait_port "$port"
  echo "$pid"
}
info() { redis-cli -p "$1" info "$2" 2>/dev/null | tr -d '\r'; }
field() { awk -F: -v f="$2" '$1==f {print $2}' <<<"$1"; }

load_test() { # kind replicas
  local kind="$1" n="$2" mport
  mport=$(free_port)
  start "$kind" "$mport" "$WORK/$kind-m$n" >/dev/null
  local rports=()
  for i in $(seq 1 "$n"); do
    local p; p=$(free_port); rports+=("$p")
    start "$kind" "$p" "$WORK/$kind-r$n-$i" --replicaof 127.0.0.1 "$mport" >/dev/null
  done
  for p in "${rports[@]}"; do
    for _ in $(seq 1 600); do [[ "$(field "$(info "$p" replication)" master_link_status)" == up ]] && break; sleep 0.1; done
  done
  local full0; full0=$(field "$(info "$mport" stats)" sync_full)
  local off0; off0=$(field "$(info "$mport" replication)" master_repl_offset)
  local t0; t0=$(date +%s.%N)
  timeout "$SECONDS_LOAD" redis-benchmark -p "$mport" -t set -d 4096 -P 16 -c 20 -n 100000000 -r 100000 -q >/dev/null 2>&1 || true &
  local bpid=$!
  local maxlag=0 maxlagsec=0
  while kill -0 "$bpid" 2>/dev/null; do
    local rep; rep=$(info "$mport" replication)
    local moff; moff=$(field "$rep" master_repl_offset)
    while read -r line; do
      local off; off=$(sed -n 's/.*offset=\([0-9]*\).*/\1/p' <<<"$line")
      local lag; lag=$(sed -n 's/.*lag=\([0-9]*\).*/\1/p' <<<"$line")
      [[ -n "$off" ]] && (( moff - off > maxlag )) && maxlag=$((moff - off))
      [[ -n "$lag" ]] && (( lag > maxlagsec )) && maxlagsec=$lag
    done < <(grep '^slave[0-9]*:' <<<"$rep")
    sleep 0.5
  done
  local t1; t1=$(date +%s.%N)
  local off1; off1=$(field "$(info "$mport" replication)" master_repl_offset)
  local full1; full1=$(field "$(info "$mport" stats)" sync_full)
  local mbs; mbs=$(echo "($off1 - $off0) / ($t1 - $t0) / 1048576" | bc -l)
  printf '%-7s %9s %12.1f %16s %13s %14s\n' "$kind" "$n" "$mbs" "$maxlag" "$maxlagsec" "$((full1 - full0))"
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  PIDS=()
}

echo "Part 1: SET of 4 KB values, pipelined (-P 16 -c 20), ${SECONDS_LOAD}s"
printf '%-7s %9s %12s %16s %13s %14s\n' server replicas write_MB/s max_lag_bytes max_lag_sec extra_full_syncs
for n in $REPLICAS; do
  load_test redis "$n"
  load_test tripod "$n"
done

sync_test() { # kind
  local kind="$1" mport rport
  mport=$(free_port); rport=$(free_port)
  start "$kind" "$mport" "$WORK/$kind-sm" >/dev/null
  redis-cli -p "$mport" debug populate "$KEYS" key 16 >/dev/null
  start "$kind" "$rport" "$WORK/$kind-sr" >/dev/null
  python3 - "$mport" "$rport" <<'PY'
import socket, sys, time
mport, rport = int(sys.argv[1]), int(sys.argv[2])
def conn(p):
    s = socket.create_connection(("127.0.0.1", p)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1); return s
def cmd(s, *a):
    s.sendall(("*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in a)).encode())
    return s.recv(65536)
m = conn(mport); r = conn(rport)
cmd(r, "REPLICAOF", "127.0.0.1", str(mport))
t0 = time.time(); worst = 0.0; n = 0
while True:
    a = time.perf_counter(); cmd(m, "SET", "probe", str(n)); worst = max(worst, time.perf_counter() - a); n += 1
    info = cmd(r, "INFO", "replication").decode(errors="replace")
    if "master_link_status:up" in info and time.time() - t0 > 0.2:
        break
    if time.time() - t0 > 600:
        break
    time.sleep(0.01)
print("%s %.2f %.1f %d" % ("", time.time() - t0, worst * 1000, n))
PY
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  PIDS=()
}
echo
echo "Part 2: full sync of $KEYS keys (DEBUG POPULATE), a SET to the master every 10 ms meanwhile"
printf '%-7s %14s %20s %8s\n' server sync_seconds worst_latency_ms probes
for kind in redis tripod; do
  read -r secs worst n < <(sync_test "$kind" | awk '{print $1, $2, $3}')
  printf '%-7s %14s %20s %8s\n' "$kind" "$secs" "$worst" "$n"
done
