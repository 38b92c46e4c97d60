package io.tripod.server.db;

import io.tripod.server.util.Bytes;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A hash table keyed by byte strings, built like Redis's {@code dict}: chained buckets in a
 * power-of-two table, <em>incremental</em> rehashing across two tables (so growing a table of
 * millions of keys never stalls the event loop), the reverse-binary cursor of {@code dictScan}
 * (SCAN returns every element present for the whole scan at least once, even across resizes), and
 * fair-ish random sampling for RANDOMKEY, SPOP and the active expire cycle.
 *
 * <p>Thread safety: none. A dict belongs to the event loop that owns its database.
 *
 * @param <V> the value type
 */
public class Dict<V> {
  /** A bucket entry. Subclasses add fields (the keyspace adds expiry and LRU). */
  public static class Entry<V> {
    public final byte[] key;
    final int hash;
    public V value;
    Entry<V> next;

    protected Entry(byte[] key, int hash, V value) {
      this.key = key;
      this.hash = hash;
      this.value = value;
    }
  }

  private static final int INITIAL_SIZE = 4;
  /** Buckets moved per operation while rehashing; Redis moves one bucket per step. */
  private static final int REHASH_STEP_BUCKETS = 1;
  /** Empty buckets visited per step at most, as Redis bounds {@code empty_visits}. */
  private static final int REHASH_EMPTY_VISITS = 10;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Entry<V>[][] tables = new Entry[2][];

  private final long[] used = new long[2];
  /** Next bucket of table 0 to move to table 1, or -1 when not rehashing. */
  private long rehashIndex = -1;
  /** While positive (an iterator or snapshot is out), resizing and rehash steps are paused. */
  private int pauseRehash;

  public long size() {
    return used[0] + used[1];
  }

  public boolean isRehashing() {
    return rehashIndex != -1;
  }

  /** Creates the entry object; the keyspace overrides it to add fields. */
  protected Entry<V> newEntry(byte[] key, int hash, V value) {
    return new Entry<>(key, hash, value);
  }

  public Entry<V> find(byte[] key) {
    if (size() == 0) {
      return null;
    }
    rehashStep();
    return lookup(key, Bytes.hash(key));
  }

  /** The entry of {@code key} (hash {@code h}) in either table, or null. */
  private Entry<V> lookup(byte[] key, int h) {
    for (int t = 0; t <= 1; t++) {
      Entry<V>[] table = tables[t];
      if (table == null) {
        break;
      }
      for (Entry<V> e = table[h & (table.length - 1)]; e != null; e = e.next) {
        if (e.hash == h && Bytes.equals(e.key, key)) {
          return e;
        }
      }
      if (!isRehashing()) {
        break;
      }
    }
    return null;
  }

  public V get(byte[] key) {
    Entry<V> e = find(key);
    return e == null ? null : e.value;
  }

  public boolean containsKey(byte[] key) {
    return find(key) != null;
  }

  /**
   * Adds or replaces. Returns the entry now holding {@code key} (new or existing).
   */
  public Entry<V> put(byte[] key, V value) {
    Entry<V> e = find(key);
    if (e != null) {
      e.value = value;
      return e;
    }
    return addNew(key, value);
  }

  /** Adds a key known to be absent (the caller just looked it up). */
  public Entry<V> addNew(byte[] key, V value) {
    rehashStep(); // as dictAdd: every insert also moves a bucket
    expandIfNeeded();
    int h = Bytes.hash(key);
    int t = isRehashing() ? 1 : 0;
    Entry<V>[] table = tables[t];
    int idx = h & (table.length - 1);
    Entry<V> e = newEntry(key, h, value);
    e.next = table[idx];
    table[idx] = e;
    used[t]++;
    return e;
  }

  /**
   * Adds {@code key} unless it is present (loading: one hash and one bucket walk instead of a
   * find then an add). Returns the new entry, or null when the key already exists.
   */
  public Entry<V> addIfAbsent(byte[] key, V value) {
    rehashStep();
    expandIfNeeded();
    int h = Bytes.hash(key);
    if (lookup(key, h) != null) {
      return null;
    }
    int t = isRehashing() ? 1 : 0;
    Entry<V>[] table = tables[t];
    int idx = h & (table.length - 1);
    Entry<V> e = newEntry(key, h, value);
    e.next = table[idx];
    table[idx] = e;
    used[t]++;
    return e;
  }

  /** Removes {@code key}; returns the removed entry or null. */
  public Entry<V> remove(byte[] key) {
    if (size() == 0) {
      return null;
    }
    rehashStep();
    int h = Bytes.hash(key);
    for (int t = 0; t <= 1; t++) {
      Entry<V>[] table = tables[t];
      if (table == null) {
        break;
      }
      int idx = h & (table.length - 1);
      Entry<V> prev = null;
      for (Entry<V> e = table[idx]; e != null; prev = e, e = e.next) {
        if (e.hash == h && Bytes.equals(e.key, key)) {
          if (prev == null) {
            table[idx] = e.next;
          } else {
            prev.next = e.next;
          }
          e.next = null;
          used[t]--;
          shrinkIfNeeded();
          return e;
        }
      }
      if (!isRehashing()) {
        break;
      }
    }
    return null;
  }

  public void clear() {
    tables[0] = null;
    tables[1] = null;
    used[0] = 0;
    used[1] = 0;
    rehashIndex = -1;
  }

  /**
   * Redis's {@code dictExpand} for an empty dict: allocates the table for {@code n} entries at
   * once (RDB loading knows the key count from RESIZEDB), so loading never rehashes.
   */
  public void expand(long n) {
    if (size() != 0 || isRehashing() || n <= 0) {
      return;
    }
    long size = Math.min(nextPower(n), 1 << 30);
    if (tables[0] == null || tables[0].length < size) {
      tables[0] = newTable((int) size);
    }
  }

  /** Pauses rehashing (while a caller walks the buckets); must be paired with resume. */
  public void pauseRehashing() {
    pauseRehash++;
  }

  public void resumeRehashing() {
    pauseRehash--;
  }

  private void expandIfNeeded() {
    if (isRehashing()) {
      return;
    }
    if (tables[0] == null) {
      tables[0] = newTable(INITIAL_SIZE);
      return;
    }
    // Grow at load factor 1 like Redis (it also forces growth at 5 while a child process exists;
    // Tripod has no fork, so the plain rule applies).
    if (used[0] >= tables[0].length && pauseRehash == 0) {
      startRehash(nextPower(used[0] + 1));
    }
  }

  private void shrinkIfNeeded() {
    if (isRehashing() || pauseRehash > 0 || tables[0] == null) {
      return;
    }
    // Redis's htNeedsResize: fill below 10% and larger than the initial size.
    long sizeNow = tables[0].length;
    if (sizeNow > INITIAL_SIZE && used[0] * 100 / sizeNow < 10) {
      startRehash(nextPower(Math.max(used[0], INITIAL_SIZE)));
    }
  }

  private void startRehash(long newSize) {
    if (newSize > (1 << 30)) {
      newSize = 1 << 30;
    }
    if (newSize == tables[0].length) {
      return;
    }
    tables[1] = newTable((int) newSize);
    rehashIndex = 0;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Entry<V>[] newTable(int size) {
    return new Entry[size];
  }

  private static long nextPower(long n) {
    long size = INITIAL_SIZE;
    while (size < n) {
      size <<= 1;
    }
    return size;
  }

  private void rehashStep() {
    if (pauseRehash == 0 && isRehashing()) {
      rehash(REHASH_STEP_BUCKETS);
    }
  }

  /**
   * Moves up to {@code buckets} non-empty buckets from the old table to the new one.
   *
   * @return true if more remain
   */
  public boolean rehash(int buckets) {
    if (!isRehashing()) {
      return false;
    }
    Entry<V>[] from = tables[0];
    Entry<V>[] to = tables[1];
    int emptyVisits = buckets * REHASH_EMPTY_VISITS;
    while (buckets-- > 0 && used[0] != 0) {
      while (from[(int) rehashIndex] == null) {
        rehashIndex++;
        if (--emptyVisits == 0) {
          return true;
        }
      }
      Entry<V> e = from[(int) rehashIndex];
      while (e != null) {
        Entry<V> next = e.next;
        int idx = e.hash & (to.length - 1);
        e.next = to[idx];
        to[idx] = e;
        used[0]--;
        used[1]++;
        e = next;
      }
      from[(int) rehashIndex] = null;
      rehashIndex++;
    }
    if (used[0] == 0) {
      tables[0] = tables[1];
      used[0] = used[1];
      tables[1] = null;
      used[1] = 0;
      rehashIndex = -1;
      return false;
    }
    return true;
  }

  /** Rehashes for up to about {@code millis} milliseconds (the cron's active rehashing). */
  public void rehashForMillis(long millis) {
    if (pauseRehash > 0) {
      return;
    }
    // Redis's tryResizeHashTables: a table emptied by deletes that came while it was already
    // rehashing (so remove() could not start a shrink) is shrunk from the cron.
    shrinkIfNeeded();
    long deadline = System.nanoTime() + millis * 1_000_000L;
    while (rehash(100)) {
      if (System.nanoTime() > deadline) {
        break;
      }
    }
  }

  /**
   * One step of a SCAN: visits the entries of the bucket(s) at {@code cursor} and returns the next
   * cursor, 0 when the scan is complete. The cursor advances by incrementing its reversed bits, so
   * buckets already visited stay visited when the table grows or shrinks (Redis's dictScan).
   */
  public long scan(long cursor, Consumer<Entry<V>> visitor) {
    if (size() == 0) {
      return 0;
    }
    pauseRehash++;
    try {
      if (!isRehashing()) {
        Entry<V>[] t0 = tables[0];
        long m0 = t0.length - 1;
        visitBucket(t0[(int) (cursor & m0)], visitor);
        cursor |= ~m0;
        cursor = Long.reverse(cursor);
        cursor++;
        cursor = Long.reverse(cursor);
      } else {
        Entry<V>[] small = tables[0];
        Entry<V>[] large = tables[1];
        if (small.length > large.length) {
          Entry<V>[] tmp = small;
          small = large;
          large = tmp;
        }
        long m0 = small.length - 1;
        long m1 = large.length - 1;
        visitBucket(small[(int) (cursor & m0)], visitor);
        do {
          visitBucket(large[(int) (cursor & m1)], visitor);
          cursor |= ~m1;
          cursor = Long.reverse(cursor);
          cursor++;
          cursor = Long.reverse(cursor);
        } while ((cursor & (m0 ^ m1)) != 0);
      }
      return cursor;
    } finally {
      pauseRehash--;
    }
  }

  private void visitBucket(Entry<V> e, Consumer<Entry<V>> visitor) {
    while (e != null) {
      Entry<V> next = e.next;
      visitor.accept(e);
      e = next;
    }
  }

  /**
   * A random entry, or null when empty. Like Redis's {@code dictGetFairRandomKey} it picks a random
   * non-empty bucket, then a random entry of its chain.
   */
  public Entry<V> randomEntry() {
    if (size() == 0) {
      return null;
    }
    rehashStep();
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    Entry<V> bucket;
    if (isRehashing()) {
      Entry<V>[] t0 = tables[0];
      Entry<V>[] t1 = tables[1];
      do {
        long total = t0.length + (long) t1.length;
        long i = rehashIndex + (long) (rnd.nextDouble() * (total - rehashIndex));
        bucket = i >= t0.length ? t1[(int) (i - t0.length)] : t0[(int) i];
      } while (bucket == null);
    } else {
      Entry<V>[] t0 = tables[0];
      do {
        bucket = t0[rnd.nextInt(t0.length)];
      } while (bucket == null);
    }
    int len = 0;
    for (Entry<V> e = bucket; e != null; e = e.next) {
      len++;
    }
    int pick = rnd.nextInt(len);
    Entry<V> e = bucket;
    while (pick-- > 0) {
      e = e.next;
    }
    return e;
  }

  /** Visits every entry (no modification allowed during the walk). */
  public void forEach(Consumer<Entry<V>> visitor) {
    pauseRehash++;
    try {
      for (int t = 0; t <= 1; t++) {
        Entry<V>[] table = tables[t];
        if (table == null) {
          continue;
        }
        for (Entry<V> b : table) {
          visitBucket(b, visitor);
        }
      }
    } finally {
      pauseRehash--;
    }
  }

  /** Number of buckets of the main table (for DEBUG HTSTATS-like output and tests). */
  public long bucketCount() {
    return (tables[0] == null ? 0 : tables[0].length) + (tables[1] == null ? 0 : tables[1].length);
  }
}
