package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * PackedTable against a HashMap through long random sequences: growth, shrinking (rehash then
 * slot compaction), free-slot reuse, SCAN completeness across resizes, random sampling.
 */
class PackedTableTest {
  /** kind: 0-5 put, 6-8 remove, 9 scan step. */
  record Op(int kind, int key, int valueLen) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.integers().between(0, 9),
        Arbitraries.integers().between(0, 400),
        Arbitraries.integers().between(0, 300))
        .as(Op::new);
    return op.list().ofMinSize(100).ofMaxSize(3000);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Property(tries = 60)
  void pairModeBehavesLikeAMap(@ForAll("ops") List<Op> ops) {
    PackedTable t = new PackedTable(true);
    Map<String, String> model = new HashMap<>();
    long cursor = 0;
    Set<String> scanned = new HashSet<>();
    Set<String> presentThroughout = null;
    for (Op op : ops) {
      String k = "k" + op.key;
      if (op.kind <= 5) {
        String v = "v".repeat(op.valueLen);
        assertThat(t.put(b(k), b(v))).isEqualTo(model.put(k, v) == null);
      } else if (op.kind <= 8) {
        assertThat(t.remove(b(k))).isEqualTo(model.remove(k) != null);
        if (presentThroughout != null) {
          presentThroughout.remove(k);
        }
      } else {
        if (presentThroughout == null) {
          presentThroughout = new HashSet<>(model.keySet());
          scanned.clear();
          cursor = 0;
        }
        cursor = t.scan(cursor, e -> scanned.add(s(t.key(e))));
        if (cursor == 0) {
          // Every key present for the whole scan was returned at least once.
          assertThat(scanned).containsAll(presentThroughout);
          presentThroughout = null;
        }
      }
      assertThat(t.size()).isEqualTo(model.size());
    }
    Map<String, String> seen = new HashMap<>();
    t.forEach(e -> seen.put(s(t.key(e)), s(t.value(e))));
    assertThat(seen).isEqualTo(model);
    for (Map.Entry<String, String> e : model.entrySet()) {
      int i = t.find(b(e.getKey()));
      assertThat(i).isGreaterThanOrEqualTo(0);
      assertThat(s(t.value(i))).isEqualTo(e.getValue());
    }
    if (!model.isEmpty()) {
      for (int i = 0; i < 20; i++) {
        assertThat(model).containsKey(s(t.key(t.randomEntry())));
      }
    }
    PackedTable copy = t.copy();
    t.put(b("extra"), b("x"));
    assertThat(copy.size()).isEqualTo(model.size());
    assertThat(copy.find(b("extra"))).isNegative();
  }

  @Test
  void memberModeGrowsAndShrinks() {
    PackedTable t = new PackedTable(false);
    Set<String> model = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      assertThat(t.addMember(b("m" + i))).isTrue();
      model.add("m" + i);
    }
    assertThat(t.addMember(b("m5"))).isFalse();
    for (int i = 0; i < 19_990; i++) {
      assertThat(t.remove(b("m" + i))).isTrue();
      model.remove("m" + i);
    }
    // Lookups drive the incremental rehash (and the slot compaction after it) to completion.
    for (int i = 0; i < 1000; i++) {
      assertThat(t.find(b("nope"))).isNegative();
    }
    Set<String> seen = new HashSet<>();
    t.forEach(e -> seen.add(s(t.key(e))));
    assertThat(seen).isEqualTo(model);
    long cursor = 0;
    Set<String> scanned = new HashSet<>();
    do {
      cursor = t.scan(cursor, e -> scanned.add(s(t.key(e))));
    } while (cursor != 0);
    assertThat(scanned).isEqualTo(model);
  }

  @Test
  void longFieldsUseMultiByteLengths() {
    PackedTable t = new PackedTable(true);
    for (int len : new int[] {0, 1, 127, 128, 16383, 16384, 300_000}) {
      String f = "f".repeat(len);
      t.put(b(f), b("value" + len));
      assertThat(s(t.value(t.find(b(f))))).isEqualTo("value" + len);
      assertThat(t.key(t.find(b(f)))).hasSize(len);
    }
    assertThat(t.size()).isEqualTo(7);
  }
}
