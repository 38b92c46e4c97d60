package io.tripod.server.types;

import io.tripod.server.util.Bytes;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;

/**
 * The {@code hashtable} encoding of big hashes and sets, laid out for compactness. It is the same
 * algorithm as {@link io.tripod.server.db.Dict} (chained buckets in power-of-two tables,
 * incremental rehashing across two tables, the reverse-binary SCAN cursor, bucket-then-chain
 * random sampling) but without an object per entry: entry {@code i} lives in parallel arrays
 * ({@code items[i]}, {@code hashes[i]}, {@code next[i]}) and buckets hold entry indices. In pair
 * mode (hashes) an item is one array {@code [varint field length][field][value]}; in member mode
 * (sets) it is the member itself. A 1,000,000-field hash of short strings costs about 60 bytes a
 * field instead of about 100 with one Dict entry and two arrays per field.
 *
 * <p>Items are never modified in place (an update stores a new array), so {@link #copy()} can
 * share them. Freed slots are reused through a free list; the slot arrays only shrink when the
 * table is rebuilt ({@link #compactIfSparse()}).
 *
 * <p>Thread safety: none; owned by the event loop.
 */
public final class PackedTable {
  private static final int INITIAL_BUCKETS = 4;
  private static final int NONE = -1;

  private final boolean pairs;
  private byte[][] items = new byte[4][];
  private int[] hashes = new int[4];
  private int[] next = new int[4];
  /** Slots ever handed out (entries at indices below may be free). */
  private int top;
  private int freeHead = NONE;

  private final int[][] tables = new int[2][];
  private final long[] used = new long[2];
  private long rehashIndex = -1;

  public PackedTable(boolean pairs) {
    this.pairs = pairs;
  }

  public long size() {
    return used[0] + used[1];
  }

  private boolean isRehashing() {
    return rehashIndex != -1;
  }

  // ---- item encoding -------------------------------------------------------------------------

  private static byte[] encode(byte[] field, byte[] value) {
    int n = field.length;
    int prefix = n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
    byte[] out = new byte[prefix + n + value.length];
    int p = 0;
    while (n >= 0x80) {
      out[p++] = (byte) (n & 0x7f | 0x80);
      n >>>= 7;
    }
    out[p++] = (byte) n;
    System.arraycopy(field, 0, out, p, field.length);
    System.arraycopy(value, 0, out, p + field.length, value.length);
    return out;
  }

  /** The offset where the field starts; the field length is returned through {@code len[0]}. */
  private static int fieldStart(byte[] item, int[] len) {
    int n = 0;
    int shift = 0;
    int p = 0;
    byte b;
    do {
      b = item[p++];
      n |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    len[0] = n;
    return p;
  }

  private final int[] lenScratch = new int[1];

  private boolean keyEquals(byte[] item, byte[] key) {
    if (!pairs) {
      return Bytes.equals(item, key);
    }
    int start = fieldStart(item, lenScratch);
    int n = lenScratch[0];
    return n == key.length && Arrays.equals(item, start, start + n, key, 0, n);
  }

  /** The key (field or member) of entry {@code i}. */
  public byte[] key(int i) {
    byte[] item = items[i];
    if (!pairs) {
      return item;
    }
    int start = fieldStart(item, lenScratch);
    return Arrays.copyOfRange(item, start, start + lenScratch[0]);
  }

  /** The value of entry {@code i} (pair mode). */
  public byte[] value(int i) {
    byte[] item = items[i];
    int start = fieldStart(item, lenScratch);
    return Arrays.copyOfRange(item, start + lenScratch[0], item.length);
  }

  // ---- lookups and updates -------------------------------------------------------------------

  /** The entry index holding {@code key}, or -1. */
  public int find(byte[] key) {
    if (size() == 0) {
      return NONE;
    }
    rehashStep();
    int h = Bytes.hash(key);
    for (int t = 0; t <= 1; t++) {
      int[] table = tables[t];
      if (table == null) {
        break;
      }
      for (int i = table[h & (table.length - 1)]; i != NONE; i = next[i]) {
        if (hashes[i] == h && keyEquals(items[i], key)) {
          return i;
        }
      }
      if (!isRehashing()) {
        break;
      }
    }
    return NONE;
  }

  /** Sets field to value (pair mode); returns true if the field is new. */
  public boolean put(byte[] field, byte[] value) {
    int i = find(field);
    if (i != NONE) {
      items[i] = encode(field, value);
      return false;
    }
    insert(encode(field, value), Bytes.hash(field));
    return true;
  }

  /** Adds a member (member mode); returns true if it was absent. */
  public boolean addMember(byte[] member) {
    if (find(member) != NONE) {
      return false;
    }
    insert(member, Bytes.hash(member));
    return true;
  }

  /** Adds a key known to be absent (pair or member mode). */
  public void addNew(byte[] key, byte[] value) {
    insert(pairs ? encode(key, value) : key, Bytes.hash(key));
  }

  private void insert(byte[] item, int h) {
    expandIfNeeded();
    int slot = allocSlot();
    items[slot] = item;
    hashes[slot] = h;
    int t = isRehashing() ? 1 : 0;
    int[] table = tables[t];
    int b = h & (table.length - 1);
    next[slot] = table[b];
    table[b] = slot;
    used[t]++;
  }

  private int allocSlot() {
    if (freeHead != NONE) {
      int s = freeHead;
      freeHead = next[s];
      return s;
    }
    if (top == items.length) {
      int cap = top < 64 ? top * 2 : top + (top >> 1);
      items = Arrays.copyOf(items, cap);
      hashes = Arrays.copyOf(hashes, cap);
      next = Arrays.copyOf(next, cap);
    }
    return top++;
  }

  /** Removes {@code key}; returns true if it was there. */
  public boolean remove(byte[] key) {
    if (size() == 0) {
      return false;
    }
    rehashStep();
    int h = Bytes.hash(key);
    for (int t = 0; t <= 1; t++) {
      int[] table = tables[t];
      if (table == null) {
        break;
      }
      int b = h & (table.length - 1);
      int prev = NONE;
      for (int i = table[b]; i != NONE; prev = i, i = next[i]) {
        if (hashes[i] == h && keyEquals(items[i], key)) {
          if (prev == NONE) {
            table[b] = next[i];
          } else {
            next[prev] = next[i];
          }
          items[i] = null;
          next[i] = freeHead;
          freeHead = i;
          used[t]--;
          shrinkIfNeeded();
          return true;
        }
      }
      if (!isRehashing()) {
        break;
      }
    }
    return false;
  }

  // ---- resizing (Redis's dict rules) ---------------------------------------------------------

  private void expandIfNeeded() {
    if (isRehashing()) {
      return;
    }
    if (tables[0] == null) {
      tables[0] = newTable(INITIAL_BUCKETS);
      return;
    }
    if (used[0] >= tables[0].length) {
      startRehash(nextPower(used[0] + 1));
    }
  }

  private void shrinkIfNeeded() {
    if (isRehashing() || tables[0] == null) {
      return;
    }
    long sizeNow = tables[0].length;
    if (sizeNow > INITIAL_BUCKETS && used[0] * 100 / sizeNow < 10) {
      startRehash(nextPower(Math.max(used[0], INITIAL_BUCKETS)));
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

  private static int[] newTable(int n) {
    int[] t = new int[n];
    Arrays.fill(t, NONE);
    return t;
  }

  private static long nextPower(long n) {
    long size = INITIAL_BUCKETS;
    while (size < n) {
      size <<= 1;
    }
    return size;
  }

  private void rehashStep() {
    if (isRehashing()) {
      rehash(1);
    }
  }

  private void rehash(int buckets) {
    int[] from = tables[0];
    int[] to = tables[1];
    int emptyVisits = buckets * 10;
    while (buckets-- > 0 && used[0] != 0) {
      while (from[(int) rehashIndex] == NONE) {
        rehashIndex++;
        if (--emptyVisits == 0) {
          return;
        }
      }
      int i = from[(int) rehashIndex];
      while (i != NONE) {
        int nx = next[i];
        int b = hashes[i] & (to.length - 1);
        next[i] = to[b];
        to[b] = i;
        used[0]--;
        used[1]++;
        i = nx;
      }
      from[(int) rehashIndex] = NONE;
      rehashIndex++;
    }
    if (used[0] == 0) {
      tables[0] = tables[1];
      used[0] = used[1];
      tables[1] = null;
      used[1] = 0;
      rehashIndex = -1;
      compactIfSparse();
    }
  }

  /**
   * After deletions, rebuilds the slot arrays when fewer than a quarter of the slots are live
   * (only between rehashes and only for tables the caller is not walking).
   */
  private void compactIfSparse() {
    long live = size();
    if (top <= 64 || live * 4 >= top || isRehashing()) {
      return;
    }
    int cap = (int) Math.max(8, live + (live >> 1));
    byte[][] ni = new byte[cap][];
    int[] nh = new int[cap];
    int n = 0;
    for (int i = 0; i < top; i++) {
      if (items[i] != null) {
        ni[n] = items[i];
        nh[n] = hashes[i];
        n++;
      }
    }
    items = ni;
    hashes = nh;
    next = new int[cap];
    top = n;
    freeHead = NONE;
    int[] table = newTable(tables[0].length);
    for (int i = 0; i < n; i++) {
      int b = hashes[i] & (table.length - 1);
      next[i] = table[b];
      table[b] = i;
    }
    tables[0] = table;
  }

  // ---- iteration ------------------------------------------------------------------------------

  /** Visits every live entry index (no modification during the walk). */
  public void forEach(IntConsumer visitor) {
    for (int i = 0; i < top; i++) {
      if (items[i] != null) {
        visitor.accept(i);
      }
    }
  }

  /** A random entry index (Redis's fair-ish dictGetRandomKey); the table must not be empty. */
  public int randomEntry() {
    rehashStep();
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int head;
    if (isRehashing()) {
      int[] t0 = tables[0];
      int[] t1 = tables[1];
      do {
        long total = t0.length + (long) t1.length;
        long i = rehashIndex + (long) (rnd.nextDouble() * (total - rehashIndex));
        head = i >= t0.length ? t1[(int) (i - t0.length)] : t0[(int) i];
      } while (head == NONE);
    } else {
      int[] t0 = tables[0];
      do {
        head = t0[rnd.nextInt(t0.length)];
      } while (head == NONE);
    }
    int len = 0;
    for (int i = head; i != NONE; i = next[i]) {
      len++;
    }
    int pick = rnd.nextInt(len);
    int i = head;
    while (pick-- > 0) {
      i = next[i];
    }
    return i;
  }

  /** One SCAN step (Redis's dictScan reverse-binary cursor); returns the next cursor. */
  public long scan(long cursor, IntConsumer visitor) {
    if (size() == 0) {
      return 0;
    }
    if (!isRehashing()) {
      int[] t0 = tables[0];
      long m0 = t0.length - 1;
      visitBucket(t0[(int) (cursor & m0)], visitor);
      cursor |= ~m0;
      cursor = Long.reverse(cursor);
      cursor++;
      cursor = Long.reverse(cursor);
    } else {
      int[] small = tables[0];
      int[] large = tables[1];
      if (small.length > large.length) {
        int[] tmp = small;
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
  }

  private void visitBucket(int i, IntConsumer visitor) {
    while (i != NONE) {
      int nx = next[i];
      visitor.accept(i);
      i = nx;
    }
  }

  /** An independent copy sharing the (immutable) item arrays. */
  public PackedTable copy() {
    PackedTable c = new PackedTable(pairs);
    c.items = items.clone();
    c.hashes = hashes.clone();
    c.next = next.clone();
    c.top = top;
    c.freeHead = freeHead;
    c.tables[0] = tables[0] == null ? null : tables[0].clone();
    c.tables[1] = tables[1] == null ? null : tables[1].clone();
    c.used[0] = used[0];
    c.used[1] = used[1];
    c.rehashIndex = rehashIndex;
    return c;
  }

  /** Runs incremental rehashing for at most {@code buckets} buckets (for a cron, if wanted). */
  public void rehashSome(int buckets) {
    if (isRehashing()) {
      rehash(buckets);
    }
  }
}
