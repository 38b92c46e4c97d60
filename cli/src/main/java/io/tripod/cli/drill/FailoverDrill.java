package io.tripod.cli.drill;

import io.tripod.resp.RespValue;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The end-to-end failover drill (issue #7), against any stack with the seed's shape: a read-write
 * endpoint, a local read-only endpoint, Sentinels, and data servers that can be killed (pid file)
 * and restarted the way they originally ran (a command line file, one argument a line).
 *
 * <p>A {@link Writer} writes {@code SET k<seq> <seq>} through the read-write endpoint and records
 * every acknowledged write and which server process took it; a {@link Reader} reads through the
 * local read-only endpoint and records outages. Meanwhile the steps run:
 *
 * <ol>
 *   <li>{@code kill -9} the master; wait until writes resume through the same endpoint and the
 *       Sentinels agree on a new master; let it settle;
 *   <li>restart the old master with its original command line; wait until it reports {@code
 *       role:slave} with its link up; let it settle;
 *   <li>{@code kill -9} the new master; wait until writes resume on a remaining node; let it settle.
 * </ol>
 *
 * <p>Then the checker reads every acknowledged key from the final master and counts the lost ones
 * per step, and counts the writes the restarted old master took before it was demoted (they are
 * lost when it resynchronizes). "Settled" means no failed write and no failed read for {@code
 * settleMillis} and every answering Sentinel naming the same master.
 *
 * <p>{@code tripod drill --up DIR --port P} runs it on {@code tripod up --dir DIR --port P};
 * {@code tripod drill --rw H:P --ro H:P --sentinel H:P,... --node H:P,PIDFILE,CMDLINE ...} on
 * anything else (bench/failover-bench.sh runs it on redis-server, redis-sentinel and haproxy).
 */
public final class FailoverDrill {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  /** A host and port. */
  public record HostPort(String host, int port) {
    public static HostPort parse(String s) {
      int i = s.lastIndexOf(':');
      if (i <= 0) {
        throw new IllegalArgumentException("not host:port: " + s);
      }
      return new HostPort(s.substring(0, i), Integer.parseInt(s.substring(i + 1)));
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /** A data server the drill can kill (its pid file) and restart (its command line file). */
  public record Node(HostPort addr, Path pidFile, Path cmdline) {}

  /** What to drill and how. */
  public static final class Options {
    public HostPort rw;
    public HostPort ro;
    public List<HostPort> sentinels = new ArrayList<>();
    public String masterName = "redis-ha";
    public List<Node> nodes = new ArrayList<>();
    /**
     * The local replica behind the local read-only endpoint, or null. When set, a steady state
     * (before the first step, and after each) includes it linked and serving the reader.
     */
    public HostPort local;
    /** Writes a second (one at a time). */
    public int rate = 1000;
    /** The writer and reader open a new connection this often, as an application's pool does. */
    public long reconnectMillis = 500;
    public int ioTimeoutMillis = 1000;
    public long readIntervalMillis = 5;
    public long warmupMillis = 3000;
    public long settleMillis = 3000;
    public long stepTimeoutMillis = 60_000;
    /** How long to wait for the steady state before the first step (a fresh stack's sentinels may be in TILT for 30 s). */
    public long startTimeoutMillis = 180_000;
    public int maxWrites = 1_000_000;
    public PrintStream log = System.out;

    /** The endpoints and nodes of {@code tripod up --dir dir --port port}. */
    public static Options forUp(Path dir, int port) {
      Options o = new Options();
      o.rw = new HostPort("127.0.0.1", port);
      o.ro = new HostPort("127.0.0.3", port);
      o.local = new HostPort("127.0.0.4", port);
      for (int i = 1; i <= 3; i++) {
        o.sentinels.add(new HostPort("127.0.1." + i, port + 10000));
        Path d = dir.toAbsolutePath().resolve("r" + i);
        o.nodes.add(new Node(new HostPort("127.0.1." + i, port), d.resolve("server.pid"), d.resolve("cmdline")));
      }
      return o;
    }
  }

  /**
   * The figures of one step. Times in seconds; NaN when not applicable. {@code acked} counts the
   * writes acknowledged during the step; {@code lost} the acknowledged writes the step lost (see
   * {@link FailoverDrill}); {@code oldMasterAcked}/{@code oldMasterAttempts} the writes the
   * restarted old master acknowledged / received (-1 outside step 2).
   */
  public record StepResult(
      String name,
      double startSeconds,
      double resumeSeconds,
      double longestWriteGapSeconds,
      double readOutageSeconds,
      double longestReadOutageSeconds,
      int acked,
      int lost,
      int oldMasterAcked,
      int oldMasterAttempts) {}

  /** The drill's outcome. */
  public static final class Result {
    public final List<StepResult> steps = new ArrayList<>();
    public HostPort firstMaster;
    public HostPort secondMaster;
    public HostPort finalMaster;
    /** The final master reports role:master. */
    public boolean finalMasterIsMaster;
    /** The restarted old master: seconds from its restart until it answered, reported role:slave, had its link up. */
    public double restartedAnsweredSeconds = Double.NaN;
    public double restartedDemotedSeconds = Double.NaN;
    public double restartedLinkUpSeconds = Double.NaN;
    public int totalAcked;
    public int totalLost;
    public int writeAttempts;
    public double totalReadOutageSeconds;
    public double longestReadOutageSeconds;
    public long reads;
    public long failedReads;
    /** Acknowledged writes lost that the restarted old master did not take (the first 20). */
    public final List<String> otherLost = new ArrayList<>();
    /** The reader's first failed reads: seconds since the start, the server, the error. */
    public List<String> readFailures = new ArrayList<>();

    public StepResult step(int i) {
      return steps.get(i);
    }

    /** The per-step table and a machine-readable summary line. */
    public String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "%-44s %9s %9s %13s %8s %6s %11s %11s%n", "step", "resume_s", "wgap_s",
          "read_out_s", "acked", "lost", "oldm_acked", "oldm_tried"));
      for (StepResult s : steps) {
        sb.append(String.format(Locale.ROOT, "%-44s %9s %9.2f %6.2f/%-6.2f %8d %6d %11s %11s%n", s.name(),
            Double.isNaN(s.resumeSeconds()) ? "-" : String.format(Locale.ROOT, "%.2f", s.resumeSeconds()),
            s.longestWriteGapSeconds(), s.readOutageSeconds(), s.longestReadOutageSeconds(), s.acked(), s.lost(),
            s.oldMasterAttempts() < 0 ? "-" : Integer.toString(s.oldMasterAcked()),
            s.oldMasterAttempts() < 0 ? "-" : Integer.toString(s.oldMasterAttempts())));
      }
      sb.append(String.format(Locale.ROOT,
          "masters: %s -> %s -> %s (final reports %s); restarted old master answered after %.2f s, role:slave after"
              + " %.2f s, link up after %.2f s%n",
          firstMaster, secondMaster, finalMaster, finalMasterIsMaster ? "role:master" : "NOT role:master",
          restartedAnsweredSeconds, restartedDemotedSeconds, restartedLinkUpSeconds));
      sb.append(String.format(Locale.ROOT,
          "writes: %d attempted, %d acknowledged, %d acknowledged and lost; reads: %d ok, %d failed, outage %.2f s"
              + " (longest %.2f s)%n",
          writeAttempts, totalAcked, totalLost, reads, failedReads, totalReadOutageSeconds, longestReadOutageSeconds));
      for (String l : otherLost) {
        sb.append("lost: ").append(l).append('\n');
      }
      for (String f : readFailures) {
        sb.append("failed read: ").append(f).append('\n');
      }
      sb.append(summary()).append('\n');
      return sb.toString();
    }

    /** One line: {@code DRILL resume1=.. resume3=.. read_outage=.. lost=.. oldmaster_acked=.. ...}. */
    public String summary() {
      StepResult k1 = steps.size() > 1 ? steps.get(1) : null;
      StepResult r2 = steps.size() > 2 ? steps.get(2) : null;
      StepResult k3 = steps.size() > 3 ? steps.get(3) : null;
      return String.format(Locale.ROOT,
          "DRILL resume1=%.2f resume3=%.2f read_outage=%.2f longest_read_outage=%.2f lost=%d lost1=%d lost2=%d lost3=%d"
              + " oldmaster_acked=%d oldmaster_tried=%d acked=%d",
          k1 == null ? Double.NaN : k1.resumeSeconds(), k3 == null ? Double.NaN : k3.resumeSeconds(),
          totalReadOutageSeconds, longestReadOutageSeconds, totalLost, k1 == null ? -1 : k1.lost(),
          r2 == null ? -1 : r2.lost(), k3 == null ? -1 : k3.lost(), r2 == null ? -1 : r2.oldMasterAcked(),
          r2 == null ? -1 : r2.oldMasterAttempts(), totalAcked);
    }
  }

  /** A step did not reach its condition in time. */
  public static final class DrillException extends Exception {
    private static final long serialVersionUID = 1L;

    DrillException(String message) {
      super(message);
    }
  }

  private final Options o;
  private final long t0 = System.nanoTime();
  private final List<Process> started = new ArrayList<>();
  private Writer writer;
  private Reader reader;

  public FailoverDrill(Options o) {
    this.o = o;
  }

  /** The processes the drill started (restarted nodes), for the caller to stop. */
  public synchronized List<Process> startedProcesses() {
    return new ArrayList<>(started);
  }

  private long now() {
    return System.nanoTime() - t0;
  }

  private static double sec(long nanos) {
    return nanos / 1e9;
  }

  private void log(String line) {
    o.log.printf(Locale.ROOT, "%s [drill +%7.3fs] %s%n", LocalTime.now().format(TIME), sec(now()), line);
    o.log.flush();
  }

  /** Runs the drill; throws when a step does not reach its condition within the step timeout. */
  public Result run() throws DrillException, InterruptedException {
    Result res = new Result();
    List<Long> bounds = new ArrayList<>();
    List<String> names = new ArrayList<>();
    log("waiting for a steady topology (sentinels agree, replicas linked)");
    HostPort m0 = awaitSteady();
    res.firstMaster = m0;
    log("master is " + m0 + "; starting the writer on " + o.rw + " and the reader on " + o.ro);
    writer = new Writer(o.rw, o.rate, o.reconnectMillis, o.ioTimeoutMillis, o.maxWrites, t0);
    reader = new Reader(o.ro, writer, o.readIntervalMillis, o.reconnectMillis, o.ioTimeoutMillis, t0);
    Thread wt = new Thread(writer, "drill-writer");
    Thread rt = new Thread(reader, "drill-reader");
    wt.setDaemon(true);
    rt.setDaemon(true);
    String restartedRunId = null;
    try {
      wt.start();
      rt.start();
      awaitCond("writes to reach the master and reads the local replica", () -> {
        int b = writer.lastAckBackend;
        return b >= 0 && writer.backends.get(b).node().equals(m0.toString()) && readerOnLocal();
      });
      bounds.add(now());
      names.add("0 warm-up");
      awaitCond("the warm-up", () -> now() - bounds.get(0) >= TimeUnit.MILLISECONDS.toNanos(o.warmupMillis));

      // Step 1: kill -9 the master.
      Node old = node(m0);
      names.add("1 kill -9 master " + m0);
      long killNanos1 = kill(old);
      bounds.add(killNanos1);
      log("killed master " + m0 + " (kill -9)");
      HostPort m1 = awaitCond("writes to resume on a new master", () -> {
        int b = writer.lastAckBackend;
        HostPort m = sentinelMaster(false);
        return writer.lastAckAt > killNanos1 && b >= 0 && !writer.backends.get(b).node().equals(m0.toString())
            && m != null && !m.equals(m0) ? m : null;
      });
      res.secondMaster = m1;
      log("writes resumed; sentinels name " + m1);
      awaitSettled();

      // Step 2: restart the old master the way it originally ran.
      names.add("2 restart old master " + m0);
      long restartNanos = now();
      bounds.add(restartNanos);
      restart(old);
      log("restarted " + m0 + " with its original command line");
      Map<String, String> info = new HashMap<>();
      long[] seen = {-1, -1, -1};
      awaitCond("the old master to come back as a replica with its link up", o.stepTimeoutMillis, 50, () -> {
        RespValue r = RespConn.once(m0, 500, "INFO");
        if (r == null || r.isError() || r.asString() == null) {
          return null;
        }
        String text = r.asString();
        info.put("run_id", infoField(text, "run_id"));
        long t = now() - restartNanos;
        if (seen[0] < 0) {
          seen[0] = t;
        }
        if (seen[1] < 0 && "slave".equals(infoField(text, "role"))) {
          seen[1] = t;
        }
        if (seen[2] < 0 && "slave".equals(infoField(text, "role")) && "up".equals(infoField(text, "master_link_status"))) {
          seen[2] = t;
        }
        return seen[2] >= 0 ? Boolean.TRUE : null;
      });
      restartedRunId = info.get("run_id");
      res.restartedAnsweredSeconds = sec(seen[0]);
      res.restartedDemotedSeconds = sec(seen[1]);
      res.restartedLinkUpSeconds = sec(seen[2]);
      log(String.format(Locale.ROOT, "old master %s answered after %.2f s, role:slave after %.2f s, link up after %.2f s",
          m0, res.restartedAnsweredSeconds, res.restartedDemotedSeconds, res.restartedLinkUpSeconds));
      awaitSettled();

      // Step 3: kill -9 the new master.
      HostPort m1now = sentinelMaster(true);
      if (m1now == null) {
        throw new DrillException("the sentinels do not agree on the master before the second kill");
      }
      if (!m1now.equals(m1)) {
        log("the master is now " + m1now + ", not " + m1);
        res.secondMaster = m1now;
      }
      names.add("3 kill -9 master " + m1now);
      long killNanos3 = kill(node(m1now));
      bounds.add(killNanos3);
      log("killed master " + m1now + " (kill -9)");
      HostPort m2 = awaitCond("writes to resume on the last node", () -> {
        int b = writer.lastAckBackend;
        HostPort m = sentinelMaster(false);
        return writer.lastAckAt > killNanos3 && b >= 0 && !writer.backends.get(b).node().equals(m1now.toString())
            && m != null && !m.equals(m1now) ? m : null;
      });
      res.finalMaster = m2;
      log("writes resumed; sentinels name " + m2);
      awaitSettled();
      bounds.add(now());
    } finally {
      writer.stop = true;
      reader.stop = true;
      wt.join(10_000);
      rt.join(10_000);
    }
    log("writer and reader stopped; checking every acknowledged write on the final master " + res.finalMaster);
    RespValue role = RespConn.once(res.finalMaster, 2000, "ROLE");
    res.finalMasterIsMaster = role != null && role.elements() != null && "master".equals(role.elements().get(0).asString());
    boolean[] present = readBack(res.finalMaster);
    compute(res, bounds, names, present, restartedRunId);
    return res;
  }

  private void compute(Result res, List<Long> bounds, List<String> names, boolean[] present, String restartedRunId) {
    Writer w = writer;
    int n = w.attempts;
    res.writeAttempts = n;
    List<long[]> outages = reader.outages();
    res.reads = reader.oks;
    res.failedReads = reader.fails;
    res.readFailures = reader.failures();
    for (long[] out : outages) {
      double d = sec(out[1] - out[0]);
      res.totalReadOutageSeconds += d;
      res.longestReadOutageSeconds = Math.max(res.longestReadOutageSeconds, d);
    }
    int restartedBackend = -1;
    for (int b = 0; b < w.backends.size(); b++) {
      if (w.backends.get(b).runId().equals(restartedRunId)) {
        restartedBackend = b;
      }
    }
    // A lost write is charged to the step that lost it: the master killed in step 1 or 3 (writes
    // it acknowledged but had not replicated), or the restarted old master in step 2 (writes it
    // took before it was demoted and resynchronized). Anything else is listed.
    int steps = bounds.size() - 1;
    int[] lostIn = new int[steps];
    for (int i = 0; i < n; i++) {
      if (w.ackAt[i] < 0 || present[i]) {
        continue;
      }
      res.totalLost++;
      Writer.Backend b = w.backends.get(w.backendOf[i]);
      int cause = -1;
      if (b.runId().equals(restartedRunId) && (steps < 4 || w.sentAt[i] < bounds.get(3))) {
        cause = 2;
      } else if (b.node().equals(res.firstMaster.toString()) && !b.runId().equals(restartedRunId)) {
        cause = 1;
      } else if (res.secondMaster != null && b.node().equals(res.secondMaster.toString())) {
        cause = 3;
      }
      if (cause >= 0 && cause < steps) {
        lostIn[cause]++;
      }
      if (cause != 2 && res.otherLost.size() < 20) {
        res.otherLost.add(String.format(Locale.ROOT, "k%d sent %.3f s acked %.3f s by %s (run %s) on connection %d%s",
            i + 1, sec(w.sentAt[i]), sec(w.ackAt[i]), b.node(), b.runId(), w.connOf[i],
            cause < 0 ? " (no step explains it)" : " (charged to step " + cause + ")"));
      }
    }
    for (int s = 0; s + 1 < bounds.size(); s++) {
      long from = bounds.get(s);
      long to = bounds.get(s + 1);
      int acked = 0;
      int oldAcked = 0;
      int oldTried = 0;
      long prevAck = -1;
      long gap = 0;
      long firstAck = -1;
      String killed = s == 1 ? res.firstMaster.toString() : s == 3 ? res.secondMaster.toString() : null;
      for (int i = 0; i < n; i++) {
        long a = w.ackAt[i];
        if (a >= 0 && a < from) {
          prevAck = a;
        }
        if (s == 2 && restartedBackend >= 0 && w.backendOf[i] == restartedBackend && w.sentAt[i] >= from
            && w.sentAt[i] < to) {
          oldTried++;
          if (a >= 0) {
            oldAcked++;
          }
        }
        if (a < from || a >= to) {
          continue;
        }
        acked++;
        gap = Math.max(gap, a - (prevAck < 0 ? from : prevAck));
        prevAck = a;
        if (firstAck < 0 && killed != null && w.backendOf[i] >= 0 && !w.backends.get(w.backendOf[i]).node().equals(killed)) {
          firstAck = a;
        }
      }
      gap = Math.max(gap, to - (prevAck < 0 ? from : prevAck));
      double outage = 0;
      double longest = 0;
      for (long[] out : outages) {
        long a = Math.max(out[0], from);
        long b = Math.min(out[1], to);
        if (b > a) {
          outage += sec(b - a);
          longest = Math.max(longest, sec(b - a));
        }
      }
      double resume = killed == null ? Double.NaN : firstAck < 0 ? Double.POSITIVE_INFINITY : sec(firstAck - from);
      res.steps.add(new StepResult(names.get(s), sec(from), resume, sec(gap), outage, longest, acked, lostIn[s],
          oldAcked, s == 2 ? oldTried : -1));
      res.totalAcked += acked;
    }
  }

  /** GETs every acknowledged key from {@code master}, pipelined; present[i] for attempt i. */
  private boolean[] readBack(HostPort master) throws DrillException {
    Writer w = writer;
    int n = w.attempts;
    boolean[] present = new boolean[n];
    try (RespConn c = RespConn.open(master, 10_000)) {
      int batch = 1000;
      for (int from = 0; from < n; from += batch) {
        int to = Math.min(n, from + batch);
        List<Integer> asked = new ArrayList<>();
        for (int i = from; i < to; i++) {
          if (w.ackAt[i] >= 0) {
            c.append("GET", "k" + (i + 1));
            asked.add(i);
          }
        }
        c.flush();
        for (int i : asked) {
          RespValue v = c.read();
          present[i] = !v.isError() && Integer.toString(i + 1).equals(v.asString());
        }
      }
    } catch (IOException e) {
      throw new DrillException("cannot read the acknowledged keys back from " + master + ": " + e.getMessage());
    }
    return present;
  }

  private Node node(HostPort addr) throws DrillException {
    for (Node n : o.nodes) {
      if (n.addr().equals(addr)) {
        return n;
      }
    }
    throw new DrillException("the master " + addr + " is none of the nodes " + o.nodes);
  }

  /** kill -9 of the node's process (from its pid file); returns the time the signal was sent. */
  private long kill(Node n) throws DrillException, InterruptedException {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(n.pidFile()).trim());
    } catch (IOException | NumberFormatException e) {
      throw new DrillException("no pid in " + n.pidFile() + ": " + e.getMessage());
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      throw new DrillException("process " + pid + " of " + n.addr() + " is not running");
    }
    long t = now();
    h.get().destroyForcibly(); // SIGKILL
    try {
      h.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new DrillException("process " + pid + " of " + n.addr() + " did not die: " + e);
    }
    return t;
  }

  /** Starts the node with the command line it originally ran with. */
  private void restart(Node n) throws DrillException {
    List<String> cmd;
    try {
      cmd = new ArrayList<>();
      for (String line : Files.readAllLines(n.cmdline())) {
        if (!line.isEmpty()) {
          cmd.add(line);
        }
      }
    } catch (IOException e) {
      throw new DrillException("cannot read " + n.cmdline() + ": " + e.getMessage());
    }
    if (cmd.isEmpty()) {
      throw new DrillException(n.cmdline() + " is empty");
    }
    try {
      Path dir = n.cmdline().toAbsolutePath().getParent();
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(Redirect.appendTo(dir.resolve("restart.log").toFile())).start();
      synchronized (this) {
        started.add(p);
      }
    } catch (IOException e) {
      throw new DrillException("cannot restart " + n.addr() + ": " + e.getMessage());
    }
  }

  /**
   * The master the sentinels name: with {@code all}, the one every answering sentinel names (at
   * least a majority must answer); otherwise the one a majority names. Null when there is none.
   */
  HostPort sentinelMaster(boolean all) {
    Map<HostPort, Integer> votes = new HashMap<>();
    int answered = 0;
    for (HostPort s : o.sentinels) {
      RespValue r = RespConn.once(s, 500, "SENTINEL", "get-master-addr-by-name", o.masterName);
      if (r == null || r.isError() || r.elements() == null || r.elements().size() != 2) {
        continue;
      }
      answered++;
      HostPort m = new HostPort(r.elements().get(0).asString(), Integer.parseInt(r.elements().get(1).asString()));
      votes.merge(m, 1, Integer::sum);
    }
    int majority = o.sentinels.size() / 2 + 1;
    for (Map.Entry<HostPort, Integer> e : votes.entrySet()) {
      if (all ? e.getValue() == answered && answered >= majority : e.getValue() >= majority) {
        return e.getKey();
      }
    }
    return null;
  }

  /** Every sentinel names the same master, knows the others and the replicas, and every other node is linked. */
  private HostPort awaitSteady() throws DrillException, InterruptedException {
    // The topology must look steady on every poll for STEADY_HOLD: a proxy check that started
    // before the replicas linked ends only at its timeout, and can still mark a replica DOWN
    // after fresh connections first reached it (then reads would fall back to the master).
    long[] streakFrom = {-1};
    return awaitCond("a steady topology", o.startTimeoutMillis, 100, () -> {
      HostPort m = steadyMaster();
      if (m == null) {
        streakFrom[0] = -1;
        return null;
      }
      if (streakFrom[0] < 0) {
        streakFrom[0] = now();
      }
      return now() - streakFrom[0] >= TimeUnit.MILLISECONDS.toNanos(STEADY_HOLD_MILLIS) ? m : null;
    });
  }

  /** How long the steady conditions must hold: longer than a check's interval plus its timeout. */
  private static final long STEADY_HOLD_MILLIS = 4500;

  /** The master when the topology looks steady right now, else null. */
  private HostPort steadyMaster() {
    HostPort m = sentinelMaster(true);
    if (m == null) {
      return null;
    }
    for (HostPort s : o.sentinels) {
      RespValue r = RespConn.once(s, 500, "SENTINEL", "master", o.masterName);
      if (r == null || r.elements() == null) {
        return null;
      }
      Map<String, String> f = new HashMap<>();
      for (int i = 0; i + 1 < r.elements().size(); i += 2) {
        f.put(r.elements().get(i).asString(), r.elements().get(i + 1).asString());
      }
      if (!String.valueOf(o.sentinels.size() - 1).equals(f.get("num-other-sentinels"))
          || Integer.parseInt(f.getOrDefault("num-slaves", "0")) < o.nodes.size() - 1) {
        return null;
      }
    }
    for (HostPort s : o.sentinels) {
      RespValue r = RespConn.once(s, 500, "INFO", "sentinel");
      if (r == null || r.isError() || !"0".equals(infoField(r.asString(), "sentinel_tilt"))) {
        return null;
      }
    }
    List<HostPort> replicas = new ArrayList<>();
    for (Node n : o.nodes) {
      replicas.add(n.addr());
    }
    if (o.local != null) {
      replicas.add(o.local);
    }
    for (HostPort n : replicas) {
      if (n.equals(m)) {
        continue;
      }
      RespValue r = RespConn.once(n, 500, "INFO", "replication");
      if (r == null || r.isError() || !"up".equals(infoField(r.asString(), "master_link_status"))) {
        return null;
      }
    }
    // The proxy's own checks agree: fresh connections to the read endpoint reach the local
    // replica, not a fallback (after a start, a replica is UP only after `rise` checks; reads
    // that fall back to the master would stop with it, which is not the steady state).
    if (o.local != null) {
      for (int i = 0; i < 3; i++) {
        try (RespConn c = RespConn.open(o.ro, 500)) {
          if (!o.local.toString().equals(c.identify()[0])) {
            return null;
          }
        } catch (IOException e) {
          return null;
        }
      }
    }
    return m;
  }

  /** The reader's connection is served by the local replica (true when there is none configured). */
  private boolean readerOnLocal() {
    return reader.oks > 0 && (o.local == null || o.local.toString().equals(reader.node));
  }

  /** Waits until no write and no read failed for settleMillis and the sentinels agree. */
  private void awaitSettled() throws DrillException, InterruptedException {
    long settle = TimeUnit.MILLISECONDS.toNanos(o.settleMillis);
    long since = now();
    awaitCond("the topology to settle (no failed write or read for " + o.settleMillis + " ms)", () -> {
      long quietSince = Math.max(since, Math.max(writer.lastFailAt, reader.lastFailAt));
      return now() - quietSince >= settle && now() - writer.lastAckAt < TimeUnit.MILLISECONDS.toNanos(500)
          && readerOnLocal() && sentinelMaster(true) != null ? Boolean.TRUE : null;
    });
  }

  private <T> T awaitCond(String what, Supplier<T> cond) throws DrillException, InterruptedException {
    return awaitCond(what, o.stepTimeoutMillis, 100, cond);
  }

  /** Polls {@code cond} (non-null or true means done) every pollMillis, up to timeoutMillis. */
  private <T> T awaitCond(String what, long timeoutMillis, long pollMillis, Supplier<T> cond)
      throws DrillException, InterruptedException {
    long deadline = now() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      T v = cond.get();
      if (v != null && !Boolean.FALSE.equals(v)) {
        return v;
      }
      if (now() > deadline) {
        String state = writer == null ? "" : String.format(Locale.ROOT,
            " (writer: %d acked, last ack %.2f s ago, last error '%s'; reader: %d ok, %d failed, last error '%s')",
            writer.acked, sec(now() - writer.lastAckAt), writer.lastError, reader.oks, reader.fails, reader.lastError);
        throw new DrillException("timed out after " + timeoutMillis + " ms waiting for " + what + state);
      }
      Thread.sleep(pollMillis); // polling pace, bounded by the deadline
    }
  }

  /** The value of {@code name:value} in INFO text, or null. */
  static String infoField(String info, String name) {
    if (info == null) {
      return null;
    }
    for (String l : info.split("\r\n")) {
      if (l.startsWith(name + ":")) {
        return l.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** {@code tripod drill ...}; prints progress and the table; exit 0 when every step completed. */
  public static int cli(String[] args) {
    Options o = new Options();
    Path up = null;
    int port = 6379;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        if (a.equals("-h") || a.equals("--help")) {
          System.out.println("Usage: tripod drill (--up DIR [--port P] | --rw H:P --ro H:P --sentinel H:P[,H:P...]"
              + " --node H:P,PIDFILE,CMDLINE ... [--local H:P]) [--master-name N] [--rate N] [--reconnect-ms N] [--warmup-ms N]"
              + " [--settle-ms N] [--step-timeout-ms N]");
          return 0;
        }
        if (v == null) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        i++;
        switch (a) {
          case "--up": up = Path.of(v); break;
          case "--port": port = Integer.parseInt(v); break;
          case "--rw": o.rw = HostPort.parse(v); break;
          case "--ro": o.ro = HostPort.parse(v); break;
          case "--local": o.local = HostPort.parse(v); break;
          case "--sentinel":
            for (String s : v.split(",")) {
              o.sentinels.add(HostPort.parse(s));
            }
            break;
          case "--node": {
            String[] f = v.split(",");
            if (f.length != 3) {
              throw new IllegalArgumentException("--node wants HOST:PORT,PIDFILE,CMDLINE: " + v);
            }
            o.nodes.add(new Node(HostPort.parse(f[0]), Path.of(f[1]), Path.of(f[2])));
            break;
          }
          case "--master-name": o.masterName = v; break;
          case "--rate": o.rate = Integer.parseInt(v); break;
          case "--reconnect-ms": o.reconnectMillis = Long.parseLong(v); break;
          case "--warmup-ms": o.warmupMillis = Long.parseLong(v); break;
          case "--settle-ms": o.settleMillis = Long.parseLong(v); break;
          case "--step-timeout-ms": o.stepTimeoutMillis = Long.parseLong(v); break;
          default: throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (up != null) {
        Options u = Options.forUp(up, port);
        u.masterName = o.masterName;
        u.rate = o.rate;
        u.reconnectMillis = o.reconnectMillis;
        u.warmupMillis = o.warmupMillis;
        u.settleMillis = o.settleMillis;
        u.stepTimeoutMillis = o.stepTimeoutMillis;
        o = u;
      }
      if (o.rw == null || o.ro == null || o.sentinels.isEmpty() || o.nodes.size() < 3) {
        throw new IllegalArgumentException("needs --up, or --rw, --ro, --sentinel and three --node");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("tripod drill: " + e.getMessage());
      return 2;
    }
    FailoverDrill d = new FailoverDrill(o);
    try {
      Result r = d.run();
      System.out.print(r.table());
      return 0;
    } catch (DrillException e) {
      System.err.println("tripod drill: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      for (Process p : d.startedProcesses()) {
        System.out.println("restarted node still running: pid " + p.pid());
      }
    }
  }
}
