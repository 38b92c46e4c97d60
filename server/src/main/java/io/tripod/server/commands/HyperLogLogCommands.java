package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Hll;
import io.tripod.server.types.RawString;
import io.tripod.server.types.Strings;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** HyperLogLog commands ({@code hyperloglog.c}); the values are plain strings in Redis's format. */
final class HyperLogLogCommands {
  private HyperLogLogCommands() {}

  static final String INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected";
  static final String NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";

  static void register(CommandTable t) {
    t.add("pfadd", -2, "write denyoom fast", 1, 1, 1, "write hyperloglog fast",
        HyperLogLogCommands::pfadd);
    t.add("pfcount", -2, "readonly", 1, -1, 1, "read hyperloglog slow",
        HyperLogLogCommands::pfcount);
    t.add("pfmerge", -2, "write denyoom", 1, -1, 1, "write hyperloglog slow",
        HyperLogLogCommands::pfmerge);
    t.add("pfdebug", 3, "write denyoom admin", 2, 2, 1,
        "write hyperloglog admin slow dangerous", HyperLogLogCommands::pfdebug);
    t.add("pfselftest", 1, "admin", 0, 0, 0, "hyperloglog admin slow dangerous",
        HyperLogLogCommands::pfselftest);
  }

  private static int maxBytes(Client c) {
    return (int) Math.min(c.server.config.hllSparseMaxBytes, Integer.MAX_VALUE - 16);
  }

  /** isHLLObjectOrReply: replies and returns false unless the value is a valid HLL string. */
  private static boolean checkHll(Client c, Object v) {
    if (!Strings.isString(v)) {
      c.wrongType();
      return false;
    }
    boolean ok;
    if (v instanceof RawString) {
      RawString r = (RawString) v;
      ok = Hll.isValid(r.buffer(), r.length());
    } else {
      byte[] b = (byte[]) v;
      ok = Hll.isValid(b, b.length);
    }
    if (!ok) {
      c.error(NOT_HLL);
    }
    return ok;
  }

  /** dbUnshareStringValue: the entry's value as a RawString that can be modified in place. */
  private static RawString unshare(KeyEntry e) {
    if (e.value instanceof RawString) {
      return (RawString) e.value;
    }
    RawString r = Strings.mutable(e.value, 0);
    e.value = r;
    return r;
  }

  static void pfadd(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    int updated = 0;
    RawString r;
    if (e == null) {
      r = Hll.create();
      s.addKey(c.db, a[1], r);
      updated++;
    } else {
      if (!checkHll(c, e.value)) {
        return;
      }
      r = unshare(e);
    }
    int max = maxBytes(c);
    for (int j = 2; j < a.length; j++) {
      try {
        updated += Hll.add(r, a[j], max);
      } catch (Hll.InvalidException ex) {
        c.error(INVALID_HLL);
        return;
      }
    }
    if (updated > 0) {
      s.signalModifiedKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.STRING, "pfadd", a[1], c.db.id);
      s.dirty += updated;
      Hll.invalidateCache(r.buffer());
    }
    c.integer(updated > 0 ? 1 : 0);
  }

  static void pfcount(Client c, byte[][] a) {
    Server s = c.server;
    if (a.length > 2) {
      byte[] max = new byte[Hll.REGISTERS];
      for (int j = 1; j < a.length; j++) {
        KeyEntry e = s.lookupRead(c.db, a[j]);
        if (e == null) {
          continue;
        }
        if (!checkHll(c, e.value)) {
          return;
        }
        try {
          mergeValue(max, e.value);
        } catch (Hll.InvalidException ex) {
          c.error(INVALID_HLL);
          return;
        }
      }
      c.integer(Hll.countRaw(max));
      return;
    }
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    if (e == null) {
      c.integer(0);
      return;
    }
    if (!checkHll(c, e.value)) {
      return;
    }
    RawString r = unshare(e);
    byte[] b = r.buffer();
    long card;
    if (Hll.validCache(b)) {
      card = Hll.cachedCard(b);
    } else {
      try {
        card = Hll.count(b, r.length());
      } catch (Hll.InvalidException ex) {
        c.error(INVALID_HLL);
        return;
      }
      Hll.setCachedCard(b, card);
      s.signalModifiedKey(c.db, a[1]);
      s.dirty++;
    }
    c.integer(card);
  }

  private static void mergeValue(byte[] max, Object v) throws Hll.InvalidException {
    if (v instanceof RawString) {
      RawString r = (RawString) v;
      Hll.merge(max, r.buffer(), r.length());
    } else {
      byte[] b = (byte[]) v;
      Hll.merge(max, b, b.length);
    }
  }

  static void pfmerge(Client c, byte[][] a) {
    Server s = c.server;
    byte[] max = new byte[Hll.REGISTERS];
    boolean useDense = false;
    for (int j = 1; j < a.length; j++) {
      KeyEntry e = s.lookupRead(c.db, a[j]);
      if (e == null) {
        continue;
      }
      if (!checkHll(c, e.value)) {
        return;
      }
      byte[] b = e.value instanceof RawString ? ((RawString) e.value).buffer() : (byte[]) e.value;
      if (Hll.encoding(b) == Hll.DENSE) {
        useDense = true;
      }
      try {
        mergeValue(max, e.value);
      } catch (Hll.InvalidException ex) {
        c.error(INVALID_HLL);
        return;
      }
    }
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    RawString r;
    if (e == null) {
      r = Hll.create();
      s.addKey(c.db, a[1], r);
    } else {
      r = unshare(e);
    }
    if (useDense) {
      try {
        Hll.sparseToDense(r);
      } catch (Hll.InvalidException ex) {
        c.error(INVALID_HLL);
        return;
      }
    }
    int maxBytes = maxBytes(c);
    for (int j = 0; j < Hll.REGISTERS; j++) {
      if (max[j] == 0) {
        continue;
      }
      try {
        Hll.set(r, j, max[j], maxBytes);
      } catch (Hll.InvalidException ex) {
        // Redis ignores the result here.
      }
    }
    Hll.invalidateCache(r.buffer());
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.STRING, "pfadd", a[1], c.db.id);
    s.dirty++;
    c.ok();
  }

  static void pfdebug(Client c, byte[][] a) {
    Server s = c.server;
    String cmd = new String(a[1], StandardCharsets.UTF_8);
    KeyEntry e = s.lookupWrite(c.db, a[2]);
    if (e == null) {
      c.err("The specified key does not exist");
      return;
    }
    if (!checkHll(c, e.value)) {
      return;
    }
    RawString r = unshare(e);
    if (Args.is(a[1], "getreg")) {
      if (Hll.encoding(r.buffer()) == Hll.SPARSE) {
        try {
          Hll.sparseToDense(r);
        } catch (Hll.InvalidException ex) {
          c.error(INVALID_HLL);
          return;
        }
        s.dirty++;
      }
      byte[] b = r.buffer();
      c.array(Hll.REGISTERS);
      for (int j = 0; j < Hll.REGISTERS; j++) {
        c.integer(Hll.denseGet(b, Hll.HDR_SIZE, j));
      }
    } else if (Args.is(a[1], "decode")) {
      if (Hll.encoding(r.buffer()) != Hll.SPARSE) {
        c.err("HLL encoding is not sparse");
        return;
      }
      c.bulk(Hll.decode(r.buffer(), r.length()));
    } else if (Args.is(a[1], "encoding")) {
      c.simple(Hll.encoding(r.buffer()) == Hll.DENSE ? "dense" : "sparse");
    } else if (Args.is(a[1], "todense")) {
      boolean conv = false;
      if (Hll.encoding(r.buffer()) == Hll.SPARSE) {
        try {
          Hll.sparseToDense(r);
        } catch (Hll.InvalidException ex) {
          c.error(INVALID_HLL);
          return;
        }
        conv = true;
        s.dirty++;
      }
      c.integer(conv ? 1 : 0);
    } else {
      c.err("Unknown PFDEBUG subcommand '" + cmd + "'");
    }
  }

  /**
   * PFSELFTEST: checks register access of the dense encoding and that sparse and dense
   * representations of the same set agree and stay within the error bound.
   */
  static void pfselftest(Client c, byte[][] a) {
    SplittableRandom rnd = new SplittableRandom(1);
    RawString dense = new RawString(new byte[Hll.DENSE_SIZE], 0);
    byte[] db = dense.buffer();
    int[] expected = new int[Hll.REGISTERS];
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < Hll.REGISTERS; i++) {
        expected[i] = rnd.nextInt(Hll.REGISTER_MAX + 1);
        Hll.denseSetRaw(db, Hll.HDR_SIZE, i, expected[i]);
      }
      for (int i = 0; i < Hll.REGISTERS; i++) {
        if (Hll.denseGet(db, Hll.HDR_SIZE, i) != expected[i]) {
          c.error("TESTFAILED Register error at index " + i);
          return;
        }
      }
    }
    RawString sparse = Hll.create();
    RawString full = Hll.create();
    try {
      Hll.sparseToDense(full);
      double relerr = 1.04 / Math.sqrt(Hll.REGISTERS);
      long checkpoint = 1;
      for (long j = 1; j <= 100_000; j++) {
        byte[] ele = Long.toString(rnd.nextLong()).getBytes(StandardCharsets.US_ASCII);
        Hll.add(sparse, ele, 3000);
        Hll.add(full, ele, 3000);
        if (j == checkpoint) {
          long abserr = (long) (checkpoint * relerr * (j < 10 ? 5 : j < 100 ? 4 : 3));
          long count = Hll.count(full.buffer(), full.length());
          if (count != Hll.count(sparse.buffer(), sparse.length())) {
            c.error("TESTFAILED dense/sparse disagree at " + j);
            return;
          }
          if (Math.abs(count - checkpoint) > Math.max(abserr, 1)) {
            c.error("TESTFAILED Too big error. card:" + checkpoint + " error:" + (count - checkpoint));
            return;
          }
          checkpoint *= 10;
        }
      }
    } catch (Hll.InvalidException ex) {
      c.error(INVALID_HLL);
      return;
    }
    c.ok();
  }
}
