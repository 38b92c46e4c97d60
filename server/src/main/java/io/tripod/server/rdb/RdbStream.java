package io.tripod.server.rdb;

import java.util.ArrayList;
import java.util.List;

/** A stream as read from an RDB (types 15 and 19), before the stream type builds itself. */
public final class RdbStream {
  /** One entry: id and alternating field/value. */
  public record Entry(long ms, long seq, List<byte[]> fieldsAndValues) {}

  /** A pending entry of a consumer group. */
  public record Pending(long ms, long seq, long deliveryTimeMillis, long deliveryCount) {}

  /** A consumer: name, seen time, and the ids it owns in the group PEL. */
  public record Consumer(byte[] name, long seenTimeMillis, List<long[]> pendingIds) {}

  /** A consumer group. */
  public record Group(byte[] name, long lastMs, long lastSeq, long entriesRead,
      List<Pending> pending, List<Consumer> consumers) {}

  public final List<Entry> entries = new ArrayList<>();
  public long length;
  public long lastMs;
  public long lastSeq;
  public long firstMs;
  public long firstSeq;
  public long maxDeletedMs;
  public long maxDeletedSeq;
  public long entriesAdded;
  public final List<Group> groups = new ArrayList<>();
}
