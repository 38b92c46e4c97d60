package io.tripod.server.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Expected strings are what redis-server 7.0.15 (x86-64, 80-bit long double) replies. */
class HashFloatTest {
  private static HashFloat.Ld p(String s) {
    return HashFloat.parse(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static String incr(String... steps) {
    HashFloat.Ld v = p("0");
    for (String s : steps) {
      v = HashFloat.add(v, p(s));
    }
    return new String(HashFloat.format(v), StandardCharsets.US_ASCII);
  }

  @Test
  void repeatedTenthsStayExactAtSeventeenDigits() {
    assertThat(incr("0.1")).isEqualTo("0.1");
    assertThat(incr("0.1", "0.1")).isEqualTo("0.2");
    assertThat(incr("0.1", "0.1", "0.1")).isEqualTo("0.3");
  }

  @Test
  void formatsLikeRedis() {
    assertThat(incr("1e-17")).isEqualTo("0.00000000000000001");
    assertThat(incr("0.30000000000000004")).isEqualTo("0.30000000000000004");
    assertThat(incr("1e-4950")).isEqualTo("0");
    assertThat(incr("18446744073709551617")).isEqualTo("18446744073709551616");
    assertThat(incr("-3.14159265358979323846")).isEqualTo("-3.14159265358979324");
    assertThat(incr("1.5", "1")).isEqualTo("2.5");
    assertThat(incr("0x10", "1", "1.1")).isEqualTo("18.1");
    assertThat(incr("0x1p-3")).isEqualTo("0.125");
    assertThat(incr("-0.0000000000000000001")).isEqualTo("0");
    assertThat(incr("1.7976931348623157e308")).startsWith("17976931348623156999592104677410443404838")
        .hasSize(309);
  }

  @Test
  void rejectsWhatStrtoldRejects() {
    for (String bad : new String[] {"", " 1", "1 ", "x", "nan", "1e", "0x", "1e5000", "1e-5000",
        "1.2.3", "--1", "+-1", "0x1p"}) {
      assertThat(p(bad)).as(bad).isNull();
    }
    assertThat(p("inf").inf()).isTrue();
    assertThat(p("-Infinity").inf()).isTrue();
    assertThat(p("+1")).isNotNull();
    assertThat(p(".5")).isNotNull();
    assertThat(p("5.")).isNotNull();
  }

  @Test
  void overflowIsNull() {
    assertThat(HashFloat.add(p("1e4932"), p("1e4932"))).isNull();
    assertThat(HashFloat.add(p("1e4931"), p("1e4931"))).isNotNull();
  }
}
