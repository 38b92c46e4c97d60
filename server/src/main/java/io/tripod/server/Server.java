package io.tripod.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.tripod.server.Client.ByteKey;
import io.tripod.server.Client.WatchedKey;
import io.tripod.server.command.CommandFlags;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.commands.Commands;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.net.ClientHandler;
import io.tripod.server.util.Bytes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data server: Redis's {@code server} struct and its main loop.
 *
 * <p><b>Threading.</b> Like Redis, one thread owns all data: a single Netty event loop accepts
 * connections, reads and parses requests, executes commands against the keyspace and writes the
 * replies. Nothing here is locked; every method that touches state asserts it runs on that loop.
 * Work that may block (fsync, snapshots, DNS) belongs on other threads and hands its results back
 * with {@link #execute(Runnable)}.
 *
 * <p><b>A command's path.</b> bytes arrive in {@link ClientHandler#channelRead}, the per-connection
 * {@link io.tripod.resp.RequestDecoder} turns them into {@code byte[][]} argument vectors, {@link
 * #process} checks them (lookup, arity, auth, MULTI queueing, pub/sub context) and {@link #call}
 * runs the handler, which appends its reply to the client's output buffer; at the end of the read
 * the handler writes the whole batch with one flush.
 */
public final class Server {
  private static final Logger log = LoggerFactory.getLogger(Server.class);
  public static final String REDIS_VERSION = "7.0.15";

  public final ServerConfig config;
  public final Clock clock;
  public final CommandTable commands = new CommandTable();
  public final Stats stats = new Stats();
  public final PubSub pubsub = new PubSub(this);
  public final SlowLog slowlog = new SlowLog();
  public final String runId;
  public final long startMillis;

  private Database[] dbs;
  final Map<Long, Client> clients = new LinkedHashMap<>();
  private long nextClientId = 1;
  /** WATCHed keys to the clients watching them (Redis's {@code c->db->watched_keys}). */
  final Map<WatchedKey, Set<Client>> watched = new HashMap<>();
  final Set<Client> monitors = new LinkedHashSet<>();
  private final Set<Client> pendingWrites = new LinkedHashSet<>();
  private boolean flushScheduled;

  /** Writes since the last save (INFO rdb_changes_since_last_save). */
  public long dirty;
  public long lastSaveSeconds;
  /** Time of the command being executed (Redis caches it per command). */
  private long commandTimeMillis;
  /** CLIENT PAUSE: until when, and whether only writes are paused. */
  public long pauseUntilMillis;
  public boolean pauseWritesOnly;
  public final List<Client> pausedClients = new ArrayList<>();
  /** Where writes go after they are applied (replication and AOF attach here). */
  public Propagator propagator = Propagator.NONE;
  public final Expiry expiry = new Expiry(this);
  public final Blocking blocking = new Blocking(this);
  /** Replication, both sides (master: replicas and backlog; replica: the link to our master). */
  public final io.tripod.server.repl.Replication repl;
  public final io.tripod.server.repl.WaitRegistry waiters;
  /** RDB persistence: SAVE, BGSAVE, save points, loading at start. */
  public final io.tripod.server.persist.RdbPersistence rdb;
  /** The append-only file (multi-part, as Redis 7). */
  public final io.tripod.server.persist.Aof aof;
  /**
   * The running point-in-time snapshot (a BGSAVE or a replica's full sync), or null. One at a time:
   * every change to a key goes through {@link #beforeWrite} first so the snapshot stays exact.
   */
  public io.tripod.server.repl.Snapshot snapshot;
  private int snapshotEpochs;
  /** The client whose command is running (the master link's commands see expired keys). */
  private Client current;
  /** Parsed {@code notify-keyspace-events}. */
  public int notifyFlags;
  /**
   * True while this server replicates from a master: keys past their TTL are hidden from reads but
   * only the master deletes them (it propagates the DEL).
   */
  public boolean replicaOfMaster;
  /**
   * What SHUTDOWN does once it decided to stop: the launcher sets it to exit the process; by
   * default (tests, embedded servers) it only stops this server.
   */
  public Runnable shutdownHook = this::stop;

  private EventLoopGroup group;
  /** Accepts connections (so listeners can be rebound from the main loop without deadlock). */
  private EventLoopGroup acceptGroup;
  private ServerBootstrap bootstrap;
  private final List<Channel> listeners = new ArrayList<>();
  private ScheduledFuture<?> cron;
  private volatile Thread loopThread;
  private volatile boolean stopping;
  /** Completed when the start-up load ends (null, or the fatal error); null when not loading. */
  private volatile CompletableFuture<String> loadWait;
  private long cronLoops;

  public Server(ServerConfig config) {
    this(config, Clock.SYSTEM);
  }

  public Server(ServerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.runId = randomHex(40);
    this.startMillis = clock.millis();
    this.lastSaveSeconds = startMillis / 1000;
    this.notifyFlags = Math.max(0, Notifications.parse(config.notifyKeyspaceEvents));
    this.dbs = new Database[config.databases];
    for (int i = 0; i < dbs.length; i++) {
      dbs[i] = new Database(i);
    }
    Commands.registerAll(commands);
    this.repl = new io.tripod.server.repl.Replication(this);
    this.waiters = new io.tripod.server.repl.WaitRegistry(this);
    this.rdb = new io.tripod.server.persist.RdbPersistence(this);
    this.aof = new io.tripod.server.persist.Aof(this);
    // Every applied write goes to the AOF and to replicas (and the backlog).
    this.propagator = (db, argv) -> {
      aof.feed(db, argv);
      repl.propagate(db, argv);
    };
  }

  static String randomHex(int len) {
    SecureRandom r = new SecureRandom();
    StringBuilder sb = new StringBuilder(len);
    for (int i = 0; i < len; i++) {
      sb.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return sb.toString();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Binds the listeners, loads the data files, then starts the cron; returns once the data is
   * loaded. As in Redis the listeners are bound first: while the files load (in slices on the
   * event loop) clients connect and get {@code -LOADING} for commands without the loading flag.
   * A corrupt file stops the start (IllegalStateException) and is never overwritten.
   */
  public void start() throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    group =
        new MultiThreadIoEventLoopGroup(
            1,
            r -> {
              Thread t = new Thread(r, "tripod-main");
              loopThread = t;
              return t;
            },
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Class<? extends ServerSocketChannel> channelClass =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    acceptGroup =
        new MultiThreadIoEventLoopGroup(
            1,
            (java.util.concurrent.ThreadFactory) r -> new Thread(r, "tripod-accept"),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(acceptGroup, group)
            .channel(channelClass)
            .option(ChannelOption.SO_BACKLOG, config.tcpBacklog)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    applyKeepalive(ch, config.tcpKeepaliveSeconds);
                    ch.pipeline().addLast(new ClientHandler(Server.this));
                  }
                });
    bootstrap = b;
    try {
      listeners.addAll(bindAll());
    } catch (IllegalStateException e) {
      stop();
      throw e;
    }
    CompletableFuture<String> loaded = new CompletableFuture<>();
    loadWait = loaded;
    group.next().execute(() -> loadDataFromDisk(loaded::complete));
    String error;
    try {
      error = loaded.get();
    } catch (java.util.concurrent.ExecutionException e) {
      error = String.valueOf(e.getCause());
    } finally {
      loadWait = null;
    }
    if (error != null) {
      if (!stopping) {
        stop();
      }
      throw new IllegalStateException(error);
    }
    scheduleCron();
    group.next().execute(repl::start);
    log.info("Ready to accept connections tcp (port {})", boundPort());
  }

  /** The hz the cron runs at now; CONFIG SET hz reschedules it from the cron itself. */
  private int cronHz;

  private void scheduleCron() {
    cronHz = Math.max(1, config.hz);
    long periodMicros = 1_000_000L / cronHz;
    cron = group.next().scheduleAtFixedRate(this::cron, periodMicros, periodMicros, TimeUnit.MICROSECONDS);
  }

  /**
   * Redis's {@code anetKeepAlive} for an accepted connection (with the tcp-keepalive in force when
   * it was accepted): SO_KEEPALIVE, and on Linux the first probe after {@code seconds} idle, then a
   * probe every seconds/3, dropping the connection after 3 unanswered.
   */
  public static void applyKeepalive(io.netty.channel.Channel ch, int seconds) {
    if (seconds <= 0) {
      return;
    }
    ch.config().setOption(ChannelOption.SO_KEEPALIVE, true);
    if (ch instanceof io.netty.channel.epoll.EpollSocketChannel) {
      ch.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_KEEPIDLE, seconds);
      ch.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_KEEPINTVL, Math.max(1, seconds / 3));
      ch.config().setOption(io.netty.channel.epoll.EpollChannelOption.TCP_KEEPCNT, 3);
    }
  }

  /**
   * Redis's {@code loadDataFromDisk}: the AOF when {@code appendonly yes} and it exists, else the
   * RDB; then the AOF is opened (or created from the data). Reports null or the fatal error.
   */
  private void loadDataFromDisk(java.util.function.Consumer<String> done) {
    boolean aofExists = config.appendonly && new java.io.File(new java.io.File(config.dir,
        config.appenddirname), config.appendfilename + ".manifest").exists();
    Runnable openAof = () -> aof.startAtBoot(ok -> done.accept(ok ? null
        : "Fatal error loading the append only file in "
            + new java.io.File(config.dir, config.appenddirname).getAbsolutePath() + " (see the log). Exiting."));
    if (aofExists) {
      openAof.run();
      return;
    }
    rdb.loadAtStartup(ok -> {
      if (ok) {
        openAof.run();
      } else {
        done.accept("Fatal error loading the DB " + rdb.file().getAbsolutePath() + " (see the log). Exiting.");
      }
    });
  }

  /** True once {@link #stop} began (a load in progress gives up). */
  public boolean isStopping() {
    return stopping;
  }

  /**
   * Binds a listener for every {@code bind} address on {@code port}. A failure on an address
   * without the optional {@code -} prefix closes what was bound and throws.
   */
  private List<Channel> bindAll() {
    List<Channel> bound = new ArrayList<>();
    for (String spec : config.bind) {
      boolean optional = spec.startsWith("-");
      String host = optional ? spec.substring(1) : spec;
      String bindHost = host.equals("*") ? "0.0.0.0" : host.equals("::*") ? "::" : host;
      try {
        bound.add(bootstrap.bind(new InetSocketAddress(bindHost, config.port)).sync().channel());
      } catch (Exception e) {
        if (optional) {
          log.debug("Optional bind {} unavailable: {}", spec, e.toString());
          continue;
        }
        for (Channel ch : bound) {
          ch.close();
        }
        throw new IllegalStateException("Warning: Could not create server TCP listening socket " + host
            + ":" + config.port + ": " + e.getMessage(), e);
      }
    }
    if (bound.isEmpty() && !config.bind.isEmpty()) {
      throw new IllegalStateException("Failed listening on port " + config.port + " (tcp), aborting.");
    }
    return bound;
  }

  /**
   * CONFIG SET port / bind: binds the new listeners first and closes the old ones only if that
   * worked (Redis's changeListenPort / changeBindAddr). Returns null, or the error text.
   */
  public String rebind() {
    List<Channel> fresh;
    try {
      fresh = bindAll();
    } catch (IllegalStateException e) {
      log.warn("{}", e.getMessage());
      return "Unable to listen on this port";
    }
    for (Channel ch : listeners) {
      ch.close();
    }
    listeners.clear();
    listeners.addAll(fresh);
    log.info("Listening again on port {}", config.port);
    return null;
  }

  /** The bound port, or 0 when the server has no listener (not started, or in-process tests). */
  public int boundPortOrZero() {
    return listeners.isEmpty() ? 0 : boundPort();
  }

  /** The port actually bound (useful when configured with port 0). */
  public int boundPort() {
    if (listeners.isEmpty()) {
      return config.port;
    }
    return ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
  }

  public void stop() {
    stopping = true;
    CompletableFuture<String> w = loadWait;
    if (w != null) {
      w.complete("Tripod was stopped while loading the dataset");
    }
    if (cron != null) {
      cron.cancel(false);
    }
    for (Channel ch : listeners) {
      ch.close().awaitUninterruptibly();
    }
    listeners.clear();
    if (acceptGroup != null) {
      acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
    rdb.shutdown();
    aof.shutdown();
  }

  /** The event loop group, for outgoing connections that must live on the same loop. */
  public EventLoopGroup eventLoopGroup() {
    return group;
  }

  /** Socket channel class matching the event loop's transport. */
  public Class<? extends io.netty.channel.socket.SocketChannel> socketChannelClass() {
    return Epoll.isAvailable() ? io.netty.channel.epoll.EpollSocketChannel.class
        : io.netty.channel.socket.nio.NioSocketChannel.class;
  }

  /** A client with no socket (the master link's command executor, AOF loading). */
  public Client newInternalClient() {
    Client c = new Client(nextClientId++, this, null, clock.millis());
    c.authenticated = true;
    return c;
  }

  /** Runs {@code task} on the event loop after {@code delay}. */
  public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
    return group.next().schedule(task, delay, unit);
  }

  /** Runs {@code task} on the event loop. */
  public void execute(Runnable task) {
    group.next().execute(task);
  }

  public boolean inEventLoop() {
    return loopThread == null || Thread.currentThread() == loopThread;
  }

  // ---- clients -------------------------------------------------------------------------------

  /** Called by the handler for a new connection; null means refused (reply already sent). */
  public Client newClient(Channel ch) {
    assert inEventLoop();
    stats.totalConnectionsReceived++;
    Client c = new Client(nextClientId++, this, ch, clock.millis());
    c.authenticated = config.requirepass.isEmpty();
    clients.put(c.id, c);
    return c;
  }

  /** Called when a connection is gone: drops subscriptions, watches, MULTI state. */
  public void freeClient(Client c) {
    assert inEventLoop();
    if (c.closed) {
      return;
    }
    c.closed = true;
    clients.remove(c.id);
    pubsub.removeClient(c);
    unwatchAll(c);
    monitors.remove(c);
    pendingWrites.remove(c);
    pausedClients.remove(c);
    blocking.removeClient(c);
    waiters.remove(c, false);
    if (c.isReplica) {
      repl.removeClient(c);
    }
    ByteBuf pending = c.takeOutput();
    if (pending != null) {
      pending.release();
    }
  }

  public int clientCount() {
    return clients.size();
  }

  public Iterable<Client> clients() {
    return clients.values();
  }

  public Client client(long id) {
    return clients.get(id);
  }

  /** Queues a flush of {@code c}'s output after the current batch. */
  public void markPendingWrite(Client c) {
    if (c.channel == null || c.closed) {
      return;
    }
    pendingWrites.add(c);
    if (!flushScheduled) {
      flushScheduled = true;
      group.next().execute(this::flushPending);
    }
  }

  /** Writes the output queued with {@link #markPendingWrite} now (replicas' stream, messages). */
  public void flushPendingWrites() {
    if (!pendingWrites.isEmpty()) {
      flushPending();
    }
  }

  private void flushPending() {
    flushScheduled = false;
    if (pendingWrites.isEmpty()) {
      return;
    }
    List<Client> list = new ArrayList<>(pendingWrites);
    pendingWrites.clear();
    // One AOF write/fsync for the whole turn; ClientHandler.flush drops the replies if it failed.
    boolean persisted = aof.flushBeforeReplies();
    for (Client c : list) {
      ClientHandler.flush(c, persisted);
    }
  }

  /** Closes a client after its pending replies are written. */
  public void closeClient(Client c) {
    if (c.channel != null) {
      ClientHandler.flush(c);
      c.channel.close();
    }
  }

  // ---- dispatch ------------------------------------------------------------------------------

  /**
   * Redis's {@code processCommand}: every check that runs before a command, in Redis's order, then
   * {@link #call}. Outcomes: an error reply (unknown command, arity, NOAUTH, pub/sub context), a
   * {@code +QUEUED} inside MULTI, a postponed command while clients are paused, or the command's
   * own reply.
   */
  public void process(Client c, byte[][] argv) {
    assert inEventLoop();
    c.lastInteractionMillis = clock.millis();
    CommandSpec spec = commands.lookup(argv[0]);
    if (spec != null && spec.isContainer()) {
      if (argv.length >= 2) {
        CommandSpec sub = spec.subcommands.get(Bytes.lower(argv[1]));
        if (sub == null) {
          rejectCommand(c, "ERR unknown subcommand '" + trunc(argv[1]) + "'. Try "
              + spec.name.toUpperCase() + " HELP.");
          return;
        }
        spec = sub;
      } else if (spec.handler == null) {
        // A pure container (CONFIG, CLIENT); COMMAND alone runs its own handler.
        rejectCommand(c, "ERR wrong number of arguments for '" + spec.name + "' command");
        return;
      }
    }
    if (spec == null) {
      StringBuilder args = new StringBuilder();
      for (int i = 1; i < argv.length && args.length() < 128; i++) {
        args.append('\'').append(trunc(argv[i])).append("' ");
      }
      rejectCommand(c, "ERR unknown command '" + trunc(argv[0]) + "', with args beginning with: "
          + args);
      return;
    }
    if (!spec.arityOk(argv.length)) {
      rejectCommand(c, spec, "ERR wrong number of arguments for '" + spec.fullName + "' command");
      spec.rejectedCalls++;
      return;
    }
    c.lastCommand = spec;
    if (!c.authenticated && !spec.has(CommandFlags.NO_AUTH)) {
      rejectCommand(c, spec, "NOAUTH Authentication required.");
      return;
    }
    // Redis 7.0 processCommand order: no_multi, (ACL), pub/sub context, pause, then queueing.
    if (c.inMulti && spec.has(CommandFlags.NO_MULTI)) {
      rejectCommand(c, spec, "ERR Command not allowed inside a transaction");
      return;
    }
    if (spec.has(CommandFlags.WRITE) && !c.isMaster && aof.writeError() != null) {
      rejectCommand(c, spec, "MISCONF Errors writing to the AOF file: " + aof.writeError());
      return;
    }
    if (spec.has(CommandFlags.WRITE) && !c.isMaster && rdb.refuseWrites()) {
      rejectCommand(c, spec, "MISCONF Redis is configured to save RDB snapshots, but it's currently "
          + "unable to persist to disk. Commands that may modify the data set are disabled, because "
          + "this instance is configured to report errors during writes if RDB snapshotting fails "
          + "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
          + "RDB error.");
      return;
    }
    if (!replicaOfMaster && config.minReplicasToWrite > 0 && config.minReplicasMaxLagSeconds > 0
        && spec.has(CommandFlags.WRITE) && repl.goodReplicas() < config.minReplicasToWrite) {
      rejectCommand(c, spec, "NOREPLICAS Not enough good replicas to write.");
      return;
    }
    if (replicaOfMaster && !c.isMaster && config.replicaReadOnly && spec.has(CommandFlags.WRITE)) {
      rejectCommand(c, spec, "READONLY You can't write against a read only replica.");
      return;
    }
    if (c.proto == 2 && c.isPubSub() && !allowedInPubSub(spec)) {
      rejectCommand(c, spec, "ERR Can't execute '" + spec.fullName + "': only (P|S)SUBSCRIBE / "
          + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
      return;
    }
    if (replicaOfMaster && !c.isMaster && !config.replicaServeStaleData && !spec.has(CommandFlags.STALE)
        && (repl.link == null || !repl.link.isConnected())) {
      rejectCommand(c, spec, "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
      return;
    }
    if (rdb.loading && !rdb.asyncLoading && !c.isMaster && !spec.has(CommandFlags.LOADING)) {
      rejectCommand(c, spec, "LOADING Redis is loading the dataset in memory");
      return;
    }
    if (rdb.asyncLoading && spec.has(CommandFlags.NO_ASYNC_LOADING)) {
      rejectCommand(c, spec, "LOADING Redis is loading the dataset in memory");
      return;
    }
    if (isPaused(c, spec)) {
      c.blockedOn = PAUSE;
      c.pausedArgv = argv;
      pausedClients.add(c);
      return;
    }
    if (c.inMulti && !isMultiControl(spec)) {
      // Like queueMultiCommand: an already doomed transaction keeps no commands, but still
      // answers QUEUED.
      if (!c.dirtyCas && !c.dirtyExec) {
        c.multiQueue.add(argv);
        c.multiSpecs.add(spec);
      }
      c.buf().writeBytes(io.tripod.resp.RespWriter.QUEUED);
      advanceReplySkip(c);
      return;
    }
    long offsetBefore = repl.masterReplOffset();
    call(c, spec, argv);
    if (config.replicaAckWrites && !c.isMaster && repl.masterReplOffset() != offsetBefore) {
      // Held once the client's pipelined batch ran (ClientHandler.processQuery), not per command.
      c.ackHoldOffset = repl.masterReplOffset();
    }
    if (blocking.hasReadyKeys() && !c.inMulti) {
      blocking.handleReadyKeys();
    }
  }

  /** Marker for clients postponed by CLIENT PAUSE. */
  public static final Object PAUSE = new Object();

  private boolean isPaused(Client c, CommandSpec spec) {
    if (pauseUntilMillis == 0) {
      return false;
    }
    if (clock.millis() >= pauseUntilMillis) {
      return false;
    }
    if (!pauseWritesOnly) {
      return true;
    }
    if (spec.has(CommandFlags.WRITE) || spec.has(CommandFlags.MAY_REPLICATE)) {
      return true;
    }
    // EXEC counts as a write when any queued command is one (Redis's mstate.cmd_flags).
    if (c.inMulti && spec.name.equals("exec")) {
      for (CommandSpec q : c.multiSpecs) {
        if (q.has(CommandFlags.WRITE) || q.has(CommandFlags.MAY_REPLICATE)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Ends a CLIENT PAUSE: postponed commands run now, in the order they arrived. */
  public void unpause() {
    pauseUntilMillis = 0;
    List<Client> list = new ArrayList<>(pausedClients);
    pausedClients.clear();
    for (Client c : list) {
      if (c.closed) {
        continue;
      }
      byte[][] argv = c.pausedArgv;
      c.pausedArgv = null;
      c.blockedOn = null;
      if (argv != null) {
        process(c, argv);
      }
      ClientHandler.resume(c);
    }
  }

  private void rejectCommand(Client c, String error) {
    rejectCommand(c, null, error);
  }

  /** {@code spec}: the command being rejected, when known (null for unknown commands). */
  private void rejectCommand(Client c, CommandSpec spec, String error) {
    if (c.inMulti) {
      c.dirtyExec = true;
    }
    // Redis's rejectCommand: a rejected EXEC (even outside MULTI) answers EXECABORT with the
    // reason and discards the transaction.
    if (spec != null && spec.parent == null && spec.name.equals("exec")) {
      discardTransaction(c);
      c.error("EXECABORT Transaction discarded because of: "
          + (error.startsWith("ERR ") ? error.substring(4) : error));
      return;
    }
    c.error(error);
    advanceReplySkip(c);
  }

  /**
   * CLIENT REPLY SKIP covers exactly one command, whether it ran, was rejected or was queued
   * (Redis's resetClient).
   */
  private static void advanceReplySkip(Client c) {
    if (c.replyMode == Client.ReplyMode.SKIP) {
      c.replyMode = Client.ReplyMode.ON;
    } else if (c.replyMode == Client.ReplyMode.SKIP_NEXT) {
      c.replyMode = Client.ReplyMode.SKIP;
    }
  }

  /** Redis's {@code discardTransaction}: leaves MULTI, drops the queue and every WATCH. */
  public void discardTransaction(Client c) {
    c.multiQueue.clear();
    c.multiSpecs.clear();
    c.inMulti = false;
    c.dirtyCas = false;
    c.dirtyExec = false;
    unwatchAll(c);
  }

  private static boolean isMultiControl(CommandSpec spec) {
    String n = spec.parent == null ? spec.name : spec.parent.name;
    return n.equals("exec") || n.equals("discard") || n.equals("multi") || n.equals("watch")
        || n.equals("quit") || n.equals("reset");
  }

  private static boolean allowedInPubSub(CommandSpec spec) {
    String n = spec.name;
    return n.equals("subscribe") || n.equals("unsubscribe") || n.equals("psubscribe")
        || n.equals("punsubscribe") || n.equals("ssubscribe") || n.equals("sunsubscribe")
        || n.equals("ping") || n.equals("quit") || n.equals("reset");
  }

  static String trunc(byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8);
    return s.length() > 128 ? s.substring(0, 128) : s;
  }

  /**
   * Redis's {@code call}: runs the handler, then counts it, logs it if slow, feeds MONITOR and
   * propagates the write if the command changed the dataset.
   */
  public void call(Client c, CommandSpec spec, byte[][] argv) {
    commandTimeMillis = clock.millis();
    long dirtyBefore = dirty;
    long errorsBefore = stats.totalErrorReplies;
    c.propagateArgv = null;
    Client previous = current;
    current = c;
    long t0 = System.nanoTime();
    try {
      spec.handler.execute(c, argv);
    } finally {
      current = previous;
    }
    c.woff = repl.masterReplOffset();
    long micros = (System.nanoTime() - t0) / 1000;
    spec.calls++;
    spec.microseconds += micros;
    spec.recordLatencyMicros(micros);
    io.tripod.server.commands.LatencyCommands.commandSample(this, spec, micros);
    if (stats.totalErrorReplies != errorsBefore) {
      spec.failedCalls++;
    }
    stats.totalCommandsProcessed++;
    // Like Redis 7.0, MONITOR sees the command after it ran (SELECT shows the new db).
    if (!monitors.isEmpty() && !spec.has(CommandFlags.SKIP_MONITOR) && !spec.has(CommandFlags.ADMIN)) {
      feedMonitors(c, argv);
    }
    if (!spec.has(CommandFlags.SKIP_SLOWLOG)) {
      slowlog.maybeLog(this, c, argv, micros);
    }
    if (dirty != dirtyBefore && propagator != Propagator.NONE) {
      byte[][] toPropagate = c.propagateArgv != null ? c.propagateArgv : argv;
      if (toPropagate.length > 0) {
        propagate(c.db.id, toPropagate);
      }
    }
    advanceReplySkip(c);
  }

  // ---- transactions: propagation -------------------------------------------------------------
  //
  // Redis 7.0 (propagatePendingCommands): while EXEC runs its queue, the writes to propagate are
  // collected; when EXEC ends they go out wrapped in MULTI ... EXEC if there is more than one, as
  // they are if there is exactly one (a single command is atomic anyway), and nothing goes out for
  // a transaction that wrote nothing. EXEC itself is never propagated as a command (its handler
  // sets an empty propagateArgv). Writes that reach the propagator directly (lazy expiry's DEL in
  // Expiry) should go through propagate() too so that they join the block.

  private static final byte[][] MULTI_ARGV = {"MULTI".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] EXEC_ARGV = {"EXEC".getBytes(StandardCharsets.US_ASCII)};

  /** A write held back while EXEC runs. */
  private record PendingWrite(int dbId, byte[][] argv) {}

  /** Non-null while EXEC runs: the writes waiting to be propagated as one block. */
  private List<PendingWrite> execPropagation;

  /** Sends a write to replicas/AOF, or holds it for the MULTI block while EXEC runs. */
  public void propagate(int dbId, byte[][] argv) {
    if (execPropagation != null) {
      execPropagation.add(new PendingWrite(dbId, argv));
      return;
    }
    propagator.propagate(dbId, argv);
  }

  /** Called by EXEC before it runs the queued commands. */
  public void beginExecPropagation() {
    execPropagation = new ArrayList<>();
  }

  /** Called by EXEC after the queued commands: emits the collected writes (see above). */
  public void endExecPropagation() {
    List<PendingWrite> ops = execPropagation;
    execPropagation = null;
    if (ops == null || ops.isEmpty()) {
      return;
    }
    boolean wrap = ops.size() > 1;
    if (wrap) {
      propagator.propagate(ops.get(0).dbId(), MULTI_ARGV);
    }
    for (PendingWrite op : ops) {
      propagator.propagate(op.dbId(), op.argv());
    }
    if (wrap) {
      propagator.propagate(ops.get(ops.size() - 1).dbId(), EXEC_ARGV);
    }
  }

  private void feedMonitors(Client c, byte[][] argv) {
    long now = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
    StringBuilder sb = new StringBuilder();
    sb.append('+').append(now / 1_000_000).append('.').append(String.format("%06d", now % 1_000_000));
    sb.append(" [").append(c.db.id).append(' ').append(c.addr).append(']');
    for (byte[] a : argv) {
      sb.append(' ').append(MonitorFormat.quote(a));
    }
    sb.append("\r\n");
    byte[] line = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    for (Client m : monitors) {
      m.pushBuf().writeBytes(line);
      markPendingWrite(m);
    }
  }

  /**
   * CLIENT UNBLOCK: wakes {@code c} up from a blocking command, with a timeout reply or (when
   * {@code withError}) an {@code -UNBLOCKED} error. Returns false when the client is not blocked
   * on something that can be interrupted. A stub until the blocking framework lands: clients
   * postponed by CLIENT PAUSE are not unblockable, as in Redis.
   */
  public boolean unblockClient(Client c, boolean withError) {
    if (c.blockedOn == null || c.blockedOn == PAUSE) {
      return false;
    }
    if (c.blockedOn == Blocking.KEYS) {
      return blocking.unblock(c, withError);
    }
    if (c.blockedOn == io.tripod.server.repl.WaitRegistry.WAIT) {
      if (withError) {
        waiters.remove(c, false);
        c.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
      } else {
        waiters.remove(c, true);
      }
      markPendingWrite(c);
      execute(() -> ClientHandler.resume(c));
      return true;
    }
    return false;
  }

  public void addMonitor(Client c) {
    monitors.add(c);
  }

  /** RESET of a MONITOR client. */
  public void removeMonitor(Client c) {
    monitors.remove(c);
  }

  // ---- keyspace ------------------------------------------------------------------------------

  public Database db(int index) {
    return dbs[index];
  }

  public int dbCount() {
    return dbs.length;
  }

  /** Time used by expiry checks of the current command. */
  public long now() {
    return commandTimeMillis != 0 ? commandTimeMillis : clock.millis();
  }

  /**
   * Looks a key up for reading: deletes it first if its TTL passed (lazy expiry), counts a
   * keyspace hit or miss and updates the LRU clock.
   */
  public KeyEntry lookupRead(Database db, byte[] key) {
    KeyEntry e = db.find(key);
    if (e != null && expiry.expireIfNeeded(db, e)) {
      e = null;
    }
    if (e == null) {
      stats.keyspaceMisses++;
      return null;
    }
    stats.keyspaceHits++;
    e.lruSeconds = lruClock();
    return e;
  }

  /**
   * Looks a key up for writing: lazy expiry, no hit/miss counting. The caller may change the
   * entry (value in place, TTL): a running snapshot first records its current form.
   */
  public KeyEntry lookupWrite(Database db, byte[] key) {
    KeyEntry e = db.find(key);
    if (e != null && expiry.expireIfNeeded(db, e)) {
      return null;
    }
    if (e != null) {
      e.lruSeconds = lruClock();
      beforeWrite(db, e);
    }
    return e;
  }

  /** A new snapshot epoch (stamps start at 0, so the first snapshot is 1). */
  public int nextSnapshotEpoch() {
    return ++snapshotEpochs;
  }

  /** Called before {@code e} changes in any way: a running snapshot records it first. */
  public void beforeWrite(Database db, KeyEntry e) {
    io.tripod.server.repl.Snapshot s = snapshot;
    if (s != null) {
      s.beforeWrite(db, e);
    }
  }

  /** Called before a database is emptied or swapped as a whole. */
  public void beforeBulkChange(Database db) {
    io.tripod.server.repl.Snapshot s = snapshot;
    if (s != null) {
      s.beforeBulkChange(db);
    }
  }

  /** True while the running command came from our master (it must see expired keys). */
  public boolean currentIsMaster() {
    return current != null && current.isMaster;
  }

  /** A look-up that touches nothing (TYPE-like introspection still expires). */
  public KeyEntry lookupNoTouch(Database db, byte[] key) {
    KeyEntry e = db.find(key);
    if (e != null && expiry.expireIfNeeded(db, e)) {
      return null;
    }
    return e;
  }

  public int lruClock() {
    return (int) (clock.millis() / 1000);
  }

  /**
   * Sets {@code key} to {@code value} (Redis's {@code setKey}): replaces any old value and, unless
   * {@code keepTtl}, removes its TTL; signals WATCHers.
   */
  public KeyEntry setKey(Database db, byte[] key, Object value, boolean keepTtl) {
    KeyEntry e = db.find(key);
    if (e == null) {
      e = db.add(key, value);
    } else {
      beforeWrite(db, e);
      e.value = value;
      if (!keepTtl) {
        db.persist(e);
      }
    }
    e.lruSeconds = lruClock();
    signalModifiedKey(db, key);
    blocking.signalKeyAsReady(db, key);
    return e;
  }

  /** Adds a key known to be absent (after a lookup returned null). */
  public KeyEntry addKey(Database db, byte[] key, Object value) {
    KeyEntry e = db.add(key, value);
    e.lruSeconds = lruClock();
    signalModifiedKey(db, key);
    blocking.signalKeyAsReady(db, key);
    return e;
  }

  /** Deletes a key; returns true if it existed. Signals WATCHers. */
  public boolean deleteKey(Database db, byte[] key) {
    KeyEntry found = db.find(key);
    if (found == null) {
      return false;
    }
    beforeWrite(db, found);
    KeyEntry e = db.remove(key);
    if (e == null) {
      return false;
    }
    signalModifiedKey(db, key);
    blocking.signalKeyAsReady(db, key);
    return true;
  }

  /**
   * Redis's {@code signalModifiedKey} / {@code touchWatchedKey}: invalidates WATCHes on the key.
   * A watcher that WATCHed the key while it was already expired is left alone when the key is now
   * gone (deleting an expired key is no logical change), as Redis 7.0 does.
   */
  public void signalModifiedKey(Database db, byte[] key) {
    if (watched.isEmpty()) {
      return;
    }
    WatchedKey wk = new WatchedKey(db.id, new ByteKey(key));
    Set<Client> ws = watched.get(wk);
    if (ws != null) {
      for (Client c : ws) {
        if (c.watchedExpired.contains(wk) && db.find(key) == null) {
          c.watchedExpired.remove(wk);
          continue;
        }
        c.dirtyCas = true;
      }
    }
  }

  /**
   * FLUSHDB / FLUSHALL / SWAPDB (Redis's {@code touchAllWatchedKeysInDb}): invalidates the WATCHes
   * of keys that exist in the database(s) about to be emptied; {@code -1} means all databases.
   * Must be called <em>before</em> the data goes. Keys that do not exist, or that were already
   * expired when WATCHed, are no change.
   */
  public void touchAllWatched(int dbId) {
    for (Map.Entry<WatchedKey, Set<Client>> e : watched.entrySet()) {
      WatchedKey wk = e.getKey();
      if (dbId >= 0 && wk.dbId() != dbId) {
        continue;
      }
      if (dbs[wk.dbId()].find(wk.key().bytes) == null) {
        continue;
      }
      for (Client c : e.getValue()) {
        if (c.watchedExpired.remove(wk)) {
          continue;
        }
        c.dirtyCas = true;
      }
    }
  }

  /** SWAPDB: watched keys of {@code emptied} are touched when either side holds them. */
  private void touchWatchedOnSwap(Database emptied, Database replacedWith) {
    long now = clock.millis();
    for (Map.Entry<WatchedKey, Set<Client>> e : watched.entrySet()) {
      WatchedKey wk = e.getKey();
      if (wk.dbId() != emptied.id) {
        continue;
      }
      byte[] key = wk.key().bytes;
      boolean existsInEmptied = emptied.find(key) != null;
      KeyEntry repl = replacedWith.find(key);
      if (!existsInEmptied && repl == null) {
        continue;
      }
      boolean replExpired = repl != null && expiry.isExpired(repl, now);
      for (Client c : e.getValue()) {
        if (c.watchedExpired.contains(wk)) {
          if (repl == null) {
            c.watchedExpired.remove(wk);
            continue;
          } else if (replExpired) {
            continue;
          }
        } else if (!existsInEmptied && replExpired) {
          c.watchedExpired.add(wk);
          continue;
        }
        c.dirtyCas = true;
      }
    }
  }

  /** WATCH one key in the client's current database. */
  public void watch(Client c, byte[] key) {
    WatchedKey wk = new WatchedKey(c.db.id, new ByteKey(key));
    if (c.watchedKeys.contains(wk)) {
      return;
    }
    c.watchedKeys.add(wk);
    KeyEntry e = c.db.find(key);
    if (e != null && expiry.isExpired(e, clock.millis())) {
      c.watchedExpired.add(wk);
    }
    watched.computeIfAbsent(wk, k -> new LinkedHashSet<>()).add(c);
  }

  /**
   * Redis 7.0's {@code isWatchedKeyExpired}: true when a key that was alive at WATCH time has
   * passed its TTL since (even if nothing deleted it yet). EXEC then fails as if it was touched.
   */
  public boolean isWatchedKeyExpired(Client c) {
    long now = clock.millis();
    for (WatchedKey wk : c.watchedKeys) {
      if (c.watchedExpired.contains(wk)) {
        continue;
      }
      KeyEntry e = dbs[wk.dbId()].find(wk.key().bytes);
      if (e != null && expiry.isExpired(e, now)) {
        return true;
      }
    }
    return false;
  }

  public void unwatchAll(Client c) {
    for (WatchedKey wk : c.watchedKeys) {
      Set<Client> s = watched.get(wk);
      if (s != null) {
        s.remove(c);
        if (s.isEmpty()) {
          watched.remove(wk);
        }
      }
    }
    c.watchedKeys.clear();
    c.watchedExpired.clear();
  }

  /** Empties one database or, with {@code -1}, all of them. Returns the keys removed. */
  public long flush(int dbId) {
    touchAllWatched(dbId);
    blocking.signalDb(dbId);
    long removed = 0;
    for (Database db : dbs) {
      if (dbId < 0 || db.id == dbId) {
        beforeBulkChange(db);
        removed += db.size();
        db.clear();
      }
    }
    return removed;
  }

  /**
   * repl-diskless-load swapdb: moves every database's contents aside (returned) and leaves the
   * databases empty, with the signals a flush gives (WATCH, blocked clients, a running snapshot).
   */
  public Database[] detachDatabases() {
    touchAllWatched(-1);
    blocking.signalDb(-1);
    Database[] old = new Database[dbs.length];
    for (int i = 0; i < dbs.length; i++) {
      beforeBulkChange(dbs[i]);
      old[i] = new Database(i);
      dbs[i].swapWith(old[i]);
    }
    return old;
  }

  /**
   * Makes {@code loaded} (built aside by an async load) the server's databases; the old data is
   * dropped. Watched keys are touched and blocked clients re-checked, as for FLUSHALL.
   */
  public void installDatabases(Database[] loaded) {
    touchAllWatched(-1);
    blocking.signalDb(-1);
    for (int i = 0; i < dbs.length; i++) {
      beforeBulkChange(dbs[i]);
      dbs[i].clear();
      dbs[i].swapWith(loaded[i]);
    }
  }

  /** Puts back what {@link #detachDatabases} moved aside, dropping what was loaded since. */
  public void restoreDatabases(Database[] old) {
    for (int i = 0; i < dbs.length; i++) {
      beforeBulkChange(dbs[i]);
      dbs[i].clear();
      dbs[i].swapWith(old[i]);
    }
  }

  public void swapDb(int a, int b) {
    beforeBulkChange(dbs[a]);
    beforeBulkChange(dbs[b]);
    touchWatchedOnSwap(dbs[a], dbs[b]);
    touchWatchedOnSwap(dbs[b], dbs[a]);
    dbs[a].swapWith(dbs[b]);
    // The Database objects keep their ids; clients that selected them see the swapped data.
  }

  /** Keyspace notifications: filled in by the notifications feature. */
  public void notifyKeyspaceEvent(int type, String event, byte[] key, int dbId) {
    Notifications.notify(this, type, event, key, dbId);
  }

  // ---- cron ----------------------------------------------------------------------------------

  /** Redis's {@code serverCron}: expiry, client timeouts, rehashing, stats sampling. */
  private void cron() {
    if (Math.max(1, config.hz) != cronHz && cron != null) {
      cron.cancel(false); // CONFIG SET hz: run at the new rate from now on
      scheduleCron();
    }
    try {
      cronLoops++;
      long now = clock.millis();
      if (config.activeExpire) {
        expiry.activeExpireCycle(now);
      }
      if (pauseUntilMillis != 0 && now >= pauseUntilMillis) {
        unpause();
      }
      for (Database db : dbs) {
        db.rehashForMillis(1);
      }
      if (cronLoops % Math.max(1, config.hz) == 0) {
        rdb.cron();
        aof.cron();
        if (config.appendonly && !aof.enabled) {
          try {
            aof.startAtBoot(); // CONFIG SET appendonly yes
          } catch (java.io.IOException e) {
            log.warn("Can't enable the AOF: {}", e.getMessage());
          }
        }
      }
      if (cronLoops % Math.max(1, config.hz / 10) == 0) {
        stats.sample(now);
      }
      if (config.timeoutSeconds > 0) {
        closeTimedOutClients(now);
      }
    } catch (RuntimeException e) {
      log.error("cron failed", e);
    }
  }

  private void closeTimedOutClients(long now) {
    List<Client> idle = new ArrayList<>();
    for (Client c : clients.values()) {
      if (c.isReplica || c.isMaster || c.isPubSub() || c.blockedOn != null) {
        continue;
      }
      if (now - c.lastInteractionMillis > config.timeoutSeconds * 1000L) {
        idle.add(c);
      }
    }
    for (Client c : idle) {
      log.debug("Closing idle client");
      c.channel.close();
    }
  }

  /** All databases, for INFO keyspace and persistence. */
  public Database[] databases() {
    return dbs;
  }

  /** For tests and DEBUG: how many keys across all databases. */
  public long totalKeys() {
    long n = 0;
    for (Database db : dbs) {
      n += db.size();
    }
    return n;
  }

  public Set<Client> monitors() {
    return new HashSet<>(monitors);
  }
}
