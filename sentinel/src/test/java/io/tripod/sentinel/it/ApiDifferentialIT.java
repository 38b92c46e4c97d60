package io.tripod.sentinel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The same requests to a real redis-sentinel and to a Tripod sentinel watching the same master;
 * the raw reply bytes must be equal (errors, arities, reply shapes), or of the same shape where
 * Redis's values are time- or id-dependent.
 */
class ApiDifferentialIT {
  /** A request; "~" first means compare the reply shape only. */
  private static final String[][] CASES = {
    {"PING"}, {"PING", "hi"}, {"PING", "a", "b"}, {"ECHO", "x"}, {"QUIT"}, {"SELECT", "1"}, {"GET", "k"},
    {"SENTINEL"}, {"SENTINEL", "foo"}, {"sentinel", "GET-MASTER-ADDR-BY-NAME"},
    {"SENTINEL", "get-master-addr-by-name", "mymaster"}, {"SENTINEL", "get-master-addr-by-name", "nope"},
    {"SENTINEL", "master", "nope"}, {"SENTINEL", "replicas", "nope"}, {"SENTINEL", "slaves", "nope"},
    {"SENTINEL", "sentinels", "nope"}, {"SENTINEL", "ckquorum", "nope"}, {"SENTINEL", "failover", "nope"},
    {"SENTINEL", "masters", "x"}, {"SENTINEL", "myid", "x"},
    {"SENTINEL", "monitor", "x", "127.0.0.1", "abc", "2"}, {"SENTINEL", "monitor", "x", "127.0.0.1", "70000", "2"},
    {"SENTINEL", "monitor", "x", "127.0.0.1", "1", "0"}, {"SENTINEL", "monitor", "x", "127.0.0.1", "1", "q"},
    {"SENTINEL", "monitor", "x", "foo.invalid", "1", "2"}, {"SENTINEL", "monitor", "mymaster", "127.0.0.1", "1", "2"},
    {"SENTINEL", "monitor", "x", "127.0.0.1"},
    {"SENTINEL", "set", "mymaster", "quorum"}, {"SENTINEL", "set", "nope", "quorum", "1"},
    {"SENTINEL", "set", "mymaster", "quorum", "0"}, {"SENTINEL", "set", "mymaster", "foo", "1"},
    {"SENTINEL", "set", "mymaster", "down-after-milliseconds", "abc"},
    {"SENTINEL", "set", "mymaster", "notification-script", "/bin/true"},
    {"SENTINEL", "set", "mymaster", "parallel-syncs", "1", "failover-timeout"},
    {"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "1", "abc", "*"},
    {"SENTINEL", "is-master-down-by-addr", "127.0.0.1", "abc", "0", "*"},
    {"SENTINEL", "is-master-down-by-addr", "10.9.9.9", "1", "0", "*"},
    {"SENTINEL", "is-master-down-by-addr", "10.9.9.9", "1"},
    {"SENTINEL", "config", "get"}, {"SENTINEL", "config", "foo", "bar"}, {"SENTINEL", "config", "set", "foo", "1"},
    {"SENTINEL", "config", "get", "announce-*"}, {"SENTINEL", "config", "get", "nomatch"},
    {"SENTINEL", "config", "set", "announce-port", "abc"},
    {"SENTINEL", "simulate-failure", "foo"}, {"SENTINEL", "simulate-failure", "help"},
    {"SENTINEL", "debug", "foo", "1"}, {"SENTINEL", "debug", "ping-period"},
    {"SENTINEL", "reset", "nomatch"}, {"SENTINEL", "info-cache", "nope"}, {"SENTINEL", "pending-scripts"},
    {"SENTINEL", "remove", "nope"}, {"SENTINEL", "help"},
    {"PUBLISH", "foo", "bar"}, {"PUBLISH", "__sentinel__:hello", "garbage"},
    {"PUBLISH", "__sentinel__:hello", "1,2,3,4,5,6,7,8"},
    {"PUBLISH", "__sentinel__:hello", "127.0.0.1,x,abc,1,mymaster,127.0.0.1,1,0,extra"},
    {"PUBLISH", "__sentinel__:hello"},
    {"CLIENT", "SETINFO", "lib-name", "x"}, {"CLIENT", "foo"}, {"CLIENT", "GETNAME"},
    {"CLIENT", "SETNAME", "a b"}, {"CLIENT", "SETNAME", "ok"}, {"CLIENT", "GETNAME"},
    {"CLIENT", "KILL", "ADDR", "1.2.3.4:5"}, {"CLIENT", "KILL", "1.2.3.4:5"},
    {"AUTH", "x"}, {"AUTH", "a", "b"}, {"HELLO", "4"}, {"HELLO", "x"},
    {"~", "ROLE"}, {"~", "SENTINEL", "myid"}, {"~", "SENTINEL", "masters"}, {"~", "SENTINEL", "master", "mymaster"},
    {"~", "SENTINEL", "debug"}, {"~", "HELLO", "3"}, {"~", "SENTINEL", "master", "mymaster"},
    {"~", "SENTINEL", "get-master-addr-by-name", "nope"}, {"~", "HELLO", "2"},
    {"SUBSCRIBE", "a", "b"}, {"GET", "x"}, {"SENTINEL", "myid"}, {"PING"}, {"UNSUBSCRIBE", "a"},
    {"UNSUBSCRIBE", "b"}, {"PING"}, {"UNSUBSCRIBE"}, {"PSUBSCRIBE", "+*"}, {"PUNSUBSCRIBE", "+*"},
  };

  @Test
  void repliesMatchRedisSentinel() throws Exception {
    try (Harness h = new Harness()) {
      int mp = Harness.freePort();
      h.redis(mp);
      int real = Harness.freePort();
      int ours = Harness.freePort();
      h.realSentinel(real, mp, 2, 5000, 10000);
      h.tripod(ours, mp, 2, 5000, 10000);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          "master".equals(Harness.masterField(ours, "role-reported"))
              && Harness.masterField(ours, "flags").equals("master"));
      List<String> diffs = new ArrayList<>();
      try (Conn a = new Conn(real); Conn b = new Conn(ours)) {
        for (String[] c : CASES) {
          boolean shape = c[0].equals("~");
          String[] cmd = shape ? java.util.Arrays.copyOfRange(c, 1, c.length) : c;
          RespValue ra = a.call(cmd);
          RespValue rb = b.call(cmd);
          String ea = shape ? shape(ra) : a.lastRaw;
          String eb = shape ? shape(rb) : b.lastRaw;
          if (!ea.equals(eb)) {
            diffs.add(String.join(" ", cmd) + "\n  redis:  " + ea + "\n  tripod: " + eb);
          }
        }
      }
      assertThat(diffs).isEmpty();
    }
  }

  /** Types and map keys, not values. */
  static String shape(RespValue v) {
    StringBuilder sb = new StringBuilder().append(v.type());
    if (v.elements() != null) {
      sb.append(v.elements().size()).append('[');
      for (int i = 0; i < v.elements().size(); i++) {
        RespValue e = v.elements().get(i);
        boolean key = (v.type() == '%' && i % 2 == 0);
        sb.append(key ? e.asString() : shape(e)).append(',');
      }
      sb.append(']');
    }
    return sb.toString();
  }

  static final class Conn implements AutoCloseable {
    final Socket s;
    final InputStream in;
    final OutputStream out;
    final ByteBuf buf = Unpooled.buffer();
    final ReplyDecoder dec = new ReplyDecoder();
    String lastRaw;

    Conn(int port) throws IOException {
      s = new Socket("127.0.0.1", port);
      s.setSoTimeout(5000);
      in = s.getInputStream();
      out = s.getOutputStream();
    }

    RespValue call(String... argv) throws IOException {
      StringBuilder sb = new StringBuilder("*").append(argv.length).append("\r\n");
      for (String a : argv) {
        byte[] b = a.getBytes(StandardCharsets.UTF_8);
        sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      List<RespValue> got = new ArrayList<>();
      StringBuilder raw = new StringBuilder();
      // SUBSCRIBE/UNSUBSCRIBE with several channels answer several replies; read what is there.
      int expected = argv[0].equalsIgnoreCase("subscribe") ? argv.length - 1 : 1;
      while (got.size() < expected) {
        int start = buf.readerIndex();
        RespValue v = dec.decode(buf);
        if (v == null) {
          byte[] chunk = new byte[4096];
          int n = in.read(chunk);
          if (n < 0) {
            lastRaw = raw + "<closed>";
            return new RespValue('-', "closed".getBytes(StandardCharsets.UTF_8), 0, null);
          }
          buf.writeBytes(chunk, 0, n);
          continue;
        }
        raw.append(buf.toString(start, buf.readerIndex() - start, StandardCharsets.UTF_8).replace("\r\n", "\\r\\n"));
        got.add(v);
      }
      buf.discardReadBytes();
      lastRaw = raw.toString();
      return got.get(got.size() - 1);
    }

    @Override
    public void close() throws IOException {
      s.close();
    }
  }
}
