package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.server.types.RStream.Id;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Stream ID parsing ({@code streamGenericParseIDOrReply}, {@code string2ull}) and ordering. */
class StreamIdParseTest {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private static BigInteger unsigned(long v) {
    BigInteger b = BigInteger.valueOf(v);
    return v < 0 ? b.add(TWO_64) : b;
  }

  private static Id parse(String s) {
    return StreamCommands.parseId(s.getBytes(StandardCharsets.ISO_8859_1), 0, true, null);
  }

  @Property
  void formattedIdsParseBack(@ForAll long ms, @ForAll long seq) {
    Id id = new Id(ms, seq);
    assertThat(id.toString()).isEqualTo(unsigned(ms) + "-" + unsigned(seq));
    assertThat(parse(id.toString())).isEqualTo(id);
  }

  @Property
  void orderingIsUnsignedLexicographic(@ForAll long ms1, @ForAll long seq1, @ForAll long ms2,
      @ForAll long seq2) {
    Id a = new Id(ms1, seq1);
    Id b = new Id(ms2, seq2);
    BigInteger ka = unsigned(ms1).shiftLeft(64).add(unsigned(seq1));
    BigInteger kb = unsigned(ms2).shiftLeft(64).add(unsigned(seq2));
    assertThat(Integer.signum(a.compareTo(b))).isEqualTo(ka.compareTo(kb));
  }

  @Property
  void incrAndDecrAreInverse(@ForAll long ms, @ForAll long seq) {
    Id id = new Id(ms, seq);
    Id next = id.incr();
    if (next == null) {
      assertThat(id).isEqualTo(Id.MAX);
    } else {
      assertThat(next.compareTo(id)).isPositive();
      assertThat(next.decr()).isEqualTo(id);
    }
    Id prev = id.decr();
    if (prev == null) {
      assertThat(id).isEqualTo(Id.MIN);
    } else {
      assertThat(prev.incr()).isEqualTo(id);
    }
  }

  @Property
  void encodingKeepsOrder(@ForAll long ms1, @ForAll long seq1, @ForAll long ms2,
      @ForAll long seq2) {
    Id a = new Id(ms1, seq1);
    Id b = new Id(ms2, seq2);
    assertThat(Integer.signum(java.util.Arrays.compareUnsigned(a.encode(), b.encode())))
        .isEqualTo(Integer.signum(a.compareTo(b)));
  }

  @Test
  void redisAcceptanceRules() {
    assertThat(parse("5")).isEqualTo(new Id(5, 0));
    assertThat(StreamCommands.parseId("5".getBytes(StandardCharsets.US_ASCII), -1L, false, null))
        .isEqualTo(new Id(5, -1L));
    assertThat(parse("18446744073709551615-18446744073709551615")).isEqualTo(Id.MAX);
    assertThat(parse("18446744073709551616")).isNull();
    assertThat(parse("-1")).isNull();
    assertThat(parse("-")).isNull();
    assertThat(parse("+")).isNull();
    assertThat(StreamCommands.parseId(new byte[] {'-'}, 0, false, null)).isEqualTo(Id.MIN);
    assertThat(StreamCommands.parseId(new byte[] {'+'}, 0, false, null)).isEqualTo(Id.MAX);
    assertThat(parse("1-2-3")).isNull();
    assertThat(parse("")).isNull();
    assertThat(parse("1-")).isNull();
    // strtoull's leniency: leading zeros, plus sign, leading spaces, and negation of the
    // magnitude when string2ll could not parse the text.
    assertThat(parse("007")).isEqualTo(new Id(7, 0));
    assertThat(parse("+8")).isEqualTo(new Id(8, 0));
    assertThat(parse(" 9-1")).isEqualTo(new Id(9, 1));
    assertThat(parse("9 ")).isNull();
    assertThat(parse(" -5")).isNull();
    assertThat(parse("1- -5")).isEqualTo(new Id(1, -5L));
    assertThat(parse("2--5")).isNull();
    assertThat(parse("3--0")).isEqualTo(new Id(3, 0));
    assertThat(parse("1\u00002")).isEqualTo(new Id(1, 0));
    boolean[] seqGiven = new boolean[1];
    assertThat(StreamCommands.parseId("7-*".getBytes(StandardCharsets.US_ASCII), 0, true, seqGiven))
        .isEqualTo(new Id(7, 0));
    assertThat(seqGiven[0]).isFalse();
    assertThat(parse("7-*")).isNull();
    assertThat(parse("x".repeat(128))).isNull();
  }
}
