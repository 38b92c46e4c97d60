package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.util.Bytes;
import io.tripod.server.util.Glob;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The cursor and option handling shared by HSCAN and SSCAN (Redis's scanGenericCommand). */
final class Scan {
  private Scan() {}

  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /**
   * Parses a cursor the way Redis does with {@code strtoul}: optional sign (a minus wraps
   * around), decimal digits, no spaces, range of an unsigned 64-bit integer. Null after replying
   * {@code invalid cursor}.
   */
  static Long parseCursor(Client c, byte[] arg) {
    String s = new String(arg, StandardCharsets.ISO_8859_1);
    int i = 0;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
      neg = s.charAt(0) == '-';
      i = 1;
    }
    boolean ok = true;
    if (i == s.length()) {
      ok = s.isEmpty(); // "" parses as 0 with nothing left over; a lone sign does not
    }
    for (int k = i; k < s.length() && ok; k++) {
      char ch = s.charAt(k);
      if (ch < '0' || ch > '9') {
        ok = false;
      }
    }
    if (ok && i < s.length()) {
      BigInteger v = new BigInteger(s.substring(i));
      if (v.compareTo(U64_MAX) > 0) {
        ok = false;
      } else {
        long l = v.longValue();
        return neg ? -l : l;
      }
    }
    if (!ok) {
      c.err("invalid cursor");
      return null;
    }
    return 0L;
  }

  static final class Options {
    long count = 10;
    byte[] pattern;

    boolean matches(byte[] s) {
      return pattern == null || Glob.match(pattern, s, false);
    }
  }

  /** Parses COUNT and MATCH from {@code a[from..]}; null after replying an error. */
  static Options parseOptions(Client c, byte[][] a, int from) {
    Options o = new Options();
    int i = from;
    while (i < a.length) {
      int left = a.length - i;
      if (Args.is(a[i], "count") && left >= 2) {
        long n = Args.longOrReply(c, a[i + 1]);
        if (n == Args.BAD) {
          return null;
        }
        if (n < 1) {
          c.syntaxError();
          return null;
        }
        o.count = n;
        i += 2;
      } else if (Args.is(a[i], "match") && left >= 2) {
        byte[] p = a[i + 1];
        o.pattern = (p.length == 1 && p[0] == '*') ? null : p;
        i += 2;
      } else {
        c.syntaxError();
        return null;
      }
    }
    return o;
  }

  static void emptyReply(Client c) {
    c.array(2);
    c.bulk(Bytes.of("0"));
    c.array(0);
  }

  static void reply(Client c, long cursor, List<byte[]> items) {
    c.array(2);
    c.bulk(Long.toUnsignedString(cursor).getBytes(StandardCharsets.US_ASCII));
    c.array(items.size());
    for (byte[] b : items) {
      c.bulk(b);
    }
  }
}
