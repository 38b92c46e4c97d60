package io.tripod.proxy.sentinel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pure decision of the Sentinel-aware mode (no sockets, threads or clock: times are passed in).
 * Each sentinel's latest answer to {@code SENTINEL get-master-addr-by-name} is recorded with its
 * time; an answer counts while it is at most {@code freshMs} old and the sentinel's link is up.
 * The agreed master is the one address reported by at least {@code quorum} counting sentinels.
 * When no address has the quorum (sentinels disagree, too few answer, or two addresses both reach
 * a quorum below the majority), the last agreed master is kept: losing sight of the sentinels
 * never moves the read-write endpoint, only a quorum naming another address does.
 *
 * <p>Not thread-safe: owned by the watcher's event loop.
 */
public final class MasterQuorum {
  /** What an evaluation changed. */
  public enum Change {
    /** Nothing. */
    NONE,
    /** A quorum names a master different from the last agreed one (or the first one). */
    ELECTED,
    /** No address has a quorum any more; the last agreed master is kept. */
    LOST,
    /** A quorum names the kept master again. */
    REGAINED
  }

  /**
   * One evaluation: {@code master} is the agreed (or kept) master, null before any agreement;
   * {@code previous} the master before an ELECTED change; {@code votes} how many counting sentinels
   * name {@code master} now; {@code answering} how many sentinels count at all.
   */
  public record Decision(Change change, HostPort master, HostPort previous, int votes, int answering) {}

  private final int quorum;
  private final long freshMs;
  private final HostPort[] reported;
  private final long[] at;
  private final boolean[] present;
  private HostPort master;
  private boolean agreed;

  public MasterQuorum(int sentinels, int quorum, long freshMs) {
    if (quorum < 1 || quorum > sentinels) {
      throw new IllegalArgumentException("quorum " + quorum + " of " + sentinels);
    }
    this.quorum = quorum;
    this.freshMs = freshMs;
    this.reported = new HostPort[sentinels];
    this.at = new long[sentinels];
    this.present = new boolean[sentinels];
  }

  /** Sentinel {@code i} answered at {@code now}: {@code addr}, or null (it does not know the master). */
  public void report(int i, HostPort addr, long now) {
    reported[i] = addr;
    at[i] = now;
    present[i] = true;
  }

  /** Sentinel {@code i}'s link went down: its last answer no longer counts. */
  public void lost(int i) {
    present[i] = false;
    reported[i] = null;
  }

  private boolean counts(int i, long now) {
    return present[i] && now - at[i] <= freshMs;
  }

  /** The address sentinel {@code i} reports now, or null (no answer, stale, or unknown master). */
  public HostPort reportOf(int i, long now) {
    return counts(i, now) ? reported[i] : null;
  }

  public boolean answering(int i, long now) {
    return counts(i, now);
  }

  public HostPort master() {
    return master;
  }

  /** Whether the current answers name {@link #master()} with a quorum (false after LOST). */
  public boolean agreed() {
    return agreed;
  }

  public int quorum() {
    return quorum;
  }

  public int sentinels() {
    return reported.length;
  }

  public Decision evaluate(long now) {
    Map<HostPort, Integer> votes = new LinkedHashMap<>();
    int answering = 0;
    for (int i = 0; i < reported.length; i++) {
      if (counts(i, now)) {
        answering++;
        if (reported[i] != null) {
          votes.merge(reported[i], 1, Integer::sum);
        }
      }
    }
    HostPort winner = null;
    int winners = 0;
    for (Map.Entry<HostPort, Integer> e : votes.entrySet()) {
      if (e.getValue() >= quorum) {
        winner = e.getKey();
        winners++;
      }
    }
    if (winners == 1) {
      if (!winner.equals(master)) {
        HostPort prev = master;
        master = winner;
        agreed = true;
        return new Decision(Change.ELECTED, master, prev, votes.get(winner), answering);
      }
      if (!agreed) {
        agreed = true;
        return new Decision(Change.REGAINED, master, null, votes.get(winner), answering);
      }
      return new Decision(Change.NONE, master, null, votes.get(winner), answering);
    }
    int forKept = master == null ? 0 : votes.getOrDefault(master, 0);
    if (agreed) {
      agreed = false;
      return new Decision(Change.LOST, master, null, forKept, answering);
    }
    return new Decision(Change.NONE, master, null, forKept, answering);
  }
}
