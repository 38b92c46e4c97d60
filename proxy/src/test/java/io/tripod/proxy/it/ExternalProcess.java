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
    int port = Ports.free();
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
