package io.tripod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.Database;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lazy and active expiry driven by a manual clock (no sleeps): a server is built with an injectable
 * {@link Clock} and commands go through {@link Server#process}, without sockets.
 */
class ExpiryTest {
  /** Time only moves when the test says so. */
  static final class ManualClock implements Clock {
    long now = 1_700_000_000_000L;

    @Override
    public long millis() {
      return now;
    }
  }

  ManualClock clock;
  Server server;
  Client c;
  final List<String> propagated = new ArrayList<>();

  @BeforeEach
  void setUp() {
    clock = new ManualClock();
    server = new Server(new ServerConfig(), clock);
    server.propagator = (db, argv) -> propagated.add(db + " " + join(argv));
    c = server.newClient(null);
  }

  static String join(byte[][] argv) {
    StringBuilder sb = new StringBuilder();
    for (byte[] a : argv) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(new String(a, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** Runs one command and returns its decoded reply. */
  static RespValue call(Server s, Client c, String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    s.process(c, argv);
    ByteBuf out = c.takeOutput();
    assertThat(out).as("reply to %s", String.join(" ", args)).isNotNull();
    try {
      RespValue v = new ReplyDecoder().decode(out);
      assertThat(out.isReadable()).as("a single reply").isFalse();
      return v;
    } finally {
      out.release();
    }
  }

  RespValue call(String... args) {
    return call(server, c, args);
  }

  long integer(String... args) {
    RespValue v = call(args);
    assertThat(v.type()).as("integer reply to %s", String.join(" ", args)).isEqualTo(':');
    return v.number();
  }

  /** What Server's cron does for expiry: the slow cycle, then the tables' resize/rehash pass. */
  void cron() {
    server.expiry.activeExpireCycle(clock.now);
    for (Database db : server.databases()) {
      db.rehashForMillis(1);
    }
  }

  Database db0() {
    return server.db(0);
  }

  @Test
  void lazyExpiryDeletesOnAccessOnlyOncePastTheDeadline() {
    call("SET", "k", "v");
    assertThat(integer("PEXPIRE", "k", "1000")).isEqualTo(1);
    propagated.clear();
    clock.now += 1000;
    // Exactly at the expiry time the key still lives (Redis: expired when now > when).
    assertThat(call("GET", "k").asString()).isEqualTo("v");
    assertThat(integer("PTTL", "k")).isZero();
    clock.now += 1;
    assertThat(call("GET", "k").isNull()).isTrue();
    assertThat(db0().size()).isZero();
    assertThat(db0().expiresSize()).isZero();
    assertThat(server.stats.expiredKeys).isEqualTo(1);
    assertThat(propagated).containsExactly("0 DEL k");
    // Once gone, accessing it again is an ordinary miss.
    assertThat(integer("EXISTS", "k")).isZero();
    assertThat(server.stats.expiredKeys).isEqualTo(1);
  }

  @Test
  void everyReadAndWritePathExpiresLazily() {
    String[][] accesses = {
      {"EXISTS", "k"}, {"TTL", "k"}, {"PTTL", "k"}, {"TYPE", "k"}, {"TOUCH", "k"},
      {"PERSIST", "k"}, {"EXPIRE", "k", "100"}, {"DEL", "k"}, {"RENAMENX", "k", "x"},
      {"MOVE", "k", "1"}, {"COPY", "k", "x"}, {"EXPIRETIME", "k"},
    };
    long expired = 0;
    for (String[] access : accesses) {
      call("SET", "k", "v", "PX", "10");
      clock.now += 11;
      call(access);
      expired++;
      assertThat(db0().find("k".getBytes(StandardCharsets.UTF_8)))
          .as("after %s", String.join(" ", access))
          .isNull();
      assertThat(server.stats.expiredKeys).isEqualTo(expired);
    }
    assertThat(db0().size()).isZero();
  }

  @Test
  void keysHidesExpiredKeysWithoutDeletingThemWhileScanDeletesThem() {
    call("SET", "a", "1");
    call("SET", "b", "2", "PX", "5");
    clock.now += 6;
    RespValue keys = call("KEYS", "*");
    assertThat(keys.elements()).extracting(RespValue::asString).containsExactly("a");
    assertThat(db0().size()).isEqualTo(2);
    assertThat(integer("DBSIZE")).isEqualTo(2);
    RespValue scan = call("SCAN", "0", "COUNT", "100");
    assertThat(scan.elements().get(1).elements()).extracting(RespValue::asString).containsExactly("a");
    assertThat(db0().size()).isEqualTo(1);
    assertThat(server.stats.expiredKeys).isEqualTo(1);
  }

  @Test
  void randomkeySkipsExpiredKeys() {
    call("SET", "live", "1");
    for (int i = 0; i < 50; i++) {
      call("SET", "dead" + i, "1", "PX", "5");
    }
    clock.now += 10;
    for (int i = 0; i < 20; i++) {
      assertThat(call("RANDOMKEY").asString()).isEqualTo("live");
    }
  }

  @Test
  void activeExpiryRemovesKeysNeverTouchedAgain() {
    for (int i = 0; i < 1000; i++) {
      call("SET", "t" + i, "v", "PX", String.valueOf(1000 + i));
    }
    for (int i = 0; i < 300; i++) {
      call("SET", "p" + i, "v");
    }
    call("SELECT", "3");
    for (int i = 0; i < 200; i++) {
      call("SET", "o" + i, "v", "EX", "5");
    }
    // Before the deadline the cycle samples but deletes nothing.
    cron();
    assertThat(server.stats.expiredKeys).isZero();
    assertThat(db0().avgTtlMillis).isPositive();

    clock.now += 1000 + 500; // t0..t499 are past, t500..t999 not yet
    for (int round = 0; round < 1000 && server.stats.expiredKeys < 500; round++) {
      cron();
    }
    assertThat(server.stats.expiredKeys).isEqualTo(500);
    assertThat(db0().size()).isEqualTo(800);
    assertThat(server.db(3).size()).isEqualTo(200);

    clock.now += 10_000; // everything with a TTL is past now, in both databases
    for (int round = 0; round < 1000 && server.stats.expiredKeys < 1200; round++) {
      cron();
    }
    assertThat(server.stats.expiredKeys).isEqualTo(1200);
    assertThat(db0().size()).isEqualTo(300);
    assertThat(db0().expiresSize()).isZero();
    assertThat(server.db(3).size()).isZero();
    assertThat(db0().avgTtlMillis).isZero();
    // Each active deletion was propagated as a DEL in its database.
    assertThat(propagated.stream().filter(p -> p.startsWith("0 DEL t")).count()).isEqualTo(1000);
    assertThat(propagated.stream().filter(p -> p.startsWith("3 DEL o")).count()).isEqualTo(200);
  }

  @Test
  void activeExpiryCanBeDisabled() {
    call("SET", "k", "v", "PX", "1");
    clock.now += 2;
    server.expiry.activeEnabled = false;
    cron();
    assertThat(db0().size()).isEqualTo(1);
    server.expiry.activeEnabled = true;
    cron();
    assertThat(db0().size()).isZero();
  }

  @Test
  void replicaHidesButNeverDeletesExpiredKeys() {
    call("SET", "k", "v", "PX", "1000");
    call("SET", "k2", "v", "PX", "1000");
    server.replicaOfMaster = true;
    server.config.replicaReadOnly = false; // the test client stands in for the master link
    clock.now += 2000;
    assertThat(call("GET", "k").isNull()).isTrue();
    assertThat(integer("EXISTS", "k")).isZero();
    assertThat(integer("TTL", "k")).isEqualTo(-2);
    assertThat(call("KEYS", "*").elements()).isEmpty();
    assertThat(call("SCAN", "0").elements().get(1).elements()).isEmpty();
    for (int i = 0; i < 100; i++) {
      cron();
    }
    // Still stored: only the master's DEL removes them.
    assertThat(db0().size()).isEqualTo(2);
    assertThat(server.stats.expiredKeys).isZero();
    assertThat(propagated).noneMatch(p -> p.contains("DEL"));
    // Every key is volatile and expired: RANDOMKEY gives up after its tries and returns one.
    assertThat(call("RANDOMKEY").asString()).isIn("k", "k2");
    // The DEL the master sends when it expires the key deletes it here.
    assertThat(integer("DEL", "k")).isEqualTo(1);
    assertThat(db0().size()).isEqualTo(1);
    assertThat(server.stats.expiredKeys).isZero();
  }

  @Test
  void commandsFromTheMasterSeeExpiredKeysOnAReplica() {
    call("SET", "k", "5", "PX", "1000");
    server.replicaOfMaster = true;
    server.config.replicaReadOnly = false; // the test client stands in for the master link
    clock.now += 2000;
    server.expiry.executingMasterCommand = true;
    // The master has not expired the key yet: its INCR applies to the existing value.
    assertThat(integer("INCR", "k")).isEqualTo(6);
    server.expiry.executingMasterCommand = false;
    assertThat(integer("EXISTS", "k")).isZero();
    assertThat(db0().size()).isEqualTo(1);
  }

  @Test
  void replicaSetsPastExpiryInsteadOfDeleting() {
    call("SET", "k", "v");
    server.replicaOfMaster = true;
    server.config.replicaReadOnly = false; // the test client stands in for the master link
    assertThat(integer("EXPIRE", "k", "-10")).isEqualTo(1);
    assertThat(db0().size()).isEqualTo(1);
    assertThat(integer("EXISTS", "k")).isZero();
  }

  @Test
  void pausedClientsHideButDoNotDeleteExpiredKeys() {
    call("SET", "k", "v", "PX", "10");
    clock.now += 20;
    server.pauseUntilMillis = clock.now + 1000;
    server.pauseWritesOnly = true;
    assertThat(integer("EXISTS", "k")).isZero();
    cron();
    assertThat(db0().size()).isEqualTo(1);
    server.pauseUntilMillis = 0;
    assertThat(integer("EXISTS", "k")).isZero();
    assertThat(db0().size()).isZero();
    assertThat(server.stats.expiredKeys).isEqualTo(1);
  }

  @Test
  void ttlRoundsToTheNearestSecond() {
    call("SET", "k", "v");
    integer("PEXPIRE", "k", "1499");
    assertThat(integer("TTL", "k")).isEqualTo(1);
    integer("PEXPIRE", "k", "1500");
    assertThat(integer("TTL", "k")).isEqualTo(2);
    assertThat(integer("PTTL", "k")).isEqualTo(1500);
    clock.now += 1200;
    assertThat(integer("PTTL", "k")).isEqualTo(300);
    assertThat(integer("TTL", "k")).isZero();
    assertThat(integer("PEXPIRETIME", "k")).isEqualTo(clock.now + 300);
  }

  @Test
  void expireFamilyPropagatesAsAbsolutePexpireatOrDel() {
    call("SET", "k", "v");
    propagated.clear();
    integer("EXPIRE", "k", "100");
    integer("PEXPIRE", "k", "200000", "GT");
    integer("EXPIREAT", "k", "33177117420");
    integer("PEXPIREAT", "k", "33177117420001", "gt");
    assertThat(integer("EXPIRE", "k", "10", "NX")).isZero();
    integer("PERSIST", "k");
    integer("EXPIRE", "k", "-1");
    assertThat(propagated)
        .containsExactly(
            "0 PEXPIREAT k " + (clock.now + 100_000),
            "0 PEXPIREAT k " + (clock.now + 200_000) + " GT",
            "0 PEXPIREAT k 33177117420000",
            "0 PEXPIREAT k 33177117420001 gt",
            "0 PERSIST k",
            "0 DEL k");
  }

  @Test
  void renameMoveCopyKeepTheTtl() {
    call("SET", "k", "v", "PX", "5000");
    call("RENAME", "k", "r");
    assertThat(integer("PTTL", "r")).isEqualTo(5000);
    call("MOVE", "r", "2");
    call("SELECT", "2");
    assertThat(integer("PTTL", "r")).isEqualTo(5000);
    call("COPY", "r", "c", "DB", "0");
    call("SELECT", "0");
    assertThat(integer("PTTL", "c")).isEqualTo(5000);
    clock.now += 5001;
    assertThat(integer("EXISTS", "c")).isZero();
    call("SELECT", "2");
    assertThat(integer("EXISTS", "r")).isZero();
    assertThat(server.stats.expiredKeys).isEqualTo(2);
  }

  @Test
  void swapdbCarriesExpiresAlong() {
    call("SET", "k", "v", "PX", "100");
    call("SWAPDB", "0", "1");
    assertThat(db0().expiresSize()).isZero();
    assertThat(server.db(1).expiresSize()).isEqualTo(1);
    clock.now += 200;
    for (int i = 0; i < 10; i++) {
      cron();
    }
    assertThat(server.db(1).size()).isZero();
    assertThat(server.stats.expiredKeys).isEqualTo(1);
  }
}
