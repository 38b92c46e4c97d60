package io.tripod.proxy.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scripted stand-in for a sentinel, enough for the proxy's Sentinel-aware mode: it answers
 * {@code SENTINEL get-master-addr-by-name} with whatever {@link #answer} says (null = unknown
 * master), confirms SUBSCRIBE, and {@link #publish}es events to its subscribers. One daemon
 * thread per connection; {@link #close} ends them all.
 */
final class FakeSentinel implements AutoCloseable {
  final ServerSocket server;
  final int port;
  volatile String answer;
  final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  final Set<OutputStream> subscribers = ConcurrentHashMap.newKeySet();

  FakeSentinel() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    port = server.getLocalPort();
    Thread t = new Thread(this::acceptLoop, "fake-sentinel-" + port);
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        sockets.add(s);
        Thread t = new Thread(() -> serve(s), "fake-sentinel-conn-" + port);
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        List<String> req = readRequest(in);
        if (req == null) {
          return;
        }
        String cmd = req.get(0).toUpperCase(java.util.Locale.ROOT);
        synchronized (out) {
          if (cmd.equals("SENTINEL") && req.size() == 3) {
            String a = answer;
            if (a == null) {
              out.write("*-1\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
              String[] hp = a.split(":");
              out.write(("*2\r\n" + bulk(hp[0]) + bulk(hp[1])).getBytes(StandardCharsets.US_ASCII));
            }
          } else if (cmd.equals("SUBSCRIBE")) {
            for (int i = 1; i < req.size(); i++) {
              out.write(("*3\r\n" + bulk("subscribe") + bulk(req.get(i)) + ":" + i + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
            }
            subscribers.add(out);
          } else {
            out.write("-ERR unknown command\r\n".getBytes(StandardCharsets.US_ASCII));
          }
          out.flush();
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      sockets.remove(s);
    }
  }

  private static String bulk(String s) {
    return "$" + s.length() + "\r\n" + s + "\r\n";
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c == -1 ? null : b.toString(StandardCharsets.UTF_8);
  }

  private static List<String> readRequest(InputStream in) throws IOException {
    String h = line(in);
    if (h == null || !h.startsWith("*")) {
      return null;
    }
    List<String> args = new ArrayList<>();
    int n = Integer.parseInt(h.substring(1));
    for (int i = 0; i < n; i++) {
      String len = line(in);
      if (len == null) {
        return null;
      }
      byte[] b = in.readNBytes(Integer.parseInt(len.substring(1)) + 2);
      args.add(new String(b, 0, b.length - 2, StandardCharsets.UTF_8));
    }
    return args;
  }

  /** Sends a pub/sub message to every subscriber. */
  void publish(String channel, String message) {
    for (OutputStream out : subscribers) {
      synchronized (out) {
        try {
          out.write(("*3\r\n" + bulk("message") + bulk(channel) + bulk(message)).getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          subscribers.remove(out);
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
