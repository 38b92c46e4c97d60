package io.tripod.sentinel.core;

/** Redis log levels, with the character Redis prints in its log lines. */
public enum Level {
  DEBUG('.'),
  VERBOSE('-'),
  NOTICE('*'),
  WARNING('#');

  public final char mark;

  Level(char mark) {
    this.mark = mark;
  }
}
