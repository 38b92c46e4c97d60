package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.proxy.sentinel.HostPort;
import io.tripod.proxy.sentinel.SentinelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy's side of the Sentinel-aware mode, with scripted sentinels (so every case is
 * deterministic) in front of real redis-servers. The poll interval is a minute and answers stay
 * fresh for two: every change below reaches the proxy through a published event, as
 * {@code +switch-master} does.
 */
class SentinelDecisionIT {
  final List<FakeSentinel> sentinels = new ArrayList<>();

  void answer(String a, String b, String c) {
    sentinels.get(0).answer = a;
    sentinels.get(1).answer = b;
    sentinels.get(2).answer = c;
    for (FakeSentinel s : sentinels) {
      s.publish("+switch-master", "redis-ha 127.0.0.1 1 127.0.0.1 2");
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  static String rwStatus(Path sock, String server) throws IOException {
    return Seed.column(Resp.stats(sock, "show stat"), "status").get("redis-rw/" + server);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void theRwBackendFollowsOnlyWhatAQuorumOfSentinelsSays() throws Exception {
    try (Seed.Cluster c = new Seed.Cluster()) {
      for (int i = 0; i < 3; i++) {
        sentinels.add(new FakeSentinel());
      }
      try {
        run(c);
      } finally {
        for (FakeSentinel s : sentinels) {
          s.close();
        }
      }
    }
  }

  private void run(Seed.Cluster c) throws Exception {
    String master = "127.0.0.1:" + c.master.port;
    String replica = "127.0.0.1:" + c.r1.port;
    List<HostPort> list = new ArrayList<>();
    for (FakeSentinel s : sentinels) {
      list.add(new HostPort("127.0.0.1", s.port));
    }
    SentinelSpec spec = new SentinelSpec("redis-rw", "redis-ha", list, 2, 60_000, 120_000);
    Seed.Ports3 p = Seed.Ports3.free();
    Path sock = Seed.tempSocket("tripod.sock");
    try (Seed.Tripod t = new Seed.Tripod(Seed.config(p, c.ports(), "200ms", sock), List.of(spec))) {
      SentinelModeIT.withLogs(t, () -> {
        // 1. The sentinels do not know the master: nothing takes sessions, whatever the checks say.
        await().atMost(Duration.ofSeconds(10)).until(() -> rwStatus(sock, "redis-1").equals("DRAIN"));
        assertThat(SentinelModeIT.writeThrough(p.rw())).isFalse();
        assertThat(Resp.stats(sock, "show sentinels")).startsWith("redis-rw master 'redis-ha': none yet, 0/3 sentinels name it, 3 answering, quorum 2\n")
            .contains("  sentinel 127.0.0.1:" + sentinels.get(0).port + " answers (unknown master)\n");
        assertThat(Resp.stats(sock, "show servers state redis-rw")).containsPattern(" redis-1 127\\.0\\.0\\.1 2 8 ");

        // 2. The sentinels name the master: it is the only server used.
        answer(master, master, master);
        await().atMost(Duration.ofSeconds(5)).until(() -> SentinelModeIT.writeThrough(p.rw()));
        assertThat(Resp.backendPort(p.rw())).isEqualTo(c.master.port);
        assertThat(rwStatus(sock, "redis-1")).isEqualTo("UP");
        assertThat(t.stderr()).containsPattern("Server redis-rw/redis-1 is the master per sentinels \\([23]/3 sentinels "
            + "agree, quorum 2\\)\\. 0 sessions closed on other servers\\.");

        int alerts = count(t.stderr(), "proxy 'redis-rw' has no server available!");
        try (Resp longLived = new Resp(p.rw())) {
          assertThat(longLived.call("INFO", "server")).contains("tcp_port:" + c.master.port + "\r\n");
          // 3. One sentinel names the replica: no quorum, nothing changes.
          answer(replica, master, master);
          assertThat(longLived.call("PING")).isEqualTo("+PONG");
          assertThat(Resp.backendPort(p.rw())).isEqualTo(c.master.port);
          // 4. A quorum names the replica (still a replica: its check fails): the session on the
          // master is closed and nothing takes sessions; the master's own check is irrelevant.
          answer(replica, replica, replica);
          longLived.socket.setSoTimeout(10_000);
          assertThat(longLived.in.read()).isEqualTo(-1);
        }
        // (the sessions are closed on their own event loops while the switch is being logged; a
        // probe connection that its client already closed may still be counted)
        await().atMost(Duration.ofSeconds(5)).until(() -> java.util.regex.Pattern.compile("Server redis-rw/redis-2 is "
            + "the master per sentinels \\([23]/3 sentinels agree, quorum 2\\), redis-1 is not\\. [12] sessions closed on "
            + "other servers\\. Checking it now\\.").matcher(t.stderr()).find());
        // the replica's immediate check fails (role:slave): then no server is left
        await().atMost(Duration.ofSeconds(5)).until(() ->
            count(t.stderr(), "proxy 'redis-rw' has no server available!") > alerts);
        assertThat(t.stdout()).containsPattern(" redis-rw redis-rw/redis-1 \\d+/\\d+/\\d+ \\d+ DD ");
        assertThat(SentinelModeIT.writeThrough(p.rw())).isFalse(); // never -READONLY from the replica
        Map<String, String> st = Seed.column(Resp.stats(sock, "show stat"), "status");
        assertThat(st.get("redis-rw/redis-1")).isEqualTo("DRAIN");
        assertThat(st.get("redis-rw/redis-2")).isEqualTo("DOWN");

        // 5. The replica is promoted: one passing check (not rise = 2) makes it UP.
        try (Resp r = new Resp(c.r1.port)) {
          assertThat(r.call("REPLICAOF", "NO", "ONE")).isEqualTo("+OK");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> SentinelModeIT.writeThrough(p.rw()));
        assertThat(Resp.backendPort(p.rw())).isEqualTo(c.r1.port);
        assertThat(t.stderr()).contains("Backup Server redis-rw/redis-2 is UP, reason: Layer7 check passed");

        // 6. The sentinels disagree: the last agreed master is kept. (The proxy evaluates after each
        // sentinel's reply, with the others' previous answers: every step of this script is chosen
        // so that no mix of old and new answers gives another address a quorum.)
        int lost = count(t.stderr(), "Sentinels of redis-rw no longer agree");
        answer(master, "127.0.0.1:" + c.r2.port, replica);
        await().atMost(Duration.ofSeconds(5)).until(() -> count(t.stderr(), "Sentinels of redis-rw no longer agree") > lost);
        assertThat(t.stderr()).contains(": keeping redis-2 (" + replica + ") as the master.");
        assertThat(Resp.backendPort(p.rw())).isEqualTo(c.r1.port);
        answer(replica, replica, replica);
        await().atMost(Duration.ofSeconds(5)).until(() -> Resp.stats(sock, "show sentinels").startsWith(
            "redis-rw master 'redis-ha': redis-2 (" + replica + ") (agreed), 3/3 sentinels name it"));
        assertThat(t.stderr()).containsPattern("Sentinels of redis-rw agree again on master 'redis-ha': redis-2 \\("
            + replica + "\\) \\([23]/3 sentinels agree, quorum 2\\)\\.");

        // 7. A quorum names an address that is no server: nothing takes sessions.
        answer("127.0.0.1:1", "127.0.0.1:1", replica);
        await().atMost(Duration.ofSeconds(5)).until(() -> t.stderr().contains("Sentinels report 127.0.0.1:1 as the "
            + "master of 'redis-ha' (2/3 sentinels agree, quorum 2), which is no server of redis-rw: no server takes "
            + "sessions."));
        assertThat(SentinelModeIT.writeThrough(p.rw())).isFalse();
        answer(replica, replica, replica);
        await().atMost(Duration.ofSeconds(5)).until(() -> SentinelModeIT.writeThrough(p.rw()));
        assertThat(count(t.stderr(), "Server redis-rw/redis-2 is the master per sentinels")).isEqualTo(2);

        // 8. Two sentinels become unreachable: the last agreed master is kept.
        int lost2 = count(t.stderr(), "(1/3 answering, quorum 2): keeping redis-2");
        sentinels.get(0).close();
        sentinels.get(1).close();
        await().atMost(Duration.ofSeconds(5)).until(() ->
            count(t.stderr(), "(1/3 answering, quorum 2): keeping redis-2") > lost2);
        assertThat(t.stderr()).contains("Sentinel 127.0.0.1:" + sentinels.get(0).port + " of redis-rw is unreachable");
        assertThat(Resp.backendPort(p.rw())).isEqualTo(c.r1.port);
        assertThat(Resp.stats(sock, "show sentinels")).contains("(kept: no quorum now), 1/3 sentinels name it, 1 answering");
      });
    }
  }
}
