package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RSet;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Set commands ({@code t_set.c}). */
final class SetCommands {
  private SetCommands() {}

  private static final byte[] SREM = Bytes.of("SREM");
  private static final byte[] DEL = Bytes.of("DEL");

  static void register(CommandTable t) {
    t.add("sadd", -3, "write denyoom fast", 1, 1, 1, "write set fast", SetCommands::sadd);
    t.add("srem", -3, "write fast", 1, 1, 1, "write set fast", SetCommands::srem);
    t.add("smembers", 2, "readonly", 1, 1, 1, "read set slow",
        (c, a) -> inter(c, Arrays.copyOfRange(a, 1, 2), null, false, 0));
    t.add("sismember", 3, "readonly fast", 1, 1, 1, "read set fast", SetCommands::sismember);
    t.add("smismember", -3, "readonly fast", 1, 1, 1, "read set fast", SetCommands::smismember);
    t.add("scard", 2, "readonly fast", 1, 1, 1, "read set fast", SetCommands::scard);
    t.add("spop", -2, "write fast", 1, 1, 1, "write set fast", SetCommands::spop);
    t.add("srandmember", -2, "readonly", 1, 1, 1, "read set slow", SetCommands::srandmember);
    t.add("smove", 4, "write fast", 1, 2, 1, "write set fast", SetCommands::smove);
    t.add("sinter", -2, "readonly", 1, -1, 1, "read set slow",
        (c, a) -> inter(c, Arrays.copyOfRange(a, 1, a.length), null, false, 0));
    t.add("sintercard", -3, "readonly movablekeys", 0, 0, 0, "read set slow",
        SetCommands::sintercard);
    t.add("sunion", -2, "readonly", 1, -1, 1, "read set slow",
        (c, a) -> unionDiff(c, Arrays.copyOfRange(a, 1, a.length), null, true));
    t.add("sdiff", -2, "readonly", 1, -1, 1, "read set slow",
        (c, a) -> unionDiff(c, Arrays.copyOfRange(a, 1, a.length), null, false));
    t.add("sinterstore", -3, "write denyoom", 1, -1, 1, "write set slow",
        (c, a) -> inter(c, Arrays.copyOfRange(a, 2, a.length), a[1], false, 0));
    t.add("sunionstore", -3, "write denyoom", 1, -1, 1, "write set slow",
        (c, a) -> unionDiff(c, Arrays.copyOfRange(a, 2, a.length), a[1], true));
    t.add("sdiffstore", -3, "write denyoom", 1, -1, 1, "write set slow",
        (c, a) -> unionDiff(c, Arrays.copyOfRange(a, 2, a.length), a[1], false));
    t.add("sscan", -3, "readonly", 1, 1, 1, "read set slow", SetCommands::sscan);
  }

  /** Marker returned after a WRONGTYPE reply. */
  private static final RSet WRONG = new RSet();

  private static RSet check(Client c, KeyEntry e) {
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RSet)) {
      c.wrongType();
      return WRONG;
    }
    return (RSet) e.value;
  }

  private static RSet read(Client c, byte[] key) {
    return check(c, c.server.lookupRead(c.db, key));
  }

  private static RSet write(Client c, byte[] key) {
    return check(c, c.server.lookupWrite(c.db, key));
  }

  private static int maxIntset(Client c) {
    return Args.clampToInt(c.server.config.setMaxIntsetEntries);
  }

  static void sadd(Client c, byte[][] a) {
    RSet set = write(c, a[1]);
    if (set == WRONG) {
      return;
    }
    Server s = c.server;
    if (set == null) {
      set = RSet.forFirstMember(a[2]);
      s.addKey(c.db, a[1], set);
    }
    long added = 0;
    int max = maxIntset(c);
    for (int i = 2; i < a.length; i++) {
      if (set.add(a[i], max)) {
        added++;
      }
    }
    if (added > 0) {
      s.signalModifiedKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.SET, "sadd", a[1], c.db.id);
    }
    s.dirty += added;
    c.integer(added);
  }

  static void srem(Client c, byte[][] a) {
    RSet set = write(c, a[1]);
    if (set == WRONG) {
      return;
    }
    if (set == null) {
      c.integer(0);
      return;
    }
    Server s = c.server;
    long deleted = 0;
    boolean keyRemoved = false;
    for (int i = 2; i < a.length; i++) {
      if (set.remove(a[i])) {
        deleted++;
        if (set.size() == 0) {
          s.deleteKey(c.db, a[1]);
          keyRemoved = true;
          break;
        }
      }
    }
    Args.afterRemovals(c, a[1], deleted, keyRemoved, Notifications.SET, "srem");
  }

  static void sismember(Client c, byte[][] a) {
    RSet set = read(c, a[1]);
    if (set != WRONG) {
      c.integer(set != null && set.contains(a[2]) ? 1 : 0);
    }
  }

  static void smismember(Client c, byte[][] a) {
    RSet set = read(c, a[1]);
    if (set == WRONG) {
      return;
    }
    c.array(a.length - 2);
    for (int i = 2; i < a.length; i++) {
      c.integer(set != null && set.contains(a[i]) ? 1 : 0);
    }
  }

  static void scard(Client c, byte[][] a) {
    RSet set = read(c, a[1]);
    if (set != WRONG) {
      c.integer(set == null ? 0 : set.size());
    }
  }

  static void smove(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry srcEntry = s.lookupWrite(c.db, a[1]);
    KeyEntry dstEntry = s.lookupWrite(c.db, a[2]);
    byte[] member = a[3];
    if (srcEntry == null) {
      c.integer(0);
      return;
    }
    RSet src = check(c, srcEntry);
    if (src == WRONG) {
      return;
    }
    RSet dst = check(c, dstEntry);
    if (dst == WRONG) {
      return;
    }
    if (src == dst) {
      c.integer(src.contains(member) ? 1 : 0);
      return;
    }
    if (!src.remove(member)) {
      c.integer(0);
      return;
    }
    s.notifyKeyspaceEvent(Notifications.SET, "srem", a[1], c.db.id);
    if (src.size() == 0) {
      s.deleteKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
    }
    if (dst == null) {
      dst = RSet.forFirstMember(member);
      s.addKey(c.db, a[2], dst);
    }
    s.signalModifiedKey(c.db, a[1]);
    s.dirty++;
    if (dst.add(member, maxIntset(c))) {
      s.dirty++;
      s.signalModifiedKey(c.db, a[2]);
      s.notifyKeyspaceEvent(Notifications.SET, "sadd", a[2], c.db.id);
    }
    c.integer(1);
  }

  // ---- SPOP / SRANDMEMBER ----------------------------------------------------------------------

  static void spop(Client c, byte[][] a) {
    if (a.length == 3) {
      spopWithCount(c, a);
      return;
    }
    if (a.length > 3) {
      c.syntaxError();
      return;
    }
    RSet set = write(c, a[1]);
    if (set == WRONG) {
      return;
    }
    if (set == null) {
      c.nullBulk();
      return;
    }
    Server s = c.server;
    byte[] member = set.random();
    set.remove(member);
    s.notifyKeyspaceEvent(Notifications.SET, "spop", a[1], c.db.id);
    c.propagateArgv = new byte[][] {SREM, a[1], member};
    c.bulk(member);
    if (set.size() == 0) {
      s.deleteKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
    }
    s.signalModifiedKey(c.db, a[1]);
    s.dirty++;
  }

  private static void spopWithCount(Client c, byte[][] a) {
    Long parsed = Bytes.parseLongOrNull(a[2]);
    if (parsed == null || parsed < 0) {
      c.err("value is out of range, must be positive");
      return;
    }
    long count = parsed;
    RSet set = write(c, a[1]);
    if (set == WRONG) {
      return;
    }
    if (set == null || count == 0) {
      c.set(0);
      return;
    }
    Server s = c.server;
    long size = set.size();
    s.notifyKeyspaceEvent(Notifications.SET, "spop", a[1], c.db.id);
    s.dirty += Math.min(count, size);
    if (count >= size) {
      // The whole set, replied like SUNION of the key, then the key goes away.
      RSet result = new RSet();
      int max = maxIntset(c);
      set.forEach(m -> result.add(m, max));
      c.set(result.size());
      result.forEach(c::bulk);
      s.deleteKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
      // Redis propagates UNLINK instead when lazyfree-lazy-server-del is on (default off; not a
      // ServerConfig field yet).
      c.propagateArgv = new byte[][] {DEL, a[1]};
      s.signalModifiedKey(c.db, a[1]);
      return;
    }
    int n = (int) count;
    byte[][] popped = new byte[n][];
    for (int i = 0; i < n; i++) {
      popped[i] = set.random();
      set.remove(popped[i]);
    }
    c.set(n);
    for (byte[] m : popped) {
      c.bulk(m);
    }
    // Redis 7.0 propagates one SREM per batch of up to 1024 members; a single SREM carrying all
    // the popped members has the same effect on replicas and the AOF.
    byte[][] argv = new byte[n + 2][];
    argv[0] = SREM;
    argv[1] = a[1];
    System.arraycopy(popped, 0, argv, 2, n);
    c.propagateArgv = argv;
    s.signalModifiedKey(c.db, a[1]);
  }

  static void srandmember(Client c, byte[][] a) {
    if (a.length == 3) {
      srandWithCount(c, a);
      return;
    }
    if (a.length > 3) {
      c.syntaxError();
      return;
    }
    RSet set = read(c, a[1]);
    if (set == WRONG) {
      return;
    }
    if (set == null) {
      c.nullBulk();
      return;
    }
    c.bulk(set.random());
  }

  private static void srandWithCount(Client c, byte[][] a) {
    long l = HashCommands.randCount(c, a[2]);
    if (l == Args.BAD) {
      return;
    }
    RSet set = read(c, a[1]);
    if (set == WRONG) {
      return;
    }
    if (set == null || l == 0) {
      c.emptyArray();
      return;
    }
    if (l < 0) {
      long count = -l;
      c.array(count);
      for (long i = 0; i < count; i++) {
        c.bulk(set.random());
      }
      return;
    }
    long size = set.size();
    if (l >= size) {
      c.array(size);
      set.forEach(c::bulk);
      return;
    }
    int count = (int) l;
    if (count * 3L <= size) {
      // Few of many: sample until count distinct members (Redis's CASE 4).
      Set<Client.ByteKey> picked = new LinkedHashSet<>();
      while (picked.size() < count) {
        picked.add(new Client.ByteKey(set.random()));
      }
      c.array(count);
      for (Client.ByteKey k : picked) {
        c.bulk(k.bytes);
      }
      return;
    }
    List<byte[]> all = new ArrayList<>((int) size);
    set.forEach(all::add);
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    c.array(count);
    for (int i = 0; i < count; i++) {
      int j = i + rnd.nextInt(all.size() - i);
      byte[] tmp = all.get(i);
      all.set(i, all.get(j));
      all.set(j, tmp);
      c.bulk(all.get(i));
    }
  }

  // ---- SINTER / SUNION / SDIFF -----------------------------------------------------------------

  /**
   * Looks up every key (write lookups when storing); missing keys become null. Returns null after
   * a WRONGTYPE reply.
   */
  private static RSet[] lookupAll(Client c, byte[][] keys, boolean forWrite) {
    RSet[] sets = new RSet[keys.length];
    for (int i = 0; i < keys.length; i++) {
      RSet s = forWrite ? write(c, keys[i]) : read(c, keys[i]);
      if (s == WRONG) {
        return null;
      }
      sets[i] = s;
    }
    return sets;
  }

  /** Stores a computed result at dst (or deletes dst when empty) and replies its size. */
  private static void store(Client c, byte[] dst, RSet result, String event) {
    Server s = c.server;
    if (result.size() > 0) {
      s.setKey(c.db, dst, result, false);
      c.integer(result.size());
      s.notifyKeyspaceEvent(Notifications.SET, event, dst, c.db.id);
      s.dirty++;
    } else {
      c.integer(0);
      deleteDst(c, dst);
    }
  }

  private static void deleteDst(Client c, byte[] dst) {
    Server s = c.server;
    if (s.lookupWrite(c.db, dst) != null && s.deleteKey(c.db, dst)) {
      s.dirty++;
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", dst, c.db.id);
    }
  }

  static void inter(Client c, byte[][] keys, byte[] dst, boolean cardOnly, long limit) {
    RSet[] sets = lookupAll(c, keys, dst != null);
    if (sets == null) {
      return;
    }
    for (RSet s : sets) {
      if (s == null) {
        if (dst != null) {
          deleteDst(c, dst);
          c.integer(0);
        } else if (cardOnly) {
          c.integer(0);
        } else {
          c.set(0);
        }
        return;
      }
    }
    RSet[] sorted = sets.clone();
    Arrays.sort(sorted, Comparator.comparingLong(RSet::size)); // stable, like glibc's qsort
    List<byte[]> members = new ArrayList<>();
    long[] card = {0};
    boolean[] done = {false};
    sorted[0].forEach(m -> {
      if (done[0]) {
        return;
      }
      for (int j = 1; j < sorted.length; j++) {
        if (sorted[j] != sorted[0] && !sorted[j].contains(m)) {
          return;
        }
      }
      if (cardOnly) {
        card[0]++;
        if (limit != 0 && card[0] >= limit) {
          done[0] = true;
        }
      } else {
        members.add(m);
      }
    });
    if (cardOnly) {
      c.integer(card[0]);
    } else if (dst == null) {
      c.set(members.size());
      for (byte[] m : members) {
        c.bulk(m);
      }
    } else {
      RSet result = new RSet();
      int max = maxIntset(c);
      for (byte[] m : members) {
        result.add(m, max);
      }
      store(c, dst, result, "sinterstore");
    }
  }

  static void sintercard(Client c, byte[][] a) {
    Long numkeys = Bytes.parseLongOrNull(a[1]);
    if (numkeys == null || numkeys < 1) {
      c.err("numkeys should be greater than 0");
      return;
    }
    if (numkeys > a.length - 2) {
      c.err("Number of keys can't be greater than number of args");
      return;
    }
    int n = (int) (long) numkeys;
    long limit = 0;
    for (int i = 2 + n; i < a.length; i++) {
      if (Args.is(a[i], "limit") && i + 1 < a.length) {
        Long v = Bytes.parseLongOrNull(a[i + 1]);
        if (v == null || v < 0) {
          c.err("LIMIT can't be negative");
          return;
        }
        limit = v;
        i++;
      } else {
        c.syntaxError();
        return;
      }
    }
    inter(c, Arrays.copyOfRange(a, 2, 2 + n), null, true, limit);
  }

  static void unionDiff(Client c, byte[][] keys, byte[] dst, boolean union) {
    RSet[] sets = lookupAll(c, keys, dst != null);
    if (sets == null) {
      return;
    }
    RSet result = new RSet();
    int max = maxIntset(c);
    if (union) {
      for (RSet s : sets) {
        if (s != null) {
          s.forEach(m -> result.add(m, max));
        }
      }
    } else if (sets[0] != null) {
      sets[0].forEach(m -> {
        for (int j = 1; j < sets.length; j++) {
          if (sets[j] != null && (sets[j] == sets[0] || sets[j].contains(m))) {
            return;
          }
        }
        result.add(m, max);
      });
    }
    if (dst == null) {
      c.set(result.size());
      result.forEach(c::bulk);
    } else {
      store(c, dst, result, union ? "sunionstore" : "sdiffstore");
    }
  }

  // ---- SSCAN -----------------------------------------------------------------------------------

  static void sscan(Client c, byte[][] a) {
    Long parsed = Scan.parseCursor(c, a[2]);
    if (parsed == null) {
      return;
    }
    long cursor = parsed;
    RSet set = read(c, a[1]);
    if (set == WRONG) {
      return;
    }
    if (set == null) {
      Scan.emptyReply(c);
      return;
    }
    Scan.Options o = Scan.parseOptions(c, a, 3);
    if (o == null) {
      return;
    }
    List<byte[]> out = new ArrayList<>();
    long next = 0;
    if (set.isIntset()) {
      set.forEach(m -> {
        if (o.matches(m)) {
          out.add(m);
        }
      });
    } else {
      long maxIterations = o.count * 10;
      long[] seen = {0};
      do {
        cursor = set.scan(cursor, m -> {
          seen[0]++;
          if (o.matches(m)) {
            out.add(m);
          }
        });
      } while (cursor != 0 && maxIterations-- > 0 && seen[0] < o.count);
      next = cursor;
    }
    Scan.reply(c, next, out);
  }

}
