package io.tripod.server;

import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.util.Bytes;

/**
 * Key expiry, both ways Redis does it: lazily when a command touches a key whose TTL passed, and
 * actively by a cron cycle that samples keys with a TTL ({@code expire.c activeExpireCycle}).
 *
 * <p>A deletion by expiry counts in {@code expired_keys}, fires the {@code expired} keyspace event,
 * invalidates WATCHes and is propagated as a {@code DEL} so that replicas and the AOF follow (a
 * replica never expires keys itself; it only hides them).
 */
public final class Expiry {
  /** Keys sampled per database per loop (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
  static final int KEYS_PER_LOOP = 20;
  /** Share of the cron period the slow cycle may use (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
  static final int SLOW_TIME_PERC = 25;
  /** Keep looping in a database while more than this percent of sampled keys were expired. */
  static final int ACCEPTABLE_STALE_PERC = 10;

  private static final byte[] DEL = Bytes.of("DEL");

  private final Server server;
  private int currentDb;
  /** DEBUG SET-ACTIVE-EXPIRE toggles this. */
  public boolean activeEnabled = true;

  Expiry(Server server) {
    this.server = server;
  }

  public boolean isExpired(KeyEntry e, long now) {
    return e.expireAtMillis != -1 && e.expireAtMillis <= now;
  }

  /**
   * Deletes {@code e} if its TTL has passed. On a replica the key is only reported as expired.
   *
   * @return true if the key must be treated as absent
   */
  public boolean expireIfNeeded(Database db, KeyEntry e) {
    if (e.expireAtMillis == -1 || e.expireAtMillis > server.now()) {
      return false;
    }
    if (server.replicaOfMaster) {
      // Only the master deletes; its DEL arrives through the stream. Its own commands see the key.
      return !server.currentIsMaster();
    }
    deleteExpired(db, e.key);
    return true;
  }

  void deleteExpired(Database db, byte[] key) {
    KeyEntry e = db.find(key);
    if (e != null) {
      server.repl.beforeWrite(db, e);
    }
    db.remove(key);
    server.stats.expiredKeys++;
    server.signalModifiedKey(db, key);
    server.notifyKeyspaceEvent(Notifications.EXPIRED, "expired", key, db.id);
    server.propagate(db.id, new byte[][] {DEL, key});
  }

  /**
   * The slow cycle, run from the cron: walks the databases round-robin, samples keys with a TTL and
   * deletes the expired ones, until a database shows few stale keys or the time budget is spent.
   */
  void activeExpireCycle(long now) {
    if (!activeEnabled || server.replicaOfMaster) {
      return;
    }
    long budgetNanos = 1_000_000_000L / Math.max(1, server.config.hz) * SLOW_TIME_PERC / 100;
    long start = System.nanoTime();
    int dbs = server.dbCount();
    for (int j = 0; j < dbs; j++) {
      Database db = server.db(currentDb % dbs);
      currentDb++;
      while (true) {
        if (db.expiresSize() == 0) {
          db.avgTtlMillis = 0;
          break;
        }
        sampled = 0;
        ttlSum = 0;
        ttlSamples = 0;
        toDelete.clear();
        long cursor = db.expireCursor;
        int buckets = 0;
        do {
          cursor = db.scanExpires(cursor, e -> sample(e, now));
          buckets++;
        } while (cursor != 0 && sampled < KEYS_PER_LOOP && buckets < KEYS_PER_LOOP * 20);
        db.expireCursor = cursor;
        int expired = 0;
        for (byte[] k : toDelete) {
          KeyEntry e = db.find(k);
          if (e != null && isExpired(e, now)) {
            deleteExpired(db, k);
            expired++;
          }
        }
        toDelete.clear();
        if (ttlSamples > 0) {
          long avg = ttlSum / ttlSamples;
          // Redis's running estimate: 2% of the new sample each round.
          db.avgTtlMillis = db.avgTtlMillis == 0 ? avg : (db.avgTtlMillis / 50) * 49 + avg / 50;
        }
        if (System.nanoTime() - start > budgetNanos) {
          server.stats.expiredTimeCapReachedCount++;
          return;
        }
        if (sampled == 0 || expired * 100 / sampled <= ACCEPTABLE_STALE_PERC) {
          break;
        }
      }
    }
  }

  // Scratch state of one sampling round (the event loop is single-threaded).
  private int sampled;
  private long ttlSum;
  private int ttlSamples;
  private final java.util.List<byte[]> toDelete = new java.util.ArrayList<>();

  private void sample(KeyEntry e, long now) {
    sampled++;
    if (e.expireAtMillis <= now) {
      toDelete.add(e.key);
    } else {
      ttlSum += e.expireAtMillis - now;
      ttlSamples++;
    }
  }
}
