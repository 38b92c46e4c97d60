package io.tripod.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.resp.RespValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps INFO honest: the section titles and, per section, the field names and their order must be
 * the same as a real redis-server 7.0's. Values are not compared (they differ by nature); the
 * dynamic sections (commandstats, errorstats, latencystats, keyspace) are compared as sets of names
 * after the same commands ran on both servers.
 */
class InfoFieldsIT {
  private static RedisProcess redis;
  private static TripodInstance tripod;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisProcess.start();
    tripod = TripodInstance.start();
  }

  @AfterAll
  static void stop() {
    if (tripod != null) {
      tripod.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Section title to its field names, in order. */
  static Map<String, List<String>> parse(String info) {
    Map<String, List<String>> sections = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : info.split("\r\n")) {
      if (line.startsWith("# ")) {
        current = new ArrayList<>();
        sections.put(line.substring(2), current);
      } else if (!line.isEmpty()) {
        assertThat(current).as("field before any section: " + line).isNotNull();
        assertThat(line).contains(":");
        current.add(line.substring(0, line.indexOf(':')));
      }
    }
    return sections;
  }

  static String info(RawConnection c, String... sections) throws IOException {
    String[] args = new String[sections.length + 1];
    args[0] = "INFO";
    System.arraycopy(sections, 0, args, 1, sections.length);
    byte[][] a = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    c.send(a);
    RespValue v = c.read();
    assertThat(v.type()).isEqualTo('$');
    return v.asString();
  }

  private static void sameWork(RawConnection c) throws IOException {
    c.callString("SET", "k", "v");
    c.callString("SET", "t", "v", "EX", "1000");
    c.callString("GET", "k");
    c.callString("GET", "missing");
    c.callString("NOSUCHCOMMAND");
    c.callString("GET");
    c.callString("CLIENT", "GETNAME");
    c.callString("SELECT", "2");
    c.callString("SET", "k2", "v");
    c.callString("SELECT", "0");
  }

  @Test
  void sectionsAndFieldsMatchRedis() throws IOException {
    try (RawConnection r = new RawConnection(redis.port);
        RawConnection t = new RawConnection(tripod.port)) {
      sameWork(r);
      sameWork(t);
      Map<String, List<String>> expected = parse(info(r, "everything"));
      Map<String, List<String>> actual = parse(info(t, "everything"));
      assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
      for (String section : expected.keySet()) {
        List<String> want = expected.get(section);
        List<String> got = actual.get(section);
        if (section.equals("Commandstats") || section.equals("Errorstats")
            || section.equals("Latencystats") || section.equals("Keyspace")) {
          assertThat(new TreeSet<>(got)).as(section).isEqualTo(new TreeSet<>(want));
        } else {
          assertThat(got).as(section).containsExactlyElementsOf(want);
        }
      }
    }
  }

  @Test
  void sectionSelectionMatchesRedis() throws IOException {
    try (RawConnection r = new RawConnection(redis.port);
        RawConnection t = new RawConnection(tripod.port)) {
      String[][] requests = {{}, {"default"}, {"all"}, {"everything"}, {"server"},
          {"keyspace", "server"}, {"CPU", "Memory"}, {"commandstats"}, {"all", "default"},
          {"nosuchsection"}, {"default", "commandstats"}, {"latencystats"}};
      for (String[] req : requests) {
        assertThat(parse(info(t, req)).keySet()).as(String.join(" ", req))
            .containsExactlyElementsOf(parse(info(r, req)).keySet());
      }
    }
  }

  @Test
  void framingMatchesRedis() throws IOException {
    try (RawConnection r = new RawConnection(redis.port);
        RawConnection t = new RawConnection(tripod.port)) {
      for (RawConnection c : new RawConnection[] {r, t}) {
        String text = info(c);
        assertThat(text).startsWith("# Server\r\n").endsWith("\r\n").doesNotEndWith("\r\n\r\n");
        assertThat(text).contains("\r\n\r\n# Clients\r\n");
      }
      String runId = info(t, "server").lines().filter(l -> l.startsWith("run_id:"))
          .findFirst().orElseThrow();
      assertThat(runId).hasSize("run_id:".length() + 40);
      assertThat(info(t, "server")).contains("tcp_port:" + tripod.port + "\r\n");
    }
  }
}
