package io.tripod.proxy.check;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tripod.proxy.config.ProxyConfig;
import io.tripod.proxy.config.TcpCheckRule;
import io.tripod.proxy.config.TcpCheckRule.Match;
import io.tripod.proxy.config.TcpCheckRule.Type;
import io.tripod.proxy.lb.Server;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The health check of one server (reference §3.3/§3.4): runs the proxy's tcp-check rules in order
 * on one connection, on one event loop. Every {@code send} discards the input buffer; an
 * {@code expect} is a search over the bytes received since, which keeps waiting for more data
 * until the check times out unless the server closes the connection (or min-recv / a full buffer
 * makes a non-match conclusive). Without {@code timeout check} the whole check must finish within
 * {@code inter}; with it, the connect gets min(inter, timeout connect) and the rest
 * {@code timeout check}. The next check is scheduled after this one completes.
 */
public final class HealthCheck {
  static final int BUFSIZE = 16384;

  private final Server server;
  private final ProxyConfig px;
  private final EventLoop loop;
  private final Class<? extends Channel> channelClass;
  private final Consumer<CheckResult> onResult;
  private final Ticker ticker;
  /** Rules to run; the first is a connect (implicit when the config has none first). */
  private final List<TcpCheckRule> rules = new ArrayList<>();
  private final boolean implicitConnect;
  private volatile boolean stopped;
  private ScheduledFuture<?> next;
  /** The check in progress, if any (on {@link #loop}). */
  private Run current;

  public HealthCheck(Server server, ProxyConfig px, EventLoop loop, Class<? extends Channel> channelClass,
      Ticker ticker, Consumer<CheckResult> onResult) {
    this.server = server;
    this.px = px;
    this.loop = loop;
    this.channelClass = channelClass;
    this.ticker = ticker;
    this.onResult = onResult;
    List<TcpCheckRule> configured = px.tcpCheck ? px.checkRules : List.of();
    boolean explicit = false;
    for (TcpCheckRule r : configured) {
      if (r.type == Type.CONNECT) {
        explicit = true;
        break;
      }
    }
    implicitConnect = !explicit;
    if (implicitConnect) {
      rules.add(new TcpCheckRule(Type.CONNECT));
    }
    rules.addAll(configured);
  }

  public Server server() {
    return server;
  }

  /** Schedules the first check after {@code delayMs}. */
  public void start(long delayMs) {
    loop.execute(() -> schedule(delayMs));
  }

  /** Cancels the pending wait and checks now (used when leaving maintenance). */
  public void checkNow() {
    loop.execute(() -> {
      if (next != null && next.cancel(false)) {
        schedule(0);
      }
    });
  }

  /**
   * Checks now, abandoning a check in progress without a result (used when the sentinels name
   * this server the master: a check that already read {@code role:slave} would otherwise wait for
   * its timeout, then {@code inter} more, before the new master could be used).
   */
  public void restartNow() {
    loop.execute(() -> {
      if (stopped) {
        return;
      }
      if (current != null && !current.finished) {
        current.abandon();
      } else if (next != null && !next.cancel(false)) {
        return; // the scheduled check is starting right now
      }
      schedule(0);
    });
  }

  public void stop() {
    stopped = true;
    loop.execute(() -> {
      if (next != null) {
        next.cancel(false);
      }
    });
  }

  private void schedule(long delayMs) {
    if (!stopped) {
      next = loop.schedule(this::runOnce, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    }
  }

  private void runOnce() {
    if (stopped) {
      return;
    }
    if (server.inMaintenance()) {
      schedule(server.nextInterval());
      return;
    }
    server.checkRunning = true;
    current = new Run();
    current.step();
  }

  private int stepNumber(int idx) {
    return implicitConnect ? idx : idx + 1;
  }

  private String stepText(int idx) {
    if (implicitConnect && idx == 0) {
      return "initial connection step of tcp-check";
    }
    return "step " + stepNumber(idx) + " of tcp-check";
  }

  /** "(connect)" names an explicit connect rule; the implicit one is "initial connection step". */
  private String connectSuffix(int idx) {
    return implicitConnect && idx == 0 ? "" : " (connect)";
  }

  private static String describe(TcpCheckRule r) {
    switch (r.type) {
      case CONNECT: return "connect";
      case SEND: return "send";
      case EXPECT: return "expect " + r.expectKindName() + " '" + r.patternText + "'";
      default: return "comment";
    }
  }

  /** One check execution; all methods run on {@link #loop}. */
  @io.netty.channel.ChannelHandler.Sharable
  private final class Run extends ChannelInboundHandlerAdapter {
    final long start = ticker.millis();
    int idx;
    Channel ch;
    boolean connecting;
    boolean closed;
    boolean finished;
    int expects;
    final ByteBuf buf = Unpooled.buffer(256, BUFSIZE);
    ScheduledFuture<?> timer;

    Run() {
      long first = px.timeoutCheck < 0 ? server.cfg.inter
          : px.timeoutConnect >= 0 ? Math.min(server.cfg.inter, px.timeoutConnect) : server.cfg.inter;
      timer = loop.schedule(this::timeout, first, TimeUnit.MILLISECONDS);
    }

    void step() {
      while (!finished && idx < rules.size()) {
        TcpCheckRule r = rules.get(idx);
        switch (r.type) {
          case CONNECT:
            connect(r);
            return;
          case SEND:
            if (ch == null || closed) {
              fail(CheckOutcome.L7RSP, "Not connected at " + stepText(idx) + " (send)", r);
              return;
            }
            buf.clear();
            ch.writeAndFlush(Unpooled.wrappedBuffer(r.data));
            idx++;
            break;
          case EXPECT:
            if (!expect(r)) {
              return; // waiting for more data
            }
            break;
          default:
            idx++;
        }
      }
      if (!finished) {
        finish(expects > 0 ? CheckOutcome.L7OK : CheckOutcome.L4OK,
            expects > 0 ? "(tcp-check)" : "", !lastRuleLinger());
      }
    }

    private boolean lastRuleLinger() {
      for (int i = idx - 1; i >= 0; i--) {
        if (rules.get(i).type == Type.CONNECT) {
          return rules.get(i).linger;
        }
      }
      return false;
    }

    /** Returns true when the rule passed (idx advanced); false while waiting or after failing. */
    boolean expect(TcpCheckRule r) {
      if (ch == null) {
        fail(CheckOutcome.L7RSP, "Not connected at " + stepText(idx) + " (expect)", r);
        return false;
      }
      boolean found = matches(r);
      int len = buf.readableBytes();
      boolean conclusive = closed || (r.minRecv >= 0 && len >= r.minRecv) || len >= BUFSIZE;
      if (found && !r.negate) {
        expects++;
        idx++;
        return true;
      }
      if (found) {
        fail(CheckOutcome.L7RSP, "TCPCHK matched unwanted content '" + r.patternText + "' at step "
            + stepNumber(idx), r);
        return false;
      }
      if (!conclusive) {
        return false;
      }
      if (r.negate) {
        expects++;
        idx++;
        return true;
      }
      if (len == 0) {
        fail(CheckOutcome.L7RSP, "TCPCHK got an empty response at step " + stepNumber(idx), r);
      } else {
        fail(CheckOutcome.L7RSP, "TCPCHK did not match content '" + r.patternText + "' at step "
            + stepNumber(idx), r);
      }
      return false;
    }

    boolean matches(TcpCheckRule r) {
      int len = buf.readableBytes();
      byte[] data = new byte[len];
      buf.getBytes(buf.readerIndex(), data);
      if (r.match == Match.STRING || r.match == Match.BINARY) {
        return indexOf(data, r.data) >= 0;
      }
      String text;
      if (r.match == Match.RSTRING) {
        text = new String(data, StandardCharsets.ISO_8859_1);
      } else {
        StringBuilder sb = new StringBuilder(len * 2);
        for (byte b : data) {
          sb.append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
              .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
        }
        text = sb.toString();
      }
      return r.regex.matcher(text).find();
    }

    void connect(TcpCheckRule r) {
      closeChannel(false);
      closed = false;
      buf.clear();
      String host = r.addr != null ? r.addr : server.cfg.checkAddr != null ? server.cfg.checkAddr : server.cfg.host;
      int port = r.port > 0 ? r.port : server.cfg.checkPort > 0 ? server.cfg.checkPort : server.cfg.port;
      connecting = true;
      Bootstrap b = new Bootstrap().group(loop).channel(channelClass)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Integer.MAX_VALUE) // our timer decides
          .handler(this);
      ChannelFuture f = b.connect(host.equals(server.cfg.host) && port == server.cfg.port ? server.address
          : new InetSocketAddress(host, port));
      ch = f.channel();
      f.addListener(x -> {
        connecting = false;
        if (finished) {
          if (x.isSuccess()) {
            f.channel().close();
          }
          return;
        }
        if (!x.isSuccess()) {
          Throwable c = x.cause();
          if (c instanceof ConnectTimeoutException) {
            fail(CheckOutcome.L4TOUT, " at " + stepText(idx) + connectSuffix(idx), r);
          } else {
            fail(CheckOutcome.L4CON, errnoText(c) + " at " + stepText(idx) + connectSuffix(idx), r);
          }
          return;
        }
        if (px.timeoutCheck >= 0) {
          timer.cancel(false);
          timer = loop.schedule(this::timeout, px.timeoutCheck, TimeUnit.MILLISECONDS);
        }
        idx++;
        step();
      });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (finished || ctx.channel() != ch) {
          return;
        }
        ByteBuf in = (ByteBuf) msg;
        int room = BUFSIZE - buf.readableBytes();
        if (room > 0) {
          if (buf.writerIndex() + Math.min(room, in.readableBytes()) > buf.maxCapacity()) {
            buf.discardReadBytes();
          }
          buf.writeBytes(in, Math.min(room, in.readableBytes()));
        }
        if (!connecting && idx < rules.size() && rules.get(idx).type == Type.EXPECT) {
          step();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (finished || ctx.channel() != ch) {
        return;
      }
      closed = true;
      if (!connecting && idx < rules.size() && rules.get(idx).type == Type.EXPECT) {
        step();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // ECONNRESET and such: seen as a close by channelInactive
    }

    void timeout() {
      if (finished) {
        return;
      }
      TcpCheckRule r = idx < rules.size() ? rules.get(idx) : null;
      if (connecting || r == null) {
        fail(CheckOutcome.L4TOUT, " at " + stepText(idx) + connectSuffix(idx), r);
      } else {
        fail(CheckOutcome.L7TOUT, " at " + stepText(idx) + " (" + describe(r) + ")", r);
      }
    }

    void fail(CheckOutcome o, String info, TcpCheckRule r) {
      String text = info;
      if (r != null && r.comment != null) {
        text += " comment: '" + r.comment + "'";
      }
      finish(o, text, true);
    }

    void finish(CheckOutcome o, String info, boolean rst) {
      if (finished) {
        return;
      }
      finished = true;
      timer.cancel(false);
      closeChannel(rst);
      buf.release();
      long dur = ticker.millis() - start;
      server.checkRunning = false;
      if (stopped) {
        return; // shutting down: channels closed under us are not a check result
      }
      try {
        onResult.accept(new CheckResult(o, info, dur));
      } finally {
        schedule(server.nextInterval());
      }
    }

    /** Ends this run with no result and no next check (the caller schedules one). */
    void abandon() {
      finished = true;
      timer.cancel(false);
      closeChannel(true);
      buf.release();
      server.checkRunning = false;
    }

    void closeChannel(boolean rst) {
      if (ch != null) {
        Channel c = ch;
        ch = null;
        if (rst && c.isActive()) {
          try {
            c.config().setOption(ChannelOption.SO_LINGER, 0);
          } catch (RuntimeException e) {
            // closing normally is fine too
          }
        }
        c.close();
      }
    }
  }

  static String errnoText(Throwable c) {
    String m = String.valueOf(c.getMessage());
    for (String known : new String[] {"Connection refused", "No route to host", "Network is unreachable",
        "Connection reset by peer", "Connection timed out", "Cannot assign requested address"}) {
      if (m.contains(known)) {
        return known;
      }
    }
    return "General socket error (" + m + ")";
  }

  /** Naive substring search: patterns and buffers are small (≤ 16 KiB). */
  static int indexOf(byte[] hay, byte[] needle) {
    if (needle.length == 0) {
      return 0;
    }
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
}
