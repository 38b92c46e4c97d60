"""Writes through redis-py's Sentinel support in a bounded loop (ClientsIT).

usage: redis_py_writer.py <sentinel-port,...> <max-seconds>
Prints "ok <acknowledged writes> <master port>" every 20 acknowledged writes; errors (failover
in progress) are retried after 50 ms. Stops by itself after <max-seconds>.
"""
import sys
import time

import redis
from redis.sentinel import Sentinel

ports = [int(p) for p in sys.argv[1].split(",")]
deadline = time.monotonic() + float(sys.argv[2])
sentinel = Sentinel([("127.0.0.1", p) for p in ports], socket_timeout=1.0)
master = sentinel.master_for("mymaster", socket_timeout=1.0)
ok = 0
i = 0
while time.monotonic() < deadline:
    try:
        master.set("py%d" % (i % 100), i)
        ok += 1
        if ok % 20 == 0:
            addr = master.connection_pool.master_address
            print("ok %d %s" % (ok, addr[1] if addr else "?"), flush=True)
    except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as e:
        print("err %s" % type(e).__name__, flush=True)
        time.sleep(0.05)
    i += 1
print("done %d" % ok, flush=True)
