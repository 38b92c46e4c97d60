package io.tripod.sentinel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Readable transcripts of the core in a simulated world (printed to stdout). */
class ScenarioTest {
  private static SimCluster world(long seed, int sentinels, int replicas, int quorum) {
    SimCluster w = new SimCluster(seed, sentinels, replicas, quorum, 1000, 3000);
    w.recordTranscript = true;
    return w;
  }

  private static void print(String title, SimCluster w) {
    System.out.println("=== " + title);
    w.transcript.forEach(System.out::println);
  }

  private static List<String> typesOf(SimCluster w, int who) {
    List<String> r = new ArrayList<>();
    for (SimCluster.Ev e : w.events) if (e.who() == who) r.add(e.event().type());
    return r;
  }

  private static void assertSubsequence(List<String> seq, String... expected) {
    int i = 0;
    for (String s : seq) if (i < expected.length && s.equals(expected[i])) i++;
    assertThat(i).as("subsequence %s in %s", List.of(expected), seq).isEqualTo(expected.length);
  }

  private static int leader(SimCluster w) {
    for (SimCluster.Ev e : w.events) if (e.event().type().equals("+elected-leader")) return e.who();
    return -1;
  }

  @Test
  void masterKilledLeaderAndObserversFollowRedisSequence() {
    SimCluster w = world(1, 3, 2, 2);
    w.run(8000);
    SimCluster.Node old = w.master();
    w.kill(old.addr);
    w.run(15000);
    print("kill -9 master, 3 sentinels quorum 2", w);
    int l = leader(w);
    assertThat(l).isGreaterThanOrEqualTo(0);
    assertSubsequence(typesOf(w, l), "+sdown", "+odown", "+new-epoch", "+try-failover", "+vote-for-leader",
        "+elected-leader", "+failover-state-select-slave", "+selected-slave",
        "+failover-state-send-slaveof-noone", "+failover-state-wait-promotion", "+promoted-slave",
        "+failover-state-reconf-slaves", "+slave-reconf-sent", "+slave-reconf-inprog", "+slave-reconf-done",
        "+failover-end", "+switch-master", "+slave");
    for (int i = 0; i < 3; i++) {
      if (i != l) {
        assertSubsequence(typesOf(w, i), "+new-epoch", "+vote-for-leader", "+config-update-from", "+switch-master", "+slave");
      }
    }
    assertThat(new java.util.HashSet<>(w.agreedMasters())).hasSize(1);
    assertThat(w.master()).isNotNull();
    assertThat(w.promotions).containsOnlyKeys(1L);
  }

  @Test
  void returningOldMasterIsDemoted() {
    SimCluster w = world(2, 3, 2, 2);
    w.run(8000);
    SimCluster.Node old = w.master();
    w.kill(old.addr);
    w.run(10000);
    Addr now = w.agreedMasters().get(0);
    w.restart(old.addr);
    w.run(25000);
    print("old master returns", w);
    assertThat(old.master).isFalse();
    assertThat(old.masterAddr).isEqualTo(now);
    boolean converted = false;
    for (SimCluster.Ev e : w.events) converted |= e.event().type().equals("+convert-to-slave");
    assertThat(converted).isTrue();
  }

  @Test
  void minorityCannotFailOver() {
    // 5 sentinels, quorum 2: S1 and S2 lose the master (and the majority) but agree it is down.
    SimCluster w = world(3, 5, 2, 2);
    w.run(8000);
    for (SimCluster.Sent s : w.sentinels) w.partition.put(s.addr, 0);
    w.partition.put(w.sentinels.get(0).addr, 1);
    w.partition.put(w.sentinels.get(1).addr, 1);
    w.run(30000);
    print("minority partition S1,S2 vs master and S3-S5", w);
    assertThat(w.promotions).isEmpty();
    assertThat(w.leaders).isEmpty();
    List<String> s1 = typesOf(w, 0);
    assertThat(s1).contains("+odown", "+try-failover", "-failover-abort-not-elected");
  }

  @Test
  void majorityFailsOverWhileMinorityKeepsOldMaster() {
    SimCluster w = world(4, 5, 2, 2);
    w.run(8000);
    SimCluster.Node old = w.master();
    // Master with S1,S2 on one side; S3-S5 and the replicas on the other.
    for (SimCluster.Sent s : w.sentinels) w.partition.put(s.addr, 1);
    w.partition.put(w.sentinels.get(0).addr, 0);
    w.partition.put(w.sentinels.get(1).addr, 0);
    w.partition.put(old.addr, 0);
    for (SimCluster.Node n : w.nodes.values()) if (n != old) w.partition.put(n.addr, 1);
    w.run(20000);
    print("majority S3-S5 with the replicas fails over", w);
    assertThat(w.promotions).hasSize(1);
    assertThat(w.sentinels.get(0).core.masters.get("mymaster").currentAddr()).isEqualTo(old.addr);
    Addr fresh = w.sentinels.get(4).core.masters.get("mymaster").currentAddr();
    assertThat(fresh).isNotEqualTo(old.addr);
    // Healed: the minority learns the new config from hellos (higher config epoch).
    w.partition.clear();
    w.run(20000);
    assertThat(w.agreedMasters()).containsOnly(fresh);
    assertThat(old.master).isFalse();
  }

  @Test
  void replicaSelectionFollowsPriorityThenOffset() {
    SimCluster w = world(5, 3, 3, 2);
    List<SimCluster.Node> reps = new ArrayList<>(w.nodes.values()).subList(1, 4);
    reps.get(0).priority = 0; // never promote
    reps.get(1).priority = 100;
    reps.get(2).priority = 50; // best
    w.run(8000);
    w.kill(w.master().addr);
    w.run(10000);
    print("priorities 0 / 100 / 50", w);
    assertThat(w.agreedMasters()).containsOnly(reps.get(2).addr);
  }

  @Test
  void tiltSuspendsJudgement() {
    SentinelCore c = new SentinelCore("a".repeat(40), new Random(1), 1000);
    c.monitor("m", new Addr("10.0.0.1", 6379), 1, 1000);
    c.tick(1100);
    c.tick(5000); // the clock jumped: TILT
    assertThat(c.drain()).extracting(a -> a instanceof Action.Event ? ((Action.Event) a).type() : "")
        .contains("+tilt");
    assertThat(c.tilt).isTrue();
    // The master is unreachable for a long time, but in TILT nothing is judged.
    for (long t = 5100; t < 34000; t += 100) c.tick(t);
    assertThat(c.masters.get("m").is(Instance.S_DOWN)).isFalse();
    assertThat(c.isMasterDownByAddr("10.0.0.1", 6379, 0, "*", 34000)[0]).isEqualTo(0L);
    for (long t = 34000; t < 36000; t += 100) c.tick(t);
    assertThat(c.tilt).isFalse();
    assertThat(c.masters.get("m").is(Instance.S_DOWN)).isTrue();
  }

  /** A slow start (config loaded 1.5 s before the first tick) does not count toward down-after. */
  @Test
  void slowStartDoesNotCountTowardDownAfter() {
    Addr a = new Addr("10.0.0.1", 6379);
    SentinelCore c = new SentinelCore("a".repeat(40), new Random(1), 1000);
    c.monitor("m", a, 1, 1000);
    c.setDownAfter(c.masters.get("m"), 1000);
    c.startClock(2500);
    c.tick(2500);
    c.linkUp(a, 2550);
    c.tick(2650);
    c.pingReply(a, "+PONG", 2700);
    c.tick(2800);
    assertThat(c.drain()).extracting(x -> x instanceof Action.Event ? ((Action.Event) x).type() : "")
        .doesNotContain("+sdown", "+tilt");
    assertThat(c.masters.get("m").is(Instance.S_DOWN)).isFalse();
    // Still judged from then on: no reply for down-after is +sdown.
    for (long t = 2900; t < 5000; t += 100) c.tick(t);
    assertThat(c.masters.get("m").is(Instance.S_DOWN)).isTrue();
  }

  @Test
  void oneVotePerEpoch() {
    SentinelCore c = new SentinelCore("a".repeat(40), new Random(1), 1000);
    c.monitor("m", new Addr("10.0.0.1", 6379), 1, 1000);
    Object[] r1 = c.isMasterDownByAddr("10.0.0.1", 6379, 5, "b".repeat(40), 1000);
    Object[] r2 = c.isMasterDownByAddr("10.0.0.1", 6379, 5, "c".repeat(40), 1001);
    assertThat(r1[1]).isEqualTo("b".repeat(40));
    assertThat(r2[1]).isEqualTo("b".repeat(40)); // the first requester keeps the vote
    assertThat(r2[2]).isEqualTo(5L);
    Object[] r3 = c.isMasterDownByAddr("10.0.0.1", 6379, 6, "c".repeat(40), 1002);
    assertThat(r3[1]).isEqualTo("c".repeat(40));
    Object[] r4 = c.isMasterDownByAddr("10.0.0.1", 6379, 4, "d".repeat(40), 1003);
    assertThat(r4[1]).isEqualTo("c".repeat(40)); // old epochs get nothing
    assertThat(c.currentEpoch).isEqualTo(6);
  }

  @Test
  void illegalTransitionsAreRefused() {
    SentinelCore c = new SentinelCore("a".repeat(40), new Random(1), 1000);
    c.monitor("m", new Addr("10.0.0.1", 6379), 1, 1000);
    Instance m = c.masters.get("m");
    assertThatThrownBy(() -> c.transitionTo(m, FailoverState.WAIT_PROMOTION, null, m, 1000))
        .isInstanceOf(IllegalStateException.class);
    c.transitionTo(m, FailoverState.WAIT_START, "+try-failover", m, 1000);
    assertThat(m.failoverState).isEqualTo(FailoverState.WAIT_START);
    assertThatThrownBy(() -> c.transitionTo(m, FailoverState.RECONF_SLAVES, null, m, 1000))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void masterReportingReplicaRoleGoesSdown() {
    SentinelCore c = new SentinelCore("a".repeat(40), new Random(1), 0);
    c.monitor("m", new Addr("10.0.0.1", 6379), 1, 0);
    Instance m = c.masters.get("m");
    c.setDownAfter(m, 1000);
    c.linkUp(m.addr, 0);
    String info = "run_id:" + "f".repeat(40) + "\r\nrole:slave\r\nmaster_host:10.0.0.9\r\nmaster_port:1\r\nmaster_link_status:up\r\n";
    for (long t = 0; t <= 20900; t += 100) {
      c.tick(t);
      c.pingReply(m.addr, "+PONG", t);
      c.infoReply(m.addr, info, t);
    }
    assertThat(m.is(Instance.S_DOWN)).isFalse(); // 1000 + 2 x 10000 not yet passed
    for (long t = 21000; t <= 21500; t += 100) {
      c.tick(t);
      c.pingReply(m.addr, "+PONG", t);
    }
    assertThat(m.is(Instance.S_DOWN)).isTrue();
  }

  @Test
  void replicaFollowingWrongMasterIsFixed() {
    SimCluster w = world(6, 3, 2, 2);
    w.run(8000);
    List<SimCluster.Node> reps = new ArrayList<>(w.nodes.values()).subList(1, 3);
    Addr master = w.master().addr;
    reps.get(1).masterAddr = reps.get(0).addr; // chained to the other replica: not our config
    w.note(-1, "operator: " + reps.get(1).addr + " REPLICAOF " + reps.get(0).addr);
    w.run(15000);
    print("replica following the wrong master", w);
    assertThat(reps.get(1).masterAddr).isEqualTo(master);
    boolean fixed = false;
    for (SimCluster.Ev e : w.events) fixed |= e.event().type().equals("+fix-slave-config");
    assertThat(fixed).isTrue();
    assertThat(w.promotions).isEmpty();
  }

  private static long firstEventAfter(SimCluster w, String type, long since) {
    for (SimCluster.Ev e : w.events) {
      if (e.time() >= since && e.event().type().equals(type)
          && (!type.equals("+sdown") || e.event().message().startsWith("master "))) {
        return e.time() - since;
      }
    }
    return -1;
  }

  @Test
  void aRefusingPortIsDownSoonerThanASilentOne() {
    // down-after 3000: a killed master (its host refuses connections) is +sdown after about
    // refusedDownAfter (1 s); a master cut off by a partition (silence) after down-after, as Redis.
    SimCluster killed = new SimCluster(7, 3, 2, 2, 3000, 6000);
    killed.recordTranscript = true;
    killed.run(8000);
    long t0 = killed.now;
    killed.kill(killed.master().addr);
    killed.run(15000);
    long sdownKilled = firstEventAfter(killed, "+sdown", t0);
    long switched = firstEventAfter(killed, "+switch-master", t0);
    assertThat(sdownKilled).isBetween(900L, 1500L);
    assertThat(switched).isPositive();
    assertThat(killed.promotions).hasSize(1);
    // The old address's refusals do not follow the master to its new address.
    for (SimCluster.Ev e : killed.events) {
      if (e.time() >= t0 && e.event().type().equals("+sdown") && e.event().message().startsWith("master ")) {
        assertThat(e.event().message()).as("only the dead address is down").contains("10.0.0.1 6379");
      }
    }

    SimCluster cut = new SimCluster(7, 3, 2, 2, 3000, 6000);
    cut.run(8000);
    long t1 = cut.now;
    SimCluster.Node m = cut.master();
    cut.partition.put(m.addr, 1);
    cut.run(15000);
    assertThat(firstEventAfter(cut, "+sdown", t1)).isGreaterThanOrEqualTo(3000L);
    System.out.println("kill -9: +sdown after " + sdownKilled + " ms, +switch-master after " + switched + " ms");
  }

  @Test
  void refusalsOfTheOldAddressDoNotFollowTheMasterToItsNewOne() {
    SentinelCore core = new SentinelCore("a".repeat(40), new Random(1), 0);
    Addr old = new Addr("10.0.0.1", 6379);
    Addr promoted = new Addr("10.0.0.2", 6379);
    assertThat(core.monitor("m", old, 1, 0)).isNull();
    core.setDownAfter(core.masters.get("m"), 3000);
    core.tick(0);
    for (long t = 100; t <= 1500; t += 100) {
      core.connectRefused(old, t);
      core.tick(t);
    }
    assertThat(core.masters.get("m").is(Instance.S_DOWN)).as("the refusing address is down").isTrue();
    // The switch happens while our link to the promoted replica is down (Sentinel's CLIENT KILL).
    core.resetMasterAndChangeAddress(core.masters.get("m"), promoted, 1550);
    core.drain();
    core.tick(1600);
    for (Action a : core.drain()) {
      if (a instanceof Action.Event) {
        assertThat(((Action.Event) a).type()).isNotEqualTo("+sdown");
      }
    }
    assertThat(core.masters.get("m").is(Instance.S_DOWN)).isFalse();
  }
}
