package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real haproxy with the seed's tcp-check sequences (PING/+PONG, info replication /
 * role:master or master_link_status:up, QUIT/+OK) in front of a Tripod master and two Tripod
 * replicas: the master is UP on the read-write listener only, the replicas on the read-only one.
 */
class HaproxyCheckIT {
  static final String CHECKS_COMMON = """
        mode tcp
        balance leastconn
        option tcplog
        option tcp-check
        tcp-check connect
        tcp-check send PING\\r\\n
        tcp-check expect string +PONG
        tcp-check send info\\ replication\\r\\n
      """;

  @Test
  void seedChecksMarkMasterAndReplicasOnTheRightListeners() throws Exception {
    try (TripodInstance m = ReplicationIT.tripod(); TripodInstance r1 = ReplicationIT.tripod();
        TripodInstance r2 = ReplicationIT.tripod()) {
      ReplicationIT.call(r1.port, "REPLICAOF", "127.0.0.1", String.valueOf(m.port));
      ReplicationIT.call(r2.port, "REPLICAOF", "127.0.0.1", String.valueOf(m.port));
      await().atMost(Duration.ofSeconds(20)).until(() -> r1.server.repl.link.isConnected() && r2.server.repl.link.isConnected());
      Path dir = Files.createTempDirectory("haproxy-it-");
      Path sock = dir.resolve("stats.sock");
      int rw = Ports.free();
      int ro = Ports.free();
      String servers = """
            server redis-1 127.0.0.1:%d check inter 300ms%s
            server redis-2 127.0.0.1:%d check inter 300ms%s
            server redis-3 127.0.0.1:%d check inter 300ms%s
          """;
      String cfg = "global\n    stats socket " + sock + " mode 600 level admin\n"
          + "defaults\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\n"
          + "listen redis-rw\n    bind 127.0.0.1:" + rw + "\n" + CHECKS_COMMON
          + "    tcp-check expect string role:master\n    tcp-check send QUIT\\r\\n\n    tcp-check expect string +OK\n"
          + String.format(servers, m.port, " backup", r1.port, " backup", r2.port, " backup")
          + "listen redis-ro\n    bind 127.0.0.1:" + ro + "\n" + CHECKS_COMMON
          + "    tcp-check expect string master_link_status:up\n    tcp-check send QUIT\\r\\n\n    tcp-check expect string +OK\n"
          + String.format(servers, m.port, "", r1.port, "", r2.port, "")
          + "    server redis-rw 127.0.0.1:" + rw + " backup\n";
      Path cfgFile = dir.resolve("haproxy.cfg");
      Files.writeString(cfgFile, cfg);
      Process haproxy = new ProcessBuilder(RedisProcess.binary("haproxy"), "-f", cfgFile.toString(), "-db")
          .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
      try {
        Map<String, String> expected = Map.of(
            "redis-rw/redis-1", "UP", "redis-rw/redis-2", "DOWN", "redis-rw/redis-3", "DOWN",
            "redis-ro/redis-1", "DOWN", "redis-ro/redis-2", "UP", "redis-ro/redis-3", "UP");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          Map<String, String> states = states(sock);
          for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(states.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
          }
        });
        // Writes through the read-write listener reach the master; reads through read-only work.
        assertThat(ReplicationIT.call(rw, "SET", "via", "haproxy")).isEqualTo("+OK\r\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> ReplicationIT.call(ro, "GET", "via").equals("$7\r\nhaproxy\r\n"));
      } finally {
        haproxy.destroy();
        haproxy.waitFor();
      }
    }
  }

  /** `show stat` over the stats socket: proxy/server → status. */
  static Map<String, String> states(Path sock) throws IOException {
    Map<String, String> out = new HashMap<>();
    if (!Files.exists(sock)) {
      return out;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(sock));
      ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
      InputStream in = Channels.newInputStream(ch);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      for (String line : b.toString(StandardCharsets.US_ASCII).split("\n")) {
        String[] f = line.split(",", -1);
        if (f.length > 17 && !line.startsWith("#")) {
          String status = f[17].split(" ")[0];
          out.put(f[0] + "/" + f[1], status);
        }
      }
    }
    return out;
  }
}
