package io.tripod.sentinel.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.tripod.resp.RespValue;
import io.tripod.resp.RespWriter;
import io.tripod.sentinel.config.ConfigException;
import io.tripod.sentinel.config.SentinelConfig;
import io.tripod.sentinel.core.Action;
import io.tripod.sentinel.core.Addr;
import io.tripod.sentinel.core.Instance;
import io.tripod.sentinel.core.Level;
import io.tripod.sentinel.core.SentinelCore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The I/O shell around {@link SentinelCore}: one Netty event loop thread owns the core, the links
 * to every monitored address, the client-facing server socket, and the timer that ticks the core
 * 10-19 times a second (as Redis re-randomises its Sentinel hz). Every core input is followed by
 * {@link #perform} of the actions it produced.
 */
public final class SentinelServer implements Link.Listener {
  final SentinelConfig config;
  final SentinelCore core;
  final EventLog log;
  final Random random = new SecureRandom();
  final long startTime = System.currentTimeMillis();
  private EventLoopGroup group;
  private final List<Channel> listeners = new ArrayList<>();
  private final Map<Addr, Link> links = new HashMap<>();
  final Map<Long, ClientHandler> clients = new LinkedHashMap<>();
  long nextClientId = 1;
  private ScheduledFuture<?> tickFuture;
  private boolean flushPending;
  private volatile boolean stopped;
  /** Tests may replace: what SIMULATE-FAILURE crash does. */
  public Runnable crashHook = () -> Runtime.getRuntime().halt(99);
  long totalConnections;
  /** notification-script and client-reconfig-script jobs (queue, retries, runtime cap). */
  final ScriptQueue scripts;
  long totalCommands;

  public SentinelServer(SentinelConfig config) throws ConfigException, IOException {
    this.config = config;
    config.checkWritable();
    long now = System.currentTimeMillis();
    this.core = new SentinelCore(null, new Random(random.nextLong()), now);
    config.applyTo(core, now);
    boolean newId = core.myid == null;
    if (newId) {
      byte[] b = new byte[20];
      random.nextBytes(b);
      StringBuilder sb = new StringBuilder();
      for (byte x : b) sb.append(String.format("%02x", x));
      core.myid = sb.toString();
    }
    this.log = new EventLog(config.logfile, config.loglevel);
    this.scripts = new ScriptQueue(core.timers, (level, type, message) -> {
      log.log(level, type + " " + message);
      if (level != Level.DEBUG) publish(type, message);
    });
    if (newId) {
      config.rewrite(core);
    }
  }

  /** Binds and starts; returns once the port accepts connections. */
  public void start() throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, (java.util.concurrent.ThreadFactory) r -> new Thread(r, "tripod-sentinel"), NioIoHandler.newFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new ClientHandler(SentinelServer.this));
                  }
                });
    List<String> binds = config.bind.isEmpty() ? List.of("0.0.0.0") : config.bind;
    for (String spec : binds) {
      boolean optional = spec.startsWith("-");
      String host = optional ? spec.substring(1) : spec;
      host = host.equals("*") ? "0.0.0.0" : host.equals("::*") ? "::" : host;
      try {
        listeners.add(b.bind(new InetSocketAddress(host, config.port)).sync().channel());
      } catch (Exception e) {
        if (optional) continue;
        stop();
        throw new IllegalStateException(
            "Warning: Could not create server TCP listening socket " + host + ":" + config.port
                + ": " + e.getMessage(), e);
      }
    }
    log.log(Level.NOTICE, "Running mode=sentinel, port=" + config.port + ".");
    log.log(Level.WARNING, "Sentinel ID is " + core.myid);
    group.next().execute(() -> {
      // sentinelGenerateInitialMonitorEvents: logged, published, and given to notification scripts.
      for (Instance m : core.masters.values()) {
        event(new Action.Event(Level.WARNING, "+monitor", m.describe() + " quorum " + m.quorum, m.name, m.notificationScript));
      }
      // The TILT and down-after clocks start with the timer, not when the config was loaded (a
      // slow JVM start would otherwise look like a clock jump and put a fresh sentinel in TILT for
      // 30 s, or count toward a healthy master's down-after before its first PING).
      core.startClock(now());
      tick();
    });
  }

  public int boundPort() {
    return listeners.isEmpty() ? config.port : ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
  }

  public void stop() {
    stopped = true;
    if (tickFuture != null) tickFuture.cancel(false);
    if (group != null && !group.isShuttingDown()) {
      group.next().submit(scripts::killAll).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    for (Channel ch : listeners) ch.close().awaitUninterruptibly();
    listeners.clear();
    if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /** Runs {@code r} on the loop and waits (for tests and the CLI). */
  public <T> T call(java.util.concurrent.Callable<T> r) throws Exception {
    return group.next().submit(r).get(10, TimeUnit.SECONDS);
  }

  /** The core; touch it only on the loop ({@link #call}). */
  public SentinelCore core() {
    return core;
  }

  static long now() {
    return System.currentTimeMillis();
  }

  // ------------------------------------------------------------------ tick and links

  private void tick() {
    if (stopped) return;
    long now = now();
    try {
      manageLinks(now);
      core.tick(now);
      perform();
      scripts.run(now);
    } catch (RuntimeException e) {
      log.log(Level.WARNING, "tick failed: " + e);
    }
    long next = 52 + random.nextInt(48);
    // A pending candidacy starts on time, not on the next tick: with ticks 52-100 ms apart the
    // random candidate delays of sentinels would fall into a few tick slots and collide.
    long due = core.candidacyDueIn(now());
    if (due >= 0) {
      next = Math.max(1, Math.min(next, due));
    }
    tickFuture = group.next().schedule(this::tick, next, TimeUnit.MILLISECONDS);
  }

  private void manageLinks(long now) {
    Map<Addr, Instance> wanted = new LinkedHashMap<>();
    for (Instance i : core.allInstances()) {
      if (i.addr.port() > 0) wanted.putIfAbsent(i.addr, i);
    }
    for (var it = links.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wanted.containsKey(e.getKey())) {
        e.getValue().close();
        it.remove();
      }
    }
    for (Instance i : wanted.values()) {
      Link l = links.get(i.addr);
      if (l == null) {
        l = new Link(i.addr, i.kind == Instance.Kind.SENTINEL, core.myid.substring(0, 8), group, this);
        links.put(i.addr, l);
      }
      if (i.kind == Instance.Kind.SENTINEL) {
        l.authUser = core.sentinelUser;
        l.authPass = core.sentinelPass != null ? core.sentinelPass : config.requirepass;
        l.renames = Map.of();
      } else {
        Instance m = i.master != null ? i.master : i;
        l.authUser = m.authUser;
        l.authPass = m.authPass;
        l.renames = m.renamedCommands;
      }
      // A refused attempt is retried sooner: it is cheap, and how long the port has refused is
      // what the fast down detection (Timers.refusedDownAfter) measures.
      long retry = l.lastRefused ? Math.min(100, core.timers.pingPeriod) : core.timers.pingPeriod;
      if (l.needsConnect() && now - l.lastConnectAttempt >= retry) {
        l.connect(now);
      }
    }
  }

  /** Drops every link (auth changes). */
  void dropLinks(boolean sentinelsOnly) {
    for (Link l : links.values()) {
      if (!sentinelsOnly || l.sentinel) l.drop();
    }
  }

  @Override
  public void linkUp(Link l) {
    core.linkUp(l.addr, now());
    perform();
  }

  @Override
  public void linkDown(Link l) {
    core.linkDown(l.addr, now());
    perform();
  }

  @Override
  public void connectRefused(Link l) {
    core.connectRefused(l.addr, now());
    perform();
  }

  @Override
  public void helloMessage(Link l, String payload) {
    core.hello(payload, now());
    perform();
  }

  // ------------------------------------------------------------------ actions

  /** Performs everything the core asked for since the last call. */
  void perform() {
    performAndFlush();
  }

  /** Writes the config now; false (and Redis's warning logged) if it could not be saved. */
  boolean flushConfig() {
    try {
      config.rewrite(core);
      return true;
    } catch (IOException e) {
      String why = e instanceof java.nio.file.FileSystemException && ((java.nio.file.FileSystemException) e).getReason() != null
          ? ((java.nio.file.FileSystemException) e).getReason() : e.getMessage();
      log.log(Level.WARNING, "WARNING: Sentinel was not able to save the new configuration on disk!!!: " + why);
      return false;
    }
  }

  /**
   * Performs the pending actions now and tells whether the config flush they asked for (if any)
   * succeeded: commands that change the config answer Redis's save error when it did not.
   */
  boolean performAndFlush() {
    boolean ok = true;
    for (Action a : core.drain()) {
      performOne(a);
    }
    if (flushPending) {
      flushPending = false;
      ok = flushConfig();
    }
    return ok;
  }

  private void performOne(Action a) {
    if (a instanceof Action.Ping) {
      Link l = links.get(((Action.Ping) a).to());
      if (l == null || l.pendingCommands() >= Link.MAX_PENDING) return;
      l.command(r -> {
        if (r.type() == '+' || r.type() == '-') {
          core.pingReply(l.addr, r.type() + r.asString(), now());
          perform();
        }
      }, "PING");
    } else if (a instanceof Action.Info) {
      Link l = links.get(((Action.Info) a).to());
      if (l == null || l.pendingCommands() >= Link.MAX_PENDING) return;
      l.command(r -> {
        if (r.type() == '$' || r.type() == '=') {
          String text = r.asString();
          if (text == null) return;
          if (r.type() == '=' && text.length() >= 4) text = text.substring(4);
          core.infoReply(l.addr, text, now());
          perform();
        }
      }, "INFO");
    } else if (a instanceof Action.Hello) {
      Action.Hello h = (Action.Hello) a;
      Link l = links.get(h.to());
      if (l == null || l.pendingCommands() >= Link.MAX_PENDING) return;
      l.command(null, "PUBLISH", "__sentinel__:hello", h.payload(l.localIp()));
    } else if (a instanceof Action.AskMasterDown) {
      Action.AskMasterDown q = (Action.AskMasterDown) a;
      Link l = links.get(q.to());
      if (l == null || l.pendingCommands() >= Link.MAX_PENDING) return;
      l.command(r -> {
        List<RespValue> e = r.elements();
        if ((r.type() == '*') && e != null && e.size() == 3 && e.get(0).type() == ':'
            && (e.get(1).type() == '$' || e.get(1).type() == '+') && e.get(2).type() == ':'
            && e.get(1).asString() != null) {
          core.masterDownReply(q.to(), q.masterName(), e.get(0).number(), e.get(1).asString(), e.get(2).number(), now());
          perform();
        }
      }, "SENTINEL", "is-master-down-by-addr", q.master().host(), Integer.toString(q.master().port()),
          Long.toString(q.epoch()), q.runid());
    } else if (a instanceof Action.SlaveOf) {
      Action.SlaveOf s = (Action.SlaveOf) a;
      Link l = links.get(s.to());
      if (l == null) return;
      l.command(null, "MULTI");
      if (s.host() == null) {
        l.command(null, "SLAVEOF", "NO", "ONE");
      } else {
        l.command(null, "SLAVEOF", s.host(), Integer.toString(s.port()));
      }
      l.command(null, "CONFIG", "REWRITE");
      l.command(null, "CLIENT", "KILL", "TYPE", "normal");
      l.command(null, "CLIENT", "KILL", "TYPE", "pubsub");
      l.command(null, "EXEC");
    } else if (a instanceof Action.ScriptKill) {
      Link l = links.get(((Action.ScriptKill) a).to());
      if (l != null) l.command(null, "SCRIPT", "KILL");
    } else if (a instanceof Action.Reconnect) {
      Link l = links.get(((Action.Reconnect) a).to());
      if (l != null) l.drop();
    } else if (a instanceof Action.Event) {
      event((Action.Event) a);
    } else if (a instanceof Action.Log) {
      Action.Log lg = (Action.Log) a;
      log.log(lg.level(), lg.message());
    } else if (a instanceof Action.ReconfigScript) {
      Action.ReconfigScript rs = (Action.ReconfigScript) a;
      List<String> argv = new ArrayList<>();
      argv.add(rs.path());
      argv.addAll(rs.args());
      scripts.schedule(argv);
    } else if (a instanceof Action.FlushConfig) {
      flushPending = true;
    } else if (a instanceof Action.Crash) {
      log.log(Level.WARNING, "Simulated failure: " + ((Action.Crash) a).why());
      crashHook.run();
    }
  }

  /** sentinelEvent's output side: log, publish (unless DEBUG), the master's notification script. */
  void event(Action.Event e) {
    log.log(e.level(), e.type() + " " + e.message());
    if (e.level() != Level.DEBUG) publish(e.type(), e.message());
    if (e.level() == Level.WARNING && e.notificationScript() != null) {
      scripts.schedule(List.of(e.notificationScript(), e.type(), e.message()));
    }
  }

  /** Publishes {@code message} on {@code channel} to this sentinel's own subscribers. */
  void publish(String channel, String message) {
    for (ClientHandler c : clients.values()) {
      c.deliver(channel, message);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void bulk(ByteBuf out, String s) {
    RespWriter.bulk(out, bytes(s));
  }

  Set<Addr> linkAddrs() {
    return new HashSet<>(links.keySet());
  }

  Link link(Addr a) {
    return links.get(a);
  }
}
