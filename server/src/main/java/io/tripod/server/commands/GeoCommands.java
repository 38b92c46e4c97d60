package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.GeoHash;
import io.tripod.server.types.GeoIndex;
import io.tripod.server.util.Bytes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Geo commands ({@code geo.c}): positions are members of a sorted set scored by their 52-bit
 * geohash. The sorted set is reached through {@link GeoIndex}.
 */
final class GeoCommands {
  private GeoCommands() {}

  private static final int RADIUS_COORDS = 1;
  private static final int RADIUS_MEMBER = 2;
  private static final int RADIUS_NOSTORE = 4;
  private static final int GEOSEARCH = 8;
  private static final int GEOSEARCHSTORE = 16;

  private static final int SORT_NONE = 0;
  private static final int SORT_ASC = 1;
  private static final int SORT_DESC = 2;

  static void register(CommandTable t) {
    t.add("geoadd", -5, "write denyoom", 1, 1, 1, "write geo slow", GeoCommands::geoadd);
    t.add("geopos", -2, "readonly", 1, 1, 1, "read geo slow", GeoCommands::geopos);
    t.add("geodist", -4, "readonly", 1, 1, 1, "read geo slow", GeoCommands::geodist);
    t.add("geohash", -2, "readonly", 1, 1, 1, "read geo slow", GeoCommands::geohash);
    t.add("geosearch", -7, "readonly", 1, 1, 1, "read geo slow",
        (c, a) -> search(c, a, 1, GEOSEARCH));
    t.add("geosearchstore", -8, "write denyoom", 1, 2, 1, "write geo slow",
        (c, a) -> search(c, a, 2, GEOSEARCH | GEOSEARCHSTORE));
    t.add("georadius", -6, "write denyoom movablekeys", 1, 1, 1, "write geo slow",
        (c, a) -> search(c, a, 1, RADIUS_COORDS));
    t.add("georadius_ro", -6, "readonly", 1, 1, 1, "read geo slow",
        (c, a) -> search(c, a, 1, RADIUS_COORDS | RADIUS_NOSTORE));
    t.add("georadiusbymember", -5, "write denyoom movablekeys", 1, 1, 1, "write geo slow",
        (c, a) -> search(c, a, 1, RADIUS_MEMBER));
    t.add("georadiusbymember_ro", -5, "readonly", 1, 1, 1, "read geo slow",
        (c, a) -> search(c, a, 1, RADIUS_MEMBER | RADIUS_NOSTORE));
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** C's {@code "%f"}. */
  static String formatF(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    return new BigDecimal(d).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** Parses a lon,lat pair at a[i], a[i+1]; replies and returns null on error. */
  private static double[] longLatOrReply(Client c, byte[][] a, int i) {
    double[] xy = new double[2];
    for (int k = 0; k < 2; k++) {
      Double d = Args.parseDouble(a[i + k]);
      if (d == null) {
        c.notFloat();
        return null;
      }
      xy[k] = d;
    }
    if (xy[0] < GeoHash.LONG_MIN || xy[0] > GeoHash.LONG_MAX || xy[1] < GeoHash.LAT_MIN
        || xy[1] > GeoHash.LAT_MAX) {
      c.err("invalid longitude,latitude pair " + formatF(xy[0]) + "," + formatF(xy[1]));
      return null;
    }
    return xy;
  }

  /** Meters per unit, or -1 after replying the error. */
  private static double unitOrReply(Client c, byte[] unit) {
    if (Args.is(unit, "m")) {
      return 1;
    } else if (Args.is(unit, "km")) {
      return 1000;
    } else if (Args.is(unit, "ft")) {
      return 0.3048;
    } else if (Args.is(unit, "mi")) {
      return 1609.34;
    }
    c.err("unsupported unit provided. please use M, KM, FT, MI");
    return -1;
  }

  /** A coordinate as Redis's addReplyHumanLongDouble sends it. */
  private static void humanDouble(Client c, double d) {
    String s = GeoHash.human(d);
    if (c.proto >= 3) {
      c.raw(("," + s + "\r\n").getBytes(StandardCharsets.US_ASCII));
    } else {
      c.bulk(s);
    }
  }

  private static final Object WRONG = new Object();

  /** The sorted set at key (null if absent), or WRONG after replying WRONGTYPE. */
  private static Object readIndex(Client c, byte[] key) {
    KeyEntry e = c.server.lookupRead(c.db, key);
    if (e == null) {
      return null;
    }
    GeoIndex g = GeoIndex.of(e.value);
    if (g == null) {
      c.wrongType();
      return WRONG;
    }
    return g;
  }

  // ---- GEOADD -------------------------------------------------------------------------------

  static void geoadd(Client c, byte[][] a) {
    boolean xx = false;
    boolean nx = false;
    boolean ch = false;
    int longidx = 2;
    while (longidx < a.length) {
      byte[] opt = a[longidx];
      if (Args.is(opt, "nx")) {
        nx = true;
      } else if (Args.is(opt, "xx")) {
        xx = true;
      } else if (Args.is(opt, "ch")) {
        ch = true;
      } else {
        break;
      }
      longidx++;
    }
    int elements = (a.length - longidx) / 3;
    if ((a.length - longidx) % 3 != 0 || (xx && nx) || elements == 0) {
      c.syntaxError();
      return;
    }
    double[] scores = new double[elements];
    byte[][] zadd = new byte[longidx + elements * 2][];
    zadd[0] = Bytes.of("zadd");
    for (int i = 1; i < longidx; i++) {
      zadd[i] = a[i];
    }
    for (int i = 0; i < elements; i++) {
      double[] xy = longLatOrReply(c, a, longidx + i * 3);
      if (xy == null) {
        return;
      }
      long bits = GeoHash.score(xy[0], xy[1]);
      scores[i] = bits;
      zadd[longidx + i * 2] = Bytes.fromLong(bits);
      zadd[longidx + i * 2 + 1] = a[longidx + i * 3 + 2];
    }
    Server s = c.server;
    KeyEntry e = s.lookupWrite(c.db, a[1]);
    GeoIndex g;
    if (e == null) {
      if (xx) {
        c.integer(0);
        return;
      }
      g = GeoIndex.Factory.create.get();
      s.addKey(c.db, a[1], g);
    } else {
      g = GeoIndex.of(e.value);
      if (g == null) {
        c.wrongType();
        return;
      }
    }
    int added = 0;
    int updated = 0;
    for (int i = 0; i < elements; i++) {
      byte[] member = a[longidx + i * 3 + 2];
      Double old = g.score(member);
      if (old != null) {
        if (nx) {
          continue;
        }
        if (old != scores[i]) {
          g.put(member, scores[i]);
          updated++;
        }
      } else {
        if (xx) {
          continue;
        }
        g.put(member, scores[i]);
        added++;
      }
    }
    g.afterWrite();
    if (added + updated > 0) {
      s.signalModifiedKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.ZSET, "zadd", a[1], c.db.id);
    }
    s.dirty += added + updated;
    c.propagateArgv = zadd;
    c.integer(ch ? added + updated : added);
  }

  // ---- GEOPOS / GEODIST / GEOHASH -----------------------------------------------------------

  static void geopos(Client c, byte[][] a) {
    Object o = readIndex(c, a[1]);
    if (o == WRONG) {
      return;
    }
    GeoIndex g = (GeoIndex) o;
    c.array(a.length - 2);
    for (int j = 2; j < a.length; j++) {
      Double score = g == null ? null : g.score(a[j]);
      if (score == null) {
        c.nullArray();
      } else {
        double[] xy = GeoHash.decodeScore(score);
        c.array(2);
        humanDouble(c, xy[0]);
        humanDouble(c, xy[1]);
      }
    }
  }

  static void geodist(Client c, byte[][] a) {
    double toMeter = 1;
    if (a.length == 5) {
      toMeter = unitOrReply(c, a[4]);
      if (toMeter < 0) {
        return;
      }
    } else if (a.length > 5) {
      c.syntaxError();
      return;
    }
    Object o = readIndex(c, a[1]);
    if (o == WRONG) {
      return;
    }
    if (o == null) {
      c.nullBulk();
      return;
    }
    GeoIndex g = (GeoIndex) o;
    Double s1 = g.score(a[2]);
    Double s2 = s1 == null ? null : g.score(a[3]);
    if (s1 == null || s2 == null) {
      c.nullBulk();
      return;
    }
    double[] p1 = GeoHash.decodeScore(s1);
    double[] p2 = GeoHash.decodeScore(s2);
    c.bulk(GeoHash.format4(GeoHash.distance(p1[0], p1[1], p2[0], p2[1]) / toMeter));
  }

  static void geohash(Client c, byte[][] a) {
    Object o = readIndex(c, a[1]);
    if (o == WRONG) {
      return;
    }
    GeoIndex g = (GeoIndex) o;
    c.array(a.length - 2);
    for (int j = 2; j < a.length; j++) {
      Double score = g == null ? null : g.score(a[j]);
      if (score == null) {
        c.nullBulk();
      } else {
        c.bulk(GeoHash.geohashString(score));
      }
    }
  }

  // ---- searches -----------------------------------------------------------------------------

  private static final class Point {
    final byte[] member;
    final double score;
    final double lon;
    final double lat;
    double dist;

    Point(byte[] member, double score, double lon, double lat, double dist) {
      this.member = member;
      this.score = score;
      this.lon = lon;
      this.lat = lat;
      this.dist = dist;
    }
  }

  /** Redis's georadiusGeneric: GEORADIUS[BYMEMBER][_RO], GEOSEARCH, GEOSEARCHSTORE. */
  static void search(Client c, byte[][] a, int srcKeyIndex, int flags) {
    Server s = c.server;
    byte[] storekey = null;
    boolean storedist = false;
    Object o = readIndex(c, a[srcKeyIndex]);
    if (o == WRONG) {
      return;
    }
    GeoIndex zobj = (GeoIndex) o;

    int baseArgs;
    double[] xy = null;
    boolean circle = false;
    double radius = 0;
    double width = 0;
    double height = 0;
    double conversion = 0;
    if ((flags & RADIUS_COORDS) != 0) {
      baseArgs = 6;
      circle = true;
      xy = longLatOrReply(c, a, 2);
      if (xy == null) {
        return;
      }
      double[] d = distanceOrReply(c, a, baseArgs - 2);
      if (d == null) {
        return;
      }
      radius = d[0];
      conversion = d[1];
    } else if ((flags & RADIUS_MEMBER) != 0 && zobj == null) {
      baseArgs = 5;
    } else if ((flags & RADIUS_MEMBER) != 0) {
      baseArgs = 5;
      circle = true;
      xy = memberPos(zobj, a[2]);
      if (xy == null) {
        c.err("could not decode requested zset member");
        return;
      }
      double[] d = distanceOrReply(c, a, baseArgs - 2);
      if (d == null) {
        return;
      }
      radius = d[0];
      conversion = d[1];
    } else {
      baseArgs = 2;
      if ((flags & GEOSEARCHSTORE) != 0) {
        baseArgs = 3;
        storekey = a[1];
      }
    }

    boolean withdist = false;
    boolean withhash = false;
    boolean withcoords = false;
    boolean frommember = false;
    boolean fromloc = false;
    boolean byradius = false;
    boolean bybox = false;
    int sort = SORT_NONE;
    boolean any = false;
    long count = 0;
    int remaining = a.length - baseArgs;
    for (int i = 0; i < remaining; i++) {
      byte[] arg = a[baseArgs + i];
      if (Args.is(arg, "withdist")) {
        withdist = true;
      } else if (Args.is(arg, "withhash")) {
        withhash = true;
      } else if (Args.is(arg, "withcoord")) {
        withcoords = true;
      } else if (Args.is(arg, "any")) {
        any = true;
      } else if (Args.is(arg, "asc")) {
        sort = SORT_ASC;
      } else if (Args.is(arg, "desc")) {
        sort = SORT_DESC;
      } else if (Args.is(arg, "count") && i + 1 < remaining) {
        count = Args.longOrReply(c, a[baseArgs + i + 1]);
        if (count == Args.BAD) {
          return;
        }
        if (count <= 0) {
          c.err("COUNT must be > 0");
          return;
        }
        i++;
      } else if (Args.is(arg, "store") && i + 1 < remaining && (flags & RADIUS_NOSTORE) == 0
          && (flags & GEOSEARCH) == 0) {
        storekey = a[baseArgs + i + 1];
        storedist = false;
        i++;
      } else if (Args.is(arg, "storedist") && i + 1 < remaining
          && (flags & RADIUS_NOSTORE) == 0 && (flags & GEOSEARCH) == 0) {
        storekey = a[baseArgs + i + 1];
        storedist = true;
        i++;
      } else if (Args.is(arg, "storedist") && (flags & GEOSEARCH) != 0
          && (flags & GEOSEARCHSTORE) != 0) {
        storedist = true;
      } else if (Args.is(arg, "frommember") && i + 1 < remaining && (flags & GEOSEARCH) != 0
          && !fromloc) {
        if (zobj == null) {
          frommember = true;
          i++;
          continue;
        }
        xy = memberPos(zobj, a[baseArgs + i + 1]);
        if (xy == null) {
          c.err("could not decode requested zset member");
          return;
        }
        frommember = true;
        i++;
      } else if (Args.is(arg, "fromlonlat") && i + 2 < remaining && (flags & GEOSEARCH) != 0
          && !frommember) {
        xy = longLatOrReply(c, a, baseArgs + i + 1);
        if (xy == null) {
          return;
        }
        fromloc = true;
        i += 2;
      } else if (Args.is(arg, "byradius") && i + 2 < remaining && (flags & GEOSEARCH) != 0
          && !bybox) {
        double[] d = distanceOrReply(c, a, baseArgs + i + 1);
        if (d == null) {
          return;
        }
        radius = d[0];
        conversion = d[1];
        circle = true;
        byradius = true;
        i += 2;
      } else if (Args.is(arg, "bybox") && i + 3 < remaining && (flags & GEOSEARCH) != 0
          && !byradius) {
        double[] b = boxOrReply(c, a, baseArgs + i + 1);
        if (b == null) {
          return;
        }
        width = b[0];
        height = b[1];
        conversion = b[2];
        circle = false;
        bybox = true;
        i += 3;
      } else {
        c.syntaxError();
        return;
      }
    }

    if (storekey != null && (withdist || withhash || withcoords)) {
      c.err(((flags & GEOSEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
          + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
      return;
    }
    String cmdName = new String(a[0], StandardCharsets.UTF_8);
    if ((flags & GEOSEARCH) != 0 && !(frommember || fromloc)) {
      c.err("exactly one of FROMMEMBER or FROMLONLAT can be specified for " + cmdName);
      return;
    }
    if ((flags & GEOSEARCH) != 0 && !(byradius || bybox)) {
      c.err("exactly one of BYRADIUS and BYBOX can be specified for " + cmdName);
      return;
    }
    if (any && count == 0) {
      c.err("the ANY argument requires COUNT argument");
      return;
    }

    if (zobj == null) {
      if (storekey != null) {
        if (s.deleteKey(c.db, storekey)) {
          s.notifyKeyspaceEvent(Notifications.GENERIC, "del", storekey, c.db.id);
          s.dirty++;
        }
        c.integer(0);
      } else {
        c.emptyArray();
      }
      return;
    }

    if (count != 0 && sort == SORT_NONE && !any) {
      sort = SORT_ASC;
    }

    GeoHash.Shape shape = circle
        ? GeoHash.Shape.radius(xy[0], xy[1], radius, conversion)
        : GeoHash.Shape.box(xy[0], xy[1], width, height, conversion);
    List<Point> ga = collect(zobj, shape, any ? count : 0);

    if (ga.isEmpty() && storekey == null) {
      c.emptyArray();
      return;
    }
    long resultLength = ga.size();
    long returnedItems = (count == 0 || resultLength < count) ? resultLength : count;
    if (sort != SORT_NONE) {
      Comparator<Point> cmp = (p, q) -> p.dist > q.dist ? 1 : p.dist == q.dist ? 0 : -1;
      ga.sort(sort == SORT_DESC ? cmp.reversed() : cmp);
    }

    if (storekey == null) {
      int optionLength = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
      c.array(returnedItems);
      for (int i = 0; i < returnedItems; i++) {
        Point gp = ga.get(i);
        gp.dist /= shape.conversion;
        if (optionLength > 0) {
          c.array(optionLength + 1);
        }
        c.bulk(gp.member);
        if (withdist) {
          c.bulk(GeoHash.format4(gp.dist));
        }
        if (withhash) {
          c.integer((long) gp.score);
        }
        if (withcoords) {
          c.array(2);
          humanDouble(c, gp.lon);
          humanDouble(c, gp.lat);
        }
      }
      return;
    }
    if (returnedItems > 0) {
      GeoIndex dst = GeoIndex.Factory.create.get();
      for (int i = 0; i < returnedItems; i++) {
        Point gp = ga.get(i);
        gp.dist /= shape.conversion;
        dst.put(gp.member, storedist ? gp.dist : gp.score);
      }
      dst.afterWrite();
      s.setKey(c.db, storekey, dst, false);
      s.notifyKeyspaceEvent(Notifications.ZSET,
          (flags & GEOSEARCH) != 0 ? "geosearchstore" : "georadiusstore", storekey, c.db.id);
      s.dirty += returnedItems;
    } else if (s.deleteKey(c.db, storekey)) {
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", storekey, c.db.id);
      s.dirty++;
    }
    c.integer(returnedItems);
  }

  /** membersOfAllNeighbors: the points inside the shape, box by box in Redis's order. */
  private static List<Point> collect(GeoIndex zobj, GeoHash.Shape shape, long limit) {
    GeoHash.Bits[] neighbors = GeoHash.searchAreas(shape);
    List<Point> ga = new ArrayList<>();
    int lastProcessed = 0;
    for (int i = 0; i < neighbors.length; i++) {
      GeoHash.Bits nb = neighbors[i];
      if (nb.isZero()) {
        continue;
      }
      if (lastProcessed != 0 && nb.bits() == neighbors[lastProcessed].bits()
          && nb.step() == neighbors[lastProcessed].step()) {
        continue;
      }
      if (!ga.isEmpty() && limit > 0 && ga.size() >= limit) {
        break;
      }
      long[] range = GeoHash.scoreRange(nb);
      zobj.rangeByScore(range[0], range[1], (member, score) -> {
        double[] xy = GeoHash.decodeScore(score);
        double d = shape.distanceIfInside(xy[0], xy[1]);
        if (d >= 0) {
          ga.add(new Point(member, score, xy[0], xy[1], d));
        }
        return !(!ga.isEmpty() && limit > 0 && ga.size() >= limit);
      });
      lastProcessed = i;
    }
    return ga;
  }

  private static double[] memberPos(GeoIndex g, byte[] member) {
    Double score = g.score(member);
    return score == null ? null : GeoHash.decodeScore(score);
  }

  /** {radius, conversion} from "<radius> <unit>", or null after replying. */
  private static double[] distanceOrReply(Client c, byte[][] a, int i) {
    Double d = Args.parseDouble(a[i]);
    if (d == null) {
      c.err("need numeric radius");
      return null;
    }
    if (d < 0) {
      c.err("radius cannot be negative");
      return null;
    }
    double toMeters = unitOrReply(c, a[i + 1]);
    if (toMeters < 0) {
      return null;
    }
    return new double[] {d, toMeters};
  }

  /** {width, height, conversion} from "<width> <height> <unit>", or null after replying. */
  private static double[] boxOrReply(Client c, byte[][] a, int i) {
    Double w = Args.parseDouble(a[i]);
    if (w == null) {
      c.err("need numeric width");
      return null;
    }
    Double h = Args.parseDouble(a[i + 1]);
    if (h == null) {
      c.err("need numeric height");
      return null;
    }
    if (h < 0 || w < 0) {
      c.err("height or width cannot be negative");
      return null;
    }
    double toMeters = unitOrReply(c, a[i + 2]);
    if (toMeters < 0) {
      return null;
    }
    return new double[] {w, h, toMeters};
  }
}
