package io.tripod.server.rdb;

import io.tripod.server.util.Bytes;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis's listpack serialization (listpack.c), used inside RDB payloads for small hashes, sorted
 * sets, list nodes and stream nodes. Elements that are canonical int64 decimal strings are stored
 * in the smallest integer encoding, as Redis does, so the bytes match what Redis writes.
 */
public final class Listpack {
  private Listpack() {}

  /** Builds a listpack blob from elements. */
  public static byte[] encode(List<byte[]> elements) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(0);
    out.write(0);
    out.write(0);
    int n = elements.size();
    out.write(n < 65535 ? n & 0xff : 0xff);
    out.write(n < 65535 ? (n >>> 8) & 0xff : 0xff);
    for (byte[] e : elements) {
      writeEntry(out, e);
    }
    out.write(0xff);
    byte[] b = out.toByteArray();
    int total = b.length;
    b[0] = (byte) total;
    b[1] = (byte) (total >>> 8);
    b[2] = (byte) (total >>> 16);
    b[3] = (byte) (total >>> 24);
    return b;
  }

  /** Encoded size of one element including its backlen (for encoding-threshold estimates). */
  public static int entrySize(byte[] e) {
    int l = encodedLength(e);
    return l + backlenSize(l);
  }

  private static int encodedLength(byte[] e) {
    Long v = e.length <= 20 ? Bytes.parseLongOrNull(e) : null;
    if (v != null) {
      long x = v;
      if (x >= 0 && x <= 127) {
        return 1;
      } else if (x >= -4096 && x <= 4095) {
        return 2;
      } else if (x >= Short.MIN_VALUE && x <= Short.MAX_VALUE) {
        return 3;
      } else if (x >= -(1 << 23) && x < (1 << 23)) {
        return 4;
      } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
        return 5;
      }
      return 9;
    }
    int n = e.length;
    return n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  }

  private static int backlenSize(int l) {
    return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  }

  private static void writeEntry(ByteArrayOutputStream out, byte[] e) {
    int start = out.size();
    Long v = e.length <= 20 ? Bytes.parseLongOrNull(e) : null;
    if (v != null) {
      long x = v;
      if (x >= 0 && x <= 127) {
        out.write((int) x);
      } else if (x >= -4096 && x <= 4095) {
        long u = x < 0 ? x + 8192 : x;
        out.write(0xC0 | (int) (u >>> 8));
        out.write((int) (u & 0xff));
      } else if (x >= Short.MIN_VALUE && x <= Short.MAX_VALUE) {
        out.write(0xF1);
        writeLe(out, x, 2);
      } else if (x >= -(1 << 23) && x < (1 << 23)) {
        out.write(0xF2);
        writeLe(out, x, 3);
      } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
        out.write(0xF3);
        writeLe(out, x, 4);
      } else {
        out.write(0xF4);
        writeLe(out, x, 8);
      }
    } else {
      int n = e.length;
      if (n < 64) {
        out.write(0x80 | n);
      } else if (n < 4096) {
        out.write(0xE0 | (n >>> 8));
        out.write(n & 0xff);
      } else {
        out.write(0xF0);
        writeLe(out, n, 4);
      }
      out.write(e, 0, n);
    }
    int l = out.size() - start;
    // backlen: big-endian 7-bit groups, the last byte holds the low 7 bits; all but the first
    // (leftmost) have bit 7 set.
    int size = backlenSize(l);
    for (int i = size - 1; i >= 0; i--) {
      int group = (l >>> (7 * i)) & 127;
      out.write(i == size - 1 ? group : group | 128);
    }
  }

  private static void writeLe(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  /** Decodes every element of a listpack blob; integers come back as decimal strings. */
  public static List<byte[]> decode(byte[] lp) {
    if (lp.length < 7) {
      throw new RdbException("listpack too short");
    }
    long total = (lp[0] & 0xffL) | (lp[1] & 0xffL) << 8 | (lp[2] & 0xffL) << 16 | (lp[3] & 0xffL) << 24;
    if (total != lp.length || (lp[lp.length - 1] & 0xff) != 0xff) {
      throw new RdbException("listpack integrity check failed");
    }
    int count = (lp[4] & 0xff) | (lp[5] & 0xff) << 8;
    List<byte[]> out = new ArrayList<>(count == 65535 ? 16 : count);
    int p = 6;
    while (true) {
      if (p >= lp.length) {
        throw new RdbException("listpack entry out of range");
      }
      int b = lp[p] & 0xff;
      if (b == 0xff) {
        break;
      }
      int start = p;
      byte[] value;
      if ((b & 0x80) == 0) {
        value = Bytes.fromLong(b);
        p += 1;
      } else if ((b & 0xC0) == 0x80) {
        int n = b & 0x3f;
        value = slice(lp, p + 1, n);
        p += 1 + n;
      } else if ((b & 0xE0) == 0xC0) {
        need(lp, p, 2);
        int v = ((b & 0x1f) << 8) | (lp[p + 1] & 0xff);
        if (v >= 4096) {
          v -= 8192;
        }
        value = Bytes.fromLong(v);
        p += 2;
      } else if ((b & 0xF0) == 0xE0) {
        need(lp, p, 2);
        int n = ((b & 0x0f) << 8) | (lp[p + 1] & 0xff);
        value = slice(lp, p + 2, n);
        p += 2 + n;
      } else if (b == 0xF0) {
        need(lp, p, 5);
        long n = readLe(lp, p + 1, 4);
        if (n > Integer.MAX_VALUE - 16) {
          throw new RdbException("listpack string too long");
        }
        value = slice(lp, p + 5, (int) n);
        p += 5 + (int) n;
      } else if (b == 0xF1) {
        need(lp, p, 3);
        value = Bytes.fromLong((short) readLe(lp, p + 1, 2));
        p += 3;
      } else if (b == 0xF2) {
        need(lp, p, 4);
        long v = readLe(lp, p + 1, 3);
        value = Bytes.fromLong((v << 40) >> 40);
        p += 4;
      } else if (b == 0xF3) {
        need(lp, p, 5);
        value = Bytes.fromLong((int) readLe(lp, p + 1, 4));
        p += 5;
      } else if (b == 0xF4) {
        need(lp, p, 9);
        value = Bytes.fromLong(readLe(lp, p + 1, 8));
        p += 9;
      } else {
        throw new RdbException("listpack invalid encoding byte " + b);
      }
      p += backlenSize(p - start);
      out.add(value);
    }
    return out;
  }

  private static void need(byte[] lp, int p, int n) {
    if (p + n > lp.length) {
      throw new RdbException("listpack entry out of range");
    }
  }

  private static byte[] slice(byte[] lp, int from, int n) {
    if (n < 0 || from + n > lp.length) {
      throw new RdbException("listpack entry out of range");
    }
    byte[] b = new byte[n];
    System.arraycopy(lp, from, b, 0, n);
    return b;
  }

  static long readLe(byte[] b, int off, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (b[off + i] & 0xffL) << (8 * i);
    }
    return v;
  }
}
