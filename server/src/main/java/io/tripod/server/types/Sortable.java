package io.tripod.server.types;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What SORT needs from a collection value (list, set, sorted set). The collection types implement
 * this; SORT dispatches on it, so adding a type to SORT is one {@code implements Sortable}.
 */
public interface Sortable {
  /** The three kinds SORT distinguishes (native order is kept for LIST and ZSET). */
  enum Kind {
    LIST,
    SET,
    ZSET
  }

  Kind sortKind();

  /**
   * The elements in native order: a list from head to tail, a sorted set by ascending score (then
   * member), a set in its iteration order. The arrays are not modified by SORT.
   */
  List<byte[]> elementsForSort();

  /**
   * Called before SORT reads the elements. Redis converts a listpack sorted set to a skiplist
   * for good at this point (OBJECT ENCODING changes), which a sorted set reproduces here.
   */
  default void beforeSort() {}

  /** A hash implements this so that {@code GET/BY key->field} patterns can read its fields. */
  interface HashFields {
    /** The value of {@code field}, or null. */
    byte[] fieldForSort(byte[] field);
  }

  /**
   * Builds the list value SORT ... STORE writes. The list type replaces this factory with its own
   * constructor, wired in by commands/TypeWiring.
   */
  final class Store {
    private Store() {}

    public static Function<List<byte[]>, Object> listFactory = items -> {
      throw new IllegalStateException("no list type wired (see commands/TypeWiring)");
    };
  }

  /**
   * A minimal list value for SORT ... STORE when no list type is present: TYPE {@code list},
   * OBJECT ENCODING {@code quicklist} (every list in Redis 7.0), sortable again.
   */
}
