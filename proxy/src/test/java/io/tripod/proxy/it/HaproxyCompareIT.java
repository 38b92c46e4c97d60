package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed configuration run by the real haproxy 2.6 and by tripod proxy side by side (same redis
 * servers, different listener ports): {@code show stat} must report the same header and the same
 * status / check result / act / bck columns once both have converged, and again after a failure.
 */
class HaproxyCompareIT {
  static final String[] COLUMNS = {"status", "check_status", "act", "bck", "weight", "check_rise", "check_fall", "type", "iid", "sid", "mode", "algo"};

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void showStatMatchesRealHaproxy() throws Exception {
    ExternalProcess.binary("haproxy");
    try (Seed.Cluster c = new Seed.Cluster()) {
      Seed.Ports3 tp = Seed.Ports3.free();
      Seed.Ports3 hp = Seed.Ports3.free();
      Path tsock = Seed.tempSocket("tripod.sock");
      Path hsock = Seed.tempSocket("haproxy.sock");
      try (Seed.Tripod t = new Seed.Tripod(Seed.config(tp, c.ports(), "300ms", tsock));
          ExternalProcess h = ExternalProcess.haproxy(Seed.config(hp, c.ports(), "300ms", hsock), hp.rw())) {
        String[] last = new String[2];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
          last[0] = Resp.stats(tsock, "show stat");
          last[1] = Resp.stats(hsock, "show stat");
          return same(last[0], last[1]) && Seed.column(last[1], "status").get("redis-rw/redis-2").equals("DOWN");
        });
        assertThat(last[0].split("\n")[0]).isEqualTo(last[1].split("\n")[0]);
        assertThat(Seed.column(last[0], "svname").keySet()).containsExactlyElementsOf(Seed.column(last[1], "svname").keySet());
        assertThat(last[0]).endsWith("\n\n");
        Map<String, String> st = Seed.column(last[0], "status");
        assertThat(st.get("redis-rw/redis-1")).isEqualTo("UP");
        assertThat(st.get("redis-ro/redis-rw")).isEqualTo("no check");

        // The master goes away: both must mark redis-1 DOWN (L4CON) and the backends DOWN/UP alike.
        c.master.close();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
          last[0] = Resp.stats(tsock, "show stat");
          last[1] = Resp.stats(hsock, "show stat");
          return same(last[0], last[1]) && Seed.column(last[1], "status").get("redis-rw/redis-1").equals("DOWN")
              && Seed.column(last[0], "check_status").get("redis-rw/redis-1").equals("L4CON");
        });
        assertThat(Seed.column(last[0], "status").get("redis-rw/BACKEND")).isEqualTo("DOWN");
        assertThat(Seed.column(last[0], "last_chk").get("redis-rw/redis-1"))
            .isEqualTo(Seed.column(last[1], "last_chk").get("redis-rw/redis-1"))
            .isEqualTo("Connection refused at step 1 of tcp-check (connect)");
        assertThat(t.stderr()).contains("proxy 'redis-rw' has no server available!");
        String servers = Resp.stats(tsock, "show servers state");
        assertThat(servers).startsWith("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state");
        String hservers = Resp.stats(hsock, "show servers state");
        assertThat(servers.split("\n")[1]).isEqualTo(hservers.split("\n")[1]);
      }
    }
  }

  /** Same rows and the same values in the compared columns ("* " in-progress marks ignored). */
  static boolean same(String a, String b) {
    for (String col : COLUMNS) {
      Map<String, String> x = Seed.column(a, col);
      Map<String, String> y = Seed.column(b, col);
      x.replaceAll((k, v) -> v.replace("* ", ""));
      y.replaceAll((k, v) -> v.replace("* ", ""));
      if (!x.equals(y)) {
        return false;
      }
    }
    return true;
  }
}
