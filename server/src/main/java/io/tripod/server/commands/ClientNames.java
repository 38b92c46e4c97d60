package io.tripod.server.commands;

/** CLIENT SETNAME / HELLO SETNAME validation. */
public final class ClientNames {
  private ClientNames() {}

  /** Returns the error text (without {@code ERR }) or null when the name is valid. */
  public static String validate(byte[] name) {
    for (byte b : name) {
      if (b < '!' || b > '~') {
        return "Client names cannot contain spaces, newlines or special characters.";
      }
    }
    return null;
  }
}
