package io.tripod.sentinel.it;

import io.tripod.sentinel.config.SentinelConfig;
import io.tripod.sentinel.net.SentinelServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Processes and sentinels for the ITs: real redis-server / redis-sentinel processes on free
 * loopback ports (stopped by PID), and Tripod sentinels (in-process, each with its own loop).
 */
final class Harness implements AutoCloseable {
  final List<Process> processes = new ArrayList<>();
  final List<SentinelServer> tripods = new ArrayList<>();
  final List<Thread> subscribers = new ArrayList<>();
  final List<Jedis> subscriberConns = new CopyOnWriteArrayList<>();
  final Path dir;

  Harness() throws IOException {
    dir = Files.createTempDirectory("sentinel-it-");
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String binary(String name) {
    File f = new File("/usr/bin", name);
    if (!f.canExecute()) {
      if (System.getenv("CI") != null) throw new IllegalStateException(name + " missing");
      Assumptions.assumeTrue(false, name + " not installed");
    }
    return f.getPath();
  }

  /** A redis-server on {@code port} with extra args; returns its Process. */
  Process redis(int port, String... extra) throws IOException {
    Path d = Files.createDirectories(dir.resolve("redis-" + port));
    List<String> cmd = new ArrayList<>(List.of(binary("redis-server"), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d.toString(),
        "--logfile", d.resolve("redis.log").toString()));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(d.resolve("stdout.log").toFile()).start();
    processes.add(p);
    awaitPort(port, p);
    return p;
  }

  String sentinelConf(int port, int masterPort, int quorum, long downAfter, long failoverTimeout,
      String... extraLines) throws IOException {
    Path f = dir.resolve("sentinel-" + port + ".conf");
    Files.writeString(f, "port " + port + "\nbind 127.0.0.1\n"
        + "sentinel monitor mymaster 127.0.0.1 " + masterPort + " " + quorum + "\n"
        + "sentinel down-after-milliseconds mymaster " + downAfter + "\n"
        + "sentinel failover-timeout mymaster " + failoverTimeout + "\n"
        + (extraLines.length == 0 ? "" : String.join("\n", extraLines) + "\n"));
    return f.toString();
  }

  /** A Tripod sentinel in this JVM; {@code extraLines} are appended to its sentinel.conf. */
  SentinelServer tripod(int port, int masterPort, int quorum, long downAfter, long failoverTimeout,
      String... extraLines) throws Exception {
    String conf = sentinelConf(port, masterPort, quorum, downAfter, failoverTimeout, extraLines);
    SentinelConfig cfg = SentinelConfig.load(conf, List.of("--logfile", dir.resolve("tripod-" + port + ".log").toString()));
    SentinelServer s = new SentinelServer(cfg);
    s.start();
    tripods.add(s);
    return s;
  }

  /** A real redis-sentinel process. */
  Process realSentinel(int port, int masterPort, int quorum, long downAfter, long failoverTimeout) throws IOException {
    String conf = sentinelConf(port, masterPort, quorum, downAfter, failoverTimeout);
    Process p = new ProcessBuilder(binary("redis-sentinel"), conf, "--logfile",
        dir.resolve("redis-sentinel-" + port + ".log").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("rs-" + port + ".out").toFile()).start();
    processes.add(p);
    awaitPort(port, p);
    return p;
  }

  static void awaitPort(int port, Process p) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (p != null && !p.isAlive()) throw new IOException("process exited before listening on " + port);
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(20); // polling a port that is not open yet; bounded by the deadline
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(ie);
        }
      }
    }
    throw new IOException("nothing listening on " + port);
  }

  /** Collects every message of {@code channel} published by the sentinel at {@code port}. */
  List<String> subscribe(int port, String channel) {
    List<String> got = new CopyOnWriteArrayList<>();
    Thread t = new Thread(() -> {
      for (int attempt = 0; attempt < 50; attempt++) {
        try (Jedis j = new Jedis("127.0.0.1", port)) {
          subscriberConns.add(j);
          j.subscribe(new JedisPubSub() {
            @Override
            public void onMessage(String ch, String message) {
              got.add(message);
            }
          }, channel);
          return;
        } catch (RuntimeException e) {
          if (Thread.currentThread().isInterrupted()) return;
          try {
            Thread.sleep(100); // the sentinel may be restarting; bounded attempts
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }, "sub-" + port);
    t.setDaemon(true);
    t.start();
    subscribers.add(t);
    return got;
  }

  static String[] masterAddr(int sentinelPort) {
    try (Jedis j = new Jedis("127.0.0.1", sentinelPort)) {
      List<String> r = j.sentinelGetMasterAddrByName("mymaster");
      return r == null ? null : r.toArray(new String[0]);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Waits until every sentinel in {@code sentinels} knows two replicas and two other sentinels. */
  static void awaitDiscovery(List<Integer> sentinels) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
          for (int p : sentinels) {
            if (!"2".equals(masterField(p, "num-slaves"))) return false;
            if (!"2".equals(masterField(p, "num-other-sentinels"))) return false;
          }
          return true;
        });
  }

  /** A field of SENTINEL MASTER mymaster. */
  static String masterField(int sentinelPort, String field) {
    try (Jedis j = new Jedis("127.0.0.1", sentinelPort)) {
      return j.sentinelMaster("mymaster").get(field);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String infoField(int port, String field) {
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      for (String l : j.info("replication").split("\r\n")) {
        if (l.startsWith(field + ":")) return l.substring(field.length() + 1);
      }
      return null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    for (Jedis j : subscriberConns) {
      try {
        j.disconnect();
      } catch (RuntimeException e) {
        // already closed
      }
    }
    for (Thread t : subscribers) t.interrupt();
    for (SentinelServer s : tripods) s.stop();
    for (Process p : processes) {
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (System.getProperty("sentinel.keep") == null) { // -Dsentinel.keep keeps the logs
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // best effort
      }
    }
  }
}
