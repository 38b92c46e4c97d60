package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HllTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void emptyHllIsRedisBytes() {
    RawString r = Hll.create();
    assertThat(r.toBytes())
        .containsExactly('H', 'Y', 'L', 'L', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, (byte) 0xff);
    assertThat(Hll.isValid(r.buffer(), r.length())).isTrue();
  }

  @Test
  void singleAddMatchesRedis() throws Exception {
    // PFADD h a on redis-server 7.0.15, then GET h:
    // "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80" "a" goes to register 12711 with count 2
    // Z:12711 v:2,1 Z:3672 (PFDEBUG DECODE)
    RawString r = Hll.create();
    assertThat(Hll.add(r, b("a"), 3000)).isEqualTo(1);
    assertThat(Hll.decode(r.buffer(), r.length())).isEqualTo("Z:12711 v:2,1 Z:3672");
    assertThat(Hll.add(r, b("a"), 3000)).isEqualTo(0);
    assertThat(Hll.count(r.buffer(), r.length())).isEqualTo(1);
  }

  @Test
  void denseAndSparseAgree() throws Exception {
    RawString sparse = Hll.create();
    RawString dense = Hll.create();
    Hll.sparseToDense(dense);
    assertThat(dense.length()).isEqualTo(Hll.DENSE_SIZE);
    for (int i = 0; i < 1500; i++) {
      byte[] e = b("el" + i);
      Hll.add(sparse, e, 1 << 20);
      Hll.add(dense, e, 1 << 20);
    }
    assertThat(Hll.encoding(sparse.buffer())).isEqualTo(Hll.SPARSE);
    assertThat(Hll.count(sparse.buffer(), sparse.length()))
        .isEqualTo(Hll.count(dense.buffer(), dense.length()));
    Hll.sparseToDense(sparse);
    // Registers identical (the header's cache bit is PFADD's business).
    assertThat(java.util.Arrays.equals(sparse.toBytes(), Hll.HDR_SIZE, Hll.DENSE_SIZE,
        dense.toBytes(), Hll.HDR_SIZE, Hll.DENSE_SIZE)).isTrue();
  }

  @Test
  void promotesAtMaxBytes() throws Exception {
    RawString r = Hll.create();
    for (int i = 0; i < 5000 && Hll.encoding(r.buffer()) == Hll.SPARSE; i++) {
      Hll.add(r, b("x" + i), 100);
      if (Hll.encoding(r.buffer()) == Hll.SPARSE) {
        assertThat(r.length()).isLessThanOrEqualTo(100);
      }
    }
    assertThat(Hll.encoding(r.buffer())).isEqualTo(Hll.DENSE);
  }

  @Test
  void corruptSparseIsInvalid() {
    byte[] bad = Hll.create().toBytes();
    bad[17] = (byte) 0xfe; // XZERO of 16383: one register short
    assertThatThrownBy(() -> Hll.count(bad, bad.length)).isInstanceOf(Hll.InvalidException.class);
    assertThatThrownBy(() -> Hll.merge(new byte[Hll.REGISTERS], bad, bad.length))
        .isInstanceOf(Hll.InvalidException.class);
  }

  @Test
  void murmurKnownValue() {
    // Seed 0 hash of the empty input with Redis's MurmurHash64A: h = 0 then the final mix of 0.
    assertThat(Hll.murmurHash64A(new byte[0], 0, 0, 0)).isEqualTo(0L);
  }

  @Property(tries = 40)
  void relativeErrorWithinThreeSigma(
      @ForAll @IntRange(min = 1, max = 200_000) int n, @ForAll long seed) throws Exception {
    RawString r = Hll.create();
    Set<Long> seen = new HashSet<>();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
    while (seen.size() < n) {
      long v = rnd.nextLong();
      if (seen.add(v)) {
        Hll.add(r, b(Long.toString(v)), 3000);
      }
    }
    long est = Hll.count(r.buffer(), r.length());
    double bound = 3 * 1.04 / Math.sqrt(Hll.REGISTERS);
    assertThat(Math.abs(est - n)).isLessThanOrEqualTo((long) Math.ceil(n * bound) + 1);
  }
}
