package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Tripod's {@code replica-ack-writes yes}: a write's reply leaves only once every replica that
 * receives the stream has it, so the moment a client sees +OK the value is readable on each
 * replica (the property a failover needs to lose no acknowledged write). Real redis-server
 * replicas acknowledge through the ordinary REPLCONF GETACK / ACK exchange.
 */
class ReplicaAckWritesIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static TripodInstance master(int timeoutMillis) throws InterruptedException {
    return TripodInstance.start(cfg -> {
      cfg.replDisklessSyncDelaySeconds = 0;
      cfg.replicaAckWrites = true;
      cfg.replicaAckTimeoutMillis = timeoutMillis;
    });
  }

  private static void follow(RedisProcess replica, int masterPort) throws IOException {
    ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(masterPort));
    await().atMost(WAIT).until(() -> ReplicationIT.call(replica.port, "INFO", "replication")
        .contains("master_link_status:up"));
    await().atMost(WAIT).until(() -> ReplicationIT.call(masterPort, "INFO", "replication")
        .contains("state=online"));
  }

  @Test
  void everyAcknowledgedWriteIsAlreadyOnEveryReplica() throws Exception {
    try (TripodInstance master = master(5000);
        RedisProcess real = RedisProcess.start();
        TripodInstance tripodReplica = TripodInstance.start()) {
      follow(real, master.port);
      ReplicationIT.call(tripodReplica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(WAIT).until(() -> ReplicationIT.call(master.port, "INFO", "replication").contains("slave1:"));
      await().atMost(WAIT).until(() -> !ReplicationIT.call(master.port, "INFO", "replication").contains("state=wait_bgsave")
          && !ReplicationIT.call(master.port, "INFO", "replication").contains("state=send_bulk"));
      try (RawConnection w = new RawConnection(master.port);
          RawConnection r1 = new RawConnection(real.port);
          RawConnection r2 = new RawConnection(tripodReplica.port)) {
        for (int i = 0; i < 500; i++) {
          assertThat(w.callString("SET", "k" + i, "v" + i)).isEqualTo("+OK\r\n");
          String expected = "$" + ("v" + i).length() + "\r\nv" + i + "\r\n";
          assertThat(r1.callString("GET", "k" + i)).as("real replica has k%d when the master acknowledged it", i)
              .isEqualTo(expected);
          assertThat(r2.callString("GET", "k" + i)).as("tripod replica has k%d when the master acknowledged it", i)
              .isEqualTo(expected);
        }
        // A pipeline is held once, for its last write, and its replies keep their order.
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < 50; i++) {
          pipeline.append("*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n");
        }
        w.sendRaw(pipeline.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int i = 1; i <= 50; i++) {
          assertThat(new String(w.readRaw(), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(":" + i + "\r\n");
        }
        assertThat(r1.callString("GET", "c")).isEqualTo("$2\r\n50\r\n");
        assertThat(r2.callString("GET", "c")).isEqualTo("$2\r\n50\r\n");
      }
    }
  }

  @Test
  void aStalledReplicaDelaysRepliesUntilTheTimeoutAndADeadOneIsNotWaitedFor() throws Exception {
    try (TripodInstance master = master(300); RedisProcess replica = RedisProcess.start()) {
      follow(replica, master.port);
      try (RawConnection w = new RawConnection(master.port)) {
        assertThat(w.callString("SET", "before", "1")).isEqualTo("+OK\r\n");
        replica.signal("STOP");
        try {
          long t0 = System.nanoTime();
          assertThat(w.callString("SET", "stalled", "1")).isEqualTo("+OK\r\n");
          long heldMillis = (System.nanoTime() - t0) / 1_000_000;
          // Held until replica-ack-timeout, then acknowledged (availability first); not a timing
          // assertion on speed, only that the hold happened at all.
          assertThat(heldMillis).isGreaterThanOrEqualTo(250);
        } finally {
          replica.signal("CONT");
        }
        await().atMost(WAIT).until(() -> ReplicationIT.call(replica.port, "GET", "stalled").equals("$1\r\n1\r\n"));
      }
      // The replica dies: its link closes and the master stops waiting for it at once.
      replica.close();
      await().atMost(WAIT).until(() -> !ReplicationIT.call(master.port, "INFO", "replication").contains("slave0:"));
      assertThat(ReplicationIT.call(master.port, "SET", "after", "1")).isEqualTo("+OK\r\n");
      // And the directive is Tripod's own: exact-name CONFIG GET shows it, patterns do not.
      assertThat(ReplicationIT.call(master.port, "CONFIG", "GET", "replica-ack-writes"))
          .isEqualTo("*2\r\n$18\r\nreplica-ack-writes\r\n$3\r\nyes\r\n");
      assertThat(ReplicationIT.call(master.port, "CONFIG", "GET", "*replica*")).doesNotContain("replica-ack");
    }
  }
}
