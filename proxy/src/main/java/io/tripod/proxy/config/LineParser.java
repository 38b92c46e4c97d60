package io.tripod.proxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits one configuration line into words the way HAProxy's {@code parse_line} does (CFG §2.2):
 * unprotected {@code #} starts a comment, unprotected blanks separate words, backslash escapes
 * ({@code \ \\ \# \' \" \$ \t \n \r \xHH}) outside single quotes, {@code "..."} weak quoting with
 * {@code $VAR}/{@code ${VAR}} expansion, {@code '...'} strong quoting. Words are byte strings
 * carried in Latin-1 {@code String}s (one char per byte), so {@code \x00}..{@code \xff} survive.
 */
public final class LineParser {
  private LineParser() {}

  /** Parses with the process environment. */
  public static List<String> parse(String line) throws ConfigException {
    return parse(line, System.getenv());
  }

  public static List<String> parse(String line, Map<String, String> env) throws ConfigException {
    List<String> words = new ArrayList<>();
    StringBuilder cur = null; // null = between words
    char quote = 0;
    int n = line.length();
    int i = 0;
    while (i < n) {
      char c = line.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          cur.append(c);
        }
        i++;
        continue;
      }
      if (quote == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
        if (cur != null) {
          words.add(cur.toString());
          cur = null;
        }
        i++;
        continue;
      }
      if (quote == 0 && c == '#') {
        break;
      }
      if (cur == null) {
        cur = new StringBuilder();
      }
      if (c == '\'' && quote == 0) {
        quote = '\'';
        i++;
      } else if (c == '"') {
        quote = quote == '"' ? 0 : '"';
        i++;
      } else if (c == '\\' && i + 1 < n) {
        char e = line.charAt(i + 1);
        switch (e) {
          case ' ': case '\\': case '#': case '\'': case '"': case '$':
            cur.append(e);
            i += 2;
            break;
          case 't':
            cur.append('\t');
            i += 2;
            break;
          case 'n':
            cur.append('\n');
            i += 2;
            break;
          case 'r':
            cur.append('\r');
            i += 2;
            break;
          case 'x': {
            int h1 = i + 2 < n ? Character.digit(line.charAt(i + 2), 16) : -1;
            int h2 = i + 3 < n ? Character.digit(line.charAt(i + 3), 16) : -1;
            if (h1 < 0 || h2 < 0) {
              throw positioned("truncated or invalid hexadecimal sequence", line, i);
            }
            cur.append((char) (h1 * 16 + h2));
            i += 4;
            break;
          }
          default:
            cur.append(c).append(e);
            i += 2;
        }
      } else if (c == '$' && quote == '"') {
        int j = i + 1;
        String name;
        if (j < n && line.charAt(j) == '{') {
          int end = line.indexOf('}', j + 1);
          if (end < 0) {
            throw positioned("no closing brace after environment variable", line, i);
          }
          name = line.substring(j + 1, end);
          j = end + 1;
        } else {
          int s = j;
          while (j < n && (Character.isLetterOrDigit(line.charAt(j)) || line.charAt(j) == '_')) {
            j++;
          }
          name = line.substring(s, j);
        }
        if (name.isEmpty()) {
          cur.append('$');
          i++;
        } else {
          String v = env.get(name);
          if (v != null) {
            cur.append(v);
          }
          i = j;
        }
      } else {
        cur.append(c);
        i++;
      }
    }
    if (quote != 0) {
      throw positioned("unmatched quote", line, line.lastIndexOf(quote));
    }
    if (cur != null) {
      words.add(cur.toString());
    }
    return words;
  }

  private static ConfigException positioned(String what, String line, int pos) {
    return new ConfigException(what + " at position " + (pos + 1) + ":\n  " + line + "\n  "
        + " ".repeat(Math.max(0, pos)) + "^");
  }
}
