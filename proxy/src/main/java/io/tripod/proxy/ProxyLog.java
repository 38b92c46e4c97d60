package io.tripod.proxy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HAProxy-style output: startup/runtime messages on stderr ({@code [WARNING]  (pid) : ...}) and
 * log lines (tcplog, server state changes) sent to the configured {@code log} targets: stdout,
 * stderr or a UDP syslog address (RFC 3164 framing). Other targets (e.g. /dev/log) are dropped.
 */
public final class ProxyLog {
  public static final long PID = ProcessHandle.current().pid();
  private static final DateTimeFormatter SYSLOG_TIME =
      DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

  private final PrintStream err;
  private final PrintStream out;
  private volatile boolean quiet;

  public ProxyLog(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public void setQuiet(boolean q) {
    quiet = q;
  }

  public void notice(String msg) {
    if (!quiet) {
      print("[NOTICE]   (" + PID + ") : " + msg);
    }
  }

  public void warning(String msg) {
    if (!quiet) {
      print("[WARNING]  (" + PID + ") : " + msg);
    }
  }

  public void alert(String msg) {
    print("[ALERT]    (" + PID + ") : " + msg);
  }

  private void print(String s) {
    synchronized (err) {
      err.println(s);
      err.flush();
    }
  }

  /** One resolved log target. */
  public static final class Target {
    final String kind; // stdout, stderr, udp
    final InetSocketAddress addr;

    Target(String kind, InetSocketAddress addr) {
      this.kind = kind;
      this.addr = addr;
    }
  }

  private DatagramChannel udp;

  /** Resolves {@code log} words into targets; unsupported ones are reported once. */
  public List<Target> resolve(List<String> words) {
    List<Target> t = new ArrayList<>();
    for (String w : words) {
      if (w.equals("stdout") || w.equals("fd@1")) {
        t.add(new Target("stdout", null));
      } else if (w.equals("stderr") || w.equals("fd@2")) {
        t.add(new Target("stderr", null));
      } else {
        String a = w.startsWith("udp@") || w.startsWith("ipv4@") ? w.substring(w.indexOf('@') + 1) : w;
        int c = a.lastIndexOf(':');
        if (!a.startsWith("/") && !a.contains("@")) {
          String host = c < 0 ? a : a.substring(0, c);
          int port = 514;
          if (c >= 0) {
            try {
              port = Integer.parseInt(a.substring(c + 1));
            } catch (NumberFormatException e) {
              port = 514;
            }
          }
          t.add(new Target("udp", new InetSocketAddress(host, port)));
        } else {
          warning("config : log target '" + w + "' is not supported by tripod proxy; those logs are dropped.");
        }
      }
    }
    return t;
  }

  /** Emits one log line (without the syslog header for stdout/stderr, as "format raw"). */
  public void log(List<Target> targets, int level, String line) {
    for (Target t : targets) {
      switch (t.kind) {
        case "stdout":
          synchronized (out) {
            out.println(line);
            out.flush();
          }
          break;
        case "stderr":
          print(line);
          break;
        default:
          sendUdp(t.addr, level, line);
      }
    }
  }

  private synchronized void sendUdp(InetSocketAddress to, int level, String line) {
    try {
      if (udp == null) {
        udp = DatagramChannel.open();
      }
      int pri = 16 * 8 + level; // facility local0
      String msg = "<" + pri + ">" + LocalDateTime.now().format(SYSLOG_TIME) + " haproxy[" + PID + "]: " + line;
      udp.send(ByteBuffer.wrap(msg.getBytes(StandardCharsets.UTF_8)), to);
    } catch (IOException e) {
      // syslog over UDP is best effort, as in HAProxy
    }
  }
}
