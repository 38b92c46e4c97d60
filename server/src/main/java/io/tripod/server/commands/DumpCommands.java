package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.DumpPayload;
import io.tripod.server.repl.TypeFactories;
import io.tripod.server.util.Bytes;

/**
 * DUMP and RESTORE (Redis 7.0 {@code cluster.c}): the payload is the value's RDB form plus the RDB
 * version and a CRC-64 ({@link DumpPayload}). RESTORE with a relative TTL propagates as
 * {@code RESTORE key <absolute ms> payload ... ABSTTL}; a TTL already in the past creates nothing
 * (and, with REPLACE, propagates the DEL of the old key).
 */
final class DumpCommands {
  private DumpCommands() {}

  private static final byte[] DEL = Bytes.of("DEL");
  private static final byte[] ABSTTL = Bytes.of("ABSTTL");

  static void register(CommandTable t) {
    TypeFactories.register();
    t.add("dump", 2, "readonly", 1, 1, 1, "keyspace read slow", DumpCommands::dump);
    t.add("restore", -4, "write denyoom", 1, 1, 1, "keyspace write slow dangerous",
        DumpCommands::restore);
  }

  static void dump(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupRead(c.db, a[1]);
    if (e == null) {
      s.notifyKeyspaceEvent(Notifications.KEY_MISS, "keymiss", a[1], c.db.id);
      c.nullBulk();
      return;
    }
    byte[] payload;
    try {
      payload = DumpPayload.create(e.value, s.config.rdbcompression);
    } catch (IllegalArgumentException ex) {
      c.err("DUMP is not supported for this type yet");
      return;
    }
    c.bulk(payload);
  }

  static void restore(Client c, byte[][] a) {
    Server s = c.server;
    boolean replace = false;
    boolean absttl = false;
    long idle = -1;
    long freq = -1;
    for (int j = 4; j < a.length; j++) {
      int additional = a.length - j - 1;
      if (Args.is(a[j], "replace")) {
        replace = true;
      } else if (Args.is(a[j], "absttl")) {
        absttl = true;
      } else if (Args.is(a[j], "idletime") && additional >= 1 && freq == -1) {
        idle = Args.longOrReply(c, a[j + 1]);
        if (idle == Args.BAD) {
          return;
        }
        if (idle < 0) {
          c.err("Invalid IDLETIME value, must be >= 0");
          return;
        }
        j++;
      } else if (Args.is(a[j], "freq") && additional >= 1 && idle == -1) {
        freq = Args.longOrReply(c, a[j + 1]);
        if (freq == Args.BAD) {
          return;
        }
        if (freq < 0 || freq > 255) {
          c.err("Invalid FREQ value, must be >= 0 and <= 255");
          return;
        }
        j++;
      } else {
        c.syntaxError();
        return;
      }
    }
    Database db = c.db;
    byte[] key = a[1];
    if (!replace && s.lookupWrite(db, key) != null) {
      c.error("BUSYKEY Target key name already exists.");
      return;
    }
    long ttl = Args.longOrReply(c, a[2]);
    if (ttl == Args.BAD) {
      return;
    }
    if (ttl < 0) {
      c.err("Invalid TTL value, must be >= 0");
      return;
    }
    Object value;
    try {
      value = DumpPayload.parse(a[3], TypeFactories.forType(s.config, a[3].length > 0 ? a[3][0] & 0xff : -1));
    } catch (DumpPayload.BadChecksumOrVersion e) {
      c.err("DUMP payload version or checksum are wrong");
      return;
    } catch (DumpPayload.BadFormat e) {
      c.err("Bad data format");
      return;
    }
    boolean deleted = replace && s.deleteKey(db, key);
    if (ttl != 0 && !absttl) {
      ttl += s.now();
    }
    if (ttl != 0 && ttl <= s.now() && !s.replicaOfMaster) {
      if (deleted) {
        c.propagateArgv = new byte[][] {DEL, key};
        s.notifyKeyspaceEvent(Notifications.GENERIC, "del", key, db.id);
        s.dirty++;
      }
      c.ok();
      return;
    }
    KeyEntry e = s.addKey(db, key, value);
    if (ttl != 0) {
      db.setExpire(e, ttl);
      if (!absttl) {
        byte[][] prop = java.util.Arrays.copyOf(a, a.length + 1);
        prop[2] = Bytes.fromLong(ttl);
        prop[a.length] = ABSTTL;
        c.propagateArgv = prop;
      }
    }
    setLruOrLfu(s, e, freq, idle);
    s.notifyKeyspaceEvent(Notifications.GENERIC, "restore", key, db.id);
    c.ok();
    s.dirty++;
  }

  /** objectSetLRUOrLFU: FREQ counts under an LFU policy, IDLETIME (seconds) otherwise. */
  static void setLruOrLfu(Server s, KeyEntry e, long freq, long idle) {
    if (s.config.maxmemoryPolicy.contains("lfu")) {
      if (freq >= 0) {
        e.lfuCounter = (byte) freq;
      }
    } else if (idle >= 0) {
      long abs = s.lruClock() - idle;
      e.lruSeconds = (int) Math.max(0, abs);
    }
  }
}
