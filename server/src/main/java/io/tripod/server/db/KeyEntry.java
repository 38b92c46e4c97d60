package io.tripod.server.db;

/**
 * A key of the keyspace with what Redis keeps in the key's {@code robj} header: the expiry and the
 * LRU clock used by OBJECT IDLETIME (or the LFU counter by OBJECT FREQ).
 */
public final class KeyEntry extends Dict.Entry<Object> {
  /** Absolute expiry in unix milliseconds, or -1 for none. */
  public long expireAtMillis = -1;
  /** Last access, in seconds of {@link io.tripod.server.Clock} time (Redis's LRU clock). */
  public int lruSeconds;
  /** LFU counter (Redis's 8-bit logarithmic counter; starts at 5 = LFU_INIT_VAL). */
  public byte lfuCounter = 5;
  /**
   * The snapshot epoch this entry was last written to or created in. A snapshot with epoch E
   * writes an entry whose stamp is below E (once, then stamps it E) and skips entries stamped E:
   * those were created after the snapshot began or already written. See repl/Snapshot.
   */
  public int snapshotEpoch;

  KeyEntry(byte[] key, int hash, Object value) {
    super(key, hash, value);
  }
}
