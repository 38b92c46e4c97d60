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
 * points {@link #FACTORY} at its constructor); until then {@link TempZset} stands in.
 */
public interface GeoIndex {
  /** The score of {@code member}, or null if absent. */
  Double score(byte[] member);

  /** Adds or updates {@code member} with {@code score}. */
  void put(byte[] member, double score);

  int size();

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

    public static Supplier<GeoIndex> create = TempZset::new;
  }

  /** The sorted set as a GeoIndex, or null if the value is of another type. */
  static GeoIndex of(Object value) {
    return value instanceof GeoIndex ? (GeoIndex) value : null;
  }

  /**
   * A small stand-in sorted set used only when no sorted-set type is present: ordered by (score,
   * member bytes) like Redis's skiplist. TYPE {@code zset}, OBJECT ENCODING by Redis 7.0's
   * zset-max-listpack-entries/value defaults (128/64).
   */
  final class TempZset implements GeoIndex, Types.Value, Sortable {
    private record Node(double score, byte[] member) {}

    private static int compare(Node a, Node b) {
      int c = Double.compare(a.score, b.score);
      if (a.score == b.score) {
        c = 0;
      }
      return c != 0 ? c : java.util.Arrays.compareUnsigned(a.member, b.member);
    }

    private final TreeSet<Node> ordered = new TreeSet<>(TempZset::compare);
    private final Map<ByteBuffer, Double> dict = new HashMap<>();
    private boolean skiplist;

    @Override
    public Double score(byte[] member) {
      return dict.get(ByteBuffer.wrap(member));
    }

    @Override
    public void put(byte[] member, double score) {
      ByteBuffer k = ByteBuffer.wrap(member.clone());
      Double old = dict.put(k, score);
      if (old != null) {
        ordered.remove(new Node(old, member));
      }
      ordered.add(new Node(score, member.clone()));
      if (member.length > 64) {
        skiplist = true;
      }
    }

    @Override
    public void afterWrite() {
      if (dict.size() > 128) {
        skiplist = true;
      }
    }

    @Override
    public int size() {
      return dict.size();
    }

    @Override
    public void rangeByScore(double min, double max, Visitor v) {
      for (Node n : ordered.tailSet(new Node(min, new byte[0]), true)) {
        if (n.score < min) {
          continue;
        }
        if (n.score >= max) {
          return;
        }
        if (!v.visit(n.member, n.score)) {
          return;
        }
      }
    }

    @Override
    public String typeName() {
      return "zset";
    }

    @Override
    public String encoding() {
      return skiplist ? "skiplist" : "listpack";
    }

    @Override
    public Kind sortKind() {
      return Kind.ZSET;
    }

    @Override
    public void beforeSort() {
      skiplist = true;
    }

    @Override
    public List<byte[]> elementsForSort() {
      List<byte[]> out = new ArrayList<>(ordered.size());
      for (Node n : ordered) {
        out.add(n.member);
      }
      return out;
    }
  }
}
