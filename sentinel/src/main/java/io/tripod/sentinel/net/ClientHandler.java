package io.tripod.sentinel.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tripod.resp.ProtocolException;
import io.tripod.resp.RequestDecoder;
import io.tripod.resp.RespWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** One client of the Sentinel API: decodes requests and hands them to {@link Api}. */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  final SentinelServer server;
  final long id;
  final long created = System.currentTimeMillis();
  long lastInteraction = created;
  String name;
  int proto = 2;
  boolean authenticated;
  String lastCommand = "NULL";
  final Set<String> channels = new LinkedHashSet<>();
  final Set<String> patterns = new LinkedHashSet<>();
  ChannelHandlerContext ctx;
  private final RequestDecoder decoder = new RequestDecoder();
  private ByteBuf cumulation;
  boolean closeAfterReply;

  ClientHandler(SentinelServer server) {
    this.server = server;
    this.id = server.nextClientId++;
    this.authenticated = server.config.requirepass == null;
    decoder.setAuthenticated(authenticated);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    server.clients.put(id, this);
    server.totalConnections++;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    server.clients.remove(id);
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (cumulation == null) {
      cumulation = in;
    } else {
      cumulation = ctx.alloc().compositeBuffer().addComponents(true, cumulation, in);
    }
    ByteBuf out = ctx.alloc().buffer();
    try {
      while (cumulation.isReadable() && !closeAfterReply) {
        byte[][] argv;
        try {
          argv = decoder.decode(cumulation);
        } catch (ProtocolException e) {
          RespWriter.error(out, "ERR " + e.getMessage());
          closeAfterReply = true;
          break;
        }
        if (argv == null) break;
        if (argv.length == 0) continue;
        String[] args = new String[argv.length];
        for (int i = 0; i < argv.length; i++) args[i] = new String(argv[i], StandardCharsets.UTF_8);
        lastInteraction = System.currentTimeMillis();
        lastCommand = args[0].toLowerCase(Locale.ROOT);
        server.totalCommands++;
        Api.dispatch(this, args, out);
        decoder.setAuthenticated(authenticated);
      }
    } finally {
      if (!cumulation.isReadable()) {
        cumulation.release();
        cumulation = null;
      } else {
        cumulation.discardSomeReadBytes();
      }
    }
    // Effects first: a vote given by is-master-down-by-addr is on disk before the reply leaves,
    // as Redis flushes the config inside sentinelVoteLeader (a restarted sentinel must not vote
    // twice in one epoch).
    server.perform();
    if (out.isReadable()) {
      if (closeAfterReply) {
        ctx.writeAndFlush(out).addListener(f -> ctx.close());
      } else {
        ctx.writeAndFlush(out);
      }
    } else {
      out.release();
      if (closeAfterReply) ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** Pushes a published message if subscribed to the channel or a matching pattern. */
  void deliver(String channel, String message) {
    if (ctx == null) return;
    ByteBuf out = null;
    if (channels.contains(channel)) {
      out = ctx.alloc().buffer();
      RespWriter.pushHeader(out, proto, 3);
      SentinelServer.bulk(out, "message");
      SentinelServer.bulk(out, channel);
      SentinelServer.bulk(out, message);
    }
    for (String p : patterns) {
      if (Glob.match(p, channel, false)) {
        if (out == null) out = ctx.alloc().buffer();
        RespWriter.pushHeader(out, proto, 4);
        SentinelServer.bulk(out, "pmessage");
        SentinelServer.bulk(out, p);
        SentinelServer.bulk(out, channel);
        SentinelServer.bulk(out, message);
      }
    }
    if (out != null) ctx.writeAndFlush(out);
  }

  String addr() {
    InetSocketAddress a = (InetSocketAddress) ctx.channel().remoteAddress();
    return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  String laddr() {
    InetSocketAddress a = (InetSocketAddress) ctx.channel().localAddress();
    return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  int subscriptions() {
    return channels.size() + patterns.size();
  }
}
