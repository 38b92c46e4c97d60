package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.resp.RespValue;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Introspection behaviour that the byte-for-byte corpus cannot pin down (ids, addresses, times,
 * closed connections, a stopped server), checked on Tripod and, where it makes sense, on a real
 * redis-server side by side.
 */
class IntrospectionIT {
  private static RedisProcess redis;
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisProcess.start("--enable-debug-command", "yes");
    tripod = TripodInstance.start();
  }

  @AfterAll
  static void stop() {
    if (tripod != null) {
      tripod.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static String str(byte[] raw) {
    return new String(raw, StandardCharsets.UTF_8);
  }

  private static List<Integer> ports() {
    return List.of(redis.port, tripod.port);
  }

  @Test
  void monitorLinesHaveRedisShape() throws IOException {
    for (int port : ports()) {
      try (RawConnection mon = new RawConnection(port); RawConnection c = new RawConnection(port)) {
        assertThat(str(mon.call(args("MONITOR")))).isEqualTo("+OK\r\n");
        c.call(args("SELECT", "3"));
        c.call(args("SET", "k", "a b\"\n\u0001"));
        assertThat(str(mon.readRaw())).as("port " + port)
            .matches("\\+\\d+\\.\\d{6} \\[3 127\\.0\\.0\\.1:\\d+\\] \"SELECT\" \"3\"\r\n");
        String line = str(mon.readRaw());
        assertThat(line).as("port " + port)
            .matches("\\+\\d+\\.\\d{6} \\[3 127\\.0\\.0\\.1:\\d+\\] \"SET\" \"k\" "
                + "\"a b\\\\\"\\\\n\\\\x01\"\r\n");
      }
    }
  }

  @Test
  void clientListFieldsMatchRedis() throws IOException {
    List<List<String>> names = new ArrayList<>();
    for (int port : ports()) {
      try (RawConnection c = new RawConnection(port)) {
        RespValue v = new io.tripod.resp.ReplyDecoder().decode(
            io.netty.buffer.Unpooled.wrappedBuffer(c.call(args("CLIENT", "INFO"))));
        String line = v.asString().trim();
        List<String> keys = new ArrayList<>();
        for (String kv : line.split(" ")) {
          keys.add(kv.substring(0, kv.indexOf('=')));
        }
        names.add(keys);
        assertThat(line).contains(" cmd=client|info ").contains(" flags=N ").contains(" db=0 ")
            .endsWith(" resp=2");
      }
    }
    assertThat(names.get(1)).containsExactlyElementsOf(names.get(0));
  }

  @Test
  void clientKillByIdClosesTheOtherConnection() throws IOException {
    for (int port : ports()) {
      try (RawConnection victim = new RawConnection(port); RawConnection c = new RawConnection(port)) {
        String id = str(victim.call(args("CLIENT", "ID"))).substring(1).trim();
        assertThat(str(c.call(args("CLIENT", "KILL", "ID", id)))).isEqualTo(":1\r\n");
        victim.send(args("PING"));
        assertThat(victim.readRaw()).isEqualTo(RawConnection.CLOSED);
        assertThat(str(c.call(args("CLIENT", "LIST", "ID", id)))).isEqualTo("$0\r\n\r\n");
      }
    }
  }

  @Test
  void clientKillOldFormByAddress() throws IOException {
    for (int port : ports()) {
      try (RawConnection victim = new RawConnection(port); RawConnection c = new RawConnection(port)) {
        String info = str(victim.call(args("CLIENT", "INFO")));
        String addr = info.substring(info.indexOf("addr=") + 5, info.indexOf(' ', info.indexOf("addr=")));
        assertThat(str(c.call(args("CLIENT", "KILL", addr)))).isEqualTo("+OK\r\n");
        victim.send(args("PING"));
        assertThat(victim.readRaw()).isEqualTo(RawConnection.CLOSED);
      }
    }
  }

  @Test
  void clientKillSkipmeNoClosesSelfAfterReply() throws IOException {
    for (int port : ports()) {
      try (RawConnection c = new RawConnection(port)) {
        String id = str(c.call(args("CLIENT", "ID"))).substring(1).trim();
        assertThat(str(c.call(args("CLIENT", "KILL", "ID", id, "SKIPME", "no")))).isEqualTo(":1\r\n");
        assertThat(c.readRaw()).isEqualTo(RawConnection.CLOSED);
      }
    }
  }

  @Test
  void waitWithoutReplicasTimesOutWithZero() throws IOException {
    for (int port : ports()) {
      try (RawConnection c = new RawConnection(port)) {
        long t0 = System.nanoTime();
        assertThat(str(c.call(args("WAIT", "1", "200")))).isEqualTo(":0\r\n");
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(150_000_000L);
        assertThat(str(c.call(args("PING")))).isEqualTo("+PONG\r\n");
      }
    }
  }

  @Test
  void slowlogEntryShape() throws IOException {
    for (int port : ports()) {
      try (RawConnection c = new RawConnection(port)) {
        c.call(args("CLIENT", "SETNAME", "slowpoke"));
        c.call(args("SLOWLOG", "RESET"));
        c.call(args("DEBUG", "SLEEP", "0.02"));
        RespValue v = new io.tripod.resp.ReplyDecoder().decode(
            io.netty.buffer.Unpooled.wrappedBuffer(c.call(args("SLOWLOG", "GET"))));
        assertThat(v.elements()).hasSize(1);
        List<RespValue> e = v.elements().get(0).elements();
        assertThat(e).hasSize(6);
        assertThat(e.get(0).type()).isEqualTo(':');
        assertThat(e.get(2).number()).isGreaterThanOrEqualTo(20_000);
        assertThat(e.get(3).elements()).extracting(RespValue::asString)
            .containsExactly("DEBUG", "SLEEP", "0.02");
        assertThat(e.get(4).asString()).startsWith("127.0.0.1:");
        assertThat(e.get(5).asString()).isEqualTo("slowpoke");
      }
    }
  }

  @Test
  void debugIsRefusedWhenNotEnabled() throws Exception {
    try (RedisProcess r = RedisProcess.start();
        TripodInstance t = TripodInstance.start(cfg -> cfg.enableDebugCommand = "no");
        RawConnection rc = new RawConnection(r.port);
        RawConnection tc = new RawConnection(t.port)) {
      byte[] expected = rc.call(args("DEBUG", "SLEEP", "0"));
      assertThat(str(expected)).startsWith("-ERR DEBUG command not allowed.");
      assertThat(str(tc.call(args("DEBUG", "SLEEP", "0")))).isEqualTo(str(expected));
    }
  }

  @Test
  void latencyMonitorRecordsDebugSleep() throws Exception {
    try (TripodInstance t = TripodInstance.start(cfg -> cfg.latencyMonitorThresholdMillis = 5);
        RawConnection c = new RawConnection(t.port)) {
      assertThat(str(c.call(args("DEBUG", "SLEEP", "0.02")))).isEqualTo("+OK\r\n");
      c.send(args("LATENCY", "LATEST"));
      RespValue latest = c.read();
      assertThat(latest.elements()).hasSize(1);
      List<RespValue> e = latest.elements().get(0).elements();
      assertThat(e.get(0).asString()).isEqualTo("command");
      assertThat(e.get(2).number()).isGreaterThanOrEqualTo(20);
      assertThat(e.get(3).number()).isGreaterThanOrEqualTo(20);
      c.send(args("LATENCY", "HISTORY", "command"));
      assertThat(c.read().elements()).hasSize(1);
      assertThat(str(c.call(args("LATENCY", "RESET")))).isEqualTo(":1\r\n");
      assertThat(str(c.call(args("LATENCY", "LATEST")))).isEqualTo("*0\r\n");
    }
  }

  @Test
  void shutdownStopsTheServerButNotTheJvm() throws Exception {
    TripodInstance t = TripodInstance.start();
    try (RawConnection c = new RawConnection(t.port)) {
      c.send(args("SHUTDOWN", "NOSAVE"));
      assertThat(c.readRaw()).isEqualTo(RawConnection.CLOSED);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (Socket s = new Socket("127.0.0.1", t.port)) {
          return false;
        } catch (IOException e) {
          return true;
        }
      });
    } finally {
      t.close();
    }
  }
}
