package io.tripod.server.config;

/**
 * A config file or override that Redis would refuse; the message is what Redis prints. Most are
 * the "FATAL CONFIG FILE ERROR" block (printed to standard error as is); {@link #logLine} ones are
 * what Redis writes as a log line (such as "Fatal error, can't open config file ...").
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** True when Redis reports this as a warning log line rather than the fatal block. */
  public final boolean logLine;

  public ConfigException(String message) {
    this(message, false);
  }

  public ConfigException(String message, boolean logLine) {
    super(message);
    this.logLine = logLine;
  }
}
