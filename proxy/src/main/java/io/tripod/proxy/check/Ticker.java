package io.tripod.proxy.check;

/** Injectable monotonic clock in milliseconds (tests use a fake one). */
@FunctionalInterface
public interface Ticker {
  long millis();

  Ticker SYSTEM = () -> System.nanoTime() / 1_000_000L;
}
