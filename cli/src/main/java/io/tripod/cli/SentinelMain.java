package io.tripod.cli;

import io.tripod.sentinel.config.ConfigException;
import io.tripod.sentinel.config.SentinelConfig;
import io.tripod.sentinel.net.SentinelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tripod sentinel sentinel.conf [--directive value ...]} and {@code tripod server
 * sentinel.conf --sentinel}, as {@code redis-sentinel} / {@code redis-server --sentinel}.
 */
final class SentinelMain {
  private SentinelMain() {}

  /** True when {@code args} (after the subcommand) ask for Sentinel mode. */
  static boolean isSentinel(String[] all) {
    if (all.length == 0) return false;
    if (all[0].equals("sentinel")) return true;
    if (all[0].equals("server")) {
      for (String a : all) if (a.equals("--sentinel")) return true;
    }
    return false;
  }

  static int run(String[] args) {
    String file = null;
    List<String> overrides = new ArrayList<>();
    int i = 0;
    if (args.length > 0 && !args[0].startsWith("--")) {
      file = args[0];
      i = 1;
    }
    for (; i < args.length; i++) {
      if (!args[i].equals("--sentinel")) overrides.add(args[i]);
    }
    SentinelServer server;
    try {
      SentinelConfig cfg = SentinelConfig.load(file, overrides);
      if (cfg.pidfile != null) {
        Files.writeString(Path.of(cfg.pidfile), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
      }
      server = new SentinelServer(cfg);
      server.start();
    } catch (ConfigException | IOException e) {
      System.err.println(e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "tripod-sentinel-shutdown"));
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
