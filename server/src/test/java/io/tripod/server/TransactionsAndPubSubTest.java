package io.tripod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactions and pub/sub inside one process, without sockets: a server on a clock the test
 * moves (TTL expiry of WATCHed keys), the MULTI/EXEC wrapping of propagated writes, keyspace
 * notifications delivered through pub/sub, RESET with a password.
 */
class TransactionsAndPubSubTest {
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private ServerConfig config;
  private Server server;
  private final List<String> propagated = new ArrayList<>();

  @BeforeEach
  void setUp() {
    config = new ServerConfig();
    server = new Server(config, now::get);
    server.expiry.activeEnabled = false;
    server.propagator = (db, argv) -> {
      StringBuilder sb = new StringBuilder();
      for (byte[] a : argv) {
        sb.append(sb.length() == 0 ? "" : " ").append(new String(a, StandardCharsets.UTF_8));
      }
      propagated.add(db + ":" + sb);
    };
  }

  private Client client() {
    return server.newClient(null);
  }

  /** Runs one command and returns everything the client got since the last call. */
  private static String run(Client c, String... args) {
    byte[][] argv = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    c.server.process(c, argv);
    return output(c);
  }

  private static String output(Client c) {
    ByteBuf b = c.takeOutput();
    if (b == null) {
      return "";
    }
    String s = b.toString(StandardCharsets.UTF_8);
    b.release();
    return s;
  }

  @Test
  void keyAliveAtWatchThatExpiresFailsExec() {
    Client c = client();
    run(c, "SET", "k", "v");
    run(c, "PSETEX", "k", "100", "v");
    assertThat(run(c, "WATCH", "k")).isEqualTo("+OK\r\n");
    now.addAndGet(200); // expired, but nothing deleted it (active expiry off)
    run(c, "MULTI");
    run(c, "PING");
    assertThat(run(c, "EXEC")).isEqualTo("*-1\r\n");
  }

  @Test
  void keyAliveAtWatchExpiredAndLazilyDeletedFailsExec() {
    Client c = client();
    run(c, "PSETEX", "k", "100", "v");
    run(c, "WATCH", "k");
    now.addAndGet(200);
    assertThat(run(c, "GET", "k")).isEqualTo("$-1\r\n");
    run(c, "MULTI");
    run(c, "PING");
    assertThat(run(c, "EXEC")).isEqualTo("*-1\r\n");
  }

  @Test
  void keyAlreadyExpiredAtWatchDoesNotFailExec() {
    Client c = client();
    run(c, "PSETEX", "k", "100", "v");
    now.addAndGet(200);
    run(c, "WATCH", "k");
    assertThat(run(c, "GET", "k")).isEqualTo("$-1\r\n"); // lazy delete: no logical change
    run(c, "FLUSHALL");
    run(c, "MULTI");
    run(c, "PING");
    assertThat(run(c, "EXEC")).isEqualTo("*1\r\n+PONG\r\n");
  }

  @Test
  void keyAlreadyExpiredAtWatchThenWrittenFailsExec() {
    Client c = client();
    Client other = client();
    run(c, "PSETEX", "k", "100", "v");
    now.addAndGet(200);
    run(c, "WATCH", "k");
    run(other, "SET", "k", "v2");
    run(c, "MULTI");
    run(c, "PING");
    assertThat(run(c, "EXEC")).isEqualTo("*-1\r\n");
  }

  @Test
  void flushOfAMissingWatchedKeyIsNoChangeButSwapBringingItIs() {
    Client c = client();
    Client other = client();
    run(c, "WATCH", "k");
    run(other, "FLUSHALL");
    run(c, "MULTI");
    assertThat(run(c, "EXEC")).isEqualTo("*0\r\n");
    run(c, "WATCH", "k");
    run(other, "SELECT", "1");
    run(other, "SET", "k", "in-db-1");
    server.swapDb(0, 1);
    run(c, "MULTI");
    assertThat(run(c, "EXEC")).isEqualTo("*-1\r\n");
  }

  @Test
  void transactionPropagatesWrappedInMultiExec() {
    Client c = client();
    run(c, "MULTI");
    run(c, "SET", "a", "1");
    run(c, "GET", "a");
    run(c, "INCR", "n");
    assertThat(run(c, "EXEC")).isEqualTo("*3\r\n+OK\r\n$1\r\n1\r\n:1\r\n");
    assertThat(propagated).containsExactly("0:MULTI", "0:SET a 1", "0:INCR n", "0:EXEC");
  }

  @Test
  void singleWriteTransactionPropagatesUnwrappedAndReadOnlyNothing() {
    Client c = client();
    run(c, "MULTI");
    run(c, "SET", "a", "1");
    run(c, "GET", "a");
    run(c, "EXEC");
    assertThat(propagated).containsExactly("0:SET a 1");
    propagated.clear();
    run(c, "MULTI");
    run(c, "GET", "a");
    run(c, "EXEC");
    assertThat(propagated).isEmpty();
  }

  @Test
  void transactionAcrossDatabasesPropagatesEachWriteWithItsDb() {
    Client c = client();
    run(c, "MULTI");
    run(c, "SET", "a", "1");
    run(c, "SELECT", "2");
    run(c, "SET", "b", "2");
    run(c, "EXEC");
    assertThat(propagated).containsExactly("0:MULTI", "0:SET a 1", "2:SET b 2", "2:EXEC");
  }

  @Test
  void abortedTransactionsPropagateNothing() {
    Client c = client();
    Client other = client();
    run(c, "WATCH", "k");
    run(other, "SET", "k", "x");
    propagated.clear();
    run(c, "MULTI");
    run(c, "SET", "a", "1");
    assertThat(run(c, "EXEC")).isEqualTo("*-1\r\n");
    run(c, "MULTI");
    run(c, "SET", "a", "1");
    run(c, "NOSUCH");
    assertThat(run(c, "EXEC")).startsWith("-EXECABORT");
    assertThat(propagated).isEmpty();
    assertThat(run(c, "GET", "a")).isEqualTo("$-1\r\n");
  }

  @Test
  void keyspaceNotificationsReachSubscribers() {
    server.notifyFlags = Notifications.parse("KEA");
    Client sub = client();
    Client sub3 = client();
    Client w = client();
    run(sub, "PSUBSCRIBE", "__key*__:*");
    run(sub3, "HELLO", "3");
    run(sub3, "SUBSCRIBE", "__keyevent@0__:set");
    run(w, "SET", "k", "v");
    assertThat(output(sub)).isEqualTo(
        "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n"
            + "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n");
    assertThat(output(sub3)).isEqualTo(">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n");
    // Inside MULTI the events fire when EXEC runs the commands, in order.
    run(w, "MULTI");
    run(w, "INCR", "n");
    run(w, "DEL", "k");
    assertThat(output(sub)).isEmpty();
    run(w, "EXEC");
    assertThat(output(sub)).contains("__keyspace@0__:n\r\n$6\r\nincrby")
        .contains("__keyevent@0__:del\r\n$1\r\nk");
    // Expired keys fire "expired" (class x) on lazy deletion.
    run(w, "PSETEX", "t", "10", "v");
    output(sub);
    now.addAndGet(20);
    run(w, "GET", "t");
    assertThat(output(sub)).contains("__keyevent@0__:expired\r\n$1\r\nt");
  }

  @Test
  void keyspaceNotificationsHonourTheClasses() {
    server.notifyFlags = Notifications.parse("E$"); // key-event only, string commands only
    Client sub = client();
    Client w = client();
    run(sub, "PSUBSCRIBE", "*");
    run(w, "SET", "k", "v");
    run(w, "DEL", "k");
    assertThat(output(sub)).isEqualTo(
        "*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n");
    server.notifyFlags = 0;
    run(w, "SET", "k", "v");
    assertThat(output(sub)).isEmpty();
  }

  @Test
  void resetDropsAuthenticationWhenAPasswordIsSet() {
    config.requirepass = "secret";
    Client c = client();
    assertThat(run(c, "PING")).isEqualTo("-NOAUTH Authentication required.\r\n");
    assertThat(run(c, "EXEC")).isEqualTo(
        "-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n");
    assertThat(run(c, "AUTH", "secret")).isEqualTo("+OK\r\n");
    run(c, "SUBSCRIBE", "a");
    assertThat(server.pubsub.subscribers("a".getBytes(StandardCharsets.UTF_8))).isEqualTo(1);
    assertThat(run(c, "RESET")).isEqualTo("+RESET\r\n");
    assertThat(server.pubsub.subscribers("a".getBytes(StandardCharsets.UTF_8))).isZero();
    assertThat(run(c, "PING")).isEqualTo("-NOAUTH Authentication required.\r\n");
  }

  @Test
  void resetTurnsRepliesBackOn() {
    Client c = client();
    c.replyMode = Client.ReplyMode.OFF;
    assertThat(run(c, "PING")).isEmpty();
    assertThat(run(c, "RESET")).isEqualTo("+RESET\r\n");
    assertThat(run(c, "PING")).isEqualTo("+PONG\r\n");
  }

  @Test
  void pauseOfWritesPostponesAnExecThatWrites() {
    Client c = client();
    run(c, "MULTI");
    run(c, "SET", "a", "1");
    server.pauseUntilMillis = now.get() + 10_000;
    server.pauseWritesOnly = true;
    assertThat(run(c, "EXEC")).isEmpty();
    assertThat(c.blockedOn).isSameAs(Server.PAUSE);
    server.unpause();
    assertThat(output(c)).isEqualTo("*1\r\n+OK\r\n");
  }

  @Test
  void queueOfADoomedTransactionKeepsNothing() {
    Client c = client();
    run(c, "MULTI");
    run(c, "NOSUCH");
    assertThat(run(c, "SET", "a", "1")).isEqualTo("+QUEUED\r\n");
    assertThat(c.multiQueue).isEmpty();
    run(c, "DISCARD");
    assertThat(c.inMulti).isFalse();
  }

  @Test
  void freedSubscriberLeavesNoTrace() {
    Client c = client();
    run(c, "SUBSCRIBE", "a");
    run(c, "PSUBSCRIBE", "p*");
    run(c, "SSUBSCRIBE", "s");
    run(c, "WATCH", "k");
    server.freeClient(c);
    assertThat(server.pubsub.channelCount()).isZero();
    assertThat(server.pubsub.patternCount()).isZero();
    assertThat(server.pubsub.shardChannelCount()).isZero();
    assertThat(server.watched).isEmpty();
  }
}
