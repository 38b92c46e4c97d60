package io.tripod.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.tripod.server.commands.ClientCommands;
import io.tripod.server.repl.Replica;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code client-output-buffer-limit} (Redis's {@code checkClientOutputBufferLimits} and {@code
 * closeClientOnOutputBufferLimitReached}): a client whose pending output reaches the hard limit of
 * its class, or stays at or above the soft limit for more than the soft seconds, is closed
 * asynchronously, its pending output discarded.
 *
 * <p>Pending output is what Tripod still holds for the client: the batch being built ({@code
 * Client.out}) plus what the channel has not handed to the kernel yet (Netty's outbound buffer).
 * For a replica that is still receiving its RDB, only the command stream queued behind the RDB
 * counts, as in Redis (the RDB transfer itself is not output buffer).
 *
 * <p>Thread safety: event-loop owned.
 */
public final class OutputLimits {
  private static final Logger log = LoggerFactory.getLogger(OutputLimits.class);

  /** The classes of {@code ServerConfig.clientOutputBufferLimit}. */
  static final int NORMAL = 0;
  static final int REPLICA = 1;
  static final int PUBSUB = 2;

  private OutputLimits() {}

  /** Bytes written to the channel and not yet to the socket. */
  static long channelPending(Channel ch) {
    if (ch == null) {
      return 0;
    }
    ChannelOutboundBuffer ob = ch.unsafe().outboundBuffer();
    return ob == null ? 0 : ob.totalPendingWriteBytes();
  }

  /** Everything held for {@code c} that the socket has not taken yet, RDB bytes included. */
  public static long unsentBytes(Client c) {
    long n = c.out == null ? 0 : c.out.readableBytes();
    if (c.replica != null) {
      n += c.server.repl.sharedPendingBytes(c);
    }
    return n + channelPending(c.channel);
  }

  /** Redis's getClientOutputBufferMemoryUsage: the bytes the limits are checked against. */
  public static long usedBytes(Client c) {
    Replica r = c.replica;
    if (r != null && !r.receivesStream()) {
      return r.pendingBytes();
    }
    return unsentBytes(c);
  }

  /** Redis's getClientType folded as the limits use it (a master counts as normal). */
  static int limitClass(Client c) {
    if (c.isReplica) {
      return REPLICA;
    }
    if (c.isPubSub()) {
      return PUBSUB;
    }
    return NORMAL;
  }

  /**
   * Checks {@code c} against its class's limits and schedules it to be closed when over them.
   * Returns true when the client is (now or already) scheduled to close.
   */
  public static boolean check(Client c) {
    if (c.closeAsap) {
      return true;
    }
    if (c.channel == null || c.closed) {
      return false; // internal clients (the master link's) are never closed this way
    }
    long[] lim = c.server.config.clientOutputBufferLimit[limitClass(c)];
    long hardLimit = lim[0];
    long softLimit = lim[1];
    if (hardLimit == 0 && softLimit == 0) {
      return false;
    }
    long used = usedBytes(c);
    if (used == 0) {
      return false;
    }
    boolean hard = hardLimit != 0 && Long.compareUnsigned(used, hardLimit) >= 0;
    boolean soft = softLimit != 0 && Long.compareUnsigned(used, softLimit) >= 0;
    long nowSec = c.server.clock.millis() / 1000;
    if (soft) {
      if (c.obufSoftLimitReachedSec == 0) {
        c.obufSoftLimitReachedSec = nowSec;
        soft = false; // the first time we see the soft limit reached
      } else if (nowSec - c.obufSoftLimitReachedSec <= lim[2]) {
        soft = false; // not yet for long enough
      }
    } else {
      c.obufSoftLimitReachedSec = 0;
    }
    if (!soft && !hard) {
      return false;
    }
    StringBuilder info = new StringBuilder();
    ClientCommands.appendInfo(info, c, c);
    log.warn("Client {} scheduled to be closed ASAP for overcoming of output buffer limits.", info);
    scheduleClose(c);
    return true;
  }

  /** Redis's freeClientAsync: no more output; the connection closes once the loop turns. */
  static void scheduleClose(Client c) {
    c.closeAsap = true;
    io.netty.buffer.ByteBuf pending = c.takeOutput();
    if (pending != null) {
      pending.release();
    }
    Channel ch = c.channel;
    c.server.execute(() -> {
      if (ch.isOpen()) {
        ch.close(); // discards what the outbound buffer still holds
      }
    });
  }
}
