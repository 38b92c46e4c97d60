#!/usr/bin/env bash
# tripod proxy benchmark: redis-benchmark -t set,get through the real haproxy and through
# `./tripod proxy` (same config shape: one listen section, tcp-check, one server) to the same
# redis-server, with -P 1 and -P 16, printing ops/s and the tripod/haproxy ratio (target >= 0.9).
# Each figure is the best of two alternating rounds (the machine is shared). Not a test: it
# never fails the build.
#
#   bench/proxy-bench.sh [-n requests] [-c clients]
# Environment: TRIPOD_JAVA_OPTS (JVM flags for tripod proxy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=200000
CLIENTS=50
TESTS="set,get"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -n) N="$2"; shift 2 ;;
    -c) CLIENTS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v haproxy >/dev/null || { echo "haproxy not installed" >&2; exit 1; }

source "$ROOT/bench/lib.sh"

WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

"$ROOT/tripod" build >/dev/null 2>&1 || "$ROOT/tripod" build
RPORT=$(free_port); HPORT=$(free_port); TPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --daemonize no >"$WORK/redis.log" 2>&1 &
PIDS+=("$!")
wait_port "$RPORT"

cfg() { # listen port -> config text
  cat <<CFG
global
    maxconn 4000
defaults
    timeout connect 5s
    timeout client 1m
    timeout server 1m
listen redis-rw
    bind 127.0.0.1:$1
    mode tcp
    balance leastconn
    option tcp-check
    tcp-check connect
    tcp-check send PING\\r\\n
    tcp-check expect string +PONG
    tcp-check send info\\ replication\\r\\n
    tcp-check expect string role:master
    tcp-check send QUIT\\r\\n
    tcp-check expect string +OK
    server redis-1 127.0.0.1:$RPORT check inter 2s backup
CFG
}
cfg "$HPORT" >"$WORK/haproxy.cfg"
cfg "$TPORT" >"$WORK/tripod.cfg"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=("$!")
"$ROOT/tripod" proxy -db -f "$WORK/tripod.cfg" >"$WORK/tripod.log" 2>&1 &
TPID=$!; PIDS+=("$TPID") # the launcher execs java, so this is the JVM
wait_port "$HPORT"; wait_port "$TPORT"

run() { # port pipeline -> "test,rps" lines (-P 16 runs 10x the requests: 200k would last ~0.3 s)
  redis-benchmark -p "$1" -t "$TESTS" -n $(($2 == 1 ? N : N * 10)) -c "$CLIENTS" -P "$2" --csv 2>/dev/null \
    | tail -n +2 | awk -F'","' '{gsub(/"/,"",$1); gsub(/"/,"",$2); print $1","$2}'
}

echo "redis-benchmark -t $TESTS -n $N (x10 with -P 16) -c $CLIENTS through $(haproxy -v | head -1 | cut -d' ' -f1-3) and tripod proxy (JDK: $(readlink -f /proc/$TPID/exe))"
printf '%-8s %4s %16s %16s %8s\n' test P haproxy_ops/s tripod_ops/s ratio
for P in 1 16; do
  # Warm the JVM once (JIT), then measure both proxies back to back.
  # (a -P 16 run of 200k requests lasts ~0.3 s: the JIT needs a longer warm-up than that)
  redis-benchmark -p "$TPORT" -t "$TESTS" -n $((P == 1 ? N / 2 : N * 5)) -c "$CLIENTS" -P "$P" -q >/dev/null 2>&1 || true
  # Two alternating rounds, best of each: the machine is shared, single runs are noisy.
  run "$HPORT" "$P" >"$WORK/h1.csv"; run "$TPORT" "$P" >"$WORK/t1.csv"
  run "$HPORT" "$P" >"$WORK/h2.csv"; run "$TPORT" "$P" >"$WORK/t2.csv"
  best() { sort -t, -k1,1 -k2,2gr "$1" "$2" | awk -F, '!seen[$1]++'; }
  best "$WORK/h1.csv" "$WORK/h2.csv" >"$WORK/h.csv"
  best "$WORK/t1.csv" "$WORK/t2.csv" >"$WORK/t.csv"
  join -t, <(sort "$WORK/h.csv") <(sort "$WORK/t.csv") | while IFS=, read -r name h t; do
    printf '%-8s %4s %16.0f %16.0f %8.2f\n' "$name" "$P" "$h" "$t" "$(echo "$t / $h" | bc -l)"
  done
done
