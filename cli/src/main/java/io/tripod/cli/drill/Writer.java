package io.tripod.cli.drill;

import io.tripod.resp.RespValue;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The drill's writer: {@code SET k<seq> <seq>} through the read-write endpoint at a steady rate,
 * one request at a time, with a short timeout. Every new connection first asks the server behind
 * the proxy who it is ({@code CONFIG GET bind} and {@code INFO server}: address and run id), so
 * each attempt is attributed to a server process. Connections are renewed every {@code
 * reconnectNanos} (an application's pool opening connections) and after any error.
 *
 * <p>Attempt {@code i} has sequence number {@code i + 1}. The arrays are written by the writer
 * thread only and read by others after {@link Thread#join}; the volatile fields are for progress
 * checks while it runs.
 */
final class Writer implements Runnable {
  /** A server process seen behind the proxy. */
  record Backend(String node, String runId) {}

  private final FailoverDrill.HostPort rw;
  private final int timeoutMillis;
  private final long intervalNanos;
  private final long reconnectNanos;
  private final long t0;
  /** When attempt i was sent (nanos since t0). */
  final long[] sentAt;
  /** When attempt i was acknowledged with +OK, or -1. */
  final long[] ackAt;
  /** The backend (index into {@link #backends}) that served attempt i, or -1 when unknown. */
  final int[] backendOf;
  /** The writer's connection number for attempt i (diagnostics). */
  final int[] connOf;
  final List<Backend> backends = new CopyOnWriteArrayList<>();
  /** Attempts made so far. */
  volatile int attempts;
  volatile int acked;
  volatile int lastAckedSeq;
  volatile long lastAckAt = -1;
  volatile int lastAckBackend = -1;
  volatile long lastFailAt = -1;
  volatile String lastError = "";
  volatile int failures;
  volatile boolean stop;

  Writer(FailoverDrill.HostPort rw, int rate, long reconnectMillis, int timeoutMillis, int maxWrites, long t0) {
    this.rw = rw;
    this.timeoutMillis = timeoutMillis;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
    this.reconnectNanos = TimeUnit.MILLISECONDS.toNanos(reconnectMillis);
    this.t0 = t0;
    this.sentAt = new long[maxWrites];
    this.ackAt = new long[maxWrites];
    this.backendOf = new int[maxWrites];
    this.connOf = new int[maxWrites];
  }

  private long now() {
    return System.nanoTime() - t0;
  }

  @Override
  public void run() {
    RespConn c = null;
    long connectedAt = 0;
    int backend = -1;
    int conns = 0;
    long due = now();
    final long retryNanos = TimeUnit.MILLISECONDS.toNanos(10);
    int n = 0;
    while (!stop && n < sentAt.length) {
      long now = now();
      if (due > now) {
        LockSupport.parkNanos(due - now);
        continue;
      }
      // After a stall, do not burst to catch up.
      due = Math.max(due, now - intervalNanos) + intervalNanos;
      if (c != null && now - connectedAt >= reconnectNanos) {
        c.close();
        c = null;
      }
      if (c == null) {
        try {
          c = RespConn.open(rw, timeoutMillis);
          backend = identify(c);
          connectedAt = now();
          conns++;
        } catch (IOException e) {
          fail("connect: " + e.getMessage());
          if (c != null) {
            c.close();
            c = null;
          }
          due = now() + retryNanos;
          continue;
        }
      }
      int seq = n + 1;
      sentAt[n] = now();
      ackAt[n] = -1;
      backendOf[n] = backend;
      connOf[n] = conns;
      n++;
      attempts = n;
      try {
        RespValue r = c.call("SET", "k" + seq, Integer.toString(seq));
        long t = now();
        if (!r.isError() && "OK".equals(r.asString())) {
          ackAt[seq - 1] = t;
          acked++;
          lastAckedSeq = seq;
          lastAckBackend = backend;
          lastAckAt = t;
        } else {
          fail("SET: " + r.asString());
          c.close();
          c = null;
          due = now() + retryNanos;
        }
      } catch (IOException e) {
        fail("SET: " + e.getMessage());
        c.close();
        c = null;
        due = now() + retryNanos;
      }
    }
    if (c != null) {
      c.close();
    }
  }

  private void fail(String error) {
    lastError = error;
    failures++;
    lastFailAt = now();
  }

  /** Asks the server behind the proxy for its address and run id; returns its backend index. */
  private int identify(RespConn c) throws IOException {
    String[] id = c.identify();
    Backend b = new Backend(id[0], id[1]);
    int i = backends.indexOf(b);
    if (i < 0) {
      backends.add(b);
      i = backends.size() - 1;
    }
    return i;
  }
}
