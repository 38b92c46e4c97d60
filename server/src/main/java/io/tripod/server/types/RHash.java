package io.tripod.server.types;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * The hash type with Redis 7.0's two encodings. While small it is a {@code listpack}: like
 * Redis's, one byte array of entries {@code [varint field length][field][varint value
 * length][value]} in insertion order (an update keeps its place, a delete closes the gap),
 * searched linearly. Once it holds more than {@code hash-max-listpack-entries} pairs, or a field
 * or value longer than {@code hash-max-listpack-value} bytes is stored, it becomes a
 * {@code hashtable} (a {@link PackedTable} in pair mode, with HSCAN cursors and random sampling)
 * and never converts back.
 *
 * <p>Thread safety: none; owned by the event loop like every value.
 */
public final class RHash implements Sortable.HashFields, Types.Value, io.tripod.server.rdb.RdbValue {
  private static final byte[] EMPTY = new byte[0];

  /** Listpack form (exactly sized); null once converted. */
  private byte[] lp = EMPTY;
  /** Number of pairs in {@link #lp}. */
  private int count;
  /** Hashtable form; null while a listpack. */
  private PackedTable table;

  @Override
  public String typeName() {
    return "hash";
  }

  @Override
  public String encoding() {
    return table == null ? "listpack" : "hashtable";
  }

  public boolean isListpack() {
    return table == null;
  }

  public long size() {
    return table == null ? count : table.size();
  }

  // ---- listpack encoding ----------------------------------------------------------------------

  private static int varintSize(int n) {
    return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
  }

  private static int writeVarint(byte[] out, int p, int n) {
    while (n >= 0x80) {
      out[p++] = (byte) (n & 0x7f | 0x80);
      n >>>= 7;
    }
    out[p++] = (byte) n;
    return p;
  }

  /** Decodes the varint at {@code p}: (position after it) << 32 | value. */
  private static long readVarint(byte[] in, int p) {
    int n = 0;
    int shift = 0;
    byte b;
    do {
      b = in[p++];
      n |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return ((long) p << 32) | (n & 0xffffffffL);
  }

  private static int pos(long v) {
    return (int) (v >>> 32);
  }

  private static int val(long v) {
    return (int) v;
  }

  private static int entrySize(byte[] field, byte[] value) {
    return varintSize(field.length) + field.length + varintSize(value.length) + value.length;
  }

  private static int writeEntry(byte[] out, int p, byte[] field, byte[] value) {
    p = writeVarint(out, p, field.length);
    System.arraycopy(field, 0, out, p, field.length);
    p += field.length;
    p = writeVarint(out, p, value.length);
    System.arraycopy(value, 0, out, p, value.length);
    return p + value.length;
  }

  /** Offset of the entry whose field is {@code field}, or -1. */
  private int offsetOf(byte[] field) {
    int p = 0;
    while (p < lp.length) {
      int start = p;
      long v = readVarint(lp, p);
      p = pos(v);
      int fl = val(v);
      boolean match = fl == field.length && Arrays.equals(lp, p, p + fl, field, 0, fl);
      v = readVarint(lp, p + fl);
      p = pos(v) + val(v);
      if (match) {
        return start;
      }
    }
    return -1;
  }

  /** Offset just past the entry starting at {@code off}. */
  private int entryEnd(int off) {
    long v = readVarint(lp, off);
    v = readVarint(lp, pos(v) + val(v));
    return pos(v) + val(v);
  }

  private byte[] valueAt(int off) {
    long v = readVarint(lp, off);
    v = readVarint(lp, pos(v) + val(v));
    return Arrays.copyOfRange(lp, pos(v), pos(v) + val(v));
  }

  private byte[] fieldAt(int off) {
    long v = readVarint(lp, off);
    return Arrays.copyOfRange(lp, pos(v), pos(v) + val(v));
  }

  /** Replaces lp[from, to) by the encoded entry (or removes it when field is null). */
  private void splice(int from, int to, byte[] field, byte[] value) {
    int insert = field == null ? 0 : entrySize(field, value);
    byte[] out = new byte[lp.length - (to - from) + insert];
    System.arraycopy(lp, 0, out, 0, from);
    int p = from;
    if (field != null) {
      p = writeEntry(out, p, field, value);
    }
    System.arraycopy(lp, to, out, p, lp.length - to);
    lp = out;
  }

  // ---- operations -----------------------------------------------------------------------------

  public byte[] get(byte[] field) {
    if (table != null) {
      int e = table.find(field);
      return e < 0 ? null : table.value(e);
    }
    int off = offsetOf(field);
    return off < 0 ? null : valueAt(off);
  }

  public boolean contains(byte[] field) {
    if (table != null) {
      return table.find(field) >= 0;
    }
    return offsetOf(field) >= 0;
  }

  /**
   * Converts to a hashtable if a field or value of this length cannot live in the listpack
   * (Redis's {@code hashTypeTryConversion}, which runs before the write even for existing fields).
   */
  public void convertIfTooLong(long length, int maxValue) {
    if (table == null && length > maxValue) {
      convert();
    }
  }

  /**
   * Sets {@code field} to {@code value}; returns true if the field is new. Converts to a hashtable
   * when the field or value exceeds {@code maxValue} bytes or the count exceeds
   * {@code maxEntries}.
   */
  public boolean set(byte[] field, byte[] value, int maxEntries, int maxValue) {
    if (table == null && (field.length > maxValue || value.length > maxValue)) {
      convert();
    }
    if (table != null) {
      return table.put(field, value);
    }
    int off = offsetOf(field);
    if (off >= 0) {
      splice(off, entryEnd(off), field, value);
      return false;
    }
    splice(lp.length, lp.length, field, value);
    count++;
    if (count > maxEntries) {
      convert();
    }
    return true;
  }

  /** Removes {@code field}; returns true if it was there. */
  public boolean delete(byte[] field) {
    if (table != null) {
      return table.remove(field);
    }
    int off = offsetOf(field);
    if (off < 0) {
      return false;
    }
    splice(off, entryEnd(off), null, null);
    count--;
    return true;
  }

  private void convert() {
    PackedTable d = new PackedTable(true);
    forEachListpack(d::addNew);
    table = d;
    lp = null;
    count = 0;
  }

  private void forEachListpack(BiConsumer<byte[], byte[]> visitor) {
    byte[] buf = lp;
    int p = 0;
    while (p < buf.length) {
      long v = readVarint(buf, p);
      byte[] f = Arrays.copyOfRange(buf, pos(v), pos(v) + val(v));
      v = readVarint(buf, pos(v) + val(v));
      byte[] value = Arrays.copyOfRange(buf, pos(v), pos(v) + val(v));
      p = pos(v) + val(v);
      visitor.accept(f, value);
    }
  }

  /** Visits every pair: insertion order for a listpack, table order for a hashtable. */
  public void forEach(BiConsumer<byte[], byte[]> visitor) {
    if (table != null) {
      PackedTable t = table;
      t.forEach(e -> visitor.accept(t.key(e), t.value(e)));
      return;
    }
    forEachListpack(visitor);
  }

  /** A random pair as {field, value}; the hash must not be empty. */
  public byte[][] randomPair() {
    if (table != null) {
      int e = table.randomEntry();
      return new byte[][] {table.key(e), table.value(e)};
    }
    int skip = ThreadLocalRandom.current().nextInt(count);
    int off = 0;
    while (skip-- > 0) {
      off = entryEnd(off);
    }
    return new byte[][] {fieldAt(off), valueAt(off)};
  }

  /**
   * {@code count} distinct pairs of a listpack chosen uniformly (selection sampling), returned in
   * listpack order as Redis's {@code lpRandomPairsUnique} does.
   */
  public java.util.List<byte[][]> randomUniqueInOrder(int count) {
    java.util.List<byte[][]> out = new java.util.ArrayList<>(count);
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    int remaining = this.count;
    int needed = count;
    int off = 0;
    while (needed > 0 && off < lp.length) {
      if (rnd.nextInt(remaining) < needed) {
        out.add(new byte[][] {fieldAt(off), valueAt(off)});
        needed--;
      }
      remaining--;
      off = entryEnd(off);
    }
    return out;
  }

  /**
   * One HSCAN step over the hashtable (a listpack is returned whole by the caller); returns the
   * next cursor.
   */
  public long scan(long cursor, BiConsumer<byte[], byte[]> visitor) {
    PackedTable t = table;
    return t.scan(cursor, e -> visitor.accept(t.key(e), t.value(e)));
  }

  @Override
  public Object deepCopy() {
    RHash copy = new RHash();
    if (table == null) {
      copy.lp = lp.clone();
      copy.count = count;
    } else {
      copy.table = table.copy();
      copy.lp = null;
    }
    return copy;
  }

  @Override
  public byte[] fieldForSort(byte[] field) {
    return get(field);
  }

  // ---- RDB form (Redis 7.0 rdbSaveObject) ------------------------------------------------------

  @Override
  public int rdbType() {
    return table == null ? io.tripod.server.rdb.Rdb.TYPE_HASH_LISTPACK : io.tripod.server.rdb.Rdb.TYPE_HASH;
  }

  /** HASH_LISTPACK: one listpack of field, value in insertion order; HASH: count then pairs. */
  @Override
  public void writeRdbPayload(io.tripod.server.rdb.RdbWriter w) throws java.io.IOException {
    if (table == null) {
      java.util.List<byte[]> flat = new java.util.ArrayList<>(count * 2);
      forEachListpack((f, v) -> {
        flat.add(f);
        flat.add(v);
      });
      w.writeString(io.tripod.server.rdb.Listpack.encode(flat));
      return;
    }
    w.writeLength(table.size());
    java.io.IOException[] failed = new java.io.IOException[1];
    forEach((f, v) -> {
      if (failed[0] != null) {
        return;
      }
      try {
        w.writeString(f);
        w.writeString(v);
      } catch (java.io.IOException e) {
        failed[0] = e;
      }
    });
    if (failed[0] != null) {
      throw failed[0];
    }
  }
}
