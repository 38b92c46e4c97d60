package io.tripod.proxy.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatsPageTest {
  static final String SV_UP = "px,a,0,0,2,3,,7,10,20,,0,,0,0,0,0,UP,1,1,0,0,0,65,0,,1,2,1,,7,,2,0,,0,L7OK,0,1,,,,,,,,,,,0,0,,,,,3,(tcp-check),,0,0,0,0,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:1,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,";

  static String csv(String... rows) {
    StringBuilder sb = new StringBuilder(StatsCsv.HEADER).append('\n');
    for (String r : rows) {
      sb.append(r).append('\n');
    }
    return sb.append('\n').toString();
  }

  static String server(String name, String status, String bck, String check) {
    String[] f = SV_UP.split(",", -1);
    f[1] = name;
    f[17] = status;
    f[19] = bck.equals("1") ? "0" : "1";
    f[20] = bck;
    f[36] = check;
    return String.join(",", f);
  }

  @Test
  void humanTimeKeepsTwoUnitsLikeHaproxy() {
    assertThat(StatsPage.humanTime("0")).isEqualTo("0s");
    assertThat(StatsPage.humanTime("9")).isEqualTo("9s");
    assertThat(StatsPage.humanTime("60")).isEqualTo("1m");
    assertThat(StatsPage.humanTime("65")).isEqualTo("1m5s");
    assertThat(StatsPage.humanTime("3725")).isEqualTo("1h2m");
    assertThat(StatsPage.humanTime("90061")).isEqualTo("1d1h");
    assertThat(StatsPage.humanTime("-1")).isEqualTo("?");
    assertThat(StatsPage.humanTime("")).isEqualTo("?");
  }

  @Test
  void rowClassFollowsStateAndBackupFlag() {
    assertThat(StatsPage.rowClass("UP", false)).isEqualTo("active_up");
    assertThat(StatsPage.rowClass("UP", true)).isEqualTo("backup_up");
    assertThat(StatsPage.rowClass("UP 1/3", false)).isEqualTo("active_going_down");
    assertThat(StatsPage.rowClass("DOWN 1/2", true)).isEqualTo("backup_going_up");
    assertThat(StatsPage.rowClass("DOWN", true)).isEqualTo("backup_down");
    assertThat(StatsPage.rowClass("MAINT", false)).isEqualTo("maintain");
    assertThat(StatsPage.rowClass("no check", true)).isEqualTo("backup_no_check");
  }

  @Test
  void rateCountsThisSecondPlusTheWeightedPreviousOne() {
    io.tripod.proxy.lb.Rate r = new io.tripod.proxy.lb.Rate();
    assertThat(r.current(10_000)).isZero();
    r.add(10_100);
    r.add(10_200);
    r.add(10_900);
    assertThat(r.current(10_950)).isEqualTo(3);
    assertThat(r.max()).isEqualTo(3);
    r.add(11_000);
    assertThat(r.current(11_250)).isEqualTo(1 + 3 * 750 / 1000);
    assertThat(r.current(12_500)).isEqualTo(0); // previous second had 1: 1 * 500 / 1000 rounds down
    assertThat(r.current(20_000)).isZero();
    assertThat(r.max()).isEqualTo(3);
  }

  @Test
  void optionsAfterTheUri() {
    assertThat(StatsPage.Options.parse("")).isEqualTo(new StatsPage.Options(false, false, false));
    assertThat(StatsPage.Options.parse(";up;csv")).isEqualTo(new StatsPage.Options(true, true, false));
    assertThat(StatsPage.Options.parse(";norefresh?scope=x")).isEqualTo(new StatsPage.Options(false, false, true));
  }

  @Test
  void upFilterHidesDownAndMaintServersOnly() {
    String all = csv(server("a", "UP", "0", "L7OK"), server("b", "DOWN", "0", "L7TOUT"),
        server("c", "DOWN 1/2", "0", "L7OK"), server("d", "MAINT", "1", ""), server("e", "no check", "1", ""));
    String up = StatsPage.filter(all, true);
    assertThat(up).contains("px,a,").contains("px,c,").contains("px,e,").doesNotContain("px,b,").doesNotContain("px,d,")
        .endsWith("\n\n").startsWith("# pxname,");
    assertThat(StatsPage.filter(all, false)).isSameAs(all);
  }

  @Test
  void serverRowShowsStatusLastCheckAndSessions() {
    String html = StatsPage.html(csv(server("a", "UP", "1", "L7OK"), server("b", "UP 2/3", "0", "* L7TOUT")),
        "Pid: 42\nUptime_sec: 3700\nMaxconn: 100\nCurrConns: 1\n", "/stats",
        new StatsPage.Options(false, false, false), true);
    assertThat(html).contains("Statistics Report for pid 42").contains("0d 1h01m40s")
        .contains("<tr class=\"backup_up\" id=\"px/a\">").contains("<tr class=\"active_going_down\" id=\"px/b\">")
        .contains("1m5s UP</td>").contains("1m5s UP 2/3</td>")
        .contains("L7OK/0 in 1ms<span class=\"det\">Layer7 check passed: (tcp-check)</span>")
        .contains("* L7TOUT/0 in 1ms")
        .contains("<td><span class=\"tip\">2<span class=\"det\">Current active connections: 2</span></span></td><td>3</td>")
        .contains("href=\"/stats;up\">Hide 'DOWN' servers</a>").contains("href=\"/stats;norefresh\">Disable refresh</a>")
        .contains("href=\"/stats;csv;norefresh\">CSV export</a>");
  }

  @Test
  void namesAreEscaped() {
    String html = StatsPage.html(csv(server("<b>", "UP", "0", "L7OK")), "", "/s", new StatsPage.Options(false, true, true),
        false);
    assertThat(html).contains("id=\"px/&lt;b&gt;\"").doesNotContain("<b>\"").contains(">Show all servers</a>")
        .doesNotContain("refresh</a>");
  }
}
