package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Transaction;

/**
 * Smoke test with the two common Java clients, each in RESP2 and RESP3: SET/GET/INCR, a MULTI/EXEC
 * transaction, and a pub/sub round trip against an in-process Tripod.
 */
class ClientLibrariesIT {
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    tripod = TripodInstance.start();
  }

  @AfterAll
  static void stop() {
    if (tripod != null) {
      tripod.close();
    }
  }

  private static Jedis jedis(int proto) {
    return new Jedis(new HostAndPort("127.0.0.1", tripod.port),
        DefaultJedisClientConfig.builder()
            .protocol(proto == 3 ? RedisProtocol.RESP3 : RedisProtocol.RESP2)
            .socketTimeoutMillis(5000)
            .build());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void jedisSmoke(int proto) throws Exception {
    String p = "jedis" + proto + ":";
    try (Jedis j = jedis(proto)) {
      assertThat(j.ping()).isEqualTo("PONG");
      assertThat(j.set(p + "k", "v")).isEqualTo("OK");
      assertThat(j.get(p + "k")).isEqualTo("v");
      assertThat(j.get(p + "missing")).isNull();
      assertThat(j.incr(p + "n")).isEqualTo(1L);
      assertThat(j.incrBy(p + "n", 41)).isEqualTo(42L);

      Transaction t = j.multi();
      t.set(p + "a", "1");
      t.incr(p + "a");
      t.get(p + "a");
      List<Object> results = t.exec();
      assertThat(results).containsExactly("OK", 2L, "2");

      j.watch(p + "w");
      try (Jedis other = jedis(proto)) {
        other.set(p + "w", "changed");
      }
      Transaction t2 = j.multi();
      t2.set(p + "w", "mine");
      assertThat(t2.exec()).isNull();
      assertThat(j.get(p + "w")).isEqualTo("changed");
    }

    List<String> received = new CopyOnWriteArrayList<>();
    JedisPubSub listener = new JedisPubSub() {
      @Override
      public void onMessage(String channel, String message) {
        received.add(channel + "=" + message);
      }

      @Override
      public void onPMessage(String pattern, String channel, String message) {
        received.add(pattern + ":" + channel + "=" + message);
      }
    };
    Thread subscriber = new Thread(() -> {
      try (Jedis s = jedis(proto)) {
        s.subscribe(listener, p + "ch");
      }
    }, "jedis-subscriber");
    subscriber.start();
    try (Jedis pub = jedis(proto)) {
      await().atMost(Duration.ofSeconds(10))
          .until(() -> pub.pubsubNumSub(p + "ch").get(p + "ch") == 1L);
      listener.psubscribe(p + "c*");
      await().atMost(Duration.ofSeconds(10)).until(() -> pub.pubsubNumPat() >= 1L);
      assertThat(pub.publish(p + "ch", "hello")).isEqualTo(2L);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
      assertThat(received).containsExactlyInAnyOrder(
          p + "ch=hello", p + "c*:" + p + "ch=hello");
      listener.unsubscribe();
      listener.punsubscribe();
      subscriber.join(10_000);
      assertThat(subscriber.isAlive()).isFalse();
      assertThat(pub.pubsubNumSub(p + "ch").get(p + "ch")).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3})
  void lettuceSmoke(int proto) {
    String p = "lettuce" + proto + ":";
    RedisURI uri = RedisURI.create("127.0.0.1", tripod.port);
    uri.setTimeout(Duration.ofSeconds(10));
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .protocolVersion(proto == 3 ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2)
        .build());
    try (StatefulRedisConnection<String, String> conn = client.connect();
        StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
      RedisCommands<String, String> r = conn.sync();
      assertThat(r.ping()).isEqualTo("PONG");
      assertThat(r.set(p + "k", "v")).isEqualTo("OK");
      assertThat(r.get(p + "k")).isEqualTo("v");
      assertThat(r.get(p + "missing")).isNull();
      assertThat(r.incr(p + "n")).isEqualTo(1L);

      assertThat(r.multi()).isEqualTo("OK");
      r.set(p + "a", "1");
      r.incr(p + "a");
      r.get(p + "a");
      TransactionResult tx = r.exec();
      assertThat(tx.wasDiscarded()).isFalse();
      assertThat(tx.<Object>get(0)).isEqualTo("OK");
      assertThat(tx.<Object>get(1)).isEqualTo(2L);
      assertThat(tx.<Object>get(2)).isEqualTo("2");

      r.multi();
      r.set(p + "b", "1");
      assertThat(r.discard()).isEqualTo("OK");
      assertThat(r.get(p + "b")).isNull();

      List<String> received = new CopyOnWriteArrayList<>();
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          received.add(channel + "=" + message);
        }

        @Override
        public void message(String pattern, String channel, String message) {
          received.add(pattern + ":" + channel + "=" + message);
        }
      });
      sub.sync().subscribe(p + "ch");
      sub.sync().psubscribe(p + "c*");
      assertThat(r.pubsubNumsub(p + "ch")).containsEntry(p + "ch", 1L);
      assertThat(r.publish(p + "ch", "hello")).isEqualTo(2L);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
      assertThat(received).containsExactlyInAnyOrder(p + "ch=hello", p + "c*:" + p + "ch=hello");
      if (proto == 3) {
        // RESP3: the subscribed connection still runs ordinary commands.
        assertThat(sub.sync().ping()).isEqualTo("PONG");
      }
      sub.sync().unsubscribe(p + "ch");
      sub.sync().punsubscribe(p + "c*");
      assertThat(r.pubsubNumsub(p + "ch")).containsEntry(p + "ch", 0L);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
    }
  }
}
