package io.tripod.server.types;

import io.tripod.server.rdb.Listpack;
import io.tripod.server.rdb.Rdb;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.rdb.RdbValue;
import io.tripod.server.rdb.RdbWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stream type, laid out as Redis 7.0's {@code t_stream.c}: entries live in nodes keyed by
 * their master ID (the radix tree's keys), each node mirrors one listpack (master fields, live and
 * deleted entries, its encoded byte size), so nodes split exactly where Redis splits them
 * ({@code stream-node-max-bytes}, {@code stream-node-max-entries}) and XINFO's radix tree figures
 * and the RDB payload match. IDs are pairs of unsigned 64-bit numbers kept in Java longs and
 * compared unsigned.
 *
 * <p>Thread safety: none; owned by the event loop like every value.
 */
public final class RStream implements Types.Value, RdbValue {

  /** A stream ID: two unsigned 64-bit numbers. */
  public record Id(long ms, long seq) implements Comparable<Id> {
    public static final Id MIN = new Id(0, 0);
    public static final Id MAX = new Id(-1L, -1L);

    @Override
    public int compareTo(Id o) {
      int c = Long.compareUnsigned(ms, o.ms);
      return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    /** The next ID, or null past the maximum. */
    public Id incr() {
      if (seq != -1L) {
        return new Id(ms, seq + 1);
      }
      return ms == -1L ? null : new Id(ms + 1, 0);
    }

    /** The previous ID, or null below 0-0. */
    public Id decr() {
      if (seq != 0) {
        return new Id(ms, seq - 1);
      }
      return ms == 0 ? null : new Id(ms - 1, -1L);
    }

    public boolean isZero() {
      return ms == 0 && seq == 0;
    }

    @Override
    public String toString() {
      return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    public byte[] bytes() {
      return toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The 16-byte big-endian form (radix tree keys, RDB PEL entries). */
    public byte[] encode() {
      byte[] b = new byte[16];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (ms >>> (56 - 8 * i));
        b[8 + i] = (byte) (seq >>> (56 - 8 * i));
      }
      return b;
    }
  }

  /** One entry; {@code fv} alternates field, value. Only {@code deleted} ever changes. */
  public static final class Entry {
    public final Id id;
    public final byte[][] fv;
    final boolean sameFields;
    final int lpSize;
    boolean deleted;

    Entry(Id id, byte[][] fv, boolean sameFields, int lpSize) {
      this.id = id;
      this.fv = fv;
      this.sameFields = sameFields;
      this.lpSize = lpSize;
    }
  }

  /** One listpack node of the radix tree. */
  static final class Node {
    final Id master;
    final byte[][] masterFields;
    final ArrayList<Entry> entries = new ArrayList<>();
    int count;
    int deleted;
    long entryBytes;
    final long fixedBytes;

    Node(Id master, byte[][] masterFields) {
      this.master = master;
      this.masterFields = masterFields;
      long f = 6 + 1 + intSize(masterFields.length) + intSize(0);
      for (byte[] mf : masterFields) {
        f += Listpack.entrySize(mf);
      }
      this.fixedBytes = f;
    }

    long lpBytes() {
      return fixedBytes + intSize(count) + intSize(deleted) + entryBytes;
    }

    int indexOf(Id id) {
      int lo = 0;
      int hi = entries.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = entries.get(mid).id.compareTo(id);
        if (c < 0) {
          lo = mid + 1;
        } else if (c > 0) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -(lo + 1);
    }

    Node copy() {
      Node n = new Node(master, masterFields);
      for (Entry e : entries) {
        Entry x = new Entry(e.id, e.fv, e.sameFields, e.lpSize);
        x.deleted = e.deleted;
        n.entries.add(x);
      }
      n.count = count;
      n.deleted = deleted;
      n.entryBytes = entryBytes;
      return n;
    }
  }

  /** A pending entry (Redis's NACK). */
  public static final class Nack {
    public long deliveryTime;
    public long deliveryCount;
    public Consumer consumer;

    public Nack(long deliveryTime, long deliveryCount, Consumer consumer) {
      this.deliveryTime = deliveryTime;
      this.deliveryCount = deliveryCount;
      this.consumer = consumer;
    }
  }

  public static final class Consumer {
    public final byte[] name;
    public long seenTime;
    public final TreeMap<Id, Nack> pel = new TreeMap<>();

    public Consumer(byte[] name, long seenTime) {
      this.name = name;
      this.seenTime = seenTime;
    }
  }

  public static final class Group {
    public final byte[] name;
    public Id lastId;
    public long entriesRead;
    public final TreeMap<Id, Nack> pel = new TreeMap<>();
    public final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);

    public Group(byte[] name, Id lastId, long entriesRead) {
      this.name = name;
      this.lastId = lastId;
      this.entriesRead = entriesRead;
    }
  }

  /** SCG_INVALID_ENTRIES_READ. */
  public static final long INVALID_ENTRIES_READ = -1;
  /** STREAM_LISTPACK_MAX_SIZE. */
  static final long LISTPACK_MAX_SIZE = 1L << 30;

  final TreeMap<Id, Node> nodes = new TreeMap<>();
  public long length;
  public Id lastId = Id.MIN;
  public Id firstId = Id.MIN;
  public Id maxDeletedId = Id.MIN;
  public long entriesAdded;
  public final TreeMap<byte[], Group> groups = new TreeMap<>(Arrays::compareUnsigned);

  @Override
  public String typeName() {
    return "stream";
  }

  @Override
  public String encoding() {
    return "stream";
  }

  // ---- sizes ---------------------------------------------------------------------------------

  /** Bytes of a listpack integer element including its backlen. */
  static int intSize(long v) {
    int l;
    if (v >= 0 && v <= 127) {
      l = 1;
    } else if (v >= -4096 && v <= 4095) {
      l = 2;
    } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
      l = 3;
    } else if (v >= -(1 << 23) && v < (1 << 23)) {
      l = 4;
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      l = 5;
    } else {
      l = 9;
    }
    return l + 1;
  }

  // ---- appending -----------------------------------------------------------------------------

  /**
   * Appends an entry with a (checked, greater than last) ID, splitting nodes as Redis's
   * {@code streamAppendItem}. Updates length, last id, entries-added and first id.
   */
  public void append(Id id, byte[][] fv, long nodeMaxBytes, long nodeMaxEntries) {
    int numFields = fv.length / 2;
    long totelelen = 0;
    for (byte[] b : fv) {
      totelelen += b.length;
    }
    Map.Entry<Id, Node> lastNode = nodes.lastEntry();
    Node node = lastNode == null ? null : lastNode.getValue();
    if (node != null) {
      long maxBytes = nodeMaxBytes;
      if (maxBytes == 0 || maxBytes > LISTPACK_MAX_SIZE) {
        maxBytes = LISTPACK_MAX_SIZE;
      }
      if (node.lpBytes() + totelelen >= maxBytes) {
        node = null;
      } else if (nodeMaxEntries != 0 && (long) node.count + node.deleted >= nodeMaxEntries) {
        node = null;
      }
    }
    byte[][] fields = new byte[numFields][];
    for (int i = 0; i < numFields; i++) {
      fields[i] = fv[2 * i];
    }
    if (node == null) {
      node = new Node(id, fields);
      nodes.put(id, node);
    }
    boolean same = node.masterFields.length == numFields;
    if (same) {
      for (int i = 0; i < numFields; i++) {
        if (!Arrays.equals(node.masterFields[i], fields[i])) {
          same = false;
          break;
        }
      }
    }
    int size = intSize(same ? 2 : 0) + intSize(id.ms - node.master.ms)
        + intSize(id.seq - node.master.seq);
    if (!same) {
      size += intSize(numFields);
    }
    for (int i = 0; i < numFields; i++) {
      if (!same) {
        size += Listpack.entrySize(fv[2 * i]);
      }
      size += Listpack.entrySize(fv[2 * i + 1]);
    }
    size += intSize(lpCount(numFields, same));
    node.entries.add(new Entry(id, fv, same, size));
    node.count++;
    node.entryBytes += size;
    length++;
    entriesAdded++;
    lastId = id;
    if (length == 1) {
      firstId = id;
    }
  }

  private static long lpCount(int numFields, boolean same) {
    return 3 + numFields + (same ? 0 : numFields + 1);
  }

  // ---- lookup and iteration ------------------------------------------------------------------

  public Entry get(Id id) {
    Map.Entry<Id, Node> ne = nodes.floorEntry(id);
    if (ne == null) {
      return null;
    }
    Node n = ne.getValue();
    int i = n.indexOf(id);
    if (i < 0) {
      return null;
    }
    Entry e = n.entries.get(i);
    return e.deleted ? null : e;
  }

  public boolean exists(Id id) {
    return get(id) != null;
  }

  /**
   * Live entries with {@code start <= id <= end}, ascending (or descending when {@code rev}), at
   * most {@code count} of them (0 = no limit).
   */
  public List<Entry> range(Id start, Id end, long count, boolean rev) {
    List<Entry> out = new ArrayList<>();
    if (start.compareTo(end) > 0) {
      return out;
    }
    if (!rev) {
      Id from = nodes.floorKey(start);
      Iterator<Node> it = (from == null ? nodes : nodes.tailMap(from, true)).values().iterator();
      while (it.hasNext()) {
        Node n = it.next();
        if (n.master.compareTo(end) > 0) {
          break;
        }
        int i = n.indexOf(start);
        if (i < 0) {
          i = -i - 1;
        }
        for (; i < n.entries.size(); i++) {
          Entry e = n.entries.get(i);
          if (e.id.compareTo(end) > 0) {
            return out;
          }
          if (e.deleted) {
            continue;
          }
          out.add(e);
          if (count != 0 && out.size() >= count) {
            return out;
          }
        }
      }
    } else {
      Iterator<Node> it = nodes.headMap(end, true).descendingMap().values().iterator();
      while (it.hasNext()) {
        Node n = it.next();
        int i = n.indexOf(end);
        if (i < 0) {
          i = -i - 2;
        }
        for (; i >= 0; i--) {
          Entry e = n.entries.get(i);
          if (e.id.compareTo(start) < 0) {
            return out;
          }
          if (e.deleted) {
            continue;
          }
          out.add(e);
          if (count != 0 && out.size() >= count) {
            return out;
          }
        }
      }
    }
    return out;
  }

  /** First (or last) live entry's ID; {@code MAX}/{@code MIN} when empty (streamGetEdgeID). */
  public Id edgeId(boolean first) {
    List<Entry> r = range(Id.MIN, Id.MAX, 1, !first);
    if (r.isEmpty()) {
      return first ? Id.MAX : Id.MIN;
    }
    return r.get(0).id;
  }

  /** streamLastValidID. */
  public Id lastValidId() {
    return edgeId(false);
  }

  // ---- deleting ------------------------------------------------------------------------------

  /** Deletes one entry (XDEL's low level); true if it existed. Does not touch first/max ids. */
  public boolean delete(Id id) {
    Map.Entry<Id, Node> ne = nodes.floorEntry(id);
    if (ne == null) {
      return false;
    }
    Node n = ne.getValue();
    int i = n.indexOf(id);
    if (i < 0 || n.entries.get(i).deleted) {
      return false;
    }
    if (n.count == 1) {
      nodes.remove(ne.getKey());
    } else {
      n.entries.get(i).deleted = true;
      n.count--;
      n.deleted++;
    }
    length--;
    return true;
  }

  /** Trim strategies. */
  public static final int TRIM_NONE = 0;
  public static final int TRIM_MAXLEN = 1;
  public static final int TRIM_MINID = 2;

  /** Redis's {@code streamTrim}: returns the number of entries removed. */
  public long trim(int strategy, long maxlen, Id minid, boolean approx, long limit) {
    if (strategy == TRIM_NONE) {
      return 0;
    }
    long deleted = 0;
    while (!nodes.isEmpty()) {
      if (strategy == TRIM_MAXLEN && length <= maxlen) {
        break;
      }
      Map.Entry<Id, Node> ne = nodes.firstEntry();
      Node n = ne.getValue();
      long entries = n.count;
      if (limit != 0 && deleted + entries > limit) {
        break;
      }
      boolean removeNode;
      if (strategy == TRIM_MAXLEN) {
        removeNode = length - entries >= maxlen;
      } else {
        Id last = n.entries.get(n.entries.size() - 1).id;
        removeNode = last.compareTo(minid) < 0;
      }
      if (removeNode) {
        nodes.remove(ne.getKey());
        length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) {
        break;
      }
      long fromNode = 0;
      for (Entry e : n.entries) {
        boolean stop = strategy == TRIM_MAXLEN ? length <= maxlen : e.id.compareTo(minid) >= 0;
        if (stop) {
          break;
        }
        if (!e.deleted) {
          e.deleted = true;
          fromNode++;
          length--;
        }
      }
      deleted += fromNode;
      n.count -= (int) fromNode;
      n.deleted += (int) fromNode;
      break;
    }
    firstId = length == 0 ? Id.MIN : edgeId(true);
    return deleted;
  }

  // ---- consumer group bookkeeping ------------------------------------------------------------

  /** streamRangeHasTombstones. */
  public boolean rangeHasTombstones(Id start, Id end) {
    if (length == 0 || maxDeletedId.isZero()) {
      return false;
    }
    if (firstId.compareTo(maxDeletedId) > 0) {
      return false;
    }
    Id s = start == null ? Id.MIN : start;
    Id e = end == null ? Id.MAX : end;
    return s.compareTo(maxDeletedId) <= 0 && maxDeletedId.compareTo(e) <= 0;
  }

  /** streamEstimateDistanceFromFirstEverEntry. */
  public long estimateDistanceFromFirstEverEntry(Id id) {
    if (entriesAdded == 0) {
      return 0;
    }
    if (length == 0 && id.compareTo(lastId) < 1) {
      return entriesAdded;
    }
    int cmpLast = id.compareTo(lastId);
    if (cmpLast == 0) {
      return entriesAdded;
    } else if (cmpLast > 0) {
      return INVALID_ENTRIES_READ;
    }
    int cmpIdFirst = id.compareTo(firstId);
    int cmpXdelFirst = maxDeletedId.compareTo(firstId);
    if (maxDeletedId.isZero() || cmpXdelFirst < 0) {
      if (cmpIdFirst < 0) {
        return entriesAdded - length;
      } else if (cmpIdFirst == 0) {
        return entriesAdded - length + 1;
      }
    }
    return INVALID_ENTRIES_READ;
  }

  /** The lag XINFO reports for a group, or null when it cannot be known. */
  public Long lag(Group g) {
    if (entriesAdded == 0) {
      return 0L;
    }
    if (g.entriesRead != INVALID_ENTRIES_READ && !rangeHasTombstones(g.lastId, null)) {
      return entriesAdded - g.entriesRead;
    }
    long er = estimateDistanceFromFirstEverEntry(g.lastId);
    return er == INVALID_ENTRIES_READ ? null : entriesAdded - er;
  }

  /** Advances a group past a delivered entry (the bookkeeping of streamReplyWithRange). */
  public void markDelivered(Group g, Id id) {
    if (id.compareTo(g.lastId) > 0) {
      if (g.entriesRead != INVALID_ENTRIES_READ && !rangeHasTombstones(id, null)) {
        g.entriesRead++;
      } else if (entriesAdded != 0) {
        g.entriesRead = estimateDistanceFromFirstEverEntry(id);
      }
      g.lastId = id;
    }
  }

  // ---- radix tree figures ----------------------------------------------------------------------

  /** Number of listpack nodes (XINFO radix-tree-keys). */
  public long radixTreeKeys() {
    return nodes.size();
  }

  /** Number of rax nodes Redis's radix tree holds for these keys (XINFO radix-tree-nodes). */
  public long radixTreeNodes() {
    if (nodes.isEmpty()) {
      return 1;
    }
    List<byte[]> keys = new ArrayList<>(nodes.size());
    for (Id id : nodes.keySet()) {
      keys.add(id.encode());
    }
    return raxCount(keys, 0, keys.size(), 0);
  }

  private static long raxCount(List<byte[]> keys, int from, int to, int depth) {
    if (to - from == 1) {
      return depth == 16 ? 1 : 2;
    }
    byte[] a = keys.get(from);
    byte[] b = keys.get(to - 1);
    int d = depth;
    while (d < 16 && a[d] == b[d]) {
      d++;
    }
    long n = d > depth ? 1 : 0;
    n++; // the branching node at depth d
    int i = from;
    while (i < to) {
      int j = i + 1;
      while (j < to && keys.get(j)[d] == keys.get(i)[d]) {
        j++;
      }
      n += raxCount(keys, i, j, d + 1);
      i = j;
    }
    return n;
  }

  // ---- copy ----------------------------------------------------------------------------------

  @Override
  public Object deepCopy() {
    RStream s = new RStream();
    for (Map.Entry<Id, Node> e : nodes.entrySet()) {
      s.nodes.put(e.getKey(), e.getValue().copy());
    }
    s.length = length;
    s.lastId = lastId;
    s.firstId = firstId;
    s.maxDeletedId = maxDeletedId;
    s.entriesAdded = entriesAdded;
    for (Group g : groups.values()) {
      Group ng = new Group(g.name, g.lastId, g.entriesRead);
      for (Consumer c : g.consumers.values()) {
        ng.consumers.put(c.name, new Consumer(c.name, c.seenTime));
      }
      for (Map.Entry<Id, Nack> pe : g.pel.entrySet()) {
        Nack old = pe.getValue();
        Consumer nc = old.consumer == null ? null : ng.consumers.get(old.consumer.name);
        Nack n = new Nack(old.deliveryTime, old.deliveryCount, nc);
        ng.pel.put(pe.getKey(), n);
        if (nc != null) {
          nc.pel.put(pe.getKey(), n);
        }
      }
      s.groups.put(ng.name, ng);
    }
    return s;
  }

  // ---- RDB -----------------------------------------------------------------------------------

  @Override
  public int rdbType() {
    return Rdb.TYPE_STREAM_LISTPACKS_2;
  }

  /** The listpack elements of one node, as {@code streamAppendItem} lays them out. */
  static List<byte[]> nodeElements(Node n) {
    List<byte[]> el = new ArrayList<>();
    el.add(num(n.count));
    el.add(num(n.deleted));
    el.add(num(n.masterFields.length));
    el.addAll(Arrays.asList(n.masterFields));
    el.add(num(0));
    for (Entry e : n.entries) {
      int nf = e.fv.length / 2;
      el.add(num((e.sameFields ? 2 : 0) | (e.deleted ? 1 : 0)));
      el.add(num(e.id.ms - n.master.ms));
      el.add(num(e.id.seq - n.master.seq));
      if (!e.sameFields) {
        el.add(num(nf));
      }
      for (int i = 0; i < nf; i++) {
        if (!e.sameFields) {
          el.add(e.fv[2 * i]);
        }
        el.add(e.fv[2 * i + 1]);
      }
      el.add(num(lpCount(nf, e.sameFields)));
    }
    return el;
  }

  private static byte[] num(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  /** An RDB length that may be an unsigned 64-bit value (IDs, entries_read of -1). */
  private static void writeULength(RdbWriter w, long v) throws IOException {
    if (v >= 0) {
      w.writeLength(v);
      return;
    }
    byte[] b = new byte[9];
    b[0] = (byte) 0x81;
    for (int i = 0; i < 8; i++) {
      b[1 + i] = (byte) (v >>> (56 - 8 * i));
    }
    w.raw(b);
  }

  @Override
  public void writeRdbPayload(RdbWriter w) throws IOException {
    w.writeLength(nodes.size());
    for (Node n : nodes.values()) {
      w.writeRawString(n.master.encode());
      w.writeString(Listpack.encode(nodeElements(n)));
    }
    w.writeLength(length);
    writeULength(w, lastId.ms);
    writeULength(w, lastId.seq);
    writeULength(w, firstId.ms);
    writeULength(w, firstId.seq);
    writeULength(w, maxDeletedId.ms);
    writeULength(w, maxDeletedId.seq);
    w.writeLength(entriesAdded);
    w.writeLength(groups.size());
    for (Group g : groups.values()) {
      w.writeString(g.name);
      writeULength(w, g.lastId.ms);
      writeULength(w, g.lastId.seq);
      writeULength(w, g.entriesRead);
      w.writeLength(g.pel.size());
      for (Map.Entry<Id, Nack> pe : g.pel.entrySet()) {
        w.raw(pe.getKey().encode());
        w.writeLongLe(pe.getValue().deliveryTime);
        w.writeLength(pe.getValue().deliveryCount);
      }
      w.writeLength(g.consumers.size());
      for (Consumer c : g.consumers.values()) {
        w.writeString(c.name);
        w.writeLongLe(c.seenTime);
        w.writeLength(c.pel.size());
        for (Id id : c.pel.keySet()) {
          w.raw(id.encode());
        }
      }
    }
  }

  /** Builds a stream from what the RDB reader parsed (nodes are re-split from live entries). */
  public static RStream fromRdb(RdbStream r, long nodeMaxBytes, long nodeMaxEntries) {
    RStream s = new RStream();
    for (RdbStream.Entry e : r.entries) {
      s.append(new Id(e.ms(), e.seq()), e.fieldsAndValues().toArray(new byte[0][]), nodeMaxBytes,
          nodeMaxEntries);
    }
    s.length = r.length;
    s.lastId = new Id(r.lastMs, r.lastSeq);
    s.firstId = new Id(r.firstMs, r.firstSeq);
    s.maxDeletedId = new Id(r.maxDeletedMs, r.maxDeletedSeq);
    s.entriesAdded = r.entriesAdded;
    for (RdbStream.Group rg : r.groups) {
      Group g = new Group(rg.name(), new Id(rg.lastMs(), rg.lastSeq()), rg.entriesRead());
      for (RdbStream.Pending p : rg.pending()) {
        g.pel.put(new Id(p.ms(), p.seq()), new Nack(p.deliveryTimeMillis(), p.deliveryCount(), null));
      }
      for (RdbStream.Consumer rc : rg.consumers()) {
        Consumer c = new Consumer(rc.name(), rc.seenTimeMillis());
        for (long[] id : rc.pendingIds()) {
          Id k = new Id(id[0], id[1]);
          Nack n = g.pel.get(k);
          if (n == null) {
            throw new io.tripod.server.rdb.RdbException(
                "Consumer PEL entry not found in group global PEL");
          }
          n.consumer = c;
          c.pel.put(k, n);
        }
        g.consumers.put(c.name, c);
      }
      s.groups.put(g.name, g);
    }
    return s;
  }
}
