package io.tripod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** `tripod up` waits for the proxy's steady routing before it prints its endpoints. */
class UpMainTest {
  private static final String HEAD = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,"
      + "eresp,wretr,wredis,status,weight\n";

  private static String row(String px, String sv, String status) {
    return px + "," + sv + ",,,,,,,,,,,,,,,," + status + ",1\n";
  }

  @Test
  void steadyWhenTheLocalReplicaAndTwoReplicasAreUp() {
    String csv = HEAD + row("redis-rw", "redis-1", "UP") + row("redis-ro", "redis-1", "DOWN")
        + row("redis-ro", "redis-2", "UP") + row("redis-ro", "redis-3", "UP") + row("redis-ro", "redis-rw", "no check")
        + row("redis-local-ro", "redis-local", "UP") + row("redis-local-ro", "BACKEND", "UP");
    assertThat(UpMain.proxySteady(csv)).isTrue();
  }

  @Test
  void notSteadyWhileAServerIsGoingUpOrDown() {
    assertThat(UpMain.proxySteady(HEAD + row("redis-ro", "redis-2", "UP") + row("redis-ro", "redis-3", "UP")
        + row("redis-local-ro", "redis-local", "DOWN 1/2"))).isFalse();
    assertThat(UpMain.proxySteady(HEAD + row("redis-ro", "redis-2", "UP") + row("redis-ro", "redis-3", "DOWN 1/2")
        + row("redis-local-ro", "redis-local", "UP"))).isFalse();
    assertThat(UpMain.proxySteady("")).isFalse();
  }

  @Test
  void theReadOnlyEndpointIsSettledOnceTheMastersCheckFailed() {
    String starting = HEAD + row("redis-ro", "redis-1", "UP") + row("redis-ro", "redis-2", "UP")
        + row("redis-ro", "redis-3", "UP") + row("redis-ro", "redis-rw", "no check");
    assertThat(UpMain.readOnlySettled(starting)).isFalse();
    String settled = HEAD + row("redis-ro", "redis-1", "DOWN") + row("redis-ro", "redis-2", "UP")
        + row("redis-ro", "redis-3", "UP") + row("redis-ro", "redis-rw", "no check");
    assertThat(UpMain.readOnlySettled(settled)).isTrue();
  }
}
