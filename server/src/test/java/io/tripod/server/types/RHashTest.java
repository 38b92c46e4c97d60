package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** RHash against a LinkedHashMap model (insertion order = listpack order), with conversions. */
class RHashTest {
  record Op(boolean delete, String field, int valueLen) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.integers().between(0, 3).map(i -> i == 0),
        Arbitraries.strings().withChars("abcdefghij").ofMinLength(0).ofMaxLength(2),
        Arbitraries.integers().between(0, 12))
        .as(Op::new);
    return op.list().ofMaxSize(120);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Property(tries = 300)
  void behavesLikeAnOrderedMap(@ForAll("ops") List<Op> ops) {
    int maxEntries = 8;
    int maxValue = 10;
    RHash h = new RHash();
    Map<String, String> model = new LinkedHashMap<>();
    boolean converted = false;
    for (Op op : ops) {
      if (op.delete) {
        assertThat(h.delete(b(op.field))).isEqualTo(model.remove(op.field) != null);
      } else {
        String v = "v".repeat(op.valueLen);
        boolean isNew = !model.containsKey(op.field);
        if (v.length() > maxValue) {
          converted = true;
        }
        assertThat(h.set(b(op.field), b(v), maxEntries, maxValue)).isEqualTo(isNew);
        model.put(op.field, v);
        if (model.size() > maxEntries) {
          converted = true;
        }
      }
      assertThat(h.size()).isEqualTo(model.size());
      assertThat(h.encoding()).isEqualTo(converted ? "hashtable" : "listpack");
    }
    List<String> seen = new ArrayList<>();
    h.forEach((f, v) -> {
      seen.add(new String(f, StandardCharsets.ISO_8859_1));
      assertThat(new String(v, StandardCharsets.ISO_8859_1)).isEqualTo(model.get(seen.get(seen.size() - 1)));
    });
    if (converted) {
      assertThat(seen).containsExactlyInAnyOrderElementsOf(model.keySet());
    } else {
      assertThat(seen).containsExactlyElementsOf(model.keySet());
    }
    for (String f : model.keySet()) {
      assertThat(h.get(b(f))).isEqualTo(b(model.get(f)));
    }
    RHash copy = (RHash) h.deepCopy();
    h.set(b("zz"), b("new"), maxEntries, maxValue);
    assertThat(copy.size()).isEqualTo(model.size());
    assertThat(copy.get(b("zz"))).isNull();
  }

  @Test
  void defaultThresholds() {
    RHash h = new RHash();
    for (int i = 0; i < 128; i++) {
      h.set(b("f" + i), b("v"), 128, 64);
    }
    assertThat(h.encoding()).isEqualTo("listpack");
    h.set(b("f128"), b("v"), 128, 64);
    assertThat(h.encoding()).isEqualTo("hashtable");
    for (int i = 0; i < 129; i++) {
      h.delete(b("f" + i));
    }
    assertThat(h.size()).isZero();
    assertThat(h.encoding()).isEqualTo("hashtable");

    RHash v = new RHash();
    v.set(b("a"), b("x".repeat(64)), 128, 64);
    assertThat(v.encoding()).isEqualTo("listpack");
    v.convertIfTooLong(65, 64);
    assertThat(v.encoding()).isEqualTo("hashtable");
  }

  @Test
  void scanVisitsEveryFieldOfAHashtable() {
    RHash h = new RHash();
    for (int i = 0; i < 1000; i++) {
      h.set(b("f" + i), b("v" + i), 128, 64);
    }
    List<String> seen = new ArrayList<>();
    long cursor = 0;
    do {
      cursor = h.scan(cursor, (f, v) -> seen.add(new String(f, StandardCharsets.ISO_8859_1)));
    } while (cursor != 0);
    assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
  }
}
