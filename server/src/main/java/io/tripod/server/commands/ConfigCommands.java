package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandSpec;
import io.tripod.server.command.CommandTable;
import io.tripod.server.config.ConfigDirectives;
import io.tripod.server.config.ConfigDirectives.Directive;
import io.tripod.server.config.ConfigRewriter;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.util.Glob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** CONFIG GET / SET / REWRITE / RESETSTAT / HELP (Redis's {@code config.c} commands). */
public final class ConfigCommands {
  private static final Logger log = LoggerFactory.getLogger(ConfigCommands.class);

  private ConfigCommands() {}

  /**
   * Called with the new level after CONFIG SET loglevel (the CLI points it at its logging setup;
   * the server module does not know the logging backend).
   */
  public static volatile Consumer<String> loglevelListener = level -> {};

  public static void register(CommandTable t) {
    CommandSpec config = t.add("config", -2, "", 0, 0, 0, "slow", null);
    t.sub(config, "get", -3, "admin noscript loading stale", 0, 0, 0, "admin slow dangerous",
        ConfigCommands::get);
    t.sub(config, "help", 2, "loading stale", 0, 0, 0, "slow", ConfigCommands::help);
    t.sub(config, "resetstat", 2, "admin noscript loading stale", 0, 0, 0,
        "admin slow dangerous", ConfigCommands::resetStat);
    t.sub(config, "set", -4, "admin noscript loading stale", 0, 0, 0, "admin slow dangerous",
        ConfigCommands::set);
    t.sub(config, "rewrite", 2, "admin noscript loading stale", 0, 0, 0, "admin slow dangerous",
        ConfigCommands::rewrite);
  }

  private static String str(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static void get(Client c, byte[][] argv) {
    ServerConfig cfg = c.server.config;
    // Keyed by lower-case name (Redis's match dict compares names case-insensitively); the value
    // keeps the spelling that matched first.
    Map<String, Map.Entry<String, Directive>> matches = new LinkedHashMap<>();
    for (int i = 2; i < argv.length; i++) {
      String pattern = str(argv[i]);
      if (pattern.indexOf('[') < 0 && pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
        String key = pattern.toLowerCase(Locale.ROOT);
        if (matches.containsKey(key)) {
          continue;
        }
        Directive d = ConfigDirectives.lookup(pattern);
        if (d != null) {
          matches.put(key, Map.entry(pattern, d));
        }
        continue;
      }
      for (Map.Entry<String, Directive> e : ConfigDirectives.names()) {
        Directive d = e.getValue();
        if (d.has(ConfigDirectives.HIDDEN) || matches.containsKey(e.getKey())) {
          continue;
        }
        if (Glob.match(argv[i], bytes(e.getKey()), true)) {
          matches.put(e.getKey(), e);
        }
      }
    }
    c.map(matches.size());
    for (Map.Entry<String, Directive> e : matches.values()) {
      c.bulk(bytes(e.getKey()));
      c.bulk(bytes(e.getValue().get(cfg)));
    }
  }

  private static final byte[] REDACTED = "(redacted)".getBytes(StandardCharsets.US_ASCII);

  static void set(Client c, byte[][] argv) {
    if ((argv.length & 1) != 0) {
      c.syntaxError();
      return;
    }
    Server server = c.server;
    ServerConfig cfg = server.config;
    int count = (argv.length - 2) / 2;
    Directive[] configs = new Directive[count];
    String[] names = new String[count];
    String[] values = new String[count];
    String invalidArgName = null;
    String errstr = null;
    String errArgName = null;
    boolean invalid = false;
    for (int i = 0; i < count; i++) {
      String name = str(argv[2 + i * 2]);
      Directive d = ConfigDirectives.lookup(name);
      if (d == null) {
        if (!invalid) {
          invalidArgName = name;
          invalid = true;
        }
        continue;
      }
      String value = str(argv[3 + i * 2]);
      if (d.has(ConfigDirectives.SENSITIVE)) {
        // Keep secrets out of SLOWLOG (the handler's argv is what the slow log records).
        argv[3 + i * 2] = REDACTED;
      }
      if (invalid) {
        continue;
      }
      if (d.has(ConfigDirectives.IMMUTABLE)
          || (d.has(ConfigDirectives.PROTECTED) && !allowProtected(c, cfg))) {
        errstr = d.has(ConfigDirectives.IMMUTABLE) ? "can't set immutable config"
            : "can't set protected config";
        errArgName = name;
        invalid = true;
        continue;
      }
      for (int j = 0; j < i; j++) {
        if (configs[j] == d) {
          errstr = "duplicate parameter";
          errArgName = name;
          invalid = true;
          break;
        }
      }
      configs[i] = d;
      names[i] = name.toLowerCase(Locale.ROOT);
      values[i] = value;
    }
    String[] previous = new String[count];
    if (!invalid) {
      String[] old = previous;
      for (int i = 0; i < count; i++) {
        old[i] = configs[i].get(cfg);
      }
      for (int i = 0; i < count; i++) {
        String err = configs[i].set(cfg, split(configs[i], values[i]), false);
        if (err != null) {
          for (int j = 0; j <= i; j++) {
            String e2 = configs[j].set(cfg, split(configs[j], old[j]), false);
            if (e2 != null) {
              log.warn("Failed restoring failed CONFIG SET command. Error setting {} to '{}': {}",
                  configs[j].name, old[j], e2);
            }
          }
          errstr = err;
          errArgName = names[i];
          invalid = true;
          break;
        }
      }
    }
    if (invalid) {
      if (invalidArgName != null) {
        c.err("Unknown option or number of arguments for CONFIG SET - '" + invalidArgName + "'");
      } else if (errstr != null) {
        c.err("CONFIG SET failed (possibly related to argument '" + errArgName + "') - " + errstr);
      } else {
        c.err("CONFIG SET failed (possibly related to argument '" + errArgName + "')");
      }
      return;
    }
    // Listening sockets move only if the new ones can be bound; otherwise everything reverts.
    boolean rebind = false;
    for (int i = 0; i < count; i++) {
      rebind |= configs[i].name.equals("port") || configs[i].name.equals("bind");
    }
    if (rebind && server.boundPortOrZero() != 0) {
      String err = server.rebind();
      if (err != null) {
        for (int i = 0; i < count; i++) {
          configs[i].set(cfg, split(configs[i], previous[i]), false);
        }
        c.err("CONFIG SET failed (possibly related to argument '" + names[0] + "') - " + err);
        return;
      }
    }
    for (int i = 0; i < count; i++) {
      apply(server, configs[i]);
    }
    c.ok();
  }

  /** What a changed directive does to the running server. */
  static void apply(Server server, Directive d) {
    ServerConfig cfg = server.config;
    switch (d.name) {
      case "notify-keyspace-events":
        server.notifyFlags = Notifications.parse(cfg.notifyKeyspaceEvents);
        break;
      case "slowlog-max-len":
        server.slowlog.trim(cfg.slowlogMaxLen);
        break;
      case "loglevel":
        loglevelListener.accept(cfg.loglevel);
        break;
      default:
        break;
    }
  }

  /** CONFIG SET's argument split: multi-argument directives split on single spaces. */
  static List<String> split(Directive d, String value) {
    if (!d.has(ConfigDirectives.MULTI_ARG)) {
      return List.of(value);
    }
    if (value.isEmpty()) {
      return List.of();
    }
    return new ArrayList<>(Arrays.asList(value.split(" ", -1)));
  }

  private static boolean allowProtected(Client c, ServerConfig cfg) {
    switch (cfg.enableProtectedConfigs) {
      case "yes":
        return true;
      case "local":
        String ip = c.ip();
        return ip.startsWith("127.") || ip.equals("::1") || ip.equals("[::1]") || ip.isEmpty();
      default:
        return false;
    }
  }

  static void resetStat(Client c, byte[][] argv) {
    Server s = c.server;
    s.stats.reset();
    for (CommandSpec spec : s.commands.all()) {
      resetSpec(spec);
      for (CommandSpec sub : spec.subcommands.values()) {
        resetSpec(sub);
      }
    }
    c.ok();
  }

  private static void resetSpec(CommandSpec spec) {
    spec.calls = 0;
    spec.microseconds = 0;
    spec.rejectedCalls = 0;
    spec.failedCalls = 0;
  }

  static void rewrite(Client c, byte[][] argv) {
    ServerConfig cfg = c.server.config;
    if (cfg.configFile == null) {
      c.err("The server is running without a config file");
      return;
    }
    try {
      ConfigRewriter.rewriteFile(cfg);
      log.warn("CONFIG REWRITE executed with success.");
      c.ok();
    } catch (IOException e) {
      String why = e instanceof AccessDeniedException ? "Permission denied"
          : e instanceof NoSuchFileException ? "No such file or directory" : e.getMessage();
      log.warn("CONFIG REWRITE failed: {}", why);
      c.err("Rewriting config file: " + why);
    }
  }

  static final String[] HELP = {
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help."
  };

  static void help(Client c, byte[][] argv) {
    c.array(HELP.length);
    for (String line : HELP) {
      c.simple(line);
    }
  }
}
