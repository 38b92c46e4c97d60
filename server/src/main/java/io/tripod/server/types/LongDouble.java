package io.tripod.server.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Emulation of the x87 80-bit {@code long double} arithmetic INCRBYFLOAT relies on: a 64-bit
 * significand, exponent range down to the denormal 2^-16445 and up to 2^16384, round-half-even on
 * every operation. Values are kept exactly as {@code significand * 2^exponent}; parsing follows
 * glibc's {@code strtold} as filtered by Redis's {@code string2ld}, formatting follows Redis's
 * {@code ld2string(..., LD_STR_HUMAN)} ({@code "%.17Lf"}, trailing zeros trimmed, "-0" made "0").
 *
 * <p>Instances are immutable.
 */
public final class LongDouble {
  /** Length limit of Redis's MAX_LONG_DOUBLE_CHARS buffer (a string of 5120+ bytes is refused). */
  public static final int MAX_CHARS = 5 * 1024;

  private static final int MANT_BITS = 64;
  /** Exponent of the smallest denormal: 2^-16445. */
  private static final int MIN_EXP = -16445;
  /** Values at or above 2^16384 overflow. */
  private static final int MAX_BITS = 16384;

  public static final LongDouble ZERO = new LongDouble(0, BigInteger.ZERO, 0);
  public static final LongDouble POSITIVE_INFINITY = new LongDouble(1, null, 0);
  public static final LongDouble NEGATIVE_INFINITY = new LongDouble(-1, null, 0);

  /** -1, 0 or 1. */
  private final int sign;
  /** Magnitude significand (< 2^64), or null for an infinity. */
  private final BigInteger mant;
  private final int exp;

  private LongDouble(int sign, BigInteger mant, int exp) {
    this.sign = sign;
    this.mant = mant;
    this.exp = exp;
  }

  public boolean isInfinite() {
    return mant == null;
  }

  public int signum() {
    return sign;
  }

  /** The exact value (finite values only). */
  public BigDecimal toBigDecimal() {
    if (mant == null) {
      throw new ArithmeticException("infinite");
    }
    if (sign == 0) {
      return BigDecimal.ZERO;
    }
    BigDecimal v;
    if (exp >= 0) {
      v = new BigDecimal(mant.shiftLeft(exp));
    } else {
      v = new BigDecimal(mant.multiply(BigInteger.valueOf(5).pow(-exp)), -exp);
    }
    return sign < 0 ? v.negate() : v;
  }

  /** Exact long double nearest to {@code d} (every double is representable). */
  public static LongDouble of(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
    return fromBigDecimal(new BigDecimal(d));
  }

  /** The long double nearest to {@code v} (round half even), possibly an infinity. */
  public static LongDouble fromBigDecimal(BigDecimal v) {
    int s = v.signum();
    if (s == 0) {
      return ZERO;
    }
    BigInteger unscaled = v.unscaledValue().abs();
    int scale = v.scale();
    if (scale <= 0) {
      return round(s, unscaled.multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE);
    }
    return round(s, unscaled, BigInteger.TEN.pow(scale));
  }

  /** Rounds {@code sign * num / den} (num, den > 0) to the long double format. */
  private static LongDouble round(int sign, BigInteger num, BigInteger den) {
    int k = num.bitLength() - den.bitLength();
    // 2^k <= num/den < 2^(k+1) after the adjustment.
    boolean below = k >= 0 ? num.compareTo(den.shiftLeft(k)) < 0 : num.shiftLeft(-k).compareTo(den) < 0;
    if (below) {
      k--;
    }
    if (k >= MAX_BITS) {
      return sign > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
    int e = Math.max(k - (MANT_BITS - 1), MIN_EXP);
    BigInteger n = num;
    BigInteger d = den;
    if (e >= 0) {
      d = d.shiftLeft(e);
    } else {
      n = n.shiftLeft(-e);
    }
    BigInteger[] qr = n.divideAndRemainder(d);
    BigInteger q = qr[0];
    int cmp = qr[1].shiftLeft(1).compareTo(d);
    if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
    }
    if (q.signum() == 0) {
      return ZERO;
    }
    if (q.bitLength() > MANT_BITS) {
      q = q.shiftRight(1);
      e++;
    }
    if (q.bitLength() + e > MAX_BITS) {
      return sign > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
    return new LongDouble(sign, q, e);
  }

  /** Rounds {@code sign * mant * 2^e2} (mant >= 0). */
  private static LongDouble fromBinary(int sign, BigInteger mant, long e2) {
    if (mant.signum() == 0) {
      return ZERO;
    }
    long top = mant.bitLength() + e2;
    if (top > MAX_BITS + 1) {
      return sign > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
    if (top < MIN_EXP - 2) {
      return ZERO;
    }
    if (e2 >= 0) {
      return round(sign, mant.shiftLeft((int) e2), BigInteger.ONE);
    }
    return round(sign, mant, BigInteger.ONE.shiftLeft((int) -e2));
  }

  /** IEEE addition with one rounding; null for NaN (inf + -inf). */
  public LongDouble add(LongDouble o) {
    if (mant == null || o.mant == null) {
      if (mant == null && o.mant == null && sign != o.sign) {
        return null;
      }
      return mant == null ? this : o;
    }
    if (sign == 0) {
      return o;
    }
    if (o.sign == 0) {
      return this;
    }
    int e = Math.min(exp, o.exp);
    BigInteger a = mant.shiftLeft(exp - e);
    BigInteger b = o.mant.shiftLeft(o.exp - e);
    if (sign < 0) {
      a = a.negate();
    }
    if (o.sign < 0) {
      b = b.negate();
    }
    BigInteger sum = a.add(b);
    return fromBinary(sum.signum(), sum.abs(), e);
  }

  /**
   * Redis's {@code string2ld}: glibc {@code strtold} on the whole string, refusing empty input,
   * 5120+ bytes, leading space, trailing garbage, NaN, overflow and underflow to zero.
   *
   * @return the value, or null if it is not a valid float
   */
  public static LongDouble parse(byte[] s) {
    if (s.length == 0 || s.length >= MAX_CHARS) {
      return null;
    }
    int i = 0;
    int n = s.length;
    int sign = 1;
    if (s[0] == '+' || s[0] == '-') {
      sign = s[0] == '-' ? -1 : 1;
      i = 1;
    }
    String rest = new String(s, i, n - i, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    if (rest.equals("inf") || rest.equals("infinity")) {
      return sign > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
    LongDouble v;
    if (rest.startsWith("0x")) {
      v = parseHex(rest.substring(2), sign);
    } else {
      v = parseDecimal(rest, sign);
    }
    if (v == null || v.isInfinite()) {
      return null; // syntax error, or ERANGE with HUGE_VAL
    }
    return v;
  }

  private static LongDouble parseDecimal(String t, int sign) {
    int i = 0;
    int n = t.length();
    StringBuilder digits = new StringBuilder();
    int fracDigits = 0;
    boolean any = false;
    while (i < n && isDigit(t.charAt(i))) {
      digits.append(t.charAt(i++));
      any = true;
    }
    if (i < n && t.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(t.charAt(i))) {
        digits.append(t.charAt(i++));
        fracDigits++;
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    long exp10 = 0;
    if (i < n && t.charAt(i) == 'e') {
      i++;
      exp10 = parseExponent(t, i);
      if (exp10 == Long.MIN_VALUE) {
        return null;
      }
      i = n;
    }
    if (i != n) {
      return null;
    }
    BigInteger m = new BigInteger(digits.toString());
    if (m.signum() == 0) {
      return ZERO;
    }
    long e = exp10 - fracDigits;
    long magnitude = m.toString().length() - 1 + e;
    if (magnitude > 4934) {
      return sign > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY;
    }
    if (magnitude < -4955) {
      return null; // underflow to zero: ERANGE, refused
    }
    LongDouble r = e >= 0
        ? round(sign, m.multiply(BigInteger.TEN.pow((int) e)), BigInteger.ONE)
        : round(sign, m, BigInteger.TEN.pow((int) -e));
    return r.sign == 0 ? null : r;
  }

  private static LongDouble parseHex(String t, int sign) {
    int i = 0;
    int n = t.length();
    StringBuilder digits = new StringBuilder();
    long fracDigits = 0;
    boolean any = false;
    while (i < n && Character.digit(t.charAt(i), 16) >= 0) {
      digits.append(t.charAt(i++));
      any = true;
    }
    if (i < n && t.charAt(i) == '.') {
      i++;
      while (i < n && Character.digit(t.charAt(i), 16) >= 0) {
        digits.append(t.charAt(i++));
        fracDigits++;
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    long exp2 = 0;
    if (i < n && t.charAt(i) == 'p') {
      i++;
      exp2 = parseExponent(t, i);
      if (exp2 == Long.MIN_VALUE) {
        return null;
      }
      i = n;
    }
    if (i != n) {
      return null;
    }
    BigInteger m = new BigInteger(digits.toString(), 16);
    if (m.signum() == 0) {
      return ZERO;
    }
    LongDouble r = fromBinary(sign, m, exp2 - 4 * fracDigits);
    return r.sign == 0 ? null : r;
  }

  /** Parses [+-]digits to the end of {@code t}, clamped to +-10^12; MIN_VALUE if malformed. */
  private static long parseExponent(String t, int i) {
    int n = t.length();
    boolean neg = false;
    if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
      neg = t.charAt(i) == '-';
      i++;
    }
    if (i >= n) {
      return Long.MIN_VALUE;
    }
    long v = 0;
    for (; i < n; i++) {
      char ch = t.charAt(i);
      if (!isDigit(ch)) {
        return Long.MIN_VALUE;
      }
      if (v < 1_000_000_000_000L) {
        v = v * 10 + (ch - '0');
      }
    }
    return neg ? -v : v;
  }

  private static boolean isDigit(char ch) {
    return ch >= '0' && ch <= '9';
  }

  /** {@code "%.17Lf"} with trailing zeros (and a trailing dot) removed, "-0" replaced by "0". */
  public String toHumanString() {
    if (mant == null) {
      return sign > 0 ? "inf" : "-inf";
    }
    BigDecimal v = toBigDecimal().setScale(17, RoundingMode.HALF_EVEN);
    String s = v.toPlainString();
    if (v.signum() == 0 && sign < 0) {
      s = "-" + s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    s = s.substring(0, end);
    if (s.equals("-0")) {
      return "0";
    }
    return s;
  }

  @Override
  public String toString() {
    return toHumanString();
  }
}
