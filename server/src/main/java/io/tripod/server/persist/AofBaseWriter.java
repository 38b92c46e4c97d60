package io.tripod.server.persist;

import io.tripod.resp.CFormat;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.rdb.RdbReader;
import io.tripod.server.rdb.RdbStream;
import io.tripod.server.rdb.RdbValue;
import io.tripod.server.rdb.RdbWriter;
import io.tripod.server.types.Strings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command form of an AOF base ({@code aof-use-rdb-preamble no}), as Redis 7.0's
 * {@code rewriteAppendOnlyFileRio}: per database a {@code SELECT}, then per key the commands that
 * rebuild it (the same commands, in the same shapes, as Redis writes):
 * <ul>
 *   <li>string: {@code SET key value}
 *   <li>list, set, sorted set, hash: {@code RPUSH} / {@code SADD} / {@code ZADD} (score as
 *       {@code %.17g}) / {@code HMSET}, at most 64 elements ({@code AOF_REWRITE_ITEMS_PER_CMD})
 *       per command
 *   <li>stream: an {@code XADD} per entry (an empty stream: {@code XADD key MAXLEN 0 0-1 x y}),
 *       {@code XSETID key last ENTRIESADDED n MAXDELETEDID id}, per group
 *       {@code XGROUP CREATE key group last ENTRIESREAD n}, then per consumer (name order) an
 *       {@code XCLAIM key group consumer 0 id TIME delivery RETRYCOUNT count JUSTID FORCE} per
 *       pending entry, or {@code XGROUP CREATECONSUMER key group consumer} when it owns none
 *   <li>a TTL: {@code PEXPIREAT key ms} after the key's commands.
 * </ul>
 * Aggregates are read through their RDB payload (every type writes one), so this class needs no
 * knowledge of the in-memory encodings.
 *
 * <p>Thread safety: used by one thread (the snapshot's, i.e. the event loop).
 */
public final class AofBaseWriter {
  /** Redis's AOF_REWRITE_ITEMS_PER_CMD. */
  static final int ITEMS_PER_CMD = 64;

  private final OutputStream out;
  private long written;

  public AofBaseWriter(OutputStream out) {
    this.out = out;
  }

  public long bytesWritten() {
    return written;
  }

  public void select(int db) throws IOException {
    command(List.of(ascii("SELECT"), ascii(Integer.toString(db))));
  }

  public void writeEntry(KeyEntry e) throws IOException {
    writeKey(e.key, e.value, e.expireAtMillis);
  }

  public void writeKey(byte[] key, Object value, long expireAtMillis) throws IOException {
    if (Strings.isString(value)) {
      command(List.of(ascii("SET"), key, Strings.bytes(value)));
    } else if (value instanceof RdbValue) {
      writeAggregate(key, (RdbValue) value);
    } else {
      throw new IOException("no AOF form for " + value.getClass().getName());
    }
    if (expireAtMillis != -1) {
      command(List.of(ascii("PEXPIREAT"), key, ascii(Long.toString(expireAtMillis))));
    }
  }

  private void writeAggregate(byte[] key, RdbValue v) throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    RdbWriter w = new RdbWriter(payload, false, false);
    v.writeRdbPayload(w);
    Decoded d = new Decoded();
    if (RdbReader.decodeValue(v.rdbType(), payload.toByteArray(), d) == null) {
      return; // an empty aggregate (never kept in the keyspace)
    }
    switch (d.kind) {
      case "list":
        batched("RPUSH", key, d.items, 1);
        break;
      case "set":
        batched("SADD", key, d.items, 1);
        break;
      case "hash":
        batched("HMSET", key, d.items, 2);
        break;
      case "zset":
        {
          List<byte[]> flat = new ArrayList<>(d.items.size() * 2);
          for (int i = 0; i < d.items.size(); i++) {
            flat.add(ascii(CFormat.doubleG17(d.scores[i])));
            flat.add(d.items.get(i));
          }
          batched("ZADD", key, flat, 2);
          break;
        }
      case "stream":
        stream(key, d.stream);
        break;
      default:
        throw new IOException("no AOF form for RDB type " + v.rdbType());
    }
  }

  /** {@code flat} holds elements of {@code width} items each; at most 64 elements per command. */
  private void batched(String cmd, byte[] key, List<byte[]> flat, int width) throws IOException {
    int elements = flat.size() / width;
    for (int start = 0; start < elements; start += ITEMS_PER_CMD) {
      int n = Math.min(ITEMS_PER_CMD, elements - start);
      List<byte[]> argv = new ArrayList<>(2 + n * width);
      argv.add(ascii(cmd));
      argv.add(key);
      argv.addAll(flat.subList(start * width, (start + n) * width));
      command(argv);
    }
  }

  private void stream(byte[] key, RdbStream s) throws IOException {
    if (!s.entries.isEmpty()) {
      for (RdbStream.Entry e : s.entries) {
        List<byte[]> argv = new ArrayList<>(3 + e.fieldsAndValues().size());
        argv.add(ascii("XADD"));
        argv.add(key);
        argv.add(id(e.ms(), e.seq()));
        argv.addAll(e.fieldsAndValues());
        command(argv);
      }
    } else {
      // Redis's trick for an empty stream: add an entry and trim it away at once.
      command(List.of(ascii("XADD"), key, ascii("MAXLEN"), ascii("0"), id(0, 1), ascii("x"), ascii("y")));
    }
    command(List.of(ascii("XSETID"), key, id(s.lastMs, s.lastSeq), ascii("ENTRIESADDED"),
        ascii(Long.toString(s.entriesAdded)), ascii("MAXDELETEDID"), id(s.maxDeletedMs, s.maxDeletedSeq)));
    for (RdbStream.Group g : s.groups) {
      command(List.of(ascii("XGROUP"), ascii("CREATE"), key, g.name(), id(g.lastMs(), g.lastSeq()),
          ascii("ENTRIESREAD"), ascii(Long.toString(g.entriesRead()))));
      Map<String, RdbStream.Pending> pel = new HashMap<>();
      for (RdbStream.Pending p : g.pending()) {
        pel.put(p.ms() + "-" + p.seq(), p);
      }
      for (RdbStream.Consumer c : g.consumers()) {
        if (c.pendingIds().isEmpty()) {
          command(List.of(ascii("XGROUP"), ascii("CREATECONSUMER"), key, g.name(), c.name()));
          continue;
        }
        for (long[] pid : c.pendingIds()) {
          RdbStream.Pending p = pel.get(pid[0] + "-" + pid[1]);
          long delivery = p == null ? 0 : p.deliveryTimeMillis();
          long count = p == null ? 1 : p.deliveryCount();
          command(List.of(ascii("XCLAIM"), key, g.name(), c.name(), ascii("0"), id(pid[0], pid[1]),
              ascii("TIME"), ascii(Long.toString(delivery)), ascii("RETRYCOUNT"), ascii(Long.toString(count)),
              ascii("JUSTID"), ascii("FORCE")));
        }
      }
    }
  }

  private static byte[] id(long ms, long seq) {
    return ascii(Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq));
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private final byte[] crlf = {'\r', '\n'};

  private void command(List<byte[]> argv) throws IOException {
    header('*', argv.size());
    for (byte[] a : argv) {
      header('$', a.length);
      out.write(a);
      out.write(crlf);
      written += a.length + 2;
    }
  }

  private void header(char prefix, int n) throws IOException {
    byte[] h = (prefix + Integer.toString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    out.write(h);
    written += h.length;
  }

  /** What an aggregate's RDB payload decodes to. */
  private static final class Decoded implements RdbReader.ValueFactory {
    String kind;
    List<byte[]> items;
    double[] scores;
    RdbStream stream;

    @Override
    public Object list(List<byte[]> elements) {
      kind = "list";
      items = elements;
      return this;
    }

    @Override
    public Object set(List<byte[]> members) {
      kind = "set";
      items = members;
      return this;
    }

    @Override
    public Object hash(List<byte[]> fieldsAndValues) {
      kind = "hash";
      items = fieldsAndValues;
      return this;
    }

    @Override
    public Object zset(List<byte[]> members, double[] s) {
      kind = "zset";
      items = members;
      scores = s;
      return this;
    }

    @Override
    public Object stream(RdbStream s) {
      kind = "stream";
      stream = s;
      return this;
    }
  }
}
