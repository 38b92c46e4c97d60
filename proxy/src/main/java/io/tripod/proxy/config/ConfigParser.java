package io.tripod.proxy.config;

import io.tripod.proxy.config.ProxyConfig.Balance;
import io.tripod.proxy.config.ProxyConfig.Kind;
import io.tripod.proxy.config.TcpCheckRule.Match;
import io.tripod.proxy.config.TcpCheckRule.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads HAProxy configuration files (CFG §2-§5) into a {@link Config}. Errors are collected like
 * HAProxy does (every bad line is reported, then parsing fails); each message carries
 * {@code [file:line]}. Keywords HAProxy knows but this proxy does not implement are accepted with a
 * warning; unknown keywords are fatal, as in HAProxy.
 */
public final class ConfigParser {
  /** The outcome: a config (null when there were errors), warnings and errors in order. */
  public static final class Result {
    public Config config;
    public final List<String> warnings = new ArrayList<>();
    public final List<String> errors = new ArrayList<>();
    public final List<String> files = new ArrayList<>();

    public boolean ok() {
      return errors.isEmpty();
    }
  }

  private static final Set<String> SECTIONS = Set.of("global", "defaults", "listen", "frontend",
      "backend", "resolvers", "peers", "userlist", "mailers", "program", "http-errors", "ring", "cache");
  /** Global keywords that have no meaning here; accepted silently (process-level tuning). */
  private static final Set<String> GLOBAL_IGNORED = Set.of("user", "group", "uid", "gid", "chroot",
      "nbproc", "ulimit-n", "master-worker", "quiet", "node", "description",
      "hard-stop-after", "log-send-hostname", "log-tag", "ca-base", "crt-base", "spread-checks",
      "setenv", "presetenv", "unsetenv", "resetenv", "expose-experimental-directives", "cpu-map",
      "zero-warning", "noepoll", "nopoll", "nosplice", "grace");
  private static final Set<String> PROXY_UNSUPPORTED = Set.of("acl", "http-request",
      "http-response", "http-after-response", "tcp-request", "tcp-response", "use_backend",
      "use-server", "stick-table", "stick", "cookie", "hash-type", "errorfile", "errorloc",
      "capture", "compression", "http-check", "unique-id-format", "unique-id-header",
      "log-format", "log-tag", "monitor-uri", "monitor", "redirect", "rate-limit", "fullconn",
      "filter", "force-persist", "ignore-persist", "persist", "server-template", "source",
      "dispatch", "email-alert", "external-check", "http-reuse", "http-send-name-header",
      "load-server-state-from-file", "server-state-file-name", "id", "description", "enabled",
      "disabled", "guid", "max-keep-alive-queue", "declare", "max-session-srv-conns");
  private static final Set<String> OPTIONS_IGNORED = Set.of("httplog", "dontlognull",
      "http-server-close", "forwardfor", "tcpka", "clitcpka", "srvtcpka", "log-health-checks",
      "httpclose", "http-keep-alive", "abortonclose", "contstats", "dontlog-normal", "log-separate-errors",
      "logasap", "nolinger", "splice-auto", "splice-request", "splice-response", "socket-stats",
      "independent-streams", "http-no-delay", "http-pretend-keepalive", "httpchk", "redis-check",
      "ssl-hello-chk", "smtpchk", "pgsql-check", "mysql-check", "ldap-check", "spop-check",
      "prefer-last-server", "persist", "checkcache", "http-buffer-request", "http-ignore-probes",
      "http-use-proxy-header", "originalto", "transparent", "disable-h2-upgrade", "httpslog",
      "idle-close-on-response", "h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server",
      "accept-invalid-http-request", "accept-invalid-http-response", "external-check",
      "tcp-smart-accept", "tcp-smart-connect", "http-restrict-req-hdr-names", "allredisp");

  private final Map<String, String> env;
  private final Result result = new Result();
  private final Config config = new Config();
  private final Map<String, ProxyConfig> namedDefaults = new HashMap<>();
  private ProxyConfig lastDefaults = new ProxyConfig(Kind.DEFAULTS, "");
  private String section = "";
  private ProxyConfig cur;
  private String file;
  private int line;

  private ConfigParser(Map<String, String> env) {
    this.env = env;
  }

  public static Result parseFiles(List<Path> paths) {
    ConfigParser p = new ConfigParser(System.getenv());
    for (Path path : paths) {
      List<Path> files = new ArrayList<>();
      if (Files.isDirectory(path)) {
        try (var s = Files.list(path)) {
          s.filter(f -> f.getFileName().toString().endsWith(".cfg")).sorted().forEach(files::add);
        } catch (IOException e) {
          p.result.errors.add("Could not open configuration file " + path + " : " + e.getMessage());
        }
      } else {
        files.add(path);
      }
      for (Path f : files) {
        String text;
        try {
          text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
          p.result.errors.add("Could not open configuration file " + f + " : No such file or directory");
          continue;
        }
        p.parseText(f.toString(), text);
      }
    }
    return p.finish();
  }

  public static Result parseString(String name, String text) {
    return parseString(name, text, System.getenv());
  }

  public static Result parseString(String name, String text, Map<String, String> env) {
    ConfigParser p = new ConfigParser(env);
    p.parseText(name, text);
    return p.finish();
  }

  private void parseText(String name, String text) {
    file = name;
    result.files.add(name);
    section = "";
    cur = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      line = i + 1;
      String raw = lines[i];
      if (raw.endsWith("\r")) {
        raw = raw.substring(0, raw.length() - 1);
      }
      List<String> w;
      try {
        w = LineParser.parse(raw, env);
      } catch (ConfigException e) {
        result.errors.add("parsing [" + file + ":" + line + "]: " + e.getMessage());
        continue;
      }
      if (w.isEmpty()) {
        continue;
      }
      try {
        statement(w);
      } catch (ConfigException e) {
        result.errors.add(e.getMessage().startsWith("[") ? e.getMessage() : where() + e.getMessage());
      }
    }
  }

  private String where() {
    return "parsing [" + file + ":" + line + "] : ";
  }

  private void warn(String msg) {
    result.warnings.add(where() + msg);
  }

  private void statement(List<String> w) throws ConfigException {
    String kw = w.get(0);
    if (SECTIONS.contains(kw)) {
      openSection(w);
      return;
    }
    switch (section) {
      case "global":
        global(w);
        break;
      case "":
        throw new ConfigException("unknown keyword '" + kw + "' out of section.");
      case "defaults": case "listen": case "frontend": case "backend":
        if (cur == null) {
          return; // section header was erroneous
        }
        proxyKeyword(w);
        break;
      default:
        break; // other sections: ignored as a whole (warned at the header)
    }
  }

  private void openSection(List<String> w) throws ConfigException {
    String kw = w.get(0);
    section = kw;
    cur = null;
    switch (kw) {
      case "global":
        return;
      case "defaults": {
        String name = w.size() > 1 && !w.get(1).equals("from") ? w.get(1) : "";
        ProxyConfig d = new ProxyConfig(Kind.DEFAULTS, name);
        d.file = file;
        d.line = line;
        int from = w.indexOf("from");
        if (from > 0) {
          d.inherit(namedDefaults(w, from));
        } else {
          d.inherit(lastDefaults);
        }
        cur = d;
        lastDefaults = d;
        if (!name.isEmpty()) {
          namedDefaults.put(name, d);
        }
        return;
      }
      case "listen": case "frontend": case "backend": {
        if (w.size() < 2) {
          throw new ConfigException("'" + kw + "' expects <name> as argument.");
        }
        String name = w.get(1);
        for (int i = 0; i < name.length(); i++) {
          char c = name.charAt(i);
          if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' || c == ':')) {
            throw new ConfigException("character '" + c + "' is not permitted in '" + kw
                + "' name '" + name + "'.");
          }
        }
        Kind k = kw.equals("listen") ? Kind.LISTEN : kw.equals("frontend") ? Kind.FRONTEND : Kind.BACKEND;
        ProxyConfig p = new ProxyConfig(k, name);
        p.file = file;
        p.line = line;
        int from = w.indexOf("from");
        p.inherit(from > 1 ? namedDefaults(w, from) : lastDefaults);
        for (ProxyConfig o : config.proxies) {
          if (o.name.equals(name) && (o.isFrontend() && p.isFrontend() || o.isBackend() && p.isBackend())) {
            result.errors.add("Parsing [" + file + ":" + line + "]: " + o.kind.word + " '" + name
                + "' has the same name as another " + o.kind.word + " (declared at " + o.file + ":"
                + o.line + ").");
          }
        }
        config.proxies.add(p);
        cur = p;
        if (w.size() > 2 && from < 0) {
          bindAddresses(p, w.get(2)); // deprecated "listen name addr:port" form
        }
        return;
      }
      default:
        warn("section '" + kw + "' is not supported by tripod proxy; its content is ignored.");
    }
  }

  private ProxyConfig namedDefaults(List<String> w, int from) throws ConfigException {
    if (from + 1 >= w.size()) {
      throw new ConfigException("'from' expects a defaults section name.");
    }
    ProxyConfig d = namedDefaults.get(w.get(from + 1));
    if (d == null) {
      throw new ConfigException("defaults section '" + w.get(from + 1) + "' not found.");
    }
    return d;
  }

  // ---------------------------------------------------------------- global

  private void global(List<String> w) throws ConfigException {
    String kw = w.get(0);
    GlobalConfig g = config.global;
    switch (kw) {
      case "maxconn":
        g.maxconn = intArg(w, 1, kw);
        return;
      case "daemon":
        g.daemon = true;
        return;
      case "nbthread":
        g.nbthread = intArg(w, 1, kw);
        if (g.nbthread < 1) {
          throw new ConfigException("'nbthread' expects a strictly positive integer argument.");
        }
        return;
      case "pidfile":
        g.pidfile = need(w, 1, "'pidfile' expects a file name as an argument.");
        return;
      case "log":
        if (w.size() < 3 && !(w.size() == 2 && w.get(1).equals("global"))) {
          throw new ConfigException("'log' expects either <address[:port]> and <facility> or 'global' as arguments.");
        }
        g.logs.add(w.get(1));
        return;
      case "stats":
        if (w.size() > 1 && w.get(1).equals("socket")) {
          statsSocket(w);
        } else if (w.size() > 1 && (w.get(1).equals("timeout") || w.get(1).equals("maxconn")
            || w.get(1).equals("bind-process"))) {
          return;
        } else {
          throw new ConfigException("'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '"
              + (w.size() > 1 ? w.get(1) : "") + "')");
        }
        return;
      default:
        if (GLOBAL_IGNORED.contains(kw) || kw.startsWith("tune.") || kw.startsWith("ssl-")
            || kw.startsWith("h1-") || kw.startsWith("httpclient.")) {
          return;
        }
        throw new ConfigException("unknown keyword '" + kw + "' in 'global' section");
    }
  }

  private void statsSocket(List<String> w) throws ConfigException {
    String target = need(w, 2, "'stats socket' expects an address or a UNIX path.");
    String level = "operator";
    int mode = 0;
    for (int i = 3; i < w.size(); i++) {
      String o = w.get(i);
      if (o.equals("level")) {
        level = need(w, ++i, "'level' expects one of 'user', 'operator', and 'admin'.");
        if (!Set.of("user", "operator", "admin").contains(level)) {
          throw new ConfigException("'level' only supports 'user', 'operator', and 'admin' (got '" + level + "').");
        }
      } else if (o.equals("mode")) {
        String m = need(w, ++i, "'mode' expects an octal mode.");
        try {
          mode = Integer.parseInt(m, 8);
        } catch (NumberFormatException e) {
          throw new ConfigException("'mode' : invalid octal value '" + m + "'.");
        }
      } else if (Set.of("user", "group", "uid", "gid", "process", "name", "expose-fd").contains(o)) {
        i++;
      }
    }
    if (target.startsWith("ipv4@") || target.startsWith("ipv6@") || (!target.startsWith("/")
        && !target.startsWith("unix@") && target.lastIndexOf(':') > 0)) {
      String a = target.contains("@") ? target.substring(target.indexOf('@') + 1) : target;
      int c = a.lastIndexOf(':');
      config.global.statsSockets.add(new GlobalConfig.StatsSocket(null, a.substring(0, c),
          port(a.substring(c + 1), "stats socket"), level, mode));
    } else {
      String path = target.startsWith("unix@") ? target.substring(5) : target;
      config.global.statsSockets.add(new GlobalConfig.StatsSocket(path, null, 0, level, mode));
    }
  }

  // ---------------------------------------------------------------- proxies

  private void proxyKeyword(List<String> w) throws ConfigException {
    String kw = w.get(0);
    ProxyConfig p = cur;
    boolean defaults = p.kind == Kind.DEFAULTS;
    switch (kw) {
      case "bind":
        if (!p.isFrontend()) {
          throw new ConfigException("'bind' not allowed in '" + section + "' section.");
        }
        bindAddresses(p, need(w, 1, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments."));
        for (int i = 2; i < w.size(); i++) {
          warn("'bind " + w.get(1) + "' : option '" + w.get(i) + "' is not supported by tripod proxy, ignored.");
        }
        return;
      case "mode": {
        String m = need(w, 1, "'mode' expects one of 'http', 'tcp' or 'log'.");
        if (m.equals("http")) {
          p.httpMode = true;
        } else if (m.equals("tcp")) {
          p.httpMode = false;
        } else {
          throw new ConfigException("unknown proxy mode '" + m + "'.");
        }
        return;
      }
      case "balance": {
        String b = need(w, 1, "'balance' expects an algorithm.");
        switch (b) {
          case "roundrobin": p.balance = Balance.ROUNDROBIN; break;
          case "leastconn": p.balance = Balance.LEASTCONN; break;
          case "first": p.balance = Balance.FIRST; break;
          case "source": p.balance = Balance.SOURCE; break;
          case "static-rr": case "uri": case "url_param": case "hdr": case "random": case "rdp-cookie":
            warn("'balance " + b + "' is not supported by tripod proxy, using 'roundrobin'.");
            p.balance = Balance.ROUNDROBIN;
            break;
          default:
            throw new ConfigException("'balance' : unknown balancing algorithm '" + b + "'.");
        }
        return;
      }
      case "option": case "no":
        option(p, w);
        return;
      case "tcp-check":
        if (p.kind == Kind.FRONTEND) {
          throw new ConfigException("'tcp-check' not allowed in 'frontend' section.");
        }
        p.checkRules.add(tcpCheck(w));
        return;
      case "server":
        if (defaults || p.kind == Kind.FRONTEND) {
          throw new ConfigException("'server' not allowed in '" + section + "' section.");
        }
        server(p, w);
        return;
      case "default-server":
        if (p.kind == Kind.FRONTEND) {
          throw new ConfigException("'default-server' not allowed in 'frontend' section.");
        }
        serverParams(p, p.defaultServer, w, 1, "default-server");
        return;
      case "retries":
        p.retries = intArg(w, 1, kw);
        return;
      case "timeout":
        timeout(p, w);
        return;
      case "contimeout": case "clitimeout": case "srvtimeout":
        throw new ConfigException("the '" + kw + "' directive is not supported anymore since HAProxy 2.1. Use 'timeout "
            + (kw.equals("contimeout") ? "connect" : kw.equals("clitimeout") ? "client" : "server") + "' instead.");
      case "maxconn":
        p.maxconn = intArg(w, 1, kw);
        return;
      case "log":
        if (w.size() == 2 && w.get(1).equals("global")) {
          p.logs.add("global");
        } else if (w.size() == 1 || w.size() == 2 && !w.get(1).equals("global")) {
          throw new ConfigException("'log' expects either <address[:port]> and <facility> or 'global' as arguments.");
        } else {
          p.logs.add(w.get(1));
        }
        return;
      case "stats":
        stats(p, w);
        return;
      case "default_backend":
        if (!p.isFrontend() && !defaults) {
          throw new ConfigException("'default_backend' not allowed in '" + section + "' section.");
        }
        p.defaultBackend = need(w, 1, "'default_backend' expects a backend name.");
        p.defaultBackendLine = line;
        return;
      default:
        if (PROXY_UNSUPPORTED.contains(kw)) {
          warn("'" + kw + "' is not supported by tripod proxy, ignored.");
          return;
        }
        throw new ConfigException("unknown keyword '" + kw + "' in '" + section + "' section");
    }
  }

  private void option(ProxyConfig p, List<String> w) throws ConfigException {
    boolean no = w.get(0).equals("no");
    int o = no ? 2 : 1;
    if (no && (w.size() < 2 || !w.get(1).equals("option"))) {
      throw new ConfigException("'no' expects 'option' as argument.");
    }
    String name = need(w, o, "'option' expects an option name.");
    switch (name) {
      case "tcplog":
        p.tcplog = !no;
        return;
      case "tcp-check":
        p.tcpCheck = !no;
        return;
      case "allbackups":
        p.allBackups = !no;
        return;
      case "redispatch":
        p.redispatch = no ? 0 : w.size() > o + 1 ? intArg(w, o + 1, "option redispatch") : -1;
        return;
      default:
        if (OPTIONS_IGNORED.contains(name)) {
          warn("'option " + name + "' is not supported by tripod proxy, ignored.");
          return;
        }
        throw new ConfigException("unknown option '" + name + "'.");
    }
  }

  private void timeout(ProxyConfig p, List<String> w) throws ConfigException {
    String what = need(w, 1, "'timeout' expects 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '').");
    String name = "timeout " + what;
    String v = need(w, 2, "'" + name + "' expects an integer value (in milliseconds)");
    long ms = TimeValue.parseMillis(v, name);
    switch (what) {
      case "connect": p.timeoutConnect = ms; break;
      case "client": p.timeoutClient = ms; break;
      case "server": p.timeoutServer = ms; break;
      case "check": p.timeoutCheck = ms; break;
      case "tunnel": p.timeoutTunnel = ms; break;
      case "queue": p.timeoutQueue = ms; break;
      case "http-keep-alive": case "http-request": case "tarpit": case "client-fin": case "server-fin":
        break;
      default:
        throw new ConfigException("'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '" + what + "')");
    }
  }

  private void stats(ProxyConfig p, List<String> w) throws ConfigException {
    String sub = need(w, 1, "'stats' expects 'admin', 'auth', 'enable', 'hide-version', 'http-request', 'realm', 'refresh', 'scope', 'show-desc', 'show-legends', 'show-node' or 'uri' as argument.");
    switch (sub) {
      case "enable":
        p.statsEnable = true;
        return;
      case "uri":
        p.statsEnable = true;
        p.statsUri = need(w, 2, "'uri' needs an URI prefix.");
        return;
      case "realm":
        need(w, 2, "'realm' needs an realm name.");
        return;
      case "refresh": {
        // HAProxy parses this delay with seconds as the default unit
        String d = need(w, 2, "'refresh' needs a delay.");
        boolean digits = !d.isEmpty() && d.chars().allMatch(Character::isDigit);
        p.statsEnable = true;
        p.statsRefreshSec = digits ? TimeValue.parseMillis(d + "s", "stats refresh") / 1000
            : TimeValue.parseMillis(d, "stats refresh") / 1000;
        return;
      }
      case "auth": case "admin": case "scope": case "http-request":
        warn("'stats " + sub + "' is not supported by tripod proxy, ignored.");
        return;
      case "hide-version": case "show-legends": case "show-desc": case "show-node": case "show-modules":
        return;
      default:
        throw new ConfigException("'stats' expects 'admin', 'auth', 'enable', 'hide-version', 'http-request', 'realm', 'refresh', 'scope', 'show-desc', 'show-legends', 'show-node' or 'uri' as argument.");
    }
  }

  private TcpCheckRule tcpCheck(List<String> w) throws ConfigException {
    String kind = need(w, 1, "'tcp-check' expects 'comment', 'connect', 'send', 'send-binary', 'expect' or 'set-var' as argument.");
    switch (kind) {
      case "connect": {
        TcpCheckRule r = new TcpCheckRule(Type.CONNECT);
        for (int i = 2; i < w.size(); i++) {
          String o = w.get(i);
          switch (o) {
            case "port": r.port = port(need(w, ++i, "'port' expects a port number."), "tcp-check connect"); break;
            case "addr": r.addr = need(w, ++i, "'addr' expects an address."); break;
            case "linger": r.linger = true; break;
            case "default": break;
            case "comment": r.comment = need(w, ++i, "'comment' expects a string as argument."); break;
            case "send-proxy": case "via-socks4": case "ssl": case "sni": case "alpn": case "proto":
              warn("'tcp-check connect " + o + "' is not supported by tripod proxy, ignored.");
              if (o.equals("sni") || o.equals("alpn") || o.equals("proto")) {
                i++;
              }
              break;
            default:
              throw new ConfigException("'tcp-check connect' : expects 'comment', 'port', 'addr', 'send-proxy', 'via-socks4', 'ssl', 'sni', 'alpn', 'proto', 'linger' or 'default' but got '" + o + "' as argument.");
          }
        }
        return r;
      }
      case "send": case "send-binary": {
        TcpCheckRule r = new TcpCheckRule(Type.SEND);
        String data = need(w, 2, "'tcp-check " + kind + "' expects a " + (kind.equals("send") ? "string" : "binary string") + " as argument.");
        r.data = kind.equals("send") ? TcpCheckRule.latin1(data) : hex(data, "tcp-check " + kind);
        for (int i = 3; i < w.size(); i++) {
          if (w.get(i).equals("comment")) {
            r.comment = need(w, ++i, "'comment' expects a string as argument.");
          } else {
            throw new ConfigException("'tcp-check " + kind + "' : expects 'comment' but got '" + w.get(i) + "' as argument..");
          }
        }
        return r;
      }
      case "send-lf": case "send-binary-lf": case "set-var": case "unset-var":
        warn("'tcp-check " + kind + "' is not supported by tripod proxy, ignored.");
        return new TcpCheckRule(Type.COMMENT);
      case "comment": {
        TcpCheckRule r = new TcpCheckRule(Type.COMMENT);
        r.comment = need(w, 2, "'tcp-check comment' expects a string as argument.");
        return r;
      }
      case "expect":
        return expect(w);
      default:
        throw new ConfigException("'tcp-check' expects 'comment', 'connect', 'send', 'send-binary', 'expect' or 'set-var' but got '" + kind + "' as argument.");
    }
  }

  private TcpCheckRule expect(List<String> w) throws ConfigException {
    TcpCheckRule r = new TcpCheckRule(Type.EXPECT);
    int i = 2;
    while (i < w.size()) {
      String o = w.get(i);
      switch (o) {
        case "min-recv":
          r.minRecv = intArg(w, i + 1, "min-recv");
          i += 2;
          continue;
        case "comment":
          r.comment = need(w, i + 1, "'tcp-check expect' : 'comment' expects a string as argument.");
          i += 2;
          continue;
        case "ok-status": case "error-status": case "tout-status": case "on-success": case "on-error":
        case "status-code":
          need(w, i + 1, "'tcp-check expect' : '" + o + "' expects an argument.");
          warn("'tcp-check expect " + o + "' is not supported by tripod proxy, ignored.");
          i += 2;
          continue;
        default:
          break;
      }
      if (o.startsWith("!")) {
        r.negate = true;
        if (o.length() == 1) {
          i++;
          continue;
        }
        o = o.substring(1);
      }
      Match m;
      switch (o) {
        case "string": m = Match.STRING; break;
        case "rstring": m = Match.RSTRING; break;
        case "binary": m = Match.BINARY; break;
        case "rbinary": m = Match.RBINARY; break;
        case "string-lf": case "binary-lf":
          throw new ConfigException("'tcp-check expect' : '" + o + "' is not supported by tripod proxy.");
        default:
          throw new ConfigException("'tcp-check expect' : expects 'min-recv', 'comment', 'ok-status', 'error-status', 'tout-status', 'on-success', 'on-error', 'status-code', '!', 'string', 'rstring', 'binary' or 'rbinary' but got '" + o + "' as argument.");
      }
      r.match = m;
      String pat = need(w, i + 1, "'tcp-check expect' : '" + o + "' expects a <pattern> as argument.");
      r.patternText = pat;
      try {
        switch (m) {
          case STRING: r.data = TcpCheckRule.latin1(pat); break;
          case BINARY: r.data = hex(pat, "tcp-check expect binary"); break;
          default: r.regex = Pattern.compile(pat, Pattern.DOTALL);
        }
      } catch (PatternSyntaxException e) {
        throw new ConfigException("'tcp-check expect' : regex '" + pat + "' compilation failed : " + e.getDescription());
      }
      i += 2;
      while (i < w.size()) { // options may also follow the pattern
        String t = w.get(i);
        if (t.equals("comment")) {
          r.comment = need(w, i + 1, "'comment' expects a string as argument.");
          i += 2;
        } else if (t.equals("min-recv")) {
          r.minRecv = intArg(w, i + 1, "min-recv");
          i += 2;
        } else {
          throw new ConfigException("'tcp-check expect' : unexpected argument '" + t + "' after the pattern.");
        }
      }
      return r;
    }
    throw new ConfigException("'tcp-check expect' : expects a pattern type.");
  }

  private static byte[] hex(String s, String what) throws ConfigException {
    if (s.length() % 2 != 0) {
      throw new ConfigException("'" + what + "' : invalid hexadecimal string '" + s + "' (odd length).");
    }
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      int h = Character.digit(s.charAt(2 * i), 16);
      int l = Character.digit(s.charAt(2 * i + 1), 16);
      if (h < 0 || l < 0) {
        throw new ConfigException("'" + what + "' : invalid hexadecimal string '" + s + "'.");
      }
      b[i] = (byte) (h * 16 + l);
    }
    return b;
  }

  private void server(ProxyConfig p, List<String> w) throws ConfigException {
    if (w.size() < 3) {
      throw new ConfigException("'server' expects <name> and <addr>[:<port>] as arguments.");
    }
    ServerConfig s = p.defaultServer.copy();
    s.name = w.get(1);
    s.file = file;
    s.line = line;
    String addr = w.get(2);
    int c = addr.lastIndexOf(':');
    if (c < 0 || addr.startsWith("unix@") || addr.startsWith("/")) {
      if (addr.startsWith("unix@") || addr.startsWith("/")) {
        throw new ConfigException("'server " + p.name + "/" + s.name + "' : unix socket addresses are not supported by tripod proxy.");
      }
      s.host = addr;
      s.port = 0;
    } else {
      String host = addr.substring(0, c);
      if (host.startsWith("ipv4@") || host.startsWith("ipv6@")) {
        host = host.substring(5);
      }
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      s.host = host.isEmpty() || host.equals("*") ? "0.0.0.0" : host;
      String ps = addr.substring(c + 1);
      if (ps.isEmpty()) {
        s.port = 0;
      } else {
        s.port = port(ps, "server " + p.name + "/" + s.name);
      }
    }
    for (ServerConfig o : p.servers) {
      if (o.name.equals(s.name)) {
        throw new ConfigException("[" + file + ":" + line + "] : '" + "server " + p.name + "/" + s.name
            + "' : this server has the same name as another one declared at " + o.file + ":" + o.line + ".");
      }
    }
    serverParams(p, s, w, 3, "server " + p.name + "/" + s.name);
    s.id = p.servers.size() + 1;
    if (s.port == 0) {
      warn("'server " + p.name + "/" + s.name + "' : no port: tripod proxy connects to the bind port of the client connection.");
    }
    p.servers.add(s);
  }

  private void serverParams(ProxyConfig p, ServerConfig s, List<String> w, int from, String who)
      throws ConfigException {
    for (int i = from; i < w.size(); i++) {
      String k = w.get(i);
      switch (k) {
        case "check": s.check = true; break;
        case "no-check": s.check = false; break;
        case "inter": s.inter = positiveTime(w, ++i, k, who); break;
        case "fastinter": s.fastinter = positiveTime(w, ++i, k, who); break;
        case "downinter": s.downinter = positiveTime(w, ++i, k, who); break;
        case "rise":
          s.rise = intArg(w, ++i, k);
          if (s.rise <= 0) {
            throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : 'rise' has to be > 0.");
          }
          break;
        case "fall":
          s.fall = intArg(w, ++i, k);
          if (s.fall <= 0) {
            throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : 'fall' has to be > 0.");
          }
          break;
        case "backup": s.backup = true; break;
        case "no-backup": s.backup = false; break;
        case "weight":
          s.weight = intArg(w, ++i, k);
          if (s.weight > 256) {
            throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : weight of server " + s.name + " is not within 0 and 256 (" + s.weight + ").");
          }
          break;
        case "maxconn": s.maxconn = intArg(w, ++i, k); break;
        case "disabled": s.disabled = true; break;
        case "enabled": s.disabled = false; break;
        case "port": s.checkPort = port(need(w, ++i, "'port' expects a port."), who); break;
        case "addr": s.checkAddr = need(w, ++i, "'addr' expects an address."); break;
        case "id": intArg(w, ++i, k); break;
        case "on-marked-down": {
          String a = need(w, ++i, "'on-marked-down' expects an action.");
          if (!a.equals("shutdown-sessions")) {
            throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : 'on-marked-down' expects 'shutdown-sessions' but got '" + a + "'");
          }
          s.shutdownOnMarkedDown = true;
          break;
        }
        case "on-marked-up": {
          String a = need(w, ++i, "'on-marked-up' expects an action.");
          if (!a.equals("shutdown-backup-sessions")) {
            throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : 'on-marked-up' expects 'shutdown-backup-sessions' but got '" + a + "'");
          }
          s.shutdownBackupOnMarkedUp = true;
          break;
        }
        case "maxqueue": case "minconn": case "slowstart": case "error-limit": case "on-error":
        case "observe": case "resolvers": case "init-addr": case "agent-port": case "agent-inter":
        case "agent-send": case "agent-addr": case "cookie": case "track": case "pool-max-conn":
        case "pool-purge-delay": case "proto": case "sni": case "resolve-prefer": case "max-reuse":
        case "source": case "namespace": case "redir":
          need(w, ++i, "'" + k + "' expects an argument.");
          warn("'" + who + "' : '" + k + "' is not supported by tripod proxy, ignored.");
          break;
        case "send-proxy": case "send-proxy-v2": case "ssl": case "agent-check": case "no-agent-check":
        case "check-send-proxy": case "non-stick": case "stick": case "tfo": case "allow-0rtt":
        case "check-ssl": case "no-ssl": case "verify":
          warn("'" + who + "' : '" + k + "' is not supported by tripod proxy, ignored.");
          if (k.equals("verify")) {
            i++;
          }
          break;
        default:
          throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : unknown keyword '" + k + "'");
      }
    }
  }

  private long positiveTime(List<String> w, int i, String k, String who) throws ConfigException {
    long v = TimeValue.parseMillis(need(w, i, "'" + k + "' expects a delay."), k);
    if (v <= 0) {
      throw new ConfigException("[" + file + ":" + line + "] : '" + who + "' : '" + k + "' has to be > 0.");
    }
    return v;
  }

  private void bindAddresses(ProxyConfig p, String spec) throws ConfigException {
    for (String part : spec.split(",")) {
      String a = part;
      if (a.startsWith("ipv4@") || a.startsWith("ipv6@")) {
        a = a.substring(5);
      } else if (a.contains("@")) {
        throw new ConfigException("'bind " + spec + "' : address family '" + a.substring(0, a.indexOf('@')) + "@' is not supported by tripod proxy.");
      }
      int c = a.lastIndexOf(':');
      if (c < 0) {
        throw new ConfigException("'bind' : missing port number: '" + part + "'");
      }
      String host = a.substring(0, c);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      if (host.isEmpty() || host.equals("*")) {
        host = "0.0.0.0";
      }
      String ports = a.substring(c + 1);
      int dash = ports.indexOf('-');
      int lo = port(dash < 0 ? ports : ports.substring(0, dash), "bind");
      int hi = dash < 0 ? lo : port(ports.substring(dash + 1), "bind");
      for (int port = lo; port <= hi; port++) {
        p.binds.add(new ProxyConfig.Bind(host, port, part));
      }
    }
  }

  private static int port(String s, String who) throws ConfigException {
    try {
      int v = Integer.parseInt(s);
      if (v < 1 || v > 65535) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + who + "' : invalid port '" + s + "'");
    }
  }

  private static String need(List<String> w, int i, String msg) throws ConfigException {
    if (i >= w.size() || w.get(i).isEmpty()) {
      throw new ConfigException(msg);
    }
    return w.get(i);
  }

  private static int intArg(List<String> w, int i, String kw) throws ConfigException {
    String v = need(w, i, "'" + kw + "' expects an integer argument.");
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException("'" + kw + "' expects an integer argument (got '" + v + "').");
    }
  }

  // ---------------------------------------------------------------- post-parse checks

  private Result finish() {
    if (!result.errors.isEmpty()) {
      return result; // HAProxy stops before the post-parsing checks
    }
    int iid = 2; // HAProxy's internal proxies take the first id; user proxies are numbered from 2
    for (ProxyConfig p : config.proxies) {
      p.id = iid++;
      String where = p.kind.word + " '" + p.name + "'";
      if (p.isFrontend() && p.binds.isEmpty()) {
        result.errors.add("Proxy '" + p.name + "' has no 'bind' directive. Please declare it as a backend if this was intended.");
      }
      if (p.kind == Kind.FRONTEND && p.defaultBackend != null && config.backend(p.defaultBackend) == null) {
        result.errors.add("Proxy '" + p.name + "': unable to find required default_backend: '" + p.defaultBackend + "'.");
      }
      if (p.kind == Kind.FRONTEND && p.defaultBackend == null && !(p.httpMode && p.statsEnable)) {
        result.warnings.add(where + " has no backend (no 'default_backend'); connections will be closed.");
      }
      boolean hasServers = p.isBackend() && !p.servers.isEmpty();
      boolean missing = p.isFrontend() && p.timeoutClient < 0 && !(p.httpMode && p.statsEnable && p.servers.isEmpty())
          || hasServers && (p.timeoutConnect < 0 || p.timeoutServer < 0 && p.timeoutTunnel < 0);
      if (missing) {
        result.warnings.add("missing timeouts for " + where + ".\n"
            + "   | While not properly invalid, you will certainly encounter various problems\n"
            + "   | with such a configuration. To fix this, please ensure that all following\n"
            + "   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.");
      }
      if (p.tcplog && p.logs.isEmpty()) {
        result.warnings.add("log format ignored for " + where + " since it has no log address.");
      }
      if (p.logs.contains("global") && config.global.logs.isEmpty()) {
        p.logs.remove("global");
      }
      if (p.httpMode && !p.statsEnable) {
        result.warnings.add(where + " : 'mode http' is proxied as plain TCP by tripod proxy.");
      }
      int firstConnect = -1;
      for (int i = 0; i < p.checkRules.size(); i++) {
        if (p.checkRules.get(i).type == Type.CONNECT) {
          firstConnect = i;
          break;
        }
      }
      if (p.tcpCheck && firstConnect > 0) {
        for (int i = 0; i < firstConnect; i++) {
          if (p.checkRules.get(i).type != Type.COMMENT) {
            result.errors.add(where + ": first step MUST also be a 'connect', optionally preceded by a 'set-var', an 'unset-var' or a 'comment', when there is a 'connect' step in the tcp-check ruleset.");
            break;
          }
        }
      }
    }
    if (result.errors.isEmpty()) {
      result.config = config;
      config.warnings.addAll(result.warnings);
    }
    return result;
  }
}
