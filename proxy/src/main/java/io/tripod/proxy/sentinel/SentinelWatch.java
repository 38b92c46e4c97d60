package io.tripod.proxy.sentinel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.tripod.proxy.check.Ticker;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The network half of the Sentinel-aware mode, for one {@link SentinelSpec}: two connections per
 * sentinel, on one event loop. The command connection asks {@code SENTINEL get-master-addr-by-name}
 * every {@code pollMs} (and at once after a connect or an event); the answers feed a
 * {@link MasterQuorum}, and every change of its decision is handed to the {@link Listener}. The
 * pub/sub connection subscribes to the failover events ({@code +switch-master},
 * {@code +promoted-slave}, {@code +failover-end}, {@code +odown}, {@code -odown},
 * {@code +convert-to-slave}); an event only triggers an immediate poll of every sentinel: the
 * polled answers stay the only source of truth. A connection that fails or does not answer within
 * {@code max(1 s, 2 × pollMs)} is closed and reopened after 500 ms; its sentinel stops counting.
 */
public final class SentinelWatch {
  static final String[] EVENTS = {"+switch-master", "+promoted-slave", "+failover-end", "+odown", "-odown",
      "+convert-to-slave"};
  static final long RECONNECT_MS = 500;
  static final int CONNECT_TIMEOUT_MS = 1000;

  /** Receives decisions and link changes, on the watch's event loop. */
  public interface Listener {
    void decided(SentinelWatch watch, MasterQuorum.Decision d);

    /** A sentinel's command link came up ({@code up}) or went down / could not be opened. */
    void link(SentinelWatch watch, HostPort sentinel, boolean up, String why);
  }

  public final SentinelSpec spec;
  private final EventLoop loop;
  private final Class<? extends Channel> channelClass;
  private final Ticker ticker;
  private final Listener listener;
  private final MasterQuorum quorum;
  private final Link[] links;
  private final byte[] pollCommand;
  private volatile boolean stopped;
  private ScheduledFuture<?> timer;

  public SentinelWatch(SentinelSpec spec, EventLoop loop, Class<? extends Channel> channelClass, Ticker ticker,
      Listener listener) {
    this.spec = spec;
    this.loop = loop;
    this.channelClass = channelClass;
    this.ticker = ticker;
    this.listener = listener;
    this.quorum = new MasterQuorum(spec.sentinels().size(), spec.quorum(), spec.freshMs());
    this.links = new Link[spec.sentinels().size()];
    for (int i = 0; i < links.length; i++) {
      links[i] = new Link(i, spec.sentinels().get(i));
    }
    this.pollCommand = command("SENTINEL", "get-master-addr-by-name", spec.masterName());
  }

  static byte[] command(String... args) {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  public void start() {
    loop.execute(() -> {
      for (Link l : links) {
        l.connectCmd();
        l.connectSub();
      }
      timer = loop.scheduleAtFixedRate(this::tick, spec.pollMs(), spec.pollMs(), TimeUnit.MILLISECONDS);
    });
  }

  public void stop() {
    stopped = true;
    loop.execute(() -> {
      if (timer != null) {
        timer.cancel(false);
      }
      for (Link l : links) {
        l.close();
      }
    });
  }

  /** The quorum state (read it on the watch's loop, or accept a racy snapshot for display). */
  public MasterQuorum quorum() {
    return quorum;
  }

  /**
   * For {@code show sentinels}: the backend, master name, agreed master ({@code namer} turns its
   * address into a server name) and one line per sentinel. Computed on the watch's loop.
   */
  public String describe(java.util.function.Function<HostPort, String> namer) {
    try {
      return loop.submit(() -> describeNow(namer)).get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      return spec.backend() + " master '" + spec.masterName() + "': (no answer from the watch)\n";
    }
  }

  private String describeNow(java.util.function.Function<HostPort, String> namer) {
    long now = ticker.millis();
    int votes = 0;
    int answering = 0;
    for (Link l : links) {
      if (quorum.answering(l.idx, now)) {
        answering++;
        if (quorum.master() != null && quorum.master().equals(quorum.reportOf(l.idx, now))) {
          votes++;
        }
      }
    }
    StringBuilder sb = new StringBuilder(spec.backend()).append(" master '").append(spec.masterName()).append("': ")
        .append(quorum.master() == null ? "none yet" : namer.apply(quorum.master()))
        .append(quorum.master() == null ? "" : quorum.agreed() ? " (agreed)" : " (kept: no quorum now)")
        .append(", ").append(votes).append('/').append(links.length).append(" sentinels name it, ")
        .append(answering).append(" answering, quorum ").append(spec.quorum()).append('\n');
    for (Link l : links) {
      HostPort r = quorum.reportOf(l.idx, now);
      sb.append("  sentinel ").append(l.addr).append(' ')
          .append(quorum.answering(l.idx, now) ? "answers " + (r == null ? "(unknown master)" : r.toString())
              : l.cmdUp ? "connected, no recent answer" : "disconnected")
          .append('\n');
    }
    return sb.toString();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    for (Link l : links) {
      l.poll();
    }
    decide();
  }

  private void pollAll() {
    for (Link l : links) {
      l.poll();
    }
  }

  private void decide() {
    if (stopped) {
      return;
    }
    MasterQuorum.Decision d = quorum.evaluate(ticker.millis());
    if (d.change() != MasterQuorum.Change.NONE) {
      listener.decided(this, d);
    }
  }

  /** One sentinel: its command and pub/sub connections. All methods run on {@link #loop}. */
  private final class Link {
    final int idx;
    final HostPort addr;
    Channel cmd;
    Channel sub;
    boolean cmdUp;
    boolean downReported;
    boolean outstanding;
    boolean again;
    long sentAt;

    Link(int idx, HostPort addr) {
      this.idx = idx;
      this.addr = addr;
    }

    private ChannelFuture open(ChannelInboundHandlerAdapter h) {
      return new Bootstrap().group(loop).channel(channelClass)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
          .handler(h)
          .connect(new InetSocketAddress(addr.host(), addr.port()));
    }

    void connectCmd() {
      if (stopped) {
        return;
      }
      outstanding = false;
      again = false;
      ChannelFuture f = open(new Replies(true));
      cmd = f.channel();
      f.addListener(x -> {
        if (x.isSuccess()) {
          cmdUp = true;
          downReported = false;
          listener.link(SentinelWatch.this, addr, true, "");
          poll();
        } else {
          cmdDown(String.valueOf(x.cause() == null ? "connect failed" : x.cause().getMessage()));
        }
      });
    }

    void connectSub() {
      if (stopped) {
        return;
      }
      ChannelFuture f = open(new Replies(false));
      sub = f.channel();
      f.addListener(x -> {
        if (x.isSuccess()) {
          String[] args = new String[EVENTS.length + 1];
          args[0] = "SUBSCRIBE";
          System.arraycopy(EVENTS, 0, args, 1, EVENTS.length);
          sub.writeAndFlush(Unpooled.wrappedBuffer(command(args)));
        } else if (!stopped) {
          loop.schedule(this::connectSub, RECONNECT_MS, TimeUnit.MILLISECONDS);
        }
      });
    }

    /** The command link failed or closed: stop counting this sentinel, reconnect later. */
    void cmdDown(String why) {
      boolean wasUp = cmdUp;
      cmdUp = false;
      outstanding = false;
      quorum.lost(idx);
      if (!stopped && (wasUp || !downReported)) {
        downReported = true;
        listener.link(SentinelWatch.this, addr, false, why);
      }
      decide();
      if (!stopped) {
        loop.schedule(this::connectCmd, RECONNECT_MS, TimeUnit.MILLISECONDS);
      }
    }

    void poll() {
      if (stopped || cmd == null || !cmd.isActive() || !cmdUp) {
        return;
      }
      if (outstanding) {
        if (ticker.millis() - sentAt > Math.max(1000, 2 * spec.pollMs())) {
          cmd.close(); // no answer: cmdDown via channelInactive, then a new connection
        } else {
          again = true;
        }
        return;
      }
      outstanding = true;
      sentAt = ticker.millis();
      cmd.writeAndFlush(Unpooled.wrappedBuffer(pollCommand));
    }

    void onCommandReply(RespValue v) {
      outstanding = false;
      HostPort master = null;
      List<RespValue> e = v.elements();
      if (!v.isError() && e != null && e.size() == 2 && e.get(0).asString() != null && e.get(1).asString() != null) {
        try {
          master = new HostPort(e.get(0).asString(), Integer.parseInt(e.get(1).asString()));
        } catch (NumberFormatException ex) {
          master = null;
        }
      }
      quorum.report(idx, master, ticker.millis());
      decide();
      if (again) {
        again = false;
        poll();
      }
    }

    void onPubSub(RespValue v) {
      List<RespValue> e = v.elements();
      if (e != null && !e.isEmpty() && ("message".equals(e.get(0).asString())
          || "subscribe".equals(e.get(0).asString()) && e.size() == 3 && e.get(2).number() == 1)) {
        pollAll(); // an event (or a new subscription after a reconnect): ask everyone now
      }
    }

    void close() {
      if (cmd != null) {
        cmd.close();
      }
      if (sub != null) {
        sub.close();
      }
    }

    /** Accumulates bytes and decodes replies for one connection. */
    private final class Replies extends ChannelInboundHandlerAdapter {
      final boolean command;
      final ReplyDecoder decoder = new ReplyDecoder(1 << 20);
      ByteBuf acc;

      Replies(boolean command) {
        this.command = command;
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
          if (acc == null) {
            acc = ctx.alloc().buffer(Math.max(256, in.readableBytes()));
          }
          acc.writeBytes(in);
        } finally {
          in.release();
        }
        try {
          RespValue v;
          while ((v = decoder.decode(acc)) != null) {
            if (command) {
              onCommandReply(v);
            } else {
              onPubSub(v);
            }
          }
          acc.discardReadBytes();
        } catch (RuntimeException ex) {
          ctx.close(); // not RESP: drop the link, it is reopened
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (acc != null) {
          acc.release();
          acc = null;
        }
        if (command) {
          if (ctx.channel() == cmd && cmdUp) {
            cmdDown("connection closed");
          }
        } else if (!stopped && ctx.channel() == sub) {
          loop.schedule(Link.this::connectSub, RECONNECT_MS, TimeUnit.MILLISECONDS);
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    }
  }
}
