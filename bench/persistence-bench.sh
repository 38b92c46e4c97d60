#!/usr/bin/env bash
# Issue #5 benchmark, Tripod beside real Redis in the same run (prints numbers, never fails):
#  1. SET throughput with appendonly yes and appendfsync always / everysec (redis-benchmark
#     -t set -n N -c 50), ratio Tripod/Redis;
#  2. time to load a K-key RDB and a K-key AOF at start, ratio;
#  3. memory during BGSAVE compared with before it (RSS peak / RSS before).
#   bench/persistence-bench.sh [-n requests] [--keys K]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=200000
KEYS=1000000
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
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
wait_port() { for _ in $(seq 1 2000); do redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.01; done; return 1; }
start() { # kind port dir extra... -> pid (echo)
  local kind="$1" port="$2" dir="$3"; shift 3
  mkdir -p "$dir"
  if [[ "$kind" == redis ]]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  else
    TRIPOD_JAVA_OPTS="-XX:+UseParallelGC -Xms1g -Xmx6g" "$ROOT/tripod" server --port "$port" --bind 127.0.0.1 \
      --dir "$dir" --enable-debug-command yes "$@" >"$dir/log" 2>&1 &
  fi
  local pid=$!
  PIDS+=("$pid")
  echo "$pid"
}
stop_all() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; PIDS=(); }
rps() { redis-benchmark -p "$1" -t set -n "$N" -c 50 -r 100000 --csv 2>/dev/null | tail -1 | awk -F'","' '{gsub(/"/,"",$2); print $2}'; }

echo "1. SET with appendonly yes (-n $N -c 50)"
printf '%-10s %14s %14s %8s\n' appendfsync redis_ops/s tripod_ops/s ratio
for fsync in always everysec; do
  rp=$(free_port); tp=$(free_port)
  start redis "$rp" "$WORK/r-$fsync" --save '' --appendonly yes --appendfsync "$fsync" >/dev/null
  start tripod "$tp" "$WORK/t-$fsync" --save '' --appendonly yes --appendfsync "$fsync" >/dev/null
  wait_port "$rp"; wait_port "$tp"
  redis-benchmark -p "$tp" -t set -n $((N / 4)) -c 50 -q >/dev/null 2>&1 || true # JIT warm-up
  r=$(rps "$rp"); t=$(rps "$tp")
  printf '%-10s %14.0f %14.0f %8.2f\n' "$fsync" "$r" "$t" "$(echo "$t / $r" | bc -l)"
  stop_all
done

echo
echo "2. Start-up load of $KEYS keys"
printf '%-6s %12s %12s %8s\n' file redis_s tripod_s ratio
for kind in rdb aof; do
  src=$(free_port)
  if [[ $kind == rdb ]]; then
    start redis "$src" "$WORK/src-$kind" --save '' >/dev/null
  else
    start redis "$src" "$WORK/src-$kind" --save '' --appendonly yes --aof-use-rdb-preamble no >/dev/null
  fi
  wait_port "$src"
  redis-cli -p "$src" debug populate "$KEYS" key 16 >/dev/null
  if [[ $kind == rdb ]]; then redis-cli -p "$src" save >/dev/null; else
    redis-cli -p "$src" bgrewriteaof >/dev/null
    for _ in $(seq 1 600); do redis-cli -p "$src" info persistence | grep -q 'aof_rewrite_in_progress:0' && break; sleep 0.1; done
  fi
  stop_all
  times=()
  for server in redis tripod; do
    d="$WORK/load-$kind-$server"; rm -rf "$d"; cp -r "$WORK/src-$kind" "$d"
    p=$(free_port)
    t0=$(date +%s.%N)
    if [[ $kind == rdb ]]; then start "$server" "$p" "$d" --save '' >/dev/null; else
      start "$server" "$p" "$d" --save '' --appendonly yes >/dev/null; fi
    wait_port "$p"
    for _ in $(seq 1 6000); do [[ "$(redis-cli -p "$p" dbsize 2>/dev/null)" == "$KEYS" ]] && break; sleep 0.01; done
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
    stop_all
  done
  printf '%-6s %12.2f %12.2f %8.2f\n' "$kind" "${times[0]}" "${times[1]}" "$(echo "${times[1]} / ${times[0]}" | bc -l)"
done
echo "(Tripod's time includes JVM start-up.)"

echo
echo "3. Memory during BGSAVE of $KEYS keys while SET traffic runs (RSS peak / RSS before)"
printf '%-8s %12s %12s %8s\n' server rss_before peak ratio
for server in redis tripod; do
  p=$(free_port)
  pid=$(start "$server" "$p" "$WORK/bg-$server" --save '')
  wait_port "$p"
  redis-cli -p "$p" debug populate "$KEYS" key 16 >/dev/null
  sleep 1
  # For redis the child's RSS counts too (fork copy-on-write).
  rss() { local total=0; for q in $(pgrep -f ":$p|port $p"); do v=$(awk '/VmRSS/ {print $2}' /proc/$q/status 2>/dev/null || echo 0); total=$((total + v)); done; echo $total; }
  before=$(rss)
  redis-benchmark -p "$p" -t set -n 2000000 -r "$KEYS" -c 20 -q >/dev/null 2>&1 &
  bpid=$!
  redis-cli -p "$p" bgsave >/dev/null
  peak=$before
  for _ in $(seq 1 600); do
    now=$(rss); (( now > peak )) && peak=$now
    redis-cli -p "$p" info persistence | grep -q 'rdb_bgsave_in_progress:0' && break
    sleep 0.05
  done
  kill "$bpid" 2>/dev/null || true
  printf '%-8s %10d kB %10d kB %8.2f\n' "$server" "$before" "$peak" "$(echo "$peak / $before" | bc -l)"
  stop_all
done
