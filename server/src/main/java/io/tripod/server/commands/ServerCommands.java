package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.ClientAccess;
import io.tripod.server.Server;
import io.tripod.server.SlowLog;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.net.ClientHandler;
import io.tripod.server.types.RawString;
import io.tripod.server.types.Strings;
import io.tripod.server.types.Types;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TIME, LASTSAVE, SHUTDOWN, MONITOR, ROLE, WAIT, SLOWLOG, LATENCY, MEMORY, OBJECT: the server
 * introspection commands of Redis 7.0.
 */
public final class ServerCommands {
  private ServerCommands() {}

  static void register(CommandTable t) {
    t.add("time", 1, "loading stale fast", 0, 0, 0, "fast", ServerCommands::time);
    t.add("lastsave", 1, "loading stale fast", 0, 0, 0, "admin fast dangerous",
        (c, a) -> c.integer(c.server.lastSaveSeconds));
    t.add("shutdown", -1, "admin noscript loading stale no_multi allow_busy", 0, 0, 0,
        "admin slow dangerous", ServerCommands::shutdown);
    t.add("monitor", 1, "admin noscript loading stale", 0, 0, 0, "admin slow dangerous",
        ServerCommands::monitor);
    t.add("role", 1, "noscript loading stale fast", 0, 0, 0, "admin fast dangerous",
        (c, a) -> roleHandler.execute(c, a));
    t.add("wait", 3, "noscript", 0, 0, 0, "slow connection", ServerCommands::waitCommand);
    t.add("lolwut", -1, "readonly fast", 0, 0, 0, "read fast", ServerCommands::lolwut);

    CommandSpec slowlog = t.add("slowlog", -2, "", 0, 0, 0, "slow", null);
    t.sub(slowlog, "get", -2, "admin loading stale", 0, 0, 0, "admin slow dangerous",
        ServerCommands::slowlogGet);
    t.sub(slowlog, "len", 2, "admin loading stale", 0, 0, 0, "admin slow dangerous",
        (c, a) -> c.integer(c.server.slowlog.size()));
    t.sub(slowlog, "reset", 2, "admin loading stale", 0, 0, 0, "admin slow dangerous", (c, a) -> {
      c.server.slowlog.reset();
      c.ok();
    });
    t.sub(slowlog, "help", 2, "loading stale", 0, 0, 0, "slow", (c, a) -> Help.reply(c, "slowlog"));

    CommandSpec latency = t.add("latency", -2, "", 0, 0, 0, "slow", null);
    String la = "admin noscript loading stale";
    String lacl = "admin slow dangerous";
    t.sub(latency, "doctor", 2, la, 0, 0, 0, lacl, LatencyCommands::doctor);
    t.sub(latency, "graph", 3, la, 0, 0, 0, lacl, LatencyCommands::graph);
    t.sub(latency, "histogram", -2, la, 0, 0, 0, lacl, LatencyCommands::histogram);
    t.sub(latency, "history", 3, la, 0, 0, 0, lacl, LatencyCommands::history);
    t.sub(latency, "latest", 2, la, 0, 0, 0, lacl, LatencyCommands::latest);
    t.sub(latency, "reset", -2, la, 0, 0, 0, lacl, LatencyCommands::reset);
    t.sub(latency, "help", 2, "loading stale", 0, 0, 0, "slow", (c, a) -> Help.reply(c, "latency"));

    CommandSpec memory = t.add("memory", -2, "", 0, 0, 0, "slow", null);
    t.sub(memory, "doctor", 2, "", 0, 0, 0, "slow", ServerCommands::memoryDoctor);
    t.sub(memory, "malloc-stats", 2, "", 0, 0, 0, "slow",
        (c, a) -> c.bulk("Stats not supported for the current allocator"));
    t.sub(memory, "purge", 2, "", 0, 0, 0, "slow", (c, a) -> {
      System.gc();
      c.ok();
    });
    t.sub(memory, "stats", 2, "", 0, 0, 0, "slow", ServerCommands::memoryStats);
    t.sub(memory, "usage", -3, "readonly", 2, 2, 1, "read slow", ServerCommands::memoryUsage);
    t.sub(memory, "help", 2, "loading stale", 0, 0, 0, "slow", (c, a) -> Help.reply(c, "memory"));

    CommandSpec object = t.add("object", -2, "", 0, 0, 0, "slow", null);
    t.sub(object, "encoding", 3, "readonly", 2, 2, 1, "keyspace read slow", ServerCommands::encoding);
    t.sub(object, "freq", 3, "readonly", 2, 2, 1, "keyspace read slow", ServerCommands::freq);
    t.sub(object, "idletime", 3, "readonly", 2, 2, 1, "keyspace read slow", ServerCommands::idletime);
    t.sub(object, "refcount", 3, "readonly", 2, 2, 1, "keyspace read slow", ServerCommands::refcount);
    t.sub(object, "help", 2, "loading stale", 0, 0, 0, "keyspace slow",
        (c, a) -> Help.reply(c, "object"));
  }

  // ---- TIME / SHUTDOWN / MONITOR / ROLE / WAIT -----------------------------------------------

  static void time(Client c, byte[][] a) {
    long millis = c.server.clock.millis();
    long micros = (millis % 1000) * 1000 + (System.nanoTime() / 1000) % 1000;
    c.array(2);
    c.bulkLong(millis / 1000);
    c.bulkLong(micros);
  }

  static void shutdown(Client c, byte[][] a) {
    boolean nosave = false;
    boolean save = false;
    boolean now = false;
    boolean force = false;
    boolean abort = false;
    for (int i = 1; i < a.length; i++) {
      if (Args.is(a[i], "nosave")) {
        nosave = true;
      } else if (Args.is(a[i], "save")) {
        save = true;
      } else if (Args.is(a[i], "now")) {
        now = true;
      } else if (Args.is(a[i], "force")) {
        force = true;
      } else if (Args.is(a[i], "abort")) {
        abort = true;
      } else {
        c.syntaxError();
        return;
      }
    }
    if ((abort && (nosave || save || now || force)) || (nosave && save)) {
      c.syntaxError();
      return;
    }
    if (abort) {
      // Tripod shuts down at once (no waiting for lagging replicas), so nothing is pending.
      c.err("No shutdown in progress.");
      return;
    }
    Server s = c.server;
    if (s.rdb.loading) {
      // As Redis: never save half a dataset over the file being loaded.
      save = false;
      nosave = true;
    }
    if (!shutdownSave.test(s, save && !nosave ? Boolean.TRUE : nosave ? Boolean.FALSE : null)
        && !force) {
      c.err("Errors trying to SHUTDOWN. Check logs.");
      return;
    }
    // Like a Redis process that exits: every connection is dropped without a reply.
    List<Client> all = new ArrayList<>();
    for (Client o : s.clients()) {
      all.add(o);
    }
    for (Client o : all) {
      o.closeAfterReply = true;
      if (o.channel() != null) {
        o.channel().close();
      }
    }
    Runnable hook = s.shutdownHook;
    // The hook stops the event loop, so it cannot run on it.
    Thread t = new Thread(hook, "tripod-shutdown");
    t.setDaemon(false);
    t.start();
  }

  /**
   * Persistence's part of SHUTDOWN: called with TRUE for SAVE, FALSE for NOSAVE and null when
   * neither was given (save if save points are configured). Returns false when saving failed,
   * which aborts the shutdown unless FORCE. Without persistence there is nothing to save.
   */
  public static volatile java.util.function.BiPredicate<Server, Boolean> shutdownSave =
      (s, save) -> true;

  static void monitor(Client c, byte[][] a) {
    if (c.isReplica || ClientAccess.isMonitor(c)) {
      return;
    }
    c.monitor = true;
    c.server.addMonitor(c);
    c.ok();
  }

  /** ROLE's body; the replication code replaces it with the replica form when needed. */
  public static volatile io.tripod.server.command.CommandHandler roleHandler =
      ServerCommands::role;

  /** ROLE on a master without replicas: {@code master}, offset 0, no replicas. */
  public static void role(Client c, byte[][] a) {
    c.array(3);
    c.bulk("master");
    c.integer(0);
    c.array(0);
  }

  /** LOLWUT [VERSION v]: the version line (Redis 7.0's default; the 5 and 6 art is left out). */
  static void lolwut(Client c, byte[][] a) {
    if (a.length >= 3 && Args.is(a[1], "version")) {
      if (Args.longOrReply(c, a[2]) == Args.BAD) {
        return;
      }
    }
    c.verbatim("Redis ver. " + Server.REDIS_VERSION + "\n");
  }

  /** Marker in {@link Client#blockedOn} for a client waiting in WAIT. */
  static final Object WAIT = new Object();

  /**
   * WAIT numreplicas timeout. With no replicas (replication comes later), asks for zero replicas
   * answer at once; otherwise the client waits for the timeout (forever for 0) and gets 0. The
   * replication code takes this over through {@link #waitHandler}.
   */
  static void waitCommand(Client c, byte[][] a) {
    waitHandler.execute(c, a);
  }

  public static volatile io.tripod.server.command.CommandHandler waitHandler =
      ServerCommands::waitNoReplicas;

  static void waitNoReplicas(Client c, byte[][] a) {
    long numReplicas = Args.longOrReply(c, a[1]);
    if (numReplicas == Args.BAD) {
      return;
    }
    long timeout = ClientCommands.timeoutMillis(c, a[2]);
    if (timeout == Args.BAD) {
      return;
    }
    // Without replication wired in, no replica can acknowledge: answer 0 at once. The
    // replication module replaces this handler (ReplicationCommands).
    c.integer(0);
  }

  // ---- SLOWLOG -------------------------------------------------------------------------------

  static void slowlogGet(Client c, byte[][] a) {
    long count = 10;
    if (a.length > 3) {
      Help.subcommandSyntaxError(c, "SLOWLOG", a[1]);
      return;
    }
    if (a.length == 3) {
      Long v = Bytes.parseLongOrNull(a[2]);
      if (v == null || v < -1) {
        c.err("count should be greater than or equal to -1");
        return;
      }
      count = v == -1 ? Long.MAX_VALUE : v;
    }
    List<SlowLog.Entry> out = new ArrayList<>();
    for (SlowLog.Entry e : c.server.slowlog.entries()) {
      if (out.size() >= count) {
        break;
      }
      out.add(e);
    }
    c.array(out.size());
    for (SlowLog.Entry e : out) {
      c.array(6);
      c.integer(e.id());
      c.integer(e.timeSeconds());
      c.integer(e.micros());
      c.array(e.argv().length);
      for (byte[] arg : e.argv()) {
        c.bulk(arg);
      }
      c.bulk(e.addr());
      c.bulk(e.name());
    }
  }

  // ---- MEMORY --------------------------------------------------------------------------------

  static void memoryDoctor(Client c, byte[][] a) {
    c.verbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what "
        + "occurs on this base.\n");
  }

  static void memoryStats(Client c, byte[][] a) {
    Server s = c.server;
    IntrospectState st = IntrospectState.of(s);
    long used = st.usedMemoryAndPeak();
    long startup = Math.min(st.startupMemory, used);
    long clients = 0;
    for (Client o : s.clients()) {
      clients += ClientCommands.totalMemory(o);
    }
    long keys = s.totalKeys();
    long overhead = Math.min(used, startup + clients + keys * 56);
    long dataset = used - overhead;
    long rss = SystemStats.rss();
    List<Object[]> dbs = new ArrayList<>();
    for (io.tripod.server.db.Database db : s.databases()) {
      if (db.size() > 0) {
        dbs.add(new Object[] {db.id, db.size() * 56, db.expiresSize() * 32});
      }
    }
    c.map(27 + dbs.size());
    pair(c, "peak.allocated", st.peakMemory);
    pair(c, "total.allocated", used);
    pair(c, "startup.allocated", startup);
    pair(c, "replication.backlog", 0);
    pair(c, "clients.slaves", 0);
    pair(c, "clients.normal", clients);
    pair(c, "cluster.links", 0);
    pair(c, "aof.buffer", 0);
    pair(c, "lua.caches", 0);
    pair(c, "functions.caches", 0);
    for (Object[] d : dbs) {
      c.bulk("db." + d[0]);
      c.map(3);
      pair(c, "overhead.hashtable.main", (Long) d[1]);
      pair(c, "overhead.hashtable.expires", (Long) d[2]);
      pair(c, "overhead.hashtable.slot-to-keys", 0);
    }
    pair(c, "overhead.total", overhead);
    pair(c, "keys.count", keys);
    pair(c, "keys.bytes-per-key", keys == 0 ? 0 : (used - startup) / keys);
    pair(c, "dataset.bytes", dataset);
    c.bulk("dataset.percentage");
    c.doubleValue(used > startup ? dataset * 100.0 / (used - startup) : 0);
    c.bulk("peak.percentage");
    c.doubleValue(st.peakMemory == 0 ? 0 : used * 100.0 / st.peakMemory);
    pair(c, "allocator.allocated", used);
    pair(c, "allocator.active", used);
    pair(c, "allocator.resident", rss);
    c.bulk("allocator-fragmentation.ratio");
    c.doubleValue(1.0);
    pair(c, "allocator-fragmentation.bytes", 0);
    c.bulk("allocator-rss.ratio");
    c.doubleValue(used == 0 ? 0 : (double) rss / used);
    pair(c, "allocator-rss.bytes", rss - used);
    c.bulk("rss-overhead.ratio");
    c.doubleValue(1.0);
    pair(c, "rss-overhead.bytes", 0);
    c.bulk("fragmentation");
    c.doubleValue(used == 0 ? 0 : (double) rss / used);
    pair(c, "fragmentation.bytes", rss - used);
  }

  private static void pair(Client c, String k, long v) {
    c.bulk(k);
    c.integer(v);
  }

  /** A type that can estimate its own memory use (MEMORY USAGE), sampling up to n elements. */
  public interface Sized {
    long estimatedBytes(int samples);
  }

  static void memoryUsage(Client c, byte[][] a) {
    long samples = 5;
    for (int j = 3; j < a.length; j++) {
      if (Args.is(a[j], "samples") && j + 1 < a.length) {
        Long v = Bytes.parseLongOrNull(a[j + 1]);
        if (v == null) {
          c.notInteger();
          return;
        }
        if (v < 0) {
          c.syntaxError();
          return;
        }
        samples = v == 0 ? Long.MAX_VALUE : v;
        j++;
      } else {
        c.syntaxError();
        return;
      }
    }
    KeyEntry e = c.server.lookupNoTouch(c.db, a[2]);
    if (e == null) {
      c.nullBulk();
      return;
    }
    long usage = valueSize(e.value, (int) Math.min(Integer.MAX_VALUE, samples));
    usage += sdsAllocSize(e.key.length, e.key.length, true);
    usage += 24; // dictEntry
    c.integer(usage);
  }

  /** jemalloc's size class for an allocation of {@code n} bytes. */
  static long jemallocSize(long n) {
    if (n <= 8) {
      return 8;
    }
    if (n <= 128) {
      return (n + 15) & ~15L;
    }
    int k = 63 - Long.numberOfLeadingZeros(n - 1);
    long step = 1L << (k - 2);
    return (n + step - 1) & ~(step - 1);
  }

  /** Allocation size of an sds string holding {@code len} bytes with {@code alloc} capacity. */
  static long sdsAllocSize(int len, int alloc, boolean allowType5) {
    int hdr = alloc < 32 && allowType5 ? 1 : alloc < 256 ? 3 : alloc < 65536 ? 5 : 9;
    return jemallocSize(hdr + (long) alloc + 1);
  }

  static long valueSize(Object v, int samples) {
    if (v instanceof RawString) {
      RawString r = (RawString) v;
      return 16 + sdsAllocSize(r.length(), Math.max(r.length(), r.buffer().length), false);
    }
    if (v instanceof byte[]) {
      byte[] b = (byte[]) v;
      String enc = Strings.encoding(b);
      if (enc.equals("int")) {
        return 16;
      }
      if (enc.equals("embstr")) {
        return jemallocSize(16 + 3 + b.length + 1);
      }
      return 16 + sdsAllocSize(b.length, b.length, false);
    }
    if (v instanceof Sized) {
      return ((Sized) v).estimatedBytes(samples);
    }
    return 16 + 64;
  }

  // ---- OBJECT --------------------------------------------------------------------------------

  static boolean lfu(Server s) {
    return s.config.maxmemoryPolicy.contains("lfu");
  }

  static void encoding(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupNoTouch(c.db, a[2]);
    if (e == null) {
      c.nullBulk();
      return;
    }
    c.bulk(Types.encoding(e.value));
  }

  static void freq(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupNoTouch(c.db, a[2]);
    if (e == null) {
      c.nullBulk();
      return;
    }
    if (!lfu(c.server)) {
      c.err("An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
          + "that when switching between policies at runtime LRU and LFU data will take some "
          + "time to adjust.");
      return;
    }
    c.integer(e.lfuCounter & 0xff);
  }

  static void idletime(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupNoTouch(c.db, a[2]);
    if (e == null) {
      c.nullBulk();
      return;
    }
    if (lfu(c.server)) {
      c.err("An LRU maxmemory policy is selected, idle time not tracked. Please note that when "
          + "switching between policies at runtime LRU and LFU data will take some time to "
          + "adjust.");
      return;
    }
    c.integer(Math.max(0, c.server.lruClock() - e.lruSeconds));
  }

  static void refcount(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupNoTouch(c.db, a[2]);
    if (e == null) {
      c.nullBulk();
      return;
    }
    c.integer(sharedInteger(e.value) ? Integer.MAX_VALUE : 1);
  }

  /** Redis shares the objects of the integers 0..9999 (OBJ_SHARED_INTEGERS). */
  static boolean sharedInteger(Object v) {
    if (!(v instanceof byte[]) || !Strings.encoding(v).equals("int")) {
      return false;
    }
    Long n = Bytes.parseLongOrNull((byte[]) v);
    return n != null && n >= 0 && n < 10000;
  }

  static Map<String, IntrospectState.LatencyEvent> latencyEvents(Server s) {
    return IntrospectState.of(s).latencyEvents;
  }
}
