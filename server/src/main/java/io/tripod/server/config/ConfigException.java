package io.tripod.server.config;

/** A config file or override that Redis would refuse; the message is what Redis prints. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }
}
