package io.tripod.server.types;

import java.util.Arrays;

/**
 * A string value that was modified in place (APPEND, SETRANGE, SETBIT...): Redis turns such a
 * value into the {@code raw} encoding and grows its buffer geometrically (sds), so repeated
 * appends cost amortized O(1) per byte rather than a copy of the whole value each time.
 *
 * <p>Values written whole (SET) stay plain {@code byte[]}; {@link Strings} hides the difference.
 */
public final class RawString {
  byte[] buf;
  int len;

  public RawString(byte[] initial, int extraCapacity) {
    buf = Arrays.copyOf(initial, initial.length + extraCapacity);
    len = initial.length;
  }

  public int length() {
    return len;
  }

  public byte[] buffer() {
    return buf;
  }

  public void ensureCapacity(int needed) {
    if (needed > buf.length) {
      // sds's greedy growth: double below 1 MB, then +1 MB at a time.
      int newCap = needed < 1024 * 1024 ? needed * 2 : needed + 1024 * 1024;
      buf = Arrays.copyOf(buf, newCap);
    }
  }

  public void append(byte[] data) {
    ensureCapacity(len + data.length);
    System.arraycopy(data, 0, buf, len, data.length);
    len += data.length;
  }

  /** Grows to {@code newLen} with zero bytes (SETRANGE past the end, SETBIT). */
  public void growZero(int newLen) {
    if (newLen > len) {
      ensureCapacity(newLen);
      Arrays.fill(buf, len, newLen, (byte) 0);
      len = newLen;
    }
  }

  public byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }
}
