package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.util.Bytes;

/** PING, ECHO, QUIT, SELECT, AUTH, HELLO. */
final class ConnectionCommands {
  private ConnectionCommands() {}

  static void register(CommandTable t) {
    t.add("ping", -1, "fast sentinel", 0, 0, 0, "fast connection", ConnectionCommands::ping);
    t.add("echo", 2, "loading stale fast", 0, 0, 0, "fast connection", (c, a) -> c.bulk(a[1]));
    t.add("quit", -1, "allow_busy noscript loading stale fast no_auth", 0, 0, 0, "fast connection",
        ConnectionCommands::quit);
    t.add("select", 2, "loading stale fast", 0, 0, 0, "fast connection", ConnectionCommands::select);
    t.add("auth", -2, "noscript loading stale fast no_auth sentinel", 0, 0, 0, "fast connection",
        ConnectionCommands::auth);
    t.add("hello", -1, "noscript loading stale fast no_auth sentinel", 0, 0, 0, "fast connection",
        ConnectionCommands::hello);
  }

  static void ping(Client c, byte[][] a) {
    if (a.length > 2) {
      c.arityError("ping");
      return;
    }
    if (c.proto == 2 && c.isPubSub()) {
      c.array(2);
      c.bulk(Bytes.of("pong"));
      c.bulk(a.length == 2 ? a[1] : Bytes.EMPTY);
      return;
    }
    if (a.length == 1) {
      c.raw(io.tripod.resp.RespWriter.PONG);
    } else {
      c.bulk(a[1]);
    }
  }

  static void quit(Client c, byte[][] a) {
    c.ok();
    c.closeAfterReply = true;
  }

  static void select(Client c, byte[][] a) {
    Long id = Bytes.parseLongOrNull(a[1]);
    if (id == null || id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) {
      c.err("value is not an integer or out of range");
      return;
    }
    if (id < 0 || id >= c.server.dbCount()) {
      c.err("DB index is out of range");
      return;
    }
    c.db = c.server.db(id.intValue());
    c.ok();
  }

  static void auth(Client c, byte[][] a) {
    if (a.length > 3) {
      c.syntaxError();
      return;
    }
    Server s = c.server;
    if (a.length == 2 && s.config.requirepass.isEmpty()) {
      c.err("AUTH <password> called without any password configured for the default user. "
          + "Are you sure your configuration is correct?");
      return;
    }
    if (checkPassword(s, a.length == 3 ? a[1] : null, a[a.length - 1])) {
      c.authenticated = true;
      c.ok();
    } else {
      c.error("WRONGPASS invalid username-password pair or user is disabled.");
    }
  }

  /** The only user is {@code default}; without requirepass it takes any password. */
  static boolean checkPassword(Server s, byte[] user, byte[] pass) {
    if (user != null && !Bytes.str(user).equals("default")) {
      return false;
    }
    String required = s.config.requirepass;
    return required.isEmpty() || required.equals(Bytes.str(pass));
  }

  static void hello(Client c, byte[][] a) {
    int ver = c.proto;
    int j = 1;
    if (a.length >= 2) {
      Long v = Bytes.parseLongOrNull(a[1]);
      if (v == null) {
        c.err("Protocol version is not an integer or out of range");
        return;
      }
      j = 2;
      if (v < 2 || v > 3) {
        c.error("NOPROTO unsupported protocol version");
        return;
      }
      ver = v.intValue();
    }
    byte[] user = null;
    byte[] pass = null;
    byte[] name = null;
    for (; j < a.length; j++) {
      int more = a.length - j - 1;
      if (Args.is(a[j], "auth") && more >= 2) {
        user = a[j + 1];
        pass = a[j + 2];
        j += 2;
      } else if (Args.is(a[j], "setname") && more >= 1) {
        name = a[j + 1];
        j += 1;
      } else {
        c.err("Syntax error in HELLO option '" + Bytes.str(a[j]) + "'");
        return;
      }
    }
    if (user != null) {
      if (!checkPassword(c.server, user, pass)) {
        c.error("WRONGPASS invalid username-password pair or user is disabled.");
        return;
      }
      c.authenticated = true;
    }
    if (!c.authenticated) {
      c.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
          + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
          + "select the RESP protocol version at the same time");
      return;
    }
    if (name != null) {
      String err = ClientNames.validate(name);
      if (err != null) {
        c.err(err);
        return;
      }
      c.name = name.length == 0 ? null : name;
    }
    c.proto = ver;
    boolean sentinel = c.server.config.sentinelMode;
    c.map(sentinel ? 6 : 7);
    c.bulk("server");
    c.bulk("redis");
    c.bulk("version");
    c.bulk(Server.REDIS_VERSION);
    c.bulk("proto");
    c.integer(ver);
    c.bulk("id");
    c.integer(c.id);
    c.bulk("mode");
    c.bulk(sentinel ? "sentinel" : "standalone");
    if (!sentinel) {
      c.bulk("role");
      c.bulk(c.server.replicaOfMaster ? "replica" : "master");
    }
    c.bulk("modules");
    c.emptyArray();
  }
}
