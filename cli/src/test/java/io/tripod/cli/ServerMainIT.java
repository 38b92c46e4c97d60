package io.tripod.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tripod server} as a separate JVM, as the launcher runs it: daemonize with a pid file, a
 * log file in Redis's format, Debian's redis.conf, config errors on standard error.
 */
class ServerMainIT {
  @TempDir Path tmp;

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Process tripod(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "server"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile())
        .redirectError(dir.resolve("stderr.txt").toFile()).start();
  }

  static String ping(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, 7);
      return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }
  }

  static boolean answers(int port) {
    try {
      return ping(port).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void daemonizeWritesPidFileAndRemovesItOnShutdown() throws Exception {
    int port = freePort();
    Path pidfile = tmp.resolve("t.pid");
    Path log = tmp.resolve("t.log");
    Process parent = tripod(tmp, "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--daemonize", "yes", "--pidfile", "t.pid", "--logfile", "t.log", "--dir",
        tmp.toString(), "--loglevel", "verbose");
    assertThat(parent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(parent.exitValue()).isZero();
    long pid = Long.parseLong(Files.readString(pidfile).trim());
    Optional<ProcessHandle> child = ProcessHandle.of(pid);
    try {
      assertThat(child).isPresent();
      assertThat(pid).isNotEqualTo(parent.pid());
      assertThat(ping(port)).isEqualTo("+PONG\r\n");
      assertThat(Files.readString(log)).contains(pid + ":M ")
          .containsPattern(pid + ":C \\d\\d \\w{3} \\d{4} [\\d:.]+ # Configuration loaded|"
              + "Tripod is starting");
    } finally {
      child.ifPresent(ProcessHandle::destroy);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(pidfile));
    await().atMost(Duration.ofSeconds(30)).until(() -> child.map(h -> !h.isAlive()).orElse(true));
    assertThat(Files.readString(log)).contains("User requested shutdown...");
  }

  @Test
  void debiansRedisConfStartsWithOverrides() throws Exception {
    Path debian = Path.of("/etc/redis/redis.conf");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(debian));
    Path conf = tmp.resolve("redis.conf");
    Files.copy(debian, conf);
    int port = freePort();
    Process parent = tripod(tmp, conf.toString(), "--port", String.valueOf(port), "--dir",
        tmp.toString(), "--logfile", tmp.resolve("r.log").toString(), "--pidfile",
        tmp.resolve("r.pid").toString());
    assertThat(parent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(parent.exitValue()).as(Files.readString(tmp.resolve("stderr.txt"))).isZero();
    long pid = Long.parseLong(Files.readString(tmp.resolve("r.pid")).trim());
    try {
      assertThat(answers(port)).isTrue();
      assertThat(Files.readString(tmp.resolve("r.log")))
          .contains("lazyfree-lazy-eviction is accepted but not implemented yet")
          .doesNotContain("appendonly is accepted");
    } finally {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(tmp.resolve("r.pid")));
  }

  @Test
  void foregroundWithSeedConfigLogsToStdout() throws Exception {
    int port = freePort();
    Path conf = tmp.resolve("seed.conf");
    // The seed's directives, with its 10.1.1.1 master mapped to a loopback port nobody serves.
    Files.writeString(conf, "protected-mode no\nport " + port + "\nslaveof 127.0.0.1 1\n"
        + "bind 127.0.0.1\n");
    Process p = tripod(tmp, conf.toString());
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> answers(port) || !p.isAlive());
      assertThat(p.isAlive()).isTrue();
      assertThat(Files.readString(tmp.resolve("stdout.txt")))
          .contains("Connecting to MASTER 127.0.0.1:1", ":S ");
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void configErrorsGoToStderrWithExitCode1() throws Exception {
    Process p = tripod(tmp, "--port", "abc");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readString(tmp.resolve("stderr.txt"))).isEqualTo(
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            + "Reading the configuration file, at line 2\n>>> 'port \"abc\"'\n"
            + "argument couldn't be parsed into an integer\n");
    Process q = tripod(tmp, tmp.resolve("missing.conf").toString());
    assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(q.exitValue()).isEqualTo(1);
    assertThat(Files.readString(tmp.resolve("stdout.txt")))
        .contains("# Fatal error, can't open config file '" + tmp.resolve("missing.conf")
            + "': No such file or directory");
  }
}
