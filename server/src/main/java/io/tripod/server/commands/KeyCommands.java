package io.tripod.server.commands;

import io.tripod.server.Client;
import io.tripod.server.Notifications;
import io.tripod.server.Server;
import io.tripod.server.command.CommandTable;
import io.tripod.server.db.KeyEntry;
import io.tripod.server.types.Types;

/** Generic key commands ({@code db.c}, {@code expire.c}). */
final class KeyCommands {
  private KeyCommands() {}

  static void register(CommandTable t) {
    t.add("del", -2, "write", 1, -1, 1, "keyspace write slow", KeyCommands::del);
    t.add("unlink", -2, "write fast", 1, -1, 1, "keyspace write fast", KeyCommands::del);
    t.add("exists", -2, "readonly fast", 1, -1, 1, "keyspace read fast", KeyCommands::exists);
    t.add("type", 2, "readonly fast", 1, 1, 1, "keyspace read fast", KeyCommands::type);
    t.add("dbsize", 1, "readonly fast", 0, 0, 0, "keyspace read fast", (c, a) -> c.integer(c.db.size()));
    t.add("flushdb", -1, "write", 0, 0, 0, "keyspace write slow dangerous", KeyCommands::flushdb);
    t.add("flushall", -1, "write", 0, 0, 0, "keyspace write slow dangerous", KeyCommands::flushall);
  }

  static void del(Client c, byte[][] a) {
    Server s = c.server;
    long n = 0;
    for (int i = 1; i < a.length; i++) {
      if (s.lookupWrite(c.db, a[i]) != null && s.deleteKey(c.db, a[i])) {
        s.notifyKeyspaceEvent(Notifications.GENERIC, "del", a[i], c.db.id);
        s.dirty++;
        n++;
      }
    }
    c.integer(n);
  }

  static void exists(Client c, byte[][] a) {
    long n = 0;
    for (int i = 1; i < a.length; i++) {
      if (c.server.lookupRead(c.db, a[i]) != null) {
        n++;
      }
    }
    c.integer(n);
  }

  static void type(Client c, byte[][] a) {
    KeyEntry e = c.server.lookupNoTouch(c.db, a[1]);
    c.simple(Types.typeName(e == null ? null : e.value));
  }

  /** FLUSHDB / FLUSHALL take an optional ASYNC or SYNC. */
  private static boolean flushOptionOk(Client c, byte[][] a) {
    if (a.length > 2 || (a.length == 2 && !Args.is(a[1], "async") && !Args.is(a[1], "sync"))) {
      c.syntaxError();
      return false;
    }
    return true;
  }

  static void flushdb(Client c, byte[][] a) {
    if (!flushOptionOk(c, a)) {
      return;
    }
    c.server.dirty += c.server.flush(c.db.id);
    c.ok();
  }

  static void flushall(Client c, byte[][] a) {
    if (!flushOptionOk(c, a)) {
      return;
    }
    c.server.dirty += c.server.flush(-1) + 1;
    c.ok();
  }
}
