package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** RSet against a java.util model: intset order is ascending numeric, conversions are sticky. */
class RSetTest {
  record Op(boolean remove, String member) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<String> ints = Arbitraries.integers().between(-30, 30).map(String::valueOf);
    Arbitrary<String> odd = Arbitraries.of("a", "01", "+1", "-0", " 1", "", "9223372036854775808",
        "-9223372036854775808", "9223372036854775807");
    Arbitrary<String> member = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(30, ints), net.jqwik.api.Tuple.of(1, odd));
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.integers().between(0, 2).map(i -> i == 0), member).as(Op::new);
    return op.list().ofMaxSize(150);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean strictLong(String s) {
    return io.tripod.server.util.Bytes.parseLongOrNull(b(s)) != null;
  }

  @Property(tries = 300)
  void behavesLikeASet(@ForAll("ops") List<Op> ops) {
    int max = 16;
    RSet s = new RSet();
    Set<String> model = new HashSet<>();
    boolean converted = false;
    for (Op op : ops) {
      if (op.remove) {
        assertThat(s.remove(b(op.member))).isEqualTo(model.remove(op.member));
      } else {
        if (!strictLong(op.member)) {
          converted = true;
        }
        assertThat(s.add(b(op.member), max)).isEqualTo(model.add(op.member));
        if (model.size() > max) {
          converted = true;
        }
      }
      assertThat(s.size()).isEqualTo(model.size());
      assertThat(s.encoding()).isEqualTo(converted ? "hashtable" : "intset");
      assertThat(s.contains(b(op.member))).isEqualTo(model.contains(op.member));
    }
    List<String> seen = new ArrayList<>();
    s.forEach(m -> seen.add(new String(m, StandardCharsets.ISO_8859_1)));
    if (converted) {
      assertThat(seen).containsExactlyInAnyOrderElementsOf(model);
    } else {
      TreeSet<Long> sorted = new TreeSet<>();
      model.forEach(m -> sorted.add(Long.parseLong(m)));
      assertThat(seen).containsExactlyElementsOf(sorted.stream().map(String::valueOf).toList());
    }
    if (!model.isEmpty()) {
      assertThat(model).contains(new String(s.random(), StandardCharsets.ISO_8859_1));
    }
    RSet copy = (RSet) s.deepCopy();
    s.add(b("zzz"), max);
    assertThat(copy.size()).isEqualTo(model.size());
    assertThat(copy.contains(b("zzz"))).isFalse();
  }

  @Test
  void firstMemberPicksEncoding() {
    assertThat(RSet.forFirstMember(b("12")).encoding()).isEqualTo("intset");
    assertThat(RSet.forFirstMember(b("x")).encoding()).isEqualTo("hashtable");
    assertThat(RSet.forFirstMember(b("012")).encoding()).isEqualTo("hashtable");
  }

  @Test
  void defaultIntsetLimit() {
    RSet s = new RSet();
    for (int i = 0; i < 512; i++) {
      s.add(b(String.valueOf(i)), 512);
    }
    assertThat(s.encoding()).isEqualTo("intset");
    s.add(b("512"), 512);
    assertThat(s.encoding()).isEqualTo("hashtable");
    s.remove(b("512"));
    assertThat(s.encoding()).isEqualTo("hashtable");
  }
}
