package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.DumpPayload;
import io.tripod.server.types.RHash;
import io.tripod.server.types.RSet;
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
 * What the differential corpus cannot see for DUMP/RESTORE: propagation (checked against the AOF
 * redis-server 7.0.15 wrote for the same commands), keyspace events, dirty, encodings after
 * RESTORE and the IDLETIME/FREQ metadata.
 */
class DumpCommandsTest {
  private final AtomicLong time = new AtomicLong(1_700_000_000_000L);
  private Server server;
  private Client c;
  private Client sub;
  private final List<String> propagated = new ArrayList<>();
  private final byte[] hello = DumpPayload.create(b("hello"), true);

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

  private String run(Object... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i] instanceof byte[] ? (byte[]) args[i] : b(String.valueOf(args[i]));
    }
    server.process(c, argv);
    ByteBuf out = c.takeOutput();
    String s = out == null ? "" : out.toString(StandardCharsets.ISO_8859_1);
    if (out != null) {
      out.release();
    }
    return s;
  }

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

  private String p() {
    return new String(hello, StandardCharsets.ISO_8859_1);
  }

  @Test
  void relativeTtlPropagatesAsAbsoluteWithAbsttlAppended() {
    assertThat(run("RESTORE", "a", "100000", hello, "IDLETIME", "5")).isEqualTo("+OK\r\n");
    assertThat(propagated).containsExactly("RESTORE a " + (time.get() + 100000) + " " + p() + " IDLETIME 5 ABSTTL");
    assertThat(entry("a").expireAtMillis).isEqualTo(time.get() + 100000);
    assertThat(events()).containsExactly("restore:a");
  }

  @Test
  void noTtlOrAbsttlPropagatesAsSent() {
    run("RESTORE", "b", "0", hello);
    run("RESTORE", "c", "4102444800000", hello, "ABSTTL", "FREQ", "3");
    assertThat(propagated).containsExactly("RESTORE b 0 " + p(), "RESTORE c 4102444800000 " + p() + " ABSTTL FREQ 3");
    assertThat(entry("c").expireAtMillis).isEqualTo(4102444800000L);
  }

  @Test
  void pastTtlWithReplaceDeletesAndPropagatesDel() {
    run("SET", "k", "old");
    propagated.clear();
    events();
    long dirty = server.dirty;
    assertThat(run("RESTORE", "k", "1", hello, "ABSTTL", "REPLACE")).isEqualTo("+OK\r\n");
    assertThat(entry("k")).isNull();
    assertThat(propagated).containsExactly("DEL k");
    assertThat(events()).containsExactly("del:k");
    assertThat(server.dirty).isEqualTo(dirty + 1);
  }

  @Test
  void pastTtlWithoutAKeyChangesNothing() {
    long dirty = server.dirty;
    assertThat(run("RESTORE", "z", "1", hello, "ABSTTL")).isEqualTo("+OK\r\n");
    assertThat(propagated).isEmpty();
    assertThat(events()).isEmpty();
    assertThat(server.dirty).isEqualTo(dirty);
  }

  @Test
  void errorsDoNotPropagate() {
    run("SET", "k", "v");
    propagated.clear();
    assertThat(run("RESTORE", "k", "0", hello)).isEqualTo("-BUSYKEY Target key name already exists.\r\n");
    assertThat(run("RESTORE", "x", "0", "junk")).isEqualTo("-ERR DUMP payload version or checksum are wrong\r\n");
    assertThat(propagated).isEmpty();
  }

  @Test
  void idletimeSetsTheLruClockAndFreqNeedsAnLfuPolicy() {
    run("RESTORE", "a", "0", hello, "IDLETIME", "100");
    assertThat(entry("a").lruSeconds).isEqualTo(server.lruClock() - 100);
    run("RESTORE", "b", "0", hello, "FREQ", "200");
    assertThat(entry("b").lfuCounter).isEqualTo((byte) 5); // noeviction: FREQ has no effect
    server.config.maxmemoryPolicy = "allkeys-lfu";
    run("RESTORE", "c", "0", hello, "FREQ", "200");
    assertThat(entry("c").lfuCounter).isEqualTo((byte) 200);
    run("RESTORE", "d", "0", hello, "IDLETIME", "100");
    assertThat(entry("d").lruSeconds).isEqualTo(server.lruClock()); // LFU policy: IDLETIME ignored
  }

  @Test
  void restoreChoosesEncodingsAsRedisLoadDoes() {
    // A plain SET (type 2) of integers becomes an intset; a plain HASH (type 4) a listpack.
    run("SADD", "s", "x", "1", "2");
    run("SREM", "s", "x");
    assertThat(Types.encoding(entry("s").value)).isEqualTo("hashtable");
    byte[] plainSet = DumpPayload.create(entry("s").value, true);
    assertThat(plainSet[0]).isEqualTo((byte) 2);
    run("RESTORE", "s2", "0", plainSet);
    assertThat(((RSet) entry("s2").value).encoding()).isEqualTo("intset");
    run("HSET", "h", "f", "x".repeat(100));
    run("HSET", "h", "f", "short");
    byte[] plainHash = DumpPayload.create(entry("h").value, true);
    assertThat(plainHash[0]).isEqualTo((byte) 4);
    run("RESTORE", "h2", "0", plainHash);
    assertThat(((RHash) entry("h2").value).encoding()).isEqualTo("listpack");
    run("SET", "n", "123");
    run("RESTORE", "n2", "0", DumpPayload.create(entry("n").value, true));
    assertThat(Types.encoding(entry("n2").value)).isEqualTo("int");
  }

  @Test
  void dumpOfAMissingKeyIsNil() {
    assertThat(run("DUMP", "nokey")).isEqualTo("$-1\r\n");
  }
}
