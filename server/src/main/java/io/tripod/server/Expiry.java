package io.tripod.server;

import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.util.Bytes;
import java.util.function.Consumer;

/**
 * Key expiry, both ways Redis does it: lazily when a command touches a key whose TTL passed, and
 * actively by a cron cycle that samples keys with a TTL ({@code expire.c activeExpireCycle}).
 *
 * <p>A key is expired once the time is <em>past</em> its expiry ({@code now > when}, Redis's
 * {@code keyIsExpired}); a key whose expiry equals the current millisecond is still alive.
 *
 * <p>A deletion by expiry counts in {@code expired_keys}, fires the {@code expired} keyspace event,
 * invalidates WATCHes and is propagated as a {@code DEL} so that replicas and the AOF follow (a
 * replica never expires keys itself; it only hides them). While clients are paused (CLIENT
 * PAUSE), expired keys are hidden but not deleted, as in Redis 7.0.
 *
 * <p>Thread safety: owned by the server's event loop.
 */
public final class Expiry {
  /** Keys sampled per database per loop (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
  static final int KEYS_PER_LOOP = 20;
  /** Budget of a fast cycle in microseconds (ACTIVE_EXPIRE_CYCLE_FAST_DURATION). */
  static final int FAST_DURATION_MICROS = 1000;
  /** Share of the cron period the slow cycle may use (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC). */
  static final int SLOW_TIME_PERC = 25;
  /** Keep looping in a database while more than this percent of sampled keys were expired. */
  static final int ACCEPTABLE_STALE_PERC = 10;
  /** Databases visited per call (CRON_DBS_PER_CALL), unless the last call ran out of time. */
  static final int DBS_PER_CALL = 16;
  /** Dict's initial table size (DICT_HT_INITIAL_SIZE). */
  private static final int DICT_INITIAL_SIZE = 4;

  private static final byte[] DEL = Bytes.of("DEL");

  private final Server server;
  /** Next database to visit (unsigned, wraps like Redis's static counter). */
  private int currentDb;
  /** The previous cycle stopped on its time limit: visit every database next time. */
  private boolean timelimitExit;
  /** When the last fast cycle started (microseconds of System.nanoTime). */
  private long lastFastCycleMicros = Long.MIN_VALUE / 2;

  /**
   * True while a command sent by our master runs on this replica. Such commands see keys past
   * their TTL as present (Redis's {@code expireIfNeeded} checks {@code current_client ==
   * server.master}): the master decides when a key expires and sends the DEL itself. To be set by
   * the code that executes the master's stream ({@code Server.call} for a client with
   * {@code isMaster}).
   */
  public boolean executingMasterCommand;
  /** DEBUG SET-ACTIVE-EXPIRE toggles this. */
  public boolean activeEnabled = true;
  /**
   * Running estimate (0..1) of the share of sampled keys already logically expired
   * (INFO {@code expired_stale_perc} shows it times 100 with two decimals).
   */
  public double stalePerc;
  /** Time spent in active expire cycles (INFO {@code expire_cycle_cpu_milliseconds} / 1000). */
  public long cycleTimeUsedMicros;

  // Scratch state of one sampling round (the event loop is single-threaded).
  private Database scanDb;
  private long scanNow;
  private long sampled;
  private long expired;
  private long ttlSum;
  private long ttlSamples;
  private final Consumer<KeyEntry> sampler = this::sample;

  Expiry(Server server) {
    this.server = server;
  }

  /** Redis's {@code keyIsExpired} at time {@code now}. */
  public boolean isExpired(KeyEntry e, long now) {
    return e.expireAtMillis != -1 && now > e.expireAtMillis;
  }

  /**
   * Deletes {@code e} if its TTL has passed (Redis's {@code expireIfNeeded}). On a replica, or while
   * clients are paused, the key is only reported as expired.
   *
   * @return true if the key must be treated as absent
   */
  public boolean expireIfNeeded(Database db, KeyEntry e) {
    if (!isExpired(e, server.now())) {
      return false;
    }
    // On a replica only the master deletes (its DEL arrives through the stream); the master's own
    // commands still see the key.
    if (server.replicaOfMaster && (executingMasterCommand || server.currentIsMaster())) {
      return false;
    }
    if (server.replicaOfMaster || clientsPaused()) {
      return true;
    }
    deleteExpired(db, e.key);
    return true;
  }

  private boolean clientsPaused() {
    return server.pauseUntilMillis != 0 && server.clock.millis() < server.pauseUntilMillis;
  }

  /** Redis's {@code deleteExpiredKeyAndPropagate}. */
  void deleteExpired(Database db, byte[] key) {
    KeyEntry e = db.find(key);
    if (e != null) {
      server.beforeWrite(db, e);
    }
    db.remove(key);
    server.notifyKeyspaceEvent(Notifications.EXPIRED, "expired", key, db.id);
    server.signalModifiedKey(db, key);
    server.propagate(db.id, new byte[][] {DEL, key});
    server.stats.expiredKeys++;
  }

  /** The slow cycle, run from the cron ({@code now} is ignored: each round reads the clock). */
  void activeExpireCycle(long now) {
    activeExpireCycle(false);
  }

  /**
   * One active expire cycle. The slow cycle (cron) may use {@value #SLOW_TIME_PERC}% of the cron
   * period; the fast one (meant for the event loop's before-sleep point) runs at most
   * {@value #FAST_DURATION_MICROS}µs, only when the last slow cycle ran out of time or many sampled
   * keys were stale, and not more often than every two fast durations.
   *
   * <p>Each database is sampled through its expires table's SCAN cursor, {@value #KEYS_PER_LOOP}
   * keys a round, deleting the expired ones on the way; a database is sampled again while more than
   * {@value #ACCEPTABLE_STALE_PERC}% of a round was expired.
   */
  public void activeExpireCycle(boolean fast) {
    if (!activeEnabled || server.replicaOfMaster || clientsPaused()) {
      return;
    }
    long startNanos = System.nanoTime();
    long startMicros = startNanos / 1000;
    if (fast) {
      if (!timelimitExit && stalePerc * 100 < ACCEPTABLE_STALE_PERC) {
        return;
      }
      if (startMicros < lastFastCycleMicros + 2L * FAST_DURATION_MICROS) {
        return;
      }
      lastFastCycleMicros = startMicros;
    }
    int dbs = server.dbCount();
    int dbsPerCall = DBS_PER_CALL;
    if (dbsPerCall > dbs || timelimitExit) {
      dbsPerCall = dbs;
    }
    long timelimitMicros = SLOW_TIME_PERC * 1_000_000L / Math.max(1, server.config.hz) / 100;
    if (timelimitMicros <= 0) {
      timelimitMicros = 1;
    }
    if (fast) {
      timelimitMicros = FAST_DURATION_MICROS;
    }
    timelimitExit = false;
    long totalSampled = 0;
    long totalExpired = 0;
    int iteration = 0;
    for (int j = 0; j < dbsPerCall && !timelimitExit; j++) {
      Database db = server.db(Integer.remainderUnsigned(currentDb, dbs));
      // Move on first, so a database that eats the time budget does not starve the next ones.
      currentDb++;
      do {
        iteration++;
        long num = db.expiresSize();
        if (num == 0) {
          db.avgTtlMillis = 0;
          break;
        }
        long slots = db.expiresSlots();
        // Sampling a table under 1% full costs more than it finds; it shrinks soon.
        if (slots > DICT_INITIAL_SIZE && num * 100 / slots < 1) {
          break;
        }
        scanDb = db;
        scanNow = server.clock.millis();
        sampled = 0;
        expired = 0;
        ttlSum = 0;
        ttlSamples = 0;
        if (num > KEYS_PER_LOOP) {
          num = KEYS_PER_LOOP;
        }
        // Empty buckets are cheap to skip but must not make a round unbounded.
        long maxBuckets = num * 20;
        long checkedBuckets = 0;
        while (sampled < num && checkedBuckets < maxBuckets) {
          db.expireCursor = db.scanExpires(db.expireCursor, sampler);
          checkedBuckets++;
        }
        scanDb = null;
        totalExpired += expired;
        totalSampled += sampled;
        if (ttlSamples > 0) {
          long avg = ttlSum / ttlSamples;
          // Running average: the new sample weighs 2%.
          if (db.avgTtlMillis == 0) {
            db.avgTtlMillis = avg;
          }
          db.avgTtlMillis = (db.avgTtlMillis / 50) * 49 + avg / 50;
        }
        if ((iteration & 0xf) == 0
            && (System.nanoTime() - startNanos) / 1000 > timelimitMicros) {
          timelimitExit = true;
          server.stats.expiredTimeCapReachedCount++;
          break;
        }
      } while (sampled == 0 || expired * 100 / sampled > ACCEPTABLE_STALE_PERC);
    }
    cycleTimeUsedMicros += (System.nanoTime() - startNanos) / 1000;
    double current = totalSampled == 0 ? 0 : (double) totalExpired / totalSampled;
    stalePerc = current * 0.05 + stalePerc * 0.95;
    server.stats.expiredStalePerc = Math.round(stalePerc * 100);
  }

  /**
   * The SCAN callback of a round ({@code expireScanCallback}): deletes the key if expired, else
   * feeds the average TTL. Deleting the visited entry is safe: the dict's scan reads the chain's
   * next entry first and rehashing is paused during the scan.
   */
  private void sample(KeyEntry e) {
    long ttl = e.expireAtMillis - scanNow;
    if (scanNow > e.expireAtMillis) {
      deleteExpired(scanDb, e.key);
      expired++;
    }
    if (ttl > 0) {
      ttlSum += ttl;
      ttlSamples++;
    }
    sampled++;
  }
}
