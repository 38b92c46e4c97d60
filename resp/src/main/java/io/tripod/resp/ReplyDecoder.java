package io.tripod.resp;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes replies (what a Redis client reads): every RESP2 and RESP3 type, nested to a bounded
 * depth. Used by Tripod's own client connections: replicas reading a master, Sentinel, health
 * checks and tests.
 *
 * <p>Stateless: {@link #decode} either consumes one whole reply or nothing, so callers can call it
 * again when more bytes arrive. Rescanning a partial aggregate is acceptable for the control-plane
 * traffic this is used for; the data path (a replica applying a stream) uses {@link
 * RequestDecoder}.
 */
public final class ReplyDecoder {
  /** Deeper nesting is refused rather than risking the stack. */
  public static final int MAX_DEPTH = 64;

  private final long maxBulkBytes;

  public ReplyDecoder() {
    this(512L * 1024 * 1024);
  }

  public ReplyDecoder(long maxBulkBytes) {
    this.maxBulkBytes = maxBulkBytes;
  }

  /**
   * @return one reply, consuming its bytes; or null (nothing consumed) when incomplete
   * @throws ProtocolException when the bytes are not RESP
   */
  public RespValue decode(ByteBuf in) {
    int start = in.readerIndex();
    RespValue v = parse(in, 0);
    if (v == null) {
      in.readerIndex(start);
    }
    return v;
  }

  private RespValue parse(ByteBuf in, int depth) {
    if (depth > MAX_DEPTH) {
      throw new ProtocolException("Protocol error: nesting too deep");
    }
    int lineEnd = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\r');
    if (lineEnd < 0 || lineEnd + 1 >= in.writerIndex()) {
      return null;
    }
    char type = (char) in.readByte();
    byte[] line = new byte[lineEnd - in.readerIndex()];
    in.readBytes(line);
    in.skipBytes(2);
    switch (type) {
      case '+':
      case '-':
      case ',':
      case '(':
        return new RespValue(type, line, 0, null);
      case '#':
        return new RespValue(type, line, line.length > 0 && line[0] == 't' ? 1 : 0, null);
      case '_':
        return new RespValue(type, null, 0, null);
      case ':':
        return new RespValue(type, null, parseLong(line), null);
      case '$':
      case '!':
      case '=':
        {
          long len = parseLong(line);
          if (len < 0) {
            return new RespValue(type, null, -1, null);
          }
          if (len > maxBulkBytes) {
            throw new ProtocolException("Protocol error: invalid bulk length");
          }
          if (in.readableBytes() < len + 2) {
            return null;
          }
          byte[] data = new byte[(int) len];
          in.readBytes(data);
          in.skipBytes(2);
          return new RespValue(type, data, len, null);
        }
      case '*':
      case '%':
      case '~':
      case '>':
      case '|':
        {
          long count = parseLong(line);
          if (count < 0) {
            return new RespValue(type, null, -1, null);
          }
          long children = (type == '%' || type == '|') ? count * 2 : count;
          if (children > in.readableBytes()) {
            return null; // each child needs at least one byte; also bounds the allocation
          }
          List<RespValue> elems = new ArrayList<>((int) children);
          for (long i = 0; i < children; i++) {
            RespValue child = parse(in, depth + 1);
            if (child == null) {
              return null;
            }
            elems.add(child);
          }
          return new RespValue(type, null, count, elems);
        }
      default:
        throw new ProtocolException(
            "Protocol error: unexpected reply type '" + new String(new char[] {type}) + "' "
                + new String(line, StandardCharsets.ISO_8859_1));
    }
  }

  private static long parseLong(byte[] line) {
    try {
      return Long.parseLong(new String(line, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw new ProtocolException("Protocol error: bad number '" + new String(line, StandardCharsets.ISO_8859_1) + "'");
    }
  }
}
