package io.tripod.proxy.stats;

import io.tripod.proxy.config.GlobalConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The runtime API socket ({@code stats socket}, MGMT §9.3): a unix domain (or TCP) socket served
 * by one small daemon thread. Non-interactive mode as {@code echo "show stat" | socat}: read one
 * line, run its {@code ;}-separated commands, write the answers, close.
 */
public final class StatsSocket implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path path;
  private final Thread thread;
  private volatile boolean closed;

  /** {@code exec} takes (command line, level) and returns the full answer text. */
  public StatsSocket(GlobalConfig.StatsSocket cfg, BiFunction<String, String, String> exec) throws IOException {
    if (cfg.path() != null) {
      path = Path.of(cfg.path());
      Files.deleteIfExists(path); // HAProxy replaces a stale socket too
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(path));
      if (cfg.mode() != 0) {
        Files.setPosixFilePermissions(path, perms(cfg.mode()));
      }
    } else {
      path = null;
      server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(cfg.host(), cfg.port()));
    }
    thread = new Thread(() -> loop(cfg.level(), exec), "proxy-stats-socket");
    thread.setDaemon(true);
    thread.start();
  }

  private static Set<PosixFilePermission> perms(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] all = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < all.length; i++) {
      if ((mode & (1 << i)) != 0) {
        s.add(all[i]);
      }
    }
    return s;
  }

  private void loop(String level, BiFunction<String, String, String> exec) {
    while (!closed) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      // one thread per client: a client that never sends its newline must not block the others
      Thread t = new Thread(() -> {
        try (SocketChannel cc = c) {
          serve(cc, level, exec);
        } catch (IOException | RuntimeException e) {
          // one bad client must not stop the socket
        }
      }, "proxy-stats-client");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void serve(SocketChannel c, String level, BiFunction<String, String, String> exec) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    while (in.hasRemaining()) {
      int n = c.read(in);
      if (n < 0) {
        break;
      }
      boolean nl = false;
      for (int i = 0; i < in.position(); i++) {
        if (in.get(i) == '\n') {
          nl = true;
          break;
        }
      }
      if (nl) {
        break;
      }
    }
    in.flip();
    String text = StandardCharsets.ISO_8859_1.decode(in).toString();
    int nl = text.indexOf('\n');
    String line = (nl >= 0 ? text.substring(0, nl) : text).replace("\r", "");
    StringBuilder out = new StringBuilder();
    for (String cmd : line.split(";")) {
      out.append(exec.apply(cmd.trim(), level));
    }
    ByteBuffer o = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
    while (o.hasRemaining()) {
      c.write(o);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // best effort
      }
    }
  }
}
