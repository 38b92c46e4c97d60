package io.tripod.proxy.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.lb.Backend;
import io.tripod.proxy.lb.Server;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One proxied TCP session: the client channel, the server channel opened on the same event loop,
 * bytes relayed both ways with backpressure (a side stops reading while the other side is not
 * writable), half-close forwarded, connect retries/redispatch (reference §5), inactivity timeouts
 * (client/server), and the tcplog line at the end. All methods run on the client's event loop.
 */
public final class Session extends ChannelInboundHandlerAdapter
    implements Server.Killable, Server.Redispatchable, Backend.Queued {
  private static final DateTimeFormatter LOG_DATE =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS", Locale.ENGLISH).withZone(ZoneId.systemDefault());

  private final Forwarder fw;
  private final Frontend fe;
  private final Backend be;
  private final ProxyConfig px;
  private Channel client;
  private Channel srv;
  private Server server;
  private String srvName = "<NOSRV>";
  private final long acceptMs = System.currentTimeMillis();
  private final long acceptNs = System.nanoTime();
  private long tConnect = -1;
  private int retries;
  private boolean redispatched;
  private long bytesOut; // server -> client
  private long bytesIn; // client -> server
  private char term1 = 0;
  private char term2 = 0;
  private boolean clientInputShut;
  private boolean serverInputShut;
  private boolean ended;
  private boolean noServer;
  /** Inactivity timeout (min of timeout client/server; c or s for the log), 0 = none. */
  private long idleLimitNs;
  private boolean queued;
  private long queuedAt;
  private long tw;
  private io.netty.util.concurrent.ScheduledFuture<?> queueTimer;
  private char idleCode;
  private long lastActivity;
  /** The pending connect retry (after a refused/timed out connect), null otherwise. */
  private io.netty.util.concurrent.ScheduledFuture<?> retryTimer;

  public Session(Forwarder fw, Frontend fe) {
    this.fw = fw;
    this.fe = fe;
    this.be = fe.backend;
    this.px = be != null ? be.cfg : fe.cfg;
  }

  // ------------------------------------------------------------------ client side

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
    fw.actconn.incrementAndGet();
    fe.opened();
    if (be != null) {
      int c = be.cur.incrementAndGet();
      be.smax.accumulateAndGet(c, Math::max);
      be.stot.incrementAndGet();
      be.rate.add(acceptMs);
      be.lastSession = acceptMs;
    }
    long tc = fe.cfg.effectiveClientTimeout();
    long ts = px.effectiveServerTimeout();
    if (tc > 0 || ts > 0) {
      idleLimitNs = TimeUnit.MILLISECONDS.toNanos(tc > 0 && (ts <= 0 || tc <= ts) ? tc : ts);
      idleCode = tc > 0 && (ts <= 0 || tc <= ts) ? 'c' : 's';
      lastActivity = System.nanoTime();
      client.eventLoop().schedule(this::idleCheck, idleLimitNs, TimeUnit.NANOSECONDS);
    }
    if (be == null) {
      noServer("S", 'C');
      return;
    }
    pickAndConnect(null);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf b = (ByteBuf) msg;
    int n = b.readableBytes();
    bytesIn += n;
    if (idleLimitNs > 0) {
      lastActivity = System.nanoTime();
    }
    fe.bin.add(n);
    if (srv == null || !srv.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    server.bin.add(n);
    srv.write(msg, srv.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (srv != null) {
      srv.flush();
      if (!srv.isWritable()) {
        client.config().setAutoRead(false);
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (srv != null && client.isWritable() && !serverInputShut) {
      srv.config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      clientInputShut = true;
      if (srv != null && srv.isActive()) {
        srv.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) srv).shutdownOutput());
      }
      if (srv == null || serverInputShut) {
        closeBoth();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!clientInputShut) {
      setTerm('C', srv == null ? 'C' : 'D');
    }
    closeBoth();
    maybeEnd();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    setTerm('C', srv == null ? 'C' : 'D');
    closeBoth();
  }

  /**
   * Inactivity timeout without a per-read timer: reads on either side stamp {@link #lastActivity};
   * one scheduled task per session re-arms itself for the remaining time.
   */
  private void idleCheck() {
    if (ended || !client.isOpen()) {
      return;
    }
    long idle = System.nanoTime() - lastActivity;
    if (idle >= idleLimitNs) {
      setTerm(idleCode, srv == null ? 'C' : 'D');
      closeBoth();
    } else {
      client.eventLoop().schedule(this::idleCheck, idleLimitNs - idle, TimeUnit.NANOSECONDS);
    }
  }

  // ------------------------------------------------------------------ connect

  private int clientHash() {
    InetSocketAddress a = (InetSocketAddress) client.remoteAddress();
    return a == null ? 0 : java.util.Arrays.hashCode(a.getAddress().getAddress());
  }

  private void pickAndConnect(Server exclude) {
    Server s = be.select(clientHash(), exclude);
    if (s == null || s.full()) {
      if (be.hasUsableServer()) {
        enqueue(); // every usable server is at its maxconn
        return;
      }
      noServer("S", 'C');
      return;
    }
    server = s;
    srvName = s.name();
    s.sessionStarted();
    be.lbtot.incrementAndGet();
    connect();
  }

  private void enqueue() {
    queued = true;
    queuedAt = System.nanoTime();
    int q = be.qcur.incrementAndGet();
    be.qmax.accumulateAndGet(q, Math::max);
    long tq = px.timeoutQueue >= 0 ? px.timeoutQueue : px.timeoutConnect;
    if (tq > 0) {
      queueTimer = client.eventLoop().schedule(this::queueTimeout, tq, TimeUnit.MILLISECONDS);
    }
    be.queue.add(this);
  }

  /** Leaves the queue (on this session's loop); false when it was not queued any more. */
  private boolean unqueue() {
    if (!queued) {
      return false;
    }
    queued = false;
    be.queue.remove(this);
    be.qcur.decrementAndGet();
    tw += (System.nanoTime() - queuedAt) / 1_000_000L;
    if (queueTimer != null) {
      queueTimer.cancel(false);
    }
    return true;
  }

  @Override
  public void wake() {
    client.eventLoop().execute(() -> {
      if (unqueue()) {
        if (client.isActive()) {
          pickAndConnect(null);
        } else {
          maybeEnd();
        }
      }
    });
  }

  private void queueTimeout() {
    if (unqueue()) {
      setTerm('s', 'Q');
      closeBoth();
    }
  }

  private void connect() {
    if (!client.isActive()) {
      releaseServer();
      maybeEnd();
      return;
    }
    Server s = server;
    int port = s.cfg.port > 0 ? s.cfg.port : ((InetSocketAddress) client.localAddress()).getPort();
    long tcon = px.timeoutConnect > 0 ? px.timeoutConnect : 0;
    Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(fw.channelClass)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, tcon > 0 ? (int) Math.min(tcon, Integer.MAX_VALUE) : 0)
        .handler(new ServerSide());
    ChannelFuture f = b.connect(s.cfg.port > 0 ? s.address : new InetSocketAddress(s.address.getAddress(), port));
    f.addListener((ChannelFutureListener) this::connected);
  }

  private void connected(ChannelFuture f) {
    if (!f.isSuccess()) {
      server.econ.incrementAndGet();
      be.econ.incrementAndGet();
      if (!client.isActive() || ended) {
        releaseServer();
        maybeEnd();
        return;
      }
      if (retries < px.retries) {
        retries++;
        server.wretr.incrementAndGet();
        be.wretr.incrementAndGet();
        long turn = px.timeoutConnect > 0 ? Math.min(px.timeoutConnect, 1000) : 1000;
        server.retrying.add(this);
        retryTimer = client.eventLoop().schedule(this::retry, turn, TimeUnit.MILLISECONDS);
        return;
      }
      releaseServer();
      setTerm('S', 'C');
      closeBoth();
      return;
    }
    srv = f.channel();
    if (!client.isActive()) {
      srv.close();
      return;
    }
    tConnect = (System.nanoTime() - acceptNs) / 1_000_000L;
    server.sessions.add(this);
    if (server.notMaster()) {
      // Sentinel-aware mode: another master was named while this connection was being opened
      // (the switch closes the sessions it finds in server.sessions; this one was not there yet).
      kill('D');
      return;
    }
    if (clientInputShut) {
      ((DuplexChannel) srv).shutdownOutput();
    }
    srv.config().setAutoRead(true);
    client.config().setAutoRead(true);
  }

  private void retry() {
    retryTimer = null;
    server.retrying.remove(this);
    // Sentinel-aware mode: a server the sentinels no longer name is never retried.
    boolean redisp = be.servers.size() > 1 && (server.notMaster() || px.redispatch != 0
        && (px.redispatch < 0 ? retries == px.retries : retries % px.redispatch == 0));
    if (redisp) {
      redispatch();
    } else {
      connect();
    }
  }

  private void redispatch() {
    Server old = server;
    releaseServer();
    redispatched = true;
    old.wredis.incrementAndGet();
    be.wredis.incrementAndGet();
    pickAndConnect(old);
  }

  /**
   * Sentinel-aware mode: the master named by the sentinels became usable while this session was
   * waiting to retry a connect to another server: go there now instead of at the next retry.
   */
  @Override
  public void redispatchNow() {
    client.eventLoop().execute(() -> {
      if (retryTimer != null && server != null && server.notMaster() && retryTimer.cancel(false)) {
        retryTimer = null;
        server.retrying.remove(this);
        if (client.isActive()) {
          redispatch();
        } else {
          releaseServer();
          maybeEnd();
        }
      }
    });
  }

  private void releaseServer() {
    if (server != null) {
      server.cur.decrementAndGet();
      server.sessions.remove(this);
      server.retrying.remove(this);
      server = null;
      be.slotReleased();
    }
  }

  private void noServer(String t1, char t2) {
    noServer = true;
    setTerm(t1.charAt(0), t2);
    closeBoth();
  }

  // ------------------------------------------------------------------ server side

  private final class ServerSide extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      int n = b.readableBytes();
      bytesOut += n;
      if (idleLimitNs > 0) {
        lastActivity = System.nanoTime();
      }
      fe.bout.add(n);
      Server s = server;
      if (s != null) {
        s.bout.add(n);
      }
      if (!client.isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      client.write(msg, client.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
      if (!client.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && !clientInputShut) {
        client.config().setAutoRead(true);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        serverInputShut = true;
        if (client.isActive()) {
          client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) client).shutdownOutput());
        }
        if (clientInputShut) {
          closeBoth();
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!serverInputShut) {
        setTerm('S', 'D');
      }
      closeBoth();
      maybeEnd();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (server != null) {
        server.eresp.incrementAndGet();
      }
      setTerm('S', 'D');
      closeBoth();
    }
  }

  // ------------------------------------------------------------------ end

  private void setTerm(char a, char b) {
    if (term1 == 0) {
      term1 = a;
      term2 = b;
    }
  }

  private void closeBoth() {
    if (srv != null && srv.isOpen()) {
      srv.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    if (client != null && client.isOpen()) {
      if (srv == null && client.isActive() && !clientInputShut) {
        // Never connected: what the client sent is still unread in the kernel, and closing now
        // would send a RST. Read and drop it, send FIN, close shortly after (HAProxy has read it
        // into its buffer and closes cleanly).
        client.config().setAutoRead(true);
        ((DuplexChannel) client).shutdownOutput();
        client.eventLoop().schedule(() -> {
          client.close();
        }, 50, TimeUnit.MILLISECONDS);
      } else {
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }
    if (srv == null) {
      maybeEnd();
    }
  }

  /** Kills the session (server marked down, backup preempted, admin): termination code c. */
  @Override
  public void kill(char code) {
    client.eventLoop().execute(() -> {
      setTerm(code, 'D');
      if (srv != null) {
        srv.close();
      }
      client.close();
    });
  }

  private void maybeEnd() {
    if (ended || client == null || client.isOpen() || (srv != null && srv.isOpen())) {
      return;
    }
    if (server != null && srv == null && !noServer) {
      return; // a connect attempt is still pending; connected() finishes the session
    }
    unqueue();
    ended = true;
    long tt = (System.nanoTime() - acceptNs) / 1_000_000L;
    Server s = server;
    if (s != null) {
      s.cur.decrementAndGet();
      s.sessions.remove(this);
      s.retrying.remove(this);
      be.slotReleased();
    }
    if (be != null) {
      be.cur.decrementAndGet();
      be.bin.add(bytesIn);
      be.bout.add(bytesOut);
    }
    if (fe.cfg.tcplog && !fe.logTargets.isEmpty()) {
      InetSocketAddress ca = (InetSocketAddress) client.remoteAddress();
      String line = (ca == null ? "-" : ca.getAddress().getHostAddress() + ":" + ca.getPort())
          + " [" + LOG_DATE.format(Instant.ofEpochMilli(acceptMs)) + "] " + fe.name() + " "
          + (be != null ? be.name() : fe.name()) + "/" + srvName + " "
          + (noServer ? -1 : tw) + "/" + tConnect + "/" + tt + " " + bytesOut + " "
          + (term1 == 0 ? '-' : term1) + (term2 == 0 ? '-' : term2) + " "
          + fw.actconn.get() + "/" + fe.cur.get() + "/" + (be != null ? be.cur.get() : 0) + "/"
          + (s != null ? s.cur.get() : 0) + "/" + (redispatched ? "+" : "") + retries + " 0/0";
      fw.log.log(fe.logTargets, 6, line);
    }
    fe.closed();
    fw.actconn.decrementAndGet();
  }
}
