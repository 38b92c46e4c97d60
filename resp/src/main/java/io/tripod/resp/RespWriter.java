package io.tripod.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Encodes RESP2 and RESP3 values into a {@link ByteBuf}, byte for byte as Redis 7.0 writes them.
 *
 * <p>Where RESP2 and RESP3 differ (nulls, maps, sets, doubles, booleans, verbatim strings, push
 * messages) the method takes the connection's protocol version, as Redis's {@code addReply*}
 * functions read {@code c->resp}.
 *
 * <p>Stateless and allocation-free for integers and headers; safe to use from any thread on a
 * buffer that thread owns.
 */
public final class RespWriter {
  private RespWriter() {}

  private static final byte[] CRLF = {'\r', '\n'};
  private static final int SHARED_HEADERS = 1024;
  private static final byte[][] BULK_HEADERS = new byte[SHARED_HEADERS][];
  private static final byte[][] ARRAY_HEADERS = new byte[SHARED_HEADERS][];
  private static final byte[][] INTEGERS = new byte[10000][];
  public static final byte[] OK = ascii("+OK\r\n");
  public static final byte[] PONG = ascii("+PONG\r\n");
  public static final byte[] QUEUED = ascii("+QUEUED\r\n");
  public static final byte[] NULL_BULK2 = ascii("$-1\r\n");
  public static final byte[] NULL_ARRAY2 = ascii("*-1\r\n");
  public static final byte[] NULL3 = ascii("_\r\n");
  public static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
  public static final byte[] EMPTY_BULK = ascii("$0\r\n\r\n");

  static {
    for (int i = 0; i < SHARED_HEADERS; i++) {
      BULK_HEADERS[i] = ascii("$" + i + "\r\n");
      ARRAY_HEADERS[i] = ascii("*" + i + "\r\n");
    }
    for (int i = 0; i < INTEGERS.length; i++) {
      INTEGERS[i] = ascii(":" + i + "\r\n");
    }
  }

  public static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  public static void raw(ByteBuf out, byte[] bytes) {
    out.writeBytes(bytes);
  }

  /** {@code +text\r\n}. The text must not contain CR or LF. */
  public static void simple(ByteBuf out, String text) {
    out.writeByte('+');
    out.writeCharSequence(text, StandardCharsets.UTF_8);
    out.writeBytes(CRLF);
  }

  public static void simple(ByteBuf out, byte[] text) {
    out.writeByte('+');
    out.writeBytes(text);
    out.writeBytes(CRLF);
  }

  /**
   * {@code -message\r\n}. As Redis's {@code addReplyErrorLength}, CR and LF inside the message
   * become spaces so that a hostile argument echoed in an error cannot break the framing.
   */
  public static void error(ByteBuf out, String message) {
    out.writeByte('-');
    int start = out.writerIndex();
    out.writeCharSequence(message, StandardCharsets.UTF_8);
    for (int i = start; i < out.writerIndex(); i++) {
      byte b = out.getByte(i);
      if (b == '\r' || b == '\n') {
        out.setByte(i, ' ');
      }
    }
    out.writeBytes(CRLF);
  }

  public static void integer(ByteBuf out, long value) {
    if (value >= 0 && value < INTEGERS.length) {
      out.writeBytes(INTEGERS[(int) value]);
      return;
    }
    out.writeByte(':');
    writeLong(out, value);
    out.writeBytes(CRLF);
  }

  public static void bulk(ByteBuf out, byte[] value) {
    bulk(out, value, 0, value.length);
  }

  public static void bulk(ByteBuf out, byte[] value, int offset, int length) {
    header(out, '$', BULK_HEADERS, length);
    out.writeBytes(value, offset, length);
    out.writeBytes(CRLF);
  }

  public static void bulk(ByteBuf out, String value) {
    bulk(out, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bulk string holding the decimal text of {@code value} (Redis's addReplyBulkLongLong). */
  public static void bulkLong(ByteBuf out, long value) {
    bulk(out, ascii(Long.toString(value)));
  }

  public static void arrayHeader(ByteBuf out, long length) {
    header(out, '*', ARRAY_HEADERS, length);
  }

  /** A null bulk string: {@code $-1} in RESP2, {@code _} in RESP3. */
  public static void nullBulk(ByteBuf out, int proto) {
    out.writeBytes(proto >= 3 ? NULL3 : NULL_BULK2);
  }

  /** A null array: {@code *-1} in RESP2, {@code _} in RESP3. */
  public static void nullArray(ByteBuf out, int proto) {
    out.writeBytes(proto >= 3 ? NULL3 : NULL_ARRAY2);
  }

  /** A map of {@code pairs} entries: {@code %n} in RESP3, a flat array of 2n in RESP2. */
  public static void mapHeader(ByteBuf out, int proto, long pairs) {
    if (proto >= 3) {
      out.writeByte('%');
      writeLong(out, pairs);
      out.writeBytes(CRLF);
    } else {
      arrayHeader(out, pairs * 2);
    }
  }

  /** A set: {@code ~n} in RESP3, an array in RESP2. */
  public static void setHeader(ByteBuf out, int proto, long length) {
    if (proto >= 3) {
      out.writeByte('~');
      writeLong(out, length);
      out.writeBytes(CRLF);
    } else {
      arrayHeader(out, length);
    }
  }

  /** A push message ({@code >n}) in RESP3; an array in RESP2. */
  public static void pushHeader(ByteBuf out, int proto, long length) {
    if (proto >= 3) {
      out.writeByte('>');
      writeLong(out, length);
      out.writeBytes(CRLF);
    } else {
      arrayHeader(out, length);
    }
  }

  /**
   * A double as Redis 7.0's {@code addReplyDouble}: {@code %.17g} text, {@code inf}/{@code -inf};
   * a bulk string in RESP2 and {@code ,text} in RESP3.
   */
  public static void doubleValue(ByteBuf out, int proto, double value) {
    byte[] text = ascii(CFormat.doubleG17(value));
    if (proto >= 3) {
      out.writeByte(',');
      out.writeBytes(text);
      out.writeBytes(CRLF);
    } else {
      bulk(out, text);
    }
  }

  /** RESP3 boolean {@code #t}/{@code #f}; RESP2 integer 1/0. */
  public static void bool(ByteBuf out, int proto, boolean value) {
    if (proto >= 3) {
      out.writeBytes(value ? ascii("#t\r\n") : ascii("#f\r\n"));
    } else {
      integer(out, value ? 1 : 0);
    }
  }

  /** Verbatim string {@code =len\r\ntxt:...} in RESP3; a bulk string in RESP2. */
  public static void verbatim(ByteBuf out, int proto, byte[] text, String format) {
    if (proto >= 3) {
      out.writeByte('=');
      writeLong(out, text.length + 4L);
      out.writeBytes(CRLF);
      out.writeCharSequence(format, StandardCharsets.US_ASCII);
      out.writeByte(':');
      out.writeBytes(text);
      out.writeBytes(CRLF);
    } else {
      bulk(out, text);
    }
  }

  private static void header(ByteBuf out, char type, byte[][] shared, long length) {
    if (length >= 0 && length < SHARED_HEADERS) {
      out.writeBytes(shared[(int) length]);
      return;
    }
    out.writeByte(type);
    writeLong(out, length);
    out.writeBytes(CRLF);
  }

  /** Writes the decimal digits of {@code v} without allocating. */
  public static void writeLong(ByteBuf out, long v) {
    if (v == Long.MIN_VALUE) {
      out.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
      return;
    }
    if (v < 0) {
      out.writeByte('-');
      v = -v;
    }
    int digits = digits(v);
    int end = out.writerIndex() + digits;
    out.ensureWritable(digits);
    for (int i = end - 1; i >= end - digits; i--) {
      out.setByte(i, (int) ('0' + v % 10));
      v /= 10;
    }
    out.writerIndex(end);
  }

  static int digits(long v) {
    int d = 1;
    while (v >= 10) {
      v /= 10;
      d++;
    }
    return d;
  }
}
