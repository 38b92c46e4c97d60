package io.tripod.server.rdb;

/**
 * CRC-64 "Jones" as Redis uses it for the RDB trailer: polynomial 0xad93d23594c935a9, reflected
 * input and output, initial value 0, no final xor (check value of "123456789" is
 * 0xe9c6d914c4b8d9ca). Table-driven, one byte at a time.
 */
public final class Crc64 {
  private static final long REFLECTED_POLY = 0x95ac9329ac4bc9b5L;
  private static final long[] TABLE = new long[256];

  static {
    for (int i = 0; i < 256; i++) {
      long crc = i;
      for (int j = 0; j < 8; j++) {
        crc = (crc & 1) != 0 ? (crc >>> 1) ^ REFLECTED_POLY : crc >>> 1;
      }
      TABLE[i] = crc;
    }
  }

  private Crc64() {}

  public static long update(long crc, byte[] data, int off, int len) {
    for (int i = off; i < off + len; i++) {
      crc = TABLE[(int) ((crc ^ data[i]) & 0xff)] ^ (crc >>> 8);
    }
    return crc;
  }

  public static long update(long crc, int b) {
    return TABLE[(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
  }
}
