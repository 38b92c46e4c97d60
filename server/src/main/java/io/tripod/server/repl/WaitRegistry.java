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
 */
public final class WaitRegistry {
  /** The marker stored in {@link Client#blockedOn}. */
  public static final Object WAIT = new Object();

  private record Waiter(Client client, long offset, int numReplicas, long deadlineMillis) {}

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
    waiters.add(new Waiter(c, offset, numReplicas, deadline));
    c.blockedOn = WAIT;
    if (timeoutMillis > 0) {
      server.schedule(this::check, timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
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
      if (acked >= w.numReplicas || (w.deadlineMillis != 0 && now >= w.deadlineMillis)) {
        waiters.remove(w);
        w.client.blockedOn = null;
        w.client.integer(acked);
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
        if (reply) {
          c.integer(server.repl.replicasAcked(w.offset));
        }
        return true;
      }
    }
    return false;
  }
}
