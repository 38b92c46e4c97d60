package io.tripod.server;

/**
 * Read access to the connection details Redis shows in CLIENT LIST / CLIENT INFO (creation time,
 * last interaction, buffers), for the introspection commands. Event-loop owned, like Client.
 */
public final class ClientAccess {
  private ClientAccess() {}

  public static long createdMillis(Client c) {
    return c.createdMillis;
  }

  public static long lastInteractionMillis(Client c) {
    return c.lastInteractionMillis;
  }

  public static long outputBytesPending(Client c) {
    return OutputLimits.usedBytes(c);
  }

  public static int queryBufferBytes(Client c) {
    return c.queryBufferBytes;
  }

  /** The socket's file descriptor when the transport exposes one (epoll), else -1. */
  public static int fd(Client c) {
    if (c.channel instanceof io.netty.channel.unix.UnixChannel) {
      return ((io.netty.channel.unix.UnixChannel) c.channel).fd().intValue();
    }
    return c.channel == null ? -1 : 0;
  }

  /** True for a client in MONITOR mode. */
  public static boolean isMonitor(Client c) {
    return c.server.monitors.contains(c);
  }

  /** Reply list length (CLIENT LIST oll): Tripod keeps one output buffer, so 0. */
  public static int outputListLength(Client c) {
    return 0;
  }
}
