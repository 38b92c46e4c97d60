package io.tripod.server.repl;

/**
 * The replication backlog: the last {@code size} bytes of the replication stream, in a ring, so a
 * replica that lost its link can continue with a partial resync (PSYNC) instead of a full one.
 *
 * <p>Offsets follow Redis: stream bytes are numbered from 1; after N bytes the master offset is N;
 * the first byte still held is {@code masterOffset - histlen + 1}.
 *
 * <p>Thread safety: owned by the server's event loop.
 */
public final class Backlog {
  private byte[] ring;
  /** Next write position in the ring. */
  private int writeIndex;
  /** Bytes held (≤ ring.length). */
  private long histlen;
  /** Offset of the last byte written (master_repl_offset). */
  private long masterOffset;

  public Backlog(int sizeBytes, long masterOffset) {
    this.ring = new byte[Math.max(16 * 1024, sizeBytes)];
    this.masterOffset = masterOffset;
  }

  public long masterOffset() {
    return masterOffset;
  }

  public long histlen() {
    return histlen;
  }

  public int size() {
    return ring.length;
  }

  /** First offset held, as INFO's repl_backlog_first_byte_offset. */
  public long firstByteOffset() {
    return masterOffset - histlen + 1;
  }

  public void append(byte[] b, int off, int len) {
    masterOffset += len;
    if (len >= ring.length) {
      // Only the tail fits.
      System.arraycopy(b, off + len - ring.length, ring, 0, ring.length);
      writeIndex = 0;
      histlen = ring.length;
      return;
    }
    int first = Math.min(len, ring.length - writeIndex);
    System.arraycopy(b, off, ring, writeIndex, first);
    if (first < len) {
      System.arraycopy(b, off + first, ring, 0, len - first);
    }
    writeIndex = (writeIndex + len) % ring.length;
    histlen = Math.min(ring.length, histlen + len);
  }

  /** {@link #append(byte[], int, int)} from a buffer ({@code len} bytes at {@code index}). */
  public void append(io.netty.buffer.ByteBuf b, int index, int len) {
    if (b.hasArray()) {
      append(b.array(), b.arrayOffset() + index, len);
      return;
    }
    masterOffset += len;
    if (len >= ring.length) {
      b.getBytes(index + len - ring.length, ring, 0, ring.length);
      writeIndex = 0;
      histlen = ring.length;
      return;
    }
    int first = Math.min(len, ring.length - writeIndex);
    b.getBytes(index, ring, writeIndex, first);
    if (first < len) {
      b.getBytes(index + first, ring, 0, len - first);
    }
    writeIndex = (writeIndex + len) % ring.length;
    histlen = Math.min(ring.length, histlen + len);
  }

  /**
   * Whether a replica asking to continue at {@code offset} (the next byte it needs) can be served:
   * {@code firstByte <= offset <= masterOffset + 1}.
   */
  public boolean canServe(long offset) {
    return histlen > 0 ? offset >= firstByteOffset() && offset <= masterOffset + 1
        : offset == masterOffset + 1;
  }

  /** The bytes from {@code offset} to the end (caller checked {@link #canServe}). */
  public byte[] copyFrom(long offset) {
    int len = (int) (masterOffset + 1 - offset);
    byte[] out = new byte[len];
    int start = (int) ((writeIndex - len + (long) ring.length * 2) % ring.length);
    int first = Math.min(len, ring.length - start);
    System.arraycopy(ring, start, out, 0, first);
    if (first < len) {
      System.arraycopy(ring, 0, out, first, len - first);
    }
    return out;
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that fit. */
  public void resize(int newSize) {
    newSize = Math.max(16 * 1024, newSize);
    if (newSize == ring.length) {
      return;
    }
    long keep = Math.min(histlen, newSize);
    byte[] tail = keep == 0 ? new byte[0] : copyFrom(masterOffset + 1 - keep);
    ring = new byte[newSize];
    System.arraycopy(tail, 0, ring, 0, tail.length);
    writeIndex = tail.length % newSize;
    histlen = tail.length;
  }
}
