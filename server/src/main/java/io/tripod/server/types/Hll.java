package io.tripod.server.types;

/**
 * HyperLogLog in Redis 7.0's own string format, so values are interchangeable with Redis byte for
 * byte.
 *
 * <p>Layout: a 16-byte header ({@code "HYLL"}, encoding byte 0 = dense / 1 = sparse, three unused
 * bytes, the cached cardinality as a little-endian 64-bit integer whose top bit marks it invalid)
 * followed by the registers: 16384 registers of 6 bits, either packed (dense, 12288 bytes, least
 * significant bits first) or run-length encoded (sparse) with three opcodes: {@code 00xxxxxx}
 * ZERO (1..64 zero registers), {@code 01xxxxxx yyyyyyyy} XZERO (1..16384 zero registers) and
 * {@code 1vvvvvxx} VAL (1..4 registers of value 1..32).
 *
 * <p>Elements are hashed with MurmurHash64A (seed {@code 0xadc83b19}); the low 14 bits pick the
 * register, the position of the first 1 bit in the remaining 50 (plus a sentinel bit) is the
 * value. The estimator is Ertl's improved raw estimator, as in Redis 7.
 *
 * <p>The sparse operations operate on a {@link RawString} in place, growing it like sds.
 */
public final class Hll {
  private Hll() {}

  public static final int P = 14;
  public static final int Q = 64 - P;
  public static final int REGISTERS = 1 << P;
  public static final int P_MASK = REGISTERS - 1;
  public static final int BITS = 6;
  public static final int REGISTER_MAX = (1 << BITS) - 1;
  public static final int HDR_SIZE = 16;
  public static final int DENSE_SIZE = HDR_SIZE + (REGISTERS * BITS + 7) / 8;
  public static final int DENSE = 0;
  public static final int SPARSE = 1;
  public static final int MAX_ENCODING = 1;

  static final int SPARSE_VAL_MAX_VALUE = 32;
  static final int SPARSE_VAL_MAX_LEN = 4;
  static final int SPARSE_ZERO_MAX_LEN = 64;
  static final int SPARSE_XZERO_MAX_LEN = 16384;
  static final double ALPHA_INF = 0.721347520444481703680;

  /** Thrown when a sparse representation is corrupt (Redis's INVALIDOBJ). */
  public static final class InvalidException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidException() {
      super("Corrupted HLL object detected", null, false, false);
    }
  }

  // ---- header -------------------------------------------------------------------------------

  /** An empty sparse HLL (Redis's createHLLObject): cached cardinality 0, valid. */
  public static RawString create() {
    byte[] b = new byte[HDR_SIZE + 2];
    b[0] = 'H';
    b[1] = 'Y';
    b[2] = 'L';
    b[3] = 'L';
    b[4] = SPARSE;
    int aux = REGISTERS;
    int p = HDR_SIZE;
    while (aux > 0) {
      int xzero = Math.min(aux, SPARSE_XZERO_MAX_LEN);
      xzeroSet(b, p, xzero);
      p += 2;
      aux -= xzero;
    }
    return new RawString(b, 0);
  }

  /**
   * Redis's isHLLObjectOrReply check on a string's bytes: long enough, the magic, a known encoding,
   * and the exact size if dense.
   */
  public static boolean isValid(byte[] b, int len) {
    if (len < HDR_SIZE) {
      return false;
    }
    if (b[0] != 'H' || b[1] != 'Y' || b[2] != 'L' || b[3] != 'L') {
      return false;
    }
    int enc = b[4] & 0xff;
    if (enc > MAX_ENCODING) {
      return false;
    }
    return enc != DENSE || len == DENSE_SIZE;
  }

  public static int encoding(byte[] b) {
    return b[4] & 0xff;
  }

  public static boolean validCache(byte[] b) {
    return (b[15] & 0x80) == 0;
  }

  public static void invalidateCache(byte[] b) {
    b[15] |= (byte) 0x80;
  }

  public static long cachedCard(byte[] b) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (b[8 + i] & 0xff);
    }
    return v;
  }

  public static void setCachedCard(byte[] b, long card) {
    for (int i = 0; i < 8; i++) {
      b[8 + i] = (byte) (card >>> (8 * i));
    }
  }

  // ---- hashing ------------------------------------------------------------------------------

  /** MurmurHash64A, endian neutral as in Redis. */
  public static long murmurHash64A(byte[] key, int off, int len, long seed) {
    final long m = 0xc6a4a7935bd1e995L;
    final int r = 47;
    long h = seed ^ (len * m);
    int end = off + (len - (len & 7));
    int i = off;
    for (; i < end; i += 8) {
      long k = (key[i] & 0xffL)
          | (key[i + 1] & 0xffL) << 8
          | (key[i + 2] & 0xffL) << 16
          | (key[i + 3] & 0xffL) << 24
          | (key[i + 4] & 0xffL) << 32
          | (key[i + 5] & 0xffL) << 40
          | (key[i + 6] & 0xffL) << 48
          | (key[i + 7] & 0xffL) << 56;
      k *= m;
      k ^= k >>> r;
      k *= m;
      h ^= k;
      h *= m;
    }
    int rest = len & 7;
    if (rest > 0) {
      for (int j = rest - 1; j >= 0; j--) {
        h ^= (key[i + j] & 0xffL) << (8 * j);
      }
      h *= m;
    }
    h ^= h >>> r;
    h *= m;
    h ^= h >>> r;
    return h;
  }

  /** Register index (low 32 bits) and run length (bits 32..) of an element; see hllPatLen. */
  static long patLen(byte[] ele) {
    long hash = murmurHash64A(ele, 0, ele.length, 0xadc83b19L);
    int index = (int) (hash & P_MASK);
    hash >>>= P;
    hash |= 1L << Q;
    long bit = 1;
    int count = 1;
    while ((hash & bit) == 0) {
      count++;
      bit <<= 1;
    }
    return ((long) count << 32) | index;
  }

  // ---- dense --------------------------------------------------------------------------------

  /** The register {@code regnum} of a dense HLL whose registers start at {@code off}. */
  public static int denseGet(byte[] b, int off, int regnum) {
    int bit = regnum * BITS;
    int byteIdx = off + (bit >>> 3);
    int fb = bit & 7;
    int b0 = b[byteIdx] & 0xff;
    int b1 = byteIdx + 1 < b.length ? b[byteIdx + 1] & 0xff : 0;
    return ((b0 >>> fb) | (b1 << (8 - fb))) & REGISTER_MAX;
  }

  /** Writes a dense register unconditionally. */
  public static void denseSetRaw(byte[] b, int off, int regnum, int val) {
    int bit = regnum * BITS;
    int byteIdx = off + (bit >>> 3);
    int fb = bit & 7;
    int fb8 = 8 - fb;
    b[byteIdx] = (byte) ((b[byteIdx] & ~(REGISTER_MAX << fb)) | (val << fb));
    if (byteIdx + 1 < b.length) {
      b[byteIdx + 1] = (byte) ((b[byteIdx + 1] & ~(REGISTER_MAX >>> fb8)) | (val >>> fb8));
    }
  }

  /** Sets a dense register to {@code count} if greater; returns 1 if it changed. */
  static int denseSet(byte[] b, int off, int index, int count) {
    int old = denseGet(b, off, index);
    if (count > old) {
      denseSetRaw(b, off, index, count);
      return 1;
    }
    return 0;
  }

  // ---- sparse -------------------------------------------------------------------------------

  static boolean isZero(int op) {
    return (op & 0xc0) == 0;
  }

  static boolean isXzero(int op) {
    return (op & 0xc0) == 0x40;
  }

  static int zeroLen(int op) {
    return (op & 0x3f) + 1;
  }

  static int xzeroLen(int op, int op2) {
    return (((op & 0x3f) << 8) | op2) + 1;
  }

  static int valValue(int op) {
    return ((op >>> 2) & 0x1f) + 1;
  }

  static int valLen(int op) {
    return (op & 0x3) + 1;
  }

  static void xzeroSet(byte[] b, int p, int len) {
    int l = len - 1;
    b[p] = (byte) ((l >>> 8) | 0x40);
    b[p + 1] = (byte) (l & 0xff);
  }

  static void zeroSet(byte[] b, int p, int len) {
    b[p] = (byte) (len - 1);
  }

  static void valSet(byte[] b, int p, int val, int len) {
    b[p] = (byte) ((((val - 1) << 2) | (len - 1)) | 0x80);
  }

  /**
   * Converts a sparse HLL to dense in place (the header, including the cached cardinality, is
   * kept). A dense HLL is left alone.
   */
  public static void sparseToDense(RawString r) throws InvalidException {
    byte[] src = r.buf;
    if (encoding(src) == DENSE) {
      return;
    }
    byte[] dense = new byte[DENSE_SIZE];
    System.arraycopy(src, 0, dense, 0, HDR_SIZE);
    dense[4] = DENSE;
    int idx = 0;
    int p = HDR_SIZE;
    int end = r.len;
    while (p < end) {
      int op = src[p] & 0xff;
      int runlen;
      if (isZero(op)) {
        runlen = zeroLen(op);
        idx += runlen;
        p++;
      } else if (isXzero(op)) {
        runlen = xzeroLen(op, p + 1 < end ? src[p + 1] & 0xff : 0);
        idx += runlen;
        p += 2;
      } else {
        runlen = valLen(op);
        int regval = valValue(op);
        if (runlen + idx > REGISTERS) {
          throw new InvalidException();
        }
        while (runlen-- > 0) {
          denseSetRaw(dense, HDR_SIZE, idx, regval);
          idx++;
        }
        p++;
      }
    }
    if (idx != REGISTERS) {
      throw new InvalidException();
    }
    r.buf = dense;
    r.len = DENSE_SIZE;
  }

  /**
   * Redis's hllSparseSet: sets register {@code index} to {@code count} if greater, promoting to
   * dense when the value does not fit a VAL opcode or the string would exceed {@code maxBytes}.
   *
   * @return 1 if changed, 0 if not
   */
  static int sparseSet(RawString r, int index, int count, int maxBytes) throws InvalidException {
    if (count > SPARSE_VAL_MAX_VALUE) {
      return promote(r, index, count);
    }
    r.ensureCapacity(r.len + 3);
    byte[] b = r.buf;
    int sparse = HDR_SIZE;
    int p = sparse;
    int end = r.len;
    int first = 0;
    int prev = -1;
    int span = 0;
    while (p < end) {
      int op = b[p] & 0xff;
      int oplen = 1;
      if (isZero(op)) {
        span = zeroLen(op);
      } else if ((op & 0x80) != 0) {
        span = valLen(op);
      } else {
        span = xzeroLen(op, p + 1 < end ? b[p + 1] & 0xff : 0);
        oplen = 2;
      }
      if (index <= first + span - 1) {
        break;
      }
      prev = p;
      p += oplen;
      first += span;
    }
    if (span == 0 || p >= end) {
      throw new InvalidException();
    }
    int op = b[p] & 0xff;
    int next = isXzero(op) ? p + 2 : p + 1;
    if (next >= end) {
      next = -1;
    }
    boolean isZ = false;
    boolean isX = false;
    boolean isV = false;
    int runlen;
    if (isZero(op)) {
      isZ = true;
      runlen = zeroLen(op);
    } else if (isXzero(op)) {
      isX = true;
      runlen = xzeroLen(op, p + 1 < end ? b[p + 1] & 0xff : 0);
    } else {
      isV = true;
      runlen = valLen(op);
    }
    boolean done = false;
    if (isV) {
      int oldcount = valValue(op);
      if (oldcount >= count) {
        return 0;
      }
      if (runlen == 1) {
        valSet(b, p, count, 1);
        done = true;
      }
    }
    if (!done && isZ && runlen == 1) {
      valSet(b, p, count, 1);
      done = true;
    }
    if (!done) {
      byte[] seq = new byte[5];
      int n = 0;
      int last = first + span - 1;
      int len;
      if (isZ || isX) {
        if (index != first) {
          len = index - first;
          if (len > SPARSE_ZERO_MAX_LEN) {
            xzeroSet(seq, n, len);
            n += 2;
          } else {
            zeroSet(seq, n, len);
            n++;
          }
        }
        valSet(seq, n, count, 1);
        n++;
        if (index != last) {
          len = last - index;
          if (len > SPARSE_ZERO_MAX_LEN) {
            xzeroSet(seq, n, len);
            n += 2;
          } else {
            zeroSet(seq, n, len);
            n++;
          }
        }
      } else {
        int curval = valValue(op);
        if (index != first) {
          len = index - first;
          valSet(seq, n, curval, len);
          n++;
        }
        valSet(seq, n, count, 1);
        n++;
        if (index != last) {
          len = last - index;
          valSet(seq, n, curval, len);
          n++;
        }
      }
      int seqlen = n;
      int oldlen = isX ? 2 : 1;
      int deltalen = seqlen - oldlen;
      if (deltalen > 0 && r.len + deltalen > maxBytes) {
        return promote(r, index, count);
      }
      if (deltalen != 0 && next >= 0) {
        System.arraycopy(b, next, b, next + deltalen, end - next);
      }
      r.len += deltalen;
      System.arraycopy(seq, 0, b, p, seqlen);
      end += deltalen;
    }
    // Merge adjacent VAL opcodes with the same value, around the change.
    p = prev >= 0 ? prev : sparse;
    int scanlen = 5;
    while (p < end && scanlen-- > 0) {
      int o = b[p] & 0xff;
      if (isXzero(o)) {
        p += 2;
        continue;
      } else if (isZero(o)) {
        p++;
        continue;
      }
      if (p + 1 < end && (b[p + 1] & 0x80) != 0) {
        int o2 = b[p + 1] & 0xff;
        int v1 = valValue(o);
        int v2 = valValue(o2);
        if (v1 == v2) {
          int len = valLen(o) + valLen(o2);
          if (len <= SPARSE_VAL_MAX_LEN) {
            valSet(b, p + 1, v1, len);
            System.arraycopy(b, p + 1, b, p, end - p - 1);
            r.len--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    invalidateCache(b);
    return 1;
  }

  private static int promote(RawString r, int index, int count) throws InvalidException {
    sparseToDense(r);
    return denseSet(r.buf, HDR_SIZE, index, count);
  }

  /**
   * Adds an element (hllAdd).
   *
   * @return 1 if a register changed, 0 if not
   */
  public static int add(RawString r, byte[] ele, int sparseMaxBytes) throws InvalidException {
    long pl = patLen(ele);
    int index = (int) pl;
    int count = (int) (pl >>> 32);
    return set(r, index, count, sparseMaxBytes);
  }

  /** Sets register {@code index} to {@code count} if greater, in either encoding. */
  public static int set(RawString r, int index, int count, int sparseMaxBytes)
      throws InvalidException {
    switch (encoding(r.buf)) {
      case DENSE:
        return denseSet(r.buf, HDR_SIZE, index, count);
      case SPARSE:
        return sparseSet(r, index, count, sparseMaxBytes);
      default:
        throw new InvalidException();
    }
  }

  // ---- counting and merging -----------------------------------------------------------------

  /** Folds the registers of an HLL into {@code max} (one byte per register); hllMerge. */
  public static void merge(byte[] max, byte[] b, int len) throws InvalidException {
    if (encoding(b) == DENSE) {
      for (int i = 0; i < REGISTERS; i++) {
        int val = denseGet(b, HDR_SIZE, i);
        if (val > max[i]) {
          max[i] = (byte) val;
        }
      }
      return;
    }
    int p = HDR_SIZE;
    int i = 0;
    while (p < len) {
      int op = b[p] & 0xff;
      if (isZero(op)) {
        i += zeroLen(op);
        p++;
      } else if (isXzero(op)) {
        i += xzeroLen(op, p + 1 < len ? b[p + 1] & 0xff : 0);
        p += 2;
      } else {
        int runlen = valLen(op);
        int regval = valValue(op);
        if (runlen + i > REGISTERS) {
          throw new InvalidException();
        }
        while (runlen-- > 0) {
          if (regval > max[i]) {
            max[i] = (byte) regval;
          }
          i++;
        }
        p++;
      }
    }
    if (i != REGISTERS) {
      throw new InvalidException();
    }
  }

  /** The cardinality estimate of an HLL string (hllCount on dense or sparse). */
  public static long count(byte[] b, int len) throws InvalidException {
    int[] histo = new int[64];
    if (encoding(b) == DENSE) {
      for (int j = 0; j < REGISTERS; j++) {
        histo[denseGet(b, HDR_SIZE, j)]++;
      }
    } else {
      int idx = 0;
      int p = HDR_SIZE;
      while (p < len) {
        int op = b[p] & 0xff;
        if (isZero(op)) {
          int runlen = zeroLen(op);
          idx += runlen;
          histo[0] += runlen;
          p++;
        } else if (isXzero(op)) {
          int runlen = xzeroLen(op, p + 1 < len ? b[p + 1] & 0xff : 0);
          idx += runlen;
          histo[0] += runlen;
          p += 2;
        } else {
          int runlen = valLen(op);
          int regval = valValue(op);
          idx += runlen;
          histo[regval] += runlen;
          p++;
        }
      }
      if (idx != REGISTERS) {
        throw new InvalidException();
      }
    }
    return estimate(histo);
  }

  /** The estimate for raw 8-bit registers (the multi-key PFCOUNT union). */
  public static long countRaw(byte[] max) {
    int[] histo = new int[64];
    for (int j = 0; j < REGISTERS; j++) {
      histo[max[j]]++;
    }
    return estimate(histo);
  }

  static long estimate(int[] histo) {
    double m = REGISTERS;
    double z = m * tau((m - histo[Q + 1]) / m);
    for (int j = Q; j >= 1; --j) {
      z += histo[j];
      z *= 0.5;
    }
    z += m * sigma(histo[0] / m);
    double e = ALPHA_INF * m * m / z;
    return Math.round(e);
  }

  static double sigma(double x) {
    if (x == 1.) {
      return Double.POSITIVE_INFINITY;
    }
    double zPrime;
    double y = 1;
    double z = x;
    do {
      x *= x;
      zPrime = z;
      z += x * y;
      y += y;
    } while (zPrime != z);
    return z;
  }

  static double tau(double x) {
    if (x == 0. || x == 1.) {
      return 0.;
    }
    double zPrime;
    double y = 1.0;
    double z = 1 - x;
    do {
      x = Math.sqrt(x);
      zPrime = z;
      y *= 0.5;
      double d = 1 - x;
      z -= d * d * y;
    } while (zPrime != z);
    return z / 3;
  }

  /** PFDEBUG DECODE's text for a sparse HLL. */
  public static String decode(byte[] b, int len) {
    StringBuilder sb = new StringBuilder();
    int p = HDR_SIZE;
    while (p < len) {
      int op = b[p] & 0xff;
      if (isZero(op)) {
        sb.append("z:").append(zeroLen(op)).append(' ');
        p++;
      } else if (isXzero(op)) {
        sb.append("Z:").append(xzeroLen(op, p + 1 < len ? b[p + 1] & 0xff : 0)).append(' ');
        p += 2;
      } else {
        sb.append("v:").append(valValue(op)).append(',').append(valLen(op)).append(' ');
        p++;
      }
    }
    int n = sb.length();
    while (n > 0 && sb.charAt(n - 1) == ' ') {
      n--;
    }
    return sb.substring(0, n);
  }
}
