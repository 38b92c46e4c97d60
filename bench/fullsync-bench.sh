#!/usr/bin/env bash
# Issue #4 benchmark: a full sync of K keys (DEBUG POPULATE, 16-byte values) to a fresh replica,
# Tripod beside real Redis in the same run. Prints the time from REPLICAOF to master_link_status:up
# and the latency a client of the master sees meanwhile (a PING and a SET every 1 ms: worst PING,
# worst SET, 99th percentile), then the Tripod/Redis ratios. Not a test: it never fails the build.
#
#   bench/fullsync-bench.sh [--keys 1000000] [--runs 1]
# Environment: TRIPOD_JAVA_OPTS (JVM flags for Tripod; default: the launcher's), PORTS (a range
# "lo-hi" to take ports from; default 36000-37999).
# Both masters run with repl-diskless-sync-delay 0 (Redis's default 5 s wait is not measured).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEYS=1000000
RUNS=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) KEYS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
PORTS="${PORTS:-36000-37999}"
"$ROOT/tripod" build >/dev/null 2>&1 || "$ROOT/tripod" build
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

source "$ROOT/bench/lib.sh"

start() { # kind port dir extra... (appends the pid to PIDS)
  local kind="$1" port="$2" dir="$3"; shift 3
  mkdir -p "$dir"
  if [[ "$kind" == redis ]]; then
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
      --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  else
    "$ROOT/tripod" server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  fi
  PIDS+=("$!"); disown "$!"
  wait_ready "$dir/log"
}

sync_run() { # kind run -> "seconds worst_ping worst_set p99 probes"
  local kind="$1" run="$2" mport rport
  read -r mport rport < <(free_ports 2)
  start "$kind" "$mport" "$WORK/$kind-$run-m" --repl-diskless-sync-delay 0
  redis-cli -p "$mport" debug populate "$KEYS" key 16 >/dev/null
  start "$kind" "$rport" "$WORK/$kind-$run-r"
  python3 - "$mport" "$rport" <<'PY'
import socket, sys, time
mport, rport = int(sys.argv[1]), int(sys.argv[2])
def conn(p):
    s = socket.create_connection(("127.0.0.1", p))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s
def cmd(s, *a):
    s.sendall(("*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in a)).encode())
    return s.recv(65536)
m = conn(mport); r = conn(rport)
cmd(r, "REPLICAOF", "127.0.0.1", str(mport))
t0 = time.time(); last = 0.0; worst_ping = worst_set = 0.0; lat = []; n = 0
while True:
    a = time.perf_counter(); cmd(m, "PING"); p = time.perf_counter() - a
    a = time.perf_counter(); cmd(m, "SET", "probe", str(n)); q = time.perf_counter() - a
    worst_ping = max(worst_ping, p); worst_set = max(worst_set, q); lat += [p, q]; n += 1
    now = time.time()
    if now - last > 0.05:
        last = now
        if b"master_link_status:up" in cmd(r, "INFO", "replication") and now - t0 > 0.2:
            break
    if now - t0 > 900:
        break
    time.sleep(0.001)
lat.sort()
print("%.2f %.1f %.1f %.1f %d" % (time.time() - t0, worst_ping * 1e3, worst_set * 1e3, lat[int(len(lat) * 0.99)] * 1e3, n))
PY
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  PIDS=()
}

echo "Full sync of $KEYS keys (DEBUG POPULATE, 16-byte values), diskless, a PING and a SET to the master every 1 ms"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); tripod JVM: ${TRIPOD_JAVA_OPTS:-launcher default}"
printf '%-7s %4s %12s %14s %13s %10s %8s\n' server run sync_seconds worst_ping_ms worst_set_ms p99_ms probes
declare -A best
for run in $(seq 1 "$RUNS"); do
  for kind in redis tripod; do
    read -r secs wp ws p99 n < <(sync_run "$kind" "$run")
    printf '%-7s %4s %12s %14s %13s %10s %8s\n' "$kind" "$run" "$secs" "$wp" "$ws" "$p99" "$n"
    best[$kind]="$secs $wp $ws $p99"
  done
done
read -r rs rwp rws rp <<<"${best[redis]}"
read -r ts twp tws tp <<<"${best[tripod]}"
ratio() { echo "scale=2; $1 / ($2 + 0.0001)" | bc -l; }
echo "tripod/redis (last run): sync time x$(ratio "$ts" "$rs"), worst PING x$(ratio "$twp" "$rwp"), worst SET x$(ratio "$tws" "$rws"), p99 x$(ratio "$tp" "$rp")"
