package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.types.RStream.Consumer;
import io.tripod.server.types.RStream.Entry;
import io.tripod.server.types.RStream.Group;
import io.tripod.server.types.RStream.Id;
import io.tripod.server.types.RStream.Nack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The stream type against a TreeMap model, and its RDB form. */
class RStreamTest {
  /** add (gap in ids), del (index), trim exact/approx maxlen/minid, query. */
  record Op(int kind, int a, int b, int c, boolean rev) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 9),
        Arbitraries.integers().between(0, 40), Arbitraries.integers().between(0, 40),
        Arbitraries.integers().between(0, 6), Arbitraries.of(true, false)).as(Op::new);
    return op.list().ofMaxSize(120);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Property(tries = 300)
  void rangesMatchATreeMapModel(@ForAll("ops") List<Op> ops,
      @ForAll("limits") int maxEntries, @ForAll("bytes") int maxBytes) {
    RStream s = new RStream();
    TreeMap<Id, String> model = new TreeMap<>();
    long ms = 1;
    for (Op op : ops) {
      switch (op.kind()) {
        case 0, 1, 2, 3 -> {
          ms += op.a() % 3;
          Id id = new Id(ms, op.b());
          if (id.compareTo(s.lastId) <= 0) {
            id = s.lastId.incr();
          }
          String v = "v" + op.c() + "x".repeat(op.a());
          byte[][] fv = op.rev() ? new byte[][] {b("f"), b(v)} : new byte[][] {b("g" + op.c()), b(v)};
          s.append(id, fv, maxBytes, maxEntries);
          model.put(id, v);
        }
        case 4 -> {
          if (!model.isEmpty()) {
            Id victim = new ArrayList<>(model.keySet()).get(op.a() % model.size());
            assertThat(s.delete(victim)).isTrue();
            assertThat(s.delete(victim)).isFalse();
            model.remove(victim);
          }
        }
        case 5 -> {
          long deleted = s.trim(RStream.TRIM_MAXLEN, op.a(), Id.MIN, false, 0);
          long expected = Math.max(0, model.size() - op.a());
          assertThat(deleted).isEqualTo(expected);
          while (model.size() > op.a()) {
            model.pollFirstEntry();
          }
        }
        case 6 -> {
          Id minid = new Id(op.a(), 0);
          long before = model.size();
          s.trim(RStream.TRIM_MINID, 0, minid, false, 0);
          model.headMap(minid, false).clear();
          assertThat(before - model.size()).isGreaterThanOrEqualTo(0);
        }
        case 7 -> {
          // Approximate trims only drop whole nodes: what remains is a suffix, never below the
          // target length.
          s.trim(RStream.TRIM_MAXLEN, op.a(), Id.MIN, true, op.c() * 3L);
          assertThat(s.length).isGreaterThanOrEqualTo(Math.min(op.a(), model.size()));
          while (model.size() > s.length) {
            model.pollFirstEntry();
          }
        }
        default -> {
          Id start = new Id(op.a(), op.b() % 3);
          Id end = new Id(op.a() + op.b(), op.c());
          long count = op.c() % 4;
          List<Entry> got = s.range(start, end, count, op.rev());
          List<Id> want = new ArrayList<>();
          if (start.compareTo(end) <= 0) {
            var sub = model.subMap(start, true, end, true);
            for (Id id : op.rev() ? sub.descendingKeySet() : sub.keySet()) {
              if (count != 0 && want.size() >= count) {
                break;
              }
              want.add(id);
            }
          }
          assertThat(got.stream().map(e -> e.id).toList()).isEqualTo(want);
        }
      }
      assertThat(s.length).isEqualTo(model.size());
      List<Id> all = s.range(Id.MIN, Id.MAX, 0, false).stream().map(e -> e.id).toList();
      assertThat(all).isEqualTo(new ArrayList<>(model.keySet()));
      for (Entry e : s.range(Id.MIN, Id.MAX, 0, false)) {
        assertThat(new String(e.fv[1], StandardCharsets.UTF_8)).isEqualTo(model.get(e.id));
      }
      for (RStream.Node n : s.nodes.values()) {
        if (maxEntries > 0) {
          assertThat(n.count + n.deleted).isLessThanOrEqualTo(maxEntries);
        }
      }
      if (!model.isEmpty()) {
        assertThat(s.edgeId(true)).isEqualTo(model.firstKey());
        assertThat(s.lastValidId()).isEqualTo(model.lastKey());
      }
    }
  }

  @Provide
  Arbitrary<Integer> limits() {
    return Arbitraries.of(0, 1, 2, 3, 5, 100);
  }

  @Provide
  Arbitrary<Integer> bytes() {
    return Arbitraries.of(0, 40, 80, 200, 4096);
  }

  @Test
  void listpackSizeMatchesTheEncodedNode() {
    RStream s = new RStream();
    for (int i = 1; i <= 30; i++) {
      s.append(new Id(i * 1000L, i), new byte[][] {b("field"), b("value-" + i), b("n"),
          b(Integer.toString(i * 977))}, 4096, 100);
      if (i % 7 == 0) {
        s.append(new Id(i * 1000L + 1, 0), new byte[][] {b("other"), b("x".repeat(i * 3))}, 4096,
            100);
      }
    }
    s.delete(new Id(5000, 5));
    s.trim(RStream.TRIM_MAXLEN, 25, Id.MIN, false, 0);
    for (RStream.Node n : s.nodes.values()) {
      byte[] lp = io.tripod.server.rdb.Listpack.encode(RStream.nodeElements(n));
      assertThat(n.lpBytes()).isEqualTo(lp.length);
    }
  }

  private static RStream sample() {
    RStream s = new RStream();
    for (int i = 1; i <= 250; i++) {
      byte[][] fv = i % 5 == 0 ? new byte[][] {b("f"), b("v" + i), b("g"), b("\u0000\u00ff")}
          : new byte[][] {b("f"), b("v" + i)};
      s.append(new Id(1_700_000_000_000L + i, i % 3), fv, 4096, 100);
    }
    s.append(new Id(-1L, 7), new byte[][] {b("big"), b("y".repeat(5000))}, 4096, 100);
    Group g = new Group(b("grp"), new Id(1_700_000_000_010L, 1), 10);
    Consumer alice = new Consumer(b("alice"), 1_700_000_000_500L);
    Consumer bob = new Consumer(b("bob"), 1_700_000_000_600L);
    g.consumers.put(alice.name, alice);
    g.consumers.put(bob.name, bob);
    for (int i = 1; i <= 10; i++) {
      Id id = new Id(1_700_000_000_000L + i, i % 3);
      Consumer c = i % 2 == 0 ? alice : bob;
      Nack n = new Nack(1_700_000_000_100L + i, i, c);
      g.pel.put(id, n);
      c.pel.put(id, n);
    }
    s.groups.put(g.name, g);
    s.groups.put(b("empty"), new Group(b("empty"), Id.MAX, RStream.INVALID_ENTRIES_READ));
    s.maxDeletedId = new Id(3, 3);
    return s;
  }

  private static byte[] rdb(RStream s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeSelectDb(0, 1, 0);
    w.writeKey(b("s"), s, -1);
    w.writeEof();
    return out.toByteArray();
  }

  private static RStream load(byte[] data) throws IOException {
    List<Object> got = new ArrayList<>();
    RdbReader.ValueFactory f = new RdbReader.ValueFactory() {
      @Override
      public Object list(List<byte[]> e) {
        throw new AssertionError();
      }

      @Override
      public Object set(List<byte[]> m) {
        throw new AssertionError();
      }

      @Override
      public Object hash(List<byte[]> fv) {
        throw new AssertionError();
      }

      @Override
      public Object zset(List<byte[]> m, double[] sc) {
        throw new AssertionError();
      }

      @Override
      public Object stream(RdbStream st) {
        return RStream.fromRdb(st, 4096, 100);
      }
    };
    new RdbReader(new ByteArrayInputStream(data), f).read((db, key, value, exp, idle, freq) ->
        got.add(value));
    assertThat(got).hasSize(1);
    return (RStream) got.get(0);
  }

  @Test
  void rdbRoundTripWithGroupsIsByteIdentical() throws IOException {
    RStream s = sample();
    byte[] first = rdb(s);
    RStream back = load(first);
    assertThat(rdb(back)).isEqualTo(first);
    assertThat(back.length).isEqualTo(s.length);
    assertThat(back.lastId).isEqualTo(new Id(-1L, 7));
    assertThat(back.radixTreeKeys()).isEqualTo(s.radixTreeKeys());
    Group g = back.groups.get(b("grp"));
    assertThat(g.pel).hasSize(10);
    assertThat(g.consumers.get(b("alice")).pel).hasSize(5);
    assertThat(g.pel.get(new Id(1_700_000_000_002L, 2)).consumer.name).isEqualTo(b("alice"));
    assertThat(back.groups.get(b("empty")).entriesRead).isEqualTo(RStream.INVALID_ENTRIES_READ);
    assertThat(back.groups.get(b("empty")).lastId).isEqualTo(Id.MAX);
  }

  @Test
  void rdbRoundTripKeepsLiveEntriesAfterDeletes() throws IOException {
    RStream s = sample();
    for (int i = 1; i <= 250; i += 4) {
      s.delete(new Id(1_700_000_000_000L + i, i % 3));
    }
    s.trim(RStream.TRIM_MAXLEN, 150, Id.MIN, false, 0);
    RStream back = load(rdb(s));
    assertThat(back.range(Id.MIN, Id.MAX, 0, false).stream().map(e -> e.id).toList())
        .isEqualTo(s.range(Id.MIN, Id.MAX, 0, false).stream().map(e -> e.id).toList());
    assertThat(back.length).isEqualTo(s.length);
    assertThat(back.firstId).isEqualTo(s.firstId);
    assertThat(back.entriesAdded).isEqualTo(s.entriesAdded);
  }

  @Test
  void deepCopyIsIndependent() {
    RStream s = sample();
    RStream c = (RStream) s.deepCopy();
    c.append(new Id(-1L, 8), new byte[][] {b("a"), b("b")}, 4096, 100);
    c.delete(new Id(1_700_000_000_001L, 1));
    Group g = c.groups.get(b("grp"));
    Nack n = g.pel.remove(new Id(1_700_000_000_002L, 2));
    n.consumer.pel.remove(new Id(1_700_000_000_002L, 2));
    g.consumers.get(b("bob")).seenTime = 1;
    assertThat(s.length).isEqualTo(251);
    assertThat(s.get(new Id(1_700_000_000_001L, 1))).isNotNull();
    Group og = s.groups.get(b("grp"));
    assertThat(og.pel).hasSize(10);
    assertThat(og.consumers.get(b("alice")).pel).hasSize(5);
    assertThat(og.consumers.get(b("bob")).seenTime).isEqualTo(1_700_000_000_600L);
    for (Map.Entry<Id, Nack> e : g.pel.entrySet()) {
      assertThat(e.getValue().consumer.pel.get(e.getKey())).isSameAs(e.getValue());
    }
  }

  @Test
  void radixTreeNodeCounts() {
    RStream s = new RStream();
    assertThat(s.radixTreeNodes()).isEqualTo(1);
    s.append(new Id(1, 1), new byte[][] {b("f"), b("x".repeat(5000))}, 4096, 100);
    assertThat(s.radixTreeNodes()).isEqualTo(2);
    s.append(new Id(2, 1), new byte[][] {b("f"), b("x".repeat(5000))}, 4096, 100);
    // compressed prefix (7 bytes), branch on byte 7, two compressed tails, two leaves
    assertThat(s.radixTreeNodes()).isEqualTo(6);
  }
}
