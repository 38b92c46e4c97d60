package io.tripod.cli.drill;

import io.tripod.resp.RespValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The drill's reader: {@code GET} of the last acknowledged key through the local read-only
 * endpoint every few milliseconds, with a short timeout, renewing its connection as the writer
 * does. An outage is the interval from the last successful read before a failure to the first
 * successful read after it (nanos since t0).
 */
final class Reader implements Runnable {
  private final FailoverDrill.HostPort ro;
  private final Writer writer;
  private final int timeoutMillis;
  private final long intervalNanos;
  private final long reconnectNanos;
  private final long t0;
  private final List<long[]> outages = new ArrayList<>();
  volatile long oks;
  volatile long fails;
  volatile long lastFailAt = -1;
  volatile String lastError = "";
  /** The server ("host:port") behind the endpoint on the current connection. */
  volatile String node = "";
  volatile boolean stop;
  /** The first failed reads: "seconds-since-t0 node error", for the report. */
  private final List<String> failures = new ArrayList<>();

  Reader(FailoverDrill.HostPort ro, Writer writer, long intervalMillis, long reconnectMillis, int timeoutMillis, long t0) {
    this.ro = ro;
    this.writer = writer;
    this.timeoutMillis = timeoutMillis;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    this.reconnectNanos = TimeUnit.MILLISECONDS.toNanos(reconnectMillis);
    this.t0 = t0;
  }

  private long now() {
    return System.nanoTime() - t0;
  }

  /** The first failed reads, oldest first. */
  synchronized List<String> failures() {
    return new ArrayList<>(failures);
  }

  /** The outage intervals {start, end}; call after the thread ended. */
  synchronized List<long[]> outages() {
    return new ArrayList<>(outages);
  }

  @Override
  public void run() {
    RespConn c = null;
    long connectedAt = 0;
    long lastOk = now();
    boolean failing = false;
    long due = now();
    while (!stop) {
      long now = now();
      if (due > now) {
        LockSupport.parkNanos(due - now);
        continue;
      }
      due = Math.max(due, now - intervalNanos) + intervalNanos;
      try {
        if (c != null && now - connectedAt >= reconnectNanos) {
          c.close();
          c = null;
        }
        if (c == null) {
          node = "";
          c = RespConn.open(ro, timeoutMillis);
          node = c.identify()[0];
          connectedAt = now();
        }
        RespValue r = c.call("GET", "k" + writer.lastAckedSeq);
        if (r.isError()) {
          throw new IOException(r.asString());
        }
        long t = now();
        if (failing) {
          synchronized (this) {
            outages.add(new long[] {lastOk, t});
          }
          failing = false;
        }
        lastOk = t;
        oks++;
      } catch (IOException e) {
        failing = true;
        lastError = e.getMessage();
        fails++;
        lastFailAt = now();
        synchronized (this) {
          if (failures.size() < 50) {
            failures.add(String.format(java.util.Locale.ROOT, "%.3f %s %s", (lastFailAt) / 1e9,
                node.isEmpty() ? "(connecting)" : node, e.getMessage()));
          }
        }
        if (c != null) {
          c.close();
          c = null;
        }
      }
    }
    if (failing) {
      synchronized (this) {
        outages.add(new long[] {lastOk, now()});
      }
    }
    if (c != null) {
      c.close();
    }
  }
}
