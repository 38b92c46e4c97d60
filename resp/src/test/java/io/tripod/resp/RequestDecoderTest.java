package io.tripod.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request decoder against Redis 7.0's processMultibulkBuffer / processInlineBuffer rules. */
class RequestDecoderTest {

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Decodes every complete request in {@code bytes} with a fresh decoder. */
  static List<List<String>> decodeAll(byte[] bytes) {
    RequestDecoder d = new RequestDecoder();
    ByteBuf in = Unpooled.wrappedBuffer(bytes);
    List<List<String>> out = new ArrayList<>();
    drain(d, in, out);
    return out;
  }

  static void drain(RequestDecoder d, ByteBuf in, List<List<String>> out) {
    while (true) {
      byte[][] argv = d.decode(in);
      if (argv == null) {
        return;
      }
      List<String> args = new ArrayList<>();
      for (byte[] a : argv) {
        args.add(str(a));
      }
      out.add(args);
      if (!in.isReadable()) {
        return;
      }
    }
  }

  /** Feeds {@code bytes} in two parts split at {@code at}, as two reads of a socket would. */
  static List<List<String>> decodeSplit(byte[] bytes, int at) {
    RequestDecoder d = new RequestDecoder();
    ByteBuf in = Unpooled.buffer();
    List<List<String>> out = new ArrayList<>();
    in.writeBytes(bytes, 0, at);
    drain(d, in, out);
    in.discardReadBytes();
    in.writeBytes(bytes, at, bytes.length - at);
    drain(d, in, out);
    return out;
  }

  static final String STREAM =
      "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"
          + "PING\r\n"
          + "*1\r\n$4\r\nPING\r\n"
          + "ECHO \"a b\" 'c d' \"\\x41\\n\"\n"
          + "*0\r\n"
          + "*-1\r\n"
          + "\r\n"
          + "*2\r\n$0\r\n\r\n$10\r\n0123456789\r\n"
          + "   GET    k   \r\n"
          + "*1\r\n$3\r\n\u00ff\u0000\u0001\r\n";

  @Test
  void decodesAStreamOfMixedRequests() {
    List<List<String>> all = decodeAll(b(STREAM));
    assertThat(all).containsExactly(
        List.of("SET", "key", "va\r\nl"),
        List.of("PING"),
        List.of("PING"),
        List.of("ECHO", "a b", "c d", "A\n"),
        List.of(),
        List.of(),
        List.of(),
        List.of("", "0123456789"),
        List.of("GET", "k"),
        List.of("\u00ff\u0000\u0001"));
  }

  @Test
  void everySplitPositionDecodesTheSame() {
    byte[] bytes = b(STREAM);
    List<List<String>> expected = decodeAll(bytes);
    for (int at = 0; at <= bytes.length; at++) {
      assertThat(decodeSplit(bytes, at)).as("split at %d", at).isEqualTo(expected);
    }
  }

  @Test
  void byteByByteDecodesTheSame() {
    byte[] bytes = b(STREAM);
    List<List<String>> expected = decodeAll(bytes);
    RequestDecoder d = new RequestDecoder();
    ByteBuf in = Unpooled.buffer();
    List<List<String>> out = new ArrayList<>();
    for (byte x : bytes) {
      in.writeByte(x);
      drain(d, in, out);
    }
    assertThat(out).isEqualTo(expected);
  }

  @Test
  void incompleteRequestsWaitForMoreBytes() {
    RequestDecoder d = new RequestDecoder();
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(b("*2\r\n$3\r\nGET\r\n$1\r\n"));
    assertThat(d.decode(in)).isNull();
    assertThat(d.inRequest()).isTrue();
    in.writeBytes(b("k\r"));
    assertThat(d.decode(in)).isNull();
    in.writeBytes(b("\n"));
    assertThat(d.decode(in).length).isEqualTo(2);
    assertThat(d.inRequest()).isFalse();
    in.writeBytes(b("PIN"));
    assertThat(d.decode(in)).isNull();
  }

  @Test
  void inlineForms() {
    assertThat(decodeAll(b("PING\n"))).containsExactly(List.of("PING"));
    assertThat(decodeAll(b("PING\r\n"))).containsExactly(List.of("PING"));
    assertThat(decodeAll(b("  \t \r\n"))).containsExactly(List.of());
    assertThat(decodeAll(b("echo \"\\t\\r\\\\\"\r\n"))).containsExactly(List.of("echo", "\t\r\\"));
  }

  private static void assertProtocolError(String input, String message) {
    assertProtocolError(new RequestDecoder(), input, message);
  }

  private static void assertProtocolError(RequestDecoder d, String input, String message) {
    ByteBuf in = Unpooled.wrappedBuffer(b(input));
    assertThatThrownBy(() -> {
          while (d.decode(in) != null) {
            // keep going until the error
          }
        })
        .isInstanceOf(ProtocolException.class)
        .hasMessage(message);
  }

  @Test
  void everyProtocolErrorText() {
    assertProtocolError("*x\r\n", "Protocol error: invalid multibulk length");
    assertProtocolError("*\r\n", "Protocol error: invalid multibulk length");
    assertProtocolError("*+1\r\n", "Protocol error: invalid multibulk length");
    assertProtocolError("*01\r\n", "Protocol error: invalid multibulk length");
    assertProtocolError("*2147483648\r\n", "Protocol error: invalid multibulk length");
    assertProtocolError("*99999999999999999999999\r\n", "Protocol error: invalid multibulk length");
    assertProtocolError("*1\r\nPING\r\n", "Protocol error: expected '$', got 'P'");
    assertProtocolError("*1\r\n*1\r\n", "Protocol error: expected '$', got '*'");
    assertProtocolError("*1\r\n$-5\r\n", "Protocol error: invalid bulk length");
    assertProtocolError("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
    assertProtocolError("*1\r\n$x\r\n", "Protocol error: invalid bulk length");
    assertProtocolError("*1\r\n$\r\n", "Protocol error: invalid bulk length");
    assertProtocolError("ECHO \"a\r\n", "Protocol error: unbalanced quotes in request");
    assertProtocolError("ECHO 'a\r\n", "Protocol error: unbalanced quotes in request");
    assertProtocolError("ECHO \"a\"b\r\n", "Protocol error: unbalanced quotes in request");
    assertProtocolError("set a 'it''s'\r\n", "Protocol error: unbalanced quotes in request");
    String big = "x".repeat(RequestDecoder.INLINE_MAX_BYTES + 1);
    assertProtocolError(big, "Protocol error: too big inline request");
    assertProtocolError("*" + "1".repeat(RequestDecoder.INLINE_MAX_BYTES + 1),
        "Protocol error: too big mbulk count string");
    assertProtocolError("*1\r\n$" + "1".repeat(RequestDecoder.INLINE_MAX_BYTES + 1),
        "Protocol error: too big bulk count string");
  }

  @Test
  void tenGigabyteBulkHeaderIsRefusedWithoutAllocating() {
    // 10 GB is past proto-max-bulk-len (512 MB) and past what an int can index.
    assertProtocolError("*1\r\n$10737418240\r\n", "Protocol error: invalid bulk length");
    RequestDecoder small = new RequestDecoder();
    small.setMaxBulkBytes(1024);
    assertProtocolError(small, "*1\r\n$1025\r\n", "Protocol error: invalid bulk length");
  }

  @Test
  void hugeButLegalHeadersAllocateOnlyWhatArrived() {
    decodeAll(b(STREAM)); // warm up: class loading must not count
    RequestDecoder d = new RequestDecoder();
    ByteBuf in = Unpooled.wrappedBuffer(b("*2147483647\r\n$536870912\r\nabc"));
    long before = Allocation.threadAllocatedBytes();
    assertThat(d.decode(in)).isNull();
    long allocated = Allocation.threadAllocatedBytes() - before;
    // A 2^31-1 count and a 512 MB bulk header cost a bounded, small amount until data arrives.
    assertThat(allocated).isLessThan(64 * 1024);
    assertThat(d.inRequest()).isTrue();
  }

  @Test
  void unauthenticatedLimits() {
    RequestDecoder d = new RequestDecoder();
    d.setAuthenticated(false);
    assertProtocolError(d, "*11\r\n", "Protocol error: unauthenticated multibulk length");
    d = new RequestDecoder();
    d.setAuthenticated(false);
    assertProtocolError(d, "*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length");
    d = new RequestDecoder();
    d.setAuthenticated(false);
    ByteBuf in = Unpooled.wrappedBuffer(b("*10\r\n$16384\r\n"));
    assertThat(d.decode(in)).isNull(); // at the limits: still fine
    d = new RequestDecoder();
    d.setAuthenticated(true);
    in = Unpooled.wrappedBuffer(b("*11\r\n$16385\r\n"));
    assertThat(d.decode(in)).isNull();
  }

  @Test
  void emptyAndNegativeCountsAreIgnored() {
    assertThat(decodeAll(b("*0\r\n*-1\r\n*-100\r\nPING\r\n")))
        .containsExactly(List.of(), List.of(), List.of(), List.of("PING"));
  }

  @Test
  void bulkTerminatorIsNotChecked() {
    // Redis skips the two bytes after a bulk without looking at them.
    assertThat(decodeAll(b("*1\r\n$4\r\nPINGxx"))).containsExactly(List.of("PING"));
  }
}
