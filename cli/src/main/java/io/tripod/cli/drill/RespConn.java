package io.tripod.cli.drill;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tripod.resp.ProtocolException;
import io.tripod.resp.ReplyDecoder;
import io.tripod.resp.RespValue;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking RESP client connection with connect and read timeouts, for the drill's writer,
 * reader and probes. Not thread-safe: one thread per connection.
 */
final class RespConn implements Closeable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteBuf buf = Unpooled.buffer();
  private final ReplyDecoder decoder = new ReplyDecoder();
  private final byte[] chunk = new byte[16384];
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  private RespConn(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static RespConn open(FailoverDrill.HostPort addr, int timeoutMillis) throws IOException {
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(addr.host(), addr.port()), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      return new RespConn(s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Queues one command (sent by {@link #flush}). */
  RespConn append(String... args) {
    pending.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String a : args) {
      byte[] x = a.getBytes(StandardCharsets.UTF_8);
      pending.writeBytes(("$" + x.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      pending.writeBytes(x);
      pending.writeBytes(new byte[] {'\r', '\n'});
    }
    return this;
  }

  void flush() throws IOException {
    pending.writeTo(out);
    out.flush();
    pending.reset();
  }

  /** The next reply; a read timeout raises {@link java.net.SocketTimeoutException}. */
  RespValue read() throws IOException {
    while (true) {
      RespValue v;
      try {
        v = decoder.decode(buf);
      } catch (ProtocolException e) {
        throw new IOException("not RESP: " + e.getMessage(), e);
      }
      if (v != null) {
        buf.discardReadBytes();
        return v;
      }
      int n = in.read(chunk);
      if (n < 0) {
        throw new IOException("connection closed");
      }
      buf.writeBytes(chunk, 0, n);
    }
  }

  RespValue call(String... args) throws IOException {
    append(args).flush();
    return read();
  }

  /** One command on a new connection; null when the server does not answer. */
  static RespValue once(FailoverDrill.HostPort addr, int timeoutMillis, String... args) {
    try (RespConn c = open(addr, timeoutMillis)) {
      return c.call(args);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Asks the server at the other end (behind a proxy) who it is: {@code {"host:port", run_id}}
   * from {@code CONFIG GET bind} (its first address) and {@code INFO server}.
   */
  String[] identify() throws IOException {
    append("CONFIG", "GET", "bind").append("INFO", "server").flush();
    RespValue bind = read();
    RespValue info = read();
    if (bind.isError() || info.isError() || bind.elements() == null || bind.elements().size() < 2) {
      throw new IOException("cannot identify the server: " + bind + " " + info);
    }
    String host = bind.elements().get(1).asString().trim().split("\\s+")[0];
    String text = info.asString();
    return new String[] {host + ":" + FailoverDrill.infoField(text, "tcp_port"), FailoverDrill.infoField(text, "run_id")};
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    if (buf.refCnt() > 0) {
      buf.release();
    }
  }
}
