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
    return c.outputBytesPending;
  }

  public static int queryBufferBytes(Client c) {
    return c.queryBufferBytes;
  }

  public static long totalNetInput(Client c) {
    return c.totalNetInput;
  }

  public static long totalNetOutput(Client c) {
    return c.totalNetOutput;
  }

  /** The socket's file descriptor when the transport exposes one (epoll), else -1. */
  public static int fd(Client c) {
    if (c.channel instanceof io.netty.channel.unix.UnixChannel) {
      return ((io.netty.channel.unix.UnixChannel) c.channel).fd().intValue();
    }
    return c.channel == null ? -1 : 0;
  }

  /** Removes a client from the MONITOR list (it stays a monitor for CLIENT LIST flags otherwise). */
  public static boolean isMonitor(Client c) {
    return c.server.monitors.contains(c);
  }

  /** The queued pending-write count of pubsub/monitor pushes is not tracked; 0. */
  public static int outputListLength(Client c) {
    return 0;
  }
}
