package io.tripod.server.command;

/**
 * A per-command latency histogram with the layout Redis 7.0 uses (an HdrHistogram from 1 ns to
 * 1 s with 2 significant digits), so that INFO latencystats percentiles and LATENCY HISTOGRAM
 * buckets come out as Redis prints them. Values are recorded in nanoseconds (Redis records
 * microseconds times 1000). Owned by the event loop.
 */
public final class LatencyHistogram {
  static final long MIN = 1;
  static final long MAX = 1_000_000_000L;
  private static final int SUB_BUCKET_COUNT = 256;
  private static final int SUB_BUCKET_HALF_COUNT = 128;
  private static final int SUB_BUCKET_HALF_COUNT_MAGNITUDE = 7;
  private static final long SUB_BUCKET_MASK = SUB_BUCKET_COUNT - 1;
  private static final int BUCKET_COUNT = 23;
  private static final int COUNTS_LEN = (BUCKET_COUNT + 1) * SUB_BUCKET_HALF_COUNT;

  private final int[] counts = new int[COUNTS_LEN];
  private long total;

  public void record(long nanos) {
    long v = Math.max(MIN, Math.min(MAX, nanos));
    counts[countsIndexFor(v)]++;
    total++;
  }

  public long totalCount() {
    return total;
  }

  private static int bucketIndex(long v) {
    int pow2ceiling = 64 - Long.numberOfLeadingZeros(v | SUB_BUCKET_MASK);
    return pow2ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1);
  }

  private static int subBucketIndex(long v, int bucketIndex) {
    return (int) (v >>> bucketIndex);
  }

  private static int countsIndex(int bucketIndex, int subBucketIndex) {
    int base = (bucketIndex + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    return base + (subBucketIndex - SUB_BUCKET_HALF_COUNT);
  }

  private static int countsIndexFor(long v) {
    int b = bucketIndex(v);
    return countsIndex(b, subBucketIndex(v, b));
  }

  private static long valueAtIndex(int index) {
    int bucketIndex = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
    int subBucketIndex = (index & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if (bucketIndex < 0) {
      subBucketIndex -= SUB_BUCKET_HALF_COUNT;
      bucketIndex = 0;
    }
    return ((long) subBucketIndex) << bucketIndex;
  }

  static long lowestEquivalent(long v) {
    int b = bucketIndex(v);
    return ((long) subBucketIndex(v, b)) << b;
  }

  static long highestEquivalent(long v) {
    int b = bucketIndex(v);
    int sb = subBucketIndex(v, b);
    int adjusted = sb >= SUB_BUCKET_COUNT ? b + 1 : b;
    return lowestEquivalent(v) + (1L << adjusted) - 1;
  }

  /** hdr_value_at_percentile: the highest value equivalent to the one at the percentile. */
  public long valueAtPercentile(double percentile) {
    double p = Math.min(percentile, 100.0);
    long countAt = (long) ((p / 100) * total + 0.5);
    countAt = Math.max(countAt, 1);
    long sum = 0;
    for (int i = 0; i < COUNTS_LEN; i++) {
      sum += counts[i];
      if (sum >= countAt) {
        return highestEquivalent(valueAtIndex(i));
      }
    }
    return 0;
  }

  /**
   * LATENCY HISTOGRAM's buckets: for reporting levels 1024 ns, 2048 ns, ... the level's upper
   * bound in microseconds and the cumulative count, only where the count grew. Returned as
   * {@code [micros, cumulative, micros, cumulative, ...]}.
   */
  public long[] cumulativeLog2Buckets() {
    long[] out = new long[128];
    int n = 0;
    long cumulative = 0;
    long previous = 0;
    int index = 0;
    for (long level = 1024; level <= MAX * 2 && cumulative < total; level <<= 1) {
      int limit = countsIndexFor(Math.min(MAX, lowestEquivalent(Math.min(level, MAX))));
      while (index <= limit && index < COUNTS_LEN) {
        cumulative += counts[index++];
      }
      if (cumulative > previous) {
        out[n++] = highestEquivalent(Math.min(level, MAX)) / 1000;
        out[n++] = cumulative;
      }
      previous = cumulative;
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
