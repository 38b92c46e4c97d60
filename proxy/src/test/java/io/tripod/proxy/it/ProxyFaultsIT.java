package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tripod.proxy.ProxyLog;
import io.tripod.proxy.ProxyRuntime;
import io.tripod.proxy.config.ConfigParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Health-check outcomes against misbehaving servers, startup failures, admin commands, stats page. */
class ProxyFaultsIT {
  /** A TCP server that accepts and then runs {@code onAccept} per connection, on its own threads. */
  static final class FakeServer implements AutoCloseable {
    final ServerSocket ss;
    final List<Socket> accepted = new ArrayList<>();
    final Thread thread;

    interface OnAccept {
      void run(Socket s) throws IOException;
    }

    FakeServer(OnAccept onAccept) throws IOException {
      ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      thread = new Thread(() -> {
        while (!ss.isClosed()) {
          try {
            Socket s = ss.accept();
            synchronized (accepted) {
              accepted.add(s);
            }
            onAccept.run(s);
          } catch (IOException e) {
            return;
          }
        }
      }, "fake-server");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return ss.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      ss.close();
      synchronized (accepted) {
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  static String listen(String name, int port, int serverPort, String inter, Path sock) {
    return (sock != null ? "global\n    stats socket " + sock + " level admin\n" : "")
        + "defaults\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n"
        + "listen " + name + "\n    bind 127.0.0.1:" + port + "\n" + String.format(Seed.CHECKS, "role:master")
        + "    server s1 127.0.0.1:" + serverPort + " check inter " + inter + "\n";
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void silentServerTimesOutAtLayer7AndClosingServerIsAnInvalidResponse() throws Exception {
    try (FakeServer silent = new FakeServer(s -> { });
        FakeServer closer = new FakeServer(s -> {
          s.getOutputStream().write("-ERR nope\r\n".getBytes(StandardCharsets.US_ASCII));
          s.shutdownOutput();
        })) {
      Path sock = Seed.tempSocket("t.sock");
      String cfg = listen("silent", Ports.free(), silent.port(), "400ms", sock)
          + "listen closer\n    bind 127.0.0.1:" + Ports.free() + "\n" + String.format(Seed.CHECKS, "role:master")
          + "    server s1 127.0.0.1:" + closer.port() + " check inter 400ms\n";
      try (Seed.Tripod t = new Seed.Tripod(cfg)) {
        // sampled until neither check is running (a running check shows "* " and no last_chk)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
          String csv = Resp.stats(sock, "show stat");
          Map<String, String> cs = Seed.column(csv, "check_status");
          assertThat(cs.get("silent/s1")).isEqualTo("L7TOUT");
          assertThat(cs.get("closer/s1")).isEqualTo("L7RSP");
          assertThat(Seed.column(csv, "status").get("silent/s1")).startsWith("DOWN");
          assertThat(Seed.column(csv, "last_chk").get("silent/s1")).isEqualTo(" at step 3 of tcp-check (expect string '+PONG')");
          assertThat(Long.parseLong(Seed.column(csv, "check_duration").get("silent/s1"))).isGreaterThanOrEqualTo(390);
          assertThat(Seed.column(csv, "check_desc").get("silent/s1")).isEqualTo("Layer7 timeout");
          assertThat(Seed.column(csv, "last_chk").get("closer/s1")).isEqualTo("TCPCHK did not match content '+PONG' at step 3");
        });
        assertThat(t.stderr()).contains("Server silent/s1 is DOWN, reason: Layer7 timeout, info: \" at step 3 of tcp-check (expect string '+PONG')\"");
        assertThat(t.stderr()).contains("Server closer/s1 is DOWN, reason: Layer7 invalid response, info: \"TCPCHK did not match content '+PONG' at step 3\"");
        assertThat(t.stderr()).contains("proxy 'silent' has no server available!");
        // a client of a proxy without usable server is accepted then closed (<NOSRV>, SC)
        int port = ((InetSocketAddress) t.rt.listeners("silent").get(0).localAddress()).getPort();
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.setSoTimeout(5000);
          assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
      }
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void clientTimeoutClosesIdleSessions() throws Exception {
    try (FakeServer silent = new FakeServer(s -> { })) {
      int port = Ports.free();
      String cfg = "global\n    log stdout format raw local0\n"
          + "defaults\n    log global\n    option tcplog\n    timeout connect 1s\n    timeout client 300ms\n    timeout server 5s\n"
          + "listen idle\n    bind 127.0.0.1:" + port + "\n    server s1 127.0.0.1:" + silent.port() + "\n";
      try (Seed.Tripod t = new Seed.Tripod(cfg); Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5000);
        s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 3000L);
        await().atMost(Duration.ofSeconds(5)).until(() -> t.stdout().contains(" idle idle/s1 "));
        assertThat(t.stdout()).containsPattern(" idle idle/s1 0/\\d+/\\d+ 0 cD ");
      }
    }
  }

  static FakeServer echoServer() throws IOException {
    return new FakeServer(s -> {
      Thread th = new Thread(() -> {
        try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // peer gone
        }
      });
      th.setDaemon(true);
      th.start();
    });
  }

  static int echoByte(Socket s, int b) throws IOException {
    s.getOutputStream().write(b);
    s.setSoTimeout(5000);
    return s.getInputStream().read();
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void serverMaxconnQueuesThenServesOrTimesOut() throws Exception {
    try (FakeServer echo = echoServer()) {
      Path sock = Seed.tempSocket("t.sock");
      int port = Ports.free();
      String cfg = "global\n    log stdout format raw local0\n    stats socket " + sock + " level admin\n"
          + "defaults\n    log global\n    option tcplog\n    timeout connect 1s\n    timeout client 10s\n"
          + "    timeout server 10s\n    timeout queue 700ms\n"
          + "listen q\n    bind 127.0.0.1:" + port + "\n    server s1 127.0.0.1:" + echo.port() + " maxconn 1\n";
      try (Seed.Tripod t = new Seed.Tripod(cfg); Socket a = new Socket("127.0.0.1", port)) {
        assertThat(echoByte(a, 'a')).isEqualTo('a');
        try (Socket b = new Socket("127.0.0.1", port)) {
          b.getOutputStream().write('b');
          await().atMost(Duration.ofSeconds(5)).until(() ->
              Seed.column(Resp.stats(sock, "show stat"), "qcur").get("q/BACKEND").equals("1"));
          a.close(); // frees the slot: b is served
          b.setSoTimeout(5000);
          assertThat(b.getInputStream().read()).isEqualTo('b');
          try (Socket c = new Socket("127.0.0.1", port)) { // waits behind b, then times out
            c.setSoTimeout(5000);
            c.getOutputStream().write('c');
            assertThat(c.getInputStream().read()).isEqualTo(-1);
          }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> t.stdout().contains(" sQ "));
        assertThat(t.stdout()).containsPattern(" q q/<NOSRV> [6-9]\\d\\d/-1/\\d+ 0 sQ ");
        assertThat(Seed.column(Resp.stats(sock, "show stat"), "qmax").get("q/BACKEND")).isEqualTo("1");
      }
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void malformedConfigStartsNothingAndBindFailureReleasesEverything() throws Exception {
    ConfigParser.Result bad = ConfigParser.parseString("bad.cfg", "listen x\n  bind 127.0.0.1:1\n  balance nope\n");
    assertThat(bad.ok()).isFalse();
    assertThat(bad.errors).containsExactly("parsing [bad.cfg:3] : 'balance' : unknown balancing algorithm 'nope'.");
    assertThat(bad.config).isNull();

    int first = Ports.free();
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String cfg = "listen a\n  bind 127.0.0.1:" + first + "\n  server s 127.0.0.1:1\n"
          + "listen b\n  bind 127.0.0.1:" + busy.getLocalPort() + "\n  server s 127.0.0.1:1\n";
      ConfigParser.Result r = ConfigParser.parseString("busy.cfg", cfg);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ProxyRuntime rt = new ProxyRuntime(r.config, new ProxyLog(System.out, new PrintStream(err, true, StandardCharsets.UTF_8)), 1);
      assertThatThrownBy(rt::start).isInstanceOf(ProxyRuntime.StartupException.class)
          .hasMessage("Starting proxy b: cannot bind socket (Address already in use) [127.0.0.1:" + busy.getLocalPort() + "]");
      // the first listener was closed again
      try (ServerSocket again = new ServerSocket()) {
        again.bind(new InetSocketAddress("127.0.0.1", first));
      }
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void adminCommandsAndStatsPage() throws Exception {
    try (FakeServer echo = new FakeServer(s -> {
          Thread th = new Thread(() -> {
            try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              in.transferTo(out);
            } catch (IOException e) {
              // peer gone
            }
          });
          th.setDaemon(true);
          th.start();
        })) {
      Path sock = Seed.tempSocket("t.sock");
      int port = Ports.free();
      int statsPort = Ports.free();
      String cfg = "global\n    stats socket " + sock + " level admin\n"
          + "defaults\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n"
          + "listen echo\n    bind 127.0.0.1:" + port + "\n    balance roundrobin\n"
          + "    server e1 127.0.0.1:" + echo.port() + " check inter 300ms on-marked-down shutdown-sessions\n"
          + "    server e2 127.0.0.1:" + echo.port() + "\n"
          + "listen stats\n    bind 127.0.0.1:" + statsPort + "\n    mode http\n    stats enable\n    stats uri /haproxy\n";
      try (Seed.Tripod t = new Seed.Tripod(cfg)) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
            Seed.column(Resp.stats(sock, "show stat"), "status").get("echo/e1").equals("UP"));
        assertThat(Resp.stats(sock, "disable server echo/e1")).isEqualTo("\n");
        assertThat(Seed.column(Resp.stats(sock, "show stat"), "status").get("echo/e1")).isEqualTo("MAINT");
        assertThat(Resp.stats(sock, "disable server echo/nope")).isEqualTo("No such server.\n\n");
        assertThat(Resp.stats(sock, "disable server nope/e1")).isEqualTo("No such backend.\n\n");
        // all traffic on e2 now
        for (int i = 0; i < 4; i++) {
          try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write('x');
            s.setSoTimeout(5000);
            assertThat(s.getInputStream().read()).isEqualTo('x');
          }
        }
        assertThat(Seed.column(Resp.stats(sock, "show stat"), "stot").get("echo/e2")).isEqualTo("4");
        assertThat(Resp.stats(sock, "enable server echo/e1")).isEqualTo("\n");
        await().atMost(Duration.ofSeconds(10)).until(() ->
            Seed.column(Resp.stats(sock, "show stat"), "status").get("echo/e1").equals("UP"));
        assertThat(Resp.stats(sock, "show stat; show servers state echo")).startsWith("# pxname").contains("\n1\n# be_id");
        assertThat(Resp.stats(sock, "bogus")).startsWith("Unknown command");

        // the HTML page and its CSV export
        try (Socket s = new Socket("127.0.0.1", statsPort)) {
          s.getOutputStream().write("GET /haproxy HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          String page = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(page).startsWith("HTTP/1.1 200 OK\r\n").contains(">echo</a></caption>").contains(">e1</a></td>").contains("L4OK");
        }
        try (Socket s = new Socket("127.0.0.1", statsPort)) {
          s.getOutputStream().write("GET /haproxy;csv HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          String page = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(page).contains("\r\n\r\n# pxname,svname,");
        }

        // on-marked-down shutdown-sessions: a live session on e1 is killed when e1 goes DOWN
        Socket live = null;
        for (int i = 0; i < 4 && live == null; i++) {
          Socket s = new Socket("127.0.0.1", port);
          s.getOutputStream().write('y');
          s.setSoTimeout(5000);
          s.getInputStream().read();
          if (Seed.column(Resp.stats(sock, "show stat"), "scur").get("echo/e1").equals("1")) {
            live = s;
          } else {
            s.close();
          }
        }
        assertThat(live).isNotNull();
        try (Socket l = live) {
          echo.ss.close(); // new checks are refused
          await().atMost(Duration.ofSeconds(10)).until(() ->
              Seed.column(Resp.stats(sock, "show stat"), "status").get("echo/e1").equals("DOWN"));
          assertThat(l.getInputStream().read()).isEqualTo(-1);
        }
      }
    }
  }
}
