package io.tripod.proxy.stats;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.forward.Frontend;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The HTML stats page of a {@code mode http} listener with {@code stats enable}/{@code stats uri}.
 * {@code GET <uri>} returns HAProxy 2.6's page layout (our own markup): general process
 * information, a legend, then one table per proxy with a FRONTEND row, one row per server and a
 * BACKEND row, in the column groups Queue, Session rate, Sessions, Bytes, Denied, Errors, Warnings
 * and Server (Status with the time since the last change, LastChk such as {@code L7OK/0 in 1ms}
 * with the check description as a tooltip, Wght, Act, Bck, Chk, Dwn, Dwntme, Thrtle). Options
 * after the URI: {@code ;csv} (the {@code show stat} CSV), {@code ;up} (hide servers in MAINT or
 * fully DOWN), {@code ;norefresh} (no {@code Refresh} header even with {@code stats refresh}).
 * Everything is rendered from the CSV, so the page and the export never disagree. One request per
 * connection; the connection is counted in the stats frontend's sessions and bytes like HAProxy.
 */
public final class StatsPage extends ChannelInboundHandlerAdapter {
  private final ProxyConfig px;
  private final Frontend fe;
  private final Supplier<String> csv;
  private final Supplier<String> info;
  private final StringBuilder req = new StringBuilder();
  private boolean answered;

  /**
   * @param fe the stats listener's frontend (its session and byte counters), or null
   * @param csv the {@code show stat} answer
   * @param info the {@code show info} answer ({@code Key: value} lines)
   */
  public StatsPage(ProxyConfig px, Frontend fe, Supplier<String> csv, Supplier<String> info) {
    this.px = px;
    this.fe = fe;
    this.csv = csv;
    this.info = info;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (fe != null) {
      fe.opened();
    }
    // a connection that never sends a complete request (a browser's preconnect) is closed after
    // timeout client, as HAProxy does without timeout http-request
    long t = px.effectiveClientTimeout();
    if (t > 0) {
      ctx.executor().schedule(() -> {
        if (!answered) {
          ctx.close();
        }
      }, t, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (fe != null) {
      fe.closed();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      ByteBuf b = (ByteBuf) msg;
      if (fe != null) {
        fe.bin.add(b.readableBytes());
      }
      if (!answered) {
        req.append(b.toString(StandardCharsets.ISO_8859_1));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (answered) {
      return;
    }
    int end = req.indexOf("\r\n\r\n");
    if (end < 0 && req.indexOf("\n\n") < 0) {
      if (req.length() > 16384) {
        reply(ctx, "400 Bad Request", "text/plain", "Bad request\n", 0, true);
      }
      return;
    }
    String[] first = req.substring(0, req.indexOf("\n")).trim().split(" ");
    String uri = first.length > 1 ? first[1] : "/";
    String prefix = px.statsUri != null ? px.statsUri : "/haproxy?stats";
    boolean head = first[0].equals("HEAD");
    if (!first[0].equals("GET") && !head) {
      reply(ctx, "405 Method Not Allowed", "text/plain", "Method not allowed\n", 0, false);
    } else if (!uri.startsWith(prefix)) {
      reply(ctx, "503 Service Unavailable", "text/html",
          "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n",
          0, false);
    } else {
      Options o = Options.parse(uri.substring(prefix.length()));
      long refresh = o.norefresh ? 0 : px.statsRefreshSec;
      String data = filter(csv.get(), o.up);
      if (o.csv) {
        reply(ctx, "200 OK", "text/plain", data, refresh, head);
      } else {
        reply(ctx, "200 OK", "text/html", html(data, info.get(), prefix, o, px.statsRefreshSec > 0), refresh, head);
      }
    }
  }

  private void reply(ChannelHandlerContext ctx, String status, String type, String body, long refresh,
      boolean headOnly) {
    answered = true;
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + "\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: "
        + type + (type.startsWith("text/html") ? "; charset=utf-8" : "") + "\r\n"
        + (refresh > 0 ? "Refresh: " + refresh + "\r\n" : "") + "Content-Length: " + b.length + "\r\n\r\n";
    ByteBuf out = Unpooled.buffer(head.length() + (headOnly ? 0 : b.length));
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    if (!headOnly) {
      out.writeBytes(b);
    }
    if (fe != null) {
      fe.bout.add(out.readableBytes());
    }
    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** The {@code ;word} options after the stats URI. */
  record Options(boolean csv, boolean up, boolean norefresh) {
    static Options parse(String rest) {
      int q = rest.indexOf('?');
      if (q >= 0) {
        rest = rest.substring(0, q);
      }
      boolean csv = false;
      boolean up = false;
      boolean norefresh = false;
      for (String w : rest.split(";")) {
        switch (w) {
          case "csv": csv = true; break;
          case "up": up = true; break;
          case "norefresh": norefresh = true; break;
          default: break;
        }
      }
      return new Options(csv, up, norefresh);
    }
  }

  /**
   * {@code ;up}: drops the rows of servers in maintenance or fully DOWN (a DOWN server going up,
   * {@code DOWN 1/2}, stays), as HAProxy's "Hide 'DOWN' servers".
   */
  static String filter(String csv, boolean up) {
    if (!up) {
      return csv;
    }
    String[] lines = csv.split("\n", -1);
    String[] h = header(lines[0]);
    int svname = idx(h, "svname");
    int status = idx(h, "status");
    StringBuilder sb = new StringBuilder(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isEmpty()) {
        String[] f = CsvSplit.split(lines[i]);
        boolean server = !f[svname].equals("FRONTEND") && !f[svname].equals("BACKEND");
        if (server && (f[status].equals("DOWN") || f[status].startsWith("MAINT"))) {
          continue;
        }
      }
      sb.append('\n').append(lines[i]);
    }
    return sb.toString();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }

  private static String[] header(String line) {
    return line.substring(2).split(",", -1);
  }

  /** HAProxy's human_time: at most two units, e.g. {@code 0s}, {@code 9s}, {@code 1m5s}, {@code 2h3m}, {@code 1d4h}. */
  static String humanTime(String secs) {
    long t;
    try {
      t = Long.parseLong(secs);
    } catch (NumberFormatException e) {
      return "?";
    }
    if (t < 0) {
      return "?";
    }
    StringBuilder sb = new StringBuilder();
    int cnt = 2;
    if (t >= 86400) {
      sb.append(t / 86400).append('d');
      cnt--;
    }
    if (cnt > 0 && t % 86400 / 3600 != 0) {
      sb.append(t % 86400 / 3600).append('h');
      cnt--;
    }
    if (cnt > 0 && t % 3600 / 60 != 0) {
      sb.append(t % 3600 / 60).append('m');
      cnt--;
    }
    if (cnt > 0 && t % 60 != 0 || t == 0) {
      sb.append(t % 60).append('s');
    }
    return sb.toString();
  }

  /** The CSS class of a server row: active_/backup_ + up, going_down, down, going_up, no_check...; maintain. */
  static String rowClass(String status, boolean backup) {
    String kind;
    if (status.startsWith("MAINT")) {
      return "maintain";
    } else if (status.equals("no check")) {
      kind = "no_check";
    } else if (status.startsWith("UP ")) {
      kind = "going_down";
    } else if (status.startsWith("DOWN ")) {
      kind = "going_up";
    } else if (status.equals("UP")) {
      kind = "up";
    } else if (status.equals("NOLB")) {
      kind = "nolb";
    } else if (status.equals("DRAIN")) {
      kind = "draining";
    } else {
      kind = "down";
    }
    return (backup ? "backup_" : "active_") + kind;
  }

  private static final String STYLE = """
      body{font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#111;background:#fff;margin:8px}
      h1{font-size:20px;margin:0 0 2px 0}h1 small{font-size:12px;font-weight:normal;color:#555}
      h2{font-size:16px;color:#5a2a90;margin:0 0 6px 0}
      h3{font-size:14px;color:#9a0040;background:#ecebdc;margin:10px 0 4px 0;padding:1px 4px}
      .info{display:flex;gap:28px;align-items:flex-start;margin-bottom:10px}
      .info ul{margin:2px 0;padding-left:18px}
      table.legend{border-collapse:collapse}table.legend td{padding:1px 6px 1px 2px;white-space:nowrap}
      table.legend td.sw{width:14px;border:1px solid #888}
      table.px{border-collapse:collapse;width:100%;margin:0 0 14px 0}
      table.px td,table.px th{border:1px solid #999;padding:2px 4px;font-size:11px;white-space:nowrap}
      table.px td{text-align:right}table.px td.c,table.px td.name{text-align:center}
      table.px caption{text-align:left;padding:0}table.px td.name a{color:#000;text-decoration:none}
      table.px caption a{display:inline-block;background:#9a0040;color:#ffee55;font-weight:bold;padding:2px 10px;text-decoration:none}
      table.px th{background:#2cc4c8;color:#000}
      tr.frontend,tr.backend{background:#ecebdc}tr.backend td{font-weight:bold}
      .active_up{background:#c4f5c0}.active_going_down{background:#fcf7a4}.active_going_up{background:#fdd34a}
      .active_down,.backup_down{background:#fa9a96}.active_nolb,.active_draining{background:#5aaefa}
      .backup_up{background:#b8d4fc}.backup_going_down{background:#c86cf7}.backup_going_up{background:#f58af5}
      .backup_nolb{background:#98b4e0}.backup_draining{background:#cfa020}
      .active_no_check,.backup_no_check{background:#e2e2e2}.maintain{background:#c58a3c}
      span.tip{position:relative;border-bottom:1px dotted #333;cursor:help}
      span.tip span.det{display:none;position:absolute;left:0;top:1.4em;z-index:9;background:#f7f28a;border:1px solid #6a46b8;
      padding:2px 5px;white-space:nowrap;font-weight:normal;text-align:left;box-shadow:2px 2px 3px #888}
      span.tip:hover span.det{display:block}
      """;

  private static final String[][] GROUPS = {
    {"Queue", "Cur", "Max", "Limit"},
    {"Session rate", "Cur", "Max", "Limit"},
    {"Sessions", "Cur", "Max", "Limit", "Total", "LbTot", "Last"},
    {"Bytes", "In", "Out"},
    {"Denied", "Req", "Resp"},
    {"Errors", "Req", "Conn", "Resp"},
    {"Warnings", "Retr", "Redis"},
    {"Server", "Status", "LastChk", "Wght", "Act", "Bck", "Chk", "Dwn", "Dwntme", "Thrtle"},
  };

  /** Renders the (already filtered) CSV as HAProxy's page layout. */
  static String html(String csv, String info, String prefix, Options o, boolean refreshConfigured) {
    String[] lines = csv.split("\n");
    String[] h = header(lines[0]);
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < h.length; i++) {
      col.put(h[i], i);
    }
    Map<String, List<String[]>> byProxy = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      if (!lines[i].isEmpty()) {
        String[] f = CsvSplit.split(lines[i]);
        byProxy.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
      }
    }
    Map<String, String> inf = new HashMap<>();
    for (String l : info.split("\n")) {
      int c = l.indexOf(": ");
      if (c > 0) {
        inf.put(l.substring(0, c), l.substring(c + 2));
      }
    }
    String pid = inf.getOrDefault("Pid", "?");
    StringBuilder sb = new StringBuilder(16384);
    sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"><title>Statistics Report for tripod proxy</title>\n")
        .append("<style>\n").append(STYLE).append("</style></head>\n<body>\n")
        .append("<h1>tripod proxy <small>HAProxy 2.6 compatible, version ")
        .append(esc(inf.getOrDefault("Version", "?"))).append("</small></h1>\n")
        .append("<h2>Statistics Report for pid ").append(esc(pid)).append("</h2>\n")
        .append("<h3>General process information</h3>\n<div class=\"info\">\n<div id=\"process\">")
        .append("<b>pid = </b>").append(esc(pid)).append("<br>\n<b>uptime = </b>")
        .append(esc(uptime(inf.getOrDefault("Uptime_sec", "0")))).append("<br>\n<b>maxconn = </b>")
        .append(esc(inf.getOrDefault("Maxconn", "?"))).append("<br>\n<b>current conns = </b>")
        .append(esc(inf.getOrDefault("CurrConns", "?"))).append("</div>\n");
    legend(sb);
    String up = o.up ? ";up" : "";
    sb.append("<div><b>Display option:</b><ul>\n");
    if (o.up) {
      sb.append("<li><a href=\"").append(esc(prefix)).append(o.norefresh ? ";norefresh" : "")
          .append("\">Show all servers</a></li>\n");
    } else {
      sb.append("<li><a href=\"").append(esc(prefix)).append(";up").append(o.norefresh ? ";norefresh" : "")
          .append("\">Hide 'DOWN' servers</a></li>\n");
    }
    if (refreshConfigured) {
      if (o.norefresh) {
        sb.append("<li><a href=\"").append(esc(prefix)).append(up).append("\">Enable refresh</a></li>\n");
      } else {
        sb.append("<li><a href=\"").append(esc(prefix)).append(up).append(";norefresh\">Disable refresh</a></li>\n");
      }
    }
    sb.append("<li><a href=\"").append(esc(prefix)).append(up).append(o.norefresh ? ";norefresh" : "")
        .append("\">Refresh now</a></li>\n<li><a href=\"").append(esc(prefix)).append(up)
        .append(";csv;norefresh\">CSV export</a></li>\n</ul></div>\n</div>\n");
    for (Map.Entry<String, List<String[]>> e : byProxy.entrySet()) {
      proxyTable(sb, e.getKey(), e.getValue(), col);
    }
    return sb.append("</body></html>\n").toString();
  }

  private static String uptime(String secs) {
    long t;
    try {
      t = Long.parseLong(secs);
    } catch (NumberFormatException e) {
      t = 0;
    }
    return String.format(java.util.Locale.ROOT, "%dd %dh%02dm%02ds", t / 86400, t % 86400 / 3600, t % 3600 / 60, t % 60);
  }

  private static void legend(StringBuilder sb) {
    String[][] items = {
      {"active_up", "active UP"}, {"backup_up", "backup UP"},
      {"active_going_down", "active UP, going down"}, {"backup_going_down", "backup UP, going down"},
      {"active_going_up", "active DOWN, going up"}, {"backup_going_up", "backup DOWN, going up"},
      {"active_down", "active or backup DOWN"}, {"active_no_check", "not checked"},
      {"maintain", "active or backup DOWN for maintenance (MAINT)"},
      {"active_draining", "active or backup SOFT STOPPED for maintenance"},
    };
    sb.append("<table class=\"legend\">\n");
    for (int i = 0; i < items.length; i += 2) {
      sb.append("<tr>");
      for (int j = i; j < i + 2 && j < items.length; j++) {
        sb.append("<td class=\"sw ").append(items[j][0]).append("\"></td><td>").append(esc(items[j][1])).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</table>\n");
  }

  private static void proxyTable(StringBuilder sb, String name, List<String[]> rows, Map<String, Integer> col) {
    String n = esc(name);
    sb.append("<table class=\"px\" id=\"px-").append(n).append("\">\n<caption><a name=\"").append(n)
        .append("\" href=\"#").append(n).append("\">").append(n).append("</a></caption>\n<tr><th rowspan=\"2\"></th>");
    for (String[] g : GROUPS) {
      sb.append("<th colspan=\"").append(g.length - 1).append("\">").append(g[0]).append("</th>");
    }
    sb.append("</tr>\n<tr>");
    for (String[] g : GROUPS) {
      for (int i = 1; i < g.length; i++) {
        sb.append("<th>").append(g[i]).append("</th>");
      }
    }
    sb.append("</tr>\n");
    for (String[] f : rows) {
      Row r = new Row(f, col);
      String sv = r.get("svname");
      if (sv.equals("FRONTEND")) {
        frontendRow(sb, name, r);
      } else if (sv.equals("BACKEND")) {
        backendRow(sb, name, r);
      } else {
        serverRow(sb, name, r);
      }
    }
    sb.append("</table>\n");
  }

  /** One CSV row addressed by column name. */
  private record Row(String[] f, Map<String, Integer> col) {
    String get(String name) {
      Integer i = col.get(name);
      return i == null || i >= f.length ? "" : f[i];
    }
  }

  private static void nameCell(StringBuilder sb, String px, String label, String cls, String key) {
    String id = esc(px + "/" + key);
    sb.append("<tr class=\"").append(cls).append("\" id=\"").append(id).append("\"><td class=\"name\"><a name=\"")
        .append(id).append("\" href=\"#").append(id).append("\">").append(esc(label)).append("</a></td>");
  }

  private static void td(StringBuilder sb, String v) {
    sb.append("<td>").append(esc(v)).append("</td>");
  }

  private static void tdc(StringBuilder sb, String html) {
    sb.append("<td class=\"c\">").append(html).append("</td>");
  }

  private static void tip(StringBuilder sb, String value, String detail, boolean center) {
    sb.append(center ? "<td class=\"c\">" : "<td>").append("<span class=\"tip\">").append(esc(value))
        .append("<span class=\"det\">").append(esc(detail)).append("</span></span></td>");
  }

  private static void empty(StringBuilder sb, int n) {
    if (n == 1) {
      sb.append("<td></td>");
    } else {
      sb.append("<td colspan=\"").append(n).append("\"></td>");
    }
  }

  /** HAProxy's LIM2A: an unset or zero limit shows as "-". */
  private static String dash(String v) {
    return v.isEmpty() || v.equals("0") ? "-" : v;
  }

  private static void frontendRow(StringBuilder sb, String px, Row r) {
    nameCell(sb, px, "Frontend", "frontend", "Frontend");
    empty(sb, 3);
    tip(sb, r.get("rate"), "Current connection rate: " + r.get("conn_rate") + "/s, session rate: " + r.get("rate") + "/s", false);
    tip(sb, r.get("rate_max"), "Max connection rate: " + r.get("conn_rate_max") + "/s, session rate: "
        + r.get("rate_max") + "/s", false);
    td(sb, dash(r.get("rate_lim")));
    td(sb, r.get("scur"));
    td(sb, r.get("smax"));
    td(sb, r.get("slim"));
    tip(sb, r.get("stot"), "Cum. connections: " + r.get("conn_tot") + ", cum. sessions: " + r.get("stot"), false);
    empty(sb, 1);
    empty(sb, 1);
    td(sb, r.get("bin"));
    td(sb, r.get("bout"));
    td(sb, r.get("dreq"));
    td(sb, r.get("dresp"));
    td(sb, r.get("ereq"));
    empty(sb, 1);
    empty(sb, 1);
    empty(sb, 1);
    empty(sb, 1);
    tdc(sb, esc(r.get("status")));
    empty(sb, 8);
    sb.append("</tr>\n");
  }

  private static void serverRow(StringBuilder sb, String px, Row r) {
    String status = r.get("status");
    boolean backup = r.get("bck").equals("1");
    nameCell(sb, px, r.get("svname"), rowClass(status, backup), r.get("svname"));
    td(sb, r.get("qcur"));
    td(sb, r.get("qmax"));
    td(sb, dash(r.get("qlimit")));
    td(sb, r.get("rate"));
    td(sb, r.get("rate_max"));
    empty(sb, 1);
    tip(sb, r.get("scur"), "Current active connections: " + r.get("scur"), false);
    td(sb, r.get("smax"));
    td(sb, dash(r.get("slim")));
    tip(sb, r.get("stot"), "Cum. sessions: " + r.get("stot"), false);
    td(sb, r.get("lbtot"));
    td(sb, humanTime(r.get("lastsess")));
    td(sb, r.get("bin"));
    td(sb, r.get("bout"));
    empty(sb, 1);
    td(sb, r.get("dresp"));
    empty(sb, 1);
    td(sb, r.get("econ"));
    tip(sb, r.get("eresp"), "Connection resets during transfers: " + r.get("cli_abrt") + " client, "
        + r.get("srv_abrt") + " server", false);
    td(sb, r.get("wretr"));
    td(sb, r.get("wredis"));
    String lastchg = humanTime(r.get("lastchg"));
    tdc(sb, status.equals("no check") ? "<i>no check</i>" : esc(lastchg + " " + status));
    String chk = r.get("check_status");
    if (chk.isEmpty()) {
      empty(sb, 1);
    } else {
      String text = chk + (r.get("check_code").isEmpty() ? "" : "/" + r.get("check_code"))
          + (r.get("check_duration").isEmpty() ? "" : " in " + r.get("check_duration") + "ms");
      String desc = r.get("check_desc") + (r.get("last_chk").isEmpty() ? "" : ": " + r.get("last_chk"));
      tip(sb, text, desc, true);
    }
    tdc(sb, esc(r.get("weight") + "/" + r.get("uweight")));
    tdc(sb, backup ? "-" : "Y");
    tdc(sb, backup ? "Y" : "-");
    if (r.get("check_status").isEmpty() && r.get("chkfail").isEmpty()) {
      empty(sb, 3);
    } else {
      tip(sb, r.get("chkfail"), "Failed Health Checks", false);
      td(sb, r.get("chkdown"));
      td(sb, humanTime(r.get("downtime")));
    }
    tdc(sb, r.get("throttle").isEmpty() ? "-" : esc(r.get("throttle")) + " %");
    sb.append("</tr>\n");
  }

  private static void backendRow(StringBuilder sb, String px, Row r) {
    nameCell(sb, px, "Backend", "backend", "Backend");
    td(sb, r.get("qcur"));
    td(sb, r.get("qmax"));
    empty(sb, 1);
    td(sb, r.get("rate"));
    td(sb, r.get("rate_max"));
    empty(sb, 1);
    td(sb, r.get("scur"));
    td(sb, r.get("smax"));
    td(sb, r.get("slim"));
    tip(sb, r.get("stot"), "Cum. sessions: " + r.get("stot"), false);
    td(sb, r.get("lbtot"));
    td(sb, humanTime(r.get("lastsess")));
    td(sb, r.get("bin"));
    td(sb, r.get("bout"));
    td(sb, r.get("dreq"));
    td(sb, r.get("dresp"));
    empty(sb, 1);
    td(sb, r.get("econ"));
    tip(sb, r.get("eresp"), "Connection resets during transfers: " + r.get("cli_abrt") + " client, "
        + r.get("srv_abrt") + " server", false);
    td(sb, r.get("wretr"));
    td(sb, r.get("wredis"));
    tdc(sb, esc(humanTime(r.get("lastchg")) + " " + r.get("status")));
    tdc(sb, "&nbsp;");
    tdc(sb, esc(r.get("weight") + "/" + r.get("uweight")));
    tdc(sb, esc(r.get("act")));
    tdc(sb, esc(r.get("bck")));
    tdc(sb, "&nbsp;");
    td(sb, r.get("chkdown"));
    td(sb, r.get("downtime").isEmpty() ? "" : humanTime(r.get("downtime")));
    empty(sb, 1);
    sb.append("</tr>\n");
  }

  private static int idx(String[] h, String name) {
    for (int i = 0; i < h.length; i++) {
      if (h[i].equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  /** Splits one CSV row produced by {@link StatsCsv} (fields may be double-quoted). */
  public static final class CsvSplit {
    private CsvSplit() {}

    public static String[] split(String line) {
      List<String> out = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      boolean q = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (q) {
          if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else if (c == '"') {
            q = false;
          } else {
            cur.append(c);
          }
        } else if (c == '"') {
          q = true;
        } else if (c == ',') {
          out.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      out.add(cur.toString());
      return out.toArray(new String[0]);
    }
  }
}
