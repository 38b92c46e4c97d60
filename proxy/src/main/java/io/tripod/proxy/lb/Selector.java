package io.tripod.proxy.lb;

import io.tripod.proxy.config.ProxyConfig.Balance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Server selection (reference §2): usable non-backup servers are balanced with the algorithm;
 * when there is none, only the first usable backup in configuration order is used (the algorithm
 * is not consulted) unless {@code option allbackups}, which balances among all usable backups.
 * One Selector per backend; {@link #select} is synchronized (it keeps rotation state).
 */
public final class Selector {
  private final Balance algo;
  private final boolean allBackups;
  /** Smooth weighted round-robin state, keyed by server id. */
  private final Map<Integer, Long> rrCurrent = new HashMap<>();
  /** Leastconn tie rotation: the id of the server picked last. */
  private int lastPicked;

  public Selector(Balance algo, boolean allBackups) {
    this.algo = algo;
    this.allBackups = allBackups;
  }

  /**
   * Picks a server from {@code servers} (configuration order), or null when none is usable.
   * {@code clientHash} is used by {@code balance source}. {@code exclude} (may be null) is skipped
   * when another candidate exists (redispatch).
   */
  public synchronized <S extends LbServer> S select(List<S> servers, int clientHash, S exclude) {
    List<S> active = new ArrayList<>();
    for (S s : servers) {
      if (s.usable() && !s.backup()) {
        active.add(s);
      }
    }
    if (active.isEmpty()) {
      if (!allBackups) {
        for (S s : servers) {
          if (s.usable() && s.backup()) {
            return s; // lbprm.fbck: the first usable backup, whatever the algorithm
          }
        }
        return null;
      }
      for (S s : servers) {
        if (s.usable() && s.backup()) {
          active.add(s);
        }
      }
    }
    if (active.isEmpty()) {
      return null;
    }
    if (exclude != null && active.size() > 1) {
      active.remove(exclude);
    }
    return balance(active, clientHash);
  }

  private <S extends LbServer> S balance(List<S> c, int clientHash) {
    switch (algo) {
      case FIRST:
        for (S s : c) {
          if (!s.full()) {
            return s;
          }
        }
        return null;
      case SOURCE: {
        long total = 0;
        for (S s : c) {
          total += s.weight();
        }
        long h = Integer.toUnsignedLong(mix(clientHash)) % total;
        for (S s : c) {
          h -= s.weight();
          if (h < 0) {
            return s;
          }
        }
        return c.get(c.size() - 1);
      }
      case LEASTCONN:
        return leastconn(c);
      default:
        return roundRobin(c);
    }
  }

  private <S extends LbServer> S leastconn(List<S> c) {
    int n = c.size();
    int start = 0;
    for (int i = 0; i < n; i++) {
      if (c.get(i).id() > lastPicked) {
        start = i;
        break;
      }
    }
    S best = null;
    long bestKey = Long.MAX_VALUE;
    for (int k = 0; k < n; k++) {
      S s = c.get((start + k) % n);
      if (s.full()) {
        continue;
      }
      long key = s.inflight() == 0 ? 0 : (s.inflight() + 1L) * 4096L / s.weight();
      if (key < bestKey) {
        bestKey = key;
        best = s;
      }
    }
    if (best != null) {
      lastPicked = best.id();
    }
    return best;
  }

  private <S extends LbServer> S roundRobin(List<S> c) {
    long total = 0;
    S best = null;
    long bestCur = Long.MIN_VALUE;
    for (S s : c) {
      if (s.full()) {
        continue;
      }
      long cur = rrCurrent.getOrDefault(s.id(), 0L) + s.weight();
      rrCurrent.put(s.id(), cur);
      total += s.weight();
      if (cur > bestCur) {
        bestCur = cur;
        best = s;
      }
    }
    if (best != null) {
      rrCurrent.put(best.id(), bestCur - total);
    }
    return best;
  }

  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
