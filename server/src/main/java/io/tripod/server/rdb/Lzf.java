package io.tripod.server.rdb;

import java.util.Arrays;

/**
 * LZF as Redis uses it inside RDB strings: a decoder that checks every reference (corrupt input
 * raises {@link RdbException}, it never reads or writes out of bounds), and a simple greedy
 * compressor whose output any LZF decoder (Redis's included) accepts.
 */
public final class Lzf {
  private Lzf() {}

  private static final int HASH_BITS = 14;
  private static final int MAX_LITERAL = 32;
  private static final int MAX_OFF = 1 << 13;
  private static final int MAX_REF = (1 << 8) + (1 << 3);

  /** Decompresses {@code in} into exactly {@code outLen} bytes. */
  public static byte[] decompress(byte[] in, int outLen) {
    byte[] out = new byte[outLen];
    int ip = 0;
    int op = 0;
    while (ip < in.length) {
      int ctrl = in[ip++] & 0xff;
      if (ctrl < 32) {
        int run = ctrl + 1;
        if (op + run > outLen || ip + run > in.length) {
          throw new RdbException("Invalid LZF compressed string");
        }
        System.arraycopy(in, ip, out, op, run);
        ip += run;
        op += run;
      } else {
        int len = ctrl >> 5;
        if (len == 7) {
          if (ip >= in.length) {
            throw new RdbException("Invalid LZF compressed string");
          }
          len += in[ip++] & 0xff;
        }
        if (ip >= in.length) {
          throw new RdbException("Invalid LZF compressed string");
        }
        int ref = op - ((ctrl & 0x1f) << 8) - 1 - (in[ip++] & 0xff);
        len += 2;
        if (ref < 0 || op + len > outLen) {
          throw new RdbException("Invalid LZF compressed string");
        }
        for (int i = 0; i < len; i++) {
          out[op++] = out[ref++];
        }
      }
    }
    if (op != outLen) {
      throw new RdbException("Invalid LZF compressed string");
    }
    return out;
  }

  /**
   * Compresses {@code in}; returns null when the result would not be smaller than {@code maxOut}
   * bytes (Redis then stores the string uncompressed).
   */
  public static byte[] compress(byte[] in, int maxOut) {
    if (maxOut <= 0) {
      return null;
    }
    int[] table = new int[1 << HASH_BITS];
    Arrays.fill(table, -1);
    byte[] out = new byte[maxOut + 1];
    int op = 0;
    int lit = 0; // literal bytes pending
    int litStart = 0;
    int ip = 0;
    int n = in.length;
    while (ip < n) {
      int ref = -1;
      if (ip + 2 < n) {
        int h = hash(in, ip);
        ref = table[h];
        table[h] = ip;
      }
      if (ref >= 0 && ip - ref - 1 < MAX_OFF && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]
          && in[ref + 2] == in[ip + 2]) {
        int len = 3;
        int maxLen = Math.min(MAX_REF, n - ip);
        while (len < maxLen && in[ref + len] == in[ip + len]) {
          len++;
        }
        // Flush pending literals.
        op = flushLiterals(in, litStart, lit, out, op, maxOut);
        if (op < 0) {
          return null;
        }
        lit = 0;
        int off = ip - ref - 1;
        int l = len - 2;
        if (op + 3 > maxOut) {
          return null;
        }
        if (l < 7) {
          out[op++] = (byte) ((l << 5) + (off >> 8));
        } else {
          out[op++] = (byte) ((7 << 5) + (off >> 8));
          out[op++] = (byte) (l - 7);
        }
        out[op++] = (byte) off;
        for (int k = 1; k < len && ip + k + 2 < n; k++) {
          table[hash(in, ip + k)] = ip + k;
        }
        ip += len;
        litStart = ip;
      } else {
        if (lit == 0) {
          litStart = ip;
        }
        lit++;
        ip++;
        if (lit == MAX_LITERAL) {
          op = flushLiterals(in, litStart, lit, out, op, maxOut);
          if (op < 0) {
            return null;
          }
          lit = 0;
          litStart = ip;
        }
      }
    }
    op = flushLiterals(in, litStart, lit, out, op, maxOut);
    if (op < 0 || op >= maxOut) {
      return null;
    }
    return Arrays.copyOf(out, op);
  }

  private static int flushLiterals(byte[] in, int start, int count, byte[] out, int op, int maxOut) {
    if (count == 0) {
      return op;
    }
    if (op + 1 + count > maxOut) {
      return -1;
    }
    out[op++] = (byte) (count - 1);
    System.arraycopy(in, start, out, op, count);
    return op + count;
  }

  private static int hash(byte[] in, int p) {
    int v = ((in[p] & 0xff) << 16) | ((in[p + 1] & 0xff) << 8) | (in[p + 2] & 0xff);
    return ((v * 0x9E3779B1) >>> (32 - HASH_BITS)) & ((1 << HASH_BITS) - 1);
  }
}
