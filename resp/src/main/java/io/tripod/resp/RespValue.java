package io.tripod.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One decoded RESP2/RESP3 reply, as a client sees it (used by Tripod's own clients: replication,
 * Sentinel, health checks and tests).
 *
 * @param type the RESP type byte: {@code + - : $ * _ , # ! = ( % ~ > |}
 * @param bytes the payload of simple, error, bulk, verbatim, double and big-number values; null
 *     for a null bulk or null array
 * @param number the value of an integer, or the length of an aggregate
 * @param elements the children of an aggregate (a map's keys and values alternate); null when the
 *     aggregate is null
 */
public record RespValue(char type, byte[] bytes, long number, List<RespValue> elements) {

  public boolean isError() {
    return type == '-' || type == '!';
  }

  public boolean isNull() {
    return type == '_' || ((type == '$' || type == '*') && bytes == null && elements == null);
  }

  /** The payload as text (UTF-8), or the decimal text of an integer. */
  public String asString() {
    if (type == ':') {
      return Long.toString(number);
    }
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    switch (type) {
      case ':':
        return "(integer) " + number;
      case '*':
      case '%':
      case '~':
      case '>':
      case '|':
        return elements == null ? "(nil)" : type + String.valueOf(elements);
      default:
        return bytes == null ? "(nil)" : type + asString();
    }
  }
}
