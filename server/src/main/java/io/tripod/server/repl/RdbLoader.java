package io.tripod.server.repl;

import io.tripod.server.Server;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.RdbException;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads an RDB into the server's databases (replica full sync, startup, DEBUG RELOAD). Values of
 * aggregate types are built by {@link #factory}, which the type implementations fill in.
 */
public final class RdbLoader {
  private RdbLoader() {}

  /** Builders for aggregate types; each type module replaces its entry. */
  public static volatile RdbReader.ValueFactory factory = new RdbReader.ValueFactory() {
    @Override
    public Object list(List<byte[]> elements) {
      throw new RdbException("list values are not supported yet");
    }

    @Override
    public Object set(List<byte[]> members) {
      throw new RdbException("set values are not supported yet");
    }

    @Override
    public Object hash(List<byte[]> fieldsAndValues) {
      throw new RdbException("hash values are not supported yet");
    }

    @Override
    public Object zset(List<byte[]> members, double[] scores) {
      throw new RdbException("sorted set values are not supported yet");
    }

    @Override
    public Object stream(RdbStream stream) {
      throw new RdbException("stream values are not supported yet");
    }
  };

  /** What a load found in the AUX fields. */
  public static final class Result {
    public long keysLoaded;
    public long keysExpired;
    public final Map<String, String> aux = new HashMap<>();
  }

  /**
   * Reads {@code in} into the (already emptied) databases. Expired keys are dropped unless
   * {@code keepExpired} (a replica keeps them: its master will send the DEL).
   */
  public static Result load(Server server, InputStream in, boolean keepExpired) throws IOException {
    Incremental inc = begin(server, in, keepExpired);
    while (inc.step()) {
      // item by item
    }
    return inc.result;
  }

  /** Starts a load that the caller advances with {@link Incremental#step} (between other work). */
  public static Incremental begin(Server server, InputStream in, boolean keepExpired) throws IOException {
    return begin(server, in, keepExpired, null);
  }

  /**
   * {@link #begin(Server, InputStream, boolean)} into {@code target} (one database per id)
   * instead of the server's databases, which keep serving meanwhile (async loading); null: the
   * server's.
   */
  public static Incremental begin(Server server, InputStream in, boolean keepExpired, Database[] target)
      throws IOException {
    Incremental inc = new Incremental(server, in, keepExpired, target);
    inc.reader.readHeader();
    return inc;
  }

  /** A load in progress: one item per {@link #step}. */
  public static final class Incremental implements RdbReader.Sink {
    private final Server server;
    private final boolean keepExpired;
    private final long now;
    private final int lruClock;
    final RdbReader reader;
    private final Database[] target;
    public final Result result = new Result();

    Incremental(Server server, InputStream in, boolean keepExpired, Database[] target) {
      this.server = server;
      this.target = target;
      this.keepExpired = keepExpired;
      this.now = server.clock.millis();
      this.lruClock = server.lruClock();
      this.reader = new RdbReader(in, TypeFactories.forConfig(server.config), 1 << 20);
    }

    /** Reads the next item; false when the file is complete (checksum verified). */
    public boolean step() throws IOException {
      return reader.next(this);
    }

    /** Bytes of the file consumed so far. */
    public long offset() {
      return reader.offset();
    }

    private Database db(int dbId) {
      return target != null ? target[dbId] : server.db(dbId);
    }

    @Override
    public void aux(String key, byte[] value) {
      result.aux.put(key, new String(value, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Override
    public void resizeDb(int dbId, long keys, long expires) {
      if (dbId < server.dbCount()) {
        db(dbId).expand(keys, expires);
      }
    }

    @Override
    public void key(int dbId, byte[] key, Object value, long expireAt, long idle, int freq) {
      if (dbId >= server.dbCount()) {
        throw new RdbException("FATAL: Data file was created with a Redis server configured to handle more than "
            + server.dbCount() + " databases. Exiting");
      }
      if (expireAt != -1 && expireAt <= now && !keepExpired) {
        result.keysExpired++;
        return;
      }
      if (server.config.keyLoadDelay != 0) {
        debugDelay(server.config.keyLoadDelay);
      }
      Database db = db(dbId);
      KeyEntry e = db.addIfAbsent(key, value);
      if (e == null) {
        throw new RdbException("Duplicate key '" + new String(key, java.nio.charset.StandardCharsets.UTF_8) + "' found in RDB file");
      }
      if (expireAt != -1) {
        db.setExpire(e, expireAt);
      }
      e.lruSeconds = lruClock - (int) Math.max(0, Math.min(idle, Integer.MAX_VALUE / 2));
      if (freq >= 0) {
        e.lfuCounter = (byte) freq;
      }
      result.keysLoaded++;
    }
  }

  /** Redis's {@code debugDelay}: sleep {@code usec}, or for -N a 1 us sleep once per N calls on average. */
  static void debugDelay(int usec) {
    if (usec < 0) {
      usec = java.util.concurrent.ThreadLocalRandom.current().nextInt(-usec) == 0 ? 1 : 0;
    }
    if (usec > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(usec * 1000L);
    }
  }
}
