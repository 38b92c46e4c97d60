package io.tripod.server.rdb;

import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only decoders for encodings older RDB files carry (intset is also written): intset,
 * ziplist (lists, hashes and sorted sets before 7.0) and zipmap (hashes before 2.6).
 */
public final class LegacyEncodings {
  private LegacyEncodings() {}

  /** Intset blob → members as decimal strings (ascending). */
  public static List<byte[]> decodeIntset(byte[] b) {
    if (b.length < 8) {
      throw new RdbException("Intset integrity check failed");
    }
    long enc = Listpack.readLe(b, 0, 4);
    long len = Listpack.readLe(b, 4, 4);
    if ((enc != 2 && enc != 4 && enc != 8) || len == 0 || 8 + len * enc != b.length) {
      throw new RdbException("Intset integrity check failed");
    }
    List<byte[]> out = new ArrayList<>((int) len);
    for (int i = 0; i < len; i++) {
      long v = Listpack.readLe(b, 8 + i * (int) enc, (int) enc);
      int shift = 64 - 8 * (int) enc;
      out.add(Bytes.fromLong((v << shift) >> shift));
    }
    return out;
  }

  /** Members (canonical integers, any order) → intset blob with the narrowest width. */
  public static byte[] encodeIntset(List<Long> sortedUnique) {
    int width = 2;
    for (long v : sortedUnique) {
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        width = 8;
      } else if ((v < Short.MIN_VALUE || v > Short.MAX_VALUE) && width < 4) {
        width = 4;
      }
    }
    byte[] b = new byte[8 + sortedUnique.size() * width];
    putLe(b, 0, width, 4);
    putLe(b, 4, sortedUnique.size(), 4);
    int p = 8;
    for (long v : sortedUnique) {
      putLe(b, p, v, width);
      p += width;
    }
    return b;
  }

  private static void putLe(byte[] b, int off, long v, int n) {
    for (int i = 0; i < n; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }

  /** Ziplist blob → elements (integers as decimal strings). */
  public static List<byte[]> decodeZiplist(byte[] z) {
    if (z.length < 11 || Listpack.readLe(z, 0, 4) != z.length || (z[z.length - 1] & 0xff) != 0xff) {
      throw new RdbException("Ziplist integrity check failed");
    }
    List<byte[]> out = new ArrayList<>();
    int p = 10;
    while (true) {
      if (p >= z.length) {
        throw new RdbException("Ziplist entry out of range");
      }
      if ((z[p] & 0xff) == 0xff) {
        break;
      }
      // prevlen
      p += (z[p] & 0xff) < 254 ? 1 : 5;
      if (p >= z.length) {
        throw new RdbException("Ziplist entry out of range");
      }
      int b = z[p] & 0xff;
      int top = b >> 6;
      if (top == 0) {
        int n = b & 0x3f;
        out.add(copy(z, p + 1, n));
        p += 1 + n;
      } else if (top == 1) {
        check(z, p, 2);
        int n = ((b & 0x3f) << 8) | (z[p + 1] & 0xff);
        out.add(copy(z, p + 2, n));
        p += 2 + n;
      } else if (top == 2) {
        check(z, p, 5);
        long n = ((z[p + 1] & 0xffL) << 24) | ((z[p + 2] & 0xffL) << 16) | ((z[p + 3] & 0xffL) << 8) | (z[p + 4] & 0xffL);
        if (n > Integer.MAX_VALUE - 16) {
          throw new RdbException("Ziplist entry too long");
        }
        out.add(copy(z, p + 5, (int) n));
        p += 5 + (int) n;
      } else {
        long v;
        int size;
        switch (b) {
          case 0xC0: check(z, p, 3); v = (short) Listpack.readLe(z, p + 1, 2); size = 3; break;
          case 0xD0: check(z, p, 5); v = (int) Listpack.readLe(z, p + 1, 4); size = 5; break;
          case 0xE0: check(z, p, 9); v = Listpack.readLe(z, p + 1, 8); size = 9; break;
          case 0xF0: check(z, p, 4); v = (Listpack.readLe(z, p + 1, 3) << 40) >> 40; size = 4; break;
          case 0xFE: check(z, p, 2); v = z[p + 1]; size = 2; break;
          default:
            if (b >= 0xF1 && b <= 0xFD) {
              v = (b & 0x0f) - 1;
              size = 1;
            } else {
              throw new RdbException("Ziplist invalid encoding");
            }
        }
        out.add(Bytes.fromLong(v));
        p += size;
      }
    }
    return out;
  }

  /** Zipmap blob (hashes from Redis 2.4 and older) → alternating field, value. */
  public static List<byte[]> decodeZipmap(byte[] z) {
    List<byte[]> out = new ArrayList<>();
    int p = 1;
    while (true) {
      if (p >= z.length) {
        throw new RdbException("Zipmap integrity check failed");
      }
      int b = z[p] & 0xff;
      if (b == 0xff) {
        break;
      }
      int[] lenAndSize = zipmapLen(z, p);
      p += lenAndSize[1];
      out.add(copy(z, p, lenAndSize[0]));
      p += lenAndSize[0];
      lenAndSize = zipmapLen(z, p);
      p += lenAndSize[1];
      check(z, p, 1);
      int free = z[p] & 0xff;
      p += 1;
      out.add(copy(z, p, lenAndSize[0]));
      p += lenAndSize[0] + free;
    }
    if (out.size() % 2 != 0) {
      throw new RdbException("Zipmap integrity check failed");
    }
    return out;
  }

  private static int[] zipmapLen(byte[] z, int p) {
    check(z, p, 1);
    int b = z[p] & 0xff;
    if (b < 254) {
      return new int[] {b, 1};
    }
    if (b == 254) {
      check(z, p, 5);
      long n = Listpack.readLe(z, p + 1, 4);
      if (n > Integer.MAX_VALUE - 16) {
        throw new RdbException("Zipmap entry too long");
      }
      return new int[] {(int) n, 5};
    }
    throw new RdbException("Zipmap integrity check failed");
  }

  private static void check(byte[] z, int p, int n) {
    if (p + n > z.length) {
      throw new RdbException("entry out of range");
    }
  }

  private static byte[] copy(byte[] z, int from, int n) {
    if (n < 0 || from + n > z.length) {
      throw new RdbException("entry out of range");
    }
    byte[] b = new byte[n];
    System.arraycopy(z, from, b, 0, n);
    return b;
  }
}
