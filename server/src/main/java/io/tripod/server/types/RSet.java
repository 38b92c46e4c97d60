package io.tripod.server.types;

import io.tripod.server.util.Bytes;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The set type with Redis 7.0's two encodings: an {@code intset} (a sorted array of longs, so it
 * iterates in ascending numeric order) while every member is a strict decimal integer that fits a
 * long and there are at most {@code set-max-intset-entries} of them; otherwise a
 * {@code hashtable} (a {@link PackedTable} in member mode). A set never converts
 * back to an intset. (Listpack-encoded sets only arrived in Redis 7.2.)
 *
 * <p>Thread safety: none; owned by the event loop like every value.
 */
public final class RSet implements Sortable, Types.Value, io.tripod.server.rdb.RdbValue {
  /** Intset form, ascending; null once converted. */
  private long[] ints;
  private int count;
  /**
   * Bytes per element of the intset blob (2, 4 or 8): like Redis's intset it widens when a member
   * needs it and never narrows again, so DUMP writes the width Redis would.
   */
  private int intsetWidth = 2;
  private PackedTable table;

  /** An empty set in the encoding Redis's {@code setTypeCreate} picks for its first member. */
  public static RSet forFirstMember(byte[] member) {
    RSet s = new RSet();
    if (Bytes.parseLongOrNull(member) == null) {
      s.convert();
    }
    return s;
  }

  /** An empty intset (Redis's {@code createIntsetObject}, used for SUNION/SDIFF/SINTER results). */
  public RSet() {
    ints = new long[4];
  }

  @Override
  public String typeName() {
    return "set";
  }

  @Override
  public String encoding() {
    return table == null ? "intset" : "hashtable";
  }

  public boolean isIntset() {
    return table == null;
  }

  public long size() {
    return table == null ? count : table.size();
  }

  public boolean contains(byte[] member) {
    if (table != null) {
      return table.find(member) >= 0;
    }
    Long v = Bytes.parseLongOrNull(member);
    return v != null && Arrays.binarySearch(ints, 0, count, v) >= 0;
  }

  /** Adds {@code member}; returns true if it was not there. */
  public boolean add(byte[] member, int maxIntsetEntries) {
    if (table == null) {
      Long v = Bytes.parseLongOrNull(member);
      if (v != null) {
        int pos = Arrays.binarySearch(ints, 0, count, v);
        if (pos >= 0) {
          return false;
        }
        pos = -pos - 1;
        if (count == ints.length) {
          ints = Arrays.copyOf(ints, Math.max(4, count * 2));
        }
        System.arraycopy(ints, pos, ints, pos + 1, count - pos);
        ints[pos] = v;
        count++;
        intsetWidth = Math.max(intsetWidth, widthOf(v));
        if (count > maxIntsetEntries) {
          convert();
        }
        return true;
      }
      convert();
    }
    return table.addMember(member);
  }

  /** Removes {@code member}; returns true if it was there. */
  public boolean remove(byte[] member) {
    if (table != null) {
      return table.remove(member);
    }
    Long v = Bytes.parseLongOrNull(member);
    if (v == null) {
      return false;
    }
    int pos = Arrays.binarySearch(ints, 0, count, v);
    if (pos < 0) {
      return false;
    }
    System.arraycopy(ints, pos + 1, ints, pos, count - pos - 1);
    count--;
    return true;
  }

  private void convert() {
    PackedTable d = new PackedTable(false);
    for (int i = 0; i < count; i++) {
      d.addNew(Bytes.fromLong(ints[i]), null);
    }
    table = d;
    ints = null;
    count = 0;
  }

  /** Visits every member: ascending for an intset, dict order for a hashtable. */
  public void forEach(Consumer<byte[]> visitor) {
    if (table != null) {
      PackedTable t = table;
      t.forEach(e -> visitor.accept(t.key(e)));
      return;
    }
    for (int i = 0; i < count; i++) {
      visitor.accept(Bytes.fromLong(ints[i]));
    }
  }

  /** A random member; the set must not be empty. */
  public byte[] random() {
    if (table != null) {
      return table.key(table.randomEntry());
    }
    return Bytes.fromLong(ints[ThreadLocalRandom.current().nextInt(count)]);
  }

  /** One SSCAN step over the hashtable (an intset is returned whole by the caller). */
  public long scan(long cursor, Consumer<byte[]> visitor) {
    PackedTable t = table;
    return t.scan(cursor, e -> visitor.accept(t.key(e)));
  }

  @Override
  public Object deepCopy() {
    RSet copy = new RSet();
    if (table == null) {
      copy.ints = Arrays.copyOf(ints, Math.max(count, 4));
      copy.count = count;
      copy.intsetWidth = intsetWidth;
    } else {
      copy.table = table.copy();
      copy.ints = null;
    }
    return copy;
  }

  @Override
  public Sortable.Kind sortKind() {
    return Sortable.Kind.SET;
  }

  @Override
  public java.util.List<byte[]> elementsForSort() {
    java.util.List<byte[]> out = new java.util.ArrayList<>((int) Math.min(size(), Integer.MAX_VALUE));
    forEach(out::add);
    return out;
  }

  // ---- RDB form (Redis 7.0 rdbSaveObject) ------------------------------------------------------

  /**
   * Makes the intset at least {@code width} bytes per element (2, 4 or 8): a set restored from an
   * intset blob keeps the blob's width, as Redis keeps the blob itself.
   */
  public void widenIntset(int width) {
    if (width == 2 || width == 4 || width == 8) {
      intsetWidth = Math.max(intsetWidth, width);
    }
  }

  private static int widthOf(long v) {
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      return 8;
    }
    return v < Short.MIN_VALUE || v > Short.MAX_VALUE ? 4 : 2;
  }

  @Override
  public int rdbType() {
    return table == null ? io.tripod.server.rdb.Rdb.TYPE_SET_INTSET : io.tripod.server.rdb.Rdb.TYPE_SET;
  }

  /**
   * The intset blob (intset.c): uint32 LE width (2, 4 or 8), uint32 LE count, ascending LE
   * elements. The width is the widest any member ever needed (Redis's intset upgrades and never
   * downgrades), which for a set loaded from an RDB is the narrowest that fits its members.
   */
  public byte[] intsetBlob() {
    int width = intsetWidth;
    byte[] b = new byte[8 + count * width];
    b[0] = (byte) width;
    b[4] = (byte) count;
    b[5] = (byte) (count >>> 8);
    b[6] = (byte) (count >>> 16);
    b[7] = (byte) (count >>> 24);
    int p = 8;
    for (int i = 0; i < count; i++) {
      long v = ints[i];
      for (int k = 0; k < width; k++) {
        b[p++] = (byte) (v >>> (8 * k));
      }
    }
    return b;
  }

  @Override
  public void writeRdbPayload(io.tripod.server.rdb.RdbWriter w) throws java.io.IOException {
    if (table == null) {
      w.writeString(intsetBlob());
      return;
    }
    w.writeLength(table.size());
    java.io.IOException[] failed = new java.io.IOException[1];
    forEach(m -> {
      if (failed[0] != null) {
        return;
      }
      try {
        w.writeString(m);
      } catch (java.io.IOException e) {
        failed[0] = e;
      }
    });
    if (failed[0] != null) {
      throw failed[0];
    }
  }
}
