package io.tripod.server.rdb;

import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Strings;
import io.tripod.server.util.Bytes;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes RDB version 10 as Redis 7.0 does ({@code rdbSaveRio}): magic, AUX fields, per database
 * SELECTDB/RESIZEDB and the keys, EOF and the CRC-64 trailer. Strings use Redis's rules (small
 * canonical integers int-encoded, LZF for strings over 20 bytes when compression is on), so a
 * real redis-server 7.0 loads the result.
 *
 * <p>Not thread-safe; one writer per file or transfer.
 */
public final class RdbWriter {
  private final OutputStream out;
  private final boolean compress;
  private final boolean checksum;
  private long crc;
  private long written;
  private final byte[] scratch = new byte[9];

  public RdbWriter(OutputStream out, boolean compress, boolean checksum) {
    this.out = out;
    this.compress = compress;
    this.checksum = checksum;
  }

  public long bytesWritten() {
    return written;
  }

  public void writeHeader() throws IOException {
    raw(Bytes.of(String.format("REDIS%04d", Rdb.VERSION)));
  }

  public void writeAux(String key, String value) throws IOException {
    writeByte(Rdb.OPCODE_AUX);
    writeString(Bytes.of(key));
    writeString(Bytes.of(value));
  }

  public void writeSelectDb(int db, long keys, long expires) throws IOException {
    writeByte(Rdb.OPCODE_SELECTDB);
    writeLength(db);
    writeByte(Rdb.OPCODE_RESIZEDB);
    writeLength(keys);
    writeLength(expires);
  }

  /** One key with its expiry (absolute ms, -1 for none) and value. */
  public void writeKey(byte[] key, Object value, long expireAtMillis) throws IOException {
    if (expireAtMillis != -1) {
      writeByte(Rdb.OPCODE_EXPIRETIME_MS);
      for (int i = 0; i < 8; i++) {
        scratch[i] = (byte) (expireAtMillis >>> (8 * i));
      }
      raw(scratch, 0, 8);
    }
    if (Strings.isString(value)) {
      writeByte(Rdb.TYPE_STRING);
      writeString(key);
      writeString(Strings.bytes(value));
    } else if (value instanceof RdbValue) {
      RdbValue v = (RdbValue) value;
      writeByte(v.rdbType());
      writeString(key);
      v.writeRdbPayload(this);
    } else {
      throw new IOException("no RDB form for " + value.getClass().getName());
    }
  }

  public void writeEntry(KeyEntry e) throws IOException {
    writeKey(e.key, e.value, e.expireAtMillis);
  }

  /** EOF opcode and the 8-byte little-endian CRC-64 (zero when checksums are off). */
  public void writeEof() throws IOException {
    writeByte(Rdb.OPCODE_EOF);
    long c = checksum ? crc : 0;
    for (int i = 0; i < 8; i++) {
      scratch[i] = (byte) (c >>> (8 * i));
    }
    out.write(scratch, 0, 8);
    written += 8;
  }

  // ---- primitives (public for the types' payload writers) -------------------------------------

  public void writeByte(int b) throws IOException {
    out.write(b);
    crc = Crc64.update(crc, b);
    written++;
  }

  public void raw(byte[] b) throws IOException {
    raw(b, 0, b.length);
  }

  public void raw(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    crc = Crc64.update(crc, b, off, len);
    written += len;
  }

  /** Redis's length encoding: 6-bit, 14-bit, 32-bit or 64-bit (big-endian). */
  public void writeLength(long len) throws IOException {
    if (len < 64) {
      writeByte((int) len);
    } else if (len < 16384) {
      scratch[0] = (byte) (0x40 | (len >>> 8));
      scratch[1] = (byte) len;
      raw(scratch, 0, 2);
    } else if (len <= 0xFFFFFFFFL) {
      scratch[0] = (byte) 0x80;
      for (int i = 0; i < 4; i++) {
        scratch[1 + i] = (byte) (len >>> (8 * (3 - i)));
      }
      raw(scratch, 0, 5);
    } else {
      scratch[0] = (byte) 0x81;
      for (int i = 0; i < 8; i++) {
        scratch[1 + i] = (byte) (len >>> (8 * (7 - i)));
      }
      raw(scratch, 0, 9);
    }
  }

  /** A string with Redis's encoding choices (int8/16/32, LZF, raw). */
  public void writeString(byte[] s) throws IOException {
    if (s.length <= 11) {
      Long v = Bytes.parseLongOrNull(s);
      if (v != null) {
        long x = v;
        if (x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE) {
          writeByte(0xC0);
          writeByte((int) x & 0xff);
          return;
        } else if (x >= Short.MIN_VALUE && x <= Short.MAX_VALUE) {
          writeByte(0xC1);
          scratch[0] = (byte) x;
          scratch[1] = (byte) (x >>> 8);
          raw(scratch, 0, 2);
          return;
        } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
          writeByte(0xC2);
          for (int i = 0; i < 4; i++) {
            scratch[i] = (byte) (x >>> (8 * i));
          }
          raw(scratch, 0, 4);
          return;
        }
      }
    }
    if (compress && s.length > 20) {
      byte[] c = Lzf.compress(s, s.length - 4);
      if (c != null) {
        writeByte(0xC3);
        writeLength(c.length);
        writeLength(s.length);
        raw(c);
        return;
      }
    }
    writeLength(s.length);
    raw(s);
  }

  /** A raw string (length + bytes, never int-encoded or compressed): stream node keys. */
  public void writeRawString(byte[] s) throws IOException {
    writeLength(s.length);
    raw(s);
  }

  /** 8-byte little-endian IEEE double (ZSET_2 scores). */
  public void writeBinaryDouble(double d) throws IOException {
    long bits = Double.doubleToRawLongBits(d);
    for (int i = 0; i < 8; i++) {
      scratch[i] = (byte) (bits >>> (8 * i));
    }
    raw(scratch, 0, 8);
  }

  /** 8-byte little-endian signed integer (stream PEL delivery times). */
  public void writeLongLe(long v) throws IOException {
    for (int i = 0; i < 8; i++) {
      scratch[i] = (byte) (v >>> (8 * i));
    }
    raw(scratch, 0, 8);
  }
}
