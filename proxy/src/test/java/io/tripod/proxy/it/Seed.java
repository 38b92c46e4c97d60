package io.tripod.proxy.it;

import static org.awaitility.Awaitility.await;

import io.tripod.proxy.ProxyLog;
import io.tripod.proxy.ProxyRuntime;
import io.tripod.proxy.config.ConfigParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The seed's HAProxy configuration (three listeners: redis-rw, redis-ro, redis-local-ro) with
 * every address mapped to 127.0.0.1 and free ports, plus fixtures: a master with two replicas, and
 * an in-process tripod proxy running a config text.
 */
final class Seed {
  private Seed() {}

  static final String CHECKS = """
              mode tcp
              balance leastconn
              option tcplog
              option tcp-check
              tcp-check connect
              tcp-check send PING\\r\\n
              tcp-check expect string +PONG
              tcp-check send info\\ replication\\r\\n
              tcp-check expect string %s
              tcp-check send QUIT\\r\\n
              tcp-check expect string +OK
      """;

  /** Listener ports of one proxy instance. */
  record Ports3(int rw, int ro, int localRo) {
    static Ports3 free() {
      return new Ports3(Ports.free(), Ports.free(), Ports.free());
    }
  }

  /**
   * The seed config. {@code inter} replaces "2s" so tests converge quickly; redis-1..3 are the
   * master and the two replicas, redis-local is replica 2.
   */
  static String config(Ports3 p, int[] redis, String inter, Path statsSocket) {
    String s = "global\n    log stdout format raw local0\n"
        + (statsSocket != null ? "    stats socket " + statsSocket + " mode 600 level admin\n" : "")
        + "defaults\n    log global\n"
        + "listen redis-rw\n        bind 127.0.0.1:" + p.rw() + "\n" + String.format(CHECKS, "role:master");
    for (int i = 0; i < 3; i++) {
      s += "        server redis-" + (i + 1) + " 127.0.0.1:" + redis[i] + " check inter " + inter + " backup\n";
    }
    s += "\nlisten redis-ro\n        bind 127.0.0.1:" + p.ro() + "\n" + String.format(CHECKS, "master_link_status:up");
    for (int i = 0; i < 3; i++) {
      s += "        server redis-" + (i + 1) + " 127.0.0.1:" + redis[i] + " check inter " + inter + "\n";
    }
    s += "        server redis-rw 127.0.0.1:" + p.rw() + " backup\n";
    s += "\nlisten redis-local-ro\n        bind 127.0.0.1:" + p.localRo() + "\n"
        + String.format(CHECKS, "master_link_status:up")
        + "        server redis-local 127.0.0.1:" + redis[2] + " check inter " + inter + "\n"
        + "        server redis-ro 127.0.0.1:" + p.ro() + " backup\n";
    return s;
  }

  /** A master and two replicas (replicaof), replicas linked before returning. */
  static final class Cluster implements AutoCloseable {
    final ExternalProcess master;
    final ExternalProcess r1;
    final ExternalProcess r2;

    Cluster() throws IOException {
      master = ExternalProcess.redis();
      ExternalProcess a = null;
      ExternalProcess b = null;
      try {
        a = ExternalProcess.redis("--replicaof", "127.0.0.1", String.valueOf(master.port));
        b = ExternalProcess.redis("--replicaof", "127.0.0.1", String.valueOf(master.port));
      } catch (IOException | RuntimeException e) {
        if (a != null) {
          a.close();
        }
        master.close();
        throw e;
      }
      r1 = a;
      r2 = b;
      await().atMost(Duration.ofSeconds(20)).until(() -> linked(r1.port) && linked(r2.port));
    }

    static boolean linked(int port) {
      try (Resp r = new Resp(port)) {
        return r.call("INFO", "replication").contains("master_link_status:up");
      } catch (IOException e) {
        return false;
      }
    }

    int[] ports() {
      return new int[] {master.port, r1.port, r2.port};
    }

    @Override
    public void close() {
      r2.close();
      r1.close();
      master.close();
    }
  }

  /** tripod proxy running in this JVM; its stdout/stderr are captured. */
  static final class Tripod implements AutoCloseable {
    final ProxyRuntime rt;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Tripod(String config) throws Exception {
      this(config, java.util.List.of());
    }

    /** With the Sentinel-aware mode on for each spec. */
    Tripod(String config, java.util.List<io.tripod.proxy.sentinel.SentinelSpec> sentinels) throws Exception {
      ConfigParser.Result r = ConfigParser.parseString("it.cfg", config);
      if (!r.ok()) {
        throw new IllegalArgumentException(String.join("\n", r.errors));
      }
      ProxyLog log = new ProxyLog(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      rt = new ProxyRuntime(r.config, log, 2);
      for (io.tripod.proxy.sentinel.SentinelSpec sp : sentinels) {
        rt.watchSentinels(sp);
      }
      rt.start();
    }

    String stdout() {
      synchronized (out) {
        return out.toString(StandardCharsets.UTF_8);
      }
    }

    String stderr() {
      synchronized (err) {
        return err.toString(StandardCharsets.UTF_8);
      }
    }

    @Override
    public void close() {
      rt.close();
    }
  }

  /** "px/sv" -> the given columns (by name) of a show stat answer. */
  static Map<String, String> column(String csv, String name) {
    String[] lines = csv.split("\n");
    String[] h = lines[0].substring(2).split(",", -1);
    int idx = -1;
    for (int i = 0; i < h.length; i++) {
      if (h[i].equals(name)) {
        idx = i;
      }
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] f = io.tripod.proxy.stats.StatsPage.CsvSplit.split(lines[i]);
      m.put(f[0] + "/" + f[1], f[idx]);
    }
    return m;
  }

  static Path tempSocket(String name) throws IOException {
    return Files.createTempDirectory("proxy-it-sock-").resolve(name);
  }
}
