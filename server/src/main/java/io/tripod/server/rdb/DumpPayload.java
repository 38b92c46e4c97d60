package io.tripod.server.rdb;

import io.tripod.server.types.Strings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The serialized form DUMP returns and RESTORE accepts (Redis 7.0 {@code createDumpPayload} /
 * {@code verifyDumpPayload}): RDB type byte, the value's RDB payload, the RDB version as 2 bytes
 * little-endian, then the CRC-64 (RDB's Jones polynomial) of everything before it, 8 bytes
 * little-endian.
 */
public final class DumpPayload {
  private DumpPayload() {}

  /** The payload's version or checksum is wrong (RESTORE: "DUMP payload version or checksum are wrong"). */
  public static final class BadChecksumOrVersion extends Exception {
    private static final long serialVersionUID = 1L;

    BadChecksumOrVersion() {
      super("DUMP payload version or checksum are wrong", null, false, false);
    }
  }

  /** The payload passed the checks but the value does not decode (RESTORE: "Bad data format"). */
  public static final class BadFormat extends Exception {
    private static final long serialVersionUID = 1L;

    BadFormat(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * Serializes a value (a string or an {@link RdbValue}).
   *
   * @param compress {@code rdbcompression}: strings over 20 bytes may be LZF-compressed
   * @throws IllegalArgumentException for a value type with no RDB form
   */
  public static byte[] create(Object value, boolean compress) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, compress, false);
    try {
      if (Strings.isString(value)) {
        w.writeByte(Rdb.TYPE_STRING);
        w.writeString(Strings.bytes(value));
      } else if (value instanceof RdbValue) {
        RdbValue v = (RdbValue) value;
        w.writeByte(v.rdbType());
        v.writeRdbPayload(w);
      } else {
        throw new IllegalArgumentException("no RDB form for " + value.getClass().getName());
      }
      w.writeByte(Rdb.VERSION & 0xff);
      w.writeByte(Rdb.VERSION >>> 8);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a ByteArrayOutputStream does not fail
    }
    byte[] body = out.toByteArray();
    long crc = Crc64.update(0, body, 0, body.length);
    byte[] p = java.util.Arrays.copyOf(body, body.length + 8);
    for (int i = 0; i < 8; i++) {
      p[body.length + i] = (byte) (crc >>> (8 * i));
    }
    return p;
  }

  /** verifyDumpPayload: at least 10 bytes, RDB version ≤ 10, CRC-64 matches. */
  public static void verify(byte[] p) throws BadChecksumOrVersion {
    int len = p.length;
    if (len < 10) {
      throw new BadChecksumOrVersion();
    }
    int version = (p[len - 10] & 0xff) | (p[len - 9] & 0xff) << 8;
    if (version > Rdb.VERSION) {
      throw new BadChecksumOrVersion();
    }
    long crc = Crc64.update(0, p, 0, len - 8);
    for (int i = 0; i < 8; i++) {
      if (p[len - 8 + i] != (byte) (crc >>> (8 * i))) {
        throw new BadChecksumOrVersion();
      }
    }
  }

  /** Element counts of a quicklist payload's nodes, -1 for PLAIN (empty nodes dropped, as Redis does). */
  private static int[] nodeCounts(byte[] p, int type) throws IOException {
    RdbReader r = new RdbReader(new ByteArrayInputStream(p, 1, p.length - 1), null);
    long nodes = r.readLength();
    int[] counts = new int[(int) Math.min(nodes, 1 << 20)];
    int n = 0;
    for (long i = 0; i < nodes && n < counts.length; i++) {
      long container = type == Rdb.TYPE_LIST_QUICKLIST_2 ? r.readLength() : Rdb.QUICKLIST_NODE_PACKED;
      byte[] blob = r.readString();
      int count = container == Rdb.QUICKLIST_NODE_PLAIN ? -1
          : type == Rdb.TYPE_LIST_QUICKLIST_2 ? Listpack.decode(blob).size()
          : LegacyEncodings.decodeZiplist(blob).size();
      if (count != 0) {
        counts[n++] = count;
      }
    }
    return java.util.Arrays.copyOf(counts, n);
  }

  /**
   * Checks and decodes a payload. As in Redis the value is read from the start of the whole
   * buffer (the trailer is not cut off first), and bytes after the value are ignored.
   */
  public static Object parse(byte[] p, RdbReader.ValueFactory factory) throws BadChecksumOrVersion, BadFormat {
    verify(p);
    RdbReader r = new RdbReader(new ByteArrayInputStream(p), factory);
    try {
      int type = r.readByte();
      // rdbIsObjectType in 7.0: 0-7 and 9-19.
      if (type > 19 || type == 8) {
        throw new BadFormat("unknown type " + type);
      }
      Object v = r.readValue(type);
      if (v == null) {
        throw new BadFormat("empty value");
      }
      if (type == Rdb.TYPE_SET_INTSET && v instanceof io.tripod.server.types.RSet) {
        // Keep the blob's element width (Redis keeps the intset blob as it is).
        byte[] blob = new RdbReader(new ByteArrayInputStream(p, 1, p.length - 1), factory).readString();
        ((io.tripod.server.types.RSet) v).widenIntset(blob[0]);
      }
      if ((type == Rdb.TYPE_LIST_QUICKLIST_2 || type == Rdb.TYPE_LIST_QUICKLIST)
          && v instanceof io.tripod.server.types.RList) {
        ((io.tripod.server.types.RList) v).keepQuicklistLayout(nodeCounts(p, type));
      }
      return v;
    } catch (IOException | RuntimeException e) {
      throw new BadFormat(String.valueOf(e.getMessage()));
    }
  }
}
