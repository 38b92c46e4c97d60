package io.tripod.resp;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Decodes client requests (what a Redis server reads): RESP multibulk arrays of bulk strings, and
 * inline commands ({@code PING\r\n}, what telnet, redis-cli's inline mode and HAProxy's tcp-check
 * send).
 *
 * <p>The rules follow Redis 7.0's {@code processMultibulkBuffer} and {@code processInlineBuffer}:
 * the same limits and the same {@code Protocol error: ...} texts. A request is returned only when
 * it is complete; partial state is kept between calls so a large request that arrives in many reads
 * is parsed once, not rescanned from the start.
 *
 * <p>Thread safety: one instance per connection, used only by that connection's event loop.
 */
public final class RequestDecoder {
  /** Longest inline request or count line without a newline ({@code PROTO_INLINE_MAX_SIZE}). */
  public static final int INLINE_MAX_BYTES = 64 * 1024;
  /** Largest multibulk count or bulk length before AUTH ({@code unauthenticated ... length}). */
  public static final int UNAUTH_MULTIBULK_MAX = 10;
  public static final int UNAUTH_BULK_MAX = 16384;

  private static final byte[][] EMPTY = new byte[0][];

  /** Where the decoder stands inside the request being read. */
  private enum State {
    /** Between requests: the next byte decides multibulk ({@code *}) or inline. */
    START,
    /** Inside a multibulk: the next thing is a {@code $<len>\r\n} header. */
    BULK_HEADER,
    /** Inside a multibulk: waiting for {@code bulkLength} bytes plus CRLF. */
    BULK_DATA
  }

  private State state = State.START;
  private byte[][] args;
  private int argCount;
  private int bulkLength;
  private long maxBulkBytes = 512L * 1024 * 1024;
  private boolean authenticated = true;

  /** {@code proto-max-bulk-len}. */
  public void setMaxBulkBytes(long maxBulkBytes) {
    this.maxBulkBytes = maxBulkBytes;
  }

  /** Before AUTH, Redis caps multibulk counts and bulk lengths much lower. */
  public void setAuthenticated(boolean authenticated) {
    this.authenticated = authenticated;
  }

  /** True while a request has been started but not completed. */
  public boolean inRequest() {
    return state != State.START;
  }

  /**
   * Decodes the next request from {@code in}, consuming its bytes.
   *
   * @return the arguments of one request; an empty array for an empty inline line or a multibulk
   *     count of zero or less (Redis ignores both); {@code null} when more bytes are needed
   * @throws ProtocolException on malformed input (the caller replies {@code -ERR <message>} and
   *     closes the connection)
   */
  public byte[][] decode(ByteBuf in) {
    while (true) {
      switch (state) {
        case START:
          {
            if (!in.isReadable()) {
              return null;
            }
            if (in.getByte(in.readerIndex()) != '*') {
              return decodeInline(in);
            }
            int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
            if (cr < 0) {
              if (in.readableBytes() > INLINE_MAX_BYTES) {
                throw new ProtocolException("Protocol error: too big mbulk count string");
              }
              return null;
            }
            // Redis wants the byte after '\r' present too, then skips it without looking.
            if (cr + 1 >= in.writerIndex()) {
              return null;
            }
            long count = parseLong(in, in.readerIndex() + 1, cr);
            if (count == Long.MIN_VALUE || count > Integer.MAX_VALUE) {
              throw new ProtocolException("Protocol error: invalid multibulk length");
            }
            if (!authenticated && count > UNAUTH_MULTIBULK_MAX) {
              throw new ProtocolException("Protocol error: unauthenticated multibulk length");
            }
            in.readerIndex(cr + 2);
            if (count <= 0) {
              return EMPTY;
            }
            // Never trust the count for an allocation: grow as arguments really arrive.
            args = new byte[(int) Math.min(count, 1024)][];
            argCount = 0;
            remaining = (int) count;
            state = State.BULK_HEADER;
            break;
          }
        case BULK_HEADER:
          {
            if (!in.isReadable()) {
              return null;
            }
            int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
            if (cr < 0) {
              if (in.readableBytes() > INLINE_MAX_BYTES) {
                throw new ProtocolException("Protocol error: too big bulk count string");
              }
              return null;
            }
            if (cr + 1 >= in.writerIndex()) {
              return null;
            }
            byte first = in.getByte(in.readerIndex());
            if (first != '$') {
              throw new ProtocolException(
                  "Protocol error: expected '$', got '" + (char) (first & 0xff) + "'");
            }
            long len = parseLong(in, in.readerIndex() + 1, cr);
            if (len == Long.MIN_VALUE || len < 0 || len > maxBulkBytes || len > Integer.MAX_VALUE - 2) {
              throw new ProtocolException("Protocol error: invalid bulk length");
            }
            if (!authenticated && len > UNAUTH_BULK_MAX) {
              throw new ProtocolException("Protocol error: unauthenticated bulk length");
            }
            in.readerIndex(cr + 2);
            bulkLength = (int) len;
            state = State.BULK_DATA;
            break;
          }
        case BULK_DATA:
          {
            if (in.readableBytes() < bulkLength + 2) {
              return null;
            }
            byte[] arg = new byte[bulkLength];
            in.readBytes(arg);
            in.skipBytes(2); // Redis does not check that these are CRLF either.
            if (argCount == args.length) {
              byte[][] grown = new byte[Math.min(remaining + argCount, args.length * 2)][];
              System.arraycopy(args, 0, grown, 0, argCount);
              args = grown;
            }
            args[argCount++] = arg;
            remaining--;
            if (remaining == 0) {
              byte[][] done = args;
              args = null;
              state = State.START;
              return done;
            }
            state = State.BULK_HEADER;
            break;
          }
        default:
          throw new AssertionError(state);
      }
    }
  }

  private int remaining;

  private static byte[][] decodeInline(ByteBuf in) {
    int nl = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    if (nl < 0) {
      if (in.readableBytes() > INLINE_MAX_BYTES) {
        throw new ProtocolException("Protocol error: too big inline request");
      }
      return null;
    }
    int end = nl;
    if (end > in.readerIndex() && in.getByte(end - 1) == '\r') {
      end--;
    }
    byte[] line = new byte[end - in.readerIndex()];
    in.getBytes(in.readerIndex(), line);
    in.readerIndex(nl + 1);
    List<byte[]> parts = SplitArgs.split(line);
    if (parts == null) {
      throw new ProtocolException("Protocol error: unbalanced quotes in request");
    }
    return parts.toArray(new byte[0][]);
  }

  /**
   * Parses the decimal text in {@code [from, to)} as Redis's {@code string2ll} does: optional
   * minus, no plus, no spaces, no leading zeros except "0" itself.
   *
   * @return the value, or {@code Long.MIN_VALUE} when the text is not a valid number
   */
  static long parseLong(ByteBuf in, int from, int to) {
    int len = to - from;
    if (len <= 0 || len > 20) {
      return Long.MIN_VALUE;
    }
    int i = from;
    boolean negative = false;
    if (in.getByte(i) == '-') {
      negative = true;
      i++;
      if (i == to) {
        return Long.MIN_VALUE;
      }
    }
    if (in.getByte(i) == '0') {
      return (i + 1 == to && !negative) ? 0 : Long.MIN_VALUE;
    }
    long v = 0;
    for (; i < to; i++) {
      int d = in.getByte(i) - '0';
      if (d < 0 || d > 9) {
        return Long.MIN_VALUE;
      }
      if (v > (Long.MAX_VALUE - d) / 10) {
        return Long.MIN_VALUE;
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }
}
