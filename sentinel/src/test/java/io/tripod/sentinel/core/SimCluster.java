package io.tripod.sentinel.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A deterministic world for {@link SentinelCore}: a fake clock, a simulated network (delays,
 * drops, partitions) and Redis data nodes modelled as small state machines (role, master, offset,
 * priority). Everything is driven by one seeded {@link Random}, so a seed replays exactly.
 *
 * <p>Safety invariants are checked after every delivered message ({@link #check}).
 */
final class SimCluster {
  /** A Redis data node. */
  static final class Node {
    final Addr addr;
    boolean alive = true;
    boolean master;
    Addr masterAddr;
    long offset;
    int priority = 100;
    String runid;
    boolean linkUp;

    Node(Addr addr) {
      this.addr = addr;
    }

    String info() {
      StringBuilder sb = new StringBuilder("# Server\r\nredis_version:7.0.15\r\nrun_id:" + runid + "\r\n");
      sb.append("# Replication\r\n");
      if (master) {
        sb.append("role:master\r\n");
        int n = 0;
        for (Node o : world.nodes.values()) {
          if (o != this && o.alive && !o.master && addr.equals(o.masterAddr) && o.linkUp) {
            sb.append("slave").append(n++).append(":ip=").append(o.addr.host()).append(",port=")
                .append(o.addr.port()).append(",state=online,offset=").append(o.offset).append(",lag=0\r\n");
          }
        }
        sb.append("master_repl_offset:").append(offset).append("\r\n");
      } else {
        sb.append("role:slave\r\nmaster_host:").append(masterAddr.host()).append("\r\nmaster_port:")
            .append(masterAddr.port()).append("\r\nmaster_link_status:").append(linkUp ? "up" : "down")
            .append("\r\n");
        if (!linkUp) sb.append("master_link_down_since_seconds:-1\r\n");
        sb.append("slave_priority:").append(priority).append("\r\nslave_repl_offset:").append(offset)
            .append("\r\nreplica_announced:1\r\n");
      }
      return sb.toString();
    }

    SimCluster world;
  }

  /** A sentinel process. */
  static final class Sent {
    final Addr addr;
    SentinelCore core;
    boolean alive = true;
    final Map<Addr, Boolean> links = new HashMap<>();

    Sent(Addr addr, SentinelCore core) {
      this.addr = addr;
      this.core = core;
    }
  }

  record Ev(long time, int who, Action.Event event) {}

  private record Task(long time, long seq, Runnable r) {}

  final long seed;
  final Random rnd;
  long now = 1_000_000;
  private long seq;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
  final Map<Addr, Node> nodes = new LinkedHashMap<>();
  final List<Sent> sentinels = new ArrayList<>();
  final Map<Addr, Integer> partition = new HashMap<>();
  double dropRate;
  int maxDelay = 5;
  final int quorum;
  final List<Ev> events = new ArrayList<>();
  final List<String> transcript = new ArrayList<>();
  boolean recordTranscript;
  /** epoch -> runid of the sentinel elected in it. */
  final Map<Long, String> leaders = new HashMap<>();
  /** epoch -> number of SLAVEOF NO ONE sent for it. */
  final Map<Long, Integer> promotions = new HashMap<>();
  /** "runid epoch" -> votes. */
  final Map<String, Integer> votes = new HashMap<>();
  /** What each sentinel last flushed to its config file (restarts load it). */
  final Map<Integer, List<String>> disk = new HashMap<>();

  SimCluster(long seed, int nSentinels, int nReplicas, int quorum, long downAfter, long failoverTimeout) {
    this.seed = seed;
    this.rnd = new Random(seed);
    this.quorum = quorum;
    Node m = node(new Addr("10.0.0.1", 6379));
    m.master = true;
    for (int i = 0; i < nReplicas; i++) {
      Node r = node(new Addr("10.0.1." + (i + 1), 6379));
      r.masterAddr = m.addr;
      r.linkUp = true;
    }
    for (int i = 0; i < nSentinels; i++) {
      String id = String.format("%040x", (long) (i + 1) * 0x1111111L);
      SentinelCore c = new SentinelCore(id, new Random(rnd.nextLong()), now);
      c.selectionObserver = this::checkSelection;
      c.port = 26379;
      c.monitor("mymaster", m.addr, quorum, now);
      Instance mi = c.masters.get("mymaster");
      c.setDownAfter(mi, downAfter);
      mi.failoverTimeout = failoverTimeout;
      Sent s = new Sent(new Addr("10.0.2." + (i + 1), 26379), c);
      sentinels.add(s);
      disk.put(i, io.tripod.sentinel.config.SentinelConfig.stateLines(c));
      final int idx = i;
      schedule(rnd.nextInt(100), () -> tickLoop(idx));
    }
    schedule(100, this::dataLoop);
  }

  private Node node(Addr a) {
    Node n = new Node(a);
    n.world = this;
    n.runid = String.format("%040x", rnd.nextLong() & Long.MAX_VALUE);
    nodes.put(a, n);
    return n;
  }

  void schedule(long delay, Runnable r) {
    queue.add(new Task(now + delay, seq++, r));
  }

  int group(Addr a) {
    return partition.getOrDefault(a, 0);
  }

  boolean aliveAt(Addr a) {
    Node n = nodes.get(a);
    if (n != null) return n.alive;
    for (Sent s : sentinels) if (s.addr.equals(a)) return s.alive;
    return false;
  }

  boolean reachable(Addr a, Addr b) {
    return aliveAt(a) && aliveAt(b) && group(a) == group(b);
  }

  /** Sends a message from a to b; run at b after a delay unless dropped. */
  private void send(Addr from, Addr to, Runnable atDest) {
    if (!reachable(from, to) || rnd.nextDouble() < dropRate) return;
    schedule(1 + rnd.nextInt(maxDelay), () -> {
      if (reachable(from, to)) atDest.run();
    });
  }

  Sent sentinelAt(Addr a) {
    for (Sent s : sentinels) if (s.addr.equals(a)) return s;
    return null;
  }

  private void tickLoop(int idx) {
    Sent s = sentinels.get(idx);
    if (s.alive) {
      syncLinks(s);
      s.core.tick(now);
      perform(idx);
    }
    long next = 90 + rnd.nextInt(20);
    long due = s.alive ? s.core.candidacyDueIn(now) : -1;
    if (due >= 0) {
      next = Math.max(1, Math.min(next, due)); // as the shell: a pending candidacy starts on time
    }
    schedule(next, () -> tickLoop(idx));
  }

  /** Link state: a link breaks when the peer dies (RST); a partition silently drops instead. */
  private void syncLinks(Sent s) {
    for (Instance i : s.core.allInstances()) {
      boolean up = aliveAt(i.addr);
      Boolean was = s.links.get(i.addr);
      if (up && (was == null || !was)) {
        s.links.put(i.addr, true);
        s.core.linkUp(i.addr, now);
      } else if (!up && (was == null || was)) {
        s.links.put(i.addr, false);
        s.core.linkDown(i.addr, now);
      }
      if (!up && group(s.addr) == group(i.addr)) {
        // A dead process on a reachable host: the shell's reconnect attempts are refused (RST).
        s.core.connectRefused(i.addr, now);
      }
    }
  }

  private void dataLoop() {
    for (Node n : nodes.values()) {
      if (n.alive && n.master && rnd.nextInt(3) == 0) n.offset += 1 + rnd.nextInt(100);
    }
    for (Node n : nodes.values()) {
      if (!n.alive || n.master) continue;
      Node m = nodes.get(n.masterAddr);
      n.linkUp = m != null && m.alive && m.master && group(n.addr) == group(m.addr);
      if (n.linkUp && rnd.nextInt(4) != 0) n.offset = Math.max(n.offset, m.offset);
    }
    schedule(100, this::dataLoop);
  }

  private void perform(int idx) {
    Sent s = sentinels.get(idx);
    for (Action a : s.core.drain()) {
      if (a instanceof Action.Ping) {
        Addr to = ((Action.Ping) a).to();
        send(s.addr, to, () -> send(to, s.addr, () -> {
          s.core.pingReply(to, "+PONG", now);
          perform(idx);
        }));
      } else if (a instanceof Action.Info) {
        Addr to = ((Action.Info) a).to();
        Node n = nodes.get(to);
        if (n == null) continue;
        send(s.addr, to, () -> {
          String text = n.info();
          send(to, s.addr, () -> {
            s.core.infoReply(to, text, now);
            perform(idx);
          });
        });
      } else if (a instanceof Action.Hello) {
        Action.Hello h = (Action.Hello) a;
        String payload = h.payload(s.addr.host());
        Node n = nodes.get(h.to());
        if (n != null) {
          send(s.addr, h.to(), () -> {
            for (int j = 0; j < sentinels.size(); j++) {
              Sent t = sentinels.get(j);
              if (t == s || !Boolean.TRUE.equals(t.links.get(h.to()))) continue;
              final int jj = j;
              send(h.to(), t.addr, () -> {
                t.core.hello(payload, now);
                perform(jj);
              });
            }
          });
        } else {
          Sent t = sentinelAt(h.to());
          if (t == null) continue;
          int j = sentinels.indexOf(t);
          send(s.addr, t.addr, () -> {
            t.core.hello(payload, now);
            perform(j);
          });
        }
      } else if (a instanceof Action.AskMasterDown) {
        Action.AskMasterDown q = (Action.AskMasterDown) a;
        Sent t = sentinelAt(q.to());
        if (t == null) continue;
        int j = sentinels.indexOf(t);
        send(s.addr, t.addr, () -> {
          Object[] r = t.core.isMasterDownByAddr(q.master().host(), q.master().port(), q.epoch(), q.runid(), now);
          perform(j);
          send(t.addr, s.addr, () -> {
            s.core.masterDownReply(t.addr, q.masterName(), (Long) r[0], (String) r[1], (Long) r[2], now);
            perform(idx);
          });
        });
      } else if (a instanceof Action.SlaveOf) {
        Action.SlaveOf so = (Action.SlaveOf) a;
        if (so.host() == null) {
          Instance m = s.core.masters.get("mymaster");
          long epoch = m.failoverEpoch;
          int p = promotions.merge(epoch, 1, Integer::sum);
          if (p > 1) fail("two promotions in epoch " + epoch);
        }
        Node n = nodes.get(so.to());
        if (n == null) continue;
        send(s.addr, so.to(), () -> {
          if (so.host() == null) {
            n.master = true;
            n.masterAddr = null;
          } else {
            n.master = false;
            n.masterAddr = new Addr(so.host(), so.port());
            n.linkUp = false;
          }
          note(-1, "node " + n.addr + " <- SLAVEOF " + (so.host() == null ? "NO ONE" : so.host() + " " + so.port()));
        });
      } else if (a instanceof Action.Event) {
        onEvent(idx, (Action.Event) a);
      } else if (a instanceof Action.FlushConfig) {
        disk.put(idx, io.tripod.sentinel.config.SentinelConfig.stateLines(s.core));
      }
    }
    check();
  }

  void note(int who, String line) {
    if (recordTranscript) {
      transcript.add(String.format("%7d %s %s", now - 1_000_000, who < 0 ? "  " : "S" + (who + 1), line));
    }
  }

  private void onEvent(int idx, Action.Event e) {
    events.add(new Ev(now, idx, e));
    if (!e.type().equals("+role-change") && !e.type().equals("-role-change")) {
      note(idx, e.type() + " " + e.message());
    }
    Sent s = sentinels.get(idx);
    switch (e.type()) {
      case "+vote-for-leader":
        votes.merge(e.message(), 1, Integer::sum);
        break;
      case "+elected-leader": {
        Instance m = s.core.masters.get("mymaster");
        long epoch = m.failoverEpoch;
        String prev = leaders.putIfAbsent(epoch, s.core.myid);
        if (prev != null && !prev.equals(s.core.myid)) fail("two leaders in epoch " + epoch);
        int v = votes.getOrDefault(s.core.myid + " " + epoch, 0);
        int n = sentinels.size();
        if (v < n / 2 + 1 || v < quorum) {
          fail("leader " + s.core.myid + " of epoch " + epoch + " has only " + v + " votes of " + n);
        }
        int sameSide = 0;
        for (Sent o : sentinels) if (o.alive && group(o.addr) == group(s.addr)) sameSide++;
        if (sameSide < n / 2 + 1) fail("failover started in a minority partition");
        break;
      }
      default:
        break;
    }
  }

  private void checkSelection(Instance m, Instance chosen) {
    {
      {
        if (chosen == null) return;
        Node truth = nodes.get(chosen.addr);
        if (truth.priority == 0) fail("promoted a priority-0 replica");
        // Oracle: Redis's rules re-implemented here over the leader's view.
        Instance best = null;
        for (Instance r : m.replicas.values()) {
          if (r.is(Instance.S_DOWN | Instance.O_DOWN) || !r.linkConnected || r.slavePriority == 0) continue;
          long validity = m.is(Instance.S_DOWN) ? 5000 : 30000;
          long maxDown = (m.is(Instance.S_DOWN) ? now - m.sDownSinceTime : 0) + 10 * m.downAfter;
          if (now - r.lastAvailTime > 5000 || r.infoRefresh == 0 || now - r.infoRefresh > validity) continue;
          if (r.masterLinkDownTime > maxDown) continue;
          if (best == null || oracleBetter(r, best)) best = r;
        }
        if (best != chosen) fail("selected " + chosen.addr + " but Redis's rules pick " + (best == null ? null : best.addr));
        int minPrio = Integer.MAX_VALUE;
        for (Instance r : m.replicas.values()) {
          Node nn = nodes.get(r.addr);
          if (nn != null && nn.alive && !nn.master && nn.priority > 0 && r.linkConnected && !r.is(Instance.S_DOWN)
              && r.roleReported == Instance.Kind.SLAVE
              && r.infoRefresh != 0 && now - r.infoRefresh <= (m.is(Instance.S_DOWN) ? 5000 : 30000)
              && now - r.lastAvailTime <= 5000) {
            minPrio = Math.min(minPrio, nn.priority);
          }
        }
        if (!truth.master && truth.priority > minPrio) fail("selected priority " + truth.priority + " while " + minPrio + " was available");
      }
    }
  }

  private static boolean oracleBetter(Instance a, Instance b) {
    if (a.slavePriority != b.slavePriority) return a.slavePriority < b.slavePriority;
    if (a.slaveReplOffset != b.slaveReplOffset) return a.slaveReplOffset > b.slaveReplOffset;
    if (a.runid == null) return false;
    if (b.runid == null) return true;
    return a.runid.compareToIgnoreCase(b.runid) < 0;
  }

  void check() {
    for (Sent s : sentinels) {
      Instance m = s.core.masters.get("mymaster");
      if (m.failoverState.compareTo(FailoverState.SELECT_SLAVE) >= 0) {
        String l = leaders.get(m.failoverEpoch);
        if (l == null || !l.equals(s.core.myid)) {
          if (!m.is(Instance.FORCE_FAILOVER)) fail("sentinel in " + m.failoverState + " without being elected");
        }
      }
    }
  }

  void fail(String why) {
    throw new AssertionError(why + " (seed " + seed + ", replay with -Dsim.seed=" + seed + ", t=" + (now - 1_000_000) + ")");
  }

  /** Runs the world until {@code ms} of simulated time have passed. */
  void run(long ms) {
    long end = now + ms;
    while (!queue.isEmpty() && queue.peek().time <= end) {
      Task t = queue.poll();
      now = t.time;
      t.r.run();
    }
    now = end;
  }

  Node master() {
    for (Node n : nodes.values()) if (n.master && n.alive) return n;
    return null;
  }

  void kill(Addr a) {
    Node n = nodes.get(a);
    if (n != null) {
      n.alive = false;
      note(-1, "kill -9 " + a);
    } else {
      sentinelAt(a).alive = false;
      note(-1, "kill -9 sentinel " + a);
    }
  }

  /** Restarts a crashed sentinel from what it last flushed (as a real restart from sentinel.conf). */
  void restartSentinel(int idx) {
    Sent s = sentinels.get(idx);
    try {
      java.nio.file.Path f = java.nio.file.Files.createTempFile("sim-sentinel", ".conf");
      try {
        java.nio.file.Files.write(f, disk.get(idx));
        io.tripod.sentinel.config.SentinelConfig cfg =
            io.tripod.sentinel.config.SentinelConfig.load(f.toString(), List.of());
        SentinelCore c = new SentinelCore(null, new Random(rnd.nextLong()), now);
        cfg.applyTo(c, now);
        c.port = 26379;
        c.selectionObserver = this::checkSelection;
        s.core = c;
      } finally {
        java.nio.file.Files.deleteIfExists(f);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    s.links.clear();
    s.alive = true;
    note(idx, "restarted from its config (epoch " + s.core.currentEpoch + ")");
  }

  /** Restart a data node as it was configured (an old master comes back as master). */
  void restart(Addr a) {
    Node n = nodes.get(a);
    n.alive = true;
    n.runid = String.format("%040x", rnd.nextLong() & Long.MAX_VALUE);
    note(-1, "restart " + a + (n.master ? " (as master)" : ""));
  }

  List<Addr> agreedMasters() {
    List<Addr> r = new ArrayList<>();
    for (Sent s : sentinels) if (s.alive) r.add(s.core.masters.get("mymaster").currentAddr());
    return r;
  }
}
