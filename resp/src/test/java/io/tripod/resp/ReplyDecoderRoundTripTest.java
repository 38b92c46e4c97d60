package io.tripod.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** What RespWriter writes, ReplyDecoder reads back: every type, both protocols, any split. */
class ReplyDecoderRoundTripTest {

  private static RespValue decodeOne(ByteBuf buf) {
    RespValue v = new ReplyDecoder().decode(buf);
    assertThat(buf.isReadable()).as("whole reply consumed").isFalse();
    return v;
  }

  @Test
  void scalarsInBothProtocols() {
    ByteBuf b = Unpooled.buffer();
    RespWriter.simple(b, "OK");
    assertThat(decodeOne(b)).satisfies(v -> {
      assertThat(v.type()).isEqualTo('+');
      assertThat(v.asString()).isEqualTo("OK");
    });
    RespWriter.error(b, "ERR bad\r\nthing");
    assertThat(decodeOne(b)).satisfies(v -> {
      assertThat(v.isError()).isTrue();
      assertThat(v.asString()).isEqualTo("ERR bad  thing");
    });
    for (long n : new long[] {0, 1, 9999, 10000, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
      RespWriter.integer(b, n);
      assertThat(decodeOne(b).number()).isEqualTo(n);
    }
    RespWriter.bulk(b, new byte[] {0, '\r', '\n', (byte) 0xff});
    assertThat(decodeOne(b).bytes()).containsExactly(0, '\r', '\n', 0xff);
    RespWriter.bulkLong(b, -42);
    assertThat(decodeOne(b).asString()).isEqualTo("-42");
    RespWriter.nullBulk(b, 2);
    assertThat(decodeOne(b)).satisfies(v -> assertThat(v.isNull()).isTrue());
    RespWriter.nullArray(b, 2);
    assertThat(decodeOne(b)).satisfies(v -> assertThat(v.isNull()).isTrue());
    RespWriter.nullBulk(b, 3);
    assertThat(decodeOne(b).type()).isEqualTo('_');
    RespWriter.doubleValue(b, 3, 1.5);
    assertThat(decodeOne(b)).satisfies(v -> {
      assertThat(v.type()).isEqualTo(',');
      assertThat(v.asString()).isEqualTo("1.5");
    });
    RespWriter.doubleValue(b, 2, Double.POSITIVE_INFINITY);
    assertThat(decodeOne(b).asString()).isEqualTo("inf");
    RespWriter.bool(b, 3, true);
    assertThat(decodeOne(b).number()).isEqualTo(1);
    RespWriter.bool(b, 2, false);
    assertThat(decodeOne(b)).satisfies(v -> {
      assertThat(v.type()).isEqualTo(':');
      assertThat(v.number()).isZero();
    });
    RespWriter.verbatim(b, 3, "hello".getBytes(StandardCharsets.UTF_8), "txt");
    assertThat(decodeOne(b)).satisfies(v -> {
      assertThat(v.type()).isEqualTo('=');
      assertThat(v.asString()).isEqualTo("txt:hello");
    });
    RespWriter.verbatim(b, 2, "hello".getBytes(StandardCharsets.UTF_8), "txt");
    assertThat(decodeOne(b).asString()).isEqualTo("hello");
  }

  @Test
  void aggregatesInBothProtocols() {
    ByteBuf b = Unpooled.buffer();
    RespWriter.mapHeader(b, 3, 1);
    RespWriter.bulk(b, "k");
    RespWriter.integer(b, 1);
    RespValue m = decodeOne(b);
    assertThat(m.type()).isEqualTo('%');
    assertThat(m.number()).isEqualTo(1);
    assertThat(m.elements()).hasSize(2);
    RespWriter.mapHeader(b, 2, 1);
    RespWriter.bulk(b, "k");
    RespWriter.integer(b, 1);
    assertThat(decodeOne(b).type()).isEqualTo('*');
    RespWriter.setHeader(b, 3, 0);
    assertThat(decodeOne(b).type()).isEqualTo('~');
    RespWriter.pushHeader(b, 3, 2);
    RespWriter.bulk(b, "message");
    RespWriter.bulk(b, "x");
    RespValue push = decodeOne(b);
    assertThat(push.type()).isEqualTo('>');
    assertThat(push.elements()).extracting(RespValue::asString).containsExactly("message", "x");
    RespWriter.pushHeader(b, 2, 0);
    assertThat(decodeOne(b).type()).isEqualTo('*');
    RespWriter.arrayHeader(b, 5000);
    for (int i = 0; i < 5000; i++) {
      RespWriter.integer(b, i);
    }
    assertThat(decodeOne(b).elements()).hasSize(5000);
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() {
    ByteBuf b = Unpooled.buffer();
    for (int i = 0; i < ReplyDecoder.MAX_DEPTH + 5; i++) {
      RespWriter.arrayHeader(b, 1);
    }
    RespWriter.integer(b, 1);
    try {
      new ReplyDecoder().decode(b);
      org.junit.jupiter.api.Assertions.fail("expected a protocol error");
    } catch (ProtocolException e) {
      assertThat(e.getMessage()).contains("nesting too deep");
    }
  }

  /** A reply tree: a leaf (bulk, integer or simple string) or an array/map/set/push of trees. */
  record Node(char type, byte[] bytes, long number, List<Node> children) {}

  @Provide
  Arbitrary<Node> nodes() {
    return node(3);
  }

  private Arbitrary<Node> node(int depth) {
    Arbitrary<Node> bulk = Arbitraries.bytes().array(byte[].class).ofMaxSize(30)
        .map(v -> new Node('$', v, 0, null));
    Arbitrary<Node> integer = Arbitraries.longs().map(n -> new Node(':', null, n, null));
    Arbitrary<Node> simple = Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(10)
        .map(s -> new Node('+', s.getBytes(StandardCharsets.US_ASCII), 0, null));
    Arbitrary<Node> nil = Arbitraries.just(new Node('_', null, 0, null));
    if (depth == 0) {
      return Arbitraries.oneOf(bulk, integer, simple, nil);
    }
    Arbitrary<Node> aggregate = Arbitraries.of('*', '~', '>', '%').flatMap(t -> {
      Arbitrary<List<Node>> kids = node(depth - 1).list().ofMaxSize(4);
      if (t == '%') {
        kids = kids.map(l -> l.size() % 2 == 0 ? l : l.subList(0, l.size() - 1));
      }
      return kids.map(l -> new Node(t, null, 0, l));
    });
    return Arbitraries.oneOf(bulk, integer, simple, nil, aggregate);
  }

  private static void write(ByteBuf b, Node n, int proto) {
    switch (n.type()) {
      case '$': RespWriter.bulk(b, n.bytes()); break;
      case ':': RespWriter.integer(b, n.number()); break;
      case '+': RespWriter.simple(b, n.bytes()); break;
      case '_': RespWriter.nullBulk(b, proto); break;
      case '*': RespWriter.arrayHeader(b, n.children().size()); break;
      case '~': RespWriter.setHeader(b, proto, n.children().size()); break;
      case '>': RespWriter.pushHeader(b, proto, n.children().size()); break;
      case '%': RespWriter.mapHeader(b, proto, n.children().size() / 2); break;
      default: throw new AssertionError(n.type());
    }
    if (n.children() != null) {
      for (Node c : n.children()) {
        write(b, c, proto);
      }
    }
  }

  private static void assertSame(RespValue v, Node n, int proto) {
    switch (n.type()) {
      case '$':
      case '+':
        assertThat(v.type()).isEqualTo(n.type());
        assertThat(v.bytes()).isEqualTo(n.bytes());
        break;
      case ':':
        assertThat(v.number()).isEqualTo(n.number());
        break;
      case '_':
        assertThat(v.isNull()).isTrue();
        break;
      default:
        assertThat(v.type()).isEqualTo(proto == 3 ? n.type() : '*');
        List<RespValue> kids = v.elements();
        assertThat(kids).hasSize(n.children().size());
        for (int i = 0; i < kids.size(); i++) {
          assertSame(kids.get(i), n.children().get(i), proto);
        }
    }
  }

  @Property(tries = 300)
  void roundTripsAndNeedsEveryByte(@ForAll("nodes") Node node, @ForAll boolean resp3) {
    int proto = resp3 ? 3 : 2;
    ByteBuf b = Unpooled.buffer();
    write(b, node, proto);
    byte[] bytes = new byte[b.readableBytes()];
    b.getBytes(0, bytes);
    // Every strict prefix is incomplete (and consumes nothing); the whole decodes to the tree.
    List<Integer> cuts = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += Math.max(1, bytes.length / 50)) {
      cuts.add(i);
    }
    for (int cut : cuts) {
      ByteBuf prefix = Unpooled.wrappedBuffer(bytes, 0, cut);
      assertThat(new ReplyDecoder().decode(prefix)).as("prefix %d of %d", cut, bytes.length).isNull();
      assertThat(prefix.readerIndex()).isZero();
    }
    assertSame(decodeOne(b), node, proto);
  }
}
