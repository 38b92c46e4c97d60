package io.tripod.server.repl;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.net.ClientHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * Clients blocked in WAIT (Redis's {@code clients_waiting_acks}): each waits until enough replicas
 * acknowledged its write offset, or its timeout passes; the reply is the number of replicas that
 * did. Event-loop owned.
 *
 * <p>The same registry holds the replies of writes under Tripod's {@code replica-ack-writes yes}:
 * after a command that fed the replication stream, its client is blocked ({@link #ACK_HOLD}), its
 * replies stay in its output buffer, and it reads no further command until every replica that
 * receives the stream acknowledged the write's offset (replicas that disconnect meanwhile are no
 * longer waited for), or {@code replica-ack-timeout} passes. So a write the client saw
 * acknowledged is on every replica Sentinel could promote, and a failover does not lose it.
 */
public final class WaitRegistry {
  /** The marker stored in {@link Client#blockedOn}. */
  public static final Object WAIT = new Object();
  /** The marker for a client whose write's reply waits for the replicas (replica-ack-writes). */
  public static final Object ACK_HOLD = new Object();

  /** {@code implicit}: a replica-ack-writes hold, which adds no reply of its own. */
  private record Waiter(Client client, long offset, int numReplicas, long deadlineMillis, boolean implicit) {}

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WaitRegistry.class);
  private long lastTimeoutLogMillis;
  /** Writes acknowledged without every replica because replica-ack-timeout passed. */
  public long ackTimeouts;

  private final Server server;
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean getAckPending;

  public WaitRegistry(Server server) {
    this.server = server;
  }

  public int size() {
    return waiters.size();
  }

  /**
   * WAIT numreplicas timeout. Replies at once when already satisfied (or inside MULTI), else
   * blocks the client and asks replicas for an ACK.
   */
  public void waitCommand(Client c, int numReplicas, long timeoutMillis) {
    Replication repl = server.repl;
    long offset = c.woff;
    int acked = repl.replicasAcked(offset);
    if (acked >= numReplicas || c.denyBlocking()) {
      c.integer(acked);
      return;
    }
    long deadline = timeoutMillis == 0 ? 0 : server.clock.millis() + timeoutMillis;
    waiters.add(new Waiter(c, offset, numReplicas, deadline, false));
    c.blockedOn = WAIT;
    if (timeoutMillis > 0) {
      server.schedule(this::check, timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    requestAcks();
  }

  /**
   * replica-ack-writes: {@code c} just wrote up to {@code offset}; hold its replies (and its next
   * commands) until every streaming replica acknowledged it. Nothing to wait for without replicas.
   */
  public void holdForAck(Client c, long offset) {
    Replication repl = server.repl;
    if (repl.link != null || c.isReplica || c.inMulti) {
      return;
    }
    int replicas = repl.streamingReplicas();
    if (replicas == 0 || repl.replicasAcked(offset) >= replicas) {
      return;
    }
    waiters.add(new Waiter(c, offset, replicas, server.clock.millis() + server.config.replicaAckTimeoutMillis, true));
    c.blockedOn = ACK_HOLD;
    requestAcks();
    if (!holdTimerPending) {
      // Timeouts are exceptional (a replica stalled): one timer at a time, not one per write.
      holdTimerPending = true;
      server.schedule(this::holdTimer, server.config.replicaAckTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  private boolean holdTimerPending;

  private void holdTimer() {
    holdTimerPending = false;
    check();
    long earliest = Long.MAX_VALUE;
    for (Waiter w : waiters) {
      if (w.implicit) {
        earliest = Math.min(earliest, w.deadlineMillis);
      }
    }
    if (earliest != Long.MAX_VALUE) {
      holdTimerPending = true;
      long delay = Math.max(1, earliest - server.clock.millis());
      server.schedule(this::holdTimer, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  private void requestAcks() {
    Replication repl = server.repl;
    if (!getAckPending) {
      getAckPending = true;
      // Once per loop turn, after every WAIT of this batch registered (Redis's beforeSleep).
      server.execute(() -> {
        getAckPending = false;
        repl.sendGetAck();
      });
    }
  }

  /** A replica acknowledged: serve the waiters it satisfies. */
  void ackReceived() {
    check();
  }

  void cron() {
    check();
  }

  private void check() {
    if (waiters.isEmpty()) {
      return;
    }
    long now = server.clock.millis();
    for (Waiter w : new ArrayList<>(waiters)) {
      if (w.client.isClosed()) {
        waiters.remove(w);
        continue;
      }
      int acked = server.repl.replicasAcked(w.offset);
      // A hold waits for the replicas that still stream: one that dropped out meanwhile has a
      // lower offset than those that acknowledged, and Sentinel promotes the highest offset.
      int needed = w.implicit ? Math.min(w.numReplicas, server.repl.streamingReplicas()) : w.numReplicas;
      if (acked >= needed || (w.deadlineMillis != 0 && now >= w.deadlineMillis)) {
        waiters.remove(w);
        w.client.blockedOn = null;
        if (w.implicit) {
          if (acked < needed) {
            ackTimeouts++;
            if (now - lastTimeoutLogMillis >= 10_000) {
              lastTimeoutLogMillis = now;
              log.warn("replica-ack-writes: a write was acknowledged after replica-ack-timeout ({} ms) with {} of {} "
                  + "replicas having it", server.config.replicaAckTimeoutMillis, acked, needed);
            }
          }
        } else {
          w.client.integer(acked);
        }
        server.markPendingWrite(w.client);
        Client c = w.client;
        server.execute(() -> ClientHandler.resume(c));
      }
    }
  }

  /** A blocked WAIT client disconnected or was unblocked. */
  public boolean remove(Client c, boolean reply) {
    for (Waiter w : waiters) {
      if (w.client == c) {
        waiters.remove(w);
        c.blockedOn = null;
        if (reply && !w.implicit) {
          c.integer(server.repl.replicasAcked(w.offset));
        }
        return true;
      }
    }
    return false;
  }
}
