package io.tripod.resp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line into arguments the way Redis's {@code sdssplitargs} does: used for inline
 * commands and for config files. Double quotes take the escapes {@code \n \r \t \b \a \\ \"} and
 * {@code \xHH}; single quotes take only {@code \'}; a closing quote must be followed by a space or
 * the end of the line.
 */
public final class SplitArgs {
  private SplitArgs() {}

  /** Returns the arguments, or {@code null} when quotes are unbalanced. */
  public static List<byte[]> split(byte[] line) {
    List<byte[]> out = new ArrayList<>();
    int i = 0;
    int n = line.length;
    while (true) {
      while (i < n && isSpace(line[i])) {
        i++;
      }
      if (i >= n) {
        return out;
      }
      ByteArrayOutputStream cur = new ByteArrayOutputStream();
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      while (!done) {
        if (inDouble) {
          if (i >= n) {
            return null;
          }
          byte c = line[i];
          if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
            cur.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
            i += 3;
          } else if (c == '\\' && i + 1 < n) {
            i++;
            byte e = line[i];
            switch (e) {
              case 'n': cur.write('\n'); break;
              case 'r': cur.write('\r'); break;
              case 't': cur.write('\t'); break;
              case 'b': cur.write('\b'); break;
              case 'a': cur.write(7); break;
              default: cur.write(e); break;
            }
          } else if (c == '"') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(c);
          }
        } else if (inSingle) {
          if (i >= n) {
            return null;
          }
          byte c = line[i];
          if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
            i++;
            cur.write('\'');
          } else if (c == '\'') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              return null;
            }
            done = true;
          } else {
            cur.write(c);
          }
        } else {
          if (i >= n) {
            done = true;
            break;
          }
          byte c = line[i];
          if (isSpace(c)) {
            done = true;
          } else if (c == '"') {
            inDouble = true;
          } else if (c == '\'') {
            inSingle = true;
          } else {
            cur.write(c);
          }
        }
        if (i < n) {
          i++;
        }
      }
      out.add(cur.toByteArray());
    }
  }

  /** C's isspace: space, \t, \n, \v, \f, \r. */
  static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
  }

  private static boolean isHex(byte c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return c - 'A' + 10;
  }
}
