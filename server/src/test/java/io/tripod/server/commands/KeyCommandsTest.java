package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RawString;
import io.tripod.server.types.Strings;
import io.tripod.server.types.Types;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Key command details that the differential corpus cannot pin down (hash order, internals). */
class KeyCommandsTest {
  Server server;
  Client c;

  @BeforeEach
  void setUp() {
    server = new Server(new ServerConfig());
    c = server.newClient(null);
  }

  RespValue call(String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    server.process(c, argv);
    ByteBuf out = c.takeOutput();
    try {
      return new ReplyDecoder().decode(out);
    } finally {
      out.release();
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void cursorParsingFollowsStrtoul() {
    assertThat(KeyCommands.parseCursor(b("0"))).isZero();
    assertThat(KeyCommands.parseCursor(b(""))).isZero();
    assertThat(KeyCommands.parseCursor(b("+7"))).isEqualTo(7);
    assertThat(KeyCommands.parseCursor(b("-1"))).isEqualTo(-1L); // 2^64-1 unsigned
    assertThat(KeyCommands.parseCursor(b("18446744073709551615"))).isEqualTo(-1L);
    assertThat(KeyCommands.parseCursor(b("-18446744073709551615"))).isEqualTo(1L);
    assertThat(KeyCommands.parseCursor(b("18446744073709551616"))).isNull();
    assertThat(KeyCommands.parseCursor(b("5\0junk"))).isEqualTo(5);
    assertThat(KeyCommands.parseCursor(b("\0"))).isZero();
    assertThat(KeyCommands.parseCursor(b(" 5"))).isNull();
    assertThat(KeyCommands.parseCursor(b("5 "))).isNull();
    assertThat(KeyCommands.parseCursor(b("-"))).isNull();
    assertThat(KeyCommands.parseCursor(b("0x1"))).isNull();
  }

  /** Runs a whole SCAN iteration through the command and returns every key it reported. */
  List<String> scanAll(String... options) {
    List<String> all = new ArrayList<>();
    String cursor = "0";
    int calls = 0;
    do {
      String[] args = new String[2 + options.length];
      args[0] = "SCAN";
      args[1] = cursor;
      System.arraycopy(options, 0, args, 2, options.length);
      RespValue r = call(args);
      cursor = r.elements().get(0).asString();
      for (RespValue k : r.elements().get(1).elements()) {
        all.add(k.asString());
      }
      assertThat(++calls).isLessThan(100_000);
    } while (!cursor.equals("0"));
    return all;
  }

  @Test
  void scanIterationReturnsEveryKeyOnceOnAStableTable() {
    for (int i = 0; i < 5000; i++) {
      call("SET", "key:" + i, "v");
    }
    for (int i = 0; i < 200; i++) {
      server.db(0).rehashForMillis(10);
    }
    List<String> all = scanAll();
    assertThat(all).hasSize(5000).doesNotHaveDuplicates();
    List<String> matched = scanAll("MATCH", "key:1*", "COUNT", "7");
    Set<String> expected = new HashSet<>();
    for (RespValue v : call("KEYS", "key:1*").elements()) {
      expected.add(v.asString());
    }
    assertThat(matched).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(scanAll("TYPE", "string", "COUNT", "1000")).hasSize(5000);
    assertThat(scanAll("TYPE", "hash", "COUNT", "1000")).isEmpty();
  }

  @Test
  void scanCountIsAHintBoundedByTenBucketsPerKey() {
    for (int i = 0; i < 1000; i++) {
      call("SET", "k" + i, "v");
    }
    RespValue r = call("SCAN", "0", "COUNT", "100");
    int n = r.elements().get(1).elements().size();
    // At least COUNT keys unless the scan ended; a few more when the last bucket had a chain.
    assertThat(n).isGreaterThanOrEqualTo(100).isLessThan(120);
  }

  @Test
  void copyOfARawStringIsIndependentAndStaysRaw() {
    call("SET", "r", "ab");
    call("APPEND", "r", "c"); // an in-place append makes it a RawString
    call("COPY", "r", "r2");
    KeyEntry src = server.db(0).find(b("r"));
    KeyEntry dst = server.db(0).find(b("r2"));
    assertThat(dst.value).isInstanceOf(RawString.class).isNotSameAs(src.value);
    assertThat(Strings.encoding(dst.value)).isEqualTo("raw");
    call("APPEND", "r2", "def");
    assertThat(call("GET", "r").asString()).isEqualTo("abc");
    assertThat(call("GET", "r2").asString()).isEqualTo("abcdef");
  }

  /** A non-string value for the tests: a counter box, copyable or not. */
  static final class Box implements Types.Value {
    int n;
    final boolean copyable;

    Box(int n, boolean copyable) {
      this.n = n;
      this.copyable = copyable;
    }

    @Override
    public String typeName() {
      return "hash";
    }

    @Override
    public String encoding() {
      return "listpack";
    }

    @Override
    public Object deepCopy() {
      if (!copyable) {
        return Types.Value.super.deepCopy();
      }
      return new Box(n, true);
    }
  }

  @Test
  void copyUsesTheTypesDeepCopy() {
    Box box = new Box(7, true);
    server.addKey(server.db(0), b("h"), box);
    assertThat(call("COPY", "h", "h2", "DB", "1").number()).isEqualTo(1);
    Object copy = server.db(1).find(b("h2")).value;
    assertThat(copy).isInstanceOf(Box.class).isNotSameAs(box);
    assertThat(((Box) copy).n).isEqualTo(7);
    assertThat(call("TYPE", "h").asString()).isEqualTo("hash");
    assertThat(scanAll("TYPE", "HASH")).containsExactly("h");
  }

  @Test
  void copyOfATypeWithoutDeepCopyFailsCleanly() {
    server.addKey(server.db(0), b("h"), new Box(1, false));
    call("SET", "dst", "keep");
    RespValue r = call("COPY", "h", "dst", "REPLACE");
    assertThat(r.isError()).isTrue();
    assertThat(r.asString()).isEqualTo("ERR unknown type object");
    assertThat(call("GET", "dst").asString()).isEqualTo("keep");
  }

  @Test
  void renameMovesTheValueObjectWithItsAccessData() {
    call("SET", "a", "v");
    KeyEntry before = server.db(0).find(b("a"));
    before.lfuCounter = 42;
    Object value = before.value;
    call("RENAME", "a", "b");
    KeyEntry after = server.db(0).find(b("b"));
    assertThat(after.value).isSameAs(value);
    assertThat(after.lfuCounter).isEqualTo((byte) 42);
    call("MOVE", "b", "4");
    assertThat(server.db(4).find(b("b")).value).isSameAs(value);
    assertThat(server.db(0).size()).isZero();
  }

  @Test
  void writesCountInDirty() {
    long d0 = server.dirty;
    call("SET", "a", "1");
    long d1 = server.dirty;
    call("EXPIRE", "a", "100");
    call("PERSIST", "a");
    call("RENAME", "a", "b");
    call("COPY", "b", "c");
    call("MOVE", "c", "1");
    call("SWAPDB", "0", "1");
    call("DEL", "c", "nosuch");
    assertThat(server.dirty - d1).isEqualTo(7);
    // Failed or no-op writes do not count.
    long d2 = server.dirty;
    call("PERSIST", "nosuch");
    call("EXPIRE", "nosuch", "1");
    call("RENAMENX", "nosuch", "x");
    call("MOVE", "nosuch", "2");
    call("COPY", "nosuch", "y");
    call("DEL", "nosuch");
    assertThat(server.dirty).isEqualTo(d2);
    assertThat(d1).isGreaterThan(d0);
  }
}
