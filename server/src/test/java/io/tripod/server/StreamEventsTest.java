package io.tripod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import io.tripod.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keyspace events and dirty counts of the stream commands, as Redis 7.0's t_stream.c. */
class StreamEventsTest {
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
        out.add(channel.substring(channel.indexOf("__:") + 3) + " " + key);
      }
    } finally {
      buf.release();
    }
    return out;
  }

  long dirtyOf(String... args) {
    long before = server.dirty;
    call(args);
    return server.dirty - before;
  }

  @Test
  void writesFireTheirEvents() {
    assertThat(dirtyOf("XADD", "s", "1-1", "a", "1")).isEqualTo(1);
    call("XADD", "s", "2-1", "a", "2");
    call("XADD", "s", "MAXLEN", "1", "3-1", "a", "3");
    assertThat(events()).containsExactly("xadd s", "xadd s", "xadd s", "xtrim s");
    assertThat(dirtyOf("XDEL", "s", "3-1", "9-9")).isEqualTo(1);
    call("XDEL", "s", "9-9");
    assertThat(events()).containsExactly("xdel s");
    call("XADD", "s", "4-1", "a", "4");
    call("XADD", "s", "5-1", "a", "5");
    events();
    assertThat(dirtyOf("XTRIM", "s", "MAXLEN", "0")).isEqualTo(2);
    call("XTRIM", "s", "MAXLEN", "0");
    assertThat(events()).containsExactly("xtrim s");
    assertThat(dirtyOf("XSETID", "s", "10-0")).isEqualTo(1);
    assertThat(events()).containsExactly("xsetid s");
  }

  @Test
  void groupEvents() {
    call("XADD", "s", "1-1", "a", "1");
    call("XADD", "s", "2-1", "a", "2");
    events();
    assertThat(dirtyOf("XGROUP", "CREATE", "s", "g", "0")).isEqualTo(1);
    call("XGROUP", "CREATE", "s", "g", "0");
    call("XGROUP", "SETID", "s", "g", "0");
    call("XGROUP", "CREATECONSUMER", "s", "g", "c1");
    call("XGROUP", "CREATECONSUMER", "s", "g", "c1");
    call("XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "s", ">");
    call("XCLAIM", "s", "g", "c3", "0", "1-1");
    call("XGROUP", "DELCONSUMER", "s", "g", "c3");
    call("XGROUP", "DELCONSUMER", "s", "g", "nobody");
    call("XGROUP", "DESTROY", "s", "g");
    call("XGROUP", "DESTROY", "s", "g");
    call("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM");
    assertThat(events()).containsExactly("xgroup-create s", "xgroup-setid s",
        "xgroup-createconsumer s", "xgroup-createconsumer s", "xgroup-createconsumer s",
        "xgroup-delconsumer s", "xgroup-destroy s", "xgroup-create t");
  }

  @Test
  void readsAreNotWrites() {
    call("XADD", "s", "1-1", "a", "1");
    call("XGROUP", "CREATE", "s", "g", "0");
    events();
    assertThat(dirtyOf("XRANGE", "s", "-", "+")).isZero();
    assertThat(dirtyOf("XREAD", "STREAMS", "s", "0")).isZero();
    assertThat(dirtyOf("XINFO", "STREAM", "s", "FULL")).isZero();
    assertThat(dirtyOf("XPENDING", "s", "g")).isZero();
    assertThat(dirtyOf("XACK", "s", "g", "1-1")).isZero();
    assertThat(dirtyOf("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")).isPositive();
    assertThat(dirtyOf("XACK", "s", "g", "1-1")).isEqualTo(1);
    assertThat(events()).containsExactly("xgroup-createconsumer s");
  }
}
