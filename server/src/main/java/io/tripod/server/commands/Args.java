package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.util.Bytes;

/**
 * Argument parsing with Redis's error replies. Each parser either returns the value or replies
 * the error itself and returns a sentinel the caller checks ({@link #BAD} / null), the way Redis's
 * {@code getLongFromObjectOrReply} works.
 */
public final class Args {
  private Args() {}

  /** Returned by the long parsers after they replied an error. */
  public static final long BAD = Long.MIN_VALUE + 7;

  /** {@code -ERR value is not an integer or out of range} on failure. */
  public static long longOrReply(Client c, byte[] arg) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null || v == BAD) {
      c.notInteger();
      return BAD;
    }
    return v;
  }

  /** A long with a custom error message ({@code -ERR <msg>}) on failure. */
  public static long longOrReply(Client c, byte[] arg, String message) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null || v == BAD) {
      c.err(message);
      return BAD;
    }
    return v;
  }

  public static boolean is(byte[] arg, String lowerKeyword) {
    return Bytes.eqIgnoreCase(arg, lowerKeyword);
  }

  /**
   * Redis's {@code string2ld}/{@code strtod} acceptance for floats: no spaces, no empty string, not
   * NaN; {@code inf}, {@code -inf} and {@code +inf} accepted.
   *
   * @return the value, or null if not a valid float
   */
  public static Double parseDouble(byte[] arg) {
    if (arg.length == 0 || arg.length > 5000) {
      return null;
    }
    String s = new String(arg, java.nio.charset.StandardCharsets.ISO_8859_1);
    char first = s.charAt(0);
    char last = s.charAt(s.length() - 1);
    if (Character.isWhitespace(first) || Character.isWhitespace(last)) {
      return null;
    }
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    switch (lower) {
      case "inf":
      case "+inf":
      case "infinity":
      case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf":
      case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    // Java accepts forms C does not (trailing 'd'/'f', "NaN", "Infinity" handled above).
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      boolean ok = (ch >= '0' && ch <= '9') || ch == '.' || ch == 'e' || ch == 'E' || ch == '-' || ch == '+'
          || ch == 'x' || ch == 'X' || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || ch == 'p' || ch == 'P';
      if (!ok) {
        return null;
      }
    }
    try {
      double d;
      if (lower.startsWith("0x") || lower.startsWith("-0x") || lower.startsWith("+0x")) {
        d = Double.parseDouble(lower.contains("p") ? s : s + "p0");
      } else {
        if (lower.indexOf('x') >= 0 || lower.indexOf('p') >= 0 || hasHexLetters(lower)) {
          return null;
        }
        d = Double.parseDouble(s);
      }
      if (Double.isNaN(d)) {
        return null;
      }
      return d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean hasHexLetters(String lower) {
    for (int i = 0; i < lower.length(); i++) {
      char ch = lower.charAt(i);
      if (ch >= 'a' && ch <= 'f' && ch != 'e') {
        return true;
      }
    }
    return false;
  }

  /**
   * A config threshold as an int size: CONFIG accepts any long for the encoding limits, while the
   * types count in ints.
   */
  public static int clampToInt(long v) {
    return (int) Math.max(0, Math.min(v, Integer.MAX_VALUE));
  }

  /**
   * The end of a command that removed members from an aggregate (HDEL, SREM): WATCH, the keyspace
   * events (the type's event, then {@code del} if the key went away with its last member), the
   * dirty count, and the integer reply.
   */
  public static void afterRemovals(Client c, byte[] key, long deleted, boolean keyRemoved, int eventClass,
      String event) {
    io.tripod.server.Server s = c.server;
    if (deleted > 0) {
      s.signalModifiedKey(c.db, key);
      s.notifyKeyspaceEvent(eventClass, event, key, c.db.id);
      if (keyRemoved) {
        s.notifyKeyspaceEvent(io.tripod.server.Notifications.GENERIC, "del", key, c.db.id);
      }
      s.dirty += deleted;
    }
    c.integer(deleted);
  }
}
