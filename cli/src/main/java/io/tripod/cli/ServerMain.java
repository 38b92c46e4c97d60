package io.tripod.cli;

import io.tripod.server.Server;
import io.tripod.server.commands.ConfigCommands;
import io.tripod.server.config.ConfigDirectives;
import io.tripod.server.config.ConfigException;
import io.tripod.server.config.ConfigParser;
import io.tripod.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tripod server [redis.conf] [--directive value ...] [-]}, as {@code redis-server}: loads
 * the config (file, standard input with {@code -}, then the overrides), daemonizes when asked,
 * sets up Redis-style logging, writes the pid file and runs the server until SIGTERM/SIGINT.
 *
 * <p><b>daemonize yes.</b> A JVM cannot fork, so the process re-executes itself detached (in a new
 * session with {@code setsid} when available, standard input and error on /dev/null) with {@code
 * TRIPOD_DAEMON_CHILD=1}. The child starts the server, writes the pid file with its own PID and
 * reports readiness on a pipe; the parent then exits 0 (or with the child's exit code if it failed
 * to start). The child removes the pid file on shutdown.
 */
final class ServerMain {
  private ServerMain() {}

  static final String CHILD_ENV = "TRIPOD_DAEMON_CHILD";
  static final String READY = "tripod-ready";
  static final String DEFAULT_PID_FILE = "/var/run/redis.pid";

  static int run(String[] args) {
    if (args.length == 1 && (args[0].equals("-v") || args[0].equals("--version"))) {
      System.out.println("Redis server v=" + Server.REDIS_VERSION
          + " sha=00000000:0 malloc=libc bits=64 build=tripod");
      return 0;
    }
    if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
      usage();
      return 1;
    }
    String file = null;
    boolean fromStdin = false;
    List<String> overrides = new ArrayList<>();
    int i = 0;
    if (args.length > 0 && !args[0].startsWith("-")) {
      file = args[0];
      i = 1;
    }
    for (; i < args.length; i++) {
      if (args[i].equals("-") && (i == 0 || i == args.length - 1)) {
        fromStdin = true;
      } else {
        overrides.add(args[i]);
      }
    }
    boolean child = System.getenv(CHILD_ENV) != null;
    byte[] stdinConfig = null;
    ServerConfig cfg;
    try {
      if (fromStdin) {
        stdinConfig = System.in.readAllBytes();
        if (!child) {
          System.out.println(RedisLogLayout.line(System.currentTimeMillis(), '#',
              "Reading config from stdin"));
        }
      }
      cfg = ConfigParser.load(file,
          stdinConfig == null ? null : new ByteArrayInputStream(stdinConfig),
          ConfigParser.overridesToLines(overrides));
    } catch (ConfigException e) {
      if (e.logLine) {
        System.out.println(RedisLogLayout.line(System.currentTimeMillis(), '#', e.getMessage()));
      } else {
        System.err.println(e.getMessage());
      }
      return 1;
    } catch (IOException e) {
      System.err.println("Reading config from stdin failed: " + e.getMessage());
      return 1;
    }
    if (cfg.daemonize && !child) {
      return daemonize(args, stdinConfig);
    }
    return serve(cfg, child);
  }

  private static void usage() {
    System.err.println("Usage: tripod server [/path/to/redis.conf] [options] [-]\n"
        + "       tripod server - (read config from stdin)\n"
        + "       tripod server -v or --version\n"
        + "       tripod server -h or --help\n\n"
        + "Examples:\n"
        + "       tripod server (run the server with default conf)\n"
        + "       echo 'maxmemory 128mb' | tripod server -\n"
        + "       tripod server /etc/redis/6379.conf\n"
        + "       tripod server --port 7777\n"
        + "       tripod server --port 7777 --replicaof 127.0.0.1 8888\n"
        + "       tripod server /etc/myredis.conf --loglevel verbose -\n"
        + "       tripod server /etc/myredis.conf --loglevel verbose");
  }

  /** The parent side of daemonize: starts the detached child and waits for it to be ready. */
  static int daemonize(String[] args, byte[] stdinConfig) {
    List<String> cmd = new ArrayList<>();
    if (new File("/usr/bin/setsid").canExecute()) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(ProcessHandle.current().info().command()
        .orElse(System.getProperty("java.home") + "/bin/java"));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("server");
    for (String a : args) {
      cmd.add(a);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put(CHILD_ENV, "1");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    if (stdinConfig == null) {
      pb.redirectInput(new File("/dev/null"));
    }
    Process p;
    try {
      p = pb.start();
      if (stdinConfig != null) {
        try (OutputStream os = p.getOutputStream()) {
          os.write(stdinConfig);
        }
      }
    } catch (IOException e) {
      System.err.println("Can't daemonize: " + e.getMessage());
      return 1;
    }
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.equals(READY)) {
          return 0;
        }
      }
      return p.waitFor();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** Runs the server in this process until it is told to stop. */
  static int serve(ServerConfig cfg, boolean daemonChild) {
    String logfile = cfg.logfile.isEmpty() ? null
        : ConfigParser.resolve(cfg, cfg.logfile).toString();
    Logging.configure(logfile, cfg.loglevel, daemonChild);
    ConfigCommands.loglevelListener = Logging::setLevel;
    Logger log = LoggerFactory.getLogger("tripod");
    long pid = ProcessHandle.current().pid();
    log.warn("oO0OoO0OoO0Oo Tripod is starting oO0OoO0OoO0Oo");
    log.warn("Tripod version=0.1.0 (Redis {} compatible), bits=64, pid={}, just started",
        Server.REDIS_VERSION, pid);
    if (cfg.configFile == null) {
      log.warn("Warning: no config file specified, using the default config. In order to specify"
          + " a config file use tripod server /path/to/redis.conf");
    } else {
      log.warn("Configuration loaded");
    }
    if (!cfg.moduleConfigs.isEmpty()) {
      log.warn("Module Configuration detected without loadmodule directive or no ApplyConfig "
          + "call: aborting");
      return 1;
    }
    for (String name : notImplemented(cfg)) {
      log.info("{} is accepted but not implemented yet", name);
    }
    RedisLogLayout.role = () -> cfg.sentinelMode ? 'X' : cfg.masterHost != null ? 'S' : 'M';
    if (cfg.bind.isEmpty()) {
      log.warn("Configured to not listen anywhere, exiting.");
      return 1;
    }
    Server server = new Server(cfg);
    // From now on the role is the replication state's (REPLICAOF and Sentinel's SLAVEOF change it).
    RedisLogLayout.role = () -> cfg.sentinelMode ? 'X' : server.repl.link != null ? 'S' : 'M';
    // SHUTDOWN ends the process (the JVM shutdown hook below stops the server cleanly).
    server.shutdownHook = () -> System.exit(0);
    try {
      server.start();
    } catch (Exception e) {
      log.warn(e.getMessage());
      return 1;
    }
    Path pidfile = null;
    if (cfg.daemonize && cfg.pidfile.isEmpty()) {
      cfg.pidfile = DEFAULT_PID_FILE;
    }
    if (!cfg.pidfile.isEmpty()) {
      pidfile = ConfigParser.resolve(cfg, cfg.pidfile);
      try {
        Files.writeString(pidfile, pid + "\n");
      } catch (IOException e) {
        log.warn("Failed to write PID file: {}", e.getMessage());
        pidfile = null;
      }
    }
    final Path writtenPidfile = pidfile;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.warn("User requested shutdown...");
      server.stop();
      if (writtenPidfile != null) {
        try {
          Files.deleteIfExists(writtenPidfile);
        } catch (IOException e) {
          log.warn("Failed to remove PID file: {}", e.getMessage());
        }
      }
      log.warn("Tripod is now ready to exit, bye bye...");
      Runtime.getRuntime().halt(0); // exit 0 on SIGTERM, as redis-server does
    }, "tripod-shutdown"));
    if (daemonChild) {
      System.out.println(READY);
      System.out.flush();
      PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
      System.setOut(nowhere);
      System.setErr(nowhere);
      try {
        System.in.close();
      } catch (IOException e) {
        // already closed
      }
    }
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Directives the config mentioned that the server stores but does not act on yet. */
  static List<String> notImplemented(ServerConfig cfg) {
    List<String> out = new ArrayList<>();
    for (String name : cfg.mentioned) {
      ConfigDirectives.Directive d = ConfigDirectives.lookup(name);
      if (d == null || !d.isImplemented()) {
        out.add(name);
      }
    }
    return out;
  }
}
