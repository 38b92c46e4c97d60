package io.tripod.server.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Byte-string helpers: keys and values stay {@code byte[]} end to end (no String round trips on
 * the data path).
 */
public final class Bytes {
  private Bytes() {}

  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Per-process seed, as Redis seeds its hash function, so that hash flooding is not planned. */
  private static final int SEED = ThreadLocalRandom.current().nextInt();

  public static final byte[] EMPTY = new byte[0];

  /** MurmurHash3 (x86, 32-bit) of the whole array with the process seed. */
  @SuppressWarnings("fallthrough")
  public static int hash(byte[] data) {
    int len = data.length;
    int h = SEED;
    int i = 0;
    for (; i + 4 <= len; i += 4) {
      int k = (int) INT_LE.get(data, i);
      k *= 0xcc9e2d51;
      k = Integer.rotateLeft(k, 15);
      k *= 0x1b873593;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (len - i) {
      case 3:
        k ^= (data[i + 2] & 0xff) << 16;
        // fall through
      case 2:
        k ^= (data[i + 1] & 0xff) << 8;
        // fall through
      case 1:
        k ^= data[i] & 0xff;
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  public static boolean equals(byte[] a, byte[] b) {
    return Arrays.equals(a, b);
  }

  public static byte[] of(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** ASCII lower-case copy, for command names and option keywords. */
  public static String lower(byte[] b) {
    char[] c = new char[b.length];
    for (int i = 0; i < b.length; i++) {
      int x = b[i] & 0xff;
      c[i] = (char) ((x >= 'A' && x <= 'Z') ? x + 32 : x);
    }
    return new String(c);
  }

  /** Case-insensitive ASCII comparison with a lower-case keyword, allocation-free. */
  public static boolean eqIgnoreCase(byte[] b, String lowerKeyword) {
    if (b.length != lowerKeyword.length()) {
      return false;
    }
    for (int i = 0; i < b.length; i++) {
      int x = b[i] & 0xff;
      if (x >= 'A' && x <= 'Z') {
        x += 32;
      }
      if (x != lowerKeyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Unsigned lexicographic comparison, as memcmp then length (Redis's sdscmp). */
  public static int compare(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }

  /** Redis's {@code string2ll}: strict decimal, no spaces or plus sign, fits in a long. */
  public static boolean isLong(byte[] s) {
    return parseLongOrNull(s) != null;
  }

  /** The value of a strict decimal integer, or null (Redis's {@code string2ll}). */
  public static Long parseLongOrNull(byte[] s) {
    int len = s.length;
    if (len == 0 || len > 20) {
      return null;
    }
    if (len == 1 && s[0] == '0') {
      return 0L;
    }
    int i = 0;
    boolean neg = false;
    if (s[0] == '-') {
      neg = true;
      i = 1;
      if (len == 1) {
        return null;
      }
    }
    if (s[i] < '1' || s[i] > '9') {
      return null;
    }
    long v = 0;
    for (; i < len; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9) {
        return null;
      }
      // Accumulate as a negative number so that Long.MIN_VALUE parses.
      if (v < (Long.MIN_VALUE + d) / 10) {
        return null;
      }
      v = v * 10 - d;
    }
    if (neg) {
      return v;
    }
    return v == Long.MIN_VALUE ? null : -v;
  }

  public static byte[] fromLong(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
