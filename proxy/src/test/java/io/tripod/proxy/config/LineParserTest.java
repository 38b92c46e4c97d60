package io.tripod.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineParserTest {
  static List<String> p(String line) throws ConfigException {
    return LineParser.parse(line, Map.of("HOME", "/root", "X", "y"));
  }

  @Test
  void splitsOnBlanksAndIgnoresIndentationAndComments() throws Exception {
    assertThat(p("\t  server  s1 10.0.0.1:6379\tcheck   # a comment")).containsExactly("server", "s1", "10.0.0.1:6379", "check");
    assertThat(p("   # only a comment")).isEmpty();
    assertThat(p("")).isEmpty();
  }

  @Test
  void seedEscapes() throws Exception {
    assertThat(p("tcp-check send info\\ replication\\r\\n")).containsExactly("tcp-check", "send", "info replication\r\n");
    assertThat(p("tcp-check send PING\\r\\n").get(2)).hasSize(6).isEqualTo("PING\r\n");
    assertThat(p("tcp-check send info\\ replication\\r\\n").get(2)).hasSize(18);
  }

  @Test
  void backslashEscapes() throws Exception {
    assertThat(p("a\\x41\\x42c")).containsExactly("aABc");
    assertThat(p("a\\#b \\\\ \\' \\\" \\$X \\t")).containsExactly("a#b", "\\", "'", "\"", "$X", "\t");
    assertThat(p("a\\qb")).containsExactly("a\\qb"); // unknown escape keeps both characters
    assertThat(p("end\\")).containsExactly("end\\"); // no line continuation
    assertThat(p("\\x00\\xff").get(0)).isEqualTo("\u0000\u00ff");
  }

  @Test
  void quoting() throws Exception {
    assertThat(p("send \"a b#c\" 'd\\r\\n' \"$X\" '$X' \"${HOME}/x\"")).containsExactly("send", "a b#c", "d\\r\\n", "y", "$X", "/root/x");
    assertThat(p("\"a\\r\\n\"")).containsExactly("a\r\n"); // escapes work inside double quotes
    assertThat(p("x$X")).containsExactly("x$X"); // no expansion outside double quotes
    assertThat(p("a\"b c\"d")).containsExactly("ab cd");
    assertThat(p("\"\"")).containsExactly("");
  }

  @Test
  void errors() {
    assertThatThrownBy(() -> p("send \"a\\x4Gb\"")).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("truncated or invalid hexadecimal sequence at position 8:");
    assertThatThrownBy(() -> p("send \\x4")).hasMessageStartingWith("truncated or invalid hexadecimal sequence");
    assertThatThrownBy(() -> p("send 'abc")).hasMessageStartingWith("unmatched quote");
  }

  @Test
  void timeUnits() throws Exception {
    assertThat(TimeValue.parseMillis("2s", "inter")).isEqualTo(2000);
    assertThat(TimeValue.parseMillis("150", "inter")).isEqualTo(150);
    assertThat(TimeValue.parseMillis("150ms", "inter")).isEqualTo(150);
    assertThat(TimeValue.parseMillis("1500us", "inter")).isEqualTo(2);
    assertThat(TimeValue.parseMillis("3m", "inter")).isEqualTo(180_000);
    assertThat(TimeValue.parseMillis("1h", "inter")).isEqualTo(3_600_000);
    assertThat(TimeValue.parseMillis("1d", "inter")).isEqualTo(86_400_000);
    assertThatThrownBy(() -> TimeValue.parseMillis("1x", "timeout connect"))
        .hasMessage("unexpected character 'x' in 'timeout connect'");
    assertThatThrownBy(() -> TimeValue.parseMillis("30d", "timeout client")).hasMessageContaining("timer overflow");
  }
}
