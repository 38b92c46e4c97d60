package io.tripod.sentinel.config;

import io.tripod.resp.SplitArgs;
import io.tripod.sentinel.core.Addr;
import io.tripod.sentinel.core.Instance;
import io.tripod.sentinel.core.SentinelCore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * sentinel.conf: the server directives a sentinel uses (port, bind, daemonize, pidfile, logfile,
 * dir, protected-mode, requirepass) and every {@code sentinel ...} directive of Redis 7.0, loaded
 * in Redis's three passes; and the rewrite that saves the state (myid, epochs, known replicas and
 * sentinels) so a restarted sentinel remembers.
 */
public final class SentinelConfig {
  public static final String VERSION = "7.0.15";

  public Path file;
  public int port = 26379;
  public List<String> bind = new ArrayList<>();
  public boolean daemonize;
  public String pidfile;
  public String logfile = "";
  public String dir;
  public boolean protectedMode;
  public String requirepass;
  public String loglevel = "notice";

  /** One {@code sentinel} line: its args (without the word "sentinel") and where it came from. */
  record SentinelLine(List<String> args, int lineNo, String text) {}

  private final List<SentinelLine> sentinelLines = new ArrayList<>();

  /** Reads the file (if any) then the {@code --directive value} overrides. */
  public static SentinelConfig load(String path, List<String> overrides) throws ConfigException {
    SentinelConfig c = new SentinelConfig();
    StringBuilder text = new StringBuilder();
    if (path != null) {
      c.file = Path.of(path).toAbsolutePath();
      try {
        text.append(Files.readString(c.file, StandardCharsets.UTF_8)).append('\n');
      } catch (IOException e) {
        throw new ConfigException(
            "Fatal error, can't open config file '" + path + "': " + reason(e));
      }
    }
    int fileLines = text.toString().split("\n", -1).length - 1;
    // Overrides: "--port 5 --sentinel monitor m 1.2.3.4 6379 2" -> lines, as redis-server does.
    StringBuilder ov = new StringBuilder();
    for (String o : overrides) {
      if (o.startsWith("--")) {
        if (ov.length() > 0) ov.append('\n');
        ov.append(o.substring(2));
      } else {
        ov.append(' ').append(quote(o));
      }
    }
    text.append(ov);
    String[] lines = text.toString().split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty() || line.startsWith("#")) continue;
      List<byte[]> raw = SplitArgs.split(line.getBytes(StandardCharsets.UTF_8));
      if (raw == null) {
        throw fatal(i + 1, line, "Unbalanced quotes in configuration line");
      }
      List<String> argv = new ArrayList<>();
      for (byte[] b : raw) argv.add(new String(b, StandardCharsets.UTF_8));
      if (argv.isEmpty()) continue;
      c.applyServer(argv, i + 1 > fileLines ? i + 1 : i + 1, line);
    }
    return c;
  }

  private static String quote(String s) {
    if (s.isEmpty() || s.contains(" ") || s.contains("\"")) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return s;
  }

  private void applyServer(List<String> argv, int lineNo, String line) throws ConfigException {
    String name = argv.get(0).toLowerCase(Locale.ROOT);
    int n = argv.size();
    switch (name) {
      case "sentinel":
        if (n < 2) throw fatal(lineNo, line, "Unrecognized sentinel configuration statement.");
        sentinelLines.add(new SentinelLine(argv.subList(1, n), lineNo, line));
        return;
      case "port":
        port = parseInt(argv, lineNo, line, 0, 65535, "Invalid port");
        return;
      case "bind":
        bind = new ArrayList<>(argv.subList(1, n));
        return;
      case "daemonize":
        daemonize = yesNo(argv, lineNo, line);
        return;
      case "pidfile":
        pidfile = arg1(argv, lineNo, line);
        return;
      case "logfile":
        logfile = arg1(argv, lineNo, line);
        return;
      case "dir":
        dir = arg1(argv, lineNo, line);
        return;
      case "protected-mode":
        protectedMode = yesNo(argv, lineNo, line);
        return;
      case "requirepass":
        requirepass = arg1(argv, lineNo, line);
        return;
      case "loglevel":
        loglevel = arg1(argv, lineNo, line).toLowerCase(Locale.ROOT);
        return;
      default:
        // Other server directives are accepted and kept for the rewrite; Sentinel ignores them.
    }
  }

  private static String arg1(List<String> argv, int lineNo, String line) throws ConfigException {
    if (argv.size() != 2) throw fatal(lineNo, line, "wrong number of arguments");
    return argv.get(1);
  }

  private static boolean yesNo(List<String> argv, int lineNo, String line) throws ConfigException {
    String v = arg1(argv, lineNo, line).toLowerCase(Locale.ROOT);
    if (v.equals("yes")) return true;
    if (v.equals("no")) return false;
    throw fatal(lineNo, line, "argument must be 'yes' or 'no'");
  }

  private static int parseInt(List<String> argv, int lineNo, String line, int min, int max, String err)
      throws ConfigException {
    try {
      int v = Integer.parseInt(arg1(argv, lineNo, line));
      if (v < min || v > max) throw fatal(lineNo, line, err);
      return v;
    } catch (NumberFormatException e) {
      throw fatal(lineNo, line, err);
    }
  }

  static ConfigException fatal(int lineNo, String line, String msg) {
    return new ConfigException(
        "\n*** FATAL CONFIG FILE ERROR (Redis " + VERSION + ") ***\n"
            + "Reading the configuration file, at line " + lineNo + "\n>>> '" + line + "'\n" + msg);
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) return "No such file or directory";
    if (e instanceof AccessDeniedException) return "Permission denied";
    return String.valueOf(e.getMessage());
  }

  /** sentinelCheckConfigFile: Sentinel refuses to run without a writable config file. */
  public void checkWritable() throws ConfigException {
    if (file == null) {
      throw new ConfigException("Sentinel needs config file on disk to save state. Exiting...");
    }
    if (!Files.isWritable(file)) {
      String why = Files.exists(file) ? "Permission denied" : "No such file or directory";
      try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE,
          java.nio.file.StandardOpenOption.APPEND)) {
        ch.size();
      } catch (java.nio.file.FileSystemException e) {
        if (e.getReason() != null) why = e.getReason();
      } catch (IOException e) {
        // keep the generic reason
      }
      throw new ConfigException(
          "Sentinel config file " + file + " is not writable: " + why + ". Exiting...");
    }
  }

  // ------------------------------------------------------------------ sentinel directives

  private static final List<String> PASS1 =
      List.of("announce-ip", "announce-port", "deny-scripts-reconfig", "sentinel-user",
          "sentinel-pass", "current-epoch", "myid", "resolve-hostnames", "announce-hostnames");

  /** Applies the {@code sentinel} directives to a fresh core, in Redis's three passes. */
  public void applyTo(SentinelCore core, long now) throws ConfigException {
    for (SentinelLine l : sentinelLines) {
      if (PASS1.contains(l.args.get(0).toLowerCase(Locale.ROOT))) apply(core, l, now);
    }
    for (SentinelLine l : sentinelLines) {
      if (l.args.get(0).equalsIgnoreCase("monitor")) apply(core, l, now);
    }
    for (SentinelLine l : sentinelLines) {
      String d = l.args.get(0).toLowerCase(Locale.ROOT);
      if (!PASS1.contains(d) && !d.equals("monitor")) apply(core, l, now);
    }
    core.port = port;
    core.forgetSelf();
  }

  private void apply(SentinelCore core, SentinelLine l, long now) throws ConfigException {
    String err = applyDirective(core, l.args, now);
    if (err != null) throw fatal(l.lineNo, l.text, err);
  }

  /** @return null or Redis's error text for this directive */
  static String applyDirective(SentinelCore core, List<String> a, long now) {
    String d = a.get(0).toLowerCase(Locale.ROOT);
    int n = a.size();
    try {
      switch (d) {
        case "monitor": {
          if (n != 5) return "Unrecognized sentinel configuration statement.";
          int quorum = Integer.parseInt(a.get(4));
          if (quorum <= 0) return "Quorum must be 1 or greater.";
          String host = a.get(2);
          if (!core.resolveHostnames && !isIp(host)) return "Can't resolve instance hostname.";
          int port = Integer.parseInt(a.get(3));
          if (port <= 0 || port > 65535) return "Invalid port number.";
          return core.monitor(a.get(1), new Addr(host, port), quorum, now);
        }
        case "down-after-milliseconds":
        case "failover-timeout":
        case "parallel-syncs":
        case "master-reboot-down-after-period":
        case "config-epoch":
        case "leader-epoch":
        case "auth-pass":
        case "auth-user":
        case "notification-script":
        case "client-reconfig-script": {
          if (n != 3) return "Unrecognized sentinel configuration statement.";
          Instance m = core.masters.get(a.get(1));
          if (m == null) return "No such master with specified name.";
          String v = a.get(2);
          switch (d) {
            case "down-after-milliseconds": {
              long ms = Long.parseLong(v);
              if (ms <= 0) return "negative or zero time parameter.";
              core.setDownAfter(m, ms);
              return null;
            }
            case "failover-timeout": {
              long ms = Long.parseLong(v);
              if (ms <= 0) return "negative or zero time parameter.";
              m.failoverTimeout = ms;
              return null;
            }
            case "parallel-syncs":
              m.parallelSyncs = Integer.parseInt(v);
              return null;
            case "master-reboot-down-after-period": {
              long ms = Long.parseLong(v);
              if (ms < 0) return "negative time parameter.";
              m.masterRebootDownAfterPeriod = ms;
              return null;
            }
            case "config-epoch":
              m.configEpoch = Long.parseLong(v);
              if (m.configEpoch > core.currentEpoch) core.currentEpoch = m.configEpoch;
              return null;
            case "leader-epoch":
              m.leaderEpoch = Long.parseLong(v);
              return null;
            case "auth-pass":
              m.authPass = v;
              return null;
            case "auth-user":
              m.authUser = v;
              return null;
            default: {
              Path p = Path.of(v);
              if (!Files.isExecutable(p)) {
                return "Notification script seems non existing or non executable.";
              }
              if (d.equals("notification-script")) {
                m.notificationScript = v;
              } else {
                m.clientReconfigScript = v;
              }
              return null;
            }
          }
        }
        case "known-slave":
        case "known-replica": {
          if (n != 4) return "Unrecognized sentinel configuration statement.";
          Instance m = core.masters.get(a.get(1));
          if (m == null) return "No such master with specified name.";
          int port = Integer.parseInt(a.get(3));
          if (port <= 0 || port > 65535) return "Invalid port number.";
          core.addReplica(m, new Addr(a.get(2), port), now);
          return null;
        }
        case "known-sentinel": {
          if (n != 4 && n != 5) return "Unrecognized sentinel configuration statement.";
          if (n == 4) return null; // 2.8-era form without runid: ignored
          Instance m = core.masters.get(a.get(1));
          if (m == null) return "No such master with specified name.";
          int port = Integer.parseInt(a.get(3));
          if (port <= 0 || port > 65535) return "Invalid port number.";
          core.addSentinel(m, new Addr(a.get(2), port), a.get(4), now);
          return null;
        }
        case "rename-command": {
          if (n != 4) return "Unrecognized sentinel configuration statement.";
          Instance m = core.masters.get(a.get(1));
          if (m == null) return "No such master with specified name.";
          m.renamedCommands.put(a.get(2).toLowerCase(Locale.ROOT), a.get(3));
          return null;
        }
        case "current-epoch": {
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          long e = Long.parseLong(a.get(1));
          if (e > core.currentEpoch) core.currentEpoch = e;
          return null;
        }
        case "myid": {
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          if (a.get(1).length() != 40) return "Malformed Sentinel id in myid option.";
          core.myid = a.get(1);
          return null;
        }
        case "announce-ip":
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          core.announceIp = a.get(1).isEmpty() ? null : a.get(1);
          return null;
        case "announce-port":
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          core.announcePort = Integer.parseInt(a.get(1));
          return null;
        case "deny-scripts-reconfig":
        case "resolve-hostnames":
        case "announce-hostnames": {
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          String v = a.get(1).toLowerCase(Locale.ROOT);
          if (!v.equals("yes") && !v.equals("no")) {
            return "Please specify yes or no for the " + d + " option.";
          }
          boolean b = v.equals("yes");
          if (d.equals("deny-scripts-reconfig")) core.denyScriptsReconfig = b;
          else if (d.equals("resolve-hostnames")) core.resolveHostnames = b;
          else core.announceHostnames = b;
          return null;
        }
        case "sentinel-user":
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          core.sentinelUser = a.get(1).isEmpty() ? null : a.get(1);
          return null;
        case "sentinel-pass":
          if (n != 2) return "Unrecognized sentinel configuration statement.";
          core.sentinelPass = a.get(1).isEmpty() ? null : a.get(1);
          return null;
        default:
          return "Unrecognized sentinel configuration statement.";
      }
    } catch (NumberFormatException e) {
      return "Unrecognized sentinel configuration statement.";
    }
  }

  /** A literal IPv4/IPv6 address (no name resolution). */
  public static boolean isIpLiteral(String host) {
    return isIp(host);
  }

  static boolean isIp(String host) {
    if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String p : host.split("\\.")) if (Integer.parseInt(p) > 255) return false;
      return true;
    }
    if (host.indexOf(':') >= 0 && host.matches("[0-9a-fA-F:.]+")) {
      try {
        InetAddress.getByName(host);
        return true;
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ rewrite

  /** The {@code sentinel ...} lines that describe the current state, in Redis's order. */
  public static List<String> stateLines(SentinelCore core) {
    List<String> out = new ArrayList<>();
    out.add("sentinel myid " + core.myid);
    if (!core.denyScriptsReconfig) out.add("sentinel deny-scripts-reconfig no");
    if (core.resolveHostnames) out.add("sentinel resolve-hostnames yes");
    if (core.announceHostnames) out.add("sentinel announce-hostnames yes");
    for (Instance m : core.masters.values()) {
      Addr ma = m.currentAddr();
      String nm = m.name;
      out.add("sentinel monitor " + nm + " " + ma.host() + " " + ma.port() + " " + m.quorum);
      if (m.downAfter != 30000) out.add("sentinel down-after-milliseconds " + nm + " " + m.downAfter);
      if (m.failoverTimeout != 180000) out.add("sentinel failover-timeout " + nm + " " + m.failoverTimeout);
      if (m.parallelSyncs != 1) out.add("sentinel parallel-syncs " + nm + " " + m.parallelSyncs);
      if (m.notificationScript != null) out.add("sentinel notification-script " + nm + " " + m.notificationScript);
      if (m.clientReconfigScript != null) out.add("sentinel client-reconfig-script " + nm + " " + m.clientReconfigScript);
      if (m.authPass != null) out.add("sentinel auth-pass " + nm + " " + quoteIfNeeded(m.authPass));
      if (m.authUser != null) out.add("sentinel auth-user " + nm + " " + quoteIfNeeded(m.authUser));
      if (m.masterRebootDownAfterPeriod != 0) {
        out.add("sentinel master-reboot-down-after-period " + nm + " " + m.masterRebootDownAfterPeriod);
      }
      out.add("sentinel config-epoch " + nm + " " + m.configEpoch);
      out.add("sentinel leader-epoch " + nm + " " + m.leaderEpoch);
      for (Instance r : m.replicas.values()) {
        Addr ra = r.addr.equals(ma) ? m.addr : r.addr;
        out.add("sentinel known-replica " + nm + " " + ra.host() + " " + ra.port());
      }
      for (Instance s : m.sentinels.values()) {
        if (s.runid == null) continue;
        out.add("sentinel known-sentinel " + nm + " " + s.addr.host() + " " + s.addr.port() + " " + s.runid);
      }
      for (var e : m.renamedCommands.entrySet()) {
        out.add("sentinel rename-command " + nm + " " + e.getKey() + " " + e.getValue());
      }
    }
    out.add("sentinel current-epoch " + core.currentEpoch);
    if (core.announceIp != null) out.add("sentinel announce-ip " + quoteIfNeeded(core.announceIp));
    if (core.announcePort != 0) out.add("sentinel announce-port " + core.announcePort);
    if (core.sentinelUser != null) out.add("sentinel sentinel-user " + quoteIfNeeded(core.sentinelUser));
    if (core.sentinelPass != null) out.add("sentinel sentinel-pass " + quoteIfNeeded(core.sentinelPass));
    return out;
  }

  private static String quoteIfNeeded(String s) {
    for (char ch : s.toCharArray()) {
      if (ch <= ' ' || ch == '"' || ch == '\'' || ch == '\\' || ch > '~') {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
          if (c == '"' || c == '\\') sb.append('\\').append(c);
          else if (c == '\n') sb.append("\\n");
          else if (c == '\r') sb.append("\\r");
          else if (c == '\t') sb.append("\\t");
          else if (c < ' ' || c == 127) sb.append(String.format("\\x%02x", (int) c));
          else sb.append(c);
        }
        return sb.append('"').toString();
      }
    }
    return s;
  }

  /**
   * Rewrites the config file: non-sentinel lines kept in place, old {@code sentinel} lines
   * dropped, the state appended after {@code # Generated by CONFIG REWRITE}. Atomic (temp file,
   * fsync, rename).
   */
  public void rewrite(SentinelCore core) throws IOException {
    List<String> old = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    List<String> out = new ArrayList<>();
    boolean hasPort = false;
    for (String l : old) {
      String t = l.trim();
      if (t.equals("# Generated by CONFIG REWRITE")) {
        continue;
      }
      String first = t.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
      if (first.equals("sentinel")) continue;
      if (first.equals("port")) {
        if (hasPort) continue;
        hasPort = true;
        out.add("port " + port);
        continue;
      }
      out.add(l);
    }
    while (!out.isEmpty() && out.get(out.size() - 1).trim().isEmpty()) out.remove(out.size() - 1);
    if (!hasPort) out.add("port " + port);
    out.add("# Generated by CONFIG REWRITE");
    out.addAll(stateLines(core));
    String text = String.join("\n", out) + "\n";
    Path tmp = file.resolveSibling("temp-" + ProcessHandle.current().pid() + "-" + file.getFileName());
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp); // as Redis unlinks its temp file when the rename fails
      throw e;
    }
  }
}
