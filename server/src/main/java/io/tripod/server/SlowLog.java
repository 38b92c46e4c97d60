package io.tripod.server;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * SLOWLOG entries (Redis's {@code slowlog.c}): commands slower than
 * {@code slowlog-log-slower-than} microseconds, newest first, at most {@code slowlog-max-len}.
 * Arguments are trimmed as Redis trims them (32 arguments, 128 bytes each).
 */
public final class SlowLog {
  public static final int MAX_ARGC = 32;
  public static final int MAX_ARG_LEN = 128;

  /** One entry. */
  public record Entry(long id, long timeSeconds, long micros, byte[][] argv, String addr, byte[] name) {}

  private final Deque<Entry> entries = new ArrayDeque<>();
  private long nextId;

  void maybeLog(Server server, Client c, byte[][] argv, long micros) {
    long threshold = server.config.slowlogLogSlowerThanMicros;
    if (threshold < 0 || micros < threshold) {
      return;
    }
    int argc = Math.min(argv.length, MAX_ARGC);
    byte[][] kept = new byte[argc][];
    for (int i = 0; i < argc; i++) {
      if (argc != argv.length && i == argc - 1) {
        kept[i] = ("... (" + (argv.length - argc + 1) + " more arguments)").getBytes();
      } else if (argv[i].length > MAX_ARG_LEN) {
        byte[] t = new byte[MAX_ARG_LEN];
        System.arraycopy(argv[i], 0, t, 0, MAX_ARG_LEN);
        String more = "... (" + (argv[i].length - MAX_ARG_LEN) + " more bytes)";
        kept[i] = io.tripod.server.util.Bytes.concat(t, more.getBytes());
      } else {
        kept[i] = argv[i];
      }
    }
    entries.addFirst(new Entry(nextId++, server.clock.millis() / 1000, micros, kept, c.addr,
        c.name == null ? new byte[0] : c.name));
    while (entries.size() > server.config.slowlogMaxLen) {
      entries.removeLast();
    }
  }

  public Iterable<Entry> entries() {
    return entries;
  }

  public int size() {
    return entries.size();
  }

  public void reset() {
    entries.clear();
  }

  /** Trims to a new max length after CONFIG SET slowlog-max-len. */
  public void trim(int maxLen) {
    while (entries.size() > maxLen) {
      entries.removeLast();
    }
  }
}
