package io.tripod.server.rdb;

import java.util.Arrays;

/**
 * LZF as Redis uses it inside RDB strings: a decoder that checks every reference (corrupt input
 * raises {@link RdbException}, it never reads or writes out of bounds), and a simple greedy
 * compressor whose output any LZF decoder (Redis's included) accepts.
 */
public final class Lzf {
  private Lzf() {}

  private static final int HLOG = 16;
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
   * Compresses {@code in} exactly as Redis's liblzf build does (hash log 16, "very fast" mode,
   * 32-bit offsets in the hash table), so DUMP payloads and RDB strings are byte-identical to
   * Redis's. Returns null when the output would not fit in {@code maxOut} bytes (Redis then
   * stores the string uncompressed). The hash table starts zeroed; Redis's is uninitialized stack
   * memory, which can (rarely) let Redis find an extra match, but any result decodes the same.
   */
  public static byte[] compress(byte[] in, int maxOut) {
    int inLen = in.length;
    if (inLen == 0 || maxOut <= 0) {
      return null;
    }
    int[] htab = new int[1 << HLOG];
    byte[] out = new byte[maxOut + 4];
    int outEnd = maxOut;
    int ip = 0;
    int op = 0;
    int lit = 0;
    op++; // start a literal run
    int hval = ((in[0] & 0xff) << 8) | (inLen > 1 ? in[1] & 0xff : 0);
    while (ip < inLen - 2) {
      hval = (hval << 8) | (in[ip + 2] & 0xff);
      int slot = idx(hval);
      int ref = htab[slot];
      htab[slot] = ip;
      int off = ip - ref - 1;
      if (ref < ip && off < MAX_OFF && ref > 0 && in[ref + 2] == in[ip + 2]
          && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
        int len = 2;
        int maxlen = Math.min(inLen - ip - len, MAX_REF);
        if (op + 3 + 1 >= outEnd && op - (lit == 0 ? 1 : 0) + 3 + 1 >= outEnd) {
          return null;
        }
        out[op - lit - 1] = (byte) (lit - 1); // close the literal run
        op -= lit == 0 ? 1 : 0; // drop it if empty
        boolean done = false;
        if (maxlen > 16) {
          for (int k = 0; k < 16; k++) {
            len++;
            if (in[ref + len] != in[ip + len]) {
              done = true;
              break;
            }
          }
        }
        if (!done) {
          do {
            len++;
          } while (len < maxlen && in[ref + len] == in[ip + len]);
        }
        len -= 2;
        ip++;
        if (len < 7) {
          out[op++] = (byte) ((off >> 8) + (len << 5));
        } else {
          out[op++] = (byte) ((off >> 8) + (7 << 5));
          out[op++] = (byte) (len - 7);
        }
        out[op++] = (byte) off;
        lit = 0;
        op++; // start a literal run
        ip += len + 1;
        if (ip >= inLen - 2) {
          break;
        }
        ip -= 2;
        hval = ((in[ip] & 0xff) << 8) | (in[ip + 1] & 0xff);
        hval = (hval << 8) | (in[ip + 2] & 0xff);
        htab[idx(hval)] = ip;
        ip++;
        hval = (hval << 8) | (in[ip + 2] & 0xff);
        htab[idx(hval)] = ip;
        ip++;
      } else {
        if (op >= outEnd) {
          return null;
        }
        lit++;
        out[op++] = in[ip++];
        if (lit == MAX_LITERAL) {
          out[op - lit - 1] = (byte) (lit - 1);
          lit = 0;
          op++;
        }
      }
    }
    if (op + 3 > outEnd) {
      return null;
    }
    while (ip < inLen) {
      lit++;
      out[op++] = in[ip++];
      if (lit == MAX_LITERAL) {
        out[op - lit - 1] = (byte) (lit - 1);
        lit = 0;
        op++;
      }
    }
    out[op - lit - 1] = (byte) (lit - 1);
    op -= lit == 0 ? 1 : 0;
    return Arrays.copyOf(out, op);
  }

  private static int idx(int h) {
    // liblzf 3.6 "very fast" hash: only the low 24 bits of h (the next 3 bytes) matter.
    return ((h >>> (3 * 8 - HLOG)) - h * 5) & ((1 << HLOG) - 1);
  }
}
