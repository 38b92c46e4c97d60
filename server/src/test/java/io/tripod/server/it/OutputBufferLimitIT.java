package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tripod.server.OutputLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * client-output-buffer-limit: a replica that stops reading is dropped by the master (and resyncs
 * when it reads again), the RDB of a full sync is not counted against the limit, and a normal
 * client that pipelines without reading is closed, with Redis's log line.
 */
class OutputBufferLimitIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String LINE = "scheduled to be closed ASAP for overcoming of output buffer limits.";

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void captureLog() {
    logger = (Logger) LoggerFactory.getLogger(OutputLimits.class);
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    logger.detachAppender(logged);
  }

  private boolean loggedClose(String flagsFragment) {
    synchronized (logged.list) {
      for (ILoggingEvent e : logged.list) {
        String m = e.getFormattedMessage();
        if (m.startsWith("Client id=") && m.endsWith(LINE) && m.contains(flagsFragment)) {
          return true;
        }
      }
    }
    return false;
  }

  private static long infoLong(int port, String section, String field) throws IOException {
    String info = ReplicationIT.call(port, "INFO", section);
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).trim());
      }
    }
    return -1;
  }

  @Test
  void aStoppedReplicaIsDroppedAndResyncsWhenItResumes() throws Exception {
    try (TripodInstance master = TripodInstance.start(cfg -> {
      cfg.replDisklessSyncDelaySeconds = 0;
      cfg.clientOutputBufferLimit[1] = new long[] {1 << 20, 0, 0}; // replica: hard 1 MB
    })) {
      // 8 MB of data: the RDB of the full sync is far bigger than the limit and must not count.
      byte[] value = new byte[64 * 1024];
      java.util.Arrays.fill(value, (byte) 'v');
      try (RawConnection c = new RawConnection(master.port)) {
        for (int i = 0; i < 128; i++) {
          c.send("SET".getBytes(StandardCharsets.US_ASCII), ("pre:" + i).getBytes(StandardCharsets.US_ASCII), value);
          c.readRaw();
        }
      }
      try (RedisProcess replica = RedisProcess.start("--replicaof", "127.0.0.1", String.valueOf(master.port))) {
        await().atMost(WAIT).until(() -> ReplicationIT.call(replica.port, "INFO", "replication")
            .contains("master_link_status:up"));
        assertThat(infoLong(master.port, "stats", "sync_full")).isEqualTo(1);
        assertThat(loggedClose("flags=S")).isFalse();

        replica.signal("STOP");
        try {
          // 40 MB of writes: more than the socket buffers hold, far more than the 1 MB limit.
          try (RawConnection c = new RawConnection(master.port)) {
            for (int i = 0; i < 640; i++) {
              c.send("SET".getBytes(StandardCharsets.US_ASCII), ("k:" + (i % 50)).getBytes(StandardCharsets.US_ASCII), value);
              c.readRaw();
              if (loggedClose("flags=S")) {
                break;
              }
            }
          }
          await().atMost(WAIT).until(() -> loggedClose("flags=S"));
          await().atMost(WAIT).until(() -> infoLong(master.port, "replication", "connected_slaves") == 0);
        } finally {
          replica.signal("CONT");
        }
        // The replica notices the lost link, comes back and gets a full resync.
        await().atMost(WAIT).until(() -> infoLong(master.port, "stats", "sync_full") == 2
            && ReplicationIT.call(replica.port, "INFO", "replication").contains("master_link_status:up"));
        ReplicationIT.call(master.port, "SET", "after", "1");
        await().atMost(WAIT).until(() -> "$1\r\n1\r\n".equals(ReplicationIT.call(replica.port, "GET", "after")));
        assertThat(ReplicationIT.call(replica.port, "DBSIZE")).isEqualTo(ReplicationIT.call(master.port, "DBSIZE"));
      }
    }
  }

  /** The omem of the client whose CLIENT LIST line has {@code name=<name>}, or -1. */
  private static long omem(int port, String name) throws IOException {
    String list = ReplicationIT.call(port, "CLIENT", "LIST");
    for (String line : list.split("\n")) {
      if (line.contains(" name=" + name + " ")) {
        Matcher m = Pattern.compile(" omem=(\\d+) ").matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
      }
    }
    return -1;
  }

  @Test
  void aNormalClientThatDoesNotReadIsClosedOverTheLimit() throws Exception {
    try (TripodInstance server = TripodInstance.start()) {
      assertThat(ReplicationIT.call(server.port, "CONFIG", "GET", "client-output-buffer-limit"))
          .contains("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
      setBigValue(server.port);
      try (Socket s = slowReader(server.port, "lazy-1")) {
        OutputStream out = s.getOutputStream();
        // No limit for normal clients by default: the replies pile up, CLIENT LIST shows them.
        sendGets(out, 200);
        await().atMost(WAIT).until(() -> omem(server.port, "lazy-1") > 4L << 20);
        assertThat(loggedClose("name=lazy-1")).isFalse();

        assertThat(ReplicationIT.call(server.port, "CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0"))
            .isEqualTo("+OK\r\n");
        assertThat(ReplicationIT.call(server.port, "CONFIG", "GET", "client-output-buffer-limit"))
            .contains("normal 1048576 0 0 slave 268435456 67108864 60");
        sendGets(out, 1);
        await().atMost(WAIT).until(() -> loggedClose("name=lazy-1"));
        await().atMost(WAIT).until(() -> omem(server.port, "lazy-1") == -1);
      }
      // Other clients are not affected.
      assertThat(ReplicationIT.call(server.port, "PING")).isEqualTo("+PONG\r\n");
    }
  }

  @Test
  void theSoftLimitClosesAfterItsSecondsAndNotBefore() throws Exception {
    try (TripodInstance server = TripodInstance.start()) {
      assertThat(ReplicationIT.call(server.port, "CONFIG", "SET", "client-output-buffer-limit", "normal 0 1mb 1"))
          .isEqualTo("+OK\r\n");
      setBigValue(server.port);
      try (Socket s = slowReader(server.port, "lazy-2")) {
        OutputStream out = s.getOutputStream();
        sendGets(out, 200);
        await().atMost(WAIT).until(() -> omem(server.port, "lazy-2") > 4L << 20);
        long since = System.nanoTime();
        // Above the soft limit: closed by a later write once it stayed there more than 1 s.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
          sendGets(out, 1);
          return loggedClose("name=lazy-2");
        });
        assertThat(System.nanoTime() - since).isGreaterThan(Duration.ofMillis(900).toNanos());
      }
    }
  }

  private static final byte[] GET_BIG = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".getBytes(StandardCharsets.US_ASCII);

  /** SET big to a 100 KB value. */
  private static void setBigValue(int port) throws IOException {
    byte[] big = new byte[100 * 1024];
    java.util.Arrays.fill(big, (byte) 'b');
    try (RawConnection c = new RawConnection(port)) {
      c.send("SET".getBytes(StandardCharsets.US_ASCII), "big".getBytes(StandardCharsets.US_ASCII), big);
      c.readRaw();
    }
  }

  /** A connection named {@code name} with a small receive buffer, that never reads. */
  private static Socket slowReader(int port, String name) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setReceiveBufferSize(64 * 1024);
    s.getOutputStream().write(("*3\r\n$6\r\nCLIENT\r\n$7\r\nSETNAME\r\n$" + name.length() + "\r\n" + name + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  /** Pipelines {@code n} GET big. */
  private static void sendGets(OutputStream out, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      out.write(GET_BIG);
    }
    out.flush();
  }
}
