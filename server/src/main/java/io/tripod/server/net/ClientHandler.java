package io.tripod.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tripod.resp.ProtocolException;
import io.tripod.resp.RequestDecoder;
import io.tripod.server.Client;
import io.tripod.server.OutputLimits;
import io.tripod.server.Server;
import io.tripod.server.command.CommandFlags;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.repl.Backpressure;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket end of a client connection: accumulates the bytes read (Redis's query buffer), runs
 * each complete request through {@link Server#process} and writes the batch of replies with one
 * flush when the read is done.
 *
 * <p>While the client is blocked (a blocking pop, CLIENT PAUSE) the remaining requests stay in the
 * query buffer and are processed when {@link #resume} is called.
 *
 * <p>Thread safety: Netty calls it on the server's single event loop only.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter implements Backpressure.Parker {
  private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

  private final Server server;
  private final RequestDecoder decoder = new RequestDecoder();
  private Client client;
  private ChannelHandlerContext ctx;
  private ByteBuf query;
  /** A write command that waits for a lagging replica to drain (Backpressure), run first. */
  private byte[][] parkedArgv;

  public ClientHandler(Server server) {
    this.server = server;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (server.clientCount() >= server.config.maxclients) {
      server.stats.rejectedConnections++;
      ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
              "-ERR max number of clients reached\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
          .addListener(f -> ctx.close());
      return;
    }
    String denied = protectedModeDenial(ctx);
    if (denied != null) {
      server.stats.rejectedConnections++;
      ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(
              denied.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
          .addListener(f -> ctx.close());
      return;
    }
    client = server.newClient(ctx.channel());
    ctx.channel().attr(Attrs.HANDLER).set(this);
    decoder.setMaxBulkBytes(server.config.protoMaxBulkLen);
    decoder.setAuthenticated(client.authenticated);
  }

  /**
   * Redis 7.0's protected mode: with {@code protected-mode yes} and no password for the default
   * user, only loopback (and unix socket) clients are accepted.
   */
  private String protectedModeDenial(ChannelHandlerContext ctx) {
    if (!server.config.protectedMode || !server.config.requirepass.isEmpty()) {
      return null;
    }
    if (ctx.channel().remoteAddress() instanceof InetSocketAddress) {
      InetSocketAddress a = (InetSocketAddress) ctx.channel().remoteAddress();
      if (a.getAddress() == null || a.getAddress().isLoopbackAddress()) {
        return null;
      }
    }
    return ProtectedMode.DENIED;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (client == null || client.isClosed()) {
      in.release();
      return;
    }
    server.stats.totalNetInputBytes += in.readableBytes();
    server.stats.totalReadsProcessed++;
    // Netty's merge: the read buffer itself when nothing is pending, else appended (grown as needed).
    query = query == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), query, in);
    if (query.readableBytes() > server.config.clientQueryBufferLimit) {
      log.warn("Closing client that reached max query buffer length: id={} addr={} (qbuf initial bytes)",
          client.id, client.addr());
      releaseQuery();
      ctx.close();
      return;
    }
    processQuery();
  }

  /** Runs every complete request in the query buffer, unless the client is blocked or closing. */
  private void processQuery() {
    while ((parkedArgv != null || (query != null && query.isReadable())) && !client.closeAfterReply
        && !client.closeAsap && client.blockedOn == null) {
      byte[][] argv;
      if (parkedArgv != null) {
        if (server.repl.backpressure.held()) {
          break;
        }
        argv = parkedArgv;
        parkedArgv = null;
      } else {
        try {
          argv = decoder.decode(query);
        } catch (ProtocolException e) {
          log.debug("Protocol error ({}) from client: id={} addr={}", e.getMessage(), client.id, client.addr());
          client.error("ERR " + e.getMessage());
          client.closeAfterReply = true;
          break;
        }
        if (argv == null) {
          break;
        }
        if (argv.length == 0) {
          continue;
        }
        if (server.repl.backpressure.held() && waitsForReplicas(argv)) {
          parkedArgv = argv;
          ctx.channel().config().setAutoRead(false);
          server.repl.backpressure.park(this);
          break;
        }
      }
      server.process(client, argv);
      OutputLimits.check(client);
      // AUTH may have succeeded: the decoder's unauthenticated limits apply no more.
      decoder.setAuthenticated(client.authenticated);
    }
    if (client.ackHoldOffset != 0) {
      long offset = client.ackHoldOffset;
      client.ackHoldOffset = 0;
      if (client.blockedOn == null) {
        server.waiters.holdForAck(client, offset);
      }
    }
    if (query != null && !query.isReadable()) {
      releaseQuery();
    } else if (query != null && query.readerIndex() > 64 * 1024) {
      query.discardReadBytes();
    }
  }

  /** Whether {@code argv} must wait while a replica lags (a write that our replicas would get). */
  private boolean waitsForReplicas(byte[][] argv) {
    if (client.isMaster || client.isReplica || client.replica != null) {
      return false;
    }
    CommandSpec spec = server.commands.lookup(argv[0]);
    if (spec == null) {
      return false;
    }
    if (client.inMulti) {
      return spec.name.equals("exec");
    }
    return spec.has(CommandFlags.WRITE) || spec.has(CommandFlags.MAY_REPLICATE) || spec.name.equals("exec");
  }

  /** The backpressure hold lifted: runs the parked write and what follows it, then replies. */
  @Override
  public void unpark() {
    if (client == null || client.isClosed()) {
      return;
    }
    ctx.channel().config().setAutoRead(true);
    processQuery();
    channelReadComplete(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (client != null && client.replica != null) {
      server.repl.backpressure.writabilityChanged(client.replica, ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void releaseQuery() {
    if (query != null) {
      query.release();
      query = null;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (client == null) {
      return;
    }
    if (server.aof.enabled) {
      // Group commit: the replies of every client read in this turn of the loop wait for one AOF
      // write (and, under appendfsync always, one fsync), as Redis does in beforeSleep.
      server.markPendingWrite(client);
    } else {
      // The replicas' share of this batch goes out before its replies (Redis writes replicas
      // first in beforeSleep too): a master killed right after acknowledging a write has already
      // handed it to its replicas' sockets, so a failover does not lose it.
      server.flushPendingWrites();
      flush(client);
    }
  }

  /** Writes {@code c}'s pending replies, closing afterwards if the client asked to. */
  public static void flush(Client c) {
    flush(c, c.server.aof.flushBeforeReplies());
  }

  /**
   * Writes {@code c}'s pending replies; {@code persisted} says whether the writes they acknowledge
   * reached the AOF (when it did not, the replies are dropped and the connection closed).
   */
  public static void flush(Client c, boolean persisted) {
    io.netty.channel.Channel ch = c.channel();
    if (ch == null) {
      return;
    }
    ClientHandler h = ch.attr(Attrs.HANDLER).get();
    if (c.closeAsap) {
      ByteBuf dropped = c.takeOutput();
      if (dropped != null) {
        dropped.release();
      }
      c.server.repl.flushShared(c, false);
      return;
    }
    if (!persisted) {
      c.server.repl.flushShared(c, false);
      // The batch's writes are not on disk: its replies must never be sent (see Aof).
      ByteBuf dropped = c.takeOutput();
      if (dropped != null) {
        dropped.release();
      }
      ch.close();
      return;
    }
    if (c.blockedOn == io.tripod.server.repl.WaitRegistry.ACK_HOLD) {
      return; // the replies leave when the replicas acknowledged the write (WaitRegistry)
    }
    ByteBuf out = c.takeOutput();
    if (out != null) {
      if (out.isReadable()) {
        c.server.stats.totalNetOutputBytes += out.readableBytes();
        c.server.stats.totalWritesProcessed++;
        if (c.closeAfterReply) {
          c.server.repl.flushShared(c, false);
          ch.writeAndFlush(out).addListener(f -> ch.close());
          return;
        }
        ch.writeAndFlush(out, ch.voidPromise());
      } else {
        out.release();
      }
    }
    if (c.replica != null) {
      c.server.repl.flushShared(c, true);
    }
    OutputLimits.check(c);
    if (c.closeAfterReply && h != null) {
      ch.close();
    }
  }

  /** Continues with queued requests after the client was unblocked. */
  public static void resume(Client c) {
    io.netty.channel.Channel ch = c.channel();
    if (ch == null) {
      return;
    }
    ClientHandler h = ch.attr(Attrs.HANDLER).get();
    if (h != null && (h.query != null || h.parkedArgv != null)) {
      h.processQuery();
    }
    flush(c);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseQuery();
    parkedArgv = null;
    server.repl.backpressure.forget(this);
    if (client != null) {
      server.freeClient(client);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)) {
      log.warn("Closing client after unexpected error", cause);
    }
    ctx.close();
  }
}
