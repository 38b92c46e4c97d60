package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seed's three listeners in front of real redis-servers: who gets which connection. */
class ProxyRoutingIT {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void readWriteGoesToTheMasterAndReadOnlyToReplicasWithFallback() throws Exception {
    try (Seed.Cluster c = new Seed.Cluster()) {
      Seed.Ports3 p = Seed.Ports3.free();
      Path sock = Seed.tempSocket("tripod.sock");
      try (Seed.Tripod t = new Seed.Tripod(Seed.config(p, c.ports(), "200ms", sock))) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
          Map<String, String> st = Seed.column(Resp.stats(sock, "show stat"), "status");
          return st.get("redis-rw/redis-1").equals("UP") && st.get("redis-rw/redis-2").equals("DOWN")
              && st.get("redis-rw/redis-3").equals("DOWN") && st.get("redis-ro/redis-1").equals("DOWN")
              && st.get("redis-ro/redis-2").equals("UP") && st.get("redis-ro/redis-3").equals("UP")
              && st.get("redis-local-ro/redis-local").equals("UP");
        });
        for (int i = 0; i < 10; i++) {
          assertThat(Resp.backendPort(p.rw())).isEqualTo(c.master.port);
        }
        Set<Integer> ro = new HashSet<>();
        for (int i = 0; i < 10; i++) {
          ro.add(Resp.backendPort(p.ro()));
        }
        assertThat(ro).containsExactlyInAnyOrder(c.r1.port, c.r2.port); // leastconn ties rotate
        assertThat(Resp.backendPort(p.localRo())).isEqualTo(c.r2.port);
        try (Resp w = new Resp(p.rw())) {
          assertThat(w.call("SET", "k", "v")).isEqualTo("+OK");
        }
        // Writes through the read-only listener hit a replica.
        try (Resp w = new Resp(p.ro())) {
          assertThat(w.call("SET", "k", "v")).startsWith("-READONLY");
        }

        // Both replicas lose their link: they fail master_link_status:up, redis-ro falls back to
        // its backup (the redis-rw listener, hence the master), redis-local-ro to redis-ro.
        for (ExternalProcess r : new ExternalProcess[] {c.r1, c.r2}) {
          try (Resp x = new Resp(r.port)) {
            x.call("REPLICAOF", "127.0.0.1", String.valueOf(Ports.free()));
          }
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> {
          Map<String, String> st = Seed.column(Resp.stats(sock, "show stat"), "status");
          return st.get("redis-ro/redis-2").equals("DOWN") && st.get("redis-ro/redis-3").equals("DOWN")
              && st.get("redis-local-ro/redis-local").equals("DOWN");
        });
        assertThat(Resp.backendPort(p.ro())).isEqualTo(c.master.port);
        assertThat(Resp.backendPort(p.localRo())).isEqualTo(c.master.port);
        assertThat(t.stderr()).contains("Server redis-ro/redis-3 is DOWN, reason: Layer7 timeout, info: \" at step 5 of tcp-check (expect string 'master_link_status:up')\"");
        assertThat(t.stderr()).contains("0 active and 1 backup servers left. Running on backup.");
        // tcplog lines name the server reached
        assertThat(t.stdout()).containsPattern("127\\.0\\.0\\.1:\\d+ \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] redis-ro redis-ro/redis-rw \\d+/\\d+/\\d+ \\d+ -- ");
        assertThat(t.stdout()).contains(" redis-rw redis-rw/redis-1 ");

        // Links come back: replicas are UP again after rise (2) passing checks.
        for (ExternalProcess r : new ExternalProcess[] {c.r1, c.r2}) {
          try (Resp x = new Resp(r.port)) {
            x.call("REPLICAOF", "127.0.0.1", String.valueOf(c.master.port));
          }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
          Map<String, String> st = Seed.column(Resp.stats(sock, "show stat"), "status");
          return st.get("redis-ro/redis-2").equals("UP") && st.get("redis-ro/redis-3").equals("UP");
        });
        assertThat(Resp.backendPort(p.ro())).isIn(c.r1.port, c.r2.port);
        assertThat(t.stderr()).contains("Server redis-ro/redis-2 is UP, reason: Layer7 check passed, code: 0, info: \"(tcp-check)\"");
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void garbageAndAbortedClientsDoNotDisturbOtherSessions() throws Exception {
    try (Seed.Cluster c = new Seed.Cluster()) {
      Seed.Ports3 p = Seed.Ports3.free();
      Path sock = Seed.tempSocket("tripod.sock");
      try (Seed.Tripod t = new Seed.Tripod(Seed.config(p, c.ports(), "200ms", sock))) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
          Map<String, String> st = Seed.column(Resp.stats(sock, "show stat"), "status");
          return st.get("redis-rw/redis-1").equals("UP") && st.get("redis-rw/redis-2").equals("DOWN")
              && st.get("redis-rw/redis-3").equals("DOWN");
        });
        try (Resp good = new Resp(p.rw())) {
          for (int i = 0; i < 200; i++) {
            // a client sending garbage: Redis answers a protocol error and closes; the proxy closes too
            if (i % 20 == 0) {
              try (Socket g = new Socket()) {
                g.connect(new InetSocketAddress("127.0.0.1", p.rw()), 2000);
                g.setSoTimeout(5000);
                OutputStream o = g.getOutputStream();
                o.write(new byte[] {'*', 'x', '\r', '\n', 0, (byte) 0xff, '$', '-', '9', '\r', '\n'});
                o.flush();
                InputStream in = g.getInputStream();
                String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(reply).startsWith("-ERR Protocol error");
              }
            }
            // a client aborting mid-command with a RST
            if (i % 20 == 10) {
              Socket a = new Socket();
              a.connect(new InetSocketAddress("127.0.0.1", p.rw()), 2000);
              a.getOutputStream().write("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$100\r\nabc".getBytes(StandardCharsets.UTF_8));
              a.getOutputStream().flush();
              a.setSoLinger(true, 0);
              a.close();
            }
            assertThat(good.call("SET", "key" + i, "value" + i)).isEqualTo("+OK");
            assertThat(good.call("GET", "key" + i)).isEqualTo("value" + i);
          }
          // a large value crosses the proxy intact (backpressure path)
          String big = "x".repeat(4 * 1024 * 1024);
          assertThat(good.call("SET", "big", big)).isEqualTo("+OK");
          assertThat(good.call("GET", "big")).isEqualTo(big);
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
            Seed.column(Resp.stats(sock, "show stat"), "scur").get("redis-rw/FRONTEND").equals("0"));
        assertThat(t.stdout()).containsPattern(" redis-rw redis-rw/redis-1 \\d+/-?\\d+/\\d+ \\d+ C[CD] ");
        assertThat(Resp.backendPort(p.rw())).isEqualTo(c.master.port);
      }
    }
  }
}
