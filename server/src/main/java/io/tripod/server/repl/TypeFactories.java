package io.tripod.server.repl;

import io.tripod.server.config.ServerConfig;
import io.tripod.server.rdb.RdbException;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.types.RHash;
import io.tripod.server.types.RList;
import io.tripod.server.types.RSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * RDB builders for lists, hashes and sets that end in the encoding Redis 7.0's
 * {@code rdbLoadObject} leaves after load: a hash listpack over {@code hash-max-listpack-*}
 * becomes a hashtable, an intset over {@code set-max-intset-entries} a hashtable, a plain set of
 * at most that many integers an intset; duplicates are refused (Redis: "Duplicate hash fields
 * detected" / "Duplicate set members detected").
 *
 * <p>{@link #register()} wraps {@link RdbLoader#factory} once, keeping whatever other type modules
 * registered for the other types (and they may wrap it again after). RESTORE uses
 * {@link #forConfig} to apply its own server's thresholds.
 */
public final class TypeFactories {
  private TypeFactories() {}

  private static boolean registered;

  /**
   * Thresholds {@link RdbLoader#factory} applies (RdbLoader has no server config at hand); the
   * defaults until someone sets the loading server's config here.
   */
  public static volatile ServerConfig loadConfig = new ServerConfig();

  /** A factory that forwards every type to {@code next}; subclasses override their types. */
  public static class Delegating implements RdbReader.ValueFactory {
    protected final RdbReader.ValueFactory next;

    public Delegating(RdbReader.ValueFactory next) {
      this.next = next;
    }

    @Override
    public Object list(List<byte[]> elements) {
      return next.list(elements);
    }

    @Override
    public Object set(List<byte[]> members) {
      return next.set(members);
    }

    @Override
    public Object hash(List<byte[]> fieldsAndValues) {
      return next.hash(fieldsAndValues);
    }

    @Override
    public Object zset(List<byte[]> members, double[] scores) {
      return next.zset(members, scores);
    }

    @Override
    public Object stream(RdbStream stream) {
      return next.stream(stream);
    }
  }

  /** Installs the list/hash/set builders into {@link RdbLoader#factory} (idempotent). */
  public static synchronized void register() {
    if (registered) {
      return;
    }
    registered = true;
    RdbLoader.factory = new Builders(RdbLoader.factory, () -> loadConfig);
  }

  /** The current loader factory with list/hash/set built under {@code cfg}'s thresholds. */
  public static RdbReader.ValueFactory forConfig(ServerConfig cfg) {
    return new Builders(RdbLoader.factory, () -> cfg);
  }

  /**
   * As {@link #forConfig} for a value of a known RDB type (RESTORE reads it first): Redis converts
   * a HASH_LISTPACK or HASH_ZIPLIST only when it has too many entries, never for long values
   * (only the plain and zipmap forms check {@code hash-max-listpack-value}).
   */
  public static RdbReader.ValueFactory forType(ServerConfig cfg, int rdbType) {
    if (rdbType != io.tripod.server.rdb.Rdb.TYPE_HASH_LISTPACK
        && rdbType != io.tripod.server.rdb.Rdb.TYPE_HASH_ZIPLIST) {
      return forConfig(cfg);
    }
    return new Builders(RdbLoader.factory, () -> cfg) {
      @Override
      public Object hash(List<byte[]> fieldsAndValues) {
        return buildHash(fieldsAndValues, io.tripod.server.commands.Args.clampToInt(cfg.hashMaxListpackEntries), Integer.MAX_VALUE);
      }
    };
  }

  private static class Builders extends Delegating {
    private final Supplier<ServerConfig> cfg;

    Builders(RdbReader.ValueFactory next, Supplier<ServerConfig> cfg) {
      super(next);
      this.cfg = cfg;
    }

    @Override
    public Object list(List<byte[]> elements) {
      return buildList(elements);
    }

    @Override
    public Object set(List<byte[]> members) {
      return buildSet(members, io.tripod.server.commands.Args.clampToInt(cfg.get().setMaxIntsetEntries));
    }

    @Override
    public Object hash(List<byte[]> fieldsAndValues) {
      ServerConfig c = cfg.get();
      return buildHash(fieldsAndValues, io.tripod.server.commands.Args.clampToInt(c.hashMaxListpackEntries), io.tripod.server.commands.Args.clampToInt(c.hashMaxListpackValue));
    }
  }

  public static RList buildList(List<byte[]> elements) {
    RList l = new RList();
    for (byte[] e : elements) {
      l.addLast(e);
    }
    return l;
  }

  public static RSet buildSet(List<byte[]> members, int maxIntsetEntries) {
    if (members.isEmpty()) {
      throw new RdbException("empty set");
    }
    RSet s = RSet.forFirstMember(members.get(0));
    for (byte[] m : members) {
      if (!s.add(m, maxIntsetEntries)) {
        throw new RdbException("Duplicate set members detected");
      }
    }
    return s;
  }

  public static RHash buildHash(List<byte[]> flat, int maxEntries, int maxValue) {
    if (flat.isEmpty() || flat.size() % 2 != 0) {
      throw new RdbException("Hash integrity check failed");
    }
    RHash h = new RHash();
    for (int i = 0; i < flat.size(); i += 2) {
      if (!h.set(flat.get(i), flat.get(i + 1), maxEntries, maxValue)) {
        throw new RdbException("Duplicate hash fields detected");
      }
    }
    return h;
  }

}
