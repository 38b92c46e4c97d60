package io.tripod.proxy.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.proxy.check.HealthState.Transition;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.config.ServerConfig;
import io.tripod.proxy.lb.Backend;
import io.tripod.proxy.lb.Server;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  @Test
  void startsUpWithHealthRiseAndFirstFailureMarksDown() {
    HealthState h = new HealthState(2, 3);
    assertThat(h.isUp()).isTrue();
    assertThat(h.health()).isEqualTo(2);
    assertThat(h.statusText()).isEqualTo("UP 1/3");
    assertThat(h.onFailure()).isEqualTo(Transition.WENT_DOWN);
    assertThat(h.health()).isZero();
    assertThat(h.statusText()).isEqualTo("DOWN");
  }

  @Test
  void fullyUpNeedsFallFailuresAndDownNeedsRiseSuccesses() {
    HealthState h = new HealthState(2, 3);
    assertThat(h.onSuccess()).isEqualTo(Transition.NONE);
    assertThat(h.health()).isEqualTo(4);
    assertThat(h.statusText()).isEqualTo("UP");
    assertThat(h.onFailure()).isEqualTo(Transition.NONE);
    assertThat(h.statusText()).isEqualTo("UP 2/3");
    assertThat(h.onFailure()).isEqualTo(Transition.NONE);
    assertThat(h.statusText()).isEqualTo("UP 1/3");
    assertThat(h.onSuccess()).isEqualTo(Transition.NONE); // one success refills completely
    assertThat(h.statusText()).isEqualTo("UP");
    h.onFailure();
    h.onFailure();
    assertThat(h.onFailure()).isEqualTo(Transition.WENT_DOWN);
    assertThat(h.onFailure()).isEqualTo(Transition.NONE);
    assertThat(h.onSuccess()).isEqualTo(Transition.NONE);
    assertThat(h.statusText()).isEqualTo("DOWN 1/2");
    assertThat(h.onFailure()).isEqualTo(Transition.NONE); // back to 0
    assertThat(h.statusText()).isEqualTo("DOWN");
    h.onSuccess();
    assertThat(h.onSuccess()).isEqualTo(Transition.WENT_UP);
    assertThat(h.health()).isEqualTo(4);
  }

  @Test
  void riseOneFallOne() {
    HealthState h = new HealthState(1, 1);
    assertThat(h.statusText()).isEqualTo("UP");
    assertThat(h.onFailure()).isEqualTo(Transition.WENT_DOWN);
    assertThat(h.onSuccess()).isEqualTo(Transition.WENT_UP);
  }

  /** A fake clock driving the check schedule: each check takes {@code dur} ms, next one after srv_getinter. */
  static final class FakeTicker implements Ticker {
    long now;

    @Override
    public long millis() {
      return now;
    }
  }

  record Event(long at, String status) {}

  static List<Event> simulate(ServerConfig sc, boolean[] results, long[] durations) {
    ProxyConfig px = new ProxyConfig(ProxyConfig.Kind.LISTEN, "p");
    sc.check = true;
    sc.name = "s";
    sc.host = "127.0.0.1";
    sc.id = 1;
    px.servers.add(sc);
    Backend be = new Backend(px);
    Server s = be.servers.get(0);
    FakeTicker t = new FakeTicker();
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < results.length; i++) {
      long start = t.millis();
      t.now += durations[i];
      s.lastCheck = new CheckResult(results[i] ? CheckOutcome.L7OK : CheckOutcome.L7TOUT, "", t.millis() - start);
      s.health.apply(results[i]);
      s.publish();
      out.add(new Event(t.millis(), s.statusText));
      t.now += s.nextInterval();
    }
    return out;
  }

  @Test
  void seedTimingReplicaFailingRoleMasterTimesOut() {
    // inter 2s, no timeout check: a replica's role:master expect waits the full 2000 ms each time.
    ServerConfig sc = new ServerConfig();
    sc.inter = 2000;
    List<Event> ev = simulate(sc, new boolean[] {false, false}, new long[] {2000, 2000});
    assertThat(ev.get(0)).isEqualTo(new Event(2000, "DOWN"));
    assertThat(ev.get(1)).isEqualTo(new Event(6000, "DOWN")); // cycle = 2 s timeout + 2 s interval
  }

  @Test
  void fastinterAndDowninterAreUsedInTheRightStates() {
    ServerConfig sc = new ServerConfig();
    sc.inter = 2000;
    sc.fastinter = 100;
    sc.downinter = 5000;
    // success at startup (transitional -> fully UP), then failures going down, then DOWN, then rising.
    List<Event> ev = simulate(sc, new boolean[] {true, false, false, false, true, true},
        new long[] {1, 1, 1, 1, 1, 1});
    assertThat(ev).extracting(Event::status).containsExactly("UP", "UP 2/3", "UP 1/3", "DOWN", "DOWN 1/2", "UP");
    // t: 1 (UP, next in inter 2000) -> 2002 (UP 2/3, fastinter) -> 2103 (UP 1/3, fastinter)
    //    -> 2204 (DOWN, downinter) -> 7205 (DOWN 1/2, fastinter) -> 7306 (UP)
    assertThat(ev).extracting(Event::at).containsExactly(1L, 2002L, 2103L, 2204L, 7205L, 7306L);
  }

  @Test
  void neverCheckedServerUsesFastinter() {
    ServerConfig sc = new ServerConfig();
    sc.check = true;
    sc.fastinter = 300;
    sc.name = "s";
    sc.host = "127.0.0.1";
    ProxyConfig px = new ProxyConfig(ProxyConfig.Kind.LISTEN, "p");
    px.servers.add(sc);
    Server s = new Backend(px).servers.get(0);
    assertThat(s.statusText).isEqualTo("UP 1/3");
    assertThat(s.nextInterval()).isEqualTo(300);
  }
}
