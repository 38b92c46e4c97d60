package io.tripod.server.types;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The geohash arithmetic of Redis 7.0 ({@code geohash.c}, {@code geohash_helper.c}), pure and
 * stateless: 26-step (52-bit) interleaved hashes over longitude [-180,180] and latitude
 * [-85.05112878, 85.05112878], the score of a member is the 52-bit integer as a double; haversine
 * distances on a sphere of radius 6372797.560856 m; the 9 boxes (centre and neighbours) that cover
 * a radius or box search.
 */
public final class GeoHash {
  private GeoHash() {}

  public static final int STEP_MAX = 26;
  public static final double LAT_MIN = -85.05112878;
  public static final double LAT_MAX = 85.05112878;
  public static final double LONG_MIN = -180;
  public static final double LONG_MAX = 180;
  static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
  static final double MERCATOR_MAX = 20037726.37;
  static final double D_R = Math.PI / 180.0;

  /** A hash of {@code step} bits per coordinate (bits=0, step=0 is "none"). */
  public record Bits(long bits, int step) {
    public boolean isZero() {
      return bits == 0 && step == 0;
    }
  }

  /** A decoded box. */
  public record Area(double lonMin, double lonMax, double latMin, double latMax) {}

  // ---- encode / decode ----------------------------------------------------------------------

  static long interleave64(long xlo, long ylo) {
    long r = 0;
    for (int i = 0; i < 32; i++) {
      r |= ((xlo >>> i) & 1L) << (2 * i);
      r |= ((ylo >>> i) & 1L) << (2 * i + 1);
    }
    return r;
  }

  /** The even bits in the low 32 bits, the odd bits in the high 32 bits. */
  static long deinterleave64(long v) {
    long x = 0;
    long y = 0;
    for (int i = 0; i < 32; i++) {
      x |= ((v >>> (2 * i)) & 1L) << i;
      y |= ((v >>> (2 * i + 1)) & 1L) << i;
    }
    return x | (y << 32);
  }

  /** C's conversion of a non-negative double to uint32_t (truncation, modulo 2^32). */
  private static long toUint32(double d) {
    return ((long) d) & 0xffffffffL;
  }

  /**
   * geohashEncode over the given ranges; null if the coordinates are outside the Web Mercator
   * limits or the ranges.
   */
  public static Bits encode(
      double lonMin, double lonMax, double latMin, double latMax, double longitude,
      double latitude, int step) {
    if (longitude > LONG_MAX || longitude < LONG_MIN || latitude > LAT_MAX || latitude < LAT_MIN) {
      return null;
    }
    if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) {
      return null;
    }
    double latOffset = (latitude - latMin) / (latMax - latMin);
    double longOffset = (longitude - lonMin) / (lonMax - lonMin);
    latOffset *= (double) (1L << step);
    longOffset *= (double) (1L << step);
    return new Bits(interleave64(toUint32(latOffset), toUint32(longOffset)), step);
  }

  public static Bits encodeWgs84(double longitude, double latitude, int step) {
    return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, step);
  }

  /** The score GEOADD stores: the 52-bit hash of a position. */
  public static long score(double longitude, double latitude) {
    Bits b = encodeWgs84(longitude, latitude, STEP_MAX);
    return align52(b);
  }

  public static long align52(Bits b) {
    return b.bits() << (52 - b.step() * 2);
  }

  public static Area decode(
      double lonMin, double lonMax, double latMin, double latMax, Bits hash) {
    long sep = deinterleave64(hash.bits());
    double latScale = latMax - latMin;
    double longScale = lonMax - lonMin;
    long ilato = sep & 0xffffffffL;
    long ilono = sep >>> 32;
    double div = (double) (1L << hash.step());
    return new Area(
        lonMin + (ilono * 1.0 / div) * longScale,
        lonMin + ((ilono + 1) * 1.0 / div) * longScale,
        latMin + (ilato * 1.0 / div) * latScale,
        latMin + ((ilato + 1) * 1.0 / div) * latScale);
  }

  public static Area decodeWgs84(Bits hash) {
    return decode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, hash);
  }

  /** The centre of a member's cell: {longitude, latitude}, clamped to the valid ranges. */
  public static double[] decodeScore(double score) {
    Bits hash = new Bits((long) score, STEP_MAX);
    Area a = decodeWgs84(hash);
    double x = (a.lonMin() + a.lonMax()) / 2;
    x = Math.min(Math.max(x, LONG_MIN), LONG_MAX);
    double y = (a.latMin() + a.latMax()) / 2;
    y = Math.min(Math.max(y, LAT_MIN), LAT_MAX);
    return new double[] {x, y};
  }

  private static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

  /** GEOHASH's 11-character string: re-encoded over the standard [-90,90] latitude range. */
  public static String geohashString(double score) {
    double[] xy = decodeScore(score);
    Bits h = encode(-180, 180, -90, 90, xy[0], xy[1], 26);
    long bits = h == null ? 0 : h.bits();
    char[] buf = new char[11];
    for (int i = 0; i < 11; i++) {
      int idx = i == 10 ? 0 : (int) ((bits >>> (52 - ((i + 1) * 5))) & 0x1f);
      buf[i] = ALPHABET.charAt(idx);
    }
    return new String(buf);
  }

  // ---- neighbours ---------------------------------------------------------------------------

  private static long moveX(long bits, int step, int d) {
    if (d == 0) {
      return bits;
    }
    long x = bits & 0xaaaaaaaaaaaaaaaaL;
    long y = bits & 0x5555555555555555L;
    long zz = 0x5555555555555555L >>> (64 - step * 2);
    if (d > 0) {
      x = x + (zz + 1);
    } else {
      x = x | zz;
      x = x - (zz + 1);
    }
    x &= (0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2));
    return x | y;
  }

  private static long moveY(long bits, int step, int d) {
    if (d == 0) {
      return bits;
    }
    long x = bits & 0xaaaaaaaaaaaaaaaaL;
    long y = bits & 0x5555555555555555L;
    long zz = 0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2);
    if (d > 0) {
      y = y + (zz + 1);
    } else {
      y = y | zz;
      y = y - (zz + 1);
    }
    y &= (0x5555555555555555L >>> (64 - step * 2));
    return x | y;
  }

  private static Bits move(Bits h, int dx, int dy) {
    return new Bits(moveY(moveX(h.bits(), h.step(), dx), h.step(), dy), h.step());
  }

  // ---- distances ----------------------------------------------------------------------------

  static double degRad(double ang) {
    return ang * D_R;
  }

  static double radDeg(double ang) {
    return ang / D_R;
  }

  /** Haversine great-circle distance in meters. */
  public static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
    double lat1r = degRad(lat1d);
    double lon1r = degRad(lon1d);
    double lat2r = degRad(lat2d);
    double lon2r = degRad(lon2d);
    double u = StrictMath.sin((lat2r - lat1r) / 2);
    double v = StrictMath.sin((lon2r - lon1r) / 2);
    return 2.0 * EARTH_RADIUS_IN_METERS
        * StrictMath.asin(
            Math.sqrt(u * u + StrictMath.cos(lat1r) * StrictMath.cos(lat2r) * v * v));
  }

  // ---- search shapes ------------------------------------------------------------------------

  /**
   * A search: centre, and either a radius or a width/height, in the request's unit ({@code
   * conversion} meters per unit).
   */
  public static final class Shape {
    public final double lon;
    public final double lat;
    public final boolean circle;
    public final double radius;
    public final double width;
    public final double height;
    public final double conversion;
    /** min lon, min lat, max lon, max lat. */
    final double[] bounds = new double[4];

    private Shape(double lon, double lat, boolean circle, double radius, double width,
        double height, double conversion) {
      this.lon = lon;
      this.lat = lat;
      this.circle = circle;
      this.radius = radius;
      this.width = width;
      this.height = height;
      this.conversion = conversion;
    }

    public static Shape radius(double lon, double lat, double radius, double conversion) {
      return new Shape(lon, lat, true, radius, 0, 0, conversion);
    }

    public static Shape box(double lon, double lat, double width, double height,
        double conversion) {
      return new Shape(lon, lat, false, 0, width, height, conversion);
    }

    /**
     * The distance in meters from the centre if the point is inside the shape, else -1 (Redis's
     * geohashGetDistanceIfInRadius / IfInRectangle).
     */
    public double distanceIfInside(double x2, double y2) {
      if (circle) {
        double d = distance(lon, lat, x2, y2);
        return d > radius * conversion ? -1 : d;
      }
      double widthM = width * conversion;
      double heightM = height * conversion;
      double lonDistance = distance(x2, y2, lon, y2);
      double latDistance = distance(x2, y2, x2, lat);
      if (lonDistance > widthM / 2 || latDistance > heightM / 2) {
        return -1;
      }
      return distance(lon, lat, x2, y2);
    }
  }

  static int estimateStepsByRadius(double rangeMeters, double lat) {
    if (rangeMeters == 0) {
      return 26;
    }
    int step = 1;
    while (rangeMeters < MERCATOR_MAX) {
      rangeMeters *= 2;
      step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
      step--;
      if (lat > 80 || lat < -80) {
        step--;
      }
    }
    if (step < 1) {
      step = 1;
    }
    if (step > 26) {
      step = 26;
    }
    return step;
  }

  static void boundingBox(Shape s) {
    double height = s.conversion * (s.circle ? s.radius : s.height / 2);
    double width = s.conversion * (s.circle ? s.radius : s.width / 2);
    double latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
    double longDeltaTop =
        radDeg(width / EARTH_RADIUS_IN_METERS / StrictMath.cos(degRad(s.lat + latDelta)));
    double longDeltaBottom =
        radDeg(width / EARTH_RADIUS_IN_METERS / StrictMath.cos(degRad(s.lat - latDelta)));
    boolean southern = s.lat < 0;
    s.bounds[0] = southern ? s.lon - longDeltaBottom : s.lon - longDeltaTop;
    s.bounds[2] = southern ? s.lon + longDeltaBottom : s.lon + longDeltaTop;
    s.bounds[1] = s.lat - latDelta;
    s.bounds[3] = s.lat + latDelta;
  }

  /**
   * The boxes to scan, in Redis's order: centre, north, south, east, west, north-east,
   * north-west, south-east, south-west. Excluded boxes are zero ({@link Bits#isZero()}).
   */
  public static Bits[] searchAreas(Shape s) {
    boundingBox(s);
    double minLon = s.bounds[0];
    double minLat = s.bounds[1];
    double maxLon = s.bounds[2];
    double maxLat = s.bounds[3];
    double radiusMeters = s.circle ? s.radius
        : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
    radiusMeters *= s.conversion;
    int steps = estimateStepsByRadius(radiusMeters, s.lat);
    Bits hash = encodeOrZero(s.lon, s.lat, steps);
    Bits[] n = neighbours(hash);
    Area area = decodeWgs84(hash);
    boolean decrease = false;
    Area north = decodeWgs84(n[1]);
    Area south = decodeWgs84(n[2]);
    Area east = decodeWgs84(n[3]);
    Area west = decodeWgs84(n[4]);
    if (north.latMax() < maxLat) {
      decrease = true;
    }
    if (south.latMin() > minLat) {
      decrease = true;
    }
    if (east.lonMax() < maxLon) {
      decrease = true;
    }
    if (west.lonMin() > minLon) {
      decrease = true;
    }
    if (steps > 1 && decrease) {
      steps--;
      hash = encodeOrZero(s.lon, s.lat, steps);
      n = neighbours(hash);
      area = decodeWgs84(hash);
    }
    Bits zero = new Bits(0, 0);
    if (steps >= 2) {
      if (area.latMin() < minLat) {
        n[2] = zero;
        n[8] = zero;
        n[7] = zero;
      }
      if (area.latMax() > maxLat) {
        n[1] = zero;
        n[5] = zero;
        n[6] = zero;
      }
      if (area.lonMin() < minLon) {
        n[4] = zero;
        n[8] = zero;
        n[6] = zero;
      }
      if (area.lonMax() > maxLon) {
        n[3] = zero;
        n[7] = zero;
        n[5] = zero;
      }
    }
    return n;
  }

  private static Bits encodeOrZero(double lon, double lat, int step) {
    Bits b = encodeWgs84(lon, lat, step);
    return b == null ? new Bits(0, step) : b;
  }

  /** [centre, north, south, east, west, north_east, north_west, south_east, south_west]. */
  static Bits[] neighbours(Bits h) {
    return new Bits[] {
      h, move(h, 0, 1), move(h, 0, -1), move(h, 1, 0), move(h, -1, 0),
      move(h, 1, 1), move(h, -1, 1), move(h, 1, -1), move(h, -1, -1)
    };
  }

  /** The score range [min, max) of the members inside a box. */
  public static long[] scoreRange(Bits h) {
    long min = align52(h);
    long max = align52(new Bits(h.bits() + 1, h.step()));
    return new long[] {min, max};
  }

  // ---- formatting ---------------------------------------------------------------------------

  /** C's {@code "%.4f"} (GEODIST, WITHDIST). */
  public static String format4(double d) {
    return new BigDecimal(d).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** Redis's addReplyHumanLongDouble text: {@code "%.17Lf"} without trailing zeros. */
  public static String human(double d) {
    String s = new BigDecimal(d).setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    if (s.indexOf('.') >= 0) {
      int end = s.length();
      while (s.charAt(end - 1) == '0') {
        end--;
      }
      if (s.charAt(end - 1) == '.') {
        end--;
      }
      s = s.substring(0, end);
    }
    if (s.equals("-0")) {
      s = "0";
    }
    return s;
  }
}
