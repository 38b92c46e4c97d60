package io.tripod.proxy.sentinel;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --sentinel-master backend=master-name@host:port,host:port,...} asks for: the backend
 * (or listen section) whose read-write server follows the master that {@code quorum} of the listed
 * sentinels report for {@code masterName}. {@code pollMs} is the {@code SENTINEL
 * get-master-addr-by-name} interval; a sentinel's answer counts while it is younger than
 * {@code freshMs}.
 */
public record SentinelSpec(String backend, String masterName, List<HostPort> sentinels, int quorum, long pollMs,
    long freshMs) {
  public static final long DEFAULT_POLL_MS = 500;
  public static final long DEFAULT_FRESH_MS = 2000;

  public SentinelSpec {
    sentinels = List.copyOf(sentinels);
    if (sentinels.isEmpty()) {
      throw new IllegalArgumentException("no sentinel address");
    }
    if (quorum < 1 || quorum > sentinels.size()) {
      throw new IllegalArgumentException("quorum " + quorum + " must be between 1 and the number of sentinels ("
          + sentinels.size() + ")");
    }
  }

  /** The default quorum: a majority of the listed sentinels. */
  public static int majority(int n) {
    return n / 2 + 1;
  }

  /**
   * Parses {@code backend=master-name@host:port[,host:port...]}; {@code quorum} 0 means the
   * majority of the listed sentinels.
   */
  public static SentinelSpec parse(String spec, int quorum) {
    int eq = spec.indexOf('=');
    int at = spec.indexOf('@', eq + 1);
    if (eq <= 0 || at <= eq + 1 || at == spec.length() - 1) {
      throw new IllegalArgumentException("'" + spec + "' is not <backend>=<master-name>@<host:port>[,<host:port>...]");
    }
    List<HostPort> list = new ArrayList<>();
    for (String a : spec.substring(at + 1).split(",")) {
      HostPort hp = HostPort.parse(a.trim());
      if (list.contains(hp)) {
        throw new IllegalArgumentException("sentinel " + hp + " is listed twice");
      }
      list.add(hp);
    }
    return new SentinelSpec(spec.substring(0, eq), spec.substring(eq + 1, at), list,
        quorum > 0 ? quorum : majority(list.size()), DEFAULT_POLL_MS, DEFAULT_FRESH_MS);
  }

  public SentinelSpec withTiming(long poll, long fresh) {
    return new SentinelSpec(backend, masterName, sentinels, quorum, poll, fresh);
  }
}
