package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
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
  }

  /** The string value of a key for reading; replies WRONGTYPE and returns null on a non-string. */
  static final Object WRONG = new Object();

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
    } else if (v instanceof byte[]) {
      c.bulk((byte[]) v);
    } else {
      RawString r = (RawString) v;
      c.bulk(r.buffer(), 0, r.length());
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

  /**
   * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]. A relative or absolute
   * expiry is propagated as {@code SET key value PXAT <ms>}, as Redis 7.0 does, so replicas and
   * the AOF expire the key at the same instant as the master.
   */
  static void set(Client c, byte[][] a) {
    int flags = 0;
    byte[] expireArg = null;
    for (int j = 3; j < a.length; j++) {
      byte[] opt = a[j];
      boolean hasNext = j + 1 < a.length;
      if (Args.is(opt, "nx") && (flags & XX) == 0) {
        flags |= NX;
      } else if (Args.is(opt, "xx") && (flags & NX) == 0) {
        flags |= XX;
      } else if (Args.is(opt, "get")) {
        flags |= GET;
      } else if (Args.is(opt, "keepttl") && (flags & (EX | PX | EXAT | PXAT_FLAG)) == 0) {
        flags |= KEEPTTL;
      } else if (hasNext && (flags & (KEEPTTL | EX | PX | EXAT | PXAT_FLAG)) == 0
          && (Args.is(opt, "ex") || Args.is(opt, "px") || Args.is(opt, "exat") || Args.is(opt, "pxat"))) {
        flags |= Args.is(opt, "ex") ? EX : Args.is(opt, "px") ? PX : Args.is(opt, "exat") ? EXAT : PXAT_FLAG;
        expireArg = a[++j];
      } else {
        c.syntaxError();
        return;
      }
    }
    long whenMillis = -1;
    if (expireArg != null) {
      whenMillis = expireMillis(c, expireArg, flags, "set");
      if (whenMillis == Args.BAD) {
        return;
      }
    }
    setGeneric(c, flags, a[1], a[2], whenMillis, expireArg != null);
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
    KeyEntry e = s.lookupWrite(db, key);
    if ((flags & GET) != 0) {
      if (e != null && !Strings.isString(e.value)) {
        c.wrongType();
        return;
      }
    }
    boolean exists = e != null;
    if (((flags & NX) != 0 && exists) || ((flags & XX) != 0 && !exists)) {
      if ((flags & GET) != 0) {
        replyOld(c, e);
      } else {
        c.nullBulk();
      }
      return;
    }
    if ((flags & GET) != 0) {
      replyOld(c, e);
    }
    KeyEntry ne = s.setKey(db, key, value, (flags & KEEPTTL) != 0);
    s.dirty++;
    s.notifyKeyspaceEvent(Notifications.STRING, "set", key, db.id);
    if (hasExpire) {
      if (whenMillis <= s.now() && !s.replicaOfMaster) {
        // Already in the past: Redis deletes at once and propagates a DEL.
        s.deleteKey(db, key);
        s.notifyKeyspaceEvent(Notifications.GENERIC, "del", key, db.id);
        c.propagateArgv = new byte[][] {Bytes.of("DEL"), key};
      } else {
        db.setExpire(ne, whenMillis);
        s.notifyKeyspaceEvent(Notifications.GENERIC, "expire", key, db.id);
        c.propagateArgv = new byte[][] {SET, key, value, PXAT, Bytes.fromLong(whenMillis)};
      }
    } else if ((flags & GET) != 0) {
      // GET is not part of what replicas need to replay.
      c.propagateArgv = stripGet(c, key, value, flags);
    }
    if ((flags & GET) == 0) {
      c.ok();
    }
  }

  private static byte[][] stripGet(Client c, byte[] key, byte[] value, int flags) {
    if ((flags & KEEPTTL) != 0) {
      return new byte[][] {SET, key, value, Bytes.of("KEEPTTL")};
    }
    return new byte[][] {SET, key, value};
  }

  private static void replyOld(Client c, KeyEntry e) {
    if (e == null) {
      c.nullBulk();
    } else {
      c.bulk(Strings.bytes(e.value));
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
}
