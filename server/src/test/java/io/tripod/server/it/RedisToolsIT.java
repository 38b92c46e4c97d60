package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real redis-cli and redis-benchmark binaries against an in-process Tripod: plain commands,
 * RESP3 ({@code -3}), mass insertion ({@code --pipe}) and a short benchmark that must finish every
 * test without errors.
 */
class RedisToolsIT {
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    tripod = TripodInstance.start();
  }

  @AfterAll
  static void stop() {
    if (tripod != null) {
      tripod.close();
    }
  }

  record Result(int exit, String out) {}

  /** Runs a tool to completion (bounded), feeding {@code stdin}; returns exit code and output. */
  private static Result run(byte[] stdin, long timeoutSeconds, String... cmd)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("tool-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(out.toFile());
      Process p = pb.start();
      try {
        if (stdin != null) {
          p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          throw new AssertionError(cmd[0] + " did not finish in " + timeoutSeconds + "s: "
              + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
      } finally {
        p.destroyForcibly();
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static Result cli(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(RedisProcess.binary("redis-cli"), "-h", "127.0.0.1",
        "-p", String.valueOf(tripod.port)));
    cmd.addAll(List.of(args));
    return run(null, 30, cmd.toArray(new String[0]));
  }

  @Test
  void redisCliCommands() throws Exception {
    assertThat(cli("PING").out()).isEqualTo("PONG\n");
    assertThat(cli("SET", "cli:k", "hello world").out()).isEqualTo("OK\n");
    assertThat(cli("GET", "cli:k").out()).isEqualTo("hello world\n");
    assertThat(cli("INCR", "cli:n").out()).isEqualTo("1\n");
    assertThat(cli("GET", "cli:missing").out()).isEqualTo("\n");
    assertThat(cli("NOSUCHCOMMAND").out()).startsWith("ERR unknown command 'NOSUCHCOMMAND'");
    // Interactive-style formatting when asked for it.
    assertThat(cli("--no-raw", "GET", "cli:missing").out()).isEqualTo("(nil)\n");
    assertThat(cli("--no-raw", "INCR", "cli:n").out()).isEqualTo("(integer) 2\n");
  }

  @Test
  void redisCliResp3() throws Exception {
    assertThat(cli("-3", "PING").out()).isEqualTo("PONG\n");
    assertThat(cli("-3", "SET", "cli3:k", "v").out()).isEqualTo("OK\n");
    assertThat(cli("-3", "--no-raw", "GET", "cli3:missing").out()).isEqualTo("(nil)\n");
    assertThat(cli("-3", "--no-raw", "GET", "cli3:k").out()).isEqualTo("\"v\"\n");
  }

  @Test
  void redisCliPipe() throws Exception {
    StringBuilder sb = new StringBuilder();
    int n = 1000;
    for (int i = 0; i < n; i++) {
      String k = "pipe:" + i;
      sb.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k)
          .append("\r\n$").append(String.valueOf(i).length()).append("\r\n").append(i)
          .append("\r\n");
    }
    sb.append("INCR pipe:counter\r\n"); // inline commands mix in
    Result r = run(sb.toString().getBytes(StandardCharsets.US_ASCII), 60,
        RedisProcess.binary("redis-cli"), "-h", "127.0.0.1", "-p", String.valueOf(tripod.port),
        "--pipe");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("errors: 0, replies: " + (n + 1));
    assertThat(cli("GET", "pipe:999").out()).isEqualTo("999\n");
  }

  @Test
  void redisBenchmarkFinishesWithoutErrors() throws Exception {
    Result r = run(null, 300, RedisProcess.binary("redis-benchmark"), "-h", "127.0.0.1",
        "-p", String.valueOf(tripod.port), "-t", "ping,set,get,incr,mset", "-n", "20000",
        "-c", "10", "-q");
    assertThat(r.exit()).as(r.out()).isZero();
    // -q prints progress lines ending in \r and one final line per test:
    // "SET: 81632.65 requests per second, p50=0.063 msec"
    Map<String, Double> rps = new LinkedHashMap<>();
    Pattern line = Pattern.compile("^([A-Z_]+(?: \\(10 keys\\))?): ([0-9.]+) requests per second");
    for (String l : r.out().split("[\r\n]+")) {
      Matcher m = line.matcher(l.trim());
      if (m.find()) {
        rps.put(m.group(1), Double.parseDouble(m.group(2)));
      }
    }
    assertThat(rps.keySet()).as(r.out())
        .containsExactly("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET (10 keys)");
    assertThat(rps.values()).allSatisfy(v -> assertThat(v).isPositive());
    String lower = r.out().toLowerCase(java.util.Locale.ROOT);
    assertThat(lower).doesNotContain("error").doesNotContain("err ");
    assertThat(Long.parseLong(cli("DBSIZE").out().trim())).isPositive();
  }
}
