#!/usr/bin/env bash
# Issue #5 benchmark, Tripod beside real Redis in the same run (prints numbers, never fails):
#  1. SET throughput with appendonly yes and appendfsync always / everysec (redis-benchmark
#     -t set -n N -c 50), ratio Tripod/Redis; R rounds interleaved (redis, tripod, redis, ...),
#     the median of each;
#  2. time to load a K-key RDB and a K-key AOF (command form, aof-use-rdb-preamble no) at start,
#     R interleaved rounds, medians: the server's own "DB loaded ... seconds" log figure and the
#     wall time from launch until DBSIZE answers K (Tripod's includes JVM start-up);
#  3. memory during BGSAVE compared with before it (RSS peak / RSS before).
# The machine may be shared: the rounds are interleaved so both servers see the same load.
#   bench/persistence-bench.sh [-n requests] [--keys K] [--rounds R] [--only 1|2|3]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=200000
KEYS=1000000
ROUNDS=3
ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
    --keys) KEYS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
"$ROOT/tripod" build >/dev/null
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
source "$ROOT/bench/lib.sh"
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
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rps() { redis-benchmark -p "$1" -t set -n "$N" -c 50 -r 100000 --csv 2>/dev/null | tail -1 | awk -F'","' '{gsub(/"/,"",$2); print $2}'; }

if [[ -z "$ONLY" || "$ONLY" == 1 ]]; then
echo "1. SET with appendonly yes (-n $N -c 50, median of $ROUNDS interleaved rounds)"
printf '%-10s %14s %14s %8s\n' appendfsync redis_ops/s tripod_ops/s ratio
for fsync in always everysec; do
  rp=$(free_port); tp=$(free_port)
  start redis "$rp" "$WORK/r-$fsync" --save '' --appendonly yes --appendfsync "$fsync" >/dev/null
  start tripod "$tp" "$WORK/t-$fsync" --save '' --appendonly yes --appendfsync "$fsync" >/dev/null
  wait_port "$rp"; wait_port "$tp"
  redis-benchmark -p "$tp" -t set -n $((N / 4)) -c 50 -q >/dev/null 2>&1 || true # JIT warm-up
  rs=(); ts=()
  for _ in $(seq 1 "$ROUNDS"); do rs+=("$(rps "$rp")"); ts+=("$(rps "$tp")"); done
  r=$(median "${rs[@]}"); t=$(median "${ts[@]}")
  printf '%-10s %14.0f %14.0f %8.2f   (redis: %s; tripod: %s)\n' "$fsync" "$r" "$t" "$(echo "$t / $r" | bc -l)" \
    "${rs[*]}" "${ts[*]}"
  stop_all
done
fi

if [[ -z "$ONLY" || "$ONLY" == 2 ]]; then
echo "2. Start-up load of $KEYS keys (median of $ROUNDS interleaved rounds)"
printf '%-6s %12s %12s %8s %12s %12s %8s\n' file redis_log_s tripod_log_s ratio redis_wall_s tripod_wall_s ratio
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
  declare -A logs=() walls=()
  for round in $(seq 1 "$ROUNDS"); do
    for server in redis tripod; do
      d="$WORK/load-$kind-$server"; rm -rf "$d"; cp -r "$WORK/src-$kind" "$d"
      p=$(free_port)
      t0=$(date +%s.%N)
      if [[ $kind == rdb ]]; then start "$server" "$p" "$d" --save '' >/dev/null; else
        start "$server" "$p" "$d" --save '' --appendonly yes >/dev/null; fi
      for _ in $(seq 1 12000); do [[ "$(redis-cli -p "$p" dbsize 2>/dev/null)" == "$KEYS" ]] && break; sleep 0.01; done
      t1=$(date +%s.%N)
      # "DB loaded from disk: 0.859 seconds" / "DB loaded from append only file: 2.456 seconds"
      l=$(grep -a -o 'DB loaded from [a-z ]*: [0-9.]* seconds' "$d/log" | tail -1 | awk '{print $(NF-1)}')
      logs[$server]+="${l:-nan} "; walls[$server]+="$(echo "$t1 - $t0" | bc -l) "
      stop_all
    done
  done
  rl=$(median ${logs[redis]}); tl=$(median ${logs[tripod]}); rw=$(median ${walls[redis]}); tw=$(median ${walls[tripod]})
  printf '%-6s %12.3f %12.3f %8.2f %12.2f %12.2f %8.2f\n' "$kind" "$rl" "$tl" "$(echo "$tl / $rl" | bc -l)" \
    "$rw" "$tw" "$(echo "$tw / $rw" | bc -l)"
  printf '       rounds: redis log %s/ tripod log %s/ redis wall %s/ tripod wall %s\n' "${logs[redis]}" "${logs[tripod]}" \
    "${walls[redis]}" "${walls[tripod]}"
  unset logs walls
done
echo "(log_s: the server's own load time; wall_s: launch to DBSIZE = $KEYS, Tripod's includes JVM start-up.)"
fi

if [[ -z "$ONLY" || "$ONLY" == 3 ]]; then
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
fi
