package io.tripod.server.types;

import io.tripod.server.util.Bytes;

/**
 * The string type's two representations ({@code byte[]} and {@link RawString}) and its
 * OBJECT ENCODING rules from Redis 7.0's {@code tryObjectEncoding}: {@code int} for a decimal
 * integer of at most 20 characters that fits a long, {@code embstr} up to 44 bytes, else
 * {@code raw}; a value modified in place is always {@code raw}.
 */
public final class Strings {
  private Strings() {}

  public static final int EMBSTR_MAX = 44;

  public static boolean isString(Object v) {
    return v instanceof byte[] || v instanceof RawString;
  }

  /** The bytes of a string value (a copy for a RawString). */
  public static byte[] bytes(Object v) {
    if (v instanceof byte[]) {
      return (byte[]) v;
    }
    return ((RawString) v).toBytes();
  }

  public static int length(Object v) {
    if (v instanceof byte[]) {
      return ((byte[]) v).length;
    }
    return ((RawString) v).length();
  }

  /** A mutable view, converting a plain value (Redis's dbUnshareStringValue). */
  public static RawString mutable(Object v, int extra) {
    if (v instanceof RawString) {
      return (RawString) v;
    }
    return new RawString((byte[]) v, extra);
  }

  public static String encoding(Object v) {
    if (v instanceof RawString) {
      return "raw";
    }
    byte[] b = (byte[]) v;
    if (b.length <= 20 && Bytes.isLong(b)) {
      return "int";
    }
    return b.length <= EMBSTR_MAX ? "embstr" : "raw";
  }
}
