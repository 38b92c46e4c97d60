package io.tripod.proxy.forward;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.tripod.proxy.ProxyLog;
import io.tripod.proxy.config.ProxyConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Opens the listeners of frontends and hands every accepted connection to a {@link Session}. */
public final class Forwarder {
  final EventLoopGroup group;
  final Class<? extends Channel> channelClass;
  final ProxyLog log;
  public final AtomicInteger actconn = new AtomicInteger();

  public Forwarder(EventLoopGroup group, ProxyLog log) {
    this.group = group;
    this.channelClass = Transport.socketChannel();
    this.log = log;
  }

  /** Binds every address of the frontend; throws with HAProxy's wording on failure. */
  public void bind(Frontend fe, Supplier<ChannelHandler> httpHandler) throws BindFailure {
    for (ProxyConfig.Bind b : fe.cfg.binds) {
      ServerBootstrap sb = new ServerBootstrap().group(group).channel(Transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 1024)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
          .childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              if (httpHandler != null) {
                ch.config().setAutoRead(true);
                ch.pipeline().addLast(httpHandler.get());
              } else {
                ch.pipeline().addLast(new Session(Forwarder.this, fe));
              }
            }
          });
      try {
        Channel ch = sb.bind(new InetSocketAddress(b.host(), b.port())).sync().channel();
        fe.listeners.add(ch);
      } catch (Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (why.contains("Address already in use")) {
          why = "Address already in use";
        } else if (why.contains("Cannot assign requested address")) {
          why = "Cannot assign requested address";
        } else if (why.contains("Permission denied")) {
          why = "Permission denied";
        }
        throw new BindFailure("Starting " + fe.cfg.kind.word + " " + fe.name() + ": cannot bind socket ("
            + why + ") [" + b.host() + ":" + b.port() + "]");
      }
    }
  }

  /** A listener could not be opened. */
  public static final class BindFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public BindFailure(String msg) {
      super(msg);
    }
  }
}
