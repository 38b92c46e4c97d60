package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.RawString;
import io.tripod.server.types.Strings;

/**
 * Bitmap commands on strings ({@code bitops.c}): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
 * BITFIELD, BITFIELD_RO, and the bit helpers they share. Bits are numbered from the most
 * significant bit of the first byte.
 */
final class Bits {
  private Bits() {}

  static void register(CommandTable t) {
    t.add("setbit", 4, "write denyoom", 1, 1, 1, "write bitmap slow", Bits::setbit);
    t.add("getbit", 3, "readonly fast", 1, 1, 1, "read bitmap fast", Bits::getbit);
    t.add("bitcount", -2, "readonly", 1, 1, 1, "read bitmap slow", Bits::bitcount);
    t.add("bitpos", -3, "readonly", 1, 1, 1, "read bitmap slow", Bits::bitpos);
    t.add("bitop", -4, "write denyoom", 2, -1, 1, "write bitmap slow", Bits::bitop);
    t.add("bitfield", -2, "write denyoom", 1, 1, 1, "write bitmap slow", (c, a) -> bitfield(c, a, false));
    t.add("bitfield_ro", -2, "readonly fast", 1, 1, 1, "read bitmap fast", (c, a) -> bitfield(c, a, true));
  }

  static final String BIT_OFFSET_ERR = "bit offset is not an integer or out of range";
  static final String TYPE_ERR =
      "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

  // ---- helpers ---------------------------------------------------------------------------------

  /** The bytes backing a string value (may be longer than {@link #len}). */
  static byte[] buf(Object v) {
    return v instanceof RawString ? ((RawString) v).buffer() : (byte[]) v;
  }

  static int len(Object v) {
    return Strings.length(v);
  }

  /**
   * Redis's {@code getBitOffsetFromArgument}: a non-negative bit offset below proto-max-bulk-len
   * bytes; with {@code hash}, "#N" means N * bits. Replies the error and returns -1 on failure.
   */
  static long bitOffsetOrReply(Client c, byte[] arg, boolean hash, int bits) {
    boolean useHash = hash && bits > 0 && arg.length > 0 && arg[0] == '#';
    byte[] digits = arg;
    if (useHash) {
      digits = java.util.Arrays.copyOfRange(arg, 1, arg.length);
    }
    Long v = io.tripod.server.util.Bytes.parseLongOrNull(digits);
    if (v == null) {
      c.err(BIT_OFFSET_ERR);
      return -1;
    }
    long off = v;
    if (useHash) {
      off *= bits;
    }
    if (off < 0 || (!c.isMaster && (off >> 3) >= c.server.config.protoMaxBulkLen)) {
      c.err(BIT_OFFSET_ERR);
      return -1;
    }
    return off;
  }

  /** Number of set bits in {@code b[from, from+count)}. */
  static long popcount(byte[] b, int from, int count) {
    long n = 0;
    int i = from;
    int end = from + count;
    for (; i + 8 <= end; i += 8) {
      long w = ((long) (b[i] & 0xff) << 56) | ((long) (b[i + 1] & 0xff) << 48)
          | ((long) (b[i + 2] & 0xff) << 40) | ((long) (b[i + 3] & 0xff) << 32)
          | ((long) (b[i + 4] & 0xff) << 24) | ((long) (b[i + 5] & 0xff) << 16)
          | ((long) (b[i + 6] & 0xff) << 8) | (long) (b[i + 7] & 0xff);
      n += Long.bitCount(w);
    }
    for (; i < end; i++) {
      n += Integer.bitCount(b[i] & 0xff);
    }
    return n;
  }

  /**
   * Redis's {@code redisBitpos}: position of the first bit equal to {@code bit} in
   * {@code b[from, from+count)}, relative to {@code from}. Looking for 1 and finding none gives -1;
   * looking for 0 and finding none gives {@code count * 8} (the bit right after the range).
   */
  static long firstBit(byte[] b, int from, int count, int bit) {
    int skip = bit == 1 ? 0 : 0xff;
    for (int i = 0; i < count; i++) {
      int v = b[from + i] & 0xff;
      if (v != skip) {
        int x = bit == 1 ? v : (~v & 0xff);
        return (long) i * 8 + Integer.numberOfLeadingZeros(x) - 24;
      }
    }
    return bit == 1 ? -1 : (long) count * 8;
  }

  /** Reads a {@code bits}-wide unsigned field at bit {@code offset}; bits past {@code len} are 0. */
  static long getUnsigned(byte[] p, int len, long offset, int bits) {
    long value = 0;
    for (int j = 0; j < bits; j++) {
      long byteIdx = (offset + j) >> 3;
      int bitval = 0;
      if (byteIdx < len) {
        int bit = 7 - (int) ((offset + j) & 7);
        bitval = (p[(int) byteIdx] >> bit) & 1;
      }
      value = (value << 1) | bitval;
    }
    return value;
  }

  static long getSigned(byte[] p, int len, long offset, int bits) {
    long value = getUnsigned(p, len, offset, bits);
    if (bits < 64 && (value & (1L << (bits - 1))) != 0) {
      value |= -1L << bits;
    }
    return value;
  }

  /** Writes the low {@code bits} bits of {@code value} at bit {@code offset}, MSB first. */
  static void setField(byte[] p, long offset, int bits, long value) {
    for (int j = 0; j < bits; j++) {
      int bitval = (int) ((value >>> (bits - 1 - j)) & 1);
      long o = offset + j;
      int byteIdx = (int) (o >> 3);
      int bit = 7 - (int) (o & 7);
      p[byteIdx] = (byte) ((p[byteIdx] & ~(1 << bit)) | (bitval << bit));
    }
  }

  static final int WRAP = 0;
  static final int SAT = 1;
  static final int FAIL = 2;

  /**
   * Redis's {@code checkUnsignedBitfieldOverflow}: 0 if {@code value + incr} fits in {@code bits}
   * unsigned bits, else 1 (overflow) or -1 (underflow); {@code limit[0]} gets the wrapped or
   * saturated value.
   */
  static int unsignedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
    long max = bits == 64 ? -1L : (1L << bits) - 1;
    long maxincr = max - value;
    long minincr = -value;
    if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxincr)) {
      if (owtype == WRAP) {
        limit[0] = wrapUnsigned(value, incr, bits);
      } else if (owtype == SAT) {
        limit[0] = max;
      }
      return 1;
    } else if (incr < 0 && incr < minincr) {
      if (owtype == WRAP) {
        limit[0] = wrapUnsigned(value, incr, bits);
      } else if (owtype == SAT) {
        limit[0] = 0;
      }
      return -1;
    }
    return 0;
  }

  private static long wrapUnsigned(long value, long incr, int bits) {
    long res = value + incr;
    if (bits < 64) {
      res &= ~(-1L << bits);
    }
    return res;
  }

  /** Redis's {@code checkSignedBitfieldOverflow}. */
  static int signedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
    long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
    long min = -max - 1;
    long maxincr = max - value;
    long minincr = min - value;
    if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
      if (owtype == WRAP) {
        limit[0] = wrapSigned(value, incr, bits);
      } else if (owtype == SAT) {
        limit[0] = max;
      }
      return 1;
    } else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
      if (owtype == WRAP) {
        limit[0] = wrapSigned(value, incr, bits);
      } else if (owtype == SAT) {
        limit[0] = min;
      }
      return -1;
    }
    return 0;
  }

  private static long wrapSigned(long value, long incr, int bits) {
    long c = value + incr;
    if (bits < 64) {
      long mask = -1L << bits;
      if ((c & (1L << (bits - 1))) != 0) {
        c |= mask;
      } else {
        c &= ~mask;
      }
    }
    return c;
  }

  /**
   * Redis's {@code lookupStringForBitCommand}: the string at the key made raw and zero-padded so
   * that bit {@code maxBit} exists (created if missing). Replies WRONGTYPE and returns null on
   * another type. {@code grew[0]} tells whether the string was created or lengthened.
   */
  private static RawString stringForBitWrite(Client c, byte[] key, long maxBit, boolean[] grew) {
    Server s = c.server;
    long bytes = (maxBit >> 3) + 1;
    KeyEntry e = s.lookupWrite(c.db, key);
    if (e != null && !Strings.isString(e.value)) {
      c.wrongType();
      return null;
    }
    if (e == null) {
      RawString r = new RawString(new byte[0], (int) bytes);
      r.growZero((int) bytes);
      s.addKey(c.db, key, r);
      grew[0] = true;
      return r;
    }
    int old = len(e.value);
    RawString r = Strings.mutable(e.value, (int) Math.max(0, bytes - old));
    e.value = r;
    r.growZero((int) bytes);
    grew[0] = r.length() != old;
    return r;
  }

  // ---- commands --------------------------------------------------------------------------------

  static void setbit(Client c, byte[][] a) {
    long offset = bitOffsetOrReply(c, a[2], false, 0);
    if (offset < 0) {
      return;
    }
    String err = "bit is not an integer or out of range";
    long on = Args.longOrReply(c, a[3], err);
    if (on == Args.BAD) {
      return;
    }
    if ((on & ~1L) != 0) {
      c.err(err);
      return;
    }
    boolean[] grew = new boolean[1];
    RawString r = stringForBitWrite(c, a[1], offset, grew);
    if (r == null) {
      return;
    }
    byte[] p = r.buffer();
    int byteIdx = (int) (offset >> 3);
    int bit = 7 - (int) (offset & 7);
    int byteval = p[byteIdx] & 0xff;
    int bitval = (byteval >> bit) & 1;
    if (grew[0] || bitval != on) {
      byteval &= ~(1 << bit);
      byteval |= (int) on << bit;
      p[byteIdx] = (byte) byteval;
      c.server.signalModifiedKey(c.db, a[1]);
      c.server.notifyKeyspaceEvent(Notifications.STRING, "setbit", a[1], c.db.id);
      c.server.dirty++;
    }
    c.integer(bitval);
  }

  static void getbit(Client c, byte[][] a) {
    long offset = bitOffsetOrReply(c, a[2], false, 0);
    if (offset < 0) {
      return;
    }
    Object v = StringCommands.readString(c, a[1]);
    if (v == StringCommands.WRONG) {
      c.wrongType();
      return;
    }
    if (v == null) {
      c.integer(0);
      return;
    }
    long byteIdx = offset >> 3;
    int bitval = 0;
    if (byteIdx < len(v)) {
      bitval = (buf(v)[(int) byteIdx] >> (7 - (int) (offset & 7))) & 1;
    }
    c.integer(bitval);
  }

  static void bitcount(Client c, byte[][] a) {
    Object v = StringCommands.readString(c, a[1]);
    if (v == StringCommands.WRONG) {
      c.wrongType();
      return;
    }
    if (v == null) {
      c.integer(0);
      return;
    }
    byte[] p = buf(v);
    long strlen = len(v);
    long start;
    long end;
    int firstMask = 0;
    int lastMask = 0;
    if (a.length == 4 || a.length == 5) {
      long totlen = strlen;
      start = Args.longOrReply(c, a[2]);
      if (start == Args.BAD) {
        return;
      }
      end = Args.longOrReply(c, a[3]);
      if (end == Args.BAD) {
        return;
      }
      if (start < 0 && end < 0 && start > end) {
        c.integer(0);
        return;
      }
      boolean isbit = false;
      if (a.length == 5) {
        if (Args.is(a[4], "bit")) {
          isbit = true;
        } else if (!Args.is(a[4], "byte")) {
          c.syntaxError();
          return;
        }
      }
      if (isbit) {
        totlen <<= 3;
      }
      if (start < 0) {
        start = totlen + start;
      }
      if (end < 0) {
        end = totlen + end;
      }
      if (start < 0) {
        start = 0;
      }
      if (end < 0) {
        end = 0;
      }
      if (end >= totlen) {
        end = totlen - 1;
      }
      if (isbit && start <= end) {
        firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xff;
        lastMask = (1 << (7 - (int) (end & 7))) - 1;
        start >>= 3;
        end >>= 3;
      }
    } else if (a.length == 2) {
      start = 0;
      end = strlen - 1;
    } else {
      c.syntaxError();
      return;
    }
    if (start > end) {
      c.integer(0);
      return;
    }
    long count = popcount(p, (int) start, (int) (end - start + 1));
    if (firstMask != 0) {
      count -= Integer.bitCount(p[(int) start] & firstMask);
    }
    if (lastMask != 0) {
      count -= Integer.bitCount(p[(int) end] & lastMask);
    }
    c.integer(count);
  }

  static void bitpos(Client c, byte[][] a) {
    long bitL = Args.longOrReply(c, a[2]);
    if (bitL == Args.BAD) {
      return;
    }
    if (bitL != 0 && bitL != 1) {
      c.err("The bit argument must be 1 or 0.");
      return;
    }
    int bit = (int) bitL;
    Object v = StringCommands.readString(c, a[1]);
    if (v == StringCommands.WRONG) {
      c.wrongType();
      return;
    }
    if (v == null) {
      c.integer(bit == 1 ? -1 : 0);
      return;
    }
    byte[] p = buf(v);
    long strlen = len(v);
    long start;
    long end;
    boolean endGiven = false;
    int firstMask = 0;
    int lastMask = 0;
    if (a.length >= 4 && a.length <= 6) {
      long totlen = strlen;
      start = Args.longOrReply(c, a[3]);
      if (start == Args.BAD) {
        return;
      }
      boolean isbit = false;
      if (a.length == 6) {
        if (Args.is(a[5], "bit")) {
          isbit = true;
        } else if (!Args.is(a[5], "byte")) {
          c.syntaxError();
          return;
        }
      }
      if (a.length >= 5) {
        end = Args.longOrReply(c, a[4]);
        if (end == Args.BAD) {
          return;
        }
        endGiven = true;
      } else {
        end = isbit ? (totlen << 3) + 7 : totlen - 1;
      }
      if (isbit) {
        totlen <<= 3;
      }
      if (start < 0) {
        start = totlen + start;
      }
      if (end < 0) {
        end = totlen + end;
      }
      if (start < 0) {
        start = 0;
      }
      if (end < 0) {
        end = 0;
      }
      if (end >= totlen) {
        end = totlen - 1;
      }
      if (isbit && start <= end) {
        firstMask = ~((1 << (8 - (int) (start & 7))) - 1) & 0xff;
        lastMask = (1 << (7 - (int) (end & 7))) - 1;
        start >>= 3;
        end >>= 3;
      }
    } else if (a.length == 3) {
      start = 0;
      end = strlen - 1;
    } else {
      c.syntaxError();
      return;
    }
    if (start > end) {
      c.integer(-1);
      return;
    }
    long bytes = end - start + 1;
    long pos;
    byte[] tmp = new byte[1];
    result:
    {
      if (firstMask != 0) {
        int ch = p[(int) start] & 0xff;
        ch = bit == 1 ? ch & ~firstMask : ch | firstMask;
        if (lastMask != 0 && bytes == 1) {
          ch = bit == 1 ? ch & ~lastMask : ch | lastMask;
        }
        tmp[0] = (byte) ch;
        pos = firstBit(tmp, 0, 1, bit);
        if (bytes == 1 || (pos != -1 && pos != 8)) {
          break result;
        }
        start++;
        bytes--;
      }
      long curbytes = bytes - (lastMask != 0 ? 1 : 0);
      if (curbytes > 0) {
        pos = firstBit(p, (int) start, (int) curbytes, bit);
        if (bytes == curbytes || (pos != -1 && pos != curbytes << 3)) {
          break result;
        }
        start += curbytes;
        bytes -= curbytes;
      }
      int ch = p[(int) end] & 0xff;
      ch = bit == 1 ? ch & ~lastMask : ch | lastMask;
      tmp[0] = (byte) ch;
      pos = firstBit(tmp, 0, 1, bit);
    }
    if (endGiven && bit == 0 && pos == bytes << 3) {
      c.integer(-1);
      return;
    }
    if (pos != -1) {
      pos += start << 3;
    }
    c.integer(pos);
  }

  static void bitop(Client c, byte[][] a) {
    byte[] op = a[1];
    int kind;
    if (Args.is(op, "and")) {
      kind = 0;
    } else if (Args.is(op, "or")) {
      kind = 1;
    } else if (Args.is(op, "xor")) {
      kind = 2;
    } else if (Args.is(op, "not")) {
      kind = 3;
    } else {
      c.syntaxError();
      return;
    }
    if (kind == 3 && a.length != 4) {
      c.err("BITOP NOT must be called with a single source key.");
      return;
    }
    int numkeys = a.length - 3;
    byte[][] src = new byte[numkeys][];
    int[] lens = new int[numkeys];
    int maxlen = 0;
    for (int j = 0; j < numkeys; j++) {
      Object v = StringCommands.readString(c, a[j + 3]);
      if (v == StringCommands.WRONG) {
        c.wrongType();
        return;
      }
      if (v == null) {
        src[j] = new byte[0];
        continue;
      }
      src[j] = buf(v);
      lens[j] = len(v);
      maxlen = Math.max(maxlen, lens[j]);
    }
    Server s = c.server;
    byte[] target = a[2];
    if (maxlen > 0) {
      RawString res = new RawString(new byte[0], maxlen);
      res.growZero(maxlen);
      byte[] out = res.buffer();
      for (int i = 0; i < maxlen; i++) {
        int acc = i < lens[0] ? src[0][i] & 0xff : 0;
        if (kind == 3) {
          acc = ~acc & 0xff;
        } else {
          for (int j = 1; j < numkeys; j++) {
            int b = i < lens[j] ? src[j][i] & 0xff : 0;
            if (kind == 0) {
              acc &= b;
            } else if (kind == 1) {
              acc |= b;
            } else {
              acc ^= b;
            }
          }
        }
        out[i] = (byte) acc;
      }
      s.setKey(c.db, target, res, false);
      s.notifyKeyspaceEvent(Notifications.STRING, "set", target, c.db.id);
      s.dirty++;
    } else if (s.deleteKey(c.db, target)) {
      s.notifyKeyspaceEvent(Notifications.GENERIC, "del", target, c.db.id);
      s.dirty++;
    }
    c.integer(maxlen);
  }

  private record FieldOp(int opcode, long offset, long value, int owtype, int bits, boolean signed) {}

  private static final int GET = 0;
  private static final int SET = 1;
  private static final int INCRBY = 2;

  static void bitfield(Client c, byte[][] a, boolean readonlyCommand) {
    java.util.List<FieldOp> ops = new java.util.ArrayList<>();
    int owtype = WRAP;
    boolean readonly = true;
    long highestWrite = 0;
    for (int j = 2; j < a.length; j++) {
      int remargs = a.length - j - 1;
      byte[] sub = a[j];
      int opcode;
      if (Args.is(sub, "get") && remargs >= 2) {
        opcode = GET;
      } else if (Args.is(sub, "set") && remargs >= 3) {
        opcode = SET;
      } else if (Args.is(sub, "incrby") && remargs >= 3) {
        opcode = INCRBY;
      } else if (Args.is(sub, "overflow") && remargs >= 1) {
        byte[] name = a[++j];
        if (Args.is(name, "wrap")) {
          owtype = WRAP;
        } else if (Args.is(name, "sat")) {
          owtype = SAT;
        } else if (Args.is(name, "fail")) {
          owtype = FAIL;
        } else {
          c.err("Invalid OVERFLOW type specified");
          return;
        }
        continue;
      } else {
        c.syntaxError();
        return;
      }
      byte[] type = a[j + 1];
      boolean signed;
      if (type.length > 0 && type[0] == 'i') {
        signed = true;
      } else if (type.length > 0 && type[0] == 'u') {
        signed = false;
      } else {
        c.err(TYPE_ERR);
        return;
      }
      int nul = 1;
      while (nul < type.length && type[nul] != 0) {
        nul++;
      }
      Long bitsL = io.tripod.server.util.Bytes.parseLongOrNull(java.util.Arrays.copyOfRange(type, 1, nul));
      if (bitsL == null || bitsL < 1 || (signed && bitsL > 64) || (!signed && bitsL > 63)) {
        c.err(TYPE_ERR);
        return;
      }
      int bits = (int) (long) bitsL;
      long offset = bitOffsetOrReply(c, a[j + 2], true, bits);
      if (offset < 0) {
        return;
      }
      long value = 0;
      if (opcode != GET) {
        readonly = false;
        if (highestWrite < offset + bits - 1) {
          highestWrite = offset + bits - 1;
        }
        value = Args.longOrReply(c, a[j + 3]);
        if (value == Args.BAD) {
          return;
        }
      }
      ops.add(new FieldOp(opcode, offset, value, owtype, bits, signed));
      j += opcode == GET ? 2 : 3;
    }
    Server s = c.server;
    RawString target = null;
    Object ro = null;
    boolean[] grew = new boolean[1];
    if (readonly) {
      ro = StringCommands.readString(c, a[1]);
      if (ro == StringCommands.WRONG) {
        c.wrongType();
        return;
      }
    } else {
      if (readonlyCommand) {
        c.err("BITFIELD_RO only supports the GET subcommand");
        return;
      }
      target = stringForBitWrite(c, a[1], highestWrite, grew);
      if (target == null) {
        return;
      }
    }
    c.array(ops.size());
    long changes = 0;
    long[] limit = new long[1];
    for (FieldOp op : ops) {
      if (op.opcode == GET) {
        Object v = target != null ? target : ro;
        byte[] p = v == null ? new byte[0] : buf(v);
        int l = v == null ? 0 : len(v);
        c.integer(op.signed ? getSigned(p, l, op.offset, op.bits) : getUnsigned(p, l, op.offset, op.bits));
        continue;
      }
      byte[] p = target.buffer();
      int l = target.length();
      long oldval;
      long newval;
      long retval;
      int overflow;
      if (op.signed) {
        oldval = getSigned(p, l, op.offset, op.bits);
        if (op.opcode == INCRBY) {
          overflow = signedOverflow(oldval, op.value, op.bits, op.owtype, limit);
          newval = overflow != 0 ? limit[0] : oldval + op.value;
          retval = newval;
        } else {
          newval = op.value;
          overflow = signedOverflow(newval, 0, op.bits, op.owtype, limit);
          if (overflow != 0) {
            newval = limit[0];
          }
          retval = oldval;
        }
      } else {
        oldval = getUnsigned(p, l, op.offset, op.bits);
        if (op.opcode == INCRBY) {
          newval = oldval + op.value;
          overflow = unsignedOverflow(oldval, op.value, op.bits, op.owtype, limit);
          if (overflow != 0) {
            newval = limit[0];
          }
          retval = newval;
        } else {
          newval = op.value;
          overflow = unsignedOverflow(newval, 0, op.bits, op.owtype, limit);
          if (overflow != 0) {
            newval = limit[0];
          }
          retval = oldval;
        }
      }
      if (!(overflow != 0 && op.owtype == FAIL)) {
        c.integer(retval);
        setField(p, op.offset, op.bits, newval);
        if (grew[0] || oldval != newval) {
          changes++;
        }
      } else {
        c.nullBulk();
      }
    }
    if (changes > 0) {
      s.signalModifiedKey(c.db, a[1]);
      s.notifyKeyspaceEvent(Notifications.STRING, "setbit", a[1], c.db.id);
      s.dirty += changes;
    }
  }
}
