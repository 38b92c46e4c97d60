package io.tripod.server.commands;

import io.tripod.server.Client;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Redis's {@code addReplyHelp}: an array of status lines, first a usage line, then the command's
 * own lines (from help.txt), then the HELP entry.
 */
final class Help {
  private Help() {}

  private static final Map<String, List<String>> TEXTS = load();

  private static Map<String, List<String>> load() {
    Map<String, List<String>> m = new HashMap<>();
    try (InputStream in = Help.class.getResourceAsStream("help.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<String> cur = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("== ")) {
          cur = new ArrayList<>();
          m.put(line.substring(3).trim(), cur);
        } else if (cur != null) {
          cur.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  static void reply(Client c, String command) {
    List<String> lines = TEXTS.getOrDefault(command, List.of());
    c.array(lines.size() + 3);
    c.simple(command.toUpperCase(Locale.ROOT)
        + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (String l : lines) {
      c.simple(l);
    }
    c.simple("HELP");
    c.simple("    Prints this help.");
  }

  /** {@code -ERR unknown subcommand or wrong number of arguments for '<sub>'. Try X HELP.} */
  static void subcommandSyntaxError(Client c, String command, byte[] sub) {
    c.err("unknown subcommand or wrong number of arguments for '"
        + new String(sub, StandardCharsets.UTF_8) + "'. Try " + command + " HELP.");
  }
}
