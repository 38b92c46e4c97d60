package io.tripod.server;

/**
 * The one time source for expiry and every other time-dependent rule of the server, so tests can
 * move time instead of sleeping (Caffeine's Ticker). Implementations must be cheap: it is read on
 * every command that touches a key with a TTL.
 */
@FunctionalInterface
public interface Clock {
  /** Unix time in milliseconds. */
  long millis();

  Clock SYSTEM = System::currentTimeMillis;
}
