package io.tripod.server.it;

import io.tripod.server.Server;
import io.tripod.server.config.ServerConfig;
import java.util.List;
import java.util.function.Consumer;

/** A Tripod server in the test's JVM on a free loopback port. */
public final class TripodInstance implements AutoCloseable {
  public final Server server;
  public final int port;

  private TripodInstance(Server server) {
    this.server = server;
    this.port = server.boundPort();
  }

  public static TripodInstance start() throws InterruptedException {
    return start(cfg -> {});
  }

  public static TripodInstance start(Consumer<ServerConfig> tweak) throws InterruptedException {
    ServerConfig cfg = new ServerConfig();
    cfg.port = Ports.free();
    cfg.bind = List.of("127.0.0.1");
    cfg.enableDebugCommand = "yes";
    // Like the RedisProcess started by tests: no automatic saves, files in a private directory.
    cfg.save = new java.util.ArrayList<>();
    try {
      cfg.dir = java.nio.file.Files.createTempDirectory("tripod-it-").toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    tweak.accept(cfg);
    Server s = new Server(cfg);
    s.start();
    return new TripodInstance(s);
  }

  @Override
  public void close() {
    server.stop();
  }
}
