package io.tripod.server.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket that sends commands and returns each reply's raw bytes, for byte-for-byte
 * comparison between servers.
 */
public final class RawConnection implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteBuf pending = Unpooled.buffer();
  private final ReplyDecoder decoder = new ReplyDecoder();
  /** Marker returned when the server closed the connection instead of replying. */
  public static final byte[] CLOSED = "<connection closed>".getBytes(StandardCharsets.US_ASCII);
  public static final byte[] TIMEOUT = "<no reply>".getBytes(StandardCharsets.US_ASCII);

  public RawConnection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public void setTimeoutMillis(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /** Sends a command as a RESP array of bulk strings. */
  public void send(byte[]... args) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] a : args) {
      b.write(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      b.write(a);
      b.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(b.toByteArray());
    out.flush();
  }

  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Reads one whole reply and returns its raw bytes; CLOSED or TIMEOUT markers otherwise. */
  public byte[] readRaw() throws IOException {
    byte[] chunk = new byte[65536];
    while (true) {
      int start = pending.readerIndex();
      RespValue v = decoder.decode(pending);
      if (v != null) {
        byte[] raw = new byte[pending.readerIndex() - start];
        pending.getBytes(start, raw);
        pending.discardReadBytes();
        return raw;
      }
      int n;
      try {
        n = in.read(chunk);
      } catch (SocketTimeoutException e) {
        return TIMEOUT;
      } catch (IOException e) {
        return CLOSED;
      }
      if (n < 0) {
        return CLOSED;
      }
      pending.writeBytes(chunk, 0, n);
    }
  }

  public RespValue read() throws IOException {
    byte[] raw = readRaw();
    return new ReplyDecoder().decode(Unpooled.wrappedBuffer(raw));
  }

  public byte[] call(byte[]... args) throws IOException {
    send(args);
    return readRaw();
  }

  public String callString(String... args) throws IOException {
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return new String(call(a), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
