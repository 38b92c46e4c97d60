#!/usr/bin/env bash
# Sentinel failover benchmark: three sentinels (Tripod, then real redis-sentinel, in the same run)
# watch a real redis-server master with two real replicas, using the seed's settings
# (quorum 2, down-after-milliseconds 3000, failover-timeout 6000). Each round kill -9s the master
# and measures, from the kill: the time until +switch-master was published by every sentinel
# (last of the three), and the time until the first write accepted by the new master.
# Prints per-round numbers, then median and max per implementation. Not a test.
#
#   bench/sentinel-bench.sh [-r rounds] [--only tripod|redis]
# Environment: TRIPOD_JAVA_OPTS (JVM flags for the Tripod sentinels); KEEP=1 keeps the logs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=5
ONLY=""
DOWN_AFTER=3000
FAILOVER_TIMEOUT=6000
while [[ $# -gt 0 ]]; do
  case "$1" in
    -r) ROUNDS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --down-after) DOWN_AFTER="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

source "$ROOT/bench/lib.sh"

WORK="$(mktemp -d)"
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done; PIDS=(); }
cleanup() { stop_all; if [[ -n "${KEEP:-}" ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

JAR="$ROOT/cli/target/tripod.jar"
[[ -f "$JAR" ]] || "$ROOT/tripod" build
JAVA="${JAVA_HOME:-/usr}/bin/java"

# The measuring probe: subscribes to +switch-master on every sentinel, kills the master, then
# polls the replicas with SET until one accepts. Prints "<last switch ms> <first write ms>".
cat > "$WORK/probe.py" <<'PY'
import socket, sys, time, os, select, signal
master_pid = int(sys.argv[1]); sentinels = [int(p) for p in sys.argv[2].split(",")]
replicas = [int(p) for p in sys.argv[3].split(",")]
def resp(*args):
    return b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)])
subs = {}
for p in sentinels:
    s = socket.create_connection(("127.0.0.1", p)); s.sendall(resp("SUBSCRIBE", "+switch-master"))
    buf = b""
    while buf.count(b"\r\n") < 6: buf += s.recv(4096)
    subs[s] = p
seen = {}
t0 = time.monotonic(); os.kill(master_pid, signal.SIGKILL)
write_ms = None; deadline = t0 + 90
conns = {}
while time.monotonic() < deadline and (len(seen) < len(sentinels) or write_ms is None):
    r, _, _ = select.select(list(subs), [], [], 0.01)
    for s in r:
        data = s.recv(65536)
        if b"+switch-master" in data and subs[s] not in seen:
            seen[subs[s]] = (time.monotonic() - t0) * 1000
    if write_ms is None:
        for p in replicas:
            try:
                c = conns.get(p)
                if c is None:
                    c = socket.create_connection(("127.0.0.1", p), timeout=0.2); conns[p] = c
                c.sendall(resp("SET", "bench", "1")); reply = c.recv(4096)
                if reply.startswith(b"+OK"):
                    write_ms = (time.monotonic() - t0) * 1000; break
            except OSError:
                conns.pop(p, None)
last = max(seen.values()) if len(seen) == len(sentinels) else float("nan")
print("%.0f %.0f" % (last, write_ms if write_ms is not None else float("nan")))
PY

run_round() { # $1 = tripod|redis
  local kind="$1" d="$WORK/$kind-$2"; mkdir -p "$d"
  local mp r1 r2; mp=$(free_port); r1=$(free_port); r2=$(free_port)
  redis-server --port "$mp" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" >"$d/m.log" 2>&1 & local mpid=$!; PIDS+=("$mpid")
  redis-server --port "$r1" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" --replicaof 127.0.0.1 "$mp" >"$d/r1.log" 2>&1 & PIDS+=("$!")
  redis-server --port "$r2" --bind 127.0.0.1 --save '' --appendonly no --dir "$d" --replicaof 127.0.0.1 "$mp" >"$d/r2.log" 2>&1 & PIDS+=("$!")
  wait_port "$mp"; wait_port "$r1"; wait_port "$r2"
  local sp=() i p
  for i in 1 2 3; do
    p=$(free_port); sp+=("$p")
    printf 'port %s\nbind 127.0.0.1\nsentinel monitor redis-ha 127.0.0.1 %s 2\nsentinel down-after-milliseconds redis-ha %s\nsentinel failover-timeout redis-ha %s\n' \
      "$p" "$mp" "$DOWN_AFTER" "$FAILOVER_TIMEOUT" > "$d/s$i.conf"
    if [[ "$kind" == tripod ]]; then
      "$JAVA" ${TRIPOD_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1} -jar "$JAR" sentinel "$d/s$i.conf" --logfile "$d/s$i.log" >/dev/null 2>&1 &
    else
      redis-sentinel "$d/s$i.conf" --logfile "$d/s$i.log" >/dev/null 2>&1 &
    fi
    PIDS+=("$!")
  done
  for p in "${sp[@]}"; do wait_port "$p"; done
  # Discovery: every sentinel knows 2 replicas and 2 other sentinels.
  for _ in $(seq 1 300); do
    local ok=1
    for p in "${sp[@]}"; do
      local out; out=$(redis-cli -p "$p" sentinel master redis-ha 2>/dev/null | tr '\n' ' ')
      [[ "$out" == *"num-slaves 2 "* && "$out" == *"num-other-sentinels 2 "* ]] || ok=0
    done
    (( ok )) && break; sleep 0.1
  done
  # Steady state: both replicas finished their initial sync (repl-diskless-sync-delay is 5 s).
  for _ in $(seq 1 300); do
    [[ "$(redis-cli -p "$r1" info replication | tr -d '\r' | grep master_link_status)" == *up* &&
       "$(redis-cli -p "$r2" info replication | tr -d '\r' | grep master_link_status)" == *up* ]] && break
    sleep 0.1
  done
  redis-cli -p "$mp" set warmup 1 >/dev/null; sleep 1
  python3 "$WORK/probe.py" "$mpid" "$(IFS=,; echo "${sp[*]}")" "$r1,$r2"
  stop_all
}

stats() { python3 -c 'import sys,statistics as s; v=[float(x) for x in sys.argv[1:] if x!="nan"]; print("median %6.0f ms  max %6.0f ms  (n=%d)" % (s.median(v), max(v), len(v)) if v else "no data")' "$@"; }

for kind in tripod redis; do
  [[ -n "$ONLY" && "$ONLY" != "$kind" ]] && continue
  SW=(); WR=()
  for r in $(seq 1 "$ROUNDS"); do
    read -r sw wr < <(run_round "$kind" "$r")
    echo "$kind round $r: +switch-master on all 3 after ${sw} ms, first write on new master after ${wr} ms"
    SW+=("$sw"); WR+=("$wr")
  done
  echo "$kind  +switch-master (last of 3): $(stats "${SW[@]}")"
  echo "$kind  first accepted write:       $(stats "${WR[@]}")"
done
