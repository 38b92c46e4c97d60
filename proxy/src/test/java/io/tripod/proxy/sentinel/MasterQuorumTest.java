package io.tripod.proxy.sentinel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tripod.proxy.sentinel.MasterQuorum.Change;
import io.tripod.proxy.sentinel.MasterQuorum.Decision;
import org.junit.jupiter.api.Test;

/** The quorum decision of the Sentinel-aware mode, driven by a fake clock. */
class MasterQuorumTest {
  static final HostPort A = new HostPort("127.0.1.1", 6379);
  static final HostPort B = new HostPort("127.0.1.2", 6379);
  static final HostPort C = new HostPort("127.0.1.3", 6379);

  long now = 1_000;
  final MasterQuorum q = new MasterQuorum(3, 2, 2000);

  @Test
  void noMasterUntilAQuorumAgrees() {
    assertThat(q.evaluate(now).change()).isEqualTo(Change.NONE);
    assertThat(q.master()).isNull();
    q.report(0, A, now);
    Decision d = q.evaluate(now);
    assertThat(d.change()).isEqualTo(Change.NONE);
    assertThat(d.master()).isNull();
    assertThat(d.answering()).isEqualTo(1);
    q.report(1, A, now);
    d = q.evaluate(now);
    assertThat(d).isEqualTo(new Decision(Change.ELECTED, A, null, 2, 2));
    q.report(2, A, now);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.NONE, A, null, 3, 3));
  }

  @Test
  void failoverSwitchesOnlyWhenTheQuorumFollowsTheLeader() {
    for (int i = 0; i < 3; i++) {
      q.report(i, A, now);
    }
    assertThat(q.evaluate(now).change()).isEqualTo(Change.ELECTED);
    now += 500;
    // the leader switches first: 1 of 3 says B, A keeps the quorum
    q.report(0, B, now);
    q.report(1, A, now);
    q.report(2, A, now);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.NONE, A, null, 2, 3));
    // a hello reaches a second sentinel: B has 2 of 3
    now += 10;
    q.report(1, B, now);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.ELECTED, B, A, 2, 3));
    assertThat(q.master()).isEqualTo(B);
    q.report(2, B, now);
    assertThat(q.evaluate(now).change()).isEqualTo(Change.NONE);
  }

  @Test
  void disagreementOrSilenceKeepsTheLastAgreedMaster() {
    q.report(0, A, now);
    q.report(1, A, now);
    q.report(2, A, now);
    q.evaluate(now);
    // one sentinel per address: no quorum, A is kept
    now += 100;
    q.report(0, A, now);
    q.report(1, B, now);
    q.report(2, C, now);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.LOST, A, null, 1, 3));
    assertThat(q.master()).isEqualTo(A);
    assertThat(q.agreed()).isFalse();
    assertThat(q.evaluate(now).change()).isEqualTo(Change.NONE); // LOST is reported once
    // back to A: regained, not a new election
    q.report(1, A, now);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.REGAINED, A, null, 2, 3));
    // two links drop: one answer is not a quorum, A is kept
    q.lost(0);
    q.lost(1);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.LOST, A, null, 0, 1));
    // even if the remaining sentinel names B
    q.report(2, B, now);
    assertThat(q.evaluate(now).master()).isEqualTo(A);
  }

  @Test
  void staleAnswersStopCounting() {
    q.report(0, A, now);
    q.report(1, A, now);
    assertThat(q.evaluate(now).change()).isEqualTo(Change.ELECTED);
    now += 2000; // still fresh (at most freshMs old)
    assertThat(q.evaluate(now).change()).isEqualTo(Change.NONE);
    now += 1;
    q.report(1, A, now);
    Decision d = q.evaluate(now);
    assertThat(d).isEqualTo(new Decision(Change.LOST, A, null, 1, 1));
    assertThat(q.reportOf(0, now)).isNull();
    assertThat(q.answering(0, now)).isFalse();
    q.report(0, A, now);
    assertThat(q.evaluate(now).change()).isEqualTo(Change.REGAINED);
  }

  @Test
  void unknownMasterAnswersCountAsAnsweringButVoteForNobody() {
    q.report(0, null, now);
    q.report(1, null, now);
    q.report(2, A, now);
    assertThat(q.evaluate(now)).isEqualTo(new Decision(Change.NONE, null, null, 0, 3));
  }

  @Test
  void aQuorumBelowTheMajorityNamingTwoAddressesIsNoAgreement() {
    MasterQuorum one = new MasterQuorum(3, 1, 2000);
    one.report(0, A, now);
    assertThat(one.evaluate(now).change()).isEqualTo(Change.ELECTED);
    one.report(1, B, now);
    assertThat(one.evaluate(now)).isEqualTo(new Decision(Change.LOST, A, null, 1, 2));
    one.lost(0);
    assertThat(one.evaluate(now)).isEqualTo(new Decision(Change.ELECTED, B, A, 1, 1));
  }

  @Test
  void aSimulatedFailoverNeverNamesTwoMastersAndEndsOnTheNewOne() {
    // Sentinels switch one at a time, in any order, some answers stale or lost on the way: every
    // decision names at most one master, and once all agree on B the decision is B.
    java.util.Random rnd = new java.util.Random(42);
    for (int round = 0; round < 200; round++) {
      MasterQuorum m = new MasterQuorum(3, 2, 2000);
      long t = 0;
      for (int i = 0; i < 3; i++) {
        m.report(i, A, t);
      }
      assertThat(m.evaluate(t).master()).isEqualTo(A);
      HostPort[] view = {A, A, A};
      for (int step = 0; step < 30; step++) {
        t += rnd.nextInt(700);
        int i = rnd.nextInt(3);
        if (rnd.nextInt(5) == 0) {
          m.lost(i);
        } else {
          if (rnd.nextBoolean()) {
            view[i] = B;
          }
          m.report(i, view[i], t);
        }
        Decision d = m.evaluate(t);
        assertThat(d.master()).isIn(A, B);
        if (d.change() == Change.ELECTED) {
          assertThat(d.votes()).isGreaterThanOrEqualTo(2);
        }
      }
      t += 10;
      for (int i = 0; i < 3; i++) {
        m.report(i, B, t);
      }
      assertThat(m.evaluate(t).master()).isEqualTo(B);
    }
  }

  @Test
  void specParsing() {
    SentinelSpec s = SentinelSpec.parse("redis-rw=redis-ha@127.0.1.1:26379,127.0.1.2:26379,127.0.1.3:26379", 0);
    assertThat(s.backend()).isEqualTo("redis-rw");
    assertThat(s.masterName()).isEqualTo("redis-ha");
    assertThat(s.sentinels()).containsExactly(new HostPort("127.0.1.1", 26379), new HostPort("127.0.1.2", 26379),
        new HostPort("127.0.1.3", 26379));
    assertThat(s.quorum()).isEqualTo(2);
    assertThat(SentinelSpec.parse("be=m@[::1]:26379", 0).sentinels()).containsExactly(new HostPort("::1", 26379));
    assertThat(SentinelSpec.parse("be=m@h:1,h:2,h:3,h:4", 0).quorum()).isEqualTo(3);
    assertThat(SentinelSpec.parse("be=m@h:1,h:2,h:3", 3).quorum()).isEqualTo(3);
    assertThatThrownBy(() -> SentinelSpec.parse("be=m@h:1,h:2", 3)).hasMessageContaining("quorum 3");
    assertThatThrownBy(() -> SentinelSpec.parse("be@h:1", 0)).hasMessageContaining("is not <backend>");
    assertThatThrownBy(() -> SentinelSpec.parse("be=m@h", 0)).hasMessageContaining("not host:port");
    assertThatThrownBy(() -> SentinelSpec.parse("be=m@h:99999", 0)).hasMessageContaining("no valid port");
    assertThatThrownBy(() -> SentinelSpec.parse("be=m@h:1,h:1", 0)).hasMessageContaining("listed twice");
  }
}
