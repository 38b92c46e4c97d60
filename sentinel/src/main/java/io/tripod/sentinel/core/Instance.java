package io.tripod.sentinel.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One monitored instance (a master, a replica, or another sentinel), as Redis's {@code
 * sentinelRedisInstance}. Fields are public for the shell's SENTINEL replies and for tests; only
 * {@link SentinelCore} mutates them.
 */
public final class Instance {
  public enum Kind {
    MASTER("master"),
    SLAVE("slave"),
    SENTINEL("sentinel");

    public final String text;

    Kind(String text) {
      this.text = text;
    }
  }

  // Flags, in the order SENTINEL MASTER prints them.
  public static final int S_DOWN = 1;
  public static final int O_DOWN = 1 << 1;
  public static final int MASTER_DOWN = 1 << 2;
  public static final int FAILOVER_IN_PROGRESS = 1 << 3;
  public static final int PROMOTED = 1 << 4;
  public static final int RECONF_SENT = 1 << 5;
  public static final int RECONF_INPROG = 1 << 6;
  public static final int RECONF_DONE = 1 << 7;
  public static final int FORCE_FAILOVER = 1 << 8;
  public static final int SCRIPT_KILL_SENT = 1 << 9;
  public static final int MASTER_REBOOT = 1 << 10;

  public final Kind kind;
  /** Master name, {@code ip:port} for replicas, runid for sentinels. */
  public String name;
  public Addr addr;
  /** The master this replica or sentinel belongs to; null for masters. */
  public final Instance master;
  public String runid;
  public int flags;
  public long downAfter;

  // Link (shared per address by the shell).
  public boolean linkConnected;
  public long linkConnectedSince;
  public long actPingTime;
  public long lastPingTime;
  public long lastPongTime;
  public long lastAvailTime;
  /** Tripod: first and last refused connection attempt since the link was last up (0: none). */
  public long refusedSince;
  public long lastRefusedTime;
  public long lastInfoSent;

  // INFO-derived.
  public long infoRefresh;
  public String infoText;
  public Kind roleReported;
  public long roleReportedTime;
  public long slaveConfChangeTime;
  public long masterLinkDownTime;
  public String slaveMasterHost;
  public int slaveMasterPort;
  public boolean slaveMasterLinkUp;
  public int slavePriority = 100;
  public long slaveReplOffset;
  public boolean replicaAnnounced = true;
  public long slaveReconfSentTime;
  public long masterRebootSinceTime;

  public long sDownSinceTime;
  public long oDownSinceTime;
  /** Random wait after ODOWN before standing for election (see SentinelCore). */
  public long candidateDelay;

  // Sentinel-instance fields.
  public long lastHelloTime;
  public long lastPubTime;
  public long lastMasterDownReplyTime;
  public long lastAskTime;
  /** For a sentinel: its vote as it told us; for a master: our own vote. */
  public String leader;
  public long leaderEpoch;

  // Master-only.
  public int quorum;
  public int parallelSyncs = 1;
  public long failoverTimeout = 180000;
  public long masterRebootDownAfterPeriod;
  public long configEpoch;
  public final Map<String, Instance> replicas = new LinkedHashMap<>();
  public final Map<String, Instance> sentinels = new LinkedHashMap<>();
  public FailoverState failoverState = FailoverState.NONE;
  public long failoverStateChangeTime;
  public long failoverStartTime;
  public long failoverEpoch;
  public Instance promoted;
  public String authPass;
  public String authUser;
  public String notificationScript;
  public String clientReconfigScript;
  /** rename-command: lower-case original name to new name. */
  public final Map<String, String> renamedCommands = new LinkedHashMap<>();
  /** Set when "Next failover delay" was logged for the current attempt window. */
  public boolean failoverDelayLogged;

  Instance(Kind kind, String name, Addr addr, Instance master, long now) {
    this.kind = kind;
    this.name = name;
    this.addr = addr;
    this.master = master;
    this.actPingTime = now;
    this.lastAvailTime = now;
    this.lastPongTime = 0; // ping at the next tick
    this.roleReported = kind == Kind.SENTINEL ? null : kind;
    this.roleReportedTime = now;
    this.slaveConfChangeTime = now;
  }

  public boolean is(int flag) {
    return (flags & flag) != 0;
  }

  public boolean isMaster() {
    return kind == Kind.MASTER;
  }

  /** The master's address as clients should see it: the promoted replica's from RECONF_SLAVES. */
  public Addr currentAddr() {
    if (kind == Kind.MASTER
        && promoted != null
        && failoverState.compareTo(FailoverState.RECONF_SLAVES) >= 0) {
      return promoted.addr;
    }
    return addr;
  }

  /** Redis's {@code %@}: type, name, ip, port, and {@code @ master ip port} for non-masters. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(kind.text).append(' ').append(name).append(' ').append(addr.host()).append(' ')
        .append(addr.port());
    if (master != null) {
      sb.append(" @ ").append(master.name).append(' ').append(master.addr.host()).append(' ')
          .append(master.addr.port());
    }
    return sb.toString();
  }

  /** The flags text of SENTINEL MASTER/REPLICAS/SENTINELS. */
  public String flagsText() {
    StringBuilder sb = new StringBuilder();
    if (is(S_DOWN)) sb.append("s_down,");
    if (is(O_DOWN)) sb.append("o_down,");
    sb.append(kind.text).append(',');
    if (!linkConnected) sb.append("disconnected,");
    if (is(MASTER_DOWN)) sb.append("master_down,");
    if (is(FAILOVER_IN_PROGRESS)) sb.append("failover_in_progress,");
    if (is(PROMOTED)) sb.append("promoted,");
    if (is(RECONF_SENT)) sb.append("reconf_sent,");
    if (is(RECONF_INPROG)) sb.append("reconf_inprog,");
    if (is(RECONF_DONE)) sb.append("reconf_done,");
    if (is(FORCE_FAILOVER)) sb.append("force_failover,");
    if (is(SCRIPT_KILL_SENT)) sb.append("script_kill_sent,");
    sb.setLength(sb.length() - 1);
    return sb.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
