package io.tripod.sentinel.core;

/** Sentinel's timers (sentinel.c constants), changeable with SENTINEL DEBUG. All in ms. */
public final class Timers {
  public long infoPeriod = 10000;
  public long pingPeriod = 1000;
  public long askPeriod = 1000;
  public long publishPeriod = 2000;
  public long defaultDownAfter = 30000;
  public long tiltTrigger = 2000;
  public long tiltPeriod = 30000;
  public long slaveReconfTimeout = 10000;
  public long minLinkReconnectPeriod = 15000;
  public long electionTimeout = 10000;
  public long scriptMaxRuntime = 60000;
  public long scriptRetryDelay = 30000;
  /**
   * Tripod speed-up (not in Redis): INFO period for the replica being promoted while we wait for
   * it to report role:master, and for replicas being reconfigured. Redis uses 1000.
   */
  public long fastInfoPeriod = 100;
  /** Tripod: upper bound of the random wait after ODOWN before starting a failover. */
  public long candidateJitter = 400;
  /**
   * Tripod speed-up: an instance whose port refuses every connection (the host answers, nothing
   * listens: the process is dead, not merely slow or cut off) is subjectively down after this
   * long, or after down-after-milliseconds if that is shorter. A timeout or a silent link still
   * takes down-after-milliseconds, as in Redis. 0 turns it off (SENTINEL DEBUG refused-down-after).
   */
  public long refusedDownAfter = 1000;
}
