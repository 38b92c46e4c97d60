package io.tripod.server.config;

import io.tripod.resp.SplitArgs;
import io.tripod.server.command.CommandTable;
import io.tripod.server.commands.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a redis.conf plus {@code --directive value} overrides into a {@link ServerConfig}, the way
 * {@code redis-server} does ({@code loadServerConfig}): the file, then standard input when asked
 * ({@code -}), then the overrides appended as extra lines. Errors are Redis's "FATAL CONFIG FILE
 * ERROR" block, carried by {@link ConfigException}.
 */
public final class ConfigParser {
  private final ServerConfig cfg;
  /** Redis's {@code reading_config_file}; an include clears it (as Redis does). */
  private boolean readingFile;
  private CommandTable commandTable;

  private ConfigParser(ServerConfig cfg) {
    this.cfg = cfg;
  }

  /** Loads {@code file} (may be null) and the command-line overrides (redis-server's argv). */
  public static ServerConfig load(String file, List<String> overrides) throws ConfigException {
    return load(file, null, overridesToLines(overrides));
  }

  /**
   * Loads {@code file} (may be null), then {@code stdin} when not null, then {@code options} (the
   * override lines, may be empty).
   */
  public static ServerConfig load(String file, InputStream stdin, String options)
      throws ConfigException {
    ServerConfig cfg = new ServerConfig();
    for (String line : options.split("\n")) {
      if (line.trim().equalsIgnoreCase("sentinel")) {
        cfg.sentinelMode = true;
      }
    }
    StringBuilder text = new StringBuilder();
    if (file != null) {
      text.append(readConfigFile(file));
      cfg.configFile = Path.of(file).toAbsolutePath().normalize().toString();
    }
    if (stdin != null) {
      try {
        text.append(new String(stdin.readAllBytes(), StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        throw new ConfigException("Reading config from stdin failed: " + e.getMessage(), true);
      }
    }
    if (!options.isEmpty()) {
      text.append('\n').append(options);
    }
    ConfigParser p = new ConfigParser(cfg);
    p.loadFromString(text.toString());
    return cfg;
  }

  /** Applies config text to an existing config (tests, includes). */
  public static void apply(ServerConfig cfg, String text) throws ConfigException {
    new ConfigParser(cfg).loadFromString(text);
  }

  /**
   * redis-server's argv handling: {@code --name} starts a line, other arguments are its values
   * (quoted). A value may itself start with {@code --} right after a bare option name; {@code
   * --save} followed by another option (or last) means {@code save ""}.
   */
  public static String overridesToLines(List<String> args) {
    StringBuilder options = new StringBuilder();
    boolean handledLastConfigArg = true;
    for (int j = 0; j < args.size(); j++) {
      String a = args.get(j);
      if (handledLastConfigArg && a.startsWith("--")) {
        if (options.length() > 0) {
          options.append('\n');
        }
        options.append(a.substring(2)).append(' ');
        List<byte[]> parts = SplitArgs.split(a.getBytes(StandardCharsets.ISO_8859_1));
        if (parts != null && parts.size() == 1) {
          handledLastConfigArg = false;
          boolean last = j == args.size() - 1;
          boolean nextIsOption = !last && args.get(j + 1).startsWith("--");
          if (a.equalsIgnoreCase("--save") && (last || nextIsOption)) {
            options.append("\"\"");
            handledLastConfigArg = true;
          } else if (a.equalsIgnoreCase("--sentinel") && (last || nextIsOption)) {
            handledLastConfigArg = true;
          }
        } else {
          handledLastConfigArg = true;
        }
      } else {
        options.append(ConfigRewriter.repr(a)).append(' ');
        handledLastConfigArg = true;
      }
    }
    return options.toString();
  }

  private static String readConfigFile(String filename) throws ConfigException {
    if (filename.indexOf('*') >= 0 || filename.indexOf('?') >= 0 || filename.indexOf('[') >= 0) {
      StringBuilder sb = new StringBuilder();
      for (Path p : glob(filename)) {
        sb.append(readOne(p.toString()));
      }
      return sb.toString();
    }
    return readOne(filename);
  }

  private static String readOne(String filename) throws ConfigException {
    try {
      return Files.readString(Path.of(filename), StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Fatal error, can't open config file '" + filename
          + "': No such file or directory", true);
    } catch (java.nio.file.AccessDeniedException e) {
      throw new ConfigException("Fatal error, can't open config file '" + filename
          + "': Permission denied", true);
    } catch (IOException e) {
      String why = Files.isDirectory(Path.of(filename)) ? "Is a directory" : e.getMessage();
      throw new ConfigException("Fatal error, can't open config file '" + filename + "': " + why,
          true);
    }
  }

  /** Files matching a glob in its last path component, sorted (glob(3) order). */
  static List<Path> glob(String pattern) {
    Path p = Path.of(pattern);
    Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
    PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        if (m.matches(f.getFileName()) && !f.getFileName().toString().startsWith(".")) {
          out.add(p.getParent() == null ? f.getFileName() : f);
        }
      }
    } catch (IOException e) {
      return out;
    }
    out.sort(null);
    return out;
  }

  private void loadFromString(String config) throws ConfigException {
    readingFile = true;
    String[] lines = config.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = trim(lines[i]);
      if (line.isEmpty() || line.charAt(0) == '#') {
        continue;
      }
      List<byte[]> parts = SplitArgs.split(line.getBytes(StandardCharsets.ISO_8859_1));
      if (parts == null) {
        throw fatal(i + 1, line, "Unbalanced quotes in configuration line");
      }
      if (parts.isEmpty()) {
        continue;
      }
      List<String> argv = new ArrayList<>(parts.size());
      for (byte[] b : parts) {
        argv.add(new String(b, StandardCharsets.ISO_8859_1));
      }
      String err = applyLine(argv);
      if (err != null) {
        throw fatal(i + 1, line, err);
      }
    }
    if (!cfg.logfile.isEmpty()) {
      Path log = resolve(cfg, cfg.logfile);
      try {
        Files.newOutputStream(log, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND).close();
      } catch (IOException e) {
        throw fatal(-1, null, "Can't open the log file: " + ioReason(log, e));
      }
    }
    if (cfg.clusterEnabled && cfg.masterHost != null) {
      throw fatal(-1, null, "replicaof directive not allowed in cluster mode");
    }
    readingFile = false;
  }

  /** Applies one split line; returns null or the error text. */
  private String applyLine(List<String> argv) throws ConfigException {
    String name = argv.get(0).toLowerCase(Locale.ROOT);
    int argc = argv.size();
    ConfigDirectives.Directive d = ConfigDirectives.lookup(name);
    if (d != null) {
      if (!d.has(ConfigDirectives.MULTI_ARG) && argc != 2) {
        return "wrong number of arguments";
      }
      String err = d.set(cfg, argv.subList(1, argc), readingFile);
      if (err != null) {
        return err;
      }
      mention(d.name);
      return null;
    }
    if ((name.equals("list-max-ziplist-entries") || name.equals("list-max-ziplist-value")
        || name.equals("lua-replicate-commands")) && argc == 2) {
      return null; // deprecated, ignored
    }
    if (name.equals("include") && argc == 2) {
      ConfigParser nested = new ConfigParser(cfg);
      nested.commandTable = commandTable;
      nested.loadFromString(readConfigFile(argv.get(1)));
      readingFile = false; // Redis's nested load clears the flag for the rest of the file
      return null;
    } else if (name.equals("rename-command") && argc == 3) {
      if (commandTable == null) {
        commandTable = new CommandTable();
        Commands.registerAll(commandTable);
      }
      String from = argv.get(1).toLowerCase(Locale.ROOT);
      if (commandTable.lookup(from) == null) {
        return "No such command in rename-command";
      }
      for (String[] r : cfg.renameCommands) {
        if (!argv.get(2).isEmpty() && r[1].equalsIgnoreCase(argv.get(2))) {
          return "Target command name already exists";
        }
      }
      if (!argv.get(2).isEmpty() && commandTable.lookup(argv.get(2).toLowerCase(Locale.ROOT)) != null
          && !argv.get(2).equalsIgnoreCase(from)) {
        return "Target command name already exists";
      }
      cfg.renameCommands.add(new String[] {from, argv.get(2)});
      mention("rename-command");
      return null;
    } else if (name.equals("user") && argc >= 2) {
      cfg.users.add(new ArrayList<>(argv.subList(1, argc)));
      mention("user");
      return null;
    } else if (name.equals("loadmodule") && argc >= 2) {
      cfg.loadmodules.add(new ArrayList<>(argv.subList(1, argc)));
      mention("loadmodule");
      return null;
    } else if (name.indexOf('.') >= 0) {
      if (argc != 2) {
        return "Module config specified without value";
      }
      cfg.moduleConfigs.put(argv.get(0), argv.get(1));
      return null;
    } else if (name.equals("sentinel")) {
      if (argc != 1) {
        if (!cfg.sentinelMode) {
          return "sentinel directive while not in sentinel mode";
        }
        cfg.sentinelLines.add(new ArrayList<>(argv.subList(1, argc)));
      }
      return null;
    }
    return "Bad directive or wrong number of arguments";
  }

  private void mention(String name) {
    if (!cfg.mentioned.contains(name)) {
      cfg.mentioned.add(name);
    }
  }

  /** {@code path} relative to the configured dir when not absolute. */
  public static Path resolve(ServerConfig cfg, String path) {
    Path p = Path.of(path);
    return p.isAbsolute() ? p : Path.of(cfg.dir).resolve(p);
  }

  static String ioReason(Path p, IOException e) {
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "Permission denied";
    }
    if (Files.isDirectory(p)) {
      return "Is a directory";
    }
    return e.getMessage();
  }

  private static String trim(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && " \t\r\n".indexOf(s.charAt(b)) >= 0) {
      b++;
    }
    while (e > b && " \t\r\n".indexOf(s.charAt(e - 1)) >= 0) {
      e--;
    }
    return s.substring(b, e);
  }

  /** Redis's fatal block; {@code lineNo < 0} omits the line (errors found after reading). */
  static ConfigException fatal(int lineNo, String line, String reason) {
    StringBuilder sb = new StringBuilder("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n");
    if (lineNo >= 0) {
      sb.append("Reading the configuration file, at line ").append(lineNo).append('\n');
      sb.append(">>> '").append(line).append("'\n");
    }
    sb.append(reason);
    return new ConfigException(sb.toString());
  }
}
