package io.tripod.proxy.config;

/** A fatal configuration error; the message is already in HAProxy's wording (without prefix). */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
