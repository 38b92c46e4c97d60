package io.tripod.sentinel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.sentinel.net.SentinelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/** notification-script and client-reconfig-script of Tripod sentinels, against real servers. */
class ScriptsIT {
  private static String script(Path dir, String name, String body) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f.toString();
  }

  private static List<String> lines(Path f) throws IOException {
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  /**
   * A kill -9 failover with three Tripod sentinels: every sentinel runs its client-reconfig-script
   * once with {@code <master> <leader|observer> start <from-ip> <from-port> <to-ip> <to-port>} (one
   * leader), and its notification-script with {@code <event> <description>}; a notification
   * script that exits 1 on its first +switch-master is run again after script-retry-delay.
   */
  @Test
  void failoverRunsReconfigAndNotificationScripts() throws Exception {
    try (Harness h = new Harness()) {
      int mp = Harness.freePort();
      h.redis(mp);
      int r1 = Harness.freePort();
      h.redis(r1, "--replicaof", "127.0.0.1", String.valueOf(mp));
      int r2 = Harness.freePort();
      h.redis(r2, "--replicaof", "127.0.0.1", String.valueOf(mp));
      List<Integer> sp = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int p = Harness.freePort();
        sp.add(p);
        Path d = h.dir;
        String reconf = script(d, "reconf-" + p + ".sh", "echo \"$@\" >> " + d.resolve("reconf-" + p + ".log"));
        Path seen = d.resolve("notify-" + p + ".seen");
        String notify = script(d, "notify-" + p + ".sh",
            "echo \"$1|$2\" >> " + d.resolve("notify-" + p + ".attempts") + "\n"
                + "if [ \"$1\" = \"+switch-master\" ] && [ ! -f " + seen + " ]; then touch " + seen + "; exit 1; fi\n"
                + "echo \"$1|$2\" >> " + d.resolve("notify-" + p + ".log"));
        h.tripod(p, mp, 2, 1000, 3000, "sentinel notification-script mymaster " + notify,
            "sentinel client-reconfig-script mymaster " + reconf);
        try (Jedis j = new Jedis("127.0.0.1", p)) {
          assertThat(j.sendCommand(Protocol.Command.SENTINEL, "DEBUG", "script-retry-delay", "300"))
              .isEqualTo("OK".getBytes(StandardCharsets.UTF_8));
        }
      }
      Harness.awaitDiscovery(sp);
      // The +monitor of the start reached every notification script.
      for (int p : sp) {
        Path log = h.dir.resolve("notify-" + p + ".log");
        await().atMost(Duration.ofSeconds(10)).until(() -> lines(log).contains(
            "+monitor|master mymaster 127.0.0.1 " + mp + " quorum 2"));
      }
      Process master = h.processes.get(0);
      master.destroyForcibly();
      master.waitFor();
      await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).until(() -> {
        Set<String> addrs = new HashSet<>();
        for (int p : sp) {
          String[] a = Harness.masterAddr(p);
          if (a == null || a[1].equals(String.valueOf(mp))) return false;
          addrs.add(a[1]);
        }
        return addrs.size() == 1;
      });
      String np = Harness.masterAddr(sp.get(0))[1];
      String switchMsg = "mymaster 127.0.0.1 " + mp + " 127.0.0.1 " + np;
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
        for (int p : sp) {
          if (lines(h.dir.resolve("reconf-" + p + ".log")).isEmpty()) return false;
          if (!lines(h.dir.resolve("notify-" + p + ".log")).contains("+switch-master|" + switchMsg)) return false;
        }
        return true;
      });
      int leaders = 0;
      for (int p : sp) {
        List<String> calls = lines(h.dir.resolve("reconf-" + p + ".log"));
        assertThat(calls).hasSize(1);
        String[] args = calls.get(0).split(" ");
        assertThat(args).hasSize(7);
        assertThat(args[1]).isIn("leader", "observer");
        if (args[1].equals("leader")) leaders++;
        assertThat(String.join(" ", args[0], args[2], args[3], args[4], args[5], args[6]))
            .isEqualTo("mymaster start 127.0.0.1 " + mp + " 127.0.0.1 " + np);
        // The first +switch-master run exited 1 and was retried: two attempts, one success.
        assertThat(lines(h.dir.resolve("notify-" + p + ".attempts")).stream()
            .filter(l -> l.equals("+switch-master|" + switchMsg)).count()).isEqualTo(2);
        assertThat(lines(h.dir.resolve("notify-" + p + ".log")).stream()
            .filter(l -> l.equals("+switch-master|" + switchMsg)).count()).isEqualTo(1);
        if (args[1].equals("leader")) {
          // (An observer may learn the switch from a hello before its own down-after expires.)
          List<String> seen = lines(h.dir.resolve("notify-" + p + ".log"));
          assertThat(seen).contains("+sdown|master mymaster 127.0.0.1 " + mp, "+elected-leader|master mymaster 127.0.0.1 " + mp);
          assertThat(seen).anyMatch(l -> l.startsWith("+odown|master mymaster 127.0.0.1 " + mp + " #quorum "));
        }
      }
      assertThat(leaders).isEqualTo(1);
    }
  }

  /** SENTINEL PENDING-SCRIPTS: a running job and a job waiting for its retry, Redis's fields. */
  @Test
  @SuppressWarnings("unchecked")
  void pendingScriptsShowsRunningAndScheduledJobs() throws Exception {
    try (Harness h = new Harness()) {
      int mp = Harness.freePort();
      h.redis(mp);
      int p = Harness.freePort();
      // +monitor fails with 1 (retried after the default 30 s); anything else runs for a while.
      String notify = script(h.dir, "notify.sh",
          "case \"$1\" in +monitor) exit 1 ;; *) exec sleep 20 ;; esac");
      SentinelServer s = h.tripod(p, mp, 2, 5000, 10000, "sentinel notification-script mymaster " + notify);
      try (Jedis j = new Jedis("127.0.0.1", p)) {
        assertThat(j.sentinelSet("mymaster", java.util.Map.of("quorum", "1"))).isEqualTo("OK");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
          List<Object> jobs = (List<Object>) j.sendCommand(Protocol.Command.SENTINEL, "PENDING-SCRIPTS");
          if (jobs.size() != 2) return false;
          List<Object> first = (List<Object>) jobs.get(0);
          List<Object> second = (List<Object>) jobs.get(1);
          return str(first.get(3)).equals("scheduled") && str(second.get(3)).equals("running");
        });
        List<Object> jobs = (List<Object>) j.sendCommand(Protocol.Command.SENTINEL, "PENDING-SCRIPTS");
        List<Object> first = (List<Object>) jobs.get(0);
        assertThat(first).hasSize(10);
        assertThat(str(first.get(0))).isEqualTo("argv");
        assertThat(((List<Object>) first.get(1)).stream().map(ScriptsIT::str))
            .containsExactly(notify, "+monitor", "master mymaster 127.0.0.1 " + mp + " quorum 2");
        assertThat(str(first.get(2))).isEqualTo("flags");
        assertThat(str(first.get(4))).isEqualTo("pid");
        assertThat(str(first.get(5))).isEqualTo("0");
        assertThat(str(first.get(6))).isEqualTo("run-delay");
        assertThat(Long.parseLong(str(first.get(7)))).isBetween(1L, 30000L);
        assertThat(str(first.get(8))).isEqualTo("retry-num");
        assertThat(str(first.get(9))).isEqualTo("1");
        List<Object> second = (List<Object>) jobs.get(1);
        assertThat(((List<Object>) second.get(1)).stream().map(ScriptsIT::str))
            .containsExactly(notify, "+set", "master mymaster 127.0.0.1 " + mp + " quorum 1");
        assertThat(Long.parseLong(str(second.get(5)))).isPositive();
        assertThat(str(second.get(6))).isEqualTo("run-time");
        assertThat(Long.parseLong(str(second.get(7)))).isGreaterThanOrEqualTo(0);
        assertThat(str(second.get(9))).isEqualTo("1");
        String info = j.info("sentinel");
        assertThat(info).contains("sentinel_running_scripts:1\r\n", "sentinel_scripts_queue_length:2\r\n");
        // -monitor still reaches the removed master's script (Redis emits it before the removal).
        assertThat(j.sentinelRemove("mymaster")).isEqualTo("OK");
        List<Object> after = (List<Object>) j.sendCommand(Protocol.Command.SENTINEL, "PENDING-SCRIPTS");
        assertThat(after).hasSize(3);
        assertThat(((List<Object>) ((List<Object>) after.get(2)).get(1)).stream().map(ScriptsIT::str))
            .containsExactly(notify, "-monitor", "master mymaster 127.0.0.1 " + mp);
      }
      assertThat(s.call(() -> s.core().masters.size())).isEqualTo(0);
    }
  }

  private static String str(Object o) {
    return new String((byte[]) o, StandardCharsets.UTF_8);
  }
}
