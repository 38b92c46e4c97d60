#!/usr/bin/env bash
# False-failover check under CPU load: three sentinels (Tripod by default, or real redis-sentinel
# with --kind redis) watch a real redis-server master and two real replicas with a short
# down-after-milliseconds (1000). After discovery, BURNERS busy loops (`timeout` bounded, stopped
# by PID) saturate the machine for DURATION seconds while a probe polls every sentinel's
# SENTINEL MASTER for the master's last-ok-ping-reply. Then the sentinels' logs are counted:
# +sdown/+odown of the master, +try-failover, +switch-master, +tilt, and +sdown of any instance.
# The master never fails, so every failover counted is a false one. Not a test.
#
#   bench/sentinel-load.sh [--kind tripod|redis] [--duration 60] [--burners 4] [--down-after 1000]
# Environment: TRIPOD_JAVA_OPTS (JVM flags for the Tripod sentinels); KEEP=1 keeps the logs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIND=tripod
DURATION=60
BURNERS=4
DOWN_AFTER=1000
FAILOVER_TIMEOUT=3000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kind) KIND="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --burners) BURNERS="$2"; shift 2 ;;
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
[[ "$KIND" != tripod || -f "$JAR" ]] || "$ROOT/tripod" build
JAVA="${JAVA_HOME:-/usr}/bin/java"

mp=$(free_port); r1=$(free_port); r2=$(free_port)
redis-server --port "$mp" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/m.log" 2>&1 & PIDS+=("$!")
redis-server --port "$r1" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --replicaof 127.0.0.1 "$mp" >"$WORK/r1.log" 2>&1 & PIDS+=("$!")
redis-server --port "$r2" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" --replicaof 127.0.0.1 "$mp" >"$WORK/r2.log" 2>&1 & PIDS+=("$!")
wait_port "$mp"; wait_port "$r1"; wait_port "$r2"
SP=()
for i in 1 2 3; do
  p=$(free_port); SP+=("$p")
  printf 'port %s\nbind 127.0.0.1\nsentinel monitor redis-ha 127.0.0.1 %s 2\nsentinel down-after-milliseconds redis-ha %s\nsentinel failover-timeout redis-ha %s\n' \
    "$p" "$mp" "$DOWN_AFTER" "$FAILOVER_TIMEOUT" > "$WORK/s$i.conf"
  if [[ "$KIND" == tripod ]]; then
    "$JAVA" ${TRIPOD_JAVA_OPTS:--XX:+UseSerialGC -Xmx256m -XX:TieredStopAtLevel=1} -jar "$JAR" sentinel "$WORK/s$i.conf" --logfile "$WORK/s$i.log" >"$WORK/s$i.out" 2>&1 &
  else
    redis-sentinel "$WORK/s$i.conf" --logfile "$WORK/s$i.log" >/dev/null 2>&1 &
  fi
  PIDS+=("$!")
done
for p in "${SP[@]}"; do wait_port "$p"; done
for _ in $(seq 1 300); do
  ok=1
  for p in "${SP[@]}"; do
    out=$(redis-cli -p "$p" sentinel master redis-ha 2>/dev/null | tr '\n' ' ')
    [[ "$out" == *"num-slaves 2 "* && "$out" == *"num-other-sentinels 2 "* ]] || ok=0
  done
  (( ok )) && break; sleep 0.1
done
(( ok )) || { echo "discovery did not complete" >&2; exit 1; }
# Settle (replica sync, the first hellos), then mark where the loaded period starts in each log.
sleep 3
for i in 1 2 3; do wc -l < "$WORK/s$i.log" > "$WORK/s$i.start"; done

echo "$KIND sentinels: ${SP[*]}; master $mp, replicas $r1 $r2; down-after ${DOWN_AFTER} ms; $BURNERS burners for ${DURATION} s on $(nproc) cores"
BPIDS=()
for _ in $(seq 1 "$BURNERS"); do
  timeout "$DURATION" sh -c 'while :; do :; done' & BPIDS+=("$!")
done
# Probe: every 250 ms, each sentinel's view of the master's last-ok-ping-reply (ms).
python3 - "$DURATION" "${SP[@]}" <<'PY' || true
import socket, sys, time
dur = float(sys.argv[1]); ports = [int(p) for p in sys.argv[2:]]
def cmd(p, *args):
    s = socket.create_connection(("127.0.0.1", p), timeout=2)
    s.sendall(b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)]))
    buf = b""
    while True:
        d = s.recv(65536)
        if not d: break
        buf += d
        if buf.count(b"\r\n") >= 2 * (int(buf[1:buf.index(b"\r\n")]) + 1) - 1: break
    s.close()
    lines = buf.split(b"\r\n")[1:]
    vals = [l.decode() for i, l in enumerate(lines) if i % 2 == 1]
    return dict(zip(vals[0::2], vals[1::2]))
worst = {p: 0 for p in ports}; samples = 0; errors = 0
end = time.monotonic() + dur
while time.monotonic() < end:
    for p in ports:
        try:
            m = cmd(p, "SENTINEL", "MASTER", "redis-ha")
            worst[p] = max(worst[p], int(m.get("last-ok-ping-reply", "0")))
            samples += 1
        except (OSError, ValueError):
            errors += 1
    time.sleep(0.25)
print("probe: %d samples (%d failed); worst last-ok-ping-reply of the master per sentinel (ms): %s"
      % (samples, errors, " ".join("%d" % worst[p] for p in ports)))
PY
for p in "${BPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
for p in "${BPIDS[@]}"; do wait "$p" 2>/dev/null || true; done
sleep 2  # events raised at the very end of the load reach the logs

count() { # $1 = grep -E pattern; sums over the three logs, from each log's start mark
  local n=0 i c
  for i in 1 2 3; do
    c=$(tail -n +"$(( $(cat "$WORK/s$i.start") + 1 ))" "$WORK/s$i.log" | grep -cE "$1" || true)
    n=$(( n + c ))
  done
  echo "$n"
}
SDOWN_M=$(count "\+sdown master ")
ODOWN=$(count "\+odown ")
TRY=$(count "\+try-failover ")
SWITCH=$(count "\+switch-master ")
SDOWN_ANY=$(count "\+sdown ")
TILT=$(count "\+tilt ")
echo "$KIND under load: +sdown master=$SDOWN_M +odown=$ODOWN +try-failover=$TRY +switch-master=$SWITCH (+sdown any instance=$SDOWN_ANY, +tilt=$TILT)"
[[ "$(redis-cli -p "${SP[0]}" sentinel get-master-addr-by-name redis-ha | tail -1)" == "$mp" ]] || echo "master address CHANGED"
if (( SWITCH > 0 || TRY > 0 )); then echo "FALSE FAILOVER"; exit 1; fi
