package io.tripod.sentinel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.sentinel.config.ConfigException;
import io.tripod.sentinel.config.SentinelConfig;
import io.tripod.sentinel.net.SentinelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;

/** Clients through Tripod sentinels, hostile hello messages, and an unwritable config. */
class ClientsIT {
  @Test
  @SuppressWarnings("deprecation") // JedisSentinelPool is what the task (and most apps) use
  void jedisSentinelPoolKeepsWritingAcrossFailover() throws Exception {
    try (Harness h = new Harness()) {
      int[] servers = new int[3];
      List<Integer> sp = watchedTopology(h, servers);
      int mp = servers[0];
      Set<String> sentinels = new HashSet<>();
      for (int p : sp) sentinels.add("127.0.0.1:" + p);
      AtomicLong ok = new AtomicLong();
      AtomicLong okAfter = new AtomicLong();
      AtomicBoolean killed = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      try (JedisSentinelPool pool = new JedisSentinelPool("mymaster", sentinels)) {
        Thread writer = writer("jedis-writer", stop, i -> {
          try (Jedis j = pool.getResource()) {
            j.set("k" + (i % 100), Long.toString(i));
            ok.incrementAndGet();
            if (killed.get() && pool.getCurrentHostMaster().getPort() != mp) okAfter.incrementAndGet();
          }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 100);
        Process master = h.processes.get(0);
        master.destroyForcibly();
        master.waitFor();
        killed.set(true);
        await().atMost(Duration.ofSeconds(40)).until(() -> okAfter.get() > 100);
        stop.set(true);
        writer.join(5000);
        String now = pool.getCurrentHostMaster().toString();
        assertThat(now).isNotEqualTo("127.0.0.1:" + mp);
      }
    }
  }

  /**
   * Lettuce (RedisClient with a sentinel RedisURI) and redis-py ({@code Sentinel.master_for}, as a
   * child process) write through three Tripod sentinels across a kill -9 of the master, and reach
   * the new master.
   */
  @Test
  void lettuceAndRedisPyKeepWritingAcrossFailover() throws Exception {
    String python = Harness.binary("python3");
    Process check = new ProcessBuilder(python, "-c", "import redis").redirectErrorStream(true).start();
    if (check.waitFor() != 0) { // Debian's python3-redis (.ci/run installs it)
      if (System.getenv("CI") != null) throw new IllegalStateException("python3-redis missing");
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "python3-redis not installed");
    }
    try (Harness h = new Harness()) {
      int[] servers = new int[3];
      List<Integer> sp = watchedTopology(h, servers);
      int mp = servers[0];
      int r1 = servers[1];
      int r2 = servers[2];
      // redis-py: a bounded child process, stopped by PID at the end.
      Path script = h.dir.resolve("redis_py_writer.py");
      try (var in = ClientsIT.class.getResourceAsStream("/redis_py_writer.py")) {
        Files.copy(in, script);
      }
      StringBuilder ports = new StringBuilder();
      for (int p : sp) ports.append(ports.length() == 0 ? "" : ",").append(p);
      Process py = new ProcessBuilder(python, script.toString(), ports.toString(), "120")
          .redirectErrorStream(true).start();
      h.processes.add(py);
      AtomicLong pyOk = new AtomicLong();
      AtomicLong pyOkAfter = new AtomicLong();
      AtomicBoolean killed = new AtomicBoolean();
      List<String> pyLines = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread pyReader = new Thread(() -> {
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(py.getInputStream(),
            java.nio.charset.StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            pyLines.add(line);
            String[] t = line.split(" ");
            if (t[0].equals("ok") && t.length == 3) {
              pyOk.set(Long.parseLong(t[1]));
              if (killed.get() && !t[2].equals(String.valueOf(mp))) pyOkAfter.addAndGet(20);
            }
          }
        } catch (java.io.IOException e) {
          // the child was stopped
        }
      }, "redis-py-out");
      pyReader.setDaemon(true);
      pyReader.start();
      // Lettuce: RedisClient with a sentinel URI re-resolves the master on every reconnect.
      RedisURI.Builder b = RedisURI.Builder.sentinel("127.0.0.1", sp.get(0), "mymaster");
      for (int i = 1; i < sp.size(); i++) b.withSentinel("127.0.0.1", sp.get(i));
      RedisURI uri = b.withTimeout(Duration.ofSeconds(2)).build();
      RedisClient client = RedisClient.create(uri);
      AtomicLong lOk = new AtomicLong();
      AtomicLong lOkAfter = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      try (StatefulRedisConnection<String, String> conn = client.connect()) {
        RedisCommands<String, String> cmd = conn.sync();
        Thread writer = writer("lettuce-writer", stop, i -> {
          cmd.set("l" + (i % 100), Long.toString(i));
          lOk.incrementAndGet();
          // Acknowledged after the kill: only the new master can have done it.
          if (killed.get()) lOkAfter.incrementAndGet();
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> lOk.get() > 100 && pyOk.get() >= 100);
        Process master = h.processes.get(0);
        master.destroyForcibly();
        master.waitFor();
        killed.set(true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> lOkAfter.get() > 100 && pyOkAfter.get() >= 100);
        stop.set(true);
        writer.join(10000);
        String[] now = Harness.masterAddr(sp.get(0));
        assertThat(now).isNotNull();
        assertThat(now[1]).isIn(String.valueOf(r1), String.valueOf(r2));
        // Lettuce's connection now points at the new master.
        assertThat(conn.sync().info("server")).contains("tcp_port:" + now[1]);
        assertThat(pyLines.stream().filter(l -> l.startsWith("ok ")).reduce((x, y) -> y).orElse(""))
            .endsWith(" " + now[1]);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        py.destroyForcibly();
        py.waitFor();
      }
    }
  }

  /**
   * Lettuce's MasterReplica with a sentinel URI (SENTINEL MASTER / REPLICAS, PSUBSCRIBE * on every
   * sentinel, topology refresh on +switch-master) keeps writing to the upstream across a failover.
   */
  @Test
  void lettuceMasterReplicaFollowsFailover() throws Exception {
    try (Harness h = new Harness()) {
      int[] servers = new int[3];
      List<Integer> sp = watchedTopology(h, servers);
      int mp = servers[0];
      int r1 = servers[1];
      int r2 = servers[2];
      RedisURI.Builder b = RedisURI.Builder.sentinel("127.0.0.1", sp.get(0), "mymaster");
      for (int i = 1; i < sp.size(); i++) b.withSentinel("127.0.0.1", sp.get(i));
      RedisURI uri = b.withTimeout(Duration.ofSeconds(2)).build();
      RedisClient client = RedisClient.create();
      AtomicLong ok = new AtomicLong();
      AtomicLong okAfter = new AtomicLong();
      AtomicBoolean killed = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      try (StatefulRedisMasterReplicaConnection<String, String> conn =
          MasterReplica.connect(client, StringCodec.UTF8, uri)) {
        conn.setReadFrom(ReadFrom.UPSTREAM);
        RedisCommands<String, String> cmd = conn.sync();
        Thread writer = writer("lettuce-mr-writer", stop, i -> {
          cmd.set("mr" + (i % 100), Long.toString(i));
          ok.incrementAndGet();
          if (killed.get()) okAfter.incrementAndGet();
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> ok.get() > 100);
        Process master = h.processes.get(0);
        master.destroyForcibly();
        master.waitFor();
        killed.set(true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> okAfter.get() > 100);
        stop.set(true);
        writer.join(10000);
        String[] now = Harness.masterAddr(sp.get(0));
        assertThat(now).isNotNull();
        assertThat(now[1]).isIn(String.valueOf(r1), String.valueOf(r2));
        assertThat(cmd.info("server")).contains("tcp_port:" + now[1]);
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  @Test
  void malformedHelloIsIgnored() throws Exception {
    try (Harness h = new Harness()) {
      int mp = Harness.freePort();
      h.redis(mp);
      int p = Harness.freePort();
      SentinelServer s = h.tripod(p, mp, 2, 5000, 10000);
      String[] bad = {
        "", ",,,,,,,", "a,b,c,d,e,f,g", "127.0.0.1,26379,abc,1,mymaster,127.0.0.1," + mp + ",0,extra",
        "127.0.0.1,notaport,abcd,1,mymaster,127.0.0.1," + mp + ",0",
        "127.0.0.1,99999,abcd,1,mymaster,127.0.0.1," + mp + ",0",
        "127.0.0.1,26379,abcd,x,mymaster,127.0.0.1," + mp + ",0",
        "127.0.0.1,26379,abcd,1,nosuchmaster,127.0.0.1," + mp + ",0",
        "127.0.0.1,26379,abcd,1,mymaster,127.0.0.1,0,0",
        "127.0.0.1,26379,abcd,-5,mymaster,127.0.0.1," + mp + ",zz",
        "127.0.0.1,26379," + s.call(() -> s.core().myid) + ",99,mymaster,10.0.0.1,1,99",
        "\u0000\u00ff,1,\r\n,1,mymaster,1,1,1",
      };
      try (Jedis j = new Jedis("127.0.0.1", p)) {
        for (String b : bad) {
          assertThat(j.publish("__sentinel__:hello", b)).isEqualTo(1L);
        }
        // Also through the monitored master's channel (the pub/sub link).
        try (Jedis m = new Jedis("127.0.0.1", mp)) {
          for (String b : bad) m.publish("__sentinel__:hello", b);
        }
        assertThat(j.ping()).isEqualTo("PONG");
        assertThat(j.sentinelGetMasterAddrByName("mymaster")).containsExactly("127.0.0.1", String.valueOf(mp));
        assertThat(j.sentinelMaster("mymaster").get("num-other-sentinels")).isEqualTo("0");
        assertThat(s.call(() -> s.core().currentEpoch)).isEqualTo(0L);
      }
      // A well-formed hello is accepted.
      try (Jedis j = new Jedis("127.0.0.1", p)) {
        j.publish("__sentinel__:hello", "127.0.0.1,1,0123456789012345678901234567890123456789,3,mymaster,127.0.0.1," + mp + ",0");
        assertThat(j.sentinelMaster("mymaster").get("num-other-sentinels")).isEqualTo("1");
        assertThat(s.call(() -> s.core().currentEpoch)).isEqualTo(3L);
      }
    }
  }

  @Test
  void unwritableConfigIsRefusedAtStart() throws Exception {
    Path dir = Files.createTempDirectory("sentinel-ro-");
    Path f = dir.resolve("sentinel.conf");
    Files.writeString(f, "port 0\nsentinel monitor m 127.0.0.1 6379 2\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
    boolean immutable = false;
    try {
      String why = "Permission denied";
      if (Files.isWritable(f)) {
        // Root ignores permissions: make the file immutable instead (as Redis, EPERM then).
        Process p = new ProcessBuilder("chattr", "+i", f.toString()).redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "chattr not available");
        immutable = true;
        why = "Operation not permitted";
      }
      SentinelConfig cfg = SentinelConfig.load(f.toString(), List.of());
      try {
        new SentinelServer(cfg);
        throw new AssertionError("should refuse");
      } catch (ConfigException e) {
        assertThat(e.getMessage())
            .isEqualTo("Sentinel config file " + f.toAbsolutePath() + " is not writable: " + why + ". Exiting...");
      }
    } finally {
      if (immutable) new ProcessBuilder("chattr", "-i", f.toString()).start().waitFor();
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
      Files.deleteIfExists(f);
      Files.deleteIfExists(dir);
    }
    SentinelConfig none = SentinelConfig.load(null, List.of("--port", "0"));
    try {
      new SentinelServer(none);
      throw new AssertionError("should refuse");
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isEqualTo("Sentinel needs config file on disk to save state. Exiting...");
    }
  }

  /**
   * The config file becomes unwritable while running (chattr +i: the rename over it fails, even
   * for root): commands that must save answer Redis's error, the same bytes as a real
   * redis-sentinel in the same situation; the in-memory change stays, as in Redis.
   */
  @Test
  void unwritableConfigAtRuntimeAnswersSaveError() throws Exception {
    try (Harness h = new Harness()) {
      int mp = Harness.freePort();
      h.redis(mp);
      int tp = Harness.freePort();
      h.tripod(tp, mp, 2, 5000, 10000);
      int rp = Harness.freePort();
      h.realSentinel(rp, mp, 2, 5000, 10000);
      String[][] cmds = {
        {"SENTINEL", "FLUSHCONFIG"}, {"SENTINEL", "SET", "mymaster", "quorum", "3"},
        {"SENTINEL", "MONITOR", "other", "127.0.0.1", "1", "2"}, {"SENTINEL", "CONFIG", "SET", "announce-port", "5"},
        {"SENTINEL", "REMOVE", "other"}, {"SENTINEL", "RESET", "nomatch"},
      };
      List<Path> files = List.of(h.dir.resolve("sentinel-" + tp + ".conf"), h.dir.resolve("sentinel-" + rp + ".conf"));
      List<Path> locked = new ArrayList<>();
      try {
        for (Path f : files) {
          Process p = new ProcessBuilder("chattr", "+i", f.toString()).redirectErrorStream(true).start();
          org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "chattr not available");
          locked.add(f);
        }
        for (String[] c : cmds) {
          Object ours = call(tp, c);
          Object redis = call(rp, c);
          assertThat(ours).as(String.join(" ", c)).isEqualTo(redis);
        }
        assertThat(call(tp, new String[] {"SENTINEL", "FLUSHCONFIG"}))
            .isEqualTo("ERR Failed to save config file. Check server logs.");
        assertThat(Harness.masterField(tp, "quorum")).isEqualTo("3");
      } finally {
        for (Path f : locked) new ProcessBuilder("chattr", "-i", f.toString()).start().waitFor();
      }
      // Writable again: saved.
      assertThat(call(tp, new String[] {"SENTINEL", "FLUSHCONFIG"})).isEqualTo("OK");
      assertThat(Files.readString(files.get(0))).contains("sentinel monitor mymaster 127.0.0.1 " + mp + " 3");
    }
  }

  /** One command's reply as text: a status or an error message, or the integer. */
  private static Object call(int port, String[] c) {
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      String[] rest = java.util.Arrays.copyOfRange(c, 1, c.length);
      Object r = j.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode(c[0]), rest);
      return r instanceof byte[] ? new String((byte[]) r, java.nio.charset.StandardCharsets.UTF_8) : r;
    } catch (redis.clients.jedis.exceptions.JedisDataException e) {
      return e.getMessage();
    }
  }

  @Test
  void restartedSentinelRemembersItsState() throws Exception {
    try (Harness h = new Harness()) {
      int mp = Harness.freePort();
      h.redis(mp);
      int r1 = Harness.freePort();
      h.redis(r1, "--replicaof", "127.0.0.1", String.valueOf(mp));
      int p = Harness.freePort();
      SentinelServer s = h.tripod(p, mp, 1, 5000, 10000);
      String myid = s.call(() -> s.core().myid);
      await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(Harness.masterField(p, "num-slaves")));
      try (Jedis j = new Jedis("127.0.0.1", p)) {
        // An epoch learnt from a peer's hello must survive the restart too.
        j.publish("__sentinel__:hello", "127.0.0.1,1,0123456789012345678901234567890123456789,5,mymaster,127.0.0.1," + mp + ",0");
      }
      s.stop();
      h.tripods.remove(s);
      String conf = Files.readString(h.dir.resolve("sentinel-" + p + ".conf"));
      assertThat(conf).contains("sentinel myid " + myid, "sentinel known-replica mymaster 127.0.0.1 " + r1,
          "sentinel known-sentinel mymaster 127.0.0.1 1 0123456789012345678901234567890123456789",
          "sentinel current-epoch 5");
      SentinelConfig cfg = SentinelConfig.load(h.dir.resolve("sentinel-" + p + ".conf").toString(), List.of());
      SentinelServer again = new SentinelServer(cfg);
      again.start();
      h.tripods.add(again);
      try (Jedis j = new Jedis("127.0.0.1", p)) {
        assertThat(j.sentinelMyId()).isEqualTo(myid);
        assertThat(j.sentinelMaster("mymaster").get("num-slaves")).isEqualTo("1");
        assertThat(j.sentinelMaster("mymaster").get("num-other-sentinels")).isEqualTo("1");
      }
      assertThat(again.call(() -> again.core().currentEpoch)).isEqualTo(5L);
    }
  }

  /**
   * A real master and two real replicas ({@code servers} gets their ports, master first) watched by
   * three Tripod sentinels (quorum 2, down-after 1000) that have found each other and the replicas.
   * Returns the sentinels' ports.
   */
  private static List<Integer> watchedTopology(Harness h, int[] servers) throws Exception {
    int mp = Harness.freePort();
    h.redis(mp);
    servers[0] = mp;
    for (int i = 1; i <= 2; i++) {
      servers[i] = Harness.freePort();
      h.redis(servers[i], "--replicaof", "127.0.0.1", String.valueOf(mp));
    }
    List<Integer> sp = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int p = Harness.freePort();
      h.tripod(p, mp, 2, 1000, 3000);
      sp.add(p);
    }
    Harness.awaitDiscovery(sp);
    return sp;
  }

  /** A started writer thread: {@code write} with 0, 1, 2, ... until {@code stop}; a failed write is retried after 50 ms. */
  private static Thread writer(String name, AtomicBoolean stop, java.util.function.LongConsumer write) {
    Thread t = new Thread(() -> {
      long i = 0;
      while (!stop.get()) {
        try {
          write.accept(i);
          i++;
        } catch (RuntimeException e) {
          try {
            Thread.sleep(50); // failover in progress; retry
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, name);
    t.start();
    return t;
  }
}
