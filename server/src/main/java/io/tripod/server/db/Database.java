package io.tripod.server.db;

import java.util.function.Consumer;

/**
 * One numbered database (SELECT n): the keyspace and the set of keys that have an expiry.
 *
 * <p>This class only stores; the rules (lazy expiry on access, hits and misses, keyspace events,
 * propagation) are in {@link io.tripod.server.Server}'s look-ups and {@link
 * io.tripod.server.Expiry}, which wrap every access.
 *
 * <p>Thread safety: owned by the server's event loop.
 */
public final class Database {
  public final int id;
  Dict<Object> keys = newKeyDict();
  /** The keys with an expiry, for the active expire cycle and INFO keyspace's {@code expires=}. */
  Dict<KeyEntry> expires = new Dict<>();
  /** Estimate of the average TTL, maintained by the active expire cycle as Redis does. */
  public long avgTtlMillis;
  /** Where the active expire cycle stopped in this database. */
  public long expireCursor;

  public Database(int id) {
    this.id = id;
  }

  private static Dict<Object> newKeyDict() {
    return new Dict<>() {
      @Override
      protected Entry<Object> newEntry(byte[] key, int hash, Object value) {
        return new KeyEntry(key, hash, value);
      }
    };
  }

  public long size() {
    return keys.size();
  }

  public long expiresSize() {
    return expires.size();
  }

  /** Buckets of the expires table (the active expire cycle skips very sparse tables). */
  public long expiresSlots() {
    return expires.bucketCount();
  }

  /** The entry of {@code key}, expired or not. */
  public KeyEntry find(byte[] key) {
    return (KeyEntry) keys.find(key);
  }

  /** Presizes the empty tables for {@code keys} keys, {@code withExpiry} of them with a TTL. */
  public void expand(long keys, long withExpiry) {
    this.keys.expand(keys);
    expires.expand(withExpiry);
  }

  /** Stamp for entries created from now on (the epoch of the running snapshot, if any). */
  public int newEntryEpoch;

  public KeyEntry add(byte[] key, Object value) {
    KeyEntry e = (KeyEntry) keys.addNew(key, value);
    e.snapshotEpoch = newEntryEpoch;
    return e;
  }

  /** Adds {@code key} unless present (loading); null when it already exists. */
  public KeyEntry addIfAbsent(byte[] key, Object value) {
    KeyEntry e = (KeyEntry) keys.addIfAbsent(key, value);
    if (e != null) {
      e.snapshotEpoch = newEntryEpoch;
    }
    return e;
  }

  /** Replaces the value of an existing entry or adds it; an existing expiry is kept. */
  public KeyEntry put(byte[] key, Object value) {
    KeyEntry existing = find(key);
    if (existing != null) {
      existing.value = value;
      return existing;
    }
    return add(key, value);
  }

  public KeyEntry remove(byte[] key) {
    KeyEntry e = (KeyEntry) keys.remove(key);
    if (e != null && e.expireAtMillis != -1) {
      expires.remove(key);
    }
    return e;
  }

  public void setExpire(KeyEntry e, long atMillis) {
    if (e.expireAtMillis == -1) {
      expires.put(e.key, e);
    }
    e.expireAtMillis = atMillis;
  }

  /** Removes the expiry; returns true if there was one. */
  public boolean persist(KeyEntry e) {
    if (e.expireAtMillis == -1) {
      return false;
    }
    expires.remove(e.key);
    e.expireAtMillis = -1;
    return true;
  }

  public void clear() {
    keys.clear();
    expires.clear();
    avgTtlMillis = 0;
    expireCursor = 0;
  }

  public KeyEntry randomEntry() {
    return (KeyEntry) keys.randomEntry();
  }

  public KeyEntry randomExpiring() {
    Dict.Entry<KeyEntry> e = expires.randomEntry();
    return e == null ? null : e.value;
  }

  public long scan(long cursor, Consumer<KeyEntry> visitor) {
    return keys.scan(cursor, e -> visitor.accept((KeyEntry) e));
  }

  public long scanExpires(long cursor, Consumer<KeyEntry> visitor) {
    return expires.scan(cursor, e -> visitor.accept(e.value));
  }

  public void forEach(Consumer<KeyEntry> visitor) {
    keys.forEach(e -> visitor.accept((KeyEntry) e));
  }

  /** Incremental rehash work for the cron (Redis's activerehashing). */
  public void rehashForMillis(long millis) {
    keys.rehashForMillis(millis);
    expires.rehashForMillis(millis);
  }

  /** Swaps contents with another database (SWAPDB). */
  public void swapWith(Database other) {
    Dict<Object> k = keys;
    keys = other.keys;
    other.keys = k;
    Dict<KeyEntry> x = expires;
    expires = other.expires;
    other.expires = x;
    long t = avgTtlMillis;
    avgTtlMillis = other.avgTtlMillis;
    other.avgTtlMillis = t;
    // Redis swaps the expire cursor with the tables (it belongs to the expires dict).
    long cur = expireCursor;
    expireCursor = other.expireCursor;
    other.expireCursor = cur;
  }
}
