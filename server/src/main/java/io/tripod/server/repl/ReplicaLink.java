package io.tripod.server.repl;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tripod.resp.ProtocolException;
import io.tripod.resp.RequestDecoder;
import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.rdb.RdbException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica side of replication (Redis's {@code syncWithMaster}, {@code readSyncBulkPayload}
 * and the master client): connects to the master, runs the handshake, receives the RDB of a full
 * resync or continues with a partial one, then applies the command stream, acknowledging its
 * offset every second.
 *
 * <p>The link's socket lives on the server's event loop, so applying the stream needs no locking.
 * Loading a full-sync RDB blocks the loop for its duration, as it does in Redis.
 *
 * <p>Thread safety: event-loop owned.
 */
public final class ReplicaLink {
  private static final Logger log = LoggerFactory.getLogger(ReplicaLink.class);

  /** Redis's {@code repl_state}, with the word ROLE shows for each. */
  public enum State {
    /** Must connect (cron does it within a second). */
    CONNECT("connect"),
    /** TCP connect in progress. */
    CONNECTING("connecting"),
    /** PING sent, waiting for +PONG (or -NOAUTH). */
    RECEIVE_PING_REPLY("handshake"),
    /** AUTH / REPLCONF burst sent; reading their replies in order. */
    RECEIVE_HANDSHAKE_REPLIES("handshake"),
    /** PSYNC (or SYNC) sent. */
    RECEIVE_PSYNC_REPLY("handshake"),
    /** Receiving the RDB of a full resync. */
    TRANSFER("sync"),
    /** Applying the command stream. */
    CONNECTED("connected");

    public final String roleName;

    State(String roleName) {
      this.roleName = roleName;
    }
  }

  private enum Expect { AUTH, PORT, IP, CAPA }

  public final String host;
  public final int port;
  private final Server server;
  private final Replication repl;
  private State state = State.CONNECT;
  private Channel channel;
  private ByteBuf in;
  private final ArrayDeque<Expect> expected = new ArrayDeque<>();
  private boolean closed;

  /** PSYNC2 cache: the history and applied offset we can ask to continue from. */
  private String cachedReplId;
  private long cachedOffset;

  /** The client the master's commands run as; kept across link losses (Redis's cached master). */
  private Client masterClient;
  private final ByteArrayOutputStream currentCommand = new ByteArrayOutputStream();
  private long readOffset;
  private long appliedOffset;
  private long lastIoMillis;
  /** When the link went down; 0 while up; -1 if it has never been up since REPLICAOF. */
  private long linkDownSinceMillis = -1;
  private boolean prePsync;

  // Full-sync transfer state.
  private String fullReplId;
  private long fullOffset;
  private long transferSize = -2; // -2: header not read; -1: EOF-marked
  private byte[] eofMark;
  private File transferFile;
  private OutputStream transferOut;
  /** repl-diskless-load: the payload goes to {@link #transferMemory}, not to a file. */
  private boolean disklessLoad;
  private MemoryBuffer transferMemory;
  private long transferRead;
  private byte[] tail = new byte[0];
  public long syncStartMillis;

  ReplicaLink(Server server, Replication repl, String host, int port, String cachedReplId, long cachedOffset) {
    this.server = server;
    this.repl = repl;
    this.host = host;
    this.port = port;
    this.cachedReplId = cachedReplId;
    this.cachedOffset = cachedOffset;
    this.lastIoMillis = server.clock.millis();
    activeDecoder.setMaxBulkBytes(Long.MAX_VALUE); // the master is trusted with big arguments
  }

  public State state() {
    return state;
  }

  public boolean isConnected() {
    return state == State.CONNECTED;
  }

  /** Offset applied from the live master link, or -1 when there is none (ROLE). */
  public long roleOffset() {
    return state == State.CONNECTED ? appliedOffset : -1;
  }

  public long readOffset() {
    return state == State.CONNECTED ? readOffset : cachedOffset;
  }

  public long appliedOffset() {
    return state == State.CONNECTED ? appliedOffset : cachedOffset;
  }

  public long lastIoSecondsAgo() {
    return state == State.CONNECTED ? (server.clock.millis() - lastIoMillis) / 1000 : -1;
  }

  public long linkDownSinceSeconds() {
    return linkDownSinceMillis <= 0 ? -1 : (server.clock.millis() - linkDownSinceMillis) / 1000;
  }

  public boolean syncInProgress() {
    return state == State.TRANSFER;
  }

  public long transferRead() {
    return transferRead;
  }

  public long transferSize() {
    return Math.max(0, transferSize);
  }

  String cachedReplId() {
    return state == State.CONNECTED ? repl.replid : cachedReplId;
  }

  // ---- connection ----------------------------------------------------------------------------

  void connect() {
    if (closed || state != State.CONNECT) {
      return;
    }
    state = State.CONNECTING;
    lastIoMillis = server.clock.millis();
    log.info("Connecting to MASTER {}:{}", host, port);
    Bootstrap b = new Bootstrap()
        .group(server.eventLoopGroup())
        .channel(server.socketChannelClass())
        .option(ChannelOption.TCP_NODELAY, !server.config.replDisableTcpNodelay)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1000, server.config.replTimeoutSeconds * 1000))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new Handler());
          }
        });
    ChannelFuture f;
    String source = server.config.bindSourceAddr;
    if (source != null && !source.isEmpty()) {
      f = b.connect(new InetSocketAddress(host, port), new InetSocketAddress(source, 0));
    } else {
      f = b.connect(host, port);
    }
    f.addListener((ChannelFuture cf) -> {
      if (closed) {
        cf.channel().close();
        return;
      }
      if (!cf.isSuccess()) {
        log.warn("Error condition on socket for SYNC: {}", cf.cause() == null ? "?" : cf.cause().getMessage());
        state = State.CONNECT;
        return;
      }
      channel = cf.channel();
      log.info("MASTER <-> REPLICA sync started");
      state = State.RECEIVE_PING_REPLY;
      lastIoMillis = server.clock.millis();
      send("PING");
    });
  }

  /** Drops the link for good (REPLICAOF another master or NO ONE). */
  void close() {
    closed = true;
    abortTransfer();
    if (channel != null) {
      channel.close();
    }
    if (masterClient != null) {
      masterClient = null;
    }
  }

  private void send(String... args) {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    ByteBuf out = channel.alloc().buffer();
    Replication.encode(out, a);
    channel.writeAndFlush(out);
  }

  /** REPLCONF ACK with the applied offset (also the answer to GETACK). */
  void sendAck() {
    if (channel != null && state == State.CONNECTED && !prePsync) {
      send("REPLCONF", "ACK", Long.toString(appliedOffset));
    }
  }

  /** The link broke: keep what we have for a partial resync and reconnect from the cron. */
  private void linkLost(String why) {
    if (closed) {
      return;
    }
    if (state == State.CONNECTED) {
      log.info("Connection with master lost ({}). Caching the disconnected master state.", why);
      cachedReplId = repl.replid;
      cachedOffset = appliedOffset;
      if (masterClient != null) {
        masterClient.inMulti = false;
        masterClient.multiQueue.clear();
        masterClient.multiSpecs.clear();
      }
    } else if (state == State.TRANSFER) {
      abortTransfer();
    }
    linkDownSinceMillis = server.clock.millis();
    state = State.CONNECT;
    if (channel != null) {
      channel.close();
      channel = null;
    }
    if (in != null) {
      in.release();
      in = null;
    }
    currentCommand.reset();
    decoderReset();
  }

  /** A fresh decoder drops a half-parsed command of the dead link. */
  private void decoderReset() {
    replaceDecoder = true;
  }

  private boolean replaceDecoder;
  private RequestDecoder activeDecoder = new RequestDecoder();

  void cron(long now) {
    if (closed) {
      return;
    }
    long timeout = server.config.replTimeoutSeconds * 1000L;
    switch (state) {
      case CONNECT:
        connect();
        break;
      case CONNECTING:
      case RECEIVE_PING_REPLY:
      case RECEIVE_HANDSHAKE_REPLIES:
      case RECEIVE_PSYNC_REPLY:
        if (now - lastIoMillis > timeout) {
          log.warn("Timeout connecting to the MASTER...");
          linkLost("timeout");
        }
        break;
      case TRANSFER:
        if (!loadingTransfer && now - lastIoMillis > timeout) {
          log.warn("Timeout receiving bulk data from MASTER... If the problem persists try to set the "
              + "'repl-timeout' parameter in redis.conf to a larger value.");
          linkLost("timeout");
        }
        break;
      case CONNECTED:
        if (now - lastIoMillis > timeout) {
          log.warn("MASTER timeout: no data nor PING received...");
          linkLost("timeout");
        } else {
          sendAck();
        }
        break;
      default:
        break;
    }
  }

  // ---- input ---------------------------------------------------------------------------------

  private final class Handler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      if (closed || ctx.channel() != channel) {
        b.release();
        return;
      }
      lastIoMillis = server.clock.millis();
      if (state == State.CONNECTED) {
        readOffset += b.readableBytes();
      }
      // Netty's merge: nothing pending, the read buffer becomes the input buffer (no copy of the
      // stream); else it is appended.
      in = in == null ? b : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), in, b);
      try {
        process();
      } catch (ProtocolException | RdbException | IOException e) {
        log.warn("Replication link error: {}", e.getMessage());
        linkLost(e.getMessage());
      }
      if (in != null && !in.isReadable()) {
        in.release();
        in = null;
      } else if (in != null && in.readerIndex() > (1 << 20)) {
        in.discardReadBytes();
      }
      if (state == State.CONNECTED && server.repl.backpressure.held() && ctx.channel() == channel) {
        // Our own replicas lag: read no more of the stream until they drained (Backpressure).
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ctx.channel() == channel) {
        linkLost("connection closed");
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Reads the master's stream again after a backpressure hold. */
  void resumeReads() {
    Channel ch = channel;
    if (ch != null && !ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
    }
  }

  private String readLine() {
    int nl = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    if (nl < 0) {
      if (in.readableBytes() > 64 * 1024) {
        throw new ProtocolException("line too long from master");
      }
      return null;
    }
    int end = nl > in.readerIndex() && in.getByte(nl - 1) == '\r' ? nl - 1 : nl;
    String line = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
    in.readerIndex(nl + 1);
    return line;
  }

  private void process() throws IOException {
    while (in != null && in.isReadable() && !closed) {
      switch (state) {
        case RECEIVE_PING_REPLY: {
          String line = readLine();
          if (line == null) {
            return;
          }
          if (!line.startsWith("+") && !line.startsWith("-NOAUTH") && !line.startsWith("-NOPERM")
              && !line.startsWith("-ERR operation not permitted")) {
            throw new ProtocolException("Error reply to PING from master: '" + line + "'");
          }
          log.info("Master replied to PING, replication can continue...");
          sendHandshake();
          break;
        }
        case RECEIVE_HANDSHAKE_REPLIES: {
          String line = readLine();
          if (line == null) {
            return;
          }
          Expect e = expected.poll();
          if (e == Expect.AUTH && line.startsWith("-")) {
            throw new ProtocolException("Unable to AUTH to MASTER: " + line);
          }
          if (line.startsWith("-")) {
            log.info("(Non critical) Master does not understand REPLCONF {}: {}", e, line);
          }
          if (expected.isEmpty()) {
            sendPsync();
          }
          break;
        }
        case RECEIVE_PSYNC_REPLY: {
          String line = readLine();
          if (line == null) {
            return;
          }
          if (line.isEmpty()) {
            continue; // keepalive newline while the master prepares the sync
          }
          psyncReply(line);
          break;
        }
        case TRANSFER:
          if (loadingTransfer || !transfer()) {
            return;
          }
          break;
        case CONNECTED:
          applyStream();
          return;
        default:
          return;
      }
    }
  }

  private void sendHandshake() {
    state = State.RECEIVE_HANDSHAKE_REPLIES;
    expected.clear();
    String pass = server.config.masterauth;
    if (pass != null && !pass.isEmpty()) {
      String user = server.config.masteruser;
      if (user != null && !user.isEmpty()) {
        send("AUTH", user, pass);
      } else {
        send("AUTH", pass);
      }
      expected.add(Expect.AUTH);
    }
    int announcePort = server.config.replicaAnnouncePort != 0 ? server.config.replicaAnnouncePort : server.boundPort();
    send("REPLCONF", "listening-port", Integer.toString(announcePort));
    expected.add(Expect.PORT);
    String ip = server.config.replicaAnnounceIp;
    if (ip != null && !ip.isEmpty()) {
      send("REPLCONF", "ip-address", ip);
      expected.add(Expect.IP);
    }
    send("REPLCONF", "capa", "eof", "capa", "psync2");
    expected.add(Expect.CAPA);
  }

  /** Sent only once every handshake reply was read: a master refuses PSYNC with pending output. */
  private void sendPsync() {
    state = State.RECEIVE_PSYNC_REPLY;
    if (cachedReplId != null) {
      log.info("Trying a partial resynchronization (request {}:{}).", cachedReplId, cachedOffset + 1);
      send("PSYNC", cachedReplId, Long.toString(cachedOffset + 1));
    } else {
      log.info("Partial resynchronization not possible (no cached master)");
      send("PSYNC", "?", "-1");
    }
  }

  private void psyncReply(String line) {
    if (line.startsWith("+FULLRESYNC")) {
      String[] p = line.split(" ");
      fullReplId = p.length > 1 && p[1].length() == 40 ? p[1] : Replication.NO_ID;
      fullOffset = p.length > 2 ? Long.parseLong(p[2]) : -1;
      log.info("Full resync from master: {}:{}", fullReplId, fullOffset);
      beginTransfer();
    } else if (line.startsWith("+CONTINUE")) {
      String newId = line.length() > 10 ? line.substring(10).trim() : "";
      log.info("Successful partial resynchronization with master.");
      if (newId.length() == 40 && !newId.equals(cachedReplId)) {
        repl.replid2 = cachedReplId;
        repl.secondReplOffset = cachedOffset + 1;
        repl.replid = newId;
        repl.disconnectReplicas();
        log.info("Master replication ID changed to {}", newId);
      }
      if (repl.backlog == null) {
        repl.setReplicationState(repl.replid, cachedOffset);
      }
      readOffset = cachedOffset + in.readableBytes();
      appliedOffset = cachedOffset;
      becomeConnected();
    } else if (line.startsWith("-NOMASTERLINK") || line.startsWith("-LOADING")) {
      log.info("Master is currently unable to PSYNC but should be in the future: {}", line);
      linkLost(line);
    } else if (line.startsWith("-")) {
      log.info("Unexpected reply to PSYNC from master: {}; retrying with SYNC...", line);
      prePsync = true;
      fullReplId = Replication.randomId();
      fullOffset = 0;
      channel.writeAndFlush(Unpooled.copiedBuffer("SYNC\r\n", StandardCharsets.US_ASCII));
      beginTransfer();
    } else {
      throw new ProtocolException("unexpected reply to PSYNC: " + line);
    }
  }

  private void beginTransfer() {
    state = State.TRANSFER;
    transferSize = -2;
    transferRead = 0;
    tail = new byte[0];
    syncStartMillis = server.clock.millis();
  }

  /** Consumes RDB bytes; returns true when the transfer completed (state changed). */
  private boolean transfer() throws IOException {
    if (transferSize == -2) {
      String line = readLine();
      if (line == null) {
        return false;
      }
      if (line.isEmpty()) {
        return true; // keepalive
      }
      if (line.startsWith("-")) {
        throw new ProtocolException("MASTER aborted replication with an error: " + line);
      }
      if (!line.startsWith("$")) {
        throw new ProtocolException("Bad protocol from MASTER, the first byte is not '$' (we received '" + line + "')");
      }
      disklessLoad = useDisklessLoad();
      String to = disklessLoad ? "parser" : "disk";
      if (line.startsWith("$EOF:") && line.length() == 45) {
        eofMark = line.substring(5).getBytes(StandardCharsets.ISO_8859_1);
        transferSize = -1;
        log.info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to {}", to);
      } else {
        transferSize = Long.parseLong(line.substring(1));
        log.info("MASTER <-> REPLICA sync: receiving {} bytes from master to {}", transferSize, to);
      }
      if (disklessLoad) {
        // No file: the payload is kept in memory and parsed from there once complete.
        transferMemory = new MemoryBuffer();
        transferOut = transferMemory;
      } else {
        File dir = new File(server.config.dir);
        transferFile = new File(dir, "temp-" + (System.currentTimeMillis() / 1000) + "." + ProcessHandle.current().pid() + ".rdb");
        transferOut = new BufferedOutputStream(new FileOutputStream(transferFile), 1 << 20);
      }
    }
    int n = in.readableBytes();
    if (transferSize >= 0) {
      int take = (int) Math.min(n, transferSize - transferRead);
      in.readBytes(transferOut, take);
      transferRead += take;
      if (transferRead < transferSize) {
        return false;
      }
    } else {
      // The mark ends the payload. Keep the last 40 bytes back while it has not been seen: they
      // may be its beginning. Bytes after the mark (a master that streams before our first ACK)
      // stay in the input buffer for the command stream.
      byte[] chunk = new byte[tail.length + n];
      System.arraycopy(tail, 0, chunk, 0, tail.length);
      in.readBytes(chunk, tail.length, n);
      int at = indexOf(chunk, eofMark);
      if (at >= 0) {
        transferOut.write(chunk, 0, at);
        transferRead += at;
        tail = new byte[0];
        int rest = chunk.length - at - eofMark.length;
        in.clear();
        in.writeBytes(chunk, at + eofMark.length, rest);
      } else {
        int keep = Math.min(eofMark.length, chunk.length);
        transferOut.write(chunk, 0, chunk.length - keep);
        transferRead += chunk.length - keep;
        tail = Arrays.copyOfRange(chunk, chunk.length - keep, chunk.length);
        return false;
      }
    }
    transferOut.close();
    transferOut = null;
    loadTransfer();
    return true;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Redis's useDisklessLoad: {@code swapdb} always parses the payload without a file; {@code
   * on-empty-db} only when there is no data to lose.
   */
  private boolean useDisklessLoad() {
    String mode = server.config.replDisklessLoad;
    return "swapdb".equals(mode) || ("on-empty-db".equals(mode) && server.totalKeys() == 0);
  }

  /**
   * Loads the received RDB in slices (like the start-up load: clients get -LOADING meanwhile, as
   * from a Redis replica loading a full sync from disk). The state stays TRANSFER ("sync") until
   * the data is in; stream bytes arriving meanwhile wait in the input buffer.
   */
  private void loadTransfer() throws IOException {
    boolean swapdb = disklessLoad && "swapdb".equals(server.config.replDisklessLoad);
    // Redis 7.0's async loading: with swapdb and the same replication history (the master kept
    // our replication id; the full sync is only because our offset left its backlog), the old
    // data is an earlier point of the same data set, so it keeps serving reads while the new one
    // loads aside, and is swapped out at the end.
    boolean async = swapdb && fullReplId.equals(repl.replid);
    io.tripod.server.db.Database[] backup = null;
    io.tripod.server.db.Database[] aside = null;
    if (async) {
      aside = new io.tripod.server.db.Database[server.dbCount()];
      for (int i = 0; i < aside.length; i++) {
        aside[i] = new io.tripod.server.db.Database(i);
      }
    } else if (swapdb) {
      // The current data stays aside while the new one loads, and comes back if the load fails.
      backup = server.detachDatabases();
    } else {
      log.info("MASTER <-> REPLICA sync: Flushing old data");
      server.flush(-1);
    }
    if (!swapdb) {
      repl.disconnectReplicas(); // with swapdb, once the load succeeded (as Redis)
    }
    log.info("MASTER <-> REPLICA sync: Loading DB in memory");
    File file = transferFile;
    MemoryBuffer memory = transferMemory;
    transferMemory = null;
    String from = memory != null ? "socket" : "disk";
    long total = memory != null ? memory.size() : file.length();
    InputStream is = memory != null ? memory.input() : new FileInputStream(file);
    swapBackup = backup;
    asyncTarget = aside;
    RdbLoader.Incremental inc;
    try {
      inc = RdbLoader.begin(server, is, true, aside);
    } catch (RdbException | IOException e) {
      io.tripod.server.persist.RdbPersistence.closeQuietly(is);
      deleteTransferFile(file);
      log.warn("Failed trying to load the MASTER synchronization DB from {}: {}", from, e.getMessage());
      discardLoad();
      throw e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
    }
    loadingTransfer = true;
    int gen = ++loadGeneration;
    server.rdb.startLoading(total);
    server.rdb.asyncLoading = aside != null;
    io.tripod.server.persist.SlicedLoad.Steps rdbSteps = server.rdb.rdbSteps(inc);
    io.tripod.server.persist.SlicedLoad.Steps steps = new io.tripod.server.persist.SlicedLoad.Steps() {
      @Override
      public boolean step() throws Exception {
        if (gen != loadGeneration) {
          throw new IOException("the link with the master was lost during the load");
        }
        return rdbSteps.step();
      }

      @Override
      public long offset() {
        return rdbSteps.offset();
      }
    };
    // Both endings release the input first; a load cancelled meanwhile (abortTransfer cleaned
    // up) ends there.
    java.util.function.BooleanSupplier ended = () -> {
      io.tripod.server.persist.RdbPersistence.closeQuietly(is);
      deleteTransferFile(file);
      if (gen != loadGeneration) {
        return false;
      }
      loadingTransfer = false;
      server.rdb.stopLoading();
      return true;
    };
    new io.tripod.server.persist.SlicedLoad(server, steps, 0, () -> {
      if (!ended.getAsBoolean()) {
        return;
      }
      if (closed) {
        discardLoad();
        return;
      }
      if (swapBackup != null || asyncTarget != null) {
        swapBackup = null;
        repl.disconnectReplicas(); // our replicas must resync from the new data
        log.info("MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
        if (asyncTarget != null) {
          server.installDatabases(asyncTarget);
          asyncTarget = null;
        }
        log.info("MASTER <-> REPLICA sync: Discarding old DB in background");
      }
      try {
        transferLoaded(inc.result);
        process(); // the stream that arrived during the load
      } catch (ProtocolException | RdbException | IOException e) {
        log.warn("Replication link error: {}", e.getMessage());
        linkLost(e.getMessage());
      }
    }, e -> {
      if (!ended.getAsBoolean()) {
        return;
      }
      log.warn("Failed trying to load the MASTER synchronization DB from {}: {}", from, e.getMessage());
      discardLoad();
      if (!closed) {
        linkLost(String.valueOf(e.getMessage()));
      }
    }).start();
  }

  /** A full sync's RDB is loaded: the master client, the replication ids and offsets, CONNECTED. */
  private void transferLoaded(RdbLoader.Result r) {
    masterClient = server.newInternalClient();
    masterClient.isMaster = true;
    masterClient.replyMode = Client.ReplyMode.OFF;
    String streamDb = r.aux.get("repl-stream-db");
    int dbId = 0;
    try {
      dbId = streamDb == null ? 0 : Integer.parseInt(streamDb);
    } catch (NumberFormatException e) {
      dbId = 0;
    }
    masterClient.db = server.db(Math.max(0, Math.min(dbId, server.dbCount() - 1)));
    repl.setReplicationState(fullReplId, fullOffset);
    repl.clearReplid2();
    readOffset = fullOffset + (in == null ? 0 : in.readableBytes());
    appliedOffset = fullOffset;
    log.info("MASTER <-> REPLICA sync: Finished with success ({} keys)", r.keysLoaded);
    becomeConnected();
    if (transferSize == -1) {
      sendAck(); // a diskless master starts the stream on this first ACK
    }
  }

  /** The payload of a diskless load: grows without copying what it already holds. */
  private static final class MemoryBuffer extends OutputStream {
    private final java.util.List<byte[]> blocks = new java.util.ArrayList<>();
    private byte[] current = new byte[64 * 1024];
    private int used;

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (used == current.length) {
          blocks.add(current);
          current = new byte[Math.min(8 << 20, current.length * 2)];
          used = 0;
        }
        int n = Math.min(len, current.length - used);
        System.arraycopy(b, off, current, used, n);
        used += n;
        off += n;
        len -= n;
      }
    }

    long size() {
      long n = used;
      for (byte[] b : blocks) {
        n += b.length;
      }
      return n;
    }

    InputStream input() {
      java.util.List<InputStream> parts = new java.util.ArrayList<>();
      for (byte[] b : blocks) {
        parts.add(new java.io.ByteArrayInputStream(b));
      }
      parts.add(new java.io.ByteArrayInputStream(current, 0, used));
      return new java.io.SequenceInputStream(java.util.Collections.enumeration(parts));
    }
  }

  /** The received RDB is being loaded (in slices); the link waits. */
  private boolean loadingTransfer;
  /** Bumped to cancel a load in progress (the link was lost): its next slice gives up. */
  private int loadGeneration;
  /** repl-diskless-load swapdb: the data set aside while the new one loads (null otherwise). */
  private io.tripod.server.db.Database[] swapBackup;
  /** Async loading: the databases the full sync loads into, installed when it is complete. */
  private io.tripod.server.db.Database[] asyncTarget;

  /** A load failed or was cancelled: the old data comes back (swapdb), else the half-loaded goes. */
  private void discardLoad() {
    if (asyncTarget != null) {
      // Async loading: the old data never left; only the half-loaded copy goes.
      log.info("MASTER <-> REPLICA sync: Discarding temporary DB in background");
      asyncTarget = null;
    } else if (swapBackup != null) {
      log.info("MASTER <-> REPLICA sync: Discarding temporary DB in background");
      server.restoreDatabases(swapBackup);
      swapBackup = null;
    } else {
      server.flush(-1);
    }
  }

  private static void deleteTransferFile(File file) {
    if (file != null) {
      file.delete();
    }
  }

  private void abortTransfer() {
    transferMemory = null;
    if (loadingTransfer) {
      // The link was lost while the RDB loads: stop the load and drop the half-loaded data.
      loadGeneration++;
      loadingTransfer = false;
      server.rdb.stopLoading();
      discardLoad();
    }
    if (transferOut != null) {
      try {
        transferOut.close();
      } catch (IOException e) {
        // nothing to do: the file is deleted next
      }
      transferOut = null;
    }
    if (transferFile != null) {
      transferFile.delete();
      transferFile = null;
    }
  }

  private void becomeConnected() {
    state = State.CONNECTED;
    linkDownSinceMillis = 0;
    if (masterClient == null) {
      masterClient = server.newInternalClient();
      masterClient.isMaster = true;
      masterClient.replyMode = Client.ReplyMode.OFF;
    }
    if (replaceDecoder) {
      activeDecoder = new RequestDecoder();
      activeDecoder.setMaxBulkBytes(Long.MAX_VALUE);
      replaceDecoder = false;
    }
  }

  /**
   * Applies complete commands from the stream. The applied offset moves after each command
   * outside MULTI (inside, it jumps at EXEC), and the applied bytes are forwarded verbatim to our
   * own backlog and replicas, so chained replicas see the same stream and offsets.
   */
  private void applyStream() {
    while (in != null && in.isReadable() && state == State.CONNECTED) {
      int start = in.readerIndex();
      byte[][] argv = activeDecoder.decode(in);
      int consumed = in.readerIndex() - start;
      if (argv != null && currentCommand.size() == 0) {
        // The usual case: the whole command is in this read; it is forwarded from the buffer.
        if (argv.length > 0) {
          server.process(masterClient, argv);
          if (in == null) {
            return; // the command dropped the link (and its buffer)
          }
        }
        forward(in, start, consumed);
        continue;
      }
      if (consumed > 0) {
        byte[] part = new byte[consumed];
        in.getBytes(start, part);
        currentCommand.write(part, 0, consumed);
      }
      if (argv == null) {
        return;
      }
      byte[] raw = currentCommand.toByteArray();
      currentCommand.reset();
      if (argv.length > 0) {
        server.process(masterClient, argv);
      }
      forward(Unpooled.wrappedBuffer(raw), 0, raw.length);
    }
  }

  /**
   * A command applied: its bytes go to our backlog and replicas (chained replication keeps the
   * master's bytes and offsets), or wait for the EXEC of the transaction they belong to.
   */
  private void forward(ByteBuf src, int index, int len) {
    if (!masterClient.inMulti) {
      appliedOffset += len + pendingMultiBytes.size();
      if (pendingMultiBytes.size() > 0) {
        repl.feed(pendingMultiBytes.toByteArray());
        pendingMultiBytes.reset();
      }
      repl.feed(src, index, len);
    } else {
      byte[] raw = new byte[len];
      src.getBytes(index, raw);
      pendingMultiBytes.write(raw, 0, raw.length);
    }
  }

  private final ByteArrayOutputStream pendingMultiBytes = new ByteArrayOutputStream();
}
