package io.tripod.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tripod.proxy.config.ProxyConfig.Balance;
import io.tripod.proxy.config.TcpCheckRule.Match;
import io.tripod.proxy.config.TcpCheckRule.Type;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {
  static final String SEED = """
      listen redis-rw
              bind 127.0.0.1:6379
              mode tcp
              balance leastconn
              option tcplog
              option tcp-check
              tcp-check connect
              tcp-check send PING\\r\\n
              tcp-check expect string +PONG
              tcp-check send info\\ replication\\r\\n
              tcp-check expect string role:master
              tcp-check send QUIT\\r\\n
              tcp-check expect string +OK
              server redis-1 10.1.1.1:6379 check inter 2s backup
              server redis-2 10.1.1.2:6379 check inter 2s backup
              server redis-3 10.1.1.3:6379 check inter 2s backup

      listen redis-ro
              bind 127.0.0.2:6379
              mode tcp
              balance leastconn
              option tcp-check
              tcp-check expect string master_link_status:up
              server redis-1 10.1.1.1:6379 check inter 2s
              server redis-rw 127.0.0.1:6379 backup
      """;

  static ConfigParser.Result parse(String text) {
    return ConfigParser.parseString("t.cfg", text, Map.of());
  }

  @Test
  void parsesTheSeedConfiguration() {
    ConfigParser.Result r = parse(SEED);
    assertThat(r.errors).isEmpty();
    ProxyConfig rw = r.config.proxy("redis-rw");
    assertThat(rw.kind).isEqualTo(ProxyConfig.Kind.LISTEN);
    assertThat(rw.binds).containsExactly(new ProxyConfig.Bind("127.0.0.1", 6379, "127.0.0.1:6379"));
    assertThat(rw.balance).isEqualTo(Balance.LEASTCONN);
    assertThat(rw.tcplog).isTrue();
    assertThat(rw.tcpCheck).isTrue();
    assertThat(rw.checkRules).extracting(x -> x.type).containsExactly(Type.CONNECT, Type.SEND, Type.EXPECT,
        Type.SEND, Type.EXPECT, Type.SEND, Type.EXPECT);
    assertThat(new String(rw.checkRules.get(3).data, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("info replication\r\n");
    assertThat(rw.checkRules.get(4).match).isEqualTo(Match.STRING);
    assertThat(rw.checkRules.get(4).patternText).isEqualTo("role:master");
    assertThat(rw.servers).extracting(s -> s.name).containsExactly("redis-1", "redis-2", "redis-3");
    ServerConfig s1 = rw.servers.get(0);
    assertThat(s1.check).isTrue();
    assertThat(s1.inter).isEqualTo(2000);
    assertThat(s1.backup).isTrue();
    assertThat(s1.rise).isEqualTo(2);
    assertThat(s1.fall).isEqualTo(3);
    assertThat(s1.id).isEqualTo(1);
    assertThat(rw.servers.get(2).id).isEqualTo(3);
    ProxyConfig ro = r.config.proxy("redis-ro");
    assertThat(ro.servers.get(1).check).isFalse();
    assertThat(ro.servers.get(1).backup).isTrue();
    // seed has no timeouts and no log target: HAProxy's two warnings
    assertThat(r.warnings).anyMatch(w -> w.startsWith("missing timeouts for proxy 'redis-rw'."));
    assertThat(r.warnings).contains("log format ignored for proxy 'redis-rw' since it has no log address.");
    assertThat(rw.id).isEqualTo(2);
    assertThat(ro.id).isEqualTo(3);
  }

  @Test
  void defaultsAndServerKeywords() {
    ConfigParser.Result r = parse("""
        global
            maxconn 100
            log stdout format raw local0
            stats socket /tmp/x.sock mode 600 level admin
        defaults
            log global
            timeout connect 5s
            timeout client 1m
            timeout server 1m
            retries 2
            option redispatch
            default-server inter 3s fall 5
        backend b
            balance first
            option allbackups
            timeout check 500ms
            server a 127.0.0.1:1 check fastinter 100ms downinter 1s rise 1 weight 10 maxconn 5 on-marked-down shutdown-sessions
            server b 127.0.0.1:2 check backup disabled on-marked-up shutdown-backup-sessions addr 127.0.0.2 port 99
        frontend f
            bind :7000,127.0.0.1:7001-7002
            default_backend b
        """);
    assertThat(r.errors).isEmpty();
    assertThat(r.config.global.maxconn).isEqualTo(100);
    assertThat(r.config.global.statsSockets.get(0).path()).isEqualTo("/tmp/x.sock");
    assertThat(r.config.global.statsSockets.get(0).level()).isEqualTo("admin");
    assertThat(r.config.global.statsSockets.get(0).mode()).isEqualTo(0600);
    ProxyConfig b = r.config.proxy("b");
    assertThat(b.timeoutConnect).isEqualTo(5000);
    assertThat(b.timeoutServer).isEqualTo(60000);
    assertThat(b.timeoutCheck).isEqualTo(500);
    assertThat(b.retries).isEqualTo(2);
    assertThat(b.redispatch).isEqualTo(-1);
    assertThat(b.allBackups).isTrue();
    assertThat(b.balance).isEqualTo(Balance.FIRST);
    assertThat(b.logs).containsExactly("global");
    ServerConfig a = b.servers.get(0);
    assertThat(a.inter).isEqualTo(3000);
    assertThat(a.fall).isEqualTo(5);
    assertThat(a.fastinter).isEqualTo(100);
    assertThat(a.downinter).isEqualTo(1000);
    assertThat(a.rise).isEqualTo(1);
    assertThat(a.weight).isEqualTo(10);
    assertThat(a.maxconn).isEqualTo(5);
    assertThat(a.shutdownOnMarkedDown).isTrue();
    ServerConfig s2 = b.servers.get(1);
    assertThat(s2.disabled).isTrue();
    assertThat(s2.shutdownBackupOnMarkedUp).isTrue();
    assertThat(s2.checkAddr).isEqualTo("127.0.0.2");
    assertThat(s2.checkPort).isEqualTo(99);
    ProxyConfig f = r.config.proxy("f");
    assertThat(f.binds).extracting(ProxyConfig.Bind::port).containsExactly(7000, 7001, 7002);
    assertThat(f.binds.get(0).host()).isEqualTo("0.0.0.0");
    assertThat(f.defaultBackend).isEqualTo("b");
  }

  @Test
  void expectVariants() {
    ConfigParser.Result r = parse("""
        backend b
            option tcp-check
            tcp-check send-binary 50494e470d0a
            tcp-check expect min-recv 3 ! string -ERR
            tcp-check expect !binary 2d
            tcp-check expect rstring ^\\+PO.G
            tcp-check comment "say hi"
            tcp-check expect comment x binary 2b
        """);
    assertThat(r.errors).isEmpty();
    List<TcpCheckRule> rules = r.config.proxy("b").checkRules;
    assertThat(rules.get(0).data).isEqualTo("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(rules.get(1).negate).isTrue();
    assertThat(rules.get(1).minRecv).isEqualTo(3);
    assertThat(rules.get(1).patternText).isEqualTo("-ERR");
    assertThat(rules.get(2).negate).isTrue();
    assertThat(rules.get(2).match).isEqualTo(Match.BINARY);
    assertThat(rules.get(2).data).containsExactly('-');
    assertThat(rules.get(3).regex.matcher("+PONG").find()).isTrue();
    assertThat(rules.get(4).type).isEqualTo(Type.COMMENT);
    assertThat(rules.get(5).comment).isEqualTo("x");
  }

  @Test
  void errorsCarryFileAndLineAndAreAllReported() {
    ConfigParser.Result r = parse("""
        global
          foo bar
        listen x
          bind 127.0.0.1:28111
          timeout connect 1x
          tcp-check send a b
          server s1 127.0.0.1:1 chek
          option bogus
          tcp-check expect string
          tcp-check send "a\\x4Gb"
          server s2 127.0.0.1:2 rise 0
        """);
    assertThat(r.ok()).isFalse();
    assertThat(r.config).isNull();
    assertThat(r.errors).containsExactly(
        "parsing [t.cfg:2] : unknown keyword 'foo' in 'global' section",
        "parsing [t.cfg:5] : unexpected character 'x' in 'timeout connect'",
        "parsing [t.cfg:6] : 'tcp-check send' : expects 'comment' but got 'b' as argument..",
        "[t.cfg:7] : 'server x/s1' : unknown keyword 'chek'",
        "parsing [t.cfg:8] : unknown option 'bogus'.",
        "parsing [t.cfg:9] : 'tcp-check expect' : 'string' expects a <pattern> as argument.",
        "parsing [t.cfg:10]: truncated or invalid hexadecimal sequence at position 20:\n    tcp-check send \"a\\x4Gb\"\n                     ^",
        "[t.cfg:11] : 'server x/s2' : 'rise' has to be > 0.");
  }

  @Test
  void structuralErrors() {
    ConfigParser.Result r = parse("""
        listen a
          bind 127.0.0.1:1
          option tcp-check
          tcp-check send PING\\r\\n
          tcp-check connect
        frontend f
          bind 127.0.0.1:2
          default_backend nope
        frontend nobind
        """);
    assertThat(parse("listen a\n  bind :1\nlisten a\n  bind :2\n").errors).containsExactly(
        "Parsing [t.cfg:3]: proxy 'a' has the same name as another proxy (declared at t.cfg:1).");
    assertThat(r.errors).contains(
        "Proxy 'f': unable to find required default_backend: 'nope'.",
        "Proxy 'nobind' has no 'bind' directive. Please declare it as a backend if this was intended.");
    assertThat(r.errors).anyMatch(e -> e.contains("first step MUST also be a 'connect'"));
  }

  @Test
  void unsupportedKeywordsAreWarningsWithFileAndLine() {
    ConfigParser.Result r = parse("""
        defaults
          option dontlognull
          timeout connect 1s
          timeout client 1s
          timeout server 1s
        listen a
          bind 127.0.0.1:1
          acl x src 1.2.3.4
          server s 127.0.0.1:2 check slowstart 10s
        """);
    assertThat(r.errors).isEmpty();
    assertThat(r.warnings).containsExactly(
        "parsing [t.cfg:2] : 'option dontlognull' is not supported by tripod proxy, ignored.",
        "parsing [t.cfg:8] : 'acl' is not supported by tripod proxy, ignored.",
        "parsing [t.cfg:9] : 'server a/s' : 'slowstart' is not supported by tripod proxy, ignored.");
  }

  @Test
  void multipleFilesAndMissingFile() throws IOException {
    Path d = Files.createTempDirectory("cfg");
    Path a = Files.writeString(d.resolve("a.cfg"), "global\n  maxconn 10\n");
    Path b = Files.writeString(d.resolve("b.cfg"), "backend x\n  server s 127.0.0.1:1\n");
    ConfigParser.Result r = ConfigParser.parseFiles(List.of(a, b));
    assertThat(r.errors).isEmpty();
    assertThat(r.config.global.maxconn).isEqualTo(10);
    assertThat(r.config.proxy("x").servers).hasSize(1);
    ConfigParser.Result dir = ConfigParser.parseFiles(List.of(d));
    assertThat(dir.errors).isEmpty();
    assertThat(dir.files).hasSize(2);
    ConfigParser.Result missing = ConfigParser.parseFiles(List.of(d.resolve("nope.cfg")));
    assertThat(missing.errors).containsExactly("Could not open configuration file " + d.resolve("nope.cfg") + " : No such file or directory");
  }
}
