package io.tripod.sentinel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random runs of several sentinels over a simulated network with drops, delays, partitions
 * and crashes. Safety invariants are checked by {@link SimCluster} after every step; a failure
 * names its seed, and {@code -Dsim.seed=N} replays just that run.
 */
class SimulationTest {
  private static final int RUNS = Integer.getInteger("sim.runs", 300);

  @Test
  void randomFaultsNeverBreakSafety() {
    String one = System.getProperty("sim.seed");
    if (one != null) {
      runOne(Long.parseLong(one), true);
      return;
    }
    long base = Long.getLong("sim.base", 20261126L);
    int failovers = 0;
    for (int i = 0; i < RUNS; i++) {
      failovers += runOne(base + i, false);
    }
    // Most runs kill the master with a majority able to act: failovers must actually happen.
    assertThat(failovers).isGreaterThan(RUNS / 4);
  }

  /** @return 1 if a failover completed */
  static int runOne(long seed, boolean print) {
    Random r = new Random(seed ^ 0x5eed);
    int n = 3 + 2 * r.nextInt(2); // 3 or 5 sentinels
    int quorum = 1 + r.nextInt(n);
    int replicas = 1 + r.nextInt(3);
    SimCluster w = new SimCluster(seed, n, replicas, quorum, 1000 + 1000L * r.nextInt(3), 3000 + 3000L * r.nextInt(2));
    w.recordTranscript = print;
    w.dropRate = r.nextInt(3) == 0 ? r.nextDouble() * 0.1 : 0;
    w.maxDelay = 1 + r.nextInt(50);
    List<SimCluster.Node> reps = new ArrayList<>(w.nodes.values());
    reps.remove(0);
    for (SimCluster.Node rep : reps) {
      rep.priority = r.nextInt(5) == 0 ? 0 : 100 - 10 * r.nextInt(3);
    }
    try {
      w.run(8000); // discovery
      SimCluster.Node oldMaster = w.master();
      boolean partitioned = r.nextInt(3) == 0;
      if (partitioned) {
        // A random split of sentinels; the master goes to one side.
        for (SimCluster.Sent s : w.sentinels) w.partition.put(s.addr, r.nextInt(2));
        w.partition.put(oldMaster.addr, r.nextInt(2));
        for (SimCluster.Node rep : reps) w.partition.put(rep.addr, r.nextInt(2));
      }
      if (r.nextInt(4) != 0) w.kill(oldMaster.addr);
      int crashed = -1;
      if (r.nextInt(3) == 0) {
        crashed = r.nextInt(n);
        w.run(r.nextInt(3000)); // possibly in the middle of an election
        w.kill(w.sentinels.get(crashed).addr);
      }
      w.run(5000 + r.nextInt(20000));
      if (crashed >= 0 && r.nextBoolean()) w.restartSentinel(crashed);
      w.partition.clear();
      if (!oldMaster.alive && r.nextBoolean()) w.restart(oldMaster.addr);
      w.run(40000);
      // Liveness, when nothing stops it: after healing, live sentinels agree.
      if (w.dropRate == 0) {
        int alive = 0;
        for (SimCluster.Sent s : w.sentinels) if (s.alive) alive++;
        if (alive >= n / 2 + 1 && alive >= quorum) {
          assertThat(new HashSet<>(w.agreedMasters())).as("agreement, seed " + seed).hasSize(1);
        }
      }
      return w.promotions.isEmpty() ? 0 : 1;
    } finally {
      if (print) {
        w.transcript.forEach(System.out::println);
      }
    }
  }

  /**
   * Liveness on a clean kill -9 (no other faults): the failover should almost never need a second
   * election (a split vote costs 2 x failover-timeout).
   */
  @Test
  void cleanKillFailsOverPromptly() {
    long jitter = Long.getLong("sim.jitter", 400);
    int runs = 200;
    int slow = 0;
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      SimCluster w = new SimCluster(7000 + i, 3 + 2 * (i % 2), 2, 2, 1000, 3000);
      for (SimCluster.Sent s : w.sentinels) s.core.timers.candidateJitter = jitter;
      w.maxDelay = 3;
      w.run(8000);
      long killAt = w.now;
      w.kill(w.master().addr);
      w.run(30000);
      long first = Long.MAX_VALUE;
      for (SimCluster.Ev e : w.events) {
        if (e.time() > killAt && e.event().type().equals("+switch-master")) first = Math.min(first, e.time() - killAt);
      }
      times.add(first);
      if (first > 4000) slow++;
    }
    java.util.Collections.sort(times);
    System.out.println("clean kill -> first +switch-master (sim ms): median " + times.get(runs / 2)
        + ", p95 " + times.get(runs * 95 / 100) + ", max " + times.get(runs - 1) + ", slow runs " + slow + "/" + runs
        + " (candidate jitter " + jitter + ")");
    assertThat(slow).isLessThanOrEqualTo(runs / 20);
  }
}
