package io.tripod.resp;

/**
 * A request that breaks the protocol. The message is the text Redis puts after {@code -ERR }
 * (for example {@code Protocol error: invalid bulk length}); the connection must be closed after
 * the error reply is written, as Redis does.
 */
public final class ProtocolException extends RuntimeException {
  public ProtocolException(String message) {
    super(message, null, false, false);
  }
}
