package io.tripod.server.commands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interface metadata of Redis 7.0's commands that the command table does not carry: group, since,
 * command tips, key specs and argument structure (command-meta.txt, generated from a real
 * redis-server by tools/gen-command-meta.py), plus Tripod's own summaries and complexity notes
 * (command-summaries.txt). Keyed by full name ({@code get}, {@code client|kill}). Immutable.
 */
final class CommandMeta {
  /** A key spec (COMMAND INFO's key_specs entry). */
  record KeySpec(List<String> flags, String beginType, Map<String, String> beginSpec,
      String findType, Map<String, String> findSpec, String notes) {
    boolean has(String flag) {
      return flags.contains(flag);
    }

    int intOf(Map<String, String> m, String k) {
      return Integer.parseInt(m.get(k));
    }
  }

  /** An argument of COMMAND DOCS. */
  static final class Arg {
    final String name;
    final String type;
    final Map<String, String> attrs = new LinkedHashMap<>();
    final List<Arg> children = new ArrayList<>();

    Arg(String name, String type) {
      this.name = name;
      this.type = type;
    }
  }

  /** Metadata of one command. */
  static final class Meta {
    String group;
    String since;
    String summary;
    String complexity;
    List<String> docFlags = List.of();
    String deprecatedSince;
    String replacedBy;
    final List<String> tips = new ArrayList<>();
    final List<KeySpec> keySpecs = new ArrayList<>();
    final List<Arg> args = new ArrayList<>();
  }

  private static final Map<String, Meta> META = load();

  static Meta get(String fullName) {
    return META.get(fullName);
  }

  private static String unesc(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static Map<String, String> specMap(String s) {
    Map<String, String> m = new LinkedHashMap<>();
    if (s.equals("-")) {
      return m;
    }
    for (String kv : s.split(",")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), unesc(kv.substring(eq + 1)));
    }
    return m;
  }

  private static Map<String, Meta> load() {
    Map<String, Meta> m = new HashMap<>();
    try (InputStream in = CommandMeta.class.getResourceAsStream("command-meta.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      Meta cur = null;
      List<Arg> stack = new ArrayList<>();
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        switch (f[0]) {
          case "cmd":
            cur = new Meta();
            cur.group = f[2];
            cur.since = f[3];
            for (int i = 4; i < f.length; i++) {
              if (f[i].startsWith("docflags=")) {
                cur.docFlags = List.of(f[i].substring(9).split(","));
              } else if (f[i].startsWith("deprecated=")) {
                cur.deprecatedSince = f[i].substring(11);
              } else if (f[i].startsWith("replaced=")) {
                cur.replacedBy = unesc(f[i].substring(9));
              }
            }
            m.put(f[1], cur);
            stack.clear();
            break;
          case "tip":
            cur.tips.add(unesc(f[1]));
            break;
          case "ks":
            cur.keySpecs.add(new KeySpec(f[1].equals("-") ? List.of() : List.of(f[1].split(",")),
                f[2], specMap(f[3]), f[4], specMap(f[5]),
                f.length > 6 && f[6].startsWith("notes=") ? unesc(f[6].substring(6)) : null));
            break;
          case "arg": {
            int depth = Integer.parseInt(f[1]);
            Arg a = new Arg(unesc(f[2]), f[3]);
            for (int i = 4; i < f.length; i++) {
              int eq = f[i].indexOf('=');
              a.attrs.put(f[i].substring(0, eq), unesc(f[i].substring(eq + 1)));
            }
            while (stack.size() > depth) {
              stack.remove(stack.size() - 1);
            }
            if (depth == 0) {
              cur.args.add(a);
            } else {
              stack.get(depth - 1).children.add(a);
            }
            stack.add(a);
            break;
          }
          default:
            break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (InputStream in = CommandMeta.class.getResourceAsStream("command-summaries.txt");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        Meta meta = m.get(f[0]);
        if (meta != null) {
          meta.summary = f[1];
          meta.complexity = f.length > 2 ? f[2] : null;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }
}
