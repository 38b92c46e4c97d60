package io.tripod.cli;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tripod up}: the seed's whole topology on this machine, from the configs in
 * examples/seed/ (its hosts 10.1.1.1-3 mapped to 127.0.1.1-3): three Tripod servers (one master,
 * two replicas), a Tripod sentinel beside each, the proxy with the three endpoints, and the local
 * replica. Every node is its own process (so a node can be killed like a host can fail); this
 * process supervises them, streams a concise event log, and stops them all on Ctrl-C.
 *
 * <p>Options: {@code --dir DIR} (data, configs and logs; default ./tripod-up), {@code --port P}
 * (use P instead of 6379 everywhere, and P+10000 instead of 16379, when 6379 is taken).
 */
final class UpMain {
  private UpMain() {}

  static final String[] SEED_FILES = {"r1_redis.conf", "r2_redis.conf", "r3_redis.conf", "r1_sentinel.conf",
      "r2_sentinel.conf", "r3_sentinel.conf", "haproxy.cfg", "local_redis.conf"};
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  /** A child process of the topology. */
  record Node(String name, String kind, String host, int port, Process process, Path pidFile) {}

  static final List<Node> NODES = new ArrayList<>();

  static int run(String[] args) {
    Path dir = Path.of("tripod-up");
    int port = 6379;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dir": dir = Path.of(args[++i]); break;
        case "--port": port = Integer.parseInt(args[++i]); break;
        case "-h":
        case "--help":
          System.out.println("Usage: tripod up [--dir DIR] [--port PORT]");
          return 0;
        default:
          System.err.println("tripod up: unknown option " + args[i]);
          return 2;
      }
    }
    int sentinelPort = port + 10000;
    try {
      dir = dir.toAbsolutePath();
      Path conf = dir.resolve("conf");
      Files.createDirectories(conf);
      for (String f : SEED_FILES) {
        String text = seedFile(f).replace("16379", Integer.toString(sentinelPort)).replace("6379", Integer.toString(port));
        if (f.equals("haproxy.cfg")) {
          Files.createDirectories(dir.resolve("proxy"));
          text = "global\n    stats socket " + dir.resolve("proxy/stats.sock") + " mode 600 level admin\n\n" + text;
        }
        if (f.endsWith("_sentinel.conf")) {
          // A sentinel tells its peers its address in hello messages; on one machine its outgoing
          // connections all come from 127.0.0.1, so it announces its own host address.
          text += "sentinel announce-ip 127.0.1." + f.charAt(1) + "\n";
        }
        Path target = conf.resolve(f);
        // Sentinels rewrite their config: keep what a previous run learned.
        if (!(f.contains("sentinel") && Files.exists(target))) {
          Files.writeString(target, text);
        }
      }
      Runtime.getRuntime().addShutdownHook(new Thread(UpMain::stopAll, "tripod-up-stop"));
      log("starting the seed topology under " + dir);
      for (int i = 1; i <= 3; i++) {
        String host = "127.0.1." + i;
        // replica-ack-writes: a write is acknowledged once both replicas have it, so the replica
        // Sentinel promotes after a crash holds every write a client saw acknowledged.
        startNode("redis-" + i, "server", host, port, dir.resolve("r" + i), conf.resolve("r" + i + "_redis.conf"),
            "--bind-source-addr", host, "--replica-ack-writes", "yes");
      }
      for (int i = 1; i <= 3; i++) {
        awaitPort("127.0.1." + i, port, 30_000);
      }
      for (int i = 1; i <= 3; i++) {
        String host = "127.0.1." + i;
        // A sentinel tells its peers the address in its hello messages; on one machine its
        // outgoing connections all come from 127.0.0.1, so it announces its own host address.
        startNode("sentinel-" + i, "sentinel", host, sentinelPort, dir.resolve("s" + i),
            conf.resolve("r" + i + "_sentinel.conf"));
      }
      // The proxy marks a server DOWN at its first failed check, and UP again only after `rise`
      // passed ones: it starts once the replicas are linked, so its first checks find them so.
      for (int i = 2; i <= 3; i++) {
        awaitLinked("127.0.1." + i, port, 30_000);
      }
      startProxy(dir, conf.resolve("haproxy.cfg"), sentinelMaster(conf, sentinelPort));
      for (Node n : NODES) {
        awaitPort(n.host(), n.port(), 60_000);
      }
      Path sock = dir.resolve("proxy/stats.sock");
      // The local replica lives on the application host and replicates through the read-only
      // endpoint. It starts once that endpoint routes to the replicas only (the master's first
      // check there has failed), so it chains off a replica, as in the seed, not off the master.
      // The master sees it at the proxy's address; in the seed that is the application host, where
      // nothing serves the Redis port. Here the proxy's address is 127.0.0.1, which *is* the
      // read-write endpoint, and Sentinel would take it for a replica claiming to be a master and
      // send it SLAVEOF through the proxy. So the local replica announces the application host's
      // stand-in address 127.0.0.5 (nothing listens there, as in the seed) and is never promoted.
      awaitProxy(sock, 30_000, UpMain::readOnlySettled, "the read-only endpoint to route to replicas only");
      startNode("redis-local", "server", "127.0.0.4", port, dir.resolve("local"), conf.resolve("local_redis.conf"),
          "--replica-announce-ip", "127.0.0.5", "--replica-priority", "0");
      awaitPort("127.0.0.4", port, 30_000);
      awaitLinked("127.0.0.4", port, 30_000);
      // The endpoints are printed once the proxy routes to every replica.
      awaitProxy(sock, 30_000, UpMain::proxySteady, "the proxy to route to every replica");
      printEndpoints(port, sentinelPort);
      for (int i = 1; i <= 3; i++) {
        String host = "127.0.1." + i;
        int p = sentinelPort;
        Thread t = new Thread(() -> streamSentinelEvents(host, p), "events-" + host);
        t.setDaemon(true);
        t.start();
      }
      new CountDownLatch(1).await(); // until Ctrl-C
    } catch (IOException | RuntimeException e) {
      System.err.println("tripod up: " + e.getMessage());
      stopAll();
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static String seedFile(String name) throws IOException {
    try (InputStream in = UpMain.class.getResourceAsStream("/examples/seed/" + name)) {
      if (in == null) {
        throw new IOException("missing seed config " + name + " in the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static File jar() {
    try {
      return new File(UpMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-XX:+UseParallelGC");
    cmd.add("-Xmx1g");
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-jar");
    cmd.add(jar().getAbsolutePath());
    return cmd;
  }

  static void startNode(String name, String kind, String host, int port, Path dir, Path conf, String... extra)
      throws IOException {
    Files.createDirectories(dir);
    List<String> cmd = javaCommand();
    cmd.add(kind);
    cmd.add(conf.toString());
    cmd.addAll(List.of("--daemonize", "no", "--dir", dir.toString(), "--pidfile", dir.resolve(kind + ".pid").toString(),
        "--logfile", dir.resolve(kind + ".log").toString()));
    cmd.addAll(List.of(extra));
    // The command line, one argument a line: a killed node can be restarted the way it ran
    // (the failover drill does), and stopAll stops such a restarted node through its pid file.
    Files.write(dir.resolve("cmdline"), cmd);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    NODES.add(new Node(name, kind, host, port, p, dir.resolve(kind + ".pid")));
  }

  /**
   * The proxy's Sentinel-aware mode for the read-write listener (the one bound to 127.0.0.1):
   * {@code <listener>=<master name>@<the three sentinels>}, the master name taken from the seed's
   * {@code sentinel monitor} line.
   */
  static String sentinelMaster(Path conf, int sentinelPort) throws IOException {
    String master = null;
    for (String line : Files.readAllLines(conf.resolve("r1_sentinel.conf"))) {
      String[] w = line.trim().split("\\s+");
      if (w.length >= 3 && w[0].equals("sentinel") && w[1].equals("monitor")) {
        master = w[2];
      }
    }
    String listener = null;
    String section = null;
    for (String line : Files.readAllLines(conf.resolve("haproxy.cfg"))) {
      String[] w = line.trim().split("\\s+");
      if (w.length >= 2 && (w[0].equals("listen") || w[0].equals("backend"))) {
        section = w[1];
      } else if (w.length >= 2 && w[0].equals("bind") && w[1].startsWith("127.0.0.1:") && listener == null) {
        listener = section;
      }
    }
    if (master == null || listener == null) {
      throw new IOException("cannot find the sentinel master name or the read-write listener in the seed configs");
    }
    return listener + "=" + master + "@127.0.1.1:" + sentinelPort + ",127.0.1.2:" + sentinelPort + ",127.0.1.3:"
        + sentinelPort;
  }

  static void startProxy(Path dir, Path cfg, String sentinelMaster) throws IOException {
    Path pdir = dir.resolve("proxy");
    Files.createDirectories(pdir);
    List<String> cmd = javaCommand();
    // The read-write listener follows the master a quorum of the sentinels reports (never a
    // returning old master that still claims role:master), see proxy/README.md.
    cmd.addAll(List.of("proxy", "-f", cfg.toString(), "--sentinel-master", sentinelMaster));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(pdir.resolve("proxy.log").toFile()).start();
    NODES.add(new Node("proxy", "proxy", "127.0.0.1", Integer.parseInt(cfgPort(cfg)), p, null));
    Thread t = new Thread(() -> tailProxyLog(pdir.resolve("proxy.log")), "proxy-log");
    t.setDaemon(true);
    t.start();
  }

  private static String cfgPort(Path cfg) throws IOException {
    for (String line : Files.readAllLines(cfg)) {
      line = line.trim();
      if (line.startsWith("bind 127.0.0.1:")) {
        return line.substring("bind 127.0.0.1:".length());
      }
    }
    return "6379";
  }

  static void awaitPort(String host, int port, long timeoutMillis) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      for (Node n : NODES) {
        if (!n.process().isAlive()) {
          throw new IOException(n.name() + " exited (" + n.process().exitValue() + "); see its log");
        }
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 200);
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(100); // polling a port that is not open yet, bounded by the deadline
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw new IOException("nothing answers on " + host + ":" + port + " after " + timeoutMillis + " ms");
  }

  /** Waits until the server reports master_link_status:up; logs and goes on after the timeout. */
  static void awaitLinked(String host, int port, long timeoutMillis) throws IOException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      String info = StatusMain.call(host, port, "INFO", "replication");
      if (info != null && "up".equals(StatusMain.field(info, "master_link_status"))) {
        return;
      }
      try {
        Thread.sleep(100); // polling a link that is not up yet, bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    log(host + ":" + port + " is not linked to its master after " + timeoutMillis + " ms; going on");
  }

  /** Waits until {@code show stat} satisfies {@code ok}; logs and goes on after the timeout. */
  static void awaitProxy(Path sock, long timeoutMillis, java.util.function.Predicate<String> ok, String what) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      String csv = StatusMain.showStat(sock);
      if (csv != null && ok.test(csv)) {
        return;
      }
      try {
        Thread.sleep(200); // polling the proxy's state, bounded by the deadline
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    log("still waiting for " + what + " after " + timeoutMillis + " ms; going on");
  }

  /** The servers' rows of a listener in {@code show stat} CSV: {svname, status}. */
  static List<String[]> serverRows(String csv, String listener) {
    List<String[]> rows = new ArrayList<>();
    for (String[] r : StatusMain.serverRows(csv)) {
      if (r[0].equals(listener)) {
        rows.add(new String[] {r[1], r[2]});
      }
    }
    return rows;
  }

  /** redis-ro routes to the replicas only: the master's check failed, two servers UP, none in transition. */
  static boolean readOnlySettled(String csv) {
    int up = 0;
    int down = 0;
    for (String[] r : serverRows(csv, "redis-ro")) {
      if (r[0].matches("redis-[0-9]+")) {
        up += r[1].equals("UP") ? 1 : 0;
        down += r[1].equals("DOWN") ? 1 : 0;
      }
    }
    return up >= 2 && down >= 1;
  }

  /** {@code show stat} CSV: redis-local UP in redis-local-ro, and two UP servers in redis-ro. */
  static boolean proxySteady(String csv) {
    boolean local = false;
    for (String[] r : serverRows(csv, "redis-local-ro")) {
      local |= r[0].equals("redis-local") && r[1].equals("UP");
    }
    int ro = 0;
    for (String[] r : serverRows(csv, "redis-ro")) {
      ro += r[0].matches("redis-[0-9]+") && r[1].equals("UP") ? 1 : 0;
    }
    return local && ro >= 2;
  }

  static void printEndpoints(int port, int sentinelPort) {
    System.out.println();
    System.out.println("Tripod is up (the seed's topology):");
    Map<String, String> rows = new LinkedHashMap<>();
    rows.put("127.0.0.1:" + port, "read-write endpoint (proxy -> the master)");
    rows.put("127.0.0.2:" + port, "read-only endpoint (proxy -> replicas, falling back to read-write)");
    rows.put("127.0.0.3:" + port, "local read-only endpoint (proxy -> local replica, falling back to read-only)");
    rows.put("127.0.0.4:" + port, "local replica (replicates from 127.0.0.2:" + port + ")");
    for (int i = 1; i <= 3; i++) {
      rows.put("127.0.1." + i + ":" + port, "server redis-" + i + (i == 1 ? " (starts as master)" : " (replica)"));
    }
    for (int i = 1; i <= 3; i++) {
      rows.put("127.0.1." + i + ":" + sentinelPort, "sentinel-" + i + " (master name redis-ha, quorum 2)");
    }
    rows.forEach((k, v) -> System.out.printf("  %-22s %s%n", k, v));
    System.out.println("Ctrl-C stops everything. Events:");
  }

  static void log(String line) {
    System.out.println(LocalTime.now().format(TIME) + " " + line);
  }

  /** Subscribes to a sentinel's events and prints the ones that matter. */
  static void streamSentinelEvents(String host, int port) {
    while (true) {
      try (Socket s = new Socket(host, port)) {
        OutputStream out = s.getOutputStream();
        out.write("*2\r\n$10\r\nPSUBSCRIBE\r\n$1\r\n*\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteBuf buf = Unpooled.buffer();
        ReplyDecoder decoder = new ReplyDecoder();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) {
          buf.writeBytes(chunk, 0, n);
          RespValue v;
          while ((v = decoder.decode(buf)) != null) {
            List<RespValue> e = v.elements();
            if (e != null && e.size() == 4 && "pmessage".equals(e.get(0).asString())) {
              String channel = e.get(2).asString();
              if (!channel.startsWith("__sentinel__")) {
                log("sentinel " + host + ":" + port + " " + channel + " " + e.get(3).asString());
              }
            }
          }
          buf.discardReadBytes();
        }
      } catch (IOException e) {
        // the sentinel is not up (yet, or any more): try again
      }
      try {
        Thread.sleep(1000); // reconnect pace
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Prints the proxy's server UP/DOWN transitions as they are logged. */
  static void tailProxyLog(Path log) {
    long pos = 0;
    while (true) {
      try {
        if (Files.exists(log)) {
          byte[] all = Files.readAllBytes(log);
          if (all.length > pos) {
            String added = new String(all, (int) pos, (int) (all.length - pos), StandardCharsets.UTF_8);
            int lastNl = added.lastIndexOf('\n');
            if (lastNl >= 0) {
              for (String line : added.substring(0, lastNl).split("\n")) {
                if (line.contains(" is UP") || line.contains(" is DOWN") || line.contains("has no server available")) {
                  log("proxy " + line.substring(Math.max(0, line.indexOf("Server"))));
                } else if (line.contains("master per sentinels") || line.contains(" : Sentinels ")) {
                  log("proxy " + line.substring(line.indexOf(" : ") + 3)); // the Sentinel-aware mode's switches
                }
              }
              pos += added.substring(0, lastNl + 1).getBytes(StandardCharsets.UTF_8).length;
            }
          }
        }
        Thread.sleep(250); // tail -f pace
      } catch (IOException e) {
        // the log is being rotated or not there yet
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * A node that died and was restarted from its cmdline file (not by us): the live process its pid
   * file names, if that process runs this jar.
   */
  static java.util.Optional<ProcessHandle> restartedProcess(Node n) {
    if (n.pidFile() == null || n.process().isAlive()) {
      return java.util.Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(n.pidFile()).trim());
      return ProcessHandle.of(pid).filter(h -> h.isAlive() && h.pid() != n.process().pid()
          && h.info().commandLine().map(c -> c.contains(jar().getAbsolutePath())).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /** Stops every child: SIGTERM, then SIGKILL for those still alive after 5 s. */
  static synchronized void stopAll() {
    if (NODES.isEmpty()) {
      return;
    }
    List<ProcessHandle> restarted = new ArrayList<>();
    for (Node n : NODES) {
      n.process().destroy();
      restartedProcess(n).ifPresent(h -> {
        h.destroy();
        restarted.add(h);
      });
    }
    for (ProcessHandle h : restarted) {
      try {
        h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        h.destroyForcibly();
      } catch (InterruptedException e) {
        h.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    long deadline = System.currentTimeMillis() + 5000;
    for (Node n : NODES) {
      try {
        long left = Math.max(1, deadline - System.currentTimeMillis());
        if (!n.process().waitFor(left, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          n.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        n.process().destroyForcibly();
      }
    }
    log("stopped " + NODES.size() + " processes");
    NODES.clear();
  }
}
