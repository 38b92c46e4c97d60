package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Sortable;
import io.tripod.server.types.Strings;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * SORT and SORT_RO ({@code sort.c}). The sorted value is any {@link Sortable} (list, set, sorted
 * set); {@code key->field} patterns read any {@link Sortable.HashFields}.
 */
final class SortCommands {
  private SortCommands() {}

  static void register(CommandTable t) {
    t.add("sort", -2, "write denyoom movablekeys", 1, 1, 1,
        "write set sortedset list slow dangerous", (c, a) -> sort(c, a, false));
    t.add("sort_ro", -2, "readonly movablekeys", 1, 1, 1,
        "read set sortedset list slow dangerous", (c, a) -> sort(c, a, true));
  }

  /** One element being sorted, with its numeric score or comparison string. */
  private static final class Item {
    final byte[] obj;
    double score;
    byte[] cmpobj;

    Item(byte[] obj) {
      this.obj = obj;
    }
  }

  static void sort(Client c, byte[][] a, boolean readonly) {
    Server s = c.server;
    boolean desc = false;
    boolean alpha = false;
    long limitStart = 0;
    long limitCount = -1;
    boolean dontsort = false;
    byte[] sortby = null;
    byte[] storekey = null;
    List<byte[]> gets = new ArrayList<>();
    for (int j = 2; j < a.length; j++) {
      int leftargs = a.length - j - 1;
      byte[] arg = a[j];
      if (Args.is(arg, "asc")) {
        desc = false;
      } else if (Args.is(arg, "desc")) {
        desc = true;
      } else if (Args.is(arg, "alpha")) {
        alpha = true;
      } else if (Args.is(arg, "limit") && leftargs >= 2) {
        limitStart = Args.longOrReply(c, a[j + 1]);
        if (limitStart == Args.BAD) {
          return;
        }
        limitCount = Args.longOrReply(c, a[j + 2]);
        if (limitCount == Args.BAD) {
          return;
        }
        j += 2;
      } else if (!readonly && Args.is(arg, "store") && leftargs >= 1) {
        storekey = a[j + 1];
        j++;
      } else if (Args.is(arg, "by") && leftargs >= 1) {
        sortby = a[j + 1];
        if (indexOf(sortby, cstrlen(sortby), (byte) '*', 0) < 0) {
          dontsort = true;
        }
        j++;
      } else if (Args.is(arg, "get") && leftargs >= 1) {
        gets.add(a[j + 1]);
        j++;
      } else {
        c.syntaxError();
        return;
      }
    }

    KeyEntry e = s.lookupRead(c.db, a[1]);
    Sortable sortval = null;
    if (e != null) {
      if (!(e.value instanceof Sortable)) {
        c.wrongType();
        return;
      }
      sortval = (Sortable) e.value;
    }
    if (sortval != null) {
      // beforeSort may change the representation: take the entry through the write path (no
      // second hit/miss count; the lazy expiry already ran).
      sortval = (Sortable) s.lookupWrite(c.db, a[1]).value;
      sortval.beforeSort();
    }
    Sortable.Kind kind = sortval == null ? Sortable.Kind.LIST : sortval.sortKind();
    List<byte[]> elements = sortval == null ? List.of() : sortval.elementsForSort();

    // A set has no native order: with STORE the result must be deterministic.
    if (dontsort && kind == Sortable.Kind.SET && storekey != null) {
      dontsort = false;
      alpha = true;
      sortby = null;
    }

    long vectorlen = elements.size();
    // LIMIT sanity checks, clamping to the size first so start + count cannot overflow.
    long start = Math.min(Math.max(limitStart, 0), vectorlen);
    limitCount = Math.min(Math.max(limitCount, -1), vectorlen);
    long end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
    if (start >= vectorlen) {
      start = vectorlen - 1;
      end = vectorlen - 2;
    }
    if (end >= vectorlen) {
      end = vectorlen - 1;
    }

    List<Item> vector;
    if (dontsort && kind != Sortable.Kind.SET) {
      // Native order (reversed for DESC), only the LIMIT range loaded.
      vector = new ArrayList<>();
      if (end >= start) {
        int n = elements.size();
        for (long i = start; i <= end; i++) {
          int idx = (int) (desc ? n - 1 - i : i);
          vector.add(new Item(elements.get(idx)));
        }
      }
      end -= start;
      start = 0;
    } else {
      vector = new ArrayList<>(elements.size());
      for (byte[] el : elements) {
        vector.add(new Item(el));
      }
    }

    boolean conversionError = false;
    if (!dontsort) {
      for (Item it : vector) {
        byte[] byval;
        if (sortby != null) {
          byval = lookupByPattern(c, sortby, it.obj);
          if (byval == null) {
            continue;
          }
        } else {
          byval = it.obj;
        }
        if (alpha) {
          if (sortby != null) {
            it.cmpobj = byval;
          }
        } else {
          Double d = strtod(byval);
          if (d == null) {
            conversionError = true;
          } else {
            it.score = d;
          }
        }
      }
      Comparator<Item> cmp = comparator(alpha, sortby != null, storekey != null);
      if (desc) {
        cmp = cmp.reversed();
      }
      Collections.sort(vector, cmp);
    }

    long outputlen = gets.isEmpty() ? end - start + 1 : gets.size() * (end - start + 1);
    if (conversionError) {
      c.err("One or more scores can't be converted into double");
      return;
    }
    if (storekey == null) {
      c.array(outputlen);
      for (long j = start; j <= end; j++) {
        Item it = vector.get((int) j);
        if (gets.isEmpty()) {
          c.bulk(it.obj);
        }
        for (byte[] pattern : gets) {
          byte[] val = lookupByPattern(c, pattern, it.obj);
          if (val == null) {
            c.nullBulk();
          } else {
            c.bulk(val);
          }
        }
      }
      return;
    }
    List<byte[]> out = new ArrayList<>();
    for (long j = start; j <= end; j++) {
      Item it = vector.get((int) j);
      if (gets.isEmpty()) {
        out.add(it.obj);
      } else {
        for (byte[] pattern : gets) {
          byte[] val = lookupByPattern(c, pattern, it.obj);
          out.add(val == null ? Bytes.EMPTY : val);
        }
      }
    }
    if (outputlen > 0) {
      s.setKey(c.db, storekey, Sortable.Store.listFactory.apply(out), false);
      s.notifyKeyspaceEvent(Notifications.LIST, "sortstore", storekey, c.db.id);
      s.dirty += outputlen;
    } else if (s.deleteKey(c.db, storekey)) {
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", storekey, c.db.id);
      s.dirty++;
    }
    c.integer(outputlen);
  }

  private static Comparator<Item> comparator(boolean alpha, boolean byPattern, boolean store) {
    if (!alpha) {
      return (x, y) -> {
        if (x.score > y.score) {
          return 1;
        } else if (x.score < y.score) {
          return -1;
        }
        return Bytes.compare(x.obj, y.obj);
      };
    }
    if (byPattern) {
      return (x, y) -> {
        if (x.cmpobj == null || y.cmpobj == null) {
          if (x.cmpobj == y.cmpobj) {
            return 0;
          }
          return x.cmpobj == null ? -1 : 1;
        }
        return store ? Bytes.compare(x.cmpobj, y.cmpobj) : strcoll(x.cmpobj, y.cmpobj);
      };
    }
    return (x, y) -> store ? Bytes.compare(x.obj, y.obj) : strcoll(x.obj, y.obj);
  }

  /** strcoll in the C locale: strcmp, which stops at the first NUL byte. */
  static int strcoll(byte[] x, byte[] y) {
    int i = 0;
    while (true) {
      int cx = i < x.length ? x[i] & 0xff : 0;
      int cy = i < y.length ? y[i] & 0xff : 0;
      if (cx != cy) {
        return cx - cy;
      }
      if (cx == 0) {
        return 0;
      }
      i++;
    }
  }

  /** Length of a byte string read as a C string (up to the first NUL). */
  static int cstrlen(byte[] b) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return b.length;
  }

  private static int indexOf(byte[] b, int limit, byte ch, int from) {
    for (int i = from; i < limit; i++) {
      if (b[i] == ch) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Redis's lookupKeyByPattern: {@code #} is the element itself; otherwise the first {@code *} is
   * replaced by the element and the key read (a string, or a hash field after {@code ->}).
   */
  static byte[] lookupByPattern(Client c, byte[] pattern, byte[] subst) {
    int clen = cstrlen(pattern);
    if (clen == 1 && pattern[0] == '#') {
      return subst;
    }
    int p = indexOf(pattern, clen, (byte) '*', 0);
    if (p < 0) {
      return null;
    }
    int f = -1;
    for (int i = p + 1; i + 1 < clen; i++) {
      if (pattern[i] == '-' && pattern[i + 1] == '>') {
        f = i;
        break;
      }
    }
    byte[] field = null;
    int fieldlen = 0;
    if (f >= 0 && f + 2 < clen) {
      fieldlen = pattern.length - f - 2;
      field = Arrays.copyOfRange(pattern, f + 2, pattern.length);
    }
    int prefixlen = p;
    int postfixlen = pattern.length - (prefixlen + 1) - (fieldlen > 0 ? fieldlen + 2 : 0);
    byte[] key = new byte[prefixlen + subst.length + postfixlen];
    System.arraycopy(pattern, 0, key, 0, prefixlen);
    System.arraycopy(subst, 0, key, prefixlen, subst.length);
    System.arraycopy(pattern, p + 1, key, prefixlen + subst.length, postfixlen);
    KeyEntry e = c.server.lookupRead(c.db, key);
    if (e == null) {
      return null;
    }
    if (field != null) {
      if (!(e.value instanceof Sortable.HashFields)) {
        return null;
      }
      return ((Sortable.HashFields) e.value).fieldForSort(field);
    }
    if (!Strings.isString(e.value)) {
      return null;
    }
    return Strings.bytes(e.value);
  }

  /**
   * C's strtod as SORT checks it: the whole C string must convert (an empty string is 0), no
   * overflow or underflow (ERANGE), not NaN. Returns null on failure.
   */
  static Double strtod(byte[] b) {
    int len = cstrlen(b);
    if (len == 0) {
      return 0.0;
    }
    int i = 0;
    while (i < len && isCSpace(b[i])) {
      i++;
    }
    int signStart = i;
    boolean neg = false;
    if (i < len && (b[i] == '+' || b[i] == '-')) {
      neg = b[i] == '-';
      i++;
    }
    String rest = new String(b, i, len - i, java.nio.charset.StandardCharsets.ISO_8859_1);
    String lower = rest.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf") || lower.equals("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (lower.startsWith("nan")) {
      return null; // NaN, or trailing garbage
    }
    if (signStart >= len) {
      return null;
    }
    double v;
    boolean nonzeroDigits;
    if (lower.startsWith("0x")) {
      String hex = lower.substring(2);
      if (!hex.matches("([0-9a-f]+\\.?[0-9a-f]*|\\.[0-9a-f]+)(p[+-]?[0-9]+)?")) {
        // "0x" alone converts the "0" and stops at 'x': trailing garbage either way.
        return null;
      }
      nonzeroDigits = hex.replaceAll("p.*", "").matches(".*[1-9a-f].*");
      try {
        v = Double.parseDouble("0x" + (hex.contains("p") ? hex : hex + "p0"));
      } catch (NumberFormatException ex) {
        return null;
      }
    } else {
      if (!lower.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) {
        return null;
      }
      nonzeroDigits = lower.replaceAll("e.*", "").matches(".*[1-9].*");
      v = Double.parseDouble(lower);
    }
    if (Double.isInfinite(v)) {
      return null;
    }
    if (nonzeroDigits && (v == 0 || Math.abs(v) < Double.MIN_NORMAL)) {
      return null;
    }
    return neg ? -v : v;
  }

  private static boolean isCSpace(byte ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0b || ch == '\f' || ch == '\r';
  }
}
