package io.tripod.server.repl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tripod.server.config.ServerConfig;
import io.tripod.server.rdb.RdbException;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.types.RHash;
import io.tripod.server.types.RList;
import io.tripod.server.types.RSet;
import io.tripod.server.util.Bytes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encodings after load follow Redis 7.0's rdbLoadObject conversions. */
class TypeFactoriesTest {
  private final RdbReader.ValueFactory f = TypeFactories.forConfig(new ServerConfig());

  private static List<byte[]> strs(String... s) {
    List<byte[]> out = new ArrayList<>();
    for (String x : s) {
      out.add(Bytes.of(x));
    }
    return out;
  }

  @Test
  void setOfIntegersWithinTheLimitIsAnIntset() {
    assertThat(((RSet) f.set(strs("3", "1", "2"))).encoding()).isEqualTo("intset");
    assertThat(((RSet) f.set(strs("1", "x"))).encoding()).isEqualTo("hashtable");
    assertThat(((RSet) f.set(strs("01"))).encoding()).isEqualTo("hashtable");
    List<byte[]> many = new ArrayList<>();
    for (int i = 0; i < 513; i++) {
      many.add(Bytes.fromLong(i));
    }
    assertThat(((RSet) f.set(many)).encoding()).isEqualTo("hashtable");
    assertThat(((RSet) f.set(many.subList(0, 512))).encoding()).isEqualTo("intset");
  }

  @Test
  void hashOverTheListpackLimitsIsAHashtable() {
    assertThat(((RHash) f.hash(strs("f", "v"))).encoding()).isEqualTo("listpack");
    assertThat(((RHash) f.hash(strs("f", "v".repeat(65)))).encoding()).isEqualTo("hashtable");
    List<byte[]> many = new ArrayList<>();
    for (int i = 0; i < 513; i++) {
      many.add(Bytes.of("f" + i));
      many.add(Bytes.fromLong(i));
    }
    assertThat(((RHash) f.hash(many)).encoding()).isEqualTo("hashtable");
    assertThat(((RHash) f.hash(many.subList(0, 1024))).encoding()).isEqualTo("listpack");
  }

  @Test
  void thresholdsComeFromTheConfig() {
    ServerConfig cfg = new ServerConfig();
    cfg.setMaxIntsetEntries = 2;
    cfg.hashMaxListpackEntries = 1;
    RdbReader.ValueFactory small = TypeFactories.forConfig(cfg);
    assertThat(((RSet) small.set(strs("1", "2", "3"))).encoding()).isEqualTo("hashtable");
    assertThat(((RHash) small.hash(strs("a", "1", "b", "2"))).encoding()).isEqualTo("hashtable");
  }

  @Test
  void listpackHashesConvertOnlyForTooManyEntries() {
    RdbReader.ValueFactory lp = TypeFactories.forType(new ServerConfig(), io.tripod.server.rdb.Rdb.TYPE_HASH_LISTPACK);
    assertThat(((RHash) lp.hash(strs("f", "v".repeat(100)))).encoding()).isEqualTo("listpack");
    RdbReader.ValueFactory plain = TypeFactories.forType(new ServerConfig(), io.tripod.server.rdb.Rdb.TYPE_HASH);
    assertThat(((RHash) plain.hash(strs("f", "v".repeat(100)))).encoding()).isEqualTo("hashtable");
  }

  @Test
  void duplicatesAreRefused() {
    assertThatThrownBy(() -> f.set(strs("1", "1"))).isInstanceOf(RdbException.class);
    assertThatThrownBy(() -> f.hash(strs("f", "1", "f", "2"))).isInstanceOf(RdbException.class);
  }

  @Test
  void listKeepsOrder() {
    RList l = (RList) f.list(strs("a", "b", "c"));
    assertThat(l.size()).isEqualTo(3);
    assertThat(new String(l.get(2))).isEqualTo("c");
  }

  @Test
  void otherTypesGoToTheWrappedFactory() {
    TypeFactories.Delegating d = new TypeFactories.Delegating(f) {
      @Override
      public Object zset(List<byte[]> members, double[] scores) {
        return "zset";
      }
    };
    assertThat(d.zset(strs("a"), new double[] {1})).isEqualTo("zset");
    assertThat(d.list(strs("a"))).isInstanceOf(RList.class);
  }
}
