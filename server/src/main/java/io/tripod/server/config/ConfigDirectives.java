package io.tripod.server.config;

import io.tripod.server.Notifications;
import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every config directive Redis 7.0.15 knows: name, alias, type, flags, bounds and default, and how
 * each one reads and writes its {@link ServerConfig} value. This is the one table behind the config
 * file parser, {@code --directive} overrides, CONFIG GET/SET and CONFIG REWRITE.
 *
 * <p>Error texts and value formats follow Redis's {@code config.c}: yes/no booleans, enums,
 * integers with {@code [lower, upper]} bounds, memory values ({@code 1gb}, {@code 100mb},
 * {@code 4k}), percentages and octal numbers, plus the special directives (save, bind, dir,
 * replicaof, client-output-buffer-limit, notify-keyspace-events...).
 */
public final class ConfigDirectives {
  private ConfigDirectives() {}

  // Directive flags (Redis's *_CONFIG flags).
  public static final int IMMUTABLE = 1;
  public static final int PROTECTED = 2;
  public static final int MULTI_ARG = 4;
  public static final int HIDDEN = 8;
  public static final int SENSITIVE = 16;
  public static final int DENY_LOADING = 32;

  // Numeric value flags.
  static final int MEMORY = 1;
  static final int PERCENT = 2;
  static final int OCTAL = 4;

  static final long INT_MIN = Integer.MIN_VALUE;
  static final long INT_MAX = Integer.MAX_VALUE;
  static final long UINT_MAX = 0xFFFFFFFFL;
  static final long LONG_MAX = Long.MAX_VALUE;
  static final long ULLONG_MAX = -1L;

  /** Accessors of a directive's value in a {@link ServerConfig}. */
  interface BoolGet { boolean get(ServerConfig c); }
  interface BoolSet { void set(ServerConfig c, boolean v); }
  interface LongGet { long get(ServerConfig c); }
  interface LongSet { void set(ServerConfig c, long v); }
  interface StrGet { String get(ServerConfig c); }
  interface StrSet { void set(ServerConfig c, String v); }
  interface Validator { String check(String v); }

  /** One directive. */
  public abstract static class Directive {
    public final String name;
    /** The other name (slaveof for replicaof), or null. */
    public final String alias;
    public final int flags;
    /** True when the server honours the value; others are stored and reported as such. */
    boolean implemented;

    Directive(String name, String alias, int flags) {
      this.name = name;
      this.alias = alias;
      this.flags = flags;
    }

    public boolean has(int flag) {
      return (flags & flag) != 0;
    }

    public boolean isImplemented() {
      return implemented;
    }

    /** The value as CONFIG GET shows it. */
    public abstract String get(ServerConfig c);

    /** Sets the value from its arguments; returns null, or Redis's error text. */
    public abstract String set(ServerConfig c, List<String> args, boolean readingFile);

    /** Writes the directive's lines into a CONFIG REWRITE (under {@code name}). */
    abstract void rewrite(ServerConfig c, ConfigRewriter.State st);

    /** Whether the current value differs from the default (what REWRITE forces into the file). */
    boolean isDefault(ServerConfig c) {
      return false;
    }
  }

  private static final Map<String, Directive> BY_NAME = new LinkedHashMap<>();
  private static final List<Directive> ALL = new ArrayList<>();

  public static Directive lookup(String name) {
    return BY_NAME.get(name.toLowerCase(Locale.ROOT));
  }

  /** Primary directives in table order. */
  public static List<Directive> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** Every name (primaries and aliases) with its directive, as CONFIG GET patterns see them. */
  public static Collection<Map.Entry<String, Directive>> names() {
    return Collections.unmodifiableMap(BY_NAME).entrySet();
  }

  private static <D extends Directive> D reg(D d) {
    ALL.add(d);
    BY_NAME.put(d.name, d);
    if (d.alias != null) {
      BY_NAME.put(d.alias, d);
    }
    return d;
  }

  static void initExtra(ServerConfig c) {
    for (Directive d : ALL) {
      if (d instanceof Typed t && t.extraDefault != null) {
        c.extra.put(d.name, t.extraDefault);
      }
    }
  }

  // ---- types ---------------------------------------------------------------------------------

  /** Directives stored in a typed field or, when it has none yet, in {@link ServerConfig#extra}. */
  abstract static class Typed extends Directive {
    Object extraDefault;

    Typed(String name, String alias, int flags) {
      super(name, alias, flags);
    }

    Typed implemented() {
      implemented = true;
      return this;
    }
  }

  static final class BoolDirective extends Typed {
    final boolean def;
    BoolGet getter;
    BoolSet setter;

    BoolDirective(String name, String alias, int flags, boolean def) {
      super(name, alias, flags);
      this.def = def;
      String key = name;
      extraDefault = def;
      getter = c -> (Boolean) c.extra.get(key);
      setter = (c, v) -> c.extra.put(key, v);
    }

    BoolDirective field(BoolGet g, BoolSet s) {
      getter = g;
      setter = s;
      extraDefault = null;
      return this;
    }

    @Override
    public String get(ServerConfig c) {
      return getter.get(c) ? "yes" : "no";
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      String v = args.get(0);
      if (v.equalsIgnoreCase("yes")) {
        setter.set(c, true);
      } else if (v.equalsIgnoreCase("no")) {
        setter.set(c, false);
      } else {
        return "argument must be 'yes' or 'no'";
      }
      return null;
    }

    @Override
    boolean isDefault(ServerConfig c) {
      return getter.get(c) == def;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      st.rewriteLine(name, name + " " + get(c), !isDefault(c));
    }
  }

  static final class StringDirective extends Typed {
    /** Default, or null for directives where an empty value means "not set". */
    final String def;
    final boolean emptyIsNull;
    Validator validator;
    StrGet getter;
    StrSet setter;

    StringDirective(String name, String alias, int flags, boolean emptyIsNull, String def) {
      super(name, alias, flags);
      this.def = def;
      this.emptyIsNull = emptyIsNull;
      String key = name;
      extraDefault = def == null ? "" : def;
      getter = c -> (String) c.extra.get(key);
      setter = (c, v) -> c.extra.put(key, v);
    }

    StringDirective field(StrGet g, StrSet s) {
      getter = g;
      setter = s;
      extraDefault = null;
      return this;
    }

    StringDirective validate(Validator v) {
      validator = v;
      return this;
    }

    @Override
    public String get(ServerConfig c) {
      String v = getter.get(c);
      return v == null ? "" : v;
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      String v = args.get(0);
      if (validator != null) {
        String err = validator.check(v);
        if (err != null) {
          return err;
        }
      }
      setter.set(c, v);
      return null;
    }

    @Override
    boolean isDefault(ServerConfig c) {
      String v = get(c);
      return def == null ? v.isEmpty() : v.equals(def);
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      String v = get(c);
      if (emptyIsNull && v.isEmpty()) {
        st.markProcessed(name);
        return;
      }
      boolean force = def == null || !v.equals(def);
      st.rewriteLine(name, name + " " + ConfigRewriter.repr(v), force);
    }
  }

  /** An enum value: its names (the first one is what CONFIG GET shows) map to one value. */
  static final class EnumDirective extends Typed {
    final String[] names;
    final int[] values;
    final String def;
    StrGet getter;
    StrSet setter;

    EnumDirective(String name, String alias, int flags, String def, String... namesAndGroups) {
      super(name, alias, flags);
      // "yes=relative" style entries give two names the same value.
      List<String> n = new ArrayList<>();
      List<Integer> v = new ArrayList<>();
      int next = 0;
      for (String s : namesAndGroups) {
        int eq = s.indexOf('=');
        if (eq < 0) {
          n.add(s);
          v.add(next++);
        } else {
          int same = n.indexOf(s.substring(eq + 1));
          n.add(s.substring(0, eq));
          v.add(v.get(same));
        }
      }
      this.names = n.toArray(new String[0]);
      this.values = v.stream().mapToInt(Integer::intValue).toArray();
      this.def = def;
      String key = name;
      extraDefault = def;
      getter = c -> (String) c.extra.get(key);
      setter = (c, val) -> c.extra.put(key, val);
    }

    EnumDirective field(StrGet g, StrSet s) {
      getter = g;
      setter = s;
      extraDefault = null;
      return this;
    }

    /** The canonical name of {@code v}, or null when it is not one of the names. */
    String canonical(String v) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equalsIgnoreCase(v)) {
          for (int j = 0; j < names.length; j++) {
            if (values[j] == values[i]) {
              return names[j];
            }
          }
        }
      }
      return null;
    }

    @Override
    public String get(ServerConfig c) {
      return getter.get(c);
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      String v = canonical(args.get(0));
      if (v == null) {
        StringBuilder sb = new StringBuilder("argument(s) must be one of the following: ");
        for (int i = 0; i < names.length; i++) {
          sb.append(i == 0 ? "" : ", ").append(names[i]);
        }
        return sb.toString();
      }
      setter.set(c, v);
      return null;
    }

    @Override
    boolean isDefault(ServerConfig c) {
      return get(c).equals(canonical(def));
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      st.rewriteLine(name, name + " " + get(c), !isDefault(c));
    }
  }

  static final class NumericDirective extends Typed {
    final long lower;
    final long upper;
    final long def;
    /** Bounds compared as unsigned (Redis's unsigned int, unsigned long long and size_t). */
    final boolean unsigned;
    final int numFlags;
    LongGet getter;
    LongSet setter;

    NumericDirective(String name, String alias, int flags, long lower, long upper, long def,
        boolean unsigned, int numFlags) {
      super(name, alias, flags);
      this.lower = lower;
      this.upper = upper;
      this.def = def;
      this.unsigned = unsigned;
      this.numFlags = numFlags;
      String key = name;
      extraDefault = def;
      getter = c -> (Long) c.extra.get(key);
      setter = (c, v) -> c.extra.put(key, v);
    }

    NumericDirective field(LongGet g, LongSet s) {
      getter = g;
      setter = s;
      extraDefault = null;
      return this;
    }

    /** Parses a value as Redis's numericParseString; null when it cannot be parsed. */
    Long parse(String v) {
      if ((numFlags & MEMORY) != 0) {
        Long m = memtoull(v);
        if (m != null) {
          return m;
        }
      }
      if ((numFlags & PERCENT) != 0 && v.length() > 1 && v.endsWith("%")) {
        Long p = string2ll(v.substring(0, v.length() - 1));
        if (p != null && p >= 0) {
          return -p;
        }
      }
      if ((numFlags & OCTAL) != 0) {
        Long o = strtollBase8(v);
        if (o != null) {
          return o;
        }
      }
      if (numFlags == 0) {
        return string2ll(v);
      }
      return null;
    }

    String parseError() {
      if ((numFlags & MEMORY) != 0 && (numFlags & PERCENT) != 0) {
        return "argument must be a memory or percent value";
      } else if ((numFlags & MEMORY) != 0) {
        return "argument must be a memory value";
      } else if ((numFlags & OCTAL) != 0) {
        return "argument couldn't be parsed as an octal number";
      }
      return "argument couldn't be parsed into an integer";
    }

    String boundsError(long v) {
      if (unsigned) {
        if (Long.compareUnsigned(v, upper) > 0 || Long.compareUnsigned(v, lower) < 0) {
          if ((numFlags & OCTAL) != 0) {
            return "argument must be between " + Long.toOctalString(lower) + " and "
                + Long.toOctalString(upper) + " inclusive";
          }
          return "argument must be between " + Long.toUnsignedString(lower) + " and "
              + Long.toUnsignedString(upper) + " inclusive";
        }
        return null;
      }
      if ((numFlags & PERCENT) != 0 && v < 0) {
        if (v < lower) {
          return "percentage argument must be less or equal to " + (-lower);
        }
        return null;
      }
      if (v > upper || v < lower) {
        return "argument must be between " + lower + " and " + upper + " inclusive";
      }
      return null;
    }

    @Override
    public String get(ServerConfig c) {
      long v = getter.get(c);
      if ((numFlags & PERCENT) != 0 && v < 0) {
        return (-v) + "%";
      } else if ((numFlags & MEMORY) != 0) {
        return Long.toUnsignedString(v);
      } else if ((numFlags & OCTAL) != 0) {
        return Long.toOctalString(v);
      }
      return Long.toString(v);
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      Long v = parse(args.get(0));
      if (v == null) {
        return parseError();
      }
      String err = boundsError(v);
      if (err != null) {
        return err;
      }
      setter.set(c, v);
      return null;
    }

    @Override
    boolean isDefault(ServerConfig c) {
      return getter.get(c) == def;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      long v = getter.get(c);
      boolean force = v != def;
      String text;
      if ((numFlags & PERCENT) != 0 && v < 0) {
        text = (-v) + "%";
        force = -v != def;
      } else if ((numFlags & MEMORY) != 0) {
        text = ConfigRewriter.formatMemory(v);
      } else if ((numFlags & OCTAL) != 0) {
        text = Long.toOctalString(v);
      } else {
        text = Long.toString(v);
      }
      st.rewriteLine(name, name + " " + text, force);
    }
  }

  /** A directive with its own parsing and formatting. */
  abstract static class Special extends Directive {
    Special(String name, String alias, int flags) {
      super(name, alias, flags);
    }

    Special implemented() {
      implemented = true;
      return this;
    }
  }

  // ---- number parsing as Redis does it --------------------------------------------------------

  /** Redis's {@code string2ll}: strict decimal, no spaces, no '+', no leading zeros. */
  public static Long string2ll(String s) {
    int n = s.length();
    if (n == 0 || n > 20) {
      return null;
    }
    if (n == 1 && s.charAt(0) == '0') {
      return 0L;
    }
    int i = 0;
    boolean neg = false;
    if (s.charAt(0) == '-') {
      neg = true;
      i++;
      if (i == n) {
        return null;
      }
    }
    if (s.charAt(i) < '1' || s.charAt(i) > '9') {
      return null;
    }
    long v = 0; // accumulated as a negative number to reach Long.MIN_VALUE
    for (; i < n; i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return null;
      }
      int d = ch - '0';
      if (v < (Long.MIN_VALUE + d) / 10) {
        return null;
      }
      v = v * 10 - d;
    }
    if (!neg) {
      if (v == Long.MIN_VALUE) {
        return null;
      }
      return -v;
    }
    return v;
  }

  /**
   * Redis's {@code memtoull}: digits then an optional unit (b, k, kb, m, mb, g, gb, any case; k/m/g
   * are powers of 1000, kb/mb/gb of 1024). Returns null on error; the result is unsigned.
   */
  public static Long memtoull(String p) {
    if (p.startsWith("-")) {
      return null;
    }
    int u = 0;
    while (u < p.length() && Character.isDigit(p.charAt(u)) && p.charAt(u) < 128) {
      u++;
    }
    String unit = p.substring(u).toLowerCase(Locale.ROOT);
    long mul;
    switch (unit) {
      case "": case "b": mul = 1; break;
      case "k": mul = 1000; break;
      case "kb": mul = 1024; break;
      case "m": mul = 1000 * 1000; break;
      case "mb": mul = 1024 * 1024; break;
      case "g": mul = 1000L * 1000 * 1000; break;
      case "gb": mul = 1024L * 1024 * 1024; break;
      default: return null;
    }
    if (u >= 128) {
      return null;
    }
    // strtoull: saturates at ULLONG_MAX on overflow.
    long val = 0;
    boolean overflow = false;
    for (int i = 0; i < u; i++) {
      int d = p.charAt(i) - '0';
      long hi = Math.multiplyHigh(val, 10) + ((val >> 63) & 10);
      long lo = val * 10;
      if (hi != 0) {
        overflow = true;
        break;
      }
      long sum = lo + d;
      if (Long.compareUnsigned(sum, lo) < 0) {
        overflow = true;
        break;
      }
      val = sum;
    }
    if (overflow) {
      val = -1L;
    }
    return val * mul;
  }

  /** {@code strtoll(v, &end, 8)} with the whole string consumed and no overflow. */
  static Long strtollBase8(String v) {
    return strtoll(v, 8, false);
  }

  /**
   * C's {@code strtoll} in {@code radix} (8 or 10) requiring the whole string to be consumed: null
   * when it is not, 0 for an empty string (strtoll consumed nothing, which is the end). On overflow,
   * saturates like strtoll when {@code saturate}, else null.
   */
  private static Long strtoll(String s, int radix, boolean saturate) {
    int i = 0;
    int n = s.length();
    while (i < n && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    boolean neg = false;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    int start = i;
    long v = 0;
    for (; i < n; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d >= radix) {
        return null;
      }
      if (v > (Long.MAX_VALUE - d) / radix) {
        if (!saturate) {
          return null;
        }
        v = Long.MAX_VALUE;
      } else {
        v = v * radix + d;
      }
    }
    if (i == start) {
      return s.isEmpty() ? 0L : null;
    }
    return neg ? -v : v;
  }

  // ---- table builders --------------------------------------------------------------------------

  private static BoolDirective bool(String name, String alias, int flags, boolean def) {
    return reg(new BoolDirective(name, alias, flags, def));
  }

  private static StringDirective str(String name, String alias, int flags, boolean emptyIsNull,
      String def) {
    return reg(new StringDirective(name, alias, flags, emptyIsNull, def));
  }

  private static EnumDirective enumd(String name, String alias, int flags, String def,
      String... names) {
    return reg(new EnumDirective(name, alias, flags, def, names));
  }

  /** A signed numeric directive. */
  private static NumericDirective num(String name, String alias, int flags, long lower, long upper,
      long def, int numFlags) {
    return reg(new NumericDirective(name, alias, flags, lower, upper, def, false, numFlags));
  }

  /** An unsigned numeric directive (Redis's unsigned int, unsigned long long, size_t). */
  private static NumericDirective unum(String name, String alias, int flags, long lower,
      long upper, long def, int numFlags) {
    return reg(new NumericDirective(name, alias, flags, lower, upper, def, true, numFlags));
  }

  private static int clampInt(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  static final boolean NULLABLE = true;
  static final boolean EMPTY_OK = false;
  static final int MOD = 0;

  private static boolean isBaseName(String v) {
    return v.indexOf('/') < 0 && !v.equals(".") && !v.equals("..");
  }

  static {
    // Bool configs.
    bool("rdbchecksum", null, IMMUTABLE, true).field(c -> c.rdbchecksum, (c, v) -> c.rdbchecksum = v).implemented();
    bool("daemonize", null, IMMUTABLE, false).field(c -> c.daemonize, (c, v) -> c.daemonize = v)
        .implemented();
    bool("io-threads-do-reads", null, IMMUTABLE, false);
    bool("always-show-logo", null, IMMUTABLE, false);
    bool("protected-mode", null, MOD, true)
        .field(c -> c.protectedMode, (c, v) -> c.protectedMode = v).implemented();
    bool("rdbcompression", null, MOD, true)
        .field(c -> c.rdbcompression, (c, v) -> c.rdbcompression = v).implemented();
    bool("rdb-del-sync-files", null, MOD, false)
        .field(c -> c.rdbDelSyncFiles, (c, v) -> c.rdbDelSyncFiles = v);
    bool("activerehashing", null, MOD, true)
        .field(c -> c.activerehashing, (c, v) -> c.activerehashing = v);
    bool("stop-writes-on-bgsave-error", null, MOD, true)
        .field(c -> c.stopWritesOnBgsaveError, (c, v) -> c.stopWritesOnBgsaveError = v).implemented();
    bool("set-proc-title", null, IMMUTABLE, true);
    bool("dynamic-hz", null, MOD, true).field(c -> c.dynamicHz, (c, v) -> c.dynamicHz = v);
    bool("lazyfree-lazy-eviction", null, MOD, false)
        .field(c -> c.lazyfreeLazyEviction, (c, v) -> c.lazyfreeLazyEviction = v);
    bool("lazyfree-lazy-expire", null, MOD, false)
        .field(c -> c.lazyfreeLazyExpire, (c, v) -> c.lazyfreeLazyExpire = v);
    bool("lazyfree-lazy-server-del", null, MOD, false)
        .field(c -> c.lazyfreeLazyServerDel, (c, v) -> c.lazyfreeLazyServerDel = v);
    bool("lazyfree-lazy-user-del", null, MOD, false)
        .field(c -> c.lazyfreeLazyUserDel, (c, v) -> c.lazyfreeLazyUserDel = v);
    bool("lazyfree-lazy-user-flush", null, MOD, false)
        .field(c -> c.lazyfreeLazyUserFlush, (c, v) -> c.lazyfreeLazyUserFlush = v);
    bool("repl-disable-tcp-nodelay", null, MOD, false)
        .field(c -> c.replDisableTcpNodelay, (c, v) -> c.replDisableTcpNodelay = v).implemented();
    bool("repl-diskless-sync", null, MOD, true)
        .field(c -> c.replDisklessSync, (c, v) -> c.replDisklessSync = v).implemented();
    bool("aof-rewrite-incremental-fsync", null, MOD, true)
        .field(c -> c.aofRewriteIncrementalFsync, (c, v) -> c.aofRewriteIncrementalFsync = v);
    bool("no-appendfsync-on-rewrite", null, MOD, false)
        .field(c -> c.noAppendfsyncOnRewrite, (c, v) -> c.noAppendfsyncOnRewrite = v);
    bool("cluster-require-full-coverage", null, MOD, true);
    bool("rdb-save-incremental-fsync", null, MOD, true)
        .field(c -> c.rdbSaveIncrementalFsync, (c, v) -> c.rdbSaveIncrementalFsync = v);
    bool("aof-load-truncated", null, MOD, true)
        .field(c -> c.aofLoadTruncated, (c, v) -> c.aofLoadTruncated = v).implemented();
    bool("aof-use-rdb-preamble", null, MOD, true)
        .field(c -> c.aofUseRdbPreamble, (c, v) -> c.aofUseRdbPreamble = v).implemented();
    bool("aof-timestamp-enabled", null, MOD, false)
        .field(c -> c.aofTimestampEnabled, (c, v) -> c.aofTimestampEnabled = v);
    bool("cluster-replica-no-failover", "cluster-slave-no-failover", MOD, false);
    bool("replica-lazy-flush", "slave-lazy-flush", MOD, false)
        .field(c -> c.replicaLazyFlush, (c, v) -> c.replicaLazyFlush = v);
    bool("replica-serve-stale-data", "slave-serve-stale-data", MOD, true)
        .field(c -> c.replicaServeStaleData, (c, v) -> c.replicaServeStaleData = v).implemented();
    bool("replica-read-only", "slave-read-only", MOD, true)
        .field(c -> c.replicaReadOnly, (c, v) -> c.replicaReadOnly = v).implemented();
    bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", MOD, true)
        .field(c -> c.replicaIgnoreMaxmemory, (c, v) -> c.replicaIgnoreMaxmemory = v);
    bool("jemalloc-bg-thread", null, MOD, true);
    bool("activedefrag", null, MOD, false);
    bool("syslog-enabled", null, IMMUTABLE, false);
    bool("cluster-enabled", null, IMMUTABLE, false)
        .field(c -> c.clusterEnabled, (c, v) -> c.clusterEnabled = v);
    bool("appendonly", null, MOD | DENY_LOADING, false)
        .field(c -> c.appendonly, (c, v) -> c.appendonly = v).implemented();
    bool("cluster-allow-reads-when-down", null, MOD, false);
    bool("cluster-allow-pubsubshard-when-down", null, MOD, true);
    bool("crash-log-enabled", null, MOD, true);
    bool("crash-memcheck-enabled", null, MOD, true);
    bool("use-exit-on-panic", null, MOD | HIDDEN, false);
    bool("disable-thp", null, IMMUTABLE, true);
    bool("cluster-allow-replica-migration", null, MOD, true);
    bool("replica-announced", null, MOD, true)
        .field(c -> c.replicaAnnounced, (c, v) -> c.replicaAnnounced = v).implemented();
    bool("latency-tracking", null, MOD, true)
        .field(c -> c.latencyTracking, (c, v) -> c.latencyTracking = v);
    bool("aof-disable-auto-gc", null, MOD, false);
    bool("replica-ignore-disk-write-errors", null, MOD, false);

    // String configs.
    str("aclfile", null, IMMUTABLE, EMPTY_OK, "").field(c -> c.aclfile, (c, v) -> c.aclfile = v);
    str("unixsocket", null, IMMUTABLE, NULLABLE, null)
        .field(c -> c.unixsocket, (c, v) -> c.unixsocket = v);
    str("pidfile", null, IMMUTABLE, NULLABLE, null).field(c -> c.pidfile, (c, v) -> c.pidfile = v)
        .implemented();
    str("replica-announce-ip", "slave-announce-ip", MOD, NULLABLE, null)
        .field(c -> c.replicaAnnounceIp, (c, v) -> c.replicaAnnounceIp = v).implemented();
    str("masteruser", null, MOD | SENSITIVE, NULLABLE, null)
        .field(c -> c.masteruser, (c, v) -> c.masteruser = v).implemented();
    str("cluster-announce-ip", null, MOD, NULLABLE, null);
    str("cluster-config-file", null, IMMUTABLE, EMPTY_OK, "nodes.conf");
    str("cluster-announce-hostname", null, MOD, NULLABLE, null).validate(v -> {
      if (v.length() >= 256) {
        return "Hostnames must be less than 256 characters";
      }
      for (int i = 0; i < v.length(); i++) {
        char ch = v.charAt(i);
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
            || ch == '-' || ch == '.')) {
          return "Hostnames may only contain alphanumeric characters, hyphens or dots";
        }
      }
      return null;
    });
    str("syslog-ident", null, IMMUTABLE, EMPTY_OK, "redis");
    str("dbfilename", null, MOD | PROTECTED, EMPTY_OK, "dump.rdb")
        .validate(v -> isBaseName(v) ? null : "dbfilename can't be a path, just a filename")
        .field(c -> c.dbfilename, (c, v) -> c.dbfilename = v).implemented();
    str("appendfilename", null, IMMUTABLE, EMPTY_OK, "appendonly.aof")
        .validate(v -> v.isEmpty() ? "appendfilename can't be empty"
            : isBaseName(v) ? null : "appendfilename can't be a path, just a filename")
        .field(c -> c.appendfilename, (c, v) -> c.appendfilename = v).implemented();
    str("appenddirname", null, IMMUTABLE, EMPTY_OK, "appendonlydir")
        .validate(v -> v.isEmpty() ? "appenddirname can't be empty"
            : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname")
        .field(c -> c.appenddirname, (c, v) -> c.appenddirname = v).implemented();
    str("server_cpulist", null, IMMUTABLE, NULLABLE, null);
    str("bio_cpulist", null, IMMUTABLE, NULLABLE, null);
    str("aof_rewrite_cpulist", null, IMMUTABLE, NULLABLE, null);
    str("bgsave_cpulist", null, IMMUTABLE, NULLABLE, null);
    str("ignore-warnings", null, MOD, EMPTY_OK, "");
    str("proc-title-template", null, MOD, EMPTY_OK, "{title} {listen-addr} {server-mode}");
    str("bind-source-addr", null, MOD, NULLABLE, null)
        .field(c -> c.bindSourceAddr, (c, v) -> c.bindSourceAddr = v).implemented();
    str("logfile", null, IMMUTABLE, EMPTY_OK, "").field(c -> c.logfile, (c, v) -> c.logfile = v)
        .implemented();
    str("masterauth", null, MOD | SENSITIVE, NULLABLE, null)
        .field(c -> c.masterauth, (c, v) -> c.masterauth = v).implemented();
    str("requirepass", null, MOD | SENSITIVE, NULLABLE, null)
        .field(c -> c.requirepass, (c, v) -> c.requirepass = v).implemented();

    // Enum configs.
    enumd("supervised", null, IMMUTABLE, "no", "upstart", "systemd", "auto", "no")
        .field(c -> c.supervised, (c, v) -> c.supervised = v);
    enumd("syslog-facility", null, IMMUTABLE, "local0", "user", "local0", "local1", "local2",
        "local3", "local4", "local5", "local6", "local7");
    enumd("repl-diskless-load", null, MOD | DENY_LOADING, "disabled", "disabled", "on-empty-db",
        "swapdb").field(c -> c.replDisklessLoad, (c, v) -> c.replDisklessLoad = v);
    enumd("loglevel", null, MOD, "notice", "debug", "verbose", "notice", "warning")
        .field(c -> c.loglevel, (c, v) -> c.loglevel = v).implemented();
    enumd("maxmemory-policy", null, MOD, "noeviction", "volatile-lru", "volatile-lfu",
        "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random",
        "noeviction").field(c -> c.maxmemoryPolicy, (c, v) -> c.maxmemoryPolicy = v).implemented();
    enumd("appendfsync", null, MOD, "everysec", "everysec", "always", "no")
        .field(c -> c.appendfsync, (c, v) -> c.appendfsync = v).implemented();
    enumd("oom-score-adj", null, MOD, "no", "no", "yes", "relative=yes", "absolute");
    enumd("acl-pubsub-default", null, MOD, "resetchannels", "allchannels", "resetchannels");
    enumd("sanitize-dump-payload", null, MOD, "no", "no", "yes", "clients");
    enumd("enable-protected-configs", null, IMMUTABLE, "no", "no", "yes", "local")
        .field(c -> c.enableProtectedConfigs, (c, v) -> c.enableProtectedConfigs = v);
    enumd("enable-debug-command", null, IMMUTABLE, "no", "no", "yes", "local")
        .field(c -> c.enableDebugCommand, (c, v) -> c.enableDebugCommand = v).implemented();
    enumd("enable-module-command", null, IMMUTABLE, "no", "no", "yes", "local")
        .field(c -> c.enableModuleCommand, (c, v) -> c.enableModuleCommand = v);
    enumd("cluster-preferred-endpoint-type", null, MOD, "ip", "ip", "hostname",
        "unknown-endpoint");
    enumd("propagation-error-behavior", null, MOD, "ignore", "ignore", "panic",
        "panic-on-replicas");
    reg(new ShutdownFlagsDirective("shutdown-on-sigint"));
    reg(new ShutdownFlagsDirective("shutdown-on-sigterm"));

    // Integer configs.
    num("databases", null, IMMUTABLE, 1, INT_MAX, 16, 0)
        .field(c -> c.databases, (c, v) -> c.databases = (int) v).implemented();
    num("port", null, MOD, 0, 65535, 6379, 0).field(c -> c.port, (c, v) -> c.port = (int) v)
        .implemented();
    num("io-threads", null, IMMUTABLE, 1, 128, 1, 0);
    num("auto-aof-rewrite-percentage", null, MOD, 0, INT_MAX, 100, 0)
        .field(c -> c.autoAofRewritePercentage, (c, v) -> c.autoAofRewritePercentage = (int) v).implemented();
    num("cluster-replica-validity-factor", "cluster-slave-validity-factor", MOD, 0, INT_MAX, 10, 0);
    num("list-max-listpack-size", "list-max-ziplist-size", MOD, INT_MIN, INT_MAX, -2, 0)
        .field(c -> c.listMaxListpackSize, (c, v) -> c.listMaxListpackSize = (int) v).implemented();
    num("tcp-keepalive", null, MOD, 0, INT_MAX, 300, 0)
        .field(c -> c.tcpKeepaliveSeconds, (c, v) -> c.tcpKeepaliveSeconds = (int) v)
        .implemented();
    num("cluster-migration-barrier", null, MOD, 0, INT_MAX, 1, 0);
    num("active-defrag-cycle-min", null, MOD, 1, 99, 1, 0);
    num("active-defrag-cycle-max", null, MOD, 1, 99, 25, 0);
    num("active-defrag-threshold-lower", null, MOD, 0, 1000, 10, 0);
    num("active-defrag-threshold-upper", null, MOD, 0, 1000, 100, 0);
    num("lfu-log-factor", null, MOD, 0, INT_MAX, 10, 0)
        .field(c -> c.lfuLogFactor, (c, v) -> c.lfuLogFactor = (int) v);
    num("lfu-decay-time", null, MOD, 0, INT_MAX, 1, 0)
        .field(c -> c.lfuDecayTime, (c, v) -> c.lfuDecayTime = (int) v);
    num("replica-priority", "slave-priority", MOD, 0, INT_MAX, 100, 0)
        .field(c -> c.replicaPriority, (c, v) -> c.replicaPriority = (int) v).implemented();
    num("repl-diskless-sync-delay", null, MOD, 0, INT_MAX, 5, 0)
        .field(c -> c.replDisklessSyncDelaySeconds, (c, v) -> c.replDisklessSyncDelaySeconds = (int) v).implemented();
    num("maxmemory-samples", null, MOD, 1, INT_MAX, 5, 0)
        .field(c -> c.maxmemorySamples, (c, v) -> c.maxmemorySamples = (int) v);
    num("maxmemory-eviction-tenacity", null, MOD, 0, 100, 10, 0)
        .field(c -> c.maxmemoryEvictionTenacity, (c, v) -> c.maxmemoryEvictionTenacity = (int) v);
    num("timeout", null, MOD, 0, INT_MAX, 0, 0)
        .field(c -> c.timeoutSeconds, (c, v) -> c.timeoutSeconds = (int) v).implemented();
    num("replica-announce-port", "slave-announce-port", MOD, 0, 65535, 0, 0)
        .field(c -> c.replicaAnnouncePort, (c, v) -> c.replicaAnnouncePort = (int) v).implemented();
    num("tcp-backlog", null, IMMUTABLE, 0, INT_MAX, 511, 0)
        .field(c -> c.tcpBacklog, (c, v) -> c.tcpBacklog = (int) v).implemented();
    num("cluster-port", null, IMMUTABLE, 0, 65535, 0, 0);
    num("cluster-announce-bus-port", null, MOD, 0, 65535, 0, 0);
    num("cluster-announce-port", null, MOD, 0, 65535, 0, 0);
    num("cluster-announce-tls-port", null, MOD, 0, 65535, 0, 0);
    num("repl-timeout", null, MOD, 1, INT_MAX, 60, 0)
        .field(c -> c.replTimeoutSeconds, (c, v) -> c.replTimeoutSeconds = (int) v).implemented();
    num("repl-ping-replica-period", "repl-ping-slave-period", MOD, 1, INT_MAX, 10, 0)
        .field(c -> c.replPingReplicaPeriodSeconds, (c, v) -> c.replPingReplicaPeriodSeconds = (int) v).implemented();
    num("list-compress-depth", null, MOD, 0, INT_MAX, 0, 0)
        .field(c -> c.listCompressDepth, (c, v) -> c.listCompressDepth = (int) v);
    num("rdb-key-save-delay", null, MOD | HIDDEN, INT_MIN, INT_MAX, 0, 0);
    num("key-load-delay", null, MOD | HIDDEN, INT_MIN, INT_MAX, 0, 0)
        .field(c -> c.keyLoadDelay, (c, v) -> c.keyLoadDelay = (int) v).implemented();
    num("active-expire-effort", null, MOD, 1, 10, 1, 0)
        .field(c -> c.activeExpireEffort, (c, v) -> c.activeExpireEffort = (int) v);
    num("hz", null, MOD, 0, INT_MAX, 10, 0)
        .field(c -> c.hz, (c, v) -> c.hz = (int) Math.max(1, Math.min(500, v))).implemented();
    num("min-replicas-to-write", "min-slaves-to-write", MOD, 0, INT_MAX, 0, 0)
        .field(c -> c.minReplicasToWrite, (c, v) -> c.minReplicasToWrite = (int) v).implemented();
    num("min-replicas-max-lag", "min-slaves-max-lag", MOD, 0, INT_MAX, 10, 0)
        .field(c -> c.minReplicasMaxLagSeconds, (c, v) -> c.minReplicasMaxLagSeconds = (int) v).implemented();
    num("watchdog-period", null, MOD | HIDDEN, 0, INT_MAX, 0, 0);
    // Tripod's own: hold each write's reply until the online replicas have it (see WaitRegistry).
    bool("replica-ack-writes", null, MOD | HIDDEN, false)
        .field(c -> c.replicaAckWrites, (c, v) -> c.replicaAckWrites = v).implemented();
    num("replica-ack-timeout", null, MOD | HIDDEN, 1, INT_MAX, 1000, 0)
        .field(c -> c.replicaAckTimeoutMillis, (c, v) -> c.replicaAckTimeoutMillis = (int) v).implemented();
    // Tripod's own: hold writes while a replica has this much stream unsent (see repl.Backpressure).
    num("repl-backpressure-size", null, MOD | HIDDEN, 0, LONG_MAX, 4L * 1024 * 1024, MEMORY)
        .field(c -> c.replBackpressureSize, (c, v) -> c.replBackpressureSize = v).implemented();
    num("shutdown-timeout", null, MOD, 0, INT_MAX, 10, 0);
    num("repl-diskless-sync-max-replicas", null, MOD, 0, INT_MAX, 0, 0)
        .field(c -> c.replDisklessSyncMaxReplicas, (c, v) -> c.replDisklessSyncMaxReplicas = (int) v).implemented();

    // Unsigned int configs.
    unum("maxclients", null, MOD, 1, UINT_MAX, 10000, 0)
        .field(c -> c.maxclients, (c, v) -> c.maxclients = clampInt(v)).implemented();
    unum("unixsocketperm", null, IMMUTABLE, 0, 0777, 0, OCTAL)
        .field(c -> c.unixsocketperm, (c, v) -> c.unixsocketperm = (int) v);
    unum("socket-mark-id", null, IMMUTABLE, 0, UINT_MAX, 0, 0);

    // Unsigned long configs (bounds checked as signed, as Redis does).
    num("active-defrag-max-scan-fields", null, MOD, 1, LONG_MAX, 1000, 0);
    num("slowlog-max-len", null, MOD, 0, LONG_MAX, 128, 0)
        .field(c -> c.slowlogMaxLen, (c, v) -> c.slowlogMaxLen = clampInt(v)).implemented();
    num("acllog-max-len", null, MOD, 0, LONG_MAX, 128, 0)
        .field(c -> c.acllogMaxLen, (c, v) -> c.acllogMaxLen = clampInt(v));

    // Long long configs.
    num("busy-reply-threshold", "lua-time-limit", MOD, 0, LONG_MAX, 5000, 0)
        .field(c -> c.busyReplyThresholdMillis, (c, v) -> c.busyReplyThresholdMillis = v);
    num("cluster-node-timeout", null, MOD, 0, LONG_MAX, 15000, 0);
    num("slowlog-log-slower-than", null, MOD, -1, LONG_MAX, 10000, 0)
        .field(c -> c.slowlogLogSlowerThanMicros, (c, v) -> c.slowlogLogSlowerThanMicros = v)
        .implemented();
    num("latency-monitor-threshold", null, MOD, 0, LONG_MAX, 0, 0)
        .field(c -> c.latencyMonitorThresholdMillis, (c, v) -> c.latencyMonitorThresholdMillis = v)
        .implemented();
    num("proto-max-bulk-len", null, MOD, 1024 * 1024, LONG_MAX, 512L * 1024 * 1024, MEMORY)
        .field(c -> c.protoMaxBulkLen, (c, v) -> c.protoMaxBulkLen = v).implemented();
    num("stream-node-max-entries", null, MOD, 0, LONG_MAX, 100, 0)
        .field(c -> c.streamNodeMaxEntries, (c, v) -> c.streamNodeMaxEntries = v).implemented();
    num("repl-backlog-size", null, MOD, 1, LONG_MAX, 1024 * 1024, MEMORY)
        .field(c -> c.replBacklogSize, (c, v) -> c.replBacklogSize = v).implemented();

    // Unsigned long long configs.
    unum("maxmemory", null, MOD, 0, ULLONG_MAX, 0, MEMORY)
        .field(c -> c.maxmemory, (c, v) -> c.maxmemory = v).implemented();
    unum("cluster-link-sendbuf-limit", null, MOD, 0, ULLONG_MAX, 0, MEMORY);

    // size_t configs.
    unum("hash-max-listpack-entries", "hash-max-ziplist-entries", MOD, 0, LONG_MAX, 512, 0)
        .field(c -> c.hashMaxListpackEntries, (c, v) -> c.hashMaxListpackEntries = v).implemented();
    unum("set-max-intset-entries", null, MOD, 0, LONG_MAX, 512, 0)
        .field(c -> c.setMaxIntsetEntries, (c, v) -> c.setMaxIntsetEntries = v).implemented();
    unum("zset-max-listpack-entries", "zset-max-ziplist-entries", MOD, 0, LONG_MAX, 128, 0)
        .field(c -> c.zsetMaxListpackEntries, (c, v) -> c.zsetMaxListpackEntries = v).implemented();
    unum("active-defrag-ignore-bytes", null, MOD, 1, LONG_MAX, 100L << 20, MEMORY);
    unum("hash-max-listpack-value", "hash-max-ziplist-value", MOD, 0, LONG_MAX, 64, MEMORY)
        .field(c -> c.hashMaxListpackValue, (c, v) -> c.hashMaxListpackValue = v).implemented();
    unum("stream-node-max-bytes", null, MOD, 0, LONG_MAX, 4096, MEMORY)
        .field(c -> c.streamNodeMaxBytes, (c, v) -> c.streamNodeMaxBytes = v).implemented();
    unum("zset-max-listpack-value", "zset-max-ziplist-value", MOD, 0, LONG_MAX, 64, MEMORY)
        .field(c -> c.zsetMaxListpackValue, (c, v) -> c.zsetMaxListpackValue = v).implemented();
    unum("hll-sparse-max-bytes", null, MOD, 0, LONG_MAX, 3000, MEMORY)
        .field(c -> c.hllSparseMaxBytes, (c, v) -> c.hllSparseMaxBytes = v).implemented();
    unum("tracking-table-max-keys", null, MOD, 0, LONG_MAX, 1_000_000, 0)
        .field(c -> c.trackingTableMaxKeys, (c, v) -> c.trackingTableMaxKeys = v);
    unum("client-query-buffer-limit", null, MOD, 1024 * 1024, LONG_MAX, 1024L * 1024 * 1024, MEMORY)
        .field(c -> c.clientQueryBufferLimit, (c, v) -> c.clientQueryBufferLimit = v).implemented();
    num("maxmemory-clients", null, MOD, -100, LONG_MAX, 0, MEMORY | PERCENT);

    // Other numeric configs.
    num("repl-backlog-ttl", null, MOD, 0, LONG_MAX, 3600, 0)
        .field(c -> c.replBacklogTtlSeconds, (c, v) -> c.replBacklogTtlSeconds = v).implemented();
    num("auto-aof-rewrite-min-size", null, MOD, 0, LONG_MAX, 64L * 1024 * 1024, MEMORY)
        .field(c -> c.autoAofRewriteMinSize, (c, v) -> c.autoAofRewriteMinSize = v).implemented();
    num("loading-process-events-interval-bytes", null, MOD | HIDDEN, 1024, INT_MAX, 2 * 1024 * 1024, 0)
        .field(c -> c.loadingProcessEventsIntervalBytes, (c, v) -> c.loadingProcessEventsIntervalBytes = v)
        .implemented();

    // TLS configs (Debian's build has TLS).
    num("tls-port", null, MOD, 0, 65535, 0, 0);
    num("tls-session-cache-size", null, MOD, 0, INT_MAX, 20 * 1024, 0);
    num("tls-session-cache-timeout", null, MOD, 0, INT_MAX, 300, 0);
    bool("tls-cluster", null, MOD, false);
    bool("tls-replication", null, MOD, false);
    enumd("tls-auth-clients", null, MOD, "yes", "no", "yes", "optional");
    bool("tls-prefer-server-ciphers", null, MOD, false);
    bool("tls-session-caching", null, MOD, true);
    for (String s : new String[] {"tls-cert-file", "tls-key-file", "tls-key-file-pass",
        "tls-client-cert-file", "tls-client-key-file", "tls-client-key-file-pass",
        "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-protocols",
        "tls-ciphers", "tls-ciphersuites"}) {
      str(s, null, MOD, NULLABLE, null);
    }

    // Special configs.
    reg(new DirDirective());
    reg(new SaveDirective());
    reg(new ClientOutputBufferLimitDirective());
    reg(new OomScoreAdjValuesDirective());
    reg(new NotifyKeyspaceEventsDirective());
    reg(new BindDirective());
    reg(new ReplicaOfDirective());
    reg(new LatencyPercentilesDirective());
  }

  // ---- special directives --------------------------------------------------------------------

  static final class DirDirective extends Special {
    DirDirective() {
      super("dir", null, MOD | PROTECTED | DENY_LOADING);
      implemented = true;
    }

    @Override
    public String get(ServerConfig c) {
      return c.dir;
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      if (args.size() != 1) {
        return "wrong number of arguments";
      }
      File f = new File(args.get(0));
      if (!f.isAbsolute()) {
        f = new File(c.dir, args.get(0));
      }
      if (!f.exists()) {
        return "No such file or directory";
      }
      if (!f.isDirectory()) {
        return "Not a directory";
      }
      if (!f.canExecute()) {
        return "Permission denied";
      }
      try {
        c.dir = f.getCanonicalPath();
      } catch (java.io.IOException e) {
        return e.getMessage();
      }
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      st.rewriteLine(name, name + " " + ConfigRewriter.repr(c.dir), true);
    }
  }

  /** shutdown-on-sigint / shutdown-on-sigterm: a set of flags, {@code default} when none. */
  static final class ShutdownFlagsDirective extends Special {
    static final String[] FLAGS = {"save", "nosave", "now", "force"};

    ShutdownFlagsDirective(String name) {
      super(name, null, MOD | MULTI_ARG);
    }

    private int value(ServerConfig c) {
      Object v = c.extra.get(name);
      return v == null ? 0 : (Integer) v;
    }

    @Override
    public String get(ServerConfig c) {
      int v = value(c);
      if (v == 0) {
        return "default";
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < FLAGS.length; i++) {
        if ((v & (1 << i)) != 0) {
          sb.append(sb.length() == 0 ? "" : " ").append(FLAGS[i]);
        }
      }
      return sb.toString();
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      int v = 0;
      boolean ok = !args.isEmpty();
      for (String a : args) {
        int bit = -1;
        if (a.equalsIgnoreCase("default")) {
          bit = 0;
        }
        for (int i = 0; i < FLAGS.length; i++) {
          if (FLAGS[i].equalsIgnoreCase(a)) {
            bit = 1 << i;
          }
        }
        if (bit < 0) {
          ok = false;
          break;
        }
        v |= bit;
      }
      if (!ok) {
        return "argument(s) must be one of the following: default, save, nosave, now, force";
      }
      if ((v & 1) != 0 && (v & 2) != 0) {
        return "shutdown options SAVE and NOSAVE can't be used simultaneously";
      }
      c.extra.put(name, v);
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      st.rewriteLine(name, name + " " + get(c), value(c) != 0);
    }
  }

  static final class SaveDirective extends Special {
    SaveDirective() {
      super("save", null, MOD | MULTI_ARG);
      implemented = true;
    }

    @Override
    public String get(ServerConfig c) {
      StringBuilder sb = new StringBuilder();
      for (long[] p : c.save) {
        sb.append(sb.length() == 0 ? "" : " ").append(p[0]).append(' ').append(p[1]);
      }
      return sb.toString();
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      int argc = args.size();
      if (argc == 1 && args.get(0).isEmpty()) {
        argc = 0;
      }
      if ((argc & 1) != 0) {
        return "Invalid save parameters";
      }
      List<long[]> points = new ArrayList<>();
      for (int j = 0; j < argc; j += 2) {
        Long secs = strtol(args.get(j));
        Long changes = strtol(args.get(j + 1));
        if (secs == null || changes == null || secs < 1 || changes < 0) {
          return "Invalid save parameters";
        }
        points.add(new long[] {secs, (int) (long) changes});
      }
      if (!readingFile || !c.saveLoadedFromFile) {
        c.save = new ArrayList<>();
        if (readingFile) {
          c.saveLoadedFromFile = true;
        }
      }
      c.save.addAll(points);
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      if (c.sentinelMode) {
        st.markProcessed(name);
        return;
      }
      if (c.save.isEmpty()) {
        st.rewriteLine(name, "save \"\"", true);
      } else {
        for (long[] p : c.save) {
          st.rewriteLine(name, "save " + p[0] + " " + p[1], true);
        }
      }
      st.markProcessed(name);
    }
  }

  /** {@code strtoll(s, &end, 10)} requiring the whole string to be consumed (empty gives 0). */
  static Long strtol(String s) {
    return strtoll(s, 10, true);
  }

  static final String[] OBUF_CLASSES = {"normal", "slave", "pubsub"};

  static final class ClientOutputBufferLimitDirective extends Special {
    ClientOutputBufferLimitDirective() {
      super("client-output-buffer-limit", null, MOD | MULTI_ARG);
    }

    @Override
    public String get(ServerConfig c) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 3; j++) {
        long[] l = c.clientOutputBufferLimit[j];
        sb.append(j == 0 ? "" : " ").append(OBUF_CLASSES[j]).append(' ')
            .append(Long.toUnsignedString(l[0])).append(' ').append(Long.toUnsignedString(l[1]))
            .append(' ').append(l[2]);
      }
      return sb.toString();
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      if (args.size() % 4 != 0) {
        return "Wrong number of arguments in buffer limit configuration.";
      }
      long[][] values = new long[3][];
      for (int j = 0; j < args.size(); j += 4) {
        String cls = args.get(j).toLowerCase(Locale.ROOT);
        int k;
        switch (cls) {
          case "normal": k = 0; break;
          case "slave": case "replica": k = 1; break;
          case "pubsub": k = 2; break;
          default:
            return "Invalid client class specified in buffer limit configuration.";
        }
        Long hard = memtoull(args.get(j + 1));
        Long soft = memtoull(args.get(j + 2));
        Long secs = strtol(args.get(j + 3));
        if (hard == null || soft == null || secs == null || secs < 0) {
          return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
        }
        values[k] = new long[] {hard, soft, secs};
      }
      for (int j = 0; j < 3; j++) {
        if (values[j] != null) {
          c.clientOutputBufferLimit[j] = values[j];
        }
      }
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      long[][] defs = ServerConfig.defaultClientOutputBufferLimit();
      for (int j = 0; j < 3; j++) {
        long[] l = c.clientOutputBufferLimit[j];
        boolean force = l[0] != defs[j][0] || l[1] != defs[j][1] || l[2] != defs[j][2];
        String cls = j == 1 ? "replica" : OBUF_CLASSES[j];
        st.rewriteLine(name, name + " " + cls + " " + ConfigRewriter.formatMemory(l[0]) + " "
            + ConfigRewriter.formatMemory(l[1]) + " " + l[2], force);
      }
    }
  }

  static final class OomScoreAdjValuesDirective extends Special {
    OomScoreAdjValuesDirective() {
      super("oom-score-adj-values", null, MOD | MULTI_ARG);
    }

    private static int[] values(ServerConfig c) {
      Object v = c.extra.get("oom-score-adj-values");
      return v == null ? new int[] {0, 200, 800} : (int[]) v;
    }

    @Override
    public String get(ServerConfig c) {
      int[] v = values(c);
      return v[0] + " " + v[1] + " " + v[2];
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      if (args.size() != 3) {
        return "wrong number of arguments";
      }
      int[] v = new int[3];
      for (int i = 0; i < 3; i++) {
        Long x = strtol(args.get(i));
        if (x == null || x < -2000 || x > 2000) {
          return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
        }
        v[i] = (int) (long) x;
      }
      c.extra.put(name, v);
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      int[] v = values(c);
      boolean force = v[0] != 0 || v[1] != 200 || v[2] != 800;
      st.rewriteLine(name, name + " " + get(c), force);
    }
  }

  static final class NotifyKeyspaceEventsDirective extends Special {
    NotifyKeyspaceEventsDirective() {
      super("notify-keyspace-events", null, MOD);
      implemented = true;
    }

    @Override
    public String get(ServerConfig c) {
      return c.notifyKeyspaceEvents;
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      if (args.size() != 1) {
        return "wrong number of arguments";
      }
      int flags = Notifications.parse(args.get(0));
      if (flags == -1) {
        return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
      }
      c.notifyKeyspaceEvents = Notifications.format(flags);
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      st.rewriteLine(name, name + " " + ConfigRewriter.repr(c.notifyKeyspaceEvents),
          !c.notifyKeyspaceEvents.isEmpty());
    }
  }

  static final class BindDirective extends Special {
    BindDirective() {
      super("bind", null, MOD | MULTI_ARG);
      implemented = true;
    }

    @Override
    public String get(ServerConfig c) {
      return String.join(" ", c.bind);
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      if (args.size() > 16) {
        return "Too many bind addresses specified.";
      }
      if (args.size() == 1 && args.get(0).isEmpty()) {
        c.bind = new ArrayList<>();
      } else {
        c.bind = new ArrayList<>(args);
      }
      return null;
    }

    @Override
    boolean isDefault(ServerConfig c) {
      return c.bind.equals(List.of("*", "-::*"));
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      if (isDefault(c)) {
        st.markProcessed(name);
        return;
      }
      String addresses = c.bind.isEmpty() ? "\"\"" : String.join(" ", c.bind);
      st.rewriteLine(name, name + " " + addresses, true);
    }
  }

  static final class ReplicaOfDirective extends Special {
    ReplicaOfDirective() {
      super("replicaof", "slaveof", IMMUTABLE | MULTI_ARG);
      implemented = true;
    }

    @Override
    public String get(ServerConfig c) {
      return c.masterHost == null ? "" : c.masterHost + " " + c.masterPort;
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      if (args.size() != 2) {
        return "wrong number of arguments";
      }
      c.masterHost = null;
      if (args.get(0).equalsIgnoreCase("no") && args.get(1).equalsIgnoreCase("one")) {
        return null;
      }
      Long port = strtol(args.get(1));
      if (port == null || port < 0 || port > 65535) {
        return "Invalid master port";
      }
      c.masterPort = (int) (long) port;
      c.masterHost = args.get(0);
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      if (c.clusterEnabled || c.masterHost == null) {
        st.markProcessed(name);
        return;
      }
      st.rewriteLine(name, name + " " + c.masterHost + " " + c.masterPort, true);
    }
  }

  static final class LatencyPercentilesDirective extends Special {
    LatencyPercentilesDirective() {
      super("latency-tracking-info-percentiles", null, MOD | MULTI_ARG);
    }

    private static double[] values(ServerConfig c) {
      Object v = c.extra.get("latency-tracking-info-percentiles");
      return v == null ? new double[] {50, 99, 99.9} : (double[]) v;
    }

    static String fmt(double d) {
      String s = String.format(Locale.ROOT, "%f", d);
      if (s.indexOf('.') >= 0) {
        s = s.replaceAll("0+$", "");
        if (s.endsWith(".")) {
          s = s.substring(0, s.length() - 1);
        }
      }
      return s;
    }

    @Override
    public String get(ServerConfig c) {
      StringBuilder sb = new StringBuilder();
      for (double d : values(c)) {
        sb.append(sb.length() == 0 ? "" : " ").append(fmt(d));
      }
      return sb.toString();
    }

    @Override
    public String set(ServerConfig c, List<String> args, boolean readingFile) {
      List<String> a = args;
      if (a.size() == 1 && a.get(0).isEmpty()) {
        a = List.of();
      }
      double[] v = new double[a.size()];
      for (int i = 0; i < v.length; i++) {
        double d;
        try {
          String s = a.get(i);
          if (s.isEmpty() || Character.isWhitespace(s.charAt(0)) || s.endsWith(" ")
              || s.toLowerCase(Locale.ROOT).contains("n")) {
            throw new NumberFormatException();
          }
          d = Double.parseDouble(s);
        } catch (NumberFormatException e) {
          c.extra.put(name, new double[0]);
          return "Invalid latency-tracking-info-percentiles parameters";
        }
        if (d > 100.0 || d < 0.0) {
          c.extra.put(name, new double[0]);
          return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
        }
        v[i] = d;
      }
      c.extra.put(name, v);
      return null;
    }

    @Override
    void rewrite(ServerConfig c, ConfigRewriter.State st) {
      double[] v = values(c);
      StringBuilder sb = new StringBuilder(name);
      if (v.length == 0) {
        sb.append(" \"\"");
      } else {
        for (double d : v) {
          sb.append(' ').append(fmt(d));
        }
      }
      st.rewriteLine(name, sb.toString(), true);
    }
  }
}
