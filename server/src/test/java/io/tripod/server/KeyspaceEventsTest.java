package io.tripod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import io.tripod.server.config.ServerConfig;
import io.tripod.server.db.Database;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The keyspace events of the generic key commands, named as Redis 7.0 names them. */
class KeyspaceEventsTest {
  ExpiryTest.ManualClock clock;
  Server server;
  Client c;
  Client subscriber;

  @BeforeEach
  void setUp() {
    clock = new ExpiryTest.ManualClock();
    server = new Server(new ServerConfig(), clock);
    c = server.newClient(null);
    subscriber = server.newClient(null);
    server.pubsub.psubscribe(subscriber, "__keyevent@*__:*".getBytes(StandardCharsets.US_ASCII));
    server.notifyFlags = Notifications.parse("KEA");
  }

  RespValue call(String... args) {
    return ExpiryTest.call(server, c, args);
  }

  /** Events published since the last call, as "db event key". */
  List<String> events() {
    List<String> out = new ArrayList<>();
    ByteBuf buf = subscriber.takeOutput();
    if (buf == null) {
      return out;
    }
    try {
      ReplyDecoder d = new ReplyDecoder();
      while (buf.isReadable()) {
        RespValue v = d.decode(buf);
        String channel = v.elements().get(2).asString();
        String key = v.elements().get(3).asString();
        int at = channel.indexOf('@');
        int end = channel.indexOf("__:");
        out.add(channel.substring(at + 1, end) + " " + channel.substring(end + 3) + " " + key);
      }
    } finally {
      buf.release();
    }
    return out;
  }

  void setUpKeys(String... keys) {
    for (String k : keys) {
      call("SET", k, "v");
    }
    events();
  }

  @Test
  void delAndUnlink() {
    setUpKeys("a", "b");
    call("DEL", "a", "nosuch");
    call("UNLINK", "b");
    assertThat(events()).containsExactly("0 del a", "0 del b");
  }

  @Test
  void renameFiresFromThenTo() {
    setUpKeys("a", "x");
    call("RENAME", "a", "b");
    call("RENAMENX", "b", "x");
    call("RENAMENX", "b", "c");
    call("RENAME", "c", "c");
    assertThat(events())
        .containsExactly("0 rename_from a", "0 rename_to b", "0 rename_from b", "0 rename_to c");
  }

  @Test
  void moveFiresInBothDatabases() {
    setUpKeys("a");
    call("MOVE", "a", "3");
    call("MOVE", "a", "3");
    assertThat(events()).containsExactly("0 move_from a", "3 move_to a");
  }

  @Test
  void copyFiresCopyToInTheDestinationDatabase() {
    setUpKeys("a", "b");
    call("COPY", "a", "c");
    call("COPY", "a", "b");
    call("COPY", "a", "b", "REPLACE");
    call("COPY", "a", "a", "DB", "5");
    assertThat(events()).containsExactly("0 copy_to c", "0 copy_to b", "5 copy_to a");
  }

  @Test
  void expireFamilyAndPersist() {
    setUpKeys("a", "b", "c", "d");
    call("EXPIRE", "a", "100");
    call("PEXPIRE", "b", "100000");
    call("EXPIREAT", "c", "33177117420");
    call("PEXPIREAT", "d", "33177117420000");
    call("EXPIRE", "a", "100", "NX");
    call("PERSIST", "a");
    call("PERSIST", "a");
    call("EXPIRE", "b", "-1");
    call("PEXPIREAT", "c", "1");
    assertThat(events())
        .containsExactly(
            "0 expire a", "0 expire b", "0 expire c", "0 expire d", "0 persist a", "0 del b",
            "0 del c");
  }

  @Test
  void expiredLazilyAndActively() {
    call("SET", "lazy", "v", "PX", "10");
    call("SET", "active", "v", "PX", "10");
    call("SELECT", "2");
    call("SET", "other", "v", "PX", "10");
    events();
    clock.now += 11;
    call("SELECT", "0");
    call("GET", "lazy");
    assertThat(events()).containsExactly("0 expired lazy");
    for (int i = 0; i < 5; i++) {
      server.expiry.activeExpireCycle(clock.now);
      for (Database db : server.databases()) {
        db.rehashForMillis(1);
      }
    }
    assertThat(events()).containsExactlyInAnyOrder("0 expired active", "2 expired other");
  }

  @Test
  void keymissOnlyWithItsFlag() {
    call("EXISTS", "nosuch");
    call("TTL", "nosuch");
    assertThat(events()).isEmpty();
    server.notifyFlags = Notifications.parse("KEAm");
    call("EXISTS", "nosuch");
    call("TYPE", "nosuch");
    call("TOUCH", "nosuch");
    call("COPY", "nosuch", "x");
    // Write look-ups (RENAME, EXPIRE, PERSIST, MOVE) do not report misses.
    call("EXPIRE", "nosuch", "10");
    call("PERSIST", "nosuch");
    call("MOVE", "nosuch", "1");
    assertThat(events())
        .containsExactly("0 keymiss nosuch", "0 keymiss nosuch", "0 keymiss nosuch",
            "0 keymiss nosuch");
  }

  @Test
  void genericEventsNeedTheGenericClass() {
    server.notifyFlags = Notifications.parse("Ex");
    setUpKeys("a");
    call("EXPIRE", "a", "100");
    call("RENAME", "a", "b");
    call("DEL", "b");
    assertThat(events()).isEmpty();
  }
}
