package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The bit helpers of {@link Bits} against simple models. */
class BitsTest {
  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  @Test
  void firstBitFollowsRedisBitpos() {
    assertThat(Bits.firstBit(bytes(0x00, 0x10), 0, 2, 1)).isEqualTo(11);
    assertThat(Bits.firstBit(bytes(0x00, 0x00), 0, 2, 1)).isEqualTo(-1);
    assertThat(Bits.firstBit(bytes(0xff, 0xfe), 0, 2, 0)).isEqualTo(15);
    assertThat(Bits.firstBit(bytes(0xff, 0xff), 0, 2, 0)).isEqualTo(16); // the bit after the range
    assertThat(Bits.firstBit(bytes(0xff, 0x80, 0x01), 1, 2, 1)).isEqualTo(0);
  }

  @Property
  void popcountMatchesBitCount(@ForAll byte[] data) {
    long expected = 0;
    for (byte x : data) {
      expected += Integer.bitCount(x & 0xff);
    }
    assertThat(Bits.popcount(data, 0, data.length)).isEqualTo(expected);
  }

  @Property
  void setThenGetRoundTrips(@ForAll @IntRange(min = 0, max = 40) int offset,
      @ForAll @IntRange(min = 1, max = 64) int bits, @ForAll long value) {
    byte[] p = new byte[16];
    Bits.setField(p, offset, bits, value);
    long mask = bits == 64 ? -1L : (1L << bits) - 1;
    assertThat(Bits.getUnsigned(p, p.length, offset, bits)).isEqualTo(value & mask);
    long signed = Bits.getSigned(p, p.length, offset, bits);
    assertThat(signed & mask).isEqualTo(value & mask);
    assertThat(signed >> (bits - 1)).isIn(0L, -1L);
  }

  @Test
  void fieldsAreBigEndianBitOrder() {
    byte[] p = new byte[2];
    Bits.setField(p, 4, 8, 0xab);
    assertThat(p).containsExactly((byte) 0x0a, (byte) 0xb0);
    assertThat(Bits.getUnsigned(p, 2, 4, 8)).isEqualTo(0xab);
    assertThat(Bits.getSigned(p, 2, 4, 8)).isEqualTo((byte) 0xab);
    assertThat(Bits.getUnsigned(p, 1, 4, 8)).isEqualTo(0xa0); // bits past the length read as 0
  }

  @Test
  void unsignedOverflowWrapsSaturatesOrFails() {
    long[] limit = new long[1];
    assertThat(Bits.unsignedOverflow(3, 1, 2, Bits.WRAP, limit)).isEqualTo(1);
    assertThat(limit[0]).isEqualTo(0);
    assertThat(Bits.unsignedOverflow(3, 1, 2, Bits.SAT, limit)).isEqualTo(1);
    assertThat(limit[0]).isEqualTo(3);
    assertThat(Bits.unsignedOverflow(0, -1, 8, Bits.SAT, limit)).isEqualTo(-1);
    assertThat(limit[0]).isEqualTo(0);
    assertThat(Bits.unsignedOverflow(0, -1, 8, Bits.WRAP, limit)).isEqualTo(-1);
    assertThat(limit[0]).isEqualTo(255);
    assertThat(Bits.unsignedOverflow(-1, 0, 8, Bits.WRAP, limit)).isEqualTo(1); // SET u8 -1
    assertThat(limit[0]).isEqualTo(255);
    assertThat(Bits.unsignedOverflow(5, 2, 8, Bits.FAIL, limit)).isEqualTo(0);
  }

  @Test
  void signedOverflowWrapsSaturatesOrFails() {
    long[] limit = new long[1];
    assertThat(Bits.signedOverflow(127, 1, 8, Bits.WRAP, limit)).isEqualTo(1);
    assertThat(limit[0]).isEqualTo(-128);
    assertThat(Bits.signedOverflow(-128, -1, 8, Bits.SAT, limit)).isEqualTo(-1);
    assertThat(limit[0]).isEqualTo(-128);
    assertThat(Bits.signedOverflow(Long.MAX_VALUE, 1, 64, Bits.WRAP, limit)).isEqualTo(1);
    assertThat(limit[0]).isEqualTo(Long.MIN_VALUE);
    assertThat(Bits.signedOverflow(Long.MIN_VALUE, -1, 64, Bits.SAT, limit)).isEqualTo(-1);
    assertThat(limit[0]).isEqualTo(Long.MIN_VALUE);
    assertThat(Bits.signedOverflow(100, -50, 8, Bits.FAIL, limit)).isEqualTo(0);
  }

  @Property
  void signedWrapIsTwosComplement(@ForAll @IntRange(min = 1, max = 63) int bits, @ForAll long a,
      @ForAll long incr) {
    long max = (1L << (bits - 1)) - 1;
    long min = -max - 1;
    long value = Math.max(min, Math.min(max, a));
    long[] limit = new long[1];
    int overflow = Bits.signedOverflow(value, incr, bits, Bits.WRAP, limit);
    long result = overflow != 0 ? limit[0] : value + incr;
    long expected = ((value + incr) << (64 - bits)) >> (64 - bits);
    assertThat(result).isEqualTo(expected);
  }
}
