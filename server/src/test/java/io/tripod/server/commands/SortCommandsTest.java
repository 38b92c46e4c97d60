package io.tripod.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SortCommandsTest {
  private static Double strtod(String s) {
    return SortCommands.strtod(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void strtodAcceptsWhatCAccepts() {
    assertThat(strtod("")).isEqualTo(0.0);
    assertThat(strtod("1.5")).isEqualTo(1.5);
    assertThat(strtod(" 7")).isEqualTo(7.0);
    assertThat(strtod("0x10")).isEqualTo(16.0);
    assertThat(strtod("1e2")).isEqualTo(100.0);
    assertThat(strtod("-inf")).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(strtod("infinity")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(strtod("3\0junk")).isEqualTo(3.0);
    assertThat(strtod(".5")).isEqualTo(0.5);
    assertThat(strtod("5.")).isEqualTo(5.0);
  }

  @Test
  void strtodRejects() {
    assertThat(strtod("1.5 ")).isNull();
    assertThat(strtod("nan")).isNull();
    assertThat(strtod("1e400")).isNull();
    assertThat(strtod("1e-400")).isNull();
    assertThat(strtod("abc")).isNull();
    assertThat(strtod("-")).isNull();
    assertThat(strtod(" ")).isNull();
  }

  @Test
  void strcollStopsAtNul() {
    byte[] a = "a\0a".getBytes(StandardCharsets.ISO_8859_1);
    byte[] b = "a\0b".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(SortCommands.strcoll(a, b)).isZero();
    assertThat(SortCommands.strcoll("a".getBytes(StandardCharsets.US_ASCII),
        "b".getBytes(StandardCharsets.US_ASCII))).isNegative();
  }
}
