#!/usr/bin/env bash
# Failover through the endpoints (issue #7): the end-to-end drill (`tripod drill`, see
# cli/.../drill/FailoverDrill.java) on the real stack (redis-server, redis-sentinel and haproxy with
# the seed's configs from examples/seed/) and on `tripod up`, N rounds each, alternating.
# Each round starts a fresh topology on loopback (servers 127.0.1.1-3, endpoints 127.0.0.1-3, local
# replica 127.0.0.4) on a free base port P (sentinels on P+10000), then the drill: a writer through
# the read-write endpoint, a reader through the local read-only endpoint; kill -9 the master,
# restart it with its original command line, kill -9 the new master. Prints per round and the
# median of: seconds until writes resume on 127.0.0.1:P after each kill, seconds of read outage on
# 127.0.0.3:P, acknowledged writes lost, writes that reached the restarted old master (acknowledged
# / tried); then the Tripod/real ratio of the resume times. Not a test.
#
#   bench/failover-bench.sh [-r rounds] [--only tripod|real] [--rate writes_per_s]
# Environment: KEEP=1 keeps the logs.
#
# The real stack runs exactly as `tripod up` runs Tripod: each server with --bind-source-addr
# 127.0.1.x (its replication connections leave from its own address, as from its own host), each
# sentinel with `sentinel announce-ip 127.0.1.x`, the local replica announcing 127.0.0.5 with
# replica-priority 0 (see UpMain), every process in the foreground and stopped by PID.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3
ONLY=""
RATE=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    -r) ROUNDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for b in redis-server redis-sentinel haproxy python3; do
  command -v "$b" >/dev/null || { echo "$b not installed" >&2; exit 1; }
done

JAR="$ROOT/cli/target/tripod.jar"
[[ -f "$JAR" ]] || "$ROOT/tripod" build
JAVA="${JAVA_HOME:-/usr}/bin/java"
SEED="$ROOT/examples/seed"

WORK="$(mktemp -d)"
PIDS=()
# Stops what the round started (by PID), and any node the drill restarted (its pid file).
stop_all() {
  local p f
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true
  done
  PIDS=()
  for f in "$1"/r?/server.pid; do
    [[ -f "$f" ]] || continue
    p=$(cat "$f")
    local i=${f%/server.pid}; i=${i##*/r}
    # Ours if its command line names the round's directory (tripod), or, as redis-server replaces
    # its command line with "redis-server <addr>:<port>", if it names the node's address.
    if [[ -n "$p" && -r "/proc/$p/cmdline" ]] && tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -e "$1" -e "127\.0\.1\.$i:"; then
      kill "$p" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null || true
    fi
  done
}
CURRENT=""
cleanup() { [[ -n "$CURRENT" ]] && stop_all "$CURRENT"; if [[ -n "${KEEP:-}" ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# A base port P free on every address the topology binds (P, and P+10000 on the sentinels' hosts).
free_base_port() {
  python3 - <<'PY'
import random, socket
def free(port, hosts):
    for h in hosts:
        s = socket.socket()
        try:
            s.bind((h, port))
        except OSError:
            return False
        finally:
            s.close()
    return True
for _ in range(200):
    p = random.randrange(32000, 34000)
    if free(p, ["127.0.0.%d" % i for i in range(1, 6)] + ["127.0.1.%d" % i for i in range(1, 4)]) \
            and free(p + 10000, ["127.0.1.%d" % i for i in range(1, 4)]):
        print(p); break
PY
}

# The seed's file with its ports moved (as UpMain does).
seed() { sed -e "s/16379/$3/g" -e "s/6379/$2/g" "$SEED/$1"; }

start_real() { # dir port
  local d="$1" p="$2" sp=$(( $2 + 10000 )) i
  for i in 1 2 3; do
    mkdir -p "$d/r$i" "$d/s$i"
    seed "r${i}_redis.conf" "$p" "$sp" >"$d/r$i/redis.conf"
    printf '%s\n' "$(command -v redis-server)" "$d/r$i/redis.conf" --daemonize no --dir "$d/r$i" \
      --pidfile "$d/r$i/server.pid" --logfile "$d/r$i/server.log" --bind-source-addr "127.0.1.$i" >"$d/r$i/cmdline"
    mapfile -t cmd <"$d/r$i/cmdline"
    "${cmd[@]}" >"$d/r$i/stdout.log" 2>&1 &
    PIDS+=("$!"); disown "$!" # the drill kills it: no "Killed" job report
  done
  for i in 1 2 3; do
    for _ in $(seq 1 300); do redis-cli -h "127.0.1.$i" -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  for i in 1 2 3; do
    { seed "r${i}_sentinel.conf" "$p" "$sp"; echo "sentinel announce-ip 127.0.1.$i"; } >"$d/s$i/sentinel.conf"
    redis-sentinel "$d/s$i/sentinel.conf" --daemonize no --dir "$d/s$i" --pidfile "$d/s$i/sentinel.pid" \
      --logfile "$d/s$i/sentinel.log" >"$d/s$i/stdout.log" 2>&1 &
    PIDS+=("$!")
  done
  mkdir -p "$d/proxy" "$d/local"
  seed haproxy.cfg "$p" "$sp" >"$d/proxy/haproxy.cfg"
  haproxy -db -f "$d/proxy/haproxy.cfg" >"$d/proxy/haproxy.log" 2>&1 &
  PIDS+=("$!")
  seed local_redis.conf "$p" "$sp" >"$d/local/redis.conf"
  redis-server "$d/local/redis.conf" --daemonize no --dir "$d/local" --pidfile "$d/local/server.pid" \
    --logfile "$d/local/server.log" --replica-announce-ip 127.0.0.5 --replica-priority 0 >"$d/local/stdout.log" 2>&1 &
  PIDS+=("$!")
}

drill() { # kind dir port -> the DRILL summary line (or FAILED)
  local kind="$1" d="$2" p="$3" sp=$(( $3 + 10000 )) args out
  if [[ "$kind" == tripod ]]; then
    args=(--up "$d" --port "$p")
  else
    args=(--rw "127.0.0.1:$p" --ro "127.0.0.3:$p" --local "127.0.0.4:$p"
      --sentinel "127.0.1.1:$sp,127.0.1.2:$sp,127.0.1.3:$sp")
    for i in 1 2 3; do args+=(--node "127.0.1.$i:$p,$d/r$i/server.pid,$d/r$i/cmdline"); done
  fi
  "$JAVA" -Xmx512m -jar "$JAR" drill "${args[@]}" --rate "$RATE" >"$d.drill.log" 2>&1 || true
  out=$(grep '^DRILL ' "$d.drill.log" || true)
  echo "${out:-FAILED $(tail -1 "$d.drill.log")}"
}

run_round() { # kind round
  local kind="$1" d="$WORK/$1-$2" p
  p=$(free_base_port)
  CURRENT="$d"; mkdir -p "$d"
  if [[ "$kind" == tripod ]]; then
    "$JAVA" -jar "$JAR" up --dir "$d" --port "$p" >"$d.up.log" 2>&1 &
    PIDS+=("$!")
  else
    start_real "$d" "$p"
  fi
  drill "$kind" "$d" "$p"
  stop_all "$d"; CURRENT=""
}

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
median() { python3 -c 'import sys,statistics as s; v=[float(x) for x in sys.argv[1:] if x not in ("", "nan", "inf")]; print("%.2f" % s.median(v) if v else "nan")' "$@"; }

declare -A R1 R3 RO LOST OLDA OLDT
for r in $(seq 1 "$ROUNDS"); do
  for kind in real tripod; do
    [[ -n "$ONLY" && "$ONLY" != "$kind" ]] && continue
    run_round "$kind" "$r" >"$WORK/line"
    line=$(cat "$WORK/line")
    if [[ "$line" != DRILL* ]]; then echo "$kind round $r: $line"; continue; fi
    printf '%-6s round %d: writes resume after %6.2f s (1st kill) %6.2f s (2nd kill); read outage %5.2f s;' \
      "$kind" "$r" "$(field "$line" resume1)" "$(field "$line" resume3)" "$(field "$line" read_outage)"
    printf ' acked writes lost %5d; old master took %5d acked / %5d tried\n' \
      "$(field "$line" lost)" "$(field "$line" oldmaster_acked)" "$(field "$line" oldmaster_tried)"
    R1[$kind]+=" $(field "$line" resume1)"; R3[$kind]+=" $(field "$line" resume3)"
    RO[$kind]+=" $(field "$line" read_outage)"; LOST[$kind]+=" $(field "$line" lost)"
    OLDA[$kind]+=" $(field "$line" oldmaster_acked)"; OLDT[$kind]+=" $(field "$line" oldmaster_tried)"
  done
done
echo
printf '%-7s %14s %14s %14s %12s %16s %16s\n' median resume_1st_s resume_2nd_s read_outage_s acked_lost oldmaster_acked oldmaster_tried
for kind in real tripod; do
  [[ -z "${R1[$kind]:-}" ]] && continue
  # shellcheck disable=SC2086
  printf '%-7s %14s %14s %14s %12s %16s %16s\n' "$kind" "$(median ${R1[$kind]})" "$(median ${R3[$kind]})" \
    "$(median ${RO[$kind]})" "$(median ${LOST[$kind]})" "$(median ${OLDA[$kind]})" "$(median ${OLDT[$kind]})"
done
if [[ -n "${R1[real]:-}" && -n "${R1[tripod]:-}" ]]; then
  # shellcheck disable=SC2086
  python3 -c 'import sys; t1,r1,t3,r3=map(float,sys.argv[1:]); print("tripod/real resume time: %.2f (1st kill), %.2f (2nd kill); target < 0.5" % (t1/r1, t3/r3))' \
    "$(median ${R1[tripod]})" "$(median ${R1[real]})" "$(median ${R3[tripod]})" "$(median ${R3[real]})"
fi
