package io.tripod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code tripod proxy -c}: haproxy's check mode (exit status and messages). */
class ProxyMainTest {
  record Run(int rc, String out, String err) {}

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int rc = ProxyMain.run(args);
      return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void checkModeAcceptsTheSeedConfigurationWithHaproxysWarnings() throws Exception {
    Path cfg = Files.createTempFile("seed", ".cfg");
    Files.writeString(cfg, """
        listen redis-rw
                bind 127.0.0.1:6379
                mode tcp
                balance leastconn
                option tcplog
                option tcp-check
                tcp-check connect
                tcp-check send PING\\r\\n
                tcp-check expect string +PONG
                server redis-1 10.1.1.1:6379 check inter 2s backup
        """);
    Run r = run("-c", "-f", cfg.toString());
    assertThat(r.rc()).isZero();
    assertThat(r.out()).isEqualTo("Warnings were found.\nConfiguration file is valid\n");
    assertThat(r.err()).containsPattern("\\[WARNING\\]  \\(\\d+\\) : config : missing timeouts for proxy 'redis-rw'\\.")
        .contains("[WARNING]  (").contains(" : config : log format ignored for proxy 'redis-rw' since it has no log address.");
  }

  @Test
  void sentinelModeOptionsAreCheckedAgainstTheConfiguration() throws Exception {
    Path cfg = Files.createTempFile("seed", ".cfg");
    Files.writeString(cfg, "listen redis-rw\n  bind 127.0.0.1:6379\n  mode tcp\n  timeout client 1s\n"
        + "  timeout server 1s\n  timeout connect 1s\n  server redis-1 127.0.1.1:6379 check backup\n");
    String sentinels = "@127.0.1.1:26379,127.0.1.2:26379,127.0.1.3:26379";
    Run ok = run("-c", "-f", cfg.toString(), "--sentinel-master", "redis-rw=redis-ha" + sentinels);
    assertThat(ok.rc()).isZero();
    assertThat(ok.out()).isEqualTo("Configuration file is valid\n");
    Run noBackend = run("-c", "-f", cfg.toString(), "--sentinel-master", "redis-ro=redis-ha" + sentinels);
    assertThat(noBackend.rc()).isEqualTo(1);
    assertThat(noBackend.err()).contains(" : --sentinel-master redis-ro=redis-ha: no backend or listen section named 'redis-ro'.");
    Run badQuorum = run("-c", "-f", cfg.toString(), "--sentinel-master", "redis-rw=redis-ha" + sentinels,
        "--sentinel-quorum", "4");
    assertThat(badQuorum.rc()).isEqualTo(1);
    assertThat(badQuorum.err()).contains("--sentinel-master: quorum 4 must be between 1 and the number of sentinels (3)");
    Run badSpec = run("-c", "-f", cfg.toString(), "--sentinel-master", "redis-rw");
    assertThat(badSpec.rc()).isEqualTo(1);
    assertThat(badSpec.err()).contains("is not <backend>=<master-name>@<host:port>[,<host:port>...]").contains("Usage : ");
  }

  @Test
  void checkModeReportsErrorsWithFileAndLineAndExitsNonZero() throws Exception {
    Path cfg = Files.createTempFile("bad", ".cfg");
    Files.writeString(cfg, "listen x\n  bind 127.0.0.1:1\n  balance nope\n");
    Run r = run("-c", "-f", cfg.toString());
    assertThat(r.rc()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(" : config : parsing [" + cfg + ":3] : 'balance' : unknown balancing algorithm 'nope'.")
        .contains("[ALERT]    (").contains(" : config : Error(s) found in configuration file : " + cfg)
        .contains(" : config : Fatal errors found in configuration.");
    Run none = run("-c");
    assertThat(none.rc()).isEqualTo(1);
    assertThat(none.err()).contains("No configuration file specified");
  }
}
