package io.tripod.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigParserTest {
  @TempDir Path tmp;

  private static ServerConfig parse(String text) throws ConfigException {
    ServerConfig c = new ServerConfig();
    ConfigParser.apply(c, text);
    return c;
  }

  /** The reason line of the fatal block for a one-line config. */
  private static String error(String line) {
    try {
      parse(line);
    } catch (ConfigException e) {
      String[] parts = e.getMessage().split("\n");
      assertThat(parts[1]).isEqualTo("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***");
      assertThat(parts[2]).isEqualTo("Reading the configuration file, at line 1");
      assertThat(parts[3]).isEqualTo(">>> '" + line.strip() + "'");
      return parts[4];
    }
    throw new AssertionError("no error for " + line);
  }

  @Test
  void everyErrorMessage() {
    assertThat(error("foo bar")).isEqualTo("Bad directive or wrong number of arguments");
    assertThat(error("port")).isEqualTo("wrong number of arguments");
    assertThat(error("port 1 2")).isEqualTo("wrong number of arguments");
    assertThat(error("port abc")).isEqualTo("argument couldn't be parsed into an integer");
    assertThat(error("port 70000")).isEqualTo("argument must be between 0 and 65535 inclusive");
    assertThat(error("daemonize maybe")).isEqualTo("argument must be 'yes' or 'no'");
    assertThat(error("port \"12")).isEqualTo("Unbalanced quotes in configuration line");
    assertThat(error("maxmemory 1xb")).isEqualTo("argument must be a memory value");
    assertThat(error("maxmemory -1")).isEqualTo("argument must be a memory value");
    assertThat(error("loglevel loud"))
        .isEqualTo("argument(s) must be one of the following: debug, verbose, notice, warning");
    assertThat(error("save 1")).isEqualTo("Invalid save parameters");
    assertThat(error("client-output-buffer-limit normal 0 0"))
        .isEqualTo("Wrong number of arguments in buffer limit configuration.");
    assertThat(error("client-output-buffer-limit master 0 0 0"))
        .isEqualTo("Invalid client class specified in buffer limit configuration.");
    assertThat(error("client-output-buffer-limit normal x 0 0"))
        .isEqualTo("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    assertThat(error("replicaof a b")).isEqualTo("Invalid master port");
    assertThat(error("replicaof a")).isEqualTo("wrong number of arguments");
    assertThat(error("notify-keyspace-events Q"))
        .isEqualTo("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    assertThat(error("rename-command FOO bar")).isEqualTo("No such command in rename-command");
    assertThat(error("rename-command get")).isEqualTo("Bad directive or wrong number of arguments");
    assertThat(error("list-max-ziplist-entries"))
        .isEqualTo("Bad directive or wrong number of arguments");
    assertThat(error("sentinel monitor x"))
        .isEqualTo("sentinel directive while not in sentinel mode");
    assertThat(error("foo.bar")).isEqualTo("Module config specified without value");
    assertThat(error("loadmodule")).isEqualTo("Bad directive or wrong number of arguments");
    assertThat(error("include")).isEqualTo("Bad directive or wrong number of arguments");
    assertThat(error("maxmemory-clients 200%"))
        .isEqualTo("percentage argument must be less or equal to 100");
    assertThat(error("maxmemory-clients abc"))
        .isEqualTo("argument must be a memory or percent value");
    assertThat(error("unixsocketperm 999")).isEqualTo("argument couldn't be parsed as an octal number");
    assertThat(error("unixsocketperm 1000")).isEqualTo("argument must be between 0 and 777 inclusive");
    assertThat(error("proto-max-bulk-len 1"))
        .isEqualTo("argument must be between 1048576 and 9223372036854775807 inclusive");
    assertThat(error("maxclients 0")).isEqualTo("argument must be between 1 and 4294967295 inclusive");
    assertThat(error("databases 0")).isEqualTo("argument must be between 1 and 2147483647 inclusive");
    assertThat(error("dir /nonexistent/dir")).isEqualTo("No such file or directory");
    assertThat(error("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17"))
        .isEqualTo("Too many bind addresses specified.");
    assertThat(error("dbfilename a/b")).isEqualTo("dbfilename can't be a path, just a filename");
    assertThat(error("appendfilename \"\"")).isEqualTo("appendfilename can't be empty");
    assertThat(error("oom-score-adj-values 1 2")).isEqualTo("wrong number of arguments");
    assertThat(error("oom-score-adj-values 1 2 3000"))
        .isEqualTo("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
    assertThat(error("shutdown-on-sigint save nosave"))
        .isEqualTo("shutdown options SAVE and NOSAVE can't be used simultaneously");
    assertThat(error("latency-tracking-info-percentiles 101"))
        .isEqualTo("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
  }

  @Test
  void errorLineNumberCountsCommentsAndBlankLines() {
    assertThatThrownBy(() -> parse("# comment\n\nport 1\n  hz  abc  \n"))
        .hasMessage("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            + "Reading the configuration file, at line 4\n>>> 'hz  abc'\n"
            + "argument couldn't be parsed into an integer");
  }

  @Test
  void logfileThatCannotBeOpenedHasNoLine() {
    assertThatThrownBy(() -> parse("logfile /nonexistent/dir/x.log"))
        .hasMessage("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            + "Can't open the log file: No such file or directory");
  }

  @Test
  void replicaofIsRefusedInClusterMode() {
    assertThatThrownBy(() -> parse("cluster-enabled yes\nreplicaof h 1"))
        .hasMessageEndingWith("\nreplicaof directive not allowed in cluster mode");
  }

  @Test
  void honouredDirectivesReachTheirFields() throws Exception {
    ServerConfig c = parse(String.join("\n",
        "bind 127.0.0.1 -::1", "bind-source-addr 10.0.0.1", "port 7000", "protected-mode no",
        "requirepass \"p w\"", "databases 4", "maxclients 50", "timeout 30", "tcp-keepalive 10",
        "tcp-backlog 100", "daemonize yes", "pidfile /tmp/x.pid", "loglevel VERBOSE",
        "dir " + tmp, "enable-debug-command local", "proto-max-bulk-len 2mb",
        "client-query-buffer-limit 2gb", "hz 20", "slowlog-log-slower-than -1",
        "slowlog-max-len 7", "latency-monitor-threshold 5", "notify-keyspace-events KEA",
        "maxmemory 1gb", "maxmemory-policy allkeys-lru"));
    assertThat(c.bind).containsExactly("127.0.0.1", "-::1");
    assertThat(c.bindSourceAddr).isEqualTo("10.0.0.1");
    assertThat(c.port).isEqualTo(7000);
    assertThat(c.protectedMode).isFalse();
    assertThat(c.requirepass).isEqualTo("p w");
    assertThat(c.databases).isEqualTo(4);
    assertThat(c.maxclients).isEqualTo(50);
    assertThat(c.timeoutSeconds).isEqualTo(30);
    assertThat(c.tcpKeepaliveSeconds).isEqualTo(10);
    assertThat(c.tcpBacklog).isEqualTo(100);
    assertThat(c.daemonize).isTrue();
    assertThat(c.pidfile).isEqualTo("/tmp/x.pid");
    assertThat(c.loglevel).isEqualTo("verbose");
    assertThat(c.dir).isEqualTo(tmp.toRealPath().toString());
    assertThat(c.enableDebugCommand).isEqualTo("local");
    assertThat(c.protoMaxBulkLen).isEqualTo(2L << 20);
    assertThat(c.clientQueryBufferLimit).isEqualTo(2L << 30);
    assertThat(c.hz).isEqualTo(20);
    assertThat(c.slowlogLogSlowerThanMicros).isEqualTo(-1);
    assertThat(c.slowlogMaxLen).isEqualTo(7);
    assertThat(c.latencyMonitorThresholdMillis).isEqualTo(5);
    assertThat(c.notifyKeyspaceEvents).isEqualTo("AKE");
    assertThat(c.maxmemory).isEqualTo(1L << 30);
    assertThat(c.maxmemoryPolicy).isEqualTo("allkeys-lru");
  }

  @Test
  void memoryUnits() throws Exception {
    assertThat(ConfigDirectives.memtoull("1gb")).isEqualTo(1L << 30);
    assertThat(ConfigDirectives.memtoull("100mb")).isEqualTo(100L << 20);
    assertThat(ConfigDirectives.memtoull("4k")).isEqualTo(4000);
    assertThat(ConfigDirectives.memtoull("4KB")).isEqualTo(4096);
    assertThat(ConfigDirectives.memtoull("2G")).isEqualTo(2_000_000_000L);
    assertThat(ConfigDirectives.memtoull("1m")).isEqualTo(1_000_000);
    assertThat(ConfigDirectives.memtoull("7b")).isEqualTo(7);
    assertThat(ConfigDirectives.memtoull("")).isEqualTo(0);
    assertThat(ConfigDirectives.memtoull("99999999999999999999")).isEqualTo(-1L);
    assertThat(ConfigDirectives.memtoull("-1")).isNull();
    assertThat(ConfigDirectives.memtoull("1 ")).isNull();
    assertThat(ConfigDirectives.memtoull("1.5mb")).isNull();
    assertThat(ConfigDirectives.memtoull("1tb")).isNull();
    ServerConfig c = parse("maxmemory 99999999999999999999");
    assertThat(c.get("maxmemory")).isEqualTo("18446744073709551615");
    assertThat(parse("maxmemory-clients 10%").get("maxmemory-clients")).isEqualTo("10%");
    assertThat(parse("hash-max-ziplist-value 1kb").hashMaxListpackValue).isEqualTo(1024);
  }

  @Test
  void strictIntegers() {
    assertThat(ConfigDirectives.string2ll("0")).isEqualTo(0);
    assertThat(ConfigDirectives.string2ll("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(ConfigDirectives.string2ll("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(ConfigDirectives.string2ll("9223372036854775808")).isNull();
    for (String bad : new String[] {"", "01", "+1", " 1", "1 ", "-0", "1.0", "0x1", "-"}) {
      assertThat(ConfigDirectives.string2ll(bad)).as(bad).isNull();
    }
  }

  @Test
  void aliasesAndCaseInsensitiveNames() throws Exception {
    ServerConfig c = parse("SLAVEOF 127.0.0.1 6379\nSlave-Read-Only no\nhash-max-ziplist-entries 7");
    assertThat(c.masterHost).isEqualTo("127.0.0.1");
    assertThat(c.masterPort).isEqualTo(6379);
    assertThat(c.get("replicaof")).isEqualTo("127.0.0.1 6379");
    assertThat(c.get("slaveof")).isEqualTo("127.0.0.1 6379");
    assertThat(c.replicaReadOnly).isFalse();
    assertThat(c.hashMaxListpackEntries).isEqualTo(7);
    assertThat(parse("replicaof 1.2.3.4 1\nreplicaof no one").masterHost).isNull();
  }

  @Test
  void quoting() throws Exception {
    ServerConfig c = parse("requirepass \"a\\x41\\n b\"\nmasterauth 'it\\'s'\n"
        + "notify-keyspace-events \"\"");
    assertThat(c.requirepass).isEqualTo("aA\n b");
    assertThat(c.masterauth).isEqualTo("it's");
    assertThat(c.notifyKeyspaceEvents).isEmpty();
  }

  @Test
  void saveLinesReplaceTheDefaultsThenAppend() throws Exception {
    assertThat(new ServerConfig().get("save")).isEqualTo("3600 1 300 100 60 10000");
    assertThat(parse("save 900 1\nsave 300 10").get("save")).isEqualTo("900 1 300 10");
    assertThat(parse("save \"\"").get("save")).isEmpty();
    assertThat(parse("save 900 1 300 10").get("save")).isEqualTo("900 1 300 10");
  }

  @Test
  void includeFilesAndGlobs() throws Exception {
    Files.writeString(tmp.resolve("a.conf"), "hz 11\n");
    Files.createDirectories(tmp.resolve("conf.d"));
    Files.writeString(tmp.resolve("conf.d/1.conf"), "timeout 5\n");
    Files.writeString(tmp.resolve("conf.d/2.conf"), "timeout 6\n");
    ServerConfig c = parse("include " + tmp.resolve("a.conf") + "\ninclude " + tmp
        + "/conf.d/*.conf\ninclude " + tmp + "/empty.d/*.conf\nport 7001");
    assertThat(c.hz).isEqualTo(11);
    assertThat(c.timeoutSeconds).isEqualTo(6);
    assertThat(c.port).isEqualTo(7001);
    Files.writeString(tmp.resolve("bad.conf"), "\nhz x\n");
    assertThatThrownBy(() -> parse("include " + tmp.resolve("bad.conf")))
        .hasMessageContaining("at line 2\n>>> 'hz x'");
    assertThatThrownBy(() -> parse("include /nonexistent/x.conf"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("Fatal error, can't open config file '/nonexistent/x.conf': No such file or "
            + "directory");
  }

  @Test
  void overridesBecomeLines() throws Exception {
    assertThat(ConfigParser.overridesToLines(List.of("--port", "6380", "--bind", "a", "b")))
        .isEqualTo("port \"6380\" \nbind \"a\" \"b\" ");
    assertThat(ConfigParser.overridesToLines(List.of("--save", "--port", "1")))
        .isEqualTo("save \"\"\nport \"1\" ");
    assertThat(ConfigParser.overridesToLines(List.of("--port", "1", "--save")))
        .isEqualTo("port \"1\" \nsave \"\"");
    assertThat(ConfigParser.overridesToLines(List.of("--requirepass", "--x")))
        .isEqualTo("requirepass \"--x\" ");
    ServerConfig c = ConfigParser.load(null, List.of("--save", "900", "1", "--bind", "a", "b",
        "--requirepass", "has \"quotes\" and \\", "--port 7002"));
    assertThat(c.get("save")).isEqualTo("900 1");
    assertThat(c.bind).containsExactly("a", "b");
    assertThat(c.requirepass).isEqualTo("has \"quotes\" and \\");
    assertThat(c.port).isEqualTo(7002);
    assertThat(c.configFile).isNull();
  }

  @Test
  void overrideErrorsCountTheSeparatorLine() throws Exception {
    assertThatThrownBy(() -> ConfigParser.load(null, List.of("--port")))
        .hasMessage("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            + "Reading the configuration file, at line 2\n>>> 'port'\nwrong number of arguments");
    Path f = tmp.resolve("r.conf");
    Files.writeString(f, "port 1\n");
    assertThatThrownBy(() -> ConfigParser.load(f.toString(), List.of("--foo", "x")))
        .hasMessageContaining("at line 3\n>>> 'foo \"x\"'\nBad directive");
  }

  @Test
  void fileThenStdinThenOverrides() throws Exception {
    Path f = tmp.resolve("r.conf");
    Files.writeString(f, "port 1\nhz 5\n");
    ServerConfig c = ConfigParser.load(f.toString(),
        new ByteArrayInputStream("port 2\ntimeout 7\n".getBytes(StandardCharsets.UTF_8)),
        ConfigParser.overridesToLines(List.of("--port", "3")));
    assertThat(c.port).isEqualTo(3);
    assertThat(c.hz).isEqualTo(5);
    assertThat(c.timeoutSeconds).isEqualTo(7);
    assertThat(c.configFile).isEqualTo(f.toAbsolutePath().toString());
  }

  @Test
  void specialDirectivesAreStored() throws Exception {
    ServerConfig c = parse(String.join("\n",
        "client-output-buffer-limit replica 1mb 2kb 3", "rename-command FLUSHDB \"\"",
        "user alice on >pw ~* +@all", "loadmodule /x.so a b", "list-max-ziplist-entries 5",
        "lua-replicate-commands yes", "oom-score-adj-values 1 2 3", "bind \"\"",
        "latency-tracking-info-percentiles 50 99.5", "appendonly yes", "shutdown-on-sigterm now"));
    assertThat(c.get("client-output-buffer-limit"))
        .isEqualTo("normal 0 0 0 slave 1048576 2048 3 pubsub 33554432 8388608 60");
    assertThat(c.renameCommands.get(0)).containsExactly("flushdb", "");
    assertThat(c.users.get(0)).containsExactly("alice", "on", ">pw", "~*", "+@all");
    assertThat(c.loadmodules.get(0)).containsExactly("/x.so", "a", "b");
    assertThat(c.get("oom-score-adj-values")).isEqualTo("1 2 3");
    assertThat(c.bind).isEmpty();
    assertThat(c.get("latency-tracking-info-percentiles")).isEqualTo("50 99.5");
    assertThat(c.appendonly).isTrue();
    assertThat(c.get("shutdown-on-sigterm")).isEqualTo("now");
    assertThat(c.mentioned).contains("client-output-buffer-limit", "rename-command", "user",
        "loadmodule", "appendonly");
  }

  @Test
  void debiansRedisConfParses() throws IOException, ConfigException {
    Path debian = Path.of("/etc/redis/redis.conf");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(debian));
    String text = Files.readString(debian, StandardCharsets.ISO_8859_1)
        .replace("logfile /var/log/redis/redis-server.log", "logfile " + tmp.resolve("r.log"))
        .replace("dir /var/lib/redis", "dir " + tmp);
    ServerConfig c = parse(text);
    assertThat(c.bind).containsExactly("127.0.0.1", "-::1");
    assertThat(c.daemonize).isTrue();
    assertThat(c.pidfile).isEqualTo("/run/redis/redis-server.pid");
    assertThat(c.port).isEqualTo(6379);
    assertThat(c.get("client-output-buffer-limit"))
        .isEqualTo("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    assertThat(c.get("auto-aof-rewrite-min-size")).isEqualTo("67108864");
    assertThat(c.get("proc-title-template")).isEqualTo("{title} {listen-addr} {server-mode}");
  }

  @Test
  void everyDirectiveRoundTripsThroughItsOwnValue() throws Exception {
    ServerConfig c = new ServerConfig();
    for (ConfigDirectives.Directive d : ConfigDirectives.all()) {
      String v = d.get(c);
      if (d.name.equals("replicaof")) {
        continue; // "" is not a valid replicaof value (it is immutable at runtime anyway)
      }
      List<String> args = d.has(ConfigDirectives.MULTI_ARG)
          ? (v.isEmpty() ? List.of() : List.of(v.split(" ")))
          : List.of(v);
      assertThat(d.set(c, args, false)).as(d.name + " = " + v).isNull();
      assertThat(d.get(c)).as(d.name).isEqualTo(v);
    }
  }
}
