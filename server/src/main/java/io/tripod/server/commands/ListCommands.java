package io.tripod.server.commands;

import io.tripod.server.Blocking;
import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RList;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * List commands ({@code t_list.c}), including the blocking pops and moves. Blocking commands that
 * find data behave like their non-blocking forms and are propagated as them (BLPOP as LPOP, BLMOVE
 * as LMOVE, BLMPOP as LPOP key count), as Redis 7.0 rewrites them; a client served later by a push
 * is propagated the same way by its {@link Blocking.Waiter}.
 *
 * <p>Thread safety: event-loop only, like every command.
 */
final class ListCommands {
  private ListCommands() {}

  private static final byte[] LPOP = Bytes.of("LPOP");
  private static final byte[] RPOP = Bytes.of("RPOP");
  private static final byte[] LMOVE = Bytes.of("LMOVE");
  private static final byte[] RPOPLPUSH = Bytes.of("RPOPLPUSH");
  // Redis's shared.left/shared.right, used when a served BLMOVE is propagated as LMOVE.
  private static final byte[] LEFT = Bytes.of("left");
  private static final byte[] RIGHT = Bytes.of("right");

  static void register(CommandTable t) {
    t.add("lpush", -3, "write denyoom fast", 1, 1, 1, "write list fast", (c, a) -> push(c, a, true, false));
    t.add("rpush", -3, "write denyoom fast", 1, 1, 1, "write list fast", (c, a) -> push(c, a, false, false));
    t.add("lpushx", -3, "write denyoom fast", 1, 1, 1, "write list fast", (c, a) -> push(c, a, true, true));
    t.add("rpushx", -3, "write denyoom fast", 1, 1, 1, "write list fast", (c, a) -> push(c, a, false, true));
    t.add("lpop", -2, "write fast", 1, 1, 1, "write list fast", (c, a) -> pop(c, a, true));
    t.add("rpop", -2, "write fast", 1, 1, 1, "write list fast", (c, a) -> pop(c, a, false));
    t.add("lrange", 4, "readonly", 1, 1, 1, "read list slow", ListCommands::lrange);
    t.add("lindex", 3, "readonly", 1, 1, 1, "read list slow", ListCommands::lindex);
    t.add("lset", 4, "write denyoom", 1, 1, 1, "write list slow", ListCommands::lset);
    t.add("linsert", 5, "write denyoom", 1, 1, 1, "write list slow", ListCommands::linsert);
    t.add("lrem", 4, "write", 1, 1, 1, "write list slow", ListCommands::lrem);
    t.add("ltrim", 4, "write", 1, 1, 1, "write list slow", ListCommands::ltrim);
    t.add("llen", 2, "readonly fast", 1, 1, 1, "read list fast", ListCommands::llen);
    t.add("lpos", -3, "readonly", 1, 1, 1, "read list slow", ListCommands::lpos);
    t.add("lmove", 5, "write denyoom", 1, 2, 1, "write list slow", ListCommands::lmove);
    t.add("rpoplpush", 3, "write denyoom", 1, 2, 1, "write list slow", ListCommands::rpoplpush);
    t.add("lmpop", -4, "write movablekeys", 0, 0, 0, "write list slow", (c, a) -> lmpop(c, a, false));
    t.add("blpop", -3, "write noscript blocking", 1, -2, 1, "write list slow blocking",
        (c, a) -> bpop(c, a, true));
    t.add("brpop", -3, "write noscript blocking", 1, -2, 1, "write list slow blocking",
        (c, a) -> bpop(c, a, false));
    t.add("blmove", 6, "write denyoom noscript blocking", 1, 2, 1, "write list slow blocking",
        ListCommands::blmove);
    t.add("brpoplpush", 4, "write denyoom noscript blocking", 1, 2, 1, "write list slow blocking",
        ListCommands::brpoplpush);
    t.add("blmpop", -5, "write blocking movablekeys", 0, 0, 0, "write list slow blocking",
        (c, a) -> lmpop(c, a, true));
  }

  /** Returned by the look-ups after replying WRONGTYPE. */
  private static final RList WRONG = new RList();

  /** The list at {@code key} for reading: null when absent, {@link #WRONG} after WRONGTYPE. */
  private static RList readList(Client c, byte[] key) {
    KeyEntry e = c.server.lookupRead(c.db, key);
    return asList(c, e);
  }

  /** Same for writing (no hit/miss counting; the value may be changed in place). */
  private static RList writeList(Client c, Database db, byte[] key) {
    return asList(c, c.server.lookupWrite(db, key));
  }

  private static RList asList(Client c, KeyEntry e) {
    if (e == null) {
      return null;
    }
    if (!(e.value instanceof RList)) {
      c.wrongType();
      return WRONG;
    }
    return (RList) e.value;
  }

  /** LEFT/RIGHT: 1 for left, 0 for right, -1 after a syntax error. */
  private static int side(Client c, byte[] arg) {
    if (Args.is(arg, "left")) {
      return 1;
    }
    if (Args.is(arg, "right")) {
      return 0;
    }
    c.syntaxError();
    return -1;
  }

  // ---- pushes --------------------------------------------------------------------------------

  static void push(Client c, byte[][] a, boolean left, boolean onlyExisting) {
    Server s = c.server;
    Database db = c.db;
    byte[] key = a[1];
    RList list = writeList(c, db, key);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      if (onlyExisting) {
        c.integer(0);
        return;
      }
      list = new RList();
      for (int i = 2; i < a.length; i++) {
        list.push(a[i], left);
      }
      s.addKey(db, key, list);
    } else {
      for (int i = 2; i < a.length; i++) {
        list.push(a[i], left);
      }
      s.signalModifiedKey(db, key);
      s.blocking.signalKeyAsReady(db, key);
    }
    c.integer(list.size());
    s.notifyKeyspaceEvent(Notifications.LIST, left ? "lpush" : "rpush", key, db.id);
    s.dirty += a.length - 2;
  }

  /** Pushes {@code value} into {@code dst} (created when absent) and replies it (LMOVE). */
  private static void movePush(Client c, Database db, byte[] dstKey, RList dst, byte[] value, boolean left) {
    Server s = c.server;
    if (dst == null) {
      dst = new RList();
      dst.push(value, left);
      s.addKey(db, dstKey, dst);
    } else {
      dst.push(value, left);
      s.signalModifiedKey(db, dstKey);
      s.blocking.signalKeyAsReady(db, dstKey);
    }
    s.notifyKeyspaceEvent(Notifications.LIST, left ? "lpush" : "rpush", dstKey, db.id);
    c.bulk(value);
  }

  // ---- pops ----------------------------------------------------------------------------------

  /** After popping {@code n}: the pop event, deletion of an emptied list, dirty. */
  private static void removed(Client c, Database db, byte[] key, RList list, boolean left, long n) {
    Server s = c.server;
    s.notifyKeyspaceEvent(Notifications.LIST, left ? "lpop" : "rpop", key, db.id);
    if (list.isEmpty()) {
      s.deleteKey(db, key);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", key, db.id);
    } else {
      s.signalModifiedKey(db, key);
    }
    s.dirty += n;
  }

  static void pop(Client c, byte[][] a, boolean left) {
    if (a.length > 3) {
      c.arityError(left ? "lpop" : "rpop");
      return;
    }
    boolean hasCount = a.length == 3;
    long count = 0;
    if (hasCount) {
      Long v = Bytes.parseLongOrNull(a[2]);
      if (v == null || v < 0) {
        c.err("value is out of range, must be positive");
        return;
      }
      count = v;
    }
    RList list = writeList(c, c.db, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      if (hasCount) {
        c.nullArray();
      } else {
        c.nullBulk();
      }
      return;
    }
    if (!hasCount) {
      c.bulk(list.pop(left));
      removed(c, c.db, a[1], list, left, 1);
      return;
    }
    if (count == 0) {
      c.emptyArray();
      return;
    }
    int n = (int) Math.min(count, list.size());
    replyPopRange(c, list, left, n);
    removed(c, c.db, a[1], list, left, n);
  }

  private static void replyPopRange(Client c, RList list, boolean left, int n) {
    c.array(n);
    for (int i = 0; i < n; i++) {
      c.bulk(list.pop(left));
    }
  }

  // ---- reads ---------------------------------------------------------------------------------

  static void lrange(Client c, byte[][] a) {
    long start = Args.longOrReply(c, a[2]);
    if (start == Args.BAD) {
      return;
    }
    long end = Args.longOrReply(c, a[3]);
    if (end == Args.BAD) {
      return;
    }
    RList list = readList(c, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      c.emptyArray();
      return;
    }
    long llen = list.size();
    if (start < 0) {
      start += llen;
    }
    if (end < 0) {
      end += llen;
    }
    if (start < 0) {
      start = 0;
    }
    if (start > end || start >= llen) {
      c.emptyArray();
      return;
    }
    if (end >= llen) {
      end = llen - 1;
    }
    int from = (int) start;
    int n = (int) (end - start + 1);
    c.array(n);
    for (int i = 0; i < n; i++) {
      c.bulk(list.get(from + i));
    }
  }

  static void lindex(Client c, byte[][] a) {
    RList list = readList(c, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      c.nullBulk();
      return;
    }
    long index = Args.longOrReply(c, a[2]);
    if (index == Args.BAD) {
      return;
    }
    if (index < 0) {
      index += list.size();
    }
    if (index < 0 || index >= list.size()) {
      c.nullBulk();
    } else {
      c.bulk(list.get((int) index));
    }
  }

  static void llen(Client c, byte[][] a) {
    RList list = readList(c, a[1]);
    if (list != WRONG) {
      c.integer(list == null ? 0 : list.size());
    }
  }

  static void lpos(Client c, byte[][] a) {
    long rank = 1;
    long count = -1;
    long maxlen = 0;
    for (int j = 3; j < a.length; j++) {
      boolean more = j + 1 < a.length;
      if (Args.is(a[j], "rank") && more) {
        rank = Args.longOrReply(c, a[++j]);
        if (rank == Args.BAD) {
          return;
        }
        if (rank == 0) {
          c.err("RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
              + "or use negative to start from the end of the list");
          return;
        }
      } else if (Args.is(a[j], "count") && more) {
        Long v = Bytes.parseLongOrNull(a[++j]);
        if (v == null || v < 0) {
          c.err("COUNT can't be negative");
          return;
        }
        count = v;
      } else if (Args.is(a[j], "maxlen") && more) {
        Long v = Bytes.parseLongOrNull(a[++j]);
        if (v == null || v < 0) {
          c.err("MAXLEN can't be negative");
          return;
        }
        maxlen = v;
      } else {
        c.syntaxError();
        return;
      }
    }
    boolean fromTail = false;
    if (rank < 0) {
      rank = -rank; // Long.MIN_VALUE stays negative: every match qualifies, as in Redis
      fromTail = true;
    }
    RList list = readList(c, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      if (count != -1) {
        c.emptyArray();
      } else {
        c.nullBulk();
      }
      return;
    }
    byte[] ele = a[2];
    int llen = list.size();
    long matches = 0;
    List<Long> found = count != -1 ? new ArrayList<>() : null;
    long single = -1;
    for (int index = 0; index < llen && (maxlen == 0 || index < maxlen); index++) {
      int pos = fromTail ? llen - index - 1 : index;
      if (Arrays.equals(list.get(pos), ele)) {
        matches++;
        if (matches >= rank) {
          if (found != null) {
            found.add((long) pos);
            if (count != 0 && matches - rank + 1 >= count) {
              break;
            }
          } else {
            single = pos;
            break;
          }
        }
      }
    }
    if (found != null) {
      c.array(found.size());
      for (long p : found) {
        c.integer(p);
      }
    } else if (single != -1) {
      c.integer(single);
    } else {
      c.nullBulk();
    }
  }

  // ---- in-place writes -----------------------------------------------------------------------

  static void lset(Client c, byte[][] a) {
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    if (e == null) {
      c.err("no such key");
      return;
    }
    RList list = asList(c, e);
    if (list == WRONG) {
      return;
    }
    long index = Args.longOrReply(c, a[2]);
    if (index == Args.BAD) {
      return;
    }
    if (index < 0) {
      index += list.size();
    }
    if (index < 0 || index >= list.size()) {
      c.err("index out of range");
      return;
    }
    list.set((int) index, a[3]);
    c.ok();
    s.signalModifiedKey(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.LIST, "lset", a[1], c.db.id);
    s.dirty++;
  }

  static void linsert(Client c, byte[][] a) {
    boolean after;
    if (Args.is(a[2], "after")) {
      after = true;
    } else if (Args.is(a[2], "before")) {
      after = false;
    } else {
      c.syntaxError();
      return;
    }
    Server s = c.server;
    RList list = writeList(c, c.db, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      c.integer(0);
      return;
    }
    int at = list.indexOf(a[3]);
    if (at < 0) {
      c.integer(-1);
      return;
    }
    list.insert(after ? at + 1 : at, a[4]);
    s.signalModifiedKey(c.db, a[1]);
    s.blocking.signalKeyAsReady(c.db, a[1]);
    s.notifyKeyspaceEvent(Notifications.LIST, "linsert", a[1], c.db.id);
    s.dirty++;
    c.integer(list.size());
  }

  static void lrem(Client c, byte[][] a) {
    long count = Args.longOrReply(c, a[2]);
    if (count == Args.BAD) {
      return;
    }
    Server s = c.server;
    RList list = writeList(c, c.db, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      c.integer(0);
      return;
    }
    // Long.MIN_VALUE has no positive counterpart: Redis then removes every match.
    long limit = count == Long.MIN_VALUE ? 0 : Math.abs(count);
    int removed = list.removeMatching(a[3], limit, count < 0);
    if (removed > 0) {
      s.notifyKeyspaceEvent(Notifications.LIST, "lrem", a[1], c.db.id);
    }
    if (list.isEmpty()) {
      s.deleteKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
    } else if (removed > 0) {
      s.signalModifiedKey(c.db, a[1]);
    }
    c.integer(removed);
    s.dirty += removed;
  }

  static void ltrim(Client c, byte[][] a) {
    long start = Args.longOrReply(c, a[2]);
    if (start == Args.BAD) {
      return;
    }
    long end = Args.longOrReply(c, a[3]);
    if (end == Args.BAD) {
      return;
    }
    Server s = c.server;
    RList list = writeList(c, c.db, a[1]);
    if (list == WRONG) {
      return;
    }
    if (list == null) {
      c.ok();
      return;
    }
    long llen = list.size();
    if (start < 0) {
      start += llen;
    }
    if (end < 0) {
      end += llen;
    }
    if (start < 0) {
      start = 0;
    }
    long ltrim;
    long rtrim;
    if (start > end || start >= llen) {
      ltrim = llen;
      rtrim = 0;
    } else {
      if (end >= llen) {
        end = llen - 1;
      }
      ltrim = start;
      rtrim = llen - end - 1;
    }
    list.trim((int) ltrim, (int) rtrim);
    s.notifyKeyspaceEvent(Notifications.LIST, "ltrim", a[1], c.db.id);
    if (list.isEmpty()) {
      s.deleteKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[1], c.db.id);
    } else {
      s.signalModifiedKey(c.db, a[1]);
    }
    s.dirty += ltrim + rtrim;
    c.ok();
  }

  // ---- moves ---------------------------------------------------------------------------------

  static void lmove(Client c, byte[][] a) {
    int from = side(c, a[3]);
    if (from < 0) {
      return;
    }
    int to = side(c, a[4]);
    if (to < 0) {
      return;
    }
    lmoveGeneric(c, a[1], a[2], from == 1, to == 1, null);
  }

  static void rpoplpush(Client c, byte[][] a) {
    lmoveGeneric(c, a[1], a[2], false, true, null);
  }

  /**
   * LMOVE's body. {@code rewrite} is what to propagate instead of the command (BLMOVE → LMOVE),
   * or null to propagate it as called. Replies null when the source is absent.
   */
  private static void lmoveGeneric(Client c, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft,
      byte[][] rewrite) {
    RList s = writeList(c, c.db, src);
    if (s == WRONG) {
      return;
    }
    if (s == null) {
      c.nullBulk();
      return;
    }
    if (!moveFrom(c, c.db, s, src, dst, fromLeft, toLeft)) {
      return;
    }
    if (rewrite != null) {
      c.propagateArgv = rewrite;
    }
  }

  /**
   * Moves one element from the non-empty list {@code s} at {@code src} to {@code dst}; replies
   * WRONGTYPE (and moves nothing, returning false) when dst holds another type.
   */
  private static boolean moveFrom(Client c, Database db, RList s, byte[] src, byte[] dst,
      boolean fromLeft, boolean toLeft) {
    Server srv = c.server;
    RList d = writeList(c, db, dst);
    if (d == WRONG) {
      return false;
    }
    byte[] value = s.pop(fromLeft);
    movePush(c, db, dst, d, value, toLeft);
    srv.notifyKeyspaceEvent(Notifications.LIST, fromLeft ? "lpop" : "rpop", src, db.id);
    if (s.isEmpty()) {
      srv.deleteKey(db, src);
      srv.notifyKeyspaceEvent(Notifications.GENERIC, "del", src, db.id);
    } else {
      srv.signalModifiedKey(db, src);
    }
    srv.dirty++;
    return true;
  }

  // ---- LMPOP / BLMPOP ------------------------------------------------------------------------

  /** LMPOP numkeys key... LEFT|RIGHT [COUNT n]; BLMPOP timeout numkeys key... (timeout last). */
  static void lmpop(Client c, byte[][] a, boolean blocking) {
    int numkeysIdx = blocking ? 2 : 1;
    Long nk = Bytes.parseLongOrNull(a[numkeysIdx]);
    if (nk == null || nk < 1) {
      c.err("numkeys should be greater than 0");
      return;
    }
    long numkeys = nk;
    if (numkeys >= a.length - numkeysIdx - 1) {
      c.syntaxError();
      return;
    }
    int whereIdx = numkeysIdx + (int) numkeys + 1;
    int where = side(c, a[whereIdx]);
    if (where < 0) {
      return;
    }
    long count = -1;
    for (int j = whereIdx + 1; j < a.length; j++) {
      if (count == -1 && Args.is(a[j], "count") && j + 1 < a.length) {
        Long v = Bytes.parseLongOrNull(a[++j]);
        if (v == null || v < 1) {
          c.err("count should be greater than 0");
          return;
        }
        count = v;
      } else {
        c.syntaxError();
        return;
      }
    }
    if (count == -1) {
      count = 1;
    }
    boolean left = where == 1;
    long deadline = 0;
    if (blocking) {
      deadline = Blocking.parseTimeoutSeconds(c, a[1]);
      if (deadline < 0) {
        return;
      }
    }
    List<byte[]> keys = new ArrayList<>((int) numkeys);
    for (int i = 0; i < numkeys; i++) {
      byte[] key = a[numkeysIdx + 1 + i];
      keys.add(key);
      RList list = writeList(c, c.db, key);
      if (list == WRONG) {
        return;
      }
      if (list != null) {
        int n = (int) Math.min(count, list.size());
        c.array(2);
        c.bulk(key);
        replyPopRange(c, list, left, n);
        removed(c, c.db, key, list, left, n);
        c.propagateArgv = new byte[][] {left ? LPOP : RPOP, key, Bytes.of(Integer.toString(n))};
        return;
      }
    }
    if (!blocking || c.denyBlocking()) {
      c.nullArray();
      return;
    }
    final long maxCount = count;
    c.server.blocking.block(c, c.db, keys, deadline, new Blocking.Waiter() {
      @Override
      public boolean tryServe(Client rc, Database db, byte[] key) {
        RList list = servable(rc, db, key);
        if (list == null) {
          return false;
        }
        int n = (int) Math.min(maxCount, list.size());
        rc.array(2);
        rc.bulk(key);
        replyPopRange(rc, list, left, n);
        removed(rc, db, key, list, left, n);
        rc.server.propagator.propagate(db.id,
            new byte[][] {left ? LPOP : RPOP, key, Bytes.of(Integer.toString(n))});
        return true;
      }

      @Override
      public void timeout(Client rc) {
        rc.nullArray();
      }
    });
  }

  /** The non-empty list a waiter can be served from, or null (absent, or another type). */
  private static RList servable(Client c, Database db, byte[] key) {
    KeyEntry e = c.server.lookupWrite(db, key);
    if (e == null || !(e.value instanceof RList) || ((RList) e.value).isEmpty()) {
      return null;
    }
    return (RList) e.value;
  }

  // ---- BLPOP / BRPOP -------------------------------------------------------------------------

  static void bpop(Client c, byte[][] a, boolean left) {
    long deadline = Blocking.parseTimeoutSeconds(c, a[a.length - 1]);
    if (deadline < 0) {
      return;
    }
    List<byte[]> keys = new ArrayList<>(a.length - 2);
    for (int i = 1; i < a.length - 1; i++) {
      byte[] key = a[i];
      keys.add(key);
      RList list = writeList(c, c.db, key);
      if (list == WRONG) {
        return;
      }
      if (list != null) {
        c.array(2);
        c.bulk(key);
        c.bulk(list.pop(left));
        removed(c, c.db, key, list, left, 1);
        c.propagateArgv = new byte[][] {left ? LPOP : RPOP, key};
        return;
      }
    }
    if (c.denyBlocking()) {
      c.nullArray();
      return;
    }
    c.server.blocking.block(c, c.db, keys, deadline, new Blocking.Waiter() {
      @Override
      public boolean tryServe(Client rc, Database db, byte[] key) {
        RList list = servable(rc, db, key);
        if (list == null) {
          return false;
        }
        rc.array(2);
        rc.bulk(key);
        rc.bulk(list.pop(left));
        removed(rc, db, key, list, left, 1);
        rc.server.propagator.propagate(db.id, new byte[][] {left ? LPOP : RPOP, key});
        return true;
      }

      @Override
      public void timeout(Client rc) {
        rc.nullArray();
      }
    });
  }

  // ---- BLMOVE / BRPOPLPUSH -------------------------------------------------------------------

  static void blmove(Client c, byte[][] a) {
    int from = side(c, a[3]);
    if (from < 0) {
      return;
    }
    int to = side(c, a[4]);
    if (to < 0) {
      return;
    }
    long deadline = Blocking.parseTimeoutSeconds(c, a[5]);
    if (deadline < 0) {
      return;
    }
    blmoveGeneric(c, a[1], a[2], from == 1, to == 1, deadline, false,
        new byte[][] {LMOVE, a[1], a[2], a[3], a[4]});
  }

  static void brpoplpush(Client c, byte[][] a) {
    long deadline = Blocking.parseTimeoutSeconds(c, a[3]);
    if (deadline < 0) {
      return;
    }
    blmoveGeneric(c, a[1], a[2], false, true, deadline, true, new byte[][] {RPOPLPUSH, a[1], a[2]});
  }

  private static byte[][] moveArgv(byte[] src, byte[] dst, boolean fromLeft, boolean toLeft,
      boolean rpoplpush) {
    if (rpoplpush) {
      return new byte[][] {RPOPLPUSH, src, dst};
    }
    return new byte[][] {LMOVE, src, dst, fromLeft ? LEFT : RIGHT, toLeft ? LEFT : RIGHT};
  }

  private static void blmoveGeneric(Client c, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft,
      long deadline, boolean rpoplpush, byte[][] rewrite) {
    RList s = writeList(c, c.db, src);
    if (s == WRONG) {
      return;
    }
    if (s != null) {
      // Served at once: propagated as LMOVE/RPOPLPUSH with the arguments as given.
      lmoveGeneric(c, src, dst, fromLeft, toLeft, rewrite);
      return;
    }
    if (c.denyBlocking()) {
      c.nullBulk();
      return;
    }
    c.server.blocking.block(c, c.db, List.of(src), deadline, new Blocking.Waiter() {
      @Override
      public boolean tryServe(Client rc, Database db, byte[] key) {
        RList list = servable(rc, db, key);
        if (list == null) {
          return false;
        }
        // A destination of another type: the client gets WRONGTYPE and nothing moves.
        if (moveFrom(rc, db, list, src, dst, fromLeft, toLeft)) {
          rc.server.propagator.propagate(db.id, moveArgv(src, dst, fromLeft, toLeft, rpoplpush));
        }
        return true;
      }

      @Override
      public void timeout(Client rc) {
        rc.nullArray(); // Redis 7.0 times every list command out with the null array
      }
    });
  }
}
