package io.tripod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;

class RedisLogLayoutTest {
  @Test
  void lineFormatIsRedis() {
    String line = RedisLogLayout.line(0, '*', "Ready to accept connections");
    assertThat(line).matches(RedisLogLayout.PID
        + ":[MSXC] \\d\\d [A-Z][a-z][a-z] \\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\* Ready to accept connections");
  }

  @Test
  void levels() {
    assertThat(RedisLogLayout.levelChar(Level.TRACE)).isEqualTo('.');
    assertThat(RedisLogLayout.levelChar(Level.DEBUG)).isEqualTo('-');
    assertThat(RedisLogLayout.levelChar(Level.INFO)).isEqualTo('*');
    assertThat(RedisLogLayout.levelChar(Level.WARN)).isEqualTo('#');
    assertThat(RedisLogLayout.levelChar(Level.ERROR)).isEqualTo('#');
    assertThat(Logging.level("debug")).isEqualTo(Level.TRACE);
    assertThat(Logging.level("verbose")).isEqualTo(Level.DEBUG);
    assertThat(Logging.level("notice")).isEqualTo(Level.INFO);
    assertThat(Logging.level("warning")).isEqualTo(Level.WARN);
    assertThat(Logging.level("nothing")).isEqualTo(Level.OFF);
  }
}
