package io.tripod.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Dict against a HashMap model, and SCAN's guarantee across growth, shrink and rehashing. */
class DictTest {

  private static byte[] key(int i) {
    return ("k" + i).getBytes(StandardCharsets.US_ASCII);
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  record Op(int kind, int key) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    // Small key domain so puts, replaces and removes of present keys all happen often; kind 5 is
    // a burst of rehash work, kind 6 a random sample.
    Arbitrary<Op> op =
        Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 300))
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(2000);
  }

  @Property(tries = 200)
  void behavesLikeAHashMap(@ForAll("ops") List<Op> ops) {
    Dict<Integer> d = new Dict<>();
    Map<String, Integer> model = new HashMap<>();
    int step = 0;
    for (Op op : ops) {
      byte[] k = key(op.key());
      String ks = str(k);
      switch (op.kind()) {
        case 0:
        case 1:
          d.put(k, step);
          model.put(ks, step);
          break;
        case 2:
          if (!model.containsKey(ks)) {
            d.addNew(k, step);
            model.put(ks, step);
          }
          break;
        case 3:
          {
            Dict.Entry<Integer> removed = d.remove(k);
            Integer expected = model.remove(ks);
            assertThat(removed == null ? null : removed.value).isEqualTo(expected);
            break;
          }
        case 4:
          assertThat(d.get(k)).isEqualTo(model.get(ks));
          assertThat(d.containsKey(k)).isEqualTo(model.containsKey(ks));
          break;
        case 5:
          d.rehash(op.key() % 7 + 1);
          break;
        default:
          {
            Dict.Entry<Integer> e = d.randomEntry();
            if (model.isEmpty()) {
              assertThat(e).isNull();
            } else {
              assertThat(model).containsEntry(str(e.key), e.value);
            }
          }
      }
      step++;
      assertThat(d.size()).isEqualTo(model.size());
    }
    Map<String, Integer> all = new HashMap<>();
    d.forEach(e -> assertThat(all.put(str(e.key), e.value)).isNull());
    assertThat(all).isEqualTo(model);
    for (Map.Entry<String, Integer> e : model.entrySet()) {
      assertThat(d.get(e.getKey().getBytes(StandardCharsets.US_ASCII))).isEqualTo(e.getValue());
    }
  }

  /**
   * Redis's SCAN guarantee: an element present from the start to the end of a full scan is
   * returned at least once, whatever is added or removed between the calls (the table grows,
   * shrinks, and is caught mid-rehash).
   */
  @Property(tries = 300)
  void scanReturnsEveryKeyPresentForTheWholeScan(
      @ForAll @IntRange(min = 0, max = 3000) int initial,
      @ForAll @IntRange(min = 0, max = 200) int addsPerStep,
      @ForAll @IntRange(min = 0, max = 200) int removesPerStep,
      @ForAll @IntRange(min = 1, max = 50) int stableOneIn,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    Dict<Integer> d = new Dict<>();
    Set<String> stable = new HashSet<>();
    List<String> removable = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < initial; i++) {
      String k = "k" + next++;
      d.put(k.getBytes(StandardCharsets.US_ASCII), i);
      // Some initial keys are never removed: those must be seen.
      if (i % stableOneIn == 0) {
        stable.add(k);
      } else {
        removable.add(k);
      }
    }
    Set<String> seen = new HashSet<>();
    long cursor = 0;
    int calls = 0;
    int addBudget = 4 * initial + 2000;
    do {
      cursor = d.scan(cursor, e -> seen.add(str(e.key)));
      calls++;
      // Between two calls: grow with new keys and/or shrink by deleting others.
      // Bounded in total, or a table that keeps growing faster than the cursor moves never ends.
      int adds = Math.min(rnd.nextInt(addsPerStep + 1), addBudget);
      addBudget -= adds;
      for (int i = 0; i < adds; i++) {
        String k = "n" + next++;
        d.put(k.getBytes(StandardCharsets.US_ASCII), -1);
        removable.add(k);
      }
      int removes = Math.min(removable.size(), rnd.nextInt(removesPerStep + 1));
      for (int i = 0; i < removes; i++) {
        int idx = rnd.nextInt(removable.size());
        String k = removable.get(idx);
        removable.set(idx, removable.get(removable.size() - 1));
        removable.remove(removable.size() - 1);
        d.remove(k.getBytes(StandardCharsets.US_ASCII));
      }
      assertThat(calls).as("scan must terminate").isLessThan(1_000_000);
    } while (cursor != 0);
    assertThat(seen).containsAll(stable);
  }

  @Test
  void scanOfEmptyDictReturnsZero() {
    Dict<Integer> d = new Dict<>();
    assertThat(d.scan(0, e -> {})).isZero();
    assertThat(d.scan(12345, e -> {})).isZero();
  }

  @Test
  void scanWithoutChangesVisitsEachKeyExactlyOnce() {
    for (int n : new int[] {1, 3, 4, 5, 17, 1000, 4096, 5000}) {
      Dict<Integer> d = new Dict<>();
      for (int i = 0; i < n; i++) {
        d.put(key(i), i);
      }
      // Finish any rehash so the table is stable: then no key may be returned twice.
      while (d.rehash(100)) {
        // keep going
      }
      List<String> seen = new ArrayList<>();
      long cursor = 0;
      do {
        cursor = d.scan(cursor, e -> seen.add(str(e.key)));
      } while (cursor != 0);
      assertThat(seen).hasSize(n).doesNotHaveDuplicates();
    }
  }

  @Test
  void removingTheVisitedEntryDuringScanIsSafe() {
    // The active expire cycle deletes the entry its scan callback is looking at.
    Dict<Integer> d = new Dict<>();
    for (int i = 0; i < 10_000; i++) {
      d.put(key(i), i);
    }
    Set<String> seen = new HashSet<>();
    long cursor = 0;
    do {
      cursor =
          d.scan(
              cursor,
              e -> {
                seen.add(str(e.key));
                if (e.value % 2 == 0) {
                  d.remove(e.key);
                }
              });
    } while (cursor != 0);
    assertThat(seen).hasSize(10_000);
    assertThat(d.size()).isEqualTo(5_000);
    for (int i = 0; i < 10_000; i++) {
      assertThat(d.containsKey(key(i))).isEqualTo(i % 2 == 1);
    }
  }

  @Test
  void growsAndShrinks() {
    Dict<Integer> d = new Dict<>();
    for (int i = 0; i < 100_000; i++) {
      d.put(key(i), i);
    }
    while (d.rehash(1000)) {
      // finish
    }
    assertThat(d.bucketCount()).isEqualTo(131_072);
    for (int i = 0; i < 99_990; i++) {
      d.remove(key(i));
    }
    // The cron's resize + rehash passes: each is time-bounded, so repeat until they are done
    // (a fixed count of 1 ms passes failed on a loaded machine), bounded in count.
    for (int i = 0; i < 100_000 && (d.isRehashing() || d.bucketCount() > 16); i++) {
      d.rehashForMillis(1);
    }
    assertThat(d.size()).isEqualTo(10);
    // Shrunk until Redis's htNeedsResize no longer holds (fill >= 10% or the initial 16 buckets).
    // Where it stops depends on how many keys were left when the last shrink began, which
    // depends on the per-process hash seed: 16, 32 or 64 buckets.
    assertThat(d.bucketCount()).isLessThanOrEqualTo(64);
    assertThat(d.bucketCount() == 16 || d.size() * 100 / d.bucketCount() >= 10).isTrue();
    for (int i = 99_990; i < 100_000; i++) {
      assertThat(d.get(key(i))).isEqualTo(i);
    }
  }
}
