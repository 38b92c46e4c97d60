#!/usr/bin/env bash
# Issue #3: bytes per entry of one hash with N fields and one sorted set with N members, Tripod
# beside real Redis (used memory delta; for Tripod the JVM heap in use after a full GC).
#   bench/aggregate-memory.sh [N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000000}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
"$ROOT/tripod" build >/dev/null
source "$ROOT/bench/lib.sh"
RP=$(free_port); TP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --dir "$WORK" --daemonize no >/dev/null 2>&1 & PIDS+=($!)
TRIPOD_JAVA_OPTS="-XX:+UseParallelGC -Xmx8g" "$ROOT/tripod" server --port "$TP" --bind 127.0.0.1 --save '' --dir "$WORK" >/dev/null 2>&1 &
TPID=$!; PIDS+=("$TPID")
wait_port "$RP"; wait_port "$TP"
heap_kb() { jcmd "$TPID" GC.run >/dev/null 2>&1; jcmd "$TPID" GC.heap_info 2>/dev/null | grep -oE 'used [0-9]+K' | awk '{sub(/K/,"",$2); s+=$2} END {print s+0}'; }
used() { redis-cli -p "$RP" info memory | awk -F: '/^used_memory:/ {print $2+0}'; }
gen() { python3 -c "
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
for i in range(n):
    if kind == 'hash':
        a = [b'HSET', b'h', b'field:%d' % i, b'value:%d' % i]
    else:
        a = [b'ZADD', b'z', b'%d' % i, b'member:%d' % i]
    out.write('*%d\r\n' % len(a) + ''.join('\$%d\r\n%s\r\n' % (len(x), x.decode()) for x in a))
" "$1" "$N"; }
printf '%-6s %14s %14s\n' type redis_B/entry tripod_B/entry
for kind in hash zset; do
  r0=$(used); t0=$(heap_kb)
  gen "$kind" >"$WORK/$kind.txt"
  redis-cli -p "$RP" --pipe <"$WORK/$kind.txt" >/dev/null
  redis-cli -p "$TP" --pipe <"$WORK/$kind.txt" >/dev/null
  r1=$(used); t1=$(heap_kb)
  printf '%-6s %14.1f %14.1f\n' "$kind" "$(echo "($r1 - $r0) / $N" | bc -l)" "$(echo "($t1 - $t0) * 1024 / $N" | bc -l)"
done
echo "(fields 'field:N' -> 'value:N'; members 'member:N' with score N)"
