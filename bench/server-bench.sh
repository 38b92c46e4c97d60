#!/usr/bin/env bash
# Issue #2/#3 benchmark: redis-benchmark against a real redis-server and against Tripod in the same
# run, printing ops/s and the Tripod/Redis ratio per test, then memory per key for 1,000,000 small
# string keys on both. Not a test: it never fails the build.
#
#   bench/server-bench.sh [-n requests] [-t tests] [--no-memory]
# Environment: TRIPOD_JAVA_OPTS (JVM flags for Tripod).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=500000
TESTS="ping,set,get,incr,mset"
CLIENTS=50
MEMORY=1
ROUNDS=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
    -t) TESTS="$2"; shift 2 ;;
    -c) CLIENTS="$2"; shift 2 ;;
    --no-memory) MEMORY=0; shift ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

source "$ROOT/bench/lib.sh"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

"$ROOT/tripod" build >/dev/null 2>&1 || "$ROOT/tripod" build
RPORT=$(free_port); TPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --daemonize no >"$WORK/redis.log" 2>&1 &
RPID=$!; PIDS+=("$RPID")
TRIPOD_JAVA_OPTS="${TRIPOD_JAVA_OPTS:--XX:+UseParallelGC -Xms2g -Xmx8g}" "$ROOT/tripod" server --port "$TPORT" --bind 127.0.0.1 >"$WORK/tripod.log" 2>&1 &
TPID=$!; PIDS+=("$TPID")
wait_port "$RPORT"; wait_port "$TPORT"
# The launcher execs java, so $TPID is the JVM.

run() { # port pipeline -> "test,rps" lines
  redis-benchmark -p "$1" -t "$TESTS" -n "$N" -c "$CLIENTS" -P "$2" --csv 2>/dev/null \
    | tail -n +2 | awk -F'","' '{gsub(/"/,"",$1); gsub(/"/,"",$2); print $1","$2}'
}

echo "redis-benchmark -t $TESTS -n $N -c $CLIENTS, median of $ROUNDS alternating rounds (Tripod JDK: $(readlink -f /proc/$TPID/exe))"
printf '%-36s %4s %14s %14s %8s\n' test P redis_ops/s tripod_ops/s ratio
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for P in 1 16; do
  # Warm the JVM once (JIT), then alternate the two servers round by round: the machine's noise
  # (2 cores shared with redis-benchmark itself) hits both alike, and the median drops outliers.
  redis-benchmark -p "$TPORT" -t "$TESTS" -n $((N / 5)) -c "$CLIENTS" -P "$P" -q >/dev/null 2>&1 || true
  : >"$WORK/r.all"; : >"$WORK/t.all"
  for round in $(seq 1 "$ROUNDS"); do
    run "$RPORT" "$P" >>"$WORK/r.all"
    run "$TPORT" "$P" >>"$WORK/t.all"
  done
  while IFS= read -r test_name; do
    r=$(grep -F "$test_name," "$WORK/r.all" | cut -d, -f2 | median)
    t=$(grep -F "$test_name," "$WORK/t.all" | cut -d, -f2 | median)
    printf '%-36s %4s %14.0f %14.0f %8.2f\n' "$test_name" "$P" "$r" "$t" "$(echo "$t / $r" | bc -l)"
  done < <(cut -d, -f1 "$WORK/r.all" | sort -u)
done

if [[ "$MEMORY" == 1 ]]; then
  KEYS=1000000
  rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
  # Sum of the 'used NNNK' figures of every generation in jcmd's heap summary.
  heap_used_kb() { jcmd "$1" GC.heap_info 2>/dev/null | grep -oE 'used [0-9]+K' | awk '{sub(/K/,"",$2); s+=$2} END {print s+0}'; }
  redis-cli -p "$RPORT" flushall >/dev/null; redis-cli -p "$TPORT" flushall >/dev/null
  jcmd "$TPID" GC.run >/dev/null 2>&1 || true
  r_used0=$(redis-cli -p "$RPORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
  r_rss0=$(rss_kb "$RPID"); t_rss0=$(rss_kb "$TPID")
  t_heap0=$(heap_used_kb "$TPID")
  python3 -c "
for i in range($KEYS):
    k=b'key:%d' % i; v=b'val:%d' % i
    print('*3\r\n\$3\r\nSET\r\n\$%d\r\n%s\r\n\$%d\r\n%s\r' % (len(k), k.decode(), len(v), v.decode()))
" >"$WORK/load.txt"
  redis-cli -p "$RPORT" --pipe <"$WORK/load.txt" >/dev/null
  redis-cli -p "$TPORT" --pipe <"$WORK/load.txt" >/dev/null
  jcmd "$TPID" GC.run >/dev/null 2>&1 || true
  r_used1=$(redis-cli -p "$RPORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
  r_rss1=$(rss_kb "$RPID"); t_rss1=$(rss_kb "$TPID")
  t_heap1=$(heap_used_kb "$TPID")
  echo
  echo "Memory for $KEYS keys 'key:N' = 'val:N' (dbsize redis=$(redis-cli -p "$RPORT" dbsize) tripod=$(redis-cli -p "$TPORT" dbsize)):"
  printf '%-8s %22s %18s\n' server used_bytes_per_key rss_bytes_per_key
  printf '%-8s %22.1f %18.1f\n' redis "$(echo "($r_used1 - $r_used0) / $KEYS" | bc -l)" "$(echo "($r_rss1 - $r_rss0) * 1024 / $KEYS" | bc -l)"
  printf '%-8s %22.1f %18.1f\n' tripod "$(echo "(${t_heap1:-0} - ${t_heap0:-0}) * 1024 / $KEYS" | bc -l)" "$(echo "($t_rss1 - $t_rss0) * 1024 / $KEYS" | bc -l)"
  echo "(tripod used = JVM heap in use after a full GC; RSS includes heap the JVM keeps reserved)"
fi
