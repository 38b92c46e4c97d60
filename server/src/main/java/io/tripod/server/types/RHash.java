package io.tripod.server.types;

import io.tripod.server.util.Bytes;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;

/**
 * The hash type with Redis 7.0's two encodings. While small it is a {@code listpack}: here a flat
 * array of alternating fields and values kept in insertion order (an update keeps its place, a
 * delete closes the gap), searched linearly like Redis's listpack. Once it holds more than
 * {@code hash-max-listpack-entries} pairs, or a field or value longer than
 * {@code hash-max-listpack-value} bytes is stored, it becomes a {@code hashtable} (a
 * {@link PackedTable} in pair mode, with HSCAN cursors and random sampling) and never converts back.
 *
 * <p>Thread safety: none; owned by the event loop like every value.
 */
public final class RHash implements Types.Value {
  /** Listpack form: f0, v0, f1, v1, ...; null once converted. */
  private byte[][] pairs;
  /** Number of pairs used in {@link #pairs}. */
  private int count;
  /** Hashtable form; null while a listpack. */
  private PackedTable table;

  public RHash() {
    pairs = new byte[4][];
  }

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

  private int indexOf(byte[] field) {
    for (int i = 0; i < count; i++) {
      if (Bytes.equals(pairs[2 * i], field)) {
        return i;
      }
    }
    return -1;
  }

  public byte[] get(byte[] field) {
    if (table != null) {
      int e = table.find(field);
      return e < 0 ? null : table.value(e);
    }
    int i = indexOf(field);
    return i < 0 ? null : pairs[2 * i + 1];
  }

  public boolean contains(byte[] field) {
    return get(field) != null;
  }

  /**
   * Converts to a hashtable if a field or value of these lengths cannot live in the listpack
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
    int i = indexOf(field);
    if (i >= 0) {
      pairs[2 * i + 1] = value;
      return false;
    }
    if (2 * count + 2 > pairs.length) {
      byte[][] grown = new byte[Math.max(4, pairs.length * 2)][];
      System.arraycopy(pairs, 0, grown, 0, 2 * count);
      pairs = grown;
    }
    pairs[2 * count] = field;
    pairs[2 * count + 1] = value;
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
    int i = indexOf(field);
    if (i < 0) {
      return false;
    }
    System.arraycopy(pairs, 2 * i + 2, pairs, 2 * i, 2 * (count - i - 1));
    count--;
    pairs[2 * count] = null;
    pairs[2 * count + 1] = null;
    return true;
  }

  private void convert() {
    PackedTable d = new PackedTable(true);
    for (int i = 0; i < count; i++) {
      d.addNew(pairs[2 * i], pairs[2 * i + 1]);
    }
    table = d;
    pairs = null;
    count = 0;
  }

  /** Visits every pair: insertion order for a listpack, dict order for a hashtable. */
  public void forEach(BiConsumer<byte[], byte[]> visitor) {
    if (table != null) {
      PackedTable t = table;
      t.forEach(e -> visitor.accept(t.key(e), t.value(e)));
      return;
    }
    for (int i = 0; i < count; i++) {
      visitor.accept(pairs[2 * i], pairs[2 * i + 1]);
    }
  }

  /** A random pair as {field, value}; the hash must not be empty. */
  public byte[][] randomPair() {
    if (table != null) {
      int e = table.randomEntry();
      return new byte[][] {table.key(e), table.value(e)};
    }
    int i = ThreadLocalRandom.current().nextInt(count);
    return new byte[][] {pairs[2 * i], pairs[2 * i + 1]};
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
      copy.pairs = pairs.clone();
      copy.count = count;
    } else {
      copy.table = table.copy();
      copy.pairs = null;
    }
    return copy;
  }
}
