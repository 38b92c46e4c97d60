package io.tripod.cli;

import io.tripod.server.Server;
import io.tripod.server.config.ConfigException;
import io.tripod.server.config.ConfigParser;
import io.tripod.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;

/** {@code tripod server [redis.conf] [--directive value ...]}, as {@code redis-server}. */
final class ServerMain {
  private ServerMain() {}

  static int run(String[] args) {
    String file = null;
    List<String> overrides = new ArrayList<>();
    int i = 0;
    if (args.length > 0 && !args[0].startsWith("--")) {
      file = args[0];
      i = 1;
    }
    for (; i < args.length; i++) {
      overrides.add(args[i]);
    }
    ServerConfig cfg;
    try {
      cfg = ConfigParser.load(file, overrides);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    Server server = new Server(cfg);
    // SHUTDOWN ends the process (the JVM shutdown hook below stops the server cleanly).
    server.shutdownHook = () -> System.exit(0);
    try {
      server.start();
    } catch (Exception e) {
      System.err.println(e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "tripod-shutdown"));
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
