package io.tripod.resp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Number formatting that matches what Redis 7.0 prints through C's {@code printf}, which Java's
 * {@code String.format} does not reproduce (Java's {@code %g} keeps trailing zeros and chooses
 * its notation differently).
 */
public final class CFormat {
  private CFormat() {}


  /** C's {@code "%.17g"} with Redis's spelling of infinities ({@code inf}, {@code -inf}). */
  public static String doubleG17(double d) {
    return g(d, 17);
  }

  /** C's {@code "%.<precision>g"}. */
  public static String g(double d, int precision) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    int p = precision == 0 ? 1 : precision;
    BigDecimal rounded = new BigDecimal(d).round(new MathContext(p, RoundingMode.HALF_EVEN));
    // Exponent X of the rounded value in scientific notation.
    int x = rounded.precision() - rounded.scale() - 1;
    String out;
    if (x < p && x >= -4) {
      BigDecimal fixed = rounded.setScale(Math.max(0, p - 1 - x), RoundingMode.HALF_EVEN);
      out = stripZeros(fixed.toPlainString());
    } else {
      BigDecimal mantissa = rounded.movePointLeft(x).setScale(p - 1, RoundingMode.HALF_EVEN);
      String m = stripZeros(mantissa.toPlainString());
      int ax = Math.abs(x);
      out = m + "e" + (x < 0 ? "-" : "+") + (ax < 10 ? "0" : "") + ax;
    }
    return out;
  }

  private static String stripZeros(String s) {
    if (s.indexOf('.') < 0) {
      return s;
    }
    int end = s.length();
    while (s.charAt(end - 1) == '0') {
      end--;
    }
    if (s.charAt(end - 1) == '.') {
      end--;
    }
    return s.substring(0, end);
  }

}
