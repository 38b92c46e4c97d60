package io.tripod.server.types;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * What the geo commands need from a sorted set. The sorted-set type implements this (and the lead
 * points the factory at its constructor; commands/TypeWiring does it).
 */
public interface GeoIndex {
  /** The score of {@code member}, or null if absent. */
  Double score(byte[] member);

  /** Adds or updates {@code member} with {@code score}. */
  void put(byte[] member, double score);

  long size();

  /** A visitor of range results; returns false to stop. */
  interface Visitor {
    boolean visit(byte[] member, double score);
  }

  /** Visits members with {@code min <= score < max} in ascending (score, member) order. */
  void rangeByScore(double min, double max, Visitor v);

  /** Called after the last change of a command (encoding conversions). */
  default void afterWrite() {}

  /** Creates an empty sorted set. */
  final class Factory {
    private Factory() {}

    public static Supplier<GeoIndex> create = () -> {
      throw new IllegalStateException("no sorted-set type wired (see commands/TypeWiring)");
    };
  }

  /** The sorted set as a GeoIndex, or null if the value is of another type. */
  static GeoIndex of(Object value) {
    return value instanceof GeoIndex ? (GeoIndex) value : null;
  }

}
