package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of list commands (fixed seeds, so failures reproduce) sent to redis-server and
 * to Tripod on three keys; every reply must match byte for byte.
 */
class ListFuzzIT {
  private static RedisProcess redis;
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisProcess.start();
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

  private static final String[] KEYS = {"a", "b", "c"};
  private static final String[] VALUES = {"x", "y", "z", "1", "-1", "", "xx", "300"};
  private static final int[] INDEXES = {-100, -5, -3, -2, -1, 0, 1, 2, 3, 5, 100};

  private final List<String> cmd = new ArrayList<>();

  private void add(String... parts) {
    cmd.addAll(Arrays.asList(parts));
  }

  private static String pick(Random r, String[] a) {
    return a[r.nextInt(a.length)];
  }

  private static String index(Random r) {
    return Integer.toString(r.nextInt(3) == 0 ? r.nextInt(41) - 20 : INDEXES[r.nextInt(INDEXES.length)]);
  }

  private static String side(Random r) {
    return r.nextBoolean() ? "LEFT" : "right";
  }

  private List<String> next(Random r) {
    cmd.clear();
    String k = pick(r, KEYS);
    String v = pick(r, VALUES);
    int op = r.nextInt(22);
    if (op >= 15 && op <= 18 && r.nextInt(4) != 0) {
      // Timed-out blocking calls cost redis-server up to one cron tick (100 ms): keep them rare.
      op = 10;
    }
    switch (op) {
      case 0:
      case 1:
        add(r.nextBoolean() ? "LPUSH" : "RPUSH", k);
        for (int i = r.nextInt(5); i >= 0; i--) {
          add(pick(r, VALUES));
        }
        break;
      case 2:
        add(r.nextBoolean() ? "LPUSHX" : "RPUSHX", k, v);
        break;
      case 3:
        add(r.nextBoolean() ? "LPOP" : "RPOP", k);
        if (r.nextBoolean()) {
          add(Integer.toString(r.nextInt(8) - 1));
        }
        break;
      case 4:
        add("LRANGE", k, index(r), index(r));
        break;
      case 5:
        add("LINDEX", k, index(r));
        break;
      case 6:
        add("LSET", k, index(r), v);
        break;
      case 7:
        add("LINSERT", k, r.nextBoolean() ? "BEFORE" : "after", pick(r, VALUES), v);
        break;
      case 8:
        add("LREM", k, Integer.toString(r.nextInt(7) - 3), v);
        break;
      case 9:
        add("LTRIM", k, index(r), index(r));
        break;
      case 10:
        add("LLEN", k);
        break;
      case 11: {
        add("LPOS", k, v);
        List<String> opts = new ArrayList<>(List.of("RANK", "COUNT", "MAXLEN"));
        Collections.shuffle(opts, r);
        for (String o : opts.subList(0, r.nextInt(4))) {
          add(o, o.equals("RANK") ? Integer.toString(new int[] {1, 2, 3, -1, -2, 0}[r.nextInt(6)])
              : Integer.toString(r.nextInt(5)));
        }
        break;
      }
      case 12:
        add("LMOVE", k, pick(r, KEYS), side(r), side(r));
        break;
      case 13:
        add("RPOPLPUSH", k, pick(r, KEYS));
        break;
      case 14: {
        int n = 1 + r.nextInt(3);
        add("LMPOP", Integer.toString(n));
        for (int i = 0; i < n; i++) {
          add(pick(r, KEYS));
        }
        add(side(r));
        if (r.nextBoolean()) {
          add("COUNT", Integer.toString(1 + r.nextInt(4)));
        }
        break;
      }
      case 15:
        add(r.nextBoolean() ? "BLPOP" : "BRPOP", k, pick(r, KEYS), "0.001");
        break;
      case 16:
        add("BLMOVE", k, pick(r, KEYS), side(r), side(r), "0.001");
        break;
      case 17:
        add("BLMPOP", "0.001", "2", k, pick(r, KEYS), side(r), "COUNT", "2");
        break;
      case 18:
        add("BRPOPLPUSH", k, pick(r, KEYS), "0.001");
        break;
      case 19:
        if (r.nextInt(10) == 0) {
          add("SET", k, "str");
        } else if (r.nextInt(3) == 0) {
          add("DEL", k);
        } else {
          add("TYPE", k);
        }
        break;
      default:
        add("LRANGE", k, "0", "-1");
        break;
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

  @Test
  void randomListCommandsMatchRedis() throws Exception {
    List<String> failures = new ArrayList<>();
    try (RawConnection re = new RawConnection(redis.port);
        RawConnection tr = new RawConnection(tripod.port)) {
      for (long seed = 1; seed <= 3; seed++) {
        Random r = new Random(seed);
        re.call(bytes(List.of("FLUSHALL")));
        tr.call(bytes(List.of("FLUSHALL")));
        for (int i = 0; i < 1000 && failures.size() < 10; i++) {
          List<String> c = next(r);
          byte[][] argv = bytes(c);
          String expected = new String(re.call(argv), StandardCharsets.UTF_8);
          String actual = new String(tr.call(argv), StandardCharsets.UTF_8);
          if (!expected.equals(actual)) {
            failures.add("seed " + seed + " #" + i + " " + c + "\n  redis:  " + expected.replace("\r\n", "\\r\\n")
                + "\n  tripod: " + actual.replace("\r\n", "\\r\\n"));
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }
}
