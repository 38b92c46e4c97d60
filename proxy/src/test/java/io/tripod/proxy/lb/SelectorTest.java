package io.tripod.proxy.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.proxy.config.ProxyConfig.Balance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorTest {
  static final class S implements LbServer {
    final int id;
    boolean usable = true;
    final boolean backup;
    int weight = 1;
    int inflight;
    int maxconn;

    S(int id, boolean backup) {
      this.id = id;
      this.backup = backup;
    }

    @Override public int id() { return id; }
    @Override public boolean usable() { return usable; }
    @Override public boolean backup() { return backup; }
    @Override public int weight() { return weight; }
    @Override public int inflight() { return inflight; }
    @Override public int maxconn() { return maxconn; }

    @Override
    public String toString() {
      return "s" + id;
    }
  }

  @Test
  void allBackupSectionUsesOnlyTheFirstUsableBackupInConfigOrder() {
    S a = new S(1, true);
    S b = new S(2, true);
    S c = new S(3, true);
    List<S> l = List.of(a, b, c);
    Selector sel = new Selector(Balance.LEASTCONN, false);
    a.inflight = 50; // leastconn is not consulted for backups
    assertThat(sel.select(l, 0, null)).isSameAs(a);
    a.usable = false;
    assertThat(sel.select(l, 0, null)).isSameAs(b);
    b.usable = false;
    assertThat(sel.select(l, 0, null)).isSameAs(c);
    a.usable = true; // an earlier backup coming back takes over again
    assertThat(sel.select(l, 0, null)).isSameAs(a);
    a.usable = false;
    c.usable = false;
    assertThat(sel.select(l, 0, null)).isNull();
  }

  @Test
  void activeServersWinOverBackups() {
    S r1 = new S(1, false);
    S r2 = new S(2, false);
    S fallback = new S(3, true);
    List<S> l = List.of(r1, r2, fallback);
    Selector sel = new Selector(Balance.LEASTCONN, false);
    for (int i = 0; i < 10; i++) {
      assertThat(sel.select(l, 0, null)).isNotSameAs(fallback);
    }
    r1.usable = false;
    r2.usable = false;
    assertThat(sel.select(l, 0, null)).isSameAs(fallback);
  }

  @Test
  void allbackupsBalancesAmongBackups() {
    S a = new S(1, true);
    S b = new S(2, true);
    Selector sel = new Selector(Balance.ROUNDROBIN, true);
    Map<S, Integer> n = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      n.merge(sel.select(List.of(a, b), 0, null), 1, Integer::sum);
    }
    assertThat(n).containsEntry(a, 5).containsEntry(b, 5);
  }

  @Test
  void leastconnPicksFewestAndRotatesTies() {
    S a = new S(1, false);
    S b = new S(2, false);
    S c = new S(3, false);
    List<S> l = List.of(a, b, c);
    Selector sel = new Selector(Balance.LEASTCONN, false);
    a.inflight = 2;
    b.inflight = 1;
    c.inflight = 3;
    assertThat(sel.select(l, 0, null)).isSameAs(b);
    a.inflight = b.inflight = c.inflight = 0;
    List<S> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(sel.select(l, 0, null));
    }
    assertThat(picks).containsExactly(c, a, b, c, a, b); // ties rotate after the last pick (b)
    a.inflight = 4;
    a.weight = 4; // (4+1)/4 < (1+1)/1
    b.inflight = 1;
    c.inflight = 1;
    assertThat(sel.select(l, 0, null)).isSameAs(a);
  }

  @Test
  void maxconnFullServersAreSkipped() {
    S a = new S(1, false);
    S b = new S(2, false);
    a.maxconn = 1;
    a.inflight = 1;
    assertThat(new Selector(Balance.LEASTCONN, false).select(List.of(a, b), 0, null)).isSameAs(b);
    assertThat(new Selector(Balance.FIRST, false).select(List.of(a, b), 0, null)).isSameAs(b);
    a.inflight = 0;
    assertThat(new Selector(Balance.FIRST, false).select(List.of(a, b), 0, null)).isSameAs(a);
  }

  @Test
  void roundRobinRespectsWeights() {
    S a = new S(1, false);
    S b = new S(2, false);
    a.weight = 3;
    Selector sel = new Selector(Balance.ROUNDROBIN, false);
    Map<S, Integer> n = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      n.merge(sel.select(List.of(a, b), 0, null), 1, Integer::sum);
    }
    assertThat(n).containsEntry(a, 30).containsEntry(b, 10);
  }

  @Test
  void sourceIsStickyPerClient() {
    S a = new S(1, false);
    S b = new S(2, false);
    Selector sel = new Selector(Balance.SOURCE, false);
    for (int client = 0; client < 20; client++) {
      S first = sel.select(List.of(a, b), client, null);
      assertThat(sel.select(List.of(a, b), client, null)).isSameAs(first);
    }
  }

  @Test
  void redispatchAvoidsTheFailedServerWhenPossible() {
    S a = new S(1, false);
    S b = new S(2, false);
    Selector sel = new Selector(Balance.ROUNDROBIN, false);
    for (int i = 0; i < 5; i++) {
      assertThat(sel.select(List.of(a, b), 0, a)).isSameAs(b);
    }
    assertThat(sel.select(List.of(a), 0, a)).isSameAs(a);
  }
}
