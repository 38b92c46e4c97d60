package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RawString;
import io.tripod.server.types.Types;
import io.tripod.server.util.Bytes;
import io.tripod.server.util.Glob;
import java.util.ArrayList;
import java.util.List;

/**
 * Generic key commands ({@code db.c}, {@code expire.c}): DEL, UNLINK, EXISTS, TYPE, DBSIZE,
 * FLUSHDB, FLUSHALL, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, MOVE, COPY, TOUCH, SWAPDB, the EXPIRE
 * family, TTL/PTTL/EXPIRETIME/PEXPIRETIME and PERSIST.
 */
final class KeyCommands {
  private KeyCommands() {}

  private static final byte[] DEL = Bytes.of("DEL");
  private static final byte[] PEXPIREAT = Bytes.of("PEXPIREAT");

  static void register(CommandTable t) {
    t.add("del", -2, "write", 1, -1, 1, "keyspace write slow", KeyCommands::del);
    t.add("unlink", -2, "write fast", 1, -1, 1, "keyspace write fast", KeyCommands::del);
    t.add("exists", -2, "readonly fast", 1, -1, 1, "keyspace read fast", KeyCommands::exists);
    t.add("type", 2, "readonly fast", 1, 1, 1, "keyspace read fast", KeyCommands::type);
    t.add("dbsize", 1, "readonly fast", 0, 0, 0, "keyspace read fast", (c, a) -> c.integer(c.db.size()));
    t.add("flushdb", -1, "write", 0, 0, 0, "keyspace write slow dangerous", KeyCommands::flushdb);
    t.add("flushall", -1, "write", 0, 0, 0, "keyspace write slow dangerous", KeyCommands::flushall);
    t.add("keys", 2, "readonly", 0, 0, 0, "keyspace read slow dangerous", KeyCommands::keys);
    t.add("scan", -2, "readonly", 0, 0, 0, "keyspace read slow", KeyCommands::scan);
    t.add("randomkey", 1, "readonly", 0, 0, 0, "keyspace read slow", KeyCommands::randomkey);
    t.add("rename", 3, "write", 1, 2, 1, "keyspace write slow", (c, a) -> rename(c, a, false));
    t.add("renamenx", 3, "write fast", 1, 2, 1, "keyspace write fast", (c, a) -> rename(c, a, true));
    t.add("move", 3, "write fast", 1, 1, 1, "keyspace write fast", KeyCommands::move);
    t.add("copy", -3, "write denyoom", 1, 2, 1, "keyspace write slow", KeyCommands::copy);
    t.add("touch", -2, "readonly fast", 1, -1, 1, "keyspace read fast", KeyCommands::touch);
    t.add("swapdb", 3, "write fast", 0, 0, 0, "keyspace write fast dangerous", KeyCommands::swapdb);
    t.add("expire", -3, "write fast", 1, 1, 1, "keyspace write fast",
        (c, a) -> expire(c, a, c.server.now(), true, "expire"));
    t.add("pexpire", -3, "write fast", 1, 1, 1, "keyspace write fast",
        (c, a) -> expire(c, a, c.server.now(), false, "pexpire"));
    t.add("expireat", -3, "write fast", 1, 1, 1, "keyspace write fast",
        (c, a) -> expire(c, a, 0, true, "expireat"));
    t.add("pexpireat", -3, "write fast", 1, 1, 1, "keyspace write fast",
        (c, a) -> expire(c, a, 0, false, "pexpireat"));
    t.add("ttl", 2, "readonly fast", 1, 1, 1, "keyspace read fast", (c, a) -> ttl(c, a, false, false));
    t.add("pttl", 2, "readonly fast", 1, 1, 1, "keyspace read fast", (c, a) -> ttl(c, a, true, false));
    t.add("expiretime", 2, "readonly fast", 1, 1, 1, "keyspace read fast",
        (c, a) -> ttl(c, a, false, true));
    t.add("pexpiretime", 2, "readonly fast", 1, 1, 1, "keyspace read fast",
        (c, a) -> ttl(c, a, true, true));
    t.add("persist", 2, "write fast", 1, 1, 1, "keyspace write fast", KeyCommands::persist);
  }

  // ---- look-ups ------------------------------------------------------------------------------

  /**
   * Redis's {@code lookupKeyReadWithFlags}: lazy expiry, keyspace hit/miss, and the
   * {@code keymiss} event on a miss. With {@code touch} false (LOOKUP_NOTOUCH) the LRU clock is left
   * alone.
   */
  static KeyEntry lookupRead(Client c, Database db, byte[] key, boolean touch) {
    Server s = c.server;
    KeyEntry e;
    if (touch) {
      e = s.lookupRead(db, key);
    } else {
      e = s.lookupNoTouch(db, key);
      if (e == null) {
        s.stats.keyspaceMisses++;
      } else {
        s.stats.keyspaceHits++;
      }
    }
    if (e == null) {
      s.notifyKeyspaceEvent(Notifications.KEY_MISS, "keymiss", key, db.id);
    }
    return e;
  }

  /**
   * Redis's {@code getIntFromObjectOrReply}: a long in int range. Errors: {@code msg} if given,
   * else the not-an-integer error, or Redis's own out-of-range text for a long outside int.
   */
  private static long intOrReply(Client c, byte[] arg, String msg) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null) {
      c.err(msg != null ? msg : "value is not an integer or out of range");
      return Args.BAD;
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      c.err(msg != null ? msg
          : "value is out of range, value must between -2147483648 and 2147483647");
      return Args.BAD;
    }
    return v;
  }

  // ---- DEL, EXISTS, TYPE, FLUSH --------------------------------------------------------------

  static void del(Client c, byte[][] a) {
    Server s = c.server;
    long n = 0;
    for (int i = 1; i < a.length; i++) {
      // Redis expires first, then deletes whatever is left: on a replica an expired key the
      // master deletes must go too, even though reads hide it.
      KeyEntry e = c.db.find(a[i]);
      if (e == null) {
        continue;
      }
      s.expiry.expireIfNeeded(c.db, e);
      if (s.deleteKey(c.db, a[i])) {
        s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[i], c.db.id);
        s.dirty++;
        n++;
      }
    }
    c.integer(n);
  }

  static void exists(Client c, byte[][] a) {
    long n = 0;
    for (int i = 1; i < a.length; i++) {
      if (lookupRead(c, c.db, a[i], false) != null) {
        n++;
      }
    }
    c.integer(n);
  }

  static void type(Client c, byte[][] a) {
    KeyEntry e = lookupRead(c, c.db, a[1], false);
    c.simple(Types.typeName(e == null ? null : e.value));
  }

  /** FLUSHDB / FLUSHALL take an optional ASYNC or SYNC. */
  private static boolean flushOptionOk(Client c, byte[][] a) {
    if (a.length > 2 || (a.length == 2 && !Args.is(a[1], "async") && !Args.is(a[1], "sync"))) {
      c.syntaxError();
      return false;
    }
    return true;
  }

  static void flushdb(Client c, byte[][] a) {
    if (!flushOptionOk(c, a)) {
      return;
    }
    c.server.dirty += c.server.flush(c.db.id);
    c.ok();
  }

  static void flushall(Client c, byte[][] a) {
    if (!flushOptionOk(c, a)) {
      return;
    }
    c.server.dirty += c.server.flush(-1) + 1;
    c.ok();
  }

  // ---- KEYS, SCAN, RANDOMKEY -----------------------------------------------------------------

  /** KEYS: every key matching the glob; logically expired keys are hidden, not deleted. */
  static void keys(Client c, byte[][] a) {
    byte[] pattern = a[1];
    boolean all = pattern.length == 1 && pattern[0] == '*';
    long now = c.server.now();
    List<byte[]> out = new ArrayList<>();
    c.db.forEach(
        e -> {
          if ((all || Glob.match(pattern, e.key, false)) && !c.server.expiry.isExpired(e, now)) {
            out.add(e.key);
          }
        });
    c.bulks(out);
  }

  /**
   * SCAN's cursor: C's {@code strtoul} base 10 (an optional sign, "-1" wraps to 2^64-1, the empty
   * string is 0, parsing stops at a NUL byte), no leading space, nothing after the digits.
   *
   * @return the cursor, or null if invalid
   */
  static Long parseCursor(byte[] s) {
    int i = 0;
    int n = s.length;
    if (n > 0 && isSpace(s[0])) {
      return null;
    }
    boolean neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      neg = s[i] == '-';
      i++;
    }
    int digitsStart = i;
    long v = 0;
    boolean overflow = false;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      int d = s[i] - '0';
      // v * 10 + d must stay within 64 unsigned bits.
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
        overflow = true;
      } else {
        v = v * 10 + d;
      }
      i++;
    }
    if (i == digitsStart) {
      // No digits: strtoul consumed nothing, the end pointer is the start of the string.
      return s.length == 0 || s[0] == 0 ? 0L : null;
    }
    if (i < n && s[i] != 0) {
      return null;
    }
    if (overflow) {
      return null;
    }
    return neg ? -v : v;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
  }

  static void scan(Client c, byte[][] a) {
    Long cur = parseCursor(a[1]);
    if (cur == null) {
      c.err("invalid cursor");
      return;
    }
    long count = 10;
    byte[] pattern = null;
    boolean usePattern = false;
    byte[] typeName = null;
    for (int i = 2; i < a.length; ) {
      int left = a.length - i;
      if (Args.is(a[i], "count") && left >= 2) {
        long v = Args.longOrReply(c, a[i + 1]);
        if (v == Args.BAD) {
          return;
        }
        if (v < 1) {
          c.syntaxError();
          return;
        }
        count = v;
        i += 2;
      } else if (Args.is(a[i], "match") && left >= 2) {
        pattern = a[i + 1];
        usePattern = !(pattern.length == 1 && pattern[0] == '*');
        i += 2;
      } else if (Args.is(a[i], "type") && left >= 2) {
        typeName = a[i + 1];
        i += 2;
      } else {
        c.syntaxError();
        return;
      }
    }
    Server s = c.server;
    Database db = c.db;
    List<byte[]> found = new ArrayList<>();
    long cursor = cur;
    // At most ten buckets per requested key, so a sparse table cannot stall the loop.
    long maxIterations = count * 10;
    do {
      cursor = db.scan(cursor, e -> found.add(e.key));
    } while (cursor != 0 && maxIterations-- != 0 && found.size() < count);
    List<byte[]> out = new ArrayList<>(found.size());
    for (byte[] key : found) {
      if (usePattern && !Glob.match(pattern, key, false)) {
        continue;
      }
      if (typeName != null) {
        KeyEntry e = lookupRead(c, db, key, false);
        String t = Types.typeName(e == null ? null : e.value);
        if (!cstrEqualsIgnoreCase(typeName, t)) {
          continue;
        }
      }
      KeyEntry e = db.find(key);
      if (e != null && s.expiry.expireIfNeeded(db, e)) {
        continue;
      }
      out.add(key);
    }
    c.array(2);
    c.bulk(Bytes.of(Long.toUnsignedString(cursor)));
    c.bulks(out);
  }

  /** C's {@code strcasecmp(arg, name) == 0}: the argument ends at its first NUL byte. */
  private static boolean cstrEqualsIgnoreCase(byte[] arg, String name) {
    int len = 0;
    while (len < arg.length && arg[len] != 0) {
      len++;
    }
    if (len != name.length()) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      int x = arg[i];
      if (x >= 'A' && x <= 'Z') {
        x += 32;
      }
      if (x != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static void randomkey(Client c, byte[][] a) {
    Server s = c.server;
    Database db = c.db;
    int maxTries = 100;
    boolean allVolatile = db.size() == db.expiresSize();
    while (true) {
      KeyEntry e = db.randomEntry();
      if (e == null) {
        c.nullBulk();
        return;
      }
      if (e.expireAtMillis != -1) {
        // On a replica expired keys are never deleted: when every key has a TTL they may all be
        // expired, so give up after a few tries and return one anyway.
        if (allVolatile && s.replicaOfMaster && --maxTries == 0) {
          c.bulk(e.key);
          return;
        }
        if (s.expiry.expireIfNeeded(db, e)) {
          continue;
        }
      }
      c.bulk(e.key);
      return;
    }
  }

  // ---- RENAME, MOVE, COPY, TOUCH, SWAPDB -----------------------------------------------------

  static void rename(Client c, byte[][] a, boolean nx) {
    Server s = c.server;
    Database db = c.db;
    byte[] src = a[1];
    byte[] dst = a[2];
    boolean sameKey = Bytes.equals(src, dst);
    KeyEntry from = s.lookupWrite(db, src);
    if (from == null) {
      c.err("no such key");
      return;
    }
    if (sameKey) {
      if (nx) {
        c.integer(0);
      } else {
        c.ok();
      }
      return;
    }
    long expire = from.expireAtMillis;
    if (s.lookupWrite(db, dst) != null) {
      if (nx) {
        c.integer(0);
        return;
      }
      s.deleteKey(db, dst);
    }
    moveEntry(s, from, db, dst, expire);
    s.deleteKey(db, src);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "rename_from", src, db.id);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "rename_to", dst, db.id);
    s.dirty++;
    if (nx) {
      c.integer(1);
    } else {
      c.ok();
    }
  }

  /**
   * Adds the value of {@code from} under {@code key} in {@code db} (absent there), with its TTL and
   * its LRU/LFU data: Redis moves the object itself, header included.
   */
  private static void moveEntry(Server s, KeyEntry from, Database db, byte[] key, long expire) {
    KeyEntry to = s.addKey(db, key, from.value);
    to.lruSeconds = from.lruSeconds;
    to.lfuCounter = from.lfuCounter;
    if (expire != -1) {
      db.setExpire(to, expire);
    }
  }

  static void move(Client c, byte[][] a) {
    Server s = c.server;
    long id = intOrReply(c, a[2], null);
    if (id == Args.BAD) {
      return;
    }
    if (id < 0 || id >= s.dbCount()) {
      c.err("DB index is out of range");
      return;
    }
    Database src = c.db;
    Database dst = s.db((int) id);
    if (src == dst) {
      c.err("source and destination objects are the same");
      return;
    }
    KeyEntry from = s.lookupWrite(src, a[1]);
    if (from == null) {
      c.integer(0);
      return;
    }
    long expire = from.expireAtMillis;
    if (s.lookupWrite(dst, a[1]) != null) {
      c.integer(0);
      return;
    }
    moveEntry(s, from, dst, a[1], expire);
    s.deleteKey(src, a[1]);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "move_from", a[1], src.id);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "move_to", a[1], dst.id);
    s.dirty++;
    c.integer(1);
  }

  static void copy(Client c, byte[][] a) {
    Server s = c.server;
    Database src = c.db;
    Database dst = c.db;
    boolean replace = false;
    for (int j = 3; j < a.length; j++) {
      int additional = a.length - j - 1;
      if (Args.is(a[j], "replace")) {
        replace = true;
      } else if (Args.is(a[j], "db") && additional >= 1) {
        long id = intOrReply(c, a[j + 1], null);
        if (id == Args.BAD) {
          return;
        }
        if (id < 0 || id >= s.dbCount()) {
          c.err("DB index is out of range");
          return;
        }
        dst = s.db((int) id);
        j++;
      } else {
        c.syntaxError();
        return;
      }
    }
    byte[] key = a[1];
    byte[] newKey = a[2];
    if (src == dst && Bytes.equals(key, newKey)) {
      c.err("source and destination objects are the same");
      return;
    }
    KeyEntry from = lookupRead(c, src, key, true);
    if (from == null) {
      c.integer(0);
      return;
    }
    long expire = from.expireAtMillis;
    boolean delete = false;
    if (s.lookupWrite(dst, newKey) != null) {
      if (!replace) {
        c.integer(0);
        return;
      }
      delete = true;
    }
    Object copy;
    try {
      copy = deepCopy(from.value);
    } catch (UnsupportedOperationException e) {
      c.err("unknown type object");
      return;
    }
    if (delete) {
      s.deleteKey(dst, newKey);
    }
    KeyEntry to = s.addKey(dst, newKey, copy);
    if (expire != -1) {
      dst.setExpire(to, expire);
    }
    s.notifyKeyspaceEvent(Notifications.GENERIC, "copy_to", newKey, dst.id);
    s.dirty++;
    c.integer(1);
  }

  /**
   * An independent copy of a value. Plain {@code byte[]} strings are never modified in place, so
   * they are shared; a {@link RawString} (modified in place) is copied and stays raw.
   */
  static Object deepCopy(Object v) {
    if (v instanceof byte[]) {
      return v;
    }
    if (v instanceof RawString) {
      return new RawString(((RawString) v).toBytes(), 0);
    }
    return ((Types.Value) v).deepCopy();
  }

  static void touch(Client c, byte[][] a) {
    long n = 0;
    for (int i = 1; i < a.length; i++) {
      if (lookupRead(c, c.db, a[i], true) != null) {
        n++;
      }
    }
    c.integer(n);
  }

  static void swapdb(Client c, byte[][] a) {
    long id1 = intOrReply(c, a[1], "invalid first DB index");
    if (id1 == Args.BAD) {
      return;
    }
    long id2 = intOrReply(c, a[2], "invalid second DB index");
    if (id2 == Args.BAD) {
      return;
    }
    Server s = c.server;
    if (id1 < 0 || id1 >= s.dbCount() || id2 < 0 || id2 >= s.dbCount()) {
      c.err("DB index is out of range");
      return;
    }
    if (id1 != id2) {
      s.swapDb((int) id1, (int) id2);
    }
    s.dirty++;
    c.ok();
  }

  // ---- EXPIRE family, TTL, PERSIST -----------------------------------------------------------

  private static final int NX = 1;
  private static final int XX = 2;
  private static final int GT = 4;
  private static final int LT = 8;

  /**
   * EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT ({@code expireGenericCommand}). {@code base} is the
   * command time for the relative forms, 0 for the absolute ones. Replicated as PEXPIREAT with the
   * absolute time (options kept), or as DEL when the time is already past.
   */
  static void expire(Client c, byte[][] a, long base, boolean seconds, String name) {
    int flags = 0;
    for (int j = 3; j < a.length; j++) {
      if (Args.is(a[j], "nx")) {
        flags |= NX;
      } else if (Args.is(a[j], "xx")) {
        flags |= XX;
      } else if (Args.is(a[j], "gt")) {
        flags |= GT;
      } else if (Args.is(a[j], "lt")) {
        flags |= LT;
      } else {
        c.err("Unsupported option " + cstr(a[j]));
        return;
      }
    }
    if ((flags & NX) != 0 && (flags & (XX | GT | LT)) != 0) {
      c.err("NX and XX, GT or LT options at the same time are not compatible");
      return;
    }
    if ((flags & (GT | LT)) == (GT | LT)) {
      c.err("GT and LT options at the same time are not compatible");
      return;
    }
    long when = Args.longOrReply(c, a[2]);
    if (when == Args.BAD) {
      return;
    }
    if (seconds) {
      if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
        c.err("invalid expire time in '" + name + "' command");
        return;
      }
      when *= 1000;
    }
    if (when > Long.MAX_VALUE - base) {
      c.err("invalid expire time in '" + name + "' command");
      return;
    }
    when += base;
    Server s = c.server;
    Database db = c.db;
    KeyEntry e = s.lookupWrite(db, a[1]);
    if (e == null) {
      c.integer(0);
      return;
    }
    if (flags != 0) {
      long current = e.expireAtMillis;
      if ((flags & NX) != 0 && current != -1) {
        c.integer(0);
        return;
      }
      if ((flags & XX) != 0 && current == -1) {
        c.integer(0);
        return;
      }
      // No TTL counts as infinite: GT never wins against it, LT always does.
      if ((flags & GT) != 0 && (when <= current || current == -1)) {
        c.integer(0);
        return;
      }
      if ((flags & LT) != 0 && current != -1 && when >= current) {
        c.integer(0);
        return;
      }
    }
    if (when <= s.now() && !s.replicaOfMaster) {
      s.deleteKey(db, a[1]);
      s.dirty++;
      c.propagateArgv = new byte[][] {DEL, a[1]};
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], db.id);
      c.integer(1);
      return;
    }
    db.setExpire(e, when);
    c.integer(1);
    byte[][] prop = a.clone();
    prop[0] = PEXPIREAT;
    prop[2] = Bytes.fromLong(when);
    c.propagateArgv = prop;
    s.signalModifiedKey(db, a[1]);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "expire", a[1], db.id);
    s.dirty++;
  }

  /** An argument as C prints it with {@code %s}: up to its first NUL byte. */
  private static String cstr(byte[] b) {
    int len = 0;
    while (len < b.length && b[len] != 0) {
      len++;
    }
    return new String(b, 0, len, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 no key, -1 no TTL; TTL rounds to the nearest second. */
  static void ttl(Client c, byte[][] a, boolean millis, boolean absolute) {
    KeyEntry e = lookupRead(c, c.db, a[1], false);
    if (e == null) {
      c.integer(-2);
      return;
    }
    long expire = e.expireAtMillis;
    if (expire == -1) {
      c.integer(-1);
      return;
    }
    long ttl = absolute ? expire : expire - c.server.now();
    if (ttl < 0) {
      ttl = 0;
    }
    // (ttl + 500) / 1000 without overflowing near Long.MAX_VALUE (Redis's answer there is exact).
    c.integer(millis ? ttl : ttl / 1000 + (ttl % 1000 + 500) / 1000);
  }

  static void persist(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    if (e == null || !c.db.persist(e)) {
      c.integer(0);
      return;
    }
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "persist", a[1], c.db.id);
    s.dirty++;
    c.integer(1);
  }
}
