package io.tripod.server.commands;

import io.tripod.server.Blocking;
import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.repl.RdbLoader;
import io.tripod.server.types.RStream;
import io.tripod.server.types.RStream.Consumer;
import io.tripod.server.types.RStream.Entry;
import io.tripod.server.types.RStream.Group;
import io.tripod.server.types.RStream.Id;
import io.tripod.server.types.RStream.Nack;
import io.tripod.server.util.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Stream commands ({@code t_stream.c} of Redis 7.0): XADD, XRANGE, XREAD(GROUP) with blocking,
 * consumer groups, XPENDING/XCLAIM/XAUTOCLAIM, XINFO, XSETID. Consumer group reads propagate as
 * Redis does: each delivered entry as an {@code XCLAIM ... FORCE JUSTID LASTID}, NOACK reads as
 * {@code XGROUP SETID ... ENTRIESREAD}, several writes of one command wrapped in MULTI/EXEC.
 */
public final class StreamCommands {
  private StreamCommands() {}

  private static final RStream WRONG = new RStream();

  private static final String INVALID_ID = "Invalid stream ID specified as stream command argument";

  public static void register(CommandTable t) {
    t.add("xadd", -5, "write denyoom fast", 1, 1, 1, "write stream fast", StreamCommands::xadd);
    t.add("xlen", 2, "readonly fast", 1, 1, 1, "read stream fast", StreamCommands::xlen);
    t.add("xrange", -4, "readonly", 1, 1, 1, "read stream slow", (c, a) -> xrange(c, a, false));
    t.add("xrevrange", -4, "readonly", 1, 1, 1, "read stream slow", (c, a) -> xrange(c, a, true));
    t.add("xdel", -3, "write fast", 1, 1, 1, "write stream fast", StreamCommands::xdel);
    t.add("xtrim", -4, "write", 1, 1, 1, "write stream slow", StreamCommands::xtrim);
    t.add("xread", -4, "readonly blocking movablekeys", 0, 0, 0, "read stream slow blocking",
        (c, a) -> xread(c, a, false));
    t.add("xreadgroup", -7, "write blocking movablekeys", 0, 0, 0, "write stream slow blocking",
        (c, a) -> xread(c, a, true));
    t.add("xack", -4, "write fast", 1, 1, 1, "write stream fast", StreamCommands::xack);
    t.add("xpending", -3, "readonly", 1, 1, 1, "read stream slow", StreamCommands::xpending);
    t.add("xclaim", -6, "write fast", 1, 1, 1, "write stream fast", StreamCommands::xclaim);
    t.add("xautoclaim", -6, "write fast", 1, 1, 1, "write stream fast", StreamCommands::xautoclaim);
    t.add("xsetid", -3, "write denyoom fast", 1, 1, 1, "write stream fast", StreamCommands::xsetid);
    CommandSpec g = t.add("xgroup", -2, "", 0, 0, 0, "slow", (c, a) -> {});
    t.sub(g, "create", -5, "write denyoom", 2, 2, 1, "write stream slow", StreamCommands::xgroup);
    t.sub(g, "setid", -5, "write", 2, 2, 1, "write stream slow", StreamCommands::xgroup);
    t.sub(g, "destroy", 4, "write", 2, 2, 1, "write stream slow", StreamCommands::xgroup);
    t.sub(g, "createconsumer", 5, "write denyoom", 2, 2, 1, "write stream slow",
        StreamCommands::xgroup);
    t.sub(g, "delconsumer", 5, "write", 2, 2, 1, "write stream slow", StreamCommands::xgroup);
    t.sub(g, "help", 2, "loading stale", 0, 0, 0, "stream slow", StreamCommands::xgroup);
    CommandSpec i = t.add("xinfo", -2, "", 0, 0, 0, "slow", (c, a) -> {});
    t.sub(i, "stream", -3, "readonly", 2, 2, 1, "read stream slow", StreamCommands::xinfo);
    t.sub(i, "groups", 3, "readonly", 2, 2, 1, "read stream slow", StreamCommands::xinfo);
    t.sub(i, "consumers", 4, "readonly", 2, 2, 1, "read stream slow", StreamCommands::xinfo);
    t.sub(i, "help", 2, "loading stale", 0, 0, 0, "stream slow", StreamCommands::xinfo);
    installRdbFactory();
  }

  /**
   * Wraps the loader's value factory so RDB streams become {@link RStream}s; the other types go to
   * the factory that was there before. Every Server registers the commands, so this first asks the
   * current factory (whoever wrapped it since) whether it already builds streams.
   */
  private static synchronized void installRdbFactory() {
    RdbReader.ValueFactory current = RdbLoader.factory;
    try {
      if (current.stream(new RdbStream()) instanceof RStream) {
        return;
      }
    } catch (RuntimeException notYet) {
      // The placeholder factory refuses streams: install ours.
    }
    RdbLoader.factory = new StreamFactory(current);
  }

  private static final class StreamFactory implements RdbReader.ValueFactory {
    private final RdbReader.ValueFactory prev;

    StreamFactory(RdbReader.ValueFactory prev) {
      this.prev = prev;
    }

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
      return prev.zset(members, scores);
    }

    @Override
    public Object stream(RdbStream stream) {
      // Redis's defaults; the loader has no server at hand (node layout is not observable
      // beyond XINFO's radix tree figures).
      return RStream.fromRdb(stream, 4096, 100);
    }
  }

  // ---- lookups -------------------------------------------------------------------------------

  private static RStream read(Client c, byte[] key) {
    KeyEntry e = c.server.lookupRead(c.db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RStream)) {
      c.wrongType();
      return WRONG;
    }
    return (RStream) e.value;
  }

  private static RStream write(Client c, Database db, byte[] key) {
    KeyEntry e = c.server.lookupWrite(db, key);
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RStream)) {
      c.wrongType();
      return WRONG;
    }
    return (RStream) e.value;
  }

  // ---- ID parsing ----------------------------------------------------------------------------

  private static boolean isSpace(int ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0b || ch == '\f' || ch == '\r';
  }

  /** Redis's {@code string2ull} over {@code b[from, to)}: string2ll, else strtoull rules. */
  static boolean string2ull(byte[] b, int from, int to, long[] out) {
    byte[] s = Arrays.copyOfRange(b, from, to);
    Long ll = Bytes.parseLongOrNull(s);
    if (ll != null) {
      if (ll < 0) {
        return false;
      }
      out[0] = ll;
      return true;
    }
    int i = 0;
    int n = s.length;
    if (n == 0) {
      return false;
    }
    while (i < n && isSpace(s[i])) {
      i++;
    }
    boolean neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
      neg = s[i] == '-';
      i++;
    }
    if (i >= n || s[i] < '0' || s[i] > '9') {
      return false;
    }
    long v = 0;
    for (; i < n; i++) {
      int d = s[i] - '0';
      if (d < 0 || d > 9) {
        return false;
      }
      // overflow check for unsigned v*10+d
      if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) {
        return false;
      }
      long m = v * 10;
      long r = m + d;
      if (Long.compareUnsigned(r, m) < 0) {
        return false;
      }
      v = r;
    }
    out[0] = neg ? -v : v;
    return true;
  }

  /**
   * streamGenericParseIDOrReply without the reply: null when invalid. {@code seqGiven}, when not
   * null, receives whether the sequence was given (false for {@code ms-*}).
   */
  static Id parseId(byte[] arg, long missingSeq, boolean strict, boolean[] seqGiven) {
    int len = arg.length;
    if (len > 127) {
      return null;
    }
    for (int i = 0; i < len; i++) {
      if (arg[i] == 0) {
        len = i;
        break;
      }
    }
    boolean single = len == 1;
    if (strict && single && (arg[0] == '-' || arg[0] == '+')) {
      return null;
    }
    if (seqGiven != null) {
      seqGiven[0] = true;
    }
    if (single && arg[0] == '-') {
      return Id.MIN;
    }
    if (single && arg[0] == '+') {
      return Id.MAX;
    }
    int dash = -1;
    for (int i = 0; i < len; i++) {
      if (arg[i] == '-') {
        dash = i;
        break;
      }
    }
    long[] v = new long[1];
    if (!string2ull(arg, 0, dash < 0 ? len : dash, v)) {
      return null;
    }
    long ms = v[0];
    long seq;
    if (dash >= 0) {
      if (seqGiven != null && len - dash - 1 == 1 && arg[dash + 1] == '*') {
        seq = 0;
        seqGiven[0] = false;
      } else if (string2ull(arg, dash + 1, len, v)) {
        seq = v[0];
      } else {
        return null;
      }
    } else {
      seq = missingSeq;
    }
    return new Id(ms, seq);
  }

  private static Id parseIdOrReply(Client c, byte[] arg, long missingSeq, boolean strict) {
    Id id = parseId(arg, missingSeq, strict, null);
    if (id == null) {
      c.err(INVALID_ID);
    }
    return id;
  }

  /** streamParseIntervalIDOrReply: {@code exclusive[0]} set for a {@code (} prefix. */
  private static Id parseIntervalOrReply(Client c, byte[] arg, long missingSeq, boolean[] exclusive) {
    exclusive[0] = arg.length > 1 && arg[0] == '(';
    if (exclusive[0]) {
      return parseIdOrReply(c, Arrays.copyOfRange(arg, 1, arg.length), missingSeq, true);
    }
    return parseIdOrReply(c, arg, missingSeq, false);
  }

  // ---- replies -------------------------------------------------------------------------------

  static void replyEntry(Client c, Entry e) {
    c.array(2);
    c.bulk(e.id.bytes());
    c.array(e.fv.length);
    for (byte[] b : e.fv) {
      c.bulk(b);
    }
  }

  private static void replyEntries(Client c, List<Entry> list) {
    c.array(list.size());
    for (Entry e : list) {
      replyEntry(c, e);
    }
  }

  private static void subcommandSyntaxError(Client c, byte[][] a) {
    String cmd = new String(a[0], StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
    String sub = new String(a[1], StandardCharsets.UTF_8);
    if (sub.length() > 128) {
      sub = sub.substring(0, 128);
    }
    c.err("unknown subcommand or wrong number of arguments for '" + sub + "'. Try " + cmd
        + " HELP.");
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  // ---- propagation ---------------------------------------------------------------------------

  private static final byte[] XCLAIM = Bytes.of("XCLAIM");
  private static final byte[] XGROUP = Bytes.of("XGROUP");
  private static final byte[] SETID = Bytes.of("SETID");
  private static final byte[] CREATECONSUMER = Bytes.of("CREATECONSUMER");
  private static final byte[] ENTRIESREAD = Bytes.of("ENTRIESREAD");
  private static final byte[] TIME = Bytes.of("TIME");
  private static final byte[] RETRYCOUNT = Bytes.of("RETRYCOUNT");
  private static final byte[] FORCE = Bytes.of("FORCE");
  private static final byte[] JUSTID = Bytes.of("JUSTID");
  private static final byte[] LASTID = Bytes.of("LASTID");
  private static final byte[] ZERO = Bytes.of("0");
  private static final byte[] EQUALS = Bytes.of("=");
  private static final byte[][] MULTI = {Bytes.of("MULTI")};
  private static final byte[][] EXEC = {Bytes.of("EXEC")};
  private static final byte[][] NO_PROPAGATION = new byte[0][];

  private static byte[][] xclaimArgv(byte[] key, byte[] groupName, Group g, Id id, Nack n) {
    return new byte[][] {XCLAIM, key, groupName, n.consumer.name, ZERO, id.bytes(), TIME,
        Bytes.fromLong(n.deliveryTime), RETRYCOUNT, Bytes.fromLong(n.deliveryCount), FORCE,
        JUSTID, LASTID, g.lastId.bytes()};
  }

  private static byte[][] setIdArgv(byte[] key, byte[] groupName, Group g) {
    return new byte[][] {XGROUP, SETID, key, groupName, g.lastId.bytes(), ENTRIESREAD,
        Bytes.fromLong(g.entriesRead)};
  }

  /** Sends a command's also-propagated writes (MULTI/EXEC around several, as Redis 7.0). */
  private static void propagateAll(Client c, int dbId, List<byte[][]> ops) {
    if (ops.isEmpty()) {
      return;
    }
    Server s = c.server;
    boolean wrap = ops.size() > 1 && !c.inExec;
    if (wrap) {
      s.propagate(dbId, MULTI);
    }
    for (byte[][] op : ops) {
      s.propagate(dbId, op);
    }
    if (wrap) {
      s.propagate(dbId, EXEC);
    }
  }

  // ---- XADD / XTRIM --------------------------------------------------------------------------

  /** Parsed XADD/XTRIM options (streamAddTrimArgs). */
  private static final class TrimArgs {
    Id id;
    boolean idGiven;
    boolean seqGiven = true;
    boolean noMkStream;
    int strategy = RStream.TRIM_NONE;
    int strategyArgIdx;
    boolean approx;
    long maxlen = -1;
    Id minid = Id.MIN;
    long limit;
  }

  /** streamParseAddOrTrimArgsOrReply: returns the ID position for XADD, or -1 after an error. */
  private static int parseAddOrTrim(Client c, byte[][] a, TrimArgs args, boolean xadd) {
    int i = 2;
    boolean limitGiven = false;
    for (; i < a.length; i++) {
      int moreargs = a.length - 1 - i;
      byte[] opt = a[i];
      if (xadd && opt.length == 1 && opt[0] == '*') {
        break;
      } else if (Args.is(opt, "maxlen") && moreargs > 0) {
        if (args.strategy != RStream.TRIM_NONE) {
          c.err("syntax error, MAXLEN and MINID options at the same time are not compatible");
          return -1;
        }
        args.approx = false;
        byte[] next = a[i + 1];
        if (moreargs >= 2 && next.length == 1 && next[0] == '~') {
          args.approx = true;
          i++;
        } else if (moreargs >= 2 && next.length == 1 && next[0] == '=') {
          i++;
        }
        long v = Args.longOrReply(c, a[i + 1]);
        if (v == Args.BAD) {
          return -1;
        }
        if (v < 0) {
          c.err("The MAXLEN argument must be >= 0.");
          return -1;
        }
        args.maxlen = v;
        i++;
        args.strategy = RStream.TRIM_MAXLEN;
        args.strategyArgIdx = i;
      } else if (Args.is(opt, "minid") && moreargs > 0) {
        if (args.strategy != RStream.TRIM_NONE) {
          c.err("syntax error, MAXLEN and MINID options at the same time are not compatible");
          return -1;
        }
        args.approx = false;
        byte[] next = a[i + 1];
        if (moreargs >= 2 && next.length == 1 && next[0] == '~') {
          args.approx = true;
          i++;
        } else if (moreargs >= 2 && next.length == 1 && next[0] == '=') {
          i++;
        }
        Id id = parseIdOrReply(c, a[i + 1], 0, true);
        if (id == null) {
          return -1;
        }
        args.minid = id;
        i++;
        args.strategy = RStream.TRIM_MINID;
        args.strategyArgIdx = i;
      } else if (Args.is(opt, "limit") && moreargs > 0) {
        long v = Args.longOrReply(c, a[i + 1]);
        if (v == Args.BAD) {
          return -1;
        }
        if (v < 0) {
          c.err("The LIMIT argument must be >= 0.");
          return -1;
        }
        args.limit = v;
        limitGiven = true;
        i++;
      } else if (xadd && Args.is(opt, "nomkstream")) {
        args.noMkStream = true;
      } else if (xadd) {
        boolean[] sg = new boolean[1];
        Id id = parseId(opt, 0, true, sg);
        if (id == null) {
          c.err(INVALID_ID);
          return -1;
        }
        args.id = id;
        args.seqGiven = sg[0];
        args.idGiven = true;
        break;
      } else {
        c.syntaxError();
        return -1;
      }
    }
    if (args.limit != 0 && args.strategy == RStream.TRIM_NONE) {
      c.err("syntax error, LIMIT cannot be used without specifying a trimming strategy");
      return -1;
    }
    if (!xadd && args.strategy == RStream.TRIM_NONE) {
      c.err("syntax error, XTRIM must be called with a trimming strategy");
      return -1;
    }
    if (c.isMaster) {
      args.limit = 0;
    } else if (limitGiven) {
      if (!args.approx) {
        c.err("syntax error, LIMIT cannot be used without the special ~ option");
        return -1;
      }
    } else if (args.approx) {
      long l = 100L * c.server.config.streamNodeMaxEntries;
      args.limit = l <= 0 || l > 1_000_000 ? 10000 : l;
    } else {
      args.limit = 0;
    }
    return i;
  }

  /** Rewrites {@code ~} to {@code =} and the trim argument to what was actually kept. */
  private static void rewriteApproxTrim(byte[][] argv, RStream s, TrimArgs args) {
    argv[args.strategyArgIdx - 1] = EQUALS;
    if (args.strategy == RStream.TRIM_MAXLEN) {
      argv[args.strategyArgIdx] = Bytes.fromLong(s.length);
    } else {
      argv[args.strategyArgIdx] = s.edgeId(true).bytes();
    }
  }

  static void xadd(Client c, byte[][] a) {
    TrimArgs args = new TrimArgs();
    int idpos = parseAddOrTrim(c, a, args, true);
    if (idpos < 0) {
      return;
    }
    int fieldPos = idpos + 1;
    if (a.length - fieldPos < 2 || (a.length - fieldPos) % 2 == 1) {
      c.arityError("xadd");
      return;
    }
    if (args.idGiven && args.seqGiven && args.id.isZero()) {
      c.err("The ID specified in XADD must be greater than 0-0");
      return;
    }
    Server srv = c.server;
    RStream s = write(c, c.db, a[1]);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      if (args.noMkStream) {
        c.nullBulk();
        return;
      }
      s = new RStream();
      srv.addKey(c.db, a[1], s);
    }
    if (s.lastId.ms() == -1L && s.lastId.seq() == -1L) {
      c.err("The stream has exhausted the last possible ID, unable to add more items");
      return;
    }
    Id id;
    if (args.idGiven) {
      if (args.seqGiven) {
        id = args.id;
      } else if (s.lastId.ms() == args.id.ms()) {
        if (s.lastId.seq() == -1L) {
          // 7.0 leaves errno unset on this path, so the reply is the size error.
          c.err("Elements are too large to be stored");
          return;
        }
        id = new Id(s.lastId.ms(), s.lastId.seq() + 1);
      } else {
        id = args.id;
      }
    } else {
      long ms = srv.now();
      if (Long.compareUnsigned(ms, s.lastId.ms()) > 0) {
        id = new Id(ms, 0);
      } else {
        id = s.lastId.incr();
      }
    }
    if (id == null || id.compareTo(s.lastId) <= 0) {
      c.err("The ID specified in XADD is equal or smaller than the target stream top item");
      return;
    }
    long tot = 0;
    for (int i = fieldPos; i < a.length; i++) {
      tot += a[i].length;
    }
    if (tot > (1L << 30)) {
      c.err("Elements are too large to be stored");
      return;
    }
    s.append(id, Arrays.copyOfRange(a, fieldPos, a.length), srv.config.streamNodeMaxBytes,
        srv.config.streamNodeMaxEntries);
    c.bulk(id.bytes());
    srv.signalModifiedKey(c.db, a[1]);
    srv.notifyKeyspaceEvent(Notifications.STREAM, "xadd", a[1], c.db.id);
    srv.dirty++;
    byte[][] prop = a;
    if (args.strategy != RStream.TRIM_NONE) {
      if (s.trim(args.strategy, args.maxlen, args.minid, args.approx, args.limit) > 0) {
        srv.notifyKeyspaceEvent(Notifications.STREAM, "xtrim", a[1], c.db.id);
      }
      if (args.approx) {
        prop = a.clone();
        rewriteApproxTrim(prop, s, args);
      }
    }
    if (!args.idGiven || !args.seqGiven) {
      if (prop == a) {
        prop = a.clone();
      }
      prop[idpos] = id.bytes();
    }
    if (prop != a) {
      c.propagateArgv = prop;
    }
    srv.blocking.signalKeyAsReady(c.db, a[1]);
  }

  static void xtrim(Client c, byte[][] a) {
    TrimArgs args = new TrimArgs();
    if (parseAddOrTrim(c, a, args, false) < 0) {
      return;
    }
    RStream s = write(c, c.db, a[1]);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      c.integer(0);
      return;
    }
    long deleted = s.trim(args.strategy, args.maxlen, args.minid, args.approx, args.limit);
    if (deleted > 0) {
      c.server.notifyKeyspaceEvent(Notifications.STREAM, "xtrim", a[1], c.db.id);
      if (args.approx) {
        byte[][] prop = a.clone();
        rewriteApproxTrim(prop, s, args);
        c.propagateArgv = prop;
      }
      c.server.signalModifiedKey(c.db, a[1]);
      c.server.dirty += deleted;
    }
    c.integer(deleted);
  }

  // ---- XLEN / XRANGE / XDEL ------------------------------------------------------------------

  static void xlen(Client c, byte[][] a) {
    RStream s = read(c, a[1]);
    if (s == WRONG) {
      return;
    }
    c.integer(s == null ? 0 : s.length);
  }

  static void xrange(Client c, byte[][] a, boolean rev) {
    byte[] startArg = rev ? a[3] : a[2];
    byte[] endArg = rev ? a[2] : a[3];
    boolean[] ex = new boolean[1];
    Id start = parseIntervalOrReply(c, startArg, 0, ex);
    if (start == null) {
      return;
    }
    if (ex[0]) {
      start = start.incr();
      if (start == null) {
        c.err("invalid start ID for the interval");
        return;
      }
    }
    Id end = parseIntervalOrReply(c, endArg, -1L, ex);
    if (end == null) {
      return;
    }
    if (ex[0]) {
      end = end.decr();
      if (end == null) {
        c.err("invalid end ID for the interval");
        return;
      }
    }
    long count = -1;
    for (int j = 4; j < a.length; j++) {
      int additional = a.length - j - 1;
      if (Args.is(a[j], "count") && additional >= 1) {
        count = Args.longOrReply(c, a[j + 1]);
        if (count == Args.BAD) {
          return;
        }
        if (count < 0) {
          count = 0;
        }
        j++;
      } else {
        c.syntaxError();
        return;
      }
    }
    RStream s = read(c, a[1]);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      c.emptyArray();
      return;
    }
    if (count == 0) {
      c.nullArray();
      return;
    }
    replyEntries(c, rev ? s.range(start, end, count == -1 ? 0 : count, true)
        : s.range(start, end, count == -1 ? 0 : count, false));
  }

  static void xdel(Client c, byte[][] a) {
    RStream s = write(c, c.db, a[1]);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      c.integer(0);
      return;
    }
    Id[] ids = new Id[a.length - 2];
    for (int j = 2; j < a.length; j++) {
      ids[j - 2] = parseIdOrReply(c, a[j], 0, true);
      if (ids[j - 2] == null) {
        return;
      }
    }
    long deleted = 0;
    boolean firstEntry = false;
    for (Id id : ids) {
      if (s.delete(id)) {
        if (id.compareTo(s.firstId) == 0) {
          firstEntry = true;
        }
        if (id.compareTo(s.maxDeletedId) > 0) {
          s.maxDeletedId = id;
        }
        deleted++;
      }
    }
    if (deleted > 0) {
      if (s.length == 0) {
        s.firstId = Id.MIN;
      } else if (firstEntry) {
        s.firstId = s.edgeId(true);
      }
      c.server.signalModifiedKey(c.db, a[1]);
      c.server.notifyKeyspaceEvent(Notifications.STREAM, "xdel", a[1], c.db.id);
      c.server.dirty += deleted;
    }
    c.integer(deleted);
  }

  // ---- XSETID --------------------------------------------------------------------------------

  static void xsetid(Client c, byte[][] a) {
    Id id = parseIdOrReply(c, a[2], 0, true);
    if (id == null) {
      return;
    }
    long entriesAdded = -1;
    Id maxXdel = Id.MIN;
    int i = 3;
    while (i < a.length) {
      int moreargs = a.length - 1 - i;
      if (Args.is(a[i], "entriesadded") && moreargs > 0) {
        entriesAdded = Args.longOrReply(c, a[i + 1]);
        if (entriesAdded == Args.BAD) {
          return;
        }
        if (entriesAdded < 0) {
          c.err("entries_added must be positive");
          return;
        }
        i += 2;
      } else if (Args.is(a[i], "maxdeletedid") && moreargs > 0) {
        maxXdel = parseIdOrReply(c, a[i + 1], 0, true);
        if (maxXdel == null) {
          return;
        }
        if (id.compareTo(maxXdel) < 0) {
          c.err("The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
          return;
        }
        i += 2;
      } else {
        c.syntaxError();
        return;
      }
    }
    RStream s = write(c, c.db, a[1]);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      c.err("no such key");
      return;
    }
    if (s.length > 0) {
      if (id.compareTo(s.lastValidId()) < 0) {
        c.err("The ID specified in XSETID is smaller than the target stream top item");
        return;
      }
      if (entriesAdded != -1 && s.length > entriesAdded) {
        c.err("The entries_added specified in XSETID is smaller than the target stream length");
        return;
      }
    }
    s.lastId = id;
    if (entriesAdded != -1) {
      s.entriesAdded = entriesAdded;
    }
    if (!maxXdel.isZero()) {
      s.maxDeletedId = maxXdel;
    }
    c.ok();
    // 7.0's XSETID does not touch WATCHed keys.
    c.server.notifyKeyspaceEvent(Notifications.STREAM, "xsetid", a[1], c.db.id);
    c.server.dirty++;
  }

  // ---- XREAD / XREADGROUP --------------------------------------------------------------------

  /** XREAD_BLOCKED_DEFAULT_COUNT. */
  private static final long BLOCKED_DEFAULT_COUNT = 1000;

  static void xread(Client c, byte[][] a, boolean xreadgroup) {
    long timeout = -1;
    long count = 0;
    int streamsArg = 0;
    int streamsCount = 0;
    boolean noack = false;
    byte[] groupName = null;
    byte[] consumerName = null;
    for (int i = 1; i < a.length; i++) {
      int moreargs = a.length - i - 1;
      byte[] o = a[i];
      if (Args.is(o, "block") && moreargs > 0) {
        i++;
        timeout = Blocking.parseTimeoutMillis(c, a[i]);
        if (timeout < 0) {
          return;
        }
      } else if (Args.is(o, "count") && moreargs > 0) {
        i++;
        count = Args.longOrReply(c, a[i]);
        if (count == Args.BAD) {
          return;
        }
        if (count < 0) {
          count = 0;
        }
      } else if (Args.is(o, "streams") && moreargs > 0) {
        streamsArg = i + 1;
        streamsCount = a.length - streamsArg;
        if (streamsCount % 2 != 0) {
          // 7.0 gives XREAD's wording for XREADGROUP too.
          c.err("Unbalanced XREAD list of streams: for each stream key an ID or '$' must be "
              + "specified.");
          return;
        }
        streamsCount /= 2;
        break;
      } else if (Args.is(o, "group") && moreargs >= 2) {
        if (!xreadgroup) {
          c.err("The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
          return;
        }
        groupName = a[i + 1];
        consumerName = a[i + 2];
        i += 2;
      } else if (Args.is(o, "noack")) {
        if (!xreadgroup) {
          c.err("The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
          return;
        }
        noack = true;
      } else {
        c.syntaxError();
        return;
      }
    }
    if (streamsArg == 0) {
      c.syntaxError();
      return;
    }
    if (xreadgroup && groupName == null) {
      c.err("Missing GROUP option for XREADGROUP");
      return;
    }
    Id[] ids = new Id[streamsCount];
    Group[] groups = groupName == null ? null : new Group[streamsCount];
    for (int i = streamsArg + streamsCount; i < a.length; i++) {
      int idx = i - streamsArg - streamsCount;
      byte[] key = a[i - streamsCount];
      RStream s = read(c, key);
      if (s == WRONG) {
        return;
      }
      if (groupName != null) {
        Group g = s == null ? null : s.groups.get(groupName);
        if (g == null) {
          c.error("NOGROUP No such key '" + str(key) + "' or consumer group '" + str(groupName)
              + "' in XREADGROUP with GROUP option");
          return;
        }
        groups[idx] = g;
      }
      byte[] arg = a[i];
      if (arg.length == 1 && arg[0] == '$') {
        if (xreadgroup) {
          c.err("The $ ID is meaningless in the context of XREADGROUP: you want to read the "
              + "history of this consumer by specifying a proper ID, or use the > ID to get new "
              + "messages. The $ ID would just return an empty result set.");
          return;
        }
        ids[idx] = s == null ? Id.MIN : s.lastId;
        continue;
      } else if (arg.length == 1 && arg[0] == '>') {
        if (!xreadgroup) {
          c.err("The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
              + "<consumer> option.");
          return;
        }
        ids[idx] = Id.MAX;
        continue;
      }
      ids[idx] = parseIdOrReply(c, arg, 0, true);
      if (ids[idx] == null) {
        return;
      }
    }
    if (xreadgroup) {
      c.propagateArgv = NO_PROPAGATION;
    }
    // Serve synchronously what can be served.
    int served = 0;
    List<byte[][]> ops = new ArrayList<>();
    List<Integer> idxs = new ArrayList<>();
    List<Id> gts = new ArrayList<>();
    List<Boolean> hist = new ArrayList<>();
    Map<Group, Id> simulated = new java.util.IdentityHashMap<>();
    for (int i = 0; i < streamsCount; i++) {
      byte[] key = a[streamsArg + i];
      KeyEntry ke = c.server.lookupRead(c.db, key);
      if (ke == null) {
        continue;
      }
      RStream s = (RStream) ke.value;
      Id gt = ids[i];
      boolean serveSync = false;
      boolean serveHistory = false;
      if (groups != null) {
        if (!gt.equals(Id.MAX)) {
          serveSync = true;
          serveHistory = true;
        } else if (s.length > 0) {
          // A stream named twice: the first read already advanced the group.
          Id last = simulated.getOrDefault(groups[i], groups[i].lastId);
          if (s.lastValidId().compareTo(last) > 0) {
            serveSync = true;
            gt = last;
            Id from = last.incr();
            List<Entry> will = from == null ? List.of() : s.range(from, Id.MAX, count, false);
            if (!will.isEmpty()) {
              simulated.put(groups[i], will.get(will.size() - 1).id);
            }
          }
        }
      } else if (s.length > 0) {
        if (s.lastValidId().compareTo(gt) > 0) {
          serveSync = true;
        }
      }
      if (!serveSync) {
        continue;
      }
      served++;
      idxs.add(i);
      gts.add(gt);
      hist.add(serveHistory);
    }
    if (served > 0) {
      if (c.proto == 2) {
        c.array(served);
      } else {
        c.map(served);
      }
      for (int k = 0; k < idxs.size(); k++) {
        int i = idxs.get(k);
        byte[] key = a[streamsArg + i];
        if (c.proto == 2) {
          c.array(2);
        }
        c.bulk(key);
        RStream s;
        if (groups != null) {
          s = write(c, c.db, key);
          Group g = groups[i];
          Consumer consumer = g.consumers.get(consumerName);
          if (consumer == null) {
            consumer = createConsumer(c, c.db, key, g, consumerName);
            if (noack) {
              ops.add(new byte[][] {XGROUP, CREATECONSUMER, key, groupName, consumerName});
            }
          } else {
            consumer.seenTime = c.server.now();
          }
          Id start = gts.get(k).incr();
          if (hist.get(k)) {
            replyFromConsumerPel(c, s, start, count, consumer);
          } else {
            replyGroupRange(c, s, start, count, g, groupName, consumer, noack, key, ops);
          }
          c.server.dirty++;
        } else {
          s = (RStream) c.server.lookupRead(c.db, key).value;
          Id start = gts.get(k).incr();
          replyEntries(c, start == null ? new ArrayList<>() : s.range(start, Id.MAX, count, false));
        }
      }
      propagateAll(c, c.db.id, ops);
      return;
    }
    if (timeout != -1) {
      if (c.denyBlocking()) {
        c.nullArray();
        return;
      }
      List<byte[]> keys = new ArrayList<>(streamsCount);
      for (int i = 0; i < streamsCount; i++) {
        keys.add(a[streamsArg + i]);
      }
      long blockCount = count != 0 ? count : BLOCKED_DEFAULT_COUNT;
      c.server.blocking.block(c, c.db, keys, timeout,
          new StreamWaiter(keys, ids, blockCount, groupName, consumerName, noack));
      return;
    }
    c.nullArray();
  }

  /**
   * XCLAIM / XAUTOCLAIM: the claiming consumer ({@code a[3]}), looked up (or created) at the first
   * entry actually claimed, as Redis does; {@code current} once known.
   */
  private static Consumer claimer(Client c, byte[][] a, Group g, Consumer current, long now) {
    if (current != null) {
      return current;
    }
    Consumer found = g.consumers.get(a[3]);
    if (found == null) {
      return createConsumer(c, c.db, a[1], g, a[3]);
    }
    found.seenTime = now;
    return found;
  }

  /** Moves a pending entry to {@code consumer}'s PEL (from its previous owner's, if any). */
  private static void moveTo(Nack n, Id id, Consumer consumer) {
    if (n.consumer != consumer) {
      if (n.consumer != null) {
        n.consumer.pel.remove(id);
      }
      consumer.pel.put(id, n);
      n.consumer = consumer;
    }
  }

  private static Consumer createConsumer(Client c, Database db, byte[] key, Group g, byte[] name) {
    Consumer consumer = new Consumer(name, c.server.now());
    g.consumers.put(name, consumer);
    c.server.notifyKeyspaceEvent(Notifications.STREAM, "xgroup-createconsumer", key, db.id);
    c.server.dirty++;
    return consumer;
  }

  /** streamReplyWithRange for a group read of new entries ({@code >}). */
  private static void replyGroupRange(Client c, RStream s, Id start, long count, Group g,
      byte[] groupName, Consumer consumer, boolean noack, byte[] key, List<byte[][]> ops) {
    List<Entry> list = start == null ? new ArrayList<>() : s.range(start, Id.MAX, count, false);
    boolean propagateLastId = false;
    c.array(list.size());
    long now = c.server.now();
    for (Entry e : list) {
      if (e.id.compareTo(g.lastId) > 0) {
        s.markDelivered(g, e.id);
        if (noack) {
          propagateLastId = true;
        }
      }
      replyEntry(c, e);
      if (!noack) {
        Nack n = g.pel.get(e.id);
        if (n == null) {
          n = new Nack(now, 1, consumer);
          g.pel.put(e.id, n);
          consumer.pel.put(e.id, n);
        } else {
          n.consumer.pel.remove(e.id);
          n.consumer = consumer;
          n.deliveryTime = now;
          n.deliveryCount = 1;
          consumer.pel.put(e.id, n);
        }
        ops.add(xclaimArgv(key, groupName, g, e.id, n));
      }
    }
    if (propagateLastId) {
      ops.add(setIdArgv(key, groupName, g));
    }
  }

  /** streamReplyWithRangeFromConsumerPEL: the consumer's own pending history. */
  private static void replyFromConsumerPel(Client c, RStream s, Id start, long count,
      Consumer consumer) {
    List<Map.Entry<Id, Nack>> list = new ArrayList<>();
    if (start != null) {
      for (Map.Entry<Id, Nack> pe : consumer.pel.tailMap(start, true).entrySet()) {
        if (count != 0 && list.size() >= count) {
          break;
        }
        list.add(pe);
      }
    }
    c.array(list.size());
    long now = c.server.now();
    for (Map.Entry<Id, Nack> pe : list) {
      Entry e = s.get(pe.getKey());
      if (e == null) {
        c.array(2);
        c.bulk(pe.getKey().bytes());
        c.nullArray();
      } else {
        replyEntry(c, e);
        pe.getValue().deliveryTime = now;
        pe.getValue().deliveryCount++;
      }
    }
  }

  /** A client blocked in XREAD/XREADGROUP (serveClientsBlockedOnStreamKey). */
  private static final class StreamWaiter implements Blocking.Waiter {
    final List<byte[]> keys;
    final Id[] ids;
    final long count;
    final byte[] groupName;
    final byte[] consumerName;
    final boolean noack;

    StreamWaiter(List<byte[]> keys, Id[] ids, long count, byte[] groupName, byte[] consumerName,
        boolean noack) {
      this.keys = keys;
      this.ids = ids;
      this.count = count;
      this.groupName = groupName;
      this.consumerName = consumerName;
      this.noack = noack;
    }

    @Override
    public boolean tryServe(Client rc, Database db, byte[] key) {
      int idx = -1;
      for (int i = 0; i < keys.size(); i++) {
        if (Arrays.equals(keys.get(i), key)) {
          idx = i;
          break;
        }
      }
      if (idx < 0) {
        return false;
      }
      KeyEntry ke = db.find(key);
      boolean isStream = ke != null && ke.value instanceof RStream
          && !rc.server.expiry.isExpired(ke, rc.server.clock.millis());
      if (!isStream) {
        if (groupName != null) {
          rc.error("UNBLOCKED the stream key no longer exists");
          return true;
        }
        return false;
      }
      RStream s = (RStream) ke.value;
      Group g = null;
      Id gt = ids[idx];
      if (groupName != null) {
        g = s.groups.get(groupName);
        if (g == null) {
          rc.error("NOGROUP the consumer group this client was blocked on no longer exists");
          return true;
        }
        gt = g.lastId;
      }
      if (s.lastId.compareTo(gt) <= 0) {
        return false;
      }
      Id start = gt.incr();
      List<byte[][]> ops = new ArrayList<>();
      if (rc.proto == 2) {
        rc.array(1);
        rc.array(2);
      } else {
        rc.map(1);
      }
      rc.bulk(key);
      if (g != null) {
        s = write(rc, db, key);
        Consumer consumer = g.consumers.get(consumerName);
        if (consumer == null) {
          consumer = createConsumer(rc, db, key, g, consumerName);
          if (noack) {
            ops.add(new byte[][] {XGROUP, CREATECONSUMER, key, groupName, consumerName});
          }
        } else {
          consumer.seenTime = rc.server.now();
        }
        replyGroupRange(rc, s, start, count, g, groupName, consumer, noack, key, ops);
        rc.server.dirty++;
        propagateAll(rc, db.id, ops);
      } else {
        replyEntries(rc, start == null ? new ArrayList<>() : s.range(start, Id.MAX, count, false));
      }
      return true;
    }

    @Override
    public void timeout(Client rc) {
      rc.nullArray();
    }

    /**
     * A stream reader declines for reasons of its own (an ID in the future, a group another
     * consumer already advanced): the key must still be offered to the waiters behind it, as
     * Redis's serveClientsBlockedOnStreamKey does. Takes effect once Blocking.Waiter asks for it
     * (see the streams report); until then Blocking stops at the first decline.
     */
    @Override
    public boolean declineStopsKey() {
      return false;
    }
  }

  // ---- XGROUP --------------------------------------------------------------------------------

  private static final String[] XGROUP_HELP = {
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
  };

  private static final String[] XINFO_HELP = {
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
  };

  private static void help(Client c, String[] lines) {
    c.array(lines.length);
    for (String l : lines) {
      c.simple(l);
    }
  }

  static void xgroup(Client c, byte[][] a) {
    String opt = Bytes.lower(a[1]);
    RStream s = null;
    Group cg = null;
    boolean mkstream = false;
    long entriesRead = RStream.INVALID_ENTRIES_READ;
    byte[] grpname = null;
    if (a.length >= 4) {
      if (opt.equals("create") && a.length >= 5) {
        int i = 5;
        while (i < a.length) {
          if (Args.is(a[i], "mkstream")) {
            mkstream = true;
            i++;
          } else if (Args.is(a[i], "entriesread") && i + 1 < a.length) {
            entriesRead = Args.longOrReply(c, a[i + 1]);
            if (entriesRead == Args.BAD) {
              return;
            }
            if (entriesRead < 0 && entriesRead != RStream.INVALID_ENTRIES_READ) {
              c.err("value for ENTRIESREAD must be positive or -1");
              return;
            }
            i += 2;
          } else {
            subcommandSyntaxError(c, a);
            return;
          }
        }
      }
      s = write(c, c.db, a[2]);
      if (s == WRONG) {
        return;
      }
      grpname = a[3];
      if (s == null && (!opt.equals("create") || !mkstream)) {
        c.err("The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
            + "to use the MKSTREAM option to create an empty stream automatically.");
        return;
      }
      if (s != null) {
        cg = s.groups.get(grpname);
      }
      if (cg == null && (opt.equals("setid") || opt.equals("createconsumer")
          || opt.equals("delconsumer"))) {
        c.error("NOGROUP No such consumer group '" + str(grpname) + "' for key name '"
            + str(a[2]) + "'");
        return;
      }
    }
    Server srv = c.server;
    if (opt.equals("create") && a.length >= 5 && a.length <= 8) {
      Id id;
      if (a[4].length == 1 && a[4][0] == '$') {
        id = s == null ? Id.MIN : s.lastId;
      } else {
        id = parseIdOrReply(c, a[4], 0, true);
        if (id == null) {
          return;
        }
      }
      if (s == null) {
        s = new RStream();
        srv.addKey(c.db, a[2], s);
      }
      if (s.groups.containsKey(grpname)) {
        c.error("BUSYGROUP Consumer Group name already exists");
        return;
      }
      s.groups.put(grpname, new Group(grpname, id, entriesRead));
      c.ok();
      srv.dirty++;
      srv.notifyKeyspaceEvent(Notifications.STREAM, "xgroup-create", a[2], c.db.id);
    } else if (opt.equals("setid") && (a.length == 5 || a.length == 7)) {
      Id id;
      if (a[4].length == 1 && a[4][0] == '$') {
        id = s.lastId;
      } else {
        id = parseIdOrReply(c, a[4], 0, false);
        if (id == null) {
          return;
        }
      }
      if (a.length == 7) {
        if (!Args.is(a[5], "entriesread")) {
          subcommandSyntaxError(c, a);
          return;
        }
        entriesRead = Args.longOrReply(c, a[6]);
        if (entriesRead == Args.BAD) {
          return;
        }
        if (entriesRead < 0 && entriesRead != RStream.INVALID_ENTRIES_READ) {
          c.err("value for ENTRIESREAD must be positive or -1");
          return;
        }
      }
      cg.lastId = id;
      cg.entriesRead = entriesRead;
      c.ok();
      srv.dirty++;
      srv.notifyKeyspaceEvent(Notifications.STREAM, "xgroup-setid", a[2], c.db.id);
    } else if (opt.equals("destroy") && a.length == 4) {
      if (cg != null) {
        s.groups.remove(grpname);
        c.integer(1);
        srv.dirty++;
        srv.notifyKeyspaceEvent(Notifications.STREAM, "xgroup-destroy", a[2], c.db.id);
        srv.blocking.signalKeyAsReady(c.db, a[2]);
      } else {
        c.integer(0);
      }
    } else if (opt.equals("createconsumer") && a.length == 5) {
      if (cg.consumers.containsKey(a[4])) {
        c.integer(0);
      } else {
        createConsumer(c, c.db, a[2], cg, a[4]);
        c.integer(1);
      }
    } else if (opt.equals("delconsumer") && a.length == 5) {
      Consumer consumer = cg.consumers.get(a[4]);
      long pendingCount = 0;
      if (consumer != null) {
        pendingCount = consumer.pel.size();
        for (Id id : consumer.pel.keySet()) {
          cg.pel.remove(id);
        }
        cg.consumers.remove(a[4]);
        srv.dirty++;
        srv.notifyKeyspaceEvent(Notifications.STREAM, "xgroup-delconsumer", a[2], c.db.id);
      }
      c.integer(pendingCount);
    } else if (a.length == 2 && opt.equals("help")) {
      help(c, XGROUP_HELP);
    } else {
      subcommandSyntaxError(c, a);
    }
  }

  // ---- XACK / XPENDING -----------------------------------------------------------------------

  static void xack(Client c, byte[][] a) {
    RStream s = read(c, a[1]);
    if (s == WRONG) {
      return;
    }
    Group g = s == null ? null : s.groups.get(a[2]);
    if (g == null) {
      c.integer(0);
      return;
    }
    Id[] ids = new Id[a.length - 3];
    for (int j = 3; j < a.length; j++) {
      ids[j - 3] = parseIdOrReply(c, a[j], 0, true);
      if (ids[j - 3] == null) {
        return;
      }
    }
    long acked = 0;
    for (Id id : ids) {
      Nack n = g.pel.get(id);
      if (n != null) {
        if (acked == 0) {
          c.server.lookupWrite(c.db, a[1]);
        }
        g.pel.remove(id);
        n.consumer.pel.remove(id);
        acked++;
        c.server.dirty++;
      }
    }
    c.integer(acked);
  }

  static void xpending(Client c, byte[][] a) {
    boolean justinfo = a.length == 3;
    if (a.length != 3 && (a.length < 6 || a.length > 9)) {
      c.syntaxError();
      return;
    }
    Id start = null;
    Id end = null;
    long count = 0;
    long minidle = 0;
    byte[] consumerName = null;
    if (a.length >= 6) {
      int startidx = 3;
      if (Args.is(a[3], "idle")) {
        minidle = Args.longOrReply(c, a[4]);
        if (minidle == Args.BAD) {
          return;
        }
        if (a.length < 8) {
          c.syntaxError();
          return;
        }
        startidx += 2;
      }
      count = Args.longOrReply(c, a[startidx + 2]);
      if (count == Args.BAD) {
        return;
      }
      if (count < 0) {
        count = 0;
      }
      boolean[] ex = new boolean[1];
      start = parseIntervalOrReply(c, a[startidx], 0, ex);
      if (start == null) {
        return;
      }
      if (ex[0]) {
        start = start.incr();
        if (start == null) {
          c.err("invalid start ID for the interval");
          return;
        }
      }
      end = parseIntervalOrReply(c, a[startidx + 1], -1L, ex);
      if (end == null) {
        return;
      }
      if (ex[0]) {
        end = end.decr();
        if (end == null) {
          c.err("invalid end ID for the interval");
          return;
        }
      }
      if (startidx + 3 < a.length) {
        consumerName = a[startidx + 3];
      }
    }
    RStream s = read(c, a[1]);
    if (s == WRONG) {
      return;
    }
    Group g = s == null ? null : s.groups.get(a[2]);
    if (g == null) {
      c.error("NOGROUP No such key '" + str(a[1]) + "' or consumer group '" + str(a[2]) + "'");
      return;
    }
    if (justinfo) {
      c.array(4);
      c.integer(g.pel.size());
      if (g.pel.isEmpty()) {
        c.nullBulk();
        c.nullBulk();
        c.nullArray();
      } else {
        c.bulk(g.pel.firstKey().bytes());
        c.bulk(g.pel.lastKey().bytes());
        int n = 0;
        for (Consumer cons : g.consumers.values()) {
          if (!cons.pel.isEmpty()) {
            n++;
          }
        }
        c.array(n);
        for (Consumer cons : g.consumers.values()) {
          if (!cons.pel.isEmpty()) {
            c.array(2);
            c.bulk(cons.name);
            c.bulkLong(cons.pel.size());
          }
        }
      }
      return;
    }
    Consumer consumer = null;
    if (consumerName != null) {
      consumer = g.consumers.get(consumerName);
      if (consumer == null) {
        c.emptyArray();
        return;
      }
    }
    java.util.TreeMap<Id, Nack> pel = consumer != null ? consumer.pel : g.pel;
    long now = c.server.now();
    List<Map.Entry<Id, Nack>> out = new ArrayList<>();
    if (start.compareTo(end) <= 0) {
      for (Map.Entry<Id, Nack> pe : pel.subMap(start, true, end, true).entrySet()) {
        if (count == 0) {
          break;
        }
        if (minidle != 0 && now - pe.getValue().deliveryTime < minidle) {
          continue;
        }
        out.add(pe);
        count--;
      }
    }
    c.array(out.size());
    for (Map.Entry<Id, Nack> pe : out) {
      Nack n = pe.getValue();
      c.array(4);
      c.bulk(pe.getKey().bytes());
      c.bulk(n.consumer.name);
      long elapsed = now - n.deliveryTime;
      c.integer(elapsed < 0 ? 0 : elapsed);
      c.integer(n.deliveryCount);
    }
  }

  // ---- XCLAIM / XAUTOCLAIM -------------------------------------------------------------------

  static void xclaim(Client c, byte[][] a) {
    RStream s = read(c, a[1]);
    if (s == WRONG) {
      return;
    }
    Group g = s == null ? null : s.groups.get(a[2]);
    if (g == null) {
      c.error("NOGROUP No such key '" + str(a[1]) + "' or consumer group '" + str(a[2]) + "'");
      return;
    }
    long minidle = Args.longOrReply(c, a[4], "Invalid min-idle-time argument for XCLAIM");
    if (minidle == Args.BAD) {
      return;
    }
    if (minidle < 0) {
      minidle = 0;
    }
    List<Id> ids = new ArrayList<>();
    int j;
    for (j = 5; j < a.length; j++) {
      Id id = parseId(a[j], 0, true, null);
      if (id == null) {
        break;
      }
      ids.add(id);
    }
    long now = c.server.now();
    long retrycount = -1;
    long deliverytime = -1;
    boolean force = false;
    boolean justid = false;
    Id lastId = Id.MIN;
    for (; j < a.length; j++) {
      int moreargs = a.length - 1 - j;
      byte[] opt = a[j];
      if (Args.is(opt, "force")) {
        force = true;
      } else if (Args.is(opt, "justid")) {
        justid = true;
      } else if (Args.is(opt, "idle") && moreargs > 0) {
        j++;
        deliverytime = Args.longOrReply(c, a[j], "Invalid IDLE option argument for XCLAIM");
        if (deliverytime == Args.BAD) {
          return;
        }
        deliverytime = now - deliverytime;
      } else if (Args.is(opt, "time") && moreargs > 0) {
        j++;
        deliverytime = Args.longOrReply(c, a[j], "Invalid TIME option argument for XCLAIM");
        if (deliverytime == Args.BAD) {
          return;
        }
      } else if (Args.is(opt, "retrycount") && moreargs > 0) {
        j++;
        retrycount = Args.longOrReply(c, a[j], "Invalid RETRYCOUNT option argument for XCLAIM");
        if (retrycount == Args.BAD) {
          return;
        }
      } else if (Args.is(opt, "lastid") && moreargs > 0) {
        j++;
        lastId = parseIdOrReply(c, a[j], 0, true);
        if (lastId == null) {
          return;
        }
      } else {
        c.err("Unrecognized XCLAIM option '" + str(opt) + "'");
        return;
      }
    }
    c.propagateArgv = NO_PROPAGATION;
    s = write(c, c.db, a[1]);
    List<byte[][]> ops = new ArrayList<>();
    boolean propagateLastId = false;
    if (lastId.compareTo(g.lastId) > 0) {
      g.lastId = lastId;
      propagateLastId = true;
    }
    if (deliverytime != -1) {
      if (deliverytime < 0 || deliverytime > now) {
        deliverytime = now;
      }
    } else {
      deliverytime = now;
    }
    Consumer consumer = null;
    List<Object> replies = new ArrayList<>();
    for (int k = 0; k < ids.size(); k++) {
      Id id = ids.get(k);
      Nack n = g.pel.get(id);
      if (!s.exists(id)) {
        if (n != null) {
          ops.add(xclaimArgvRaw(a[1], a[2], g, a[5 + k], n));
          propagateLastId = false;
          c.server.dirty++;
          g.pel.remove(id);
          n.consumer.pel.remove(id);
        }
        continue;
      }
      if (force && n == null) {
        n = new Nack(now, 1, null);
        g.pel.put(id, n);
      }
      if (n != null) {
        if (n.consumer != null && minidle != 0 && now - n.deliveryTime < minidle) {
          continue;
        }
        consumer = claimer(c, a, g, consumer, now);
        n.deliveryTime = deliverytime;
        if (retrycount >= 0) {
          n.deliveryCount = retrycount;
        } else if (!justid) {
          n.deliveryCount++;
        }
        moveTo(n, id, consumer);
        replies.add(justid ? id : s.get(id));
        ops.add(xclaimArgvRaw(a[1], a[2], g, a[5 + k], n));
        propagateLastId = false;
        c.server.dirty++;
      }
    }
    if (propagateLastId) {
      ops.add(setIdArgv(a[1], a[2], g));
      c.server.dirty++;
    }
    c.array(replies.size());
    for (Object r : replies) {
      if (r instanceof Id) {
        c.bulk(((Id) r).bytes());
      } else if (r == null) {
        c.nullBulk();
      } else {
        replyEntry(c, (Entry) r);
      }
    }
    propagateAll(c, c.db.id, ops);
  }

  private static byte[][] xclaimArgvRaw(byte[] key, byte[] groupName, Group g, byte[] idArg,
      Nack n) {
    byte[][] v = xclaimArgv(key, groupName, g, Id.MIN, n);
    v[5] = idArg;
    return v;
  }

  static void xautoclaim(Client c, byte[][] a) {
    long minidle = Args.longOrReply(c, a[4], "Invalid min-idle-time argument for XAUTOCLAIM");
    if (minidle == Args.BAD) {
      return;
    }
    if (minidle < 0) {
      minidle = 0;
    }
    boolean[] ex = new boolean[1];
    Id start = parseIntervalOrReply(c, a[5], 0, ex);
    if (start == null) {
      return;
    }
    if (ex[0]) {
      start = start.incr();
      if (start == null) {
        c.err("invalid start ID for the interval");
        return;
      }
    }
    long count = 100;
    boolean justid = false;
    int j = 6;
    while (j < a.length) {
      int moreargs = a.length - 1 - j;
      if (Args.is(a[j], "count") && moreargs > 0) {
        Long v = Bytes.parseLongOrNull(a[j + 1]);
        long max = Long.MAX_VALUE / 16;
        if (v == null || v < 1 || v > max) {
          c.err("COUNT must be > 0");
          return;
        }
        count = v;
        j++;
      } else if (Args.is(a[j], "justid")) {
        justid = true;
      } else {
        c.syntaxError();
        return;
      }
      j++;
    }
    RStream s = read(c, a[1]);
    if (s == WRONG) {
      return;
    }
    Group g = s == null ? null : s.groups.get(a[2]);
    if (g == null) {
      c.error("NOGROUP No such key '" + str(a[1]) + "' or consumer group '" + str(a[2]) + "'");
      return;
    }
    if (count > (1L << 36)) {
      c.err("Insufficient memory, failed allocating transient memory, COUNT too high.");
      return;
    }
    c.propagateArgv = NO_PROPAGATION;
    s = write(c, c.db, a[1]);
    List<byte[][]> ops = new ArrayList<>();
    List<Id> deletedIds = new ArrayList<>();
    List<Object> replies = new ArrayList<>();
    long attempts = count * 10;
    long now = c.server.now();
    Consumer consumer = null;
    Id cursor = start;
    Id next = null;
    boolean eof = false;
    while (true) {
      if (attempts-- == 0 || count == 0) {
        Id k = cursor == null ? null : g.pel.ceilingKey(cursor);
        next = k;
        break;
      }
      Id id = cursor == null ? null : g.pel.ceilingKey(cursor);
      if (id == null) {
        eof = true;
        break;
      }
      cursor = id.incr();
      Nack n = g.pel.get(id);
      if (!s.exists(id)) {
        ops.add(xclaimArgv(a[1], a[2], g, id, n));
        c.server.dirty++;
        g.pel.remove(id);
        n.consumer.pel.remove(id);
        deletedIds.add(id);
        count--;
        continue;
      }
      if (minidle != 0 && now - n.deliveryTime < minidle) {
        continue;
      }
      consumer = claimer(c, a, g, consumer, now);
      n.deliveryTime = now;
      if (!justid) {
        n.deliveryCount++;
      }
      moveTo(n, id, consumer);
      replies.add(justid ? id : s.get(id));
      count--;
      ops.add(xclaimArgv(a[1], a[2], g, id, n));
      c.server.dirty++;
    }
    Id endId = eof || next == null ? Id.MIN : next;
    c.array(3);
    c.bulk(endId.bytes());
    c.array(replies.size());
    for (Object r : replies) {
      if (r instanceof Id) {
        c.bulk(((Id) r).bytes());
      } else {
        replyEntry(c, (Entry) r);
      }
    }
    c.array(deletedIds.size());
    for (Id id : deletedIds) {
      c.bulk(id.bytes());
    }
    propagateAll(c, c.db.id, ops);
  }

  // ---- XINFO ---------------------------------------------------------------------------------

  static void xinfo(Client c, byte[][] a) {
    if (Args.is(a[1], "help")) {
      if (a.length != 2) {
        subcommandSyntaxError(c, a);
        return;
      }
      help(c, XINFO_HELP);
      return;
    }
    if (a.length < 3) {
      subcommandSyntaxError(c, a);
      return;
    }
    String opt = Bytes.lower(a[1]);
    RStream s = read(c, a[2]);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      c.err("no such key");
      return;
    }
    if (opt.equals("consumers") && a.length == 4) {
      Group g = s.groups.get(a[3]);
      if (g == null) {
        c.error("NOGROUP No such consumer group '" + str(a[3]) + "' for key name '" + str(a[2])
            + "'");
        return;
      }
      c.array(g.consumers.size());
      long now = c.server.clock.millis();
      for (Consumer cons : g.consumers.values()) {
        long idle = now - cons.seenTime;
        c.map(3);
        c.bulk("name");
        c.bulk(cons.name);
        c.bulk("pending");
        c.integer(cons.pel.size());
        c.bulk("idle");
        c.integer(idle < 0 ? 0 : idle);
      }
    } else if (opt.equals("groups") && a.length == 3) {
      c.array(s.groups.size());
      for (Group g : s.groups.values()) {
        c.map(6);
        c.bulk("name");
        c.bulk(g.name);
        c.bulk("consumers");
        c.integer(g.consumers.size());
        c.bulk("pending");
        c.integer(g.pel.size());
        c.bulk("last-delivered-id");
        c.bulk(g.lastId.bytes());
        c.bulk("entries-read");
        replyEntriesRead(c, g);
        c.bulk("lag");
        replyLag(c, s, g);
      }
    } else if (opt.equals("stream")) {
      xinfoStream(c, a, s);
    } else {
      subcommandSyntaxError(c, a);
    }
  }

  private static void replyEntriesRead(Client c, Group g) {
    if (g.entriesRead != RStream.INVALID_ENTRIES_READ) {
      c.integer(g.entriesRead);
    } else {
      c.nullBulk();
    }
  }

  private static void replyLag(Client c, RStream s, Group g) {
    Long lag = s.lag(g);
    if (lag == null) {
      c.nullBulk();
    } else {
      c.integer(lag);
    }
  }

  private static void xinfoStream(Client c, byte[][] a, RStream s) {
    boolean full = true;
    long count = 10;
    int optc = a.length - 3;
    if (optc == 0) {
      full = false;
    } else {
      if (optc != 1 && optc != 3) {
        subcommandSyntaxError(c, a);
        return;
      }
      if (!Args.is(a[3], "full")) {
        subcommandSyntaxError(c, a);
        return;
      }
      if (optc == 3) {
        if (!Args.is(a[4], "count")) {
          subcommandSyntaxError(c, a);
          return;
        }
        count = Args.longOrReply(c, a[5]);
        if (count == Args.BAD) {
          return;
        }
        if (count < 0) {
          count = 10;
        }
      }
    }
    c.map(full ? 9 : 10);
    c.bulk("length");
    c.integer(s.length);
    c.bulk("radix-tree-keys");
    c.integer(s.radixTreeKeys());
    c.bulk("radix-tree-nodes");
    c.integer(s.radixTreeNodes());
    c.bulk("last-generated-id");
    c.bulk(s.lastId.bytes());
    c.bulk("max-deleted-entry-id");
    c.bulk(s.maxDeletedId.bytes());
    c.bulk("entries-added");
    c.integer(s.entriesAdded);
    c.bulk("recorded-first-entry-id");
    c.bulk(s.firstId.bytes());
    if (!full) {
      c.bulk("groups");
      c.integer(s.groups.size());
      c.bulk("first-entry");
      List<Entry> first = s.range(Id.MIN, Id.MAX, 1, false);
      if (first.isEmpty()) {
        c.nullBulk();
      } else {
        replyEntry(c, first.get(0));
      }
      c.bulk("last-entry");
      List<Entry> last = s.range(Id.MIN, Id.MAX, 1, true);
      if (last.isEmpty()) {
        c.nullBulk();
      } else {
        replyEntry(c, last.get(0));
      }
      return;
    }
    c.bulk("entries");
    replyEntries(c, s.range(Id.MIN, Id.MAX, count, false));
    c.bulk("groups");
    c.array(s.groups.size());
    for (Group g : s.groups.values()) {
      c.map(7);
      c.bulk("name");
      c.bulk(g.name);
      c.bulk("last-delivered-id");
      c.bulk(g.lastId.bytes());
      c.bulk("entries-read");
      replyEntriesRead(c, g);
      c.bulk("lag");
      replyLag(c, s, g);
      c.bulk("pel-count");
      c.integer(g.pel.size());
      c.bulk("pending");
      long n = count == 0 ? g.pel.size() : Math.min(count, g.pel.size());
      c.array(n);
      Iterator<Map.Entry<Id, Nack>> it = g.pel.entrySet().iterator();
      for (long k = 0; k < n; k++) {
        Map.Entry<Id, Nack> pe = it.next();
        c.array(4);
        c.bulk(pe.getKey().bytes());
        c.bulk(pe.getValue().consumer.name);
        c.integer(pe.getValue().deliveryTime);
        c.integer(pe.getValue().deliveryCount);
      }
      c.bulk("consumers");
      c.array(g.consumers.size());
      for (Consumer cons : g.consumers.values()) {
        c.map(4);
        c.bulk("name");
        c.bulk(cons.name);
        c.bulk("seen-time");
        c.integer(cons.seenTime);
        c.bulk("pel-count");
        c.integer(cons.pel.size());
        c.bulk("pending");
        long m = count == 0 ? cons.pel.size() : Math.min(count, cons.pel.size());
        c.array(m);
        Iterator<Map.Entry<Id, Nack>> ci = cons.pel.entrySet().iterator();
        for (long k = 0; k < m; k++) {
          Map.Entry<Id, Nack> pe = ci.next();
          c.array(3);
          c.bulk(pe.getKey().bytes());
          c.integer(pe.getValue().deliveryTime);
          c.integer(pe.getValue().deliveryCount);
        }
      }
    }
  }
}
