package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** RList against a java.util.ArrayList model under random operation sequences. */
class RListTest {
  /** One operation: kind, an index-ish number, a count, and a small value (to get matches). */
  record Op(int kind, int n, int count, String value) {}

  @Provide
  Arbitrary<Op> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 10),
            Arbitraries.integers().between(0, 400),
            Arbitraries.integers().between(-3, 3),
            Arbitraries.of("a", "b", "c", "", "12"))
        .as(Op::new);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Property(tries = 300)
  void behavesLikeArrayList(@ForAll @Size(max = 400) List<@net.jqwik.api.From("ops") Op> ops) {
    RList list = new RList();
    List<String> model = new ArrayList<>();
    for (Op op : ops) {
      byte[] v = b(op.value());
      switch (op.kind()) {
        case 0:
        case 1:
          list.addFirst(v);
          model.add(0, op.value());
          break;
        case 2:
        case 3:
          list.addLast(v);
          model.add(op.value());
          break;
        case 4: {
          byte[] got = list.pollFirst();
          String want = model.isEmpty() ? null : model.remove(0);
          assertThat(got == null ? null : new String(got, StandardCharsets.UTF_8)).isEqualTo(want);
          break;
        }
        case 5: {
          byte[] got = list.pollLast();
          String want = model.isEmpty() ? null : model.remove(model.size() - 1);
          assertThat(got == null ? null : new String(got, StandardCharsets.UTF_8)).isEqualTo(want);
          break;
        }
        case 6: {
          int at = op.n() % (model.size() + 1);
          list.insert(at, v);
          model.add(at, op.value());
          break;
        }
        case 7: {
          long limit = Math.abs(op.count());
          boolean fromTail = op.count() < 0;
          int removed = list.removeMatching(v, limit, fromTail);
          int expected = modelRemove(model, op.value(), limit, fromTail);
          assertThat(removed).isEqualTo(expected);
          break;
        }
        case 8: {
          int h = model.isEmpty() ? 0 : op.n() % (model.size() + 2);
          int t = Math.abs(op.count());
          list.trim(h, t);
          if (h + t >= model.size()) {
            model.clear();
          } else {
            model.subList(model.size() - t, model.size()).clear();
            model.subList(0, h).clear();
          }
          break;
        }
        case 9:
          if (!model.isEmpty()) {
            int at = op.n() % model.size();
            list.set(at, v);
            model.set(at, op.value());
          }
          break;
        default: {
          int idx = list.indexOf(v);
          assertThat(idx).isEqualTo(model.indexOf(op.value()));
          break;
        }
      }
      assertSame(list, model);
    }
    RList copy = (RList) list.deepCopy();
    list.addLast(b("after-copy"));
    assertSame(copy, model);
  }

  private static int modelRemove(List<String> model, String v, long limit, boolean fromTail) {
    int removed = 0;
    if (!fromTail) {
      for (int i = 0; i < model.size(); ) {
        if ((limit == 0 || removed < limit) && model.get(i).equals(v)) {
          model.remove(i);
          removed++;
        } else {
          i++;
        }
      }
    } else {
      for (int i = model.size() - 1; i >= 0; i--) {
        if ((limit == 0 || removed < limit) && model.get(i).equals(v)) {
          model.remove(i);
          removed++;
        }
      }
    }
    return removed;
  }

  private static void assertSame(RList list, List<String> model) {
    assertThat(list.size()).isEqualTo(model.size());
    assertThat(list.isEmpty()).isEqualTo(model.isEmpty());
    for (int i = 0; i < model.size(); i++) {
      assertThat(new String(list.get(i), StandardCharsets.UTF_8)).isEqualTo(model.get(i));
    }
  }

  @Test
  void growsAndShrinksAcrossTheWrapPoint() {
    RList l = new RList();
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 10_000; i++) {
        if (i % 2 == 0) {
          l.addFirst(b(Integer.toString(i)));
        } else {
          l.addLast(b(Integer.toString(i)));
        }
      }
      for (int i = 0; l.size() > 3; i++) {
        if (i % 2 == 0) {
          l.pollFirst();
        } else {
          l.pollLast();
        }
      }
    }
    assertThat(l.size()).isEqualTo(3);
  }

  @Test
  void encodingIsAlwaysQuicklistAsInRedis70() {
    // Redis 7.0 creates every list as a quicklist: OBJECT ENCODING never says listpack, even for
    // one small element, and stays quicklist after LTRIM to one element.
    RList l = new RList();
    l.addLast(b("a"));
    assertThat(l.encoding()).isEqualTo("quicklist");
    for (int i = 0; i < 5000; i++) {
      l.addLast(b("element-" + i));
    }
    l.trim(0, l.size() - 1);
    assertThat(l.size()).isEqualTo(1);
    assertThat(l.encoding()).isEqualTo("quicklist");
    assertThat(l.typeName()).isEqualTo("list");
  }

  @Test
  void listpackEntrySizes() {
    // rdb.md §11: 7-bit uint = 1 byte, 13-bit int = 2, 16-bit = 3, 24-bit = 4, 32-bit = 5,
    // 64-bit = 9; strings: 6-bit length 1 + len, 12-bit 2 + len, 32-bit 5 + len; plus back-length.
    assertThat(RList.listpackEntrySize(b("0"))).isEqualTo(2);
    assertThat(RList.listpackEntrySize(b("127"))).isEqualTo(2);
    assertThat(RList.listpackEntrySize(b("128"))).isEqualTo(3);
    assertThat(RList.listpackEntrySize(b("-4096"))).isEqualTo(3);
    assertThat(RList.listpackEntrySize(b("4096"))).isEqualTo(4);
    assertThat(RList.listpackEntrySize(b("-32768"))).isEqualTo(4);
    assertThat(RList.listpackEntrySize(b("8388607"))).isEqualTo(5);
    assertThat(RList.listpackEntrySize(b("2147483647"))).isEqualTo(6);
    assertThat(RList.listpackEntrySize(b("9223372036854775807"))).isEqualTo(10);
    assertThat(RList.listpackEntrySize(b("007"))).isEqualTo(5);
    assertThat(RList.listpackEntrySize(b(""))).isEqualTo(2);
    assertThat(RList.listpackEntrySize(b("abc"))).isEqualTo(5);
    byte[] s63 = new byte[63];
    Arrays.fill(s63, (byte) 'x');
    assertThat(RList.listpackEntrySize(s63)).isEqualTo(65);
    byte[] s64 = new byte[64];
    Arrays.fill(s64, (byte) 'x');
    assertThat(RList.listpackEntrySize(s64)).isEqualTo(67);
    byte[] s200 = new byte[200];
    Arrays.fill(s200, (byte) 'x');
    assertThat(RList.listpackEntrySize(s200)).isEqualTo(204);
    byte[] s5000 = new byte[5000];
    assertThat(RList.listpackEntrySize(s5000)).isEqualTo(5000 + 5 + 2);
  }
}
