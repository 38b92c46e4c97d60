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
  static final String[] COLUMNS = {"status", "check_status", "act", "bck", "weight", "check_rise",
      "check_fall", "check_health", "check_desc", "last_chk", "type", "iid", "sid", "mode", "algo", "uweight"};

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
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          last[0] = Resp.stats(tsock, "show stat");
          last[1] = Resp.stats(hsock, "show stat");
          assertThat(diff(last[0], last[1])).isEmpty();
          assertThat(Seed.column(last[1], "status").get("redis-rw/redis-2")).isEqualTo("DOWN");
        });
        assertThat(last[0].split("\n")[0]).isEqualTo(last[1].split("\n")[0]);
        assertThat(Seed.column(last[0], "svname").keySet()).containsExactlyElementsOf(Seed.column(last[1], "svname").keySet());
        assertThat(last[0]).endsWith("\n\n");
        Map<String, String> st = Seed.column(last[0], "status");
        assertThat(st.get("redis-rw/redis-1")).isEqualTo("UP");
        assertThat(st.get("redis-ro/redis-rw")).isEqualTo("no check");

        // One client session through each: the tcplog lines have the same shape.
        for (int port : new int[] {tp.rw(), hp.rw()}) {
          try (Resp r = new Resp(port)) {
            assertThat(r.call("PING")).isEqualTo("+PONG");
          }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> h.output("haproxy.log").contains(" redis-rw redis-rw/redis-1 ")
            && t.stdout().contains(" redis-rw redis-rw/redis-1 "));
        // The termination state depends on who closes first (haproxy logs "--" or "CC" for the
        // same PING-and-close client, run to run), so it is compared as a two-letter field.
        assertThat(withoutTermination(shape(logLine(t.stdout()))))
            .isEqualTo(withoutTermination(shape(logLine(h.output("haproxy.log")))))
            .isEqualTo("IP:PORT [DATE] redis-rw redis-rw/redis-1 N/N/N N TS N/N/N/N/N N/N");

        // The master goes away: both must mark redis-1 DOWN (L4CON) and the backends DOWN/UP alike.
        c.master.close();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          last[0] = Resp.stats(tsock, "show stat");
          last[1] = Resp.stats(hsock, "show stat");
          assertThat(diff(last[0], last[1])).isEmpty();
          assertThat(Seed.column(last[1], "status").get("redis-rw/redis-1")).isEqualTo("DOWN");
          assertThat(Seed.column(last[0], "check_status").get("redis-rw/redis-1")).isEqualTo("L4CON");
        });
        assertThat(Seed.column(last[0], "status").get("redis-rw/BACKEND")).isEqualTo("DOWN");
        assertThat(Seed.column(last[0], "last_chk").get("redis-rw/redis-1"))
            .isEqualTo(Seed.column(last[1], "last_chk").get("redis-rw/redis-1"))
            .isEqualTo("Connection refused at step 1 of tcp-check (connect)");
        assertThat(t.stderr()).contains("proxy 'redis-rw' has no server available!");
        // The state-change lines (stderr alert and log target) are the same, pid and duration aside.
        String down = "Backup Server redis-rw/redis-1 is DOWN";
        await().atMost(Duration.ofSeconds(5)).until(() -> h.output("haproxy.log").contains(down));
        assertThat(stateLines(t.stderr() + t.stdout(), down)).isEqualTo(stateLines(h.output("haproxy.log"), down))
            .hasSize(2);
        // A client of the listener without any server: accepted, then closed; same tcplog shape.
        for (int port : new int[] {tp.rw(), hp.rw()}) {
          try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
          }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> h.output("haproxy.log").contains("redis-rw/<NOSRV>")
            && t.stdout().contains("redis-rw/<NOSRV>"));
        assertThat(shape(nosrvLine(t.stdout()))).isEqualTo(shape(nosrvLine(h.output("haproxy.log"))));
        String servers = Resp.stats(tsock, "show servers state");
        assertThat(servers).startsWith("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
            assertThat(withoutTimes(Resp.stats(tsock, "show servers state")))
                .isEqualTo(withoutTimes(Resp.stats(hsock, "show servers state"))));
      }
    }
  }

  static String logLine(String out) {
    for (String l : out.split("\n")) {
      if (l.contains(" redis-rw redis-rw/redis-1 ")) {
        return l;
      }
    }
    throw new AssertionError("no tcplog line in " + out);
  }

  static java.util.List<String> stateLines(String out, String what) {
    java.util.List<String> l = new java.util.ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.contains(what)) {
        l.add(line.replaceAll("\\(\\d+\\)", "(PID)").replaceAll("check duration: \\d+ms", "check duration: Nms"));
      }
    }
    java.util.Collections.sort(l);
    return l;
  }

  static String nosrvLine(String out) {
    for (String l : out.split("\n")) {
      if (l.contains(" redis-rw redis-rw/<NOSRV> ")) {
        return l;
      }
    }
    throw new AssertionError("no <NOSRV> line in " + out);
  }

  static String withoutTermination(String shape) {
    return shape.replaceAll(" N [-A-Za-z]{2} N/", " N TS N/");
  }

  static String shape(String line) {
    return line.replaceAll("^\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+", "IP:PORT")
        .replaceAll("\\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\]", "[DATE]")
        .replaceAll("(?<=[ /])-?\\d+(?=[ /]|$)", "N");
  }

  /**
   * show servers state without srv_time_since_last_change, the ports (they differ by design) and
   * the in-progress bit / check result, which depend on when the sample is taken.
   */
  static String withoutTimes(String state) {
    StringBuilder sb = new StringBuilder();
    for (String l : state.split("\n")) {
      String[] f = l.split(" ");
      if (f.length > 20 && !l.startsWith("#")) {
        f[9] = "-";
        f[18] = "-";
        if ((Integer.parseInt(f[13]) & 1) != 0) { // check in progress: result not known yet
          f[13] = String.valueOf(Integer.parseInt(f[13]) & ~1);
          f[11] = "-";
        } else if (Integer.parseInt(f[13]) != 0) {
          f[11] = "-"; // whether the sample caught a check in progress is timing; compared above
        }
      }
      sb.append(String.join(" ", f)).append('\n');
    }
    return sb.toString();
  }

  /** Same rows and the same values in the compared columns ("* " in-progress marks ignored). */
  static boolean same(String a, String b) {
    return diff(a, b).isEmpty();
  }

  static String diff(String a, String b) {
    StringBuilder d = new StringBuilder();
    Map<String, String> runningA = Seed.column(a, "check_status");
    Map<String, String> runningB = Seed.column(b, "check_status");
    for (String col : COLUMNS) {
      Map<String, String> x = Seed.column(a, col);
      Map<String, String> y = Seed.column(b, col);
      if (col.equals("last_chk")) { // cleared while a check runs ("* " status): timing, not state
        for (String k : runningA.keySet()) {
          if (runningA.get(k).startsWith("* ") || String.valueOf(runningB.get(k)).startsWith("* ")) {
            x.put(k, "");
            y.put(k, "");
          }
        }
      }
      x.replaceAll((k, v) -> v.replace("* ", ""));
      y.replaceAll((k, v) -> v.replace("* ", ""));
      if (!x.equals(y)) {
        for (String k : y.keySet()) {
          if (!String.valueOf(x.get(k)).equals(y.get(k))) {
            d.append(col).append(' ').append(k).append(": tripod='").append(x.get(k)).append("' haproxy='")
                .append(y.get(k)).append("'\n");
          }
        }
      }
    }
    return d.toString();
  }
}
