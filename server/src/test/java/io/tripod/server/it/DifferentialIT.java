package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import io.tripod.resp.SplitArgs;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The differential test: every case in {@code src/test/resources/differential/*.txt} is sent to a
 * real redis-server 7.0 and to Tripod, and the replies are compared byte for byte.
 *
 * <p>Corpus format, one command per line (arguments split like redis-cli / inline commands, so
 * {@code "a b"} and {@code "\x00"} work):
 *
 * <pre>
 * # comment
 * === name of a case            every case starts with FLUSHALL on fresh connections
 * SET k v                       compared byte for byte
 * ~RANDOMKEY                    compared by reply type only (nondeterministic replies)
 * &#64;sort SMEMBERS s              an array compared after sorting its elements
 * !raw "*1\r\n$-5\r\n"            raw bytes sent as they are; the reply (or a close) compared
 * [2] GET k                     on connection 2 (connections open lazily; default is 1)
 * [2]&amp; BLPOP l 0                sent on connection 2 without reading the reply now
 * [2]&lt;                          reads and compares the reply pending on connection 2
 * </pre>
 */
class DifferentialIT {
  private static RedisProcess redis;
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisProcess.start("--enable-debug-command", "yes");
    tripod = TripodInstance.start();
  }

  @AfterAll
  static void stop() {
    if (tripod != null) {
      tripod.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  record Line(String file, int number, String text) {}

  record Case(String name, List<Line> lines) {}

  static List<Case> loadCases() throws IOException, URISyntaxException {
    URL url = DifferentialIT.class.getResource("/differential");
    Path dir = Path.of(url.toURI());
    List<Case> cases = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    for (Path f : files) {
      List<String> all = Files.readAllLines(f, StandardCharsets.UTF_8);
      Case current = null;
      for (int i = 0; i < all.size(); i++) {
        String t = all.get(i);
        if (t.isBlank() || t.startsWith("#")) {
          continue;
        }
        if (t.startsWith("===")) {
          current = new Case(f.getFileName() + ": " + t.substring(3).trim(), new ArrayList<>());
          cases.add(current);
          continue;
        }
        if (current == null) {
          current = new Case(f.getFileName() + ": (unnamed)", new ArrayList<>());
          cases.add(current);
        }
        current.lines.add(new Line(f.getFileName().toString(), i + 1, t));
      }
    }
    return cases;
  }

  @Test
  void repliesMatchRealRedisByteForByte() throws Exception {
    List<Case> cases = loadCases();
    List<String> failures = new ArrayList<>();
    int commands = 0;
    for (Case c : cases) {
      commands += runCase(c, failures);
    }
    System.out.println("Differential corpus: " + cases.size() + " cases, " + commands
        + " commands, " + failures.size() + " mismatches");
    assertThat(failures).as("mismatches against redis-server").isEmpty();
  }

  private int runCase(Case c, List<String> failures) throws IOException {
    Map<Integer, RawConnection[]> conns = new HashMap<>();
    int commands = 0;
    try {
      RawConnection[] first = open(conns, 1);
      first[0].call(b("FLUSHALL"));
      first[1].call(b("FLUSHALL"));
      for (Line line : c.lines) {
        commands++;
        String text = line.text;
        int conn = 1;
        boolean noRead = false;
        boolean readOnly = false;
        if (text.startsWith("[")) {
          int close = text.indexOf(']');
          conn = Integer.parseInt(text.substring(1, close));
          text = text.substring(close + 1);
          if (text.startsWith("&")) {
            noRead = true;
            text = text.substring(1);
          } else if (text.startsWith("<")) {
            readOnly = true;
            text = text.substring(1);
          }
          text = text.trim();
        }
        boolean typeOnly = false;
        boolean sort = false;
        if (text.startsWith("~")) {
          typeOnly = true;
          text = text.substring(1);
        } else if (text.startsWith("@sort ")) {
          sort = true;
          text = text.substring(6);
        }
        RawConnection[] pair = open(conns, conn);
        if (!readOnly) {
          if (text.startsWith("!raw ")) {
            List<byte[]> parts = SplitArgs.split(text.substring(5).getBytes(StandardCharsets.UTF_8));
            for (RawConnection rc : pair) {
              rc.sendRaw(parts.get(0));
            }
          } else {
            List<byte[]> parts = SplitArgs.split(text.getBytes(StandardCharsets.UTF_8));
            byte[][] args = parts.toArray(new byte[0][]);
            for (RawConnection rc : pair) {
              rc.send(args);
            }
          }
        }
        if (noRead) {
          continue;
        }
        byte[] expected = pair[0].readRaw();
        byte[] actual = pair[1].readRaw();
        if (!same(expected, actual, typeOnly, sort)) {
          failures.add(line.file + ":" + line.number + " [" + c.name + "] " + line.text
              + "\n    redis:  " + show(expected) + "\n    tripod: " + show(actual));
        }
      }
    } finally {
      for (RawConnection[] p : conns.values()) {
        p[0].close();
        p[1].close();
      }
    }
    return commands;
  }

  private static RawConnection[] open(Map<Integer, RawConnection[]> conns, int n) throws IOException {
    RawConnection[] p = conns.get(n);
    if (p == null) {
      p = new RawConnection[] {new RawConnection(redis.port), new RawConnection(tripod.port)};
      conns.put(n, p);
    }
    return p;
  }

  static boolean same(byte[] expected, byte[] actual, boolean typeOnly, boolean sort) {
    if (typeOnly) {
      return expected.length > 0 && actual.length > 0 && expected[0] == actual[0];
    }
    if (sort && expected.length > 0 && expected[0] == '*') {
      return sortedElements(expected).equals(sortedElements(actual));
    }
    return java.util.Arrays.equals(expected, actual);
  }

  private static List<String> sortedElements(byte[] raw) {
    RespValue v = new ReplyDecoder().decode(Unpooled.wrappedBuffer(raw));
    List<String> out = new ArrayList<>();
    if (v == null || v.elements() == null) {
      out.add(new String(raw, StandardCharsets.ISO_8859_1));
      return out;
    }
    for (RespValue e : v.elements()) {
      out.add(e.toString());
    }
    out.sort(null);
    return out;
  }

  static String show(byte[] raw) {
    String s = new String(raw, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
