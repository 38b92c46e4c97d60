package io.tripod.sentinel.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.sentinel.core.Level;
import io.tripod.sentinel.core.Timers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Redis 7.0's script job semantics, with small shell scripts in a temp dir. */
class ScriptQueueTest {
  Path dir;
  final Timers timers = new Timers();
  final List<String> events = new CopyOnWriteArrayList<>();
  ScriptQueue q;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("sentinel-scripts-");
    q = new ScriptQueue(timers, (level, type, message) -> {
      if (level != Level.DEBUG) events.add(type + " " + message);
    });
  }

  @AfterEach
  void tearDown() throws IOException {
    q.killAll();
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  private String script(String name, String body) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    return f.toString();
  }

  /** Runs timer passes (as the sentinel's ticks do) until the queue is empty. */
  private void drain() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> {
      q.run(System.currentTimeMillis());
      return q.length() == 0;
    });
  }

  @Test
  void exitOneIsRetriedThenSucceeds() throws Exception {
    timers.scriptRetryDelay = 50;
    Path runs = dir.resolve("runs");
    String s = script("flaky.sh", "echo \"$@\" >> " + runs + "\n"
        + "if [ ! -f " + dir.resolve("seen") + " ]; then touch " + dir.resolve("seen") + "; exit 1; fi\nexit 0");
    q.schedule(List.of(s, "+sdown", "master mymaster 127.0.0.1 6379"));
    // First run fails with 1: the job stays queued, scheduled for a retry.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
      q.run(System.currentTimeMillis());
      List<ScriptQueue.Job> jobs = q.jobs();
      return jobs.size() == 1 && !jobs.get(0).running && jobs.get(0).retryNum == 1;
    });
    assertThat(q.jobs().get(0).startTime).isGreaterThan(0);
    drain();
    assertThat(Files.readAllLines(runs)).containsExactly(
        "+sdown master mymaster 127.0.0.1 6379", "+sdown master mymaster 127.0.0.1 6379");
    assertThat(events).isEmpty();
    assertThat(q.runningCount()).isZero();
  }

  @Test
  void exitTwoIsAnErrorWithoutRetry() throws Exception {
    Path runs = dir.resolve("runs");
    String s = script("bad.sh", "echo run >> " + runs + "\nexit 2");
    q.schedule(List.of(s, "a", "b"));
    drain();
    assertThat(Files.readAllLines(runs)).hasSize(1);
    assertThat(events).containsExactly("-script-error " + s + " 0 2");
  }

  @Test
  void retriesStopAfterTenRunsWithDoublingDelay() throws Exception {
    timers.scriptRetryDelay = 1;
    assertThat(q.retryDelay(1)).isEqualTo(1);
    assertThat(q.retryDelay(2)).isEqualTo(2);
    assertThat(q.retryDelay(9)).isEqualTo(256);
    timers.scriptRetryDelay = 30000;
    assertThat(q.retryDelay(3)).isEqualTo(120000);
    timers.scriptRetryDelay = 1;
    Path runs = dir.resolve("runs");
    String s = script("always1.sh", "echo run >> " + runs + "\nexit 1");
    q.schedule(List.of(s));
    drain();
    assertThat(Files.readAllLines(runs)).hasSize(ScriptQueue.MAX_RETRY);
    assertThat(events).containsExactly("-script-error " + s + " 0 1");
  }

  @Test
  void overRuntimeIsKilledThenRetried() throws Exception {
    timers.scriptMaxRuntime = 300;
    timers.scriptRetryDelay = 10;
    Path runs = dir.resolve("runs");
    String s = script("slow.sh", "echo run >> " + runs + "\n"
        + "if [ ! -f " + dir.resolve("seen") + " ]; then touch " + dir.resolve("seen") + "; exec sleep 30; fi\nexit 0");
    q.schedule(List.of(s));
    drain();
    assertThat(Files.readAllLines(runs)).hasSize(2);
    assertThat(events).hasSize(1);
    assertThat(events.get(0)).matches("-script-timeout " + java.util.regex.Pattern.quote(s) + " [1-9][0-9]*");
  }

  @Test
  void atMostSixteenRunAndTheQueueKeepsTheNewest256() throws Exception {
    String s = script("sleepy.sh", "exec sleep 30");
    for (int i = 0; i < 20; i++) q.schedule(List.of(s, Integer.toString(i)));
    long now = System.currentTimeMillis();
    q.run(now);
    assertThat(q.runningCount()).isEqualTo(ScriptQueue.MAX_RUNNING);
    List<ScriptQueue.Job> jobs = q.jobs();
    for (int i = 0; i < 20; i++) {
      assertThat(jobs.get(i).running).isEqualTo(i < 16);
      if (i < 16) assertThat(jobs.get(i).pid).isPositive();
    }
    // Over 256 jobs: the oldest job that is not running is dropped (running ones stay).
    for (int i = 20; i < 300; i++) q.schedule(List.of(s, Integer.toString(i)));
    jobs = q.jobs();
    assertThat(jobs).hasSize(ScriptQueue.MAX_QUEUE);
    List<String> firstArgs = new ArrayList<>();
    for (int i = 0; i < 17; i++) firstArgs.add(jobs.get(i).argv.get(1));
    assertThat(firstArgs.subList(0, 16)).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
        "10", "11", "12", "13", "14", "15");
    assertThat(firstArgs.get(16)).isEqualTo("60"); // 16..59 were dropped
    q.killAll();
  }

  @Test
  void unstartableScriptIsExitTwo() {
    String s = dir.resolve("missing.sh").toString();
    q.schedule(List.of(s, "x"));
    drain();
    assertThat(events).containsExactly("-script-error " + s + " 0 2");
  }
}
