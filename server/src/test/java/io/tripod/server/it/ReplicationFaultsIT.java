package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.util.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Bad input on the replication link: a corrupt or truncated RDB, a wrong checksum, garbage in the
 * command stream. The replica logs, drops the link, retries, and keeps serving clients.
 */
class ReplicationFaultsIT {
  private static final String MARK = "0123456789012345678901234567890123456789";

  /** A fake master: answers the handshake, then sends what {@code payload} makes of the attempt number. */
  static final class FakeMaster implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger attempts = new AtomicInteger();
    final Thread thread;

    FakeMaster(Function<Integer, byte[]> payload) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            int n = attempts.incrementAndGet();
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
            io.tripod.resp.RequestDecoder decoder = new io.tripod.resp.RequestDecoder();
            byte[] chunk = new byte[4096];
            int r;
            while ((r = in.read(chunk)) > 0) {
              buf.writeBytes(chunk, 0, r);
              byte[][] argv;
              while ((argv = decoder.decode(buf)) != null) {
                String cmd = argv.length == 0 ? "" : new String(argv[0], StandardCharsets.US_ASCII).toUpperCase();
                switch (cmd) {
                  case "PING":
                    out.write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
                    break;
                  case "AUTH":
                  case "REPLCONF":
                    if (argv.length > 1 && new String(argv[1], StandardCharsets.US_ASCII).equalsIgnoreCase("ack")) {
                      break;
                    }
                    out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                    break;
                  case "PSYNC":
                    out.write(("+FULLRESYNC " + MARK + " 0\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(payload.apply(n));
                    break;
                  default:
                    break;
                }
                out.flush();
              }
            }
          } catch (IOException | RuntimeException e) {
            // next attempt
          }
        }
      }, "fake-master");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static byte[] validRdb() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeSelectDb(0, 1, 0);
    w.writeKey(Bytes.of("k"), Bytes.of("v"), -1);
    w.writeEof();
    return out.toByteArray();
  }

  static byte[] eofFramed(byte[] rdb, byte[] after) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("$EOF:" + MARK + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(rdb);
    out.writeBytes(MARK.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(after);
    return out.toByteArray();
  }

  void assertSurvivesAndRetries(Function<Integer, byte[]> payload) throws Exception {
    try (FakeMaster fake = new FakeMaster(payload); TripodInstance replica = ReplicationIT.tripod()) {
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(fake.port()));
      await().atMost(Duration.ofSeconds(20)).until(() -> fake.attempts.get() >= 2);
      assertThat(ReplicationIT.call(replica.port, "PING")).isEqualTo("+PONG\r\n");
      assertThat(ReplicationIT.call(replica.port, "ROLE")).startsWith("*5\r\n$5\r\nslave\r\n");
    }
  }

  @Test
  void controlAValidRdbFromTheFakeMasterLoads() throws Exception {
    byte[] rdb = validRdb();
    try (FakeMaster fake = new FakeMaster(n -> eofFramed(rdb,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n".getBytes(StandardCharsets.US_ASCII)));
        TripodInstance replica = ReplicationIT.tripod()) {
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(fake.port()));
      await().atMost(Duration.ofSeconds(20)).until(() -> ReplicationIT.call(replica.port, "GET", "x").equals("$1\r\ny\r\n"));
      assertThat(ReplicationIT.call(replica.port, "GET", "k")).isEqualTo("$1\r\nv\r\n");
      assertThat(fake.attempts.get()).isEqualTo(1);
    }
  }

  /** GET old and DBSIZE on a replica after a failed full sync, for a repl-diskless-load mode. */
  private static String[] dataAroundAFailedLoad(String mode) throws Exception {
    byte[] rdb = validRdb();
    rdb[12] = (byte) 0x42; // corrupt: the load fails after the transfer
    try (FakeMaster fake = new FakeMaster(n -> eofFramed(rdb, new byte[0]));
        TripodInstance replica = ReplicationIT.tripod()) {
      assertThat(ReplicationIT.call(replica.port, "CONFIG", "SET", "repl-diskless-load", mode)).isEqualTo("+OK\r\n");
      ReplicationIT.call(replica.port, "SET", "old", "data");
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(fake.port()));
      await().atMost(Duration.ofSeconds(20)).until(() -> fake.attempts.get() >= 2);
      return new String[] {ReplicationIT.call(replica.port, "GET", "old"), ReplicationIT.call(replica.port, "DBSIZE")};
    }
  }

  @Test
  void swapdbKeepsTheOldDataWhenTheLoadFails() throws Exception {
    String[] r = dataAroundAFailedLoad("swapdb");
    assertThat(r[0]).isEqualTo("$4\r\ndata\r\n");
    assertThat(r[1]).isEqualTo(":1\r\n");
  }

  @Test
  void withoutSwapdbAFailedLoadLeavesTheReplicaEmpty() throws Exception {
    assertThat(dataAroundAFailedLoad("disabled")[1]).isEqualTo(":0\r\n");
    assertThat(dataAroundAFailedLoad("on-empty-db")[1]).isEqualTo(":0\r\n");
  }

  @Test
  void swapdbReplacesTheDataWhenTheLoadSucceeds() throws Exception {
    byte[] rdb = validRdb();
    try (FakeMaster fake = new FakeMaster(n -> eofFramed(rdb, new byte[0]));
        TripodInstance replica = ReplicationIT.tripod()) {
      assertThat(ReplicationIT.call(replica.port, "CONFIG", "SET", "repl-diskless-load", "swapdb")).isEqualTo("+OK\r\n");
      ReplicationIT.call(replica.port, "SET", "old", "data");
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(fake.port()));
      await().atMost(Duration.ofSeconds(20)).until(() -> ReplicationIT.call(replica.port, "GET", "k").equals("$1\r\nv\r\n"));
      assertThat(ReplicationIT.call(replica.port, "GET", "old")).isEqualTo("$-1\r\n");
      assertThat(ReplicationIT.call(replica.port, "DBSIZE")).isEqualTo(":1\r\n");
      // No temp file: the payload was parsed from memory.
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(
          java.nio.file.Path.of(replica.server.config.dir))) {
        assertThat(files.filter(f -> f.getFileName().toString().startsWith("temp-"))).isEmpty();
      }
    }
  }

  /** An RDB of {@code k} = {@code value} and {@code extra} more keys. */
  static byte[] rdbOf(String value, int extra) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeSelectDb(0, extra + 1, 0);
    w.writeKey(Bytes.of("k"), Bytes.of(value), -1);
    for (int i = 0; i < extra; i++) {
      w.writeKey(Bytes.of("extra:" + i), Bytes.of("x"), -1);
    }
    w.writeEof();
    return out.toByteArray();
  }

  /**
   * Redis 7.0's async loading: with repl-diskless-load swapdb, a full sync from a master of the
   * same replication history (same replication id: the replica's offset only left the backlog)
   * loads aside while the old data keeps serving reads (INFO async_loading:1, loading:0), then
   * swaps it in.
   */
  @Test
  void swapdbWithTheSameHistoryServesTheOldDataWhileItLoads() throws Exception {
    byte[] first = rdbOf("v1", 0);
    byte[] second = rdbOf("v2", 3000);
    // Attempt 1 ends with garbage in the stream: the link drops and the replica comes back with
    // PSYNC <same id>; attempt 2 is a full sync of the same history.
    try (FakeMaster fake = new FakeMaster(n -> n == 1
            ? eofFramed(first, "*1\r\n$-7\r\n".getBytes(StandardCharsets.US_ASCII))
            : eofFramed(second, new byte[0]));
        TripodInstance replica = ReplicationIT.tripod()) {
      assertThat(ReplicationIT.call(replica.port, "CONFIG", "SET", "repl-diskless-load", "swapdb")).isEqualTo("+OK\r\n");
      // 1 ms a key: the first load (one key) is quick, the second (3001 keys) lasts about 3 s,
      // with the loop serving clients every 1 KB of the payload.
      assertThat(ReplicationIT.call(replica.port, "CONFIG", "SET", "key-load-delay", "1000")).isEqualTo("+OK\r\n");
      assertThat(ReplicationIT.call(replica.port, "CONFIG", "SET", "loading-process-events-interval-bytes", "1024"))
          .isEqualTo("+OK\r\n");
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(fake.port()));
      await().atMost(Duration.ofSeconds(20)).until(() -> ReplicationIT.call(replica.port, "GET", "k").equals("$2\r\nv1\r\n"));
      await().atMost(Duration.ofSeconds(20)).until(() -> ReplicationIT.call(replica.port, "INFO", "persistence")
          .contains("async_loading:1"));
      assertThat(ReplicationIT.call(replica.port, "INFO", "persistence")).contains("\r\nloading:0\r\n");
      assertThat(ReplicationIT.call(replica.port, "GET", "k")).isEqualTo("$2\r\nv1\r\n");
      assertThat(ReplicationIT.call(replica.port, "DBSIZE")).isEqualTo(":1\r\n");
      // A command flagged no_async_loading is refused meanwhile.
      assertThat(ReplicationIT.call(replica.port, "BGSAVE")).startsWith("-LOADING");
      await().atMost(Duration.ofSeconds(30)).until(() -> ReplicationIT.call(replica.port, "GET", "k").equals("$2\r\nv2\r\n"));
      assertThat(ReplicationIT.call(replica.port, "DBSIZE")).isEqualTo(":3001\r\n");
      assertThat(ReplicationIT.call(replica.port, "INFO", "persistence")).contains("async_loading:0");
      assertThat(fake.attempts.get()).isEqualTo(2);
    }
  }

  /** An async load that fails (corrupt payload) drops only the copy aside: the old data stays. */
  @Test
  void aFailedAsyncLoadKeepsServingTheOldData() throws Exception {
    byte[] first = rdbOf("v1", 0);
    byte[] corrupt = rdbOf("v2", 100);
    corrupt[corrupt.length - 3] ^= 0x55; // a wrong checksum: the load fails at its end
    try (FakeMaster fake = new FakeMaster(n -> n == 1
            ? eofFramed(first, "*1\r\n$-7\r\n".getBytes(StandardCharsets.US_ASCII))
            : eofFramed(corrupt, new byte[0]));
        TripodInstance replica = ReplicationIT.tripod()) {
      assertThat(ReplicationIT.call(replica.port, "CONFIG", "SET", "repl-diskless-load", "swapdb")).isEqualTo("+OK\r\n");
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(fake.port()));
      await().atMost(Duration.ofSeconds(20)).until(() -> fake.attempts.get() >= 3);
      assertThat(ReplicationIT.call(replica.port, "GET", "k")).isEqualTo("$2\r\nv1\r\n");
      assertThat(ReplicationIT.call(replica.port, "DBSIZE")).isEqualTo(":1\r\n");
      assertThat(ReplicationIT.call(replica.port, "INFO", "persistence")).contains("async_loading:0");
    }
  }

  @Test
  void corruptRdb() throws Exception {
    byte[] rdb = validRdb();
    rdb[12] = (byte) 0x42; // inside the key section: an unknown type byte
    assertSurvivesAndRetries(n -> eofFramed(rdb, new byte[0]));
  }

  @Test
  void truncatedRdbWithLengthFraming() throws Exception {
    byte[] rdb = validRdb();
    assertSurvivesAndRetries(n -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(("$" + (rdb.length + 100) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(rdb);
      return out.toByteArray(); // then the fake closes: the transfer is short
    });
  }

  @Test
  void wrongChecksum() throws Exception {
    byte[] rdb = validRdb();
    rdb[rdb.length - 1] ^= 0x5a;
    assertSurvivesAndRetries(n -> eofFramed(rdb, new byte[0]));
  }

  @Test
  void garbageInTheCommandStream() throws Exception {
    byte[] rdb = validRdb();
    assertSurvivesAndRetries(n -> eofFramed(rdb, "*1\r\n$-7\r\n".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void minReplicasToWriteRefusesWritesWithoutEnoughReplicas() throws Exception {
    try (TripodInstance master = TripodInstance.start(cfg -> {
          cfg.replDisklessSyncDelaySeconds = 0;
          cfg.minReplicasToWrite = 1;
          cfg.minReplicasMaxLagSeconds = 10;
        });
        TripodInstance replica = ReplicationIT.tripod()) {
      assertThat(ReplicationIT.call(master.port, "SET", "a", "1"))
          .isEqualTo("-NOREPLICAS Not enough good replicas to write.\r\n");
      assertThat(ReplicationIT.call(master.port, "GET", "a")).isEqualTo("$-1\r\n");
      ReplicationIT.call(replica.port, "REPLICAOF", "127.0.0.1", String.valueOf(master.port));
      await().atMost(Duration.ofSeconds(20)).until(() -> ReplicationIT.call(master.port, "SET", "a", "1").equals("+OK\r\n"));
    }
  }
}
