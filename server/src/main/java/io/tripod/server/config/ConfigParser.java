package io.tripod.server.config;

import io.tripod.resp.SplitArgs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a redis.conf plus {@code --directive value} overrides into a {@link ServerConfig}, the way
 * {@code redis-server} does ({@code loadServerConfig}): the file first, then the overrides appended
 * as extra lines.
 */
public final class ConfigParser {
  private ConfigParser() {}

  public static ServerConfig load(String file, List<String> overrides) throws ConfigException {
    ServerConfig cfg = new ServerConfig();
    StringBuilder text = new StringBuilder();
    if (file != null) {
      try {
        text.append(Files.readString(Path.of(file), StandardCharsets.ISO_8859_1));
        cfg.configFile = Path.of(file).toAbsolutePath().toString();
      } catch (IOException e) {
        throw new ConfigException("Fatal error, can't open config file '" + file + "': " + e.getMessage());
      }
    }
    text.append('\n').append(overridesToLines(overrides));
    apply(cfg, text.toString());
    return cfg;
  }

  /** {@code --port 6380 --bind a b} becomes {@code port 6380\nbind a b}. */
  static String overridesToLines(List<String> args) {
    StringBuilder sb = new StringBuilder();
    for (String a : args) {
      if (a.startsWith("--")) {
        if (sb.length() > 0) {
          sb.append('\n');
        }
        sb.append(a.substring(2));
      } else {
        sb.append(' ').append(quote(a));
      }
    }
    return sb.toString();
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static void apply(ServerConfig cfg, String text) throws ConfigException {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<byte[]> parts = SplitArgs.split(line.getBytes(StandardCharsets.ISO_8859_1));
      if (parts == null) {
        throw fatal(i + 1, line, "Unbalanced quotes in configuration line");
      }
      if (parts.isEmpty()) {
        continue;
      }
      List<String> args = new ArrayList<>();
      for (byte[] p : parts) {
        args.add(new String(p, StandardCharsets.ISO_8859_1));
      }
      String name = args.get(0).toLowerCase(java.util.Locale.ROOT);
      List<String> v = args.subList(1, args.size());
      try {
        switch (name) {
          case "port": cfg.port = Integer.parseInt(v.get(0)); break;
          case "bind": cfg.bind = new ArrayList<>(v); break;
          case "requirepass": cfg.requirepass = v.get(0); break;
          case "protected-mode": cfg.protectedMode = v.get(0).equalsIgnoreCase("yes"); break;
          case "databases": cfg.databases = Integer.parseInt(v.get(0)); break;
          case "maxclients": cfg.maxclients = Integer.parseInt(v.get(0)); break;
          case "timeout": cfg.timeoutSeconds = Integer.parseInt(v.get(0)); break;
          case "dir": cfg.dir = v.get(0); break;
          case "logfile": cfg.logfile = v.get(0); break;
          case "loglevel": cfg.loglevel = v.get(0); break;
          case "daemonize": cfg.daemonize = v.get(0).equalsIgnoreCase("yes"); break;
          case "pidfile": cfg.pidfile = v.get(0); break;
          case "enable-debug-command": cfg.enableDebugCommand = v.get(0); break;
          case "save": case "appendonly": break;
          default:
            break;
        }
      } catch (RuntimeException e) {
        throw fatal(i + 1, line, "Bad directive or wrong number of arguments");
      }
    }
  }

  static ConfigException fatal(int lineNo, String line, String reason) {
    return new ConfigException("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
        + "Reading the configuration file, at line " + lineNo + "\n>>> '" + line + "'\n" + reason);
  }
}
