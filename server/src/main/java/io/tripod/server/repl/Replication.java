package io.tripod.server.repl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import io.tripod.resp.RespWriter;
import io.tripod.server.Client;
import io.tripod.server.Propagator;
import io.tripod.server.Server;
import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication, master side (Redis's {@code replication.c}): the replication ids and offset, the
 * backlog, the replicas and their full and partial resynchronizations, and the command stream.
 * The replica side is {@link ReplicaLink}.
 *
 * <p>Every write the server applies arrives through {@link #propagate} and is encoded once as
 * RESP (with a SELECT when the database changes), appended to the backlog and to each online
 * replica; replicas still syncing queue it until their RDB is sent.
 *
 * <p>Thread safety: event-loop owned.
 */
public final class Replication implements Propagator {
  private static final Logger log = LoggerFactory.getLogger(Replication.class);
  public static final String NO_ID = "0000000000000000000000000000000000000000";
  private static final byte[] PING = RespWriter.ascii("*1\r\n$4\r\nping\r\n");

  private final Server server;
  public String replid;
  public String replid2 = NO_ID;
  public long secondReplOffset = -1;
  /** master_repl_offset when there is no backlog yet (it only advances with one). */
  private long offsetWithoutBacklog;
  public Backlog backlog;
  /** Database last selected in the stream; -1 forces a SELECT before the next command. */
  int streamDb = -1;
  public final List<Replica> replicas = new ArrayList<>();
  private final List<Replica> snapshotReplicas = new ArrayList<>();
  private long noReplicasSinceMillis;
  private long cronLoops;
  /** The replica side: non-null while this server follows a master. */
  public ReplicaLink link;
  /** Holds writes while a replica lags by more than repl-backpressure-size. */
  public final Backpressure backpressure;

  public Replication(Server server) {
    this.server = server;
    this.backpressure = new Backpressure(server, this);
    this.replid = randomId();
    this.noReplicasSinceMillis = server.clock.millis();
  }

  static String randomId() {
    java.security.SecureRandom r = new java.security.SecureRandom();
    StringBuilder sb = new StringBuilder(40);
    for (int i = 0; i < 40; i++) {
      sb.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return sb.toString();
  }

  /** Starts the 1 Hz replication cron (Redis's replicationCron). */
  public void start() {
    server.schedule(this::cron, 1000, TimeUnit.MILLISECONDS);
    if (server.config.masterHost != null) {
      // From the config file: nothing cached to continue from (unless an RDB said so).
      link = new ReplicaLink(server, this, server.config.masterHost, server.config.masterPort, null, 0);
      server.replicaOfMaster = true;
      link.connect();
    }
  }

  public long masterReplOffset() {
    return backlog != null ? backlog.masterOffset() : offsetWithoutBacklog;
  }

  public boolean isReplica() {
    return link != null;
  }

  public Snapshot snapshot() {
    return server.snapshot;
  }

  // ---- the stream ----------------------------------------------------------------------------

  @Override
  public void propagate(int dbId, byte[][] argv) {
    if (link != null) {
      return; // a replica forwards its master's stream verbatim instead (chained replication)
    }
    if (backlog == null && replicas.isEmpty()) {
      return;
    }
    ByteBuf out = scratch;
    out.clear();
    if (dbId != streamDb) {
      encode(out, new byte[][] {SELECT, RespWriter.ascii(Integer.toString(dbId))});
      streamDb = dbId;
    }
    encode(out, argv);
    feed(out, 0, out.writerIndex());
    if (out.capacity() > 1 << 20) {
      scratch = Unpooled.buffer(4096); // a huge command: do not keep its buffer
    }
  }

  private static final byte[] SELECT = RespWriter.ascii("SELECT");
  /** Where {@link #propagate} encodes a command (reused: one copy less per write). */
  private ByteBuf scratch = Unpooled.buffer(4096);

  /** Appends {@code argv} as a RESP array of bulk strings. */
  static void encode(ByteBuf out, byte[][] argv) {
    out.writeByte('*');
    writeDecimal(out, argv.length);
    out.writeShort(CRLF);
    for (byte[] a : argv) {
      out.writeByte('$');
      writeDecimal(out, a.length);
      out.writeShort(CRLF);
      out.writeBytes(a);
      out.writeShort(CRLF);
    }
  }

  private static final int CRLF = ('\r' << 8) | '\n';

  private static void writeDecimal(ByteBuf out, int n) {
    if (n < 10) {
      out.writeByte('0' + n);
      return;
    }
    int digits = 1;
    for (int x = n / 10; x > 0; x /= 10) {
      digits++;
    }
    int at = out.writerIndex();
    out.ensureWritable(digits);
    for (int i = at + digits - 1; i >= at; i--) {
      out.setByte(i, '0' + n % 10);
      n /= 10;
    }
    out.writerIndex(at + digits);
  }

  /** {@link #feed(ByteBuf, int, int)} of a whole array. */
  public void feed(byte[] bytes) {
    feed(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
  }

  /**
   * Adds stream bytes ({@code len} bytes of {@code src} from {@code index}, which is not
   * retained): to the backlog and to every replica (queued for replicas that are not online yet).
   * Also used by a replica to forward its master's stream to its own replicas.
   */
  public void feed(ByteBuf src, int index, int len) {
    if (backlog == null) {
      createBacklog();
    }
    backlog.append(src, index, len);
    boolean shared = false;
    for (Replica r : replicas) {
      if (r.client.closeAsap) {
        continue;
      }
      if (r.state == Replica.State.ONLINE && !r.startStreamOnAck) {
        if (r.client.channel() == null) {
          r.client.pushBuf().writeBytes(src, index, len);
          continue;
        }
        if (r.turnStart < 0) {
          if (turnBuf == null) {
            turnBuf = r.client.channel().alloc().directBuffer(Math.max(64 * 1024, len));
          }
          r.turnStart = turnBuf.writerIndex();
          turnReplicas.add(r);
          server.markPendingWrite(r.client);
        }
        shared = true;
      } else if (r.state != Replica.State.WAIT_BGSAVE_START) {
        byte[] copy = new byte[len];
        src.getBytes(index, copy);
        r.pending.add(copy);
        r.pendingBytes += len;
        io.tripod.server.OutputLimits.check(r.client);
      }
    }
    if (shared) {
      turnBuf.writeBytes(src, index, len);
    }
  }

  /**
   * The stream bytes of the current turn of the loop, written once for all the replicas that
   * stream (Redis 7's shared replication buffer): each replica's flush hands its channel a
   * retained slice of it from {@link Replica#turnStart}, instead of a copy per replica.
   */
  private io.netty.buffer.ByteBuf turnBuf;
  private final List<Replica> turnReplicas = new ArrayList<>();

  /** Bytes of {@code c}'s part of the shared stream buffer not yet handed to its channel. */
  public long sharedPendingBytes(Client c) {
    Replica r = c.replica;
    return r == null || r.turnStart < 0 || turnBuf == null ? 0 : turnBuf.writerIndex() - r.turnStart;
  }

  /**
   * Hands {@code c}'s part of the shared stream buffer to its channel (after its own output, which
   * the caller wrote first), or drops it when {@code write} is false (the client is closing).
   */
  public void flushShared(Client c, boolean write) {
    Replica r = c.replica;
    if (r == null || r.turnStart < 0) {
      return;
    }
    int start = r.turnStart;
    r.turnStart = -1;
    turnReplicas.remove(r);
    if (turnBuf != null) {
      int len = turnBuf.writerIndex() - start;
      Channel ch = c.channel();
      if (write && len > 0 && ch != null) {
        server.stats.totalNetReplOutputBytes += len;
        ch.writeAndFlush(turnBuf.retainedSlice(start, len), ch.voidPromise());
      }
      if (turnReplicas.isEmpty()) {
        turnBuf.release(); // the slices keep what the channels still need
        turnBuf = null;
      }
    }
  }

  private void createBacklog() {
    backlog = new Backlog((int) Math.min(Integer.MAX_VALUE - 64, server.config.replBacklogSize),
        offsetWithoutBacklog);
  }

  // ---- SYNC / PSYNC --------------------------------------------------------------------------

  /**
   * SYNC and PSYNC (Redis's {@code syncCommand}). Outcomes: ignored (already a replica), an error
   * (not connected to our own master, pending output), a partial resync ({@code +CONTINUE} and the
   * backlog tail), or a full resync ({@code +FULLRESYNC}, then the RDB, then the stream).
   */
  public void sync(Client c, byte[][] argv) {
    if (c.isReplica) {
      return;
    }
    if (link != null && !link.isConnected()) {
      c.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (c.hasPendingReplies()) {
      c.err("SYNC and PSYNC are invalid with pending output");
      return;
    }
    boolean psync = argv[0].length == 5;
    Replica r = new Replica(c, server.clock.millis());
    Replica announced = c.replicaHandshake;
    if (announced != null) {
      r.listeningPort = announced.listeningPort;
      r.ipAddress = announced.ipAddress;
      r.capaEof = announced.capaEof;
      r.capaPsync2 = announced.capaPsync2;
    }
    if (psync) {
      String id = new String(argv[1], StandardCharsets.ISO_8859_1);
      Long off = io.tripod.server.util.Bytes.parseLongOrNull(argv[2]);
      if (off == null) {
        c.notInteger();
        return;
      }
      if (tryPartialResync(c, r, id, off)) {
        server.stats.syncPartialOk++;
        return;
      }
      if (!id.equals("?")) {
        server.stats.syncPartialErr++;
      }
    } else {
      r.prePsync = true;
    }
    server.stats.syncFull++;
    c.isReplica = true;
    c.replica = r;
    backpressure.watch(c);
    replicas.add(r);
    if (backlog == null) {
      // First replica: a new history (Redis changes the replid when it creates the backlog).
      replid = randomId();
      clearReplid2();
      createBacklog();
      log.info("Replication backlog created, my new replication IDs are '{}' and '{}'", replid, replid2);
    }
    log.info("Replica {} asks for synchronization", r.announcedIp() + ":" + r.listeningPort);
    maybeStartSnapshot();
  }

  /** Redis's masterTryPartialResynchronization. */
  private boolean tryPartialResync(Client c, Replica r, String id, long offset) {
    boolean idOk = id.equalsIgnoreCase(replid)
        || (id.equalsIgnoreCase(replid2) && offset <= secondReplOffset);
    if (!idOk || backlog == null || !backlog.canServe(offset)) {
      if (!id.equals("?")) {
        log.info("Partial resynchronization not accepted: {}", !idOk ? "Replication ID mismatch"
            : "Requested offset " + offset + " not in the backlog");
      }
      return false;
    }
    c.isReplica = true;
    c.replica = r;
    backpressure.watch(c);
    r.state = Replica.State.ONLINE;
    r.ackTimeMillis = server.clock.millis();
    replicas.add(r);
    backpressure.update();
    String line = r.capaPsync2 ? "+CONTINUE " + replid + "\r\n" : "+CONTINUE\r\n";
    c.pushBuf().writeBytes(line.getBytes(StandardCharsets.US_ASCII));
    byte[] tail = backlog.copyFrom(offset);
    c.pushBuf().writeBytes(tail);
    server.markPendingWrite(c);
    log.info("Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
        r.announcedIp() + ":" + r.listeningPort, tail.length, offset);
    return true;
  }

  /** Starts a snapshot for waiting replicas now, unless the diskless delay asks to wait. */
  public void maybeStartSnapshot() {
    if (server.snapshot != null) {
      return; // a snapshot is running (ours or a BGSAVE): waiting replicas get the next one
    }
    List<Replica> waiting = new ArrayList<>();
    for (Replica r : replicas) {
      if (r.state == Replica.State.WAIT_BGSAVE_START) {
        waiting.add(r);
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    boolean diskless = server.config.replDisklessSync && allCapaEof(waiting);
    if (diskless && server.config.replDisklessSyncDelaySeconds > 0) {
      long oldest = Long.MAX_VALUE;
      for (Replica r : waiting) {
        oldest = Math.min(oldest, r.waitStartMillis);
      }
      int max = server.config.replDisklessSyncMaxReplicas;
      boolean enough = max > 0 && waiting.size() >= max;
      if (!enough && server.clock.millis() - oldest < server.config.replDisklessSyncDelaySeconds * 1000L) {
        return; // the cron tries again
      }
    }
    startSnapshot(waiting, diskless);
  }

  private static boolean allCapaEof(List<Replica> rs) {
    for (Replica r : rs) {
      if (!r.capaEof) {
        return false;
      }
    }
    return true;
  }

  private void startSnapshot(List<Replica> waiting, boolean diskless) {
    long offset = masterReplOffset();
    for (Replica r : waiting) {
      r.state = Replica.State.WAIT_BGSAVE_END;
      r.fullSyncOffset = offset;
      if (!r.prePsync) {
        r.client.pushBuf().writeBytes(("+FULLRESYNC " + replid + " " + offset + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        server.markPendingWrite(r.client);
      }
    }
    // The next propagated command must say which database it is for.
    streamDb = -1;
    snapshotReplicas.clear();
    snapshotReplicas.addAll(waiting);
    Snapshot.Sink sink = diskless ? new SocketSink(new ArrayList<>(waiting)) : new FileSink(new ArrayList<>(waiting));
    Snapshot snap = new Snapshot(server, server.nextSnapshotEpoch(), sink, server.config.rdbcompression,
        server.config.rdbchecksum);
    server.snapshot = snap;
    log.info("Starting BGSAVE for SYNC with target: {}", diskless ? "replicas sockets" : "disk");
    snap.onDone(() -> {
      server.snapshot = null;
      server.execute(this::maybeStartSnapshot);
    });
    snap.start(replid, offset, -1);
  }

  /** Diskless transfer: {@code $EOF:<mark>} framing written straight to the replica sockets. */
  private final class SocketSink implements Snapshot.Sink {
    private static final long MAX_IN_FLIGHT = 1 << 20;
    private final List<Replica> targets;
    private final byte[] mark = randomId().getBytes(StandardCharsets.US_ASCII);

    SocketSink(List<Replica> targets) {
      this.targets = targets;
      byte[] head = ("$EOF:" + new String(mark, StandardCharsets.US_ASCII) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      for (Replica r : targets) {
        r.client.pushBuf().writeBytes(head);
        server.markPendingWrite(r.client);
      }
    }

    @Override
    public void write(byte[] chunk, int len) {
      targets.removeIf(r -> r.client.isClosed());
      for (Replica r : targets) {
        r.client.pushBuf().writeBytes(chunk, 0, len);
        server.markPendingWrite(r.client);
      }
      if (targets.isEmpty() && server.snapshot != null) {
        server.snapshot.abort();
      }
    }

    /**
     * True while any target still holds {@link #MAX_IN_FLIGHT} bytes or more that the socket has
     * not taken (our batch plus Netty's outbound buffer; writability alone would only see flushed
     * bytes): the walk produces the next slice only when the slowest replica drained, so a fast
     * walk never piles the whole RDB up in memory.
     */
    @Override
    public boolean backpressured() {
      for (Replica r : targets) {
        if (!r.client.isClosed() && !r.client.closeAsap
            && io.tripod.server.OutputLimits.unsentBytes(r.client) >= MAX_IN_FLIGHT) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void done(boolean ok) {
      for (Replica r : targets) {
        if (r.client.isClosed()) {
          continue;
        }
        if (!ok) {
          server.closeClient(r.client);
          continue;
        }
        r.client.pushBuf().writeBytes(mark);
        server.markPendingWrite(r.client);
        r.state = Replica.State.ONLINE;
        r.startStreamOnAck = true;
        r.ackTimeMillis = server.clock.millis();
        log.info("Synchronization with replica {} succeeded", r.announcedIp() + ":" + r.listeningPort);
      }
    }
  }

  /** Disk transfer: the RDB goes to a temp file, then {@code $<len>} and the file are sent. */
  private final class FileSink implements Snapshot.Sink {
    private final List<Replica> targets;
    private final File file;
    private OutputStream out;

    FileSink(List<Replica> targets) {
      this.targets = targets;
      File dir = new File(server.config.dir);
      this.file = new File(dir, "temp-sync-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".rdb");
      try {
        out = new java.io.BufferedOutputStream(new FileOutputStream(file), 1 << 20);
      } catch (IOException e) {
        log.warn("Can't open the sync file {}: {}", file, e.toString());
      }
    }

    @Override
    public void write(byte[] chunk, int len) {
      if (out == null) {
        return;
      }
      try {
        out.write(chunk, 0, len);
      } catch (IOException e) {
        log.warn("Write error saving DB on disk: {}", e.toString());
        out = null;
      }
    }

    @Override
    public boolean backpressured() {
      return false;
    }

    @Override
    public void done(boolean ok) {
      boolean good = ok && out != null;
      try {
        if (out != null) {
          out.close();
        }
      } catch (IOException e) {
        good = false;
      }
      long len = file.length();
      for (Replica r : targets) {
        if (r.client.isClosed()) {
          continue;
        }
        if (!good) {
          server.closeClient(r.client);
          continue;
        }
        r.state = Replica.State.SEND_BULK;
        r.client.pushBuf().writeBytes(("$" + len + "\r\n").getBytes(StandardCharsets.US_ASCII));
        server.markPendingWrite(r.client);
        Channel ch = r.client.channel();
        server.execute(() -> {
          io.tripod.server.net.ClientHandler.flush(r.client);
          ch.writeAndFlush(new DefaultFileRegion(file, 0, len)).addListener(f -> server.execute(() -> {
            if (!f.isSuccess() || r.client.isClosed()) {
              return;
            }
            r.state = Replica.State.ONLINE;
            r.ackTimeMillis = server.clock.millis();
            flushPending(r);
            backpressure.update();
            log.info("Synchronization with replica {} succeeded", r.announcedIp() + ":" + r.listeningPort);
          }));
        });
      }
      // Delete once every transfer finished (a FileRegion keeps its own descriptor open).
      server.schedule(() -> file.delete(), 60, TimeUnit.SECONDS);
    }
  }

  private void flushPending(Replica r) {
    for (byte[] b : r.pending) {
      r.client.pushBuf().writeBytes(b);
    }
    r.pending.clear();
    r.pendingBytes = 0;
    server.markPendingWrite(r.client);
  }

  // ---- REPLCONF ------------------------------------------------------------------------------

  /** REPLCONF option value [option value ...]. */
  public void replconf(Client c, byte[][] argv) {
    if ((argv.length - 1) % 2 != 0) {
      c.syntaxError();
      return;
    }
    Replica hs = c.replicaHandshake;
    if (hs == null) {
      hs = new Replica(c, server.clock.millis());
      c.replicaHandshake = hs;
    }
    for (int i = 1; i < argv.length; i += 2) {
      String opt = io.tripod.server.util.Bytes.lower(argv[i]);
      byte[] val = argv[i + 1];
      switch (opt) {
        case "listening-port": {
          Long p = io.tripod.server.util.Bytes.parseLongOrNull(val);
          if (p == null) {
            c.notInteger();
            return;
          }
          hs.listeningPort = p.intValue();
          break;
        }
        case "ip-address":
          hs.ipAddress = new String(val, StandardCharsets.ISO_8859_1);
          break;
        case "capa":
          if (io.tripod.server.util.Bytes.eqIgnoreCase(val, "eof")) {
            hs.capaEof = true;
          } else if (io.tripod.server.util.Bytes.eqIgnoreCase(val, "psync2")) {
            hs.capaPsync2 = true;
          }
          break;
        case "ack": {
          Replica r = replicaOf(c);
          if (r == null) {
            return;
          }
          Long off = io.tripod.server.util.Bytes.parseLongOrNull(val);
          if (off != null && off > r.ackOffset) {
            r.ackOffset = off;
          }
          r.ackTimeMillis = server.clock.millis();
          if (r.startStreamOnAck && r.state == Replica.State.ONLINE) {
            r.startStreamOnAck = false;
            flushPending(r);
            backpressure.update();
          }
          server.waiters.ackReceived();
          return; // no reply
        }
        case "getack":
          if (link != null && c.isMaster) {
            link.sendAck();
          }
          return; // no reply
        case "rdb-only":
        case "rdb-filter-only":
          break;
        default:
          c.err("Unrecognized REPLCONF option: " + new String(argv[i], StandardCharsets.UTF_8));
          return;
      }
    }
    c.ok();
  }

  private Replica replicaOf(Client c) {
    for (Replica r : replicas) {
      if (r.client == c) {
        return r;
      }
    }
    return null;
  }

  /** A replica connection went away. */
  public void removeClient(Client c) {
    flushShared(c, false);
    replicas.removeIf(r -> r.client == c);
    backpressure.update();
    if (replicas.isEmpty()) {
      noReplicasSinceMillis = server.clock.millis();
    }
  }

  // ---- ids -----------------------------------------------------------------------------------

  void clearReplid2() {
    replid2 = NO_ID;
    secondReplOffset = -1;
  }

  /** Promotion: the old history stays valid up to our offset (PSYNC2's shiftReplicationId). */
  void shiftReplicationId() {
    replid2 = replid;
    secondReplOffset = masterReplOffset() + 1;
    replid = randomId();
    log.info("Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        replid2, secondReplOffset, replid);
  }

  /** Adopts a master's history (after a full sync, or +CONTINUE with a new id). */
  void setReplicationState(String id, long offset) {
    replid = id;
    if (backlog != null) {
      backlog = new Backlog(backlog.size(), offset);
    } else {
      offsetWithoutBacklog = offset;
      createBacklog();
    }
  }

  // ---- replica side entry points ---------------------------------------------------------------

  /** REPLICAOF host port: follow a master (asynchronously). */
  public void setMaster(String host, int port) {
    boolean wasMaster = link == null;
    if (link != null) {
      link.close();
    }
    // Our own history becomes the cached master we try to continue from (PSYNC2).
    link = new ReplicaLink(server, this, host, port, wasMaster ? replid : link.cachedReplId(),
        masterReplOffset());
    server.replicaOfMaster = true;
    disconnectReplicas();
    link.connect();
  }

  /** REPLICAOF NO ONE: become a master, keeping the history for PSYNC2. */
  public void unsetMaster() {
    if (link == null) {
      return;
    }
    link.close();
    link = null;
    server.replicaOfMaster = false;
    shiftReplicationId();
    disconnectReplicas();
    streamDb = -1;
    log.info("MASTER MODE enabled");
  }

  void disconnectReplicas() {
    for (Replica r : new ArrayList<>(replicas)) {
      server.closeClient(r.client);
    }
    replicas.clear();
  }

  // ---- cron ----------------------------------------------------------------------------------

  private void cron() {
    try {
      cronLoops++;
      long now = server.clock.millis();
      if (link != null) {
        link.cron(now);
      }
      // Keep replicas waiting for a snapshot alive, and start delayed diskless syncs.
      for (Replica r : replicas) {
        if (r.state == Replica.State.WAIT_BGSAVE_START) {
          r.client.pushBuf().writeByte('\n');
          server.markPendingWrite(r.client);
        }
      }
      maybeStartSnapshot();
      int period = Math.max(1, server.config.replPingReplicaPeriodSeconds);
      if (link == null && !replicas.isEmpty() && cronLoops % period == 0) {
        streamPing();
      }
      long timeoutMillis = server.config.replTimeoutSeconds * 1000L;
      for (Replica r : new ArrayList<>(replicas)) {
        if (r.state == Replica.State.ONLINE && !r.prePsync && now - r.ackTimeMillis > timeoutMillis) {
          log.warn("Disconnecting timedout replica (streaming sync): {}", r.announcedIp() + ":" + r.listeningPort);
          server.closeClient(r.client);
        }
      }
      if (link == null && replicas.isEmpty() && backlog != null && server.config.replBacklogTtlSeconds > 0
          && now - noReplicasSinceMillis > server.config.replBacklogTtlSeconds * 1000L) {
        offsetWithoutBacklog = backlog.masterOffset();
        backlog = null;
        replid = randomId();
        clearReplid2();
        log.info("Replication backlog freed after {} seconds without connected replicas.",
            server.config.replBacklogTtlSeconds);
      }
      server.waiters.cron();
      backpressure.rewatch(); // CONFIG SET of the limits
      backpressure.update(); // also picks up CONFIG SET repl-backpressure-size 0
    } catch (RuntimeException e) {
      log.error("replication cron failed", e);
    } finally {
      server.schedule(this::cron, 1000, TimeUnit.MILLISECONDS);
    }
  }

  /** The hold lifted: a chained replica reads its master's stream again. */
  void resumeLinkReads() {
    if (link != null) {
      link.resumeReads();
    }
  }

  /** The PING masters put in the stream so replicas can detect a dead link. */
  private void streamPing() {
    feed(PING);
  }

  /** Broadcasts REPLCONF GETACK * (for WAIT). */
  public void sendGetAck() {
    if (link == null && !replicas.isEmpty()) {
      feed(RespWriter.ascii("*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"));
    }
  }

  /** Online replicas whose acknowledged offset reached {@code offset}. */
  public int replicasAcked(long offset) {
    int n = 0;
    for (Replica r : replicas) {
      if (r.state == Replica.State.ONLINE && r.ackOffset >= offset) {
        n++;
      }
    }
    return n;
  }

  /** Replicas that receive the command stream now (what replica-ack-writes waits for). */
  public int streamingReplicas() {
    int n = 0;
    for (Replica r : replicas) {
      if (r.state == Replica.State.ONLINE && !r.startStreamOnAck) {
        n++;
      }
    }
    return n;
  }

  /** min-replicas-to-write: replicas online with a recent ACK. */
  public int goodReplicas() {
    long now = server.clock.millis();
    int n = 0;
    for (Replica r : replicas) {
      if (r.state == Replica.State.ONLINE && now - r.ackTimeMillis <= server.config.minReplicasMaxLagSeconds * 1000L) {
        n++;
      }
    }
    return n;
  }

  // ---- INFO ----------------------------------------------------------------------------------

  /** The body of INFO's {@code # Replication} section, in Redis 7.0's field order. */
  public String info() {
    StringBuilder sb = new StringBuilder();
    long now = server.clock.millis();
    if (link == null) {
      sb.append("role:master\r\n");
    } else {
      sb.append("role:slave\r\n");
      sb.append("master_host:").append(link.host).append("\r\n");
      sb.append("master_port:").append(link.port).append("\r\n");
      sb.append("master_link_status:").append(link.isConnected() ? "up" : "down").append("\r\n");
      sb.append("master_last_io_seconds_ago:").append(link.lastIoSecondsAgo()).append("\r\n");
      sb.append("master_sync_in_progress:").append(link.syncInProgress() ? 1 : 0).append("\r\n");
      sb.append("slave_read_repl_offset:").append(link.readOffset()).append("\r\n");
      sb.append("slave_repl_offset:").append(link.appliedOffset()).append("\r\n");
      if (link.syncInProgress()) {
        long total = link.transferSize();
        long read = link.transferRead();
        sb.append("master_sync_total_bytes:").append(total).append("\r\n");
        sb.append("master_sync_read_bytes:").append(read).append("\r\n");
        sb.append("master_sync_left_bytes:").append(Math.max(0, total - read)).append("\r\n");
        sb.append("master_sync_perc:").append(String.format("%.2f", total > 0 ? read * 100.0 / total : 0.0)).append("\r\n");
        sb.append("master_sync_last_io_seconds_ago:0\r\n");
      }
      if (!link.isConnected()) {
        sb.append("master_link_down_since_seconds:").append(link.linkDownSinceSeconds()).append("\r\n");
      }
      sb.append("slave_priority:").append(server.config.replicaPriority).append("\r\n");
      sb.append("slave_read_only:").append(server.config.replicaReadOnly ? 1 : 0).append("\r\n");
      sb.append("replica_announced:").append(server.config.replicaAnnounced ? 1 : 0).append("\r\n");
    }
    sb.append("connected_slaves:").append(replicas.size()).append("\r\n");
    if (server.config.minReplicasToWrite > 0 && server.config.minReplicasMaxLagSeconds > 0) {
      sb.append("min_slaves_good_slaves:").append(goodReplicas()).append("\r\n");
    }
    int i = 0;
    for (Replica r : replicas) {
      long lag = r.state == Replica.State.ONLINE ? (now - r.ackTimeMillis) / 1000 : 0;
      sb.append("slave").append(i++).append(":ip=").append(r.announcedIp()).append(",port=")
          .append(r.listeningPort).append(",state=").append(r.state.infoName).append(",offset=")
          .append(r.ackOffset).append(",lag=").append(lag).append("\r\n");
    }
    sb.append("master_failover_state:no-failover\r\n");
    sb.append("master_replid:").append(replid).append("\r\n");
    sb.append("master_replid2:").append(replid2).append("\r\n");
    sb.append("master_repl_offset:").append(masterReplOffset()).append("\r\n");
    sb.append("second_repl_offset:").append(secondReplOffset).append("\r\n");
    sb.append("repl_backlog_active:").append(backlog != null ? 1 : 0).append("\r\n");
    sb.append("repl_backlog_size:").append(server.config.replBacklogSize).append("\r\n");
    sb.append("repl_backlog_first_byte_offset:").append(backlog != null ? backlog.firstByteOffset() : 0).append("\r\n");
    sb.append("repl_backlog_histlen:").append(backlog != null ? backlog.histlen() : 0).append("\r\n");
    return sb.toString();
  }
}
