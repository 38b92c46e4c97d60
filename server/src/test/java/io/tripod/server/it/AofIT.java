package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The append-only file: crash tests with kill -9 and acknowledged-write tracking, interop with
 * redis-server and redis-check-aof, rewrite, truncated files, and a disk that fills up.
 */
class AofIT {
  private static final Duration START = Duration.ofSeconds(30);

  /** Servers a test starts and kills itself; whatever an assertion failure left is killed here. */
  static final java.util.List<Process> ROUND_SERVERS = new java.util.ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void killLeftovers() {
    for (Process p : ROUND_SERVERS) {
      p.destroyForcibly();
    }
    ROUND_SERVERS.clear();
  }

  static Process startServer(String prefix, int port, Path dir, String... extra) throws IOException {
    String[] base = {"--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--save", "", "--appendonly", "yes"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    Process p = StandaloneServer.start(prefix, all);
    ROUND_SERVERS.add(p);
    try {
      await().atMost(START).pollInterval(Duration.ofMillis(50)).until(() -> {
        if (!p.isAlive()) {
          throw new IllegalStateException("server exited with " + p.exitValue());
        }
        // The port opens before the files are loaded (-LOADING meanwhile), as with Redis.
        try (Socket s = new Socket("127.0.0.1", port)) {
          return !ReplicationIT.call(port, "PING").startsWith("-LOADING");
        } catch (IOException e) {
          return false;
        }
      });
    } catch (RuntimeException e) {
      p.destroyForcibly(); // never leave a server behind when it did not come up
      throw e;
    }
    return p;
  }

  static void kill9(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor();
  }

  /**
   * Writes until killed, remembering the last acknowledged index; after restart every
   * acknowledged write must be there. Runs {@code rounds} kill -9 rounds at random moments.
   */
  void crashRounds(String fsync, int rounds) throws Exception {
    Path dir = Files.createTempDirectory("aof-crash-");
    Random rnd = new Random(42);
    long acked = -1;
    for (int round = 0; round < rounds; round++) {
      int port = Ports.free();
      Process p = startServer(null, port, dir, "--appendfsync", fsync);
      // Everything acknowledged in earlier rounds survived the previous kill.
      if (acked >= 0) {
        assertThat(ReplicationIT.call(port, "GET", "k" + acked)).as("round %d, key %d", round, acked)
            .isEqualTo("$" + ("v" + acked).length() + "\r\nv" + acked + "\r\n");
        // The INCR of every acknowledged pair is there; at most one more (sent, not yet answered).
        String counter = ReplicationIT.call(port, "GET", "counter");
        long value = Long.parseLong(counter.split("\r\n")[1]);
        assertThat(value).as("counter after round %d", round).isBetween(acked + 1, acked + 2);
        acked = value - 1;
        ReplicationIT.call(port, "SET", "k" + acked, "v" + acked);
      }
      // The kill comes at a random moment after the first acknowledged write of the round.
      java.util.concurrent.CountDownLatch firstAck = new java.util.concurrent.CountDownLatch(1);
      long delayMillis = 20 + rnd.nextInt(400);
      Thread killer = new Thread(() -> {
        try {
          firstAck.await(20, java.util.concurrent.TimeUnit.SECONDS);
          Thread.sleep(delayMillis); // the random moment
          kill9(p);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      killer.start();
      try (RawConnection c = new RawConnection(port)) {
        for (long i = acked + 1; i < acked + 1_000_000; i++) {
          byte[] r1 = c.call("SET".getBytes(), ("k" + i).getBytes(), ("v" + i).getBytes());
          byte[] r2 = c.call("INCR".getBytes(), "counter".getBytes());
          if (r1 == RawConnection.CLOSED || r2 == RawConnection.CLOSED || r2 == RawConnection.TIMEOUT) {
            break;
          }
          assertThat(new String(r1, StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
          acked = i;
          firstAck.countDown();
        }
      } catch (IOException e) {
        // the kill
      }
      killer.join();
    }
    assertThat(acked).isGreaterThan(100);
  }

  @Test
  void noAcknowledgedWriteIsLostWithFsyncAlwaysAcross20Kills() throws Exception {
    crashRounds("always", 20);
  }

  @Test
  void everysecLosesNothingAProcessCrashCanLose() throws Exception {
    // A kill -9 does not lose what reached the kernel, so everysec keeps everything acknowledged
    // here; only a power loss could cost the last second.
    crashRounds("everysec", 5);
  }

  @Test
  void filesLoadInRedisAndRedisFilesLoadInTripod() throws Exception {
    Path dir = Files.createTempDirectory("aof-interop-");
    int port = Ports.free();
    Process p = startServer(null, port, dir);
    try {
      ReplicationIT.writeLoad(port, "a:", 200);
    } finally {
      p.destroy();
      p.waitFor();
    }
    Process check = new ProcessBuilder(RedisProcess.binary("redis-check-aof"),
        dir.resolve("appendonlydir/appendonly.aof.manifest").toString()).redirectErrorStream(true).start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    check.waitFor();
    assertThat(out).contains("is valid");
    try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--appendonly", "yes")) {
      await().atMost(START).until(() -> ReplicationIT.call(redis.port, "PING").equals("+PONG\r\n"));
      int port2 = Ports.free();
      Path dir2 = Files.createTempDirectory("aof-interop-");
      Process again = startServer(null, port2, dir2);
      try {
        ReplicationIT.writeLoad(port2, "a:", 200);
        ReplicationIT.assertSameData(port2, redis.port, "a:", 200);
        // Redis's own AOF, written now, loads in Tripod.
        ReplicationIT.writeLoad(redis.port, "b:", 100);
        Path dir3 = Files.createTempDirectory("aof-interop-");
        ReplicationIT.call(redis.port, "BGREWRITEAOF");
        await().atMost(START).until(() -> ReplicationIT.call(redis.port, "INFO", "persistence")
            .contains("aof_rewrite_in_progress:0"));
        ReplicationIT.writeLoad(redis.port, "c:", 50);
        // With everysec Redis may postpone the write (not the replies) while an fsync is slow.
        await().atMost(START).until(() -> ReplicationIT.call(redis.port, "INFO", "persistence")
            .contains("aof_buffer_length:0"));
        copyDir(dir.resolve("appendonlydir"), dir3.resolve("appendonlydir"));
        int port3 = Ports.free();
        Process fromRedis = startServer(null, port3, dir3);
        try {
          ReplicationIT.assertSameData(redis.port, port3, "b:", 100);
          ReplicationIT.assertSameData(redis.port, port3, "c:", 50);
        } finally {
          kill9(fromRedis);
        }
      } finally {
        kill9(again);
      }
    }
  }

  /** Every type, a long list (several RPUSH batches), TTLs, a stream with a group, PEL and an idle consumer. */
  static void writeAllTypes(int port) throws IOException {
    try (RawConnection c = new RawConnection(port)) {
      c.callString("SET", "str", "hello");
      c.callString("SET", "num", "12345");
      c.callString("PEXPIREAT", "str", "4102444800123");
      for (int i = 0; i < 150; i++) {
        c.callString("RPUSH", "list", "item-" + i);
        c.callString("SADD", "set", "m" + i);
        c.callString("ZADD", "zset", Double.toString(i / 10.0 - 3), "z" + i);
        c.callString("HSET", "hash", "f" + i, "v" + i);
      }
      c.callString("SADD", "intset", "1", "2", "3");
      c.callString("ZADD", "small", "1.5", "a", "inf", "b", "-0.1", "c");
      c.callString("HSET", "smallhash", "a", "1");
      c.callString("XADD", "stream", "1-1", "f", "v");
      c.callString("XADD", "stream", "2-1", "f", "v", "g", "w");
      c.callString("XGROUP", "CREATE", "stream", "g1", "0");
      c.callString("XREADGROUP", "GROUP", "g1", "c1", "COUNT", "1", "STREAMS", "stream", ">");
      c.callString("XGROUP", "CREATECONSUMER", "stream", "g1", "c2");
      c.callString("XADD", "empty", "MAXLEN", "0", "5-5", "a", "b");
      c.callString("SELECT", "1");
      c.callString("SET", "other", "db1");
      c.callString("PFADD", "hll", "a", "b", "c");
    }
  }

  /** A canonical text of the whole dataset (db 0 and 1): per key its type, content and TTL presence. */
  static String describe(int port) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (RawConnection c = new RawConnection(port)) {
      for (String db : new String[] {"0", "1"}) {
        c.callString("SELECT", db);
        java.util.List<String> keys = new java.util.ArrayList<>(java.util.List.of(c.callString("KEYS", "*").split("\r\n")));
        keys.removeIf(l -> l.startsWith("*") || l.startsWith("$"));
        java.util.Collections.sort(keys);
        for (String k : keys) {
          String type = c.callString("TYPE", k);
          sb.append(db).append(' ').append(k).append(' ').append(type.trim());
          sb.append(" pexpiretime=").append(c.callString("PEXPIRETIME", k).trim()).append('\n');
          String content;
          switch (type.trim()) {
            case "+string": content = c.callString("GET", k); break;
            case "+list": content = c.callString("LRANGE", k, "0", "-1"); break;
            case "+set": content = sortedLines(c.callString("SMEMBERS", k)); break;
            case "+zset": content = c.callString("ZRANGE", k, "0", "-1", "WITHSCORES"); break;
            case "+hash": content = sortedLines(c.callString("HGETALL", k)); break;
            default:
              content = c.callString("XRANGE", k, "-", "+") + c.callString("XINFO", "GROUPS", k)
                  + c.callString("XLEN", k) + xsetidState(c, k);
              if (!c.callString("XINFO", "GROUPS", k).startsWith("*0")) {
                content += c.callString("XPENDING", k, "g1") + sortedLines(c.callString("XINFO", "CONSUMERS", k, "g1")
                    .replaceAll("idle\\r\\n:\\d+", "idle"));
              }
          }
          sb.append(content).append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** The stream's last id, entries added and max deleted id (what XSETID restores). */
  private static String xsetidState(RawConnection c, String k) throws IOException {
    String[] l = c.callString("XINFO", "STREAM", k).split("\r\n");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i + 2 < l.length; i++) {
      if (l[i].equals("last-generated-id") || l[i].equals("max-deleted-entry-id") || l[i].equals("entries-added")) {
        sb.append(l[i]).append('=').append(l[i + 2]).append(' ');
      }
    }
    return sb.toString();
  }

  private static String sortedLines(String reply) {
    java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(reply.split("\r\n")));
    java.util.Collections.sort(lines);
    return String.join("|", lines);
  }

  @Test
  void withoutTheRdbPreambleTheBaseIsCommandsThatRedisAndRedisCheckAofAccept() throws Exception {
    Path dir = Files.createTempDirectory("aof-nopreamble-");
    int port = Ports.free();
    Process p = startServer(null, port, dir, "--aof-use-rdb-preamble", "no");
    String before;
    try {
      writeAllTypes(port);
      assertThat(ReplicationIT.call(port, "BGREWRITEAOF")).isEqualTo("+Background append only file rewriting started\r\n");
      await().atMost(START).until(() -> Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest"))
          .contains("file appendonly.aof.2.base.aof seq 2 type b"));
      ReplicationIT.call(port, "SET", "after-rewrite", "1");
      before = describe(port);
    } finally {
      kill9(p);
    }
    byte[] base = Files.readAllBytes(dir.resolve("appendonlydir/appendonly.aof.2.base.aof"));
    String text = new String(base, StandardCharsets.ISO_8859_1);
    assertThat(text).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n").contains("$5\r\nRPUSH\r\n")
        .contains("*3\r\n$9\r\nPEXPIREAT\r\n$3\r\nstr\r\n$13\r\n4102444800123\r\n")
        .contains("$6\r\nXSETID\r\n").contains("$6\r\nXCLAIM\r\n").contains("$14\r\nCREATECONSUMER\r\n")
        .contains("$3\r\n0-1\r\n$1\r\nx\r\n$1\r\ny\r\n");
    // 150 list items: batches of 64, 64 and 22 (AOF_REWRITE_ITEMS_PER_CMD).
    assertThat(text).contains("*66\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n").contains("*24\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n");
    Process check = new ProcessBuilder(RedisProcess.binary("redis-check-aof"),
        dir.resolve("appendonlydir/appendonly.aof.manifest").toString()).redirectErrorStream(true).start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    check.waitFor();
    assertThat(out).contains("is valid");
    // Tripod reads its own files back, and so does Redis.
    Path copy = Files.createTempDirectory("aof-nopreamble-");
    copyDir(dir.resolve("appendonlydir"), copy.resolve("appendonlydir"));
    int port2 = Ports.free();
    Process again = startServer(null, port2, dir, "--aof-use-rdb-preamble", "no");
    try {
      assertThat(describe(port2)).isEqualTo(before);
    } finally {
      kill9(again);
    }
    try (RedisProcess redis = RedisProcess.start("--dir", copy.toString(), "--appendonly", "yes",
        "--aof-use-rdb-preamble", "no")) {
      // Redis binds before it loads: wait for the end of -LOADING.
      await().atMost(START).until(() -> ReplicationIT.call(redis.port, "PING").equals("+PONG\r\n"));
      assertThat(describe(redis.port)).isEqualTo(before);
      // Redis's own command-form base loads in Tripod.
      ReplicationIT.call(redis.port, "BGREWRITEAOF");
      await().atMost(START).until(() -> ReplicationIT.call(redis.port, "INFO", "persistence")
          .contains("aof_rewrite_in_progress:0") && Files.exists(copy.resolve("appendonlydir/appendonly.aof.3.base.aof")));
      await().atMost(START).until(() -> ReplicationIT.call(redis.port, "INFO", "persistence")
          .contains("aof_buffer_length:0"));
      Path fromRedis = Files.createTempDirectory("aof-nopreamble-");
      copyDir(copy.resolve("appendonlydir"), fromRedis.resolve("appendonlydir"));
      int port3 = Ports.free();
      Process t3 = startServer(null, port3, fromRedis);
      try {
        assertThat(describe(port3)).isEqualTo(before);
      } finally {
        kill9(t3);
      }
    }
  }

  static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path f : s.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  @Test
  void rewriteReplacesTheBaseAndKeepsTheData() throws Exception {
    Path dir = Files.createTempDirectory("aof-rewrite-");
    int port = Ports.free();
    Process p = startServer(null, port, dir);
    try {
      ReplicationIT.writeLoad(port, "r:", 300);
      assertThat(ReplicationIT.call(port, "BGREWRITEAOF")).isEqualTo("+Background append only file rewriting started\r\n");
      await().atMost(START).until(() -> Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest"))
          .contains("appendonly.aof.2.base.rdb"));
      ReplicationIT.writeLoad(port, "s:", 100);
    } finally {
      kill9(p);
    }
    assertThat(Files.exists(dir.resolve("appendonlydir/appendonly.aof.1.base.rdb"))).isFalse();
    int port2 = Ports.free();
    Process again = startServer(null, port2, dir);
    try (RedisProcess ref = RedisProcess.start()) {
      ReplicationIT.writeLoad(ref.port, "r:", 300);
      ReplicationIT.writeLoad(ref.port, "s:", 100);
      ReplicationIT.assertSameData(ref.port, port2, "r:", 300);
      ReplicationIT.assertSameData(ref.port, port2, "s:", 100);
    } finally {
      kill9(again);
    }
  }

  @Test
  void aTruncatedTailLoadsOnlyWhenAllowed() throws Exception {
    Path dir = Files.createTempDirectory("aof-trunc-");
    int port = Ports.free();
    Process p = startServer(null, port, dir);
    ReplicationIT.call(port, "SET", "a", "1");
    kill9(p);
    Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
    Files.write(incr, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhel".getBytes(StandardCharsets.US_ASCII),
        java.nio.file.StandardOpenOption.APPEND);
    // Refused without aof-load-truncated.
    Process refused = StandaloneServer.start(null, "--port", String.valueOf(Ports.free()), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--aof-load-truncated", "no");
    assertThat(refused.waitFor()).isNotZero();
    int port2 = Ports.free();
    Process ok = startServer(null, port2, dir);
    try {
      assertThat(ReplicationIT.call(port2, "GET", "a")).isEqualTo("$1\r\n1\r\n");
      assertThat(ReplicationIT.call(port2, "EXISTS", "b")).isEqualTo(":0\r\n");
    } finally {
      kill9(ok);
    }
  }

  @Test
  void aFullDiskRefusesWritesWithMisconfAndLosesNothingAcknowledged() throws Exception {
    Path dir = Files.createTempDirectory("aof-full-");
    int port = Ports.free();
    // RLIMIT_FSIZE stands in for a full disk: writes past 256 KB fail with EFBIG.
    Process p = startServer("ulimit -f 256;", port, dir, "--appendfsync", "always");
    long acked = -1;
    String refusal = null;
    try (RawConnection c = new RawConnection(port)) {
      for (int i = 0; i < 100_000; i++) {
        String r = c.callString("SET", "k" + i, "x".repeat(100));
        if (!r.equals("+OK\r\n")) {
          refusal = r;
          break;
        }
        acked = i;
      }
    } catch (IOException e) {
      // the batch whose write failed is not answered: its connection is closed
    }
    if (refusal == null || refusal.equals("<connection closed>")) {
      // The batch that hit the limit was not acknowledged (its connection was closed); the next
      // write is refused.
      refusal = ReplicationIT.call(port, "SET", "after", "1");
    }
    assertThat(refusal).startsWith("-MISCONF Errors writing to the AOF file:");
    kill9(p);
    int port2 = Ports.free();
    Process again = startServer(null, port2, dir);
    try {
      for (long i = 0; i <= acked; i += Math.max(1, acked / 50)) {
        assertThat(ReplicationIT.call(port2, "EXISTS", "k" + i)).as("acknowledged k%d", i).isEqualTo(":1\r\n");
      }
      assertThat(ReplicationIT.call(port2, "EXISTS", "k" + acked)).isEqualTo(":1\r\n");
    } finally {
      kill9(again);
    }
  }
}
