package io.tripod.sentinel.net;

/** Redis's stringmatchlen glob: {@code * ? [abc] [^a-z] \x}, optionally case-insensitive. */
final class Glob {
  private Glob() {}

  static boolean match(String p, String s, boolean nocase) {
    return match(p, 0, s, 0, nocase, 0);
  }

  private static boolean match(String p, int pi, String s, int si, boolean nocase, int depth) {
    if (depth > 1000) return false;
    while (pi < p.length()) {
      char c = p.charAt(pi);
      switch (c) {
        case '*':
          while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') pi++;
          if (pi + 1 == p.length()) return true;
          for (int k = si; k <= s.length(); k++) {
            if (match(p, pi + 1, s, k, nocase, depth + 1)) return true;
          }
          return false;
        case '?':
          if (si >= s.length()) return false;
          si++;
          pi++;
          break;
        case '[': {
          if (si >= s.length()) return false;
          pi++;
          boolean not = pi < p.length() && p.charAt(pi) == '^';
          if (not) pi++;
          boolean matched = false;
          char sc = fold(s.charAt(si), nocase);
          while (pi < p.length() && p.charAt(pi) != ']') {
            if (p.charAt(pi) == '\\' && pi + 1 < p.length()) {
              pi++;
              if (fold(p.charAt(pi), nocase) == sc) matched = true;
            } else if (pi + 2 < p.length() && p.charAt(pi + 1) == '-') {
              char a = fold(p.charAt(pi), nocase);
              char b = fold(p.charAt(pi + 2), nocase);
              if (a > b) {
                char t = a;
                a = b;
                b = t;
              }
              if (sc >= a && sc <= b) matched = true;
              pi += 2;
            } else if (fold(p.charAt(pi), nocase) == sc) {
              matched = true;
            }
            pi++;
          }
          if (pi < p.length()) pi++;
          if (not) matched = !matched;
          if (!matched) return false;
          si++;
          break;
        }
        case '\\':
          if (pi + 1 < p.length()) pi++;
          // an escaped character compares literally
          if (si >= s.length() || fold(p.charAt(pi), nocase) != fold(s.charAt(si), nocase)) return false;
          si++;
          pi++;
          break;
        default:
          if (si >= s.length() || fold(c, nocase) != fold(s.charAt(si), nocase)) return false;
          si++;
          pi++;
      }
    }
    return si == s.length();
  }

  private static char fold(char c, boolean nocase) {
    return nocase ? Character.toLowerCase(c) : c;
  }
}
