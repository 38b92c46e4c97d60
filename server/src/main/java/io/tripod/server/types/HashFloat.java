package io.tripod.server.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * HINCRBYFLOAT's arithmetic on the x87 80-bit {@code long double} Redis uses: a 64-bit mantissa,
 * exponents down to the denormal 2^-16445 and overflow at 2^16384. Values are exact dyadic
 * numbers {@code sign * mantissa * 2^exp}, parsed like {@code strtold} (decimal, hex, inf; rounded
 * to nearest even), added exactly and rounded again, and printed like Redis's
 * {@code ld2string(LD_STR_HUMAN)}: {@code "%.17Lf"} with trailing zeros and point trimmed.
 */
public final class HashFloat {
  private HashFloat() {}

  private static final int MANT_BITS = 64;
  private static final int MIN_EXP = -16445;
  private static final int MAX_BITS_EXP = 16384;
  /** Redis's MAX_LONG_DOUBLE_CHARS. */
  private static final int MAX_CHARS = 5 * 1024;

  /** A finite long double value, or infinity when {@code inf} is set. */
  public record Ld(boolean negative, BigInteger mantissa, int exp, boolean inf) {
    boolean isZero() {
      return !inf && mantissa.signum() == 0;
    }
  }

  private static final Ld ZERO = new Ld(false, BigInteger.ZERO, 0, false);

  /** Redis's {@code string2ld}: null if not a valid long double. */
  public static Ld parse(byte[] b) {
    if (b.length == 0 || b.length >= MAX_CHARS) {
      return null;
    }
    String s = new String(b, StandardCharsets.ISO_8859_1);
    int i = 0;
    boolean neg = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      neg = s.charAt(0) == '-';
      i = 1;
    }
    String rest = s.substring(i).toLowerCase(java.util.Locale.ROOT);
    if (rest.equals("inf") || rest.equals("infinity")) {
      return new Ld(neg, BigInteger.ZERO, 0, true);
    }
    if (rest.startsWith("0x")) {
      return parseHex(neg, rest.substring(2));
    }
    for (int k = 0; k < rest.length(); k++) {
      char ch = rest.charAt(k);
      if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == '-' || ch == '+')) {
        return null;
      }
    }
    if (rest.isEmpty() || rest.charAt(0) == '-' || rest.charAt(0) == '+') {
      return null;
    }
    BigDecimal d;
    try {
      d = new BigDecimal(rest);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
    if (d.signum() == 0) {
      return new Ld(neg, BigInteger.ZERO, 0, false);
    }
    long mag = (long) d.precision() - d.scale(); // decimal exponent + 1
    if (mag > 4940) {
      return null; // overflow: strtold gives HUGE_VAL with ERANGE
    }
    if (mag < -4960) {
      return null; // underflow to zero with ERANGE
    }
    BigInteger unscaled = d.unscaledValue().abs();
    Ld r;
    if (d.scale() <= 0) {
      r = round(neg, unscaled.multiply(BigInteger.TEN.pow(-d.scale())), BigInteger.ONE, 0);
    } else {
      r = round(neg, unscaled, BigInteger.TEN.pow(d.scale()), 0);
    }
    if (r == null || r.isZero()) {
      return null;
    }
    return r;
  }

  private static Ld parseHex(boolean neg, String h) {
    int p = h.indexOf('p');
    String mant = p < 0 ? h : h.substring(0, p);
    long exp = 0;
    if (p >= 0) {
      String e = h.substring(p + 1);
      if (e.isEmpty()) {
        return null;
      }
      int start = (e.charAt(0) == '-' || e.charAt(0) == '+') ? 1 : 0;
      if (start == e.length()) {
        return null;
      }
      for (int k = start; k < e.length(); k++) {
        if (!Character.isDigit(e.charAt(k))) {
          return null;
        }
      }
      try {
        exp = Long.parseLong(e.length() > 12 ? e.substring(0, start) + "999999" : e);
      } catch (NumberFormatException ex) {
        return null;
      }
    }
    int dot = mant.indexOf('.');
    String digits = dot < 0 ? mant : mant.substring(0, dot) + mant.substring(dot + 1);
    int fracDigits = dot < 0 ? 0 : mant.length() - dot - 1;
    if (digits.isEmpty() || (dot >= 0 && mant.indexOf('.', dot + 1) >= 0)) {
      return null;
    }
    BigInteger m;
    try {
      m = new BigInteger(digits, 16);
    } catch (NumberFormatException ex) {
      return null;
    }
    if (digits.charAt(0) == '-' || digits.charAt(0) == '+') {
      return null;
    }
    if (m.signum() == 0) {
      return new Ld(neg, BigInteger.ZERO, 0, false);
    }
    long e2 = exp - 4L * fracDigits;
    if (e2 + m.bitLength() > MAX_BITS_EXP + 10 || e2 + m.bitLength() < MIN_EXP - 10) {
      return null;
    }
    Ld r = round(neg, m, BigInteger.ONE, (int) e2);
    if (r == null || r.isZero()) {
      return null;
    }
    return r;
  }

  /**
   * Rounds {@code num/den * 2^k0} (num, den positive) to a long double; null on overflow.
   */
  static Ld round(boolean neg, BigInteger num, BigInteger den, int k0) {
    if (num.signum() == 0) {
      return new Ld(neg, BigInteger.ZERO, 0, false);
    }
    // Choose k so that q = floor(num / den * 2^(k0 - k)) has exactly 64 bits.
    int k = k0 + num.bitLength() - den.bitLength() - MANT_BITS;
    BigInteger[] qr = divide(num, den, k0 - k);
    while (qr[0].bitLength() > MANT_BITS) {
      k++;
      qr = divide(num, den, k0 - k);
    }
    while (qr[0].bitLength() < MANT_BITS) {
      k--;
      qr = divide(num, den, k0 - k);
    }
    if (k < MIN_EXP) {
      k = MIN_EXP;
      qr = divide(num, den, k0 - k);
    }
    BigInteger q = qr[0];
    BigInteger rem = qr[1];
    BigInteger d = qr[2];
    int cmp = rem.shiftLeft(1).compareTo(d);
    if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
      if (q.bitLength() > MANT_BITS) {
        q = q.shiftRight(1);
        k++;
      }
    }
    if (q.signum() != 0 && k + q.bitLength() > MAX_BITS_EXP) {
      return null;
    }
    return new Ld(neg, q, k, false);
  }

  /** {quotient, remainder, divisor} of num * 2^shift / den. */
  private static BigInteger[] divide(BigInteger num, BigInteger den, int shift) {
    BigInteger n = shift >= 0 ? num.shiftLeft(shift) : num;
    BigInteger d = shift >= 0 ? den : den.shiftLeft(-shift);
    BigInteger[] qr = n.divideAndRemainder(d);
    return new BigInteger[] {qr[0], qr[1], d};
  }

  /** The rounded sum, or null if it overflows (infinity). Both must be finite. */
  public static Ld add(Ld a, Ld b) {
    if (a.isZero() && b.isZero()) {
      return ZERO;
    }
    int k = Math.min(a.mantissa.signum() == 0 ? Integer.MAX_VALUE : a.exp,
        b.mantissa.signum() == 0 ? Integer.MAX_VALUE : b.exp);
    BigInteger x = signed(a).shiftLeft(a.mantissa.signum() == 0 ? 0 : a.exp - k);
    BigInteger y = signed(b).shiftLeft(b.mantissa.signum() == 0 ? 0 : b.exp - k);
    BigInteger sum = x.add(y);
    if (sum.signum() == 0) {
      return ZERO;
    }
    return round(sum.signum() < 0, sum.abs(), BigInteger.ONE, k);
  }

  private static BigInteger signed(Ld v) {
    return v.negative ? v.mantissa.negate() : v.mantissa;
  }

  /** {@code "%.17Lf"} with trailing zeros (and a trailing point) removed; "-0" becomes "0". */
  public static byte[] format(Ld v) {
    BigDecimal d;
    if (v.exp >= 0) {
      d = new BigDecimal(v.mantissa.shiftLeft(v.exp));
    } else {
      d = new BigDecimal(v.mantissa.multiply(BigInteger.valueOf(5).pow(-v.exp)), -v.exp);
    }
    String s = d.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    s = s.substring(0, end);
    if (v.negative && !s.equals("0")) {
      s = "-" + s;
    }
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
