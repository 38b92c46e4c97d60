package io.tripod.server.it;

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
 * A real {@code redis-server} (Debian's package) started by a test on a free loopback port and
 * stopped by PID. Tests that need it skip when the binary is missing, except under CI, where a
 * missing binary is a failure (.ci/run installs it).
 */
public final class RedisProcess implements AutoCloseable {
  public final int port;
  public final Path dir;
  private final Process process;

  private RedisProcess(int port, Path dir, Process process) {
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  public static String binary(String name) {
    for (String d : new String[] {"/usr/bin", "/usr/local/bin", "/usr/sbin", "/usr/local/sbin"}) {
      File f = new File(d, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    if (System.getenv("CI") != null) {
      throw new IllegalStateException(name + " is not installed; .ci/run must install it");
    }
    Assumptions.assumeTrue(false, name + " not installed");
    return null;
  }

  /** Starts redis-server with no persistence plus the given extra {@code --directive value} args. */
  public static RedisProcess start(String... extraArgs) throws IOException {
    int port = Ports.free();
    Path dir = Files.createTempDirectory("redis-it-");
    List<String> cmd = new ArrayList<>(List.of(binary("redis-server"), "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
    cmd.addAll(List.of(extraArgs));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    RedisProcess r = new RedisProcess(port, dir, p);
    r.awaitReady();
    return r;
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited: " + Files.readString(dir.resolve("stdout.log")));
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
    throw new IOException("redis-server did not start on port " + port);
  }

  public long pid() {
    return process.pid();
  }

  /** Sends the process a signal by name ("STOP", "CONT"), as kill(1) does. */
  public void signal(String sig) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IOException("kill -" + sig + " " + pid() + " failed");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
