package io.tripod.proxy.stats;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tripod.proxy.config.ProxyConfig;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The HTML stats page of a {@code mode http} listener with {@code stats enable}/{@code stats uri}:
 * {@code GET <uri>} returns a page listing every proxy and server with its status, last check and
 * sessions; {@code GET <uri>;csv} returns the {@code show stat} CSV. One request per connection.
 */
public final class StatsPage extends ChannelInboundHandlerAdapter {
  private final ProxyConfig px;
  private final Supplier<String> csv;
  private final StringBuilder req = new StringBuilder();

  public StatsPage(ProxyConfig px, Supplier<String> csv) {
    this.px = px;
    this.csv = csv;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      req.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
    } finally {
      ReferenceCountUtil.release(msg);
    }
    int end = req.indexOf("\r\n\r\n");
    if (end < 0 && req.indexOf("\n\n") < 0) {
      if (req.length() > 16384) {
        reply(ctx, "400 Bad Request", "text/plain", "Bad request\n");
      }
      return;
    }
    String[] first = req.substring(0, req.indexOf("\n")).trim().split(" ");
    String uri = first.length > 1 ? first[1] : "/";
    String prefix = px.statsUri != null ? px.statsUri : "/haproxy?stats";
    if (!first[0].equals("GET") && !first[0].equals("HEAD")) {
      reply(ctx, "405 Method Not Allowed", "text/plain", "Method not allowed\n");
    } else if (!uri.startsWith(prefix)) {
      reply(ctx, "503 Service Unavailable", "text/html",
          "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n");
    } else if (uri.contains(";csv")) {
      reply(ctx, "200 OK", "text/plain", csv.get());
    } else {
      reply(ctx, "200 OK", "text/html", html(csv.get()));
    }
  }

  private static void reply(ChannelHandlerContext ctx, String status, String type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + "\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: "
        + type + "\r\nContent-Length: " + b.length + "\r\n\r\n";
    ByteBuf out = Unpooled.buffer(head.length() + b.length);
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1)).writeBytes(b);
    ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** Renders the CSV as one table per proxy. */
  static String html(String csv) {
    String[] lines = csv.split("\n");
    String[] h = lines[0].substring(2).split(",", -1);
    int pxname = 0;
    int svname = 1;
    int scur = idx(h, "scur");
    int smax = idx(h, "smax");
    int stot = idx(h, "stot");
    int status = idx(h, "status");
    int chk = idx(h, "check_status");
    int dur = idx(h, "check_duration");
    int desc = idx(h, "last_chk");
    int act = idx(h, "act");
    int bck = idx(h, "bck");
    int lastchg = idx(h, "lastchg");
    StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html><head><title>Statistics Report for tripod proxy</title>\n"
        + "<style>body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse;margin-bottom:1em}"
        + "td,th{border:1px solid #999;padding:2px 6px}th{background:#20a0ff;color:#fff}"
        + ".UP{background:#c0ffc0}.DOWN{background:#ffa0a0}.MAINT{background:#c080ff}.going{background:#ffffa0}"
        + "</style></head><body>\n<h1>tripod proxy statistics (HAProxy 2.6 compatible)</h1>\n");
    String current = null;
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] f = CsvSplit.split(lines[i]);
      if (!f[pxname].equals(current)) {
        if (current != null) {
          sb.append("</table>\n");
        }
        current = f[pxname];
        sb.append("<h2>").append(esc(current)).append("</h2>\n<table><tr><th>Name</th><th>Status</th>"
            + "<th>LastChk</th><th>Check</th><th>Cur</th><th>Max</th><th>Total</th><th>Act</th><th>Bck</th>"
            + "<th>Last change (s)</th></tr>\n");
      }
      String st = f[status];
      String cls = st.startsWith("UP ") || st.startsWith("DOWN ") ? "going" : st.split(" ")[0];
      sb.append("<tr class=\"").append(esc(cls)).append("\"><td>").append(esc(f[svname])).append("</td><td>")
          .append(esc(st)).append("</td><td>").append(esc(f[chk]))
          .append(f[dur].isEmpty() ? "" : " in " + esc(f[dur]) + "ms").append("</td><td>").append(esc(f[desc]))
          .append("</td><td>").append(esc(f[scur])).append("</td><td>").append(esc(f[smax])).append("</td><td>")
          .append(esc(f[stot])).append("</td><td>").append(esc(f[act])).append("</td><td>").append(esc(f[bck]))
          .append("</td><td>").append(esc(f[lastchg])).append("</td></tr>\n");
    }
    if (current != null) {
      sb.append("</table>\n");
    }
    return sb.append("</body></html>\n").toString();
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
      java.util.List<String> out = new java.util.ArrayList<>();
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
