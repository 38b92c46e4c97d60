package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RDB persistence: SAVE/BGSAVE, restart, interop with real redis dump files, bad files, MISCONF. */
class PersistenceIT {
  static TripodInstance tripodIn(Path dir) throws InterruptedException {
    return TripodInstance.start(cfg -> cfg.dir = dir.toString());
  }

  @Test
  void saveAndRestartKeepsTheData() throws Exception {
    Path dir = Files.createTempDirectory("persist-");
    try (TripodInstance t = tripodIn(dir)) {
      ReplicationIT.writeLoad(t.port, "s:", 300);
      assertThat(ReplicationIT.call(t.port, "SAVE")).isEqualTo("+OK\r\n");
      try (TripodInstance again = tripodIn(dir)) {
        ReplicationIT.assertSameData(t.port, again.port, "s:", 300);
      }
    }
  }

  /**
   * Like Redis: the listener is bound before the dump loads, a client connecting meanwhile gets
   * -LOADING for a command without the loading flag and INFO persistence with loading:1 and the
   * progress fields; when the load is done every key is there.
   */
  @Test
  void clientsGetLoadingWhileABigDumpLoadsAtStart() throws Exception {
    Path dir = Files.createTempDirectory("persist-");
    try (TripodInstance t = tripodIn(dir); RawConnection c = new RawConnection(t.port)) {
      c.setTimeoutMillis(120_000);
      assertThat(c.callString("DEBUG", "POPULATE", "1000000")).isEqualTo("+OK\r\n");
      assertThat(c.callString("SAVE")).isEqualTo("+OK\r\n");
    }
    long fileSize = Files.size(dir.resolve("dump.rdb"));
    ServerConfig cfg = new ServerConfig();
    cfg.port = Ports.free();
    cfg.bind = List.of("127.0.0.1");
    cfg.save = new java.util.ArrayList<>();
    cfg.dir = dir.toString();
    // Redis's own tests stretch loads the same way: a 1 us pause about every 50 keys.
    cfg.keyLoadDelay = -50;
    Server s = new Server(cfg);
    java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
    Thread starter = new Thread(() -> {
      try {
        s.start();
      } catch (Throwable e) {
        failed.set(e);
      }
    }, "loading-test-start");
    starter.start();
    try {
      RawConnection c = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).ignoreExceptions()
          .until(() -> new RawConnection(cfg.port), java.util.Objects::nonNull);
      try (c) {
        assertThat(c.callString("GET", "key:1")).isEqualTo("-LOADING Redis is loading the dataset in memory\r\n");
        String info = c.callString("INFO", "persistence");
        assertThat(info).contains("loading:1\r\n", "async_loading:0\r\n", "loading_total_bytes:" + fileSize + "\r\n",
            "loading_start_time:", "loading_rdb_used_mem:", "loading_loaded_bytes:", "loading_loaded_perc:",
            "loading_eta_seconds:");
        assertThat(c.callString("PING")).isEqualTo("-LOADING Redis is loading the dataset in memory\r\n");
      }
      starter.join(120_000);
      assertThat(failed.get()).isNull();
      assertThat(starter.isAlive()).isFalse();
      assertThat(ReplicationIT.call(cfg.port, "DBSIZE")).isEqualTo(":1000000\r\n");
      assertThat(ReplicationIT.call(cfg.port, "GET", "key:999999")).isEqualTo("$12\r\nvalue:999999\r\n");
      String after = ReplicationIT.call(cfg.port, "INFO", "persistence");
      assertThat(after).contains("loading:0\r\n", "rdb_last_load_keys_loaded:1000000\r\n").doesNotContain("loading_total_bytes");
    } finally {
      s.stop();
      starter.join(30_000);
    }
  }

  @Test
  void bgsaveIsAPointInTimeSnapshotDespiteConcurrentWrites() throws Exception {
    Path dir = Files.createTempDirectory("persist-");
    try (TripodInstance t = tripodIn(dir)) {
      try (RawConnection c = new RawConnection(t.port)) {
        for (int i = 0; i < 2000; i++) {
          c.callString("SET", "k" + i, "old" + i);
        }
        c.callString("SET", "ttl", "x");
        c.callString("PEXPIRE", "ttl", "100000000");
        // One pipeline: these writes run before the snapshot's first slice.
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        pipe.writeBytes(resp("BGSAVE"));
        for (int i = 0; i < 2000; i += 2) {
          pipe.writeBytes(resp("SET", "k" + i, "new" + i));
        }
        pipe.writeBytes(resp("DEL", "k1"));
        pipe.writeBytes(resp("SET", "added", "later"));
        pipe.writeBytes(resp("PERSIST", "ttl"));
        pipe.writeBytes(resp("FLUSHDB"));
        c.sendRaw(pipe.toByteArray());
        assertThat(new String(c.readRaw(), StandardCharsets.UTF_8)).isEqualTo("+Background saving started\r\n");
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> ReplicationIT.call(t.port, "INFO", "persistence")
          .contains("rdb_bgsave_in_progress:0") && t.server.rdb.rdbSaves == 1);
      assertThat(ReplicationIT.call(t.port, "DBSIZE")).isEqualTo(":0\r\n");
      try (TripodInstance again = tripodIn(dir)) {
        assertThat(ReplicationIT.call(again.port, "DBSIZE")).isEqualTo(":2001\r\n");
        assertThat(ReplicationIT.call(again.port, "GET", "k0")).isEqualTo("$4\r\nold0\r\n");
        assertThat(ReplicationIT.call(again.port, "GET", "k1")).isEqualTo("$4\r\nold1\r\n");
        assertThat(ReplicationIT.call(again.port, "GET", "added")).isEqualTo("$-1\r\n");
        assertThat(ReplicationIT.call(again.port, "TTL", "ttl")).isNotEqualTo(":-1\r\n");
      }
    }
  }

  @Test
  void redisDumpLoadsInTripodAndTripodDumpLoadsInRedis() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      ReplicationIT.writeLoad(redis.port, "r:", 300);
      Datasets.mixedLoad(redis.port, "m:", 200);
      assertThat(ReplicationIT.call(redis.port, "SAVE")).isEqualTo("+OK\r\n");
      Path dir = Files.createTempDirectory("persist-");
      Files.copy(redis.dir.resolve("dump.rdb"), dir.resolve("dump.rdb"));
      try (TripodInstance t = tripodIn(dir)) {
        ReplicationIT.assertSameData(redis.port, t.port, "r:", 300);
        Datasets.assertSame(redis.port, t.port);
        ReplicationIT.writeLoad(t.port, "t:", 200);
        Datasets.mixedLoad(t.port, "n:", 100);
        assertThat(ReplicationIT.call(t.port, "SAVE")).isEqualTo("+OK\r\n");
        try (RedisProcess back = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb")) {
          ReplicationIT.assertSameData(t.port, back.port, "r:", 300);
          ReplicationIT.assertSameData(t.port, back.port, "t:", 200);
          Datasets.assertSame(t.port, back.port);
        }
      }
    }
  }

  @Test
  void aCorruptDumpIsRefusedAndNotOverwritten() throws Exception {
    Path dir = Files.createTempDirectory("persist-");
    byte[] bad = "REDIS0010\u00fe\u0000\u0000\u0003abc\u0080\u0040\u0000\u0000\u0000xyz".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(dir.resolve("dump.rdb"), bad);
    ServerConfig cfg = new ServerConfig();
    cfg.port = Ports.free();
    cfg.bind = List.of("127.0.0.1");
    cfg.dir = dir.toString();
    Server s = new Server(cfg);
    assertThatThrownBy(s::start).hasMessageContaining("dump.rdb");
    s.stop();
    assertThat(Files.readAllBytes(dir.resolve("dump.rdb"))).isEqualTo(bad);
  }

  @Test
  void aFailingBackgroundSaveRefusesWritesWithMisconf() throws Exception {
    Path dir = Files.createTempDirectory("persist-");
    try (TripodInstance t = TripodInstance.start(cfg -> {
          cfg.dir = dir.resolve("does-not-exist").toString();
          cfg.save = new java.util.ArrayList<>(List.of(new long[] {3600, 1}));
        })) {
      assertThat(ReplicationIT.call(t.port, "SET", "a", "1")).isEqualTo("+OK\r\n");
      ReplicationIT.call(t.port, "BGSAVE");
      await().atMost(Duration.ofSeconds(10)).until(() -> !t.server.rdb.lastBgsaveOk);
      assertThat(ReplicationIT.call(t.port, "SET", "a", "2")).startsWith(
          "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.");
      assertThat(ReplicationIT.call(t.port, "GET", "a")).isEqualTo("$1\r\n1\r\n");
      assertThat(ReplicationIT.call(t.port, "INFO", "persistence")).contains("rdb_last_bgsave_status:err");
    }
  }

  static byte[] resp(String... args) {
    StringBuilder sb = new StringBuilder("*" + args.length + "\r\n");
    for (String a : args) {
      sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
