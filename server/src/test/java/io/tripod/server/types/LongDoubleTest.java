package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** INCRBYFLOAT's long double arithmetic; expected strings were produced by redis-server 7.0.15. */
class LongDoubleTest {
  private static LongDouble parse(String s) {
    return LongDouble.parse(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** What INCRBYFLOAT replies for a key holding {@code value} incremented by {@code incr}. */
  private static String incr(String value, String incr) {
    LongDouble a = parse(value);
    LongDouble b = parse(incr);
    if (a == null || b == null) {
      return "ERR value is not a valid float";
    }
    LongDouble sum = a.add(b);
    if (sum == null || sum.isInfinite()) {
      return "ERR increment would produce NaN or Infinity";
    }
    return sum.toHumanString();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "10.5|0.1|10.6",
      "3.0e3|0|3000",
      "5.0e3|2.0e2|5200",
      "-0.0|0|0",
      "0.1|0.2|0.3",
      "1.1|2.2|3.3",
      "0.1|0.7|0.8",
      "0|3.14159265358979323846|3.14159265358979324",
      "0|0.000003814697265625|0.00000381469726562",
      "0|-1e-20|0",
      "1|1e-18|1",
      "9007199254740993|0|9007199254740993",
      "18446744073709551617|0|18446744073709551616",
      "0|0.1234567890123456789|0.12345678901234568",
      "0x1p-16445|0|0",
      "1e-4950|0|0",
      "1e-4951|0|ERR value is not a valid float",
      "1e-4952|0|ERR value is not a valid float",
      "1.18e4932|1e4932|ERR increment would produce NaN or Infinity",
      "1e10|1e-10|10000000000",
      "2.5|2.5e-17|2.50000000000000002",
      "1e18|0.5|1000000000000000000.5",
      "0x1p3|0|8",
      "inf|1|ERR increment would produce NaN or Infinity",
      "inf|-inf|ERR increment would produce NaN or Infinity",
      "abc|1|ERR value is not a valid float",
  })
  void matchesRedis(String value, String increment, String expected) {
    assertThat(incr(value, increment)).isEqualTo(expected);
  }

  @Test
  void doublesAddUpInExtendedPrecision() {
    // 1e308 + 1e308 overflows a double but not a long double: Redis prints all 309 digits.
    assertThat(incr("1e308", "1e308")).isEqualTo(
        "19999999999999999999337175931169129132112019969483113441559409598984346973767612"
        + "37442002538437770786408934944501080264463042694991879211671948416288603928375359"
        + "18200039206381557326219209014213335878306791577877829121087126122536729803237260"
        + "434173178506889763247582601711514636284849020905456510092687857156096");
    assertThat(incr("1.7976931348623157e308", "1.7976931348623157e308"))
        .startsWith("35953862697246313999184209354820886809677289388865835697062884153035325704");
  }

  @Test
  void hugeValueFormatsWithAllDigits() {
    String s = incr("0", "1e4900");
    assertThat(s).hasSize(4901).startsWith("100000000000000000002708312230690349833224052504078834346502930");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " 1", "1 ", "1\u0000", "nan", "NaN", "-nan", "1,5", "1..5", "infinit", "1e", "e1",
      ".", "-", "+", "0x", "0xg", "0x1p", "1e5000", "-1e5000", "0x1p16384", "1e-99999999999999", "1_0"})
  void rejectsWhatStrtoldRefuses(String s) {
    assertThat(parse(s)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-0", "+1", ".5", "5.", "1e+2", "1E-1", "0X10", "0x.8", "0x1.8p1", "inf", "-Infinity",
      "INF", "0e-99999", "1e-4940", "0x1p16383", "00001"})
  void acceptsWhatStrtoldAccepts(String s) {
    assertThat(parse(s)).isNotNull();
  }

  @Test
  void tooLongInputIsRefused() {
    byte[] b = new byte[LongDouble.MAX_CHARS];
    java.util.Arrays.fill(b, (byte) '1');
    assertThat(LongDouble.parse(b)).isNull();
    assertThat(LongDouble.parse(java.util.Arrays.copyOf(b, LongDouble.MAX_CHARS - 1))).isNull(); // overflow
    assertThat(LongDouble.parse(java.util.Arrays.copyOf(b, 4000))).isNotNull(); // about 1.1e3999
  }

  @Test
  void roundsToSixtyFourBitSignificand() {
    // 2^64 + 1 needs 65 bits: rounds to 2^64 (half even).
    assertThat(parse("18446744073709551617").toBigDecimal()).isEqualByComparingTo(new BigDecimal("18446744073709551616"));
    // 2^64 + 3 rounds up to 2^64 + 4.
    assertThat(parse("18446744073709551619").toBigDecimal()).isEqualByComparingTo(new BigDecimal("18446744073709551620"));
    // 2^53 + 1 is exact in a long double (not in a double).
    assertThat(parse("9007199254740993").toBigDecimal()).isEqualByComparingTo(new BigDecimal("9007199254740993"));
  }

  @Property
  void doublesAreExact(@ForAll double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return;
    }
    LongDouble ld = LongDouble.of(d);
    assertThat(ld.toBigDecimal().compareTo(new BigDecimal(d))).isZero();
  }

  @Property
  void additionOfLongsIsExactBelow2To64(@ForAll int a, @ForAll int b) {
    LongDouble sum = LongDouble.of(a).add(LongDouble.of(b));
    assertThat(sum.toHumanString()).isEqualTo(Long.toString((long) a + b));
  }
}
