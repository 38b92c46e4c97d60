package io.tripod.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import io.netty.channel.EventLoopGroup;
import io.tripod.proxy.check.CheckOutcome;
import io.tripod.proxy.check.CheckResult;
import io.tripod.proxy.check.HealthCheck;
import io.tripod.proxy.check.HealthState.Transition;
import io.tripod.proxy.check.Ticker;
import io.tripod.proxy.config.Config;
import io.tripod.proxy.config.GlobalConfig;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.forward.Forwarder;
import io.tripod.proxy.forward.Frontend;
import io.tripod.proxy.forward.Transport;
import io.tripod.proxy.lb.Backend;
import io.tripod.proxy.lb.Server;
import io.tripod.proxy.sentinel.HostPort;
import io.tripod.proxy.sentinel.MasterQuorum;
import io.tripod.proxy.sentinel.SentinelSpec;
import io.tripod.proxy.sentinel.SentinelWatch;
import io.tripod.proxy.stats.StatsCsv;
import io.tripod.proxy.stats.StatsPage;
import io.tripod.proxy.stats.StatsSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running proxy: every listener bound (all or nothing), one {@link HealthCheck} per checked
 * server, stats sockets, and the state-change logic that turns check results into UP/DOWN
 * transitions with HAProxy's log lines and the {@code on-marked-down}/{@code on-marked-up} actions.
 */
public final class ProxyRuntime implements StatsCsv.Source, AutoCloseable {
  private final Config config;
  private final ProxyLog log;
  private final EventLoopGroup group;
  private final Forwarder forwarder;
  private final Map<String, Backend> backends = new LinkedHashMap<>();
  private final Map<String, Frontend> frontends = new LinkedHashMap<>();
  private final Map<Server, HealthCheck> checks = new LinkedHashMap<>();
  private final List<StatsSocket> sockets = new ArrayList<>();
  private final List<SentinelWatch> watches = new ArrayList<>();
  private final long startMs = System.currentTimeMillis();

  /** Thrown when a listener or stats socket cannot be opened; nothing is left running. */
  public static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    public StartupException(String msg) {
      super(msg);
    }
  }

  public ProxyRuntime(Config config, ProxyLog log, int threads) {
    this.config = config;
    this.log = log;
    this.group = Transport.group(threads, "proxy");
    this.forwarder = new Forwarder(group, log);
    for (ProxyConfig p : config.proxies) {
      if (p.isBackend()) {
        backends.put(p.name, new Backend(p));
      }
    }
    for (ProxyConfig p : config.proxies) {
      if (p.isFrontend()) {
        Backend be = p.kind == ProxyConfig.Kind.LISTEN ? backends.get(p.name)
            : p.defaultBackend != null ? backends.get(p.defaultBackend) : null;
        if (be != null && be.servers.isEmpty() && p.kind == ProxyConfig.Kind.LISTEN && p.httpMode && p.statsEnable) {
          be = null;
        }
        int maxconn = p.maxconn > 0 ? p.maxconn : config.global.maxconn;
        frontends.put(p.name, new Frontend(p, be, log.resolve(logWords(p)), maxconn));
      }
    }
  }

  private List<String> logWords(ProxyConfig p) {
    List<String> words = new ArrayList<>();
    for (String l : p.logs) {
      if (l.equals("global")) {
        words.addAll(config.global.logs);
      } else {
        words.add(l);
      }
    }
    return words;
  }

  /**
   * Why {@code spec} cannot apply to this configuration (no such backend, or one without servers),
   * or null when it can.
   */
  public static String sentinelProblem(Config config, SentinelSpec spec) {
    for (ProxyConfig p : config.proxies) {
      if (p.name.equals(spec.backend()) && p.isBackend()) {
        return p.servers.isEmpty() ? "backend '" + spec.backend() + "' has no server" : null;
      }
    }
    return "no backend or listen section named '" + spec.backend() + "'";
  }

  /**
   * Sentinel-aware mode for one backend (call before {@link #start}): from now on only the server
   * a quorum of the spec's sentinels reports as master may take sessions; none may until they
   * first agree.
   */
  public void watchSentinels(SentinelSpec spec) {
    String problem = sentinelProblem(config, spec);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    Backend be = backends.get(spec.backend());
    be.sentinelManaged = true;
    for (Server s : be.servers) {
      s.setNotMaster(true);
    }
    watches.add(new SentinelWatch(spec, group.next(), Transport.socketChannel(), Ticker.SYSTEM, new SentinelEvents()));
  }

  public void start() throws StartupException {
    for (Backend be : backends.values()) {
      for (Server s : be.servers) {
        if (s.address.isUnresolved()) {
          close();
          throw new StartupException("config : parsing [" + s.cfg.file + ":" + s.cfg.line + "] : 'server "
              + be.name() + "/" + s.name() + "' : could not resolve address '" + s.cfg.host + "'.");
        }
      }
    }
    try {
      for (Frontend fe : frontends.values()) {
        ProxyConfig p = fe.cfg;
        forwarder.bind(fe, p.httpMode && p.statsEnable
            ? () -> new StatsPage(p, fe, this::showStat, () -> execute("show info", "admin")) : null);
      }
      for (GlobalConfig.StatsSocket s : config.global.statsSockets) {
        try {
          sockets.add(new StatsSocket(s, this::execute));
        } catch (IOException e) {
          throw new StartupException("Starting frontend GLOBAL: cannot bind UNIX socket (" + e.getMessage() + ") ["
              + (s.path() != null ? s.path() : s.host() + ":" + s.port()) + "]");
        }
      }
    } catch (Forwarder.BindFailure e) {
      close();
      throw new StartupException(e.getMessage());
    } catch (StartupException e) {
      close();
      throw e;
    }
    warmUp();
    startChecks();
    for (SentinelWatch w : watches) {
      w.start(); // after the checks map is complete: decisions read it on the watch's loop
    }
  }

  /**
   * One loopback echo round trip through the event loops before the first health check, so class
   * loading and JIT of the socket path do not eat into the first checks' {@code inter} budget (a
   * checked server starts UP and its first failed check marks it DOWN at once).
   */
  private void warmUp() {
    Channel srv = null;
    Channel cli = null;
    try {
      srv = new ServerBootstrap().group(group).channel(Transport.serverChannel())
          .childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ctx.writeAndFlush(msg);
            }
          }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
      CompletableFuture<Boolean> echoed = new CompletableFuture<>();
      cli = new Bootstrap().group(group).channel(Transport.socketChannel())
          .handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ReferenceCountUtil.release(msg);
              echoed.complete(true);
            }
          }).connect(srv.localAddress()).sync().channel();
      cli.writeAndFlush(Unpooled.wrappedBuffer("PING\r\n".getBytes(StandardCharsets.US_ASCII)));
      echoed.get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort only
    } finally {
      if (cli != null) {
        cli.close().syncUninterruptibly();
      }
      if (srv != null) {
        srv.close().syncUninterruptibly();
      }
    }
  }

  private void startChecks() {
    List<Server> checked = new ArrayList<>();
    long minInter = Long.MAX_VALUE;
    for (Backend be : backends.values()) {
      for (Server s : be.servers) {
        if (s.health != null) {
          checked.add(s);
          minInter = Math.min(minInter, s.nextInterval());
        }
      }
    }
    int k = 0;
    for (Server s : checked) {
      HealthCheck hc = new HealthCheck(s, s.backend.cfg, group.next(), Transport.socketChannel(), Ticker.SYSTEM,
          r -> onCheckResult(s, r));
      checks.put(s, hc);
      long interval = Math.max(minInter, s.nextInterval());
      hc.start(k * interval / checked.size()); // check.c start_checks staggering
      k++;
    }
  }

  public Frontend frontend(String name) {
    return frontends.get(name);
  }

  public Backend backend(String name) {
    return backends.get(name);
  }

  /** The port a frontend's first listener is bound to (tests bind port 0 only through config). */
  public List<Channel> listeners(String frontend) {
    return frontends.get(frontend).listeners;
  }

  // ------------------------------------------------------------------ state changes

  /** Applies one check result (called on the check's event loop). */
  void onCheckResult(Server s, CheckResult r) {
    s.lastCheck = r;
    if (s.inMaintenance()) {
      return;
    }
    if (!r.outcome().success) {
      s.chkfail.incrementAndGet();
    }
    Transition t = s.health.apply(r.outcome().success);
    if (r.outcome().success && s.backend.sentinelManaged && !s.notMaster()
        && (s.awaitingCheck() || !s.health.isUp())) {
      // Sentinel-aware mode: the master named by the sentinels is UP after one passing check
      // (not rise): the sentinels already vouch for it, the check confirms it answers role:master.
      s.health.force(true);
      s.setAwaitingCheck(false);
      t = Transition.WENT_UP;
    }
    s.publish();
    if (t == Transition.WENT_DOWN) {
      markDown(s, r);
    } else if (t == Transition.WENT_UP) {
      markUp(s, r);
    } else if (!r.outcome().success && s.awaitingCheck()) {
      noServerAlert(s.backend); // the server the sentinels named fails its check
    }
  }

  private String reason(CheckResult r) {
    StringBuilder sb = new StringBuilder("reason: ").append(r.outcome().description);
    if (r.outcome() == CheckOutcome.L7OK) {
      sb.append(", code: 0");
    }
    if (!r.info().isEmpty()) {
      sb.append(", info: \"").append(r.info()).append('"');
    }
    return sb.append(", check duration: ").append(r.durationMs()).append("ms").toString();
  }

  private void markDown(Server s, CheckResult r) {
    Backend be = s.backend;
    long now = System.currentTimeMillis();
    s.lastChange = now;
    s.downSince = now;
    s.chkdown.incrementAndGet();
    be.lastChange = now;
    int sessions = s.cur.get();
    String msg = (s.backup() ? "Backup " : "") + "Server " + be.name() + "/" + s.name() + " is DOWN, "
        + (r == null ? "reason: " : reason(r)) + ". " + survivors(be, "left") + sessions
        + " sessions active, 0 requeued, 0 remaining in queue.";
    emit(be, 1, msg);
    if (s.cfg.shutdownOnMarkedDown) {
      for (Server.Killable k : s.sessions) {
        k.kill('D');
      }
    }
    noServerAlert(be);
  }

  private void markUp(Server s, CheckResult r) {
    Backend be = s.backend;
    long now = System.currentTimeMillis();
    s.lastChange = now;
    if (s.downSince >= 0) {
      s.downtimeMs += now - s.downSince;
      s.downSince = -1;
    }
    be.lastChange = now;
    if (!be.hadServer) {
      be.hadServer = true;
    }
    String msg = (s.backup() ? "Backup " : "") + "Server " + be.name() + "/" + s.name() + " is UP, "
        + (r == null ? "reason: " : reason(r)) + ". " + survivors(be, "online") + "0 sessions requeued, 0 total in queue."
        + (s.notMaster() ? " Not the master per sentinels: it takes no sessions." : "");
    emit(be, 5, msg);
    if (be.sentinelManaged && s.usable()) {
      // Sessions waiting to retry the previous master (connection refused) come here at once.
      for (Server o : be.servers) {
        if (o != s) {
          for (Server.Redispatchable w : o.retrying) {
            w.redispatchNow();
          }
        }
      }
    }
    if (s.cfg.shutdownBackupOnMarkedUp && !s.backup() && s.weight() > 0) {
      for (Server o : be.servers) {
        if (o.backup()) {
          for (Server.Killable k : o.sessions) {
            k.kill('U');
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ sentinel-aware mode

  /** The server of {@code be} at the address the sentinels report, or null. */
  static Server serverAt(Backend be, HostPort hp) {
    if (hp == null) {
      return null;
    }
    for (Server s : be.servers) {
      if (s.cfg.port == hp.port() && (s.cfg.host.equalsIgnoreCase(hp.host())
          || !s.address.isUnresolved() && s.address.getAddress().getHostAddress().equals(hp.host()))) {
        return s;
      }
    }
    return null;
  }

  private static String named(Backend be, HostPort hp) {
    Server s = serverAt(be, hp);
    return s != null ? s.name() + " (" + hp + ")" : String.valueOf(hp);
  }

  /** Applies the watches' decisions (called on a watch's event loop, one loop per backend). */
  private final class SentinelEvents implements SentinelWatch.Listener {
    @Override
    public void decided(SentinelWatch w, MasterQuorum.Decision d) {
      Backend be = backends.get(w.spec.backend());
      String tally = d.votes() + "/" + w.spec.sentinels().size() + " sentinels agree, quorum " + w.spec.quorum();
      switch (d.change()) {
        case ELECTED:
          switchMaster(be, w, d, tally);
          break;
        case LOST:
          emit(be, 4, "Sentinels of " + be.name() + " no longer agree on master '" + w.spec.masterName() + "' ("
              + d.answering() + "/" + w.spec.sentinels().size() + " answering, quorum " + w.spec.quorum()
              + "): keeping " + named(be, d.master()) + " as the master.");
          break;
        case REGAINED:
          emit(be, 5, "Sentinels of " + be.name() + " agree again on master '" + w.spec.masterName() + "': "
              + named(be, d.master()) + " (" + tally + ").");
          break;
        default:
          break;
      }
    }

    @Override
    public void link(SentinelWatch w, HostPort sentinel, boolean up, String why) {
      Backend be = backends.get(w.spec.backend());
      if (up) {
        log.notice("Sentinel " + sentinel + " of " + be.name() + " connected.");
      } else {
        log.warning("Sentinel " + sentinel + " of " + be.name() + " is unreachable (" + why + ").");
      }
    }
  }

  /**
   * A quorum names a new master: first every other server stops taking sessions and loses the
   * ones it has (code D), then the new master may take them, so that two servers are never usable
   * at once; its check runs at once instead of waiting for {@code inter}.
   */
  private void switchMaster(Backend be, SentinelWatch w, MasterQuorum.Decision d, String tally) {
    Server m = serverAt(be, d.master());
    Server old = serverAt(be, d.previous());
    int closed = 0;
    for (Server s : be.servers) {
      if (s != m) {
        s.setNotMaster(true);
        for (Server.Killable k : s.sessions) {
          k.kill('D');
          closed++;
        }
      }
    }
    long now = System.currentTimeMillis();
    be.lastChange = now;
    if (m == null) {
      emit(be, 1, "Sentinels report " + d.master() + " as the master of '" + w.spec.masterName() + "' (" + tally
          + "), which is no server of " + be.name() + ": no server takes sessions. " + closed + " sessions closed.");
      noServerAlert(be);
      return;
    }
    HealthCheck hc = checks.get(m);
    // Usable once one check passes (at once when the server has no check).
    m.setAwaitingCheck(hc != null && !m.inMaintenance());
    m.setNotMaster(false);
    m.lastChange = now;
    String others = old != null && old != m ? ", " + old.name() + " is not" : "";
    emit(be, 4, "Server " + be.name() + "/" + m.name() + " is the master per sentinels (" + tally + ")" + others
        + ". " + closed + " sessions closed on other servers." + (hc != null ? " Checking it now." : ""));
    if (m.usable()) {
      be.hadServer = true;
    }
    if (hc != null) {
      hc.restartNow(); // its first result makes it UP, or reports that no server is left
    } else {
      noServerAlert(be);
    }
  }

  /** {@code show sentinels}: each watched backend's master and what each sentinel answers. */
  private String showSentinels() {
    StringBuilder sb = new StringBuilder();
    for (SentinelWatch w : watches) {
      Backend be = backends.get(w.spec.backend());
      sb.append(w.describe(hp -> named(be, hp)));
    }
    return sb.append('\n').toString();
  }

  private static String survivors(Backend be, String word) {
    int act = be.activeCount();
    int bck = be.backupCount();
    return act + " active and " + bck + " backup servers " + word + "."
        + (act == 0 && bck > 0 ? " Running on backup." : "") + " ";
  }

  private void noServerAlert(Backend be) {
    if (!be.hasUsableServer() && be.hadServer) {
      be.hadServer = false;
      String word = be.cfg.kind.word;
      log.alert(word + " '" + be.name() + "' has no server available!");
      Frontend fe = frontends.get(be.name());
      log.log(fe != null ? fe.logTargets : log.resolve(logWords(be.cfg)), 0,
          word + " " + be.name() + " has no server available!");
    }
  }

  private void emit(Backend be, int level, String msg) {
    log.warning(msg);
    Frontend fe = frontends.get(be.name());
    List<ProxyLog.Target> targets = fe != null ? fe.logTargets : log.resolve(logWords(be.cfg));
    log.log(targets, level, msg);
  }

  // ------------------------------------------------------------------ runtime API

  @Override
  public List<ProxyConfig> proxies() {
    return config.proxies;
  }

  @Override
  public Backend backendOf(ProxyConfig p) {
    return backends.get(p.name);
  }

  @Override
  public int globalMaxconn() {
    return config.global.maxconn > 0 ? config.global.maxconn : 4096;
  }

  public String showStat() {
    return StatsCsv.render(this);
  }

  static final String HELP = "The following commands are valid at this level:\n"
      + "  disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)\n"
      + "  enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)\n"
      + "  help           : full commands list\n"
      + "  quit           : disconnect\n"
      + "  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl\n"
      + "  show info [desc|json|typed|float]*      : report information about the running process\n"
      + "  show servers state [<backend>]          : dump volatile server information (all or for a single backend)\n"
      + "  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n"
      + "  shutdown sessions server <bk>/<srv>     : kill sessions on a server\n";

  /** Runs one runtime API command at the socket's level and returns the answer. */
  public String execute(String cmd, String level) {
    String[] w = cmd.trim().split("\\s+");
    if (w.length == 0 || w[0].isEmpty()) {
      return "";
    }
    boolean admin = level.equals("admin");
    String c0 = w[0];
    String c1 = w.length > 1 ? w[1] : "";
    if (c0.equals("show") && c1.equals("stat")) {
      return showStat();
    }
    if (c0.equals("show") && c1.equals("sentinels")) {
      return showSentinels();
    }
    if (c0.equals("show") && c1.equals("servers") && w.length > 2 && w[2].equals("state")) {
      return serversState(w.length > 3 ? w[3] : null);
    }
    if (c0.equals("show") && c1.equals("info")) {
      return "Name: HAProxy\nVersion: 2.6.12-tripod\nRelease_date: 2026/11/26\nNbthread: 1\nNbproc: 1\nProcess_num: 1\nPid: "
          + ProxyLog.PID + "\nUptime_sec: " + (System.currentTimeMillis() - startMs) / 1000 + "\nMaxconn: "
          + globalMaxconn() + "\nCurrConns: " + forwarder.actconn.get() + "\n\n";
    }
    if (c0.equals("help")) {
      return HELP;
    }
    if (c0.equals("quit")) {
      return "";
    }
    if ((c0.equals("disable") || c0.equals("enable")) && c1.equals("server")
        || c0.equals("set") && c1.equals("server")
        || c0.equals("shutdown") && c1.equals("sessions") && w.length > 2 && w[2].equals("server")) {
      if (!admin) {
        return "Permission denied\n\n";
      }
      int at = c0.equals("shutdown") ? 3 : 2;
      if (w.length <= at || !w[at].contains("/")) {
        return "Require 'backend/server'.\n\n";
      }
      String[] bs = w[at].split("/", 2);
      Backend be = backends.get(bs[0]);
      if (be == null) {
        return "No such backend.\n\n";
      }
      Server s = be.server(bs[1]);
      if (s == null) {
        return "No such server.\n\n";
      }
      if (c0.equals("disable")) {
        setMaint(s, true);
      } else if (c0.equals("enable")) {
        setMaint(s, false);
      } else if (c0.equals("shutdown")) {
        for (Server.Killable k : s.sessions) {
          k.kill('K');
        }
      } else {
        return setServer(s, w);
      }
      return "\n";
    }
    return "Unknown command: '" + cmd.trim() + "'\n" + HELP;
  }

  private String setServer(Server s, String[] w) {
    String what = w.length > 3 ? w[3] : "";
    String arg = w.length > 4 ? w[4].toLowerCase(Locale.ROOT) : "";
    switch (what) {
      case "state":
        if (arg.equals("maint")) {
          setMaint(s, true);
        } else if (arg.equals("ready")) {
          setMaint(s, false);
        } else if (arg.equals("drain")) {
          s.setWeight(0);
        } else {
          return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n";
        }
        return "\n";
      case "health":
        if (s.health == null) {
          return "\n";
        }
        CheckResult r = s.lastCheck;
        s.health.force(arg.equals("up"));
        boolean wasUp = s.isUp();
        s.publish();
        if (wasUp && !s.isUp()) {
          markDown(s, null);
        } else if (!wasUp && s.isUp()) {
          markUp(s, null);
        }
        s.lastCheck = r;
        return "\n";
      case "weight":
        try {
          int v = Integer.parseInt(arg.replace("%", ""));
          s.setWeight(arg.endsWith("%") ? s.cfg.weight * v / 100 : v);
          return "\n";
        } catch (NumberFormatException e) {
          return "Require <weight> or <weight%>.\n\n";
        }
      default:
        return "'set server <srv>' only supports 'agent', 'health', 'state', 'weight', 'addr', 'fqdn', 'check-addr' and 'check-port'.\n\n";
    }
  }

  private void setMaint(Server s, boolean maint) {
    if (s.inMaintenance() == maint) {
      return;
    }
    Backend be = s.backend;
    boolean wasUsable = s.usable();
    s.setMaintenance(maint);
    long now = System.currentTimeMillis();
    s.lastChange = now;
    be.lastChange = now;
    if (maint) {
      if (s.downSince < 0) {
        s.downSince = now;
      }
      if (wasUsable) {
        emit(be, 1, (s.backup() ? "Backup " : "") + "Server " + be.name() + "/" + s.name()
            + " is going DOWN for maintenance. " + survivors(be, "left") + s.cur.get()
            + " sessions active, 0 requeued, 0 remaining in queue.");
        noServerAlert(be);
      }
    } else {
      if (s.health != null) {
        s.health.reset(); // start OK but check immediately
        s.publish();
        HealthCheck hc = checks.get(s);
        if (hc != null) {
          hc.checkNow();
        }
      }
      if (s.usable()) {
        if (s.downSince >= 0) {
          s.downtimeMs += now - s.downSince;
          s.downSince = -1;
        }
        be.hadServer = true;
        emit(be, 5, (s.backup() ? "Backup " : "") + "Server " + be.name() + "/" + s.name()
            + " is UP/READY (leaving forced maintenance).");
      }
    }
  }

  private static int checkStatusCode(CheckOutcome o) {
    switch (o) {
      case INI: return 1;
      case L4OK: return 6;
      case L4TOUT: return 7;
      case L4CON: return 8;
      case L7TOUT: return 12;
      case L7RSP: return 13;
      case L7OK: return 15;
      default: return 0;
    }
  }

  private String serversState(String only) {
    StringBuilder sb = new StringBuilder("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state "
        + "srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
        + "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl "
        + "srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n");
    if (only != null && !backends.containsKey(only)) {
      return "Can't find backend.\n\n";
    }
    long now = System.currentTimeMillis();
    for (Backend be : backends.values()) {
      if (only != null && !be.name().equals(only)) {
        continue;
      }
      for (Server s : be.servers) {
        CheckResult r = s.lastCheck;
        boolean running = s.health != null && s.checkRunning;
        int result = s.health == null || running || r.outcome() == CheckOutcome.INI ? 0 : r.outcome().success ? 3 : 2;
        int chkState = s.health == null ? 0 : 6 | (s.inMaintenance() ? 8 : 0) | (running ? 1 : 0);
        int admin = (s.inMaintenance() ? (s.cfg.disabled ? 0x04 : 0x01) : 0) | (s.notMaster() ? 0x08 : 0);
        sb.append(be.cfg.id).append(' ').append(be.name()).append(' ').append(s.id()).append(' ')
            .append(s.name()).append(' ').append(s.cfg.host).append(' ').append(s.isUp() && !s.inMaintenance() ? 2 : 0)
            .append(' ').append(admin).append(' ').append(s.weight()).append(' ').append(s.cfg.weight).append(' ')
            .append((now - s.lastChange) / 1000).append(' ').append(s.health == null ? 1 : checkStatusCode(r.outcome()))
            .append(' ').append(result).append(' ').append(s.health == null ? s.cfg.rise : s.healthValue).append(' ')
            .append(chkState).append(" 0 0 0 - ").append(s.cfg.port).append(" - 0 ")
            .append(s.cfg.checkPort).append(' ').append(s.cfg.checkAddr == null ? "-" : s.cfg.checkAddr)
            .append(" - 0\n");
      }
    }
    return sb.append('\n').toString();
  }

  @Override
  public void close() {
    for (SentinelWatch w : watches) {
      w.stop();
    }
    for (HealthCheck hc : checks.values()) {
      hc.stop();
    }
    for (StatsSocket s : sockets) {
      s.close();
    }
    for (Frontend fe : frontends.values()) {
      for (Channel c : fe.listeners) {
        c.close().syncUninterruptibly();
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
