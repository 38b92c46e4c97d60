package io.tripod.proxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal RESP client (enough for INFO/SET/GET through the proxy) and a stats socket client. */
final class Resp implements AutoCloseable {
  final Socket socket;
  final InputStream in;
  final OutputStream out;

  Resp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    socket.setSoTimeout(5000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends a command and returns the reply as text (bulk payload, or the status/error line). */
  String call(String... args) throws IOException {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
    String line = line();
    if (line.startsWith("$")) {
      int n = Integer.parseInt(line.substring(1));
      if (n < 0) {
        return null;
      }
      byte[] b = in.readNBytes(n + 2);
      return new String(b, 0, n, StandardCharsets.UTF_8);
    }
    return line;
  }

  /** Sends a command whose reply is an array of bulk strings (null for a null array). */
  java.util.List<String> callArray(String... args) throws IOException {
    String first = call(args);
    if (!first.startsWith("*")) {
      throw new IOException("not an array: " + first);
    }
    int n = Integer.parseInt(first.substring(1));
    if (n < 0) {
      return null;
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      String h = line();
      int len = Integer.parseInt(h.substring(1));
      byte[] b = in.readNBytes(len + 2);
      out.add(new String(b, 0, len, StandardCharsets.UTF_8));
    }
    return out;
  }

  String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c == -1 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  /** The tcp_port of the redis-server this connection reached. */
  static int backendPort(int proxyPort) throws IOException {
    try (Resp r = new Resp(proxyPort)) {
      String info = r.call("INFO", "server");
      for (String l : info.split("\r\n")) {
        if (l.startsWith("tcp_port:")) {
          return Integer.parseInt(l.substring(9).trim());
        }
      }
      throw new IOException("no tcp_port in " + info);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** One runtime API command on a unix stats socket. */
  static String stats(Path sock, String cmd) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(sock));
      ch.write(ByteBuffer.wrap((cmd + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(65536);
      while (ch.read(buf) >= 0) {
        buf.flip();
        out.write(buf.array(), 0, buf.limit());
        buf.clear();
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
