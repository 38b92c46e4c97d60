package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile clients: huge length headers, deep nesting, random bytes, thousands of idle connections,
 * an oversized query buffer, too many clients. After each the server must still answer PING.
 */
class HostileInputIT {
  private TripodInstance tripod;

  @AfterEach
  void stop() {
    if (tripod != null) {
      tripod.close();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private void assertAlive() throws IOException {
    try (RawConnection c = new RawConnection(tripod.port)) {
      assertThat(new String(c.call(b("PING")), StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
    }
  }

  /** Sends raw bytes and returns what came back before the server closed (or a timeout). */
  private String sendAndReadUntilClose(byte[] bytes) throws IOException {
    try (Socket s = new Socket("127.0.0.1", tripod.port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException closedEarly) {
        // the server may close while we still write: fine, read what it said
      }
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        int n;
        while ((n = s.getInputStream().read(buf)) > 0) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketException reset) {
        // Closing a socket with unread input makes the kernel send RST; a reply the server
        // wrote before may or may not have been read by then.
      }
      return new String(got.toByteArray(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void tenGigabyteBulkHeader() throws Exception {
    tripod = TripodInstance.start();
    assertThat(sendAndReadUntilClose(b("*1\r\n$10737418240\r\n")))
        .isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
    assertThat(sendAndReadUntilClose(b("*2147483648\r\n")))
        .isEqualTo("-ERR Protocol error: invalid multibulk length\r\n");
    assertAlive();
  }

  @Test
  void largeLegalHeadersWithoutDataCostNothingUntilDataArrives() throws Exception {
    tripod = TripodInstance.start();
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        Socket s = new Socket("127.0.0.1", tripod.port);
        s.getOutputStream().write(b("*2147483647\r\n$536870912\r\nabc"));
        s.getOutputStream().flush();
        open.add(s);
      }
      assertAlive();
      long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
      assertThat(used).isLessThan(1024L * 1024 * 1024); // 50 * 512 MB were never allocated
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  void deeplyNestedArrays() throws Exception {
    tripod = TripodInstance.start();
    // Requests are flat: the second '*' is already a protocol error, as in Redis.
    assertThat(sendAndReadUntilClose(b("*1\r\n".repeat(1000))))
        .isEqualTo("-ERR Protocol error: expected '$', got '*'\r\n");
    // 100,000 levels: the server stops at the first error and closes (the reply may be lost to
    // the reset of a socket closed with unread input).
    assertThat(sendAndReadUntilClose(b("*1\r\n".repeat(100_000))))
        .isIn("", "-ERR Protocol error: expected '$', got '*'\r\n");
    assertAlive();
  }

  @Test
  void randomBytes() throws Exception {
    tripod = TripodInstance.start();
    Random rnd = new Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[1 + rnd.nextInt(4096)];
      rnd.nextBytes(junk);
      try (Socket s = new Socket("127.0.0.1", tripod.port)) {
        s.setSoTimeout(5000);
        try {
          s.getOutputStream().write(junk);
          s.getOutputStream().flush();
        } catch (IOException closed) {
          // closed after a protocol error: fine
        }
      }
    }
    assertAlive();
  }

  @Test
  void tenThousandIdleConnections() throws Exception {
    int n = 10_000;
    tripod = TripodInstance.start(cfg -> cfg.maxclients = n + 100);
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator
        + "java";
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp",
        System.getProperty("java.class.path"), IdleConnections.class.getName(),
        String.valueOf(tripod.port), String.valueOf(n))
        .redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
      String line = out.readLine();
      assertThat(line).isEqualTo("OPEN " + n + " FAILED 0");
      await().atMost(Duration.ofSeconds(60)).until(() -> tripod.server.clientCount() >= n);
      assertAlive(); // the server still serves with 10,000 idle clients
      child.getOutputStream().write('\n');
      child.getOutputStream().flush();
      assertThat(out.readLine()).isEqualTo("CLOSED");
    } finally {
      child.getOutputStream().close(); // end of input: the child closes its sockets and exits
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> tripod.server.clientCount() == 0);
    assertAlive();
  }

  @Test
  void clientQueryBufferLimit() throws Exception {
    tripod = TripodInstance.start(cfg -> cfg.clientQueryBufferLimit = 1024 * 1024);
    // A 4 MB argument that never completes: the query buffer passes the limit and Redis closes
    // the connection without a reply.
    byte[] head = b("*2\r\n$3\r\nSET\r\n$4194304\r\n");
    byte[] body = new byte[2 * 1024 * 1024];
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    assertThat(sendAndReadUntilClose(all)).isEmpty();
    // Big pipelines that stay under the limit are fine.
    try (RawConnection c = new RawConnection(tripod.port)) {
      byte[] v = new byte[512 * 1024];
      assertThat(new String(c.call(b("SET"), b("k"), v), StandardCharsets.US_ASCII))
          .isEqualTo("+OK\r\n");
    }
    assertAlive();
  }

  @Test
  void maxClients() throws Exception {
    tripod = TripodInstance.start(cfg -> cfg.maxclients = 2);
    try (RawConnection a = new RawConnection(tripod.port);
        RawConnection b2 = new RawConnection(tripod.port)) {
      assertThat(new String(a.call(b("PING")), StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
      assertThat(new String(b2.call(b("PING")), StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
      try (RawConnection c = new RawConnection(tripod.port)) {
        assertThat(new String(c.readRaw(), StandardCharsets.US_ASCII))
            .isEqualTo("-ERR max number of clients reached\r\n");
        assertThat(c.readRaw()).isEqualTo(RawConnection.CLOSED);
      }
      assertThat(tripod.server.stats.rejectedConnections).isEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> tripod.server.clientCount() == 0);
    assertAlive();
  }

  @Test
  void unauthenticatedLimits() throws Exception {
    tripod = TripodInstance.start(cfg -> cfg.requirepass = "secret");
    assertThat(sendAndReadUntilClose(b("*11\r\n")))
        .isEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
    assertThat(sendAndReadUntilClose(b("*2\r\n$4\r\nAUTH\r\n$16385\r\n")))
        .isEqualTo("-ERR Protocol error: unauthenticated bulk length\r\n");
    try (RawConnection c = new RawConnection(tripod.port)) {
      assertThat(new String(c.call(b("AUTH"), b("secret")), StandardCharsets.US_ASCII))
          .isEqualTo("+OK\r\n");
      byte[][] many = new byte[20][];
      many[0] = b("MSET");
      for (int i = 1; i < 20; i++) {
        many[i] = new byte[20_000];
      }
      many[19] = b("x");
      // After AUTH the limits are the normal ones (19 is odd: the MSET itself fails, in arity).
      assertThat(new String(c.call(many), StandardCharsets.US_ASCII))
          .startsWith("-ERR wrong number of arguments");
    }
  }
}
