package io.tripod.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code tripod status}: the topology {@code tripod up} runs, as its nodes see it. */
final class StatusMain {
  private StatusMain() {}

  static int run(String[] args) {
    Path dir = Path.of("tripod-up");
    int port = 6379;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir": dir = Path.of(args[++i]); break;
        case "--port": port = Integer.parseInt(args[++i]); break;
        default:
          System.err.println("tripod status: unknown option " + args[i]);
          return 2;
      }
    }
    int sentinelPort = port + 10000;
    System.out.println("Servers:");
    String[][] servers = {{"redis-1", "127.0.1.1"}, {"redis-2", "127.0.1.2"}, {"redis-3", "127.0.1.3"},
        {"redis-local", "127.0.0.4"}};
    for (String[] s : servers) {
      String info = call(s[1], port, "INFO", "replication");
      if (info == null) {
        System.out.printf("  %-12s %s:%d  DOWN%n", s[0], s[1], port);
        continue;
      }
      String role = field(info, "role");
      StringBuilder line = new StringBuilder(String.format("  %-12s %s:%d  %-6s offset=%s", s[0], s[1], port,
          role, field(info, "master_repl_offset")));
      if ("slave".equals(role)) {
        line.append(" master=").append(field(info, "master_host")).append(':').append(field(info, "master_port"))
            .append(" link=").append(field(info, "master_link_status"))
            .append(" lag_bytes=").append(lagBytes(info));
      } else {
        line.append(" replicas=").append(field(info, "connected_slaves"));
      }
      System.out.println(line);
    }
    System.out.println("Sentinels (master redis-ha):");
    for (int i = 1; i <= 3; i++) {
      String host = "127.0.1." + i;
      String addr = call(host, sentinelPort, "SENTINEL", "get-master-addr-by-name", "redis-ha");
      String info = call(host, sentinelPort, "INFO", "sentinel");
      if (addr == null) {
        System.out.printf("  sentinel-%d  %s:%d  DOWN%n", i, host, sentinelPort);
      } else {
        String master = info == null ? "" : field(info, "master0");
        System.out.printf("  sentinel-%d  %s:%d  master=%s  %s%n", i, host, sentinelPort, addr, master);
      }
    }
    System.out.println("Proxy:");
    Path sock = dir.toAbsolutePath().resolve("proxy/stats.sock");
    String stat = showStat(sock);
    if (stat == null) {
      System.out.println("  no stats socket at " + sock);
    } else {
      for (String[] r : serverRows(stat)) {
        System.out.printf("  %-16s %-12s %-8s sessions=%s%n", r[0], r[1], r[2], r[3]);
      }
    }
    return 0;
  }

  /** The server rows of {@code show stat} CSV: {pxname, svname, status, scur} (no FRONTEND/BACKEND). */
  static List<String[]> serverRows(String csv) {
    List<String[]> rows = new ArrayList<>();
    String[] lines = csv.split("\n");
    if (lines.length == 0 || !lines[0].startsWith("# ")) {
      return rows;
    }
    List<String> head = Arrays.asList(lines[0].substring(2).split(",", -1));
    int[] cols = {head.indexOf("pxname"), head.indexOf("svname"), head.indexOf("status"), head.indexOf("scur")};
    int need = Arrays.stream(cols).max().getAsInt();
    if (Arrays.stream(cols).min().getAsInt() < 0) {
      return rows;
    }
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split(",", -1);
      if (f.length > need && !f[cols[1]].equals("FRONTEND") && !f[cols[1]].equals("BACKEND")) {
        rows.add(new String[] {f[cols[0]], f[cols[1]], f[cols[2]], f[cols[3]]});
      }
    }
    return rows;
  }

  static String lagBytes(String info) {
    try {
      return Long.toString(Long.parseLong(field(info, "master_repl_offset")) - Long.parseLong(field(info, "slave_repl_offset")));
    } catch (NumberFormatException e) {
      return "?";
    }
  }

  static String field(String info, String name) {
    for (String l : info.split("\r\n")) {
      if (l.startsWith(name + ":")) {
        return l.substring(name.length() + 1);
      }
    }
    return "";
  }

  /** One command; the reply as text (bulk text, or array elements joined with ':'), null if down. */
  static String call(String host, int port, String... args) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      s.setSoTimeout(2000);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String a : args) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        b.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(x);
        b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      s.getOutputStream().write(b.toByteArray());
      InputStream in = s.getInputStream();
      ByteBuf buf = Unpooled.buffer();
      byte[] chunk = new byte[8192];
      ReplyDecoder d = new ReplyDecoder();
      while (true) {
        RespValue v = d.decode(buf);
        if (v != null) {
          if (v.elements() != null) {
            StringBuilder sb = new StringBuilder();
            for (RespValue e : v.elements()) {
              sb.append(sb.length() == 0 ? "" : ":").append(e.asString());
            }
            return sb.toString();
          }
          return v.isError() ? "error: " + v.asString() : v.asString();
        }
        int n = in.read(chunk);
        if (n < 0) {
          return null;
        }
        buf.writeBytes(chunk, 0, n);
      }
    } catch (IOException e) {
      return null;
    }
  }

  static String showStat(Path sock) {
    if (!Files.exists(sock)) {
      return null;
    }
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(sock));
      ch.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
      return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null;
    }
  }
}
