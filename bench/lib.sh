# Helpers the bench scripts share; sourced, not run. Loopback only.

# A free loopback port (the kernel's choice).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits up to 20 s until the server on port $1 answers PING with PONG (not -LOADING).
wait_port() {
  for _ in $(seq 1 400); do redis-cli -p "$1" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.05; done
  echo "port $1 did not open" >&2; return 1
}

# $1 free ports from the range $PORTS ("lo-hi"). Servers started on them are awaited through
# their log line (wait_ready), never by connecting to a port that is not open yet (a loopback
# connect to a closed port in the ephemeral range can connect to itself and take the port).
free_ports() {
  python3 - "$1" "$PORTS" <<'PY'
import random, socket, sys
n = int(sys.argv[1]); lo, hi = map(int, sys.argv[2].split("-")); out = []
while len(out) < n:
    p = random.randint(lo, hi)
    if p in out:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); out.append(p)
    except OSError:
        pass
    finally:
        s.close()
print(" ".join(map(str, out)))
PY
}

# Waits for "Ready to accept connections" in the log $1. 0: ready; 2: its port was taken meanwhile
# (another process's ephemeral port); 1: timeout (300 s).
wait_ready() {
  for _ in $(seq 1 3000); do
    grep -q "Ready to accept connections" "$1" && return 0
    grep -q "Address already in use" "$1" && return 2
    sleep 0.1
  done
  echo "not ready: $1" >&2; return 1
}
