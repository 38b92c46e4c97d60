package io.tripod.proxy.it;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server or haproxy started by a test and stopped by PID (the small bits of the
 * server module's RedisProcess this module needs). Tests skip when a binary is missing, except
 * under CI.
 */
final class ExternalProcess implements AutoCloseable {
  final int port;
  final Path dir;
  private final Process process;

  private ExternalProcess(int port, Path dir, Process process) {
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  static String binary(String name) {
    for (String d : new String[] {"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"}) {
      File f = new File(d, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    if (System.getenv("CI") != null) {
      throw new IllegalStateException(name + " is not installed");
    }
    Assumptions.assumeTrue(false, name + " not installed");
    return null;
  }

  /** redis-server on a free port, no persistence, plus extra {@code --directive value} args. */
  static ExternalProcess redis(String... extra) throws IOException {
    return redisOnPort(Ports.free(), extra);
  }

  /** redis-server on {@code port} (e.g. a killed server coming back), no persistence. */
  static ExternalProcess redisOnPort(int port, String... extra) throws IOException {
    Path dir = Files.createTempDirectory("proxy-it-redis-");
    List<String> cmd = new ArrayList<>(List.of(binary("redis-server"), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    ExternalProcess r = new ExternalProcess(port, dir, p);
    r.awaitPort(port);
    return r;
  }

  /**
   * redis-sentinel on a free port monitoring {@code name} at 127.0.0.1:{@code masterPort} with
   * quorum 2, {@code down-after-milliseconds} as given and a 10 s failover timeout.
   */
  static ExternalProcess sentinel(String name, int masterPort, int downAfterMs) throws IOException {
    int port = Ports.free();
    Path dir = Files.createTempDirectory("proxy-it-sentinel-");
    Path cfg = Files.writeString(dir.resolve("sentinel.conf"), "port " + port + "\nbind 127.0.0.1\n"
        + "daemonize no\ndir " + dir + "\nlogfile " + dir.resolve("sentinel.log") + "\n"
        + "sentinel monitor " + name + " 127.0.0.1 " + masterPort + " 2\n"
        + "sentinel down-after-milliseconds " + name + " " + downAfterMs + "\n"
        + "sentinel failover-timeout " + name + " 10000\n");
    Process p = new ProcessBuilder(binary("redis-sentinel"), cfg.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    ExternalProcess r = new ExternalProcess(port, dir, p);
    r.awaitPort(port);
    return r;
  }

  /** kill -9: the process dies at once, as a crashed host. */
  void kill9() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends a signal by PID ({@code STOP} freezes the process as a hung host, {@code CONT} resumes it). */
  void signal(String sig) throws IOException {
    try {
      int rc = new ProcessBuilder("kill", "-" + sig, String.valueOf(process.pid())).start().waitFor();
      if (rc != 0) {
        throw new IOException("kill -" + sig + " " + process.pid() + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** haproxy -db -f cfg; {@code probePort} is a listener port to wait for. */
  static ExternalProcess haproxy(String config, int probePort) throws IOException {
    Path dir = Files.createTempDirectory("proxy-it-haproxy-");
    Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), config);
    Process p = new ProcessBuilder(binary("haproxy"), "-db", "-f", cfg.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    ExternalProcess h = new ExternalProcess(probePort, dir, p);
    h.awaitPort(probePort);
    return h;
  }

  String output(String file) throws IOException {
    return Files.readString(dir.resolve(file));
  }

  private void awaitPort(int port) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("process exited: " + process.info().commandLine().orElse("?"));
      }
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
    close();
    throw new IOException("port " + port + " did not open");
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        signal("CONT"); // a stopped process would not act on SIGTERM
      } catch (IOException e) {
        // destroyForcibly below still works
      }
    }
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
