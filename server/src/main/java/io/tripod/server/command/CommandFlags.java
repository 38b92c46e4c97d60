package io.tripod.server.command;

import java.util.ArrayList;
import java.util.List;

/** Command flags with Redis's names ({@code COMMAND INFO} prints them in this order). */
public final class CommandFlags {
  private CommandFlags() {}

  public static final String[] NAMES = {
    "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
    "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
    "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
    "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
    "allow_busy", "module_getchannels"
  };

  public static final long WRITE = bit("write");
  public static final long READONLY = bit("readonly");
  public static final long DENYOOM = bit("denyoom");
  public static final long ADMIN = bit("admin");
  public static final long PUBSUB = bit("pubsub");
  public static final long NOSCRIPT = bit("noscript");
  public static final long BLOCKING = bit("blocking");
  public static final long LOADING = bit("loading");
  public static final long STALE = bit("stale");
  public static final long SKIP_MONITOR = bit("skip_monitor");
  public static final long SKIP_SLOWLOG = bit("skip_slowlog");
  public static final long FAST = bit("fast");
  public static final long NO_AUTH = bit("no_auth");
  public static final long MAY_REPLICATE = bit("may_replicate");
  public static final long SENTINEL = bit("sentinel");
  public static final long ONLY_SENTINEL = bit("only_sentinel");
  public static final long NO_MANDATORY_KEYS = bit("no_mandatory_keys");
  public static final long PROTECTED = bit("protected");
  public static final long NO_ASYNC_LOADING = bit("no_async_loading");
  public static final long NO_MULTI = bit("no_multi");
  public static final long MOVABLE_KEYS = bit("movablekeys");
  public static final long ALLOW_BUSY = bit("allow_busy");

  private static long bit(String name) {
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) {
        return 1L << i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  /** Parses a space-separated list of flag names. */
  public static long parse(String spaceSeparated) {
    long flags = 0;
    for (String f : spaceSeparated.trim().split("\\s+")) {
      if (!f.isEmpty()) {
        flags |= bit(f);
      }
    }
    return flags;
  }

  public static List<String> names(long flags) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < NAMES.length; i++) {
      if ((flags & (1L << i)) != 0) {
        out.add(NAMES[i]);
      }
    }
    return out;
  }
}
