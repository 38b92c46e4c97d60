package io.tripod.server;

/** Quoting of MONITOR lines, as Redis's {@code sdscatrepr}. */
final class MonitorFormat {
  private MonitorFormat() {}

  static String quote(byte[] s) {
    StringBuilder sb = new StringBuilder(s.length + 2);
    sb.append('"');
    for (byte b : s) {
      int c = b & 0xff;
      switch (c) {
        case '\\': sb.append("\\\\"); break;
        case '"': sb.append("\\\""); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        case 7: sb.append("\\a"); break;
        case '\b': sb.append("\\b"); break;
        default:
          if (c >= 32 && c < 127) {
            sb.append((char) c);
          } else {
            sb.append(String.format("\\x%02x", c));
          }
      }
    }
    sb.append('"');
    return sb.toString();
  }
}
