package io.tripod.server;

import java.util.TreeMap;

/** Counters shown by INFO stats / errorstats, reset by CONFIG RESETSTAT. Event-loop owned. */
public final class Stats {
  public long totalConnectionsReceived;
  public long totalCommandsProcessed;
  public long rejectedConnections;
  public long expiredKeys;
  public long expiredStalePerc;
  public long expiredTimeCapReachedCount;
  public long evictedKeys;
  public long keyspaceHits;
  public long keyspaceMisses;
  public long totalNetInputBytes;
  public long totalNetOutputBytes;
  public long totalNetReplOutputBytes;
  public long totalReadsProcessed;
  public long totalWritesProcessed;
  public long totalErrorReplies;
  public long unexpectedErrorReplies;
  public long syncFull;
  public long syncPartialOk;
  public long syncPartialErr;
  /** errorstat_<PREFIX>:count=N, by prefix (sorted as Redis's rax iteration). */
  public final TreeMap<String, Long> errors = new TreeMap<>();

  /** Instantaneous ops/sec sampling (Redis's trackInstantaneousMetric over 16 samples). */
  private final long[] opsSamples = new long[16];
  private int opsIndex;
  private long lastSampleMillis;
  private long lastSampleCommands;

  void countError(String message) {
    totalErrorReplies++;
    int sp = message.indexOf(' ');
    String prefix = sp < 0 ? message : message.substring(0, sp);
    if (errors.size() < 128 || errors.containsKey(prefix)) {
      errors.merge(prefix, 1L, Long::sum);
    }
  }

  void sample(long nowMillis) {
    long dt = nowMillis - lastSampleMillis;
    if (lastSampleMillis != 0 && dt > 0) {
      opsSamples[opsIndex] = (totalCommandsProcessed - lastSampleCommands) * 1000 / dt;
      opsIndex = (opsIndex + 1) % opsSamples.length;
    }
    lastSampleMillis = nowMillis;
    lastSampleCommands = totalCommandsProcessed;
  }

  public long instantaneousOps() {
    long sum = 0;
    for (long s : opsSamples) {
      sum += s;
    }
    return sum / opsSamples.length;
  }

  public void reset() {
    totalConnectionsReceived = 0;
    totalCommandsProcessed = 0;
    rejectedConnections = 0;
    expiredKeys = 0;
    evictedKeys = 0;
    keyspaceHits = 0;
    keyspaceMisses = 0;
    totalNetInputBytes = 0;
    totalNetOutputBytes = 0;
    totalNetReplOutputBytes = 0;
    totalErrorReplies = 0;
    unexpectedErrorReplies = 0;
    syncFull = 0;
    syncPartialOk = 0;
    syncPartialErr = 0;
    errors.clear();
  }
}
