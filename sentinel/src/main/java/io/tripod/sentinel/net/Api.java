package io.tripod.sentinel.net;

import io.netty.buffer.ByteBuf;
import io.tripod.resp.RespWriter;
import io.tripod.sentinel.core.Action;
import io.tripod.sentinel.core.Addr;
import io.tripod.sentinel.core.FailoverState;
import io.tripod.sentinel.core.Instance;
import io.tripod.sentinel.core.Level;
import io.tripod.sentinel.core.SentinelCore;
import io.tripod.sentinel.core.Timers;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Sentinel client API (Redis 7.0's sentinel command table), replies byte for byte. */
final class Api {
  private Api() {}

  static final String VERSION = "7.0.15";

  private static final Map<String, Integer> SENTINEL_ARITY = new LinkedHashMap<>();

  static {
    Object[][] t = {
      {"ckquorum", 3}, {"config", -3}, {"debug", -2}, {"get-master-addr-by-name", 3}, {"help", 2},
      {"info-cache", -3}, {"is-master-down-by-addr", 6}, {"master", 3}, {"masters", 2},
      {"monitor", 6}, {"myid", 2}, {"pending-scripts", 2}, {"remove", 3}, {"replicas", 3},
      {"reset", 3}, {"sentinels", 3}, {"set", -5}, {"simulate-failure", -3}, {"slaves", 3},
      {"failover", 3}, {"flushconfig", 2}
    };
    for (Object[] e : t) SENTINEL_ARITY.put((String) e[0], (Integer) e[1]);
  }

  private static boolean arityOk(int arity, int argc) {
    return arity > 0 ? argc == arity : argc >= -arity;
  }

  private static void bulk(ByteBuf out, String s) {
    SentinelServer.bulk(out, s);
  }

  private static void err(ByteBuf out, String msg) {
    RespWriter.error(out, msg);
  }

  private static final java.util.Set<String> KNOWN = java.util.Set.of("ping", "info", "role", "auth", "hello",
      "subscribe", "psubscribe", "unsubscribe", "punsubscribe", "publish", "sentinel", "client", "shutdown", "command");

  private static final java.util.Set<String> CLIENT_SUBS = java.util.Set.of("caching", "getname", "getredir",
      "help", "id", "info", "kill", "list", "no-evict", "pause", "reply", "setname", "tracking", "trackinginfo",
      "unblock", "unpause");

  static void dispatch(ClientHandler c, String[] a, ByteBuf out) {
    String cmd = a[0].toLowerCase(Locale.ROOT);
    SentinelServer s = c.server;
    if (!KNOWN.contains(cmd)) {
      StringBuilder sb = new StringBuilder("ERR unknown command '").append(trunc(a[0]))
          .append("', with args beginning with: ");
      for (int i = 1; i < a.length && sb.length() < 128; i++) sb.append('\'').append(trunc(a[i])).append("' ");
      err(out, sb.toString());
      return;
    }
    if (!c.authenticated && !cmd.equals("auth") && !cmd.equals("hello")) {
      err(out, "NOAUTH Authentication required.");
      return;
    }
    if (c.proto == 2 && c.subscriptions() > 0
        && !List.of("subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ping", "quit", "reset").contains(cmd)) {
      String full = cmd;
      if (a.length >= 2 && (cmd.equals("sentinel") && SENTINEL_ARITY.containsKey(a[1].toLowerCase(Locale.ROOT))
          || cmd.equals("client") && CLIENT_SUBS.contains(a[1].toLowerCase(Locale.ROOT)))) {
        full = cmd + "|" + a[1].toLowerCase(Locale.ROOT);
      }
      err(out, "ERR Can't execute '" + full + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
      return;
    }
    switch (cmd) {
      case "ping":
        if (a.length > 2) {
          arity(out, "ping");
        } else if (c.proto == 2 && c.subscriptions() > 0) {
          RespWriter.arrayHeader(out, 2);
          bulk(out, "pong");
          bulk(out, a.length == 2 ? a[1] : "");
        } else if (a.length == 2) {
          bulk(out, a[1]);
        } else {
          RespWriter.raw(out, RespWriter.PONG);
        }
        return;
      case "info":
        bulk(out, info(s, a));
        return;
      case "role":
        if (a.length != 1) {
          arity(out, "role");
          return;
        }
        RespWriter.arrayHeader(out, 2);
        bulk(out, "sentinel");
        RespWriter.arrayHeader(out, s.core.masters.size());
        for (String n : s.core.masters.keySet()) bulk(out, n);
        return;
      case "auth":
        auth(c, a, out);
        return;
      case "hello":
        hello(c, a, out);
        return;
      case "subscribe":
      case "psubscribe":
        if (a.length < 2) {
          arity(out, cmd);
          return;
        }
        for (int i = 1; i < a.length; i++) {
          (cmd.equals("subscribe") ? c.channels : c.patterns).add(a[i]);
          RespWriter.pushHeader(out, c.proto, 3);
          bulk(out, cmd);
          bulk(out, a[i]);
          RespWriter.integer(out, c.subscriptions());
        }
        return;
      case "unsubscribe":
      case "punsubscribe": {
        java.util.Set<String> set = cmd.equals("unsubscribe") ? c.channels : c.patterns;
        List<String> names = new ArrayList<>();
        if (a.length == 1) {
          names.addAll(set);
        } else {
          for (int i = 1; i < a.length; i++) names.add(a[i]);
        }
        if (names.isEmpty()) {
          RespWriter.pushHeader(out, c.proto, 3);
          bulk(out, cmd);
          RespWriter.raw(out, c.proto == 3 ? RespWriter.NULL3 : RespWriter.NULL_BULK2);
          RespWriter.integer(out, c.subscriptions());
        }
        for (String n : names) {
          set.remove(n);
          RespWriter.pushHeader(out, c.proto, 3);
          bulk(out, cmd);
          bulk(out, n);
          RespWriter.integer(out, c.subscriptions());
        }
        return;
      }
      case "publish":
        if (a.length != 3) {
          arity(out, "publish");
          return;
        }
        if (!a[1].equals("__sentinel__:hello")) {
          err(out, "ERR Only HELLO messages are accepted by Sentinel instances.");
          return;
        }
        s.core.hello(a[2], SentinelServer.now());
        RespWriter.integer(out, 1);
        return;
      case "sentinel":
        sentinel(c, a, out);
        return;
      case "client":
        client(c, a, out);
        return;
      case "shutdown":
        s.log.log(Level.WARNING, "User requested shutdown...");
        s.flushConfig();
        Runtime.getRuntime().exit(0);
        return;
      case "command":
        if (a.length == 1) {
          RespWriter.arrayHeader(out, 0);
        } else if (a[1].equalsIgnoreCase("count")) {
          RespWriter.integer(out, 12);
        } else {
          RespWriter.arrayHeader(out, 0);
        }
        return;
      default:
        StringBuilder sb = new StringBuilder("ERR unknown command '").append(trunc(a[0]))
            .append("', with args beginning with: ");
        for (int i = 1; i < a.length && sb.length() < 128; i++) sb.append('\'').append(trunc(a[i])).append("' ");
        err(out, sb.toString());
    }
  }

  private static String trunc(String s) {
    return s.length() > 128 ? s.substring(0, 128) : s;
  }

  private static void arity(ByteBuf out, String name) {
    err(out, "ERR wrong number of arguments for '" + name + "' command");
  }

  private static void auth(ClientHandler c, String[] a, ByteBuf out) {
    if (a.length < 2 || a.length > 3) {
      arity(out, "auth");
      return;
    }
    String pass = c.server.config.requirepass;
    if (a.length == 2 && pass == null) {
      err(out, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
      return;
    }
    String user = a.length == 3 ? a[1] : "default";
    String given = a[a.length - 1];
    if (user.equals("default") && (pass == null || pass.equals(given))) {
      c.authenticated = true;
      RespWriter.raw(out, RespWriter.OK);
    } else {
      err(out, "WRONGPASS invalid username-password pair or user is disabled.");
    }
  }

  private static void hello(ClientHandler c, String[] a, ByteBuf out) {
    int proto = c.proto;
    int i = 1;
    if (a.length > 1) {
      long v;
      try {
        v = Long.parseLong(a[1]);
      } catch (NumberFormatException e) {
        err(out, "ERR Protocol version is not an integer or out of range");
        return;
      }
      if (v < 2 || v > 3) {
        err(out, "NOPROTO unsupported protocol version");
        return;
      }
      proto = (int) v;
      i = 2;
    }
    String setname = null;
    for (; i < a.length; i++) {
      String opt = a[i].toLowerCase(Locale.ROOT);
      if (opt.equals("auth") && i + 2 < a.length) {
        String pass = c.server.config.requirepass;
        if (!a[i + 1].equals("default") || (pass != null && !pass.equals(a[i + 2]))) {
          err(out, "WRONGPASS invalid username-password pair or user is disabled.");
          return;
        }
        c.authenticated = true;
        i += 2;
      } else if (opt.equals("setname") && i + 1 < a.length) {
        setname = a[++i];
      } else {
        err(out, "ERR Syntax error in HELLO option '" + a[i] + "'");
        return;
      }
    }
    if (!c.authenticated) {
      err(out, "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
      return;
    }
    if (setname != null) c.name = setname;
    c.proto = proto;
    RespWriter.mapHeader(out, proto, 6);
    bulk(out, "server");
    bulk(out, "redis");
    bulk(out, "version");
    bulk(out, VERSION);
    bulk(out, "proto");
    RespWriter.integer(out, proto);
    bulk(out, "id");
    RespWriter.integer(out, c.id);
    bulk(out, "mode");
    bulk(out, "sentinel");
    bulk(out, "modules");
    RespWriter.arrayHeader(out, 0);
  }

  // ------------------------------------------------------------------ CLIENT

  private static void client(ClientHandler c, String[] a, ByteBuf out) {
    if (a.length < 2) {
      arity(out, "client");
      return;
    }
    String sub = a[1].toLowerCase(Locale.ROOT);
    switch (sub) {
      case "setname":
        if (a.length != 3) {
          arity(out, "client|setname");
          return;
        }
        for (char ch : a[2].toCharArray()) {
          if (ch < '!' || ch > '~') {
            err(out, "ERR Client names cannot contain spaces, newlines or special characters.");
            return;
          }
        }
        c.name = a[2].isEmpty() ? null : a[2];
        RespWriter.raw(out, RespWriter.OK);
        return;
      case "getname":
        if (c.name == null) RespWriter.nullBulk(out, c.proto);
        else bulk(out, c.name);
        return;
      case "id":
        RespWriter.integer(out, c.id);
        return;
      case "info":
        bulk(out, clientLine(c) + "\n");
        return;
      case "list": {
        StringBuilder sb = new StringBuilder();
        for (ClientHandler x : c.server.clients.values()) sb.append(clientLine(x)).append('\n');
        bulk(out, sb.toString());
        return;
      }
      case "kill": {
        if (a.length == 3) {
          ClientHandler victim = null;
          for (ClientHandler x : c.server.clients.values()) if (x.addr().equals(a[2])) victim = x;
          if (victim == null) {
            err(out, "ERR No such client");
            return;
          }
          victim.closeAfterReply = true;
          victim.ctx.close();
          RespWriter.raw(out, RespWriter.OK);
          return;
        }
        if (a.length % 2 != 0) {
          err(out, "ERR syntax error");
          return;
        }
        long killed = 0;
        List<ClientHandler> victims = new ArrayList<>();
        for (int i = 2; i < a.length; i += 2) {
          String f = a[i].toLowerCase(Locale.ROOT);
          if (!List.of("id", "addr", "laddr", "type", "user", "skipme").contains(f)) {
            err(out, "ERR syntax error");
            return;
          }
        }
        for (ClientHandler x : c.server.clients.values()) {
          boolean match = true;
          boolean skipme = true;
          for (int i = 2; i < a.length; i += 2) {
            String f = a[i].toLowerCase(Locale.ROOT);
            String v = a[i + 1];
            if (f.equals("id")) match &= Long.toString(x.id).equals(v);
            else if (f.equals("addr")) match &= x.addr().equals(v);
            else if (f.equals("laddr")) match &= x.laddr().equals(v);
            else if (f.equals("type")) match &= (x.subscriptions() > 0 ? "pubsub" : "normal").equalsIgnoreCase(v);
            else if (f.equals("user")) match &= v.equals("default");
            else skipme = v.equalsIgnoreCase("yes");
          }
          if (match && !(skipme && x == c)) victims.add(x);
        }
        for (ClientHandler x : victims) {
          x.ctx.close();
          killed++;
        }
        RespWriter.integer(out, killed);
        return;
      }
      default:
        err(out, "ERR unknown subcommand '" + trunc(a[1]) + "'. Try CLIENT HELP.");
    }
  }

  private static String clientLine(ClientHandler x) {
    long now = System.currentTimeMillis();
    return "id=" + x.id + " addr=" + x.addr() + " laddr=" + x.laddr() + " fd=8 name="
        + (x.name == null ? "" : x.name) + " age=" + (now - x.created) / 1000 + " idle="
        + (now - x.lastInteraction) / 1000 + " flags=" + (x.subscriptions() > 0 ? "P" : "N")
        + " db=0 sub=" + x.channels.size() + " psub=" + x.patterns.size()
        + " ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd="
        + x.lastCommand + " user=default redir=-1 resp=" + x.proto;
  }

  // ------------------------------------------------------------------ SENTINEL

  private static void sentinel(ClientHandler c, String[] a, ByteBuf out) {
    SentinelServer s = c.server;
    SentinelCore core = s.core;
    long now = SentinelServer.now();
    if (a.length < 2) {
      arity(out, "sentinel");
      return;
    }
    String sub = a[1].toLowerCase(Locale.ROOT);
    Integer ar = SENTINEL_ARITY.get(sub);
    if (ar == null) {
      err(out, "ERR unknown subcommand '" + trunc(a[1]) + "'. Try SENTINEL HELP.");
      return;
    }
    if (!arityOk(ar, a.length)) {
      arity(out, "sentinel|" + sub);
      return;
    }
    switch (sub) {
      case "myid":
        bulk(out, core.myid);
        return;
      case "masters":
        RespWriter.arrayHeader(out, core.masters.size());
        for (Instance m : core.masters.values()) instance(c, m, out, now);
        return;
      case "master": {
        Instance m = master(core, a[2], out);
        if (m != null) instance(c, m, out, now);
        return;
      }
      case "replicas":
      case "slaves": {
        Instance m = master(core, a[2], out);
        if (m == null) return;
        List<Instance> shown = new ArrayList<>();
        for (Instance r : m.replicas.values()) if (r.replicaAnnounced) shown.add(r);
        RespWriter.arrayHeader(out, shown.size());
        for (Instance r : shown) instance(c, r, out, now);
        return;
      }
      case "sentinels": {
        Instance m = master(core, a[2], out);
        if (m == null) return;
        RespWriter.arrayHeader(out, m.sentinels.size());
        for (Instance r : m.sentinels.values()) instance(c, r, out, now);
        return;
      }
      case "get-master-addr-by-name": {
        Instance m = core.masters.get(a[2]);
        if (m == null) {
          RespWriter.nullArray(out, c.proto);
          return;
        }
        Addr ad = m.currentAddr();
        RespWriter.arrayHeader(out, 2);
        bulk(out, announceHost(core, ad.host()));
        bulk(out, Integer.toString(ad.port()));
        return;
      }
      case "ckquorum": {
        Instance m = master(core, a[2], out);
        if (m == null) return;
        String r = core.ckquorum(m);
        if (r.startsWith("+")) RespWriter.simple(out, r.substring(1));
        else err(out, r.substring(1));
        return;
      }
      case "failover": {
        Instance m = master(core, a[2], out);
        if (m == null) return;
        String e = core.forceFailover(a[2], now);
        if (e == null) RespWriter.raw(out, RespWriter.OK);
        else err(out, e);
        return;
      }
      case "reset": {
        long n = core.resetMatching(name -> Glob.match(a[2], name, false), now);
        RespWriter.integer(out, n);
        return;
      }
      case "monitor":
        monitor(c, a, out, now);
        return;
      case "remove":
        if (core.masters.get(a[2]) == null) {
          err(out, "ERR No such master with that name");
          return;
        }
        core.remove(a[2]);
        okOrSaveError(s.performAndFlush(), out);
        return;
      case "flushconfig":
        okOrSaveError(s.flushConfig(), out);
        return;
      case "set":
        set(c, a, out);
        return;
      case "is-master-down-by-addr": {
        long port;
        long epoch;
        try {
          port = Long.parseLong(a[3]);
          epoch = Long.parseLong(a[4]);
        } catch (NumberFormatException e) {
          err(out, "ERR value is not an integer or out of range");
          return;
        }
        Object[] r = core.isMasterDownByAddr(a[2], (int) port, epoch, a[5], now);
        RespWriter.arrayHeader(out, 3);
        RespWriter.integer(out, (Long) r[0]);
        bulk(out, (String) r[1]);
        RespWriter.integer(out, (Long) r[2]);
        return;
      }
      case "info-cache": {
        List<Instance> ms = new ArrayList<>();
        for (int i = 2; i < a.length; i++) {
          Instance m = core.masters.get(a[i]);
          if (m != null) ms.add(m);
        }
        RespWriter.arrayHeader(out, ms.size() * 2L);
        for (Instance m : ms) {
          bulk(out, m.name);
          RespWriter.arrayHeader(out, 1 + m.replicas.size());
          infoCacheEntry(c, m, out, now);
          for (Instance r : m.replicas.values()) infoCacheEntry(c, r, out, now);
        }
        return;
      }
      case "pending-scripts": {
        List<ScriptQueue.Job> jobs = s.scripts.jobs();
        RespWriter.arrayHeader(out, jobs.size());
        for (ScriptQueue.Job j : jobs) {
          RespWriter.mapHeader(out, c.proto, 5);
          bulk(out, "argv");
          RespWriter.arrayHeader(out, j.argv.size());
          for (String arg : j.argv) bulk(out, arg);
          bulk(out, "flags");
          bulk(out, j.running ? "running" : "scheduled");
          bulk(out, "pid");
          bulk(out, Long.toString(j.pid));
          if (j.running) {
            bulk(out, "run-time");
            bulk(out, Long.toString(now - j.startTime));
          } else {
            bulk(out, "run-delay");
            bulk(out, Long.toString(j.startTime != 0 ? Math.max(0, j.startTime - now) : 0));
          }
          bulk(out, "retry-num");
          bulk(out, Integer.toString(j.retryNum));
        }
        return;
      }
      case "simulate-failure":
        for (int i = 2; i < a.length; i++) {
          String f = a[i].toLowerCase(Locale.ROOT);
          if (f.equals("crash-after-election")) {
            core.crashAfterElection = true;
            s.log.log(Level.WARNING, "Failure simulation: this Sentinel will crash after being successfully elected as failover leader");
          } else if (f.equals("crash-after-promotion")) {
            core.crashAfterPromotion = true;
            s.log.log(Level.WARNING, "Failure simulation: this Sentinel will crash after promoting the selected replica to master");
          } else if (f.equals("help")) {
            RespWriter.arrayHeader(out, 2);
            bulk(out, "crash-after-election");
            bulk(out, "crash-after-promotion");
            return;
          } else {
            err(out, "ERR Unknown failure simulation specified");
            return;
          }
        }
        RespWriter.raw(out, RespWriter.OK);
        return;
      case "debug":
        debug(c, a, out);
        return;
      case "config":
        config(c, a, out);
        return;
      case "help":
        help(c, out);
        return;
      default:
        err(out, "ERR unknown subcommand '" + trunc(a[1]) + "'. Try SENTINEL HELP.");
    }
  }

  private static String announceHost(SentinelCore core, String h) {
    return h;
  }

  private static Instance master(SentinelCore core, String name, ByteBuf out) {
    Instance m = core.masters.get(name);
    if (m == null) err(out, "ERR No such master with that name");
    return m;
  }

  private static void infoCacheEntry(ClientHandler c, Instance i, ByteBuf out, long now) {
    RespWriter.arrayHeader(out, 2);
    RespWriter.integer(out, i.infoRefresh == 0 ? 0 : now - i.infoRefresh);
    if (i.infoText == null) RespWriter.nullBulk(out, c.proto);
    else bulk(out, i.infoText);
  }

  private static void monitor(ClientHandler c, String[] a, ByteBuf out, long now) {
    SentinelCore core = c.server.core;
    long quorum;
    long port;
    try {
      quorum = Long.parseLong(a[5]);
    } catch (NumberFormatException e) {
      err(out, "ERR Invalid quorum");
      return;
    }
    try {
      port = Long.parseLong(a[4]);
    } catch (NumberFormatException e) {
      err(out, "ERR Invalid port");
      return;
    }
    if (quorum <= 0) {
      err(out, "ERR Quorum must be 1 or greater.");
      return;
    }
    String host = a[3];
    boolean ok = io.tripod.sentinel.config.SentinelConfig.isIpLiteral(host);
    if (!ok && core.resolveHostnames) {
      try {
        InetAddress.getByName(host);
        ok = true;
      } catch (java.io.IOException e) {
        ok = false;
      }
    }
    if (!ok) {
      err(out, "ERR Invalid IP address or hostname specified");
      return;
    }
    if (core.masters.containsKey(a[2])) {
      err(out, "ERR Duplicate master name.");
      return;
    }
    if (port < 0 || port > 65535) {
      err(out, "ERR Invalid port number.");
      return;
    }
    String e = core.monitorAny(a[2], new Addr(host, (int) port), (int) quorum, now);
    if (e != null) {
      err(out, "ERR " + e);
      return;
    }
    Instance m = core.masters.get(a[2]);
    boolean saved = c.server.flushConfig();
    c.server.event(new Action.Event(Level.WARNING, "+monitor", m.describe() + " quorum " + m.quorum, m.name, m.notificationScript));
    okOrSaveError(saved, out);
  }

  private static void set(ClientHandler c, String[] a, ByteBuf out) {
    SentinelServer s = c.server;
    SentinelCore core = s.core;
    Instance m = master(core, a[2], out);
    if (m == null) return;
    boolean changed = false;
    int i = 3;
    try {
      for (; i < a.length; i++) {
        String opt = a[i].toLowerCase(Locale.ROOT);
        int left = a.length - i - 1;
        String v = left >= 1 ? a[i + 1] : null;
        String shown = v;
        switch (opt) {
          case "down-after-milliseconds":
          case "failover-timeout":
          case "parallel-syncs":
          case "quorum": {
            if (left < 1) throw new SetError("Unknown option or number of arguments for SENTINEL SET '" + a[i] + "'");
            long n = parseSetLong(v, a[i]);
            if (n <= 0) throw new SetError("Invalid argument '" + v + "' for SENTINEL SET '" + a[i] + "'");
            if (opt.equals("down-after-milliseconds")) core.setDownAfter(m, n);
            else if (opt.equals("failover-timeout")) m.failoverTimeout = n;
            else if (opt.equals("parallel-syncs")) m.parallelSyncs = (int) n;
            else m.quorum = (int) n;
            i++;
            break;
          }
          case "master-reboot-down-after-period": {
            if (left < 1) throw new SetError("Unknown option or number of arguments for SENTINEL SET '" + a[i] + "'");
            long n = parseSetLong(v, a[i]);
            if (n < 0) throw new SetError("Invalid argument '" + v + "' for SENTINEL SET '" + a[i] + "'");
            m.masterRebootDownAfterPeriod = n;
            i++;
            break;
          }
          case "notification-script":
          case "client-reconfig-script": {
            if (left < 1) throw new SetError("Unknown option or number of arguments for SENTINEL SET '" + a[i] + "'");
            if (core.denyScriptsReconfig) {
              throw new SetError("Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration");
            }
            if (!v.isEmpty() && !java.nio.file.Files.isExecutable(java.nio.file.Path.of(v))) {
              throw new SetError((opt.equals("notification-script") ? "Notification" : "Client reconfiguration")
                  + " script seems non existing or non executable");
            }
            if (opt.equals("notification-script")) m.notificationScript = v.isEmpty() ? null : v;
            else m.clientReconfigScript = v.isEmpty() ? null : v;
            i++;
            break;
          }
          case "auth-pass":
          case "auth-user":
            if (left < 1) throw new SetError("Unknown option or number of arguments for SENTINEL SET '" + a[i] + "'");
            if (opt.equals("auth-pass")) {
              m.authPass = v.isEmpty() ? null : v;
              shown = "******";
            } else {
              m.authUser = v.isEmpty() ? null : v;
            }
            s.dropLinks(false);
            i++;
            break;
          case "rename-command":
            if (left < 2) throw new SetError("Unknown option or number of arguments for SENTINEL SET '" + a[i] + "'");
            m.renamedCommands.put(v.toLowerCase(Locale.ROOT), a[i + 2]);
            shown = v + " " + a[i + 2];
            i += 2;
            break;
          default:
            throw new SetError("Unknown option or number of arguments for SENTINEL SET '" + a[i] + "'");
        }
        changed = true;
        s.event(new Action.Event(Level.WARNING, "+set", m.describe() + " " + opt + " " + shown, m.name, m.notificationScript));
      }
    } catch (SetError e) {
      if (changed) s.flushConfig();
      err(out, "ERR " + e.getMessage());
      return;
    }
    okOrSaveError(!changed || s.flushConfig(), out);
  }

  /** sentinelFlushConfigAndReply: +OK, or Redis's error when the config could not be saved. */
  private static void okOrSaveError(boolean saved, ByteBuf out) {
    if (saved) RespWriter.raw(out, RespWriter.OK);
    else err(out, "ERR Failed to save config file. Check server logs.");
  }

  private static long parseSetLong(String v, String opt) throws SetError {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new SetError("Invalid argument '" + v + "' for SENTINEL SET '" + opt + "'");
    }
  }

  private static final class SetError extends Exception {
    SetError(String m) {
      super(m);
    }
  }

  private static void debug(ClientHandler c, String[] a, ByteBuf out) {
    Timers t = c.server.core.timers;
    if (a.length == 2) {
      Object[][] rows = {
        {"INFO-PERIOD", t.infoPeriod}, {"PING-PERIOD", t.pingPeriod}, {"ASK-PERIOD", t.askPeriod},
        {"PUBLISH-PERIOD", t.publishPeriod}, {"DEFAULT-DOWN-AFTER", t.defaultDownAfter},
        {"DEFAULT-FAILOVER-TIMEOUT", 180000L}, {"TILT-TRIGGER", t.tiltTrigger},
        {"TILT-PERIOD", t.tiltPeriod}, {"SLAVE-RECONF-TIMEOUT", t.slaveReconfTimeout},
        {"MIN-LINK-RECONNECT-PERIOD", t.minLinkReconnectPeriod}, {"ELECTION-TIMEOUT", t.electionTimeout},
        {"SCRIPT-MAX-RUNTIME", t.scriptMaxRuntime}, {"SCRIPT-RETRY-DELAY", t.scriptRetryDelay}
      };
      RespWriter.mapHeader(out, c.proto, rows.length);
      for (Object[] r : rows) {
        bulk(out, (String) r[0]);
        bulk(out, Long.toString((Long) r[1]));
      }
      return;
    }
    for (int i = 2; i < a.length; i += 2) {
      String p = a[i].toLowerCase(Locale.ROOT);
      long v = -1;
      if (i + 1 < a.length) {
        try {
          v = Long.parseLong(a[i + 1]);
        } catch (NumberFormatException e) {
          v = -1;
        }
      }
      boolean known = List.of("info-period", "ping-period", "ask-period", "publish-period", "default-down-after",
          "default-failover-timeout", "tilt-trigger", "tilt-period", "slave-reconf-timeout",
          "min-link-reconnect-period", "election-timeout", "script-max-runtime", "script-retry-delay",
          "refused-down-after").contains(p);
      if (!known || v < 0 || (v == 0 && !p.equals("refused-down-after"))) {
        err(out, "ERR Unknown option or number of arguments for SENTINEL DEBUG '" + a[i] + "'");
        return;
      }
      switch (p) {
        case "info-period": t.infoPeriod = v; break;
        case "ping-period": t.pingPeriod = v; break;
        case "ask-period": t.askPeriod = v; break;
        case "publish-period": t.publishPeriod = v; break;
        case "default-down-after": t.defaultDownAfter = v; break;
        case "tilt-trigger": t.tiltTrigger = v; break;
        case "tilt-period": t.tiltPeriod = v; break;
        case "slave-reconf-timeout": t.slaveReconfTimeout = v; break;
        case "min-link-reconnect-period": t.minLinkReconnectPeriod = v; break;
        case "election-timeout": t.electionTimeout = v; break;
        case "script-max-runtime": t.scriptMaxRuntime = v; break;
        case "script-retry-delay": t.scriptRetryDelay = v; break;
        case "refused-down-after": t.refusedDownAfter = v; break; // Tripod's own
        default: break;
      }
    }
    RespWriter.raw(out, RespWriter.OK);
  }

  private static void config(ClientHandler c, String[] a, ByteBuf out) {
    SentinelCore core = c.server.core;
    String op = a[2].toLowerCase(Locale.ROOT);
    if (op.equals("get") && a.length == 4) {
      Map<String, String> all = new LinkedHashMap<>();
      all.put("resolve-hostnames", core.resolveHostnames ? "yes" : "no");
      all.put("announce-hostnames", core.announceHostnames ? "yes" : "no");
      all.put("announce-ip", core.announceIp == null ? "" : core.announceIp);
      all.put("announce-port", Integer.toString(core.announcePort));
      all.put("sentinel-user", core.sentinelUser == null ? "" : core.sentinelUser);
      all.put("sentinel-pass", core.sentinelPass == null ? "" : core.sentinelPass);
      List<Map.Entry<String, String>> hit = new ArrayList<>();
      for (var e : all.entrySet()) if (Glob.match(a[3], e.getKey(), true)) hit.add(e);
      RespWriter.mapHeader(out, c.proto, hit.size());
      for (var e : hit) {
        bulk(out, e.getKey());
        bulk(out, e.getValue());
      }
      return;
    }
    if (op.equals("set") && a.length == 5) {
      String p = a[3].toLowerCase(Locale.ROOT);
      String v = a[4];
      switch (p) {
        case "resolve-hostnames":
        case "announce-hostnames": {
          String yn = v.toLowerCase(Locale.ROOT);
          if (!yn.equals("yes") && !yn.equals("no")) {
            err(out, "ERR Invalid value '" + v + "' to SENTINEL CONFIG SET '" + a[3] + "'");
            return;
          }
          if (p.equals("resolve-hostnames")) core.resolveHostnames = yn.equals("yes");
          else core.announceHostnames = yn.equals("yes");
          break;
        }
        case "announce-ip":
          core.announceIp = v.isEmpty() ? null : v;
          break;
        case "announce-port": {
          int n;
          try {
            n = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            n = -1;
          }
          if (n < 0 || n > 65535) {
            err(out, "ERR Invalid value '" + v + "' to SENTINEL CONFIG SET '" + a[3] + "'");
            return;
          }
          core.announcePort = n;
          break;
        }
        case "sentinel-user":
          core.sentinelUser = v.isEmpty() ? null : v;
          c.server.dropLinks(true);
          break;
        case "sentinel-pass":
          core.sentinelPass = v.isEmpty() ? null : v;
          c.server.dropLinks(true);
          break;
        default:
          err(out, "ERR Invalid argument '" + a[3] + "' to SENTINEL CONFIG SET");
          return;
      }
      okOrSaveError(c.server.flushConfig(), out);
      return;
    }
    err(out, "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
  }

  private static void help(ClientHandler c, ByteBuf out) {
    String[] lines = {
      "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CKQUORUM <master-name>",
      "    Check if the current Sentinel configuration is able to reach the quorum",
      "    needed to failover a master and the majority needed to authorize the",
      "    failover.",
      "CONFIG SET <param> <value>",
      "    Set a global Sentinel configuration parameter.",
      "CONFIG GET <param>",
      "    Get global Sentinel configuration parameter.",
      "DEBUG [<param> <value> ...]",
      "    Show a list of configurable time parameters and their values (milliseconds).",
      "    Or update current configurable parameters values (one or more).",
      "GET-MASTER-ADDR-BY-NAME <master-name>",
      "    Return the ip and port number of the master with that name.",
      "FAILOVER <master-name>",
      "    Manually failover a master node without asking for agreement from other",
      "    Sentinels",
      "FLUSHCONFIG",
      "    Force Sentinel to rewrite its configuration on disk, including the current",
      "    Sentinel state.",
      "INFO-CACHE <master-name>",
      "    Return last cached INFO output from masters and all its replicas.",
      "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
      "    Check if the master specified by ip:port is down from current Sentinel's",
      "    point of view.",
      "MASTER <master-name>",
      "    Show the state and info of the specified master.",
      "MASTERS",
      "    Show a list of monitored masters and their state.",
      "MONITOR <name> <ip> <port> <quorum>",
      "    Start monitoring a new master with the specified name, ip, port and quorum.",
      "MYID",
      "    Return the ID of the Sentinel instance.",
      "PENDING-SCRIPTS",
      "    Get pending scripts information.",
      "REMOVE <master-name>",
      "    Remove master from Sentinel's monitor list.",
      "REPLICAS <master-name>",
      "    Show a list of replicas for this master and their state.",
      "RESET <pattern>",
      "    Reset masters for specific master name matching this pattern.",
      "SENTINELS <master-name>",
      "    Show a list of Sentinel instances for this master and their state.",
      "SET <master-name> <option> <value> [<option> <value> ...]",
      "    Set configuration parameters for certain masters.",
      "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
      "    Simulate a Sentinel crash.",
      "HELP",
      "    Prints this help."
    };
    RespWriter.arrayHeader(out, lines.length);
    for (String l : lines) RespWriter.simple(out, l);
  }

  /** addReplySentinelRedisInstance: the field/value list of one instance, values as bulk strings. */
  private static void instance(ClientHandler c, Instance ri, ByteBuf out, long now) {
    List<String> f = new ArrayList<>();
    f.add("name");
    f.add(ri.name);
    f.add("ip");
    f.add(ri.addr.host());
    f.add("port");
    f.add(Integer.toString(ri.addr.port()));
    f.add("runid");
    f.add(ri.runid == null ? "" : ri.runid);
    f.add("flags");
    f.add(ri.flagsText());
    Link l = c.server.link(ri.addr);
    f.add("link-pending-commands");
    f.add(Integer.toString(l == null ? 0 : l.pendingCommands()));
    f.add("link-refcount");
    f.add(Integer.toString(refcount(c.server.core, ri.addr)));
    if (ri.isMaster() && ri.failoverState != FailoverState.NONE) {
      f.add("failover-state");
      f.add(ri.failoverState.text);
    }
    f.add("last-ping-sent");
    f.add(Long.toString(ri.actPingTime == 0 ? 0 : now - ri.actPingTime));
    f.add("last-ok-ping-reply");
    f.add(Long.toString(now - ri.lastAvailTime));
    f.add("last-ping-reply");
    f.add(Long.toString(ri.lastPongTime == 0 ? now - ri.lastAvailTime : now - ri.lastPongTime));
    if (ri.is(Instance.S_DOWN)) {
      f.add("s-down-time");
      f.add(Long.toString(now - ri.sDownSinceTime));
    }
    if (ri.is(Instance.O_DOWN)) {
      f.add("o-down-time");
      f.add(Long.toString(now - ri.oDownSinceTime));
    }
    f.add("down-after-milliseconds");
    f.add(Long.toString(ri.downAfter));
    if (ri.kind != Instance.Kind.SENTINEL) {
      f.add("info-refresh");
      f.add(Long.toString(ri.infoRefresh == 0 ? 0 : now - ri.infoRefresh));
      f.add("role-reported");
      f.add(ri.roleReported == Instance.Kind.SLAVE ? "slave" : "master");
      f.add("role-reported-time");
      f.add(Long.toString(now - ri.roleReportedTime));
    }
    if (ri.isMaster()) {
      f.add("config-epoch");
      f.add(Long.toString(ri.configEpoch));
      f.add("num-slaves");
      f.add(Integer.toString(ri.replicas.size()));
      f.add("num-other-sentinels");
      f.add(Integer.toString(ri.sentinels.size()));
      f.add("quorum");
      f.add(Integer.toString(ri.quorum));
      f.add("failover-timeout");
      f.add(Long.toString(ri.failoverTimeout));
      f.add("parallel-syncs");
      f.add(Integer.toString(ri.parallelSyncs));
      if (ri.notificationScript != null) {
        f.add("notification-script");
        f.add(ri.notificationScript);
      }
      if (ri.clientReconfigScript != null) {
        f.add("client-reconfig-script");
        f.add(ri.clientReconfigScript);
      }
    }
    if (ri.kind == Instance.Kind.SLAVE) {
      f.add("master-link-down-time");
      f.add(Long.toString(ri.masterLinkDownTime));
      f.add("master-link-status");
      f.add(ri.slaveMasterLinkUp ? "ok" : "err");
      f.add("master-host");
      f.add(ri.slaveMasterHost == null ? "?" : ri.slaveMasterHost);
      f.add("master-port");
      f.add(Integer.toString(ri.slaveMasterPort));
      f.add("slave-priority");
      f.add(Integer.toString(ri.slavePriority));
      f.add("slave-repl-offset");
      f.add(Long.toString(ri.slaveReplOffset));
      f.add("replica-announced");
      f.add(ri.replicaAnnounced ? "1" : "0");
    }
    if (ri.kind == Instance.Kind.SENTINEL) {
      f.add("last-hello-message");
      f.add(Long.toString(ri.lastHelloTime == 0 ? now : now - ri.lastHelloTime));
      f.add("voted-leader");
      f.add(ri.leader == null ? "?" : ri.leader);
      f.add("voted-leader-epoch");
      f.add(Long.toString(ri.leaderEpoch));
    }
    RespWriter.mapHeader(out, c.proto, f.size() / 2);
    for (String x : f) bulk(out, x);
  }

  private static int refcount(SentinelCore core, Addr a) {
    int n = 0;
    for (Instance i : core.allInstances()) if (i.addr.equals(a)) n++;
    return Math.max(1, n);
  }

  // ------------------------------------------------------------------ INFO

  private static String info(SentinelServer s, String[] a) {
    List<String> want = new ArrayList<>();
    for (int i = 1; i < a.length; i++) want.add(a[i].toLowerCase(Locale.ROOT));
    boolean all = want.isEmpty() || want.contains("all") || want.contains("default") || want.contains("everything");
    StringBuilder sb = new StringBuilder();
    long now = System.currentTimeMillis();
    if (all || want.contains("server")) {
      long up = (now - s.startTime) / 1000;
      sb.append("# Server\r\nredis_version:").append(VERSION).append("\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n")
          .append("redis_build_id:0\r\nredis_mode:sentinel\r\nos:").append(System.getProperty("os.name")).append(' ')
          .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch"))
          .append("\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n")
          .append("atomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:").append(ProcessHandle.current().pid())
          .append("\r\nprocess_supervised:no\r\nrun_id:").append(s.core.myid)
          .append("\r\ntcp_port:").append(s.boundPort()).append("\r\nserver_time_usec:").append(now * 1000)
          .append("\r\nuptime_in_seconds:").append(up).append("\r\nuptime_in_days:").append(up / 86400)
          .append("\r\nhz:10\r\nconfigured_hz:10\r\nlru_clock:0\r\nexecutable:tripod\r\nconfig_file:")
          .append(s.config.file).append("\r\nio_threads_active:0\r\n");
    }
    if (all || want.contains("clients")) {
      if (sb.length() > 0) sb.append("\r\n");
      sb.append("# Clients\r\nconnected_clients:").append(s.clients.size())
          .append("\r\ncluster_connections:0\r\nmaxclients:10000\r\nclient_recent_max_input_buffer:0\r\n")
          .append("client_recent_max_output_buffer:0\r\nblocked_clients:0\r\ntracking_clients:0\r\n")
          .append("clients_in_timeout_table:0\r\n");
    }
    if (all || want.contains("cpu")) {
      if (sb.length() > 0) sb.append("\r\n");
      double cpu = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
      sb.append("# CPU\r\nused_cpu_sys:0.000000\r\nused_cpu_user:").append(String.format(Locale.ROOT, "%.6f", cpu))
          .append("\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n")
          .append("used_cpu_sys_main_thread:0.000000\r\nused_cpu_user_main_thread:0.000000\r\n");
    }
    if (all || want.contains("stats")) {
      if (sb.length() > 0) sb.append("\r\n");
      sb.append("# Stats\r\ntotal_connections_received:").append(s.totalConnections)
          .append("\r\ntotal_commands_processed:").append(s.totalCommands)
          .append("\r\ninstantaneous_ops_per_sec:0\r\nrejected_connections:0\r\nexpired_keys:0\r\nevicted_keys:0\r\n")
          .append("pubsub_channels:0\r\npubsub_patterns:0\r\ntotal_error_replies:0\r\n");
    }
    if (all || want.contains("sentinel")) {
      if (sb.length() > 0) sb.append("\r\n");
      SentinelCore core = s.core;
      sb.append("# Sentinel\r\nsentinel_masters:").append(core.masters.size())
          .append("\r\nsentinel_tilt:").append(core.tilt ? 1 : 0)
          .append("\r\nsentinel_tilt_since_seconds:").append(core.tilt ? (now - core.tiltStartTime) / 1000 : -1)
          .append("\r\nsentinel_running_scripts:").append(s.scripts.runningCount())
          .append("\r\nsentinel_scripts_queue_length:").append(s.scripts.length())
          .append("\r\nsentinel_simulate_failure_flags:")
          .append((core.crashAfterElection ? 1 : 0) | (core.crashAfterPromotion ? 2 : 0)).append("\r\n");
      int n = 0;
      for (Instance m : core.masters.values()) {
        String status = m.is(Instance.O_DOWN) ? "odown" : m.is(Instance.S_DOWN) ? "sdown" : "ok";
        Addr ad = m.currentAddr();
        sb.append("master").append(n++).append(":name=").append(m.name).append(",status=").append(status)
            .append(",address=").append(ad).append(",slaves=").append(m.replicas.size())
            .append(",sentinels=").append(m.sentinels.size() + 1).append("\r\n");
      }
    }
    return sb.toString();
  }
}
