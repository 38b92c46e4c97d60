package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streams across replication with a real redis-server 7.0 on the other side: the full sync's RDB
 * (Tripod's stream writer, or Tripod's loader for Redis's) and the propagated stream writes (auto
 * IDs made concrete, approximate trims made exact, consumer group reads as XCLAIM / XGROUP SETID,
 * blocked XREADGROUP served later) must leave both sides with the same streams.
 */
class StreamReplicationIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static String call(int port, String... args) throws IOException {
    return ReplicationIT.call(port, args);
  }

  /** XINFO STREAM FULL without the consumers' seen-time (each side stamps its own clock). */
  private static String fullInfo(int port, String key) throws IOException {
    return call(port, "XINFO", "STREAM", key, "FULL", "COUNT", "0")
        .replaceAll("seen-time\r\n:\\d+", "seen-time\r\n:0");
  }

  private static void load(int port, String key, int from, int to) throws IOException {
    try (RawConnection c = new RawConnection(port)) {
      for (int i = from; i < to; i++) {
        c.callString("XADD", key, i % 10 == 0 ? "MAXLEN" : "NOMKSTREAM", i % 10 == 0 ? "~" : "*",
            i % 10 == 0 ? "150" : "f", i % 10 == 0 ? "*" : "v" + i, "n", Integer.toString(i));
        if (i == from) {
          c.callString("XGROUP", "CREATE", key, "g", "0");
          c.callString("XGROUP", "CREATE", key, "noack", "$");
        }
        if (i % 17 == 0) {
          c.callString("XREADGROUP", "GROUP", "g", "c" + (i % 3), "COUNT", "3", "STREAMS", key, ">");
          c.callString("XREADGROUP", "GROUP", "noack", "n", "NOACK", "COUNT", "2", "STREAMS", key, ">");
        }
        if (i % 29 == 0) {
          c.callString("XAUTOCLAIM", key, "g", "auto", "0", "0", "COUNT", "2");
          c.callString("XREADGROUP", "GROUP", "g", "c1", "STREAMS", key, "0");
        }
        if (i % 31 == 0) {
          String first = c.callString("XRANGE", key, "-", "+", "COUNT", "1");
          String id = first.split("\r\n")[3];
          c.callString("XCLAIM", key, "g", "claimer", "0", id, "RETRYCOUNT", "9");
          c.callString("XDEL", key, id);
          c.callString("XCLAIM", key, "g", "claimer", "0", id);
        }
      }
      c.callString("XTRIM", key, "MINID", "~", "0");
      c.callString("XGROUP", "CREATECONSUMER", key, "g", "idle");
      c.callString("XGROUP", "DELCONSUMER", key, "g", "c2");
      c.callString("XGROUP", "SETID", key, "noack", "$");
    }
  }

  private static void blockedRead(int port, String key, java.util.concurrent.Callable<Boolean> isBlocked)
      throws Exception {
    try (RawConnection blocked = new RawConnection(port); RawConnection w = new RawConnection(port)) {
      w.callString("XGROUP", "CREATE", key, "late", "$", "MKSTREAM");
      blocked.send(b("XREADGROUP"), b("GROUP"), b("late"), b("x"), b("BLOCK"), b("0"),
          b("STREAMS"), b(key), b(">"));
      await().atMost(WAIT).until(isBlocked);
      w.callString("XADD", key, "*", "late", "1");
      assertThat(new String(blocked.readRaw(), java.nio.charset.StandardCharsets.UTF_8)).contains("late");
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * 7.0 replicates group reads as XCLAIM, which does not carry entries_read (fixed in 7.2): a
   * replica's groups show entries-read and lag as unknown where the master knows them. Comparing a
   * master with its replica masks those two fields.
   */
  private static String maskCounters(String reply) {
    return reply.replaceAll("entries-read\r\n(:\\d+|\\$-1)", "entries-read\r\n?")
        .replaceAll("lag\r\n(:\\d+|\\$-1)", "lag\r\n?");
  }

  /** Two replicas of one master: identical streams (FULL info, but each side's seen-time). */
  private static void assertSameStreams(int a, int b, List<String> keys) throws IOException {
    for (String k : keys) {
      assertThat(call(b, "XRANGE", k, "-", "+")).as("XRANGE %s", k).isEqualTo(call(a, "XRANGE", k, "-", "+"));
      assertThat(call(b, "XINFO", "GROUPS", k)).as("XINFO GROUPS %s", k)
          .isEqualTo(call(a, "XINFO", "GROUPS", k));
      assertThat(call(b, "XPENDING", k, "g")).as("XPENDING %s", k).isEqualTo(call(a, "XPENDING", k, "g"));
      assertThat(fullInfo(b, k)).as("XINFO STREAM FULL %s", k).isEqualTo(fullInfo(a, k));
    }
  }

  /**
   * A master and its replica: 7.0 does not replicate history reads (their delivery counts and
   * times stay on the master) and replicates group reads as XCLAIM without entries_read (fixed in
   * 7.2), so only entries, PEL membership and group positions are compared.
   */
  private static void assertReplicated(int master, int replica, List<String> keys) throws IOException {
    for (String k : keys) {
      assertThat(call(replica, "XRANGE", k, "-", "+")).as("XRANGE %s", k)
          .isEqualTo(call(master, "XRANGE", k, "-", "+"));
      assertThat(maskCounters(call(replica, "XINFO", "GROUPS", k))).as("XINFO GROUPS %s", k)
          .isEqualTo(maskCounters(call(master, "XINFO", "GROUPS", k)));
      assertThat(call(replica, "XPENDING", k, "g")).as("XPENDING %s", k)
          .isEqualTo(call(master, "XPENDING", k, "g"));
      assertThat(call(replica, "XINFO", "STREAM", k)).as("XINFO STREAM %s", k)
          .isEqualTo(call(master, "XINFO", "STREAM", k));
    }
  }

  @Test
  void tripodMasterRealRedisReplica() throws Exception {
    try (TripodInstance master = ReplicationIT.tripod()) {
      load(master.port, "before", 0, 300);
      try (RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port))) {
        await().atMost(WAIT).until(() -> call(replica.port, "INFO", "replication").contains("master_link_status:up"));
        load(master.port, "after", 0, 300);
        blockedRead(master.port, "after", () -> master.server.blocking.blockedClients() == 1);
        ReplicationIT.awaitOffsetsEqual(master.port, replica.port);
        assertReplicated(master.port, replica.port, List.of("before", "after"));
      }
    }
  }

  /** A Tripod replica and a real Redis replica of the same Redis master end up identical. */
  @Test
  void realRedisMasterTripodReplica() throws Exception {
    try (RedisProcess master = RedisProcess.start(); TripodInstance replica = ReplicationIT.tripod()) {
      load(master.port, "before", 0, 300);
      try (RedisProcess twin = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port))) {
        assertThat(call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port))).isEqualTo("+OK\r\n");
        await().atMost(WAIT).until(() -> replica.server.repl.link != null && replica.server.repl.link.isConnected());
        await().atMost(WAIT).until(() -> call(twin.port, "INFO", "replication").contains("master_link_status:up"));
        load(master.port, "after", 0, 300);
        blockedRead(master.port, "after",
            () -> call(master.port, "INFO", "clients").contains("blocked_clients:1"));
        ReplicationIT.awaitOffsetsEqual(master.port, replica.port);
        ReplicationIT.awaitOffsetsEqual(master.port, twin.port);
        assertSameStreams(twin.port, replica.port, List.of("before", "after"));
        assertReplicated(master.port, replica.port, List.of("before", "after"));
      }
    }
  }
}
