package io.tripod.server.rdb;

import io.tripod.server.util.Bytes;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads RDB files of versions 1 to 10 (everything Redis 7.0 loads): all opcodes, string encodings
 * (int, LZF), and every value type from the plain forms through ziplist, zipmap, intset, quicklist
 * and listpack to streams. Values are handed to a {@link ValueFactory} so this class needs no
 * knowledge of Tripod's in-memory types.
 *
 * <p>Corrupt input never crashes the reader or makes it allocate what the input only claims:
 * strings are read in bounded chunks, so a length of 2^40 on a short file ends in
 * {@link EOFException}, not an out-of-memory error. Errors carry the byte offset.
 */
public final class RdbReader {
  /** Builds in-memory values from decoded RDB contents. */
  public interface ValueFactory {
    Object list(List<byte[]> elements);

    Object set(List<byte[]> members);

    /** Alternating field, value. */
    Object hash(List<byte[]> fieldsAndValues);

    Object zset(List<byte[]> members, double[] scores);

    Object stream(RdbStream stream);
  }

  /** Receives what the file holds, in file order. */
  public interface Sink {
    default void aux(String key, byte[] value) {}

    default void resizeDb(int db, long keys, long expires) {}

    /** A key; {@code expireAtMillis} is -1 when none, {@code idleSeconds} -1 and freq -1 when absent. */
    void key(int db, byte[] key, Object value, long expireAtMillis, long idleSeconds, int freq);

    default void function(byte[] code) {}
  }

  private static final int CHUNK = 1 << 20;

  private final InputStream in;
  private final ValueFactory factory;
  /** Read-ahead buffer: bytes {@code [pos, lim)} are read from the input but not consumed yet. */
  private final byte[] buf;
  private int pos;
  private int lim;
  /** Bytes {@code [crcFrom, pos)} are consumed but not yet in {@link #crc} (checksummed in bulk). */
  private int crcFrom;
  /** Offset in the input of {@code buf[0]}. */
  private long bufStart;
  private long crc;
  private int version;
  /** Set by {@link #decodeLength}: the value is a special string encoding, not a length. */
  private boolean encoded;
  // Per-key opcodes seen before the key (EXPIRETIME, IDLE, FREQ), for the incremental reader.
  private int db;
  private long expireAt = -1;
  private long idle = -1;
  private int freq = -1;

  public RdbReader(InputStream in, ValueFactory factory) {
    this(in, factory, 8192);
  }

  /** {@code bufferSize}: the read-ahead; large files load faster with a large one (1 MB). */
  public RdbReader(InputStream in, ValueFactory factory, int bufferSize) {
    this.in = in;
    this.factory = factory;
    this.buf = new byte[bufferSize];
  }

  /** Bytes consumed so far. */
  public long offset() {
    return bufStart + pos;
  }

  public int version() {
    return version;
  }

  /**
   * Reads the whole file, verifying the CRC-64 trailer when present and non-zero.
   *
   * @throws RdbException on corrupt data (message names the offset)
   * @throws EOFException when the input ends early (a truncated file)
   */
  public void read(Sink sink) throws IOException {
    readHeader();
    while (next(sink)) {
      // one item at a time
    }
  }

  /** Reads and checks the signature and version (the first step of an incremental read). */
  public void readHeader() throws IOException {
    byte[] magic = readBytes(9);
    if (!new String(magic, 0, 5, StandardCharsets.ISO_8859_1).equals("REDIS")) {
      throw new RdbException("Wrong signature trying to load DB from file");
    }
    String v = new String(magic, 5, 4, StandardCharsets.ISO_8859_1);
    try {
      version = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 1 || version > Rdb.VERSION) {
      throw new RdbException("Can't handle RDB format version " + v);
    }
  }

  /**
   * Reads the next item (a key with its expiry/LRU/LFU prefix, or an AUX, SELECTDB, RESIZEDB or
   * FUNCTION opcode) into {@code sink}. Returns false once the EOF opcode and the checksum were
   * read: the file is complete. Lets a loader read a file in slices between other work.
   */
  public boolean next(Sink sink) throws IOException {
    while (true) {
      int type = readByte();
      switch (type) {
        case Rdb.OPCODE_EXPIRETIME:
          expireAt = readLe(4) * 1000L;
          continue;
        case Rdb.OPCODE_EXPIRETIME_MS:
          expireAt = readLe(8);
          continue;
        case Rdb.OPCODE_FREQ:
          freq = readByte();
          continue;
        case Rdb.OPCODE_IDLE:
          idle = readLength();
          continue;
        case Rdb.OPCODE_EOF:
          verifyChecksum();
          return false;
        case Rdb.OPCODE_SELECTDB:
          long d = readLength();
          if (d < 0 || d > Integer.MAX_VALUE) {
            throw corrupt("bad database number " + d);
          }
          db = (int) d;
          return true;
        case Rdb.OPCODE_RESIZEDB:
          sink.resizeDb(db, readLength(), readLength());
          return true;
        case Rdb.OPCODE_AUX:
          {
            byte[] k = readString();
            byte[] val = readString();
            sink.aux(new String(k, StandardCharsets.ISO_8859_1), val);
            return true;
          }
        case Rdb.OPCODE_MODULE_AUX:
          throw corrupt("module auxiliary data found but modules are not supported");
        case Rdb.OPCODE_FUNCTION2:
          sink.function(readString());
          return true;
        case Rdb.OPCODE_FUNCTION:
          throw corrupt("pre-release function format is not supported");
        default:
          break;
      }
      byte[] key = readString();
      Object value = readValue(type);
      if (value != null) {
        sink.key(db, key, value, expireAt, idle, freq);
      }
      expireAt = -1;
      idle = -1;
      freq = -1;
      return true;
    }
  }

  private void verifyChecksum() throws IOException {
    if (version < 5) {
      return;
    }
    crc = Crc64.update(crc, buf, crcFrom, pos - crcFrom);
    crcFrom = pos;
    long expected = crc;
    long stored = 0;
    byte[] b = readBytes(8);
    for (int i = 0; i < 8; i++) {
      stored |= (b[i] & 0xffL) << (8 * i);
    }
    if (stored != 0 && stored != expected) {
      throw new RdbException("Wrong RDB checksum expected: (" + Long.toHexString(stored)
          + ") got: (" + Long.toHexString(expected) + "). Aborting now.");
    }
  }

  /** Decodes a value's RDB payload (what follows the key) of type {@code type}; null when empty. */
  public static Object decodeValue(int type, byte[] payload, ValueFactory factory) throws IOException {
    return new RdbReader(new java.io.ByteArrayInputStream(payload), factory, Math.max(16, Math.min(payload.length, 1 << 16)))
        .readValue(type);
  }

  /** Reads a value of the given type byte; null means "skip this key" (an empty aggregate). */
  Object readValue(int type) throws IOException {
    switch (type) {
      case Rdb.TYPE_STRING:
        return readString();
      case Rdb.TYPE_LIST:
      case Rdb.TYPE_SET:
        {
          long n = readLength();
          List<byte[]> items = new ArrayList<>((int) Math.min(n, 1024));
          for (long i = 0; i < n; i++) {
            items.add(readString());
          }
          if (items.isEmpty()) {
            return null;
          }
          return type == Rdb.TYPE_LIST ? factory.list(items) : factory.set(items);
        }
      case Rdb.TYPE_ZSET:
      case Rdb.TYPE_ZSET_2:
        {
          long n = readLength();
          List<byte[]> members = new ArrayList<>((int) Math.min(n, 1024));
          double[] scores = new double[(int) Math.min(n, 1024)];
          for (long i = 0; i < n; i++) {
            members.add(readString());
            double s = type == Rdb.TYPE_ZSET_2 ? Double.longBitsToDouble(readLe(8)) : readStringDouble();
            if (i >= scores.length) {
              scores = Arrays.copyOf(scores, (int) Math.min(n, scores.length * 2L));
            }
            scores[(int) i] = s;
          }
          if (members.isEmpty()) {
            return null;
          }
          return factory.zset(members, Arrays.copyOf(scores, members.size()));
        }
      case Rdb.TYPE_HASH:
        {
          long n = readLength();
          List<byte[]> flat = new ArrayList<>((int) Math.min(n * 2, 2048));
          for (long i = 0; i < n; i++) {
            flat.add(readString());
            flat.add(readString());
          }
          return flat.isEmpty() ? null : factory.hash(flat);
        }
      case Rdb.TYPE_HASH_ZIPMAP:
        return nonEmpty(LegacyEncodings.decodeZipmap(readString()), factory::hash);
      case Rdb.TYPE_LIST_ZIPLIST:
        return nonEmpty(LegacyEncodings.decodeZiplist(readString()), factory::list);
      case Rdb.TYPE_SET_INTSET:
        return nonEmpty(LegacyEncodings.decodeIntset(readString()), factory::set);
      case Rdb.TYPE_ZSET_ZIPLIST:
        return pairsToZset(LegacyEncodings.decodeZiplist(readString()));
      case Rdb.TYPE_HASH_ZIPLIST:
        return evenPairs(LegacyEncodings.decodeZiplist(readString()), factory::hash);
      case Rdb.TYPE_HASH_LISTPACK:
        return evenPairs(Listpack.decode(readString()), factory::hash);
      case Rdb.TYPE_ZSET_LISTPACK:
        return pairsToZset(Listpack.decode(readString()));
      case Rdb.TYPE_LIST_QUICKLIST:
      case Rdb.TYPE_LIST_QUICKLIST_2:
        {
          long nodes = readLength();
          List<byte[]> items = new ArrayList<>();
          for (long i = 0; i < nodes; i++) {
            long container = Rdb.QUICKLIST_NODE_PACKED;
            if (type == Rdb.TYPE_LIST_QUICKLIST_2) {
              container = readLength();
              if (container != Rdb.QUICKLIST_NODE_PACKED && container != Rdb.QUICKLIST_NODE_PLAIN) {
                throw corrupt("Quicklist integrity check failed");
              }
            }
            byte[] blob = readString();
            if (container == Rdb.QUICKLIST_NODE_PLAIN) {
              items.add(blob);
            } else if (type == Rdb.TYPE_LIST_QUICKLIST) {
              items.addAll(LegacyEncodings.decodeZiplist(blob));
            } else {
              items.addAll(Listpack.decode(blob));
            }
          }
          return items.isEmpty() ? null : factory.list(items);
        }
      case Rdb.TYPE_STREAM_LISTPACKS:
      case Rdb.TYPE_STREAM_LISTPACKS_2:
        return factory.stream(readStream(type));
      case Rdb.TYPE_MODULE:
      case Rdb.TYPE_MODULE_2:
        throw corrupt("module value found but modules are not supported");
      default:
        throw corrupt("Unknown RDB encoding type " + type);
    }
  }

  private interface Build {
    Object apply(List<byte[]> items);
  }

  private static Object nonEmpty(List<byte[]> items, Build b) {
    return items.isEmpty() ? null : b.apply(items);
  }

  private Object evenPairs(List<byte[]> items, Build b) {
    if (items.size() % 2 != 0) {
      throw corrupt("Hash integrity check failed");
    }
    return nonEmpty(items, b);
  }

  private Object pairsToZset(List<byte[]> items) {
    if (items.size() % 2 != 0) {
      throw corrupt("Zset integrity check failed");
    }
    if (items.isEmpty()) {
      return null;
    }
    List<byte[]> members = new ArrayList<>(items.size() / 2);
    double[] scores = new double[items.size() / 2];
    for (int i = 0; i < items.size(); i += 2) {
      members.add(items.get(i));
      scores[i / 2] = parseScore(items.get(i + 1));
    }
    return factory.zset(members, scores);
  }

  private double parseScore(byte[] s) {
    String t = new String(s, StandardCharsets.ISO_8859_1);
    switch (t) {
      case "inf":
      case "+inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw corrupt("Zset integrity check failed: bad score");
        }
    }
  }

  private double readStringDouble() throws IOException {
    int len = readByte();
    switch (len) {
      case 253:
        return Double.NaN;
      case 254:
        return Double.POSITIVE_INFINITY;
      case 255:
        return Double.NEGATIVE_INFINITY;
      default:
        return parseScore(readBytes(len));
    }
  }

  private RdbStream readStream(int type) throws IOException {
    RdbStream s = new RdbStream();
    long nodes = readLength();
    for (long i = 0; i < nodes; i++) {
      byte[] nodeKey = readString();
      if (nodeKey.length != 16) {
        throw corrupt("Stream node key entry is not the size of a stream ID");
      }
      long masterMs = beLong(nodeKey, 0);
      long masterSeq = beLong(nodeKey, 8);
      List<byte[]> lp = Listpack.decode(readString());
      parseStreamNode(s, lp, masterMs, masterSeq);
    }
    s.length = readLength();
    s.lastMs = readUnsignedLength();
    s.lastSeq = readUnsignedLength();
    if (type == Rdb.TYPE_STREAM_LISTPACKS_2) {
      s.firstMs = readUnsignedLength();
      s.firstSeq = readUnsignedLength();
      s.maxDeletedMs = readUnsignedLength();
      s.maxDeletedSeq = readUnsignedLength();
      s.entriesAdded = readLength();
    } else {
      s.entriesAdded = s.length;
      if (!s.entries.isEmpty()) {
        s.firstMs = s.entries.get(0).ms();
        s.firstSeq = s.entries.get(0).seq();
      }
    }
    long groups = readLength();
    for (long g = 0; g < groups; g++) {
      byte[] name = readString();
      long lastMs = readUnsignedLength();
      long lastSeq = readUnsignedLength();
      long entriesRead = type == Rdb.TYPE_STREAM_LISTPACKS_2 ? readUnsignedLength() : -1;
      long pelSize = readLength();
      List<RdbStream.Pending> pel = new ArrayList<>();
      for (long p = 0; p < pelSize; p++) {
        byte[] id = readBytes(16);
        long delivery = readLe(8);
        long count = readLength();
        pel.add(new RdbStream.Pending(beLong(id, 0), beLong(id, 8), delivery, count));
      }
      long consumers = readLength();
      List<RdbStream.Consumer> cs = new ArrayList<>();
      for (long c = 0; c < consumers; c++) {
        byte[] cname = readString();
        long seen = readLe(8);
        long owned = readLength();
        List<long[]> ids = new ArrayList<>();
        for (long o = 0; o < owned; o++) {
          byte[] id = readBytes(16);
          ids.add(new long[] {beLong(id, 0), beLong(id, 8)});
        }
        cs.add(new RdbStream.Consumer(cname, seen, ids));
      }
      s.groups.add(new RdbStream.Group(name, lastMs, lastSeq, entriesRead, pel, cs));
    }
    return s;
  }

  /** Walks one stream node listpack (layout in shared/reference/rdb.md §10). */
  private void parseStreamNode(RdbStream s, List<byte[]> lp, long masterMs, long masterSeq) {
    int p = 0;
    long count = num(lp, p++);
    long deleted = num(lp, p++);
    int masterFields = (int) num(lp, p++);
    if (masterFields < 0 || p + masterFields > lp.size()) {
      throw corrupt("Stream node integrity check failed");
    }
    List<byte[]> fields = lp.subList(p, p + masterFields);
    p += masterFields;
    p++; // master entry terminator (0)
    long total = count + deleted;
    for (long e = 0; e < total; e++) {
      int flags = (int) num(lp, p++);
      long ms = masterMs + num(lp, p++);
      long seq = masterSeq + num(lp, p++);
      List<byte[]> fv = new ArrayList<>();
      if ((flags & 2) != 0) {
        for (int f = 0; f < masterFields; f++) {
          fv.add(fields.get(f));
          fv.add(at(lp, p++));
        }
      } else {
        int nf = (int) num(lp, p++);
        if (nf < 0) {
          throw corrupt("Stream node integrity check failed");
        }
        for (int f = 0; f < nf; f++) {
          fv.add(at(lp, p++));
          fv.add(at(lp, p++));
        }
      }
      p++; // lp-count
      if ((flags & 1) == 0) {
        s.entries.add(new RdbStream.Entry(ms, seq, fv));
      }
    }
  }

  private byte[] at(List<byte[]> lp, int i) {
    if (i >= lp.size()) {
      throw corrupt("Stream node integrity check failed");
    }
    return lp.get(i);
  }

  private long num(List<byte[]> lp, int i) {
    Long v = Bytes.parseLongOrNull(at(lp, i));
    if (v == null) {
      throw corrupt("Stream node integrity check failed");
    }
    return v;
  }

  private static long beLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xffL);
    }
    return v;
  }

  // ---- primitives --------------------------------------------------------------------------

  private RdbException corrupt(String what) {
    return new RdbException(what + " (at offset " + offset() + ")");
  }

  /** Refills the read-ahead buffer (all of it was consumed), checksumming what was consumed. */
  private void fill() throws IOException {
    crc = Crc64.update(crc, buf, crcFrom, lim - crcFrom);
    bufStart += lim;
    pos = 0;
    lim = 0;
    crcFrom = 0;
    int r = in.read(buf, 0, buf.length);
    if (r <= 0) {
      // read() returns 0 only for a zero-length request, so r <= 0 means the end of the input
      throw new EOFException("Short read or OOM loading DB. Unrecoverable error, aborting now. (at offset " + bufStart + ")");
    }
    lim = r;
  }

  int readByte() throws IOException {
    if (pos == lim) {
      fill();
    }
    return buf[pos++] & 0xff;
  }

  /** Reads {@code n} bytes, allocating only as data actually arrives. */
  byte[] readBytes(long n) throws IOException {
    if (n < 0 || n > Integer.MAX_VALUE - 16) {
      throw corrupt("string length out of range: " + n);
    }
    int len = (int) n;
    if (lim - pos >= len) {
      byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
      pos += len;
      return out;
    }
    byte[] out = new byte[Math.min(len, CHUNK)];
    int got = 0;
    while (got < len) {
      if (pos == lim) {
        fill();
      }
      if (got == out.length) {
        out = Arrays.copyOf(out, (int) Math.min(len, out.length * 2L));
      }
      int take = Math.min(lim - pos, out.length - got);
      System.arraycopy(buf, pos, out, got, take);
      pos += take;
      got += take;
    }
    return out;
  }

  private long readLe(int n) throws IOException {
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) readByte() << (8 * i);
    }
    return n == 4 ? (int) v : v;
  }

  private long readBe(int n) throws IOException {
    long v = 0;
    for (int i = 0; i < n; i++) {
      v = (v << 8) | readByte();
    }
    return v;
  }

  /** Length encoding; special string encodings are an error here. */
  long readLength() throws IOException {
    long v = decodeLength(readByte());
    if (encoded) {
      throw corrupt("unexpected special encoding where a length was expected");
    }
    return v;
  }

  /**
   * A length that Redis saves from an unsigned 64-bit value (stream IDs, a group's entries_read
   * of -1): the 64-bit form may exceed Long.MAX_VALUE and comes back as a negative long.
   */
  long readUnsignedLength() throws IOException {
    int b = readByte();
    if (b == 0x81) {
      return readBe(8);
    }
    int kind = (b & 0xC0) >> 6;
    if (kind == 0) {
      return b & 0x3f;
    } else if (kind == 1) {
      return ((b & 0x3f) << 8) | readByte();
    } else if (b == 0x80) {
      return readBe(4);
    }
    throw corrupt("Unknown length encoding " + b + " in rdbLoadLen()");
  }

  /** A length, or the kind of a special string encoding ({@link #encoded} tells which). */
  private long decodeLength(int b) throws IOException {
    int kind = (b & 0xC0) >> 6;
    switch (kind) {
      case 0:
        encoded = false;
        return b & 0x3f;
      case 1:
        encoded = false;
        return ((b & 0x3f) << 8) | readByte();
      case 3:
        encoded = true;
        return b & 0x3f;
      default:
        encoded = false;
        if (b == 0x80) {
          return readBe(4);
        } else if (b == 0x81) {
          long v = readBe(8);
          if (v < 0) {
            throw corrupt("length out of range");
          }
          return v;
        }
        throw corrupt("Unknown length encoding " + b + " in rdbLoadLen()");
    }
  }

  /** A string in any of its encodings. */
  public byte[] readString() throws IOException {
    long len0 = decodeLength(readByte());
    if (!encoded) {
      return readBytes(len0);
    }
    switch ((int) len0) {
      case 0:
        return Bytes.fromLong((byte) readByte());
      case 1:
        return Bytes.fromLong((short) readLe(2));
      case 2:
        return Bytes.fromLong((int) readLe(4));
      case 3:
        {
          long clen = readLength();
          long len = readLength();
          // One LZF back-reference of 3 bytes expands to at most 264: a longer claim is corrupt,
          // and refusing it keeps a hostile length from becoming a huge allocation.
          if (len > Integer.MAX_VALUE - 16 || len > clen * 90L + 64) {
            throw corrupt("LZF length out of range");
          }
          byte[] c = readBytes(clen);
          try {
            return Lzf.decompress(c, (int) len);
          } catch (RdbException e) {
            throw corrupt("Invalid LZF compressed string");
          }
        }
      default:
        throw corrupt("Unknown RDB string encoding type " + len0);
    }
  }
}
