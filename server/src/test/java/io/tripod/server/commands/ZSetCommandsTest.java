package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Types;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the differential corpus cannot see: keyspace events, dirty counts, propagated commands and
 * OBJECT ENCODING. Facts checked on redis-server 7.0.15 (events with PSUBSCRIBE, dirty with
 * rdb_changes_since_last_save, encodings with OBJECT ENCODING).
 */
class ZSetCommandsTest {
  private final AtomicLong time = new AtomicLong(1_700_000_000_000L);
  private Server server;
  private Client c;
  private Client sub;
  private final List<String> propagated = new ArrayList<>();

  private static final class OtherType implements Types.Value {
    @Override
    public String typeName() {
      return "list";
    }

    @Override
    public String encoding() {
      return "quicklist";
    }
  }

  @BeforeEach
  void setUp() {
    server = new Server(new ServerConfig(), time::get);
    c = server.newClient(null);
    sub = server.newClient(null);
    server.pubsub.psubscribe(sub, b("__keyevent@*"));
    sub.takeOutput();
    server.notifyFlags = Notifications.parse("KEA");
    server.propagator = (db, argv) -> propagated.add(
        java.util.Arrays.stream(argv).map(x -> new String(x, StandardCharsets.ISO_8859_1))
            .collect(Collectors.joining(" ")));
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String take(Client cl) {
    ByteBuf out = cl.takeOutput();
    String s = out == null ? "" : out.toString(StandardCharsets.ISO_8859_1);
    if (out != null) {
      out.release();
    }
    return s;
  }

  private String run(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = b(args[i]);
    }
    server.process(c, argv);
    return take(c);
  }

  /** Runs a command and returns the dirty increment. */
  private long dirty(String... args) {
    long before = server.dirty;
    run(args);
    return server.dirty - before;
  }

  private List<String> events() {
    String s = take(sub);
    List<String> ev = new ArrayList<>();
    Matcher m = Pattern.compile("__keyevent@0__:([a-z]+)\r\n\\$\\d+\r\n([^\r]*)\r\n").matcher(s);
    while (m.find()) {
      ev.add(m.group(1) + ":" + m.group(2));
    }
    return ev;
  }

  private KeyEntry entry(String key) {
    return c.db.find(b(key));
  }

  private String encoding(String key) {
    return Types.encoding(entry(key).value);
  }

  @Test
  void dirtyCountsAndEventsOfWrites() {
    assertThat(dirty("ZADD", "z", "1", "a", "2", "b", "3", "c")).isEqualTo(3);
    assertThat(events()).containsExactly("zadd:z");
    assertThat(dirty("ZADD", "z", "1", "a")).isZero();
    assertThat(events()).isEmpty();
    assertThat(dirty("ZADD", "z", "CH", "5", "a")).isEqualTo(1);
    assertThat(events()).containsExactly("zadd:z");
    assertThat(dirty("ZADD", "z", "XX", "1", "nope")).isZero();
    assertThat(dirty("ZINCRBY", "z", "1", "a")).isEqualTo(1);
    assertThat(dirty("ZADD", "z", "INCR", "1", "a")).isEqualTo(1);
    assertThat(events()).containsExactly("zincr:z", "zincr:z");
    assertThat(dirty("ZREM", "z", "nope")).isZero();
    assertThat(dirty("ZREM", "z", "a", "b")).isEqualTo(2);
    assertThat(events()).containsExactly("zrem:z");
    assertThat(dirty("ZREM", "z", "c")).isEqualTo(1);
    assertThat(events()).containsExactly("zrem:z", "del:z");
    assertThat(entry("z")).isNull();
  }

  @Test
  void removeRangeEvents() {
    run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
    events();
    assertThat(dirty("ZREMRANGEBYRANK", "z", "0", "0")).isEqualTo(1);
    assertThat(dirty("ZREMRANGEBYSCORE", "z", "2", "2")).isEqualTo(1);
    assertThat(dirty("ZREMRANGEBYLEX", "z", "-", "+")).isEqualTo(2);
    assertThat(events()).containsExactly("zremrangebyrank:z", "zremrangebyscore:z", "zremrangebylex:z", "del:z");
    assertThat(dirty("ZREMRANGEBYRANK", "z", "0", "0")).isZero();
    assertThat(events()).isEmpty();
  }

  @Test
  void popsPropagateAndFireEvents() {
    run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d");
    events();
    propagated.clear();
    assertThat(dirty("ZPOPMIN", "z")).isEqualTo(1);
    assertThat(dirty("ZPOPMAX", "z", "5")).isEqualTo(3);
    assertThat(events()).containsExactly("zpopmin:z", "zpopmax:z", "del:z");
    assertThat(dirty("ZPOPMIN", "z")).isZero();
    run("ZADD", "z", "1", "a", "2", "b");
    events();
    propagated.clear();
    assertThat(dirty("ZMPOP", "2", "nope", "z", "MIN", "COUNT", "5")).isEqualTo(2);
    assertThat(events()).containsExactly("zpopmin:z", "del:z");
    assertThat(propagated).containsExactly("ZPOPMIN z 5");
    run("ZADD", "z", "1", "a", "2", "b");
    propagated.clear();
    run("ZMPOP", "1", "z", "MAX");
    run("BZPOPMIN", "z", "0");
    run("ZADD", "z", "1", "a", "2", "b");
    propagated.clear();
    run("BZPOPMAX", "nope", "z", "0");
    run("BZMPOP", "0", "1", "z", "MIN", "COUNT", "3");
    assertThat(propagated).containsExactly("ZPOPMAX z", "ZPOPMIN z 3");
  }

  @Test
  void storeEventsAndEmptyResultsDeleteTheDestination() {
    run("ZADD", "a", "1", "x");
    events();
    assertThat(dirty("ZUNIONSTORE", "d", "1", "a")).isEqualTo(1);
    assertThat(dirty("ZINTERSTORE", "d", "1", "a")).isEqualTo(1);
    assertThat(dirty("ZDIFFSTORE", "d", "1", "a")).isEqualTo(1);
    assertThat(dirty("ZRANGESTORE", "d", "a", "0", "-1")).isEqualTo(1);
    assertThat(events()).containsExactly("zunionstore:d", "zinterstore:d", "zdiffstore:d", "zrangestore:d");
    assertThat(dirty("ZDIFFSTORE", "d", "2", "a", "a")).isEqualTo(1);
    assertThat(dirty("ZDIFFSTORE", "d", "2", "a", "a")).isZero();
    assertThat(dirty("ZRANGESTORE", "d", "a", "5", "6")).isZero();
    assertThat(events()).containsExactly("del:d");
  }

  @Test
  void encodingsFollowTheListpackLimits() {
    List<String> args = new ArrayList<>(List.of("ZADD", "big"));
    for (int i = 1; i <= 128; i++) {
      args.add(Integer.toString(i));
      args.add("m" + i);
    }
    run(args.toArray(new String[0]));
    assertThat(encoding("big")).isEqualTo("listpack");
    run("ZADD", "big", "129", "m129");
    assertThat(encoding("big")).isEqualTo("skiplist");
    // 7.0 never converts back: not on removals, not on pops.
    run("ZREMRANGEBYRANK", "big", "0", "125");
    assertThat(encoding("big")).isEqualTo("skiplist");
    // Computed results choose by size.
    run("ZUNIONSTORE", "u", "1", "big");
    assertThat(encoding("u")).isEqualTo("listpack");
    run("ZRANGESTORE", "r", "big", "0", "-1");
    assertThat(encoding("r")).isEqualTo("listpack");
    String longMember = "x".repeat(65);
    run("ZADD", "long", "1", longMember, "2", "b");
    assertThat(encoding("long")).isEqualTo("skiplist");
    run("ZADD", "long64", "1", "x".repeat(64));
    assertThat(encoding("long64")).isEqualTo("listpack");
    run("ZADD", "long64", "1", longMember);
    assertThat(encoding("long64")).isEqualTo("skiplist");
  }

  @Test
  void negativeZeroSurvivesOnlyInSkiplists() {
    run("ZADD", "lp", "-0", "c");
    assertThat(run("ZSCORE", "lp", "c")).isEqualTo("$1\r\n0\r\n");
    run("ZADD", "sl", "1", "y".repeat(70), "-0", "c");
    assertThat(run("ZSCORE", "sl", "c")).isEqualTo("$2\r\n-0\r\n");
    run("ZREM", "sl", "y".repeat(70));
    run("ZUNIONSTORE", "u", "1", "sl");
    assertThat(run("ZSCORE", "u", "c")).isEqualTo("$1\r\n0\r\n");
  }

  @Test
  void wrongTypeAgainstOtherAggregates() {
    c.db.add(b("l"), new OtherType());
    String wt = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    assertThat(run("ZADD", "l", "1", "a")).isEqualTo(wt);
    assertThat(run("ZRANGE", "l", "0", "-1")).isEqualTo(wt);
    assertThat(run("ZUNIONSTORE", "d", "1", "l")).isEqualTo(wt);
    assertThat(run("BZPOPMIN", "l", "0")).isEqualTo(wt);
    assertThat(run("ZMPOP", "1", "l", "MIN")).isEqualTo(wt);
  }

  @Test
  void blockingPopsAnswerNullWhenBlockingIsDenied() {
    c.inExec = true;
    assertThat(run("BZPOPMIN", "z", "0")).isEqualTo("*-1\r\n");
    assertThat(run("BZMPOP", "0", "1", "z", "MIN")).isEqualTo("*-1\r\n");
    c.inExec = false;
  }

  @Test
  void servingABlockedClientRepliesPropagatesAndFiresEvents() {
    run("ZADD", "z", "1", "a", "2", "b", "3", "c");
    events();
    propagated.clear();
    Client waiter = server.newClient(null);
    long before = server.dirty;
    ZSetCommands.PopWaiter w = new ZSetCommands.PopWaiter(false, -1, false);
    assertThat(w.tryServe(waiter, c.db, b("z"))).isTrue();
    assertThat(take(waiter)).isEqualTo("*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
    assertThat(server.dirty - before).isEqualTo(1);
    assertThat(propagated).containsExactly("ZPOPMIN z");
    assertThat(events()).containsExactly("zpopmin:z");
    ZSetCommands.PopWaiter m = new ZSetCommands.PopWaiter(true, 5, true);
    assertThat(m.tryServe(waiter, c.db, b("z"))).isTrue();
    assertThat(take(waiter)).isEqualTo("*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    assertThat(propagated).containsExactly("ZPOPMIN z", "ZPOPMAX z 5");
    assertThat(events()).containsExactly("zpopmax:z", "del:z");
    assertThat(m.tryServe(waiter, c.db, b("z"))).isFalse();
    run("SET", "z", "v");
    assertThat(m.tryServe(waiter, c.db, b("z"))).isFalse();
    m.timeout(waiter);
    assertThat(take(waiter)).isEqualTo("*-1\r\n");
  }

  @Test
  void zscanOfASkiplistReturnsEveryMemberOnceAcrossCalls() {
    List<String> args = new ArrayList<>(List.of("ZADD", "z"));
    for (int i = 0; i < 200; i++) {
      args.add(Integer.toString(i % 7));
      args.add("m" + i);
    }
    run(args.toArray(new String[0]));
    assertThat(encoding("z")).isEqualTo("skiplist");
    java.util.Set<String> seen = new java.util.HashSet<>();
    String cursor = "0";
    int calls = 0;
    do {
      String reply = run("ZSCAN", "z", cursor, "COUNT", "7");
      Matcher m = Pattern.compile("^\\*2\r\n\\$\\d+\r\n(\\d+)\r\n").matcher(reply);
      assertThat(m.find()).isTrue();
      cursor = m.group(1);
      Matcher el = Pattern.compile("\\$\\d+\r\n(m\\d+)\r\n").matcher(reply);
      while (el.find()) {
        assertThat(seen.add(el.group(1))).isTrue();
      }
      calls++;
    } while (!cursor.equals("0") && calls < 1000);
    assertThat(seen).hasSize(200);
  }
}
