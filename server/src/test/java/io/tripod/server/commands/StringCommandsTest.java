package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RawString;
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
 * What the differential corpus cannot see: keyspace events, dirty counts, propagated commands,
 * expiry times, OBJECT ENCODING, and WRONGTYPE against a non-string value. Facts checked on
 * redis-server 7.0.15 (events with PSUBSCRIBE, dirty with rdb_changes_since_last_save).
 */
class StringCommandsTest {
  private final AtomicLong time = new AtomicLong(1_700_000_000_000L);
  private Server server;
  private Client c;
  private Client sub;
  private final List<String> propagated = new ArrayList<>();

  /** A value of another type, for WRONGTYPE paths. */
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

  private String run(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = b(args[i]);
    }
    server.process(c, argv);
    ByteBuf out = c.takeOutput();
    String s = out == null ? "" : out.toString(StandardCharsets.ISO_8859_1);
    if (out != null) {
      out.release();
    }
    return s;
  }

  /** Keyspace events fired since the last call, as "event:key". */
  private List<String> events() {
    ByteBuf out = sub.takeOutput();
    List<String> ev = new ArrayList<>();
    if (out == null) {
      return ev;
    }
    String s = out.toString(StandardCharsets.ISO_8859_1);
    out.release();
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
  void setWithRelativeExpiryPropagatesAbsolutePxat() {
    long dirty = server.dirty;
    assertThat(run("SET", "k", "v", "EX", "100")).isEqualTo("+OK\r\n");
    assertThat(server.dirty - dirty).isEqualTo(1);
    long at = time.get() + 100_000;
    assertThat(entry("k").expireAtMillis).isEqualTo(at);
    assertThat(propagated).containsExactly("SET k v PXAT " + at);
    assertThat(events()).containsExactly("set:k", "expire:k");
  }

  @Test
  void setInThePastSetsTheExpiryAndTheKeyExpiresOnAccess() {
    run("SET", "k", "v", "EXAT", "1");
    assertThat(events()).containsExactly("set:k", "expire:k");
    assertThat(propagated).containsExactly("SET k v PXAT 1000");
    assertThat(run("GET", "k")).isEqualTo("$-1\r\n");
    assertThat(events()).containsExactly("expired:k");
  }

  @Test
  void setGetIsPropagatedWithoutGet() {
    run("SET", "k", "v");
    propagated.clear();
    assertThat(run("SET", "k", "w", "get", "XX", "GET")).isEqualTo("$1\r\nv\r\n");
    assertThat(propagated).containsExactly("SET k w XX");
  }

  @Test
  void setKeepTtlKeepsExpiry() {
    run("SET", "k", "v", "PX", "5000");
    long at = entry("k").expireAtMillis;
    run("SET", "k", "w", "KEEPTTL");
    assertThat(entry("k").expireAtMillis).isEqualTo(at);
    run("SET", "k", "x");
    assertThat(entry("k").expireAtMillis).isEqualTo(-1);
  }

  @Test
  void getexPropagatesPexpireatPersistOrDel() {
    run("SET", "k", "v");
    propagated.clear();
    events();
    assertThat(run("GETEX", "k", "EX", "10")).isEqualTo("$1\r\nv\r\n");
    assertThat(propagated).containsExactly("PEXPIREAT k " + (time.get() + 10_000));
    assertThat(events()).containsExactly("expire:k");
    long dirty = server.dirty;
    run("GETEX", "k", "PERSIST");
    assertThat(entry("k").expireAtMillis).isEqualTo(-1);
    assertThat(events()).containsExactly("persist:k");
    run("GETEX", "k", "PERSIST");
    assertThat(server.dirty - dirty).isEqualTo(1);
    assertThat(events()).isEmpty();
    assertThat(propagated).containsExactly("PEXPIREAT k " + (time.get() + 10_000), "PERSIST k");
    run("GETEX", "k", "PXAT", "5");
    assertThat(entry("k")).isNull();
    assertThat(events()).containsExactly("del:k");
    assertThat(propagated).last().isEqualTo("DEL k");
  }

  @Test
  void getdelAndGetset() {
    run("SET", "k", "v");
    propagated.clear();
    events();
    assertThat(run("GETSET", "k", "w")).isEqualTo("$1\r\nv\r\n");
    assertThat(run("GETDEL", "k")).isEqualTo("$1\r\nw\r\n");
    long dirty = server.dirty;
    assertThat(run("GETDEL", "k")).isEqualTo("$-1\r\n");
    assertThat(server.dirty).isEqualTo(dirty);
    assertThat(events()).containsExactly("set:k", "del:k");
    assertThat(propagated).containsExactly("SET k w", "DEL k");
  }

  @Test
  void getdelPropagatesUnlinkWithLazyUserDel() {
    server.config.lazyfreeLazyUserDel = true;
    run("SET", "k", "v");
    propagated.clear();
    run("GETDEL", "k");
    assertThat(propagated).containsExactly("UNLINK k");
  }

  @Test
  void incrbyfloatPropagatesSetKeepttlAndKeepsTtl() {
    run("SET", "k", "10.5", "EX", "100");
    long at = entry("k").expireAtMillis;
    propagated.clear();
    events();
    assertThat(run("INCRBYFLOAT", "k", "0.1")).isEqualTo("$4\r\n10.6\r\n");
    assertThat(entry("k").expireAtMillis).isEqualTo(at);
    assertThat(propagated).containsExactly("SET k 10.6 KEEPTTL");
    assertThat(events()).containsExactly("incrbyfloat:k");
  }

  @Test
  void counterEventsAndDirty() {
    long dirty = server.dirty;
    run("INCR", "n");
    run("INCRBY", "n", "5");
    run("DECR", "n");
    run("DECRBY", "n", "2");
    run("INCR", "n", "x");
    run("INCRBY", "n", "x");
    assertThat(server.dirty - dirty).isEqualTo(4);
    assertThat(events()).containsExactly("incrby:n", "incrby:n", "incrby:n", "incrby:n");
    assertThat(encoding("n")).isEqualTo("int");
  }

  @Test
  void msetnxSetsAllOrNothing() {
    long dirty = server.dirty;
    assertThat(run("MSETNX", "a", "1", "b", "2")).isEqualTo(":1\r\n");
    assertThat(run("MSETNX", "b", "3", "c", "4")).isEqualTo(":0\r\n");
    assertThat(server.dirty - dirty).isEqualTo(2);
    assertThat(events()).containsExactly("set:a", "set:b");
    assertThat(entry("c")).isNull();
  }

  @Test
  void inPlaceModificationsMakeRawStrings() {
    run("SET", "a", "abc");
    assertThat(encoding("a")).isEqualTo("embstr");
    run("APPEND", "a", "d");
    assertThat(encoding("a")).isEqualTo("raw");
    assertThat(entry("a").value).isInstanceOf(RawString.class);

    run("SET", "b", "abc");
    run("SETRANGE", "b", "1", "x");
    assertThat(encoding("b")).isEqualTo("raw");
    run("SETRANGE", "new", "1", "x");
    assertThat(encoding("new")).isEqualTo("raw");

    run("SET", "c", "12");
    run("SETBIT", "c", "0", "0"); // no change, but unshared anyway
    assertThat(encoding("c")).isEqualTo("raw");

    run("SET", "d", "abc");
    run("BITFIELD", "d", "SET", "u8", "0", "97");
    assertThat(encoding("d")).isEqualTo("raw");

    run("BITOP", "OR", "e", "a");
    assertThat(encoding("e")).isEqualTo("raw");

    run("APPEND", "f", "123");
    assertThat(encoding("f")).isEqualTo("int");
  }

  @Test
  void setrangeEventsAndDirty() {
    events();
    long dirty = server.dirty;
    run("SETRANGE", "k", "2", "ab");
    run("SETRANGE", "k", "0", "");
    run("SETRANGE", "missing", "5", "");
    assertThat(server.dirty - dirty).isEqualTo(1);
    assertThat(events()).containsExactly("setrange:k");
    assertThat(run("GET", "k")).isEqualTo("$4\r\n\0\0ab\r\n");
  }

  @Test
  void setbitOnlyCountsChanges() {
    long dirty = server.dirty;
    run("SETBIT", "b", "1", "0"); // creates the key: a change
    run("SETBIT", "b", "1", "0"); // same bit: nothing
    run("SETBIT", "b", "1", "1");
    run("SETBIT", "b", "100", "0"); // grows
    assertThat(server.dirty - dirty).isEqualTo(3);
    assertThat(events()).containsExactly("setbit:b", "setbit:b", "setbit:b");
  }

  @Test
  void bitfieldCountsChangedFieldsOnly() {
    long dirty = server.dirty;
    assertThat(run("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100")).isEqualTo("*1\r\n$-1\r\n");
    assertThat(entry("bf")).isNotNull(); // created, yet not counted (as Redis 7.0.15)
    assertThat(server.dirty).isEqualTo(dirty);
    run("BITFIELD", "bf", "SET", "u2", "0", "1");
    run("BITFIELD", "bf", "SET", "u2", "0", "1", "SET", "u2", "0", "1");
    run("BITFIELD", "bf", "SET", "u2", "0", "2", "SET", "u2", "2", "3");
    assertThat(server.dirty - dirty).isEqualTo(3);
    assertThat(events()).containsExactly("setbit:bf", "setbit:bf");
  }

  @Test
  void bitopSetsOrDeletesDestination() {
    run("SET", "d", "x");
    events();
    long dirty = server.dirty;
    assertThat(run("BITOP", "AND", "d", "nokey")).isEqualTo(":0\r\n");
    assertThat(run("BITOP", "AND", "d", "nokey")).isEqualTo(":0\r\n");
    run("SET", "a", "abc");
    assertThat(run("BITOP", "NOT", "d", "a")).isEqualTo(":3\r\n");
    assertThat(server.dirty - dirty).isEqualTo(3);
    assertThat(events()).containsExactly("del:d", "set:a", "set:d");
  }

  @Test
  void appendEvent() {
    run("APPEND", "k", "x");
    run("APPEND", "k", "y");
    assertThat(events()).containsExactly("append:k", "append:k");
  }

  @Test
  void wrongTypeEverywhere() {
    server.addKey(c.db, b("l"), new OtherType());
    String wrong = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    String[][] cmds = {
        {"GET", "l"}, {"GETRANGE", "l", "0", "1"}, {"SUBSTR", "l", "0", "1"}, {"SETRANGE", "l", "0", "x"},
        {"APPEND", "l", "x"}, {"INCR", "l"}, {"DECRBY", "l", "1"}, {"INCRBYFLOAT", "l", "x"},
        {"SETBIT", "l", "0", "1"}, {"GETBIT", "l", "0"}, {"BITCOUNT", "l", "x"}, {"BITPOS", "l", "1", "x"},
        {"BITOP", "AND", "d", "l"}, {"BITOP", "OR", "d", "nokey", "l"}, {"BITFIELD", "l", "GET", "u8", "0"},
        {"BITFIELD", "l", "SET", "u8", "0", "1"}, {"BITFIELD", "l"}, {"BITFIELD_RO", "l", "GET", "u8", "0"},
        {"GETSET", "l", "v"}, {"GETDEL", "l"}, {"GETEX", "l"}, {"GETEX", "l", "EX", "0"}, {"SET", "l", "v", "GET"},
        {"SET", "l", "v", "NX", "GET"}, {"STRLEN", "l"},
    };
    for (String[] cmd : cmds) {
      assertThat(run(cmd)).as(String.join(" ", cmd)).isEqualTo(wrong);
    }
    assertThat(run("LCS", "l", "x")).isEqualTo("-ERR The specified keys must contain string values\r\n");
    assertThat(run("LCS", "x", "l", "FOO")).isEqualTo("-ERR The specified keys must contain string values\r\n");
    assertThat(run("MGET", "l", "nokey")).isEqualTo("*2\r\n$-1\r\n$-1\r\n");
    assertThat(run("SETNX", "l", "v")).isEqualTo(":0\r\n");
    assertThat(run("MSETNX", "l", "v")).isEqualTo(":0\r\n");
    // Argument errors come first where Redis parses before the look-up.
    assertThat(run("SETBIT", "l", "-1", "1")).startsWith("-ERR bit offset");
    assertThat(run("GETRANGE", "l", "x", "1")).startsWith("-ERR value is not an integer");
    assertThat(run("BITPOS", "l", "2")).startsWith("-ERR The bit argument");
    assertThat(run("BITFIELD", "l", "GET", "u64", "0")).startsWith("-ERR Invalid bitfield type");
    assertThat(run("BITOP", "NOT", "d", "l", "l")).startsWith("-ERR BITOP NOT");
    assertThat(Types.typeName(entry("l").value)).isEqualTo("list");
    assertThat(run("SET", "l", "v")).isEqualTo("+OK\r\n");
  }

  @Test
  void stringLengthLimitUsesProtoMaxBulkLen() {
    server.config.protoMaxBulkLen = 10;
    assertThat(run("SETRANGE", "k", "8", "abc")).isEqualTo(
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    run("SET", "k", "123456789");
    assertThat(run("APPEND", "k", "ab")).isEqualTo(
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    assertThat(run("SETBIT", "k", "80", "1")).isEqualTo("-ERR bit offset is not an integer or out of range\r\n");
    assertThat(run("SETBIT", "k", "79", "1")).isEqualTo(":0\r\n");
    assertThat(run("LCS", "k", "k")).isEqualTo(
        "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n");
  }
}
