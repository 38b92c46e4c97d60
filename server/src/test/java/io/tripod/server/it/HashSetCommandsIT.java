package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.resp.RespValue;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Types;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the differential corpus cannot check: the random commands' lengths and membership, and
 * the OBJECT ENCODING each command leaves behind (read from the keyspace on the event loop), also
 * under lowered thresholds.
 */
class HashSetCommandsIT {
  private static TripodInstance tripod;
  private static TripodInstance small;
  private RawConnection conn;

  @BeforeAll
  static void start() throws Exception {
    tripod = TripodInstance.start();
    small = TripodInstance.start(cfg -> {
      cfg.hashMaxListpackEntries = 4;
      cfg.hashMaxListpackValue = 8;
      cfg.setMaxIntsetEntries = 4;
    });
  }

  @AfterAll
  static void stop() {
    if (tripod != null) {
      tripod.close();
    }
    if (small != null) {
      small.close();
    }
  }

  @BeforeEach
  void flush() throws Exception {
    conn = new RawConnection(tripod.port);
    cmd("FLUSHALL");
  }

  private RespValue cmd(String... args) throws Exception {
    return cmd(conn, args);
  }

  private static RespValue cmd(RawConnection c, String... args) throws Exception {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    c.send(a);
    return c.read();
  }

  private static String encoding(TripodInstance t, String key) throws Exception {
    CompletableFuture<String> f = new CompletableFuture<>();
    t.server.execute(() -> {
      KeyEntry e = t.server.db(0).find(key.getBytes(StandardCharsets.UTF_8));
      f.complete(e == null ? null : Types.encoding(e.value));
    });
    return f.get(5, TimeUnit.SECONDS);
  }

  private static List<String> strings(RespValue v) {
    List<String> out = new ArrayList<>();
    for (RespValue e : v.elements()) {
      out.add(e.asString());
    }
    return out;
  }

  @Test
  void hrandfieldCountsAndMembership() throws Exception {
    cmd("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
    Set<String> fields = Set.of("a", "b", "c", "d");
    for (int i = 0; i < 50; i++) {
      List<String> two = strings(cmd("HRANDFIELD", "h", "2"));
      assertThat(two).hasSize(2).doesNotHaveDuplicates();
      assertThat(fields).containsAll(two);
      List<String> rep = strings(cmd("HRANDFIELD", "h", "-10"));
      assertThat(rep).hasSize(10);
      assertThat(fields).containsAll(rep);
      List<String> wv = strings(cmd("HRANDFIELD", "h", "3", "WITHVALUES"));
      assertThat(wv).hasSize(6);
      for (int j = 0; j < 6; j += 2) {
        assertThat(wv.get(j + 1)).isEqualTo(String.valueOf(wv.get(j).charAt(0) - 'a' + 1));
      }
      assertThat(fields).contains(cmd("HRANDFIELD", "h").asString());
    }
  }

  @Test
  void hrandfieldSamplesFewOfMany() throws Exception {
    List<String> args = new ArrayList<>(List.of("HSET", "big"));
    for (int i = 0; i < 300; i++) {
      args.add("f" + i);
      args.add("v" + i);
    }
    cmd(args.toArray(new String[0]));
    for (int i = 0; i < 20; i++) {
      List<String> r = strings(cmd("HRANDFIELD", "big", "5", "WITHVALUES"));
      assertThat(r).hasSize(10);
      Set<String> fields = new HashSet<>();
      for (int j = 0; j < 10; j += 2) {
        fields.add(r.get(j));
        assertThat(r.get(j + 1)).isEqualTo("v" + r.get(j).substring(1));
      }
      assertThat(fields).hasSize(5);
      assertThat(strings(cmd("HRANDFIELD", "big", "150"))).hasSize(150).doesNotHaveDuplicates();
    }
  }

  @Test
  void hrandfieldFewOfAListpackKeepsListpackOrder() throws Exception {
    cmd("HSET", "h", "j", "1", "i", "2", "h", "3", "g", "4", "f", "5", "e", "6", "d", "7", "c", "8",
        "b", "9", "a", "10");
    List<String> order = strings(cmd("HKEYS", "h"));
    Set<String> everSeen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      List<String> r = strings(cmd("HRANDFIELD", "h", "3"));
      assertThat(r).hasSize(3).doesNotHaveDuplicates();
      List<Integer> positions = new ArrayList<>();
      for (String f : r) {
        positions.add(order.indexOf(f));
      }
      assertThat(positions).isSorted().doesNotContain(-1);
      everSeen.addAll(r);
    }
    assertThat(everSeen).hasSize(10);
  }

  @Test
  void srandmemberAndSpop() throws Exception {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      members.add("m" + i);
    }
    List<String> args = new ArrayList<>(List.of("SADD", "s"));
    args.addAll(members);
    cmd(args.toArray(new String[0]));
    for (int i = 0; i < 20; i++) {
      List<String> r = strings(cmd("SRANDMEMBER", "s", "7"));
      assertThat(r).hasSize(7).doesNotHaveDuplicates();
      assertThat(members).containsAll(r);
      assertThat(strings(cmd("SRANDMEMBER", "s", "-30"))).hasSize(30);
      List<String> few = strings(cmd("SRANDMEMBER", "s", "3"));
      assertThat(few).hasSize(3).doesNotHaveDuplicates();
      assertThat(members).containsAll(few);
    }
    Set<String> popped = new HashSet<>();
    popped.addAll(strings(cmd("SPOP", "s", "5")));
    popped.add(cmd("SPOP", "s").asString());
    assertThat(popped).hasSize(6);
    assertThat(cmd("SCARD", "s").number()).isEqualTo(14);
    for (String p : popped) {
      assertThat(cmd("SISMEMBER", "s", p).number()).isZero();
    }
    List<String> rest = strings(cmd("SPOP", "s", "100"));
    assertThat(rest).hasSize(14);
    assertThat(cmd("EXISTS", "s").number()).isZero();
  }

  @Test
  void hscanOfABigHashVisitsEverything() throws Exception {
    List<String> args = new ArrayList<>(List.of("HSET", "h"));
    for (int i = 0; i < 1000; i++) {
      args.add("f" + i);
      args.add("v" + i);
    }
    cmd(args.toArray(new String[0]));
    assertThat(encoding(tripod, "h")).isEqualTo("hashtable");
    Set<String> seen = new HashSet<>();
    String cursor = "0";
    int calls = 0;
    do {
      RespValue r = cmd("HSCAN", "h", cursor, "COUNT", "50");
      cursor = r.elements().get(0).asString();
      List<String> items = strings(r.elements().get(1));
      for (int i = 0; i < items.size(); i += 2) {
        seen.add(items.get(i));
        assertThat(items.get(i + 1)).isEqualTo("v" + items.get(i).substring(1));
      }
      calls++;
    } while (!cursor.equals("0") && calls < 10_000);
    assertThat(seen).hasSize(1000);
    assertThat(calls).isGreaterThan(1);
  }

  @Test
  void encodingsFollowRedisRules() throws Exception {
    String v65 = "x".repeat(65);
    cmd("HSET", "h", "a", "1");
    assertThat(encoding(tripod, "h")).isEqualTo("listpack");
    cmd("HSETNX", "h", "a", v65);
    assertThat(encoding(tripod, "h")).isEqualTo("listpack");
    cmd("HSET", "h", "a", v65);
    assertThat(encoding(tripod, "h")).isEqualTo("hashtable");
    cmd("HINCRBY", "h2", v65, "1");
    assertThat(encoding(tripod, "h2")).isEqualTo("hashtable");

    cmd("SADD", "s", "1", "2");
    assertThat(encoding(tripod, "s")).isEqualTo("intset");
    cmd("SADD", "t", "x");
    assertThat(encoding(tripod, "t")).isEqualTo("hashtable");
    cmd("SADD", "u", "3", "x", "1");
    cmd("SREM", "u", "x");
    assertThat(encoding(tripod, "u")).isEqualTo("hashtable");
    cmd("SUNIONSTORE", "d", "u");
    assertThat(encoding(tripod, "d")).isEqualTo("intset");
    cmd("SINTERSTORE", "d2", "u", "s");
    assertThat(encoding(tripod, "d2")).isEqualTo("intset");
    cmd("SMOVE", "t", "nd", "x");
    assertThat(encoding(tripod, "nd")).isEqualTo("hashtable");
    cmd("SMOVE", "s", "nd2", "1");
    assertThat(encoding(tripod, "nd2")).isEqualTo("intset");
  }

  private static String join(byte[][] argv) {
    StringBuilder sb = new StringBuilder();
    for (byte[] a : argv) {
      sb.append(sb.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Test
  void propagatesWhatReplicasMustReplay() throws Exception {
    java.util.Queue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
    CompletableFuture<Void> set = new CompletableFuture<>();
    tripod.server.execute(() -> {
      tripod.server.propagator = (db, argv) -> seen.add(join(argv));
      set.complete(null);
    });
    set.get(5, TimeUnit.SECONDS);
    try {
      cmd("SADD", "s", "7");
      String popped = cmd("SPOP", "s").asString();
      assertThat(popped).isEqualTo("7");
      cmd("SADD", "t", "1", "2", "3");
      List<String> two = strings(cmd("SPOP", "t", "2"));
      cmd("SPOP", "t", "5");
      cmd("HINCRBYFLOAT", "h", "f", "1.10");
      cmd("SREM", "nokey", "a");
      cmd("SINTERSTORE", "d", "nokey", "t");
      cmd("SMOVE", "x", "y", "m");
      cmd("HSET", "h", "a", "1");
      CompletableFuture<List<String>> got = new CompletableFuture<>();
      tripod.server.execute(() -> got.complete(new ArrayList<>(seen)));
      assertThat(got.get(5, TimeUnit.SECONDS)).containsExactly(
          "SADD s 7", "SREM s 7", "SADD t 1 2 3", "SREM t " + two.get(0) + " " + two.get(1),
          "DEL t", "HSET h f 1.1", "HSET h a 1");
    } finally {
      CompletableFuture<Void> reset = new CompletableFuture<>();
      tripod.server.execute(() -> {
        tripod.server.propagator = io.tripod.server.Propagator.NONE;
        reset.complete(null);
      });
      reset.get(5, TimeUnit.SECONDS);
    }
  }

  /** The keyevent stream redis-server 7.0.15 publishes for the same commands. */
  @Test
  void keyspaceEventsMatchRedis() throws Exception {
    try (RawConnection sub = new RawConnection(tripod.port)) {
      cmd(sub, "PING");
      CompletableFuture<Void> ready = new CompletableFuture<>();
      tripod.server.execute(() -> {
        io.tripod.server.Client newest = null;
        for (io.tripod.server.Client cl : tripod.server.clients()) {
          if (newest == null || cl.id > newest.id) {
            newest = cl;
          }
        }
        tripod.server.pubsub.psubscribe(newest, "__keyevent@0__:*".getBytes(StandardCharsets.UTF_8));
        tripod.server.notifyFlags = io.tripod.server.Notifications.parse("KEA");
        ready.complete(null);
      });
      ready.get(5, TimeUnit.SECONDS);
      try {
        String[] script = {
          "HSET h a 1 b 2", "HSETNX h a 3", "HSETNX h c 3", "HDEL h a x", "HINCRBY h n 1",
          "HINCRBYFLOAT h f 1.5", "HDEL h b c n f", "SADD s 1 2 3", "SADD s 1", "SREM s 1 9",
          "SPOP s", "SPOP s 5", "SADD a 1 2", "SMOVE a b 1", "SMOVE a b 2", "SADD c 1 2",
          "SADD d 2 3", "SINTERSTORE e c d", "SUNIONSTORE e c d", "SDIFFSTORE e c d",
          "SDIFFSTORE e c c", "SINTERSTORE e c nokey", "SUNIONSTORE c nokey", "HSET big x 1",
          "HSET big x 2", "SMOVE d d 2"};
        for (String line : script) {
          cmd(line.split(" "));
        }
        List<String> expected = List.of("hset h", "hset h", "hdel h", "hincrby h",
            "hincrbyfloat h", "hdel h", "del h", "sadd s", "srem s", "spop s", "spop s", "del s",
            "sadd a", "srem a", "sadd b", "srem a", "del a", "sadd b", "sadd c", "sadd d",
            "sinterstore e", "sunionstore e", "sdiffstore e", "del e", "del c", "hset big",
            "hset big");
        sub.setTimeoutMillis(5000);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
          RespValue m = sub.read();
          List<String> parts = strings(m);
          got.add(parts.get(2).replace("__keyevent@0__:", "") + " " + parts.get(3));
        }
        assertThat(got).containsExactlyElementsOf(expected);
      } finally {
        CompletableFuture<Void> reset = new CompletableFuture<>();
        tripod.server.execute(() -> {
          tripod.server.notifyFlags = 0;
          reset.complete(null);
        });
        reset.get(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void loweredThresholds() throws Exception {
    try (RawConnection c = new RawConnection(small.port)) {
      cmd(c, "FLUSHALL");
      cmd(c, "HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4");
      assertThat(encoding(small, "h")).isEqualTo("listpack");
      cmd(c, "HSET", "h", "e", "5");
      assertThat(encoding(small, "h")).isEqualTo("hashtable");
      cmd(c, "HSET", "h2", "a", "123456789");
      assertThat(encoding(small, "h2")).isEqualTo("hashtable");
      cmd(c, "SADD", "s", "1", "2", "3", "4");
      assertThat(encoding(small, "s")).isEqualTo("intset");
      cmd(c, "SADD", "s", "5");
      assertThat(encoding(small, "s")).isEqualTo("hashtable");
      assertThat(cmd(c, "SCARD", "s").number()).isEqualTo(5);
    }
  }
}
