package io.tripod.server.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tripod.server.util.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RdbTest {
  static final RdbReader.ValueFactory STRINGS_ONLY = new RdbReader.ValueFactory() {
    @Override public Object list(List<byte[]> e) { return e; }
    @Override public Object set(List<byte[]> m) { return m; }
    @Override public Object hash(List<byte[]> f) { return f; }
    @Override public Object zset(List<byte[]> m, double[] s) { return m; }
    @Override public Object stream(RdbStream s) { return s; }
  };

  @Test
  void crc64MatchesRedisCheckValue() {
    byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertThat(Crc64.update(0, b, 0, b.length)).isEqualTo(0xe9c6d914c4b8d9caL);
  }

  @Test
  void sliceBy8Crc64EqualsTheBytewiseDefinitionAtEveryLengthAndOffset() {
    Random r = new Random(42);
    byte[] data = new byte[4096];
    r.nextBytes(data);
    for (int trial = 0; trial < 500; trial++) {
      int off = r.nextInt(64);
      int len = r.nextInt(data.length - off);
      long seed = r.nextLong();
      long bytewise = seed;
      for (int i = off; i < off + len; i++) {
        bytewise = Crc64.update(bytewise, data[i]);
      }
      assertThat(Crc64.update(seed, data, off, len)).isEqualTo(bytewise);
    }
  }

  @Test
  void incrementalReadSeesTheSameItemsAcrossBufferBoundariesAndChecksTheCrc() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeAux("redis-ver", "7.0.15");
    w.writeSelectDb(0, 3000, 0);
    Random r = new Random(7);
    for (int i = 0; i < 3000; i++) {
      byte[] v = new byte[r.nextInt(300)];
      r.nextBytes(v);
      w.writeKey(Bytes.of("k" + i), v, i % 3 == 0 ? 1893456000000L + i : -1);
    }
    w.writeEof();
    byte[] file = out.toByteArray();
    for (int bufferSize : new int[] {1, 7, 8192}) {
      RdbReader reader = new RdbReader(new ByteArrayInputStream(file), STRINGS_ONLY, bufferSize);
      reader.readHeader();
      List<String> seen = new ArrayList<>();
      long lastOffset = reader.offset();
      while (reader.next((db, key, value, exp, idle, freq) -> seen.add(Bytes.str(key) + "@" + exp))) {
        assertThat(reader.offset()).isGreaterThan(lastOffset);
        lastOffset = reader.offset();
      }
      assertThat(reader.offset()).isEqualTo(file.length);
      assertThat(seen).hasSize(3000);
      assertThat(seen.get(3)).isEqualTo("k3@" + (1893456000000L + 3));
      byte[] bad = file.clone();
      bad[21] ^= 1; // a byte of the AUX value "7.0.15": only the checksum can tell
      assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(bad), STRINGS_ONLY, bufferSize)
          .read((a, b, c, d, e, f) -> {})).hasMessageContaining("Wrong RDB checksum");
    }
  }

  @Test
  void minimalFileFromTheReferenceLoads() throws Exception {
    // shared/reference/rdb.md §16b: accepted by redis-server 7.0.15.
    byte[] file = HexFormat.of().parseHex(
        "524544495330303130FE00FC00B4C5DAB8010000" + "00056D796B6579" + "0568656C6C6F" + "FF7E47F6991EB1BD63");
    List<String> seen = new ArrayList<>();
    new RdbReader(new ByteArrayInputStream(file), STRINGS_ONLY).read(
        (db, key, value, exp, idle, freq) -> seen.add(db + ":" + Bytes.str(key) + "=" + Bytes.str((byte[]) value) + "@" + exp));
    assertThat(seen).containsExactly("0:mykey=hello@1893456000000");
  }

  @Test
  void writerProducesTheSameBytesAsRedisForAKeyWithExpiry() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeSelectDb(0, 1, 1);
    w.writeKey(Bytes.of("mykey"), Bytes.of("hello"), 1893456000000L);
    w.writeEof();
    // Same as the reference minimal file plus RESIZEDB (FB 01 01) before the key.
    String hex = HexFormat.of().formatHex(out.toByteArray()).toUpperCase();
    assertThat(hex).startsWith("524544495330303130FE00FB0101FC00B4C5DAB801000000056D796B65790568656C6C6FFF");
    List<String> seen = new ArrayList<>();
    new RdbReader(new ByteArrayInputStream(out.toByteArray()), STRINGS_ONLY).read(
        (db, key, value, exp, idle, freq) -> seen.add(Bytes.str(key)));
    assertThat(seen).containsExactly("mykey");
  }

  @Test
  void stringEncodingsRoundTrip() throws Exception {
    Random r = new Random(42);
    List<byte[]> values = new ArrayList<>();
    for (String s : new String[] {"0", "-1", "127", "-128", "128", "32767", "-32768", "65536",
        "2147483647", "-2147483648", "2147483648", "007", "-0", "+1", "", "a".repeat(100),
        "abcabcabcabcabcabcabcabcabcabc"}) {
      values.add(Bytes.of(s));
    }
    for (int i = 0; i < 50; i++) {
      byte[] b = new byte[r.nextInt(3000)];
      for (int j = 0; j < b.length; j++) {
        b[j] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 'x' + r.nextInt(3));
      }
      values.add(b);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(out, true, true);
    w.writeHeader();
    w.writeSelectDb(0, values.size(), 0);
    for (int i = 0; i < values.size(); i++) {
      w.writeKey(Bytes.of("k" + i), values.get(i), -1);
    }
    w.writeEof();
    List<byte[]> back = new ArrayList<>();
    new RdbReader(new ByteArrayInputStream(out.toByteArray()), STRINGS_ONLY).read(
        (db, key, value, exp, idle, freq) -> back.add((byte[]) value));
    assertThat(back).hasSize(values.size());
    for (int i = 0; i < values.size(); i++) {
      assertThat(back.get(i)).as("value %d", i).isEqualTo(values.get(i));
    }
  }

  @Test
  void listpackMatchesTheReferenceExample() {
    // shared/reference/rdb.md §16c: RPUSH L a 1 -2 300 <70 x 'b'>
    byte[] lp = Listpack.encode(List.of(Bytes.of("a"), Bytes.of("1"), Bytes.of("-2"), Bytes.of("300"),
        Bytes.of("b".repeat(70))));
    assertThat(lp.length).isEqualTo(91);
    assertThat(HexFormat.of().formatHex(lp, 0, 17).toUpperCase())
        .isEqualTo("5B00000005008161020101DFFE02C12C02");
    List<byte[]> back = Listpack.decode(lp);
    assertThat(back).extracting(Bytes::str).containsExactly("a", "1", "-2", "300", "b".repeat(70));
  }

  @Test
  void corruptInputFailsCleanly() {
    byte[] good = HexFormat.of().parseHex(
        "524544495330303130FE00FC00B4C5DAB8010000" + "00056D796B6579" + "0568656C6C6F" + "FF7E47F6991EB1BD63");
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 1] ^= 1;
    assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(badCrc), STRINGS_ONLY).read((a, b, c, d, e, f) -> {}))
        .isInstanceOf(RdbException.class).hasMessageContaining("Wrong RDB checksum");
    byte[] truncated = java.util.Arrays.copyOf(good, 25);
    assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(truncated), STRINGS_ONLY).read((a, b, c, d, e, f) -> {}))
        .isInstanceOf(EOFException.class);
    // A string claiming 1 GB in a tiny file: EOF, not an allocation of 4 GB.
    byte[] huge = HexFormat.of().parseHex("524544495330303130FE00" + "00016B804000000041");
    assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(huge), STRINGS_ONLY).read((a, b, c, d, e, f) -> {}))
        .isInstanceOf(EOFException.class);
    byte[] badMagic = "RODIS0010".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(badMagic), STRINGS_ONLY).read((a, b, c, d, e, f) -> {}))
        .isInstanceOf(RdbException.class).hasMessageContaining("Wrong signature");
    byte[] v11 = "REDIS0011".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(v11), STRINGS_ONLY).read((a, b, c, d, e, f) -> {}))
        .isInstanceOf(RdbException.class).hasMessageContaining("Can't handle RDB format version 0011");
  }
}
