package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.HashFloat;
import io.tripod.server.types.RHash;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Hash commands ({@code t_hash.c}). */
final class HashCommands {
  private HashCommands() {}

  private static final byte[] HSET = Bytes.of("HSET");

  static void register(CommandTable t) {
    t.add("hset", -4, "write denyoom fast", 1, 1, 1, "write hash fast", (c, a) -> hset(c, a, false));
    t.add("hmset", -4, "write denyoom fast", 1, 1, 1, "write hash fast", (c, a) -> hset(c, a, true));
    t.add("hsetnx", 4, "write denyoom fast", 1, 1, 1, "write hash fast", HashCommands::hsetnx);
    t.add("hget", 3, "readonly fast", 1, 1, 1, "read hash fast", HashCommands::hget);
    t.add("hmget", -3, "readonly fast", 1, 1, 1, "read hash fast", HashCommands::hmget);
    t.add("hdel", -3, "write fast", 1, 1, 1, "write hash fast", HashCommands::hdel);
    t.add("hlen", 2, "readonly fast", 1, 1, 1, "read hash fast", HashCommands::hlen);
    t.add("hstrlen", 3, "readonly fast", 1, 1, 1, "read hash fast", HashCommands::hstrlen);
    t.add("hexists", 3, "readonly fast", 1, 1, 1, "read hash fast", HashCommands::hexists);
    t.add("hkeys", 2, "readonly", 1, 1, 1, "read hash slow", (c, a) -> getAll(c, a, true, false));
    t.add("hvals", 2, "readonly", 1, 1, 1, "read hash slow", (c, a) -> getAll(c, a, false, true));
    t.add("hgetall", 2, "readonly", 1, 1, 1, "read hash slow", (c, a) -> getAll(c, a, true, true));
    t.add("hincrby", 4, "write denyoom fast", 1, 1, 1, "write hash fast", HashCommands::hincrby);
    t.add("hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, "write hash fast",
        HashCommands::hincrbyfloat);
    t.add("hrandfield", -2, "readonly", 1, 1, 1, "read hash slow", HashCommands::hrandfield);
    t.add("hscan", -3, "readonly", 1, 1, 1, "read hash slow", HashCommands::hscan);
  }

  /** Marker returned after a WRONGTYPE reply. */
  private static final RHash WRONG = new RHash();

  /** The hash at key for reading: null if absent, WRONG (after replying) if not a hash. */
  private static RHash read(Client c, byte[] key) {
    KeyEntry e = c.server.lookupRead(c.db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RHash)) {
      c.wrongType();
      return WRONG;
    }
    return (RHash) e.value;
  }

  /** The hash at key for writing: null if absent, WRONG (after replying) if not a hash. */
  private static RHash write(Client c, byte[] key) {
    KeyEntry e = c.server.lookupWrite(c.db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RHash)) {
      c.wrongType();
      return WRONG;
    }
    return (RHash) e.value;
  }

  /** Redis's hashTypeLookupWriteOrCreate: the existing hash or a new empty one added to the db. */
  private static RHash writeOrCreate(Client c, byte[] key) {
    RHash h = write(c, key);
    if (h == null) {
      h = new RHash();
      c.server.addKey(c.db, key, h);
    }
    return h;
  }

  private static void set(ServerConfig cfg, RHash h, byte[] f, byte[] v) {
    h.set(f, v, Args.clampToInt(cfg.hashMaxListpackEntries), Args.clampToInt(cfg.hashMaxListpackValue));
  }

  static void hset(Client c, byte[][] a, boolean hmset) {
    if (a.length % 2 == 1) {
      c.arityError(hmset ? "hmset" : "hset");
      return;
    }
    RHash h = writeOrCreate(c, a[1]);
    if (h == WRONG) {
      return;
    }
    Server s = c.server;
    ServerConfig cfg = s.config;
    for (int i = 2; i < a.length; i++) {
      h.convertIfTooLong(a[i].length, Args.clampToInt(cfg.hashMaxListpackValue));
    }
    long created = 0;
    for (int i = 2; i < a.length; i += 2) {
      if (h.set(a[i], a[i + 1], Args.clampToInt(cfg.hashMaxListpackEntries), Args.clampToInt(cfg.hashMaxListpackValue))) {
        created++;
      }
    }
    if (hmset) {
      c.ok();
    } else {
      c.integer(created);
    }
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.HASH, "hset", a[1], c.db.id);
    s.dirty += (a.length - 2) / 2;
  }

  static void hsetnx(Client c, byte[][] a) {
    RHash h = writeOrCreate(c, a[1]);
    if (h == WRONG) {
      return;
    }
    if (h.contains(a[2])) {
      c.integer(0);
      return;
    }
    Server s = c.server;
    h.convertIfTooLong(a[2].length, Args.clampToInt(s.config.hashMaxListpackValue));
    h.convertIfTooLong(a[3].length, Args.clampToInt(s.config.hashMaxListpackValue));
    set(s.config, h, a[2], a[3]);
    c.integer(1);
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.HASH, "hset", a[1], c.db.id);
    s.dirty++;
  }

  static void hget(Client c, byte[][] a) {
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    c.bulkOrNull(h == null ? null : h.get(a[2]));
  }

  static void hmget(Client c, byte[][] a) {
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    c.array(a.length - 2);
    for (int i = 2; i < a.length; i++) {
      c.bulkOrNull(h == null ? null : h.get(a[i]));
    }
  }

  static void hdel(Client c, byte[][] a) {
    RHash h = write(c, a[1]);
    if (h == WRONG) {
      return;
    }
    if (h == null) {
      c.integer(0);
      return;
    }
    Server s = c.server;
    long deleted = 0;
    boolean keyRemoved = false;
    for (int i = 2; i < a.length; i++) {
      if (h.delete(a[i])) {
        deleted++;
        if (h.size() == 0) {
          s.deleteKey(c.db, a[1]);
          keyRemoved = true;
          break;
        }
      }
    }
    Args.afterRemovals(c, a[1], deleted, keyRemoved, Notifications.HASH, "hdel");
  }

  static void hlen(Client c, byte[][] a) {
    RHash h = read(c, a[1]);
    if (h != WRONG) {
      c.integer(h == null ? 0 : h.size());
    }
  }

  static void hstrlen(Client c, byte[][] a) {
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    byte[] v = h == null ? null : h.get(a[2]);
    c.integer(v == null ? 0 : v.length);
  }

  static void hexists(Client c, byte[][] a) {
    RHash h = read(c, a[1]);
    if (h != WRONG) {
      c.integer(h != null && h.contains(a[2]) ? 1 : 0);
    }
  }

  static void getAll(Client c, byte[][] a, boolean keys, boolean values) {
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    long n = h == null ? 0 : h.size();
    if (keys && values) {
      c.map(n);
    } else {
      c.array(n);
    }
    if (h != null) {
      h.forEach((f, v) -> {
        if (keys) {
          c.bulk(f);
        }
        if (values) {
          c.bulk(v);
        }
      });
    }
  }

  static void hincrby(Client c, byte[][] a) {
    long by = Args.longOrReply(c, a[3]);
    if (by == Args.BAD) {
      return;
    }
    RHash h = writeOrCreate(c, a[1]);
    if (h == WRONG) {
      return;
    }
    long old = 0;
    byte[] cur = h.get(a[2]);
    if (cur != null) {
      Long v = Bytes.parseLongOrNull(cur);
      if (v == null) {
        c.err("hash value is not an integer");
        return;
      }
      old = v;
    }
    if ((by < 0 && old < 0 && by < Long.MIN_VALUE - old)
        || (by > 0 && old > 0 && by > Long.MAX_VALUE - old)) {
      c.err("increment or decrement would overflow");
      return;
    }
    long nv = old + by;
    Server s = c.server;
    set(s.config, h, a[2], Bytes.fromLong(nv));
    c.integer(nv);
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.HASH, "hincrby", a[1], c.db.id);
    s.dirty++;
  }

  static void hincrbyfloat(Client c, byte[][] a) {
    HashFloat.Ld by = HashFloat.parse(a[3]);
    if (by == null) {
      c.notFloat();
      return;
    }
    if (by.inf()) {
      c.err("value is NaN or Infinity");
      return;
    }
    RHash h = writeOrCreate(c, a[1]);
    if (h == WRONG) {
      return;
    }
    HashFloat.Ld old = null;
    byte[] cur = h.get(a[2]);
    if (cur != null) {
      old = HashFloat.parse(cur);
      if (old == null) {
        c.err("hash value is not a float");
        return;
      }
    }
    HashFloat.Ld sum = old == null ? HashFloat.add(by, new HashFloat.Ld(false,
        java.math.BigInteger.ZERO, 0, false)) : (old.inf() ? null : HashFloat.add(old, by));
    if (sum == null) {
      c.err("increment would produce NaN or Infinity");
      return;
    }
    byte[] nv = HashFloat.format(sum);
    Server s = c.server;
    set(s.config, h, a[2], nv);
    c.bulk(nv);
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.HASH, "hincrbyfloat", a[1], c.db.id);
    s.dirty++;
    // Replicas replay the exact result, not the float arithmetic.
    c.propagateArgv = new byte[][] {HSET, a[1], a[2], nv};
  }

  // ---- HRANDFIELD ------------------------------------------------------------------------------

  static void hrandfield(Client c, byte[][] a) {
    if (a.length >= 3) {
      randWithCount(c, a);
      return;
    }
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    if (h == null) {
      c.nullBulk();
      return;
    }
    c.bulk(h.randomPair()[0]);
  }

  /** SRANDMEMBER/HRANDFIELD count parsing; BAD after replying. */
  static long randCount(Client c, byte[] arg) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null) {
      c.notInteger();
      return Args.BAD;
    }
    if (v == Long.MIN_VALUE) {
      c.err("value is out of range, value must between -9223372036854775807 and "
          + "9223372036854775807");
      return Args.BAD;
    }
    return v;
  }

  private static void randWithCount(Client c, byte[][] a) {
    long l = randCount(c, a[2]);
    if (l == Args.BAD) {
      return;
    }
    if (a.length > 4 || (a.length == 4 && !Args.is(a[3], "withvalues"))) {
      c.syntaxError();
      return;
    }
    boolean withValues = a.length == 4;
    if (withValues && (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2)) {
      c.err("value is out of range");
      return;
    }
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    if (h == null || l == 0) {
      c.emptyArray();
      return;
    }
    boolean resp3 = c.proto > 2;
    long size = h.size();
    if (l < 0 || l == 1) {
      // Repeats allowed (or a single pick).
      long count = l < 0 ? -l : 1;
      c.array(withValues && !resp3 ? count * 2 : count);
      for (long i = 0; i < count; i++) {
        byte[][] p = h.randomPair();
        if (withValues && resp3) {
          c.array(2);
        }
        c.bulk(p[0]);
        if (withValues) {
          c.bulk(p[1]);
        }
      }
      return;
    }
    final boolean wv = withValues;
    if (l >= size) {
      c.array(wv && !resp3 ? size * 2 : size);
      h.forEach((f, v) -> emitPair(c, f, v, wv, resp3));
      return;
    }
    int count = (int) l;
    if (count * 3L <= size && h.isListpack()) {
      // Few of a listpack: distinct random pairs in listpack order (Redis's CASE 2.5).
      c.array(wv && !resp3 ? count * 2L : count);
      for (byte[][] p : h.randomUniqueInOrder(count)) {
        emitPair(c, p[0], p[1], wv, resp3);
      }
      return;
    }
    if (count * 3L <= size) {
      // Few of many: sample until count distinct fields (Redis's CASE 4).
      Map<Client.ByteKey, byte[]> picked = new LinkedHashMap<>();
      while (picked.size() < count) {
        byte[][] p = h.randomPair();
        picked.putIfAbsent(new Client.ByteKey(p[0]), p[1]);
      }
      c.array(wv && !resp3 ? count * 2L : count);
      for (Map.Entry<Client.ByteKey, byte[]> e : picked.entrySet()) {
        emitPair(c, e.getKey().bytes, e.getValue(), wv, resp3);
      }
      return;
    }
    List<byte[][]> all = new ArrayList<>((int) size);
    h.forEach((f, v) -> all.add(new byte[][] {f, v}));
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    // Partial Fisher-Yates: the first count slots become a uniform sample without repeats.
    for (int i = 0; i < count; i++) {
      int j = i + rnd.nextInt(all.size() - i);
      byte[][] tmp = all.get(i);
      all.set(i, all.get(j));
      all.set(j, tmp);
    }
    c.array(wv && !resp3 ? count * 2L : count);
    for (int i = 0; i < count; i++) {
      emitPair(c, all.get(i)[0], all.get(i)[1], wv, resp3);
    }
  }

  private static void emitPair(Client c, byte[] f, byte[] v, boolean withValues, boolean resp3) {
    if (withValues && resp3) {
      c.array(2);
    }
    c.bulk(f);
    if (withValues) {
      c.bulk(v);
    }
  }

  // ---- HSCAN -----------------------------------------------------------------------------------

  static void hscan(Client c, byte[][] a) {
    Long parsed = Scan.parseCursor(c, a[2]);
    if (parsed == null) {
      return;
    }
    long cursor = parsed;
    RHash h = read(c, a[1]);
    if (h == WRONG) {
      return;
    }
    if (h == null) {
      Scan.emptyReply(c);
      return;
    }
    Scan.Options o = Scan.parseOptions(c, a, 3);
    if (o == null) {
      return;
    }
    List<byte[]> out = new ArrayList<>();
    long next = 0;
    if (h.isListpack()) {
      h.forEach((f, v) -> {
        if (o.matches(f)) {
          out.add(f);
          out.add(v);
        }
      });
    } else {
      long maxIterations = o.count * 10;
      long[] seen = {0};
      do {
        cursor = h.scan(cursor, (f, v) -> {
          seen[0] += 2;
          if (o.matches(f)) {
            out.add(f);
            out.add(v);
          }
        });
      } while (cursor != 0 && maxIterations-- > 0 && seen[0] < o.count);
      next = cursor;
    }
    Scan.reply(c, next, out);
  }

}
