package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.tripod.resp.RespValue;
import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.RdbException;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.repl.RdbLoader;
import io.tripod.server.repl.TypeFactories;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RDB interoperability with a real redis-server 7.0: (a) a dump.rdb Redis saved, loaded into
 * Tripod through {@link RdbLoader}; (b) an RDB Tripod wrote with {@link RdbWriter}, loaded by
 * Redis at startup; (c) truncated and corrupt files refused with an error naming the offset.
 * Both sides are then compared key by key through commands (TYPE, contents, PTTL, DUMP).
 */
class RdbInteropIT {
  private static final long FAR_TTL_MS = 100_000_000L;
  private static final int[] DBS = {0, 1, 5};

  // ---- small RESP helpers -------------------------------------------------------------------

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static RespValue cmd(RawConnection c, Object... args) throws IOException {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i] instanceof byte[] ? (byte[]) args[i] : b(String.valueOf(args[i]));
    }
    c.send(a);
    RespValue v = c.read();
    if (v.isError()) {
      fail("error reply to " + Arrays.toString(args).substring(0, Math.min(200, Arrays.toString(args).length()))
          + ": " + v.asString());
    }
    return v;
  }

  private static void rpush(RawConnection c, String key, List<byte[]> elements) throws IOException {
    for (int i = 0; i < elements.size(); i += 300) {
      List<Object> args = new ArrayList<>(List.of("RPUSH", key));
      args.addAll(elements.subList(i, Math.min(elements.size(), i + 300)));
      cmd(c, args.toArray());
    }
  }

  private static byte[] repeat(String s, int n) {
    return b(s.repeat(n));
  }

  /** Strings, lists, hashes and sets in every encoding, TTLs, several databases. */
  private static void fillCommonTypes(RawConnection c) throws IOException {
    cmd(c, "SELECT", 0);
    cmd(c, "SET", "s:int", "12345");
    cmd(c, "SET", "s:bigint", "12345678901234");
    cmd(c, "SET", "s:neg", "-7");
    cmd(c, "SET", "s:embstr", "hello world");
    cmd(c, "SET", "s:raw", "x".repeat(10) + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!?");
    cmd(c, "SET", "s:lzf", repeat("abc", 300));
    cmd(c, "SET", "s:bin", new byte[] {0, (byte) 0xff, '\r', '\n'});
    cmd(c, "SET", "s:empty", "");
    cmd(c, "APPEND", "s:append", "hello");
    cmd(c, "APPEND", "s:append", " there");
    cmd(c, "RPUSH", "l:small", "a", "1", "-2", "300", "b".repeat(70));
    List<byte[]> big = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      big.add(b("element-" + i));
    }
    rpush(c, "l:large", big);
    List<byte[]> huge = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      huge.add(repeat(String.valueOf((char) ('A' + i)), 10_000));
    }
    rpush(c, "l:hugeelements", huge);
    cmd(c, "LPUSH", "l:lpushed", "c", "b", "a");
    cmd(c, "HSET", "h:lp", "f", "v", "n", "7", "neg", "-3");
    cmd(c, "HSET", "h:longvalue", "f", "v".repeat(100));
    List<Object> hargs = new ArrayList<>(List.of("HSET", "h:many"));
    for (int i = 0; i < 600; i++) {
      hargs.add("field" + i);
      hargs.add(String.valueOf(i * 7));
    }
    cmd(c, hargs.toArray());
    cmd(c, "SADD", "set:int16", "1", "2", "3", "-5");
    cmd(c, "SADD", "set:int32", "70000", "-70000", "1");
    cmd(c, "SADD", "set:int64", "5000000000", "1");
    cmd(c, "SADD", "set:ht", "a", "b", "c", "1");
    List<Object> sargs = new ArrayList<>(List.of("SADD", "set:bigints"));
    for (int i = 0; i < 600; i++) {
      sargs.add(String.valueOf(i * 3));
    }
    cmd(c, sargs.toArray());
    cmd(c, "SET", "ttl:s", "x", "PX", FAR_TTL_MS);
    cmd(c, "RPUSH", "ttl:l", "a", "b");
    cmd(c, "PEXPIRE", "ttl:l", FAR_TTL_MS);
    cmd(c, "HSET", "ttl:h", "f", "v");
    cmd(c, "PEXPIRE", "ttl:h", FAR_TTL_MS);
    cmd(c, "SELECT", 1);
    cmd(c, "SET", "db1:s", "one");
    cmd(c, "RPUSH", "db1:l", "x", "y");
    cmd(c, "SELECT", 5);
    cmd(c, "SADD", "db5:set", "1", "2");
    cmd(c, "HSET", "db5:h", "a", "b");
    cmd(c, "SELECT", 0);
  }

  /** Sorted sets and a stream with consumer groups and a PEL (Redis side only). */
  private static void fillZsetsAndStreams(RawConnection c) throws IOException {
    cmd(c, "SELECT", 0);
    cmd(c, "ZADD", "z:lp", "1", "a", "2", "b", "1.5", "c");
    List<Object> zargs = new ArrayList<>(List.of("ZADD", "z:skiplist"));
    for (int i = 0; i < 200; i++) {
      zargs.add(String.valueOf(i * 0.5));
      zargs.add("member" + i);
    }
    cmd(c, zargs.toArray());
    cmd(c, "XADD", "st", "1-1", "f", "v");
    cmd(c, "XADD", "st", "2-1", "f", "v2", "g", "w");
    cmd(c, "XADD", "st", "3-0", "f", "v3");
    cmd(c, "XGROUP", "CREATE", "st", "g1", "0");
    cmd(c, "XREADGROUP", "GROUP", "g1", "consumer1", "COUNT", "2", "STREAMS", "st", ">");
    cmd(c, "XGROUP", "CREATE", "st", "g2", "$");
  }

  private static List<String> keys(RawConnection c, int db) throws IOException {
    cmd(c, "SELECT", db);
    List<String> out = new ArrayList<>();
    for (RespValue k : cmd(c, "KEYS", "*").elements()) {
      out.add(new String(k.bytes(), StandardCharsets.ISO_8859_1));
    }
    out.sort(null);
    return out;
  }

  private static List<String> strings(RespValue v, boolean sort) {
    List<String> out = new ArrayList<>();
    for (RespValue e : v.elements()) {
      out.add(e.isNull() ? "<nil>" : new String(e.bytes(), StandardCharsets.ISO_8859_1));
    }
    if (sort) {
      out.sort(null);
    }
    return out;
  }

  /** Field=value strings of an HGETALL reply, sorted. */
  private static List<String> pairs(RespValue v) {
    List<String> flat = strings(v, false);
    List<String> out = new ArrayList<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      out.add(flat.get(i) + "=" + flat.get(i + 1));
    }
    out.sort(null);
    return out;
  }

  /** Compares one key on both servers (both connections have the db selected). */
  private static void compareKey(RawConnection expected, RawConnection actual, String key) throws IOException {
    byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
    String type = cmd(expected, "TYPE", k).asString();
    assertThat(cmd(actual, "TYPE", k).asString()).as("TYPE " + key).isEqualTo(type);
    switch (type) {
      case "string":
        assertThat(cmd(actual, "GET", k).bytes()).as("GET " + key).isEqualTo(cmd(expected, "GET", k).bytes());
        break;
      case "list":
        assertThat(strings(cmd(actual, "LRANGE", k, 0, -1), false)).as("LRANGE " + key)
            .isEqualTo(strings(cmd(expected, "LRANGE", k, 0, -1), false));
        break;
      case "hash":
        assertThat(pairs(cmd(actual, "HGETALL", k))).as("HGETALL " + key).isEqualTo(pairs(cmd(expected, "HGETALL", k)));
        break;
      case "set":
        assertThat(strings(cmd(actual, "SMEMBERS", k), true)).as("SMEMBERS " + key)
            .isEqualTo(strings(cmd(expected, "SMEMBERS", k), true));
        break;
      case "zset":
        assertThat(strings(cmd(actual, "ZRANGE", k, 0, -1, "WITHSCORES"), false)).as("ZRANGE " + key)
            .isEqualTo(strings(cmd(expected, "ZRANGE", k, 0, -1, "WITHSCORES"), false));
        break;
      default:
        break; // streams: TYPE only until XRANGE exists on both sides
    }
    long pttlExpected = cmd(expected, "PTTL", k).number();
    long pttlActual = cmd(actual, "PTTL", k).number();
    if (pttlExpected < 0) {
      assertThat(pttlActual).as("PTTL " + key).isEqualTo(pttlExpected);
    } else {
      assertThat(Math.abs(pttlActual - pttlExpected)).as("PTTL " + key).isLessThan(60_000);
    }
    // The DUMP payload shows the encoding: same RDB type byte, and for the encodings whose bytes
    // are deterministic (strings, quicklists, listpack hashes, intsets) the same payload.
    byte[] dumpExpected = cmd(expected, "DUMP", k).bytes();
    byte[] dumpActual = cmd(actual, "DUMP", k).bytes();
    assertThat(dumpActual[0]).as("RDB type of " + key).isEqualTo(dumpExpected[0]);
    int t = dumpExpected[0];
    if (t == 0 || t == 18 || t == 16 || t == 11) {
      assertThat(dumpActual).as("DUMP " + key).isEqualTo(dumpExpected);
    }
  }

  private static <T> T onLoop(Server s, java.util.concurrent.Callable<T> task) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    s.execute(() -> {
      try {
        f.complete(task.call());
      } catch (Throwable e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(60, TimeUnit.SECONDS);
  }

  // ---- (a) Redis → Tripod -------------------------------------------------------------------

  @Test
  void redisSavedRdbLoadsIntoTripod() throws Exception {
    byte[] rdb;
    try (RedisProcess redis = RedisProcess.start();
        RawConnection rc = new RawConnection(redis.port)) {
      rc.setTimeoutMillis(30_000);
      fillCommonTypes(rc);
      fillZsetsAndStreams(rc);
      cmd(rc, "SAVE");
      rdb = Files.readAllBytes(redis.dir.resolve("dump.rdb"));

      try (TripodInstance tripod = TripodInstance.start();
          RawConnection tc = new RawConnection(tripod.port)) {
        tc.setTimeoutMillis(30_000);
        Set<String> skipped = new HashSet<>();
        RdbLoader.Result r = onLoop(tripod.server, () -> loadSkippingMissingTypes(tripod.server, rdb, skipped));
        assertThat(r.aux).containsEntry("redis-ver", "7.0.15");
        int compared = 0;
        for (int db : DBS) {
          List<String> keys = keys(rc, db);
          cmd(tc, "SELECT", db);
          int skippedHere = 0;
          for (String key : keys) {
            String type = cmd(rc, "TYPE", key).asString();
            if (cmd(tc, "EXISTS", key).number() == 0) {
              // TODO(zset/stream helpers): drop this once RdbLoader.factory builds them.
              assertThat(type).as("only types Tripod lacks may be skipped: " + key).isIn("zset", "stream");
              assertThat(skipped).contains(type);
              skippedHere++;
              continue;
            }
            compareKey(rc, tc, key);
            compared++;
          }
          assertThat(cmd(tc, "DBSIZE").number() + skippedHere).as("DBSIZE of db " + db)
              .isEqualTo(cmd(rc, "DBSIZE").number());
        }
        assertThat(compared).isGreaterThanOrEqualTo(25);
      }
    }
  }

  /**
   * RdbLoader.load with a factory that skips zset and stream values while their builders are not
   * in this branch (TODO: remove the wrapper once the zset/stream helpers register theirs).
   */
  private static RdbLoader.Result loadSkippingMissingTypes(Server s, byte[] rdb, Set<String> skipped) throws IOException {
    RdbReader.ValueFactory saved = RdbLoader.factory;
    RdbLoader.factory = new TypeFactories.Delegating(saved) {
      @Override
      public Object zset(List<byte[]> members, double[] scores) {
        try {
          return next.zset(members, scores);
        } catch (RdbException e) {
          skipped.add("zset");
          return null;
        }
      }

      @Override
      public Object stream(RdbStream stream) {
        try {
          return next.stream(stream);
        } catch (RdbException e) {
          skipped.add("stream");
          return null;
        }
      }
    };
    try {
      return RdbLoader.load(s, new ByteArrayInputStream(rdb), false);
    } finally {
      RdbLoader.factory = saved;
    }
  }

  // ---- (b) Tripod → Redis -------------------------------------------------------------------

  /** The whole dataset as an RDB file, as SAVE would write it (run on the event loop). */
  private static byte[] writeRdb(Server s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeAux("redis-ver", "7.0.15");
    w.writeAux("redis-bits", "64");
    w.writeAux("ctime", String.valueOf(System.currentTimeMillis() / 1000));
    w.writeAux("used-mem", "0");
    w.writeAux("aof-base", "0");
    for (int i = 0; i < s.dbCount(); i++) {
      Database db = s.db(i);
      if (db.size() == 0) {
        continue;
      }
      w.writeSelectDb(i, db.size(), db.expiresSize());
      List<KeyEntry> entries = new ArrayList<>();
      db.forEach(entries::add);
      for (KeyEntry e : entries) {
        w.writeEntry(e);
      }
    }
    w.writeEof();
    return out.toByteArray();
  }

  @Test
  void tripodWrittenRdbLoadsIntoRedis() throws Exception {
    try (TripodInstance tripod = TripodInstance.start();
        RawConnection tc = new RawConnection(tripod.port)) {
      tc.setTimeoutMillis(30_000);
      fillCommonTypes(tc);
      byte[] rdb = onLoop(tripod.server, () -> writeRdb(tripod.server));
      Path dir = Files.createTempDirectory("rdb-interop-");
      Files.write(dir.resolve("tripod.rdb"), rdb);
      try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "tripod.rdb");
          RawConnection rc = new RawConnection(redis.port)) {
        rc.setTimeoutMillis(30_000);
        int compared = 0;
        for (int db : DBS) {
          List<String> keys = keys(tc, db);
          cmd(rc, "SELECT", db);
          assertThat(keys(rc, db)).as("keys of db " + db).isEqualTo(keys);
          cmd(tc, "SELECT", db);
          for (String key : keys) {
            compareKey(tc, rc, key);
            compared++;
          }
        }
        assertThat(compared).isGreaterThanOrEqualTo(25);
      }
    }
  }

  // ---- (d) full sync both ways -----------------------------------------------------------------

  private static long dbsize(int port, int db) {
    try (RawConnection c = new RawConnection(port)) {
      cmd(c, "SELECT", db);
      return cmd(c, "DBSIZE").number();
    } catch (IOException e) {
      return -1;
    }
  }

  private static void awaitSameSizes(int expectedPort, int actualPort) {
    for (int db : DBS) {
      await().atMost(Duration.ofSeconds(30)).until(() -> dbsize(actualPort, db) == dbsize(expectedPort, db));
    }
  }

  private static void compareAll(RawConnection expected, RawConnection actual) throws IOException {
    for (int db : DBS) {
      List<String> keys = keys(expected, db);
      cmd(actual, "SELECT", db);
      assertThat(keys(actual, db)).as("keys of db " + db).isEqualTo(keys);
      cmd(expected, "SELECT", db);
      for (String key : keys) {
        compareKey(expected, actual, key);
      }
    }
  }

  @Test
  void realRedisReplicaFullSyncsFromTripod() throws Exception {
    try (TripodInstance master = TripodInstance.start();
        RawConnection tc = new RawConnection(master.port)) {
      tc.setTimeoutMillis(30_000);
      fillCommonTypes(tc);
      try (RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port));
          RawConnection rc = new RawConnection(replica.port)) {
        rc.setTimeoutMillis(30_000);
        await().atMost(Duration.ofSeconds(30))
            .until(() -> cmd(rc, "INFO", "replication").asString().contains("master_link_status:up"));
        awaitSameSizes(master.port, replica.port);
        compareAll(tc, rc);
      }
    }
  }

  @Test
  void tripodReplicaFullSyncsFromRealRedis() throws Exception {
    try (RedisProcess master = RedisProcess.start("--repl-diskless-sync-delay", "0");
        RawConnection rc = new RawConnection(master.port);
        TripodInstance replica = TripodInstance.start();
        RawConnection tc = new RawConnection(replica.port)) {
      rc.setTimeoutMillis(30_000);
      tc.setTimeoutMillis(30_000);
      // TODO(zset/stream helpers): add fillZsetsAndStreams once Tripod can load them.
      fillCommonTypes(rc);
      cmd(tc, "REPLICAOF", "127.0.0.1", master.port);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> replica.server.repl.link != null && replica.server.repl.link.isConnected());
      awaitSameSizes(master.port, replica.port);
      compareAll(rc, tc);
    }
  }

  // ---- (c) truncated and corrupt files -------------------------------------------------------

  /** A factory that accepts every type, so only the file structure is tested. */
  private static final RdbReader.ValueFactory ANY = new RdbReader.ValueFactory() {
    @Override
    public Object list(List<byte[]> elements) {
      return "list";
    }

    @Override
    public Object set(List<byte[]> members) {
      return "set";
    }

    @Override
    public Object hash(List<byte[]> fieldsAndValues) {
      return "hash";
    }

    @Override
    public Object zset(List<byte[]> members, double[] scores) {
      return "zset";
    }

    @Override
    public Object stream(RdbStream stream) {
      return "stream";
    }
  };

  private static Exception readFails(byte[] rdb) {
    try {
      new RdbReader(new ByteArrayInputStream(rdb), ANY).read((db, key, value, expire, idle, freq) -> {});
    } catch (IOException | RuntimeException e) {
      return e;
    }
    return null;
  }

  @Test
  void truncatedAndCorruptFilesAreRefused() throws Exception {
    byte[] rdb;
    try (RedisProcess redis = RedisProcess.start();
        RawConnection rc = new RawConnection(redis.port)) {
      rc.setTimeoutMillis(30_000);
      fillCommonTypes(rc);
      fillZsetsAndStreams(rc);
      cmd(rc, "SAVE");
      rdb = Files.readAllBytes(redis.dir.resolve("dump.rdb"));
    }
    assertThat(readFails(rdb)).as("the intact file").isNull();

    // Truncated anywhere: a short read that names the offset it reached.
    List<Integer> cuts = new ArrayList<>();
    for (int i = 0; i < Math.min(rdb.length, 300); i++) {
      cuts.add(i);
    }
    for (int i = 300; i < rdb.length; i += Math.max(1, rdb.length / 400)) {
      cuts.add(i);
    }
    for (int i = Math.max(0, rdb.length - 12); i < rdb.length; i++) {
      cuts.add(i);
    }
    for (int cut : cuts) {
      Exception e = readFails(Arrays.copyOf(rdb, cut));
      assertThat(e).as("truncated at " + cut).isNotNull();
      if (cut >= 9) {
        assertThat(e).as("truncated at " + cut).isInstanceOf(EOFException.class);
        assertThat(e.getMessage()).as("truncated at " + cut).contains("offset");
      }
    }

    // A bad value type byte of the first key after SELECTDB/RESIZEDB names its offset.
    byte[] badType = rdb.clone();
    int p = indexOf(rdb, new byte[] {(byte) 0xFE, 0x00, (byte) 0xFB});
    assertThat(p).isPositive();
    int typePos = p + 3;
    typePos += lengthSize(rdb[typePos]);
    typePos += lengthSize(rdb[typePos]);
    while ((rdb[typePos] & 0xff) == 0xFC) {
      typePos += 9;
    }
    badType[typePos] = 42;
    Exception e = readFails(badType);
    assertThat(e).isInstanceOf(RdbException.class);
    assertThat(e.getMessage()).contains("Unknown RDB encoding type 42");
    // The reader reports where it stopped: after the type byte and the key that follows it.
    long at = Long.parseLong(e.getMessage().replaceAll(".*\\(at offset (\\d+)\\).*", "$1"));
    assertThat(at).isGreaterThan(typePos).isLessThan(typePos + 80);

    // Any flipped byte is refused (structure error or checksum mismatch); never accepted.
    java.util.Random rnd = new java.util.Random(1);
    for (int n = 0; n < 300; n++) {
      byte[] bad = rdb.clone();
      int pos = 9 + rnd.nextInt(bad.length - 9);
      bad[pos] ^= (byte) (1 + rnd.nextInt(255));
      Exception f = readFails(bad);
      assertThat(f).as("flipped byte at " + pos).isNotNull();
    }

    // And through RdbLoader into a server: the error reaches the caller, nothing half-loaded
    // is mistaken for success.
    ServerConfig cfg = new ServerConfig();
    Server s = new Server(cfg);
    try {
      RdbLoader.load(s, new ByteArrayInputStream(Arrays.copyOf(rdb, rdb.length / 2)), false);
      fail("a truncated file loaded");
    } catch (EOFException expected) {
      assertThat(expected.getMessage()).contains("offset");
    } catch (RdbException expected) {
      // zset/stream builders missing in this branch reach here first; also a refusal.
      assertThat(expected.getMessage()).isNotEmpty();
    }
  }

  private static int lengthSize(byte first) {
    int kind = (first & 0xC0) >> 6;
    return kind == 0 ? 1 : kind == 1 ? 2 : (first & 0xff) == 0x80 ? 5 : 9;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
