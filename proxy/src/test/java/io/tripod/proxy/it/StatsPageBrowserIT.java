package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP stats page rendered by a real headless Chromium: a master and a replica behind the
 * seed's rw and ro listeners plus a {@code listen stats} page. The DOM Chromium builds must show
 * every proxy and server with its state, check result and session counts; killing the replica
 * must turn its row DOWN on a re-render. A screenshot is kept in target/ for humans.
 */
class StatsPageBrowserIT {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** Column positions in a proxy table row (after expanding colspans). */
  static final int RATE_MAX = 5;
  static final int SCUR = 7;
  static final int SMAX = 8;
  static final int STOT = 10;
  static final int LBTOT = 11;
  static final int STATUS = 22;
  static final int LASTCHK = 23;
  static final int WGHT = 24;
  static final int ACT = 25;
  static final int BCK = 26;
  static final int CHK = 27;
  static final int DWN = 28;
  static final int COLUMNS = 31;

  @TempDir
  Path tmp;

  static void requireChromium() {
    if (Files.isExecutable(CHROMIUM)) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(CHROMIUM + " is missing: StatsPageBrowserIT needs Debian's chromium package in CI (apt-get install chromium)");
    }
    Assumptions.assumeTrue(false, CHROMIUM + " not installed; skipping the browser test");
  }

  /**
   * The seed's rw and ro listeners for one master and one replica, checks every 500 ms; fully DOWN
   * servers are checked every 3 s (downinter) so their 500 ms timeouts are rarely in progress.
   */
  static String config(int rw, int ro, int stats, int master, int replica) {
    String s = "global\n    log stdout format raw local0\n"
        + "defaults\n    log global\n    timeout connect 2s\n    timeout client 1m\n    timeout server 1m\n"
        + "listen stats\n    bind 127.0.0.1:" + stats + "\n    mode http\n    stats enable\n    stats uri /stats\n"
        + "    stats refresh 5s\n\n"
        + "listen redis-rw\n        bind 127.0.0.1:" + rw + "\n" + String.format(Seed.CHECKS, "role:master")
        + "        server redis-1 127.0.0.1:" + master + " check inter 500ms downinter 3s backup\n"
        + "        server redis-2 127.0.0.1:" + replica + " check inter 500ms downinter 3s backup\n"
        + "\nlisten redis-ro\n        bind 127.0.0.1:" + ro + "\n" + String.format(Seed.CHECKS, "master_link_status:up")
        + "        server redis-1 127.0.0.1:" + master + " check inter 500ms downinter 3s\n"
        + "        server redis-2 127.0.0.1:" + replica + " check inter 500ms downinter 3s\n"
        + "        server redis-rw 127.0.0.1:" + rw + " backup\n";
    return s;
  }

  @Test
  void chromiumRendersEveryProxyAndServerWithStateChecksAndSessions() throws Exception {
    requireChromium();
    int rw = Ports.free();
    int ro = Ports.free();
    int statsPort = Ports.free();
    try (ExternalProcess master = ExternalProcess.redis()) {
      ExternalProcess replica = ExternalProcess.redis("--replicaof", "127.0.0.1", String.valueOf(master.port));
      try (Seed.Tripod proxy = new Seed.Tripod(config(rw, ro, statsPort, master.port, replica.port))) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Seed.Cluster.linked(replica.port));
        String url = "http://127.0.0.1:" + statsPort + "/stats";
        // converge: master UP in rw, replica DOWN there after its role:master expect timed out; replica UP in ro
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          Map<String, String> st = Seed.column(httpGet(statsPort, "/stats;csv"), "status");
          Map<String, String> chk = Seed.column(httpGet(statsPort, "/stats;csv"), "check_status");
          return st.get("redis-rw/redis-1").equals("UP") && st.get("redis-rw/redis-2").equals("DOWN")
              && chk.get("redis-rw/redis-2").endsWith("L7TOUT") && st.get("redis-ro/redis-2").equals("UP")
              && st.get("redis-ro/redis-1").equals("DOWN");
        });

        int replicaDowns;
        try (Resp client = new Resp(rw)) {
          assertThat(client.call("SET", "k", "v")).isEqualTo("+OK"); // a live session through rw, on the master
          // a running check shows "* " and no detail text (as in HAProxy): render until the checks of interest are idle
          Dom dom = renderIdle(url, "redis-rw/redis-1", "redis-rw/redis-2", "redis-ro/redis-1", "redis-ro/redis-2");

          assertThat(dom.html).contains("Statistics Report for pid").contains("General process information");
          assertThat(dom.proxies()).containsExactly("stats", "redis-rw", "redis-ro");
          assertThat(dom.html).contains("<th colspan=\"3\">Queue</th>").contains("<th colspan=\"3\">Session rate</th>")
              .contains("<th colspan=\"6\">Sessions</th>").contains("<th colspan=\"9\">Server</th>")
              .contains("<th>LastChk</th>").contains("<th>Dwntme</th>");
          assertThat(dom.rowIds()).containsExactly("stats/Frontend", "stats/Backend",
              "redis-rw/Frontend", "redis-rw/redis-1", "redis-rw/redis-2", "redis-rw/Backend",
              "redis-ro/Frontend", "redis-ro/redis-1", "redis-ro/redis-2", "redis-ro/redis-rw", "redis-ro/Backend");

          // the stats listener counts the browser's own request
          Row statsFe = dom.row("stats/Frontend");
          assertThat(statsFe.text(STATUS)).isEqualTo("OPEN");
          assertThat(Integer.parseInt(statsFe.text(SCUR))).isGreaterThanOrEqualTo(1);

          Row fe = dom.row("redis-rw/Frontend");
          assertThat(fe.cls).isEqualTo("frontend");
          assertThat(fe.text(SCUR)).isEqualTo("1");
          assertThat(fe.text(STOT)).isEqualTo("1");
          assertThat(fe.text(RATE_MAX)).isEqualTo("1");

          Row m = dom.row("redis-rw/redis-1");
          assertThat(m.cls).isEqualTo("backup_up");
          assertThat(m.text(STATUS)).matches("\\d+[smhd].* UP");
          assertThat(m.text(LASTCHK)).matches("L7OK/0 in \\d+ms");
          assertThat(m.detail(LASTCHK)).isEqualTo("Layer7 check passed: (tcp-check)");
          assertThat(m.text(SCUR)).isEqualTo("1");
          assertThat(m.text(RATE_MAX)).isEqualTo("1");
          assertThat(m.text(SMAX)).isEqualTo("1");
          assertThat(m.text(STOT)).isEqualTo("1");
          assertThat(m.text(LBTOT)).isEqualTo("1");
          assertThat(m.text(WGHT)).isEqualTo("1/1");
          assertThat(m.text(ACT)).isEqualTo("-");
          assertThat(m.text(BCK)).isEqualTo("Y");
          assertThat(m.text(DWN)).isEqualTo("0");

          Row r = dom.row("redis-rw/redis-2");
          assertThat(r.cls).isEqualTo("backup_down");
          assertThat(r.text(STATUS)).endsWith(" DOWN");
          assertThat(r.text(LASTCHK)).matches("(\\* )?L7TOUT in \\d+ms");
          assertThat(r.detail(LASTCHK)).startsWith("Layer7 timeout")
              .contains("at step 5 of tcp-check (expect string 'role:master')");
          assertThat(r.text(SCUR)).isEqualTo("0");
          assertThat(r.text(STOT)).isEqualTo("0");
          assertThat(Integer.parseInt(r.text(CHK))).isGreaterThanOrEqualTo(1);
          assertThat(r.text(DWN)).isEqualTo("1");

          Row be = dom.row("redis-rw/Backend");
          assertThat(be.cls).isEqualTo("backend");
          assertThat(be.text(STATUS)).endsWith(" UP");
          assertThat(be.text(SCUR)).isEqualTo("1");
          assertThat(be.text(STOT)).isEqualTo("1");
          assertThat(be.text(ACT)).isEqualTo("0");
          assertThat(be.text(BCK)).isEqualTo("1");

          Row roMaster = dom.row("redis-ro/redis-1");
          assertThat(roMaster.cls).isEqualTo("active_down");
          assertThat(roMaster.detail(LASTCHK)).contains("expect string 'master_link_status:up'");
          Row roReplica = dom.row("redis-ro/redis-2");
          assertThat(roReplica.cls).isEqualTo("active_up");
          assertThat(roReplica.text(STATUS)).endsWith(" UP");
          assertThat(roReplica.text(ACT)).isEqualTo("Y");
          assertThat(roReplica.text(BCK)).isEqualTo("-");
          replicaDowns = Integer.parseInt(roReplica.text(DWN)); // 1 if its first check ran before the link was up
          Row fallback = dom.row("redis-ro/redis-rw");
          assertThat(fallback.cls).isEqualTo("backup_no_check");
          assertThat(fallback.text(STATUS)).isEqualTo("no check");
          assertThat(fallback.text(LASTCHK)).isEmpty();
          assertThat(dom.row("redis-ro/Backend").text(ACT)).isEqualTo("1");

          // ;up hides the fully DOWN servers, ;csv is the show stat export
          Dom up = new Dom(chromium("--dump-dom", url + ";up;norefresh"));
          assertThat(up.rowIds()).contains("redis-rw/redis-1", "redis-ro/redis-2", "redis-ro/redis-rw")
              .doesNotContain("redis-rw/redis-2", "redis-ro/redis-1");
          assertThat(up.html).contains("Show all servers");
          assertThat(chromium("--dump-dom", url + ";csv")).contains("# pxname,svname,qcur,qmax,scur,smax,slim,stot,")
              .contains("redis-rw,redis-1,0,0,1,1,,1,");

          Path shot = tmp.resolve("stats.png");
          chromium("--screenshot=" + shot, "--window-size=1700,900", "--hide-scrollbars", url + ";norefresh");
          assertThat(Files.size(shot)).isGreaterThan(10_000);
          Path kept = Path.of("target", "StatsPageBrowserIT-stats.png");
          Files.createDirectories(kept.getParent());
          Files.copy(shot, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        // the replica dies: its ro row goes DOWN with a layer-4 failure, rw keeps only the master
        replica.close();
        // (and the rw listener's own check of it, on its own downinter schedule, saw the refusal)
        await().atMost(Duration.ofSeconds(20)).until(() ->
            Seed.column(httpGet(statsPort, "/stats;csv"), "status").get("redis-ro/redis-2").equals("DOWN")
                && Seed.column(httpGet(statsPort, "/stats;csv"), "check_status").get("redis-rw/redis-2").endsWith("L4CON"));
        Dom after = renderIdle(url, "redis-ro/redis-2", "redis-rw/redis-2");
        Row dead = after.row("redis-ro/redis-2");
        assertThat(dead.cls).isEqualTo("active_down");
        assertThat(dead.text(STATUS)).endsWith(" DOWN");
        assertThat(dead.text(LASTCHK)).matches("(\\* )?L4CON in \\d+ms");
        assertThat(dead.detail(LASTCHK)).startsWith("Layer4 connection problem").contains("Connection refused");
        assertThat(dead.text(DWN)).isEqualTo(String.valueOf(replicaDowns + 1));
        assertThat(after.row("redis-ro/Backend").text(ACT)).isEqualTo("0");
        assertThat(after.row("redis-ro/redis-rw").cls).isEqualTo("backup_no_check");
        assertThat(after.row("redis-rw/redis-2").text(LASTCHK)).matches("(\\* )?L4CON in \\d+ms");
        assertThat(after.row("redis-rw/redis-1").cls).isEqualTo("backup_up");
        assertThat(after.row("redis-rw/redis-1").text(STOT)).isEqualTo("1");
        assertThat(after.row("redis-rw/redis-1").text(SCUR)).isEqualTo("0");
      } finally {
        replica.close();
      }
    }
  }

  /** Renders the page until none of the given servers has a check in progress. */
  Dom renderIdle(String url, String... servers) {
    AtomicReference<Dom> last = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
      Dom d = new Dom(chromium("--dump-dom", url));
      last.set(d);
      for (String id : servers) {
        if (d.row(id).text(LASTCHK).startsWith("* ")) {
          return false;
        }
      }
      return true;
    });
    return last.get();
  }

  /** One plain HTTP/1.0 GET; returns the body. */
  static String httpGet(int port, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return r.substring(r.indexOf("\r\n\r\n") + 4);
    }
  }

  /**
   * Runs headless Chromium with a fresh profile and returns its stdout. Bounded: after 60 s the
   * browser and its child processes are killed by PID.
   */
  String chromium(String... args) throws Exception {
    Path profile = Files.createTempDirectory(tmp, "profile-");
    Path out = tmp.resolve("chromium-" + System.nanoTime() + ".out");
    Path err = tmp.resolve("chromium-" + System.nanoTime() + ".err");
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        fail("chromium did not finish within 60 s: " + Files.readString(err));
      }
    } finally {
      List<ProcessHandle> children = p.descendants().toList();
      children.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      for (ProcessHandle c : children) {
        c.onExit().get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(p.exitValue()).as("chromium exit status; stderr: %s", Files.readString(err)).isZero();
    deleteTree(profile);
    return Files.readString(out);
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /** The DOM Chromium serialized, with just enough parsing to address table rows and cells. */
  static final class Dom {
    final String html;

    Dom(String html) {
      this.html = html;
      assertThat(html).as("chromium --dump-dom output").contains("</html>");
    }

    List<String> proxies() {
      List<String> l = new ArrayList<>();
      Matcher m = Pattern.compile("<table class=\"px\" id=\"px-([^\"]+)\"").matcher(html);
      while (m.find()) {
        l.add(unescape(m.group(1)));
      }
      return l;
    }

    List<String> rowIds() {
      List<String> l = new ArrayList<>();
      Matcher m = Pattern.compile("<tr class=\"[^\"]*\" id=\"([^\"]+)\"").matcher(html);
      while (m.find()) {
        l.add(unescape(m.group(1)));
      }
      return l;
    }

    Row row(String id) {
      Matcher m = Pattern.compile("<tr class=\"([^\"]*)\" id=\"" + Pattern.quote(id) + "\">(.*?)</tr>", Pattern.DOTALL)
          .matcher(html);
      assertThat(m.find()).as("row %s in the DOM", id).isTrue();
      List<String> cells = new ArrayList<>();
      Matcher c = Pattern.compile("<td([^>]*)>(.*?)</td>", Pattern.DOTALL).matcher(m.group(2));
      while (c.find()) {
        Matcher span = Pattern.compile("colspan=\"(\\d+)\"").matcher(c.group(1));
        int n = span.find() ? Integer.parseInt(span.group(1)) : 1;
        cells.add(c.group(2));
        for (int i = 1; i < n; i++) {
          cells.add("");
        }
      }
      assertThat(cells).as("cells of row %s", id).hasSize(COLUMNS);
      return new Row(m.group(1), cells);
    }
  }

  /** A table row's class and its cells' inner HTML, one entry per column. */
  record Row(String cls, List<String> cells) {
    /** The visible text of a cell (without its tooltip). */
    String text(int i) {
      String c = cells.get(i).replaceAll("(?s)<span class=\"det\">.*?</span>", "");
      return unescape(c.replaceAll("<[^>]+>", "")).trim();
    }

    /** The tooltip text of a cell. */
    String detail(int i) {
      Matcher m = Pattern.compile("(?s)<span class=\"det\">(.*?)</span>").matcher(cells.get(i));
      return m.find() ? unescape(m.group(1).replaceAll("<[^>]+>", "")) : "";
    }
  }

  static String unescape(String s) {
    return s.replace("&nbsp;", " ").replace("\u00a0", " ").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
  }

}
