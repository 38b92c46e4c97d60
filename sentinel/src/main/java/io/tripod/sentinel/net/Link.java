package io.tripod.sentinel.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import io.tripod.resp.RespWriter;
import io.tripod.sentinel.core.Addr;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The connections to one address, shared by every instance at that address (as Redis shares
 * links): a command link, and for masters and replicas a pub/sub link subscribed to
 * {@code __sentinel__:hello}. All methods run on the sentinel's single event loop.
 */
final class Link {
  /** Called on the loop when the command link goes up or down, and for hello messages. */
  interface Listener {
    void linkUp(Link l);

    void linkDown(Link l);

    void helloMessage(Link l, String payload);

    /** A connection attempt was refused: nothing listens at the address. */
    void connectRefused(Link l);
  }

  static final int MAX_PENDING = 100;

  final Addr addr;
  final boolean sentinel;
  String authUser;
  String authPass;
  Map<String, String> renames = Map.of();
  private final String clientName;
  private final EventLoopGroup group;
  private final Listener listener;

  Channel cc;
  Channel pc;
  boolean ccReady;
  long lastConnectAttempt;
  /** The last connection attempt was refused (the reconnect loop then retries sooner). */
  boolean lastRefused;
  boolean closed;
  private final ArrayDeque<Consumer<RespValue>> pending = new ArrayDeque<>();

  Link(Addr addr, boolean sentinel, String myidPrefix, EventLoopGroup group, Listener listener) {
    this.addr = addr;
    this.sentinel = sentinel;
    this.clientName = "sentinel-" + myidPrefix;
    this.group = group;
    this.listener = listener;
  }

  int pendingCommands() {
    return pending.size();
  }

  boolean needsConnect() {
    return !closed && (cc == null || (!sentinel && pc == null));
  }

  void connect(long now) {
    lastConnectAttempt = now;
    if (cc == null) {
      cc = open(false);
    }
    if (!sentinel && pc == null) {
      pc = open(true);
    }
  }

  private Channel open(boolean pubsub) {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new Decoder(), new Handler(pubsub));
                  }
                });
    io.netty.channel.ChannelFuture connecting = b.connect(addr.host(), addr.port());
    Channel ch = connecting.channel();
    ch.closeFuture().addListener(f -> onClosed(ch, pubsub));
    if (!pubsub) {
      connecting.addListener(f -> {
        lastRefused = !f.isSuccess() && f.cause() instanceof java.net.ConnectException
            && String.valueOf(f.cause().getMessage()).contains("refused");
        if (lastRefused) {
          listener.connectRefused(this);
        }
      });
    }
    return ch;
  }

  private void onClosed(Channel ch, boolean pubsub) {
    if (pubsub) {
      if (pc == ch) pc = null;
      return;
    }
    if (cc == ch) {
      cc = null;
      boolean was = ccReady;
      ccReady = false;
      pending.clear();
      if (was) listener.linkDown(this);
    }
  }

  void close() {
    closed = true;
    drop();
  }

  /** Closes both connections; they will be re-opened by the reconnect loop. */
  void drop() {
    if (cc != null) cc.close();
    if (pc != null) pc.close();
  }

  private String cmdName(String name) {
    String r = renames.get(name.toLowerCase(java.util.Locale.ROOT));
    return r != null ? r : name;
  }

  /** Sends a command on the command link; {@code onReply} may be null (reply ignored). */
  boolean command(Consumer<RespValue> onReply, String... argv) {
    if (cc == null || !ccReady) return false;
    write(cc, argv);
    pending.add(onReply != null ? onReply : r -> {});
    return true;
  }

  private void write(Channel ch, String... argv) {
    ByteBuf out = ch.alloc().buffer();
    RespWriter.arrayHeader(out, argv.length);
    for (int i = 0; i < argv.length; i++) {
      RespWriter.bulk(out, (i == 0 ? cmdName(argv[0]) : argv[i]).getBytes(StandardCharsets.UTF_8));
    }
    ch.writeAndFlush(out);
  }

  String localIp() {
    if (cc != null && cc.localAddress() instanceof InetSocketAddress) {
      return ((InetSocketAddress) cc.localAddress()).getAddress().getHostAddress();
    }
    return "127.0.0.1";
  }

  private final class Decoder extends ByteToMessageDecoder {
    private final ReplyDecoder d = new ReplyDecoder();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      RespValue v;
      while ((v = d.decode(in)) != null) {
        out.add(v);
      }
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<RespValue> {
    private final boolean pubsub;
    private int handshake; // replies to skip (AUTH, CLIENT SETNAME) on the pub/sub link

    Handler(boolean pubsub) {
      this.pubsub = pubsub;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      if (pubsub) {
        if (authPass != null) {
          write(ch, authUser != null ? new String[] {"AUTH", authUser, authPass} : new String[] {"AUTH", authPass});
          handshake++;
        }
        write(ch, "CLIENT", "SETNAME", clientName + "-pubsub");
        handshake++;
        write(ch, "SUBSCRIBE", "__sentinel__:hello");
        return;
      }
      if (authPass != null) {
        write(ch, authUser != null ? new String[] {"AUTH", authUser, authPass} : new String[] {"AUTH", authPass});
        pending.add(r -> {});
      }
      write(ch, "CLIENT", "SETNAME", clientName + "-cmd");
      pending.add(r -> {});
      ccReady = true;
      listener.linkUp(Link.this);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RespValue v) {
      if (pubsub) {
        if (handshake > 0 && v.type() != '*' && v.type() != '>') {
          handshake--;
          return;
        }
        List<RespValue> e = v.elements();
        if (e != null && e.size() == 3 && "message".equals(e.get(0).asString())) {
          String payload = e.get(2).asString();
          if (payload != null) listener.helloMessage(Link.this, payload);
        }
        return;
      }
      Consumer<RespValue> cb = pending.poll();
      if (cb != null) cb.accept(v);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
