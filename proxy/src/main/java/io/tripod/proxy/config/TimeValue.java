package io.tripod.proxy.config;

/** HAProxy time values (CFG §2.5): integer with optional unit us, ms (default), s, m, h, d. */
public final class TimeValue {
  private TimeValue() {}

  /** Returns milliseconds (microseconds are rounded up) or throws with HAProxy's wording. */
  public static long parseMillis(String text, String what) throws ConfigException {
    int i = 0;
    long v = 0;
    if (text.isEmpty()) {
      throw new ConfigException("'" + what + "' expects an integer argument.");
    }
    while (i < text.length() && Character.isDigit(text.charAt(i))) {
      v = v * 10 + (text.charAt(i) - '0');
      if (v > Integer.MAX_VALUE) {
        throw new ConfigException("timer overflow in argument '" + text + "' to '" + what
            + "' (maximum value is 2147483647 ms or ~24.8 days)");
      }
      i++;
    }
    if (i == 0) {
      throw new ConfigException("unexpected character '" + text.charAt(0) + "' in '" + what + "'");
    }
    String unit = text.substring(i);
    long ms;
    switch (unit) {
      case "": case "ms": ms = v; break;
      case "us": ms = (v + 999) / 1000; break;
      case "s": ms = v * 1000; break;
      case "m": ms = v * 60_000; break;
      case "h": ms = v * 3_600_000; break;
      case "d": ms = v * 86_400_000; break;
      default:
        throw new ConfigException("unexpected character '" + unit.charAt(0) + "' in '" + what + "'");
    }
    if (ms > Integer.MAX_VALUE) {
      throw new ConfigException("timer overflow in argument '" + text + "' to '" + what
          + "' (maximum value is 2147483647 ms or ~24.8 days)");
    }
    return ms;
  }
}
