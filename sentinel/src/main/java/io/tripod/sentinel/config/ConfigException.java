package io.tripod.sentinel.config;

/** A fatal configuration error; the message is what Redis prints before exiting. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
