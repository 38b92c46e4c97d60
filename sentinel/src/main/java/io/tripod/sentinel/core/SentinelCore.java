package io.tripod.sentinel.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The pure failover logic of a Redis 7.0 Sentinel: no sockets, no threads, no clock reads. Every
 * input carries the time; every effect is an {@link Action} appended to the outbox ({@link
 * #drain}). The rules follow {@code sentinel.c} (see /work/shared/reference/sentinel.md); the only
 * deviations are speed-ups that keep the protocol: an is-master-down reply or a vote is evaluated
 * at once instead of at the next tick, and the replica being promoted is polled with INFO every
 * {@link Timers#fastInfoPeriod} instead of every second.
 *
 * <p>Safety (what the simulation checks): a sentinel votes at most once per epoch ({@link
 * #voteLeader}); a leader needs a majority of all known sentinels and the quorum ({@link
 * #getLeader}); only the leader of an epoch promotes, once.
 */
public final class SentinelCore {
  public final Timers timers = new Timers();
  public String myid;
  public long currentEpoch;
  public final Map<String, Instance> masters = new LinkedHashMap<>();
  public String announceIp;
  public int announcePort;
  public int port = 26379;
  public boolean tilt;
  public long tiltStartTime;
  public long previousTime;
  public boolean crashAfterElection;
  public boolean crashAfterPromotion;
  public boolean denyScriptsReconfig = true;
  public boolean resolveHostnames;
  public boolean announceHostnames;
  public String sentinelUser;
  public String sentinelPass;

  private final Random rnd;
  private final List<Action> out = new ArrayList<>();

  public SentinelCore(String myid, Random rnd, long now) {
    this.myid = myid;
    this.rnd = rnd;
    this.previousTime = now;
  }

  /** Takes the actions produced since the last call. */
  public List<Action> drain() {
    List<Action> a = new ArrayList<>(out);
    out.clear();
    return a;
  }

  // ---------------------------------------------------------------- registry

  /**
   * Adds a monitored master ({@code sentinel monitor} / SENTINEL MONITOR).
   *
   * @return null, or Redis's error text
   */
  public String monitor(String name, Addr addr, int quorum, long now) {
    if (quorum <= 0) {
      return "Quorum must be 1 or greater.";
    }
    if (masters.containsKey(name)) {
      return "Duplicate master name.";
    }
    if (addr.port() <= 0 || addr.port() > 65535) {
      return "Invalid port number.";
    }
    Instance m = new Instance(Instance.Kind.MASTER, name, addr, null, now);
    m.linkConnected = isConnected(addr);
    m.quorum = quorum;
    m.downAfter = timers.defaultDownAfter;
    masters.put(name, m);
    return null;
  }

  /** SENTINEL MONITOR: as {@link #monitor} but port 0 is accepted (Redis does). */
  public String monitorAny(String name, Addr addr, int quorum, long now) {
    if (addr.port() == 0) {
      Instance m = new Instance(Instance.Kind.MASTER, name, addr, null, now);
      m.quorum = quorum;
      m.downAfter = timers.defaultDownAfter;
      masters.put(name, m);
      return null;
    }
    return monitor(name, addr, quorum, now);
  }

  public Instance addReplica(Instance master, Addr addr, long now) {
    String key = addr.toString();
    Instance r = master.replicas.get(key);
    if (r == null) {
      r = new Instance(Instance.Kind.SLAVE, key, addr, master, now);
      r.downAfter = master.downAfter;
      r.linkConnected = isConnected(addr);
      master.replicas.put(key, r);
    }
    return r;
  }

  public Instance addSentinel(Instance master, Addr addr, String runid, long now) {
    Instance s = new Instance(Instance.Kind.SENTINEL, runid, addr, master, now);
    s.runid = runid;
    s.downAfter = master.downAfter;
    s.linkConnected = isConnected(addr);
    master.sentinels.put(runid, s);
    return s;
  }

  /** Every instance of every master, for the shell's link management. */
  public List<Instance> allInstances() {
    List<Instance> all = new ArrayList<>();
    for (Instance m : masters.values()) {
      all.add(m);
      all.addAll(m.replicas.values());
      all.addAll(m.sentinels.values());
    }
    return all;
  }

  /** Addresses whose command link the shell reported up (links are shared per address). */
  private final java.util.Set<Addr> connected = new java.util.HashSet<>();

  private boolean isConnected(Addr a) {
    return connected.contains(a);
  }

  private List<Instance> byAddr(Addr a) {
    List<Instance> r = new ArrayList<>();
    for (Instance i : allInstances()) {
      if (i.addr.equals(a)) {
        r.add(i);
      }
    }
    return r;
  }

  public Instance masterByAddr(String host, int port) {
    for (Instance m : masters.values()) {
      if (m.addr.sameAs(host, port)) {
        return m;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- events

  void event(Level level, String type, Instance ri, String fmt) {
    String msg;
    if (ri != null && fmt.startsWith("%@")) {
      msg = ri.describe() + fmt.substring(2);
    } else {
      msg = fmt;
    }
    Instance m = ri == null ? null : (ri.master != null ? ri.master : ri);
    out.add(new Action.Event(level, type, msg, m == null ? null : m.name, m == null ? null : m.notificationScript));
  }

  private void log(Level level, String msg) {
    out.add(new Action.Log(level, msg));
  }

  private void flush() {
    out.add(new Action.FlushConfig());
  }

  /**
   * The one place a master's failover state changes. Checks that the move is legal and emits the
   * Redis event that announces it ({@code event} with {@code subject}'s {@code %@}).
   */
  void transitionTo(Instance m, FailoverState next, String event, Instance subject, long now) {
    if (!m.failoverState.canGo(next)) {
      throw new IllegalStateException(
          "illegal failover transition " + m.failoverState + " -> " + next + " (" + event + ")");
    }
    m.failoverState = next;
    m.failoverStateChangeTime = now;
    if (event != null) {
      Level lvl =
          event.equals("+failover-state-send-slaveof-noone")
                  || event.equals("+failover-state-wait-promotion")
              ? Level.NOTICE
              : Level.WARNING;
      event(lvl, event, subject, "%@");
    }
  }

  /**
   * The shell's first tick (Tripod, protocol-invisible): instances loaded from the config were
   * created when the file was read, and a slow JVM start (class loading, JIT, a loaded machine)
   * could otherwise count the start-up time toward down-after (a +sdown of a healthy master before
   * its first PING could be answered) or look like a clock jump (TILT). Their clocks start now.
   */
  public void startClock(long now) {
    previousTime = now;
    for (Instance i : allInstances()) {
      if (i.actPingTime != 0) i.actPingTime = now;
      i.lastAvailTime = now;
      i.roleReportedTime = now;
      i.slaveConfChangeTime = now;
    }
  }

  // ---------------------------------------------------------------- link inputs

  public void linkUp(Addr a, long now) {
    connected.add(a);
    for (Instance i : byAddr(a)) {
      i.linkConnected = true;
      i.linkConnectedSince = now;
      i.refusedSince = 0;
    }
    sendPing(a, now);
  }

  public void linkDown(Addr a, long now) {
    connected.remove(a);
    for (Instance i : byAddr(a)) {
      i.linkConnected = false;
    }
  }

  /** A connection attempt to {@code a} was refused (nothing listens on the port). */
  public void connectRefused(Addr a, long now) {
    for (Instance i : byAddr(a)) {
      if (i.refusedSince == 0) {
        i.refusedSince = now;
      }
      i.lastRefusedTime = now;
    }
  }

  private void sendPing(Addr a, long now) {
    List<Instance> is = byAddr(a);
    if (is.isEmpty()) {
      return;
    }
    out.add(new Action.Ping(a));
    for (Instance i : is) {
      i.lastPingTime = now;
      if (i.actPingTime == 0) {
        i.actPingTime = now;
      }
    }
  }

  /** A PING reply (status or error text, with its first byte, e.g. "+PONG" or "-LOADING ..."). */
  public void pingReply(Addr a, String reply, long now) {
    String text = reply.length() > 0 ? reply.substring(1) : "";
    boolean valid =
        text.startsWith("PONG") || text.startsWith("LOADING") || text.startsWith("MASTERDOWN");
    for (Instance i : byAddr(a)) {
      i.lastPongTime = now;
      if (valid) {
        i.lastAvailTime = now;
        i.actPingTime = 0;
        if (text.startsWith("PONG")) {
          i.flags &= ~Instance.MASTER_REBOOT;
        }
      } else if (text.startsWith("BUSY") && i.is(Instance.S_DOWN) && !i.is(Instance.SCRIPT_KILL_SENT)) {
        out.add(new Action.ScriptKill(a));
        i.flags |= Instance.SCRIPT_KILL_SENT;
      }
    }
  }

  // ---------------------------------------------------------------- tick

  public void tick(long now) {
    long delta = now - previousTime;
    if (delta < 0 || delta > timers.tiltTrigger) {
      tilt = true;
      tiltStartTime = now;
      event(Level.WARNING, "+tilt", null, "#tilt mode entered");
    }
    previousTime = now;
    if (tilt && now - tiltStartTime >= timers.tiltPeriod) {
      tilt = false;
      event(Level.WARNING, "-tilt", null, "#tilt mode exited");
    }
    List<Instance> switches = new ArrayList<>();
    for (Instance m : new ArrayList<>(masters.values())) {
      handleInstance(m, now);
      for (Instance r : new ArrayList<>(m.replicas.values())) {
        handleInstance(r, now);
      }
      for (Instance s : new ArrayList<>(m.sentinels.values())) {
        handleInstance(s, now);
      }
      if (m.failoverState == FailoverState.UPDATE_CONFIG) {
        switches.add(m); // switched after every instance of this tick was handled, as Redis
      }
    }
    for (Instance m : switches) {
      switchToPromoted(m, now);
    }
  }

  private void handleInstance(Instance ri, long now) {
    sendPeriodicCommands(ri, now);
    if (tilt) {
      return;
    }
    checkSubjectivelyDown(ri, now);
    if (ri.isMaster()) {
      checkObjectivelyDown(ri, now);
      if (startFailoverIfNeeded(ri, now)) {
        askMasterStateToOtherSentinels(ri, true, now);
      }
      failoverStateMachine(ri, now);
      askMasterStateToOtherSentinels(ri, false, now);
    }
  }

  private long infoPeriod(Instance ri) {
    if (ri.kind == Instance.Kind.SLAVE) {
      Instance m = ri.master;
      if (ri.is(Instance.PROMOTED) && m.failoverState == FailoverState.WAIT_PROMOTION) {
        return timers.fastInfoPeriod;
      }
      if (ri.is(Instance.RECONF_SENT | Instance.RECONF_INPROG)) {
        return timers.fastInfoPeriod * 2;
      }
      if (m.is(Instance.O_DOWN | Instance.FAILOVER_IN_PROGRESS)
          || ri.masterLinkDownTime != 0
          || ri.roleReported == Instance.Kind.MASTER) { // Tripod: a returning old master
        return 1000;
      }
    }
    return timers.infoPeriod;
  }

  private void sendPeriodicCommands(Instance ri, long now) {
    if (!ri.linkConnected) {
      return;
    }
    long infoPeriod = infoPeriod(ri);
    long pingPeriod = Math.min(ri.downAfter, timers.pingPeriod);
    if (ri.kind != Instance.Kind.SENTINEL
        && (ri.infoRefresh == 0 || now - ri.infoRefresh > infoPeriod)
        && now - ri.lastInfoSent >= Math.min(infoPeriod, 1000)) {
      ri.lastInfoSent = now;
      out.add(new Action.Info(ri.addr));
    }
    if (now - ri.lastPongTime > pingPeriod && now - ri.lastPingTime > pingPeriod / 2) {
      ri.lastPingTime = now;
      if (ri.actPingTime == 0) {
        ri.actPingTime = now;
      }
      out.add(new Action.Ping(ri.addr));
    }
    if (now - ri.lastPubTime > timers.publishPeriod) {
      sendHello(ri, now);
    }
  }

  private void sendHello(Instance ri, long now) {
    Instance m = ri.isMaster() ? ri : ri.master;
    Addr ma = m.currentAddr();
    ri.lastPubTime = now;
    String tail =
        myid + "," + currentEpoch + "," + m.name + "," + ma.host() + "," + ma.port() + ","
            + m.configEpoch;
    out.add(new Action.Hello(ri.addr, announceIp, announcePort != 0 ? announcePort : port, tail));
  }

  /** sentinelForceHelloUpdateForMaster: hello to every instance of the master at the next tick. */
  private void forceHello(Instance m) {
    long back = timers.publishPeriod + 1;
    m.lastPubTime -= back;
    for (Instance r : m.replicas.values()) r.lastPubTime -= back;
    for (Instance s : m.sentinels.values()) s.lastPubTime -= back;
  }

  // ---------------------------------------------------------------- SDOWN / ODOWN

  private void checkSubjectivelyDown(Instance ri, long now) {
    long elapsed = 0;
    if (ri.actPingTime != 0) {
      elapsed = now - ri.actPingTime;
    } else if (!ri.linkConnected) {
      elapsed = now - ri.lastAvailTime;
    }
    if (ri.linkConnected
        && now - ri.linkConnectedSince > timers.minLinkReconnectPeriod
        && ri.actPingTime != 0
        && now - ri.actPingTime > ri.downAfter / 2
        && now - ri.lastPongTime > ri.downAfter / 2) {
      out.add(new Action.Reconnect(ri.addr));
    }
    boolean down =
        elapsed > ri.downAfter
            || (ri.isMaster()
                && ri.roleReported == Instance.Kind.SLAVE
                && now - ri.roleReportedTime > ri.downAfter + timers.infoPeriod * 2)
            || (ri.is(Instance.MASTER_REBOOT)
                && now - ri.masterRebootSinceTime > ri.masterRebootDownAfterPeriod)
            || refusedLongEnough(ri, now);
    if (down) {
      if (!ri.is(Instance.S_DOWN)) {
        event(Level.WARNING, "+sdown", ri, "%@");
        ri.sDownSinceTime = now;
        ri.flags |= Instance.S_DOWN;
      }
    } else if (ri.is(Instance.S_DOWN)) {
      event(Level.WARNING, "-sdown", ri, "%@");
      ri.flags &= ~(Instance.S_DOWN | Instance.SCRIPT_KILL_SENT);
    }
  }

  /**
   * Tripod: every connection attempt refused for {@link Timers#refusedDownAfter} (and the last one
   * recent, so a port that started listening again clears it at once).
   */
  private boolean refusedLongEnough(Instance ri, long now) {
    long after = Math.min(ri.downAfter, timers.refusedDownAfter);
    return timers.refusedDownAfter > 0 && !ri.linkConnected && ri.refusedSince != 0
        && now - ri.lastRefusedTime <= Math.max(500, timers.pingPeriod)
        && now - ri.refusedSince >= after;
  }

  private void checkObjectivelyDown(Instance m, long now) {
    int q = 0;
    boolean odown = false;
    if (m.is(Instance.S_DOWN)) {
      q = 1;
      for (Instance s : m.sentinels.values()) {
        if (s.is(Instance.MASTER_DOWN)) q++;
      }
      odown = q >= m.quorum;
    }
    if (odown) {
      if (!m.is(Instance.O_DOWN)) {
        event(Level.WARNING, "+odown", m, "%@ #quorum " + q + "/" + m.quorum);
        m.flags |= Instance.O_DOWN;
        m.oDownSinceTime = now;
        m.candidateDelay = timers.candidateJitter > 0 ? rnd.nextInt((int) timers.candidateJitter) : 0;
        // Speed-up: refresh replica INFO now; selection needs it younger than 5 s.
        for (Instance r : m.replicas.values()) {
          if (r.linkConnected && now - r.lastInfoSent >= timers.fastInfoPeriod) {
            r.lastInfoSent = now;
            out.add(new Action.Info(r.addr));
          }
        }
      }
    } else if (m.is(Instance.O_DOWN)) {
      event(Level.WARNING, "-odown", m, "%@");
      m.flags &= ~Instance.O_DOWN;
    }
  }

  private void askMasterStateToOtherSentinels(Instance m, boolean force, long now) {
    for (Instance s : m.sentinels.values()) {
      long elapsed = now - s.lastMasterDownReplyTime;
      if (elapsed > timers.askPeriod * 5) {
        s.flags &= ~Instance.MASTER_DOWN;
        s.leader = null;
      }
      if (!m.is(Instance.S_DOWN)) continue;
      if (!s.linkConnected) continue;
      if (!force && (elapsed < timers.askPeriod || now - s.lastAskTime < timers.askPeriod)) continue;
      s.lastAskTime = now;
      out.add(
          new Action.AskMasterDown(
              s.addr,
              m.name,
              m.addr,
              currentEpoch,
              m.failoverState != FailoverState.NONE ? myid : "*"));
    }
  }

  /** A reply to our is-master-down-by-addr, from the sentinel at {@code from}. */
  public void masterDownReply(
      Addr from, String masterName, long down, String leader, long leaderEpoch, long now) {
    Instance m = masters.get(masterName);
    if (m == null) return;
    Instance s = null;
    for (Instance x : m.sentinels.values()) {
      if (x.addr.equals(from)) s = x;
    }
    if (s == null) return;
    s.lastMasterDownReplyTime = now;
    if (down == 1) {
      s.flags |= Instance.MASTER_DOWN;
    } else {
      s.flags &= ~Instance.MASTER_DOWN;
    }
    if (!leader.equals("*")) {
      if (s.leaderEpoch != leaderEpoch || !leader.equals(s.leader)) {
        log(Level.NOTICE, s.name + " voted for " + leader + " " + leaderEpoch);
      }
      s.leader = leader;
      s.leaderEpoch = leaderEpoch;
    }
    // Speed-up: act on the new information now rather than at the next tick.
    if (!tilt) {
      checkObjectivelyDown(m, now);
      if (startFailoverIfNeeded(m, now)) {
        askMasterStateToOtherSentinels(m, true, now);
      }
      if (m.failoverState == FailoverState.WAIT_START) {
        failoverStateMachine(m, now);
      }
    }
  }

  // ---------------------------------------------------------------- voting

  /** SENTINEL is-master-down-by-addr: [down, leader-or-*, leader-epoch]. */
  public Object[] isMasterDownByAddr(String ip, int port, long reqEpoch, String runid, long now) {
    Instance m = masterByAddr(ip, port);
    long down = (!tilt && m != null && m.is(Instance.S_DOWN)) ? 1 : 0;
    String leader = null;
    long leaderEpoch = 0;
    if (m != null && !runid.equals("*")) {
      leader = voteLeader(m, reqEpoch, runid, now);
      leaderEpoch = m.leaderEpoch;
    }
    return new Object[] {down, leader != null ? leader : "*", leaderEpoch};
  }

  /** sentinelVoteLeader: at most one vote per epoch, first requester wins. */
  String voteLeader(Instance m, long reqEpoch, String reqRunid, long now) {
    if (reqEpoch > currentEpoch) {
      currentEpoch = reqEpoch;
      flush();
      event(Level.WARNING, "+new-epoch", m, Long.toString(currentEpoch));
    }
    if (m.leaderEpoch < reqEpoch && currentEpoch <= reqEpoch) {
      m.leader = reqRunid;
      m.leaderEpoch = currentEpoch;
      flush();
      event(Level.WARNING, "+vote-for-leader", m, m.leader + " " + m.leaderEpoch);
      if (!reqRunid.equalsIgnoreCase(myid)) {
        m.failoverStartTime = now + rnd.nextInt(1000);
      }
    }
    return m.leader;
  }

  /** sentinelGetLeader: the winner of {@code epoch}, or null. May cast our own vote. */
  String getLeader(Instance m, long epoch, long now) {
    Map<String, Integer> counters = new LinkedHashMap<>();
    int voters = m.sentinels.size() + 1;
    for (Instance s : m.sentinels.values()) {
      if (s.leader != null && s.leaderEpoch == currentEpoch) {
        counters.merge(s.leader, 1, Integer::sum);
      }
    }
    String winner = null;
    int max = 0;
    for (Map.Entry<String, Integer> e : counters.entrySet()) {
      if (e.getValue() > max) {
        max = e.getValue();
        winner = e.getKey();
      }
    }
    String myvote = voteLeader(m, epoch, winner != null ? winner : myid, now);
    if (myvote != null && m.leaderEpoch == epoch) {
      int votes = counters.merge(myvote, 1, Integer::sum);
      if (votes > max) {
        max = votes;
        winner = myvote;
      }
    }
    int votersQuorum = voters / 2 + 1;
    if (winner != null && (max < votersQuorum || max < m.quorum)) {
      winner = null;
    }
    return winner;
  }

  // ---------------------------------------------------------------- failover

  /**
   * Milliseconds until the earliest candidacy waiting out its random delay after ODOWN (-1: none),
   * so the shell can tick exactly then.
   */
  public long candidacyDueIn(long now) {
    long due = -1;
    for (Instance m : masters.values()) {
      if (m.is(Instance.O_DOWN) && !m.is(Instance.FAILOVER_IN_PROGRESS)
          && now < m.oDownSinceTime + m.candidateDelay) {
        long d = m.oDownSinceTime + m.candidateDelay - now;
        due = due < 0 ? d : Math.min(due, d);
      }
    }
    return due;
  }

  private boolean startFailoverIfNeeded(Instance m, long now) {
    if (!m.is(Instance.O_DOWN)) return false;
    if (m.is(Instance.FAILOVER_IN_PROGRESS)) return false;
    // Tripod: a random 0..candidateJitter ms after ODOWN before standing as a candidate. Sentinels
    // see a killed master's link drop at the same instant and, with the immediate evaluation of
    // is-master-down replies, would otherwise all stand at once and split the vote (every one
    // voting for itself), costing 2 x failover-timeout before the next attempt. A sentinel asked
    // for its vote meanwhile votes for the asker (and then does not stand itself).
    if (now < m.oDownSinceTime + m.candidateDelay) return false;
    if (now - m.failoverStartTime < m.failoverTimeout * 2) {
      if (m.failoverStartTime > now && !m.failoverDelayLogged) {
        m.failoverDelayLogged = true;
        log(
            Level.WARNING,
            "Next failover delay: I will not start a failover before "
                + (m.failoverStartTime + m.failoverTimeout * 2));
      }
      return false;
    }
    startFailover(m, now);
    return true;
  }

  private void startFailover(Instance m, long now) {
    m.failoverEpoch = ++currentEpoch;
    event(Level.WARNING, "+new-epoch", m, Long.toString(currentEpoch));
    m.flags |= Instance.FAILOVER_IN_PROGRESS;
    transitionTo(m, FailoverState.WAIT_START, "+try-failover", m, now);
    m.failoverStartTime = now + rnd.nextInt(1000);
    m.failoverDelayLogged = false;
  }

  /** SENTINEL FAILOVER: forced, no agreement needed. Returns null or Redis's error line. */
  public String forceFailover(String name, long now) {
    Instance m = masters.get(name);
    if (m == null) return "ERR No such master with that name";
    if (m.is(Instance.FAILOVER_IN_PROGRESS)) return "INPROG Failover already in progress";
    if (selectSlave(m, now) == null) return "NOGOODSLAVE No suitable replica to promote";
    log(Level.WARNING, "Executing user requested FAILOVER of '" + name + "'");
    startFailover(m, now);
    m.flags |= Instance.FORCE_FAILOVER;
    return null;
  }

  private void failoverStateMachine(Instance m, long now) {
    if (!m.is(Instance.FAILOVER_IN_PROGRESS)) return;
    switch (m.failoverState) {
      case WAIT_START:
        failoverWaitStart(m, now);
        break;
      case SELECT_SLAVE:
        failoverSelectSlave(m, now);
        break;
      case SEND_SLAVEOF_NOONE:
        failoverSendSlaveOfNoOne(m, now);
        break;
      case WAIT_PROMOTION:
        if (now - m.failoverStateChangeTime > m.failoverTimeout) {
          abortFailover(m, "-failover-abort-slave-timeout", now);
        }
        break;
      case RECONF_SLAVES:
        failoverReconfNextSlave(m, now);
        break;
      default:
        break;
    }
  }

  private void failoverWaitStart(Instance m, long now) {
    String leader = getLeader(m, m.failoverEpoch, now);
    boolean isLeader = leader != null && leader.equalsIgnoreCase(myid);
    if (!isLeader && !m.is(Instance.FORCE_FAILOVER)) {
      long electionTimeout = Math.min(timers.electionTimeout, m.failoverTimeout);
      if (now - m.failoverStartTime > electionTimeout) {
        abortFailover(m, "-failover-abort-not-elected", now);
      }
      return;
    }
    event(Level.WARNING, "+elected-leader", m, "%@");
    if (crashAfterElection) {
      out.add(new Action.Crash("crash-after-election"));
    }
    transitionTo(m, FailoverState.SELECT_SLAVE, "+failover-state-select-slave", m, now);
    failoverSelectSlave(m, now);
  }

  /** Test hook: called with the master and the chosen replica (or null) at selection time. */
  public java.util.function.BiConsumer<Instance, Instance> selectionObserver;

  private void failoverSelectSlave(Instance m, long now) {
    Instance slave = selectSlave(m, now);
    if (selectionObserver != null) {
      selectionObserver.accept(m, slave);
    }
    if (slave == null && infoPending(m, now)) {
      return; // a fresh INFO is on its way (we may have been elected before it arrived)
    }
    if (slave == null) {
      abortFailover(m, "-failover-abort-no-good-slave", now);
      return;
    }
    event(Level.WARNING, "+selected-slave", slave, "%@");
    slave.flags |= Instance.PROMOTED;
    m.promoted = slave;
    transitionTo(
        m, FailoverState.SEND_SLAVEOF_NOONE, "+failover-state-send-slaveof-noone", slave, now);
    failoverSendSlaveOfNoOne(m, now);
  }

  private void failoverSendSlaveOfNoOne(Instance m, long now) {
    Instance p = m.promoted;
    if (!p.linkConnected) {
      if (now - m.failoverStateChangeTime > m.failoverTimeout) {
        abortFailover(m, "-failover-abort-slave-timeout", now);
      }
      return;
    }
    out.add(new Action.SlaveOf(p.addr, null, 0));
    // Speed-up: the INFO queued right behind the transaction shows the new role.
    p.lastInfoSent = now;
    out.add(new Action.Info(p.addr));
    transitionTo(m, FailoverState.WAIT_PROMOTION, "+failover-state-wait-promotion", p, now);
  }

  private void abortFailover(Instance m, String event, long now) {
    transitionTo(m, FailoverState.NONE, event, m, now);
    m.flags &= ~(Instance.FAILOVER_IN_PROGRESS | Instance.FORCE_FAILOVER);
    if (m.promoted != null) {
      m.promoted.flags &= ~Instance.PROMOTED;
      m.promoted = null;
    }
  }

  /** Some connected replica has an INFO request outstanding, sent less than a second ago. */
  private static boolean infoPending(Instance m, long now) {
    for (Instance r : m.replicas.values()) {
      if (r.linkConnected && r.lastInfoSent > r.infoRefresh && now - r.lastInfoSent < 1000) {
        return true;
      }
    }
    return false;
  }

  /** Redis's compareSlavesForPromotion order: priority, then offset (higher first), then runid. */
  public static final Comparator<Instance> PROMOTION_ORDER =
      (a, b) -> {
        if (a.slavePriority != b.slavePriority) {
          return Integer.compare(a.slavePriority, b.slavePriority);
        }
        if (a.slaveReplOffset != b.slaveReplOffset) {
          return a.slaveReplOffset > b.slaveReplOffset ? -1 : 1;
        }
        if (a.runid == null && b.runid == null) return 0;
        if (a.runid == null) return 1;
        if (b.runid == null) return -1;
        return a.runid.compareToIgnoreCase(b.runid);
      };

  /** sentinelSelectSlave: the replica Redis would promote, or null. */
  public Instance selectSlave(Instance m, long now) {
    long maxMasterDownTime = 0;
    if (m.is(Instance.S_DOWN)) {
      maxMasterDownTime += now - m.sDownSinceTime;
    }
    maxMasterDownTime += m.downAfter * 10;
    List<Instance> candidates = new ArrayList<>();
    for (Instance r : m.replicas.values()) {
      if (r.is(Instance.S_DOWN | Instance.O_DOWN)) continue;
      if (!r.linkConnected) continue;
      if (now - r.lastAvailTime > timers.pingPeriod * 5) continue;
      if (r.slavePriority == 0) continue;
      long infoValidity = m.is(Instance.S_DOWN) ? timers.pingPeriod * 5 : timers.infoPeriod * 3;
      if (r.infoRefresh == 0 || now - r.infoRefresh > infoValidity) continue;
      if (r.masterLinkDownTime > maxMasterDownTime) continue;
      candidates.add(r);
    }
    candidates.sort(PROMOTION_ORDER);
    return candidates.isEmpty() ? null : candidates.get(0);
  }

  private void failoverReconfNextSlave(Instance m, long now) {
    int inProgress = 0;
    for (Instance r : m.replicas.values()) {
      if (r.is(Instance.RECONF_SENT | Instance.RECONF_INPROG)) inProgress++;
    }
    for (Instance r : m.replicas.values()) {
      if (inProgress >= m.parallelSyncs) break;
      if (r.is(Instance.PROMOTED | Instance.RECONF_DONE)) continue;
      if (r.is(Instance.RECONF_SENT) && now - r.slaveReconfSentTime > timers.slaveReconfTimeout) {
        event(Level.NOTICE, "-slave-reconf-sent-timeout", r, "%@");
        r.flags &= ~Instance.RECONF_SENT;
        r.flags |= Instance.RECONF_DONE;
      }
      if (r.is(Instance.RECONF_SENT | Instance.RECONF_INPROG)) continue;
      if (!r.linkConnected) continue;
      out.add(new Action.SlaveOf(r.addr, m.promoted.addr.host(), m.promoted.addr.port()));
      r.flags |= Instance.RECONF_SENT;
      r.slaveReconfSentTime = now;
      event(Level.NOTICE, "+slave-reconf-sent", r, "%@");
      inProgress++;
    }
    failoverDetectEnd(m, now);
  }

  private void failoverDetectEnd(Instance m, long now) {
    if (m.promoted == null || m.promoted.is(Instance.S_DOWN)) return;
    int notReconfigured = 0;
    for (Instance r : m.replicas.values()) {
      if (r.is(Instance.PROMOTED | Instance.RECONF_DONE)) continue;
      if (r.is(Instance.S_DOWN)) continue;
      notReconfigured++;
    }
    boolean timeout = false;
    if (now - m.failoverStateChangeTime > m.failoverTimeout) {
      notReconfigured = 0;
      timeout = true;
      event(Level.WARNING, "+failover-end-for-timeout", m, "%@");
    }
    if (notReconfigured == 0) {
      transitionTo(m, FailoverState.UPDATE_CONFIG, "+failover-end", m, now);
    }
    if (timeout) {
      for (Instance r : m.replicas.values()) {
        if (r.is(Instance.PROMOTED | Instance.RECONF_DONE | Instance.RECONF_SENT)) continue;
        if (!r.linkConnected) continue;
        out.add(new Action.SlaveOf(r.addr, m.promoted.addr.host(), m.promoted.addr.port()));
        event(Level.NOTICE, "+slave-reconf-sent-be", r, "%@");
        r.flags |= Instance.RECONF_SENT;
      }
    }
  }

  private void switchToPromoted(Instance m, long now) {
    Instance ref = m.promoted != null ? m.promoted : m;
    event(
        Level.WARNING,
        "+switch-master",
        m,
        m.name + " " + m.addr.host() + " " + m.addr.port() + " " + ref.addr.host() + " "
            + ref.addr.port());
    resetMasterAndChangeAddress(m, ref.addr, now);
  }

  /** sentinelResetMasterAndChangeAddress. */
  void resetMasterAndChangeAddress(Instance m, Addr newAddr, long now) {
    List<Addr> slaves = new ArrayList<>();
    for (Instance r : m.replicas.values()) {
      if (!r.addr.equals(newAddr)) slaves.add(r.addr);
    }
    if (!newAddr.equals(m.addr)) {
      slaves.add(m.addr);
    }
    resetMaster(m, false, now);
    m.addr = newAddr;
    m.linkConnected = isConnected(newAddr);
    for (Addr a : slaves) {
      Instance r = addReplica(m, a, now);
      event(Level.NOTICE, "+slave", r, "%@");
    }
    flush();
  }

  /** sentinelResetMaster: drops replicas (and sentinels if asked), aborts any failover. */
  public void resetMaster(Instance m, boolean dropSentinels, long now) {
    m.replicas.clear();
    if (dropSentinels) {
      m.sentinels.clear();
    }
    // Tripod: the peers' "master is down" answers were about the old address; Redis keeps them
    // (up to 5 s), which can put the new master in ODOWN on the strength of stale answers.
    for (Instance s : m.sentinels.values()) {
      s.flags &= ~Instance.MASTER_DOWN;
    }
    m.failoverState = FailoverState.NONE; // reset: legal from any state
    m.failoverStateChangeTime = 0;
    m.failoverStartTime = 0;
    m.flags = 0;
    m.leader = null;
    m.promoted = null;
    m.runid = null;
    m.infoRefresh = 0;
    m.infoText = null;
    m.roleReported = Instance.Kind.MASTER;
    m.roleReportedTime = now;
    m.actPingTime = now;
    m.lastAvailTime = now;
    m.lastPongTime = 0; // as after Redis's reconnect: PING at once
    m.lastPingTime = 0;
    m.sDownSinceTime = 0;
    m.oDownSinceTime = 0;
    // The refusals were the old address's: kept, they would put the new master in SDOWN at once.
    m.refusedSince = 0;
    m.lastRefusedTime = 0;
  }

  /** SENTINEL RESET for one master. */
  public void reset(Instance m, long now) {
    resetMaster(m, true, now);
    event(Level.WARNING, "+reset-master", m, "%@");
  }

  // ---------------------------------------------------------------- INFO

  /** An INFO reply from {@code a}. */
  public void infoReply(Addr a, String text, long now) {
    for (Instance ri : byAddr(a)) {
      if (ri.kind != Instance.Kind.SENTINEL) {
        refreshInstanceInfo(ri, text, now);
      }
    }
  }

  private void refreshInstanceInfo(Instance ri, String text, long now) {
    InfoReply info = InfoReply.parse(text);
    ri.infoText = text;
    if (info.runid != null) {
      if (ri.runid != null && !ri.runid.equals(info.runid)) {
        event(Level.NOTICE, "+reboot", ri, "%@");
        if (ri.isMaster() && ri.masterRebootDownAfterPeriod != 0) {
          ri.flags |= Instance.MASTER_REBOOT;
          ri.masterRebootSinceTime = now;
        }
      }
      ri.runid = info.runid;
    }
    if (ri.isMaster() && info.role == Instance.Kind.MASTER) {
      for (Addr sa : info.slaves) {
        if (!ri.replicas.containsKey(sa.toString())) {
          Instance r = addReplica(ri, sa, now);
          event(Level.NOTICE, "+slave", r, "%@");
          flush();
        }
      }
    }
    ri.masterLinkDownTime = info.masterLinkDownSinceMs;
    if (info.role == null) {
      ri.infoRefresh = now;
      return;
    }
    if (info.role != ri.roleReported) {
      ri.roleReportedTime = now;
      ri.roleReported = info.role;
      if (info.role == Instance.Kind.SLAVE) ri.slaveConfChangeTime = now;
      event(
          Level.VERBOSE,
          info.role == ri.kind ? "+role-change" : "-role-change",
          ri,
          "%@ new reported role is " + info.role.text);
    }
    if (info.role == Instance.Kind.SLAVE) {
      if (info.masterHost != null
          && (ri.slaveMasterHost == null || !ri.slaveMasterHost.equalsIgnoreCase(info.masterHost))) {
        ri.slaveMasterHost = info.masterHost;
        ri.slaveConfChangeTime = now;
      }
      if (info.masterPort != ri.slaveMasterPort) {
        ri.slaveMasterPort = info.masterPort;
        ri.slaveConfChangeTime = now;
      }
      ri.slaveMasterLinkUp = info.masterLinkUp;
      if (info.priority != null) ri.slavePriority = info.priority;
      if (info.replOffset != null) ri.slaveReplOffset = info.replOffset;
      if (info.replicaAnnounced != null) ri.replicaAnnounced = info.replicaAnnounced;
    }
    ri.infoRefresh = now;
    if (tilt) {
      return;
    }
    Instance m = ri.master;
    if (ri.kind == Instance.Kind.SLAVE && info.role == Instance.Kind.MASTER) {
      if (ri.is(Instance.PROMOTED)
          && m.is(Instance.FAILOVER_IN_PROGRESS)
          && m.failoverState == FailoverState.WAIT_PROMOTION) {
        m.configEpoch = m.failoverEpoch;
        flush();
        event(Level.WARNING, "+promoted-slave", ri, "%@");
        if (crashAfterPromotion) {
          out.add(new Action.Crash("crash-after-promotion"));
        }
        transitionTo(m, FailoverState.RECONF_SLAVES, "+failover-state-reconf-slaves", m, now);
        if (m.clientReconfigScript != null) {
          out.add(
              new Action.ReconfigScript(
                  m.clientReconfigScript,
                  List.of(
                      m.name, "leader", "start", m.addr.host(), Integer.toString(m.addr.port()),
                      ri.addr.host(), Integer.toString(ri.addr.port()))));
        }
        forceHello(m);
        // Speed-up: reconfigure the replicas now, not at the next tick.
        failoverReconfNextSlave(m, now);
      } else {
        long wait = timers.publishPeriod * 4;
        if (!ri.is(Instance.PROMOTED)
            && masterLooksSane(m, now)
            && noDownFor(ri, wait, now)
            && now - ri.roleReportedTime > wait) {
          out.add(new Action.SlaveOf(ri.addr, m.addr.host(), m.addr.port()));
          event(Level.NOTICE, "+convert-to-slave", ri, "%@");
        }
      }
    }
    if (ri.kind == Instance.Kind.SLAVE
        && info.role == Instance.Kind.SLAVE
        && (ri.slaveMasterPort != m.addr.port()
            || ri.slaveMasterHost == null
            || !ri.slaveMasterHost.equalsIgnoreCase(m.addr.host()))) {
      long wait = m.failoverTimeout;
      if (masterLooksSane(m, now)
          && noDownFor(ri, wait, now)
          && now - ri.slaveConfChangeTime > wait) {
        out.add(new Action.SlaveOf(ri.addr, m.addr.host(), m.addr.port()));
        event(Level.NOTICE, "+fix-slave-config", ri, "%@");
      }
    }
    if (ri.kind == Instance.Kind.SLAVE
        && info.role == Instance.Kind.SLAVE
        && ri.is(Instance.RECONF_SENT | Instance.RECONF_INPROG)
        && m.promoted != null) {
      if (ri.is(Instance.RECONF_SENT)
          && ri.slaveMasterHost != null
          && ri.slaveMasterHost.equals(m.promoted.addr.host())
          && ri.slaveMasterPort == m.promoted.addr.port()) {
        ri.flags &= ~Instance.RECONF_SENT;
        ri.flags |= Instance.RECONF_INPROG;
        event(Level.NOTICE, "+slave-reconf-inprog", ri, "%@");
      }
      if (ri.is(Instance.RECONF_INPROG) && ri.slaveMasterLinkUp) {
        ri.flags &= ~Instance.RECONF_INPROG;
        ri.flags |= Instance.RECONF_DONE;
        event(Level.NOTICE, "+slave-reconf-done", ri, "%@");
        // Speed-up: the end of the failover is detected now.
        if (m.failoverState == FailoverState.RECONF_SLAVES) {
          failoverReconfNextSlave(m, now);
        }
      }
    }
  }

  private boolean masterLooksSane(Instance m, long now) {
    return m.roleReported == Instance.Kind.MASTER
        && !m.is(Instance.S_DOWN | Instance.O_DOWN)
        && m.infoRefresh != 0
        && now - m.infoRefresh < timers.infoPeriod * 2;
  }

  private static boolean noDownFor(Instance ri, long ms, long now) {
    long mostRecent = Math.max(ri.sDownSinceTime, ri.oDownSinceTime);
    return mostRecent == 0 || now - mostRecent > ms;
  }

  // ---------------------------------------------------------------- hello

  /** A hello payload, from a pub/sub message or a PUBLISH sent to us. */
  public void hello(String payload, long now) {
    if (payload.contains(myid)) return;
    String[] t = payload.split(",", -1);
    if (t.length != 8) return;
    Instance m = masters.get(t[4]);
    if (m == null) return;
    String ip = t[0];
    int sport;
    long epoch;
    int mport;
    long mConfigEpoch;
    try {
      sport = Integer.parseInt(t[1]);
      epoch = Long.parseLong(t[3]);
      mport = Integer.parseInt(t[6]);
      mConfigEpoch = Long.parseLong(t[7]);
    } catch (NumberFormatException e) {
      return;
    }
    String runid = t[2];
    if (sport <= 0 || sport > 65535 || mport <= 0 || mport > 65535 || runid.isEmpty()
        || !validHost(ip) || !validHost(t[5])) {
      return;
    }
    Addr saddr = new Addr(ip, sport);
    Instance si = m.sentinels.get(runid);
    if (si != null && !si.addr.equals(saddr)) si = null;
    if (si == null) {
      boolean removed = m.sentinels.remove(runid) != null;
      if (removed) {
        event(
            Level.NOTICE,
            "+sentinel-address-switch",
            m,
            "%@ ip " + ip + " port " + sport + " for " + runid);
      } else {
        String other = null;
        for (Instance x : m.sentinels.values()) {
          if (x.addr.equals(saddr)) {
            other = x.runid;
            event(Level.NOTICE, "+sentinel-invalid-addr", x, "%@");
          }
        }
        if (other != null) {
          for (Instance mm : masters.values()) mm.sentinels.remove(other);
        }
      }
      si = addSentinel(m, saddr, runid, now);
      if (!removed) {
        event(Level.NOTICE, "+sentinel", si, "%@");
      } else {
        int n = 0;
        for (Instance mm : masters.values()) {
          Instance x = mm.sentinels.get(runid);
          if (x != null && x != si && !x.addr.equals(saddr)) {
            x.addr = saddr;
            n++;
          }
        }
        if (n > 0) {
          event(Level.NOTICE, "+sentinel-address-update", si, "%@ " + n + " additional matching instances");
        }
      }
      flush();
    }
    if (epoch > currentEpoch) {
      currentEpoch = epoch;
      flush();
      event(Level.WARNING, "+new-epoch", m, Long.toString(currentEpoch));
    }
    if (m.configEpoch < mConfigEpoch) {
      m.configEpoch = mConfigEpoch;
      Addr current = m.addr;
      if (!current.sameAs(t[5], mport)) {
        event(Level.WARNING, "+config-update-from", si, "%@");
        event(
            Level.WARNING,
            "+switch-master",
            m,
            m.name + " " + current.host() + " " + current.port() + " " + t[5] + " " + mport);
        if (m.clientReconfigScript != null) {
          out.add(
              new Action.ReconfigScript(
                  m.clientReconfigScript,
                  List.of(
                      m.name, "observer", "start", current.host(),
                      Integer.toString(current.port()), t[5], Integer.toString(mport))));
        }
        resetMasterAndChangeAddress(m, new Addr(t[5], mport), now);
      }
    }
    si.lastHelloTime = now;
  }

  /**
   * Redis resolves hello addresses and drops what does not resolve; without DNS in the core, a
   * host must be an IP literal, or (with resolve-hostnames) a plausible host name.
   */
  boolean validHost(String h) {
    if (h.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
      return true;
    }
    if (h.indexOf(':') >= 0 && h.matches("[0-9a-fA-F:.]{2,45}")) {
      return true;
    }
    return resolveHostnames && h.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
  }

  // ---------------------------------------------------------------- misc for the API

  /** SENTINEL REMOVE. */
  public boolean remove(String name) {
    Instance m = masters.remove(name);
    if (m != null) {
      event(Level.WARNING, "-monitor", m, "%@");
      flush();
    }
    return m != null;
  }

  /** Masters matching a glob, reset; returns the count (SENTINEL RESET). */
  public int resetMatching(java.util.function.Predicate<String> matches, long now) {
    int n = 0;
    for (Instance m : masters.values()) {
      if (matches.test(m.name)) {
        reset(m, now);
        n++;
      }
    }
    return n;
  }

  /** Usable sentinels for CKQUORUM (1 + non-down others), and the error parts if any. */
  public String ckquorum(Instance m) {
    int voters = m.sentinels.size() + 1;
    int usable = 1;
    for (Instance s : m.sentinels.values()) {
      if (!s.is(Instance.S_DOWN | Instance.O_DOWN)) usable++;
    }
    List<String> problems = new ArrayList<>();
    if (usable < m.quorum) {
      problems.add("Not enough available Sentinels to reach the specified quorum for this master");
    }
    if (usable < voters / 2 + 1) {
      problems.add("Not enough available Sentinels to reach the majority and authorize a failover");
    }
    if (problems.isEmpty()) {
      return "+OK " + usable + " usable Sentinels. Quorum and failover authorization can be reached";
    }
    return "-NOQUORUM " + usable + " usable Sentinels. " + String.join(". ", problems);
  }

  /** Apply a new down-after to a master and its replicas and sentinels. */
  public void setDownAfter(Instance m, long ms) {
    m.downAfter = ms;
    for (Instance r : m.replicas.values()) r.downAfter = ms;
    for (Instance s : m.sentinels.values()) s.downAfter = ms;
  }

  /** Drops sentinels whose runid is ours (never monitor ourselves). */
  public void forgetSelf() {
    for (Instance m : masters.values()) {
      for (Iterator<Instance> it = m.sentinels.values().iterator(); it.hasNext(); ) {
        if (myid.equals(it.next().runid)) it.remove();
      }
    }
  }
}
