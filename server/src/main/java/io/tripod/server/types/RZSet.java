package io.tripod.server.types;

import io.tripod.resp.CFormat;
import io.tripod.server.Client.ByteKey;
import io.tripod.server.rdb.Listpack;
import io.tripod.server.rdb.Rdb;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbValue;
import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.repl.RdbLoader;
import io.tripod.server.util.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A sorted set (Redis's {@code t_zset.c}): a skiplist with spans (O(log n) insert, delete, rank and
 * rank look-up) plus a hash from member to node. Order is by score, ties by member bytes
 * (unsigned, as memcmp).
 *
 * <p>The in-memory structure is the same for both encodings; {@link #encoding()} reports what
 * Redis 7.0 would use ({@code listpack} while small, {@code skiplist} after a conversion, which
 * never goes back). Listpack encoding also reproduces its one visible effect on data: scores are
 * stored through {@code double2ll}, so a {@code -0} score reads back as {@code 0}.
 *
 * <p>Not thread safe: owned by the server's event loop.
 */
public final class RZSet implements Types.Value, RdbValue, GeoIndex, Sortable {
  private static final int MAX_LEVEL = 32;

  /** A skiplist node; {@code score} and {@code ele} are read-only for callers. */
  public static final class Node {
    public final byte[] ele;
    public final double score;
    Node backward;
    final Node[] fwd;
    final long[] span;

    Node(byte[] ele, double score, int levels) {
      this.ele = ele;
      this.score = score;
      this.fwd = new Node[levels];
      this.span = new long[levels];
    }

    /** The next node in ascending order, or null. */
    public Node next() {
      return fwd[0];
    }

    /** The previous node in ascending order, or null. */
    public Node prev() {
      return backward;
    }
  }

  /** A score interval as ZRANGEBYSCORE parses it ({@code (} makes an end exclusive). */
  public record ScoreRange(double min, double max, boolean minex, boolean maxex) {
    public boolean gteMin(double v) {
      return minex ? v > min : v >= min;
    }

    public boolean lteMax(double v) {
      return maxex ? v < max : v <= max;
    }

    public boolean empty() {
      return min > max || (min == max && (minex || maxex));
    }
  }

  /** One end of a lex range: {@code -} (kind -1), {@code +} (kind 1) or a value (kind 0). */
  public record LexBound(int kind, byte[] value, boolean ex) {}

  /** A lex interval as ZRANGEBYLEX parses it. */
  public record LexRange(LexBound min, LexBound max) {
    static int cmp(LexBound a, byte[] v) {
      if (a.kind != 0) {
        return a.kind;
      }
      return Bytes.compare(a.value, v);
    }

    public boolean gteMin(byte[] v) {
      int c = -cmp(min, v);
      return min.ex ? c > 0 : c >= 0;
    }

    public boolean lteMax(byte[] v) {
      int c = cmp(max, v);
      return max.ex ? c > 0 : c >= 0;
    }

    public boolean empty() {
      int c;
      if (min.kind == max.kind && min.kind != 0) {
        c = 0;
      } else if (min.kind == -1 || max.kind == 1) {
        c = -1;
      } else if (min.kind == 1 || max.kind == -1) {
        c = 1;
      } else {
        c = Bytes.compare(min.value, max.value);
      }
      return c > 0 || (c == 0 && (min.ex || max.ex));
    }
  }

  private final Node header = new Node(null, 0, MAX_LEVEL);
  private Node tail;
  private int level = 1;
  private long length;
  private final HashMap<ByteKey, Node> dict = new HashMap<>();
  private boolean listpack;

  public RZSet(boolean listpack) {
    this.listpack = listpack;
  }

  /** An empty zset encoded as Redis 7.0 creates one for a first member of {@code firstLen} bytes. */
  public static RZSet create(int maxEntries, int maxValue, int firstLen) {
    return new RZSet(maxEntries != 0 && firstLen <= maxValue);
  }

  @Override
  public String typeName() {
    return "zset";
  }

  @Override
  public String encoding() {
    return listpack ? "listpack" : "skiplist";
  }

  public boolean isListpack() {
    return listpack;
  }

  public void convertToSkiplist() {
    listpack = false;
  }

  /** Redis's {@code zsetConvertToListpackIfNeeded}, used for computed results (stores, loads). */
  public void chooseEncoding(int maxEntries, int maxValue) {
    if (length > maxEntries) {
      listpack = false;
      return;
    }
    for (Node x = header.fwd[0]; x != null; x = x.fwd[0]) {
      if (x.ele.length > maxValue) {
        listpack = false;
        return;
      }
    }
    if (!listpack) {
      // Converting stores every score through the listpack's integer form.
      listpack = true;
      List<Node> neg = new ArrayList<>();
      for (Node x = header.fwd[0]; x != null; x = x.fwd[0]) {
        if (isNegZero(x.score)) {
          neg.add(x);
        }
      }
      for (Node x : neg) {
        remove(x.ele);
        insert(0.0, x.ele);
      }
    }
  }

  private static boolean isNegZero(double d) {
    return d == 0 && Double.doubleToRawLongBits(d) != 0;
  }

  public long size() {
    return length;
  }

  public Node first() {
    return header.fwd[0];
  }

  public Node last() {
    return tail;
  }

  /** The member's score, or null. */
  public Double score(byte[] ele) {
    Node n = dict.get(new ByteKey(ele));
    return n == null ? null : n.score;
  }

  public boolean contains(byte[] ele) {
    return dict.containsKey(new ByteKey(ele));
  }

  /**
   * Adds a new member or changes a member's score (the caller checked NaN). Converts to skiplist
   * first when a new member would exceed the listpack limits. Returns true if the member is new.
   */
  public boolean put(double score, byte[] ele, int maxEntries, int maxValue) {
    Node old = dict.get(new ByteKey(ele));
    if (old != null) {
      double s = listpack && isNegZero(score) ? 0.0 : score;
      if (s != old.score || Double.doubleToRawLongBits(s) != Double.doubleToRawLongBits(old.score)) {
        remove(ele);
        insert(s, ele);
      }
      return false;
    }
    if (listpack && (length + 1 > maxEntries || ele.length > maxValue)) {
      listpack = false;
    }
    insert(listpack && isNegZero(score) ? 0.0 : score, ele);
    return true;
  }

  private static int randomLevel() {
    int lvl = 1;
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (lvl < MAX_LEVEL && (r.nextInt() & 0xFFFF) < (0xFFFF / 4)) {
      lvl++;
    }
    return lvl;
  }

  private static boolean before(Node x, double score, byte[] ele) {
    return x.score < score || (x.score == score && Bytes.compare(x.ele, ele) < 0);
  }

  /** Inserts a member known to be absent. */
  public void insert(double score, byte[] ele) {
    Node[] update = new Node[MAX_LEVEL];
    long[] rank = new long[MAX_LEVEL];
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      rank[i] = i == level - 1 ? 0 : rank[i + 1];
      while (x.fwd[i] != null && before(x.fwd[i], score, ele)) {
        rank[i] += x.span[i];
        x = x.fwd[i];
      }
      update[i] = x;
    }
    int lvl = randomLevel();
    if (lvl > level) {
      for (int i = level; i < lvl; i++) {
        rank[i] = 0;
        update[i] = header;
        header.span[i] = length;
      }
      level = lvl;
    }
    Node n = new Node(ele, score, lvl);
    for (int i = 0; i < lvl; i++) {
      n.fwd[i] = update[i].fwd[i];
      update[i].fwd[i] = n;
      n.span[i] = update[i].span[i] - (rank[0] - rank[i]);
      update[i].span[i] = (rank[0] - rank[i]) + 1;
    }
    for (int i = lvl; i < level; i++) {
      update[i].span[i]++;
    }
    n.backward = update[0] == header ? null : update[0];
    if (n.fwd[0] != null) {
      n.fwd[0].backward = n;
    } else {
      tail = n;
    }
    length++;
    dict.put(new ByteKey(ele), n);
  }

  /** Removes a member; returns false if absent. */
  public boolean remove(byte[] ele) {
    Node target = dict.remove(new ByteKey(ele));
    if (target == null) {
      return false;
    }
    Node[] update = new Node[MAX_LEVEL];
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null && before(x.fwd[i], target.score, ele)) {
        x = x.fwd[i];
      }
      update[i] = x;
    }
    x = x.fwd[0];
    if (x != target) {
      throw new IllegalStateException("zset skiplist out of sync");
    }
    for (int i = 0; i < level; i++) {
      if (update[i].fwd[i] == x) {
        update[i].span[i] += x.span[i] - 1;
        update[i].fwd[i] = x.fwd[i];
      } else {
        update[i].span[i] -= 1;
      }
    }
    if (x.fwd[0] != null) {
      x.fwd[0].backward = x.backward;
    } else {
      tail = x.backward;
    }
    while (level > 1 && header.fwd[level - 1] == null) {
      level--;
    }
    length--;
    return true;
  }

  /** 0-based rank of a member in ascending order, or -1. */
  public long rank(byte[] ele) {
    Node n = dict.get(new ByteKey(ele));
    return n == null ? -1 : rankOf(n);
  }

  /** 0-based rank of a node of this set. */
  public long rankOf(Node n) {
    long rank = 0;
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null
          && (x.fwd[i].score < n.score || (x.fwd[i].score == n.score && Bytes.compare(x.fwd[i].ele, n.ele) <= 0))) {
        rank += x.span[i];
        x = x.fwd[i];
      }
      if (x == n) {
        return rank - 1;
      }
    }
    throw new IllegalStateException("zset node not found");
  }

  /** The node at 0-based ascending rank, or null. */
  public Node byRank(long rank0) {
    long target = rank0 + 1;
    if (rank0 < 0 || rank0 >= length) {
      return null;
    }
    long traversed = 0;
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null && traversed + x.span[i] <= target) {
        traversed += x.span[i];
        x = x.fwd[i];
      }
      if (traversed == target) {
        return x;
      }
    }
    return null;
  }

  // ---- ranges --------------------------------------------------------------------------------

  private boolean inRange(ScoreRange r) {
    if (r.empty() || tail == null) {
      return false;
    }
    return r.gteMin(tail.score) && r.lteMax(header.fwd[0].score);
  }

  /** The first node within the score range, or null. */
  public Node firstInRange(ScoreRange r) {
    if (!inRange(r)) {
      return null;
    }
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null && !r.gteMin(x.fwd[i].score)) {
        x = x.fwd[i];
      }
    }
    x = x.fwd[0];
    return x != null && r.lteMax(x.score) ? x : null;
  }

  /** The last node within the score range, or null. */
  public Node lastInRange(ScoreRange r) {
    if (!inRange(r)) {
      return null;
    }
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null && r.lteMax(x.fwd[i].score)) {
        x = x.fwd[i];
      }
    }
    return x != header && r.gteMin(x.score) ? x : null;
  }

  private boolean inLexRange(LexRange r) {
    if (r.empty() || tail == null) {
      return false;
    }
    return r.gteMin(tail.ele) && r.lteMax(header.fwd[0].ele);
  }

  /**
   * The first node within the lex range, or null. Listpacks are scanned linearly and skiplists
   * searched, as Redis does (the results differ only for sets with mixed scores).
   */
  public Node firstInLexRange(LexRange r) {
    if (!inLexRange(r)) {
      return null;
    }
    if (listpack) {
      for (Node x = header.fwd[0]; x != null; x = x.fwd[0]) {
        if (r.gteMin(x.ele)) {
          return r.lteMax(x.ele) ? x : null;
        }
      }
      return null;
    }
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null && !r.gteMin(x.fwd[i].ele)) {
        x = x.fwd[i];
      }
    }
    x = x.fwd[0];
    return x != null && r.lteMax(x.ele) ? x : null;
  }

  /** The last node within the lex range, or null. */
  public Node lastInLexRange(LexRange r) {
    if (!inLexRange(r)) {
      return null;
    }
    if (listpack) {
      for (Node x = tail; x != null; x = x.backward) {
        if (r.lteMax(x.ele)) {
          return r.gteMin(x.ele) ? x : null;
        }
      }
      return null;
    }
    Node x = header;
    for (int i = level - 1; i >= 0; i--) {
      while (x.fwd[i] != null && r.lteMax(x.fwd[i].ele)) {
        x = x.fwd[i];
      }
    }
    return x != header && r.gteMin(x.ele) ? x : null;
  }

  // ---- copies and persistence ----------------------------------------------------------------

  @Override
  public Object deepCopy() {
    RZSet c = new RZSet(listpack);
    for (Node x = header.fwd[0]; x != null; x = x.fwd[0]) {
      c.insert(x.score, x.ele);
    }
    return c;
  }

  /** The listpack element Redis stores for a score ({@code double2ll}, else {@code %.17g}). */
  public static byte[] listpackScore(double d) {
    if (d >= -4611686018427387904.0 && d <= 4611686018427387904.0) {
      long l = (long) d;
      if (l == d) {
        return Bytes.fromLong(l);
      }
    }
    return CFormat.doubleG17(d).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** How ZSCAN prints a score: the stored listpack form, or {@code d2string} for skiplists. */
  public byte[] scanScore(double d) {
    if (listpack) {
      return listpackScore(d);
    }
    return CFormat.doubleG17(d).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  public int rdbType() {
    return listpack ? Rdb.TYPE_ZSET_LISTPACK : Rdb.TYPE_ZSET_2;
  }

  @Override
  public void writeRdbPayload(RdbWriter w) throws IOException {
    if (listpack) {
      List<byte[]> items = new ArrayList<>((int) length * 2);
      for (Node x = header.fwd[0]; x != null; x = x.fwd[0]) {
        items.add(x.ele);
        items.add(listpackScore(x.score));
      }
      w.writeString(Listpack.encode(items));
    } else {
      w.writeLength(length);
      for (Node x = tail; x != null; x = x.backward) {
        w.writeString(x.ele);
        w.writeBinaryDouble(x.score);
      }
    }
  }

  /** Builds a loaded zset, encoded by size as Redis's loader does. */
  public static RZSet fromRdb(List<byte[]> members, double[] scores, int maxEntries, int maxValue) {
    RZSet z = new RZSet(false);
    for (int i = 0; i < members.size(); i++) {
      byte[] m = members.get(i);
      if (z.contains(m)) {
        throw new io.tripod.server.rdb.RdbException("Duplicate zset fields detected");
      }
      if (Double.isNaN(scores[i])) {
        throw new io.tripod.server.rdb.RdbException("Zset with NAN score detected");
      }
      z.insert(scores[i], m);
    }
    z.chooseEncoding(maxEntries, maxValue);
    return z;
  }

  /** Listpack limits applied to loaded zsets (the loader has no server reference). */
  public static volatile int loadMaxEntries = 128;

  public static volatile int loadMaxValue = 64;

  private static boolean factoryRegistered;

  /** Installs the zset builder into {@link RdbLoader#factory} (once), keeping the other builders. */
  public static synchronized void registerRdbFactory() {
    if (factoryRegistered) {
      return;
    }
    factoryRegistered = true;
    RdbReader.ValueFactory prev = RdbLoader.factory;
    RdbLoader.factory = new RdbReader.ValueFactory() {
      @Override
      public Object list(List<byte[]> elements) {
        return prev.list(elements);
      }

      @Override
      public Object set(List<byte[]> members) {
        return prev.set(members);
      }

      @Override
      public Object hash(List<byte[]> fieldsAndValues) {
        return prev.hash(fieldsAndValues);
      }

      @Override
      public Object zset(List<byte[]> members, double[] scores) {
        return fromRdb(members, scores, loadMaxEntries, loadMaxValue);
      }

      @Override
      public Object stream(io.tripod.server.rdb.RdbStream stream) {
        return prev.stream(stream);
      }
    };
  }

  // ---- GeoIndex (geo commands store into sorted sets) and Sortable (SORT) -------------------

  /** Adds or updates with the default encoding thresholds (geo stores; Redis's defaults). */
  @Override
  public void put(byte[] member, double score) {
    put(score, member, loadMaxEntries, loadMaxValue);
  }

  @Override
  public void rangeByScore(double min, double max, GeoIndex.Visitor v) {
    for (Node n = firstInRange(new ScoreRange(min, max, false, true)); n != null; n = n.next()) {
      if (n.score >= max || !v.visit(n.ele, n.score)) {
        return;
      }
    }
  }

  @Override
  public Sortable.Kind sortKind() {
    return Sortable.Kind.ZSET;
  }

  @Override
  public java.util.List<byte[]> elementsForSort() {
    java.util.List<byte[]> out = new java.util.ArrayList<>((int) Math.min(size(), Integer.MAX_VALUE));
    for (Node n = first(); n != null; n = n.next()) {
      out.add(n.ele);
    }
    return out;
  }

  /** Redis converts a listpack zset to a skiplist when SORT runs on it. */
  @Override
  public void beforeSort() {
    convertToSkiplist();
  }
}
