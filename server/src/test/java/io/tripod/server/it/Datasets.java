package io.tripod.server.it;

import io.netty.buffer.Unpooled;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mixed write load over every data type, and a canonical dump of a whole dataset, so that two
 * servers (Tripod or real Redis, master or replica) can be compared key by key.
 */
public final class Datasets {
  private Datasets() {}

  /** Writes {@code n} rounds of strings, lists, hashes, sets, sorted sets, streams, HLLs, TTLs. */
  public static void mixedLoad(int port, String p, int n) throws IOException {
    try (RawConnection c = new RawConnection(port)) {
      for (int i = 0; i < n; i++) {
        c.callString("SET", p + "str:" + i, "v" + i);
        c.callString("INCRBY", p + "cnt:" + (i % 7), String.valueOf(i));
        c.callString("APPEND", p + "str:" + (i / 2), "+" + i);
        c.callString("RPUSH", p + "list:" + (i % 5), "e" + i, String.valueOf(i));
        if (i % 3 == 0) {
          c.callString("LPOP", p + "list:" + (i % 5));
        }
        c.callString("HSET", p + "hash:" + (i % 4), "f" + i, "v" + i, "n" + (i % 9), String.valueOf(i));
        if (i % 10 == 0) {
          c.callString("HSET", p + "bighash", "field" + i, "x".repeat(80));
        }
        c.callString("SADD", p + "set:" + (i % 3), String.valueOf(i), "m" + (i % 11));
        c.callString("SADD", p + "intset", String.valueOf(i * 7));
        if (i % 4 == 0) {
          c.callString("SREM", p + "set:" + (i % 3), "m" + (i % 11));
        }
        c.callString("ZADD", p + "zset:" + (i % 3), String.valueOf(i * 1.5), "z" + i);
        c.callString("ZINCRBY", p + "zset:0", "0.25", "z" + (i % 13));
        c.callString("XADD", p + "stream", (i + 1) + "-1", "f", "v" + i);
        c.callString("PFADD", p + "hll", "h" + i);
        if (i % 9 == 0) {
          c.callString("EXPIRE", p + "str:" + i, "10000");
        }
        if (i % 17 == 0) {
          c.callString("DEL", p + "str:" + (i / 3));
        }
        if (i % 13 == 0) {
          c.callString("SELECT", "1");
          c.callString("SET", p + "db1:" + i, "x");
          c.callString("LPUSH", p + "db1list", String.valueOf(i));
          c.callString("SELECT", "0");
        }
      }
      c.callString("XGROUP", "CREATE", p + "stream", "g", "0");
      c.callString("XREADGROUP", "GROUP", "g", "c1", "COUNT", "3", "STREAMS", p + "stream", ">");
    }
  }

  /** Every key of databases 0 and 1 with its type, a canonical rendering of its value and whether it has a TTL. */
  public static Map<String, String> dump(int port) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (RawConnection c = new RawConnection(port)) {
      for (String db : new String[] {"0", "1"}) {
        c.callString("SELECT", db);
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        do {
          RespValue r = call(c, "SCAN", cursor, "COUNT", "1000");
          cursor = r.elements().get(0).asString();
          for (RespValue k : r.elements().get(1).elements()) {
            keys.add(k.asString());
          }
        } while (!cursor.equals("0"));
        for (String k : keys) {
          String type = call(c, "TYPE", k).asString();
          String value;
          switch (type) {
            case "string": value = call(c, "GET", k).asString(); break;
            case "list": value = render(call(c, "LRANGE", k, "0", "-1"), false); break;
            case "hash": value = pairs(call(c, "HGETALL", k)); break;
            case "set": value = render(call(c, "SMEMBERS", k), true); break;
            case "zset": value = render(call(c, "ZRANGE", k, "0", "-1", "WITHSCORES"), false); break;
            case "stream":
              // entries-read and lag are not replicated by Redis 7.0 for ordinary XREADGROUP (it
              // propagates XCLAIMs), so a replica legitimately shows them unknown: leave them out.
              value = render(call(c, "XRANGE", k, "-", "+"), false) + " groups="
                  + render(call(c, "XINFO", "GROUPS", k), false).replaceAll(", entries-read, [^,\\]]*, lag, [^,\\]]*", "");
              break;
            default: value = "?"; break;
          }
          boolean ttl = !call(c, "PTTL", k).asString().equals("-1");
          out.put(db + "/" + k, type + (ttl ? " (ttl) " : " ") + value);
        }
      }
      c.callString("SELECT", "0");
    }
    return out;
  }

  /** Compares two servers' datasets and fails listing the first differing keys. */
  public static void assertSame(int expectedPort, int actualPort) throws IOException {
    Map<String, String> a = dump(expectedPort);
    Map<String, String> b = dump(actualPort);
    List<String> diffs = new ArrayList<>();
    java.util.Set<String> keys = new java.util.TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String k : keys) {
      String x = a.get(k);
      String y = b.get(k);
      if (!java.util.Objects.equals(x, y) && diffs.size() < 10) {
        diffs.add(k + "\n    expected: " + clip(x) + "\n    actual:   " + clip(y));
      }
    }
    if (!diffs.isEmpty()) {
      throw new AssertionError(diffs.size() + "+ keys differ (of " + keys.size() + "):\n" + String.join("\n", diffs));
    }
  }

  private static String clip(String s) {
    return s == null ? "(missing)" : s.length() > 300 ? "..." + s.substring(s.length() - 300) : s;
  }

  private static RespValue call(RawConnection c, String... args) throws IOException {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return new ReplyDecoder().decode(Unpooled.wrappedBuffer(c.call(a)));
  }

  /** HGETALL as sorted "field=value" pairs (hash-table order differs between servers). */
  private static String pairs(RespValue v) {
    List<String> parts = new ArrayList<>();
    List<RespValue> e = v.elements();
    for (int i = 0; i + 1 < e.size(); i += 2) {
      parts.add(e.get(i).asString() + "=" + e.get(i + 1).asString());
    }
    parts.sort(null);
    return parts.toString();
  }

  private static String render(RespValue v, boolean unordered) {
    if (v.elements() == null) {
      return String.valueOf(v);
    }
    List<String> parts = new ArrayList<>();
    for (RespValue e : v.elements()) {
      parts.add(e.elements() != null ? render(e, false) : e.asString());
    }
    if (unordered) {
      // HGETALL pairs or SMEMBERS: order depends on the hash table; compare as a sorted multiset.
      parts.sort(null);
    }
    return parts.toString();
  }
}
