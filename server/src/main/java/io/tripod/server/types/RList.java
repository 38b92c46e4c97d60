package io.tripod.server.types;

import java.util.Arrays;

/**
 * A list value (Redis's quicklist), stored as a circular array of elements: O(1) amortized pushes
 * and pops at both ends, O(1) access by index, O(n) insertion and removal in the middle (shifting
 * the shorter side), like the listpack scans Redis does for LINSERT/LREM.
 *
 * <p>Elements are {@code byte[]} treated as immutable: the list never writes into an element array
 * and callers must not either, so {@link #deepCopy} only copies the array of references.
 *
 * <p>OBJECT ENCODING is always {@code quicklist}: Redis 7.0 creates every list as a quicklist (the
 * small-list {@code listpack} encoding arrived in 7.2).
 *
 * <p>Thread safety: none; owned by the server's event loop.
 */
public final class RList implements Sortable, Types.Value, io.tripod.server.rdb.RdbValue {
  private static final int MIN_CAPACITY = 8;
  private static final byte[][] EMPTY = new byte[0][];

  private byte[][] items;
  private int head;
  private int size;

  public RList() {
    items = EMPTY;
  }

  private RList(byte[][] items, int head, int size) {
    this.items = items;
    this.head = head;
    this.size = size;
  }

  @Override
  public String typeName() {
    return "list";
  }

  @Override
  public String encoding() {
    return "quicklist";
  }

  @Override
  public Object deepCopy() {
    RList copy = new RList(items.length == 0 ? EMPTY : items.clone(), head, size);
    int[] kept = keptLayoutIfUnchanged(); // Redis's COPY duplicates the quicklist node by node
    if (kept != null) {
      copy.keepQuicklistLayout(kept);
    }
    return copy;
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  private int slot(int i) {
    return (head + i) & (items.length - 1);
  }

  /** The element at {@code index} (0 ≤ index &lt; size). */
  public byte[] get(int index) {
    return items[slot(index)];
  }

  /** Replaces the element at {@code index} (0 ≤ index &lt; size). */
  public void set(int index, byte[] value) {
    items[slot(index)] = value;
  }

  public void addFirst(byte[] v) {
    grow();
    head = (head - 1) & (items.length - 1);
    items[head] = v;
    size++;
  }

  public void addLast(byte[] v) {
    grow();
    items[(head + size) & (items.length - 1)] = v;
    size++;
  }

  /** Pushes at the head ({@code left}) or the tail. */
  public void push(byte[] v, boolean left) {
    if (left) {
      addFirst(v);
    } else {
      addLast(v);
    }
  }

  /** Removes and returns the first element, or null when empty. */
  public byte[] pollFirst() {
    if (size == 0) {
      return null;
    }
    byte[] v = items[head];
    items[head] = null;
    head = (head + 1) & (items.length - 1);
    size--;
    maybeShrink();
    return v;
  }

  /** Removes and returns the last element, or null when empty. */
  public byte[] pollLast() {
    if (size == 0) {
      return null;
    }
    int s = slot(size - 1);
    byte[] v = items[s];
    items[s] = null;
    size--;
    maybeShrink();
    return v;
  }

  /** Pops at the head ({@code left}) or the tail. */
  public byte[] pop(boolean left) {
    return left ? pollFirst() : pollLast();
  }

  /** Inserts {@code v} so that it ends up at {@code index} (0 ≤ index ≤ size). */
  public void insert(int index, byte[] v) {
    if (index == 0) {
      addFirst(v);
      return;
    }
    if (index == size) {
      addLast(v);
      return;
    }
    grow();
    int mask = items.length - 1;
    if (index < size / 2) {
      // Shift [0, index) one slot to the left.
      head = (head - 1) & mask;
      for (int i = 0; i < index; i++) {
        items[(head + i) & mask] = items[(head + i + 1) & mask];
      }
    } else {
      // Shift [index, size) one slot to the right.
      for (int i = size; i > index; i--) {
        items[(head + i) & mask] = items[(head + i - 1) & mask];
      }
    }
    items[(head + index) & mask] = v;
    size++;
  }

  /** Index of the first element equal to {@code v}, or -1. */
  public int indexOf(byte[] v) {
    for (int i = 0; i < size; i++) {
      if (Arrays.equals(items[slot(i)], v)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * LREM: removes up to {@code count} elements equal to {@code v} (all when 0) scanning from the
   * head, or from the tail when {@code fromTail}. Returns how many were removed.
   */
  public int removeMatching(byte[] v, long count, boolean fromTail) {
    int mask = items.length - 1;
    int removed = 0;
    if (!fromTail) {
      int w = 0;
      for (int r = 0; r < size; r++) {
        byte[] e = items[(head + r) & mask];
        if ((count == 0 || removed < count) && Arrays.equals(e, v)) {
          removed++;
        } else {
          items[(head + w) & mask] = e;
          w++;
        }
      }
      for (int i = w; i < size; i++) {
        items[(head + i) & mask] = null;
      }
    } else {
      int w = size - 1;
      for (int r = size - 1; r >= 0; r--) {
        byte[] e = items[(head + r) & mask];
        if ((count == 0 || removed < count) && Arrays.equals(e, v)) {
          removed++;
        } else {
          items[(head + w) & mask] = e;
          w--;
        }
      }
      for (int i = 0; i <= w; i++) {
        items[(head + i) & mask] = null;
      }
      head = (head + w + 1) & mask;
    }
    size -= removed;
    maybeShrink();
    return removed;
  }

  /** Removes {@code fromHead} elements at the head and {@code fromTail} at the tail. */
  public void trim(int fromHead, int fromTail) {
    if (fromHead + fromTail >= size) {
      clear();
      return;
    }
    int mask = items.length - 1;
    for (int i = 0; i < fromHead; i++) {
      items[(head + i) & mask] = null;
    }
    for (int i = size - fromTail; i < size; i++) {
      items[(head + i) & mask] = null;
    }
    head = (head + fromHead) & mask;
    size -= fromHead + fromTail;
    maybeShrink();
  }

  public void clear() {
    items = EMPTY;
    head = 0;
    size = 0;
  }

  private void grow() {
    if (size < items.length) {
      return;
    }
    int cap = items.length == 0 ? MIN_CAPACITY : items.length << 1;
    if (cap < 0) {
      throw new IllegalStateException("list too long");
    }
    resize(cap);
  }

  private void maybeShrink() {
    if (size == 0) {
      clear();
    } else if (items.length > 64 && size < items.length >>> 2) {
      resize(items.length >>> 1);
    }
  }

  private void resize(int cap) {
    byte[][] n = new byte[cap][];
    if (size > 0) {
      int firstPart = Math.min(size, items.length - head);
      System.arraycopy(items, head, n, 0, firstPart);
      System.arraycopy(items, 0, n, firstPart, size - firstPart);
    }
    items = n;
    head = 0;
  }

  /**
   * Bytes a listpack entry for {@code v} takes (encoding + data + back-length), as in rdb.md §11:
   * integers as small as their range allows, strings with a 1/2/5-byte header.
   */
  public static int listpackEntrySize(byte[] v) {
    int enc;
    Long n = v.length <= 20 ? io.tripod.server.util.Bytes.parseLongOrNull(v) : null;
    if (n != null && canonicalLong(v, n)) {
      long x = n;
      if (x >= 0 && x <= 127) {
        enc = 1;
      } else if (x >= -4096 && x <= 4095) {
        enc = 2;
      } else if (x >= Short.MIN_VALUE && x <= Short.MAX_VALUE) {
        enc = 3;
      } else if (x >= -(1 << 23) && x <= (1 << 23) - 1) {
        enc = 4;
      } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
        enc = 5;
      } else {
        enc = 9;
      }
    } else if (v.length < 64) {
      enc = 1 + v.length;
    } else if (v.length < 4096) {
      enc = 2 + v.length;
    } else {
      enc = 5 + v.length;
    }
    int back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
    return enc + back;
  }

  private static boolean canonicalLong(byte[] v, long n) {
    return Long.toString(n).length() == v.length;
  }

  /** The listpack bytes (header, entries, end byte) the elements would take. */
  public long listpackBytes() {
    long total = 7;
    for (int i = 0; i < size; i++) {
      total += listpackEntrySize(get(i));
    }
    return total;
  }

  @Override
  public Sortable.Kind sortKind() {
    return Sortable.Kind.LIST;
  }

  @Override
  public java.util.List<byte[]> elementsForSort() {
    java.util.List<byte[]> out = new java.util.ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      out.add(get(i));
    }
    return out;
  }

  /** SORT ... STORE builds its result list through this. */
  public static RList of(java.util.List<byte[]> items) {
    RList l = new RList();
    for (byte[] b : items) {
      l.addLast(b);
    }
    return l;
  }

  // ---- RDB form (Redis 7.0 rdbSaveObject for a quicklist) ------------------------------------

  /** quicklist.c: a listpack node may grow while its bytes plus the new element plus 8 fit 8 KB. */
  private static final int QUICKLIST_NODE_BYTES = 8192;
  private static final int QUICKLIST_SIZE_OVERHEAD = 8;
  /**
   * Elements of this size or more live alone in PLAIN nodes (1 GB; DEBUG
   * QUICKLIST-PACKED-THRESHOLD changes it process-wide, as in Redis).
   */
  public static volatile long packedThreshold = 1L << 30;

  /**
   * Node element counts of the quicklist this list was restored from (Redis keeps a loaded
   * quicklist's nodes as they are), used only while the list is unchanged since: the backing
   * array, head and size it was recorded with, and the first element of every node (by identity),
   * are compared before use. LSET inside a node keeps it, as Redis's in-place replace does; any
   * other change drops it. Null when none.
   */
  private int[] keptLayout;
  private byte[][] keptFirst;
  private byte[][] keptItems;
  private int keptHead;
  private int keptSize;

  /**
   * Records the node layout of a restored quicklist: element counts per node, -1 for a PLAIN node
   * (ignored unless the counts add up to the list's size).
   */
  public void keepQuicklistLayout(int[] counts) {
    long total = 0;
    for (int n : counts) {
      if (n == 0 || n < -1) {
        return;
      }
      total += n < 0 ? 1 : n;
    }
    if (total != size) {
      return;
    }
    byte[][] first = new byte[counts.length][];
    int at = 0;
    for (int i = 0; i < counts.length; i++) {
      first[i] = get(at);
      at += counts[i] < 0 ? 1 : counts[i];
    }
    keptLayout = counts.clone();
    keptFirst = first;
    keptItems = items;
    keptHead = head;
    keptSize = size;
  }

  private int[] keptLayoutIfUnchanged() {
    if (keptLayout != null && keptItems == items && keptHead == head && keptSize == size) {
      int at = 0;
      boolean same = true;
      for (int i = 0; i < keptLayout.length; i++) {
        if (get(at) != keptFirst[i]) {
          same = false;
          break;
        }
        at += keptLayout[i] < 0 ? 1 : keptLayout[i];
      }
      if (same) {
        return keptLayout.clone();
      }
    }
    keptLayout = null;
    keptFirst = null;
    keptItems = null;
    return null;
  }

  @Override
  public int rdbType() {
    return io.tripod.server.rdb.Rdb.TYPE_LIST_QUICKLIST_2;
  }

  /**
   * Element counts of the quicklist nodes Redis would hold had the list been built by RPUSH with
   * {@code list-max-listpack-size -2} (quicklist.c {@code _quicklistNodeAllowInsert}): a node takes
   * the next element while {@code lpBytes + strlen(element) + 8 <= 8192}. A negative count marks a
   * PLAIN node (one element of 1 GB or more).
   */
  public int[] quicklistNodeCounts() {
    int[] kept = keptLayoutIfUnchanged();
    if (kept != null) {
      return kept;
    }
    int[] counts = new int[8];
    int nodes = 0;
    long nodeBytes = -1; // -1: no open listpack node
    for (int i = 0; i < size; i++) {
      byte[] e = get(i);
      if (e.length >= packedThreshold) {
        if (nodes == counts.length) {
          counts = Arrays.copyOf(counts, nodes * 2);
        }
        counts[nodes++] = -1;
        nodeBytes = -1;
        continue;
      }
      if (nodeBytes < 0 || nodeBytes + e.length + QUICKLIST_SIZE_OVERHEAD > QUICKLIST_NODE_BYTES) {
        if (nodes == counts.length) {
          counts = Arrays.copyOf(counts, nodes * 2);
        }
        nodes++;
        nodeBytes = 7;
      }
      counts[nodes - 1]++;
      nodeBytes += listpackEntrySize(e);
    }
    return Arrays.copyOf(counts, nodes);
  }

  @Override
  public void writeRdbPayload(io.tripod.server.rdb.RdbWriter w) throws java.io.IOException {
    int[] counts = quicklistNodeCounts();
    w.writeLength(counts.length);
    int i = 0;
    java.util.List<byte[]> node = new java.util.ArrayList<>();
    for (int count : counts) {
      if (count < 0 || (count == 1 && get(i).length >= packedThreshold)) {
        w.writeLength(io.tripod.server.rdb.Rdb.QUICKLIST_NODE_PLAIN);
        w.writeString(get(i++));
        continue;
      }
      node.clear();
      for (int k = 0; k < count; k++) {
        node.add(get(i++));
      }
      w.writeLength(io.tripod.server.rdb.Rdb.QUICKLIST_NODE_PACKED);
      w.writeString(io.tripod.server.rdb.Listpack.encode(node));
    }
  }
}
