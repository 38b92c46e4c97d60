package io.tripod.proxy.lb;

/**
 * HAProxy's per-second event rate (freq_ctr): the events of the current second plus the previous
 * second's count weighted by the part of the current second not yet elapsed; the maximum is the
 * highest count any single second reached. Updated once per session, not per byte.
 */
public final class Rate {
  private long second = Long.MIN_VALUE;
  private int curr;
  private int prev;
  private int max;

  public synchronized void add(long nowMs) {
    roll(nowMs);
    curr++;
    if (curr > max) {
      max = curr;
    }
  }

  public synchronized int current(long nowMs) {
    roll(nowMs);
    long elapsed = Math.floorMod(nowMs, 1000L);
    return curr + (int) (prev * (1000 - elapsed) / 1000);
  }

  public synchronized int max() {
    return max;
  }

  private void roll(long nowMs) {
    long s = Math.floorDiv(nowMs, 1000L);
    if (s != second) {
      prev = s == second + 1 ? curr : 0;
      curr = 0;
      second = s;
    }
  }
}
