package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.proxy.sentinel.HostPort;
import io.tripod.proxy.sentinel.SentinelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Sentinel-aware read-write mode against real redis-servers and three real redis-sentinels
 * (down-after 1000 ms): the rw listener follows the master the sentinels agree on, never routes to
 * a returning old master that still claims {@code role:master}, and closes the sessions left on a
 * demoted master.
 */
class SentinelModeIT {
  static final String NAME = "redis-ha";

  /** A master, two replicas and three sentinels that know each other and both replicas. */
  static final class Ha implements AutoCloseable {
    final Seed.Cluster c;
    final List<ExternalProcess> sentinels = new ArrayList<>();

    Ha() throws IOException {
      c = new Seed.Cluster();
      try {
        for (int i = 0; i < 3; i++) {
          sentinels.add(ExternalProcess.sentinel(NAME, c.master.port, 1000));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          for (ExternalProcess s : sentinels) {
            Map<String, String> m = masterInfo(s.port);
            if (!"2".equals(m.get("num-slaves")) || !"2".equals(m.get("num-other-sentinels"))) {
              return false;
            }
          }
          return true;
        });
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    static Map<String, String> masterInfo(int sentinelPort) {
      Map<String, String> m = new HashMap<>();
      try (Resp r = new Resp(sentinelPort)) {
        List<String> kv = r.callArray("SENTINEL", "MASTER", NAME);
        for (int i = 0; i + 1 < kv.size(); i += 2) {
          m.put(kv.get(i), kv.get(i + 1));
        }
      } catch (IOException e) {
        // not answering yet
      }
      return m;
    }

    SentinelSpec spec(String backend) {
      List<HostPort> list = new ArrayList<>();
      for (ExternalProcess s : sentinels) {
        list.add(new HostPort("127.0.0.1", s.port));
      }
      return new SentinelSpec(backend, NAME, list, 2, SentinelSpec.DEFAULT_POLL_MS, SentinelSpec.DEFAULT_FRESH_MS);
    }

    /** The master port every sentinel reports, or -1 while they differ. */
    int agreedMasterPort() throws IOException {
      int port = -1;
      for (ExternalProcess s : sentinels) {
        try (Resp r = new Resp(s.port)) {
          int p = Integer.parseInt(r.callArray("SENTINEL", "get-master-addr-by-name", NAME).get(1));
          if (port != -1 && p != port) {
            return -1;
          }
          port = p;
        }
      }
      return port;
    }

    @Override
    public void close() {
      for (ExternalProcess s : sentinels) {
        s.close();
      }
      c.close();
    }
  }

  /** The role a server reports; "?" when the probe fails (e.g. killed by a demotion's CLIENT KILL). */
  static String role(int port) {
    try (Resp r = new Resp(port)) {
      for (String l : r.call("INFO", "replication").split("\r\n")) {
        if (l.startsWith("role:")) {
          return l.substring(5);
        }
      }
    } catch (IOException e) {
      return "?";
    }
    return "?";
  }

  /** SET through the endpoint; true on +OK; a -READONLY (routed to a replica) fails the test. */
  static boolean writeThrough(int port) {
    try (Resp r = new Resp(port)) {
      String reply = r.call("SET", "probe", "1");
      assertThat(reply).doesNotStartWith("-READONLY");
      return "+OK".equals(reply);
    } catch (IOException e) {
      return false; // no server (NOSRV) or the connection was closed: not yet
    }
  }

  static void awaitMasterRouted(Seed.Ports3 p, Path sock, int master) {
    await().atMost(Duration.ofSeconds(20)).until(() ->
        Seed.column(Resp.stats(sock, "show stat"), "status").get("redis-rw/redis-1").equals("UP")
            && Resp.backendPort(p.rw()) == master);
  }

  /**
   * While {@code old} claims role:master, every write through the rw endpoint lands on the master
   * the sentinels agree on and none on {@code old}; runs until the sentinels demote {@code old}. The proxy
   * shows {@code old} as DRAIN (its check passes, the sentinels name another server). With
   * {@code fresh} (a restarted, empty old master) it must also have run no SET at all.
   */
  static void rwAvoidsTheOldMaster(Ha ha, ExternalProcess old, Seed.Ports3 p, Path sock, boolean fresh) {
    AtomicInteger whileMaster = new AtomicInteger();
    AtomicBoolean sawDrain = new AtomicBoolean();
    AtomicInteger n = new AtomicInteger();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
      String roleBefore = role(old.port);
      boolean wasMaster = roleBefore.equals("master");
      String key = "during-" + n.incrementAndGet();
      // On this shared machine down-after 1000 ms can make the sentinels fail over again: an
      // iteration during which the agreed master moved (its sessions are closed) is skipped.
      int master = ha.agreedMasterPort();
      String served;
      try (Resp w = new Resp(p.rw())) {
        String reply = w.call("SET", key, "v");
        assertThat(reply).doesNotStartWith("-READONLY");
        if (!reply.equals("+OK")) {
          return false;
        }
        served = w.call("INFO", "server");
      } catch (IOException e) {
        return false;
      }
      if (master <= 0 || ha.agreedMasterPort() != master) {
        return false;
      }
      assertThat(served).contains("tcp_port:" + master + "\r\n");
      String stats;
      long keys;
      String exists;
      String status = Seed.column(Resp.stats(sock, "show stat"), "status").get("redis-rw/redis-1");
      try (Resp o = new Resp(old.port)) {
        stats = o.call("INFO", "commandstats");
        keys = Long.parseLong(o.call("DBSIZE").substring(1));
        exists = o.call("EXISTS", key);
      } catch (IOException e) {
        return false; // the sentinels' demotion (CLIENT KILL TYPE normal) closed this probe
      }
      boolean stillMaster = wasMaster && role(old.port).equals("master") && master != old.port;
      if (stillMaster) {
        // it was a master during the whole write: nothing the proxy relayed reached it
        assertThat(exists).isEqualTo(":0");
        if (fresh) {
          assertThat(stats).doesNotContain("cmdstat_set:");
          assertThat(keys).isZero();
        }
        whileMaster.incrementAndGet();
        if (status.equals("DRAIN")) {
          sawDrain.set(true);
          assertThat(Resp.stats(sock, "show servers state redis-rw")).containsPattern(" redis-1 127\\.0\\.0\\.1 2 8 ");
        }
      }
      return roleBefore.equals("slave") && whileMaster.get() > 0;
    });
    assertThat(whileMaster.get()).isGreaterThan(0);
    assertThat(sawDrain).as("the old master passed its role:master check while it was kept out").isTrue();
  }

  /** Runs a test body; on failure prints the proxy's logs (state changes and tcplog lines). */
  interface Body {
    void run() throws Exception;
  }

  static void withLogs(Seed.Tripod t, Body b) throws Exception {
    try {
      b.run();
    } catch (Exception | AssertionError e) {
      System.out.println("--- proxy stderr\n" + t.stderr() + "--- proxy stdout\n" + t.stdout());
      throw e;
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void rwFollowsTheSentinelsAndNeverRoutesToAReturningOldMaster() throws Exception {
    try (Ha ha = new Ha()) {
      Seed.Ports3 p = Seed.Ports3.free();
      Path sock = Seed.tempSocket("tripod.sock");
      try (Seed.Tripod t = new Seed.Tripod(Seed.config(p, ha.c.ports(), "1s", sock), List.of(ha.spec("redis-rw")))) {
        withLogs(t, () -> {
          int old = ha.c.master.port;
          awaitMasterRouted(p, sock, old);
          assertThat(t.stderr()).contains("Server redis-rw/redis-1 is the master per sentinels (");
          assertThat(Resp.stats(sock, "show sentinels")).contains("redis-rw master 'redis-ha': redis-1 (127.0.0.1:" + old
              + ") (agreed), 3/3 sentinels name it, 3 answering, quorum 2\n");

          long t0 = System.nanoTime();
          ha.c.master.kill9();
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> writeThrough(p.rw()));
          long resumedMs = (System.nanoTime() - t0) / 1_000_000;
          await().atMost(Duration.ofSeconds(10)).until(() -> ha.agreedMasterPort() > 0);
          int master = ha.agreedMasterPort();
          assertThat(master).isNotEqualTo(old);
          assertThat(Resp.backendPort(p.rw())).isEqualTo(master);
          assertThat(t.stderr()).containsPattern("Server redis-rw/redis-[23] is the master per sentinels \\([23]/3 "
              + "sentinels agree, quorum 2\\), redis-1 is not\\.");
          System.out.println("SentinelModeIT: kill -9 of the master -> writes resume through the rw endpoint after "
              + resumedMs + " ms");

          try (ExternalProcess back = ExternalProcess.redisOnPort(old)) {
            rwAvoidsTheOldMaster(ha, back, p, sock, true);
          }
        });
      }
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void sessionsOnADemotedMasterAreClosedByTheProxy() throws Exception {
    try (Ha ha = new Ha()) {
      Seed.Ports3 p = Seed.Ports3.free();
      Path sock = Seed.tempSocket("tripod.sock");
      try (Seed.Tripod t = new Seed.Tripod(Seed.config(p, ha.c.ports(), "1s", sock), List.of(ha.spec("redis-rw")))) {
        withLogs(t, () -> {
          int old = ha.c.master.port;
          awaitMasterRouted(p, sock, old);
          try (Resp longLived = new Resp(p.rw())) {
            assertThat(longLived.call("INFO", "server")).contains("tcp_port:" + old + "\r\n");
            // The host hangs: its connections stay open, the sentinels fail over.
            ha.c.master.signal("STOP");
            long t0 = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> writeThrough(p.rw()));
            long resumedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("SentinelModeIT: SIGSTOP of the master -> writes resume through the rw endpoint after "
                + resumedMs + " ms");
            // The old master is still frozen, so only the proxy can have closed this connection.
            longLived.socket.setSoTimeout(10_000);
            int b;
            try {
              b = longLived.in.read();
            } catch (IOException e) {
              b = -1;
            }
            assertThat(b).isEqualTo(-1);
            assertThat(ha.c.master.pid()).isPositive();
          }
          assertThat(t.stdout()).containsPattern(" redis-rw redis-rw/redis-1 \\d+/\\d+/\\d+ \\d+ DD ");
          assertThat(t.stderr()).containsPattern("Server redis-rw/redis-[23] is the master per sentinels \\([23]/3 "
              + "sentinels agree, quorum 2\\), redis-1 is not\\. [1-9]\\d* sessions closed on other servers\\.");
          await().atMost(Duration.ofSeconds(10)).until(() -> ha.agreedMasterPort() > 0);
          int master = ha.agreedMasterPort();
          assertThat(master).isNotEqualTo(old);
          // The host comes back, still a master in its own eyes, until the sentinels demote it.
          ha.c.master.signal("CONT");
          // (It may still apply commands that reached it before the failover: only keys written from now
          // on are checked.)
          rwAvoidsTheOldMaster(ha, ha.c.master, p, sock, false);
        });
      }
    }
  }
}
