#!/usr/bin/env bash
# Issue #4 benchmark: replication under load and full-sync latency, Tripod beside real Redis in
# the same run. Not a test: it prints numbers and never fails the build.
#
#   bench/replication-bench.sh [--replicas "3 16"] [--seconds 30] [--keys 1000000 | --no-sync]
#                              [--servers "redis tripod"]
#
# Part 1: a master and N replicas; 4 KB values written pipelined for S seconds; prints write MB/s,
#         the worst replica lag seen (bytes and seconds behind) and full resyncs after the first.
# Part 2: bench/fullsync-bench.sh: a master with K keys; a replica attaches; prints the time to
#         sync and the worst latency of a PING and a SET sent to the master every 1 ms meanwhile.
# Environment: TRIPOD_JAVA_OPTS (JVM flags for Tripod; default: the launcher's), PORTS ("lo-hi",
# default 36000-37999). Lag in seconds = the worst bytes behind / the write rate; max_lag_bytes
# compares with the replicas' ACKed offsets (up to 1 s old), live_lag_bytes with each replica's
# own slave_repl_offset (INFO on the replica, then on the master).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPLICAS="3 16"
SECONDS_LOAD=30
KEYS=1000000
SERVERS="redis tripod"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replicas) REPLICAS="$2"; shift 2 ;;
    --seconds) SECONDS_LOAD="$2"; shift 2 ;;
    --keys) KEYS="$2"; shift 2 ;;
    --no-sync) KEYS=0; shift ;;
    --servers) SERVERS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
"$ROOT/tripod" build >/dev/null 2>&1 || "$ROOT/tripod" build
PORTS="${PORTS:-36000-37999}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"; }
trap cleanup EXIT
source "$ROOT/bench/lib.sh"
# start_ready kind index dir: waits for server ports[index]; on a lost port, starts it again on
# another one (ports[index] is updated).
start_ready() {
  local kind="$1" i="$2" dir="$3" rc
  for _ in 1 2 3 4 5; do
    rc=0; wait_ready "$dir/log" || rc=$?
    (( rc == 0 )) && return 0
    (( rc == 1 )) && return 1
    read -r "ports[$i]" < <(free_ports 1)
    echo "port lost, restarting $dir on ${ports[$i]}" >&2
    start "$kind" "${ports[$i]}" "$dir"
  done
  return 1
}

start() { # kind port dir extra... (appends the pid to PIDS)
  local kind="$1" port="$2" dir="$3"; shift 3
  mkdir -p "$dir"
  if [[ "$kind" == redis ]]; then
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no "$@" >"$dir/log" 2>&1 &
  else
    "$ROOT/tripod" server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" "$@" >"$dir/log" 2>&1 &
  fi
  PIDS+=("$!"); disown "$!"
}
info() { redis-cli -p "$1" info "$2" 2>/dev/null | tr -d '\r'; }
field() { awk -F: -v f="$2" '$1==f {print $2}' <<<"$1"; }

load_test() { # kind replicas
  local kind="$1" n="$2" ports mport
  read -r -a ports < <(free_ports $((n + 1)))
  mport=${ports[0]}
  start "$kind" "$mport" "$WORK/$kind-m$n"
  start_ready "$kind" 0 "$WORK/$kind-m$n"
  mport=${ports[0]}
  # Every server listens before any replica connects: a replica's outgoing connection takes an
  # ephemeral port, which could be one of the ports chosen for a server still starting.
  for i in $(seq 1 "$n"); do
    start "$kind" "${ports[$i]}" "$WORK/$kind-r$n-$i"
  done
  for i in $(seq 1 "$n"); do
    start_ready "$kind" "$i" "$WORK/$kind-r$n-$i"
  done
  for i in $(seq 1 "$n"); do
    redis-cli -p "${ports[$i]}" replicaof 127.0.0.1 "$mport" >/dev/null
  done
  for i in $(seq 1 "$n"); do
    for _ in $(seq 1 1200); do [[ "$(field "$(info "${ports[$i]}" replication)" master_link_status)" == up ]] && break; sleep 0.1; done
  done
  local full0; full0=$(field "$(info "$mport" stats)" sync_full)
  local off0; off0=$(field "$(info "$mport" replication)" master_repl_offset)
  local t0; t0=$(date +%s.%N)
  timeout "$SECONDS_LOAD" redis-benchmark -p "$mport" -t set -d 4096 -P 16 -c 20 -n 100000000 -r 100000 -q >/dev/null 2>&1 &
  local bpid=$!
  local maxlag=0 maxlagsec=0 minslaves=$n livelag=0
  while kill -0 "$bpid" 2>/dev/null; do
    local rep; rep=$(info "$mport" replication)
    local moff; moff=$(field "$rep" master_repl_offset)
    local cs; cs=$(field "$rep" connected_slaves)
    if [[ -n "$cs" ]] && (( cs < minslaves )); then minslaves=$cs; fi
    while read -r line; do
      local off; off=$(sed -n 's/.*offset=\([0-9]*\).*/\1/p' <<<"$line")
      local lag; lag=$(sed -n 's/.*lag=\([0-9]*\).*/\1/p' <<<"$line")
      if [[ -n "$off" && -n "$moff" ]] && (( moff - off > maxlag )); then maxlag=$((moff - off)); fi
      if [[ -n "$lag" ]] && (( lag > maxlagsec )); then maxlagsec=$lag; fi
    done < <(grep '^slave[0-9]*:' <<<"$rep" || true)
    # The live lag: the replica's own applied offset, then the master's (read right after, so
    # the figure errs on the high side), without the up-to-1 s age of the replicas' ACKs.
    for i in $(seq 1 "$n"); do
      local roff; roff=$(field "$(info "${ports[$i]}" replication)" slave_repl_offset)
      local mnow; mnow=$(field "$(info "$mport" replication)" master_repl_offset)
      if [[ -n "$roff" && -n "$mnow" ]] && (( mnow - roff > livelag )); then livelag=$((mnow - roff)); fi
    done
    sleep 0.5
  done
  wait "$bpid" 2>/dev/null || true
  local t1; t1=$(date +%s.%N)
  local off1; off1=$(field "$(info "$mport" replication)" master_repl_offset)
  local full1; full1=$(field "$(info "$mport" stats)" sync_full)
  local mbs; mbs=$(echo "($off1 - $off0) / ($t1 - $t0) / 1048576" | bc -l)
  local lagsec; lagsec=$(echo "$maxlag / 1048576 / ($mbs + 0.000001)" | bc -l)
  local livesec; livesec=$(echo "$livelag / 1048576 / ($mbs + 0.000001)" | bc -l)
  printf '%-7s %9s %12.1f %16s %14.2f %13s %14s %12s %15s %13.2f\n' "$kind" "$n" "$mbs" "$maxlag" "$lagsec" "$maxlagsec" \
    "$((full1 - full0))" "$minslaves" "$livelag" "$livesec"
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  PIDS=()
}

echo "Part 1: SET of 4 KB values, pipelined (-P 16 -c 20), ${SECONDS_LOAD}s"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); tripod JVM: ${TRIPOD_JAVA_OPTS:-launcher default}"
printf '%-7s %9s %12s %16s %14s %13s %14s %12s %15s %13s\n' server replicas write_MB/s max_lag_bytes lag_bytes_sec info_lag_sec extra_full_syncs min_online live_lag_bytes live_lag_sec
for n in $REPLICAS; do
  for kind in $SERVERS; do
    load_test "$kind" "$n"
  done
done

if (( KEYS > 0 )); then
  echo
  PORTS="$PORTS" "$ROOT/bench/fullsync-bench.sh" --keys "$KEYS"
fi
