package io.tripod.server.commands;

import io.tripod.server.Blocking;
import io.tripod.server.Client;
import io.tripod.server.Client.ByteKey;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RZSet;
import io.tripod.server.types.RZSet.LexBound;
import io.tripod.server.types.RZSet.LexRange;
import io.tripod.server.types.RZSet.Node;
import io.tripod.server.types.RZSet.ScoreRange;
import io.tripod.server.util.Bytes;
import io.tripod.server.util.Glob;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** Sorted-set commands ({@code t_zset.c}), including the blocking pops. */
public final class ZSetCommands {
  private ZSetCommands() {}

  /**
   * HOOK for set inputs of ZUNION/ZINTER/ZDIFF(STORE) and ZINTERCARD: returns the members of
   * {@code value} when it is a set (each then counts with score 1), or null when it is not. The
   * sets module installs it; until then only sorted sets are accepted as inputs.
   */
  public static volatile Function<Object, List<byte[]>> setMembers = v -> null;

  private static final byte[] ZPOPMIN = Bytes.of("ZPOPMIN");
  private static final byte[] ZPOPMAX = Bytes.of("ZPOPMAX");

  public static void register(CommandTable t) {
    RZSet.registerRdbFactory();
    t.add("zadd", -4, "write denyoom fast", 1, 1, 1, "write sortedset fast", (c, a) -> zadd(c, a, false));
    t.add("zincrby", 4, "write denyoom fast", 1, 1, 1, "write sortedset fast", (c, a) -> zadd(c, a, true));
    t.add("zrem", -3, "write fast", 1, 1, 1, "write sortedset fast", ZSetCommands::zrem);
    t.add("zcard", 2, "readonly fast", 1, 1, 1, "read sortedset fast", ZSetCommands::zcard);
    t.add("zcount", 4, "readonly fast", 1, 1, 1, "read sortedset fast", ZSetCommands::zcount);
    t.add("zlexcount", 4, "readonly fast", 1, 1, 1, "read sortedset fast", ZSetCommands::zlexcount);
    t.add("zscore", 3, "readonly fast", 1, 1, 1, "read sortedset fast", ZSetCommands::zscore);
    t.add("zmscore", -3, "readonly fast", 1, 1, 1, "read sortedset fast", ZSetCommands::zmscore);
    t.add("zrank", 3, "readonly fast", 1, 1, 1, "read sortedset fast", (c, a) -> zrank(c, a, false));
    t.add("zrevrank", 3, "readonly fast", 1, 1, 1, "read sortedset fast", (c, a) -> zrank(c, a, true));
    t.add("zrange", -4, "readonly", 1, 1, 1, "read sortedset slow", (c, a) -> zrange(c, a, 1, false, AUTO, AUTO));
    t.add("zrangebyscore", -4, "readonly", 1, 1, 1, "read sortedset slow",
        (c, a) -> zrange(c, a, 1, false, BY_SCORE, FORWARD));
    t.add("zrevrangebyscore", -4, "readonly", 1, 1, 1, "read sortedset slow",
        (c, a) -> zrange(c, a, 1, false, BY_SCORE, REVERSE));
    t.add("zrangebylex", -4, "readonly", 1, 1, 1, "read sortedset slow",
        (c, a) -> zrange(c, a, 1, false, BY_LEX, FORWARD));
    t.add("zrevrangebylex", -4, "readonly", 1, 1, 1, "read sortedset slow",
        (c, a) -> zrange(c, a, 1, false, BY_LEX, REVERSE));
    t.add("zrevrange", -4, "readonly", 1, 1, 1, "read sortedset slow", (c, a) -> zrange(c, a, 1, false, BY_RANK, REVERSE));
    t.add("zrangestore", -5, "write denyoom", 1, 2, 1, "write sortedset slow", (c, a) -> zrange(c, a, 2, true, AUTO, AUTO));
    t.add("zremrangebyrank", 4, "write", 1, 1, 1, "write sortedset slow", (c, a) -> zremrange(c, a, BY_RANK));
    t.add("zremrangebyscore", 4, "write", 1, 1, 1, "write sortedset slow", (c, a) -> zremrange(c, a, BY_SCORE));
    t.add("zremrangebylex", 4, "write", 1, 1, 1, "write sortedset slow", (c, a) -> zremrange(c, a, BY_LEX));
    t.add("zpopmin", -2, "write fast", 1, 1, 1, "write sortedset fast", (c, a) -> zpop(c, a, false));
    t.add("zpopmax", -2, "write fast", 1, 1, 1, "write sortedset fast", (c, a) -> zpop(c, a, true));
    t.add("bzpopmin", -3, "write noscript blocking fast", 1, -2, 1, "write sortedset fast blocking",
        (c, a) -> bzpop(c, a, false));
    t.add("bzpopmax", -3, "write noscript blocking fast", 1, -2, 1, "write sortedset fast blocking",
        (c, a) -> bzpop(c, a, true));
    t.add("zmpop", -4, "write movablekeys", 0, 0, 0, "write sortedset slow", (c, a) -> zmpop(c, a, 1, false));
    t.add("bzmpop", -5, "write blocking movablekeys", 0, 0, 0, "write sortedset slow blocking",
        (c, a) -> zmpop(c, a, 2, true));
    t.add("zunion", -3, "readonly movablekeys", 0, 0, 0, "read sortedset slow",
        (c, a) -> setOp(c, a, "zunion", null, 1, UNION, false));
    t.add("zinter", -3, "readonly movablekeys", 0, 0, 0, "read sortedset slow",
        (c, a) -> setOp(c, a, "zinter", null, 1, INTER, false));
    t.add("zdiff", -3, "readonly movablekeys", 0, 0, 0, "read sortedset slow",
        (c, a) -> setOp(c, a, "zdiff", null, 1, DIFF, false));
    t.add("zunionstore", -4, "write denyoom movablekeys", 1, 1, 1, "write sortedset slow",
        (c, a) -> setOp(c, a, "zunionstore", a[1], 2, UNION, false));
    t.add("zinterstore", -4, "write denyoom movablekeys", 1, 1, 1, "write sortedset slow",
        (c, a) -> setOp(c, a, "zinterstore", a[1], 2, INTER, false));
    t.add("zdiffstore", -4, "write denyoom movablekeys", 1, 1, 1, "write sortedset slow",
        (c, a) -> setOp(c, a, "zdiffstore", a[1], 2, DIFF, false));
    t.add("zintercard", -3, "readonly movablekeys", 0, 0, 0, "read sortedset slow",
        (c, a) -> setOp(c, a, "zintercard", null, 1, INTER, true));
    t.add("zrandmember", -2, "readonly", 1, 1, 1, "read sortedset slow", ZSetCommands::zrandmember);
    t.add("zscan", -3, "readonly", 1, 1, 1, "read sortedset slow", ZSetCommands::zscan);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static final int AUTO = 0;
  private static final int BY_RANK = 1;
  private static final int BY_SCORE = 2;
  private static final int BY_LEX = 3;
  private static final int FORWARD = 1;
  private static final int REVERSE = 2;

  /** The zset under {@code e}, or null after replying WRONGTYPE (e must not be null). */
  private static RZSet zsetOrWrongType(Client c, KeyEntry e) {
    if (e.value instanceof RZSet) {
      return (RZSet) e.value;
    }
    c.wrongType();
    return null;
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /**
   * Redis's {@code getDoubleFromObject}: the whole string must be a float for {@code strtod}, no
   * leading space, no NaN, no overflow to infinity and no underflow to zero.
   */
  public static Double strictDouble(byte[] arg) {
    Double d = Args.parseDouble(arg);
    if (d == null) {
      return null;
    }
    String s = str(arg).toLowerCase(java.util.Locale.ROOT);
    if (Double.isInfinite(d) && !s.contains("inf")) {
      return null;
    }
    if (d == 0 && hasNonZeroMantissa(s)) {
      return null;
    }
    return d;
  }

  private static boolean hasNonZeroMantissa(String s) {
    boolean hex = s.contains("0x");
    int start = hex ? s.indexOf("0x") + 2 : 0;
    for (int i = start; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (hex ? ch == 'p' : ch == 'e') {
        break;
      }
      if ((ch >= '1' && ch <= '9') || (hex && ch >= 'a' && ch <= 'f')) {
        return true;
      }
    }
    return false;
  }

  private static boolean cSpace(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0b || ch == '\f' || ch == '\r';
  }

  /** {@code strtod} that must consume everything: leading space allowed, "" is 0, no NaN. */
  private static Double rangeDouble(byte[] arg, int from) {
    int i = from;
    while (i < arg.length && cSpace((char) (arg[i] & 0xff))) {
      i++;
    }
    if (i == arg.length) {
      return i == from ? 0.0 : null;
    }
    return Args.parseDouble(Arrays.copyOfRange(arg, i, arg.length));
  }

  /** Redis's {@code zslParseRange}; null on error. */
  static ScoreRange parseScoreRange(byte[] min, byte[] max) {
    boolean minex = min.length > 0 && min[0] == '(';
    boolean maxex = max.length > 0 && max[0] == '(';
    Double lo = rangeDouble(min, minex ? 1 : 0);
    Double hi = rangeDouble(max, maxex ? 1 : 0);
    if (lo == null || hi == null) {
      return null;
    }
    return new ScoreRange(lo, hi, minex, maxex);
  }

  private static LexBound lexItem(byte[] b) {
    if (b.length == 0) {
      return null;
    }
    switch (b[0]) {
      case '+':
        return b.length == 1 ? new LexBound(1, null, true) : null;
      case '-':
        return b.length == 1 ? new LexBound(-1, null, true) : null;
      case '(':
        return new LexBound(0, Arrays.copyOfRange(b, 1, b.length), true);
      case '[':
        return new LexBound(0, Arrays.copyOfRange(b, 1, b.length), false);
      default:
        return null;
    }
  }

  /** Redis's {@code zslParseLexRange}; null on error. */
  static LexRange parseLexRange(byte[] min, byte[] max) {
    LexBound lo = lexItem(min);
    LexBound hi = lexItem(max);
    return lo == null || hi == null ? null : new LexRange(lo, hi);
  }

  /** Replies nodes as a ZRANGE-family array (RESP3 WITHSCORES: [member, score] pairs). */
  private static void replyNodes(Client c, List<Node> nodes, boolean withScores) {
    if (withScores && c.proto == 2) {
      c.array(nodes.size() * 2L);
    } else {
      c.array(nodes.size());
    }
    for (Node n : nodes) {
      if (withScores && c.proto > 2) {
        c.array(2);
      }
      c.bulk(n.ele);
      if (withScores) {
        c.doubleValue(n.score);
      }
    }
  }

  private static void deleteIfEmpty(Server s, Database db, byte[] key, RZSet z) {
    if (z.size() == 0) {
      s.deleteKey(db, key);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", key, db.id);
    }
  }

  // ---- ZADD / ZINCRBY ------------------------------------------------------------------------

  static void zadd(Client c, byte[][] a, boolean incrCommand) {
    Server s = c.server;
    boolean nx = false;
    boolean xx = false;
    boolean gt = false;
    boolean lt = false;
    boolean ch = false;
    boolean incr = incrCommand;
    int scoreIdx = 2;
    while (scoreIdx < a.length) {
      byte[] o = a[scoreIdx];
      if (Args.is(o, "nx")) {
        nx = true;
      } else if (Args.is(o, "xx")) {
        xx = true;
      } else if (Args.is(o, "ch")) {
        ch = true;
      } else if (Args.is(o, "incr")) {
        incr = true;
      } else if (Args.is(o, "gt")) {
        gt = true;
      } else if (Args.is(o, "lt")) {
        lt = true;
      } else {
        break;
      }
      scoreIdx++;
    }
    int elements = a.length - scoreIdx;
    if (elements % 2 != 0 || elements == 0) {
      c.syntaxError();
      return;
    }
    elements /= 2;
    if (nx && xx) {
      c.err("XX and NX options at the same time are not compatible");
      return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
      c.err("GT, LT, and/or NX options at the same time are not compatible");
      return;
    }
    if (incr && elements > 1) {
      c.err("INCR option supports a single increment-element pair");
      return;
    }
    double[] scores = new double[elements];
    for (int j = 0; j < elements; j++) {
      Double d = strictDouble(a[scoreIdx + j * 2]);
      if (d == null) {
        c.notFloat();
        return;
      }
      scores[j] = d;
    }
    byte[] key = a[1];
    KeyEntry e = s.lookupWrite(c.db, key);
    RZSet z;
    long added = 0;
    long updated = 0;
    long processed = 0;
    double newScore = 0;
    ServerConfig cfg = s.config;
    if (e != null) {
      z = zsetOrWrongType(c, e);
      if (z == null) {
        return;
      }
    } else if (xx) {
      z = null;
    } else {
      z = RZSet.create(Args.clampToInt(cfg.zsetMaxListpackEntries), Args.clampToInt(cfg.zsetMaxListpackValue), a[scoreIdx + 1].length);
      s.addKey(c.db, key, z);
    }
    boolean nan = false;
    if (z != null) {
      for (int j = 0; j < elements; j++) {
        double score = scores[j];
        byte[] ele = a[scoreIdx + 1 + j * 2];
        Double cur = z.score(ele);
        if (cur != null) {
          if (nx) {
            continue;
          }
          double ns = score;
          if (incr) {
            ns = cur + score;
            if (Double.isNaN(ns)) {
              nan = true;
              break;
            }
          }
          if ((lt && ns >= cur) || (gt && ns <= cur)) {
            continue;
          }
          newScore = ns;
          processed++;
          if (ns != cur) {
            z.put(ns, ele, Args.clampToInt(cfg.zsetMaxListpackEntries), Args.clampToInt(cfg.zsetMaxListpackValue));
            updated++;
          }
        } else if (!xx) {
          z.put(score, ele, Args.clampToInt(cfg.zsetMaxListpackEntries), Args.clampToInt(cfg.zsetMaxListpackValue));
          newScore = score;
          added++;
          processed++;
        }
      }
    }
    if (nan) {
      c.err("resulting score is not a number (NaN)");
    } else if (incr) {
      if (processed > 0) {
        c.doubleValue(newScore);
      } else {
        c.nullBulk();
      }
    } else {
      c.integer(ch ? added + updated : added);
    }
    if (added + updated > 0) {
      s.dirty += added + updated;
      if (e != null) {
        s.signalModifiedKey(c.db, key);
        s.blocking.signalKeyAsReady(c.db, key);
      }
      s.notifyKeyspaceEvent(Notifications.ZSET, incr ? "zincr" : "zadd", key, c.db.id);
    }
  }

  // ---- simple reads and ZREM -----------------------------------------------------------------

  static void zrem(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    if (e == null) {
      c.integer(0);
      return;
    }
    RZSet z = zsetOrWrongType(c, e);
    if (z == null) {
      return;
    }
    long deleted = 0;
    for (int j = 2; j < a.length; j++) {
      if (z.remove(a[j])) {
        deleted++;
      }
      if (z.size() == 0) {
        break;
      }
    }
    if (deleted > 0) {
      s.notifyKeyspaceEvent(Notifications.ZSET, "zrem", a[1], c.db.id);
      s.signalModifiedKey(c.db, a[1]);
      deleteIfEmpty(s, c.db, a[1], z);
      s.dirty += deleted;
    }
    c.integer(deleted);
  }

  /** A read look-up: null after replying {@code ifMissing} (or WRONGTYPE). */
  private static RZSet readZset(Client c, byte[] key, Runnable ifMissing) {
    KeyEntry e = c.server.lookupRead(c.db, key);
    if (e == null) {
      ifMissing.run();
      return null;
    }
    return zsetOrWrongType(c, e);
  }

  static void zcard(Client c, byte[][] a) {
    RZSet z = readZset(c, a[1], () -> c.integer(0));
    if (z != null) {
      c.integer(z.size());
    }
  }

  static void zcount(Client c, byte[][] a) {
    ScoreRange r = parseScoreRange(a[2], a[3]);
    if (r == null) {
      c.err("min or max is not a float");
      return;
    }
    RZSet z = readZset(c, a[1], () -> c.integer(0));
    if (z == null) {
      return;
    }
    Node first = z.firstInRange(r);
    if (first == null) {
      c.integer(0);
      return;
    }
    Node last = z.lastInRange(r);
    c.integer(z.rankOf(last) - z.rankOf(first) + 1);
  }

  static void zlexcount(Client c, byte[][] a) {
    LexRange r = parseLexRange(a[2], a[3]);
    if (r == null) {
      c.err("min or max not valid string range item");
      return;
    }
    RZSet z = readZset(c, a[1], () -> c.integer(0));
    if (z == null) {
      return;
    }
    long n = 0;
    for (Node x = z.firstInLexRange(r); x != null && r.lteMax(x.ele); x = x.next()) {
      n++;
    }
    c.integer(n);
  }

  static void zscore(Client c, byte[][] a) {
    RZSet z = readZset(c, a[1], c::nullBulk);
    if (z == null) {
      return;
    }
    Double d = z.score(a[2]);
    if (d == null) {
      c.nullBulk();
    } else {
      c.doubleValue(d);
    }
  }

  static void zmscore(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupRead(c.db, a[1]);
    RZSet z = null;
    if (e != null) {
      z = zsetOrWrongType(c, e);
      if (z == null) {
        return;
      }
    }
    c.array(a.length - 2);
    for (int j = 2; j < a.length; j++) {
      Double d = z == null ? null : z.score(a[j]);
      if (d == null) {
        c.nullBulk();
      } else {
        c.doubleValue(d);
      }
    }
  }

  static void zrank(Client c, byte[][] a, boolean reverse) {
    RZSet z = readZset(c, a[1], c::nullBulk);
    if (z == null) {
      return;
    }
    long r = z.rank(a[2]);
    if (r < 0) {
      c.nullBulk();
    } else {
      c.integer(reverse ? z.size() - 1 - r : r);
    }
  }

  // ---- ZRANGE family -------------------------------------------------------------------------

  /** Elements of a rank range (already sanitized semantics of genericZrangebyrankCommand). */
  static List<Node> rankRange(RZSet z, long start, long end, boolean reverse) {
    long llen = z.size();
    if (start < 0) {
      start = llen + start;
    }
    if (end < 0) {
      end = llen + end;
    }
    if (start < 0) {
      start = 0;
    }
    List<Node> out = new ArrayList<>();
    if (start > end || start >= llen) {
      return out;
    }
    if (end >= llen) {
      end = llen - 1;
    }
    long n = end - start + 1;
    Node x = reverse ? z.byRank(llen - 1 - start) : z.byRank(start);
    for (long i = 0; i < n && x != null; i++) {
      out.add(x);
      x = reverse ? x.prev() : x.next();
    }
    return out;
  }

  static List<Node> scoreRange(RZSet z, ScoreRange r, long offset, long limit, boolean reverse) {
    List<Node> out = new ArrayList<>();
    if (offset > 0 && offset >= z.size()) {
      return out;
    }
    Node x = reverse ? z.lastInRange(r) : z.firstInRange(r);
    return walk(out, x, offset, limit, reverse, n -> reverse ? r.gteMin(n.score) : r.lteMax(n.score));
  }

  /**
   * From {@code x}, skips {@code offset} nodes, then adds up to {@code limit} (negative: all) while
   * {@code inRange} holds, walking backwards when {@code reverse}.
   */
  private static List<Node> walk(List<Node> out, Node x, long offset, long limit, boolean reverse,
      java.util.function.Predicate<Node> inRange) {
    while (x != null && offset != 0) {
      offset--;
      x = reverse ? x.prev() : x.next();
    }
    while (x != null && limit != 0) {
      limit--;
      if (!inRange.test(x)) {
        break;
      }
      out.add(x);
      x = reverse ? x.prev() : x.next();
    }
    return out;
  }

  static List<Node> lexRange(RZSet z, LexRange r, long offset, long limit, boolean reverse) {
    List<Node> out = new ArrayList<>();
    if (offset > 0 && offset >= z.size()) {
      return out;
    }
    Node x = reverse ? z.lastInLexRange(r) : z.firstInLexRange(r);
    return walk(out, x, offset, limit, reverse, n -> reverse ? r.gteMin(n.ele) : r.lteMax(n.ele));
  }

  static void zrange(Client c, byte[][] a, int argStart, boolean store, int rangeType, int direction) {
    byte[] key = a[argStart];
    int minIdx = argStart + 1;
    int maxIdx = argStart + 2;
    boolean withScores = false;
    long offset = 0;
    long limit = -1;
    for (int j = argStart + 3; j < a.length; j++) {
      int left = a.length - j - 1;
      if (!store && Args.is(a[j], "withscores")) {
        withScores = true;
      } else if (Args.is(a[j], "limit") && left >= 2) {
        offset = Args.longOrReply(c, a[j + 1]);
        if (offset == Args.BAD) {
          return;
        }
        limit = Args.longOrReply(c, a[j + 2]);
        if (limit == Args.BAD) {
          return;
        }
        j += 2;
      } else if (direction == AUTO && Args.is(a[j], "rev")) {
        direction = REVERSE;
      } else if (rangeType == AUTO && Args.is(a[j], "bylex")) {
        rangeType = BY_LEX;
      } else if (rangeType == AUTO && Args.is(a[j], "byscore")) {
        rangeType = BY_SCORE;
      } else {
        c.syntaxError();
        return;
      }
    }
    if (direction == AUTO) {
      direction = FORWARD;
    }
    if (rangeType == AUTO) {
      rangeType = BY_RANK;
    }
    if (limit != -1 && rangeType == BY_RANK) {
      c.err("syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
      return;
    }
    if (withScores && rangeType == BY_LEX) {
      c.err("syntax error, WITHSCORES not supported in combination with BYLEX");
      return;
    }
    boolean reverse = direction == REVERSE;
    if (reverse && rangeType != BY_RANK) {
      int t = maxIdx;
      maxIdx = minIdx;
      minIdx = t;
    }
    long start = 0;
    long end = 0;
    ScoreRange sr = null;
    LexRange lr = null;
    if (rangeType == BY_RANK) {
      start = Args.longOrReply(c, a[minIdx]);
      if (start == Args.BAD) {
        return;
      }
      end = Args.longOrReply(c, a[maxIdx]);
      if (end == Args.BAD) {
        return;
      }
    } else if (rangeType == BY_SCORE) {
      sr = parseScoreRange(a[minIdx], a[maxIdx]);
      if (sr == null) {
        c.err("min or max is not a float");
        return;
      }
    } else {
      lr = parseLexRange(a[minIdx], a[maxIdx]);
      if (lr == null) {
        c.err("min or max not valid string range item");
        return;
      }
    }
    KeyEntry e = c.server.lookupRead(c.db, key);
    List<Node> result;
    if (e == null) {
      result = List.of();
    } else {
      RZSet z = zsetOrWrongType(c, e);
      if (z == null) {
        return;
      }
      if (rangeType == BY_RANK) {
        result = rankRange(z, start, end, reverse);
      } else if (rangeType == BY_SCORE) {
        result = scoreRange(z, sr, offset, limit, reverse);
      } else {
        result = lexRange(z, lr, offset, limit, reverse);
      }
    }
    if (store) {
      storeResult(c, a[1], result, "zrangestore");
    } else {
      replyNodes(c, result, withScores);
    }
  }

  /** Stores a computed result under {@code dst} (deleting it when empty) and replies the size. */
  private static void storeResult(Client c, byte[] dst, List<Node> result, String event) {
    if (!result.isEmpty()) {
      RZSet z = new RZSet(false);
      for (Node n : result) {
        z.insert(n.score, n.ele);
      }
      storeZset(c, dst, z, event);
    } else {
      storeZset(c, dst, null, event);
    }
  }

  private static void storeZset(Client c, byte[] dst, RZSet z, String event) {
    Server s = c.server;
    if (z != null && z.size() > 0) {
      z.chooseEncoding(Args.clampToInt(s.config.zsetMaxListpackEntries), Args.clampToInt(s.config.zsetMaxListpackValue));
      s.setKey(c.db, dst, z, false);
      c.integer(z.size());
      s.notifyKeyspaceEvent(Notifications.ZSET, event, dst, c.db.id);
      s.dirty++;
    } else {
      c.integer(0);
      if (s.lookupWrite(c.db, dst) != null && s.deleteKey(c.db, dst)) {
        s.notifyKeyspaceEvent(Notifications.GENERIC, "del", dst, c.db.id);
        s.dirty++;
      }
    }
  }

  // ---- ZREMRANGEBY* --------------------------------------------------------------------------

  static void zremrange(Client c, byte[][] a, int type) {
    Server s = c.server;
    long start = 0;
    long end = 0;
    ScoreRange sr = null;
    LexRange lr = null;
    if (type == BY_RANK) {
      start = Args.longOrReply(c, a[2]);
      if (start == Args.BAD) {
        return;
      }
      end = Args.longOrReply(c, a[3]);
      if (end == Args.BAD) {
        return;
      }
    } else if (type == BY_SCORE) {
      sr = parseScoreRange(a[2], a[3]);
      if (sr == null) {
        c.err("min or max is not a float");
        return;
      }
    } else {
      lr = parseLexRange(a[2], a[3]);
      if (lr == null) {
        c.err("min or max not valid string range item");
        return;
      }
    }
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    if (e == null) {
      c.integer(0);
      return;
    }
    RZSet z = zsetOrWrongType(c, e);
    if (z == null) {
      return;
    }
    List<Node> victims;
    if (type == BY_RANK) {
      victims = rankRange(z, start, end, false);
    } else if (type == BY_SCORE) {
      victims = scoreRange(z, sr, 0, -1, false);
    } else {
      victims = lexRange(z, lr, 0, -1, false);
    }
    for (Node n : victims) {
      z.remove(n.ele);
    }
    long deleted = victims.size();
    if (deleted > 0) {
      String ev = type == BY_RANK ? "zremrangebyrank" : type == BY_SCORE ? "zremrangebyscore" : "zremrangebylex";
      s.signalModifiedKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.ZSET, ev, a[1], c.db.id);
      deleteIfEmpty(s, c.db, a[1], z);
    }
    s.dirty += deleted;
    c.integer(deleted);
  }

  // ---- pops ----------------------------------------------------------------------------------

  /**
   * Redis's {@code genericZpopCommand}: pops from the first existing key among {@code keys}.
   * Returns the key popped from, or null (after replying an error or the empty reply).
   */
  static byte[] genericZpop(Client c, Database db, List<byte[]> keys, boolean max, boolean emitKey, long count,
      boolean nested, boolean nilWhenEmpty) {
    Server s = c.server;
    RZSet z = null;
    byte[] key = null;
    for (byte[] k : keys) {
      KeyEntry e = s.lookupWrite(db, k);
      if (e == null) {
        continue;
      }
      z = zsetOrWrongType(c, e);
      if (z == null) {
        return null;
      }
      key = k;
      break;
    }
    if (z == null) {
      if (nilWhenEmpty) {
        c.nullArray();
      } else {
        c.emptyArray();
      }
      return null;
    }
    if (count == 0) {
      c.emptyArray();
      return null;
    }
    if (count == -1) {
      count = 1;
    }
    long llen = z.size();
    long rangeLen = Math.min(count, llen);
    if (!nested && !emitKey) {
      c.array(rangeLen * 2);
    } else if (nested && !emitKey) {
      c.array(rangeLen);
    } else if (!nested) {
      c.array(rangeLen * 2 + 1);
      c.bulk(key);
    } else {
      c.array(2);
      c.bulk(key);
      c.array(rangeLen);
    }
    for (long i = 0; i < rangeLen; i++) {
      Node n = max ? z.last() : z.first();
      z.remove(n.ele);
      if (nested) {
        c.array(2);
      }
      c.bulk(n.ele);
      c.doubleValue(n.score);
    }
    s.dirty += rangeLen;
    s.signalModifiedKey(db, key);
    s.notifyKeyspaceEvent(Notifications.ZSET, max ? "zpopmax" : "zpopmin", key, db.id);
    deleteIfEmpty(s, db, key, z);
    return key;
  }

  static void zpop(Client c, byte[][] a, boolean max) {
    if (a.length > 3) {
      c.syntaxError();
      return;
    }
    long count = -1;
    if (a.length == 3) {
      Long v = Bytes.parseLongOrNull(a[2]);
      if (v == null || v < 0) {
        c.err("value is out of range, must be positive");
        return;
      }
      count = v;
    }
    boolean nested = c.proto > 2 && count != -1;
    genericZpop(c, c.db, List.of(a[1]), max, false, count, nested, false);
  }

  private static byte[][] popArgv(boolean max, byte[] key, long count) {
    if (count == -1) {
      return new byte[][] {max ? ZPOPMAX : ZPOPMIN, key};
    }
    return new byte[][] {max ? ZPOPMAX : ZPOPMIN, key, Bytes.fromLong(count > 0 ? count : 1)};
  }

  /** What a client blocked in BZPOPMIN/BZPOPMAX/BZMPOP waits with. */
  record PopWaiter(boolean max, long count, boolean nested) implements Blocking.Waiter {
    @Override
    public boolean tryServe(Client c, Database db, byte[] key) {
      Server s = c.server;
      KeyEntry e = s.lookupWrite(db, key);
      if (e == null || !(e.value instanceof RZSet) || ((RZSet) e.value).size() == 0) {
        return false;
      }
      genericZpop(c, db, List.of(key), max, true, count, nested, false);
      s.propagator.propagate(db.id, popArgv(max, key, count));
      return true;
    }

    @Override
    public void timeout(Client c) {
      c.nullArray();
    }
  }

  /** Redis's {@code blockingGenericZpopCommand}. */
  private static void blockingPop(Client c, List<byte[]> keys, byte[] timeoutArg, boolean max, long count,
      boolean nested) {
    long deadline = Blocking.parseTimeoutSeconds(c, timeoutArg);
    if (deadline < 0) {
      return;
    }
    Server s = c.server;
    for (byte[] k : keys) {
      KeyEntry e = s.lookupWrite(c.db, k);
      if (e == null) {
        continue;
      }
      RZSet z = zsetOrWrongType(c, e);
      if (z == null) {
        return;
      }
      if (z.size() == 0) {
        continue;
      }
      genericZpop(c, c.db, List.of(k), max, true, count, nested, true);
      c.propagateArgv = popArgv(max, k, count);
      return;
    }
    if (c.denyBlocking()) {
      c.nullArray();
      return;
    }
    s.blocking.block(c, c.db, keys, deadline, new PopWaiter(max, count, nested));
  }

  static void bzpop(Client c, byte[][] a, boolean max) {
    List<byte[]> keys = Arrays.asList(a).subList(1, a.length - 1);
    blockingPop(c, new ArrayList<>(keys), a[a.length - 1], max, -1, false);
  }

  private static long rangeLong(Client c, byte[] arg, long min, String msg) {
    Long v = Bytes.parseLongOrNull(arg);
    if (v == null || v < min) {
      c.err(msg);
      return Args.BAD;
    }
    return v;
  }

  static void zmpop(Client c, byte[][] a, int numkeysIdx, boolean block) {
    long numkeys = rangeLong(c, a[numkeysIdx], 1, "numkeys should be greater than 0");
    if (numkeys == Args.BAD) {
      return;
    }
    long whereIdx = numkeysIdx + numkeys + 1;
    if (whereIdx >= a.length) {
      c.syntaxError();
      return;
    }
    boolean max;
    if (Args.is(a[(int) whereIdx], "min")) {
      max = false;
    } else if (Args.is(a[(int) whereIdx], "max")) {
      max = true;
    } else {
      c.syntaxError();
      return;
    }
    long count = -1;
    for (int j = (int) whereIdx + 1; j < a.length; j++) {
      int more = a.length - 1 - j;
      if (count == -1 && Args.is(a[j], "count") && more > 0) {
        j++;
        count = rangeLong(c, a[j], 1, "count should be greater than 0");
        if (count == Args.BAD) {
          return;
        }
      } else {
        c.syntaxError();
        return;
      }
    }
    if (count == -1) {
      count = 1;
    }
    List<byte[]> keys = new ArrayList<>(Arrays.asList(a).subList(numkeysIdx + 1, (int) whereIdx));
    if (block) {
      blockingPop(c, keys, a[1], max, count, true);
    } else {
      byte[] k = genericZpop(c, c.db, keys, max, true, count, true, true);
      if (k != null) {
        c.propagateArgv = popArgv(max, k, count);
      }
    }
  }

  // ---- ZUNION / ZINTER / ZDIFF ---------------------------------------------------------------

  private static final int UNION = 0;
  private static final int INTER = 1;
  private static final int DIFF = 2;

  private static final class Src {
    RZSet z;
    double weight = 1.0;

    long size() {
      return z == null ? 0 : z.size();
    }
  }

  private static double aggregate(int aggr, double target, double val) {
    if (aggr == 0) {
      double t = target + val;
      return Double.isNaN(t) ? 0.0 : t;
    } else if (aggr == 1) {
      return val < target ? val : target;
    }
    return val > target ? val : target;
  }

  private static double weighted(Src s, double score) {
    double v = s.weight * score;
    return Double.isNaN(v) ? 0.0 : v;
  }

  static void setOp(Client c, byte[][] a, String cmdName, byte[] dstKey, int numkeysIdx, int op, boolean cardOnly) {
    Server s = c.server;
    long setnum = Args.longOrReply(c, a[numkeysIdx]);
    if (setnum == Args.BAD) {
      return;
    }
    if (setnum < 1) {
      c.err("at least 1 input key is needed for '" + cmdName + "' command");
      return;
    }
    if (setnum > a.length - (numkeysIdx + 1)) {
      c.syntaxError();
      return;
    }
    int n = (int) setnum;
    Src[] src = new Src[n];
    int j = numkeysIdx + 1;
    for (int i = 0; i < n; i++, j++) {
      src[i] = new Src();
      KeyEntry e = dstKey != null ? s.lookupWrite(c.db, a[j]) : s.lookupRead(c.db, a[j]);
      if (e != null) {
        if (e.value instanceof RZSet) {
          src[i].z = (RZSet) e.value;
        } else {
          List<byte[]> members = setMembers.apply(e.value);
          if (members == null) {
            c.wrongType();
            return;
          }
          // Set input: every member counts with score 1.
          RZSet tmp = new RZSet(false);
          for (byte[] m : members) {
            tmp.insert(1.0, m);
          }
          src[i].z = tmp;
        }
      }
    }
    int aggr = 0;
    boolean withScores = false;
    long limit = 0;
    int remaining = a.length - j;
    while (remaining > 0) {
      if (op != DIFF && !cardOnly && remaining >= n + 1 && Args.is(a[j], "weights")) {
        j++;
        remaining--;
        for (int i = 0; i < n; i++, j++, remaining--) {
          Double w = strictDouble(a[j]);
          if (w == null) {
            c.err("weight value is not a float");
            return;
          }
          src[i].weight = w;
        }
      } else if (op != DIFF && !cardOnly && remaining >= 2 && Args.is(a[j], "aggregate")) {
        j++;
        remaining--;
        if (Args.is(a[j], "sum")) {
          aggr = 0;
        } else if (Args.is(a[j], "min")) {
          aggr = 1;
        } else if (Args.is(a[j], "max")) {
          aggr = 2;
        } else {
          c.syntaxError();
          return;
        }
        j++;
        remaining--;
      } else if (dstKey == null && !cardOnly && Args.is(a[j], "withscores")) {
        j++;
        remaining--;
        withScores = true;
      } else if (cardOnly && remaining >= 2 && Args.is(a[j], "limit")) {
        j++;
        remaining--;
        Long l = Bytes.parseLongOrNull(a[j]);
        if (l == null || l < 0) {
          c.err("LIMIT can't be negative");
          return;
        }
        limit = l;
        j++;
        remaining--;
      } else {
        c.syntaxError();
        return;
      }
    }
    if (op != DIFF) {
      Arrays.sort(src, (x, y) -> Long.compare(x.size(), y.size()));
    }
    RZSet dst = new RZSet(false);
    long cardinality = 0;
    if (op == INTER) {
      if (src[0].size() > 0) {
        for (Node x = src[0].z.first(); x != null; x = x.next()) {
          double score = weighted(src[0], x.score);
          boolean all = true;
          for (int i = 1; i < n; i++) {
            Double other = src[i].z == src[0].z ? Double.valueOf(x.score) : src[i].z.score(x.ele);
            if (other == null) {
              all = false;
              break;
            }
            // Unlike the first set's, these products are not cleared of NaN (SUM then clears it).
            score = aggregate(aggr, score, src[i].weight * other);
          }
          if (!all) {
            continue;
          }
          if (cardOnly) {
            cardinality++;
            if (limit != 0 && cardinality >= limit) {
              break;
            }
          } else {
            dst.insert(score, x.ele);
          }
        }
      }
    } else if (op == UNION) {
      Map<ByteKey, double[]> acc = new LinkedHashMap<>();
      for (Src sr : src) {
        if (sr.size() == 0) {
          continue;
        }
        for (Node x = sr.z.first(); x != null; x = x.next()) {
          double score = weighted(sr, x.score);
          double[] cur = acc.get(new ByteKey(x.ele));
          if (cur == null) {
            acc.put(new ByteKey(x.ele), new double[] {score});
          } else {
            cur[0] = aggregate(aggr, cur[0], score);
          }
        }
      }
      for (Map.Entry<ByteKey, double[]> en : acc.entrySet()) {
        dst.insert(en.getValue()[0], en.getKey().bytes);
      }
    } else {
      if (src[0].size() > 0) {
        for (Node x = src[0].z.first(); x != null; x = x.next()) {
          boolean found = false;
          for (int i = 1; i < n && !found; i++) {
            found = src[i].z != null && src[i].z.contains(x.ele);
          }
          if (!found) {
            dst.insert(x.score, x.ele);
          }
        }
      }
    }
    if (dstKey != null) {
      String ev = op == UNION ? "zunionstore" : op == INTER ? "zinterstore" : "zdiffstore";
      storeZset(c, dstKey, dst, ev);
    } else if (cardOnly) {
      c.integer(cardinality);
    } else {
      List<Node> nodes = new ArrayList<>((int) dst.size());
      for (Node x = dst.first(); x != null; x = x.next()) {
        nodes.add(x);
      }
      replyNodes(c, nodes, withScores);
    }
  }

  // ---- ZRANDMEMBER / ZSCAN -------------------------------------------------------------------

  static void zrandmember(Client c, byte[][] a) {
    if (a.length >= 3) {
      Long l = Bytes.parseLongOrNull(a[2]);
      if (l == null) {
        c.notInteger();
        return;
      }
      if (l == Long.MIN_VALUE) {
        c.err("value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        return;
      }
      boolean withScores = false;
      if (a.length > 4 || (a.length == 4 && !Args.is(a[3], "withscores"))) {
        c.syntaxError();
        return;
      } else if (a.length == 4) {
        withScores = true;
        if (l < -Long.MAX_VALUE / 2 || l > Long.MAX_VALUE / 2) {
          c.err("value is out of range");
          return;
        }
      }
      randWithCount(c, a[1], l, withScores);
      return;
    }
    RZSet z = readZset(c, a[1], c::nullBulk);
    if (z == null) {
      return;
    }
    Node n = z.byRank(ThreadLocalRandom.current().nextLong(z.size()));
    c.bulk(n.ele);
  }

  private static void randWithCount(Client c, byte[] key, long count, boolean withScores) {
    RZSet z = readZset(c, key, c::emptyArray);
    if (z == null) {
      return;
    }
    long size = z.size();
    boolean uniq = count >= 0;
    if (!uniq) {
      count = -count;
    }
    if (count == 0) {
      c.emptyArray();
      return;
    }
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    if (!uniq || count == 1) {
      c.array(withScores && c.proto == 2 ? count * 2 : count);
      for (long i = 0; i < count; i++) {
        Node n = z.byRank(rnd.nextLong(size));
        if (withScores && c.proto > 2) {
          c.array(2);
        }
        c.bulk(n.ele);
        if (withScores) {
          c.doubleValue(n.score);
        }
      }
      return;
    }
    if (count >= size) {
      // The whole set, in descending order as 7.0 replies it.
      replyNodes(c, rankRange(z, 0, -1, true), withScores);
      return;
    }
    List<Node> all = rankRange(z, 0, -1, false);
    int k = (int) count;
    for (int i = 0; i < k; i++) {
      int r = i + rnd.nextInt(all.size() - i);
      Node t = all.get(i);
      all.set(i, all.get(r));
      all.set(r, t);
    }
    replyNodes(c, all.subList(0, k), withScores);
  }

  /** Redis's {@code parseScanCursorOrReply} ({@code strtoul}); null when invalid. */
  static BigInteger parseCursor(byte[] b) {
    if (b.length == 0) {
      return BigInteger.ZERO;
    }
    String s = str(b);
    if (cSpace(s.charAt(0))) {
      return null;
    }
    int i = 0;
    boolean neg = false;
    if (s.charAt(0) == '+' || s.charAt(0) == '-') {
      neg = s.charAt(0) == '-';
      i++;
    }
    if (i == s.length()) {
      return null;
    }
    for (int k = i; k < s.length(); k++) {
      if (s.charAt(k) < '0' || s.charAt(k) > '9') {
        return null;
      }
    }
    BigInteger v = new BigInteger(s.substring(i));
    BigInteger max = BigInteger.ONE.shiftLeft(64);
    if (v.compareTo(max) >= 0) {
      return null;
    }
    return neg ? max.subtract(v).mod(max) : v;
  }

  static void zscan(Client c, byte[][] a) {
    BigInteger cursor = parseCursor(a[2]);
    if (cursor == null) {
      c.err("invalid cursor");
      return;
    }
    KeyEntry e = c.server.lookupRead(c.db, a[1]);
    if (e == null) {
      c.array(2);
      c.bulk(Bytes.of("0"));
      c.emptyArray();
      return;
    }
    RZSet z = zsetOrWrongType(c, e);
    if (z == null) {
      return;
    }
    long count = 10;
    byte[] pattern = null;
    for (int i = 3; i < a.length; ) {
      int left = a.length - i;
      if (Args.is(a[i], "count") && left >= 2) {
        count = Args.longOrReply(c, a[i + 1]);
        if (count == Args.BAD) {
          return;
        }
        if (count < 1) {
          c.syntaxError();
          return;
        }
        i += 2;
      } else if (Args.is(a[i], "match") && left >= 2) {
        pattern = a[i + 1];
        if (pattern.length == 1 && pattern[0] == '*') {
          pattern = null;
        }
        i += 2;
      } else {
        c.syntaxError();
        return;
      }
    }
    List<Node> batch = new ArrayList<>();
    long next;
    if (z.isListpack()) {
      for (Node x = z.first(); x != null; x = x.next()) {
        batch.add(x);
      }
      next = 0;
    } else {
      // Skiplist: the cursor is a rank; elements present for the whole scan are returned.
      long from = cursor.bitLength() > 62 ? z.size() : cursor.longValue();
      Node x = z.byRank(from);
      long taken = 0;
      while (x != null && taken < count) {
        batch.add(x);
        x = x.next();
        taken++;
      }
      next = x == null ? 0 : from + taken;
    }
    List<byte[]> out = new ArrayList<>();
    for (Node n : batch) {
      if (pattern != null && !Glob.match(pattern, n.ele, false)) {
        continue;
      }
      out.add(n.ele);
      out.add(z.scanScore(n.score));
    }
    c.array(2);
    c.bulk(Bytes.fromLong(next));
    c.bulks(out);
  }

}
