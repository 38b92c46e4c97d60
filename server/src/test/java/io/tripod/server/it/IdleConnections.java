package io.tripod.server.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A child-process main that opens N idle connections to a port, prints {@code OPEN <n>}, waits
 * for a line (or end of input) on stdin, closes them all and exits. It lives in its own process
 * so that the test JVM, which hosts the server, does not need file descriptors for both ends.
 */
public final class IdleConnections {
  private IdleConnections() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int n = Integer.parseInt(args[1]);
    List<Socket> sockets = new ArrayList<>(n);
    int failed = 0;
    try {
      for (int i = 0; i < n; i++) {
        Socket s = new Socket();
        try {
          s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
          sockets.add(s);
        } catch (java.io.IOException e) {
          failed++;
          s.close();
        }
      }
      System.out.println("OPEN " + sockets.size() + " FAILED " + failed);
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine();
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    System.out.println("CLOSED");
  }
}
