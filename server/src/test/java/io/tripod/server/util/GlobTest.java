package io.tripod.server.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Glob against Redis 7.0's stringmatchlen, including its edge cases (checked on redis-server). */
class GlobTest {

  private static boolean m(String pattern, String s) {
    return Glob.match(pattern, s, false);
  }

  private static boolean mb(byte[] pattern, byte[] s) {
    return Glob.match(pattern, s, false);
  }

  @Test
  void basics() {
    // stringmatchlen never matches an empty string, even with "*" (KEYS and SCAN special-case a
    // lone "*"; checked: KEYS ** does not list the empty key on redis-server).
    assertThat(m("*", "")).isFalse();
    assertThat(m("**", "")).isFalse();
    assertThat(m("*", "abc")).isTrue();
    assertThat(m("", "")).isTrue();
    assertThat(m("", "a")).isFalse();
    assertThat(m("a", "")).isFalse();
    assertThat(m("h?llo", "hello")).isTrue();
    assertThat(m("h?llo", "hllo")).isFalse();
    assertThat(m("h*llo", "hllo")).isTrue();
    assertThat(m("h*llo", "heeeello")).isTrue();
    assertThat(m("a*b*", "ab")).isTrue();
    assertThat(m("a**", "a")).isTrue();
    assertThat(m("*a", "ba")).isTrue();
    assertThat(m("?*", "")).isFalse();
  }

  @Test
  void classes() {
    assertThat(m("h[ae]llo", "hallo")).isTrue();
    assertThat(m("h[ae]llo", "hillo")).isFalse();
    assertThat(m("h[^e]llo", "hallo")).isTrue();
    assertThat(m("h[^e]llo", "hello")).isFalse();
    assertThat(m("h[a-b]llo", "hbllo")).isTrue();
    assertThat(m("h[b-a]llo", "hbllo")).isTrue(); // reversed ranges are swapped
    // "[a-]": "a-]" reads as the range a..']' (swapped: ']'..'a'), and the class is unterminated.
    assertThat(m("[a-]", "-")).isFalse();
    assertThat(m("[a-]", "a")).isTrue();
    assertThat(m("[a-]", "_")).isTrue();
    assertThat(m("[-a]", "-")).isTrue();
    assertThat(m("[\\]]", "]")).isTrue();
    assertThat(m("[a\\-z]", "b")).isFalse();
    assertThat(m("[a\\-z]", "-")).isTrue();
    assertThat(m("h[]llo", "hllo")).isFalse();
  }

  @Test
  void unterminatedClassAndEscape() {
    // "[" at the end: the class is empty, nothing matches it.
    assertThat(m("a[", "a[")).isFalse();
    assertThat(m("a[b", "ab")).isTrue();
    // "[^" at the end matches any one character.
    assertThat(m("a[^", "ab")).isTrue();
    assertThat(m("a[^", "a")).isFalse();
    // A trailing backslash is a literal backslash.
    assertThat(m("a\\", "a\\")).isTrue();
    assertThat(m("a\\*b", "a*b")).isTrue();
    assertThat(m("a\\*b", "axb")).isFalse();
  }

  @Test
  void caseFolding() {
    assertThat(m("hello", "HELLO")).isFalse();
    assertThat(Glob.match("hello", "HELLO", true)).isTrue();
    assertThat(Glob.match("[A-C]x", "bX", true)).isTrue();
    assertThat(Glob.match("[^a]", "A", true)).isFalse();
  }

  @Test
  void highBytesCompareAsSignedCharsInRanges() {
    byte[] hi = {(byte) 0x80};
    byte[] nul = {0};
    byte[] a = {'a'};
    // [a-\xff]: C sees 'a'..-1, swapped to -1..'a': 0x00 and 'a' match, 0x80 (-128) does not.
    byte[] p = {'[', 'a', '-', (byte) 0xff, ']'};
    assertThat(mb(p, nul)).isTrue();
    assertThat(mb(p, a)).isTrue();
    assertThat(mb(p, hi)).isFalse();
    byte[] highRange = {'[', (byte) 0x80, '-', (byte) 0xff, ']'};
    assertThat(mb(highRange, hi)).isTrue();
    assertThat(mb(highRange, a)).isFalse();
  }

  @Test
  void nestingIsBoundedLikeRedis() {
    // Verified against redis-server 7.0.15: up to 1001 stars match, 1002 give up.
    String s = "a".repeat(3000);
    assertThat(m("a*".repeat(1001), s)).isTrue();
    assertThat(m("a*".repeat(1002), s)).isFalse();
  }

  @Test
  void hostilePatternFinishesQuickly() {
    // CVE-2022-36021: without the skip-longer-matches cut this takes exponential time.
    String s = "a".repeat(10_000);
    long t0 = System.nanoTime();
    assertThat(m("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s)).isFalse();
    assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
  }

  @Test
  void binary() {
    byte[] p = "\0?".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(mb(p, new byte[] {0, 'x'})).isTrue();
    assertThat(mb(p, new byte[] {1, 'x'})).isFalse();
  }
}
