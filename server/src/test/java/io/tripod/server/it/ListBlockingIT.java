package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tripod.resp.RespValue;
import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.types.RList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the differential corpus cannot express: CLIENT UNBLOCK, a blocked client that disconnects,
 * blocking commands inside EXEC, keys created by RENAME-like writes waking clients, what gets
 * propagated, and keyspace events compared with a real redis-server.
 */
class ListBlockingIT {
  private static TripodInstance tripod;
  private static RedisProcess redis;
  private static final List<String> propagated = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    tripod = TripodInstance.start();
    redis = RedisProcess.start();
    tripod.server.propagator = (db, argv) -> {
      StringBuilder sb = new StringBuilder();
      for (byte[] a : argv) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(new String(a, StandardCharsets.UTF_8));
      }
      propagated.add(sb.toString());
    };
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

  @BeforeEach
  void flush() throws Exception {
    try (RawConnection c = new RawConnection(tripod.port)) {
      c.callString("FLUSHALL");
    }
    propagated.clear();
  }

  private static <T> T onLoop(Callable<T> task) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    tripod.server.execute(() -> {
      try {
        f.complete(task.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    });
    return f.get(5, TimeUnit.SECONDS);
  }

  /** The server-side client of the most recently opened connection. */
  private static Client newestClient() throws Exception {
    return onLoop(() -> {
      Client newest = null;
      for (Client c : tripod.server.clients()) {
        if (newest == null || c.id > newest.id) {
          newest = c;
        }
      }
      return newest;
    });
  }

  private static int blockedClients() throws Exception {
    return onLoop(() -> tripod.server.blocking.blockedClients());
  }

  private static String str(byte[] raw) {
    return new String(raw, StandardCharsets.UTF_8);
  }

  private static byte[][] args(String... a) {
    byte[][] out = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  @Test
  void clientUnblockTimeoutAndError() throws Exception {
    try (RawConnection waiter = new RawConnection(tripod.port)) {
      waiter.callString("PING");
      Client wc = newestClient();
      RawConnection other = new RawConnection(tripod.port);
      other.callString("PING");
      waiter.send(args("BLPOP", "l", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      assertThat(onLoop(() -> tripod.server.blocking.unblock(wc, false))).isTrue();
      assertThat(str(waiter.readRaw())).isEqualTo("*-1\r\n");

      waiter.send(args("BLMOVE", "l", "d", "LEFT", "LEFT", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      assertThat(onLoop(() -> tripod.server.blocking.unblock(wc, true))).isTrue();
      assertThat(str(waiter.readRaw())).isEqualTo("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
      assertThat(onLoop(() -> tripod.server.blocking.unblock(wc, true))).isFalse();

      // The unblocked client is not served by a later push.
      assertThat(other.callString("RPUSH", "l", "a")).isEqualTo(":1\r\n");
      assertThat(other.callString("LLEN", "l")).isEqualTo(":1\r\n");
      assertThat(waiter.callString("PING")).isEqualTo("+PONG\r\n");
      other.close();
    }
  }

  @Test
  void disconnectedWaiterIsForgotten() throws Exception {
    try (RawConnection other = new RawConnection(tripod.port)) {
      RawConnection waiter = new RawConnection(tripod.port);
      waiter.send(args("BLPOP", "l", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      waiter.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 0);
      assertThat(other.callString("RPUSH", "l", "a")).isEqualTo(":1\r\n");
      assertThat(other.callString("LRANGE", "l", "0", "-1")).isEqualTo("*1\r\n$1\r\na\r\n");
    }
  }

  @Test
  void blockingCommandsInsideExecAnswerAsTimedOut() throws Exception {
    try (RawConnection conn = new RawConnection(tripod.port)) {
      conn.callString("PING");
      Client c = newestClient();
      String[][] cmds = {
        {"BLPOP", "nokey", "0"}, {"BRPOP", "nokey", "0"}, {"BLMPOP", "0", "1", "nokey", "LEFT"},
        {"BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"}, {"BRPOPLPUSH", "nokey", "d", "0"},
      };
      String[] expected = {"*-1\r\n", "*-1\r\n", "*-1\r\n", "$-1\r\n", "$-1\r\n"};
      for (int i = 0; i < cmds.length; i++) {
        byte[][] argv = args(cmds[i]);
        onLoop(() -> {
          c.inExec = true;
          try {
            tripod.server.call(c, tripod.server.commands.lookup(argv[0]), argv);
          } finally {
            c.inExec = false;
          }
          tripod.server.markPendingWrite(c);
          return null;
        });
        assertThat(str(conn.readRaw())).as(cmds[i][0]).isEqualTo(expected[i]);
      }
      assertThat(blockedClients()).isZero();
    }
  }

  @Test
  void keyCreatedBySetKeyWakesWaiter() throws Exception {
    // RENAME, MOVE, COPY and RESTORE create keys through Server.setKey/addKey, which signal them.
    try (RawConnection waiter = new RawConnection(tripod.port);
        RawConnection other = new RawConnection(tripod.port)) {
      waiter.send(args("BLPOP", "dst", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      onLoop(() -> {
        Server s = tripod.server;
        RList l = new RList();
        l.addLast("x".getBytes(StandardCharsets.UTF_8));
        l.addLast("y".getBytes(StandardCharsets.UTF_8));
        s.setKey(s.db(0), "dst".getBytes(StandardCharsets.UTF_8), l, false);
        s.blocking.handleReadyKeys();
        return null;
      });
      assertThat(str(waiter.readRaw())).isEqualTo("*2\r\n$3\r\ndst\r\n$1\r\nx\r\n");
      assertThat(other.callString("LRANGE", "dst", "0", "-1")).isEqualTo("*1\r\n$1\r\ny\r\n");
    }
  }

  @Test
  void blockingCommandsPropagateAsTheirNonBlockingForms() throws Exception {
    // Checked against the AOF redis-server 7.0.15 writes for the same commands.
    try (RawConnection a = new RawConnection(tripod.port);
        RawConnection b = new RawConnection(tripod.port)) {
      a.callString("RPUSH", "l", "1", "2", "3", "4", "5", "6");
      a.callString("BLPOP", "l", "0");
      a.callString("BRPOP", "l", "0");
      a.callString("BLMOVE", "l", "d", "left", "right", "0");
      a.callString("BRPOPLPUSH", "l", "d", "0");
      a.callString("LMPOP", "1", "l", "LEFT");
      a.callString("BLMPOP", "0", "1", "d", "RIGHT", "COUNT", "5");
      assertThat(propagated).containsExactly(
          "RPUSH l 1 2 3 4 5 6", "LPOP l", "RPOP l", "LMOVE l d left right", "RPOPLPUSH l d",
          "LPOP l 1", "RPOP d 2");
      propagated.clear();

      b.send(args("BLPOP", "q", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      a.callString("RPUSH", "q", "x", "y");
      assertThat(str(b.readRaw())).isEqualTo("*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
      b.send(args("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      a.callString("LPUSH", "src", "v");
      assertThat(str(b.readRaw())).isEqualTo("$1\r\nv\r\n");
      b.send(args("BRPOPLPUSH", "src2", "dst", "0"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      a.callString("LPUSH", "src2", "w");
      assertThat(str(b.readRaw())).isEqualTo("$1\r\nw\r\n");
      b.send(args("BLMPOP", "0", "1", "m", "LEFT", "COUNT", "10"));
      await().atMost(Duration.ofSeconds(5)).until(() -> blockedClients() == 1);
      a.callString("RPUSH", "m", "1", "2", "3");
      b.readRaw();
      assertThat(propagated).containsExactly(
          "RPUSH q x y", "LPOP q", "LPUSH src v", "LMOVE src dst right left", "LPUSH src2 w",
          "RPOPLPUSH src2 dst", "RPUSH m 1 2 3", "LPOP m 3");
    }
  }

  @Test
  void fractionalTimeoutIsHonoured() throws Exception {
    try (RawConnection a = new RawConnection(tripod.port)) {
      long t0 = System.nanoTime();
      assertThat(a.callString("BLPOP", "nokey", "0.1")).isEqualTo("*-1\r\n");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).isBetween(90L, 3000L);
      // 0.0001 s rounds up to 1 ms: it times out, it does not block forever.
      assertThat(a.callString("BLPOP", "nokey", "0.0001")).isEqualTo("*-1\r\n");
    }
  }

  // ---- keyspace events, compared with redis-server --------------------------------------------

  private static final String[][] EVENT_SCRIPT = {
    {"LPUSH", "l", "a", "b"}, {"RPUSH", "l", "c"}, {"LPUSHX", "l", "z"}, {"RPUSHX", "nokey", "z"},
    {"LPOP", "l"}, {"RPOP", "l", "1"}, {"LPOP", "l", "0"}, {"LINSERT", "l", "BEFORE", "a", "x"},
    {"LINSERT", "l", "BEFORE", "nope", "x"}, {"LSET", "l", "0", "y"}, {"LREM", "l", "0", "y"},
    {"LREM", "l", "0", "nope"}, {"RPUSH", "l", "1", "2", "3"}, {"LTRIM", "l", "0", "-1"},
    {"LTRIM", "l", "1", "2"}, {"LMOVE", "l", "m", "LEFT", "RIGHT"}, {"RPOPLPUSH", "l", "l"},
    {"LMPOP", "2", "nokey", "l", "LEFT", "COUNT", "5"}, {"BLPOP", "m", "0"},
    {"RPUSH", "n", "1", "2"}, {"BLMOVE", "n", "n", "LEFT", "RIGHT", "0"}, {"LTRIM", "n", "5", "6"},
    {"RPUSH", "zzend", "1"},
  };

  private List<String> collectEvents(int port, boolean isTripod) throws Exception {
    try (RawConnection sub = new RawConnection(port)) {
      Client sc = null;
      if (isTripod) {
        sub.callString("PING");
        sc = newestClient();
      }
      RawConnection cmd = new RawConnection(port);
      if (isTripod) {
        Client subClient = sc;
        onLoop(() -> {
          tripod.server.notifyFlags = Notifications.parse("KEgl");
          tripod.server.pubsub.psubscribe(subClient, "__key*__:*".getBytes(StandardCharsets.UTF_8));
          return null;
        });
      } else {
        cmd.callString("CONFIG", "SET", "notify-keyspace-events", "KEgl");
        sub.callString("PSUBSCRIBE", "__key*__:*");
      }
      cmd.callString("FLUSHALL");
      for (String[] c : EVENT_SCRIPT) {
        cmd.call(args(c));
      }
      List<String> events = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        RespValue v = sub.read();
        List<RespValue> parts = v.elements();
        String channel = parts.get(2).asString();
        String payload = parts.get(3).asString();
        events.add(channel + " " + payload);
        if (channel.startsWith("__keyevent") && payload.equals("zzend")) {
          break;
        }
      }
      if (isTripod) {
        onLoop(() -> {
          tripod.server.notifyFlags = 0;
          return null;
        });
      }
      cmd.close();
      return events;
    }
  }

  @Test
  void keyspaceEventsMatchRedis() throws Exception {
    List<String> expected = collectEvents(redis.port, false);
    List<String> actual = collectEvents(tripod.port, true);
    assertThat(expected).isNotEmpty();
    assertThat(actual).containsExactlyElementsOf(expected);
  }

  @Test
  void pipelinedPushesAndPopsKeepOrder() throws IOException {
    try (RawConnection a = new RawConnection(tripod.port)) {
      StringBuilder expect = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        a.send(args("RPUSH", "p", Integer.toString(i)));
        expect.append(':').append(i + 1).append("\r\n");
      }
      StringBuilder got = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        got.append(str(a.readRaw()));
      }
      assertThat(got.toString()).isEqualTo(expect.toString());
      assertThat(a.callString("LINDEX", "p", "500")).isEqualTo("$3\r\n500\r\n");
      assertThat(a.callString("LPOS", "p", "999")).isEqualTo(":999\r\n");
    }
  }
}
