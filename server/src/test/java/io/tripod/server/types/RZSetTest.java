package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.types.RZSet.LexBound;
import io.tripod.server.types.RZSet.LexRange;
import io.tripod.server.types.RZSet.Node;
import io.tripod.server.types.RZSet.ScoreRange;
import io.tripod.server.util.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The skiplist against a sorted-list model, encoding rules, and RDB payloads (byte-exact against
 * DUMP output of redis-server 7.0.15).
 */
class RZSetTest {
  record Op(int kind, String member, double score) {}

  record Entry(byte[] ele, double score) {}

  static final Comparator<Entry> ORDER = (x, y) -> x.score < y.score ? -1 : x.score > y.score ? 1 : Bytes.compare(x.ele, y.ele);

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> kind = Arbitraries.integers().between(0, 3);
    Arbitrary<String> member = Arbitraries.strings().withChars("abcxyz\u00ff").ofMinLength(0).ofMaxLength(3);
    Arbitrary<Double> score = Arbitraries.oneOf(
        Arbitraries.of(0.0, -0.0, 1.0, -1.0, 0.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300),
        Arbitraries.integers().between(-5, 5).map(Integer::doubleValue));
    return Combinators.combine(kind, member, score).as(Op::new).list().ofMaxSize(300);
  }

  private static byte[] b(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static List<Entry> apply(RZSet z, List<Op> ops) {
    List<Entry> model = new ArrayList<>();
    for (Op op : ops) {
      byte[] m = b(op.member);
      model.removeIf(e -> Arrays.equals(e.ele, m));
      if (op.kind == 0) {
        z.remove(m);
      } else {
        boolean wasListpack = z.isListpack();
        z.put(op.score, m, 128, 64);
        double stored = wasListpack && z.isListpack() && op.score == 0 ? 0.0 : op.score;
        model.add(new Entry(m, stored));
      }
    }
    model.sort(ORDER);
    return model;
  }

  @Property(tries = 200)
  void ranksAndRangesMatchASortedListModel(@ForAll("ops") List<Op> ops) {
    RZSet z = new RZSet(false);
    List<Entry> model = apply(z, ops);
    assertThat(z.size()).isEqualTo(model.size());
    int i = 0;
    for (Node x = z.first(); x != null; x = x.next(), i++) {
      assertThat(x.ele).isEqualTo(model.get(i).ele);
      assertThat(Double.doubleToRawLongBits(x.score)).isEqualTo(Double.doubleToRawLongBits(model.get(i).score));
      assertThat(z.rank(x.ele)).isEqualTo(i);
      assertThat(z.byRank(i)).isSameAs(x);
    }
    i = model.size() - 1;
    for (Node x = z.last(); x != null; x = x.prev(), i--) {
      assertThat(x.ele).isEqualTo(model.get(i).ele);
    }
    assertThat(i).isEqualTo(-1);
    assertThat(z.byRank(model.size())).isNull();
    double[] bounds = {Double.NEGATIVE_INFINITY, -2, -1, 0, 0.5, 1, 3, Double.POSITIVE_INFINITY};
    for (double lo : bounds) {
      for (double hi : bounds) {
        for (int ex = 0; ex < 4; ex++) {
          ScoreRange r = new ScoreRange(lo, hi, (ex & 1) != 0, (ex & 2) != 0);
          List<Entry> in = model.stream().filter(e -> r.gteMin(e.score) && r.lteMax(e.score)).toList();
          Node f = z.firstInRange(r);
          Node l = z.lastInRange(r);
          if (in.isEmpty()) {
            assertThat(f).isNull();
            assertThat(l).isNull();
          } else {
            assertThat(f.ele).isEqualTo(in.get(0).ele);
            assertThat(l.ele).isEqualTo(in.get(in.size() - 1).ele);
            assertThat(z.rankOf(l) - z.rankOf(f) + 1).isEqualTo(in.size());
          }
        }
      }
    }
  }

  @Property(tries = 100)
  void lexRangesMatchTheModelWhenScoresAreEqual(@ForAll("ops") List<Op> ops) {
    RZSet z = new RZSet(false);
    List<Op> same = ops.stream().map(o -> new Op(o.kind, o.member, 0.0)).toList();
    List<Entry> model = apply(z, same);
    String[] items = {"-", "+", "[", "(", "[a", "(a", "[b", "(x", "[xz", "(\u00ff"};
    for (String lo : items) {
      for (String hi : items) {
        LexRange r = new LexRange(bound(lo), bound(hi));
        List<Entry> in = r.empty() ? List.of()
            : model.stream().filter(e -> r.gteMin(e.ele) && r.lteMax(e.ele)).toList();
        Node f = z.firstInLexRange(r);
        Node l = z.lastInLexRange(r);
        if (in.isEmpty()) {
          assertThat(f).isNull();
        } else {
          assertThat(f.ele).isEqualTo(in.get(0).ele);
          assertThat(l.ele).isEqualTo(in.get(in.size() - 1).ele);
        }
      }
    }
  }

  private static LexBound bound(String s) {
    if (s.equals("-")) {
      return new LexBound(-1, null, true);
    }
    if (s.equals("+")) {
      return new LexBound(1, null, true);
    }
    return new LexBound(0, b(s.substring(1)), s.charAt(0) == '(');
  }

  @Property(tries = 100)
  void encodingIsListpackUntilALimitIsCrossedAndNeverGoesBack(@ForAll("ops") List<Op> ops) {
    RZSet z = RZSet.create(4, 2, 1);
    boolean crossed = false;
    for (Op op : ops) {
      byte[] m = b(op.member);
      if (op.kind == 0) {
        z.remove(m);
      } else {
        if (!z.contains(m) && (z.size() + 1 > 4 || m.length > 2)) {
          crossed = true;
        }
        z.put(op.score, m, 4, 2);
      }
      assertThat(z.encoding()).isEqualTo(crossed ? "skiplist" : "listpack");
    }
  }

  @Test
  void computedResultsChooseTheirEncodingBySize() {
    RZSet z = new RZSet(false);
    z.insert(-0.0, b("a"));
    z.insert(1, b("b"));
    z.chooseEncoding(128, 64);
    assertThat(z.encoding()).isEqualTo("listpack");
    // The listpack stores -0 as the integer 0 (redis 7.0.15: ZUNIONSTORE of a -0 member gives 0).
    assertThat(Double.doubleToRawLongBits(z.score(b("a")))).isEqualTo(0L);
    RZSet big = new RZSet(false);
    for (int i = 0; i < 129; i++) {
      big.insert(i, b("m" + i));
    }
    big.chooseEncoding(128, 64);
    assertThat(big.encoding()).isEqualTo("skiplist");
    RZSet longMember = new RZSet(false);
    longMember.insert(1, b("x".repeat(65)));
    longMember.chooseEncoding(128, 64);
    assertThat(longMember.encoding()).isEqualTo("skiplist");
  }

  @Test
  void listpackScoresAreIntegersWhenIntegralWithinDouble2llRange() {
    assertThat(Bytes.str(RZSet.listpackScore(1e17))).isEqualTo("100000000000000000");
    assertThat(Bytes.str(RZSet.listpackScore(-0.0))).isEqualTo("0");
    assertThat(Bytes.str(RZSet.listpackScore(1.5))).isEqualTo("1.5");
    assertThat(Bytes.str(RZSet.listpackScore(1e19))).isEqualTo("1e+19");
    assertThat(Bytes.str(RZSet.listpackScore(Double.NEGATIVE_INFINITY))).isEqualTo("-inf");
    assertThat(Bytes.str(RZSet.listpackScore(0.1))).isEqualTo("0.10000000000000001");
  }

  private static String payload(RZSet z) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, false, false);
    w.writeByte(z.rdbType());
    z.writeRdbPayload(w);
    return HexFormat.of().formatHex(out.toByteArray());
  }

  @Test
  void listpackPayloadIsByteExactWithRedisDump() throws Exception {
    RZSet z = RZSet.create(128, 64, 1);
    z.put(100000000000000000.0, b("a"), 128, 64);
    z.put(4503599627370497.0, b("b"), 128, 64);
    z.put(-0.0, b("c"), 128, 64);
    z.put(1.5, b("d"), 128, 64);
    // DUMP z on redis-server 7.0.15 without the trailing RDB version and CRC.
    assertThat(payload(z)).isEqualTo(
        "112e2e0000000800816302000181640283312e3504816202f4010000000000100009816102f400008a5d7845630109ff");
  }

  @Test
  void skiplistPayloadIsByteExactWithRedisDump() throws Exception {
    RZSet z = RZSet.create(128, 64, 70);
    z.put(2.5, b("y".repeat(70)), 128, 64);
    z.put(-0.0, b("c"), 128, 64);
    z.put(1e17, b("j"), 128, 64);
    z.put(Double.POSITIVE_INFINITY, b("k"), 128, 64);
    assertThat(z.encoding()).isEqualTo("skiplist");
    // DUMP s on redis-server 7.0.15, with the LZF-compressed 70-byte member written plainly
    // (0x4046 + 70 bytes) since this writer runs without compression.
    assertThat(payload(z)).isEqualTo(
        "0504016b000000000000f07f016a00a0d88557347643" + "4046" + "79".repeat(70)
            + "000000000000044001630000000000000080");
  }

  private static RZSet roundTrip(RZSet z) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeSelectDb(0, 1, 0);
    w.writeKey(b("k"), z, -1);
    w.writeEof();
    List<Object> got = new ArrayList<>();
    new RdbReader(new ByteArrayInputStream(out.toByteArray()), new RdbReader.ValueFactory() {
      @Override public Object list(List<byte[]> e) { throw new AssertionError(); }
      @Override public Object set(List<byte[]> m) { throw new AssertionError(); }
      @Override public Object hash(List<byte[]> f) { throw new AssertionError(); }
      @Override public Object zset(List<byte[]> m, double[] s) { return RZSet.fromRdb(m, s, 128, 64); }
      @Override public Object stream(RdbStream s) { throw new AssertionError(); }
    }).read((db, key, value, exp, idle, freq) -> got.add(value));
    assertThat(got).hasSize(1);
    return (RZSet) got.get(0);
  }

  @Property(tries = 100)
  void rdbPayloadRoundTrips(@ForAll("ops") List<Op> ops) throws Exception {
    RZSet z = RZSet.create(128, 64, 0);
    List<Entry> model = apply(z, ops);
    if (model.isEmpty()) {
      return;
    }
    for (RZSet form : List.of(z, skiplistCopy(z))) {
      RZSet back = roundTrip(form);
      assertThat(back.encoding()).isEqualTo(back.size() <= 128 ? "listpack" : "skiplist");
      assertThat(back.size()).isEqualTo(model.size());
      int i = 0;
      for (Node x = back.first(); x != null; x = x.next(), i++) {
        assertThat(x.ele).isEqualTo(model.get(i).ele);
        double want = model.get(i).score;
        assertThat(x.score == want).isTrue();
      }
    }
  }

  private static RZSet skiplistCopy(RZSet z) {
    RZSet c = (RZSet) z.deepCopy();
    c.convertToSkiplist();
    return c;
  }

  @Test
  void deepCopyIsIndependent() {
    RZSet z = RZSet.create(128, 64, 1);
    z.put(1, b("a"), 128, 64);
    RZSet c = (RZSet) z.deepCopy();
    z.put(2, b("b"), 128, 64);
    z.remove(b("a"));
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.score(b("a"))).isEqualTo(1.0);
    assertThat(c.encoding()).isEqualTo("listpack");
  }
}
