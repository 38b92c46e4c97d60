package io.tripod.server.rdb;

/** A corrupt, truncated or unsupported RDB payload. The message says what and where. */
public final class RdbException extends RuntimeException {
  public RdbException(String message) {
    super(message);
  }
}
