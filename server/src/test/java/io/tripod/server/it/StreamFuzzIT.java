package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random stream commands (fixed seeds) sent to redis-server and to Tripod, both configured with
 * tiny stream nodes ({@code stream-node-max-entries 4}, {@code stream-node-max-bytes 300}) so
 * that node splits, tombstones, approximate trims and the radix tree figures of XINFO STREAM are
 * exercised constantly. Explicit IDs only; replies must match byte for byte.
 */
class StreamFuzzIT {
  private static RedisProcess redis;
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisProcess.start("--stream-node-max-entries", "4", "--stream-node-max-bytes", "300");
    tripod = TripodInstance.start(cfg -> {
      cfg.streamNodeMaxEntries = 4;
      cfg.streamNodeMaxBytes = 300;
    });
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

  private static final String[] KEYS = {"s", "t"};
  private static final String[] GROUPS = {"g1", "g2"};
  private static final String[] CONSUMERS = {"alice", "bob", "carol"};
  private static final String[] VALUES = {"x", "1", "-7", "", "12345678901", "a".repeat(40),
      "b".repeat(120)};

  private final List<String> cmd = new ArrayList<>();
  private long ms = 1;

  private void add(String... parts) {
    cmd.addAll(Arrays.asList(parts));
  }

  private static String pick(Random r, String[] a) {
    return a[r.nextInt(a.length)];
  }

  /** An ID near the ones in use (below, inside and above the current range). */
  private String id(Random r) {
    long m = Math.max(0, ms - r.nextInt(25) + 3);
    return r.nextInt(4) == 0 ? Long.toString(m) : m + "-" + r.nextInt(4);
  }

  private String bound(Random r, boolean start) {
    int k = r.nextInt(6);
    if (k == 0) {
      return start ? "-" : "+";
    }
    return (k == 1 ? "(" : "") + id(r);
  }

  private List<String> next(Random r) {
    cmd.clear();
    String k = pick(r, KEYS);
    String g = pick(r, GROUPS);
    String c = pick(r, CONSUMERS);
    int op = r.nextInt(24);
    switch (op) {
      case 0, 1, 2, 3, 4, 5 -> {
        add("XADD", k);
        if (r.nextInt(8) == 0) {
          add("NOMKSTREAM");
        }
        int t = r.nextInt(10);
        if (t == 0 || t == 1) {
          add("MAXLEN");
          String m = r.nextBoolean() ? "~" : r.nextBoolean() ? "=" : null;
          if (m != null) {
            add(m);
          }
          add(Integer.toString(r.nextInt(12)));
          if ("~".equals(m) && r.nextBoolean()) {
            add("LIMIT", Integer.toString(r.nextInt(10)));
          }
        } else if (t == 2) {
          add("MINID", r.nextBoolean() ? "~" : "=", id(r));
        }
        ms += r.nextInt(3);
        int form = r.nextInt(10);
        add(form == 0 ? ms + "-*" : form == 1 ? id(r) : ms + "-" + r.nextInt(3));
        int fields = 1 + r.nextInt(r.nextInt(5) == 0 ? 3 : 1);
        for (int i = 0; i < fields; i++) {
          add(r.nextInt(3) == 0 ? "f" + i : "field", pick(r, VALUES));
        }
      }
      case 6 -> {
        add("XDEL", k);
        for (int i = r.nextInt(3); i >= 0; i--) {
          add(id(r));
        }
      }
      case 7 -> {
        add("XTRIM", k, r.nextBoolean() ? "MAXLEN" : "MINID");
        boolean approx = r.nextBoolean();
        add(approx ? "~" : "=");
        add(cmd.get(2).equals("MAXLEN") ? Integer.toString(r.nextInt(15)) : id(r));
        if (approx && r.nextBoolean()) {
          add("LIMIT", Integer.toString(r.nextInt(9)));
        }
      }
      case 8, 9 -> {
        boolean rev = op == 9;
        add(rev ? "XREVRANGE" : "XRANGE", k);
        String a = bound(r, !rev);
        String b = bound(r, rev);
        add(a, b);
        if (r.nextBoolean()) {
          add("COUNT", Integer.toString(r.nextInt(6) - 1));
        }
      }
      case 10 -> add("XLEN", k);
      case 11 -> {
        add("XINFO", "STREAM", k);
        if (r.nextBoolean()) {
          add("FULL", "COUNT", Integer.toString(r.nextInt(3)));
        }
      }
      case 12 -> add("XINFO", "GROUPS", k);
      case 13 -> {
        add("XGROUP", "CREATE", k, g, r.nextInt(3) == 0 ? "$" : r.nextBoolean() ? "0" : id(r));
        if (r.nextBoolean()) {
          add("MKSTREAM");
        }
        if (r.nextInt(4) == 0) {
          add("ENTRIESREAD", Integer.toString(r.nextInt(30)));
        }
      }
      case 14 -> {
        int sub = r.nextInt(5);
        if (sub == 0) {
          add("XGROUP", "SETID", k, g, r.nextBoolean() ? "$" : id(r));
        } else if (sub == 1) {
          add("XGROUP", "DESTROY", k, g);
        } else if (sub == 2) {
          add("XGROUP", "CREATECONSUMER", k, g, c);
        } else {
          add("XGROUP", "DELCONSUMER", k, g, c);
        }
      }
      case 15, 16, 17 -> {
        add("XREADGROUP", "GROUP", g, c);
        if (r.nextBoolean()) {
          add("COUNT", Integer.toString(r.nextInt(4)));
        }
        if (r.nextInt(5) == 0) {
          add("NOACK");
        }
        add("STREAMS", k, r.nextInt(3) == 0 ? "0" : ">");
      }
      case 18 -> {
        add("XACK", k, g);
        for (int i = r.nextInt(3); i >= 0; i--) {
          add(id(r));
        }
      }
      case 19 -> {
        add("XCLAIM", k, g, c, "0");
        for (int i = r.nextInt(3); i >= 0; i--) {
          add(id(r));
        }
        if (r.nextBoolean()) {
          add("JUSTID");
        }
        if (r.nextInt(4) == 0) {
          add("FORCE");
        }
      }
      case 20 -> {
        add("XAUTOCLAIM", k, g, c, "0", r.nextBoolean() ? "0" : id(r), "COUNT",
            Integer.toString(1 + r.nextInt(4)));
        if (r.nextBoolean()) {
          add("JUSTID");
        }
      }
      case 21 -> {
        add("XREAD", "COUNT", Integer.toString(r.nextInt(4)), "STREAMS", k, r.nextBoolean() ? "0" : id(r));
      }
      case 22 -> add("XPENDING", k, g);
      default -> {
        int x = r.nextInt(20);
        if (x == 0) {
          add("DEL", k);
        } else if (x == 1) {
          add("XSETID", k, id(r));
        } else {
          add("TYPE", k);
        }
      }
    }
    return new ArrayList<>(cmd);
  }

  private static byte[][] bytes(List<String> parts) {
    byte[][] out = new byte[parts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = parts.get(i).getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static String maskTimes(byte[] reply) {
    return new String(reply, StandardCharsets.UTF_8).replaceAll(":\\d{13}\r\n", ":T\r\n");
  }

  @Test
  void randomStreamCommandsMatchRedis() throws Exception {
    List<String> failures = new ArrayList<>();
    try (RawConnection re = new RawConnection(redis.port);
        RawConnection tr = new RawConnection(tripod.port)) {
      for (long seed = 1; seed <= 4; seed++) {
        Random r = new Random(seed);
        ms = 1;
        re.call(bytes(List.of("FLUSHALL")));
        tr.call(bytes(List.of("FLUSHALL")));
        String proto = seed > 2 ? "3" : "2";
        re.call(bytes(List.of("HELLO", proto)));
        tr.call(bytes(List.of("HELLO", proto)));
        for (int i = 0; i < 1500 && failures.size() < 10; i++) {
          List<String> c = next(r);
          byte[][] argv = bytes(c);
          // Delivery and seen times (absolute ms) differ by the servers' clocks.
          String expected = maskTimes(re.call(argv));
          String actual = maskTimes(tr.call(argv));
          if (!expected.equals(actual)) {
            failures.add("seed " + seed + " #" + i + " " + c + "\n  redis:  "
                + expected.replace("\r\n", "\\r\\n") + "\n  tripod: " + actual.replace("\r\n", "\\r\\n"));
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }
}
