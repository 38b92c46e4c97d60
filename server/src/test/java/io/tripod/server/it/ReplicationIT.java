package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.server.repl.Replica;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Replication against real redis-server 7.0 in both directions, chains, partial resync after a cut
 * link, and PSYNC2 continuation after a promotion.
 */
class ReplicationIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  static TripodInstance tripod() throws InterruptedException {
    return TripodInstance.start(cfg -> cfg.replDisklessSyncDelaySeconds = 0);
  }

  static String call(int port, String... args) throws IOException {
    try (RawConnection c = new RawConnection(port)) {
      return c.callString(args);
    }
  }

  /** Writes a deterministic mixed load of string keys (with and without TTLs) through SET/INCR/APPEND/DEL. */
  static void writeLoad(int port, String prefix, int n) throws IOException {
    try (RawConnection c = new RawConnection(port)) {
      for (int i = 0; i < n; i++) {
        String k = prefix + i;
        c.callString("SET", k, "value-" + i);
        if (i % 3 == 0) {
          c.callString("INCR", k + ":counter");
        }
        if (i % 5 == 0) {
          c.callString("APPEND", k, "-appended");
        }
        if (i % 7 == 0) {
          c.callString("EXPIRE", k, "1000");
        }
        if (i % 11 == 0) {
          c.callString("DEL", k);
        }
        if (i % 13 == 0) {
          c.callString("SELECT", "1");
          c.callString("SET", k, "db1");
          c.callString("SELECT", "0");
        }
      }
    }
  }

  /** Every key of db 0 and 1 compared between two servers by value. */
  static void assertSameData(int a, int b, String prefix, int n) throws IOException {
    try (RawConnection ca = new RawConnection(a); RawConnection cb = new RawConnection(b)) {
      for (String db : new String[] {"0", "1"}) {
        ca.callString("SELECT", db);
        cb.callString("SELECT", db);
        assertThat(cb.callString("DBSIZE")).as("dbsize of db %s", db).isEqualTo(ca.callString("DBSIZE"));
        for (int i = 0; i < n; i++) {
          for (String k : new String[] {prefix + i, prefix + i + ":counter"}) {
            assertThat(cb.callString("GET", k)).as("GET %s in db %s", k, db).isEqualTo(ca.callString("GET", k));
          }
        }
      }
    }
  }

  static void awaitOffsetsEqual(int master, int replica) {
    await().atMost(WAIT).until(() -> offset(master, "master_repl_offset") == offset(replica, "slave_repl_offset"));
  }

  static long offset(int port, String field) throws IOException {
    String info = call(port, "INFO", "replication");
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).trim());
      }
    }
    return -2;
  }

  @Test
  void tripodMasterFeedsARealRedisReplica() throws Exception {
    try (TripodInstance master = tripod()) {
      writeLoad(master.port, "before:", 200);
      Datasets.mixedLoad(master.port, "pre:", 200); // in the full sync's RDB: every type
      try (RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port))) {
        await().atMost(WAIT).until(() -> call(replica.port, "INFO", "replication").contains("master_link_status:up"));
        writeLoad(master.port, "after:", 200);
        Datasets.mixedLoad(master.port, "mixed:", 300);
        await().atMost(WAIT).until(() -> master.server.repl.replicasAcked(master.server.repl.masterReplOffset()) == 1);
        Datasets.assertSame(master.port, replica.port);
        assertSameData(master.port, replica.port, "before:", 200);
        assertSameData(master.port, replica.port, "after:", 200);
        assertThat(call(master.port, "ROLE")).startsWith("*3\r\n$6\r\nmaster\r\n");
      }
    }
  }

  /** As a Redis replica loading a full sync from disk: -LOADING meanwhile, then the data and the stream. */
  @Test
  void aReplicaAnswersLoadingWhileItLoadsTheFullSync() throws Exception {
    try (TripodInstance master = TripodInstance.start();
        TripodInstance replica = TripodInstance.start(cfg -> cfg.keyLoadDelay = -5)) {
      try (RawConnection c = new RawConnection(master.port)) {
        c.setTimeoutMillis(60_000);
        assertThat(c.callString("DEBUG", "POPULATE", "200000")).isEqualTo("+OK\r\n");
      }
      assertThat(call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port))).isEqualTo("+OK\r\n");
      // GET and INFO in one read: both are answered between the same two slices of the load.
      await().atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(() -> {
        try (RawConnection c = new RawConnection(replica.port)) {
          c.sendRaw("GET key:1\r\nINFO persistence\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          String get = new String(c.readRaw(), java.nio.charset.StandardCharsets.UTF_8);
          String info = new String(c.readRaw(), java.nio.charset.StandardCharsets.UTF_8);
          return get.equals("-LOADING Redis is loading the dataset in memory\r\n") && info.contains("loading:1\r\n");
        }
      });
      call(master.port, "SET", "during", "load");
      await().atMost(Duration.ofSeconds(60)).until(() -> replica.server.repl.link != null
          && replica.server.repl.link.isConnected());
      awaitOffsetsEqual(master.port, replica.port);
      assertThat(call(replica.port, "DBSIZE")).isEqualTo(":200001\r\n");
      assertThat(call(replica.port, "GET", "key:199999")).isEqualTo("$12\r\nvalue:199999\r\n");
      assertThat(call(replica.port, "GET", "during")).isEqualTo("$4\r\nload\r\n");
      assertThat(call(replica.port, "INFO", "persistence")).contains("loading:0\r\n");
    }
  }

  @Test
  void realRedisMasterFeedsATripodReplica() throws Exception {
    try (RedisProcess master = RedisProcess.start("--repl-diskless-sync-delay", "0");
        TripodInstance replica = tripod()) {
      writeLoad(master.port, "before:", 200);
      Datasets.mixedLoad(master.port, "pre:", 200); // in the full sync's RDB: every type
      assertThat(call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port))).isEqualTo("+OK\r\n");
      await().atMost(WAIT).until(() -> replica.server.repl.link != null && replica.server.repl.link.isConnected());
      writeLoad(master.port, "after:", 200);
      Datasets.mixedLoad(master.port, "mixed:", 300);
      awaitOffsetsEqual(master.port, replica.port);
      Datasets.assertSame(master.port, replica.port);
      assertSameData(master.port, replica.port, "before:", 200);
      assertSameData(master.port, replica.port, "after:", 200);
      assertThat(call(replica.port, "SET", "x", "1")).isEqualTo("-READONLY You can't write against a read only replica.\r\n");
      assertThat(call(replica.port, "ROLE")).startsWith("*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:" + master.port
          + "\r\n$9\r\nconnected\r\n");
      // The real master sees the ACKs.
      await().atMost(WAIT).until(() -> call(master.port, "INFO", "replication").contains("state=online,offset="
          + offset(master.port, "master_repl_offset")));
    }
  }

  @Test
  void chainTripodToTripodToRealRedisKeepsOffsets() throws Exception {
    try (TripodInstance top = tripod(); TripodInstance middle = tripod()) {
      call(middle.port, "REPLICAOF", "127.0.0.1", String.valueOf(top.port));
      await().atMost(WAIT).until(() -> middle.server.repl.link.isConnected());
      try (RedisProcess bottom = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(middle.port))) {
        await().atMost(WAIT).until(() -> call(bottom.port, "INFO", "replication").contains("master_link_status:up"));
        writeLoad(top.port, "k:", 150);
        awaitOffsetsEqual(top.port, middle.port);
        awaitOffsetsEqual(top.port, bottom.port);
        assertSameData(top.port, bottom.port, "k:", 150);
        assertThat(offset(bottom.port, "master_repl_offset")).isEqualTo(offset(top.port, "master_repl_offset"));
      }
    }
  }

  @Test
  void chainRealRedisToTripodToTripod() throws Exception {
    try (RedisProcess top = RedisProcess.start("--repl-diskless-sync-delay", "0");
        TripodInstance middle = tripod(); TripodInstance bottom = tripod()) {
      call(middle.port, "REPLICAOF", "127.0.0.1", String.valueOf(top.port));
      call(bottom.port, "REPLICAOF", "127.0.0.1", String.valueOf(middle.port));
      await().atMost(WAIT).until(() -> bottom.server.repl.link.isConnected());
      writeLoad(top.port, "k:", 150);
      awaitOffsetsEqual(top.port, bottom.port);
      assertSameData(top.port, bottom.port, "k:", 150);
    }
  }

  @Test
  void aCutLinkContinuesWithAPartialResync() throws Exception {
    try (TripodInstance master = tripod(); TripodInstance replica = tripod()) {
      call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(WAIT).until(() -> replica.server.repl.link.isConnected());
      writeLoad(master.port, "a:", 100);
      awaitOffsetsEqual(master.port, replica.port);
      long fullBefore = master.server.stats.syncFull;
      // Cut the link from the master's side.
      CompletableFuture<Void> cut = new CompletableFuture<>();
      master.server.execute(() -> {
        for (Replica r : new ArrayList<>(master.server.repl.replicas)) {
          master.server.closeClient(r.client);
        }
        cut.complete(null);
      });
      cut.get();
      writeLoad(master.port, "b:", 100);
      await().atMost(WAIT).until(() -> master.server.stats.syncPartialOk == 1);
      awaitOffsetsEqual(master.port, replica.port);
      assertThat(master.server.stats.syncFull).isEqualTo(fullBefore);
      assertSameData(master.port, replica.port, "b:", 100);
    }
  }

  @Test
  void aBacklogTooSmallMeansAFullResync() throws Exception {
    try (TripodInstance master = TripodInstance.start(cfg -> {
          cfg.replDisklessSyncDelaySeconds = 0;
          cfg.replBacklogSize = 16 * 1024;
        });
        TripodInstance replica = tripod()) {
      call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(WAIT).until(() -> replica.server.repl.link.isConnected());
      long fullBefore = master.server.stats.syncFull;
      CompletableFuture<Void> cut = new CompletableFuture<>();
      master.server.execute(() -> {
        for (Replica r : new ArrayList<>(master.server.repl.replicas)) {
          master.server.closeClient(r.client);
        }
        cut.complete(null);
      });
      cut.get();
      writeLoad(master.port, "big:", 600); // far more than 16 KB of stream
      await().atMost(WAIT).until(() -> master.server.stats.syncFull == fullBefore + 1);
      awaitOffsetsEqual(master.port, replica.port);
      assertSameData(master.port, replica.port, "big:", 600);
    }
  }

  @Test
  void promotionLetsTheOtherReplicaContinueWithPsync2() throws Exception {
    try (TripodInstance master = tripod(); TripodInstance r1 = tripod(); TripodInstance r2 = tripod()) {
      call(r1.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      call(r2.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(WAIT).until(() -> r1.server.repl.link.isConnected() && r2.server.repl.link.isConnected());
      writeLoad(master.port, "p:", 100);
      awaitOffsetsEqual(master.port, r1.port);
      awaitOffsetsEqual(master.port, r2.port);
      master.close();
      assertThat(call(r1.port, "REPLICAOF", "NO", "ONE")).isEqualTo("+OK\r\n");
      assertThat(call(r2.port, "REPLICAOF", "127.0.0.1", String.valueOf(r1.port))).isEqualTo("+OK\r\n");
      await().atMost(WAIT).until(() -> r1.server.stats.syncPartialOk == 1);
      assertThat(r1.server.stats.syncFull).isZero();
      writeLoad(r1.port, "q:", 50);
      awaitOffsetsEqual(r1.port, r2.port);
      assertSameData(r1.port, r2.port, "q:", 50);
      assertThat(call(r1.port, "INFO", "replication")).contains("second_repl_offset:");
    }
  }

  @Test
  void waitCountsReplicasThatAcknowledged() throws Exception {
    try (TripodInstance master = tripod(); TripodInstance r1 = tripod();
        RedisProcess r2 = RedisProcess.start()) {
      call(r1.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      call(r2.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(WAIT).until(() -> master.server.repl.replicasAcked(0) == 2
          && master.server.repl.replicas.stream().allMatch(r -> r.state == Replica.State.ONLINE));
      try (RawConnection c = new RawConnection(master.port)) {
        c.callString("SET", "w", "1");
        assertThat(c.callString("WAIT", "2", "5000")).isEqualTo(":2\r\n");
        c.callString("SET", "w", "2");
        assertThat(c.callString("WAIT", "3", "200")).isEqualTo(":2\r\n");
      }
      assertThat(call(r1.port, "WAIT", "1", "0")).startsWith("-ERR WAIT cannot be used with replica instances.");
    }
  }

}
