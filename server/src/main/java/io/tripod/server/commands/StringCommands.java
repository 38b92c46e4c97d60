package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.LongDouble;
import io.tripod.server.types.RawString;
import io.tripod.server.types.Strings;
import io.tripod.server.util.Bytes;

/** String commands ({@code t_string.c}). */
final class StringCommands {
  private StringCommands() {}

  private static final byte[] SET = Bytes.of("SET");
  private static final byte[] PXAT = Bytes.of("PXAT");

  static void register(CommandTable t) {
    t.add("get", 2, "readonly fast", 1, 1, 1, "read string fast", StringCommands::get);
    t.add("set", -3, "write denyoom", 1, 1, 1, "write string slow", StringCommands::set);
    t.add("setnx", 3, "write denyoom fast", 1, 1, 1, "write string fast", StringCommands::setnx);
    t.add("setex", 4, "write denyoom", 1, 1, 1, "write string slow", (c, a) -> setex(c, a, 1000));
    t.add("psetex", 4, "write denyoom", 1, 1, 1, "write string slow", (c, a) -> setex(c, a, 1));
    t.add("mget", -2, "readonly fast", 1, -1, 1, "read string fast", StringCommands::mget);
    t.add("mset", -3, "write denyoom", 1, -1, 2, "write string slow", StringCommands::mset);
    t.add("incr", 2, "write denyoom fast", 1, 1, 1, "write string fast", (c, a) -> incrBy(c, a[1], 1));
    t.add("decr", 2, "write denyoom fast", 1, 1, 1, "write string fast", (c, a) -> incrBy(c, a[1], -1));
    t.add("incrby", 3, "write denyoom fast", 1, 1, 1, "write string fast", StringCommands::incrby);
    t.add("decrby", 3, "write denyoom fast", 1, 1, 1, "write string fast", StringCommands::decrby);
    t.add("append", 3, "write denyoom fast", 1, 1, 1, "write string fast", StringCommands::append);
    t.add("strlen", 2, "readonly fast", 1, 1, 1, "read string fast", StringCommands::strlen);
    t.add("msetnx", -3, "write denyoom", 1, -1, 2, "write string slow", StringCommands::msetnx);
    t.add("getset", 3, "write denyoom fast", 1, 1, 1, "write string fast", StringCommands::getset);
    t.add("getdel", 2, "write fast", 1, 1, 1, "write string fast", StringCommands::getdel);
    t.add("getex", -2, "write fast", 1, 1, 1, "write string fast", StringCommands::getex);
    t.add("incrbyfloat", 3, "write denyoom fast", 1, 1, 1, "write string fast", StringCommands::incrbyfloat);
    t.add("getrange", 4, "readonly", 1, 1, 1, "read string slow", StringCommands::getrange);
    t.add("substr", 4, "readonly", 1, 1, 1, "read string slow", StringCommands::getrange);
    t.add("setrange", 4, "write denyoom", 1, 1, 1, "write string slow", StringCommands::setrange);
    t.add("lcs", -3, "readonly", 1, 2, 1, "read string slow", StringCommands::lcs);
  }

  /** Returned by {@link #readString} for a key of another type (nothing is replied). */
  static final Object WRONG = new Object();

  /** The string value of a key via a read look-up (hits/misses, lazy expiry), null if absent. */
  static Object readString(Client c, byte[] key) {
    KeyEntry e = c.server.lookupRead(c.db, key);
    if (e == null) {
      return null;
    }
    if (!Strings.isString(e.value)) {
      return WRONG;
    }
    return e.value;
  }

  static void get(Client c, byte[][] a) {
    Object v = readString(c, a[1]);
    if (v == WRONG) {
      c.wrongType();
    } else if (v == null) {
      c.nullBulk();
    } else {
      replyString(c, v);
    }
  }

  private static final int NX = 1;
  private static final int XX = 2;
  private static final int GET = 4;
  private static final int KEEPTTL = 8;
  private static final int EX = 16;
  private static final int PX = 32;
  private static final int EXAT = 64;
  private static final int PXAT_FLAG = 128;
  private static final int PERSIST = 256;
  private static final int ANY_EXPIRE = EX | PX | EXAT | PXAT_FLAG;

  /**
   * Redis's {@code parseExtendedStringArgumentsOrReply}: the options of SET (from argv[3]) or GETEX
   * (from argv[2]). Returns the flags, or -1 after replying a syntax error; the EX/PX/EXAT/PXAT
   * argument goes to {@code expireOut[0]}.
   */
  private static int parseExtended(Client c, byte[][] a, boolean getex, byte[][] expireOut) {
    int flags = 0;
    for (int j = getex ? 2 : 3; j < a.length; j++) {
      byte[] opt = a[j];
      boolean hasNext = j + 1 < a.length;
      if (!getex && Args.is(opt, "nx") && (flags & XX) == 0) {
        flags |= NX;
      } else if (!getex && Args.is(opt, "xx") && (flags & NX) == 0) {
        flags |= XX;
      } else if (!getex && Args.is(opt, "get")) {
        flags |= GET;
      } else if (!getex && Args.is(opt, "keepttl") && (flags & (PERSIST | ANY_EXPIRE)) == 0) {
        flags |= KEEPTTL;
      } else if (getex && Args.is(opt, "persist") && (flags & (KEEPTTL | ANY_EXPIRE)) == 0) {
        flags |= PERSIST;
      } else if (hasNext && Args.is(opt, "ex") && (flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT_FLAG)) == 0) {
        flags |= EX;
        expireOut[0] = a[++j];
      } else if (hasNext && Args.is(opt, "px") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT_FLAG)) == 0) {
        flags |= PX;
        expireOut[0] = a[++j];
      } else if (hasNext && Args.is(opt, "exat") && (flags & (KEEPTTL | PERSIST | EX | PX | PXAT_FLAG)) == 0) {
        flags |= EXAT;
        expireOut[0] = a[++j];
      } else if (hasNext && Args.is(opt, "pxat") && (flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) == 0) {
        flags |= PXAT_FLAG;
        expireOut[0] = a[++j];
      } else {
        c.syntaxError();
        return -1;
      }
    }
    return flags;
  }

  /**
   * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]. A relative or absolute
   * expiry is propagated as {@code SET key value PXAT <ms>}, as Redis 7.0 does, so replicas and
   * the AOF expire the key at the same instant as the master.
   */
  static void set(Client c, byte[][] a) {
    byte[][] expireOut = new byte[1][];
    int flags = parseExtended(c, a, false, expireOut);
    if (flags < 0) {
      return;
    }
    byte[] expireArg = expireOut[0];
    long whenMillis = -1;
    if (expireArg != null) {
      whenMillis = expireMillis(c, expireArg, flags, "set");
      if (whenMillis == Args.BAD) {
        return;
      }
    }
    setGeneric(c, flags, a[1], a[2], whenMillis, expireArg != null);
    if ((flags & GET) != 0 && expireArg == null) {
      stripGet(c, a);
    }
  }

  /** Converts an EX/PX/EXAT/PXAT argument to absolute unix ms, or replies and returns BAD. */
  private static long expireMillis(Client c, byte[] arg, int flags, String cmd) {
    long v = Args.longOrReply(c, arg);
    if (v == Args.BAD) {
      return Args.BAD;
    }
    if (v <= 0 || ((flags & (EX | EXAT)) != 0 && v > Long.MAX_VALUE / 1000)) {
      c.err("invalid expire time in '" + cmd + "' command");
      return Args.BAD;
    }
    if ((flags & (EX | EXAT)) != 0) {
      v *= 1000;
    }
    if ((flags & (EX | PX)) != 0) {
      long now = c.server.now();
      if (v > Long.MAX_VALUE - now) {
        c.err("invalid expire time in '" + cmd + "' command");
        return Args.BAD;
      }
      v += now;
    }
    return v;
  }

  private static void setGeneric(
      Client c, int flags, byte[] key, byte[] value, long whenMillis, boolean hasExpire) {
    Server s = c.server;
    Database db = c.db;
    if ((flags & GET) != 0) {
      // getGenericCommand: a read look-up (hits/misses), old value replied before anything else.
      Object old = readString(c, key);
      if (old == WRONG) {
        c.wrongType();
        return;
      }
      if (old == null) {
        c.nullBulk();
      } else {
        replyString(c, old);
      }
    }
    KeyEntry e = s.lookupWrite(db, key);
    boolean exists = e != null;
    if (((flags & NX) != 0 && exists) || ((flags & XX) != 0 && !exists)) {
      if ((flags & GET) == 0) {
        c.nullBulk();
      }
      return;
    }
    KeyEntry ne = s.setKey(db, key, value, (flags & KEEPTTL) != 0);
    s.dirty++;
    s.notifyKeyspaceEvent(Notifications.STRING, "set", key, db.id);
    if (hasExpire) {
      // Redis 7.0 sets the expiry even when it is already in the past (the key then expires on
      // its next access) and propagates the absolute time.
      db.setExpire(ne, whenMillis);
      c.propagateArgv = new byte[][] {SET, key, value, PXAT, Bytes.fromLong(whenMillis)};
      s.notifyKeyspaceEvent(Notifications.GENERIC, "expire", key, db.id);
    }
    if ((flags & GET) == 0) {
      c.ok();
    }
  }

  /** Sets {@code propagateArgv} to SET's argv without its GET options (as Redis does). */
  private static void stripGet(Client c, byte[][] a) {
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    for (int j = 0; j < a.length; j++) {
      if (j >= 3 && Args.is(a[j], "get")) {
        continue;
      }
      out.add(a[j]);
    }
    c.propagateArgv = out.toArray(new byte[0][]);
  }

  /** Replies a string value as a bulk string. */
  static void replyString(Client c, Object v) {
    if (v instanceof byte[]) {
      c.bulk((byte[]) v);
    } else {
      RawString r = (RawString) v;
      c.bulk(r.buffer(), 0, r.length());
    }
  }

  static void setnx(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    if (e != null) {
      c.integer(0);
      return;
    }
    s.addKey(c.db, a[1], a[2]);
    s.dirty++;
    s.notifyKeyspaceEvent(Notifications.STRING, "set", a[1], c.db.id);
    c.integer(1);
  }

  static void setex(Client c, byte[][] a, int unitMillis) {
    int flags = unitMillis == 1000 ? EX : PX;
    long when = expireMillis(c, a[2], flags, unitMillis == 1000 ? "setex" : "psetex");
    if (when == Args.BAD) {
      return;
    }
    setGeneric(c, flags, a[1], a[3], when, true);
  }

  static void mget(Client c, byte[][] a) {
    c.array(a.length - 1);
    for (int i = 1; i < a.length; i++) {
      KeyEntry e = c.server.lookupRead(c.db, a[i]);
      if (e == null || !Strings.isString(e.value)) {
        c.nullBulk();
      } else {
        c.bulk(Strings.bytes(e.value));
      }
    }
  }

  static void mset(Client c, byte[][] a) {
    if (a.length % 2 == 0) {
      c.arityError("mset");
      return;
    }
    Server s = c.server;
    for (int i = 1; i < a.length; i += 2) {
      s.setKey(c.db, a[i], a[i + 1], false);
      s.notifyKeyspaceEvent(Notifications.STRING, "set", a[i], c.db.id);
    }
    s.dirty += (a.length - 1) / 2;
    c.ok();
  }

  static void incrby(Client c, byte[][] a) {
    long by = Args.longOrReply(c, a[2]);
    if (by != Args.BAD) {
      incrBy(c, a[1], by);
    }
  }

  static void decrby(Client c, byte[][] a) {
    long by = Args.longOrReply(c, a[2]);
    if (by == Args.BAD) {
      return;
    }
    if (by == Long.MIN_VALUE) {
      c.err("decrement would overflow");
      return;
    }
    incrBy(c, a[1], -by);
  }

  static void incrBy(Client c, byte[] key, long by) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, key);
    long old = 0;
    if (e != null) {
      if (!Strings.isString(e.value)) {
        c.wrongType();
        return;
      }
      Long v = Bytes.parseLongOrNull(Strings.bytes(e.value));
      if (v == null) {
        c.notInteger();
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
    byte[] nb = Bytes.fromLong(nv);
    if (e == null) {
      s.addKey(c.db, key, nb);
    } else {
      e.value = nb;
      s.signalModifiedKey(c.db, key);
    }
    s.dirty++;
    s.notifyKeyspaceEvent(Notifications.STRING, "incrby", key, c.db.id);
    c.integer(nv);
  }

  static void append(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    long len;
    if (e == null) {
      s.addKey(c.db, a[1], a[2]);
      len = a[2].length;
    } else {
      if (!Strings.isString(e.value)) {
        c.wrongType();
        return;
      }
      long total = (long) Strings.length(e.value) + a[2].length;
      if (total > s.config.protoMaxBulkLen) {
        c.err("string exceeds maximum allowed size (proto-max-bulk-len)");
        return;
      }
      RawString r = Strings.mutable(e.value, a[2].length);
      r.append(a[2]);
      e.value = r;
      len = r.length();
      s.signalModifiedKey(c.db, a[1]);
    }
    s.dirty++;
    s.notifyKeyspaceEvent(Notifications.STRING, "append", a[1], c.db.id);
    c.integer(len);
  }

  static void strlen(Client c, byte[][] a) {
    Object v = readString(c, a[1]);
    if (v == WRONG) {
      c.wrongType();
    } else {
      c.integer(v == null ? 0 : Strings.length(v));
    }
  }

  static void msetnx(Client c, byte[][] a) {
    if (a.length % 2 == 0) {
      c.arityError("msetnx");
      return;
    }
    Server s = c.server;
    for (int i = 1; i < a.length; i += 2) {
      if (s.lookupWrite(c.db, a[i]) != null) {
        c.integer(0);
        return;
      }
    }
    for (int i = 1; i < a.length; i += 2) {
      s.setKey(c.db, a[i], a[i + 1], false);
      s.notifyKeyspaceEvent(Notifications.STRING, "set", a[i], c.db.id);
    }
    s.dirty += (a.length - 1) / 2;
    c.integer(1);
  }

  /** Redis's getGenericCommand: replies the value (or null); false after a WRONGTYPE error. */
  private static boolean getGeneric(Client c, byte[] key) {
    Object v = readString(c, key);
    if (v == WRONG) {
      c.wrongType();
      return false;
    }
    if (v == null) {
      c.nullBulk();
    } else {
      replyString(c, v);
    }
    return true;
  }

  static void getset(Client c, byte[][] a) {
    if (!getGeneric(c, a[1])) {
      return;
    }
    Server s = c.server;
    s.setKey(c.db, a[1], a[2], false);
    s.notifyKeyspaceEvent(Notifications.STRING, "set", a[1], c.db.id);
    s.dirty++;
    c.propagateArgv = new byte[][] {SET, a[1], a[2]};
  }

  static void getdel(Client c, byte[][] a) {
    if (!getGeneric(c, a[1])) {
      return;
    }
    Server s = c.server;
    if (s.deleteKey(c.db, a[1])) {
      c.propagateArgv = new byte[][] {Bytes.of(s.config.lazyfreeLazyUserDel ? "UNLINK" : "DEL"), a[1]};
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
      s.dirty++;
    }
  }

  /**
   * GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]: never propagated as is, but as PEXPIREAT,
   * DEL (an absolute time already past) or PERSIST.
   */
  static void getex(Client c, byte[][] a) {
    byte[][] expireOut = new byte[1][];
    int flags = parseExtended(c, a, true, expireOut);
    if (flags < 0) {
      return;
    }
    Server s = c.server;
    Object v = readString(c, a[1]);
    if (v == WRONG) {
      c.wrongType();
      return;
    }
    if (v == null) {
      c.nullBulk();
      return;
    }
    long when = 0;
    if (expireOut[0] != null) {
      when = expireMillis(c, expireOut[0], flags, "getex");
      if (when == Args.BAD) {
        return;
      }
    }
    replyString(c, v);
    if ((flags & (EXAT | PXAT_FLAG)) != 0 && when <= s.now() && !c.isMaster && !s.replicaOfMaster) {
      s.deleteKey(c.db, a[1]);
      c.propagateArgv = new byte[][] {Bytes.of("DEL"), a[1]};
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
      s.dirty++;
    } else if (expireOut[0] != null) {
      KeyEntry e = c.db.find(a[1]);
      c.db.setExpire(e, when);
      c.propagateArgv = new byte[][] {Bytes.of("PEXPIREAT"), a[1], Bytes.fromLong(when)};
      s.signalModifiedKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "expire", a[1], c.db.id);
      s.dirty++;
    } else if ((flags & PERSIST) != 0) {
      KeyEntry e = c.db.find(a[1]);
      if (c.db.persist(e)) {
        s.signalModifiedKey(c.db, a[1]);
        c.propagateArgv = new byte[][] {Bytes.of("PERSIST"), a[1]};
        s.notifyKeyspaceEvent(Notifications.GENERIC, "persist", a[1], c.db.id);
        s.dirty++;
      }
    }
  }

  /**
   * INCRBYFLOAT key increment, in 80-bit long double arithmetic like Redis on x86-64; always
   * propagated as {@code SET key <result> KEEPTTL}.
   */
  static void incrbyfloat(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    LongDouble value = LongDouble.ZERO;
    if (e != null) {
      if (!Strings.isString(e.value)) {
        c.wrongType();
        return;
      }
      value = LongDouble.parse(Strings.bytes(e.value));
      if (value == null) {
        c.notFloat();
        return;
      }
    }
    LongDouble incr = LongDouble.parse(a[2]);
    if (incr == null) {
      c.notFloat();
      return;
    }
    LongDouble sum = value.add(incr);
    if (sum == null || sum.isInfinite()) {
      c.err("increment would produce NaN or Infinity");
      return;
    }
    byte[] nb = Bytes.of(sum.toHumanString());
    if (e == null) {
      s.addKey(c.db, a[1], nb);
    } else {
      e.value = nb;
      s.signalModifiedKey(c.db, a[1]);
    }
    s.notifyKeyspaceEvent(Notifications.STRING, "incrbyfloat", a[1], c.db.id);
    s.dirty++;
    c.bulk(nb);
    c.propagateArgv = new byte[][] {SET, a[1], nb, Bytes.of("KEEPTTL")};
  }

  /** GETRANGE / SUBSTR key start end (inclusive, negative from the end). */
  static void getrange(Client c, byte[][] a) {
    long start = Args.longOrReply(c, a[2]);
    if (start == Args.BAD) {
      return;
    }
    long end = Args.longOrReply(c, a[3]);
    if (end == Args.BAD) {
      return;
    }
    Object v = readString(c, a[1]);
    if (v == WRONG) {
      c.wrongType();
      return;
    }
    if (v == null) {
      c.bulk(Bytes.EMPTY);
      return;
    }
    long strlen = Strings.length(v);
    if (start < 0 && end < 0 && start > end) {
      c.bulk(Bytes.EMPTY);
      return;
    }
    if (start < 0) {
      start = strlen + start;
    }
    if (end < 0) {
      end = strlen + end;
    }
    if (start < 0) {
      start = 0;
    }
    if (end < 0) {
      end = 0;
    }
    if (Long.compareUnsigned(end, strlen) >= 0) {
      end = strlen - 1;
    }
    if (start > end || strlen == 0) {
      c.bulk(Bytes.EMPTY);
    } else {
      byte[] buf = v instanceof RawString ? ((RawString) v).buffer() : (byte[]) v;
      c.bulk(buf, (int) start, (int) (end - start + 1));
    }
  }

  static void setrange(Client c, byte[][] a) {
    long offset = Args.longOrReply(c, a[2]);
    if (offset == Args.BAD) {
      return;
    }
    if (offset < 0) {
      c.err("offset is out of range");
      return;
    }
    Server s = c.server;
    byte[] value = a[3];
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    RawString r;
    if (e == null) {
      if (value.length == 0) {
        c.integer(0);
        return;
      }
      if (!checkStringLength(c, offset + value.length)) {
        return;
      }
      r = new RawString(Bytes.EMPTY, (int) (offset + value.length));
      r.growZero((int) (offset + value.length));
      s.addKey(c.db, a[1], r);
    } else {
      if (!Strings.isString(e.value)) {
        c.wrongType();
        return;
      }
      int olen = Strings.length(e.value);
      if (value.length == 0) {
        c.integer(olen);
        return;
      }
      if (!checkStringLength(c, offset + value.length)) {
        return;
      }
      r = Strings.mutable(e.value, (int) Math.max(0, offset + value.length - olen));
      e.value = r;
    }
    r.growZero((int) (offset + value.length));
    System.arraycopy(value, 0, r.buffer(), (int) offset, value.length);
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.STRING, "setrange", a[1], c.db.id);
    s.dirty++;
    c.integer(r.length());
  }

  /** Redis's checkStringLength: replies the error and returns false above proto-max-bulk-len. */
  private static boolean checkStringLength(Client c, long size) {
    if (size < 0) {
      size = Long.MAX_VALUE; // offset + length wrapped: C computes it unsigned
    }
    if (!c.isMaster && size > c.server.config.protoMaxBulkLen) {
      c.err("string exceeds maximum allowed size (proto-max-bulk-len)");
      return false;
    }
    return true;
  }

  /** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]. */
  static void lcs(Client c, byte[][] a) {
    Object va = readString(c, a[1]);
    Object vb = readString(c, a[2]);
    if (va == WRONG || vb == WRONG) {
      c.err("The specified keys must contain string values");
      return;
    }
    byte[] sa = va == null ? Bytes.EMPTY : Strings.bytes(va);
    byte[] sb = vb == null ? Bytes.EMPTY : Strings.bytes(vb);
    boolean getlen = false;
    boolean getidx = false;
    boolean withmatchlen = false;
    long minmatchlen = 0;
    for (int j = 3; j < a.length; j++) {
      byte[] opt = a[j];
      boolean more = j < a.length - 1;
      if (Args.is(opt, "idx")) {
        getidx = true;
      } else if (Args.is(opt, "len")) {
        getlen = true;
      } else if (Args.is(opt, "withmatchlen")) {
        withmatchlen = true;
      } else if (Args.is(opt, "minmatchlen") && more) {
        minmatchlen = Args.longOrReply(c, a[j + 1]);
        if (minmatchlen == Args.BAD) {
          return;
        }
        if (minmatchlen < 0) {
          minmatchlen = 0;
        }
        j++;
      } else {
        c.syntaxError();
        return;
      }
    }
    if (getlen && getidx) {
      c.err("If you want both the length and indexes, please just use IDX.");
      return;
    }
    int alen = sa.length;
    int blen = sb.length;
    long cells = (long) (alen + 1) * (blen + 1);
    if (cells * 4 > c.server.config.protoMaxBulkLen) {
      c.err("Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
      return;
    }
    int[] lcs;
    try {
      lcs = cells > Integer.MAX_VALUE - 8 ? null : new int[(int) cells];
    } catch (OutOfMemoryError oom) {
      lcs = null;
    }
    if (lcs == null) {
      c.err("Insufficient memory, failed allocating transient memory for LCS");
      return;
    }
    int w = blen + 1;
    for (int i = 1; i <= alen; i++) {
      for (int j = 1; j <= blen; j++) {
        if (sa[i - 1] == sb[j - 1]) {
          lcs[i * w + j] = lcs[(i - 1) * w + j - 1] + 1;
        } else {
          lcs[i * w + j] = Math.max(lcs[(i - 1) * w + j], lcs[i * w + j - 1]);
        }
      }
    }
    int idx = lcs[alen * w + blen];
    int total = idx;
    boolean computelcs = getidx || !getlen;
    byte[] result = computelcs ? new byte[idx] : null;
    java.util.List<long[]> ranges = new java.util.ArrayList<>();
    int arangeStart = alen;
    int arangeEnd = 0;
    int brangeStart = 0;
    int brangeEnd = 0;
    int i = alen;
    int j = blen;
    while (computelcs && i > 0 && j > 0) {
      boolean emit = false;
      if (sa[i - 1] == sb[j - 1]) {
        result[idx - 1] = sa[i - 1];
        if (arangeStart == alen) {
          arangeStart = i - 1;
          arangeEnd = i - 1;
          brangeStart = j - 1;
          brangeEnd = j - 1;
        } else if (arangeStart == i && brangeStart == j) {
          arangeStart--;
          brangeStart--;
        } else {
          emit = true;
        }
        if (arangeStart == 0 || brangeStart == 0) {
          emit = true;
        }
        idx--;
        i--;
        j--;
      } else {
        int l1 = lcs[(i - 1) * w + j];
        int l2 = lcs[i * w + j - 1];
        if (l1 > l2) {
          i--;
        } else {
          j--;
        }
        if (arangeStart != alen) {
          emit = true;
        }
      }
      long matchLen = (long) arangeEnd - arangeStart + 1;
      if (emit) {
        if (minmatchlen == 0 || matchLen >= minmatchlen) {
          ranges.add(new long[] {arangeStart, arangeEnd, brangeStart, brangeEnd, matchLen});
        }
        arangeStart = alen;
      }
    }
    if (getidx) {
      c.map(2);
      c.bulk("matches");
      c.array(ranges.size());
      for (long[] r : ranges) {
        c.array(withmatchlen ? 3 : 2);
        c.array(2);
        c.integer(r[0]);
        c.integer(r[1]);
        c.array(2);
        c.integer(r[2]);
        c.integer(r[3]);
        if (withmatchlen) {
          c.integer(r[4]);
        }
      }
      c.bulk("len");
      c.integer(total);
    } else if (getlen) {
      c.integer(total);
    } else {
      c.bulk(result);
    }
  }
}
