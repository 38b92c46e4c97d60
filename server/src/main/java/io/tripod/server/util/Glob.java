package io.tripod.server.util;

/**
 * Glob-style matching with Redis's rules ({@code stringmatchlen}): {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a-z]}, {@code \x} escapes; used by KEYS, SCAN MATCH, PSUBSCRIBE and
 * CONFIG GET. Recursion on {@code *} is bounded like Redis's (it gives up as "no match" when the
 * pattern nests too deep), so a hostile pattern cannot blow the stack.
 */
@SuppressWarnings("fallthrough")
public final class Glob {
  private Glob() {}

  private static final int MAX_NESTING = 1000;

  public static boolean match(byte[] pattern, byte[] string, boolean nocase) {
    boolean[] skipLongerMatches = new boolean[1];
    return match(pattern, 0, string, 0, nocase, skipLongerMatches, 0);
  }

  public static boolean match(String pattern, String string, boolean nocase) {
    return match(Bytes.of(pattern), Bytes.of(string), nocase);
  }

  private static boolean match(
      byte[] p, int pi, byte[] s, int si, boolean nocase, boolean[] skipLonger, int nesting) {
    if (nesting > MAX_NESTING) {
      return false;
    }
    int plen = p.length;
    int slen = s.length;
    while (pi < plen && si < slen) {
      switch (p[pi]) {
        case '*':
          while (pi + 1 < plen && p[pi + 1] == '*') {
            pi++;
          }
          if (pi + 1 == plen) {
            return true;
          }
          while (si < slen) {
            if (match(p, pi + 1, s, si, nocase, skipLonger, nesting + 1)) {
              return true;
            }
            if (skipLonger[0]) {
              return false;
            }
            si++;
          }
          skipLonger[0] = true;
          return false;
        case '?':
          si++;
          break;
        case '[':
          {
            pi++;
            boolean not = pi < plen && p[pi] == '^';
            if (not) {
              pi++;
            }
            boolean matched = false;
            while (true) {
              if (pi < plen && p[pi] == '\\' && pi + 1 < plen) {
                pi++;
                if (p[pi] == s[si]) {
                  matched = true;
                }
              } else if (pi >= plen || p[pi] == ']') {
                break;
              } else if (pi + 2 < plen && p[pi + 1] == '-') {
                // C's char is signed: bytes >= 0x80 are negative in Redis's range compare.
                int start = p[pi];
                int end = p[pi + 2];
                int c = s[si];
                if (start > end) {
                  int t = start;
                  start = end;
                  end = t;
                }
                if (nocase) {
                  start = lower(start);
                  end = lower(end);
                  c = lower(c);
                }
                pi += 2;
                if (c >= start && c <= end) {
                  matched = true;
                }
              } else {
                if (!nocase) {
                  if (p[pi] == s[si]) {
                    matched = true;
                  }
                } else if (lower(p[pi]) == lower(s[si])) {
                  matched = true;
                }
              }
              pi++;
            }
            if (pi >= plen) {
              pi--; // the pattern ended inside [..]: treat the last byte as its end, as Redis
            }
            if (not) {
              matched = !matched;
            }
            if (!matched) {
              return false;
            }
            si++;
            break;
          }
        case '\\':
          if (pi + 1 < plen) {
            pi++;
          }
          // fall through
        default:
          if (!nocase) {
            if (p[pi] != s[si]) {
              return false;
            }
          } else if (lower(p[pi]) != lower(s[si])) {
            return false;
          }
          si++;
          break;
      }
      pi++;
      if (si == slen) {
        while (pi < plen && p[pi] == '*') {
          pi++;
        }
        break;
      }
    }
    return pi == plen && si == slen;
  }

  /** C-locale tolower: only A-Z change (negative values, i.e. high bytes, stay as they are). */
  private static int lower(int c) {
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  }
}
