package io.tripod.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Property tests for the request decoder: hostile bytes (random, or valid requests mutated) may
 * only ever raise {@link ProtocolException}, never allocate much more than the input holds, and
 * valid requests survive any split into reads.
 */
class RequestDecoderFuzzTest {
  /** Fixed slack: the argument array of a multibulk is allocated up to 1024 slots in advance. */
  private static final long ALLOCATION_SLACK = 64 * 1024;

  /** Runs the decoder over {@code bytes} in chunks of {@code chunk}, as reads would deliver them. */
  private static void feed(byte[] bytes, int chunk, boolean authenticated) {
    RequestDecoder d = new RequestDecoder();
    d.setAuthenticated(authenticated);
    ByteBuf in = Unpooled.buffer(bytes.length);
    String error = null;
    long before = Allocation.threadAllocatedBytes();
    try {
      for (int off = 0; off < bytes.length; off += chunk) {
        in.writeBytes(bytes, off, Math.min(chunk, bytes.length - off));
        while (in.isReadable() && d.decode(in) != null) {
          // consume
        }
      }
    } catch (ProtocolException expected) {
      error = expected.getMessage();
    }
    long allocated = Allocation.threadAllocatedBytes() - before;
    if (error != null) {
      assertThat(error).startsWith("Protocol error: ");
    }
    // The decoded arguments are copies of the input (plus array headers); anything beyond a
    // small multiple of the input would mean a header made us allocate on trust.
    assertThat(allocated).isLessThan(ALLOCATION_SLACK + 40L * bytes.length);
  }

  @Property(tries = 300)
  void randomBytesOnlyRaiseProtocolErrors(
      @ForAll @Size(max = 2000) byte[] bytes, @ForAll("chunks") int chunk,
      @ForAll boolean authenticated) {
    feed(bytes, chunk, authenticated);
  }

  @Property(tries = 300)
  void mutatedRequestsOnlyRaiseProtocolErrors(
      @ForAll("mutatedRequests") byte[] bytes, @ForAll("chunks") int chunk,
      @ForAll boolean authenticated) {
    feed(bytes, chunk, authenticated);
  }

  @Property(tries = 200)
  void validRequestsDecodeTheSameWhateverTheReads(
      @ForAll("requests") List<List<byte[]>> requests, @ForAll("chunks") int chunk) {
    byte[] bytes = encode(requests);
    RequestDecoder d = new RequestDecoder();
    ByteBuf in = Unpooled.buffer();
    List<byte[][]> out = new ArrayList<>();
    for (int off = 0; off < bytes.length; off += chunk) {
      in.writeBytes(bytes, off, Math.min(chunk, bytes.length - off));
      byte[][] argv;
      while (in.isReadable() && (argv = d.decode(in)) != null) {
        out.add(argv);
      }
    }
    assertThat(out).hasSize(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      assertThat(out.get(i)).isDeepEqualTo(requests.get(i).toArray(new byte[0][]));
    }
  }

  @Provide
  Arbitrary<Integer> chunks() {
    return Arbitraries.oneOf(Arbitraries.just(1), Arbitraries.integers().between(1, 64),
        Arbitraries.just(1 << 20));
  }

  @Provide
  Arbitrary<List<List<byte[]>>> requests() {
    Arbitrary<byte[]> arg = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    return arg.list().ofMinSize(1).ofMaxSize(6).list().ofMaxSize(5);
  }

  static byte[] encode(List<List<byte[]>> requests) {
    ByteBuf out = Unpooled.buffer();
    for (List<byte[]> r : requests) {
      out.writeCharSequence("*" + r.size() + "\r\n", StandardCharsets.US_ASCII);
      for (byte[] a : r) {
        out.writeCharSequence("$" + a.length + "\r\n", StandardCharsets.US_ASCII);
        out.writeBytes(a);
        out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
      }
    }
    byte[] bytes = new byte[out.readableBytes()];
    out.readBytes(bytes);
    return bytes;
  }

  /** Valid requests with a few bytes overwritten, inserted or cut, plus hostile headers. */
  @Provide
  Arbitrary<byte[]> mutatedRequests() {
    Arbitrary<byte[]> base = requests().map(RequestDecoderFuzzTest::encode);
    Arbitrary<byte[]> hostile = Arbitraries.of(
        "*1\r\n$10737418240\r\n", "*2147483648\r\n", "*2147483647\r\n$1\r\n",
        "*1\r\n$536870912\r\nxyz", "*3\r\n*3\r\n*3\r\n", "\"unbalanced\r\n", "*-1\r\n$-1\r\n",
        "*1\r\n$9223372036854775807\r\n", "*1\r\n$-9223372036854775808\r\n")
        .map(s -> s.getBytes(StandardCharsets.ISO_8859_1));
    Arbitrary<byte[]> seed = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, base), net.jqwik.api.Tuple.of(1, hostile));
    return Combinators.combine(seed, Arbitraries.integers().between(0, 1000).list().ofMaxSize(4),
            Arbitraries.bytes().list().ofMinSize(4).ofMaxSize(4),
            Arbitraries.integers().between(0, 2))
        .as((bytes, positions, values, kind) -> mutate(bytes, positions, values, kind));
  }

  private static byte[] mutate(byte[] bytes, List<Integer> positions, List<Byte> values, int kind) {
    if (bytes.length == 0) {
      return bytes;
    }
    byte[] out = bytes.clone();
    for (int i = 0; i < positions.size(); i++) {
      int p = positions.get(i) % out.length;
      switch (kind) {
        case 0:
          out[p] = values.get(i);
          break;
        case 1:
          byte[] longer = new byte[out.length + 1];
          System.arraycopy(out, 0, longer, 0, p);
          longer[p] = values.get(i);
          System.arraycopy(out, p, longer, p + 1, out.length - p);
          out = longer;
          break;
        default:
          byte[] shorter = new byte[out.length - 1];
          System.arraycopy(out, 0, shorter, 0, p);
          System.arraycopy(out, p + 1, shorter, p, out.length - p - 1);
          out = shorter;
          if (out.length == 0) {
            return out;
          }
          break;
      }
    }
    return out;
  }
}
