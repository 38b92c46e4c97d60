package io.tripod.sentinel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tripod.sentinel.core.Addr;
import io.tripod.sentinel.core.Instance;
import io.tripod.sentinel.core.SentinelCore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentinelConfigTest {
  @TempDir Path dir;

  private SentinelCore load(String text, String... overrides) throws Exception {
    Path f = dir.resolve("s.conf");
    Files.writeString(f, text);
    SentinelConfig c = SentinelConfig.load(f.toString(), List.of(overrides));
    SentinelCore core = new SentinelCore(null, new Random(1), 0);
    c.applyTo(core, 0);
    return core;
  }

  private static String fatal(int line, String text, String msg) {
    return "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line " + line
        + "\n>>> '" + text + "'\n" + msg;
  }

  @Test
  void seedConfigLoads() throws Exception {
    SentinelCore c = load("daemonize yes\npidfile \"/var/run/redis/redis-sentinel.pid\"\n"
        + "logfile \"/var/log/redis/redis-sentinel.log\"\nport 16379\ndir \"/var/lib/redis\"\nprotected-mode no\n"
        + "#sentinel myid ...\nsentinel monitor redis-ha 10.1.1.1 6379 2\n"
        + "sentinel down-after-milliseconds redis-ha 3000\nsentinel failover-timeout redis-ha 6000\n");
    Instance m = c.masters.get("redis-ha");
    assertThat(m.addr).isEqualTo(new Addr("10.1.1.1", 6379));
    assertThat(m.quorum).isEqualTo(2);
    assertThat(m.downAfter).isEqualTo(3000);
    assertThat(m.failoverTimeout).isEqualTo(6000);
    assertThat(c.port).isEqualTo(16379);
  }

  @Test
  void directivesMayComeBeforeMonitor() throws Exception {
    SentinelCore c = load("sentinel down-after-milliseconds m 1000\nsentinel known-replica m 10.0.0.2 6380\n"
        + "sentinel current-epoch 7\nsentinel monitor m 10.0.0.1 6379 1\n"
        + "sentinel known-sentinel m 10.0.0.3 26379 " + "b".repeat(40) + "\n"
        + "sentinel known-sentinel m 10.0.0.4 26379\n" // 2.8 form: ignored
        + "sentinel config-epoch m 9\nsentinel leader-epoch m 5\nsentinel myid " + "a".repeat(40) + "\n");
    Instance m = c.masters.get("m");
    assertThat(m.downAfter).isEqualTo(1000);
    assertThat(m.replicas).containsKey("10.0.0.2:6380");
    assertThat(m.sentinels).containsOnlyKeys("b".repeat(40));
    assertThat(c.currentEpoch).isEqualTo(9); // raised by config-epoch
    assertThat(m.leaderEpoch).isEqualTo(5);
    assertThat(c.myid).isEqualTo("a".repeat(40));
  }

  @Test
  void errorsAreRedisErrors() {
    assertThatThrownBy(() -> load("sentinel monitor m 10.0.0.1 6379 0\n"))
        .hasMessage(fatal(1, "sentinel monitor m 10.0.0.1 6379 0", "Quorum must be 1 or greater."));
    assertThatThrownBy(() -> load("sentinel monitor m 10.0.0.1 6379 1\nsentinel monitor m 10.0.0.1 6379 1\n"))
        .hasMessage(fatal(2, "sentinel monitor m 10.0.0.1 6379 1", "Duplicate master name."));
    assertThatThrownBy(() -> load("sentinel monitor m foo.example 6379 1\n"))
        .hasMessage(fatal(1, "sentinel monitor m foo.example 6379 1", "Can't resolve instance hostname."));
    assertThatThrownBy(() -> load("sentinel down-after-milliseconds x 5\n"))
        .hasMessage(fatal(1, "sentinel down-after-milliseconds x 5", "No such master with specified name."));
    assertThatThrownBy(() -> load("sentinel monitor m 10.0.0.1 6379 1\nsentinel down-after-milliseconds m 0\n"))
        .hasMessage(fatal(2, "sentinel down-after-milliseconds m 0", "negative or zero time parameter."));
    assertThatThrownBy(() -> load("sentinel myid abc\n"))
        .hasMessage(fatal(1, "sentinel myid abc", "Malformed Sentinel id in myid option."));
    assertThatThrownBy(() -> load("sentinel bogus 1\n"))
        .hasMessage(fatal(1, "sentinel bogus 1", "Unrecognized sentinel configuration statement."));
    assertThatThrownBy(() -> load("sentinel monitor m 10.0.0.1 6379 1\nsentinel notification-script m /nonexistent\n"))
        .hasMessageEndingWith("Notification script seems non existing or non executable.");
  }

  @Test
  void commandLineOverrides() throws Exception {
    SentinelCore c = load("port 1\n", "--port", "26380", "--sentinel", "monitor", "m", "10.0.0.1", "6379", "2");
    assertThat(c.port).isEqualTo(26380);
    assertThat(c.masters).containsKey("m");
  }

  @Test
  void rewriteRoundTripRemembersState() throws Exception {
    Path f = dir.resolve("r.conf");
    Files.writeString(f, "port 26999\n# a comment kept\nsentinel monitor m 10.0.0.1 6379 2\n"
        + "sentinel down-after-milliseconds m 3000\n");
    SentinelConfig cfg = SentinelConfig.load(f.toString(), List.of());
    SentinelCore c = new SentinelCore(null, new Random(1), 0);
    cfg.applyTo(c, 0);
    c.myid = "c".repeat(40);
    Instance m = c.masters.get("m");
    c.addReplica(m, new Addr("10.0.0.2", 6379), 0);
    c.addSentinel(m, new Addr("10.0.0.9", 26379), "d".repeat(40), 0);
    c.currentEpoch = 4;
    m.configEpoch = 3;
    m.leaderEpoch = 4;
    m.authPass = "se cret";
    cfg.rewrite(c);
    String text = Files.readString(f);
    assertThat(text).startsWith("port 26999\n# a comment kept\n");
    assertThat(text).contains("# Generated by CONFIG REWRITE\n", "sentinel myid " + "c".repeat(40),
        "sentinel monitor m 10.0.0.1 6379 2\n", "sentinel down-after-milliseconds m 3000\n",
        "sentinel auth-pass m \"se cret\"\n", "sentinel config-epoch m 3\n", "sentinel leader-epoch m 4\n",
        "sentinel known-replica m 10.0.0.2 6379\n", "sentinel known-sentinel m 10.0.0.9 26379 " + "d".repeat(40),
        "sentinel current-epoch 4\n");
    // Restart: the same state comes back, and a second rewrite is stable.
    SentinelConfig again = SentinelConfig.load(f.toString(), List.of());
    SentinelCore c2 = new SentinelCore(null, new Random(1), 0);
    again.applyTo(c2, 0);
    assertThat(c2.myid).isEqualTo(c.myid);
    assertThat(c2.currentEpoch).isEqualTo(4);
    assertThat(c2.masters.get("m").replicas).containsKey("10.0.0.2:6379");
    assertThat(c2.masters.get("m").sentinels).containsKey("d".repeat(40));
    assertThat(c2.masters.get("m").authPass).isEqualTo("se cret");
    again.rewrite(c2);
    assertThat(Files.readString(f)).isEqualTo(text);
  }
}
