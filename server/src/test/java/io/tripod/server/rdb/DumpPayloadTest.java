package io.tripod.server.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tripod.server.repl.TypeFactories;
import io.tripod.server.types.RHash;
import io.tripod.server.types.RList;
import io.tripod.server.types.RSet;
import io.tripod.server.util.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * DUMP payloads compared with the bytes a real redis-server 7.0.15 returned for the same values
 * (test resources {@code rdb/dump-*.bin}, each built by RPUSH/SET/HSET/SADD as the helpers below
 * rebuild them): quicklist node boundaries, listpack and intset blobs, and the LZF compressor must
 * all be byte-identical.
 */
class DumpPayloadTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = DumpPayloadTest.class.getResourceAsStream("/rdb/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  private static RList list(List<byte[]> elements) {
    RList l = new RList();
    elements.forEach(l::addLast);
    return l;
  }

  private static byte[] repeat(char c, int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) c);
    return b;
  }

  private static List<byte[]> oneByteElements() {
    List<byte[]> e = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      e.add(Bytes.of("a"));
    }
    return e;
  }

  @Test
  void listOfOneByteElementsSplitsLikeQuicklist() throws IOException {
    RList l = list(oneByteElements());
    // 7-byte header + 3 bytes per entry: the first node stops at 8185 bytes (+1 +8 > 8192).
    assertThat(l.quicklistNodeCounts()).containsExactly(2726, 274);
    assertThat(DumpPayload.create(l, true)).isEqualTo(resource("dump-l1.bin"));
  }

  @Test
  void listOfIntegersMatchesRedis() throws IOException {
    List<byte[]> e = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      e.add(Bytes.fromLong(i));
    }
    assertThat(DumpPayload.create(list(e), true)).isEqualTo(resource("dump-l2.bin"));
  }

  @Test
  void listOfMixedSizesMatchesRedis() throws IOException {
    List<byte[]> e = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      e.add(repeat((char) ('a' + i % 26), (i * 37) % 300 + 1));
    }
    assertThat(DumpPayload.create(list(e), true)).isEqualTo(resource("dump-l3.bin"));
  }

  @Test
  void listOfLargeElementsHasOneElementPerNode() throws IOException {
    List<byte[]> e = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      e.add(repeat((char) ('A' + i), 5000));
    }
    RList l = list(e);
    assertThat(l.quicklistNodeCounts()).containsExactly(1, 1, 1, 1, 1, 1);
    assertThat(DumpPayload.create(l, true)).isEqualTo(resource("dump-l4.bin"));
  }

  @Test
  void nodeBoundaryAtTheSizeLimit() {
    // 8168-byte element: entry 5 + 8168 + 2 = 8175, node 8182 bytes; "y" fits (8182+1+8 = 8191)
    // and makes it 8185; the next "y" would need 8194 > 8192 and opens a new node.
    RList l = list(List.of(repeat('x', 8168), Bytes.of("y"), Bytes.of("y"), Bytes.of("y"), Bytes.of("y")));
    assertThat(l.quicklistNodeCounts()).containsExactly(2, 3);
    // 8170 bytes: node 8184, 8184+1+8 = 8193 does not fit.
    assertThat(list(List.of(repeat('x', 8170), Bytes.of("y"))).quicklistNodeCounts()).containsExactly(1, 1);
  }

  @Test
  void restoredLayoutIsKeptUntilTheListChanges() {
    RList l = list(List.of(Bytes.of("a"), Bytes.of("b"), Bytes.of("c")));
    l.keepQuicklistLayout(new int[] {2, 1});
    assertThat(l.quicklistNodeCounts()).containsExactly(2, 1);
    l.keepQuicklistLayout(new int[] {2, 2}); // does not add up: ignored, previous one kept
    assertThat(l.quicklistNodeCounts()).containsExactly(2, 1);
    RList copy = (RList) l.deepCopy();
    assertThat(copy.quicklistNodeCounts()).containsExactly(2, 1);
    l.set(1, Bytes.of("B")); // LSET inside a node keeps Redis's nodes
    assertThat(l.quicklistNodeCounts()).containsExactly(2, 1);
    l.addLast(Bytes.of("d"));
    assertThat(l.quicklistNodeCounts()).containsExactly(4);
    copy.pollFirst();
    assertThat(copy.quicklistNodeCounts()).containsExactly(2);
    RList plain = list(List.of(Bytes.of("x"), Bytes.of("y")));
    plain.keepQuicklistLayout(new int[] {-1, 1});
    assertThat(plain.quicklistNodeCounts()).containsExactly(-1, 1);
    plain.set(0, Bytes.of("z")); // LSET on a PLAIN node reshapes the quicklist
    assertThat(plain.quicklistNodeCounts()).containsExactly(2);
  }

  @Test
  void lzfStringMatchesRedis() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      sb.append(String.format("%05d,", i));
    }
    assertThat(DumpPayload.create(sb.toString().getBytes(StandardCharsets.US_ASCII), true))
        .isEqualTo(resource("dump-s1.bin"));
  }

  @Test
  void listpackHashAndIntsetMatchRedis() throws IOException {
    RHash h = new RHash();
    for (int i = 0; i < 512; i++) {
      h.set(Bytes.of("f" + i), Bytes.fromLong(i), 512, 64);
    }
    assertThat(DumpPayload.create(h, true)).isEqualTo(resource("dump-h1.bin"));
    RSet s = new RSet();
    for (int i = 0; i < 400; i++) {
      s.add(Bytes.fromLong(i * 3 - 500), 512);
    }
    assertThat(DumpPayload.create(s, true)).isEqualTo(resource("dump-i1.bin"));
  }

  @Test
  void redisPayloadsParseAndReencodeIdentically() throws Exception {
    RdbReader.ValueFactory f = TypeFactories.forConfig(new io.tripod.server.config.ServerConfig());
    for (String name : new String[] {"l1", "l2", "l3", "l4", "s1", "h1", "i1"}) {
      byte[] p = resource("dump-" + name + ".bin");
      Object v = DumpPayload.parse(p, f);
      assertThat(DumpPayload.create(v, true)).as(name).isEqualTo(p);
    }
  }

  @Test
  void verifyRejectsBadVersionAndChecksum() throws Exception {
    byte[] p = DumpPayload.create(Bytes.of("hello"), true);
    DumpPayload.verify(p);
    byte[] bad = p.clone();
    bad[bad.length - 1] ^= 1;
    assertThatThrownBy(() -> DumpPayload.verify(bad)).isInstanceOf(DumpPayload.BadChecksumOrVersion.class);
    assertThatThrownBy(() -> DumpPayload.verify(new byte[9])).isInstanceOf(DumpPayload.BadChecksumOrVersion.class);
  }

  @Test
  void intsetWidthIsTheNarrowest() {
    RSet s = new RSet();
    s.add(Bytes.of("1"), 512);
    assertThat(s.intsetBlob()[0]).isEqualTo((byte) 2);
    s.add(Bytes.of("40000"), 512);
    assertThat(s.intsetBlob()[0]).isEqualTo((byte) 4);
    s.add(Bytes.of("-5000000000"), 512);
    assertThat(s.intsetBlob()[0]).isEqualTo((byte) 8);
    assertThat(s.intsetBlob()).hasSize(8 + 3 * 8);
  }

  /** Payload bytes before the trailer with a fresh version and CRC, as a hostile client would. */
  private static byte[] reseal(byte[] body) {
    byte[] p = Arrays.copyOf(body, body.length + 10);
    p[body.length] = 10;
    long crc = Crc64.update(0, p, 0, body.length + 2);
    for (int i = 0; i < 8; i++) {
      p[body.length + 2 + i] = (byte) (crc >>> (8 * i));
    }
    return p;
  }

  @Test
  void mutatedPayloadsWithValidChecksumsDecodeOrAreBadFormat() throws IOException {
    RdbReader.ValueFactory f = TypeFactories.forConfig(new io.tripod.server.config.ServerConfig());
    java.util.Random r = new java.util.Random(7);
    List<byte[]> seeds = new ArrayList<>();
    for (String name : new String[] {"l1", "l3", "l4", "s1", "h1", "i1"}) {
      byte[] p = resource("dump-" + name + ".bin");
      seeds.add(Arrays.copyOf(p, p.length - 10));
    }
    int decoded = 0;
    for (int n = 0; n < 3000; n++) {
      byte[] body = seeds.get(r.nextInt(seeds.size())).clone();
      int flips = 1 + r.nextInt(4);
      for (int k = 0; k < flips; k++) {
        int pos = r.nextInt(Math.min(body.length, r.nextBoolean() ? 16 : body.length));
        body[pos] = (byte) r.nextInt(256);
      }
      if (r.nextInt(4) == 0) {
        body = Arrays.copyOf(body, r.nextInt(body.length + 1));
      }
      try {
        Object v = DumpPayload.parse(reseal(body), f);
        assertThat(v).isNotNull();
        DumpPayload.create(v, true); // whatever decoded can be dumped again
        decoded++;
      } catch (DumpPayload.BadFormat expected) {
        // refused: fine
      } catch (DumpPayload.BadChecksumOrVersion e) {
        throw new AssertionError("resealed payload failed its checksum", e);
      }
    }
    assertThat(decoded).isPositive();
  }

  @Test
  void lzfRoundTripsRandomInputs() {
    java.util.Random r = new java.util.Random(42);
    for (int n = 0; n < 500; n++) {
      int len = 21 + r.nextInt(3000);
      byte[] in = new byte[len];
      int alphabet = 1 + r.nextInt(20);
      for (int i = 0; i < len; i++) {
        in[i] = (byte) ('a' + r.nextInt(alphabet));
      }
      byte[] c = Lzf.compress(in, len - 4);
      if (c != null) {
        assertThat(c.length).isLessThanOrEqualTo(len - 4);
        assertThat(Lzf.decompress(c, len)).isEqualTo(in);
      }
    }
  }
}
