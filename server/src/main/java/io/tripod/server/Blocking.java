package io.tripod.server;

import io.netty.util.concurrent.ScheduledFuture;
import io.tripod.server.Client.ByteKey;
import io.tripod.server.commands.Args;
import io.tripod.server.db.Database;
import io.tripod.server.net.ClientHandler;
import io.tripod.server.util.Bytes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK...), as Redis's {@code blocked.c}.
 *
 * <p>A blocking command that finds no data calls {@link #block} with the keys, an absolute timeout
 * and a {@link Waiter} that knows how to serve it. Writes that can feed a waiter (a push, an add, a
 * key created by RENAME) call {@link #signalKeyAsReady}; after every top-level command the server
 * calls {@link #handleReadyKeys}, which offers each ready key to its waiters in the order they
 * blocked (Redis's fairness rule) until one of them declines (the key ran dry). A served client is
 * unblocked and the requests it pipelined behind the blocking command run next.
 *
 * <p>Thread safety: event-loop owned, like everything in {@link Server}.
 */
public final class Blocking {
  /** What a blocked client waits with. */
  public interface Waiter {
    /**
     * Offers a ready key. Returns true when the client was served (its reply written, the change
     * applied and propagated); false when there was nothing for it, and it stays blocked.
     */
    boolean tryServe(Client c, Database db, byte[] key);

    /** The reply when the timeout passes (or CLIENT UNBLOCK ... TIMEOUT). */
    void timeout(Client c);

    /**
     * Whether a decline means the key ran dry for the waiters behind this one (lists, sorted
     * sets). Stream readers decline for reasons of their own and return false.
     */
    default boolean declineStopsKey() {
      return true;
    }
  }

  private record DbKey(int db, ByteKey key) {}

  private static final class Blocked {
    final Client client;
    final Database db;
    final List<DbKey> keys = new ArrayList<>();
    final Waiter waiter;
    ScheduledFuture<?> timer;

    Blocked(Client client, Database db, Waiter waiter) {
      this.client = client;
      this.db = db;
      this.waiter = waiter;
    }
  }

  /** The marker stored in {@link Client#blockedOn} for clients blocked on keys. */
  public static final Object KEYS = new Object();

  private final Server server;
  private final Map<DbKey, LinkedHashSet<Blocked>> waitersByKey = new LinkedHashMap<>();
  private final Map<Client, Blocked> byClient = new LinkedHashMap<>();
  private final LinkedHashSet<DbKey> readyKeys = new LinkedHashSet<>();
  private boolean handling;

  Blocking(Server server) {
    this.server = server;
  }

  public int blockedClients() {
    return byClient.size() + server.pausedClients.size();
  }

  public int blockedKeys() {
    return waitersByKey.size();
  }

  /**
   * Parses a blocking timeout in seconds (fractions allowed) as Redis 7.0's {@code
   * getTimeoutFromObjectOrReply}: returns an absolute unix-ms deadline, 0 for "forever", or -1
   * after replying the error.
   */
  public static long parseTimeoutSeconds(Client c, byte[] arg) {
    Double d = Args.parseDouble(arg);
    if (d == null) {
      c.err("timeout is not a float or out of range");
      return -1;
    }
    // Redis rounds up to whole milliseconds (0.0001 waits 1 ms, it does not mean "forever"), and
    // its C cast turns out-of-range values (inf, 1e100) into LLONG_MIN: "timeout is negative".
    double ms = Math.ceil(d * 1000.0);
    if (!(ms < 9.223372036854775807E18)) {
      c.err("timeout is negative");
      return -1;
    }
    return absolute(c, (long) ms);
  }

  /** Same for a timeout given in milliseconds (XREAD BLOCK). */
  public static long parseTimeoutMillis(Client c, byte[] arg) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null) {
      c.err("timeout is not an integer or out of range");
      return -1;
    }
    return absolute(c, v);
  }

  private static long absolute(Client c, long millis) {
    if (millis < 0) {
      c.err("timeout is negative");
      return -1;
    }
    if (millis == 0) {
      return 0;
    }
    long now = c.server.now();
    if (millis > Long.MAX_VALUE - now) {
      c.err("timeout is out of range");
      return -1;
    }
    return now + millis;
  }

  /** Blocks {@code c} on {@code keys} of {@code db} until served, timed out or unblocked. */
  public void block(Client c, Database db, List<byte[]> keys, long timeoutAtMillis, Waiter waiter) {
    assert server.inEventLoop();
    Blocked b = new Blocked(c, db, waiter);
    for (byte[] k : keys) {
      DbKey dk = new DbKey(db.id, new ByteKey(k));
      if (!b.keys.contains(dk)) {
        b.keys.add(dk);
        waitersByKey.computeIfAbsent(dk, x -> new LinkedHashSet<>()).add(b);
      }
    }
    byClient.put(c, b);
    c.blockedOn = KEYS;
    if (timeoutAtMillis > 0) {
      long delay = Math.max(0, timeoutAtMillis - server.clock.millis());
      b.timer = server.schedule(() -> onTimeout(b), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void onTimeout(Blocked b) {
    if (byClient.get(b.client) != b) {
      return;
    }
    remove(b);
    b.waiter.timeout(b.client);
    resume(b.client);
  }

  /** A key got data a waiter may want (pushes, adds, keys created by RENAME/MOVE/COPY/RESTORE). */
  public void signalKeyAsReady(Database db, byte[] key) {
    if (waitersByKey.isEmpty()) {
      return;
    }
    DbKey dk = new DbKey(db.id, new ByteKey(key));
    if (waitersByKey.containsKey(dk)) {
      readyKeys.add(dk);
    }
  }

  /** FLUSHDB/FLUSHALL: every waited key of {@code dbId} (-1: all) is offered (it is gone). */
  public void signalDb(int dbId) {
    for (DbKey dk : waitersByKey.keySet()) {
      if (dbId < 0 || dk.db() == dbId) {
        readyKeys.add(dk);
      }
    }
  }

  public boolean hasReadyKeys() {
    return !readyKeys.isEmpty();
  }

  /**
   * Serves waiters of every ready key (Redis's {@code handleClientsBlockedOnKeys}). Serving can make
   * more keys ready (BLMOVE pushes into its destination), so it loops until none is left.
   */
  public void handleReadyKeys() {
    if (handling || readyKeys.isEmpty()) {
      return;
    }
    handling = true;
    List<Client> served = new ArrayList<>();
    try {
      while (!readyKeys.isEmpty()) {
        DbKey dk = readyKeys.iterator().next();
        readyKeys.remove(dk);
        LinkedHashSet<Blocked> waiters = waitersByKey.get(dk);
        if (waiters == null) {
          continue;
        }
        ArrayDeque<Blocked> queue = new ArrayDeque<>(waiters);
        while (!queue.isEmpty()) {
          Blocked b = queue.poll();
          if (byClient.get(b.client) != b) {
            continue;
          }
          Database db = server.db(dk.db());
          // The served command runs in the blocked client's context (its db, its reply buffer).
          boolean ok = b.waiter.tryServe(b.client, db, dk.key().bytes);
          if (!ok) {
            if (b.waiter.declineStopsKey()) {
              break;
            }
            continue;
          }
          remove(b);
          served.add(b.client);
        }
      }
    } finally {
      handling = false;
    }
    for (Client c : served) {
      resume(c);
    }
  }

  /** CLIENT UNBLOCK: returns false when the client is not blocked on keys. */
  public boolean unblock(Client c, boolean withError) {
    Blocked b = byClient.get(c);
    if (b == null) {
      return false;
    }
    remove(b);
    if (withError) {
      c.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
    } else {
      b.waiter.timeout(c);
    }
    resume(c);
    return true;
  }

  /** A blocked client disconnected. */
  void removeClient(Client c) {
    Blocked b = byClient.get(c);
    if (b != null) {
      remove(b);
    }
  }

  private void remove(Blocked b) {
    byClient.remove(b.client);
    for (DbKey dk : b.keys) {
      LinkedHashSet<Blocked> s = waitersByKey.get(dk);
      if (s != null) {
        s.remove(b);
        if (s.isEmpty()) {
          waitersByKey.remove(dk);
        }
      }
    }
    if (b.timer != null) {
      b.timer.cancel(false);
    }
    if (b.client.blockedOn == KEYS) {
      b.client.blockedOn = null;
    }
  }

  private void resume(Client c) {
    if (c.isClosed()) {
      return;
    }
    server.markPendingWrite(c);
    server.execute(() -> ClientHandler.resume(c));
  }

  public boolean isBlocked(Client c) {
    return byClient.containsKey(c);
  }
}
