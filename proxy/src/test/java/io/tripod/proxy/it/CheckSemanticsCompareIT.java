package io.tripod.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

/**
 * tcp-check edge cases run by the real haproxy and by tripod proxy against the same fake servers:
 * check_status, check_desc and last_chk must be identical (implicit connect step numbering, empty
 * response, min-recv, negated expect, banner expect, refused connection).
 */
class CheckSemanticsCompareIT {
  /** Reads one line (the check's send), then writes {@code reply}; closes after if asked. */
  static ProxyFaultsIT.FakeServer replier(String reply, boolean close, boolean banner) throws IOException {
    return new ProxyFaultsIT.FakeServer(s -> {
      Thread th = new Thread(() -> {
        try (Socket c = s) {
          InputStream in = c.getInputStream();
          OutputStream out = c.getOutputStream();
          if (banner) {
            out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          } else {
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
              // the check's request line
            }
            if (!reply.isEmpty()) {
              out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
              out.flush();
            }
          }
          if (!close) {
            in.transferTo(OutputStream.nullOutputStream()); // keep open until the check closes
          }
        } catch (IOException e) {
          // check closed (RST)
        }
      });
      th.setDaemon(true);
      th.start();
    });
  }

  static String config(Path sock, List<String> listens) {
    return "global\n    stats socket " + sock + " level admin\n"
        + "defaults\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n" + String.join("", listens);
  }

  static String listen(String name, int bind, String rules, int serverPort) {
    return "listen " + name + "\n    bind 127.0.0.1:" + bind + "\n    option tcp-check\n" + rules
        + "    server s 127.0.0.1:" + serverPort + " check inter 400ms\n";
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void checkOutcomesMatchRealHaproxy() throws Exception {
    ExternalProcess.binary("haproxy");
    try (ProxyFaultsIT.FakeServer empty = replier("", true, false);
        ProxyFaultsIT.FakeServer err = replier("-ERR x\r\n", false, false);
        ProxyFaultsIT.FakeServer banner = replier("+OK hello\r\n", false, true);
        ProxyFaultsIT.FakeServer pong = replier("+PONG\r\n", false, false)) {
      int refused = Ports.free();
      String emptyRules = "    tcp-check send PING\\r\\n\n    tcp-check expect string +PONG\n";
      String minRecv = "    tcp-check send PING\\r\\n\n    tcp-check expect min-recv 3 string +PONG\n";
      String negated = "    tcp-check send PING\\r\\n\n    tcp-check expect ! string -ERR\n";
      String bannerRules = "    tcp-check expect string hello\n    tcp-check send PING\\r\\n\n";
      String binary = "    tcp-check send-binary 50494e470d0a\n    tcp-check expect binary 2b504f4e47\n";
      String rstring = "    tcp-check send PING\\r\\n\n    tcp-check expect rstring ^\\\\+P.NG\n";
      String[][] cases = {
          {"empty", emptyRules, String.valueOf(empty.port())},
          {"minrecv", minRecv, String.valueOf(err.port())},
          {"negated", negated, String.valueOf(err.port())},
          {"banner", bannerRules, String.valueOf(banner.port())},
          {"binary", binary, String.valueOf(pong.port())},
          {"rstring", rstring, String.valueOf(pong.port())},
          {"refused", emptyRules, String.valueOf(refused)},
      };
      List<String> tl = new ArrayList<>();
      List<String> hl = new ArrayList<>();
      int hprobe = 0;
      for (String[] c : cases) {
        tl.add(listen(c[0], Ports.free(), c[1], Integer.parseInt(c[2])));
        int hp = Ports.free();
        hprobe = hp;
        hl.add(listen(c[0], hp, c[1], Integer.parseInt(c[2])));
      }
      Path tsock = Seed.tempSocket("t.sock");
      Path hsock = Seed.tempSocket("h.sock");
      try (Seed.Tripod t = new Seed.Tripod(config(tsock, tl));
          ExternalProcess h = ExternalProcess.haproxy(config(hsock, hl), hprobe)) {
        String[] cols = {"check_status", "check_desc", "last_chk", "status"};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
          String a = Resp.stats(tsock, "show stat");
          String b = Resp.stats(hsock, "show stat");
          for (String col : cols) {
            Map<String, String> x = Seed.column(a, col);
            Map<String, String> y = Seed.column(b, col);
            for (String[] c : cases) {
              String k = c[0] + "/s";
              if (Seed.column(a, "check_status").get(k).startsWith("* ")
                  || Seed.column(b, "check_status").get(k).startsWith("* ")) {
                continue; // a running check: compare on a later sample
              }
              assertThat(x.get(k)).as(col + " of " + k).isEqualTo(y.get(k));
            }
          }
          Map<String, String> st = Seed.column(a, "check_status");
          for (String[] c : cases) {
            assertThat(st.get(c[0] + "/s")).doesNotStartWith("* ").isNotEqualTo("INI");
          }
        });
        Map<String, String> chk = new java.util.HashMap<>();
        // a check may be running at this sample ("* L7OK"): the last result is what counts
        Seed.column(Resp.stats(tsock, "show stat"), "check_status").forEach((k, v) -> chk.put(k, v.replaceFirst("^\\* ", "")));
        assertThat(chk.get("banner/s")).isEqualTo("L7OK");
        assertThat(chk.get("binary/s")).isEqualTo("L7OK");
        assertThat(chk.get("rstring/s")).isEqualTo("L7OK");
        assertThat(chk.get("refused/s")).isEqualTo("L4CON");
      }
    }
  }
}
