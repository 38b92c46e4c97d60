package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.server.db.Database;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.RdbWriter;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real redis-server 7.0 loads streams (nodes, tombstones, consumer groups, PELs) from an RDB
 * that Tripod wrote, and reports them exactly as Tripod does: XINFO STREAM FULL (which includes
 * the radix tree figures, delivery and seen times), XRANGE, XINFO GROUPS, XPENDING.
 */
class StreamRdbIT {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[][] args(String... a) {
    byte[][] r = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      r[i] = b(a[i]);
    }
    return r;
  }

  @Test
  void redisLoadsTripodStreams() throws Exception {
    String big = "z".repeat(1500);
    List<String[]> setup = new ArrayList<>();
    for (int i = 1; i <= 230; i++) {
      setup.add(new String[] {"XADD", "s", i + "-" + (i % 4), "f", "v" + i, "n", Integer.toString(i)});
    }
    for (int i = 1; i <= 6; i++) {
      setup.add(new String[] {"XADD", "s", (1000 + i) + "-0", "other", big});
    }
    setup.add(new String[] {"XDEL", "s", "5-1", "150-2", "1003-0"});
    setup.add(new String[] {"XTRIM", "s", "MAXLEN", "200"});
    setup.add(new String[] {"XGROUP", "CREATE", "s", "g1", "0"});
    setup.add(new String[] {"XGROUP", "CREATE", "s", "g2", "$"});
    setup.add(new String[] {"XGROUP", "CREATE", "s", "g3", "100-0", "ENTRIESREAD", "70"});
    setup.add(new String[] {"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "s", ">"});
    setup.add(new String[] {"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "s", ">"});
    setup.add(new String[] {"XCLAIM", "s", "g1", "carol", "0", "50-2", "51-3", "TIME", "12345",
        "RETRYCOUNT", "4", "JUSTID"});
    setup.add(new String[] {"XGROUP", "CREATECONSUMER", "s", "g2", "dave"});
    setup.add(new String[] {"XADD", "e", "1-1", "a", "b"});
    setup.add(new String[] {"XDEL", "e", "1-1"});
    setup.add(new String[] {"XGROUP", "CREATE", "e", "g", "$"});
    setup.add(new String[] {"XSETID", "e", "18446744073709551615-5", "ENTRIESADDED", "9"});
    setup.add(new String[] {"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"});

    try (TripodInstance tripod = TripodInstance.start();
        RawConnection t = new RawConnection(tripod.port)) {
      for (String[] cmd : setup) {
        byte[] reply = t.call(args(cmd));
        assertThat(reply[0]).as(String.join(" ", cmd)).isNotEqualTo((byte) '-');
      }
      Path dir = Files.createTempDirectory("tripod-stream-rdb-");
      Path file = dir.resolve("dump.rdb");
      CompletableFuture<Void> written = new CompletableFuture<>();
      tripod.server.execute(() -> {
        try (OutputStream out = Files.newOutputStream(file)) {
          Database db = tripod.server.db(0);
          RdbWriter w = new RdbWriter(out, true, true);
          w.writeHeader();
          w.writeAux("redis-ver", "7.0.15");
          w.writeSelectDb(0, db.size(), 0);
          for (String k : new String[] {"s", "e", "empty"}) {
            KeyEntry e = db.find(b(k));
            w.writeKey(e.key, e.value, -1);
          }
          w.writeEof();
          written.complete(null);
        } catch (Exception ex) {
          written.completeExceptionally(ex);
        }
      });
      written.get(10, TimeUnit.SECONDS);

      try (RedisProcess redis = RedisProcess.start("--dir", dir.toString(), "--dbfilename", "dump.rdb");
          RawConnection r = new RawConnection(redis.port)) {
        List<String[]> checks = List.of(
            new String[] {"DBSIZE"},
            new String[] {"XINFO", "STREAM", "s", "FULL", "COUNT", "0"},
            new String[] {"XINFO", "STREAM", "s"},
            new String[] {"XRANGE", "s", "-", "+"},
            new String[] {"XREVRANGE", "s", "+", "-", "COUNT", "7"},
            new String[] {"XINFO", "GROUPS", "s"},
            new String[] {"XPENDING", "s", "g1"},
            new String[] {"XINFO", "STREAM", "e", "FULL"},
            new String[] {"XINFO", "GROUPS", "e"},
            new String[] {"XINFO", "STREAM", "empty", "FULL"},
            new String[] {"XADD", "s", "5000-0", "x", "y"},
            new String[] {"XREADGROUP", "GROUP", "g2", "dave", "NOACK", "STREAMS", "s", ">"},
            new String[] {"XINFO", "GROUPS", "s"});
        for (String[] cmd : checks) {
          byte[] fromRedis = r.call(args(cmd));
          byte[] fromTripod = t.call(args(cmd));
          assertThat(new String(fromTripod, StandardCharsets.ISO_8859_1))
              .as(String.join(" ", cmd))
              .isEqualTo(new String(fromRedis, StandardCharsets.ISO_8859_1));
        }
      }
    }
  }
}
