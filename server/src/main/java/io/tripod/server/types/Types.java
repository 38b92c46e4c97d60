package io.tripod.server.types;

/** TYPE and OBJECT ENCODING names of every value representation. */
public final class Types {
  private Types() {}

  /** A value type other than string implements this to name itself. */
  public interface Value {
    /** TYPE's answer: hash, list, set, zset, stream. */
    String typeName();

    /** OBJECT ENCODING's answer under Redis 7.0's thresholds. */
    String encoding();

    /** An independent copy (COPY, forkless snapshots); the default is for immutable values. */
    default Object deepCopy() {
      return this;
    }
  }

  public static String typeName(Object v) {
    if (v == null) {
      return "none";
    }
    if (Strings.isString(v)) {
      return "string";
    }
    return ((Value) v).typeName();
  }

  public static String encoding(Object v) {
    if (Strings.isString(v)) {
      return Strings.encoding(v);
    }
    return ((Value) v).encoding();
  }
}
