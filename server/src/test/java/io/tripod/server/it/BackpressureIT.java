package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Tripod's replication backpressure ({@code repl-backpressure-size}): while an online replica has
 * more unsent stream than the limit, write commands wait and reads go on; a replica that does not
 * drain within {@code replica-ack-timeout} stops holding the master's writes, and catches up
 * without a full sync once it runs again.
 */
class BackpressureIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int WRITES = 4000;

  @Test
  void aLaggingReplicaHoldsWritesNotReadsAndAStalledOneStopsHoldingThem() throws Exception {
    try (TripodInstance master = TripodInstance.start(cfg -> {
          cfg.replDisklessSyncDelaySeconds = 0;
          cfg.replBackpressureSize = 256 * 1024;
          cfg.replicaAckTimeoutMillis = 3000;
        });
        RedisProcess replica = RedisProcess.start()) {
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(WAIT).until(() -> ReplicationIT.call(replica.port, "INFO", "replication")
          .contains("master_link_status:up"));
      await().atMost(WAIT).until(() -> ReplicationIT.call(master.port, "INFO", "replication")
          .contains("state=online"));
      assertThat(ReplicationIT.call(master.port, "SET", "before", "1")).isEqualTo("+OK\r\n");
      long fullSyncs = syncFull(master.port);

      replica.signal("STOP");
      CompletableFuture<Integer> writer;
      try {
        // 16 MB of 4 KB writes: more than the limit plus what the loopback socket buffers hold.
        writer = CompletableFuture.supplyAsync(() -> pipelinedWrites(master.port));
        await().atMost(WAIT).until(() -> onLoop(master, () -> master.server.repl.backpressure.held()));
        // Reads are served during the hold.
        assertThat(ReplicationIT.call(master.port, "GET", "before")).isEqualTo("$1\r\n1\r\n");
        assertThat(onLoop(master, () -> master.server.repl.backpressure.held())).isTrue();
        assertThat(writer).isNotDone();
        // The stopped replica never drains: after replica-ack-timeout it stops holding writes.
        assertThat(writer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(WRITES);
      } finally {
        replica.signal("CONT");
      }
      await().atMost(WAIT).until(() -> ReplicationIT.call(replica.port, "DBSIZE")
          .equals(ReplicationIT.call(master.port, "DBSIZE")));
      assertThat(ReplicationIT.call(replica.port, "GET", "w" + (WRITES - 1)))
          .isEqualTo(ReplicationIT.call(master.port, "GET", "w" + (WRITES - 1)));
      assertThat(syncFull(master.port)).isEqualTo(fullSyncs);
      // The directive is Tripod's own: exact-name CONFIG GET shows it, patterns do not.
      assertThat(ReplicationIT.call(master.port, "CONFIG", "GET", "repl-backpressure-size"))
          .isEqualTo("*2\r\n$22\r\nrepl-backpressure-size\r\n$6\r\n262144\r\n");
      assertThat(ReplicationIT.call(master.port, "CONFIG", "GET", "repl-*")).doesNotContain("backpressure");
    }
  }

  @Test
  void theLimitStaysUnderHalfTheReplicaOutputBufferLimit() throws Exception {
    try (TripodInstance master = TripodInstance.start(cfg -> {
          cfg.replDisklessSyncDelaySeconds = 0;
          cfg.clientOutputBufferLimit[1] = new long[] {1 << 20, 0, 0}; // replica: hard 1 MB
        });
        RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port))) {
      await().atMost(WAIT).until(() -> ReplicationIT.call(master.port, "INFO", "replication").contains("state=online"));
      // A replica that applies slowly is held back at 512 KB, before the 1 MB limit would drop it.
      assertThat(onLoop(master, () -> master.server.repl.replicas.get(0).client.channel().config()
          .getWriteBufferHighWaterMark())).isEqualTo(512 * 1024);
      // CONFIG SET reaches the replicas already there (the replication cron applies it).
      assertThat(ReplicationIT.call(master.port, "CONFIG", "SET", "client-output-buffer-limit", "replica 4mb 0 0"))
          .isEqualTo("+OK\r\n");
      await().atMost(WAIT).until(() -> onLoop(master, () -> master.server.repl.replicas.get(0).client.channel()
          .config().getWriteBufferHighWaterMark()) == 2 * 1024 * 1024);
    }
  }

  /** Sends WRITES pipelined SETs of 4 KB to the master and returns how many +OK came back. */
  private static int pipelinedWrites(int port) {
    byte[] value = new byte[4096];
    Arrays.fill(value, (byte) 'x');
    try (RawConnection w = new RawConnection(port)) {
      w.setTimeoutMillis((int) WAIT.toMillis());
      ByteArrayOutputStream batch = new ByteArrayOutputStream();
      for (int i = 0; i < WRITES; i++) {
        byte[] key = ("w" + i).getBytes(StandardCharsets.US_ASCII);
        batch.write(("*3\r\n$3\r\nSET\r\n$" + key.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        batch.write(key);
        batch.write(("\r\n$4096\r\n").getBytes(StandardCharsets.US_ASCII));
        batch.write(value);
        batch.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      Thread sender = new Thread(() -> {
        try {
          w.sendRaw(batch.toByteArray());
        } catch (IOException e) {
          // the reads below see the connection fail
        }
      });
      sender.start();
      int ok = 0;
      for (int i = 0; i < WRITES; i++) {
        if (Arrays.equals(w.readRaw(), "+OK\r\n".getBytes(StandardCharsets.US_ASCII))) {
          ok++;
        }
      }
      sender.join();
      return ok;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T onLoop(TripodInstance t, java.util.concurrent.Callable<T> read)
      throws InterruptedException, ExecutionException, TimeoutException {
    CompletableFuture<T> f = new CompletableFuture<>();
    t.server.execute(() -> {
      try {
        f.complete(read.call());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(10, TimeUnit.SECONDS);
  }

  private static long syncFull(int port) throws IOException {
    for (String line : ReplicationIT.call(port, "INFO", "stats").split("\r\n")) {
      if (line.startsWith("sync_full:")) {
        return Long.parseLong(line.substring("sync_full:".length()));
      }
    }
    throw new IllegalStateException("no sync_full");
  }
}
